//! Each kind of mutation writes exactly its audit entries and change-log
//! rows, pairwise alike, in order; each failed operation writes neither.

use serde_json::{Value, json};

use super::*;

/// An app served over HTTP, its admin client, and a front-desk clerk
/// ("kasir") logged in.
struct Desk {
    t: TestApp,
    s: Server,
    clerk: Server,
}

fn desk() -> Desk {
    let t = TestApp::new();
    let s = t.serve();
    let clerk = t.login_as(&s, "kasir", Role::FrontDesk);
    Desk { t, s, clerk }
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

fn book(s: &Server, body: Value) -> Value {
    s.post("/bookings", body).expect(201)
}

fn new_customer(s: &Server, name: &str, phone: &str) -> Value {
    s.post("/customers", json!({"name": name, "phone": phone}))
        .expect(201)
}

/// A unit sold through a completed booking: returns (unit, booking).
fn sold_unit(s: &Server) -> (Value, Value) {
    let unit = create_unit(s, 350_000_000);
    let sale = book(
        s,
        json!({"customer": customer("Ani", "081255556666"), "unit_id": unit["id"]}),
    );
    for status in ["active", "completed"] {
        s.put(
            &format!("/bookings/{}", id(&sale)),
            json!({"booking_status": status}),
        )
        .expect(200);
    }
    (unit, sale)
}

#[test]
fn creating_and_updating_staff_users_settings_units_and_customers_writes_one_of_each() {
    let Desk { t, s, .. } = desk();
    let mut w = Watch::new(&t);

    let staff = s
        .post("/staff", json!({"name": "Rina Marketing"}))
        .expect(201);
    w.step("create staff", &[("staff", "create", "insert")]);
    s.put(
        &format!("/staff/{}", id(&staff)),
        json!({"phone": "081211112222"}),
    )
    .expect(200);
    w.step("update staff", &[("staff", "update", "update")]);
    let user = s
        .post(
            "/users",
            json!({"username": "penjual", "password": PASSWORD, "role": "sales"}),
        )
        .expect(201);
    w.step("create user", &[("user", "create", "insert")]);
    s.put(
        &format!("/users/{}", id(&user)),
        json!({"role": "marketing"}),
    )
    .expect(200);
    w.step("update user", &[("user", "update", "update")]);
    s.put("/settings", json!({"business_name": "Studio Ayu"}))
        .expect(200);
    w.step("update settings", &[("settings", "update", "update")]);
    let unit = create_unit(&s, 350_000_000);
    w.step("create unit", &[("unit", "create", "insert")]);
    s.put(
        &format!("/units/{}", id(&unit)),
        json!({"location": "Hook"}),
    )
    .expect(200);
    w.step("update unit", &[("unit", "update", "update")]);
    let cust = new_customer(&s, "Budi", "081233334444");
    w.step("create customer", &[("customer", "create", "insert")]);
    s.put(
        &format!("/customers/{}", id(&cust)),
        json!({"address": "Jl. Mawar 2"}),
    )
    .expect(200);
    w.step("update customer", &[("customer", "update", "update")]);
}

#[test]
fn a_booking_writes_its_customer_its_unit_and_itself_in_that_order() {
    let Desk { t, s, .. } = desk();
    let unit = create_unit(&s, 350_000_000);
    let mut w = Watch::new(&t);

    let sale = book(
        &s,
        json!({"customer": customer("Ani", "081255556666"), "unit_id": unit["id"]}),
    );
    let rows = w.step(
        "book a unit for a new customer",
        &[
            ("customer", "create", "insert"),
            ("unit", "booked", "update"),
            ("booking", "create", "insert"),
        ],
    );
    assert_eq!(rows[0].0.entity_id, sale["customer_id"].as_str().unwrap());
    assert_eq!(rows[1].0.entity_id, id(&unit));
    assert_eq!(rows[1].1.snapshot["status"], "booked");
    assert_eq!(rows[2].0.entity_id, id(&sale));
    assert_eq!(rows[2].1.snapshot["code"], sale["code"]);
}

#[test]
fn a_known_phone_edits_its_customer_only_when_it_brings_something_new() {
    let Desk { t, s, .. } = desk();
    let first = book(
        &s,
        json!({"customer": customer("Ani", "081255556666"), "price": "500000"}),
    );
    let mut w = Watch::new(&t);

    // A known phone that brings nothing new: the customer's
    // last_booking_at is derived from the bookings, not an edit.
    book(
        &s,
        json!({"customer": customer("Ani", "+62 812 5555 6666"), "price": "500000"}),
    );
    w.step("book for a known phone", &[("booking", "create", "insert")]);
    // A known phone with a new address: that is an edit of the customer.
    book(
        &s,
        json!({"customer": {"name": "Ani", "phone": "081255556666", "address": "Jl. Kenanga 5"}, "price": "500000"}),
    );
    let rows = w.step(
        "book for a known phone with a new address",
        &[
            ("customer", "upsert", "update"),
            ("booking", "create", "insert"),
        ],
    );
    assert_eq!(rows[0].1.snapshot["address"], "Jl. Kenanga 5");
    let ani = s
        .get(&format!(
            "/customers/{}",
            first["customer_id"].as_str().unwrap()
        ))
        .expect(200);
    assert_eq!(ani["version"], 2, "one edit, whatever the bookings");
}

#[test]
fn a_booking_by_customer_id_is_one_row_and_names_the_user_who_made_it() {
    let Desk { t, s, clerk } = desk();
    let cust = new_customer(&s, "Budi", "081233334444");
    let mut w = Watch::new(&t);

    book(&s, json!({"customer_id": cust["id"], "price": "750000"}));
    w.step("book by customer id", &[("booking", "create", "insert")]);
    let budi = s.get(&format!("/customers/{}", id(&cust))).expect(200);
    assert_eq!(budi["last_booking_at"], "2026-11-22T03:00:00.000Z");
    book(
        &clerk,
        json!({"customer_id": cust["id"], "price": "100000"}),
    );
    let rows = w.step("book as the clerk", &[("booking", "create", "insert")]);
    assert!(rows.iter().all(|(a, _)| a.username == "kasir"));
}

#[test]
fn a_bookings_changes_of_status_write_the_booking_and_its_unit() {
    let Desk { t, s, clerk } = desk();
    let cust = new_customer(&s, "Budi", "081233334444");
    let unit = create_unit(&s, 350_000_000);
    let sale = book(
        &s,
        json!({"customer": customer("Ani", "081255556666"), "unit_id": unit["id"]}),
    );
    let by_id = book(&s, json!({"customer_id": cust["id"], "price": "750000"}));
    let by_clerk = book(
        &clerk,
        json!({"customer_id": cust["id"], "price": "100000"}),
    );
    let repeat = book(
        &s,
        json!({"customer": customer("Ani", "+62 812 5555 6666"), "price": "500000"}),
    );
    let mut w = Watch::new(&t);

    s.put(
        &format!("/bookings/{}", id(&by_id)),
        json!({"notes": "DP minggu depan"}),
    )
    .expect(200);
    w.step("update booking", &[("booking", "update", "update")]);
    s.put(
        &format!("/bookings/{}", id(&sale)),
        json!({"booking_status": "active"}),
    )
    .expect(200);
    w.step("activate booking", &[("booking", "confirm", "update")]);
    s.put(
        &format!("/bookings/{}", id(&sale)),
        json!({"booking_status": "completed"}),
    )
    .expect(200);
    w.step(
        "complete booking",
        &[
            ("unit", "sold", "update"),
            ("booking", "complete", "update"),
        ],
    );
    s.delete(&format!("/bookings/{}", id(&repeat))).expect(200);
    w.step(
        "cancel booking without unit",
        &[("booking", "cancel", "update")],
    );
    let unit2 = create_unit(&s, 200_000_000);
    let held = book(
        &s,
        json!({"customer_id": cust["id"], "unit_id": unit2["id"]}),
    );
    w.step(
        "book a second unit",
        &[
            ("unit", "create", "insert"),
            ("unit", "booked", "update"),
            ("booking", "create", "insert"),
        ],
    );
    clerk
        .delete(&format!("/bookings/{}", id(&held)))
        .expect(200);
    w.step(
        "cancel booking with unit",
        &[
            ("unit", "released", "update"),
            ("booking", "cancel", "update"),
        ],
    );
    s.delete(&format!("/bookings/{}", id(&by_id))).expect(200);
    s.delete(&format!("/bookings/{}", id(&by_clerk)))
        .expect(200);
    w.step(
        "cancel two more",
        &[
            ("booking", "cancel", "update"),
            ("booking", "cancel", "update"),
        ],
    );
}

#[test]
fn a_delete_logs_the_record_as_it_was() {
    let Desk { t, s, .. } = desk();
    let cust = new_customer(&s, "Budi", "081233334444");
    let unit = create_unit(&s, 200_000_000);
    let mut w = Watch::new(&t);

    s.delete(&format!("/customers/{}", id(&cust))).expect(200);
    let rows = w.step("delete customer", &[("customer", "delete", "delete")]);
    assert_eq!(
        rows[0].1.snapshot["code"], cust["code"],
        "a delete logs the record as it was"
    );
    s.delete(&format!("/units/{}", id(&unit))).expect(200);
    w.step("delete unit", &[("unit", "delete", "delete")]);
}

#[test]
fn failed_operations_write_neither() {
    let Desk { t, s, clerk } = desk();
    let admin_id = s.get("/auth/me").expect(200)["id"].clone();
    let (unit, sale) = sold_unit(&s);
    let mut w = Watch::new(&t);

    s.post(
        "/bookings",
        json!({"customer": customer("Citra", "081277778888"), "unit_id": unit["id"]}),
    )
    .expect_error(409, "conflict", None);
    w.nothing("booking a sold unit");
    s.put(&format!("/bookings/{}", id(&sale)), json!({"notes": "x"}))
        .expect_error(409, "conflict", None);
    w.nothing("changing a completed booking");
    s.put(
        &format!("/customers/{}", sale["customer_id"].as_str().unwrap()),
        json!({"version": 99, "address": "x"}),
    )
    .expect_error(409, "conflict", None);
    w.nothing("stale customer version");
    s.post("/customers", json!({"name": "X", "phone": "081200000000"}))
        .expect_error(422, "validation", Some("name"));
    w.nothing("invalid customer");
    s.post(
        "/units",
        json!({"unit_type": "T", "price": "1", "code": unit["code"]}),
    )
    .expect_error(422, "validation", Some("code"));
    w.nothing("duplicate unit code");
    s.put(
        &format!("/users/{}", admin_id.as_str().unwrap()),
        json!({"role": "sales"}),
    )
    .expect_error(409, "conflict", None);
    w.nothing("demoting the last admin");
    clerk
        .post("/units", json!({"unit_type": "T", "price": "1"}))
        .expect_error(403, "forbidden", None);
    w.nothing("forbidden unit create");
    let open = book(
        &s,
        json!({"customer": customer("Dewi", "081299990000"), "price": "100000"}),
    );
    w.step(
        "a new booking",
        &[
            ("customer", "create", "insert"),
            ("booking", "create", "insert"),
        ],
    );
    s.delete(&format!(
        "/customers/{}",
        open["customer_id"].as_str().unwrap()
    ))
    .expect_error(409, "conflict", None);
    w.nothing("deleting a customer with an open booking");
}

#[test]
fn the_change_log_is_strictly_ordered_with_one_row_per_recorded_mutation() {
    let Desk { t, s, clerk } = desk();
    // Mutations of several kinds, a failed one, and two logins.
    s.post("/staff", json!({"name": "Rina Marketing"}))
        .expect(201);
    let (_, sale) = sold_unit(&s);
    let cust = new_customer(&s, "Budi", "081233334444");
    book(
        &clerk,
        json!({"customer_id": cust["id"], "price": "100000"}),
    );
    s.put(&format!("/bookings/{}", id(&sale)), json!({"notes": "x"}))
        .expect_error(409, "conflict", None);
    let w = Watch::new(&t);

    // Logins are audited but change no synced data.
    let all = changes_since(&w.db, 0);
    assert!(
        all.windows(2).all(|p| p[0].seq < p[1].seq),
        "seq strictly increasing"
    );
    let mutations: i64 = w
        .db
        .query_row("SELECT COUNT(*) FROM audit_log WHERE before_json IS NOT NULL OR after_json IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        all.len(),
        12,
        "users 2 (admin, kasir), staff 1, unit 1, booking of a unit 3, activate 1, complete 2, \
         customer 1, the clerk's booking 1"
    );
    assert_eq!(all.len() as i64, mutations);
    let logins: i64 =
        w.db.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logins, 2, "admin and clerk logged in once each");
}
