//! Units through the HTTP API: validation, codes, CRUD, list filters and the
//! status lifecycle that bookings drive.

use serde_json::{Value, json};

use crate::support::*;

fn valid() -> Value {
    json!({"unit_type": "Type 36/72", "block": "A", "number": "12", "price": "350000000", "land_area": 72,
           "building_area": 36, "bedrooms": 2, "bathrooms": 1, "garage": 1, "location": "Cluster Melati",
           "specifications": {"floors": 1, "certificate": "SHM"}})
}

fn with(field: &str, value: Value) -> Value {
    let mut body = valid();
    body[field] = value;
    body
}

fn unit_count(s: &Server) -> u64 {
    total(&s.get("/units?page_size=1").expect(200))
}

#[test]
fn unit_fields_are_validated_naming_the_field() {
    let t = TestApp::new();
    let s = t.serve();
    let long = |n: usize| Value::String("x".repeat(n));
    let rejected: Vec<(&str, Value)> = vec![
        ("unit_type", json!("")),
        ("unit_type", long(51)),
        ("block", long(11)),
        ("number", long(11)),
        ("price", json!(-1)),
        ("price", json!("-0.01")),
        ("price", json!("1000.001")),
        ("price", json!("murah")),
        ("bathrooms", json!(0)),
        ("bathrooms", json!(-2)),
        ("garage", json!(-1)),
        ("bedrooms", json!(-1)),
        ("land_area", json!(-5)),
        ("building_area", json!(-0.5)),
        ("location", long(101)),
        ("specifications", json!([1, 2])),
        ("specifications", json!("two floors")),
        ("specifications", json!(5)),
        ("status", json!("demolished")),
        ("code", long(31)),
    ];
    for (field, value) in rejected {
        let r = s.post("/units", with(field, value.clone()));
        assert_eq!(r.status, 422, "{field} = {value}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "validation");
        assert_eq!(
            r.body["error"]["field"], field,
            "{field} = {value}: {}",
            r.body
        );
    }
    let mut missing = valid();
    missing.as_object_mut().unwrap().remove("price");
    s.post("/units", missing)
        .expect_error(422, "validation", Some("price"));
    let mut missing = valid();
    missing.as_object_mut().unwrap().remove("unit_type");
    s.post("/units", missing)
        .expect_error(422, "validation", Some("unit_type"));
    s.post("/units", with("colour", json!("red")))
        .expect_error(422, "validation", Some("colour"));
    assert_eq!(unit_count(&s), 0);

    // The limits are accepted.
    for (field, value) in [
        ("unit_type", long(50)),
        ("block", long(10)),
        ("number", long(10)),
        ("price", json!(0)),
        ("price", json!("1250000.50")),
        ("bathrooms", json!(1)),
        ("garage", json!(0)),
        ("location", long(100)),
        ("specifications", json!({})),
        ("specifications", Value::Null),
    ] {
        let u = s.post("/units", with(field, value.clone())).expect(201);
        match field {
            "price" => assert_eq!(
                u["price"],
                if value == json!(0) {
                    json!("0")
                } else {
                    json!("1250000.5")
                }
            ),
            "specifications" => assert_eq!(u["specifications"], json!({})),
            _ => assert_eq!(u[field], value, "{field}"),
        }
    }
    assert_eq!(unit_count(&s), 10);

    // Updates follow the same rules.
    let u = s.post("/units", valid()).expect(201);
    let path = format!("/units/{}", u["id"].as_str().unwrap());
    for (field, value) in [
        ("price", json!(-1)),
        ("bathrooms", json!(0)),
        ("garage", json!(-1)),
        ("specifications", json!(["x"])),
        ("unit_type", json!("")),
        ("block", long(11)),
        ("location", long(101)),
    ] {
        s.put(&path, json!({field: value}))
            .expect_error(422, "validation", Some(field));
    }
    assert_eq!(
        s.get(&path).expect(200),
        u,
        "rejected updates changed nothing"
    );
}

#[test]
fn codes_are_allocated_kept_and_unique_and_crud_works() {
    let t = TestApp::new();
    let s = t.serve();
    let code = |body: Value| {
        s.post("/units", body).expect(201)["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(code(valid()), "UNIT-001");
    assert_eq!(code(valid()), "UNIT-002");
    assert_eq!(code(with("code", json!("VILLA-7"))), "VILLA-7");
    s.post("/units", with("code", json!("VILLA-7")))
        .expect_error(422, "validation", Some("code"));
    s.post("/units", with("code", json!("UNIT-001")))
        .expect_error(422, "validation", Some("code"));
    // A hand-given code in the series is skipped by the allocator.
    assert_eq!(code(with("code", json!("UNIT-004"))), "UNIT-004");
    assert_eq!(code(valid()), "UNIT-003");
    assert_eq!(code(valid()), "UNIT-005");
    assert_eq!(unit_count(&s), 6);

    let u = s.post("/units", valid()).expect(201);
    assert_eq!(u["status"], "available");
    assert_eq!(u["price"], "350000000");
    assert_eq!(
        u["specifications"],
        json!({"floors": 1, "certificate": "SHM"})
    );
    assert_eq!(u["version"], 1);
    let path = format!("/units/{}", u["id"].as_str().unwrap());
    assert_eq!(s.get(&path).expect(200), u);

    // Partial update: only what is given; null clears.
    let v = s
        .put(&path, json!({"version": 1, "price": 375000000, "location": null, "specifications": {"floors": 2}}))
        .expect(200);
    assert_eq!(v["price"], "375000000");
    assert!(v["location"].is_null());
    assert_eq!(v["specifications"], json!({"floors": 2}));
    assert_eq!(v["version"], 2);
    for field in [
        "code",
        "unit_type",
        "block",
        "number",
        "land_area",
        "building_area",
        "bedrooms",
        "bathrooms",
        "garage",
        "status",
    ] {
        assert_eq!(v[field], u[field], "{field} unchanged");
    }
    s.put(&path, json!({"version": 1, "price": 1}))
        .expect_error(409, "conflict", None);
    assert_eq!(s.get(&path).expect(200)["price"], "375000000");
    s.put(&path, json!({"code": "VILLA-7"}))
        .expect_error(422, "validation", Some("code"));
    let renamed = s
        .put(&path, json!({"code": "RUKO-1", "status": "maintenance"}))
        .expect(200);
    assert_eq!(
        (renamed["code"].as_str(), renamed["status"].as_str()),
        (Some("RUKO-1"), Some("maintenance"))
    );

    // Soft delete.
    assert_eq!(s.delete(&path).expect(200)["ok"], true);
    s.get(&path).expect_error(404, "not_found", None);
    s.put(&path, json!({"price": 1}))
        .expect_error(404, "not_found", None);
    assert!(
        !ids(&s.get("/units?page_size=200").expect(200))
            .contains(&u["id"].as_str().unwrap().to_owned())
    );
    assert_eq!(unit_count(&s), 6);
    s.get("/units/01a200ff-5d55-76a6-a966-6df8a0de1abb")
        .expect_error(404, "not_found", None);
}

#[test]
fn list_filters_sorts_and_pages() {
    let t = TestApp::new();
    let s = t.serve();
    let make = |unit_type: &str, block: &str, price: i64, status: &str| {
        s.post("/units", json!({"unit_type": unit_type, "block": block, "price": price.to_string(), "status": status}))
            .expect(201)["code"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let u1 = make("Type 36/72", "A", 300_000_000, "available");
    let u2 = make("Type 45/90", "A", 450_000_000, "available");
    let u3 = make("Type 36/60", "B", 280_000_000, "maintenance");
    let u4 = make("Ruko 2 Lantai", "C", 900_000_000, "available");
    let codes = |query: &str| -> Vec<String> {
        column(&s.get(&format!("/units?{query}")).expect(200), "code")
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        codes(""),
        vec![u1.clone(), u2.clone(), u3.clone(), u4.clone()],
        "by code by default"
    );
    assert_eq!(codes("status=maintenance"), vec![u3.clone()]);
    assert_eq!(
        codes("status=available"),
        vec![u1.clone(), u2.clone(), u4.clone()]
    );
    assert_eq!(codes("status=sold"), Vec::<String>::new());
    assert_eq!(codes("unit_type=36"), vec![u1.clone(), u3.clone()]);
    assert_eq!(
        codes("unit_type=type%2045"),
        vec![u2.clone()],
        "contains, any case"
    );
    assert_eq!(codes("block=A"), vec![u1.clone(), u2.clone()]);
    assert_eq!(
        codes("price_min=300000000&price_max=450000000"),
        vec![u1.clone(), u2.clone()]
    );
    assert_eq!(codes("price_min=450000000.01"), vec![u4.clone()]);
    assert_eq!(codes("price_max=299999999"), vec![u3.clone()]);
    assert_eq!(
        codes("block=A&unit_type=45&status=available"),
        vec![u2.clone()]
    );
    assert_eq!(
        codes("sort=price:desc"),
        vec![u4.clone(), u2.clone(), u1.clone(), u3.clone()]
    );
    assert_eq!(
        codes("sort=price:asc"),
        vec![u3.clone(), u1.clone(), u2.clone(), u4.clone()]
    );
    assert_eq!(
        codes("sort=code:desc"),
        vec![u4.clone(), u3.clone(), u2.clone(), u1.clone()]
    );
    let page = s
        .get("/units?sort=price:desc&page_size=3&page=2")
        .expect(200);
    assert_eq!(
        page["meta"],
        json!({"page": 2, "page_size": 3, "page_count": 2, "total": 4})
    );
    assert_eq!(column(&page, "code"), vec![json!(u3)]);
    let filtered = s.get("/units?block=A&page_size=1").expect(200);
    assert_eq!(
        filtered["meta"],
        json!({"page": 1, "page_size": 1, "page_count": 2, "total": 2})
    );
    s.get("/units?status=demolished")
        .expect_error(422, "validation", Some("status"));
    s.get("/units?sort=colour")
        .expect_error(422, "validation", Some("sort"));
    s.get("/units?sort=price:sideways")
        .expect_error(422, "validation", Some("sort"));
    s.get("/units?price_min=-1")
        .expect_error(422, "validation", Some("price_min"));
    s.get("/units?price_max=abc")
        .expect_error(422, "validation", Some("price_max"));
}

/// A unit booked by Ani: (the unit as created, the booking).
fn a_booked_unit(s: &Server) -> (Value, Value) {
    let unit = create_unit(s, 350_000_000);
    let b1 = s
        .post(
            "/bookings",
            json!({"customer": customer("Ani", "081200000001"), "unit_id": unit["id"]}),
        )
        .expect(201);
    (unit, b1)
}

fn unit_status(s: &Server, unit_path: &str) -> String {
    s.get(unit_path).expect(200)["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_booking_takes_its_unit_at_the_units_price_and_a_second_is_refused() {
    let t = TestApp::new();
    let s = t.serve();
    let (unit, b1) = a_booked_unit(&s);
    let unit_id = unit["id"].as_str().unwrap().to_owned();
    let unit_path = format!("/units/{unit_id}");
    let status = || unit_status(&s, &unit_path);

    // Booking takes the unit; the price defaults to the unit's.
    assert_eq!(b1["unit_code"], unit["code"]);
    assert_eq!(b1["price"], "350000000");
    assert_eq!(status(), "booked");

    // A second booking of the same unit is refused, naming the unit and its state.
    let e = s
        .post(
            "/bookings",
            json!({"customer": customer("Budi", "081200000002"), "unit_id": unit_id}),
        )
        .expect_error(409, "conflict", None);
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("UNIT-001") && msg.contains("booked"), "{msg}");
    assert_eq!(
        total(&s.get(&format!("/bookings?unit_id={unit_id}")).expect(200)),
        1
    );
}

#[test]
fn a_held_unit_keeps_its_status_and_cannot_be_deleted() {
    let t = TestApp::new();
    let s = t.serve();
    let (unit, b1) = a_booked_unit(&s);
    let unit_id = unit["id"].as_str().unwrap().to_owned();
    let unit_path = format!("/units/{unit_id}");
    let status = || unit_status(&s, &unit_path);
    // While held, the unit's status cannot be changed by hand and it cannot be deleted.
    let e = s
        .put(&unit_path, json!({"status": "maintenance"}))
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(b1["code"].as_str().unwrap()),
        "names the booking: {e}"
    );
    s.put(&unit_path, json!({"status": "available"}))
        .expect_error(409, "conflict", None);
    s.delete(&unit_path).expect_error(409, "conflict", None);
    assert_eq!(status(), "booked");
    // Other fields may still change, and restating the same status is harmless.
    assert_eq!(
        s.put(&unit_path, json!({"status": "booked", "location": "Hook"}))
            .expect(200)["location"],
        "Hook"
    );
}

#[test]
fn canceling_frees_the_unit_and_completing_a_booking_sells_it() {
    let t = TestApp::new();
    let s = t.serve();
    let (unit, b1) = a_booked_unit(&s);
    let unit_id = unit["id"].as_str().unwrap().to_owned();
    let unit_path = format!("/units/{unit_id}");
    let status = || unit_status(&s, &unit_path);
    let b1_path = format!("/bookings/{}", b1["id"].as_str().unwrap());
    // Canceling frees it…
    let canceled = s.delete(&b1_path).expect(200);
    assert_eq!(canceled["booking_status"], "canceled");
    assert_eq!(status(), "available");

    // …and completing a booking sells it.
    let b2 = s
        .post(
            "/bookings",
            json!({"customer": customer("Budi", "081200000002"), "unit_id": unit_id}),
        )
        .expect(201);
    assert_eq!(status(), "booked");
    let b2_path = format!("/bookings/{}", b2["id"].as_str().unwrap());
    s.put(&b2_path, json!({"booking_status": "active"}))
        .expect(200);
    assert_eq!(status(), "booked");
    s.put(&b2_path, json!({"booking_status": "completed"}))
        .expect(200);
    assert_eq!(status(), "sold");
    let e = s
        .post(
            "/bookings",
            json!({"customer": customer("Citra", "081200000003"), "unit_id": unit_id}),
        )
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("sold"),
        "{e}"
    );
    // No longer held: the status may be changed by hand again.
    assert_eq!(
        s.put(&unit_path, json!({"status": "maintenance"}))
            .expect(200)["status"],
        "maintenance"
    );
}

#[test]
fn a_unit_in_maintenance_takes_no_booking_and_a_given_price_wins() {
    let t = TestApp::new();
    let s = t.serve();
    let (unit, b1) = a_booked_unit(&s);
    let unit_id = unit["id"].as_str().unwrap().to_owned();
    let unit_path = format!("/units/{unit_id}");
    let status = || unit_status(&s, &unit_path);
    s.delete(&format!("/bookings/{}", b1["id"].as_str().unwrap()))
        .expect(200);
    s.put(&unit_path, json!({"status": "maintenance"}))
        .expect(200);
    assert_eq!(status(), "maintenance");
    // A unit in maintenance takes no booking.
    let e = s
        .post(
            "/bookings",
            json!({"customer": customer("Citra", "081200000003"), "unit_id": unit_id}),
        )
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("maintenance"),
        "{e}"
    );
    let other = s
        .post(
            "/units",
            json!({"unit_type": "Kavling", "price": "90000000", "status": "maintenance"}),
        )
        .expect(201);
    s.post(
        "/bookings",
        json!({"customer_id": b1["customer_id"], "unit_id": other["id"]}),
    )
    .expect_error(409, "conflict", None);
    s.put(
        &format!("/units/{}", other["id"].as_str().unwrap()),
        json!({"status": "available"}),
    )
    .expect(200);
    let b3 = s
        .post(
            "/bookings",
            json!({"customer_id": b1["customer_id"], "unit_id": other["id"], "price": "85000000"}),
        )
        .expect(201);
    assert_eq!(
        b3["price"], "85000000",
        "a given price wins over the unit's"
    );
}

#[test]
fn canceling_an_active_booking_frees_its_unit_and_a_deleted_unit_takes_none() {
    let t = TestApp::new();
    let s = t.serve();
    let (_, b1) = a_booked_unit(&s);
    let other = create_unit(&s, 90_000_000);
    let b3 = s
        .post(
            "/bookings",
            json!({"customer_id": b1["customer_id"], "unit_id": other["id"], "price": "85000000"}),
        )
        .expect(201);
    // Canceling an active booking frees the unit too; the deleted unit takes no booking.
    s.put(
        &format!("/bookings/{}", b3["id"].as_str().unwrap()),
        json!({"booking_status": "active"}),
    )
    .expect(200);
    s.delete(&format!("/bookings/{}", b3["id"].as_str().unwrap()))
        .expect(200);
    let other_path = format!("/units/{}", other["id"].as_str().unwrap());
    assert_eq!(s.get(&other_path).expect(200)["status"], "available");
    s.delete(&other_path).expect(200);
    s.post(
        "/bookings",
        json!({"customer_id": b1["customer_id"], "unit_id": other["id"]}),
    )
    .expect_error(422, "validation", Some("unit_id"));
}
