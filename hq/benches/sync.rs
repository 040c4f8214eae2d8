//! Head-office sync benchmarks (BENCHMARKS.md, "Head office"), against a
//! throwaway PostgreSQL, real `loket-hq` and real desks (`loket serve`), as
//! the tests start them (hq/tests/support):
//!
//! - **push**: a desk with demo data (`loket demo`, ~100k change-log rows)
//!   pushes its whole log to a freshly enrolled branch: one full `sync.run`.
//! - **ingest**: 20 branches push at once, straight to `/sync/v1/push`
//!   (batches of 1,000 changes of ~300 bytes), as a chain's desks after a day
//!   offline: changes per second head office takes.
//! - **pull**: 50,000 head-office changes (services) pulled by one desk.
//! - **create during sync**: the desk's `POST /bookings` while it pushes its
//!   log, against the same when idle (p99).
//!
//! Run: `cargo build --release -p loket --bin loket && cargo bench -p loket-hq --bench sync`
//! (`scripts/bench.sh` does both). Under `cargo test --benches` each routine
//! runs once on small data (quick mode), so the checks run in CI.

#[path = "../../benches/support/harness.rs"]
mod harness;
#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use harness::{Bench, Plan, finish, ms, quick};
use support::*;

/// What each benchmark moves: full size, or a moment's worth in quick mode.
struct Sizes {
    demo_bookings: usize,
    demo_customers: usize,
    branches: usize,
    batches_per_branch: usize,
    pulled: usize,
    creates: usize,
}

fn sizes() -> Sizes {
    if quick() {
        Sizes {
            demo_bookings: 300,
            demo_customers: 100,
            branches: 3,
            batches_per_branch: 1,
            pulled: 1_200,
            creates: 10,
        }
    } else {
        Sizes {
            demo_bookings: 40_000,
            demo_customers: 12_000,
            branches: 20,
            batches_per_branch: 10,
            pulled: 50_000,
            creates: 300,
        }
    }
}

/// A desk whose data directory `loket demo` filled first.
fn demo_desk(s: &Sizes) -> (Desk, i64) {
    let dir = tempfile::tempdir().expect("data dir");
    let out = Command::new(desk_bin())
        .args(["demo", "--bookings", &s.demo_bookings.to_string()])
        .args(["--customers", &s.demo_customers.to_string(), "--data-dir"])
        .arg(dir.path())
        .output()
        .expect("loket demo");
    assert!(
        out.status.success(),
        "loket demo: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let desk = Desk::start_in(dir);
    let rows = change_log_rows(&desk);
    (desk, rows)
}

fn change_log_rows(desk: &Desk) -> i64 {
    let conn = rusqlite::Connection::open_with_flags(
        desk.data_dir().join("loket.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .expect("open the desk's database");
    conn.query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
        .expect("count")
}

/// One full sync of `desk` to a newly enrolled branch: everything from seq 1.
fn push_everything(hq: &Hq, desk: &Desk, name: &str) -> (Duration, u64) {
    let (_, token) = hq.add_branch(name);
    desk.configure(&hq.url, &token); // itself a change in the log
    let rows = change_log_rows(desk);
    let t = Instant::now();
    // A run stops at its 30 s limit and the next one goes on from there:
    // runs back to back until nothing waits, as the desk's own schedule would.
    let mut runs = 0;
    loop {
        runs += 1;
        let run = desk.sync();
        if run.status == 200 {
            assert_eq!(run.body["rejected"], 0, "{:?}", run.body);
            break;
        }
        let message = run.body["error"]["message"].as_str().unwrap_or_default();
        assert!(
            run.status == 502 && message.contains("limit") && runs < 20,
            "sync run {runs}: {} {:?}",
            run.status,
            run.body
        );
    }
    let took = t.elapsed();
    // Everything logged before the push started has gone (bookings made
    // meanwhile, as in the create-during-sync group, may still wait).
    let status = desk.status();
    let made_meanwhile = change_log_rows(desk) - rows;
    let pending = status["pending_changes"].as_i64().expect("pending_changes");
    assert!(
        pending <= made_meanwhile,
        "every change pushed: {pending} waiting, {made_meanwhile} made meanwhile"
    );
    if runs > 1 {
        println!("push of {rows} changes took {runs} sync runs (30 s each at most)");
    }
    (took, rows as u64)
}

/// `n` synthetic customer changes from `first_seq` on, as a desk writes them.
fn batch(first_seq: i64, n: i64) -> Value {
    let changes: Vec<Value> = (first_seq..first_seq + n)
        .map(|seq| {
            json!({"seq": seq, "entity": "customer", "entity_id": format!("c{}", seq % 20_000), "op": "update",
                   "data": {"id": format!("c{seq}"), "name": "Pelanggan Contoh Yang Cukup Panjang", "phone": "6281234567890",
                            "email": "contoh@example.com", "address": "Jalan Contoh No. 1, Bandung", "version": 1,
                            "created_at": "2026-12-01T03:00:00.000Z", "updated_at": "2026-12-01T03:00:00.000Z"},
                   "at": "2026-12-01T03:00:00.000Z"})
        })
        .collect();
    json!({ "changes": changes })
}

/// `branches` branches push `batches` × 1,000 changes each, all at once.
fn ingest(hq: &Hq, round: usize, branches: usize, batches: usize) -> (Duration, usize) {
    let clients: Vec<Client> = (0..branches)
        .map(|b| hq.branch_client(&hq.add_branch(&format!("Ingest {round}-{b}")).1))
        .collect();
    let bodies: Vec<Vec<Value>> = (0..branches)
        .map(|_| {
            (0..batches)
                .map(|k| batch(k as i64 * 1000 + 1, 1000))
                .collect()
        })
        .collect();
    let t = Instant::now();
    std::thread::scope(|s| {
        for (client, bodies) in clients.iter().zip(bodies) {
            s.spawn(move || {
                for body in bodies {
                    client.post("/sync/v1/push", body).expect(200);
                }
            });
        }
    });
    (t.elapsed(), branches * batches * 1000)
}

/// Publishes `n` services to every branch's pull feed, as head office's
/// own writes do (`sync_pull::publish`), in one statement.
fn publish_services(hq: &Hq, n: usize) {
    Postgres::get().psql(
        &hq.database_url,
        &format!(
        "WITH c AS (UPDATE outbound_counter SET value = value + {n} RETURNING value - {n} AS base)
         INSERT INTO outbound_changes (cursor, branch_id, entity, entity_id, op, data)
         SELECT c.base + i, NULL, 'service', s.id::text, 'insert',
                jsonb_build_object('id', s.id, 'name', 'Layanan ' || i, 'description', NULL,
                                   'duration_min', 60, 'price', '150000', 'active', true)
         FROM c, generate_series(1, {n}) AS i, LATERAL (SELECT gen_random_uuid() AS id) s"
    ),
    );
}

/// `POST /bookings` `n` times on `desk`, customers numbered from `first`;
/// each one's time.
fn creates(desk: &Desk, first: usize, n: usize) -> Vec<Duration> {
    (first..first + n)
        .map(|i| {
            let t = Instant::now();
            desk.api
                .post(
                    "/bookings",
                    json!({"customer": {"name": "Tamu", "phone": format!("0857{i:07}")}, "price": "250000"}),
                )
                .expect(201);
            t.elapsed()
        })
        .collect()
}

fn main() {
    // PostgreSQL as in production (the tests run it with fsync off).
    // SAFETY: set before any thread is started.
    unsafe { std::env::set_var("LOKET_PG_FSYNC", "on") };
    let s = sizes();
    let mut bench = Bench::new("sync", "hq");
    bench.command = if quick() {
        "LOKET_BENCH_QUICK=1 cargo bench -p loket-hq --bench sync".into()
    } else {
        "cargo bench -p loket-hq --bench sync".into()
    };
    let hq = Hq::start();

    // 1. Push: a desk's whole log to a new branch, one `sync.run`.
    let (desk, rows) = demo_desk(&s);
    bench.notes.push(format!(
        "push: a desk with `loket demo --bookings {} --customers {}`: {rows} change-log rows",
        s.demo_bookings, s.demo_customers
    ));
    let mut round = 0;
    if wanted("push") {
        bench.measure(
            "push",
            &format!("whole change log ({rows} changes), sync runs until none waits"),
            Plan::new(10, 1, 1),
            || {
                round += 1;
                push_everything(&hq, &desk, &format!("Push {round}")).0
            },
        );
    }

    // 2. Ingest: many branches at once.
    let mut round = 0;
    let mut total = 0;
    let name = format!(
        "{} branches at once, {} changes each",
        s.branches,
        s.batches_per_branch * 1000
    );
    if wanted("ingest") {
        bench.measure("ingest", &name, Plan::new(10, 1, 1), || {
            round += 1;
            let (took, n) = ingest(&hq, round, s.branches, s.batches_per_branch);
            total = n;
            took
        });
    }
    let ingest_rate = bench
        .stat(&format!("ingest/{name}"))
        .map(|st| total as f64 / st.p50.as_secs_f64());

    // 3. Pull: head office's changes to one desk.
    if wanted("pull") {
        publish_services(&hq, s.pulled);
        let puller = Desk::start();
        let (_, token) = hq.add_branch("Pull");
        let mut pulled_each = 0;
        bench.measure(
            "pull",
            &format!("{} head-office changes, one sync.run", s.pulled),
            Plan::new(10, 1, 1),
            || {
                // Saving the token again starts the pull feed from the beginning.
                puller.configure(&hq.url, &token);
                let t = Instant::now();
                let run = puller.sync().expect(200);
                let took = t.elapsed();
                pulled_each = run["pulled"].as_u64().expect("pulled");
                took
            },
        );
        assert_eq!(pulled_each as usize, s.pulled, "every change pulled");
    }

    if wanted("create") {
        // 4. Creating bookings at the desk while it pushes its log. Head office
        // runs on a server of its own in a chain; here it gets a CPU of its own.
        // (`LOKET_BENCH_SHARED_CPUS=1`: everything on every CPU, as before.)
        if !quick() && std::env::var_os("LOKET_BENCH_SHARED_CPUS").is_none() {
            bench.notes.push(give_head_office_its_own_cpu(&hq, &desk));
        }
        let idle = creates(&desk, 0, s.creates);
        let syncing = AtomicBool::new(true);
        let during = std::thread::scope(|scope| {
            let pusher = scope.spawn(|| {
                let (took, _) = push_everything(&hq, &desk, "During");
                syncing.store(false, Ordering::SeqCst);
                took
            });
            let mut during = Vec::new();
            while syncing.load(Ordering::SeqCst) || during.is_empty() {
                during.extend(creates(&desk, s.creates + during.len(), 1));
            }
            let took = pusher.join().expect("the push");
            bench.notes.push(format!(
                "create during sync: {} bookings made while the desk pushed its log ({} ms)",
                during.len(),
                ms(took)
            ));
            during
        });
        bench.series("create_booking over HTTP, idle", idle);
        bench.series("create_booking over HTTP, while the desk pushes", during);
    }

    bench.c.final_summary();
    let targets = if quick() {
        String::new()
    } else {
        targets(&bench, rows, ingest_rate)
    };
    finish(&mut bench, "Head office sync benchmarks", &targets);
}

/// Whether `LOKET_BENCH_ONLY` (e.g. `push,create`) names `group`; all
/// groups run without it.
fn wanted(group: &str) -> bool {
    std::env::var("LOKET_BENCH_ONLY")
        .map_or(true, |only| only.split(',').any(|g| g.trim() == group))
}

/// Moves PostgreSQL and `loket-hq` (every thread) to the last CPU and the
/// desk and this client to the others (`taskset`), so that the desk's own
/// work during a push, not head office's, is what competes with its
/// bookings, as when head office is another machine. Says what it did.
fn give_head_office_its_own_cpu(hq: &Hq, desk: &Desk) -> String {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    if cpus < 2 {
        return "create during sync: one CPU, shared by head office and the desk".into();
    }
    let (hq_cpu, desk_cpus) = ((cpus - 1).to_string(), format!("0-{}", cpus - 2));
    let postgres = Command::new("pgrep")
        .args(["-x", "postgres"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    let mut pinned = 0;
    let mut pin = |cpu_list: &str, pid: &str| {
        let ok = Command::new("taskset")
            .args(["-a", "-p", "-c", cpu_list, pid])
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        pinned += usize::from(ok);
    };
    for pid in postgres.split_whitespace() {
        pin(&hq_cpu, pid);
    }
    pin(&hq_cpu, &hq.pid().to_string());
    pin(&desk_cpus, &desk.pid().to_string());
    pin(&desk_cpus, &std::process::id().to_string());
    format!(
        "create during sync: PostgreSQL ({} processes) and loket-hq on CPU {hq_cpu}, the desk and this client on CPU {desk_cpus} ({pinned} processes pinned with taskset)",
        postgres.split_whitespace().count()
    )
}

/// Issue 13's targets against this run.
fn targets(b: &harness::Bench, rows: i64, ingest_rate: Option<f64>) -> String {
    let mut out = String::from("\nTargets:\n\n");
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    if let Some(st) = b.stats.iter().find(|st| st.name.starts_with("push/")) {
        let per_100k = st.p50.as_secs_f64() * 100_000.0 / rows as f64;
        let _ = writeln!(
            out,
            "- push: {rows} changes in {} ms (median), {per_100k:.1} s per 100k (target: 100k under 20 s) -> {}",
            ms(st.p50),
            verdict(per_100k < 20.0)
        );
    }
    if let Some(rate) = ingest_rate {
        let _ = writeln!(
            out,
            "- ingest: {rate:.0} changes/s with 20 branches at once (median run; target: at least 20,000/s) -> {}",
            verdict(rate >= 20_000.0)
        );
    }
    if let Some(st) = b.stats.iter().find(|st| st.name.starts_with("pull/")) {
        let _ = writeln!(
            out,
            "- pull: 50,000 changes in {} ms (median; target: under 10 s) -> {}",
            ms(st.p50),
            verdict(st.p50 < Duration::from_secs(10))
        );
    }
    if let (Some(idle), Some(during)) = (
        b.stat("create_booking over HTTP, idle"),
        b.stat("create_booking over HTTP, while the desk pushes"),
    ) {
        let _ = writeln!(
            out,
            "- create_booking p99 during a sync {} ms vs idle {} ms, ratio {:.2} (target: within noise of idle)",
            ms(during.p99),
            ms(idle.p99),
            during.p99.as_secs_f64() / idle.p99.as_secs_f64()
        );
    }
    out
}
