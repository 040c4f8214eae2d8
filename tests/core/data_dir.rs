//! The data directory as a whole: the key file belongs to its database (a
//! missing or foreign key stops the start, saying what to do; no new key is
//! made for an existing database), and only one process uses it at a time.

use std::process::Command;

use crate::support::*;

/// Runs `loket serve` on `dir`, expecting it to exit by itself: one that is
/// still serving after 10 s is killed and fails the test.
fn serve_output(dir: &std::path::Path) -> std::process::Output {
    let child = Command::new(loket_bin())
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir)
        .env("LOKET_LOG", "warn")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(std::time::Duration::from_secs(10)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
            panic!("`loket serve` started instead of refusing the data directory");
        }
    }
}

#[test]
fn the_key_file_moved_away_stops_the_start_with_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let aside = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let key = dir.path().join("loket.key");
    let moved = aside.path().join("loket.key");
    std::fs::rename(&key, &moved).unwrap();
    let db_before = std::fs::read(dir.path().join("loket.db")).unwrap();

    let out = serve_output(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("key file")
            && stderr.contains("is missing")
            && stderr.contains("loket restore"),
        "{stderr}"
    );
    assert!(!key.exists(), "no new key is made for an existing database");
    assert_eq!(
        std::fs::read(dir.path().join("loket.db")).unwrap(),
        db_before
    );

    // Another key (from another desk) is refused the same way.
    let other = tempfile::tempdir().unwrap();
    add_admin(other.path());
    std::fs::copy(other.path().join("loket.key"), &key).unwrap();
    let out = serve_output(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("does not belong to this database"),
        "{stderr}"
    );

    // The right key back: the desk starts.
    std::fs::remove_file(&key).unwrap();
    std::fs::rename(&moved, &key).unwrap();
    let (mut child, s) = serve_binary(dir.path());
    s.get("/auth/me").expect(200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_second_serve_on_the_same_data_directory_exits_naming_the_holder() {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let (mut first, s) = serve_binary(dir.path());

    let out = serve_output(dir.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("in use by") && stderr.contains(&format!("pid {}", first.id())),
        "{stderr}"
    );
    assert!(stderr.contains("loket serve"), "{stderr}");
    // A command that writes is refused too; the first desk is untouched.
    let add = Command::new(loket_bin())
        .args([
            "user",
            "add",
            "second",
            "--role",
            "admin",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!add.status.success());
    assert!(String::from_utf8_lossy(&add.stderr).contains("in use by"));
    s.get("/auth/me").expect(200);

    // Once the holder is gone (even by kill -9), the next one starts.
    first.kill().unwrap();
    first.wait().unwrap();
    let (mut next, s) = serve_binary(dir.path());
    s.get("/auth/me").expect(200);
    next.kill().unwrap();
    next.wait().unwrap();
}
