//! Units through the HTTP API: validation, codes, CRUD, list filters and the
//! status lifecycle that bookings drive.

mod bookings;

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
