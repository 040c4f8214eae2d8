#![allow(dead_code)] // shared by several benches, each using a part
//! Bulk data generator for the benchmarks: customers, units and bookings
//! written straight into `loket.db` with SQL, in one transaction, producing
//! the rows the app itself would store (UUID v7 ids, `CS-000001` /
//! `UNIT-001` / `BK-2026-001` codes with their `code_counters`, normalised
//! phones, money in sen, instants from `loket::kernel::clock::to_db`, and the priority
//! columns, risk flags and first segment-history row computed with
//! `loket::booking::priority::score` and the settings, exactly as the app does).
//!
//! Everything except the UUIDs (which carry the real clock) follows from
//! `Spec::seed`. Staff and users are created through the app beforehand and
//! passed in, so their rows (and password hashes) are the app's own.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{DateTime, Datelike, Duration as Days, NaiveDate, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rusqlite::{Connection, params};

use loket::booking::bookings::{BookingStatus, PaymentMethod};
use loket::booking::priority::{self, PaymentStatus, Priority, ScoreInput, Segment};
use loket::kernel::clock::to_db;
use loket::kernel::settings::Settings;
use loket::kernel::types::{BookingId, CustomerId, Money, StaffId, UnitId, UserId};

/// How much to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub customers: usize,
    pub units: usize,
    pub bookings: usize,
    /// Bookings that hold a unit (property bookings); the rest are event bookings.
    pub unit_bookings: usize,
    pub seed: u64,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            customers: 20_000,
            units: 2_000,
            bookings: 100_000,
            unit_bookings: 900,
            seed: 0x004c_4f4b_4554, // "LOKET"
        }
    }
}

impl Spec {
    /// The quick mode's data (see harness.rs): the same shape, 50 times smaller.
    pub fn quick() -> Spec {
        Spec {
            customers: 400,
            units: 40,
            bookings: 2_000,
            unit_bookings: 18,
            ..Spec::default()
        }
    }

    /// The dataset's short name in BENCHMARKS.md.
    pub fn name(&self) -> &'static str {
        if self.bookings == Spec::default().bookings {
            "core-100k"
        } else {
            "core-quick"
        }
    }
}

/// A generated customer, for picking booking customers in the benchmarks.
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

const MALE: &[&str] = &[
    "Agus",
    "Budi",
    "Dedi",
    "Eko",
    "Fajar",
    "Hendra",
    "Irfan",
    "Joko",
    "Kurniawan",
    "Lukman",
    "Made",
    "Nanda",
    "Oki",
    "Putu",
    "Rizky",
    "Slamet",
    "Taufik",
    "Wahyu",
    "Yusuf",
    "Zainal",
    "Andi",
    "Bayu",
    "Dimas",
    "Gilang",
    "Hadi",
    "Ilham",
    "Reza",
    "Teguh",
    "Yoga",
    "Arif",
];
const FEMALE: &[&str] = &[
    "Ayu", "Bunga", "Citra", "Dewi", "Endah", "Fitri", "Gita", "Hana", "Indah", "Kartika",
    "Lestari", "Maya", "Nur", "Putri", "Ratna", "Sari", "Tari", "Utami", "Wulan", "Yuni", "Anisa",
    "Dian", "Intan", "Kirana", "Melati", "Novi", "Rina", "Siti", "Vina", "Zahra",
];
const FAMILY: &[&str] = &[
    "Santoso",
    "Wijaya",
    "Saputra",
    "Hidayat",
    "Pratama",
    "Kusuma",
    "Setiawan",
    "Nugroho",
    "Siregar",
    "Nasution",
    "Lubis",
    "Harahap",
    "Simanjuntak",
    "Sitompul",
    "Wibowo",
    "Susanto",
    "Gunawan",
    "Halim",
    "Tanjung",
    "Purnomo",
    "Hakim",
    "Rahman",
    "Syahputra",
    "Utomo",
    "Permana",
    "Firmansyah",
    "Ramadhan",
    "Maulana",
    "Anggraini",
    "Lestari",
    "Suryadi",
    "Hartono",
    "Salim",
    "Effendi",
    "Sembiring",
    "Ginting",
    "Tarigan",
    "Pane",
    "Damanik",
    "Manurung",
    "Situmorang",
    "Kurniawati",
    "Handoko",
    "Sulistyo",
    "Prasetyo",
    "Kartono",
    "Wahyudi",
    "Irawan",
    "Sinaga",
    "Pohan",
];
const STREETS: &[&str] = &[
    "Sudirman",
    "Thamrin",
    "Gatot Subroto",
    "Diponegoro",
    "Ahmad Yani",
    "Merdeka",
    "Pemuda",
    "Veteran",
    "Kartini",
    "Hayam Wuruk",
    "Gajah Mada",
    "Pahlawan",
    "Asia Afrika",
    "Malioboro",
];
const CITIES: &[&str] = &[
    "Jakarta Selatan",
    "Bandung",
    "Surabaya",
    "Medan",
    "Yogyakarta",
    "Semarang",
    "Depok",
    "Bekasi",
    "Tangerang",
    "Bogor",
    "Denpasar",
    "Makassar",
];
const MAIL: &[&str] = &["gmail.com", "yahoo.co.id", "outlook.com", "mail.id"];
const NOTES: &[&str] = &[
    "Makeup pengantin + 2 pendamping",
    "Minta datang 2 jam sebelum acara",
    "Prewedding outdoor",
    "Wisuda, 3 orang",
    "Lamaran, tema adat Jawa",
    "Konfirmasi ulang H-3",
];
const UNIT_TYPES: &[&str] = &[
    "Type 36/72",
    "Type 45/90",
    "Type 54/120",
    "Type 70/150",
    "Ruko 2 Lantai",
];

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

fn sen(rupiah: i64) -> i64 {
    rupiah * 100
}

/// Writes the dataset into the database at `db_path` (already migrated by
/// `App::open`). `now` is the app clock's "now"; `users` and `staff` exist.
pub fn generate(
    db_path: &Path,
    spec: &Spec,
    now: DateTime<Utc>,
    settings: &Settings,
    users: &[UserId],
    staff: &[StaffId],
) -> rusqlite::Result<Dataset> {
    let started = Instant::now();
    let mut rng = StdRng::seed_from_u64(spec.seed);
    let tz = settings.time_zone;
    let today = now.with_timezone(&tz).date_naive();
    let local = |d: NaiveDate, h: u32, m: u32, s: u32| -> DateTime<Utc> {
        tz.from_local_datetime(&d.and_hms_opt(h, m, s).expect("valid time"))
            .earliest()
            .expect("no gap in the business time zone")
            .with_timezone(&Utc)
    };
    // The daily recalculation ran at 00:05 today.
    let recalculated_at = local(today, 0, 5, 0);

    // Customers: names and contact details now; creation time once their
    // first booking is known.
    let mut custs: Vec<Cust> = (0..spec.customers)
        .map(|i| {
            let male = rng.random_bool(0.45);
            let first = *(if male { MALE } else { FEMALE }).choose(&mut rng).unwrap();
            let family = *FAMILY.choose(&mut rng).unwrap();
            let name = format!("{first} {family}");
            let email = rng.random_bool(0.6).then(|| {
                format!(
                    "{}.{}{}@{}",
                    first.to_lowercase(),
                    family.to_lowercase(),
                    i,
                    MAIL.choose(&mut rng).unwrap()
                )
            });
            let address = rng.random_bool(0.5).then(|| {
                format!(
                    "Jl. {} No. {}, {}",
                    STREETS.choose(&mut rng).unwrap(),
                    rng.random_range(1..200),
                    CITIES.choose(&mut rng).unwrap()
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
        let offset = rng.random_range(-30..=60i64);
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
                Some(
                    *[
                        PaymentMethod::Transfer,
                        PaymentMethod::Transfer,
                        PaymentMethod::Cash,
                        PaymentMethod::Credit,
                        PaymentMethod::Check,
                    ]
                    .choose(&mut rng)
                    .unwrap(),
                ),
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
            notes: rng
                .random_bool(0.2)
                .then(|| *NOTES.choose(&mut rng).unwrap()),
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
    let mut customers = Vec::with_capacity(custs.len());

    let mut conn = Connection::open(db_path)?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.execute_batch(
        "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -262144;",
    )?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
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
            assert_eq!(
                loket::kernel::validate::phone(&phone, "phone")
                    .ok()
                    .as_ref(),
                Some(&phone)
            );
            // A customer who booked again was updated (last booking, version).
            let bookings_after_first = c.last_booking != c.first_booking;
            ins.execute(params![
                id,
                format!("CS-{:06}", n + 1),
                c.name,
                loket::kernel::validate::name_key(&c.name),
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
        let mut unit_ids = Vec::with_capacity(spec.units);
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
            let year = b.booking_date.year();
            let n = counters.entry(year).or_insert(0);
            *n += 1;
            let p = b.priority.as_ref().expect("scored");
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
    tx.commit()?;
    // Leave the main file complete and the WAL empty, as after a quiet night.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    let fk_violations: i64 =
        conn.query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })?;
    assert_eq!(fk_violations, 0, "generated rows break a foreign key");
    drop(conn);

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
