//! Providers: validation, normalisation, CRUD, deletion guarded by booked slots, the per-day maximum.

use std::collections::HashSet;

use serde_json::{Value, json};

use super::*;

/// A valid provider body offering `makeup`, with `field` set to `value`.
fn with(makeup: &Value, field: &str, value: Value) -> Value {
    let mut b = provider_body("Rina MUA", -6.2, 106.8, &[makeup]);
    b[field] = value;
    b
}

/// A valid provider body offering `makeup`, without `field`.
fn without(makeup: &Value, field: &str) -> Value {
    let mut b = provider_body("Rina MUA", -6.2, 106.8, &[makeup]);
    b.as_object_mut().unwrap().remove(field);
    b
}

/// Rina, given with spaces, two spellings of one service and more than
/// six decimals.
fn rina(s: &Server, makeup: &Value) -> Value {
    s.post(
        "/providers",
        json!({"name": " Rina MUA ", "whatsapp_number": "+62 812-1111-2222", "latitude": -6.2088001234,
               "longitude": 106.84561234567, "service_ids": [makeup["id"], makeup["id"]]}),
    )
    .expect(201)
}

#[test]
fn each_invalid_provider_field_is_refused_naming_it() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let rejected: Vec<(Value, &str)> = vec![
        (without(&makeup, "whatsapp_number"), "whatsapp_number"),
        (
            with(&makeup, "whatsapp_number", json!("")),
            "whatsapp_number",
        ),
        (
            with(&makeup, "whatsapp_number", json!("12345")),
            "whatsapp_number",
        ),
        (
            with(&makeup, "whatsapp_number", json!("0812-abc")),
            "whatsapp_number",
        ),
        (
            with(&makeup, "whatsapp_number", json!("0812")),
            "whatsapp_number",
        ),
        (with(&makeup, "name", json!("R")), "name"),
        (without(&makeup, "name"), "name"),
        (with(&makeup, "latitude", json!(90.000001)), "latitude"),
        (with(&makeup, "latitude", json!(-91)), "latitude"),
        (with(&makeup, "latitude", json!("utara")), "latitude"),
        (without(&makeup, "latitude"), "latitude"),
        (with(&makeup, "longitude", json!(180.5)), "longitude"),
        (with(&makeup, "longitude", json!(-181)), "longitude"),
        (without(&makeup, "longitude"), "longitude"),
        (
            with(
                &makeup,
                "service_ids",
                json!(["01a200ff-5d55-76a6-a966-6df8a0de1abb"]),
            ),
            "service_ids",
        ),
        (
            with(&makeup, "service_ids", json!(["bukan-uuid"])),
            "service_ids[0]",
        ),
        (
            with(&makeup, "max_slots_per_day", json!(0)),
            "max_slots_per_day",
        ),
        (
            with(&makeup, "max_slots_per_day", json!(289)),
            "max_slots_per_day",
        ),
    ];
    for (body, field) in rejected {
        let r = s.post("/providers", body.clone());
        assert_eq!(r.status, 422, "{body}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "validation");
        assert_eq!(r.body["error"]["field"], field, "{body}: {}", r.body);
    }
    assert_eq!(
        total(&s.get("/providers").expect(200)),
        0,
        "nothing was kept"
    );
}

#[test]
fn whatsapp_numbers_are_stored_as_62_and_the_edges_of_the_world_are_valid() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    // Every usual spelling of the WhatsApp number becomes 62…
    for (raw, stored) in [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7891", "6281234567891"),
        ("6281234567892", "6281234567892"),
        ("(0812) 3456.7893", "6281234567893"),
    ] {
        let p = s
            .post("/providers", with(&makeup, "whatsapp_number", json!(raw)))
            .expect(201);
        assert_eq!(p["whatsapp_number"], stored, "{raw}");
        s.delete(&at("/providers", &p)).expect(200);
    }
    // The edges of the world are fine; coordinates keep six decimals.
    for (lat, lng) in [(90.0, 180.0), (-90.0, -180.0), (0.0, 0.0)] {
        let p = s
            .post(
                "/providers",
                json!({"name": "Ujung", "whatsapp_number": "081234567890", "latitude": lat, "longitude": lng}),
            )
            .expect(201);
        assert_eq!(
            (p["latitude"].as_f64(), p["longitude"].as_f64()),
            (Some(lat), Some(lng))
        );
        s.delete(&at("/providers", &p)).expect(200);
    }
}

#[test]
fn a_provider_is_stored_trimmed_with_its_services_once_and_six_decimals() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = rina(&s, &makeup);
    assert_eq!(p["name"], "Rina MUA");
    assert_eq!(p["whatsapp_number"], "6281211112222");
    assert_eq!(p["latitude"], json!(-6.2088));
    assert_eq!(p["longitude"], json!(106.845612));
    assert_eq!(p["service_ids"], json!([makeup["id"]]));
    assert_eq!(p["active"], true);
    assert!(
        p["max_slots_per_day"].is_null(),
        "the business setting applies"
    );
    assert_eq!(s.get(&at("/providers", &p)).expect(200), p);
}

#[test]
fn provider_updates_are_validated_normalised_and_versioned() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 45, "150000");
    let p = rina(&s, &makeup);
    // Updates are validated and normalised too.
    for (body, field) in [
        (json!({"whatsapp_number": "0999"}), "whatsapp_number"),
        (json!({"latitude": 95.5}), "latitude"),
        (json!({"longitude": -180.1}), "longitude"),
        (
            json!({"service_ids": ["01a200ff-5d55-76a6-a966-6df8a0de1abb"]}),
            "service_ids",
        ),
        (json!({"max_slots_per_day": 0}), "max_slots_per_day"),
    ] {
        s.put(&at("/providers", &p), body)
            .expect_error(422, "validation", Some(field));
    }
    assert_eq!(
        s.get(&at("/providers", &p)).expect(200),
        p,
        "refused updates change nothing"
    );
    let moved = s
        .put(
            &at("/providers", &p),
            json!({"whatsapp_number": "0813 9999 0000", "latitude": -6.91750049, "longitude": 107.6191,
                   "service_ids": [makeup["id"], ac["id"]], "max_slots_per_day": 4, "version": p["version"]}),
        )
        .expect(200);
    assert_eq!(moved["whatsapp_number"], "6281399990000");
    assert_eq!(moved["latitude"], json!(-6.9175));
    let offered: HashSet<&str> = moved["service_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(offered, HashSet::from([id(&makeup), id(&ac)]));
    assert_eq!(moved["max_slots_per_day"], 4);
    assert!(moved["version"].as_i64() > p["version"].as_i64());
    s.put(
        &at("/providers", &p),
        json!({"name": "Lagi", "version": p["version"]}),
    )
    .expect_error(409, "conflict", None);
}

#[test]
fn providers_are_listed_by_name_filtered_by_service_and_text_and_deleted() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 45, "150000");
    let p = rina(&s, &makeup);
    let other = create_provider(&s, "Budi Teknisi", -6.3, 106.9, &[&ac]);
    assert_eq!(ids(&s.get("/providers").expect(200)), [id(&other), id(&p)]);
    assert_eq!(
        ids(&s
            .get(&format!("/providers?service_id={}", id(&makeup)))
            .expect(200)),
        [id(&p)]
    );
    assert_eq!(
        ids(&s.get("/providers?q=teknisi").expect(200)),
        [id(&other)]
    );

    s.delete(&at("/providers", &other)).expect(200);
    s.get(&at("/providers", &other))
        .expect_error(404, "not_found", None);
    assert_eq!(ids(&s.get("/providers").expect(200)), [id(&p)]);
}

#[test]
fn a_provider_with_booked_future_slots_cannot_be_deleted_but_can_be_deactivated() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina MUA", -6.2088, 106.8456, &[&makeup]);
    let booked = add_slot(&s, &p, &makeup, "2026-11-30T09:00");
    let free = add_slot(&s, &p, &makeup, "2026-11-30T11:00");
    let b = book(&s, &booked, "Sari", &phone(1)).expect(201);

    s.delete(&at("/providers", &p))
        .expect_error(409, "conflict", None);
    assert_eq!(s.get(&at("/providers", &p)).expect(200)["active"], true);

    // Deactivating works: out of the search, no new slots, bookings kept.
    let off = s
        .put(&at("/providers", &p), json!({"active": false}))
        .expect(200);
    assert_eq!(off["active"], false);
    assert_eq!(ids(&s.get("/providers?active=false").expect(200)), [id(&p)]);
    assert!(ids(&s.get("/providers?active=true").expect(200)).is_empty());
    assert!(nearby(&s, "lat=-6.2088&lng=106.8456&radius_km=5").is_empty());
    try_slot(&s, &p, &makeup, "2026-11-30T13:00").expect_error(
        422,
        "validation",
        Some("provider_id"),
    );
    generate(
        &s,
        &p,
        &makeup,
        json!({"from": "2026-11-30", "to": "2026-11-30"}),
    )
    .expect_error(422, "validation", Some("provider_id"));
    book(&s, &free, "Budi", &phone(2)).expect_error(422, "validation", Some("slot_id"));
    // The free slot is still there but says it is not offered, and the
    // available list (what the booking flow offers) leaves it out.
    let listed = s.get(&at("/slots", &free)).expect(200);
    assert_eq!(listed["status"], "available");
    assert_eq!(listed["offered"], false);
    let available = |s: &Server| {
        ids(&s
            .get(&format!("/slots?provider_id={}&status=available", id(&p)))
            .expect(200))
    };
    assert!(available(&s).is_empty());
    let all = s.get(&format!("/slots?provider_id={}", id(&p))).expect(200);
    assert_eq!(total(&all), 2);
    assert_eq!(
        s.get(&at("/bookings", &b)).expect(200)["booking_status"],
        "pending"
    );
    let on = s
        .put(&at("/providers", &p), json!({"active": true}))
        .expect(200);
    assert_eq!(on["active"], true);
    assert_eq!(nearby(&s, "lat=-6.2088&lng=106.8456&radius_km=5").len(), 1);
    assert_eq!(s.get(&at("/slots", &free)).expect(200)["offered"], true);
    assert_eq!(available(&s), [id(&free)]);

    // With the booking canceled the provider can be deleted; their free future slots go.
    s.delete(&at("/bookings", &b)).expect(200);
    s.delete(&at("/providers", &p)).expect(200);
    s.get(&at("/providers", &p))
        .expect_error(404, "not_found", None);
    s.get(&at("/slots", &free))
        .expect_error(404, "not_found", None);
    assert_eq!(
        s.get(&at("/bookings", &b)).expect(200)["provider_name"],
        "Rina MUA"
    );
    book(&s, &booked, "Budi", &phone(2)).expect_error(422, "validation", Some("slot_id"));
    assert!(nearby(&s, "lat=-6.2088&lng=106.8456&radius_km=5").is_empty());
}

#[test]
fn a_provider_maximum_per_day_overrides_the_business_setting() {
    let t = TestApp::new();
    let s = t.serve();
    s.put("/settings", json!({"max_slots_per_day": 2}))
        .expect(200);
    let makeup = create_service(&s, "Makeup", 30, "500000");
    let plain = create_provider(&s, "Ikut Aturan", -6.2, 106.8, &[&makeup]);
    let busy = s
        .post(
            "/providers",
            json!({"name": "Rajin", "whatsapp_number": "081200000001", "latitude": -6.2, "longitude": 106.8,
                   "service_ids": [makeup["id"]], "max_slots_per_day": 3}),
        )
        .expect(201);
    assert_eq!(busy["max_slots_per_day"], 3);
    let day = [
        "2026-11-30T09:00",
        "2026-11-30T10:00",
        "2026-11-30T11:00",
        "2026-11-30T12:00",
    ];
    add_slot(&s, &plain, &makeup, day[0]);
    add_slot(&s, &plain, &makeup, day[1]);
    try_slot(&s, &plain, &makeup, day[2]).expect_error(409, "conflict", None);
    for t in &day[..3] {
        add_slot(&s, &busy, &makeup, t);
    }
    try_slot(&s, &busy, &makeup, day[3]).expect_error(409, "conflict", None);

    // Raising the provider's own maximum lets the third in; clearing it
    // brings back the business setting.
    s.put(&at("/providers", &plain), json!({"max_slots_per_day": 4}))
        .expect(200);
    add_slot(&s, &plain, &makeup, day[2]);
    let cleared = s
        .put(
            &at("/providers", &plain),
            json!({"max_slots_per_day": null}),
        )
        .expect(200);
    assert!(cleared["max_slots_per_day"].is_null());
    add_slot(&s, &plain, &makeup, "2026-12-01T09:00");
    add_slot(&s, &plain, &makeup, "2026-12-01T10:00");
    try_slot(&s, &plain, &makeup, "2026-12-01T11:00").expect_error(409, "conflict", None);
    // And the business setting itself can change.
    s.put("/settings", json!({"max_slots_per_day": 3}))
        .expect(200);
    add_slot(&s, &plain, &makeup, "2026-12-01T11:00");
    try_slot(&s, &busy, &makeup, day[3]).expect_error(409, "conflict", None);
}
