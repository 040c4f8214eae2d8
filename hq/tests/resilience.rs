//! Sync under failure and load: answers lost mid-response, head office
//! killed mid-push, a branch far behind, pages at exact multiples, several
//! head-office writers against a pulling branch, two `loket-hq` processes.

mod support;

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::json;

use support::proxy::Proxy;
use support::*;

/// Every change is at head office exactly once: same rows, and each
/// record's version equals how many changes the desk logged for it.
#[track_caller]
fn assert_converged(hq: &Hq, desk: &Desk, branch_id: &str) {
    assert_eq!(desk.status()["pending_changes"], 0);
    assert_eq!(hq_rows(hq, branch_id), desk.logged_rows(), "nothing lost");
    assert_eq!(
        hq_versions(hq, branch_id),
        desk.changes_per_record(),
        "nothing doubled"
    );
}

/// Head office applies pushes whose answers never arrive (the connection is
/// cut mid-response): the run fails in words, the next run resends, head
/// office skips what it has, and the branch converges with nothing doubled.
#[test]
fn answers_lost_mid_response_are_resent_and_applied_once() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let proxy = Proxy::start(&hq.url);
    let desk = Desk::start();
    desk.make_customers("a", 600); // two batches of 500 at least
    desk.configure(&proxy.url, &token);
    proxy.cut_pushes.store(2, Ordering::SeqCst);
    let mut failures = 0;
    let mut runs = 0;
    loop {
        runs += 1;
        assert!(runs <= 5, "no convergence after 4 runs");
        let run = desk.sync();
        if run.status == 200 {
            break;
        }
        failures += 1;
        assert_eq!(run.status, 502, "{:?}", run.body);
        assert!(
            run.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("head office")
        );
        assert!(desk.status()["pending_changes"].as_i64().unwrap() > 0);
    }
    assert_eq!(
        proxy.cut_done.load(Ordering::SeqCst),
        2,
        "two answers were lost"
    );
    assert_eq!(failures, 2);
    assert_converged(&hq, &desk, &id);
}

/// `kill -9` of head office while a branch pushes, a new head office
/// process on the same database, sync again: nothing lost, nothing doubled.
#[test]
fn head_office_killed_mid_push_loses_and_doubles_nothing() {
    let mut hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let desk = Desk::start();
    desk.make_customers("k", 2400); // several batches: time to be killed between them
    desk.configure(&hq.url, &token);
    let newest = desk.newest_seq();
    let api = desk.api.clone();
    let run = std::thread::spawn(move || api.post("/sync/run", json!({})));
    let deadline = Instant::now() + Duration::from_secs(30);
    let seen = loop {
        let last: i64 = hq
            .json(&format!("SELECT last_seq FROM branches WHERE id = '{id}'"))
            .as_i64()
            .unwrap();
        if last > 0 {
            break last;
        }
        assert!(Instant::now() < deadline, "the push never started");
        std::thread::sleep(Duration::from_millis(5));
    };
    hq.kill();
    let failed = run.join().unwrap();
    assert!(
        seen < newest,
        "killed after the whole push ({seen} of {newest}): not mid-push"
    );
    assert_eq!(failed.status, 502, "{:?}", failed.body);
    let pending = desk.status()["pending_changes"].as_i64().unwrap();
    assert!(
        pending > 0,
        "what head office did not confirm is still queued"
    );

    let hq = Hq::start_on(&hq.database_url.clone());
    desk.configure(&hq.url, &token);
    desk.sync().expect(200);
    assert_converged(&hq, &desk, &id);
}

/// A branch more than two batches behind catches up in one run, in
/// batches, including when its log is an exact multiple of the batch size.
#[test]
fn a_branch_far_behind_catches_up_in_batches_even_at_exact_multiples() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let desk = Desk::start();
    desk.configure(&hq.url, &token);
    // The log ends exactly at 1,500 (3 × 500): the last batch is full and
    // the next read finds nothing.
    let n = 1500 - desk.newest_seq();
    desk.make_customers("m", usize::try_from(n).unwrap());
    assert_eq!(desk.newest_seq(), 1500);
    let run = desk.sync().expect(200);
    assert_eq!(run["pushed"], 1500);
    assert_converged(&hq, &desk, &id);
}

/// Pull pages at exact multiples of the page size: a full last page says
/// `more: false` and the next pull is empty, at the same cursor.
#[test]
fn pull_pages_at_exact_multiples_of_the_page_size() {
    let hq = Hq::start();
    let admin = hq.admin();
    let (_, token) = hq.add_branch("Cabang A");
    for i in 0..10 {
        admin
            .post(
                "/api/v1/services",
                json!({"name": format!("Layanan {i}"), "duration_min": 60, "price": "100000"}),
            )
            .expect(201);
    }
    let branch = hq.branch_client(&token);
    let first = branch.get("/sync/v1/pull?after=0&limit=5").expect(200);
    assert_eq!(first["changes"].as_array().unwrap().len(), 5);
    assert_eq!(first["more"], true);
    let after = first["next_cursor"].as_i64().unwrap();
    let second = branch
        .get(&format!("/sync/v1/pull?after={after}&limit=5"))
        .expect(200);
    assert_eq!(second["changes"].as_array().unwrap().len(), 5);
    assert_eq!(second["more"], false, "a full last page says so");
    let end = second["next_cursor"].as_i64().unwrap();
    let empty = branch
        .get(&format!("/sync/v1/pull?after={end}&limit=5"))
        .expect(200);
    assert_eq!(empty["changes"], json!([]));
    assert_eq!(empty["next_cursor"], end);
    assert_eq!(empty["more"], false);
    assert_eq!(branch.get("/sync/v1/pull?after=0&limit=1001").status, 422);
    // A desk pulling with its own page size gets all ten.
    let desk = Desk::start();
    desk.configure(&hq.url, &token);
    assert_eq!(desk.sync().expect(200)["pulled"], 10);
    assert_eq!(
        desk.api.get("/services?page_size=50").expect(200)["meta"]["total"],
        10
    );
}

/// Head-office writers committing concurrently never make a pulling branch
/// skip a change: every service created is pulled exactly once, in
/// increasing cursor order, by a branch pulling all the while.
#[test]
fn concurrent_head_office_writers_never_make_a_pull_skip_a_change() {
    let hq = Hq::start();
    let admin = hq.admin();
    let (_, token) = hq.add_branch("Cabang A");
    let branch = hq.branch_client(&token);
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let admin = admin.clone();
            std::thread::spawn(move || {
                (0..40)
                    .map(|i| {
                        admin
                            .post("/api/v1/services", json!({"name": format!("Layanan {w}-{i}"), "duration_min": 30, "price": "50000"}))
                            .expect(201)["id"]
                            .as_str()
                            .unwrap()
                            .to_owned()
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut pulled: Vec<String> = Vec::new();
    let mut cursors: Vec<i64> = Vec::new();
    let mut after = 0;
    let mut pull = |after: &mut i64| {
        let page = branch
            .get(&format!("/sync/v1/pull?after={after}&limit=7"))
            .expect(200);
        for c in page["changes"].as_array().unwrap() {
            pulled.push(c["entity_id"].as_str().unwrap().to_owned());
            cursors.push(c["cursor"].as_i64().unwrap());
        }
        *after = page["next_cursor"].as_i64().unwrap();
        page["more"] == true
    };
    while writers.iter().any(|w| !w.is_finished()) {
        pull(&mut after);
    }
    let created: BTreeSet<String> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    while pull(&mut after) {}
    assert!(cursors.windows(2).all(|w| w[0] < w[1]), "cursors increase");
    let unique: BTreeSet<String> = pulled.iter().cloned().collect();
    assert_eq!(unique.len(), pulled.len(), "nothing pulled twice");
    assert_eq!(unique, created, "nothing skipped");
}

/// Two `loket-hq` processes on one database serve branches at once with
/// the same guarantees: the same batch sent to both at the same time is
/// applied once, and two desks syncing through different processes converge.
#[test]
fn two_head_office_processes_on_one_database_keep_the_guarantees() {
    let hq1 = Hq::start();
    let hq2 = Hq::start_on(&hq1.database_url);
    let (id_a, token_a) = hq1.add_branch("Cabang A");
    let (id_b, token_b) = hq1.add_branch("Cabang B");
    // One batch, to both processes at once, several times.
    let batch = json!({"changes": (1..=200).map(|s| change(s, "customer", &format!("c{}", s % 50), json!({"id": s}))).collect::<Vec<_>>()});
    let sends: Vec<_> = [&hq1, &hq2, &hq1, &hq2]
        .iter()
        .map(|hq| {
            let (client, batch) = (hq.branch_client(&token_a), batch.clone());
            std::thread::spawn(move || client.post("/sync/v1/push", batch).expect(200))
        })
        .collect();
    let answers: Vec<_> = sends.into_iter().map(|s| s.join().unwrap()).collect();
    let applied: u64 = answers.iter().map(|a| a["applied"].as_u64().unwrap()).sum();
    assert_eq!(applied, 200, "applied once in all: {answers:?}");
    assert_eq!(
        hq1.json(&format!(
            "SELECT sum(version) FROM branch_rows WHERE branch_id = '{id_a}'"
        )),
        200
    );
    let a = Desk::start();
    let b = Desk::start();
    a.make_bookings("a", 3);
    b.make_bookings("b", 3);
    a.configure(&hq1.url, &token_a);
    b.configure(&hq2.url, &token_b);
    // A's log starts again at 1, where head office already has 200 for A:
    // that branch token belongs to the batch above, so use B's numbers only.
    let (ra, rb) = std::thread::scope(|s| {
        let ra = s.spawn(|| a.sync());
        let rb = s.spawn(|| b.sync());
        (ra.join().unwrap(), rb.join().unwrap())
    });
    assert_eq!(rb.status, 200, "{:?}", rb.body);
    assert_converged(&hq1, &b, &id_b);
    // A's desk meets a cursor past its own log: refused in words, not merged.
    assert_eq!(ra.status, 502, "{:?}", ra.body);
    assert!(
        ra.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("enrol"),
        "{:?}",
        ra.body
    );
}

/// A head office that answers, but each answer takes 20 s: the run's 30 s
/// bound is on the whole run, not on each request, so it still ends within
/// it (hello at 20 s, the push cut at 30 s), with the reason in words; and
/// bookings made meanwhile are taken at once.
#[test]
fn a_slow_head_office_is_bounded_by_the_whole_run_not_per_request() {
    let hq = Hq::start();
    let (_, token) = hq.add_branch("Cabang A");
    let proxy = Proxy::start(&hq.url);
    proxy.delay_ms.store(20_000, Ordering::SeqCst);
    let desk = Desk::start();
    desk.make_customers("s", 3);
    desk.configure(&proxy.url, &token);
    let t0 = Instant::now();
    let api = desk.api.clone();
    let sync = std::thread::spawn(move || api.post("/sync/run", json!({})));
    // The desk keeps taking bookings while the run waits on head office:
    // no transaction is open across a network call.
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(desk.status()["running"], true);
    for i in 0..7 {
        let t = Instant::now();
        desk.make_bookings(&format!("during{i}"), 1);
        assert!(
            t.elapsed() < Duration::from_secs(3),
            "a booking waited {:?} for the sync",
            t.elapsed()
        );
        std::thread::sleep(Duration::from_secs(4));
    }
    let run = sync.join().unwrap();
    let took = t0.elapsed();
    assert_eq!(run.status, 502, "{:?}", run.body);
    assert!(took < Duration::from_secs(35), "took {took:?}");
    assert!(
        run.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{:?}",
        run.body
    );
    assert!(desk.status()["pending_changes"].as_i64().unwrap() > 0);
}
