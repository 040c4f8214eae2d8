//! Messaging benchmarks on the core's dataset (100k bookings, 20k customers,
//! 2k units; see src/demo/generate.rs). See BENCHMARKS.md.
//!
//! - The H-1 reminder job (`jobs.run reminders`: a reminder for each open
//!   booking whose event is tomorrow, plus an unpaid notice when it is not
//!   paid, in one transaction): on the data as generated (tomorrow's share),
//!   and with all 100k bookings open and tomorrow. Each run starts from an
//!   empty outbox; a re-run that finds everything already queued is timed too.
//! - The sender's throughput: `messages.flush` delivering queued messages
//!   through the WAHA adapter to a stand-in gateway on 127.0.0.1 (the same
//!   stand-in as the API tests), one HTTP request and two commits per message.
//!
//! Run with `cargo bench --bench messaging`.

#[path = "support/harness.rs"]
mod harness;
#[path = "../tests/support/standin.rs"]
mod standin;
#[path = "support/world.rs"]
mod world;

use std::time::Instant;

use chrono::{Duration as Days, TimeZone};
use rusqlite::Connection;
use serde_json::{Value, json};

use loket::kernel::clock::Clock;
use loket::kernel::settings::Settings;

use harness::{Bench, finish, ms};
use world::{Spec, quick_spec, spec_name};
use world::{World, setup, side_connection};

/// Messages the sender delivers in the throughput run (quick mode: 50).
fn send_count() -> usize {
    if harness::quick() { 50 } else { 5_000 }
}
/// First-time reminder runs on each dataset shape.
const RUNS: usize = 3;

fn call(w: &World, name: &str, input: Value) -> Value {
    loket::api::dispatch(&w.app, &w.admin, name, input).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn count(side: &Connection, sql: &str) -> i64 {
    side.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Times `RUNS` reminder runs from an empty outbox and one re-run; returns
/// (reminders, unpaid notices) of the last first-time run.
fn reminder_runs(bench: &mut Bench, w: &World, side: &Connection, label: &str) -> (i64, i64) {
    let mut firsts = Vec::new();
    let mut queued = (0, 0);
    for _ in 0..RUNS {
        side.execute_batch("DELETE FROM messages; PRAGMA wal_checkpoint(RESTART);")
            .unwrap();
        let t = Instant::now();
        let run = call(w, "jobs.run", json!({"name": "reminders"}));
        firsts.push(t.elapsed());
        queued = (
            count(
                side,
                "SELECT COUNT(*) FROM messages WHERE kind = 'reminder_h1'",
            ),
            count(
                side,
                "SELECT COUNT(*) FROM messages WHERE kind = 'unpaid_h1'",
            ),
        );
        println!(
            "  reminders [{label}]: {} in {} ms",
            run["result"],
            ms(*firsts.last().unwrap())
        );
    }
    bench.series(&format!("reminders/{label}: first run"), firsts);
    let t = Instant::now();
    let again = call(w, "jobs.run", json!({"name": "reminders"}));
    bench.once(
        &format!("reminders/{label}: re-run, all already queued"),
        t.elapsed(),
    );
    assert!(
        again["result"]
            .as_str()
            .is_some_and(|r| r.starts_with("queued 0 reminders, 0 unpaid")),
        "a re-run queues nothing: {again}"
    );
    queued
}

fn main() {
    let spec = if harness::quick() {
        quick_spec()
    } else {
        Spec::default()
    };
    let mut bench = Bench::new("messaging", spec_name(&spec));
    let w = setup(&spec);
    let side = side_connection(&w.db_path);
    // The generator writes no outbox; start from an empty one either way.
    side.execute_batch("DELETE FROM messages").unwrap();

    // 1. Tomorrow's bookings as generated.
    let open_tomorrow = {
        let tz = Settings::default().time_zone;
        let tomorrow = w.clock.now().with_timezone(&tz).date_naive() + Days::days(1);
        let start = tz
            .from_local_datetime(&tomorrow.and_hms_opt(0, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
        let (from, to) = (
            loket::kernel::clock::to_db(start),
            loket::kernel::clock::to_db(start + Days::days(1)),
        );
        side.query_row(
            "SELECT COUNT(*) FROM bookings WHERE booking_status IN ('pending','active')
               AND event_at >= ?1 AND event_at < ?2",
            [&from, &to],
            |r| r.get::<_, i64>(0),
        )
        .unwrap()
    };
    let (r, u) = reminder_runs(&mut bench, &w, &side, "as generated");
    assert_eq!(r, open_tomorrow, "one reminder per open booking tomorrow");
    bench.notes.push(format!(
        "as generated: {open_tomorrow} open bookings tomorrow -> {r} reminders, {u} unpaid notices per run"
    ));

    // 2. Every booking open, its event tomorrow between 07:00 and 17:30 local.
    let tz = Settings::default().time_zone;
    let tomorrow = w.clock.now().with_timezone(&tz).date_naive() + Days::days(1);
    let seven = tz
        .from_local_datetime(&tomorrow.and_hms_opt(7, 0, 0).unwrap())
        .unwrap()
        .timestamp();
    side.execute(
        "UPDATE bookings SET
            booking_status = CASE WHEN booking_status IN ('pending','active') THEN booking_status ELSE 'active' END,
            event_at = strftime('%Y-%m-%dT%H:%M:%S.000Z', ?1 + (rowid % 22) * 1800, 'unixepoch'),
            event_end_at = strftime('%Y-%m-%dT%H:%M:%S.000Z', ?1 + (rowid % 22) * 1800 + 3600, 'unixepoch')",
        [seven],
    )
    .unwrap();
    let all = count(&side, "SELECT COUNT(*) FROM bookings");
    let (r, u) = reminder_runs(&mut bench, &w, &side, "all bookings open, tomorrow");
    assert_eq!(r, all, "one reminder per booking");
    bench.notes.push(format!(
        "all {all} bookings open and tomorrow -> {r} reminders, {u} unpaid notices per run ({} messages)",
        r + u
    ));

    // 3. The sender: WAHA to a stand-in on 127.0.0.1.
    let send = send_count();
    let gateway = standin::StandIn::start(standin::waha_ok);
    call(
        &w,
        "gateway.update",
        json!({"kind": "waha", "base_url": gateway.url(), "token": "bench-key", "session": "default"}),
    );
    side.execute(
        "DELETE FROM messages WHERE rowid NOT IN (SELECT rowid FROM messages ORDER BY rowid LIMIT ?1)",
        [send as i64],
    )
    .unwrap();
    side.execute_batch("PRAGMA wal_checkpoint(RESTART)")
        .unwrap();
    let t = Instant::now();
    let out = call(&w, "messages.flush", json!({}));
    let took = t.elapsed();
    assert_eq!(out["sent"], send, "every queued message sent: {out}");
    assert_eq!(gateway.count(), send, "the stand-in received each once");
    assert_eq!(
        count(&side, "SELECT COUNT(*) FROM messages WHERE status = 'sent'"),
        send as i64
    );
    let per_second = send as f64 / took.as_secs_f64();
    bench.once(
        &format!("sender/flush {send} messages to the stand-in"),
        took,
    );
    bench.notes.push(format!(
        "sender: {send} messages in {} ms = {per_second:.0} messages/s ({} ms each on average)",
        ms(took),
        ms(took / send as u32)
    ));
    let reported = count(
        &side,
        "SELECT COALESCE(SUM(frequency), 0) FROM whatsapp_report",
    );
    assert_eq!(reported, send as i64, "each send counted in the report");

    finish(&mut bench, "Loket messaging benchmarks", "");
}
