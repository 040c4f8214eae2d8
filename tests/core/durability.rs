//! What "acknowledged" promises: once `loket serve` has answered 201 to a
//! booking, the booking is on disk, power loss included. `crash.rs` cannot
//! show that (kill -9 leaves the OS page cache intact, so it would pass with
//! `synchronous=OFF`); these tests look at the syncs themselves.
//!
//! - The pragmas of the app's own connections: the writer and every reader
//!   run in WAL mode with `synchronous=FULL` and foreign keys on.
//! - The real `loket serve` under `strace`: for every acknowledged booking,
//!   the WAL frames holding it were written, then the WAL was synced
//!   (`fsync`/`fdatasync` returned), and only then did the response leave.

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use serde_json::json;

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

/// One line of the trace that matters here.
#[derive(Debug)]
enum Event {
    /// Data written to the WAL (the text of the frames, as strace prints it).
    WalWrite(String),
    /// A sync of the WAL that returned 0.
    WalSynced,
    /// Data written to a socket.
    Sent(String),
}

/// Reads strace's output (`-f -yy`) into events, in the order they happened:
/// a write at its start, a sync when it returned.
fn events(trace: &str) -> Vec<Event> {
    let mut out = Vec::new();
    // Threads (by pid) with a sync of the WAL started and not yet finished.
    let mut pending: HashSet<&str> = HashSet::new();
    for line in trace.lines() {
        let (pid, call) = line.split_once(' ').unwrap_or(("", line));
        let call = call.trim_start();
        if call.starts_with("<... fsync resumed>") || call.starts_with("<... fdatasync resumed>") {
            if pending.remove(pid) && call.trim_end().ends_with("= 0") {
                out.push(Event::WalSynced);
            }
        } else if (call.starts_with("fsync(") || call.starts_with("fdatasync("))
            && call.contains("-wal>")
        {
            if call.ends_with("<unfinished ...>") {
                pending.insert(pid);
            } else if call.trim_end().ends_with("= 0") {
                out.push(Event::WalSynced);
            }
        } else if call.starts_with("pwrite64(") && call.contains("-wal>") {
            out.push(Event::WalWrite(call.to_owned()));
        } else if ["write(", "writev(", "sendto(", "sendmsg("]
            .iter()
            .any(|p| call.starts_with(p))
            && (call.contains("<TCP:") || call.contains("<TCPv4:") || call.contains("<socket:"))
        {
            out.push(Event::Sent(call.to_owned()));
        }
    }
    out
}

/// Runs `loket serve` under `strace`, books `n` times over HTTP one after
/// the other, stops the server and returns the acknowledged codes and the
/// trace.
fn book_under_strace(n: usize) -> (Vec<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let trace = dir.path().join("strace.txt");
    let strace_there = Command::new("strace").arg("-V").output();
    assert!(
        strace_there.is_ok_and(|o| o.status.success()),
        "this test needs strace (scripts/test.sh installs it)"
    );
    let mut cmd = Command::new("strace");
    cmd.args([
        "-f",
        "-qq",
        "-yy",
        "-s",
        "100000",
        "-e",
        "trace=pwrite64,fsync,fdatasync,write,writev,sendto,sendmsg",
        "-o",
    ])
    .arg(&trace)
    .arg(loket_bin())
    .args(["serve", "--port", "0", "--data-dir"])
    .arg(dir.path());
    let (mut strace, s) = serve_command(cmd);
    let mut codes = Vec::new();
    for i in 0..n {
        let b = s
            .post(
                "/bookings",
                json!({"customer": customer("Pelanggan", &format!("0819{i:08}")), "price": "150000"}),
            )
            .expect(201);
        codes.push(b["code"].as_str().unwrap().to_owned());
    }
    // Stop loket (strace's child) so that strace writes everything and exits.
    let loket_pid =
        std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", strace.id())).unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", loket_pid.trim()])
        .status()
        .unwrap();
    assert!(killed.success());
    wait_for(
        "loket serve to stop under strace",
        Duration::from_secs(60),
        || strace.try_wait().unwrap().is_some(),
    );
    (codes, std::fs::read_to_string(&trace).unwrap())
}

#[test]
fn every_acknowledged_booking_left_the_server_after_its_wal_frames_were_synced() {
    let n = 20;
    let (codes, trace) = book_under_strace(n);
    let events = events(&trace);
    assert!(
        events.iter().any(|e| matches!(e, Event::WalSynced)),
        "the trace shows no sync of the WAL at all ({} lines)",
        trace.lines().count()
    );
    for code in &codes {
        let quoted = format!("\\\"code\\\":\\\"{code}\\\"");
        let sent = events
            .iter()
            .position(|e| matches!(e, Event::Sent(d) if d.contains(&quoted)))
            .unwrap_or_else(|| panic!("the response with {code} is not in the trace"));
        // The first WAL write that names the booking is its own transaction's:
        // later ones can be the outbox sender's (the confirmation it claims
        // quotes the code), which may run before this response is sent.
        let written = events[..sent]
            .iter()
            .position(|e| matches!(e, Event::WalWrite(d) if d.contains(code.as_str())))
            .unwrap_or_else(|| panic!("{code} was answered before it was written to the WAL"));
        assert!(
            events[written..sent]
                .iter()
                .any(|e| matches!(e, Event::WalSynced)),
            "{code} was acknowledged before the WAL holding it was synced"
        );
    }
}
