//! `loket demo`: an empty data directory filled with realistic data that
//! the app then reads as its own (lists, the rescoring, sync's change log),
//! and a data directory that already has data refused untouched.

use std::process::Command;

use rusqlite::Connection;
use serde_json::json;

use crate::support::*;

fn demo(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(loket_bin())
        .arg("demo")
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env("LOKET_LOG", "warn")
        .output()
        .unwrap()
}

fn count(db: &Connection, sql: &str) -> i64 {
    db.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn demo_data_is_data_the_app_reads_as_its_own() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("data");
    add_admin(&dir);
    let out = demo(
        &dir,
        &[
            "--bookings",
            "3000",
            "--customers",
            "600",
            "--providers",
            "3",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with("demo data: 600 customers, 60 units, 3000 bookings ("),
        "{stdout}"
    );

    let db = Connection::open(dir.join("loket.db")).unwrap();
    // One change-log insert per record written in bulk, with the record as
    // the app serialises it; one audit entry for the whole run.
    for (entity, table) in [
        ("customer", "customers"),
        ("unit", "units"),
        ("booking", "bookings"),
    ] {
        let rows = count(&db, &format!("SELECT COUNT(*) FROM {table}"));
        let logged = count(
            &db,
            &format!(
                "SELECT COUNT(*) FROM change_log WHERE entity = '{entity}' AND op = 'insert'
                   AND entity_id IN (SELECT id FROM {table})"
            ),
        );
        assert_eq!(logged, rows, "{entity}: one insert each");
    }
    let snapshot: serde_json::Value = serde_json::from_str(
        &db.query_row(
            "SELECT snapshot FROM change_log WHERE entity = 'booking' LIMIT 1",
            [],
            |r| r.get::<_, String>(0),
        )
        .unwrap(),
    )
    .unwrap();
    assert!(snapshot["code"].as_str().unwrap().starts_with("BK-"));
    assert!(snapshot["customer_name"].is_string());
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE action = 'generate' AND entity_id = 'demo'"
        ),
        1
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM audit_log WHERE entity IN ('customer', 'unit', 'booking')"
        ),
        0,
        "no audit entry per generated row"
    );
    // Three years of bookings, with every status.
    let years = count(
        &db,
        "SELECT COUNT(DISTINCT substr(booking_date, 1, 4)) FROM bookings",
    );
    assert!(years >= 3, "bookings over {years} years");
    assert_eq!(
        count(&db, "SELECT COUNT(DISTINCT booking_status) FROM bookings"),
        4
    );
    assert!(count(&db, "SELECT COUNT(*) FROM slots WHERE status = 'available'") > 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM providers"), 3);
    assert!(
        count(
            &db,
            "SELECT COUNT(*) FROM messages WHERE kind = 'reminder_h1'"
        ) > 0
    );
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM pragma_foreign_key_check"),
        0
    );
    drop(db);

    // The app reads it: lists and their counts, and a same-day rescoring
    // finds the stored scores are its own.
    let (mut child, admin) = serve_binary(&dir);
    assert_eq!(total(&admin.get("/bookings?page_size=1").expect(200)), 3000);
    assert_eq!(total(&admin.get("/customers?page_size=1").expect(200)), 600);
    let high = admin
        .get("/bookings?segment=high&open=true&sort=priority_score:desc")
        .expect(200);
    assert!(total(&high) > 0);
    let run = admin
        .post("/jobs/priority_recalculation/run", json!({}))
        .expect(200);
    assert!(
        run["result"]
            .as_str()
            .is_some_and(|r| r.ends_with(", 0 segment changes")),
        "{run}"
    );
    // New codes continue the generated sequences.
    let c = admin
        .post(
            "/customers",
            json!({"name": "Pelanggan Baru", "phone": "081299887766"}),
        )
        .expect(201);
    assert_eq!(c["code"], "CS-000601");
    child.kill().unwrap();
    child.wait().unwrap();

    // A second run on the same data directory is refused and changes nothing.
    let logged = |db: &Connection| count(db, "SELECT COUNT(*) FROM change_log");
    let before = logged(&Connection::open(dir.join("loket.db")).unwrap());
    let again = demo(&dir, &["--bookings", "10"]);
    assert!(!again.status.success());
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("already has customers or bookings"),
        "{stderr}"
    );
    let db = Connection::open(dir.join("loket.db")).unwrap();
    assert_eq!(count(&db, "SELECT COUNT(*) FROM bookings"), 3000);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM staff"), 5);
    assert_eq!(logged(&db), before);
}
