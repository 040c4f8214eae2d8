//! Loket core benchmarks against a realistic dataset (100k bookings, 20k
//! customers, 2k units): the disk's own commit cost, creating a booking,
//! the priority list page and the daily recalculation. See BENCHMARKS.md.
//!
//! Run with `cargo bench --bench core`. Every single duration is recorded
//! (criterion `iter_custom`), and p50/p99/mean are computed here from the
//! measurement phase (warm-up calls are left out) and printed as a table at
//! the end. Environment:
//! - `LOKET_BENCH_DIR`: where the temporary data directory goes (default: the
//!   system temp dir, i.e. the disk `df -h /tmp` shows);
//! - `LOKET_BENCH_KEEP=1`: keep the data directory afterwards.

#[path = "support/generate.rs"]
mod generate;

use std::fmt::Write as _;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, TimeZone, Utc};
use criterion::{Criterion, SamplingMode};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::Connection;
use std::hint::black_box;

use loket::App;
use loket::auth::{Actor, Role, SessionUser};
use loket::bookings::{BookingStatus, CreateBooking, ListBookings, RecalculatePriorities};
use loket::clock::{Clock, FixedClock, from_db, to_db};
use loket::customers::CustomerInput;
use loket::priority::{self, Monetary, PaymentStatus, RiskFlag, ScoreInput, Segment, Urgency};
use loket::settings::Settings;
use loket::staff::{CreateStaff, EmploymentStatus};
use loket::types::{Money, StaffId, UserId};
use loket::users::CreateUser;

use generate::{Dataset, GenCustomer, Spec};

/// 2026-11-22 10:00 in Jakarta, as in the tests.
fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

// ---------------------------------------------------------------- statistics

struct Stat {
    name: String,
    n: usize,
    p50: Duration,
    p99: Duration,
    mean: Duration,
    max: Duration,
}

/// Nearest-rank percentile of sorted durations.
fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

impl Stat {
    fn of(name: String, mut d: Vec<Duration>) -> Stat {
        d.sort();
        let total: Duration = d.iter().sum();
        Stat {
            name,
            n: d.len(),
            p50: percentile(&d, 0.50),
            p99: percentile(&d, 0.99),
            mean: total / d.len() as u32,
            max: *d.last().unwrap(),
        }
    }
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1e3)
}

/// How criterion should drive one benchmark.
#[derive(Clone, Copy)]
struct Plan {
    samples: usize,
    warm_up: Duration,
    measure: Duration,
}

impl Plan {
    fn new(samples: usize, warm_up_ms: u64, measure_ms: u64) -> Plan {
        Plan {
            samples,
            warm_up: Duration::from_millis(warm_up_ms),
            measure: Duration::from_millis(measure_ms),
        }
    }
}

struct Bench {
    c: Criterion,
    stats: Vec<Stat>,
    notes: Vec<String>,
}

impl Bench {
    /// Runs `one` (one iteration, returning its own timed duration so setup
    /// stays outside the clock) under criterion with flat sampling, and
    /// keeps every duration of the measurement phase.
    fn measure(
        &mut self,
        group: &str,
        name: &str,
        plan: Plan,
        mut one: impl FnMut() -> Duration,
    ) -> Option<&Stat> {
        // One entry per call of the routine: the warm-up calls come first, then
        // exactly `samples` calls for the measurement (flat sampling).
        let mut calls: Vec<Vec<Duration>> = Vec::new();
        {
            let mut g = self.c.benchmark_group(group);
            g.sampling_mode(SamplingMode::Flat)
                .sample_size(plan.samples)
                .warm_up_time(plan.warm_up)
                .measurement_time(plan.measure);
            g.bench_function(name, |b| {
                b.iter_custom(|iters| {
                    let batch: Vec<Duration> = (0..iters).map(|_| one()).collect();
                    let total = batch.iter().sum();
                    calls.push(batch);
                    total
                })
            });
            g.finish();
        }
        if calls.is_empty() {
            return None; // filtered out
        }
        let keep = plan.samples.min(calls.len());
        let durations = calls[calls.len() - keep..].concat();
        self.stats
            .push(Stat::of(format!("{group}/{name}"), durations));
        self.stats.last()
    }

    /// A single timed run outside criterion (setup checks), in the table with n = 1.
    fn once(&mut self, name: &str, d: Duration) {
        self.stats.push(Stat::of(name.to_owned(), vec![d]));
    }

    fn stat(&self, name: &str) -> Option<&Stat> {
        self.stats.iter().find(|s| s.name == name)
    }
}

// ------------------------------------------------------------------- setup

struct World {
    _dir: Option<tempfile::TempDir>,
    db_path: std::path::PathBuf,
    app: App,
    clock: Arc<FixedClock>,
    admin: Actor,
    data: Dataset,
}

fn setup() -> World {
    let base = std::env::var_os("LOKET_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix("loket-bench-")
        .tempdir_in(&base)
        .expect("temp data dir");
    let path = dir.path().to_owned();
    let clock = Arc::new(FixedClock::new(start_time()));
    let app = App::open_with_clock(&path, clock.clone()).expect("open app");

    // Staff and users through the app itself (real password hashes, audit).
    let staff: Vec<StaffId> = (1..=5)
        .map(|i| {
            app.execute(
                &Actor::System,
                CreateStaff {
                    staff_code: None,
                    name: format!("Staf Loket {i}"),
                    short_code: Some(format!("Sales {i}")),
                    phone: Some(generate::phone_of(900_000 + i)),
                    email: None,
                    employment_status: Some(EmploymentStatus::Permanent),
                    active: Some(true),
                },
            )
            .expect("create staff")
            .id
        })
        .collect();
    let mut users: Vec<UserId> = Vec::new();
    let admin = app
        .execute(
            &Actor::System,
            CreateUser {
                username: "admin".into(),
                password: "rahasia-123".into(),
                role: Role::Admin,
                staff_id: None,
            },
        )
        .expect("create admin");
    users.push(admin.id);
    for (i, s) in staff.iter().take(3).enumerate() {
        let u = app
            .execute(
                &Actor::System,
                CreateUser {
                    username: format!("desk{}", i + 1),
                    password: "rahasia-123".into(),
                    role: Role::FrontDesk,
                    staff_id: Some(*s),
                },
            )
            .expect("create user");
        users.push(u.id);
    }
    let admin = Actor::User(SessionUser {
        id: admin.id,
        username: admin.username,
        role: admin.role,
        staff_id: None,
    });

    let db_path = path.join("loket.db");
    let data = generate::generate(
        &db_path,
        &Spec::default(),
        clock.now(),
        &Settings::default(),
        &users,
        &staff,
    )
    .expect("generate dataset");
    let keep = std::env::var_os("LOKET_BENCH_KEEP").is_some_and(|v| v == "1");
    World {
        _dir: if keep {
            println!("keeping the data directory {}", dir.keep().display());
            None
        } else {
            Some(dir)
        },
        db_path,
        app,
        clock,
        admin,
        data,
    }
}

/// A connection of our own on the app's database file, with the app's
/// durability settings.
fn side_connection(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("open side connection");
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute_batch("PRAGMA synchronous = FULL;").unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    conn
}

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

/// Average WAL frames (pages) one commit of `op` appends: empties the WAL,
/// runs `op` `k` times (well under the 1000-page auto-checkpoint) and divides.
fn wal_frames_per_commit(side: &Connection, db: &Path, k: usize, mut op: impl FnMut()) -> f64 {
    side.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    assert_eq!(wal_bytes(db), 0, "WAL not emptied");
    for _ in 0..k {
        op();
    }
    wal_pages(side, db) / k as f64
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

/// Indexes the open priority board could have (created for one diagnostic, then dropped).
const WHAT_IF_INDEX: &str = "
    CREATE INDEX bench_open_segment_priority ON bookings(priority_segment, priority_score)
        WHERE booking_status IN ('pending','active');
    CREATE INDEX bench_open_priority ON bookings(priority_score)
        WHERE booking_status IN ('pending','active');";
const WHAT_IF_DROP: &str =
    "DROP INDEX bench_open_segment_priority; DROP INDEX bench_open_priority;";

/// `RecalculatePriorities` replayed phase by phase with the same SQL on our
/// own connection (a copy of the code in src/bookings.rs at the time of
/// writing), at `now`, to see where its time goes. It writes what the app's
/// run would write, so the data stays as the app would leave it.
fn recalc_parts(side: &Connection, db: &Path, now: DateTime<Utc>) -> Vec<(String, Duration)> {
    let settings = Settings::default();
    let today = now.with_timezone(&settings.time_zone).date_naive();
    let now_db = to_db(now);
    side.execute_batch("PRAGMA wal_autocheckpoint = 0; BEGIN IMMEDIATE;")
        .unwrap();
    let t = Instant::now();
    let double_booked: std::collections::HashSet<String> = side
        .prepare(
            "SELECT DISTINCT b1.id FROM bookings b1
             JOIN bookings b2 ON b2.customer_id = b1.customer_id AND b2.id <> b1.id
                AND b2.booking_status IN ('pending','active')
                AND b2.event_at < b1.event_end_at AND b2.event_end_at > b1.event_at
             WHERE b1.booking_status IN ('pending','active') AND b1.event_at IS NOT NULL",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let overlaps = t.elapsed();
    let t = Instant::now();
    let mut rows = 0u64;
    let mut changed: Vec<(String, Segment, loket::priority::Priority)> = Vec::new();
    {
        let mut select = side
            .prepare(
                "SELECT b.id, b.event_at, b.payment_status, b.price, b.client_count, b.priority_score,
                        b.priority_segment, b.urgency_level, b.monetary_level,
                        (SELECT group_concat(flag) FROM booking_risk_flags f WHERE f.booking_id = b.id)
                 FROM bookings b WHERE b.booking_status IN ('pending','active')",
            )
            .unwrap();
        let mut q = select.query([]).unwrap();
        while let Some(r) = q.next().unwrap() {
            rows += 1;
            let id: String = r.get(0).unwrap();
            let event_at: Option<String> = r.get(1).unwrap();
            let event_at = event_at.as_deref().map(from_db).transpose().unwrap();
            let p = priority::score(
                &ScoreInput {
                    event_date: event_at.map(|t| t.with_timezone(&settings.time_zone).date_naive()),
                    payment: r.get(2).unwrap(),
                    price: r.get(3).unwrap(),
                    clients: r.get(4).unwrap(),
                    open: true,
                    overlaps_other: double_booked.contains(&id),
                },
                today,
                &settings,
            );
            let old_segment: Segment = r.get(6).unwrap();
            let flags: Option<String> = r.get(9).unwrap();
            let flags: Vec<RiskFlag> = flags
                .map(|f| f.split(',').filter_map(RiskFlag::parse).collect())
                .unwrap_or_default();
            let same = r.get::<_, i32>(5).unwrap() == p.score
                && old_segment == p.segment
                && r.get::<_, Urgency>(7).unwrap() == p.urgency
                && r.get::<_, Monetary>(8).unwrap() == p.monetary
                && flags.len() == p.risk_flags.len()
                && flags.iter().all(|f| p.risk_flags.contains(f));
            if !same {
                changed.push((id, old_segment, p));
            }
        }
    }
    let select = t.elapsed();
    let t = Instant::now();
    let updated = side
        .execute(
            "UPDATE bookings SET updated_priority_at = ?1 WHERE booking_status IN ('pending','active')",
            [&now_db],
        )
        .unwrap();
    let update = t.elapsed();
    let t = Instant::now();
    for (id, old, p) in &changed {
        side.prepare_cached(
            "UPDATE bookings SET priority_score = ?2, priority_segment = ?3, urgency_level = ?4, monetary_level = ?5,
                updated_priority_at = ?6 WHERE id = ?1",
        )
        .unwrap()
        .execute(rusqlite::params![id, p.score, p.segment, p.urgency, p.monetary, now_db])
        .unwrap();
        side.prepare_cached("DELETE FROM booking_risk_flags WHERE booking_id = ?1")
            .unwrap()
            .execute([id])
            .unwrap();
        for f in &p.risk_flags {
            side.prepare_cached(
                "INSERT INTO booking_risk_flags (booking_id, flag) VALUES (?1, ?2)",
            )
            .unwrap()
            .execute(rusqlite::params![id, f])
            .unwrap();
        }
        if *old != p.segment {
            side.prepare_cached(
                "INSERT INTO booking_segment_history (booking_id, from_segment, to_segment, score, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .unwrap()
            .execute(rusqlite::params![id, old, p.segment, p.score, now_db])
            .unwrap();
        }
        // Head office's copy follows through the change log.
        let snapshot = serde_json::json!({
            "id": id,
            "priority_score": p.score,
            "priority_segment": p.segment,
            "urgency_level": p.urgency,
            "monetary_level": p.monetary,
            "risk_flags": p.risk_flags,
            "updated_priority_at": now_db,
        });
        side.prepare_cached(
            "INSERT INTO change_log (entity, entity_id, op, snapshot, at) VALUES ('booking', ?1, 'update', ?2, ?3)",
        )
        .unwrap()
        .execute(rusqlite::params![id, snapshot.to_string(), now_db])
        .unwrap();
    }
    let store = t.elapsed();
    let t = Instant::now();
    side.execute_batch("COMMIT").unwrap();
    let commit = t.elapsed();
    let pages = wal_pages(side, db);
    let t = Instant::now();
    side.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        .unwrap();
    let checkpoint = t.elapsed();
    side.execute_batch("PRAGMA wal_autocheckpoint = 1000")
        .unwrap();
    let total = overlaps + select + update + store + commit + checkpoint;
    vec![
        (
            format!("double-booking self-join ({} found)", double_booked.len()),
            overlaps,
        ),
        (format!("select + score {rows} open bookings"), select),
        (
            format!("UPDATE updated_priority_at of {updated} rows"),
            update,
        ),
        (
            format!(
                "write {} changed rows (score, flags, history, change log)",
                changed.len()
            ),
            store,
        ),
        (
            format!("COMMIT: {pages:.0} WAL pages written + fsync"),
            commit,
        ),
        ("checkpoint of those pages into loket.db".into(), checkpoint),
        ("sum of the parts".into(), total),
    ]
}

// ---------------------------------------------------------------- workload

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
                Some(CustomerInput {
                    name: c.name.clone(),
                    phone: format!("0{}", &c.phone[2..]),
                    ..Default::default()
                }),
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
    let mut bench = Bench {
        c: Criterion::default()
            .without_plots()
            .nresamples(10_000)
            .configure_from_args(),
        stats: Vec::new(),
        notes: Vec::new(),
    };

    let line = format!(
        "machine: {} CPUs, load average at start {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        load_average()
    );
    println!("{line}");
    bench.notes.push(line);
    println!("generating the dataset…");
    let w = setup();
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
    // Each group starts from an empty WAL, as after a quiet night.
    let fresh_wal = || {
        side.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap()
    };

    // 1. The disk's own commit cost, on the same file with the same settings.
    side.execute_batch("CREATE TABLE IF NOT EXISTS bench_commit (x INTEGER)")
        .unwrap();
    let bare_commit = || {
        side.execute_batch("BEGIN IMMEDIATE; INSERT INTO bench_commit (x) VALUES (1); COMMIT;")
            .unwrap()
    };
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
    // What if the open priority board had its own (partial) indexes, and
    // what if the planner had statistics (ANALYZE, as `PRAGMA optimize` keeps)?
    let what_if = |bench: &mut Bench, label: &str| {
        for (name, make) in &lists[1..] {
            let q = make().query().unwrap();
            for (what, sql) in [("count", q.count_sql()), ("page", q.page_sql())] {
                let line = format!(
                    "query plan with {label}, {what} [{name}]: {}",
                    plan_of(&side, &sql)
                );
                println!("{line}");
                bench.notes.push(line);
            }
            list_page(bench, "what-if", &format!("{name}, with {label}"), *make);
        }
    };
    // A schema change makes every connection reload the schema and statistics.
    let reload_schema = || {
        side.execute_batch("CREATE TABLE bench_bump (x); DROP TABLE bench_bump;")
            .unwrap()
    };
    side.execute_batch(WHAT_IF_INDEX).unwrap();
    what_if(&mut bench, "partial indexes on open bookings");
    let t = Instant::now();
    side.execute_batch("ANALYZE").unwrap();
    let line = format!("ANALYZE took {} ms", ms(t.elapsed()));
    println!("{line}");
    bench.notes.push(line);
    reload_schema();
    what_if(&mut bench, "partial indexes + ANALYZE");
    side.execute_batch(WHAT_IF_DROP).unwrap();
    what_if(&mut bench, "ANALYZE only");
    // Back to the app's own state: no extra indexes, no statistics.
    side.execute_batch("DELETE FROM sqlite_stat1").unwrap();
    reload_schema();

    // 3. The daily recalculation of every open booking, the clock one day on each run.
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
    // Its phases, replayed with the same SQL on our own connection, one day on.
    fresh_wal();
    clock.set(clock.now() + Days::days(1));
    let parts = recalc_parts(&side, db, clock.now());
    for (name, d) in parts {
        bench.once(&format!("recalc parts/{name}"), d);
    }

    // 4. Create booking: an existing customer by id, and the inline upsert path.
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
    fresh_wal();
    bench.measure(
        "create_booking",
        "customer_id",
        Plan::new(10, 300, 1_500),
        || create(&mut work),
    );
    fresh_wal();
    bench.measure(
        "create_booking",
        "inline customer, phone matches (upsert)",
        Plan::new(10, 300, 1_500),
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

    // Its parts: pages written per commit; the same operation with the
    // checkpoints taken off the request path; and with no fsync at all.
    let frames_bare = wal_frames_per_commit(&side, db, 20, bare_commit);
    let frames_create = wal_frames_per_commit(&side, db, 20, || {
        create(&mut work);
    });
    let frames_upsert = wal_frames_per_commit(&side, db, 20, || {
        let c = work.customer(data).clone();
        let op = work.event_booking(clock.now(), Some(&c));
        app.execute(admin, op).unwrap();
    });
    let line = format!(
        "WAL pages written per commit: bare commit {frames_bare:.1}, create booking (customer_id) {frames_create:.1}, create booking (upsert) {frames_upsert:.1}; SQLite checkpoints inside the commit that takes the WAL past 1000 pages"
    );
    println!("{line}");
    bench.notes.push(line);

    fresh_wal();
    app.database()
        .writer()
        .execute_batch("PRAGMA wal_autocheckpoint = 0")
        .unwrap();
    let mut checkpoints: Vec<Duration> = Vec::new();
    let mut since = 0.0;
    bench.measure(
        "diagnostic",
        "create_booking customer_id, checkpoint off the request path",
        Plan::new(10, 300, 1_500),
        || {
            // What a background checkpointer would do: copy the WAL back
            // once it passes 1000 pages, outside the operation.
            since += frames_create;
            if since >= 1000.0 {
                since = 0.0;
                let t = Instant::now();
                side.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
                    .unwrap();
                checkpoints.push(t.elapsed());
            }
            create(&mut work)
        },
    );
    app.database()
        .writer()
        .execute_batch("PRAGMA wal_autocheckpoint = 1000")
        .unwrap();
    if !checkpoints.is_empty() {
        bench.stats.push(Stat::of(
            "diagnostic/the checkpoints of that run (~1000 pages each)".into(),
            checkpoints,
        ));
    }

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

    bench.c.final_summary();
    let line = format!("load average at the end {}", load_average());
    bench.notes.push(line);
    report(&bench);
}

/// The 1, 5 and 15 minute load averages: other work on the machine skews every figure.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn report(b: &Bench) {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n==== Loket core benchmarks: summary (milliseconds) ===="
    );
    for n in &b.notes {
        let _ = writeln!(out, "{n}");
    }
    let width = b
        .stats
        .iter()
        .map(|s| s.name.len())
        .max()
        .unwrap_or(10)
        .max(10);
    let _ = writeln!(
        out,
        "\n| {:width$} | {:>6} | {:>9} | {:>9} | {:>9} | {:>9} |",
        "benchmark", "n", "p50", "p99", "mean", "max"
    );
    let _ = writeln!(
        out,
        "|{}|{}:|{}:|{}:|{}:|{}:|",
        "-".repeat(width + 2),
        "-".repeat(7),
        "-".repeat(10),
        "-".repeat(10),
        "-".repeat(10),
        "-".repeat(10)
    );
    for s in &b.stats {
        let _ = writeln!(
            out,
            "| {:width$} | {:>6} | {:>9} | {:>9} | {:>9} | {:>9} |",
            s.name,
            s.n,
            ms(s.p50),
            ms(s.p99),
            ms(s.mean),
            ms(s.max)
        );
    }

    let _ = writeln!(out, "\nTargets:");
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
    if let (Some(c), Some(s)) = (
        commit,
        b.stat("diagnostic/create_booking customer_id, checkpoint off the request path"),
    ) {
        let over = s.p99.as_secs_f64() * 1e3 - c.p99.as_secs_f64() * 1e3;
        let _ = writeln!(
            out,
            "  (what-if) create_booking/customer_id with the checkpoint off the request path: p99 {} ms = bare commit p99 {:+.3} ms -> would be {}",
            ms(s.p99),
            over,
            verdict(over <= 2.0)
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
    for s in b.stats.iter().filter(|s| s.name.starts_with("what-if/")) {
        let _ = writeln!(
            out,
            "  (what-if) {}: p99 {} ms -> would be {}",
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
    print!("{out}");
}
