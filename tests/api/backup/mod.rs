//! Backups through the HTTP API: the settings screen's "back up now", the
//! record of every attempt, the dashboard's warning after 2 days, and the
//! daily backup with its stored passphrase and retention.

use serde_json::{Value, json};

use crate::support::*;

const PASSPHRASE: &str = "kunci cadangan toko 2026";

fn archives(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn backup_now_writes_an_archive_records_it_and_is_for_admins_only() {
    let t = TestApp::new();
    let s = t.serve();
    let usb = tempfile::tempdir().unwrap();
    let folder = usb.path().join("loket");
    let rec = s
        .post(
            "/backups",
            json!({"folder": folder, "passphrase": PASSPHRASE}),
        )
        .expect(201);
    assert_eq!(rec["ok"], true, "{rec}");
    assert_eq!(rec["trigger"], "manual");
    let path = std::path::PathBuf::from(rec["path"].as_str().unwrap());
    assert!(path.is_file() && path.starts_with(&folder), "{rec}");
    assert!(rec["size_bytes"].as_i64().unwrap() > 0);
    // It opens with the passphrase, and only with it.
    assert!(loket::backup::archive::verify(&path, PASSPHRASE).is_ok());
    assert!(loket::backup::archive::verify(&path, "another passphrase").is_err());

    let list = s.get("/backups").expect(200);
    assert_eq!(list["recent"][0]["id"], rec["id"]);
    assert_eq!(list["warning"], Value::Null);

    // Refused before anything is written: not a full path, a short passphrase.
    s.post(
        "/backups",
        json!({"folder": "usb", "passphrase": PASSPHRASE}),
    )
    .expect_error(422, "validation", Some("folder"));
    s.post("/backups", json!({"folder": folder, "passphrase": "short"}))
        .expect_error(422, "validation", Some("passphrase"));
    assert_eq!(archives(&folder).len(), 1);
    // A folder that cannot be written: the failure is answered and recorded.
    let blocked = usb.path().join("a-file");
    std::fs::write(&blocked, b"not a folder").unwrap();
    let failed = s.post(
        "/backups",
        json!({"folder": blocked, "passphrase": PASSPHRASE}),
    );
    assert_eq!(failed.status, 422, "{}", failed.body);
    let list = s.get("/backups").expect(200);
    assert_eq!(list["recent"][0]["ok"], false, "{list}");
    assert!(
        list["recent"][0]["error"]
            .as_str()
            .is_some_and(|e| !e.is_empty())
    );

    let manager = t.login_as(&s, "manajer", Role::Manager);
    manager
        .post(
            "/backups",
            json!({"folder": folder, "passphrase": PASSPHRASE}),
        )
        .expect_error(403, "forbidden", None);
    manager.get("/backups").expect_error(403, "forbidden", None);
}

#[test]
fn the_dashboard_warns_when_the_last_good_backup_is_older_than_two_days() {
    let t = TestApp::new();
    let s = t.serve();
    let desk = t.login_as(&s, "depan", Role::FrontDesk);
    let usb = tempfile::tempdir().unwrap();
    let status = desk.get("/status").expect(200);
    assert!(
        status["backup_warning"]
            .as_str()
            .unwrap()
            .contains("no backup"),
        "{status}"
    );
    assert_eq!(status["database"], "ok");

    s.post(
        "/backups",
        json!({"folder": usb.path(), "passphrase": PASSPHRASE}),
    )
    .expect(201);
    assert_eq!(
        desk.get("/status").expect(200)["backup_warning"],
        Value::Null
    );
    // Sessions end after 16 hours: log in again on each later day.
    t.set_now(default_now() + chrono::Duration::days(2) - chrono::Duration::minutes(1));
    let desk = s.as_user("depan");
    assert_eq!(
        desk.get("/status").expect(200)["backup_warning"],
        Value::Null
    );
    t.set_now(default_now() + chrono::Duration::days(2) + chrono::Duration::hours(1));
    let (s, desk) = (s.as_user("admin"), s.as_user("depan"));
    let status = desk.get("/status").expect(200);
    assert!(
        status["backup_warning"]
            .as_str()
            .unwrap()
            .contains("2 days old"),
        "{status}"
    );
    // A failed attempt does not count as a backup.
    let blocked = usb.path().join("a-file");
    std::fs::write(&blocked, b"x").unwrap();
    s.post(
        "/backups",
        json!({"folder": blocked, "passphrase": PASSPHRASE}),
    );
    assert!(desk.get("/status").expect(200)["backup_warning"].is_string());
}

#[test]
fn the_daily_backup_uses_the_stored_passphrase_and_keeps_the_last_n() {
    let t = TestApp::new();
    let s = t.serve();
    let usb = tempfile::tempdir().unwrap();
    // Not configured: the job runs and says so.
    let run = s.post("/jobs/backup/run", json!({})).expect(200);
    assert_eq!(run["result"], "not configured");
    s.put(
        "/backups/schedule",
        json!({"folder": usb.path(), "keep": 2}),
    )
    .expect_error(422, "validation", Some("passphrase"));
    s.put(
        "/backups/schedule",
        json!({"folder": "relative", "passphrase": PASSPHRASE}),
    )
    .expect_error(422, "validation", Some("folder"));
    let schedule = s
        .put(
            "/backups/schedule",
            json!({"folder": usb.path(), "keep": 2, "passphrase": PASSPHRASE}),
        )
        .expect(200);
    assert_eq!(
        schedule,
        json!({"folder": usb.path(), "keep": 2, "passphrase_set": true})
    );
    // The passphrase is stored sealed, never in clear.
    let stored: String = t
        .db()
        .query_row("SELECT value FROM settings WHERE key = 'backup'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(!stored.contains(PASSPHRASE), "{stored}");

    for day in 0..3 {
        t.set_now(default_now() + chrono::Duration::days(day));
        let s = s.as_user("admin");
        let run = s.post("/jobs/backup/run", json!({})).expect(200);
        assert!(
            run["result"].as_str().unwrap().starts_with("wrote "),
            "{run}"
        );
    }
    let names = archives(usb.path());
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names[0].starts_with("loket-backup-20261123-"), "{names:?}");
    assert!(names[1].starts_with("loket-backup-20261124-"), "{names:?}");
    let s = s.as_user("admin");
    let list = s.get("/backups").expect(200);
    assert_eq!(list["recent"][0]["trigger"], "scheduled");
    assert!(
        loket::backup::archive::verify(&usb.path().join(&names[1]), PASSPHRASE).is_ok(),
        "a scheduled archive opens with the admin's passphrase"
    );
    // Turned off: the job writes nothing.
    s.put("/backups/schedule", json!({"folder": null}))
        .expect(200);
    t.set_now(default_now() + chrono::Duration::days(5));
    let s = s.as_user("admin");
    assert_eq!(
        s.post("/jobs/backup/run", json!({})).expect(200)["result"],
        "not configured"
    );
}
