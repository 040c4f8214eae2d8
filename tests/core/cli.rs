//! The `loket` command line: first user (also as `scripts/run.sh` makes
//! it), serve's first line, and a database from a newer Loket refused
//! untouched.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::*;

fn add_user(dir: &std::path::Path, name: &str, role: &str, password: &str) -> std::process::Output {
    let mut child = Command::new(loket_bin())
        .args(["user", "add", name, "--role", role, "--password-stdin"])
        .env("LOKET_DATA_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A refused command (an unknown role) may exit before reading: the pipe
    // is then closed, and its exit status is what the test judges.
    let _ = writeln!(child.stdin.take().unwrap(), "{password}");
    child.wait_with_output().unwrap()
}

#[test]
fn first_user_from_stdin_then_serve_and_log_in() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("loket-data");
    let dir = &data;
    let out = add_user(dir, "owner", "admin", PASSWORD);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "added user owner (admin)"
    );
    let bad = add_user(dir, "second", "admin", "short");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("password"));
    let bad_role = add_user(dir, "third", "boss", PASSWORD);
    assert!(!bad_role.status.success());

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.join("loket.key")), 0o600);
        assert_eq!(mode(&dir.join("loket.db")), 0o600);
        assert_eq!(mode(dir), 0o700);
    }

    let mut serve = Command::new(loket_bin());
    serve
        .args(["serve", "--port", "0"])
        .env("LOKET_DATA_DIR", dir);
    let (mut child, line) = spawn_serve(serve);
    let addr = line
        .trim()
        .strip_prefix("listening on http://127.0.0.1:")
        .map(|port| format!("127.0.0.1:{port}"));
    let mut s = Server::new(
        addr.expect("first line names a loopback address")
            .parse()
            .unwrap(),
    );
    s.login("owner", PASSWORD).expect(200);
    assert_eq!(s.get("/auth/me").expect(200)["username"], "owner");
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `scripts/first-admin.sh` (what `scripts/run.sh --serve` runs on a fresh
/// data directory) without a terminal and without a password given.
#[test]
fn the_run_scripts_generated_first_password_goes_only_to_a_private_file() {
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("loket-data");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/first-admin.sh");
    let first_start = || {
        Command::new("bash")
            .arg(&script)
            .arg(loket_bin())
            .env("LOKET_DATA_DIR", &data)
            .env_remove("LOKET_ADMIN_PASSWORD")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    };
    let out = first_start();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    let file = data.join("first-admin-password.txt");
    assert!(
        stdout.contains(&file.display().to_string()),
        "says where the password is: {stdout}"
    );
    let password = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(password.len() >= 12, "a generated password: {password:?}");
    assert!(
        !stdout.contains(&password) && !stderr.contains(&password),
        "the password was printed"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{mode:o}");
    }

    // A second start leaves the admin and the file as they are.
    let again = first_start();
    assert!(again.status.success());
    assert!(
        again.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), password);

    let mut serve = Command::new(loket_bin());
    serve
        .args(["serve", "--port", "0"])
        .env("LOKET_DATA_DIR", &data);
    let (mut child, mut s) = serve_logged_out(serve);
    s.login("admin", &password).expect(200);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_database_from_a_newer_loket_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        add_user(dir.path(), "owner", "admin", PASSWORD)
            .status
            .success()
    );
    let db = dir.path().join("loket.db");
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    let out = Command::new(loket_bin())
        .args(["serve", "--port", "0"])
        .env("LOKET_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("newer version of Loket"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, 999);
    let users: i64 = conn
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))
        .unwrap();
    assert_eq!(users, 1);
}

#[test]
fn serve_answers_the_ui_built_into_the_binary_from_any_directory() {
    let data = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let mut serve = Command::new(loket_bin());
    serve
        .args(["serve", "--port", "0"])
        .env("LOKET_DATA_DIR", data.path())
        .current_dir(elsewhere.path());
    let (mut child, line) = spawn_serve(serve);
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let client = reqwest::blocking::Client::new();
    let page = client.get(format!("{base}/")).send().unwrap();
    assert_eq!(page.status(), 200);
    let content_type = page.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/html"), "{content_type}");
    let html = page.text().unwrap();
    if loket::api::ui::EMBEDDED {
        // The built UI: its script is a hashed asset, cached for good.
        let asset = html
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("index.html loads a script");
        // Vite writes relative paths (`./assets/…`) so the desktop shell can load them too.
        let asset = asset.trim_start_matches('.').trim_start_matches('/');
        let script = client.get(format!("{base}/{asset}")).send().unwrap();
        assert_eq!(script.status(), 200);
        assert!(
            script.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
        assert!(
            script.headers()["cache-control"]
                .to_str()
                .unwrap()
                .contains("immutable")
        );
        // One of the UI's own routes loads the same page on refresh.
        let route = client.get(format!("{base}/bookings")).send().unwrap();
        assert_eq!(route.text().unwrap(), html);
    } else {
        assert!(html.contains("built without its web UI"), "{html}");
    }
    // The API is still the API.
    assert_eq!(
        client
            .get(format!("{base}/api/v1/nothing-here"))
            .send()
            .unwrap()
            .status(),
        404
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
