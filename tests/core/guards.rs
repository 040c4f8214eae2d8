//! The database's own guards, alone: rows written straight into the real
//! SQLite file through connections of their own (as another process would),
//! past every check of the application, are still refused where the schema
//! says so. The race tests go through the application, which serialises on
//! `BEGIN IMMEDIATE` first; these show what is left when it does not.
//!
//! There is no database-level guard against two open bookings of one unit
//! (`bookings_unit` is a plain index): that rule is the application's alone.

use std::time::Duration;

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, ErrorCode};
use serde_json::{Value, json};

use crate::support::*;

/// A connection of its own to the app's database file.
fn raw(t: &TestApp) -> Connection {
    let c = Connection::open(t.data_dir().join("loket.db")).unwrap();
    c.busy_timeout(Duration::from_secs(5)).unwrap();
    c
}

fn new_id() -> Sql {
    Sql::Text(CustomerId::new().to_string())
}

fn text(s: &str) -> Sql {
    Sql::Text(s.to_owned())
}

/// Inserts a copy of row `id` of `table`, with `changes` applied and every
/// other column as it is.
fn insert_copy(
    c: &Connection,
    table: &str,
    id: &Value,
    changes: &[(&str, Sql)],
) -> rusqlite::Result<usize> {
    let columns: Vec<String> = c
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut params: Vec<Sql> = Vec::new();
    let select: Vec<String> = columns
        .iter()
        .map(|col| match changes.iter().find(|(k, _)| k == col) {
            Some((_, v)) => {
                params.push(v.clone());
                format!("?{}", params.len())
            }
            None => format!("\"{col}\""),
        })
        .collect();
    params.push(Sql::Text(id.as_str().expect("an id").to_owned()));
    let sql = format!(
        "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE id = ?{}",
        columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", "),
        select.join(", "),
        params.len()
    );
    c.execute(&sql, rusqlite::params_from_iter(params))
}

/// Asserts that SQLite refused the write by a unique constraint on `column`
/// (`table.column`).
#[track_caller]
fn assert_refused_by_unique(r: rusqlite::Result<usize>, column: &str) {
    match r {
        Err(rusqlite::Error::SqliteFailure(e, Some(msg))) => {
            assert_eq!(e.code, ErrorCode::ConstraintViolation, "{msg}");
            assert!(
                msg.contains(&format!("UNIQUE constraint failed: {column}")),
                "refused, but not by the guard on {column}: {msg}"
            );
        }
        other => {
            panic!("the database accepted a second row where {column} must be unique: {other:?}")
        }
    }
}

/// Column changes for a copied row: `(column, new value)`.
type Changes<'a> = Vec<(&'a str, Sql)>;

/// A served app with one service, one provider and two free slots (A, B),
/// and one booking on slot A; returns (server, slot B, the booking).
fn a_booked_slot_and_a_free_one(t: &TestApp) -> (Server, Value, Value) {
    let s = t.serve();
    let service = create_service(&s, "Makeup", 60, "500000");
    let provider = create_provider(&s, "Rina MUA", -6.2, 106.8, &[&service]);
    let slot = |starts_at: &str| add_slot(&s, &provider, &service, starts_at);
    let a = slot("2026-11-30T09:00");
    let b = slot("2026-11-30T11:00");
    let booking = s
        .post(
            "/bookings",
            json!({"slot_id": a["id"], "address": "Jl. Melati 5", "customer": customer("Sari", "081200000001")}),
        )
        .expect(201);
    (s, b, booking)
}

#[test]
fn the_open_slot_index_alone_refuses_a_second_open_booking_on_one_slot() {
    let t = TestApp::new();
    let (_s, free, booking) = a_booked_slot_and_a_free_one(&t);
    let (first, second) = (raw(&t), raw(&t));
    let on_free_slot = |code: &str, status: &str| {
        vec![
            ("id", new_id()),
            ("code", text(code)),
            (
                "slot_id",
                Sql::Text(free["id"].as_str().unwrap().to_owned()),
            ),
            ("booking_status", text(status)),
        ]
    };

    let held = on_free_slot("BK-GUARD-1", "pending");
    insert_copy(&first, "bookings", &booking["id"], &held).unwrap();
    for status in ["pending", "active"] {
        assert_refused_by_unique(
            insert_copy(
                &second,
                "bookings",
                &booking["id"],
                &on_free_slot("BK-GUARD-2", status),
            ),
            "bookings.slot_id",
        );
    }
    // Only open bookings hold a slot: a canceled one beside it is history.
    assert_eq!(
        insert_copy(
            &second,
            "bookings",
            &booking["id"],
            &on_free_slot("BK-GUARD-3", "canceled"),
        )
        .unwrap(),
        1
    );
    // Once the first is canceled, the slot takes an open booking again.
    first
        .execute(
            "UPDATE bookings SET booking_status = 'canceled' WHERE code = 'BK-GUARD-1'",
            [],
        )
        .unwrap();
    assert_eq!(
        insert_copy(
            &second,
            "bookings",
            &booking["id"],
            &on_free_slot("BK-GUARD-4", "active"),
        )
        .unwrap(),
        1
    );
}

#[test]
fn codes_are_unique_in_the_database_itself() {
    let t = TestApp::new();
    let (s, _free, booking) = a_booked_slot_and_a_free_one(&t);
    let unit = create_unit(&s, 100_000_000);
    let staff = s
        .post("/staff", json!({"name": "Rina Marketing"}))
        .expect(201);
    let customer = s
        .get(&format!(
            "/customers/{}",
            booking["customer_id"].as_str().unwrap()
        ))
        .expect(200);
    let c = raw(&t);

    // Each copy gets a new id (and a free phone, no slot): only the code repeats.
    let copies = [
        (
            "bookings",
            &booking,
            Changes::from([("id", new_id()), ("slot_id", Sql::Null)]),
            "bookings.code",
        ),
        (
            "customers",
            &customer,
            vec![("id", new_id()), ("phone", text("6281299999999"))],
            "customers.code",
        ),
        ("units", &unit, vec![("id", new_id())], "units.code"),
        ("staff", &staff, vec![("id", new_id())], "staff.staff_code"),
    ];
    for (table, row, changes, column) in copies {
        assert_refused_by_unique(insert_copy(&c, table, &row["id"], &changes), column);
    }
}

#[test]
fn one_live_customer_per_phone_one_live_vehicle_per_plate_and_one_message_per_key() {
    let t = TestApp::new();
    let (s, _free, booking) = a_booked_slot_and_a_free_one(&t);
    let customer_id = booking["customer_id"].clone();
    let vehicle = s
        .post(
            "/vehicles",
            json!({"customer_id": customer_id, "model": "Toyota Avanza", "plate_number": "B 1234 CD"}),
        )
        .expect(201);
    let message = &s.get("/messages?page_size=1").expect(200)["data"][0];
    assert!(message["id"].is_string(), "the booking queued a message");
    let c = raw(&t);

    let customer_copy = || {
        vec![
            ("id", new_id()),
            ("code", text(&format!("CS-GUARD-{}", CustomerId::new()))),
        ]
    };
    assert_refused_by_unique(
        insert_copy(&c, "customers", &customer_id, &customer_copy()),
        "customers.phone",
    );
    assert_refused_by_unique(
        insert_copy(&c, "vehicles", &vehicle["id"], &[("id", new_id())]),
        "vehicles.plate_key",
    );
    assert_refused_by_unique(
        insert_copy(&c, "messages", &message["id"], &[("id", new_id())]),
        "messages.dedupe_key",
    );
    // The phone and plate guards are for live rows only: a deleted one
    // leaves its phone and plate free.
    c.execute(
        "UPDATE customers SET deleted_at = '2026-11-22T03:00:00.000Z' WHERE id = ?1",
        [customer_id.as_str().unwrap()],
    )
    .unwrap();
    assert_eq!(
        insert_copy(&c, "customers", &customer_id, &customer_copy()).unwrap(),
        1
    );
    c.execute(
        "UPDATE vehicles SET deleted_at = '2026-11-22T03:00:00.000Z' WHERE id = ?1",
        [vehicle["id"].as_str().unwrap()],
    )
    .unwrap();
    assert_eq!(
        insert_copy(&c, "vehicles", &vehicle["id"], &[("id", new_id())]).unwrap(),
        1
    );
}
