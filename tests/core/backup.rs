//! `loket backup` and `loket restore` on real data directories: a backup of
//! a desk under load restores everything acknowledged before it began, the
//! archive reveals no KTP and no key without the passphrase, and a restore
//! that cannot be trusted (wrong passphrase, damaged, from a newer Loket)
//! changes nothing.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::support::*;

const PASSPHRASE: &str = "kunci cadangan toko 2026";
const KTP: &str = "3275010101900001";

/// What a gzip stream decodes to, if it decodes whole with a good CRC.
fn gunzip(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .ok()
        .map(|_| out)
}

fn integrity(db: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap()
}

/// The archive's bytes once un-gzipped (the tar stream).
fn unpacked(archive: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(archive).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

#[test]
fn a_backup_taken_while_four_clients_write_restores_every_booking_acknowledged_before_it() {
    let dir = tempfile::tempdir().unwrap();
    let usb = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let (mut child, server) = serve_binary(dir.path());
    server
        .post(
            "/customers",
            json!({"name": "Rina", "phone": "081277776666", "ktp_number": KTP}),
        )
        .expect(201);
    let server = Arc::new(server);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (server, stop, acked) = (server.clone(), stop.clone(), acked.clone());
            std::thread::spawn(move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    let r = server.post(
                        "/bookings",
                        json!({"customer": {"name": "Pelanggan", "phone": format!("0819{w}{i:07}")}, "price": "150000"}),
                    );
                    assert_eq!(r.status, 201, "{}", r.body);
                    acked.lock().unwrap().push(r.body["id"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();
    wait_for("40 bookings", Duration::from_secs(120), || {
        acked.lock().unwrap().len() >= 40
    });
    // Everything acknowledged before the backup begins must be in it.
    let before: Vec<String> = acked.lock().unwrap().clone();
    let archive = backup_cli(dir.path(), usb.path(), PASSPHRASE).expect("backup");
    let during = acked.lock().unwrap().len();
    // The desk kept writing while the backup ran, and after.
    wait_for("more bookings", Duration::from_secs(60), || {
        acked.lock().unwrap().len() > during + 10
    });
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    assert!(acked.lock().unwrap().len() > before.len());
    let name = archive.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("loket-backup-") && name.ends_with(".tar.gz"),
        "{name}"
    );
    assert_eq!(archive.parent().unwrap(), usb.path());
    // The attempt is recorded, and the dashboard's warning is gone.
    let list = server.get("/backups").expect(200);
    assert_eq!(list["recent"][0]["ok"], true, "{list}");
    assert_eq!(list["recent"][0]["trigger"], "cli");
    assert_eq!(list["warning"], Value::Null);
    child.kill().unwrap();
    child.wait().unwrap();

    // A lost archive reveals no KTP and not the key.
    let tar = unpacked(&archive);
    let key_hex = std::fs::read_to_string(dir.path().join("loket.key")).unwrap();
    assert!(!tar.windows(KTP.len()).any(|w| w == KTP.as_bytes()));
    assert!(
        !tar.windows(key_hex.trim().len())
            .any(|w| w == key_hex.trim().as_bytes())
    );

    // Restored on a "new laptop": intact, every acknowledged booking, the KTP readable.
    let laptop = tempfile::tempdir().unwrap();
    let fresh = laptop.path().join("data");
    let out = restore_cli(&archive, &fresh, PASSPHRASE);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(integrity(&fresh.join("loket.db")), "ok");
    let conn = rusqlite::Connection::open(fresh.join("loket.db")).unwrap();
    for id in &before {
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM bookings WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(
            n, 1,
            "booking {id}, acknowledged before the backup, is missing"
        );
    }
    drop(conn);
    let (mut child, s) = serve_binary(&fresh);
    let customers = s.get("/customers?page_size=200").expect(200);
    let rina = customers["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Rina")
        .expect("the customer is restored");
    assert_eq!(rina["ktp_number"], KTP, "the restored key opens the KTP");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn restore_with_a_wrong_passphrase_changes_nothing() {
    let source = tempfile::tempdir().unwrap();
    let usb = tempfile::tempdir().unwrap();
    add_admin(source.path());
    let archive = backup_cli(source.path(), usb.path(), PASSPHRASE).unwrap();

    // Another desk's data directory, with its own data.
    let target = tempfile::tempdir().unwrap();
    add_admin(target.path());
    let before = snapshot_files(target.path());
    let out = restore_cli(&archive, target.path(), "not the passphrase");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("wrong passphrase"), "{stderr}");
    let after = snapshot_files(target.path());
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert!(before == after, "a file changed");

    // A damaged archive changes nothing either, wherever the damage is
    // (a part, the manifest, the padding between them, the gzip trailer).
    // About 1 % of single-byte flips are not damage at all: the gzip
    // header's time field, or deflate codes that decode to the same bytes
    // (a back-reference into a run of zeros from another distance). Those
    // are skipped, so each place tried really changes what the archive holds.
    let good = std::fs::read(&archive).unwrap();
    let contents = gunzip(&good).expect("the good archive decodes");
    for tenth in 1..=10 {
        let mut at = (good.len() * tenth / 10).min(good.len() - 1);
        let bytes = loop {
            let mut bytes = good.clone();
            bytes[at] ^= 0xff;
            if gunzip(&bytes).as_ref() != Some(&contents) || at + 1 == good.len() {
                break bytes;
            }
            at += 1;
        };
        let damaged = usb.path().join("damaged.tar.gz");
        std::fs::write(&damaged, bytes).unwrap();
        let out = restore_cli(&damaged, target.path(), PASSPHRASE);
        assert!(
            !out.status.success(),
            "byte {at} of {} damaged, restored anyway",
            good.len()
        );
        assert!(snapshot_files(target.path()) == before);
    }

    // The right passphrase: restored, and the replaced files kept aside.
    let out = restore_cli(&archive, target.path(), PASSPHRASE);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let aside = stdout
        .lines()
        .find_map(|l| l.strip_prefix("the database and key it replaced were kept in "))
        .expect("the kept-aside folder is printed");
    let aside = std::path::Path::new(aside);
    assert_eq!(
        std::fs::read(aside.join("loket.key")).unwrap(),
        before[std::path::Path::new("loket.key")]
    );
    assert!(aside.join("loket.db").is_file());
    assert_eq!(
        std::fs::read(target.path().join("loket.key")).unwrap(),
        std::fs::read(source.path().join("loket.key")).unwrap()
    );
}

#[test]
fn a_backup_from_a_newer_loket_is_refused() {
    let source = tempfile::tempdir().unwrap();
    let usb = tempfile::tempdir().unwrap();
    add_admin(source.path());
    // The database as a newer Loket (with more migrations) leaves it.
    rusqlite::Connection::open(source.path().join("loket.db"))
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let archive = backup_cli(source.path(), usb.path(), PASSPHRASE).unwrap();

    let target = tempfile::tempdir().unwrap();
    add_admin(target.path());
    let before = snapshot_files(target.path());
    let out = restore_cli(&archive, target.path(), PASSPHRASE);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("newer Loket"), "{stderr}");
    assert!(snapshot_files(target.path()) == before);
}

#[test]
fn restore_refuses_while_a_desk_runs_on_the_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let usb = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let (mut child, _s) = serve_binary(dir.path());
    // A backup of the running desk works (no lock needed) …
    let archive = backup_cli(dir.path(), usb.path(), PASSPHRASE).unwrap();
    // … a restore over it does not.
    let out = restore_cli(&archive, dir.path(), PASSPHRASE);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use by"));
    // A passphrase too short for a new backup is refused before anything is written.
    let err = backup_cli(dir.path(), usb.path(), "short").unwrap_err();
    assert!(err.contains("passphrase"), "{err}");
    assert_eq!(std::fs::read_dir(usb.path()).unwrap().count(), 1);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_fresh_install_restores_a_backup_from_its_first_start_screen_while_running() {
    // The old laptop: an admin, a customer with a KTP, a backup.
    let old = tempfile::tempdir().unwrap();
    let usb = tempfile::tempdir().unwrap();
    add_admin(old.path());
    let (mut child, s) = serve_binary(old.path());
    s.post(
        "/customers",
        json!({"name": "Rina", "phone": "081277776666", "ktp_number": KTP}),
    )
    .expect(201);
    child.kill().unwrap();
    child.wait().unwrap();
    let archive = backup_cli(old.path(), usb.path(), PASSPHRASE).unwrap();

    // The new laptop: `loket serve` on an empty data directory, nobody to log in as.
    let new = tempfile::tempdir().unwrap();
    let mut serve = std::process::Command::new(loket_bin());
    serve
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(new.path());
    let (mut child, line) = spawn_serve(serve);
    let mut s = Server::new(
        line.trim()
            .strip_prefix("listening on http://")
            .unwrap()
            .parse()
            .unwrap(),
    );
    s.login("admin", PASSWORD)
        .expect_error(401, "login_failed", None);
    let key_before = std::fs::read(new.path().join("loket.key")).unwrap();

    // A wrong passphrase changes nothing.
    s.post(
        "/backups/restore",
        json!({"path": archive, "passphrase": "not it at all"}),
    )
    .expect_error(422, "validation", Some("passphrase"));
    assert_eq!(
        std::fs::read(new.path().join("loket.key")).unwrap(),
        key_before
    );

    let done = s
        .post(
            "/backups/restore",
            json!({"path": archive, "passphrase": PASSPHRASE}),
        )
        .expect(200);
    assert!(
        done["kept_aside"].as_str().unwrap().contains("replaced-"),
        "{done}"
    );
    // The running desk now holds the backup: its admin, its KTP readable.
    s.login("admin", PASSWORD).expect(200);
    let customers = s.get("/customers").expect(200);
    assert_eq!(customers["data"][0]["ktp_number"], KTP, "{customers}");
    s.post(
        "/customers",
        json!({"name": "Baru", "phone": "081277775555"}),
    )
    .expect(201);
    // Users exist now: a second restore from the first-start screen is refused.
    s.post(
        "/backups/restore",
        json!({"path": archive, "passphrase": PASSPHRASE}),
    )
    .expect_error(409, "conflict", None);
    child.kill().unwrap();
    child.wait().unwrap();

    // And it starts again on its own: the key file and the database belong together.
    let (mut child, s) = serve_binary(new.path());
    assert_eq!(s.get("/customers").expect(200)["meta"]["total"], 2);
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(integrity(&new.path().join("loket.db")), "ok");
}
