//! Services: every field rule, CRUD, and no deleting one with booked future slots.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::*;

/// "Makeup Pengantin", given with spaces around its name.
fn makeup_pengantin(s: &Server) -> Value {
    s.post(
        "/services",
        json!({"name": "  Makeup Pengantin ", "description": "Rias pengantin", "duration_min": 120, "price": "3500000"}),
    )
    .expect(201)
}

#[test]
fn each_invalid_service_field_is_refused_naming_it_and_the_limits_are_accepted() {
    let t = TestApp::new();
    let s = t.serve();
    let rejected: Vec<(Value, &str)> = vec![
        (
            json!({"name": "A", "duration_min": 60, "price": "100000"}),
            "name",
        ),
        (
            json!({"name": "   ", "duration_min": 60, "price": "100000"}),
            "name",
        ),
        (
            json!({"name": "x".repeat(101), "duration_min": 60, "price": "100000"}),
            "name",
        ),
        (json!({"duration_min": 60, "price": "100000"}), "name"),
        (
            json!({"name": "Makeup", "duration_min": 0, "price": "1"}),
            "duration_min",
        ),
        (
            json!({"name": "Makeup", "duration_min": 1441, "price": "1"}),
            "duration_min",
        ),
        (
            json!({"name": "Makeup", "duration_min": -30, "price": "1"}),
            "duration_min",
        ),
        (
            json!({"name": "Makeup", "duration_min": "sejam", "price": "1"}),
            "duration_min",
        ),
        (json!({"name": "Makeup", "price": "1"}), "duration_min"),
        (
            json!({"name": "Makeup", "duration_min": 60, "price": -1}),
            "price",
        ),
        (
            json!({"name": "Makeup", "duration_min": 60, "price": "-0.01"}),
            "price",
        ),
        (
            json!({"name": "Makeup", "duration_min": 60, "price": "gratis"}),
            "price",
        ),
        (json!({"name": "Makeup", "duration_min": 60}), "price"),
        (
            json!({"name": "Makeup", "duration_min": 60, "price": "1", "colour": "red"}),
            "colour",
        ),
    ];
    for (body, field) in rejected {
        s.post("/services", body.clone())
            .expect_error(422, "validation", Some(field));
    }
    assert_eq!(
        total(&s.get("/services").expect(200)),
        0,
        "nothing was kept"
    );

    // The limits are accepted.
    for (name, minutes, price) in [("AC".to_owned(), 1, "0"), ("x".repeat(100), 1440, "0.5")] {
        let sv = s
            .post(
                "/services",
                json!({"name": name, "duration_min": minutes, "price": price}),
            )
            .expect(201);
        assert_eq!(sv["duration_min"], minutes);
        s.delete(&at("/services", &sv)).expect(200);
    }
}

#[test]
fn a_service_is_stored_trimmed_active_and_listed_by_name() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = makeup_pengantin(&s);
    assert_eq!(makeup["name"], "Makeup Pengantin");
    assert_eq!(makeup["duration_min"], 120);
    assert_eq!(makeup["price"], "3500000");
    assert_eq!(makeup["active"], true, "active by default");
    assert_eq!(makeup["version"], 1);
    let ac = create_service(&s, "Cuci AC", 45, "150000");
    assert_eq!(s.get(&at("/services", &makeup)).expect(200), makeup);

    // The list shows name, duration, price and whether it is active, by name.
    let list = s.get("/services").expect(200);
    assert_eq!(ids(&list), [id(&ac), id(&makeup)]);
    assert_eq!(
        column(&list, "name"),
        [json!("Cuci AC"), json!("Makeup Pengantin")]
    );
    assert_eq!(column(&list, "duration_min"), [json!(45), json!(120)]);
    assert_eq!(column(&list, "price"), [json!("150000"), json!("3500000")]);
    assert_eq!(column(&list, "active"), [json!(true), json!(true)]);
}

#[test]
fn service_updates_are_partial_validated_and_versioned() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = makeup_pengantin(&s);
    let ac = create_service(&s, "Cuci AC", 45, "150000");
    // Partial update, validated the same way.
    for (body, field) in [
        (json!({"name": "M"}), "name"),
        (json!({"duration_min": 0}), "duration_min"),
        (json!({"duration_min": 1441}), "duration_min"),
        (json!({"price": "-5"}), "price"),
    ] {
        s.put(&at("/services", &makeup), body)
            .expect_error(422, "validation", Some(field));
    }
    let updated = s
        .put(
            &at("/services", &makeup),
            json!({"price": "4000000", "active": false, "version": 1}),
        )
        .expect(200);
    assert_eq!(updated["price"], "4000000");
    assert_eq!(updated["active"], false);
    assert_eq!(updated["version"], 2);
    assert_eq!(updated["duration_min"], 120, "untouched fields stay");
    s.put(
        &at("/services", &makeup),
        json!({"price": "1", "version": 1}),
    )
    .expect_error(409, "conflict", None);
    assert_eq!(
        ids(&s.get("/services?active=true").expect(200)),
        [id(&ac)],
        "inactive services can be filtered out"
    );
    assert_eq!(
        column(&s.get("/services").expect(200), "active"),
        [json!(true), json!(false)]
    );
}

#[test]
fn a_deleted_service_is_gone_and_cannot_be_deleted_again() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = makeup_pengantin(&s);
    let ac = create_service(&s, "Cuci AC", 45, "150000");
    s.delete(&at("/services", &makeup)).expect(200);
    s.get(&at("/services", &makeup))
        .expect_error(404, "not_found", None);
    assert_eq!(ids(&s.get("/services").expect(200)), [id(&ac)]);
    s.delete(&at("/services", &makeup))
        .expect_error(404, "not_found", None);
}

#[test]
fn a_service_with_booked_future_slots_cannot_be_deleted() {
    let t = TestApp::new();
    let s = t.serve();
    s.keep_sessions_idle_all_day();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina MUA", -6.2, 106.8, &[&makeup]);
    let booked = add_slot(&s, &p, &makeup, "2026-11-30T09:00");
    let free = add_slot(&s, &p, &makeup, "2026-11-30T11:00");
    let b = book(&s, &booked, "Sari", &phone(1)).expect(201);

    s.delete(&at("/services", &makeup))
        .expect_error(409, "conflict", None);
    assert_eq!(
        s.get(&at("/services", &makeup)).expect(200)["id"],
        makeup["id"]
    );
    assert_eq!(
        s.get(&at("/slots", &free)).expect(200)["status"],
        "available"
    );
    assert_eq!(
        s.get(&at("/slots", &booked)).expect(200)["status"],
        "booked"
    );

    // Once the booking is canceled nothing booked is left ahead: it can go.
    // Its free future slots go with it; the one the canceled booking points
    // to stays as that booking's history, but is no longer offered.
    s.delete(&at("/bookings", &b)).expect(200);
    s.delete(&at("/services", &makeup)).expect(200);
    s.get(&at("/services", &makeup))
        .expect_error(404, "not_found", None);
    s.get(&at("/slots", &free))
        .expect_error(404, "not_found", None);
    assert_eq!(
        s.get(&at("/bookings", &b)).expect(200)["service_name"],
        "Makeup"
    );
    book(&s, &booked, "Budi", &phone(2)).expect_error(422, "validation", Some("slot_id"));
    // The freed slot left with its service: not listed as available any more.
    s.get(&at("/slots", &booked))
        .expect_error(404, "not_found", None);
    assert_eq!(
        total(&s.get(&format!("/slots?provider_id={}", id(&p))).expect(200)),
        0
    );
    assert_eq!(
        s.get(&at("/bookings", &b)).expect(200)["slot_id"],
        booked["id"]
    );
    let listed = s.get("/providers/nearby?lat=-6.2&lng=106.8").expect(200);
    assert_eq!(listed["data"][0]["provider"]["id"], p["id"]);
    assert_eq!(listed["data"][0]["next_slots"], json!([]), "{listed}");
    assert!(
        !s.get(&at("/providers", &p)).expect(200)["service_ids"]
            .as_array()
            .unwrap()
            .contains(&makeup["id"]),
        "the provider no longer offers a deleted service"
    );

    // A booked slot that has already started does not block the deletion.
    let ac = create_service(&s, "Cuci AC", 60, "150000");
    s.put(&at("/providers", &p), json!({"service_ids": [ac["id"]]}))
        .expect(200);
    let today = add_slot(&s, &p, &ac, "2026-11-22T12:00");
    book(&s, &today, "Ani", &phone(3)).expect(201);
    s.delete(&at("/services", &ac))
        .expect_error(409, "conflict", None);
    t.set_now(Utc.with_ymd_and_hms(2026, 11, 22, 5, 30, 0).unwrap()); // 12:30 in Jakarta
    s.delete(&at("/services", &ac)).expect(200);
}
