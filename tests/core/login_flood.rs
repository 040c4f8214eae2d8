//! A login flood against the real `loket serve` on loopback leaves booking
//! writes working and memory bounded: password checks (argon2id, ~19 MB and
//! tens of milliseconds each) run on a small bounded pool outside the single
//! write lock, and past its queue a login is refused as busy (503) instead of
//! piling up threads and memory.
//!
//! The flood logs in with the right password (every request costs a full
//! argon2id check and a session write): wrong passwords would be cheaper,
//! since the backoff refuses them before any hashing after a few tries.
//! How much the flood slows a booking is a timing, so it is measured by the
//! core benchmark's `login` group (BENCHMARKS.md), not asserted here; this
//! test prints the p99s it saw for the log.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use crate::support::*;

/// The server's resident memory in MB (`VmRSS` of /proc/PID/status).
fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The 99th percentile of `samples`.
fn p99(samples: &mut [Duration]) -> Duration {
    samples.sort();
    let index = (samples.len() * 99).div_ceil(100).saturating_sub(1);
    samples[index]
}

/// `n` booking writes one after another; how long each took.
fn bookings(server: &Server, tag: &str, n: usize) -> Vec<Duration> {
    (0..n)
        .map(|i| {
            let started = Instant::now();
            server
                .post(
                    "/bookings",
                    json!({"customer": {"name": "Tamu", "phone": format!("0812{tag}{i:05}")}, "price": "250000"}),
                )
                .expect(201);
            started.elapsed()
        })
        .collect()
}

#[test]
fn a_login_flood_leaves_booking_writes_working_and_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());
    let (mut child, server) = serve_binary(dir.path());
    let pid = child.id();
    bookings(&server, "00", 10); // warm-up: statement caches, first pages

    let mut idle = bookings(&server, "01", 100);
    let stop = Arc::new(AtomicBool::new(false));
    let (ok, busy, other) = (
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
        Arc::new(AtomicUsize::new(0)),
    );
    let url = server.url("/auth/login");
    let flood: Vec<_> = (0..8)
        .map(|_| {
            let (stop, ok, busy, other, url) = (
                stop.clone(),
                ok.clone(),
                busy.clone(),
                other.clone(),
                url.clone(),
            );
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                while !stop.load(Ordering::Relaxed) {
                    let r = client
                        .post(&url)
                        .json(&json!({"username": "admin", "password": PASSWORD}))
                        .send();
                    match r.map(|r| r.status().as_u16()) {
                        Ok(200) => ok.fetch_add(1, Ordering::Relaxed),
                        Ok(503) => busy.fetch_add(1, Ordering::Relaxed),
                        _ => other.fetch_add(1, Ordering::Relaxed),
                    };
                }
            })
        })
        .collect();
    let peak = Arc::new(AtomicUsize::new(0));
    let sampler = {
        let (stop, peak) = (stop.clone(), peak.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                peak.fetch_max(rss_mb(pid) as usize, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(500)); // the flood at full strength
    let flood_started = Instant::now();
    let mut under_flood = bookings(&server, "02", 100);
    // At least a few seconds of flood, however fast the bookings were.
    while flood_started.elapsed() < Duration::from_secs(3) {
        std::thread::sleep(Duration::from_millis(50));
    }
    stop.store(true, Ordering::Relaxed);
    for t in flood {
        t.join().unwrap();
    }
    sampler.join().unwrap();
    // Idle again, so a slow moment of the shared machine during the first
    // idle round does not decide the ratio alone.
    let mut idle_after = bookings(&server, "03", 100);
    child.kill().unwrap();
    child.wait().unwrap();

    let idle = p99(&mut idle).max(p99(&mut idle_after));
    let flooded = p99(&mut under_flood);
    let ratio = flooded.as_secs_f64() / idle.as_secs_f64();
    let (ok, busy, other) = (
        ok.load(Ordering::Relaxed),
        busy.load(Ordering::Relaxed),
        other.load(Ordering::Relaxed),
    );
    let peak = peak.load(Ordering::Relaxed);
    eprintln!(
        "booking p99 idle {idle:?}, under flood {flooded:?} (ratio {ratio:.2}); logins: {ok} ok, {busy} busy, {other} other; peak RSS {peak} MB"
    );
    assert!(ok >= 8, "the flood must really log in: {ok} logins");
    assert_eq!(other, 0, "only 200 or 503 (busy) answers expected");
    assert!(peak < 200, "peak RSS {peak} MB");
}
