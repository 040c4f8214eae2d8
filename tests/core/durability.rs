//! What "acknowledged" promises: once `loket serve` has answered 201 to a
//! booking, the booking is on disk, power loss included. `crash.rs` cannot
//! show that (kill -9 leaves the OS page cache intact, so it would pass with
//! `synchronous=OFF`); these tests look at the syncs themselves.
//!
//! - The pragmas of the app's own connections: the writer and every reader
//!   run in WAL mode with `synchronous=FULL` and foreign keys on.

use crate::support::*;

/// `(journal_mode, synchronous, foreign_keys)` of a connection.
fn pragmas(c: &rusqlite::Connection) -> (String, i64, i64) {
    let get = |p: &str| format!("PRAGMA {p}");
    (
        c.query_row(&get("journal_mode"), [], |r| r.get(0)).unwrap(),
        c.query_row(&get("synchronous"), [], |r| r.get(0)).unwrap(),
        c.query_row(&get("foreign_keys"), [], |r| r.get(0)).unwrap(),
    )
}

/// `synchronous` 2 is FULL: every commit syncs the WAL.
const EXPECTED: (&str, i64, i64) = ("wal", 2, 1);

#[test]
fn the_apps_writer_and_readers_run_in_wal_with_full_sync_and_foreign_keys() {
    let t = TestApp::new();
    let db = t.app.database();
    let writer = pragmas(&db.writer());
    assert_eq!(
        (writer.0.as_str(), writer.1, writer.2),
        EXPECTED,
        "the writer"
    );
    // Every connection of the reader pool (four), held at once.
    let readers: Vec<_> = (0..4).map(|_| db.reader().unwrap()).collect();
    for (i, r) in readers.iter().enumerate() {
        let got = pragmas(r);
        assert_eq!((got.0.as_str(), got.1, got.2), EXPECTED, "reader {i}");
    }
}
