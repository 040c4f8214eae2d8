//! A damaged database is noticed at start, in the background, and by the
//! periodic (daily) check while the desk runs: the desk
//! listens at once, reads still answer, writes are refused with what to do
//! (503 `read_only`), and the status the UI's banner reads says so. A full
//! disk answers 507 `disk_full`.

use std::io::{Seek, SeekFrom, Write};
use std::time::Duration;

use serde_json::json;

use crate::support::*;

/// Moves everything into the main file, then overwrites the first bytes of
/// the units table's root page, as a failing disk would.
fn damage_the_units_table(db: &std::path::Path) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.busy_timeout(Duration::from_secs(10)).unwrap();
    // A desk that runs may hold a snapshot for a moment: retry until the
    // whole log is in the main file.
    wait_for("a full checkpoint", Duration::from_secs(30), || {
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap()
            == 0
    });
    let size: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    let root: i64 = conn
        .query_row(
            "SELECT rootpage FROM sqlite_master WHERE name = 'units'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    drop(conn);
    let mut f = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    f.seek(SeekFrom::Start(((root - 1) * size) as u64)).unwrap();
    f.write_all(&[0xAB; 64]).unwrap();
    f.sync_all().unwrap();
}

/// Waits for the status the banner reads to say the database is damaged,
/// and checks it says what to do.
fn wait_until_damage_is_reported(s: &Server, check: &str) {
    wait_for(
        &format!("{check} to find the damage"),
        Duration::from_secs(30),
        || s.get("/status").body["database"] == "damaged",
    );
    let status = s.get("/status").expect(200);
    assert!(
        status["message"]
            .as_str()
            .unwrap()
            .contains("restore from the last backup"),
        "{status}"
    );
}

#[test]
fn a_damaged_page_is_detected_at_start_writes_are_refused_and_reads_still_answer() {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let (mut child, s) = serve_binary(dir.path());
    let token = s.token.clone();
    for i in 0..30 {
        s.post(
            "/customers",
            json!({"name": "Pelanggan", "phone": format!("0813{i:08}")}),
        )
        .expect(201);
        s.post("/bookings", json!({"customer": {"name": "Pelanggan", "phone": format!("0813{i:08}")}, "price": "100000"}))
            .expect(201);
        create_unit(&s, 100_000 + i);
    }
    assert_eq!(s.get("/status").expect(200)["database"], "ok");
    child.kill().unwrap();
    child.wait().unwrap();

    // One page of a table that nothing reads at start (the units)
    // overwritten: only the check can find it.
    damage_the_units_table(&dir.path().join("loket.db"));

    // The session from before the damage still reads.
    let mut serve = std::process::Command::new(loket_bin());
    serve
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.path());
    let (mut child, line) = spawn_serve(serve);
    let mut s = Server::new(
        line.trim()
            .strip_prefix("listening on http://")
            .unwrap()
            .parse()
            .unwrap(),
    );
    s.token = token;
    wait_until_damage_is_reported(&s, "the check at start");
    // Reads of what is intact answer (the damaged table's do not: 500);
    // writes are refused, clearly, and change nothing.
    let before = s.get("/customers?page_size=1").expect(200)["meta"]["total"].clone();
    let refused = s
        .post(
            "/customers",
            json!({"name": "Baru", "phone": "081399999999"}),
        )
        .expect_error(503, "read_only", None);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("database damaged"),
        "{refused}"
    );
    assert_eq!(
        s.get("/customers?page_size=1").expect(200)["meta"]["total"],
        before
    );
    s.put("/settings", json!({"business_name": "Toko"}))
        .expect_error(503, "read_only", None);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn damage_while_the_desk_runs_is_found_by_the_periodic_check() {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    // The daily check every 300 ms here, so the test can watch it happen.
    let mut serve = std::process::Command::new(loket_bin());
    serve
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .env("LOKET_INTEGRITY_EVERY_MS", "300");
    let (mut child, s) = serve_command(serve);
    for i in 0..30 {
        create_unit(&s, 100_000 + i);
    }
    assert_eq!(s.get("/status").expect(200)["database"], "ok");

    // Nothing reads the units from here on: only the periodic check can
    // notice (the status the banner reads touches no table).
    damage_the_units_table(&dir.path().join("loket.db"));
    wait_until_damage_is_reported(&s, "the periodic check");
    s.post(
        "/customers",
        json!({"name": "Baru", "phone": "081399999999"}),
    )
    .expect_error(503, "read_only", None);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_healthy_desk_reports_ok_and_takes_writes_right_after_start() {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let (mut child, s) = serve_binary(dir.path());
    // The first write waits for the check at most; it is not refused.
    s.post(
        "/customers",
        json!({"name": "Pelanggan", "phone": "081300000001"}),
    )
    .expect(201);
    let status = s.get("/status").expect(200);
    assert_eq!(status["database"], "ok");
    assert_eq!(status["message"], serde_json::Value::Null);
    assert!(
        status["backup_warning"]
            .as_str()
            .unwrap()
            .contains("no backup")
    );
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_full_disk_answers_507_in_words_and_writes_nothing_half() {
    let t = TestApp::new();
    let s = t.serve();
    let customers = |s: &Server| total(&s.get("/customers?page_size=1").expect(200));
    // The database may not grow past its current size: SQLite itself then
    // answers SQLITE_FULL, as on a full disk, in the middle of a write.
    let pages: i64 = t
        .app
        .database()
        .writer()
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    t.app
        .database()
        .writer()
        .execute_batch(&format!("PRAGMA max_page_count = {pages}"))
        .unwrap();
    let mut refused = None;
    for i in 0..2_000 {
        let before = customers(&s);
        let reply = s.post(
            "/bookings",
            json!({"customer": {"name": "Pelanggan Penuh", "phone": format!("0815{i:08}"), "address": "x".repeat(400)},
                   "price": "100000", "notes": "y".repeat(900)}),
        );
        if reply.status != 201 {
            refused = Some((before, reply));
            break;
        }
    }
    let (before, reply) = refused.expect("the capped database filled up");
    assert_eq!(reply.status, 507, "{}", reply.body);
    assert_eq!(reply.body["error"]["code"], "disk_full");
    assert!(
        reply.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("disk full")),
        "{}",
        reply.body
    );
    // Nothing of the refused booking stayed: not its new customer either.
    assert_eq!(customers(&s), before);
    // Room again: the desk takes writes at once.
    t.app
        .database()
        .writer()
        .execute_batch("PRAGMA max_page_count = 1073741823")
        .unwrap();
    s.post(
        "/bookings",
        json!({"customer": {"name": "Pelanggan Lega", "phone": "081600000001"}, "price": "100000"}),
    )
    .expect(201);
}
