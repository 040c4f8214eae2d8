//! Demo data (`loket demo`): a realistic data set in an empty data
//! directory, so a new user can try Loket with a busy desk's data and the
//! benchmarks and tests have one.
//!
//! What it writes:
//! - 5 staff, through the app (`staff.create`, audited one by one);
//! - customers (Indonesian names, unique `08…`/`62…` mobile numbers, e-mail
//!   and address for some), units and bookings, in one transaction with
//!   SQL ([`generate`]), scored with the app's own rules; events spread over
//!   the past three years and the next two months with the real status mix
//!   (past events mostly completed; future ones pending, active or
//!   canceled); one change-log `insert` row per record (what head-office sync
//!   pushes) and one audit entry for the whole run instead of one per row;
//! - services and providers around Jakarta with a Mon–Sat working plan and
//!   two weeks of free slots, through the app's own operations;
//! - the outbox: tomorrow's H-1 reminders and unpaid notices, queued by the
//!   reminder job itself.
//!
//! It refuses a data directory that already holds customers or bookings.

pub mod generate;
mod names;

use chrono::Duration as Days;
use serde::Serialize;
use serde_json::json;

use crate::App;
use crate::jobs::RunJob;
use crate::kernel::audit::{self, Action, EntityKind};
use crate::kernel::auth::Actor;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::from_json;
use crate::kernel::types::{ServiceId, StaffId, UserId};
use crate::people::staff::CreateStaff;
use crate::scheduling::providers::{CreateProvider, SetWorkingPlan};
use crate::scheduling::services::CreateService;
use crate::scheduling::slots::GenerateSlots;

pub use generate::{Dataset, Spec, phone_of};

/// What `loket demo` asks for.
#[derive(Clone, Copy, Debug)]
pub struct DemoSpec {
    pub bookings: usize,
    pub customers: usize,
    pub providers: usize,
    pub seed: u64,
}

/// What was written.
#[derive(Debug, Serialize)]
pub struct Demo {
    pub customers: usize,
    pub units: usize,
    pub bookings: usize,
    pub open_bookings: usize,
    pub providers: usize,
    pub slots: u64,
    pub messages: u64,
    pub change_log_rows: i64,
    pub seconds: f64,
}

/// Fills the empty data directory of `app` (see the module doc).
pub fn fill(app: &App, spec: &DemoSpec) -> Result<Demo> {
    let started = std::time::Instant::now();
    let existing: i64 = app.database().reader()?.query_row(
        "SELECT (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM bookings)",
        [],
        |r| r.get(0),
    )?;
    if existing > 0 {
        return Err(Error::conflict(
            "this data directory already has customers or bookings; demo data goes into an empty one (pass another --data-dir)",
        ));
    }
    let system = Actor::System;
    let staff: Vec<StaffId> = (1..=5)
        .map(|i| {
            let input: CreateStaff = from_json(json!({
                "name": format!("Staf Loket {i}"),
                "short_code": format!("Sales {i}"),
                "phone": phone_of(900_000 + i),
                "employment_status": "permanent",
            }))?;
            app.execute(&system, input).map(|s| s.id)
        })
        .collect::<Result<_>>()?;
    let users: Vec<UserId> = {
        let conn = app.database().reader()?;
        let mut stmt = conn.prepare("SELECT id FROM users ORDER BY created_at")?;
        stmt.query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?
    };
    // Units for a property office beside the studio's event bookings: about
    // one unit per 50 bookings, half of them taken by a booking.
    let units = (spec.bookings / 50).clamp(10, 5_000);
    let core = Spec {
        customers: spec.customers,
        units,
        bookings: spec.bookings,
        unit_bookings: units / 2,
        seed: spec.seed,
        days_before: 3 * 365,
        days_after: 60,
    };
    let data = app.write(&system, |ctx| {
        let data = generate::generate(ctx, &core, &users, &staff)?;
        audit::note(
            ctx,
            Action::Generate,
            EntityKind::AllBookings,
            "demo",
            &json!({
                "demo": true,
                "customers": data.customers.len(),
                "units": data.units,
                "bookings": data.bookings,
                "seed": spec.seed,
            }),
        )?;
        Ok(data)
    })?;

    let (providers, slots) = providers_and_slots(app, spec.providers)?;
    let reminders = app.execute(
        &system,
        RunJob {
            name: "reminders".into(),
        },
    )?;
    tracing::info!("demo: {}", reminders.result);
    let conn = app.database().reader()?;
    let count = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0));
    Ok(Demo {
        customers: data.customers.len(),
        units: data.units,
        bookings: data.bookings,
        open_bookings: data.open_bookings,
        providers,
        slots,
        messages: count("SELECT COUNT(*) FROM messages")? as u64,
        change_log_rows: count("SELECT COUNT(*) FROM change_log")?,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Three services and `n` providers within ~25 km of central Jakarta, each
/// offering them, with a Mon–Sat 09:00–17:00 plan (lunch 12–13) and slots
/// of the first service for the next 14 days: all through the app.
fn providers_and_slots(app: &App, n: usize) -> Result<(usize, u64)> {
    let system = Actor::System;
    let services: Vec<ServiceId> = [
        ("Makeup pengantin", 120, "2500000"),
        ("Makeup wisuda", 60, "450000"),
        ("Foto keluarga", 90, "1200000"),
    ]
    .into_iter()
    .map(|(name, minutes, price)| {
        let input: CreateService =
            from_json(json!({"name": name, "duration_min": minutes, "price": price}))?;
        app.execute(&system, input).map(|s| s.id)
    })
    .collect::<Result<_>>()?;
    let plan = json!([0, 1, 2, 3, 4, 5].map(|d| json!({
        "weekday": d, "start": "09:00", "end": "17:00",
        "breaks": [{"start": "12:00", "end": "13:00"}]
    })));
    let today = app.read(&system, |ctx| Ok(ctx.today()))?;
    let mut slots = 0;
    for i in 0..n {
        // A deterministic spiral around Monas, a few km apart.
        let (r, a) = (0.02 + 0.01 * (i % 20) as f64, i as f64 * 2.399_963);
        let input: CreateProvider = from_json(json!({
            "name": format!("MUA {} {}", names::FEMALE[i % names::FEMALE.len()], i + 1),
            "whatsapp_number": phone_of(800_000 + i),
            "latitude": -6.1754 + r * a.sin(),
            "longitude": 106.8272 + r * a.cos(),
            "service_ids": services,
        }))?;
        let provider = app.execute(&system, input)?;
        let input: SetWorkingPlan = from_json(json!({"id": provider.id, "days": plan}))?;
        app.execute(&system, input)?;
        let input: GenerateSlots = from_json(json!({
            "provider_id": provider.id,
            "service_id": services[0],
            "from": today + Days::days(1),
            "to": today + Days::days(14),
        }))?;
        slots += u64::from(app.execute(&system, input)?.created);
    }
    Ok((n, slots))
}
