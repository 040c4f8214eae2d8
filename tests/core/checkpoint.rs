//! The background checkpointer: what is written reaches `loket.db` soon after
//! the desk goes quiet, and a steady stream of writes cannot grow the WAL
//! without bound.

use std::time::Duration;

use serde_json::json;

use crate::support::{TestApp, customer, wait_for};

/// Bookings in `loket.db` alone, as a copy of the file without its WAL sees it.
fn bookings_in_main_file(t: &TestApp) -> i64 {
    let copy = tempfile::NamedTempFile::new().unwrap();
    std::fs::copy(t.data_dir().join("loket.db"), copy.path()).unwrap();
    let conn = rusqlite::Connection::open(copy.path()).unwrap();
    // Before the first checkpoint even the schema is only in the WAL.
    conn.query_row("SELECT COUNT(*) FROM bookings", [], |r| r.get(0))
        .unwrap_or(0)
}

fn book(t: &TestApp, i: usize) {
    t.call(
        "bookings.create",
        json!({"customer": customer("Sari Dewi", &format!("0813{i:08}")), "price": "250000"}),
    )
    .unwrap();
}

#[test]
fn a_quiet_desks_bookings_reach_the_database_file() {
    let t = TestApp::new();
    for i in 0..5 {
        book(&t, i);
    }
    wait_for(
        "the WAL copied into loket.db after the last write",
        Duration::from_secs(10),
        || bookings_in_main_file(&t) >= 5,
    );
}

#[test]
fn the_wal_stays_bounded_under_a_steady_stream_of_bookings() {
    let t = TestApp::new();
    let wal = t.data_dir().join("loket.db-wal");
    let mut largest = 0;
    // Some 35 WAL pages each: about 140 MB of WAL if it were never restarted,
    // against a restart past 16384 frames (some 64 MB).
    for i in 0..1000 {
        book(&t, i);
        largest = largest.max(std::fs::metadata(&wal).map_or(0, |m| m.len()));
    }
    let limit = 96 << 20;
    assert!(
        largest < limit,
        "the WAL grew to {largest} bytes (limit {limit})"
    );
}
