//! The WhatsApp bot at head office (BENCHMARKS.md, "Head office bot"),
//! against a throwaway PostgreSQL (fsync on) and a real `loket-hq`, the
//! webhooks called over HTTP on 127.0.0.1 signed as Meta signs them:
//!
//! - **nearby**: a customer's location pin answered with the nearest
//!   providers, over 10,000 providers pushed by 100 branches: one webhook
//!   round trip (the turn, the search, the reply queued, the commit).
//! - **webhook load**: 100 messages a second, open loop (each sent at its
//!   planned time whether or not the earlier ones were answered; its
//!   latency counts from that time), from 400 customers in conversation:
//!   webhook to reply queued, p99.
//!
//! Run: `cargo build --release -p loket-hq --bin loket-hq && cargo bench -p loket-hq --bench bot`.
//! Under `cargo test --benches` each group runs on small data (quick mode).

#[path = "../../benches/support/harness.rs"]
mod harness;
#[path = "../tests/support/mod.rs"]
mod support;

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use harness::{Bench, finish, ms, quick};
use support::*;

const APP_SECRET: &str = "bench-app-secret";
/// Jakarta: the providers are spread over a 2° square around it.
const CENTRE: (f64, f64) = (-6.2, 106.8);

struct Sizes {
    branches: usize,
    providers_per_branch: usize,
    pins: usize,
    rate_per_s: u64,
    load_secs: u64,
    customers: usize,
}

fn sizes() -> Sizes {
    if quick() {
        Sizes {
            branches: 2,
            providers_per_branch: 10,
            pins: 5,
            rate_per_s: 20,
            load_secs: 1,
            customers: 10,
        }
    } else {
        Sizes {
            branches: 100,
            providers_per_branch: 100,
            pins: 300,
            rate_per_s: 100,
            load_secs: 20,
            customers: 400,
        }
    }
}

/// A number from 0 to 1, the same for the same `n` (no randomness in the
/// data: every run searches the same map).
fn spread(n: usize, salt: u64) -> f64 {
    let mut x = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ salt;
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 32;
    (x % 1_000_000) as f64 / 1_000_000.0
}

/// Each branch pushes one service and its providers, as a desk's change
/// log writes them.
fn push_providers(hq: &Hq, s: &Sizes) {
    for b in 0..s.branches {
        let (_, token) = hq.add_branch(&format!("Cabang {b}"));
        let service = uuid::Uuid::now_v7().to_string();
        let mut changes = vec![change(
            1,
            "service",
            &service,
            json!({"id": service, "name": "Makeup Wisuda", "description": null, "duration_min": 90,
                   "price": "750000", "active": true, "created_at": "2026-11-01T00:00:00.000Z",
                   "updated_at": "2026-11-01T00:00:00.000Z", "version": 1}),
        )];
        for p in 0..s.providers_per_branch {
            let n = b * s.providers_per_branch + p;
            let id = uuid::Uuid::now_v7().to_string();
            changes.push(change(
                changes.len() as i64 + 1,
                "provider",
                &id,
                json!({"id": id, "name": format!("Penyedia {n}"), "whatsapp_number": "6281300000001",
                       "latitude": CENTRE.0 - 1.0 + 2.0 * spread(n, 1),
                       "longitude": CENTRE.1 - 1.0 + 2.0 * spread(n, 2),
                       "service_ids": [service], "active": true, "max_slots_per_day": null,
                       "created_at": "2026-11-01T00:00:00.000Z",
                       "updated_at": "2026-11-01T00:00:00.000Z", "version": 1}),
            ));
        }
        hq.branch_client(&token)
            .post("/sync/v1/push", json!({ "changes": changes }))
            .expect(200);
    }
}

fn text(words: &str) -> Value {
    json!({"type": "text", "text": {"body": words}})
}

/// A pin somewhere in the providers' square.
fn pin(n: usize) -> Value {
    json!({"type": "location", "location": {
        "latitude": CENTRE.0 - 0.8 + 1.6 * spread(n, 3),
        "longitude": CENTRE.1 - 0.8 + 1.6 * spread(n, 4),
        "name": "Rumah", "address": "Jl. Contoh 1"}})
}

/// Sends one signed webhook; its round trip.
fn send(http: &reqwest::blocking::Client, url: &str, body: &[u8]) -> Duration {
    let signature = loket_hq::bot::webhooks::meta_signature(APP_SECRET, body).expect("sign");
    let t = Instant::now();
    let res = http
        .post(url)
        .header("content-type", "application/json")
        .header("X-Hub-Signature-256", signature)
        .body(body.to_vec())
        .send()
        .expect("webhook");
    assert_eq!(res.status().as_u16(), 200, "{:?}", res.text());
    t.elapsed()
}

/// The `k`-th message of a customer's conversation: greeting, pin,
/// provider, then typed answers the bot asks again for (each a full turn).
fn nth_message(customer: usize, k: usize) -> Value {
    match k % 6 {
        0 => text("halo"),
        1 => pin(customer),
        2 => text("1"),
        3 => text("lagi"),
        4 => text("apa ini"),
        _ => text("menu"),
    }
}

fn main() {
    // SAFETY: set before any thread is started.
    unsafe { std::env::set_var("LOKET_PG_FSYNC", "on") };
    let s = sizes();
    let mut bench = Bench::new("bot", "hq");
    bench.command = if quick() {
        "LOKET_BENCH_QUICK=1 cargo bench -p loket-hq --bench bot".into()
    } else {
        "cargo bench -p loket-hq --bench bot".into()
    };
    let hq = Hq::start();
    let admin = hq.admin();
    admin
        .put(
            "/api/v1/settings/bot",
            json!({"enabled": true, "radius_km": 25, "meta_app_secret": APP_SECRET}),
        )
        .expect(200);
    let started = Instant::now();
    push_providers(&hq, &s);
    let providers = s.branches * s.providers_per_branch;
    bench.notes.push(format!(
        "{providers} providers of {} branches pushed in {} ms",
        s.branches,
        ms(started.elapsed())
    ));
    let url = format!("{}/webhooks/meta", hq.url);
    let http = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client");

    // 1. Nearby: a pin after a greeting, for customers all over the map.
    let mut found = 0;
    let pins: Vec<Duration> = (0..s.pins)
        .map(|n| {
            let phone = format!("62811{n:07}");
            send(&http, &url, &meta_webhook_body(&phone, &format!("n{n}.0"), text("halo")));
            let took = send(&http, &url, &meta_webhook_body(&phone, &format!("n{n}.1"), pin(n)));
            let listed = hq.json(&format!(
                "SELECT to_json(text) FROM hq_outbox WHERE to_phone = '{phone}' ORDER BY id DESC LIMIT 1"
            ));
            found += usize::from(listed.as_str().is_some_and(|t| t.contains("Penyedia")));
            took
        })
        .collect();
    bench.notes.push(format!(
        "nearby: {found} of {} pins answered with providers in the radius",
        s.pins
    ));
    assert!(found > 0, "some pin finds providers");
    bench.series(
        &format!("nearby/pin to providers listed, {providers} providers"),
        pins,
    );

    // 2. Load: `rate_per_s` messages a second, open loop, many threads.
    let total = (s.rate_per_s * s.load_secs) as usize;
    let threads = 25.min(total.max(1));
    let interval = Duration::from_secs(1).as_secs_f64() / s.rate_per_s as f64;
    let begin = Instant::now() + Duration::from_millis(200);
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (http, url) = (&http, &url);
                let customers = s.customers;
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    for i in (t..total).step_by(threads) {
                        let planned = begin + Duration::from_secs_f64(interval * i as f64);
                        if let Some(wait) = planned.checked_duration_since(Instant::now()) {
                            std::thread::sleep(wait);
                        }
                        let customer = i % customers;
                        let k = i / customers;
                        let phone = format!("62812{customer:07}");
                        let body =
                            meta_webhook_body(&phone, &format!("l{i}"), nth_message(customer, k));
                        send(http, url, &body);
                        // From the planned time: a late send counts its wait.
                        mine.push(planned.elapsed());
                    }
                    mine
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("sender"))
            .collect()
    });
    let took = begin.elapsed();
    bench.notes.push(format!(
        "load: {total} messages from {} customers planned at {}/s, all sent and answered within {} ms",
        s.customers,
        s.rate_per_s,
        ms(took)
    ));
    bench.series(
        &format!("webhook/message to reply queued at {}/s", s.rate_per_s),
        latencies,
    );

    bench.c.final_summary();
    let mut targets = String::new();
    if !quick() {
        targets.push_str("\nTargets:\n\n");
        if let Some(st) = bench
            .stats
            .iter()
            .find(|st| st.name.starts_with("webhook/"))
        {
            let _ = writeln!(
                targets,
                "- webhook to reply queued p99 {} ms at {}/s (target: under 50 ms at 100 conversations/s) -> {}",
                ms(st.p99),
                s.rate_per_s,
                if st.p99 < Duration::from_millis(50) {
                    "met"
                } else {
                    "NOT met"
                }
            );
        }
        if let Some(st) = bench.stats.iter().find(|st| st.name.starts_with("nearby/")) {
            let _ = writeln!(
                targets,
                "- nearby search (the pin's whole turn) over {providers} providers: p50 {} ms, p99 {} ms",
                ms(st.p50),
                ms(st.p99)
            );
        }
    }
    finish(&mut bench, "Head office bot benchmarks", &targets);
}
