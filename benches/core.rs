//! Loket core benchmarks against a realistic dataset (100k bookings, 20k
//! customers, 2k units): the disk's own commit cost, creating a booking,
//! the priority list page and the daily recalculation. See BENCHMARKS.md.
//!
//! Run with `cargo bench --bench core` (the table is printed at the end; see
//! support/harness.rs). `LOKET_BENCH_ONLY=commit,list,recalculate,create,upsert,login,diagnostic`
//! picks groups; `LOKET_BENCH_CREATE_SECONDS` sets the create groups' measurement
//! time; `LOKET_BENCH_DIR` and `LOKET_BENCH_KEEP` as in support/world.rs.

#[path = "support/harness.rs"]
mod harness;
#[path = "support/world.rs"]
mod world;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use std::hint::black_box;

use loket::booking::bookings::{BookingStatus, CreateBooking, ListBookings, RecalculatePriorities};
use loket::booking::priority::{PaymentStatus, Segment};
use loket::kernel::auth::Actor;
use loket::kernel::clock::Clock;
use loket::kernel::error::Error;
use loket::kernel::fields::{Phone, Text};
use loket::kernel::settings::Settings;
use loket::kernel::types::Money;
use loket::people::customers::CustomerInput;
use loket::people::users::Login;

use harness::{Bench, Plan, finish, ms};
use loket::demo::generate::{Dataset, GenCustomer};
use world::{Spec, quick_spec, spec_name};
use world::{setup, side_connection};

/// Priority columns and flags of every booking, to check that the generator
/// scores exactly as the app does.
fn priority_snapshot(conn: &Connection) -> Vec<(String, i64, String, String, String, String)> {
    conn.prepare(
        "SELECT b.id, b.priority_score, b.priority_segment, b.urgency_level, b.monetary_level,
                coalesce((SELECT group_concat(flag, ',') FROM (SELECT flag FROM booking_risk_flags f
                          WHERE f.booking_id = b.id ORDER BY flag)), '')
         FROM bookings b ORDER BY b.id",
    )
    .unwrap()
    .query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })
    .unwrap()
    .collect::<rusqlite::Result<_>>()
    .unwrap()
}

fn wal_bytes(db: &Path) -> u64 {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    std::fs::metadata(wal).map(|m| m.len()).unwrap_or(0)
}

/// Pages in the WAL file (after a TRUNCATE checkpoint: pages written since).
fn wal_pages(side: &Connection, db: &Path) -> f64 {
    let page: i64 = side
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    wal_bytes(db).saturating_sub(32) as f64 / (page + 24) as f64
}

/// The WAL's generation (its salts) and its frames: those after the header
/// whose salts match it (a restarted WAL keeps stale frames behind them).
fn wal_frames(db: &Path) -> ((u32, u32), usize) {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let bytes = std::fs::read(wal).unwrap_or_default();
    if bytes.len() < 32 {
        return ((0, 0), 0);
    }
    let be = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    let (page, salts) = (be(8) as usize, (be(16), be(20)));
    let mut frames = 0;
    let mut at = 32;
    while at + 24 + page <= bytes.len() && (be(at + 8), be(at + 12)) == salts {
        frames += 1;
        at += 24 + page;
    }
    (salts, frames)
}

/// Average WAL frames (pages) one commit of `op` appends, over `k` runs
/// (read from the WAL after each, so a background checkpoint that restarts
/// the WAL in between does not skew the count).
fn wal_frames_per_commit(db: &Path, k: usize, mut op: impl FnMut()) -> f64 {
    let mut total = 0;
    for _ in 0..k {
        let (generation, before) = wal_frames(db);
        op();
        let (now, after) = wal_frames(db);
        total += if now == generation {
            after - before
        } else {
            after
        };
    }
    total as f64 / k as f64
}

fn plan_of(side: &Connection, sql: &str) -> String {
    let mut stmt = side.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    // The plan does not depend on the values; bind NULLs.
    let nulls = vec![rusqlite::types::Value::Null; stmt.parameter_count()];
    let plan: Vec<String> = stmt
        .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    plan.join(" | ")
}

struct Workload {
    rng: StdRng,
}

impl Workload {
    fn event_booking(
        &mut self,
        now: DateTime<Utc>,
        customer: Option<&GenCustomer>,
    ) -> CreateBooking {
        let tz = Settings::default().time_zone;
        let day = now.with_timezone(&tz).date_naive() + Days::days(self.rng.random_range(1..=60));
        let event_at = format!(
            "{day}T{:02}:{}",
            self.rng.random_range(7..=17),
            if self.rng.random_bool(0.5) {
                "00"
            } else {
                "30"
            }
        );
        let payment = *[
            PaymentStatus::Pending,
            PaymentStatus::Dp,
            PaymentStatus::Paid,
        ]
        .choose(&mut self.rng)
        .unwrap();
        let status = if payment == PaymentStatus::Pending {
            BookingStatus::Pending
        } else {
            BookingStatus::Active
        };
        let (customer_id, inline) = match customer {
            // The upsert path: the phone as staff type it (08…), matching an existing customer.
            Some(c) => (
                None,
                Some(CustomerInput::new(
                    Text::parse(&c.name).expect("customer name"),
                    Phone::parse(&format!("0{}", &c.phone[2..])).expect("phone"),
                )),
            ),
            None => (None, None),
        };
        CreateBooking {
            customer_id,
            customer: inline,
            unit_id: None,
            staff_id: None,
            booking_date: None,
            event_at: Some(event_at),
            client_count: Some(self.rng.random_range(1..=6)),
            price: Some(Money::from_rupiah(
                self.rng.random_range(10..=100i64) * 50_000,
            )),
            booking_fee: None,
            payment_status: Some(payment),
            payment_date: None,
            payment_method: None,
            booking_status: Some(status),
            notes: None,
            slot_id: None,
            address: None,
        }
    }

    fn customer<'a>(&mut self, data: &'a Dataset) -> &'a GenCustomer {
        data.customers.choose(&mut self.rng).unwrap()
    }
}

// -------------------------------------------------------------------- main

fn main() {
    let spec = if harness::quick() {
        quick_spec()
    } else {
        Spec::default()
    };
    let mut bench = Bench::new("core", spec_name(&spec));
    println!("{}", bench.notes[0]);
    println!("generating the dataset…");
    let w = setup(&spec);
    let d = &w.data;
    let db_mb = std::fs::metadata(&w.db_path).map(|m| m.len()).unwrap_or(0) as f64 / 1e6;
    let mut line = format!(
        "dataset: {} bookings ({} open), {} customers, {} units, {} risk flags ({} double_booking), generated in {:.2} s, loket.db {:.1} MB; by status:",
        d.bookings,
        d.open_bookings,
        d.customers.len(),
        d.units,
        d.risk_flags,
        d.double_booked,
        d.elapsed.as_secs_f64(),
        db_mb
    );
    for (s, n) in &d.by_status {
        let _ = write!(line, " {}={n}", s.as_str());
    }
    line.push_str("; open by segment:");
    for (s, n) in &d.open_by_segment {
        let _ = write!(line, " {}={n}", s.as_str());
    }
    println!("{line}");
    bench.notes.push(line);
    bench.once("setup/generate dataset (one transaction)", w.data.elapsed);

    // The app reads the generated data as its own.
    let page = w
        .app
        .execute(
            &w.admin,
            ListBookings {
                page_size: Some(1),
                ..Default::default()
            },
        )
        .expect("list bookings");
    assert_eq!(page.meta.total as usize, d.bookings);
    let open = w
        .app
        .execute(
            &w.admin,
            ListBookings {
                open: Some(true),
                page_size: Some(200),
                ..Default::default()
            },
        )
        .expect("list open bookings");
    assert_eq!(open.meta.total as usize, d.open_bookings);

    let side = side_connection(&w.db_path);

    // Same-day recalculation: the generator's scores must be the app's, so
    // nothing but the timestamp changes.
    let before = priority_snapshot(&side);
    let t = Instant::now();
    let r = w
        .app
        .execute(&Actor::System, RecalculatePriorities {})
        .expect("recalculate");
    let same_day = t.elapsed();
    let after = priority_snapshot(&side);
    assert_eq!(r.updated as usize, d.open_bookings);
    assert_eq!(r.segment_changes, 0);
    assert!(
        before == after,
        "the generator's priority columns differ from the app's"
    );
    println!(
        "check: same-day recalculation rescored {} open bookings with no change in {} ms",
        r.updated,
        ms(same_day)
    );
    bench.once("check/recalculate, same day (no score changes)", same_day);

    let mut work = Workload {
        rng: StdRng::seed_from_u64(7),
    };
    let app = &w.app;
    let admin = &w.admin;
    let clock = &w.clock;
    let data = &w.data;
    let db = w.db_path.as_path();
    // Each group starts with the WAL copied back (RESTART: the next commit
    // writes from the start of the WAL file again), as after a quiet moment.
    let fresh_wal = || {
        side.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))
            .unwrap()
    };

    // `LOKET_BENCH_ONLY=commit,create,upsert` runs only those groups (the dataset is always built).
    let only = std::env::var("LOKET_BENCH_ONLY").ok();
    let wanted = |group: &str| {
        only.as_deref()
            .is_none_or(|o| o.split(',').any(|g| g.trim() == group))
    };

    // 1. The disk's own commit cost, on the app's own writer connection: the
    // same file, durability and checkpoint settings (no checkpoint inside a
    // commit; the app's checkpointer runs when the writer is quiet), so a
    // baseline commit and a booking's commit differ only in their work.
    let on_writer = |sql: &str| app.database().writer().execute_batch(sql).unwrap();
    on_writer("CREATE TABLE IF NOT EXISTS bench_commit (x INTEGER)");
    let bare_commit =
        || on_writer("BEGIN IMMEDIATE; INSERT INTO bench_commit (x) VALUES (1); COMMIT;");
    if wanted("commit") {
        fresh_wal();
        bench.measure(
            "commit",
            "bare one-row insert",
            Plan::new(10, 300, 2_000),
            || {
                let t = Instant::now();
                bare_commit();
                t.elapsed()
            },
        );
    }
    // The same bare commit, but as large as a booking's (~32 WAL pages, one
    // blob rewritten): how much of a create's time is only its size on disk.
    on_writer("CREATE TABLE IF NOT EXISTS bench_commit_blob (id INTEGER PRIMARY KEY, b BLOB)");
    let blob_commit = || {
        on_writer(
            "BEGIN IMMEDIATE; INSERT OR REPLACE INTO bench_commit_blob (id, b) VALUES (1, randomblob(118000)); COMMIT;",
        )
    };
    if wanted("commit") {
        let frames = wal_frames_per_commit(db, 20, blob_commit);
        fresh_wal();
        bench.measure(
            "commit",
            &format!("bare blob rewrite, {frames:.1} WAL pages"),
            Plan::new(10, 300, 2_000),
            || {
                let t = Instant::now();
                blob_commit();
                t.elapsed()
            },
        );
    }
    // 2. The priority list page, on the generated data as it is.
    let high = || ListBookings {
        segment: Some(Segment::High),
        sort: Some("priority_score:desc".into()),
        page_size: Some(50),
        ..Default::default()
    };
    let high_open = || ListBookings {
        open: Some(true),
        ..high()
    };
    let open_only = || ListBookings {
        open: Some(true),
        sort: Some("priority_score:desc".into()),
        page_size: Some(50),
        ..Default::default()
    };
    let lists: [(&str, &dyn Fn() -> ListBookings); 3] = [
        ("segment=high, priority_score:desc, 50", &high),
        ("segment=high, open, priority_score:desc, 50", &high_open),
        ("open, priority_score:desc, 50 (whole board)", &open_only),
    ];
    let list_page =
        |bench: &mut Bench, group: &str, name: &str, make: &dyn Fn() -> ListBookings| {
            fresh_wal();
            bench.measure(group, name, Plan::new(10, 300, 2_000), || {
                let op = make();
                let t = Instant::now();
                let page = app.execute(admin, op).expect("list bookings");
                let d = t.elapsed();
                assert_eq!(page.data.len(), 50);
                black_box(page);
                d
            });
        };
    if wanted("list") {
        for (name, make) in lists {
            list_page(&mut bench, "list_bookings", name, make);
            // Its two statements: the plans, and the count on its own.
            let q = make().query().unwrap();
            let count_sql = q.count_sql();
            let args = q.args.clone();
            for (what, sql) in [("count", count_sql.clone()), ("page", q.page_sql())] {
                let line = format!("query plan, {what} [{name}]: {}", plan_of(&side, &sql));
                println!("{line}");
                bench.notes.push(line);
            }
            let total: i64 = side
                .query_row(&count_sql, rusqlite::params_from_iter(&args), |r| r.get(0))
                .unwrap();
            bench.measure(
                "diagnostic",
                &format!("count query only [{name}], {total} rows"),
                Plan::new(10, 200, 1_000),
                || {
                    let t = Instant::now();
                    let n: i64 = side
                        .prepare_cached(&count_sql)
                        .unwrap()
                        .query_row(rusqlite::params_from_iter(&args), |r| r.get(0))
                        .unwrap();
                    let d = t.elapsed();
                    black_box(n);
                    d
                },
            );
        }
    }
    // 3. The daily recalculation of every open booking, the clock one day on each run.
    if wanted("recalculate") {
        let mut run = 0;
        bench.measure(
            "recalculate",
            "all open bookings, clock +1 day per run",
            Plan::new(10, 1, 5_000),
            || {
                run += 1;
                fresh_wal();
                clock.set(clock.now() + Days::days(1));
                let t = Instant::now();
                let r = app
                    .execute(&Actor::System, RecalculatePriorities {})
                    .expect("recalculate");
                let d = t.elapsed();
                println!(
                    "  recalculation run {run}: today +{run} day(s), {} rescored, {} segment changes, {:.0} WAL pages, {} ms",
                    r.updated,
                    r.segment_changes,
                    wal_pages(&side, db),
                    ms(d)
                );
                d
            },
        );
    }
    // 4. Create booking: an existing customer by id, and the inline upsert path.
    // `LOKET_BENCH_CREATE_SECONDS=5`: a longer stretch of back-to-back creates
    // per group (default 1.5 s), which meets more checkpoints.
    let create_ms = std::env::var("LOKET_BENCH_CREATE_SECONDS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .map_or(1_500, |s| (s * 1000.0) as u64);
    let create = |work: &mut Workload| -> Duration {
        let c = work.customer(data).id;
        let mut op = work.event_booking(clock.now(), None);
        op.customer_id = Some(c);
        let t = Instant::now();
        let out = app.execute(admin, op).expect("create booking");
        let d = t.elapsed();
        black_box(out);
        d
    };
    if wanted("create") {
        fresh_wal();
        bench.measure(
            "create_booking",
            "customer_id",
            Plan::new(10, 300, create_ms),
            || create(&mut work),
        );
    }
    if wanted("upsert") {
        fresh_wal();
        bench.measure(
            "create_booking",
            "inline customer, phone matches (upsert)",
            Plan::new(10, 300, create_ms),
            || {
                let c = work.customer(data).clone();
                let op = work.event_booking(clock.now(), Some(&c));
                let t = Instant::now();
                let out = app.execute(admin, op).expect("create booking (upsert)");
                let d = t.elapsed();
                assert!(!out.customer_created);
                black_box(out);
                d
            },
        );
    }
    // 5. The same creates while eight clients log in without pause (the
    // right password: each costs a full argon2id check and a session write).
    // Password checks run on the bounded login pool outside the write lock,
    // so a booking should not wait behind them (target: p99 at most twice
    // the idle create's).
    if wanted("login") {
        let stop = AtomicBool::new(false);
        let (ok, busy) = (AtomicUsize::new(0), AtomicUsize::new(0));
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    while !stop.load(Ordering::Relaxed) {
                        let login = Login {
                            username: "desk1".into(),
                            password: "rahasia-123".into(),
                            address: None,
                        };
                        match app.execute(&Actor::Anonymous, login) {
                            Ok(_) => ok.fetch_add(1, Ordering::Relaxed),
                            Err(Error::Busy) => busy.fetch_add(1, Ordering::Relaxed),
                            Err(e) => panic!("login under flood: {e}"),
                        };
                    }
                });
            }
            std::thread::sleep(Duration::from_millis(300)); // the flood at full strength
            fresh_wal();
            bench.measure(
                "create_booking",
                "customer_id, 8 clients logging in meanwhile",
                Plan::new(10, 300, create_ms),
                || create(&mut work),
            );
            stop.store(true, Ordering::Relaxed);
        });
        let (ok, busy) = (ok.load(Ordering::Relaxed), busy.load(Ordering::Relaxed));
        let line =
            format!("logins during the login-flood group: {ok} accepted, {busy} refused as busy");
        println!("{line}");
        bench.notes.push(line);
        assert!(ok > 0, "the flood must really log in");
    }
    // Its parts: pages written per commit, and the same operation with no fsync.
    if wanted("diagnostic") {
        let frames_bare = wal_frames_per_commit(db, 20, bare_commit);
        let frames_create = wal_frames_per_commit(db, 20, || {
            create(&mut work);
        });
        let frames_upsert = wal_frames_per_commit(db, 20, || {
            let c = work.customer(data).clone();
            let op = work.event_booking(clock.now(), Some(&c));
            app.execute(admin, op).unwrap();
        });
        let line = format!(
            "WAL pages written per commit: bare commit {frames_bare:.1}, create booking (customer_id) {frames_create:.1}, create booking (upsert) {frames_upsert:.1}"
        );
        println!("{line}");
        bench.notes.push(line);

        fresh_wal();
        app.database()
            .writer()
            .execute_batch("PRAGMA synchronous = OFF")
            .unwrap();
        bench.measure(
            "diagnostic",
            "create_booking customer_id, writer synchronous=OFF",
            Plan::new(10, 300, 1_500),
            || create(&mut work),
        );
        {
            let writer = app.database().writer();
            writer.execute_batch("PRAGMA synchronous = FULL").unwrap();
            let sync: i64 = writer
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap();
            assert_eq!(sync, 2, "writer back to synchronous=FULL");
        }
    }
    bench.c.final_summary();
    // One run of each routine (quick mode) measures nothing worth a verdict.
    let targets = if harness::quick() {
        String::new()
    } else {
        targets(&bench)
    };
    finish(&mut bench, "Loket core benchmarks", &targets);
}

/// The targets of DESIGN.md against this run, as lines for the report.
fn targets(b: &Bench) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nTargets:\n");
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let commit = b.stat("commit/bare one-row insert");
    for name in [
        "create_booking/customer_id",
        "create_booking/inline customer, phone matches (upsert)",
    ] {
        if let (Some(c), Some(s)) = (commit, b.stat(name)) {
            let over = s.p99.as_secs_f64() * 1e3 - c.p99.as_secs_f64() * 1e3;
            let _ = writeln!(
                out,
                "- {name}: p99 {} ms = bare commit p99 {} ms {:+.3} ms (target: at most +2 ms) -> {}",
                ms(s.p99),
                ms(c.p99),
                over,
                verdict(over <= 2.0)
            );
        }
    }
    if let (Some(idle), Some(flooded)) = (
        b.stat("create_booking/customer_id"),
        b.stat("create_booking/customer_id, 8 clients logging in meanwhile"),
    ) {
        let ratio = flooded.p99.as_secs_f64() / idle.p99.as_secs_f64();
        let _ = writeln!(
            out,
            "- create_booking during a login flood: p99 {} ms vs {} ms idle, ratio {ratio:.2} (target: at most 2) -> {}",
            ms(flooded.p99),
            ms(idle.p99),
            verdict(ratio <= 2.0)
        );
    }
    for s in b
        .stats
        .iter()
        .filter(|s| s.name.starts_with("list_bookings/"))
    {
        let _ = writeln!(
            out,
            "- {}: p99 {} ms (target: under 10 ms) -> {}",
            s.name,
            ms(s.p99),
            verdict(s.p99 < Duration::from_millis(10))
        );
    }
    if let Some(s) = b.stat("recalculate/all open bookings, clock +1 day per run") {
        let _ = writeln!(
            out,
            "- {}: slowest of {} runs {} ms, median {} ms (target: under 1000 ms) -> {}",
            s.name,
            s.n,
            ms(s.max),
            ms(s.p50),
            verdict(s.max < Duration::from_secs(1))
        );
    }
    out
}
