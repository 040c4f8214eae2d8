//! A booking upserts its customer; a failed booking leaves the customer master untouched.

use chrono::Duration;
use serde_json::{Value, json};

use super::*;

#[test]
fn a_booking_upserts_its_customer() {
    let t = TestApp::new();
    let s = t.serve();
    s.keep_sessions_idle_all_day();
    let book = |customer: Value| {
        s.post(
            "/bookings",
            json!({"customer": customer, "price": "500000"}),
        )
    };

    // (a) A new customer is created with the next code.
    let b1 = book(json!({"name": "Ani Susanti", "phone": "0812-1111-2222"})).expect(201);
    assert_eq!(b1["customer_created"], true);
    assert_eq!(b1["customer_code"], "CS-000001");
    assert_eq!(b1["possible_duplicate_of"], json!([]));
    let ani = b1["customer_id"].as_str().unwrap().to_owned();
    let ani_path = format!("/customers/{ani}");
    let first = s.get(&ani_path).expect(200);
    assert_eq!(first["last_booking_at"], "2026-11-22T03:00:00.000Z");
    assert_eq!(first["phone"], "6281211112222");

    // (b) The same phone in another format: matched, details updated.
    t.set_now(default_now() + Duration::hours(2));
    let b2 = book(
        json!({"name": "Ani S.", "phone": "+62 812 1111 2222", "gender": "female",
                         "address": "Jl. Melati 3", "email": "Ani@Mail.ID"}),
    )
    .expect(201);
    assert_eq!(b2["customer_created"], false);
    assert_eq!(b2["customer_id"], ani.as_str());
    assert_eq!(customer_count(&s), 1);
    let after = s.get(&ani_path).expect(200);
    assert_eq!(after["last_booking_at"], "2026-11-22T05:00:00.000Z");
    assert_eq!(after["gender"], "female");
    assert_eq!(after["address"], "Jl. Melati 3");
    assert_eq!(after["email"], "Ani@Mail.ID");
    assert_eq!(after["name"], "Ani Susanti", "the master's name is kept");
    assert_eq!(after["version"], first["version"].as_i64().unwrap() + 1);
    // Fields not given are left alone.
    let b2b = book(json!({"name": "Ani", "phone": "6281211112222"})).expect(201);
    assert_eq!(b2b["customer_id"], ani.as_str());
    let kept = s.get(&ani_path).expect(200);
    assert_eq!(
        (
            kept["gender"].clone(),
            kept["address"].clone(),
            kept["email"].clone()
        ),
        (
            after["gender"].clone(),
            after["address"].clone(),
            after["email"].clone()
        )
    );

    // (c) The same e-mail in another case with another phone: matched.
    let b3 = book(json!({"name": "Ani Susanti", "phone": "081399990000", "email": "ani@mail.id"}))
        .expect(201);
    assert_eq!(b3["customer_created"], false);
    assert_eq!(b3["customer_id"], ani.as_str());
    assert_eq!(customer_count(&s), 1);

    // (d) The same name with another phone: a new customer, flagged.
    let b4 = book(json!({"name": "ani  SUSANTI", "phone": "085711112222"})).expect(201);
    assert_eq!(b4["customer_created"], true);
    assert_ne!(b4["customer_id"], ani.as_str());
    assert_eq!(b4["customer_code"], "CS-000002");
    let dup = b4["possible_duplicate_of"].as_array().unwrap();
    assert_eq!(dup.len(), 1, "{dup:?}");
    assert_eq!(dup[0]["id"], ani.as_str());
    assert_eq!(dup[0]["code"], "CS-000001");
    assert_eq!(dup[0]["name"], "Ani Susanti");
    assert_eq!(dup[0]["phone"], "6281211112222");
    // A third namesake is told about both.
    let b5 = book(json!({"name": "Ani Susanti", "phone": "085711113333"})).expect(201);
    let codes: Vec<&str> = b5["possible_duplicate_of"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["CS-000001", "CS-000002"]);
    assert_eq!(customer_count(&s), 3);
    // An inline customer is validated with the field named under `customer.`.
    book(json!({"name": "Ani", "phone": "nope"})).expect_error(
        422,
        "validation",
        Some("customer.phone"),
    );
    book(json!({"name": "A", "phone": "081200000000"})).expect_error(
        422,
        "validation",
        Some("customer.name"),
    );
    book(json!({"name": "Ani", "phone": "081200000000", "ktp_number": "1"})).expect_error(
        422,
        "validation",
        Some("customer.ktp_number"),
    );
    assert_eq!(customer_count(&s), 3);
}

#[test]
fn a_failed_booking_leaves_the_customer_master_untouched() {
    let t = TestApp::new();
    let s = t.serve();
    s.keep_sessions_idle_all_day();
    let existing = s
        .post(
            "/customers",
            json!({"name": "Bambang", "phone": "081255556666", "address": "Jl. Lama 1"}),
        )
        .expect(201);
    let path = format!("/customers/{}", existing["id"].as_str().unwrap());
    let unit = s
        .post(
            "/units",
            json!({"unit_type": "Type 45", "price": "450000000", "status": "maintenance"}),
        )
        .expect(201);
    let unit_id = unit["id"].as_str().unwrap();
    t.set_now(default_now() + Duration::hours(1));

    let unchanged = |why: &str| {
        assert_eq!(customer_count(&s), 1, "{why}: no customer created");
        assert_eq!(
            s.get(&path).expect(200),
            existing,
            "{why}: existing customer untouched"
        );
    };
    // The unit is not available: 409 after the customer was matched or created.
    let e = s
        .post("/bookings", json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "unit_id": unit_id}))
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(unit["code"].as_str().unwrap()),
        "{e}"
    );
    unchanged("new customer, unit in maintenance");
    assert_eq!(total(&s.get("/customers?q=081300001111").expect(200)), 0);
    s.post(
        "/bookings",
        json!({"customer": {"name": "Bambang", "phone": "+62 812 5555 6666", "address": "Jl. Baru 9", "gender": "male"}, "unit_id": unit_id}),
    )
    .expect_error(409, "conflict", None);
    unchanged("existing customer, unit in maintenance");
    // Invalid booking fields after a valid inline customer.
    s.post("/bookings", json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "price": "100000", "client_count": 0}))
        .expect_error(422, "validation", Some("client_count"));
    unchanged("client_count 0");
    s.post(
        "/bookings",
        json!({"customer": {"name": "Bambang", "phone": "081255556666", "address": "Jl. Baru 9"}}),
    )
    .expect_error(422, "validation", Some("price"));
    unchanged("no price and no unit");
    s.post("/bookings", json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "unit_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb"}))
        .expect_error(422, "validation", Some("unit_id"));
    unchanged("no such unit");
    // The code series was rolled back with them: the next new customer is CS-000002.
    let ok = s
        .post(
            "/bookings",
            json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "price": "100000"}),
        )
        .expect(201);
    assert_eq!(ok["customer_code"], "CS-000002");
}
