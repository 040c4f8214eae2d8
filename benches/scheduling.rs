//! Scheduling benchmarks: nearby search over 10k providers, slot generation
//! for 50 providers × 30 days, and booking a slot (p50/p99 against a bare
//! commit on the app's own writer). Run: `cargo bench --bench scheduling`;
//! quick mode (300 providers, 5 × 7 days) as in support/harness.rs.

#[path = "support/harness.rs"]
mod harness;

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use loket::App;
use loket::kernel::auth::{Actor, Role, SessionUser};
use loket::kernel::clock::{FixedClock, to_db};
use loket::kernel::types::{ProviderId, ServiceId};
use loket::people::users::CreateUser;

use harness::{Bench, Plan, finish};

/// Providers loaded, providers whose slots are generated, days generated.
struct Size {
    providers: usize,
    generated: usize,
    days: i64,
}

fn size() -> Size {
    if harness::quick() {
        Size {
            providers: 300,
            generated: 5,
            days: 7,
        }
    } else {
        Size {
            providers: 10_000,
            generated: 50,
            days: 30,
        }
    }
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

/// 10k providers: a third within 60 km of central Jakarta, the rest spread
/// over Indonesia; each offers the service and has three free slots ahead.
fn load_providers(app: &App, service: ServiceId, count: usize) -> Vec<ProviderId> {
    let mut rng = StdRng::seed_from_u64(7);
    let mut conn = app.database().writer();
    let tx = conn.transaction().unwrap();
    let stamp = to_db(now());
    let mut ids = Vec::with_capacity(count);
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
        for i in 0..count {
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
    let size = size();
    let mut bench = Bench::new(
        "scheduling",
        if harness::quick() {
            "scheduling-quick"
        } else {
            "scheduling-10k"
        },
    );
    let started = Instant::now();
    let providers = load_providers(&app, service_id, size.providers);
    let line = format!(
        "dataset: {} providers with {} slots, loaded in {:.1} s",
        size.providers,
        size.providers * 3,
        started.elapsed().as_secs_f64()
    );
    println!("{line}");
    bench.notes.push(line);

    // 1. Nearby search, 25 km around points in Jakarta, with the service filter.
    let mut rng = StdRng::seed_from_u64(11);
    bench.measure(
        "nearby",
        &format!("25 km, {} providers, 10 results with next slots", size.providers),
        Plan::new(20, 300, 5_000),
        || {
            let (lat, lng) = (
                -6.2088 + rng.random_range(-0.2..0.2),
                106.8456 + rng.random_range(-0.2..0.2),
            );
            let t = Instant::now();
            let out = call(
                "providers.nearby",
                json!({"lat": lat, "lng": lng, "radius_km": 25.0, "service_id": service_id, "limit": 10}),
            );
            let d = t.elapsed();
            assert!(!out["data"].as_array().unwrap().is_empty());
            d
        },
    );

    // 2. Slot generation: providers × days from a Mon–Sat working plan, each
    // provider one operation (one transaction), timed one by one.
    let plan = json!([0, 1, 2, 3, 4, 5].map(|d| json!({"weekday": d, "start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "13:00"}]})));
    let from = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
    let to = from + chrono::Duration::days(size.days - 1);
    let mut per_provider = Vec::new();
    let mut created = 0u64;
    let total = Instant::now();
    for p in providers.iter().skip(1).take(size.generated) {
        call("providers.working_plan.set", json!({"id": p, "days": plan}));
        let t = Instant::now();
        let out = call(
            "slots.generate",
            json!({"provider_id": p, "service_id": service_id, "from": from, "to": to}),
        );
        per_provider.push(t.elapsed());
        created += out["created"].as_u64().unwrap();
    }
    let line = format!(
        "generated {created} slots for {} providers × {} days in {:.3} s",
        size.generated,
        size.days,
        total.elapsed().as_secs_f64()
    );
    println!("{line}");
    bench.notes.push(line);
    bench.series(
        &format!(
            "slots/generate, one provider × {} days (one transaction)",
            size.days
        ),
        per_provider,
    );

    // 3. Booking a free slot, and a bare commit on the app's own writer (same
    // durability and checkpoint settings) for reference. Bookings rotate over
    // 500 customers, as at a real desk.
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
    bench.measure(
        "book",
        "a free slot (customer_id, address)",
        Plan::new(20, 300, 5_000),
        || {
            let slot = free.next().expect("enough free slots");
            let customer = next_customer.next().unwrap();
            let t = Instant::now();
            call(
                "bookings.create",
                json!({"customer_id": customer, "slot_id": slot, "address": "Jl. Sudirman 1"}),
            );
            t.elapsed()
        },
    );
    let on_writer = |sql: &str| app.database().writer().execute_batch(sql).unwrap();
    on_writer("CREATE TABLE bench_commit (x INTEGER)");
    bench.measure(
        "book",
        "bare one-row commit on the app's writer",
        Plan::new(20, 300, 5_000),
        || {
            let t = Instant::now();
            on_writer("BEGIN IMMEDIATE; INSERT INTO bench_commit VALUES (1); COMMIT");
            t.elapsed()
        },
    );
    finish(&mut bench, "Loket scheduling benchmarks", "");
}
