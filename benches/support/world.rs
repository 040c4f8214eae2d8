#![allow(dead_code)] // shared by several benches, each using a part
//! A benchmark's world: a fresh data directory, the app on it with a fixed
//! clock, staff and users created through the app, and the generated dataset.
//! `LOKET_BENCH_DIR` picks where the directory goes (default: the system temp
//! dir); `LOKET_BENCH_KEEP=1` keeps it afterwards.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::Connection;

use loket::App;
use loket::kernel::auth::{Actor, Role, SessionUser};
use loket::kernel::clock::FixedClock;
use loket::kernel::fields::{Phone, Text};
use loket::kernel::types::{StaffId, UserId};
use loket::people::staff::{CreateStaff, EmploymentStatus};
use loket::people::users::CreateUser;

pub use loket::demo::generate::Spec;
use loket::demo::generate::{self, Dataset};

/// 2026-11-22 10:00 in Jakarta, as in the tests.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

/// The quick mode's data (see harness.rs): the same shape, 50 times smaller.
pub fn quick_spec() -> Spec {
    Spec {
        customers: 400,
        units: 40,
        bookings: 2_000,
        unit_bookings: 18,
        ..Spec::default()
    }
}

/// The dataset's short name in BENCHMARKS.md.
pub fn spec_name(spec: &Spec) -> &'static str {
    if spec.bookings == Spec::default().bookings {
        "core-100k"
    } else {
        "core-quick"
    }
}

pub struct World {
    pub _dir: Option<tempfile::TempDir>,
    pub db_path: std::path::PathBuf,
    pub app: App,
    pub clock: Arc<FixedClock>,
    pub admin: Actor,
    pub data: Dataset,
}

pub fn setup(spec: &Spec) -> World {
    let base = std::env::var_os("LOKET_BENCH_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::Builder::new()
        .prefix("loket-bench-")
        .tempdir_in(&base)
        .expect("temp data dir");
    let path = dir.path().to_owned();
    let clock = Arc::new(FixedClock::new(start_time()));
    let app = App::open_with_clock(&path, clock.clone()).expect("open app");

    // Staff and users through the app itself (real password hashes, audit).
    let staff: Vec<StaffId> = (1..=5)
        .map(|i| {
            app.execute(
                &Actor::System,
                CreateStaff {
                    staff_code: None,
                    name: Text::parse(&format!("Staf Loket {i}")).expect("staff name"),
                    short_code: Some(Text::parse(&format!("Sales {i}")).expect("short code")),
                    phone: Some(Phone::parse(&generate::phone_of(900_000 + i)).expect("phone")),
                    email: None,
                    employment_status: Some(EmploymentStatus::Permanent),
                    active: Some(true),
                },
            )
            .expect("create staff")
            .id
        })
        .collect();
    let mut users: Vec<UserId> = Vec::new();
    let admin = app
        .execute(
            &Actor::System,
            CreateUser {
                username: "admin".into(),
                password: "rahasia-123".into(),
                role: Role::Admin,
                staff_id: None,
            },
        )
        .expect("create admin");
    users.push(admin.id);
    for (i, s) in staff.iter().take(3).enumerate() {
        let u = app
            .execute(
                &Actor::System,
                CreateUser {
                    username: format!("desk{}", i + 1),
                    password: "rahasia-123".into(),
                    role: Role::FrontDesk,
                    staff_id: Some(*s),
                },
            )
            .expect("create user");
        users.push(u.id);
    }
    let admin = Actor::User(SessionUser {
        id: admin.id,
        username: admin.username,
        role: admin.role,
        staff_id: None,
        session: None,
    });

    let db_path = path.join("loket.db");
    let data = app
        .write(&Actor::System, |ctx| {
            generate::generate(ctx, spec, &users, &staff)
        })
        .expect("generate dataset");
    // Leave the main file complete and the WAL empty, as after a quiet night.
    side_connection(&db_path)
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .expect("checkpoint");
    let keep = std::env::var_os("LOKET_BENCH_KEEP").is_some_and(|v| v == "1");
    World {
        _dir: if keep {
            println!("keeping the data directory {}", dir.keep().display());
            None
        } else {
            Some(dir)
        },
        db_path,
        app,
        clock,
        admin,
        data,
    }
}

/// A connection of our own on the app's database file, with the app's
/// durability and checkpoint settings (no checkpoint inside a commit).
pub fn side_connection(db: &Path) -> Connection {
    let conn = Connection::open(db).expect("open side connection");
    conn.busy_timeout(Duration::from_secs(5)).unwrap();
    conn.execute_batch("PRAGMA synchronous = FULL; PRAGMA wal_autocheckpoint = 0;")
        .unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let sync: i64 = conn
        .query_row("PRAGMA synchronous", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sync, 2, "synchronous=FULL");
    conn
}
