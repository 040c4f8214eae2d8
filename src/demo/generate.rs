//! The bulk generator: customers, units and bookings written with SQL in
//! one transaction on the app's writer, producing the rows the app itself
//! would store (UUID v7 ids, `CS-000001` / `UNIT-001` / `BK-2026-001` codes
//! with their `code_counters`, normalised phones, money in sen, instants in
//! the store's text form, and the priority columns, risk flags and first
//! segment-history row computed with [`priority::score`] and the settings,
//! exactly as the app does), plus one change-log `insert` row per record
//! with the record as the app serialises it, so head-office sync sees them.
//!
//! Everything except the UUIDs (which carry the real clock) follows from
//! `Spec::seed`. Staff and users exist beforehand (the caller creates them
//! through the app).

use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rusqlite::params;

use crate::booking::bookings::{self, BookingStatus, PaymentMethod};
use crate::booking::priority::{self, PaymentStatus, Priority, ScoreInput, Segment};
use crate::booking::units;
use crate::kernel::audit::{self, EntityKind};
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::Ctx;
use crate::kernel::types::{BookingId, CustomerId, Money, StaffId, UnitId, UserId};
use crate::people::customers;

use super::names::{CITIES, FAMILY, FEMALE, MAIL, MALE, NOTES, STREETS, UNIT_TYPES};

/// How much to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub customers: usize,
    pub units: usize,
    pub bookings: usize,
    /// Bookings that hold a unit (property bookings); the rest are event bookings.
    pub unit_bookings: usize,
    pub seed: u64,
    /// Events fall from this many days before today…
    pub days_before: i64,
    /// …to this many days after.
    pub days_after: i64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            customers: 20_000,
            units: 2_000,
            bookings: 100_000,
            unit_bookings: 900,
            seed: 0x004c_4f4b_4554, // "LOKET"
            days_before: 30,
            days_after: 60,
        }
    }
}

/// A generated customer, for picking booking customers (the benchmarks).
#[derive(Clone, Debug)]
pub struct GenCustomer {
    pub id: CustomerId,
    pub name: String,
    /// Normalised `628…`.
    pub phone: String,
}

/// What was written, with a few counts for the report.
#[derive(Debug)]
pub struct Dataset {
    pub customers: Vec<GenCustomer>,
    pub units: usize,
    pub bookings: usize,
    pub open_bookings: usize,
    pub by_status: [(BookingStatus, usize); 4],
    pub open_by_segment: [(Segment, usize); 3],
    pub risk_flags: usize,
    /// Open bookings flagged `double_booking`.
    pub double_booked: usize,
    pub elapsed: Duration,
}

/// A deterministic, unique Indonesian mobile number for customer `i`.
pub fn phone_of(i: usize) -> String {
    const PREFIX: &[&str] = &["812", "813", "811", "821", "822", "852", "857", "878"];
    // 7_919_317 is coprime with 10^8, so the 8-digit tails are distinct for i < 10^8.
    let tail = (i as u64 * 7_919_317 + 1_234_567) % 100_000_000;
    format!("62{}{tail:08}", PREFIX[i % PREFIX.len()])
}

struct Cust {
    name: String,
    male: bool,
    email: Option<String>,
    address: Option<String>,
    first_booking: Option<DateTime<Utc>>,
    last_booking: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
}

struct Bk {
    customer: usize,
    unit: Option<usize>,
    booking_date: NaiveDate,
    event_at: DateTime<Utc>,
    /// A booking without a slot is taken to last an hour (as the app stores it).
    event_end_at: DateTime<Utc>,
    event_date: NaiveDate,
    clients: u32,
    price: i64, // rupiah
    fee: i64,   // rupiah
    payment: PaymentStatus,
    payment_date: Option<NaiveDate>,
    method: Option<PaymentMethod>,
    status: BookingStatus,
    notes: Option<&'static str>,
    staff: Option<usize>,
    created_by: Option<usize>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
    priority: Option<Priority>,
    priority_at: DateTime<Utc>,
}

/// One of `from` (never empty: the lists above), drawn as `rand`'s
/// `choose` draws, so a seed gives the same data as it always has.
fn pick<T: Copy>(rng: &mut StdRng, from: &[T]) -> T {
    from[rng.random_range(0..from.len() as u32) as usize]
}

fn sen(rupiah: i64) -> i64 {
    rupiah * 100
}

/// Writes the dataset in the transaction of `ctx` (the app's writer), as of
/// `ctx.now`, with the settings of `ctx`. `users` and `staff` exist.
pub fn generate(
    ctx: &Ctx<'_>,
    spec: &Spec,
    users: &[UserId],
    staff: &[StaffId],
) -> Result<Dataset> {
    if spec.customers == 0 && spec.bookings > 0 {
        return Err(Error::validation(
            "customers",
            "bookings need at least one customer",
        ));
    }
    let (now, settings) = (ctx.now, &ctx.settings);
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let tz = settings.time_zone;
    let today = now.with_timezone(&tz).date_naive();
    // Hours, minutes and seconds are in range by construction; a local time
    // in a daylight-saving gap (not in Indonesia) is read as UTC.
    let local = |d: NaiveDate, h: u32, m: u32, s: u32| -> DateTime<Utc> {
        let naive = d.and_hms_opt(h, m, s).unwrap_or_default();
        tz.from_local_datetime(&naive)
            .earliest()
            .map_or_else(|| naive.and_utc(), |t| t.with_timezone(&Utc))
    };
    // The daily recalculation ran at 00:05 today.
    let recalculated_at = local(today, 0, 5, 0);

    // Customers: names and contact details now; creation time once their
    // first booking is known.
    let mut custs: Vec<Cust> = (0..spec.customers)
        .map(|i| {
            let male = rng.random_bool(0.45);
            let first = pick(&mut rng, if male { MALE } else { FEMALE });
            let family = pick(&mut rng, FAMILY);
            let name = format!("{first} {family}");
            let email = rng.random_bool(0.6).then(|| {
                format!(
                    "{}.{}{}@{}",
                    first.to_lowercase(),
                    family.to_lowercase(),
                    i,
                    pick(&mut rng, MAIL)
                )
            });
            let address = rng.random_bool(0.5).then(|| {
                format!(
                    "Jl. {} No. {}, {}",
                    pick(&mut rng, STREETS),
                    rng.random_range(1..200),
                    pick(&mut rng, CITIES)
                )
            });
            Cust {
                name,
                male,
                email,
                address,
                first_booking: None,
                last_booking: None,
                created_at: now,
            }
        })
        .collect();

    // Units: 300M..1.5B rupiah, created five months ago, one a minute.
    let unit_created = local(today - Days::days(150), 9, 0, 0);
    let unit_prices: Vec<i64> = (0..spec.units)
        .map(|_| rng.random_range(300..=1_500) * 1_000_000)
        .collect();

    // Bookings.
    let mut bks: Vec<Bk> = Vec::with_capacity(spec.bookings);
    for _ in 0..spec.bookings {
        let offset = rng.random_range(-spec.days_before..=spec.days_after);
        let event_date = today + Days::days(offset);
        let event_at = local(
            event_date,
            rng.random_range(7..=17),
            if rng.random_bool(0.5) { 0 } else { 30 },
            0,
        );
        let lead = rng.random_range(0..=45i64);
        let booking_date = (event_date - Days::days(lead)).min(today);
        let mut created_at = local(
            booking_date,
            rng.random_range(8..=19),
            rng.random_range(0..60),
            rng.random_range(0..60),
        );
        if created_at >= now {
            created_at = now - Days::minutes(rng.random_range(1..=120));
        }
        let passed = event_date < today;
        let r: f64 = rng.random();
        let status = if passed {
            match r {
                r if r < 0.60 => BookingStatus::Completed,
                r if r < 0.70 => BookingStatus::Canceled,
                r if r < 0.90 => BookingStatus::Active,
                _ => BookingStatus::Pending,
            }
        } else {
            match r {
                r if r < 0.45 => BookingStatus::Pending,
                r if r < 0.92 => BookingStatus::Active,
                _ => BookingStatus::Canceled,
            }
        };
        let r: f64 = rng.random();
        let payment = match status {
            BookingStatus::Pending if r < 0.70 => PaymentStatus::Pending,
            BookingStatus::Pending if r < 0.85 => PaymentStatus::Overdue,
            BookingStatus::Pending => PaymentStatus::Dp,
            BookingStatus::Active if r < 0.55 => PaymentStatus::Dp,
            BookingStatus::Active => PaymentStatus::Paid,
            BookingStatus::Completed if r < 0.95 => PaymentStatus::Paid,
            BookingStatus::Completed => PaymentStatus::Dp,
            BookingStatus::Canceled if r < 0.60 => PaymentStatus::Pending,
            BookingStatus::Canceled if r < 0.90 => PaymentStatus::Overdue,
            BookingStatus::Canceled => PaymentStatus::Dp,
        };
        let (payment_date, method) = if matches!(payment, PaymentStatus::Paid | PaymentStatus::Dp) {
            let room = (today - booking_date).num_days().clamp(0, 7);
            (
                Some(booking_date + Days::days(rng.random_range(0..=room))),
                Some(pick(
                    &mut rng,
                    &[
                        PaymentMethod::Transfer,
                        PaymentMethod::Transfer,
                        PaymentMethod::Cash,
                        PaymentMethod::Credit,
                        PaymentMethod::Check,
                    ],
                )),
            )
        } else {
            (None, None)
        };
        // Rp 500k..5M in steps of 50k.
        let price = rng.random_range(10..=100i64) * 50_000;
        let fee = if rng.random_bool(0.5) { 0 } else { price / 10 };
        let (updated_at, version) = match status {
            BookingStatus::Pending => (created_at, 1),
            BookingStatus::Active => (
                (created_at + Days::hours(rng.random_range(1..=72))).min(now),
                2,
            ),
            BookingStatus::Completed => ((event_at + Days::hours(6)).min(now), 3),
            BookingStatus::Canceled => (
                (created_at + Days::hours(rng.random_range(1..=96))).min(now),
                2,
            ),
        };
        bks.push(Bk {
            customer: rng.random_range(0..spec.customers),
            unit: None,
            booking_date,
            event_at,
            event_end_at: event_at + Days::minutes(60),
            event_date,
            clients: rng.random_range(1..=6),
            price,
            fee,
            payment,
            payment_date,
            method,
            status,
            notes: rng.random_bool(0.2).then(|| pick(&mut rng, NOTES)),
            staff: (!staff.is_empty() && rng.random_bool(0.7))
                .then(|| rng.random_range(0..staff.len())),
            created_by: (!users.is_empty()).then(|| rng.random_range(0..users.len())),
            created_at,
            updated_at,
            version,
            // Scored below, once unit prices are known.
            priority: None,
            priority_at: created_at,
        });
    }
    // A few hundred property bookings: one per unit, at the unit's price.
    let unit_bookings = spec.unit_bookings.min(spec.units).min(spec.bookings);
    for (u, &unit_price) in unit_prices.iter().enumerate().take(unit_bookings) {
        // 97 is coprime with any count that has only the factors 2 and 5,
        // so these picks are distinct for the default sizes.
        let i = (u * 97 + 13) % spec.bookings;
        let b = &mut bks[i];
        b.unit = Some(u);
        b.price = unit_price;
        b.fee = 5_000_000;
        b.clients = 1;
    }
    // Double bookings: open bookings of one customer whose times overlap.
    let mut open_of: Vec<Vec<usize>> = vec![Vec::new(); spec.customers];
    for (i, b) in bks.iter().enumerate() {
        if b.status.is_open() {
            open_of[b.customer].push(i);
        }
    }
    let mut overlaps = vec![false; bks.len()];
    for list in &open_of {
        for (k, &i) in list.iter().enumerate() {
            for &j in &list[k + 1..] {
                let (a, b) = (&bks[i], &bks[j]);
                if a.event_at < b.event_end_at && b.event_at < a.event_end_at {
                    overlaps[i] = true;
                    overlaps[j] = true;
                }
            }
        }
    }
    // Scores: open bookings as of today's recalculation, finished ones as of
    // the day they were closed (their score is kept from then).
    for (i, b) in bks.iter_mut().enumerate() {
        let open = b.status.is_open();
        let scored_on = if open {
            today
        } else {
            b.updated_at.with_timezone(&tz).date_naive()
        };
        b.priority = Some(priority::score(
            &ScoreInput {
                event_date: Some(b.event_date),
                payment: b.payment,
                price: Money::from_rupiah(b.price),
                clients: b.clients,
                open,
                overlaps_other: open && overlaps[i],
            },
            scored_on,
            settings,
        ));
        b.priority_at = if open {
            b.created_at.max(recalculated_at)
        } else {
            b.updated_at
        };
        let c = &mut custs[b.customer];
        c.first_booking = Some(
            c.first_booking
                .map_or(b.created_at, |t| t.min(b.created_at)),
        );
        c.last_booking = Some(c.last_booking.map_or(b.created_at, |t| t.max(b.created_at)));
    }
    // Codes and UUID v7 ids follow creation order, as they would in the app.
    bks.sort_by_key(|b| b.created_at);
    for c in &mut custs {
        c.created_at = match c.first_booking {
            Some(t) => t - Days::minutes(rng.random_range(1..=30)),
            None => local(
                today - Days::days(rng.random_range(1..=120)),
                rng.random_range(8..=19),
                rng.random_range(0..60),
                0,
            ),
        };
    }
    let mut order: Vec<usize> = (0..custs.len()).collect();
    order.sort_by_key(|&i| custs[i].created_at);
    let mut cust_ids = vec![CustomerId(uuid::Uuid::nil()); custs.len()];
    let cust_created: Vec<DateTime<Utc>> = custs.iter().map(|c| c.created_at).collect();
    let mut unit_ids: Vec<UnitId> = Vec::new();
    let mut booking_ids: Vec<(BookingId, DateTime<Utc>)> = Vec::with_capacity(bks.len());
    let mut customers = Vec::with_capacity(custs.len());

    let tx = ctx.conn;
    // A large page cache for the bulk write (the default 2 MB spills dirty
    // pages mid-transaction); the writer's own size comes back after.
    let cache: i64 = tx.query_row("PRAGMA cache_size", [], |r| r.get(0))?;
    tx.execute_batch("PRAGMA cache_size = -262144")?;
    let written = (|| -> Result<()> {
        {
            let mut ins = tx.prepare(
            "INSERT INTO customers (id, code, name, name_key, gender, phone, email, email_key, address,
                last_booking_at, created_at, updated_at, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
            for (n, &i) in order.iter().enumerate() {
                let c = &custs[i];
                let id = CustomerId(uuid::Uuid::now_v7());
                cust_ids[i] = id;
                let phone = phone_of(i);
                // A customer who booked again was updated (last booking, version).
                let bookings_after_first = c.last_booking != c.first_booking;
                ins.execute(params![
                    id,
                    format!("CS-{:06}", n + 1),
                    c.name,
                    crate::kernel::validate::name_key(&c.name),
                    if c.male { "male" } else { "female" },
                    phone,
                    c.email,
                    c.email.as_deref().map(str::to_lowercase),
                    c.address,
                    c.last_booking.map(to_db),
                    to_db(c.created_at),
                    to_db(c.last_booking.unwrap_or(c.created_at)),
                    if bookings_after_first { 2 } else { 1 },
                ])?;
                customers.push(GenCustomer {
                    id,
                    name: c.name.clone(),
                    phone,
                });
            }

            let mut unit_status = vec!["available"; spec.units];
            for (u, s) in unit_status.iter_mut().enumerate() {
                if u >= unit_bookings && u % 37 == 0 {
                    *s = "maintenance";
                }
            }
            for b in &bks {
                if let Some(u) = b.unit {
                    unit_status[u] = match b.status {
                        BookingStatus::Pending | BookingStatus::Active => "booked",
                        BookingStatus::Completed => "sold",
                        BookingStatus::Canceled => "available",
                    };
                }
            }
            let mut ins = tx.prepare(
            "INSERT INTO units (id, code, unit_type, block, number, price, land_area, building_area, bedrooms,
                bathrooms, garage, location, status, specifications, created_at, updated_at, version)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15, ?16)",
        )?;
            unit_ids.reserve(spec.units);
            for u in 0..spec.units {
                let id = UnitId(uuid::Uuid::now_v7());
                unit_ids.push(id);
                let t = UNIT_TYPES[u % UNIT_TYPES.len()];
                let block = format!("{}", (b'A' + (u / 100 % 20) as u8) as char);
                let bedrooms = 2 + (u % 3) as i64;
                ins.execute(params![
                    id,
                    format!("UNIT-{:03}", u + 1),
                    t,
                    block,
                    format!("{}", u % 100 + 1),
                    sen(unit_prices[u]),
                    72.0 + (u % 5) as f64 * 18.0,
                    36.0 + (u % 5) as f64 * 9.0,
                    bedrooms,
                    1 + (u % 2) as i64,
                    (u % 2) as i64,
                    "Perumahan Griya Loket, Bekasi",
                    unit_status[u],
                    r#"{"listrik":"2200 VA","air":"PDAM"}"#,
                    to_db(unit_created + Days::minutes(u as i64)),
                    if unit_status[u] == "available" { 1 } else { 2 },
                ])?;
            }

            let mut ins = tx.prepare(
            "INSERT INTO bookings (id, code, booking_date, event_at, client_count, price, booking_fee, payment_status,
                payment_date, payment_method, booking_status, notes, customer_id, unit_id, staff_id, created_by,
                priority_score, priority_segment, urgency_level, monetary_level, updated_priority_at, created_at,
                updated_at, version, event_end_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                ?21, ?22, ?23, ?24, ?25)",
        )?;
            let mut flag =
                tx.prepare("INSERT INTO booking_risk_flags (booking_id, flag) VALUES (?1, ?2)")?;
            let mut history = tx.prepare(
            "INSERT INTO booking_segment_history (booking_id, from_segment, to_segment, score, changed_at)
             VALUES (?1, NULL, ?2, ?3, ?4)",
        )?;
            let mut counters: std::collections::BTreeMap<i32, i64> = Default::default();
            for b in &bks {
                let id = BookingId(uuid::Uuid::now_v7());
                booking_ids.push((id, b.created_at));
                let year = b.booking_date.year();
                let n = counters.entry(year).or_insert(0);
                *n += 1;
                let p = b
                    .priority
                    .as_ref()
                    .ok_or_else(|| Error::internal("a generated booking was not scored"))?;
                ins.execute(params![
                    id,
                    format!("BK-{year}-{:03}", *n),
                    b.booking_date,
                    to_db(b.event_at),
                    b.clients,
                    sen(b.price),
                    sen(b.fee),
                    b.payment,
                    b.payment_date,
                    b.method,
                    b.status,
                    b.notes,
                    cust_ids[b.customer],
                    b.unit.map(|u| unit_ids[u]),
                    b.staff.map(|s| staff[s]),
                    b.created_by.map(|u| users[u]),
                    p.score,
                    p.segment,
                    p.urgency,
                    p.monetary,
                    to_db(b.priority_at),
                    to_db(b.created_at),
                    to_db(b.updated_at),
                    b.version,
                    to_db(b.event_end_at),
                ])?;
                for f in &p.risk_flags {
                    flag.execute(params![id, f])?;
                }
                history.execute(params![id, p.segment, p.score, to_db(b.created_at)])?;
            }

            let mut counter = tx.prepare(
                "INSERT INTO code_counters (scope, last) VALUES (?1, ?2)
             ON CONFLICT(scope) DO UPDATE SET last = max(last, excluded.last)",
            )?;
            counter.execute(params!["CS", spec.customers as i64])?;
            counter.execute(params!["UNIT", spec.units as i64])?;
            for (year, n) in &counters {
                counter.execute(params![format!("BK-{year}"), n])?;
            }
            let open = bks.iter().filter(|b| b.status.is_open()).count();
            tx.execute(
                "INSERT OR REPLACE INTO job_runs (name, last_run_at, last_result) VALUES
                ('booking_expiry', ?1, 'canceled 0'), ('priority_recalculation', ?1, ?2)",
                params![
                    to_db(recalculated_at),
                    format!("rescored {open}, 0 segment changes")
                ],
            )?;
        }
        // One change-log `insert` per record, with the record as the app
        // serialises it (what head-office sync sends), dated its creation.
        for (id, at) in cust_ids.iter().zip(&cust_created) {
            let c = customers::find(ctx, *id)?;
            audit::log_insert(ctx, EntityKind::Customer, &id.to_string(), &c, *at)?;
        }
        for (u, id) in unit_ids.iter().enumerate() {
            let unit = units::find(ctx.conn, *id)?;
            let at = unit_created + Days::minutes(u as i64);
            audit::log_insert(ctx, EntityKind::Unit, &id.to_string(), &unit, at)?;
        }
        for (id, at) in &booking_ids {
            let booking = bookings::find(ctx.conn, *id)?;
            audit::log_insert(ctx, EntityKind::Booking, &id.to_string(), &booking, *at)?;
        }
        let fk_violations: i64 =
            tx.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })?;
        if fk_violations > 0 {
            return Err(Error::internal(format!(
                "the generated rows break {fk_violations} foreign keys"
            )));
        }

        Ok(())
    })();
    tx.execute_batch(&format!("PRAGMA cache_size = {cache}"))?;
    written?;

    let count = |s: BookingStatus| bks.iter().filter(|b| b.status == s).count();
    let seg = |s: Segment| {
        bks.iter()
            .filter(|b| b.status.is_open() && b.priority.as_ref().map(|p| p.segment) == Some(s))
            .count()
    };
    Ok(Dataset {
        customers,
        units: spec.units,
        bookings: bks.len(),
        open_bookings: bks.iter().filter(|b| b.status.is_open()).count(),
        by_status: [
            (BookingStatus::Pending, count(BookingStatus::Pending)),
            (BookingStatus::Active, count(BookingStatus::Active)),
            (BookingStatus::Completed, count(BookingStatus::Completed)),
            (BookingStatus::Canceled, count(BookingStatus::Canceled)),
        ],
        open_by_segment: [
            (Segment::High, seg(Segment::High)),
            (Segment::Medium, seg(Segment::Medium)),
            (Segment::Low, seg(Segment::Low)),
        ],
        risk_flags: bks
            .iter()
            .filter_map(|b| b.priority.as_ref())
            .map(|p| p.risk_flags.len())
            .sum(),
        double_booked: overlaps.iter().filter(|o| **o).count(),
        elapsed: started.elapsed(),
    })
}
