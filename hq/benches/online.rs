//! Online booking at head office (BENCHMARKS.md, "Head office online
//! booking"), against a throwaway PostgreSQL (fsync on) and a real
//! `loket-hq`, over HTTP on 127.0.0.1:
//!
//! - **free times**: `GET /public/v1/slots` for one branch's service and
//!   day, over 100 branches with 100 providers each and four slots a day
//!   per provider for a week (280,000 slots); a branch's week is seven of
//!   these.
//! - **holds**: `POST /public/v1/bookings` on distinct free slots from 8
//!   threads at once, each a customer of its own: holds per second, and
//!   each request's latency. The requests come from many loopback
//!   addresses (127.0.x.y), 20 each, so the per-address limit is not what
//!   is measured.
//!
//! Run: `cargo build --release -p loket-hq --bin loket-hq && cargo bench -p loket-hq --bench online`.
//! Under `cargo test --benches` each group runs on small data (quick mode).

#[path = "../../benches/support/harness.rs"]
mod harness;
#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate, Utc};
use serde_json::{Value, json};

use harness::{Bench, finish, ms, quick};
use support::*;

struct Sizes {
    branches: usize,
    providers_per_branch: usize,
    days: u64,
    slots_per_day: usize,
    queries: usize,
    holds: usize,
}

fn sizes() -> Sizes {
    if quick() {
        Sizes {
            branches: 2,
            providers_per_branch: 5,
            days: 2,
            slots_per_day: 4,
            queries: 5,
            holds: 24,
        }
    } else {
        Sizes {
            branches: 100,
            providers_per_branch: 100,
            days: 7,
            slots_per_day: 4,
            queries: 300,
            holds: 2_000,
        }
    }
}

/// The first day of slots: tomorrow in Jakarta.
fn first_day() -> NaiveDate {
    let jakarta = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    Utc::now().with_timezone(&jakarta).date_naive() + Days::new(1)
}

const T: &str = "2026-11-01T00:00:00.000Z";

/// Each branch pushes one service, its providers and their slots, as a
/// desk's change log writes them, 1,000 changes a push. Answers each
/// branch's id and service id.
fn push_branches(hq: &Hq, s: &Sizes) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for b in 0..s.branches {
        let (branch_id, token) = hq.add_branch(&format!("Cabang Online {b}"));
        let service = uuid::Uuid::now_v7().to_string();
        let mut changes = vec![json!({"entity": "service", "id": service, "data": {
            "id": service, "name": "Makeup Wisuda", "description": null, "duration_min": 60,
            "price": "750000", "active": true, "created_at": T, "updated_at": T, "version": 1}})];
        for p in 0..s.providers_per_branch {
            let provider = uuid::Uuid::now_v7().to_string();
            changes.push(json!({"entity": "provider", "id": provider, "data": {
                "id": provider, "name": format!("Penyedia {b}-{p}"), "whatsapp_number": "6281300000001",
                "latitude": -6.2, "longitude": 106.8, "service_ids": [service], "active": true,
                "max_slots_per_day": null, "created_at": T, "updated_at": T, "version": 1}}));
            for d in 0..s.days {
                let day = first_day() + Days::new(d);
                for k in 0..s.slots_per_day {
                    // 09:00, 11:00, … Jakarta = 02:00, 04:00, … UTC.
                    let start = day
                        .and_hms_opt(2 + 2 * k as u32, 0, 0)
                        .expect("time")
                        .and_utc();
                    let slot = uuid::Uuid::now_v7().to_string();
                    changes.push(json!({"entity": "slot", "id": slot, "data": {
                        "id": slot, "provider_id": provider, "service_id": service,
                        "starts_at": start.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        "ends_at": (start + chrono::Duration::minutes(60))
                            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
                        "status": "available", "created_at": T, "updated_at": T, "version": 1}}));
                }
            }
        }
        let client = hq.branch_client(&token);
        for (n, chunk) in changes.chunks(1_000).enumerate() {
            let batch: Vec<Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    change(
                        (n * 1_000 + i + 1) as i64,
                        c["entity"].as_str().expect("entity"),
                        c["id"].as_str().expect("id"),
                        c["data"].clone(),
                    )
                })
                .collect();
            client
                .post("/sync/v1/push", json!({ "changes": batch }))
                .expect(200);
        }
        out.push((branch_id, service));
    }
    out
}

fn http_from(address: IpAddr) -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .local_address(address)
        .build()
        .expect("client")
}

fn main() {
    // SAFETY: set before any thread is started.
    unsafe { std::env::set_var("LOKET_PG_FSYNC", "on") };
    let s = sizes();
    let mut bench = Bench::new("online", "hq");
    bench.command = if quick() {
        "LOKET_BENCH_QUICK=1 cargo bench -p loket-hq --bench online".into()
    } else {
        "cargo bench -p loket-hq --bench online".into()
    };
    let hq = Hq::start();
    let started = Instant::now();
    let branches = push_branches(&hq, &s);
    let providers = s.branches * s.providers_per_branch;
    let slots = providers * s.days as usize * s.slots_per_day;
    bench.notes.push(format!(
        "{slots} slots of {providers} providers of {} branches pushed in {} ms",
        s.branches,
        ms(started.elapsed())
    ));
    let http = http_from(IpAddr::V4(Ipv4Addr::LOCALHOST));

    // 1. Free times: one branch's service on one day, round the branches and days.
    let mut listed = 0;
    let queries: Vec<Duration> = (0..s.queries)
        .map(|n| {
            let (branch, service) = &branches[n % branches.len()];
            let day = first_day() + Days::new(n as u64 % s.days);
            let url = format!(
                "{}/public/v1/slots?branch_id={branch}&service_id={service}&date={day}",
                hq.url
            );
            let t = Instant::now();
            let res = http.get(&url).send().expect("slots");
            assert_eq!(res.status(), 200);
            let body: Value = res.json().expect("json");
            let took = t.elapsed();
            listed += body.as_array().map_or(0, Vec::len);
            took
        })
        .collect();
    let per_day = s.providers_per_branch * s.slots_per_day;
    assert_eq!(listed, s.queries * per_day, "every free time listed");
    bench.series(
        &format!("free times/one branch's day ({per_day} free of {slots} slots)"),
        queries,
    );

    // 2. Holds: distinct free slots of every branch's first day, 8 threads.
    let mut targets_list: Vec<String> = Vec::new();
    for (branch, service) in &branches {
        let url = format!(
            "{}/public/v1/slots?branch_id={branch}&service_id={service}&date={}",
            hq.url,
            first_day() + Days::new(1.min(s.days - 1))
        );
        let body: Value = http.get(&url).send().expect("slots").json().expect("json");
        for slot in body.as_array().expect("slots") {
            targets_list.push(slot["id"].as_str().expect("id").to_owned());
        }
    }
    let holds = s.holds.min(targets_list.len());
    let threads = 8;
    let begin = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (targets_list, url) = (&targets_list, format!("{}/public/v1/bookings", hq.url));
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    let mut client = None;
                    for (k, i) in (t..holds).step_by(threads).enumerate() {
                        // A new loopback address every 20 requests (the per-address limit).
                        if k % 20 == 0 {
                            let n = (t * 1_000 + k / 20) as u32 + 1;
                            let address = Ipv4Addr::new(127, 1, (n >> 8) as u8, n as u8);
                            client = Some(http_from(IpAddr::V4(address)));
                        }
                        let body = json!({"slot_id": targets_list[i],
                            "customer": {"name": format!("Pelanggan {i}"), "gender": "female",
                                         "phone": format!("0813{i:08}"), "address": "Jl. Melati 1"}});
                        let t0 = Instant::now();
                        let res = client
                            .as_ref()
                            .expect("client")
                            .post(&url)
                            .json(&body)
                            .send()
                            .expect("hold");
                        assert_eq!(res.status(), 201, "{:?}", res.text());
                        mine.push(t0.elapsed());
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("holder"))
            .collect()
    });
    let took = begin.elapsed();
    let per_second = holds as f64 / took.as_secs_f64();
    bench.notes.push(format!(
        "holds: {holds} bookings held by {threads} threads in {} ms: {per_second:.0} holds/s",
        ms(took)
    ));
    bench.series(
        &format!("holds/request to 201, {threads} threads at once"),
        latencies,
    );

    bench.c.final_summary();
    let mut targets = String::new();
    if !quick() {
        targets.push_str("\nFigures:\n\n");
        if let Some(st) = bench
            .stats
            .iter()
            .find(|st| st.name.starts_with("free times/"))
        {
            let _ = writeln!(
                targets,
                "- free times of one branch's day over {slots} slots: p50 {} ms, p99 {} ms (a week: seven such requests)",
                ms(st.p50),
                ms(st.p99)
            );
        }
        let _ = writeln!(
            targets,
            "- holds per second with {threads} clients: {per_second:.0}"
        );
    }
    finish(
        &mut bench,
        "Head office online booking benchmarks",
        &targets,
    );
}
