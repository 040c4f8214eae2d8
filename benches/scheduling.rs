//! Scheduling benchmarks: nearby search over 10k providers, slot generation
//! for 50 providers × 30 days, and booking a slot (p50/p99 against a bare
//! commit on the same disk). Run: `cargo bench --bench scheduling`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use criterion::Criterion;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use loket::App;
use loket::kernel::auth::{Actor, Role, SessionUser};
use loket::kernel::clock::{FixedClock, to_db};
use loket::kernel::types::{ProviderId, ServiceId};
use loket::people::users::CreateUser;

const PROVIDERS: usize = 10_000;
const GENERATED: usize = 50;
const DAYS: i64 = 30;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn summary(name: &str, mut d: Vec<Duration>) -> String {
    d.sort();
    let mean = d.iter().sum::<Duration>() / d.len() as u32;
    let ms = |d: Duration| format!("{:.3}", d.as_secs_f64() * 1e3);
    format!(
        "| {name} | {} | {} | {} | {} |",
        d.len(),
        ms(percentile(&d, 0.5)),
        ms(percentile(&d, 0.99)),
        ms(mean)
    )
}

/// 10k providers: a third within 60 km of central Jakarta, the rest spread
/// over Indonesia; each offers the service and has three free slots ahead.
fn load_providers(app: &App, service: ServiceId) -> Vec<ProviderId> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut conn = app.database().writer();
    let tx = conn.transaction().unwrap();
    let stamp = to_db(now());
    let mut ids = Vec::with_capacity(PROVIDERS);
    {
        let mut provider = tx
            .prepare(
                "INSERT INTO providers (id, name, whatsapp_number, latitude_e6, longitude_e6, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            )
            .unwrap();
        let mut offers = tx
            .prepare("INSERT INTO provider_services (provider_id, service_id) VALUES (?1, ?2)")
            .unwrap();
        let mut slot = tx
            .prepare(
                "INSERT INTO slots (id, service_id, provider_id, starts_at, ends_at, duration_min, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 60, 'available', ?6, ?6)",
            )
            .unwrap();
        for i in 0..PROVIDERS {
            let (lat, lng) = if i % 3 == 0 {
                (
                    -6.2088 + rng.random_range(-0.5..0.5),
                    106.8456 + rng.random_range(-0.5..0.5),
                )
            } else {
                (rng.random_range(-11.0..6.0), rng.random_range(95.0..141.0))
            };
            let id = ProviderId::new();
            provider
                .execute(rusqlite::params![
                    id,
                    format!("Penyedia {i}"),
                    format!("62812{i:08}"),
                    (lat * 1e6f64).round() as i64,
                    (lng * 1e6f64).round() as i64,
                    stamp
                ])
                .unwrap();
            offers.execute((id, service)).unwrap();
            for d in 1..=3 {
                let start =
                    now() + chrono::Duration::days(d) + chrono::Duration::hours(i as i64 % 8);
                slot.execute(rusqlite::params![
                    loket::kernel::types::SlotId::new(),
                    service,
                    id,
                    to_db(start),
                    to_db(start + chrono::Duration::hours(1)),
                    stamp
                ])
                .unwrap();
            }
            ids.push(id);
        }
    }
    tx.commit().unwrap();
    ids
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(FixedClock::new(now()));
    let app = App::open_with_clock(dir.path(), clock).unwrap();
    let user = app
        .execute(
            &Actor::System,
            CreateUser {
                username: "bench".into(),
                password: "bench-password".into(),
                role: Role::Admin,
                staff_id: None,
            },
        )
        .unwrap();
    let admin = Actor::User(SessionUser {
        id: user.id,
        username: user.username,
        role: Role::Admin,
        staff_id: None,
        session: None,
    });
    let call = |name: &str, input: serde_json::Value| {
        loket::api::dispatch(&app, &admin, name, input).unwrap()
    };
    let service = call(
        "services.create",
        json!({"name": "Makeup pengantin", "duration_min": 60, "price": "2500000"}),
    );
    let service_id: ServiceId = service["id"].as_str().unwrap().parse().unwrap();
    let started = Instant::now();
    let providers = load_providers(&app, service_id);
    println!(
        "loaded {PROVIDERS} providers with {} slots in {:.1} s",
        PROVIDERS * 3,
        started.elapsed().as_secs_f64()
    );

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300));
    let mut rows = Vec::new();

    // 1. Nearby search, 25 km around points in Jakarta, with the service filter.
    let mut rng = StdRng::seed_from_u64(11);
    let mut samples = Vec::new();
    c.bench_function("nearby 25 km / 10k providers", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let (lat, lng) = (-6.2088 + rng.random_range(-0.2..0.2), 106.8456 + rng.random_range(-0.2..0.2));
                let t = Instant::now();
                let out = call(
                    "providers.nearby",
                    json!({"lat": lat, "lng": lng, "radius_km": 25.0, "service_id": service_id, "limit": 10}),
                );
                let d = t.elapsed();
                assert!(!out["data"].as_array().unwrap().is_empty());
                samples.push(d);
                total += d;
            }
            total
        })
    });
    rows.push(summary(
        "nearby search, 25 km, 10k providers, 10 results with next slots",
        samples,
    ));

    // 2. Slot generation: 50 providers × 30 days from a Mon–Sat working plan.
    let plan = json!([0, 1, 2, 3, 4, 5].map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "13:00"}]})));
    let from = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let to = from + chrono::Duration::days(DAYS - 1);
    let mut per_provider = Vec::new();
    let mut created = 0u64;
    let total = Instant::now();
    for p in providers.iter().skip(1).take(GENERATED) {
        call("providers.working_plan.set", json!({"id": p, "days": plan}));
        let t = Instant::now();
        let out = call(
            "slots.generate",
            json!({"provider_id": p, "service_id": service_id, "from": from, "to": to}),
        );
        per_provider.push(t.elapsed());
        created += out["created"].as_u64().unwrap();
    }
    let total = total.elapsed();
    println!(
        "generated {created} slots for {GENERATED} providers × {DAYS} days in {:.3} s",
        total.as_secs_f64()
    );
    rows.push(summary(
        "slot generation, one provider × 30 days (one transaction)",
        per_provider,
    ));

    // 3. Booking a free slot, and a bare commit with the same durability for reference.
    // Bookings rotate over 500 customers, as at a real desk.
    let customers: Vec<serde_json::Value> = (0..500)
        .map(|i| {
            call(
                "customers.create",
                json!({"name": format!("Pelanggan {i}"), "phone": format!("0813{i:08}")}),
            )["id"]
                .clone()
        })
        .collect();
    let mut next_customer = customers.iter().cycle();
    let free: Vec<String> = {
        let conn = app.database().reader().unwrap();
        let mut stmt = conn
            .prepare("SELECT id FROM slots WHERE status = 'available' AND starts_at > ?1 ORDER BY starts_at LIMIT 20000")
            .unwrap();
        stmt.query_map([to_db(now())], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let mut free = free.into_iter();
    let mut booking = Vec::new();
    c.bench_function("book a slot", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let slot = free.next().expect("enough free slots");
                let t = Instant::now();
                let customer = next_customer.next().unwrap();
                call(
                    "bookings.create",
                    json!({"customer_id": customer, "slot_id": slot, "address": "Jl. Sudirman 1"}),
                );
                let d = t.elapsed();
                booking.push(d);
                total += d;
            }
            total
        })
    });
    let mut bare = Vec::new();
    {
        let conn = rusqlite::Connection::open(dir.path().join("loket.db")).unwrap();
        conn.execute_batch("PRAGMA synchronous = FULL; CREATE TABLE bench_commit (x INTEGER)")
            .unwrap();
        for i in 0..booking.len() {
            let t = Instant::now();
            conn.execute_batch(&format!(
                "BEGIN IMMEDIATE; INSERT INTO bench_commit VALUES ({i}); COMMIT"
            ))
            .unwrap();
            bare.push(t.elapsed());
        }
    }
    rows.push(summary("book a slot (customer_id, address)", booking));
    rows.push(summary("bare one-row commit, WAL + synchronous=FULL", bare));

    println!("\n| measurement | n | p50 ms | p99 ms | mean ms |\n|---|---|---|---|---|");
    for r in rows {
        println!("{r}");
    }
}
