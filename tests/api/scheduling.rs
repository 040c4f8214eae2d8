//! Scheduling through the HTTP API: services, providers and their working
//! plans, slots (overlap, per-day maximum in the business time zone, the
//! past, booked slots staying put), slot generation, service bookings and
//! their lifecycle, the same-slot race, the `double_booking` flag, the
//! nearby search (haversine, antimeridian, poles) and the permission matrix.

use std::collections::HashSet;
use std::sync::{Arc, Barrier};

use chrono::{Duration, NaiveDateTime, TimeZone, Utc};
use loket::App;
use loket::kernel::auth::Role;
use serde_json::{Value, json};

use crate::helpers::*;

// ---- helpers ----------------------------------------------------------------

/// A Jakarta wall-clock time (`2026-11-30T09:00`) as the API writes the
/// instant: UTC, `Z`.
fn utc(local: &str) -> String {
    let t = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap();
    (t - Duration::hours(7))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `prefix/{id}`.
fn at(prefix: &str, v: &Value) -> String {
    format!("{prefix}/{}", id(v))
}

fn id(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

/// A valid, distinct Indonesian mobile number.
fn phone(n: usize) -> String {
    format!("0812{n:08}")
}

fn create_service(s: &Server, name: &str, minutes: u32, price: &str) -> Value {
    s.post(
        "/services",
        json!({"name": name, "duration_min": minutes, "price": price}),
    )
    .expect(201)
}

fn provider_body(name: &str, lat: f64, lng: f64, services: &[&Value]) -> Value {
    json!({
        "name": name,
        "whatsapp_number": "0812-3456-7890",
        "latitude": lat,
        "longitude": lng,
        "service_ids": services.iter().map(|s| s["id"].clone()).collect::<Vec<_>>(),
    })
}

fn create_provider(s: &Server, name: &str, lat: f64, lng: f64, services: &[&Value]) -> Value {
    s.post("/providers", provider_body(name, lat, lng, services))
        .expect(201)
}

fn try_slot(s: &Server, provider: &Value, service: &Value, starts_at: &str) -> Reply {
    s.post(
        "/slots",
        json!({"provider_id": provider["id"], "service_id": service["id"], "starts_at": starts_at}),
    )
}

fn add_slot(s: &Server, provider: &Value, service: &Value, starts_at: &str) -> Value {
    try_slot(s, provider, service, starts_at).expect(201)
}

fn book(s: &Server, slot: &Value, name: &str, phone: &str) -> Reply {
    s.post(
        "/bookings",
        json!({"slot_id": slot["id"], "address": "Jl. Melati No. 5, Menteng", "customer": customer(name, phone)}),
    )
}

fn slot_count(s: &Server) -> u64 {
    total(&s.get("/slots?page_size=1").expect(200))
}

fn booking_count(s: &Server) -> u64 {
    total(&s.get("/bookings?page_size=1").expect(200))
}

/// The `starts_at` values of a slot list.
fn starts(list: &Value) -> Vec<String> {
    column(list, "starts_at")
        .into_iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

/// Monday 09:00–17:00 with a lunch break 12:00–13:00, Wednesday 10:00–12:00.
fn plan_monday_wednesday(s: &Server, provider: &Value) {
    s.put(
        &format!("{}/working-plan", at("/providers", provider)),
        json!({"days": [
            {"weekday": 0, "start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "13:00"}]},
            {"weekday": 2, "start": "10:00", "end": "12:00"},
        ]}),
    )
    .expect(200);
}

fn generate(s: &Server, provider: &Value, service: &Value, extra: Value) -> Reply {
    let mut body = json!({"provider_id": provider["id"], "service_id": service["id"]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    s.post("/slots/generate", body)
}

/// Runs a generation as a dry run first (which must change nothing), then
/// for real, and checks both report the same; returns the real report.
fn generate_checked(s: &Server, provider: &Value, service: &Value, extra: Value) -> Value {
    let before = slot_count(s);
    let mut dry_extra = extra.clone();
    dry_extra["dry_run"] = json!(true);
    let dry = generate(s, provider, service, dry_extra).expect(200);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(slot_count(s), before, "a dry run creates nothing");
    let real = generate(s, provider, service, extra).expect(200);
    assert_eq!(real["dry_run"], false);
    assert_eq!(
        real["created"], dry["created"],
        "dry run: {dry}\nreal: {real}"
    );
    assert_eq!(real["starts"], dry["starts"]);
    let reasons = |r: &Value| -> Vec<(Value, Value)> {
        r["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| (k["starts_at"].clone(), k["reason"].clone()))
            .collect()
    };
    assert_eq!(reasons(&real), reasons(&dry));
    assert_eq!(
        slot_count(s),
        before + real["created"].as_u64().unwrap(),
        "the report's count is what was created"
    );
    real
}

/// `(starts_at, reason)` of each skipped candidate.
fn skipped(report: &Value) -> Vec<(String, String)> {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert!(k["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                k["starts_at"].as_str().unwrap().to_owned(),
                k["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn report_starts(report: &Value) -> Vec<String> {
    report["starts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

fn utcs(locals: &[&str]) -> Vec<String> {
    locals.iter().map(|l| utc(l)).collect()
}

/// An independent haversine (R = 6371 km) for expected values.
fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

/// The nearby reply's entries as `(provider id, distance_km)`.
fn nearby(s: &Server, query: &str) -> Vec<(String, f64)> {
    let r = s.get(&format!("/providers/nearby?{query}")).expect(200);
    r["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|e| {
            (
                e["provider"]["id"].as_str().unwrap().to_owned(),
                e["distance_km"].as_f64().unwrap(),
            )
        })
        .collect()
}

// ---- services -----------------------------------------------------------------

#[test]
fn services_are_validated_field_by_field_and_have_crud() {
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

    let makeup = s
        .post(
            "/services",
            json!({"name": "  Makeup Pengantin ", "description": "Rias pengantin", "duration_min": 120, "price": "3500000"}),
        )
        .expect(201);
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

// ---- providers ----------------------------------------------------------------

#[test]
fn providers_are_validated_normalised_and_have_crud() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 45, "150000");
    let good = provider_body("Rina MUA", -6.2, 106.8, &[&makeup]);
    let with = |field: &str, value: Value| {
        let mut b = good.clone();
        b[field] = value;
        b
    };
    let without = |field: &str| {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(field);
        b
    };
    let rejected: Vec<(Value, &str)> = vec![
        (without("whatsapp_number"), "whatsapp_number"),
        (with("whatsapp_number", json!("")), "whatsapp_number"),
        (with("whatsapp_number", json!("12345")), "whatsapp_number"),
        (
            with("whatsapp_number", json!("0812-abc")),
            "whatsapp_number",
        ),
        (with("whatsapp_number", json!("0812")), "whatsapp_number"),
        (with("name", json!("R")), "name"),
        (without("name"), "name"),
        (with("latitude", json!(90.000001)), "latitude"),
        (with("latitude", json!(-91)), "latitude"),
        (with("latitude", json!("utara")), "latitude"),
        (without("latitude"), "latitude"),
        (with("longitude", json!(180.5)), "longitude"),
        (with("longitude", json!(-181)), "longitude"),
        (without("longitude"), "longitude"),
        (
            with(
                "service_ids",
                json!(["01a200ff-5d55-76a6-a966-6df8a0de1abb"]),
            ),
            "service_ids",
        ),
        (with("service_ids", json!(["bukan-uuid"])), "service_ids[0]"),
        (with("max_slots_per_day", json!(0)), "max_slots_per_day"),
        (with("max_slots_per_day", json!(289)), "max_slots_per_day"),
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

    // Every usual spelling of the WhatsApp number becomes 62…
    for (raw, stored) in [
        ("0812-3456-7890", "6281234567890"),
        ("+62 812 3456 7891", "6281234567891"),
        ("6281234567892", "6281234567892"),
        ("(0812) 3456.7893", "6281234567893"),
    ] {
        let p = s
            .post("/providers", with("whatsapp_number", json!(raw)))
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
    let p = s
        .post(
            "/providers",
            json!({"name": " Rina MUA ", "whatsapp_number": "+62 812-1111-2222", "latitude": -6.2088001234,
                   "longitude": 106.84561234567, "service_ids": [makeup["id"], makeup["id"]]}),
        )
        .expect(201);
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

// ---- working plan ---------------------------------------------------------------

#[test]
fn the_working_plan_round_trips_normalised_and_every_rule_names_its_field() {
    let t = TestApp::new();
    let s = t.serve();
    let p = create_provider(&s, "Rina MUA", -6.2, 106.8, &[]);
    let url = format!("{}/working-plan", at("/providers", &p));
    assert_eq!(s.get(&url).expect(200), json!({"days": []}));

    let saved = s
        .put(
            &url,
            json!({"days": [
                {"weekday": 5, "start": "08:00", "end": "12:00"},
                {"weekday": 0, "start": "9:00", "end": " 17:00 ", "breaks": [
                    {"start": "15:00", "end": "15:15"},
                    {"start": "12:00", "end": "13:00"},
                    {"start": "13:00", "end": "13:30"},
                ]},
            ]}),
        )
        .expect(200);
    let expected = json!({"days": [
        {"weekday": 0, "start": "09:00", "end": "17:00", "breaks": [
            {"start": "12:00", "end": "13:00"},
            {"start": "13:00", "end": "13:30"},
            {"start": "15:00", "end": "15:15"},
        ]},
        {"weekday": 5, "start": "08:00", "end": "12:00", "breaks": []},
    ]});
    assert_eq!(saved, expected);
    assert_eq!(s.get(&url).expect(200), expected);
    // What GET returns can be sent back unchanged.
    assert_eq!(s.put(&url, expected.clone()).expect(200), expected);

    let day = |extra: Value| {
        let mut d = json!({"weekday": 0, "start": "09:00", "end": "17:00"});
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        d
    };
    let breaks = |list: Value| day(json!({"breaks": list}));
    let rejected: Vec<(Value, &str)> = vec![
        (json!([day(json!({"weekday": 7}))]), "days[0].weekday"),
        (json!([day(json!({"weekday": -1}))]), "days[0].weekday"),
        (json!([day(json!({"weekday": "senin"}))]), "days[0].weekday"),
        (json!([day(json!({"end": "08:00"}))]), "days[0].end"),
        (json!([day(json!({"end": "09:00"}))]), "days[0].end"),
        (json!([day(json!({"start": "9 pagi"}))]), "days[0].start"),
        (json!([day(json!({"start": "24:00"}))]), "days[0].start"),
        (json!([day(json!({"end": "17:60"}))]), "days[0].end"),
        (json!([day(json!({"end": ""}))]), "days[0].end"),
        (json!([{"weekday": 0, "end": "17:00"}]), "days[0].start"),
        (json!([day(json!({"lunch": "12:00"}))]), "days[0].lunch"),
        (
            json!([breaks(json!([{"start": "08:00", "end": "09:30"}]))]),
            "days[0].breaks[0].start",
        ),
        (
            json!([breaks(json!([{"start": "16:30", "end": "17:30"}]))]),
            "days[0].breaks[0].end",
        ),
        (
            json!([breaks(json!([{"start": "13:00", "end": "12:00"}]))]),
            "days[0].breaks[0].end",
        ),
        (
            json!([breaks(json!([{"start": "12.00", "end": "13:00"}]))]),
            "days[0].breaks[0].start",
        ),
        (
            json!([breaks(
                json!([{"start": "12:00", "end": "13:00"}, {"start": "12:59", "end": "14:00"}])
            )]),
            "days[0].breaks",
        ),
        (
            json!([breaks(
                json!([{"start": "14:00", "end": "15:00"}, {"start": "12:00", "end": "14:30"}])
            )]),
            "days[0].breaks",
        ),
        (json!([day(json!({})), day(json!({}))]), "days[1].weekday"),
        (
            json!([day(json!({})), day(json!({"weekday": 3, "start": "18:00"}))]),
            "days[1].end",
        ),
    ];
    for (days, field) in rejected {
        let r = s.put(&url, json!({ "days": days }));
        assert_eq!(r.status, 422, "{days}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "validation");
        assert_eq!(r.body["error"]["field"], field, "{days}: {}", r.body);
    }
    assert_eq!(
        s.get(&url).expect(200),
        expected,
        "refused plans change nothing"
    );

    // An empty plan is a plan: no working days.
    assert_eq!(
        s.put(&url, json!({"days": []})).expect(200),
        json!({"days": []})
    );
    s.get("/providers/01a200ff-5d55-76a6-a966-6df8a0de1abb/working-plan")
        .expect_error(404, "not_found", None);
}

// ---- slots by hand --------------------------------------------------------------

#[test]
fn slots_never_overlap_for_one_provider_and_never_start_in_the_past() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let touch_up = create_service(&s, "Touch up", 30, "150000");
    let rina = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup, &touch_up]);
    let dewi = create_provider(&s, "Dewi", -6.2, 106.8, &[&makeup]);

    let nine = add_slot(&s, &rina, &makeup, "2026-11-30T09:00");
    assert_eq!(nine["starts_at"], utc("2026-11-30T09:00"));
    assert_eq!(nine["ends_at"], utc("2026-11-30T10:00"));
    assert_eq!(
        nine["duration_min"], 60,
        "the service's duration by default"
    );
    assert_eq!(nine["status"], "available");
    assert_eq!(nine["service_name"], "Makeup");
    assert_eq!(nine["provider_name"], "Rina");
    assert!(nine["booking_id"].is_null());
    assert_eq!(s.get(&at("/slots", &nine)).expect(200), nine);
    // Back to back on either side is fine.
    add_slot(&s, &rina, &makeup, "2026-11-30T10:00");
    add_slot(&s, &rina, &makeup, "2026-11-30T08:00");
    // One minute of overlap is not, whatever the service.
    for (service, start) in [
        (&makeup, "2026-11-30T07:01"),
        (&makeup, "2026-11-30T10:59"),
        (&touch_up, "2026-11-30T10:59"),
        (&touch_up, "2026-11-30T09:15"),
        (&makeup, "2026-11-30T09:00"),
    ] {
        try_slot(&s, &rina, service, start).expect_error(409, "conflict", None);
    }
    // A longer slot that swallows another one.
    s.post(
        "/slots",
        json!({"provider_id": rina["id"], "service_id": touch_up["id"], "starts_at": "2026-11-30T07:00", "duration_min": 240}),
    )
    .expect_error(409, "conflict", None);
    let short = add_slot(&s, &rina, &touch_up, "2026-11-30T11:00");
    assert_eq!(short["ends_at"], utc("2026-11-30T11:30"));
    let long = s
        .post(
            "/slots",
            json!({"provider_id": rina["id"], "service_id": makeup["id"], "starts_at": "2026-11-30T11:30", "duration_min": 90}),
        )
        .expect(201);
    assert_eq!(long["duration_min"], 90);
    assert_eq!(long["ends_at"], utc("2026-11-30T13:00"));
    // RFC 3339 with an offset names the same instant.
    let rfc = add_slot(&s, &rina, &makeup, "2026-11-30T13:00:00+07:00");
    assert_eq!(rfc["starts_at"], utc("2026-11-30T13:00"));
    try_slot(&s, &rina, &makeup, "2026-11-30T06:30:00Z").expect_error(409, "conflict", None);
    // Another provider at the same time is fine.
    add_slot(&s, &dewi, &makeup, "2026-11-30T09:00");

    // Not in the past: now is 10:00 on 2026-11-22 in Jakarta.
    for start in [
        "2026-11-22T09:00",
        "2026-11-22T10:00",
        "2026-11-21T23:00",
        "2026-11-22T03:00:00Z",
    ] {
        try_slot(&s, &rina, &makeup, start).expect_error(422, "validation", Some("starts_at"));
    }
    add_slot(&s, &rina, &makeup, "2026-11-22T10:01");

    // Everything else names its field.
    for (body, field) in [
        (json!({"starts_at": "besok jam 9"}), "starts_at"),
        (json!({"starts_at": "2026-11-31T09:00"}), "starts_at"),
        (
            json!({"starts_at": "2026-12-05T09:00", "duration_min": 0}),
            "duration_min",
        ),
        (
            json!({"starts_at": "2026-12-05T09:00", "duration_min": 1441}),
            "duration_min",
        ),
        (
            json!({"service_id": dewi["id"], "starts_at": "2026-12-05T09:00"}),
            "service_id",
        ),
        (
            json!({"service_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb", "starts_at": "2026-12-05T09:00"}),
            "service_id",
        ),
    ] {
        let mut full = json!({"provider_id": rina["id"], "service_id": makeup["id"]});
        for (k, v) in body.as_object().unwrap() {
            full[k] = v.clone();
        }
        s.post("/slots", full)
            .expect_error(422, "validation", Some(field));
    }
    // A provider who does not offer the service.
    try_slot(&s, &dewi, &touch_up, "2026-12-05T09:00").expect_error(
        422,
        "validation",
        Some("service_id"),
    );
    s.post(
        "/slots",
        json!({"provider_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb", "service_id": makeup["id"], "starts_at": "2026-12-05T09:00"}),
    )
    .expect_error(422, "validation", Some("provider_id"));
    // An inactive service takes no new slots.
    s.put(&at("/services", &touch_up), json!({"active": false}))
        .expect(200);
    try_slot(&s, &rina, &touch_up, "2026-12-05T09:00").expect_error(
        422,
        "validation",
        Some("service_id"),
    );
    assert_eq!(slot_count(&s), 8);
}

#[test]
fn the_daily_maximum_counts_local_days_not_utc_days_across_midnight() {
    let t = TestApp::new();
    let s = t.serve();
    s.put("/settings", json!({"max_slots_per_day": 2}))
        .expect(200);
    let touch_up = create_service(&s, "Touch up", 30, "150000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&touch_up]);

    // Day D = 2026-11-30 in Jakarta: 22:00 and 23:00 fill it.
    let late = add_slot(&s, &p, &touch_up, "2026-11-30T22:00");
    add_slot(&s, &p, &touch_up, "2026-11-30T23:00");
    // 23:30 touches 23:00–23:30 back to back, so only the day limit refuses it.
    let refused =
        try_slot(&s, &p, &touch_up, "2026-11-30T23:30").expect_error(409, "conflict", None);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2026-11-30"),
        "the message names the local day: {refused}"
    );
    // 00:30 on D+1 in Jakarta is still D in UTC (17:30Z), and is accepted.
    let after_midnight = add_slot(&s, &p, &touch_up, "2026-12-01T00:30");
    assert_eq!(after_midnight["starts_at"], "2026-11-30T17:30:00Z");
    // Early morning on D is the previous UTC day (2026-11-29T23:00Z): it
    // belongs to D, which is full.
    try_slot(&s, &p, &touch_up, "2026-11-30T06:00").expect_error(409, "conflict", None);
    add_slot(&s, &p, &touch_up, "2026-12-01T01:30");
    try_slot(&s, &p, &touch_up, "2026-12-01T09:00").expect_error(409, "conflict", None);

    // Counted by UTC date, D would hold three slots (over the maximum of
    // two, so 00:30 would have been refused) and the 06:00 slot would have
    // gone into an empty 2026-11-29.
    let db = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
    let by_utc_date: Vec<(String, i64)> = db
        .prepare(
            "SELECT substr(starts_at, 1, 10), COUNT(*) FROM slots WHERE provider_id = ?1
             GROUP BY 1 ORDER BY 1",
        )
        .unwrap()
        .query_map([id(&p)], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(by_utc_date, [("2026-11-30".to_owned(), 4)]);
    // By local day it is two and two.
    let day = |date: &str| {
        s.get(&format!("{}/day?date={date}", at("/providers", &p)))
            .expect(200)
    };
    assert_eq!(
        starts(&json!({"data": day("2026-11-30")["slots"]})),
        utcs(&["2026-11-30T22:00", "2026-11-30T23:00"])
    );
    assert_eq!(
        starts(&json!({"data": day("2026-12-01")["slots"]})),
        utcs(&["2026-12-01T00:30", "2026-12-01T01:30"])
    );
    assert!(day("2026-11-29")["slots"].as_array().unwrap().is_empty());

    // Moving a slot within its full day is fine (it does not count itself);
    // moving one into a full day is not.
    let moved = s
        .put(
            &at("/slots", &late),
            json!({"starts_at": "2026-11-30T20:00"}),
        )
        .expect(200);
    assert_eq!(moved["starts_at"], utc("2026-11-30T20:00"));
    s.put(
        &at("/slots", &after_midnight),
        json!({"starts_at": "2026-11-30T21:00"}),
    )
    .expect_error(409, "conflict", None);
    assert_eq!(
        s.get(&at("/slots", &after_midnight)).expect(200)["starts_at"],
        "2026-11-30T17:30:00Z",
        "a refused move changes nothing"
    );
}

#[test]
fn booked_slots_stay_put_and_free_slots_move_and_go() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    let booked = add_slot(&s, &p, &makeup, "2026-11-30T09:00");
    let free = add_slot(&s, &p, &makeup, "2026-11-30T11:00");
    let b = book(&s, &booked, "Sari", &phone(1)).expect(201);

    s.put(
        &at("/slots", &booked),
        json!({"starts_at": "2026-11-30T15:00"}),
    )
    .expect_error(409, "conflict", None);
    s.put(&at("/slots", &booked), json!({"duration_min": 30}))
        .expect_error(409, "conflict", None);
    s.delete(&at("/slots", &booked))
        .expect_error(409, "conflict", None);
    let still = s.get(&at("/slots", &booked)).expect(200);
    assert_eq!(still["starts_at"], utc("2026-11-30T09:00"));
    assert_eq!(still["status"], "booked");
    assert_eq!(still["booking_id"], b["id"]);

    // A free slot moves, within the rules.
    s.put(
        &at("/slots", &free),
        json!({"starts_at": "2026-11-30T09:30"}),
    )
    .expect_error(409, "conflict", None);
    s.put(
        &at("/slots", &free),
        json!({"starts_at": "2026-11-22T09:00"}),
    )
    .expect_error(422, "validation", Some("starts_at"));
    s.put(&at("/slots", &free), json!({"starts_at": "jam dua"}))
        .expect_error(422, "validation", Some("starts_at"));
    s.put(&at("/slots", &free), json!({"duration_min": 0}))
        .expect_error(422, "validation", Some("duration_min"));
    let moved = s
        .put(
            &at("/slots", &free),
            json!({"starts_at": "2026-11-30T10:00", "version": free["version"]}),
        )
        .expect(200);
    assert_eq!(moved["starts_at"], utc("2026-11-30T10:00"));
    assert_eq!(moved["ends_at"], utc("2026-11-30T11:00"));
    assert_eq!(moved["version"], free["version"].as_i64().unwrap() + 1);
    s.put(
        &at("/slots", &free),
        json!({"duration_min": 30, "version": free["version"]}),
    )
    .expect_error(409, "conflict", None);
    let longer = s
        .put(&at("/slots", &free), json!({"duration_min": 120}))
        .expect(200);
    assert_eq!(longer["ends_at"], utc("2026-11-30T12:00"));
    s.delete(&at("/slots", &free)).expect(200);
    s.get(&at("/slots", &free))
        .expect_error(404, "not_found", None);

    // Canceling frees the slot; deleting it then takes it out of every list
    // and check, while the canceled booking still names it.
    s.delete(&at("/bookings", &b)).expect(200);
    assert_eq!(
        s.get(&at("/slots", &booked)).expect(200)["status"],
        "available"
    );
    let listed = |s: &Server| starts(&s.get(&format!("/slots?provider_id={}", id(&p))).expect(200));
    assert_eq!(listed(&s), vec![utc("2026-11-30T09:00")]);
    s.delete(&at("/slots", &booked)).expect(200);
    s.get(&at("/slots", &booked))
        .expect_error(404, "not_found", None);
    assert!(listed(&s).is_empty());
    book(&s, &booked, "Budi", &phone(2)).expect_error(422, "validation", Some("slot_id"));
    let history = s.get(&at("/bookings", &b)).expect(200);
    assert_eq!(history["slot_id"], booked["id"]);
    assert_eq!(history["service_name"], "Makeup");
    assert_eq!(history["provider_name"], "Rina");
    assert_eq!(history["booking_status"], "canceled");
    // Its time is free for a new slot.
    let again = add_slot(&s, &p, &makeup, "2026-11-30T09:00");
    assert_eq!(listed(&s), vec![utc("2026-11-30T09:00")]);
    book(&s, &again, "Budi", &phone(2)).expect(201);
}

#[test]
fn slots_are_listed_by_service_provider_local_days_and_status() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 60, "150000");
    let rina = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup, &ac]);
    let dewi = create_provider(&s, "Dewi", -6.2, 106.8, &[&makeup]);
    // 2026-11-30 00:30 in Jakarta is 2026-11-29 in UTC; 23:30 is still the 30th.
    let a = add_slot(&s, &rina, &makeup, "2026-11-30T00:30");
    let b = add_slot(&s, &rina, &ac, "2026-11-30T09:00");
    let c = add_slot(&s, &dewi, &makeup, "2026-11-30T09:00");
    let d = add_slot(&s, &rina, &makeup, "2026-11-30T23:30");
    let e = add_slot(&s, &dewi, &makeup, "2026-12-01T00:00");
    let f = add_slot(&s, &rina, &makeup, "2026-11-29T23:00");
    book(&s, &c, "Sari", &phone(1)).expect(201);
    book(&s, &d, "Budi", &phone(2)).expect(201);

    let list = |q: &str| ids(&s.get(&format!("/slots?{q}")).expect(200));
    let all = list("");
    assert_eq!(
        all,
        [id(&f), id(&a), id(&b), id(&c), id(&d), id(&e)],
        "by start time"
    );
    assert_eq!(
        list(&format!("service_id={}", id(&makeup))),
        [id(&f), id(&a), id(&c), id(&d), id(&e)]
    );
    assert_eq!(list(&format!("service_id={}", id(&ac))), [id(&b)]);
    assert_eq!(
        list(&format!("provider_id={}", id(&dewi))),
        [id(&c), id(&e)]
    );
    assert_eq!(
        list(&format!(
            "provider_id={}&service_id={}",
            id(&rina),
            id(&makeup)
        )),
        [id(&f), id(&a), id(&d)]
    );
    assert_eq!(
        list("from=2026-11-30&to=2026-11-30"),
        [id(&a), id(&b), id(&c), id(&d)]
    );
    assert_eq!(
        list("from=2026-11-30"),
        [id(&a), id(&b), id(&c), id(&d), id(&e)]
    );
    assert_eq!(list("to=2026-11-29"), [id(&f)]);
    assert_eq!(list("from=2026-12-01&to=2026-12-01"), [id(&e)]);
    assert_eq!(list("status=booked"), [id(&c), id(&d)]);
    assert_eq!(list("status=available"), [id(&f), id(&a), id(&b), id(&e)]);
    assert_eq!(
        list(&format!(
            "status=available&provider_id={}&from=2026-11-30&to=2026-11-30",
            id(&rina)
        )),
        [id(&a), id(&b)]
    );
    for (q, field) in [
        ("from=kemarin", "from"),
        ("to=2026-02-30", "to"),
        ("status=taken", "status"),
        ("provider_id=x", "provider_id"),
    ] {
        s.get(&format!("/slots?{q}"))
            .expect_error(422, "validation", Some(field));
    }
}

#[test]
fn a_providers_day_shows_who_booked_each_slot() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    let other = create_provider(&s, "Dewi", -6.2, 106.8, &[&makeup]);
    let morning = add_slot(&s, &p, &makeup, "2026-11-30T09:00");
    let noon = add_slot(&s, &p, &makeup, "2026-11-30T12:00");
    let evening = add_slot(&s, &p, &makeup, "2026-11-30T19:00");
    add_slot(&s, &p, &makeup, "2026-12-01T09:00");
    add_slot(&s, &other, &makeup, "2026-11-30T09:00");
    let b1 = book(&s, &morning, "Sari Dewi", &phone(1)).expect(201);
    let b2 = book(&s, &evening, "Budi Santoso", &phone(2)).expect(201);

    let url = format!("{}/day?date=2026-11-30", at("/providers", &p));
    let day = s.get(&url).expect(200);
    assert_eq!(day["date"], "2026-11-30");
    assert_eq!(day["provider"]["id"], p["id"]);
    let slots = day["slots"].as_array().unwrap();
    let rows: Vec<(&str, &str, &Value, &Value)> = slots
        .iter()
        .map(|sl| {
            (
                sl["id"].as_str().unwrap(),
                sl["status"].as_str().unwrap(),
                &sl["booking_code"],
                &sl["customer_name"],
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (id(&morning), "booked", &b1["code"], &json!("Sari Dewi")),
            (id(&noon), "available", &Value::Null, &Value::Null),
            (id(&evening), "booked", &b2["code"], &json!("Budi Santoso")),
        ]
    );
    assert_eq!(slots[0]["booking_id"], b1["id"]);

    // The booking code stays on the slot through the lifecycle.
    s.put(&at("/bookings", &b1), json!({"booking_status": "active"}))
        .expect(200);
    s.put(
        &at("/bookings", &b1),
        json!({"booking_status": "completed"}),
    )
    .expect(200);
    let day = s.get(&url).expect(200);
    assert_eq!(day["slots"][0]["status"], "booked");
    assert_eq!(day["slots"][0]["booking_code"], b1["code"]);
    assert_eq!(day["slots"][0]["customer_name"], "Sari Dewi");
    // A canceled booking leaves a free slot with nobody on it.
    s.delete(&at("/bookings", &b2)).expect(200);
    let day = s.get(&url).expect(200);
    assert_eq!(day["slots"][2]["status"], "available");
    assert!(day["slots"][2]["booking_code"].is_null());
    assert!(day["slots"][2]["customer_name"].is_null());

    s.get(&format!("{}/day?date=30-11-2026", at("/providers", &p)))
        .expect_error(422, "validation", Some("date"));
    s.get(&format!("{}/day", at("/providers", &p)))
        .expect_error(422, "validation", Some("date"));
    s.get("/providers/01a200ff-5d55-76a6-a966-6df8a0de1abb/day?date=2026-11-30")
        .expect_error(404, "not_found", None);
}

// ---- generation -----------------------------------------------------------------

#[test]
fn slots_are_generated_from_the_working_plan_around_breaks() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    plan_monday_wednesday(&s, &p);

    // 2026-11-30 is a Monday; the week runs to Sunday 2026-12-06.
    let week = json!({"from": "2026-11-30", "to": "2026-12-06"});
    let report = generate_checked(&s, &p, &makeup, week.clone());
    let monday = utcs(&[
        "2026-11-30T09:00",
        "2026-11-30T10:00",
        "2026-11-30T11:00",
        "2026-11-30T13:00",
        "2026-11-30T14:00",
        "2026-11-30T15:00",
        "2026-11-30T16:00",
    ]);
    let wednesday = utcs(&["2026-12-02T10:00", "2026-12-02T11:00"]);
    assert_eq!(report["created"], 9);
    assert_eq!(
        report_starts(&report),
        [monday.clone(), wednesday.clone()].concat()
    );
    assert!(skipped(&report).is_empty(), "{report}");
    let mon = s
        .get(&format!("{}/day?date=2026-11-30", at("/providers", &p)))
        .expect(200);
    assert_eq!(
        starts(&json!({"data": mon["slots"]})),
        monday,
        "exactly 7, none in the break"
    );
    assert!(
        mon["slots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|sl| sl["duration_min"] == 60 && sl["status"] == "available")
    );
    // Days without a plan get nothing.
    for date in [
        "2026-12-01",
        "2026-12-03",
        "2026-12-04",
        "2026-12-05",
        "2026-12-06",
    ] {
        assert_eq!(
            total(&s.get(&format!("/slots?from={date}&to={date}")).expect(200)),
            0,
            "{date}"
        );
    }

    // Again: every candidate is already there.
    let again = generate_checked(&s, &p, &makeup, week);
    assert_eq!(again["created"], 0);
    let reasons = skipped(&again);
    assert_eq!(reasons.len(), 9);
    assert!(reasons.iter().all(|(_, r)| r == "overlap"), "{again}");
    assert_eq!(slot_count(&s), 9);
}

#[test]
fn generation_leaves_a_buffer_between_slots() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    plan_monday_wednesday(&s, &p);
    let report = generate_checked(
        &s,
        &p,
        &makeup,
        json!({"from": "2026-11-30", "to": "2026-12-02", "buffer_min": 15}),
    );
    // 09:00, 10:15, (11:30 would run into lunch) 13:00, 14:15, 15:30,
    // (16:45 would end after 17:00); Wednesday 10:00 (11:15 ends after 12:00).
    assert_eq!(
        report_starts(&report),
        utcs(&[
            "2026-11-30T09:00",
            "2026-11-30T10:15",
            "2026-11-30T13:00",
            "2026-11-30T14:15",
            "2026-11-30T15:30",
            "2026-12-02T10:00",
        ])
    );
    assert_eq!(report["created"], 6);
    generate(
        &s,
        &p,
        &makeup,
        json!({"from": "2026-11-30", "to": "2026-11-30", "buffer_min": 1441}),
    )
    .expect_error(422, "validation", Some("buffer_min"));
}

#[test]
fn generation_reports_overlap_day_limit_and_past_and_a_dry_run_says_the_same() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let touch_up = create_service(&s, "Touch up", 30, "150000");

    // An existing slot at 10:30 takes the 10:00 candidate only.
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup, &touch_up]);
    plan_monday_wednesday(&s, &p);
    add_slot(&s, &p, &touch_up, "2026-11-30T10:30");
    let day = json!({"from": "2026-11-30", "to": "2026-11-30"});
    let report = generate_checked(&s, &p, &makeup, day.clone());
    assert_eq!(report["created"], 6);
    assert_eq!(
        skipped(&report),
        [(utc("2026-11-30T10:00"), "overlap".to_owned())]
    );
    assert!(!report_starts(&report).contains(&utc("2026-11-30T10:00")));
    assert!(report_starts(&report).contains(&utc("2026-11-30T11:00")));

    // A full day: at most five, counting the one already there.
    let q = s
        .post(
            "/providers",
            json!({"name": "Dewi", "whatsapp_number": "081200000002", "latitude": -6.2, "longitude": 106.8,
                   "service_ids": [makeup["id"], touch_up["id"]], "max_slots_per_day": 5}),
        )
        .expect(201);
    plan_monday_wednesday(&s, &q);
    add_slot(&s, &q, &touch_up, "2026-11-30T08:00");
    let report = generate_checked(
        &s,
        &q,
        &makeup,
        json!({"from": "2026-11-30", "to": "2026-12-02"}),
    );
    assert_eq!(
        report_starts(&report),
        utcs(&[
            "2026-11-30T09:00",
            "2026-11-30T10:00",
            "2026-11-30T11:00",
            "2026-11-30T13:00",
            "2026-12-02T10:00",
            "2026-12-02T11:00",
        ])
    );
    assert_eq!(
        skipped(&report),
        [
            (utc("2026-11-30T14:00"), "day_limit".to_owned()),
            (utc("2026-11-30T15:00"), "day_limit".to_owned()),
            (utc("2026-11-30T16:00"), "day_limit".to_owned()),
        ]
    );
    let monday_total = total(
        &s.get(&format!(
            "/slots?provider_id={}&from=2026-11-30&to=2026-11-30",
            id(&q)
        ))
        .expect(200),
    );
    assert_eq!(monday_total, 5);

    // Today (Sunday 2026-11-22, 10:00 in Jakarta): what has begun is past.
    let r = create_provider(&s, "Ayu", -6.2, 106.8, &[&makeup]);
    s.put(
        &format!("{}/working-plan", at("/providers", &r)),
        json!({"days": [{"weekday": 6, "start": "08:00", "end": "12:00"}]}),
    )
    .expect(200);
    let report = generate_checked(
        &s,
        &r,
        &makeup,
        json!({"from": "2026-11-22", "to": "2026-11-29"}),
    );
    assert_eq!(
        skipped(&report),
        [
            (utc("2026-11-22T08:00"), "past".to_owned()),
            (utc("2026-11-22T09:00"), "past".to_owned()),
            (utc("2026-11-22T10:00"), "past".to_owned()),
        ]
    );
    assert_eq!(
        report_starts(&report),
        utcs(&[
            "2026-11-22T11:00",
            "2026-11-29T08:00",
            "2026-11-29T09:00",
            "2026-11-29T10:00",
            "2026-11-29T11:00",
        ])
    );
}

#[test]
fn generation_checks_its_range_and_the_providers_services() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 60, "150000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    plan_monday_wednesday(&s, &p);
    for (extra, field) in [
        (json!({"from": "2026-12-02", "to": "2026-12-01"}), "to"),
        (json!({"from": "2026-12-01", "to": "2027-03-04"}), "to"),
        (json!({"from": "2026-12-01"}), "to"),
        (json!({"to": "2026-12-01"}), "from"),
        (json!({"from": "1 Desember", "to": "2026-12-01"}), "from"),
        (
            json!({"from": "2026-12-01", "to": "2026-12-01", "buffer_min": -5}),
            "buffer_min",
        ),
        (
            json!({"from": "2026-12-01", "to": "2026-12-01", "dry_run": "ya"}),
            "dry_run",
        ),
    ] {
        generate(&s, &p, &makeup, extra).expect_error(422, "validation", Some(field));
    }
    generate(
        &s,
        &p,
        &ac,
        json!({"from": "2026-12-01", "to": "2026-12-07"}),
    )
    .expect_error(422, "validation", Some("service_id"));
    s.post(
        "/slots/generate",
        json!({"provider_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb", "service_id": makeup["id"], "from": "2026-12-01", "to": "2026-12-01"}),
    )
    .expect_error(422, "validation", Some("provider_id"));
    assert_eq!(slot_count(&s), 0);
    // 92 days is the longest range: 2026-12-01 (Tue) … 2027-03-03 (Wed) holds
    // 13 Mondays and 14 Wednesdays.
    let long = generate(
        &s,
        &p,
        &makeup,
        json!({"from": "2026-12-01", "to": "2027-03-03", "dry_run": true}),
    )
    .expect(200);
    assert_eq!(long["created"], 13 * 7 + 14 * 2);
    assert_eq!(slot_count(&s), 0);
    // A provider without a plan gets nothing (and no error).
    let idle = create_provider(&s, "Santai", -6.2, 106.8, &[&makeup]);
    let none = generate(
        &s,
        &idle,
        &makeup,
        json!({"from": "2026-12-01", "to": "2026-12-31"}),
    )
    .expect(200);
    assert_eq!(none["created"], 0);
    assert!(skipped(&none).is_empty());
}

// ---- service bookings -----------------------------------------------------------

#[test]
fn a_service_booking_holds_its_slot_through_the_lifecycle() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup Wisuda", 90, "750000");
    let p = create_provider(&s, "Rina MUA", -6.2, 106.8, &[&makeup]);
    let slot = add_slot(&s, &p, &makeup, "2026-11-30T09:00");
    let unit = create_unit(&s, 100_000_000);

    // Each rule names its field, and nothing is written.
    let base = json!({"slot_id": slot["id"], "address": "Jl. Melati 5", "customer": customer("Sari", &phone(1))});
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let mut no_address = base.clone();
    no_address.as_object_mut().unwrap().remove("address");
    for (body, field) in [
        (no_address, "address"),
        (with("address", json!("   ")), "address"),
        (with("address", Value::String("a".repeat(501))), "address"),
        (with("unit_id", unit["id"].clone()), "unit_id"),
        (with("event_at", json!("2026-11-30T10:00")), "event_at"),
        (
            with("slot_id", json!("01a200ff-5d55-76a6-a966-6df8a0de1abb")),
            "slot_id",
        ),
        (with("slot_id", json!("slot-satu")), "slot_id"),
        (with("price", json!("-1")), "price"),
    ] {
        s.post("/bookings", body)
            .expect_error(422, "validation", Some(field));
    }
    assert_eq!(booking_count(&s), 0);
    assert_eq!(
        total(&s.get("/customers").expect(200)),
        0,
        "no customer kept either"
    );
    assert_eq!(
        s.get(&at("/slots", &slot)).expect(200)["status"],
        "available"
    );
    assert_eq!(
        s.get(&at("/units", &unit)).expect(200)["status"],
        "available"
    );

    let b = book(&s, &slot, "Sari", &phone(1)).expect(201);
    assert_eq!(b["event_at"], slot["starts_at"]);
    assert_eq!(b["event_end_at"], utc("2026-11-30T10:30"));
    assert_eq!(b["price"], "750000", "the service's price");
    assert_eq!(b["slot_id"], slot["id"]);
    assert_eq!(b["service_id"], makeup["id"]);
    assert_eq!(b["service_name"], "Makeup Wisuda");
    assert_eq!(b["provider_id"], p["id"]);
    assert_eq!(b["provider_name"], "Rina MUA");
    assert_eq!(b["address"], "Jl. Melati No. 5, Menteng");
    assert_eq!(b["booking_status"], "pending");
    assert!(b["unit_id"].is_null());
    assert_eq!(b["urgency_level"], "upcoming", "8 days ahead");
    let held = s.get(&at("/slots", &slot)).expect(200);
    assert_eq!(held["status"], "booked");
    assert_eq!(held["booking_id"], b["id"]);
    assert_eq!(held["booking_code"], b["code"]);
    assert_eq!(held["customer_name"], "Sari");

    // The slot is taken, for everyone.
    let taken = book(&s, &slot, "Budi", &phone(2)).expect_error(409, "conflict", None);
    assert!(
        taken["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Rina MUA")
    );
    book(&s, &slot, "Sari", &phone(1)).expect_error(409, "conflict", None);
    assert_eq!(booking_count(&s), 1);

    // A given price wins over the service's.
    let second = add_slot(&s, &p, &makeup, "2026-11-30T13:00");
    let discounted = s
        .post(
            "/bookings",
            json!({"slot_id": second["id"], "address": "Jl. Kenanga 1", "customer_id": b["customer_id"], "price": "600000"}),
        )
        .expect(201);
    assert_eq!(discounted["price"], "600000");
    // A service booking takes its time from the slot.
    s.put(
        &at("/bookings", &discounted),
        json!({"event_at": "2026-12-01T10:00"}),
    )
    .expect_error(409, "conflict", None);
    s.put(&at("/bookings", &discounted), json!({"address": ""}))
        .expect_error(422, "validation", Some("address"));

    // Cancel frees the slot and it can be booked again.
    let canceled = s.delete(&at("/bookings", &b)).expect(200);
    assert_eq!(canceled["booking_status"], "canceled");
    let freed = s.get(&at("/slots", &slot)).expect(200);
    assert_eq!(freed["status"], "available");
    assert!(freed["booking_id"].is_null());
    let rebooked = book(&s, &slot, "Budi", &phone(2)).expect(201);
    assert_eq!(
        s.get(&at("/slots", &slot)).expect(200)["booking_id"],
        rebooked["id"]
    );
    s.delete(&at("/bookings", &b))
        .expect_error(409, "conflict", None);

    // pending → active → completed; a rating and review only once completed.
    let url = at("/bookings", &rebooked);
    s.put(&url, json!({"rating": 5}))
        .expect_error(409, "conflict", None);
    s.put(&url, json!({"booking_status": "completed"}))
        .expect_error(409, "conflict", None);
    let active = s.put(&url, json!({"booking_status": "active"})).expect(200);
    assert_eq!(active["booking_status"], "active");
    s.put(&url, json!({"review": "Bagus"}))
        .expect_error(409, "conflict", None);
    let done = s
        .put(&url, json!({"booking_status": "completed"}))
        .expect(200);
    assert_eq!(done["booking_status"], "completed");
    assert!(done["rating"].is_null());
    for bad in [json!(6), json!(0), json!(-1), json!("lima")] {
        s.put(&url, json!({"rating": bad}))
            .expect_error(422, "validation", Some("rating"));
    }
    s.put(&url, json!({"review": "x".repeat(1001)}))
        .expect_error(422, "validation", Some("review"));
    let rated = s
        .put(
            &url,
            json!({"rating": 5, "review": "  Rapi dan tepat waktu "}),
        )
        .expect(200);
    assert_eq!(rated["rating"], 5);
    assert_eq!(rated["review"], "Rapi dan tepat waktu");
    assert_eq!(s.get(&url).expect(200)["rating"], 5);
    // Completed: cannot be canceled, the slot stays booked.
    s.delete(&url).expect_error(409, "conflict", None);
    assert_eq!(s.get(&at("/slots", &slot)).expect(200)["status"], "booked");
    book(&s, &slot, "Ani", &phone(3)).expect_error(409, "conflict", None);
    // A canceled booking takes no rating.
    s.put(&at("/bookings", &b), json!({"rating": 4}))
        .expect_error(409, "conflict", None);

    // A slot that has started can no longer be booked.
    let soon = add_slot(&s, &p, &makeup, "2026-11-22T11:00");
    t.set_now(Utc.with_ymd_and_hms(2026, 11, 22, 4, 0, 0).unwrap());
    book(&s, &soon, "Ani", &phone(3)).expect_error(409, "conflict", None);
}

#[test]
fn booking_history_per_customer_and_per_provider() {
    let t = TestApp::new();
    let mut s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 60, "150000");
    let rina = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    let budi = create_provider(&s, "Budi", -6.2, 106.8, &[&ac]);
    let s1 = add_slot(&s, &rina, &makeup, "2026-11-23T09:00");
    let s2 = add_slot(&s, &budi, &ac, "2026-11-24T09:00");
    let s3 = add_slot(&s, &rina, &makeup, "2026-11-25T09:00");
    let s4 = add_slot(&s, &rina, &makeup, "2026-11-26T09:00");
    let first = book(&s, &s1, "Sari", &phone(1)).expect(201);
    let cid = first["customer_id"].as_str().unwrap().to_owned();
    let book_for = |slot: &Value| {
        s.post(
            "/bookings",
            json!({"slot_id": slot["id"], "address": "Jl. Melati 5", "customer_id": cid}),
        )
        .expect(201)
    };
    let ac_job = book_for(&s2);
    let later = book_for(&s3);
    let stranger = book(&s, &s4, "Orang Lain", &phone(2)).expect(201);

    let history = s.get(&format!("/customers/{cid}/bookings")).expect(200);
    assert_eq!(
        ids(&history),
        [id(&later), id(&ac_job), id(&first)],
        "latest first"
    );
    assert_eq!(
        column(&history, "provider_name"),
        [json!("Rina"), json!("Budi"), json!("Rina")]
    );
    assert_eq!(
        ids(&s
            .get(&format!("{}/bookings", at("/providers", &rina)))
            .expect(200)),
        [id(&first), id(&later), id(&stranger)],
        "event order"
    );
    assert_eq!(
        ids(&s
            .get(&format!("{}/bookings", at("/providers", &budi)))
            .expect(200)),
        [id(&ac_job)]
    );
    assert_eq!(
        ids(&s
            .get(&format!(
                "/bookings?provider_id={}&sort=event_at",
                id(&rina)
            ))
            .expect(200)),
        [id(&first), id(&later), id(&stranger)]
    );
    assert_eq!(
        ids(&s
            .get(&format!("/bookings?service_id={}", id(&ac)))
            .expect(200)),
        [id(&ac_job)]
    );

    // The first job is done and rated; the next day, only what is ahead is upcoming.
    s.put(
        &at("/bookings", &first),
        json!({"booking_status": "active"}),
    )
    .expect(200);
    s.put(
        &at("/bookings", &first),
        json!({"booking_status": "completed"}),
    )
    .expect(200);
    s.put(
        &at("/bookings", &first),
        json!({"rating": 4, "review": "Oke"}),
    )
    .expect(200);
    t.set_now(Utc.with_ymd_and_hms(2026, 11, 24, 5, 0, 0).unwrap()); // 24th, 12:00 Jakarta
    s.login("admin", PASSWORD).expect(200);
    let rina_url = format!("{}/bookings", at("/providers", &rina));
    assert_eq!(
        ids(&s.get(&format!("{rina_url}?upcoming=true")).expect(200)),
        [id(&later), id(&stranger)]
    );
    assert_eq!(
        ids(&s.get(&format!("{rina_url}?upcoming=false")).expect(200)),
        [id(&first), id(&later), id(&stranger)]
    );
    assert!(
        ids(&s
            .get(&format!(
                "{}/bookings?upcoming=true",
                at("/providers", &budi)
            ))
            .expect(200))
        .is_empty()
    );
    assert_eq!(
        ids(&s
            .get(&format!("{rina_url}?booking_status=completed"))
            .expect(200)),
        [id(&first)]
    );
    let history = s.get(&format!("/customers/{cid}/bookings")).expect(200);
    assert_eq!(history["data"][2]["rating"], 4);
    assert_eq!(history["data"][2]["review"], "Oke");
    s.get("/customers/01a200ff-5d55-76a6-a966-6df8a0de1abb/bookings")
        .expect_error(404, "not_found", None);
    s.get("/providers/01a200ff-5d55-76a6-a966-6df8a0de1abb/bookings")
        .expect_error(404, "not_found", None);
}

// ---- the same-slot race ---------------------------------------------------------

/// No slot is held by two open bookings, and every booked slot by exactly one.
fn assert_one_open_booking_per_slot(t: &TestApp, expected_bookings: i64) {
    let db = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
    let doubled: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM (SELECT slot_id FROM bookings
               WHERE slot_id IS NOT NULL AND booking_status IN ('pending','active')
               GROUP BY slot_id HAVING COUNT(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(doubled, 0, "a slot held by two open bookings");
    let mismatched: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM slots s WHERE (s.status = 'booked') <>
               EXISTS(SELECT 1 FROM bookings b WHERE b.slot_id = s.id AND b.booking_status IN ('pending','active'))",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(mismatched, 0, "slot status and open bookings disagree");
    let bookings: i64 = db
        .query_row("SELECT COUNT(*) FROM bookings", [], |r| r.get(0))
        .unwrap();
    assert_eq!(bookings, expected_bookings);
    let customers: i64 = db
        .query_row("SELECT COUNT(*) FROM customers", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        customers, expected_bookings,
        "losers left no customer behind"
    );
}

const ROUNDS: usize = 25;
const RACERS: usize = 8;

#[test]
fn desks_racing_for_one_slot_over_http_get_exactly_one_booking() {
    let t = TestApp::new();
    let s = Arc::new(t.serve());
    let makeup = create_service(&s, "Makeup", 30, "500000");
    let p = s
        .post(
            "/providers",
            json!({"name": "Rina", "whatsapp_number": "081200000001", "latitude": -6.2, "longitude": 106.8,
                   "service_ids": [makeup["id"]], "max_slots_per_day": 100}),
        )
        .expect(201);
    for round in 0..ROUNDS {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
            + Duration::minutes(30 * round as i64);
        let slot = add_slot(&s, &p, &makeup, &start.to_rfc3339());
        let barrier = Arc::new(Barrier::new(RACERS));
        let handles: Vec<_> = (0..RACERS)
            .map(|i| {
                let (s, barrier, slot_id) = (s.clone(), barrier.clone(), slot["id"].clone());
                std::thread::spawn(move || {
                    let body = json!({"slot_id": slot_id, "address": "Jl. Melati 5",
                        "customer": customer(&format!("Tamu {round}-{i}"), &phone(round * RACERS + i))});
                    barrier.wait();
                    s.post("/bookings", body)
                })
            })
            .collect();
        let replies: Vec<Reply> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
        assert_eq!(
            winners.len(),
            1,
            "round {round}: {:?}",
            replies
                .iter()
                .map(|r| (r.status, &r.body))
                .collect::<Vec<_>>()
        );
        for r in replies.iter().filter(|r| r.status != 201) {
            assert_eq!(r.status, 409, "round {round}: {}", r.body);
            assert_eq!(
                r.body["error"]["code"], "conflict",
                "round {round}: {}",
                r.body
            );
        }
        let held = s.get(&at("/slots", &slot)).expect(200);
        assert_eq!(held["status"], "booked");
        assert_eq!(held["booking_id"], winners[0].body["id"]);
    }
    assert_one_open_booking_per_slot(&t, ROUNDS as i64);
}

#[test]
fn desks_racing_for_one_slot_through_two_writer_connections_get_exactly_one_booking() {
    let t = TestApp::new();
    // A second App on the same files stands for a second process: its own writer connection.
    let desks = [
        t.app.clone(),
        Arc::new(App::open_with_clock(t.data_dir(), t.clock.clone()).unwrap()),
    ];
    let makeup = t
        .call(
            "services.create",
            json!({"name": "Makeup", "duration_min": 30, "price": "500000"}),
        )
        .unwrap();
    let p = t
        .call(
            "providers.create",
            json!({"name": "Rina", "whatsapp_number": "081200000001", "latitude": -6.2, "longitude": 106.8,
                   "service_ids": [makeup["id"]], "max_slots_per_day": 100}),
        )
        .unwrap();
    for round in 0..ROUNDS {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap()
            + Duration::minutes(30 * round as i64);
        // Slots are made through the second desk too, so each sees the other's writes.
        let slot = loket::api::dispatch(
                &desks[round % 2],
                &t.admin,
                "slots.create",
                json!({"provider_id": p["id"], "service_id": makeup["id"], "starts_at": start.to_rfc3339()}),
            )
            .unwrap();
        let barrier = Arc::new(Barrier::new(RACERS));
        let handles: Vec<_> = (0..RACERS)
            .map(|i| {
                let app = desks[i % 2].clone();
                let actor = t.admin.clone();
                let barrier = barrier.clone();
                let body = json!({"slot_id": slot["id"], "address": "Jl. Melati 5",
                    "customer": customer(&format!("Tamu {round}-{i}"), &phone(round * RACERS + i))});
                std::thread::spawn(move || {
                    barrier.wait();
                    loket::api::dispatch(&app, &actor, "bookings.create", body)
                        .map_err(|e| (e.code(), e.to_string()))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<&Value> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        for r in &results {
            if let Err((code, message)) = r {
                assert_eq!(*code, "conflict", "round {round}: {message}");
            }
        }
        let held = t.call("slots.get", json!({"id": slot["id"]})).unwrap();
        assert_eq!(held["booking_id"], winners[0]["id"]);
    }
    assert_one_open_booking_per_slot(&t, ROUNDS as i64);
}

// ---- the double-booking flag ----------------------------------------------------

#[test]
fn one_customer_in_two_places_at_once_is_flagged_not_refused() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let rina = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    let dewi = create_provider(&s, "Dewi", -6.2, 106.8, &[&makeup]);
    let flags = |b: &Value| -> Vec<String> {
        s.get(&at("/bookings", b)).expect(200)["risk_flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_owned())
            .collect()
    };
    let flagged = |b: &Value| flags(b).iter().any(|f| f == "double_booking");
    let sari = phone(1);

    // 09:00–10:00 with Rina and 09:30–10:30 with Dewi.
    let a = book(
        &s,
        &add_slot(&s, &rina, &makeup, "2026-11-30T09:00"),
        "Sari",
        &sari,
    )
    .expect(201);
    assert!(!flagged(&a));
    let dewi_930 = add_slot(&s, &dewi, &makeup, "2026-11-30T09:30");
    let b = book(&s, &dewi_930, "Sari", &sari).expect(201);
    assert_eq!(b["customer_id"], a["customer_id"]);
    assert!(
        b["risk_flags"]
            .as_array()
            .unwrap()
            .contains(&json!("double_booking")),
        "{b}"
    );
    assert!(flagged(&a), "the earlier booking is flagged too");
    // Back to back (11:00–12:00, 12:00–13:00) is not a double booking.
    let c = book(
        &s,
        &add_slot(&s, &rina, &makeup, "2026-11-30T11:00"),
        "Sari",
        &sari,
    )
    .expect(201);
    let d = book(
        &s,
        &add_slot(&s, &dewi, &makeup, "2026-11-30T12:00"),
        "Sari",
        &sari,
    )
    .expect(201);
    assert!(!flagged(&c) && !flagged(&d));
    // Someone else at the same time is not either.
    let other = book(
        &s,
        &add_slot(&s, &rina, &makeup, "2026-11-30T10:00"),
        "Budi",
        &phone(2),
    )
    .expect(201);
    assert!(!flagged(&other));
    let found = s.get("/bookings?risk_flag=double_booking").expect(200);
    assert_eq!(
        ids(&found).into_iter().collect::<HashSet<_>>(),
        HashSet::from([id(&a).to_owned(), id(&b).to_owned()])
    );

    // Canceling one clears the flag on the other; booking again brings it back.
    s.delete(&at("/bookings", &b)).expect(200);
    assert!(!flagged(&a));
    assert_eq!(
        total(&s.get("/bookings?risk_flag=double_booking").expect(200)),
        0
    );
    let again = book(&s, &dewi_930, "Sari", &sari).expect(201);
    assert!(flagged(&a) && flagged(&again));
    // Completing one is not canceling it: a completed booking is not open.
    s.put(
        &at("/bookings", &again),
        json!({"booking_status": "active"}),
    )
    .expect(200);
    assert!(flagged(&a) && flagged(&again));
    s.put(
        &at("/bookings", &again),
        json!({"booking_status": "completed"}),
    )
    .expect(200);
    assert!(!flagged(&a));
}

// ---- nearby search --------------------------------------------------------------

const JAKARTA: (f64, f64) = (-6.2088, 106.8456);

#[test]
fn nearby_search_orders_by_distance_and_filters() {
    let t = TestApp::new();
    let mut s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 60, "150000");
    let near = create_provider(&s, "Dekat", -6.2100, 106.8500, &[&makeup, &ac]);
    let mid = create_provider(&s, "Sedang", -6.2500, 106.8000, &[&makeup]);
    let ac_only = create_provider(&s, "Teknisi", -6.3000, 106.9000, &[&ac]);
    let asleep = create_provider(&s, "Cuti", -6.2090, 106.8460, &[&makeup]);
    s.put(&at("/providers", &asleep), json!({"active": false}))
        .expect(200);
    let bandung = create_provider(&s, "Bandung", -6.9175, 107.6191, &[&makeup]);

    let q = |extra: &str| nearby(&s, &format!("lat={}&lng={}{extra}", JAKARTA.0, JAKARTA.1));
    let order = |found: &[(String, f64)]| found.iter().map(|(i, _)| i.clone()).collect::<Vec<_>>();
    let found = q("");
    assert_eq!(
        order(&found),
        [id(&near), id(&mid), id(&ac_only)],
        "default radius 25 km"
    );
    for ((_, d), place) in found.iter().zip([
        (-6.2100, 106.8500),
        (-6.2500, 106.8000),
        (-6.3000, 106.9000),
    ]) {
        let expected = haversine(JAKARTA, place);
        assert!((d - expected).abs() < 0.001 * expected, "{d} vs {expected}");
    }
    assert!(found.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(
        order(&q(&format!("&service_id={}", id(&makeup)))),
        [id(&near), id(&mid)]
    );
    assert_eq!(
        order(&q(&format!("&service_id={}&radius_km=200", id(&ac)))),
        [id(&near), id(&ac_only)]
    );
    assert_eq!(order(&q("&radius_km=2")), [id(&near)]);
    assert_eq!(
        order(&q("&radius_km=200")),
        [id(&near), id(&mid), id(&ac_only), id(&bandung)]
    );
    assert_eq!(order(&q("&radius_km=200&limit=2")), [id(&near), id(&mid)]);
    assert_eq!(order(&q("&radius_km=200&limit=1")), [id(&near)]);
    let entry = s
        .get(&format!(
            "/providers/nearby?lat={}&lng={}&limit=1",
            JAKARTA.0, JAKARTA.1
        ))
        .expect(200);
    assert_eq!(entry["data"][0]["provider"]["name"], "Dekat");
    assert_eq!(
        entry["data"][0]["provider"]["whatsapp_number"],
        "6281234567890"
    );

    // next_slots: the provider's next free future slots (for the service, when given).
    let past = add_slot(&s, &near, &makeup, "2026-11-22T11:00");
    let taken = add_slot(&s, &near, &makeup, "2026-11-23T09:00");
    let ac_slot = add_slot(&s, &near, &ac, "2026-11-23T10:00");
    let s1 = add_slot(&s, &near, &makeup, "2026-11-23T11:00");
    let s2 = add_slot(&s, &near, &makeup, "2026-11-23T13:00");
    let s3 = add_slot(&s, &near, &makeup, "2026-11-24T09:00");
    add_slot(&s, &near, &makeup, "2026-11-24T11:00");
    add_slot(&s, &mid, &makeup, "2026-11-25T09:00");
    book(&s, &taken, "Sari", &phone(1)).expect(201);
    t.set_now(Utc.with_ymd_and_hms(2026, 11, 22, 4, 30, 0).unwrap()); // 11:30 Jakarta
    s.login("admin", PASSWORD).expect(200);
    let next = |extra: &str| -> Vec<Vec<String>> {
        let r = s
            .get(&format!(
                "/providers/nearby?lat={}&lng={}{extra}",
                JAKARTA.0, JAKARTA.1
            ))
            .expect(200);
        r["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                e["next_slots"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|sl| {
                        assert_eq!(sl["status"], "available");
                        sl["id"].as_str().unwrap().to_owned()
                    })
                    .collect()
            })
            .collect()
    };
    let with_service = next(&format!("&service_id={}", id(&makeup)));
    assert_eq!(with_service[0], [id(&s1), id(&s2), id(&s3)]);
    assert_eq!(with_service[1].len(), 1);
    let any = next("");
    assert_eq!(any[0], [id(&ac_slot), id(&s1), id(&s2)]);
    assert!(!any[0].contains(&id(&past).to_owned()));
    assert!(any[2].is_empty(), "no slots, still listed");
}

#[test]
fn nearby_search_validates_its_input() {
    let t = TestApp::new();
    let s = t.serve();
    for (q, field) in [
        ("lng=106.8", "lat"),
        ("lat=-6.2", "lng"),
        ("lat=91&lng=0", "lat"),
        ("lat=-90.5&lng=0", "lat"),
        ("lat=NaN&lng=0", "lat"),
        ("lat=utara&lng=0", "lat"),
        ("lat=0&lng=180.01", "lng"),
        ("lat=0&lng=-181", "lng"),
        ("lat=0&lng=inf", "lng"),
        ("lat=0&lng=0&radius_km=0", "radius_km"),
        ("lat=0&lng=0&radius_km=-5", "radius_km"),
        ("lat=0&lng=0&radius_km=20001", "radius_km"),
        ("lat=0&lng=0&radius_km=NaN", "radius_km"),
        ("lat=0&lng=0&limit=0", "limit"),
        ("lat=0&lng=0&limit=101", "limit"),
        ("lat=0&lng=0&limit=-1", "limit"),
        ("lat=0&lng=0&service_id=makeup", "service_id"),
    ] {
        s.get(&format!("/providers/nearby?{q}"))
            .expect_error(422, "validation", Some(field));
    }
    for q in [
        "lat=90&lng=180&radius_km=20000&limit=100",
        "lat=-90&lng=-180&limit=1",
    ] {
        s.get(&format!("/providers/nearby?{q}")).expect(200);
    }
}

#[test]
fn nearby_distances_match_haversine_reference_values() {
    let t = TestApp::new();
    let s = t.serve();
    type Point = (f64, f64);
    let cases: [(&str, Point, Point, f64); 7] = [
        ("Jakarta–Bandung", JAKARTA, (-6.9175, 107.6191), 116.236399),
        ("Jakarta–Surabaya", JAKARTA, (-7.2575, 112.7521), 662.571783),
        ("Jakarta–Denpasar", JAKARTA, (-8.6500, 115.2167), 962.013659),
        ("Singapore–Jakarta", (1.3521, 103.8198), JAKARTA, 905.354092),
        (
            "Medan–Jayapura",
            (3.5952, 98.6722),
            (-2.5337, 140.7181),
            4722.264827,
        ),
        (
            "Suva–Apia",
            (-18.1416, 178.4419),
            (-13.8333, -171.7667),
            1150.701977,
        ),
        ("near the pole", (89.9, 0.0), (89.9, 180.0), 22.238985),
    ];
    let providers: Vec<Value> = cases
        .iter()
        .map(|(name, _, to, _)| create_provider(&s, name, to.0, to.1, &[]))
        .collect();
    for ((name, from, to, reference), p) in cases.iter().zip(&providers) {
        assert!(
            (haversine(*from, *to) - reference).abs() < 1e-3,
            "the test's own haversine agrees with {name}"
        );
        let search = |radius: f64| {
            nearby(
                &s,
                &format!("lat={}&lng={}&radius_km={radius}&limit=100", from.0, from.1),
            )
        };
        let found = search(reference * 1.005);
        let (_, d) = found.iter().find(|(i, _)| i == id(p)).unwrap_or_else(|| {
            panic!(
                "{name}: not found within {} km: {found:?}",
                reference * 1.005
            )
        });
        assert!(
            (d - reference).abs() <= reference * 0.001,
            "{name}: {d} km, expected {reference} km"
        );
        assert!(
            !search(reference * 0.995).iter().any(|(i, _)| i == id(p)),
            "{name}: found outside the radius"
        );
    }
    // From Jakarta, the Indonesian cities in order of distance.
    let from_jakarta: Vec<String> = nearby(
        &s,
        &format!("lat={}&lng={}&radius_km=1000", JAKARTA.0, JAKARTA.1),
    )
    .into_iter()
    .map(|(i, _)| i)
    .collect();
    assert_eq!(
        from_jakarta,
        [
            id(&providers[3]),
            id(&providers[0]),
            id(&providers[1]),
            id(&providers[2])
        ]
    );
}

#[test]
fn nearby_search_wraps_around_the_antimeridian_and_over_the_poles() {
    let t = TestApp::new();
    let s = t.serve();
    let east = create_provider(&s, "Taveuni Timur", -16.5, -179.99, &[]);
    let west = create_provider(&s, "Taveuni Barat", -16.5, 179.99, &[]);
    let north = create_provider(&s, "Kutub Utara", 89.99, 180.0, &[]);
    let north_side = create_provider(&s, "Kutub Utara Samping", 89.99, -90.0, &[]);
    let south = create_provider(&s, "Kutub Selatan", -89.995, 135.0, &[]);
    let check = |from: (f64, f64), radius: f64, expected: &[(&Value, (f64, f64))]| {
        let found = nearby(
            &s,
            &format!("lat={}&lng={}&radius_km={radius}", from.0, from.1),
        );
        let want: Vec<&str> = expected.iter().map(|(p, _)| id(p)).collect();
        assert_eq!(
            found.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            want,
            "from {from:?} within {radius} km: {found:?}"
        );
        for ((_, d), (_, at)) in found.iter().zip(expected) {
            let e = haversine(from, *at);
            assert!((d - e).abs() <= e * 0.001 + 0.001, "{d} vs {e}");
        }
    };
    // 0.02° of longitude at 16.5° S is about 2.1 km, across the date line.
    let (e, w) = ((-16.5, -179.99), (-16.5, 179.99));
    check((-16.5, 179.995), 5.0, &[(&west, w), (&east, e)]);
    check(w, 5.0, &[(&west, w), (&east, e)]);
    check(e, 5.0, &[(&east, e), (&west, w)]);
    check((-16.5, -179.999), 1.5, &[(&east, e), (&west, w)]);
    check(w, 1.0, &[(&west, w)]);
    check((-16.5, 179.998), 1.5, &[(&west, w), (&east, e)]);
    // On the far side of the North Pole: 0.02° of latitude over the top.
    let (n, ns) = ((89.99, 180.0), (89.99, -90.0));
    check((89.99, 0.0), 5.0, &[(&north_side, ns), (&north, n)]);
    check((89.99, 0.0), 2.0, &[(&north_side, ns)]);
    check((89.995, 45.0), 5.0, &[(&north_side, ns), (&north, n)]);
    check((89.0, 0.0), 5.0, &[]);
    // And the South Pole.
    let sp = (-89.995, 135.0);
    check((-89.995, -45.0), 2.0, &[(&south, sp)]);
    check((-89.9, -45.0), 5.0, &[]);
}

// ---- permissions ----------------------------------------------------------------

#[test]
fn the_front_desk_schedules_but_only_managers_change_the_catalogue() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    let desk = t.login_as(&s, "desk", Role::FrontDesk);
    let sales = t.login_as(&s, "sales", Role::Sales);
    let marketing = t.login_as(&s, "marketing", Role::Marketing);
    let manager = t.login_as(&s, "manager", Role::Manager);
    let plan_url = format!("{}/working-plan", at("/providers", &p));
    let plan = json!({"days": [{"weekday": 0, "start": "09:00", "end": "12:00"}]});
    let gen_body = json!({"provider_id": p["id"], "service_id": makeup["id"], "from": "2026-11-30", "to": "2026-11-30"});

    // The front desk: working plans and slots yes, the catalogue no.
    desk.put(&plan_url, plan.clone()).expect(200);
    assert_eq!(
        desk.post("/slots/generate", gen_body.clone()).expect(200)["created"],
        3
    );
    let slot = add_slot(&desk, &p, &makeup, "2026-11-30T13:00");
    desk.put(
        &at("/slots", &slot),
        json!({"starts_at": "2026-11-30T14:00"}),
    )
    .expect(200);
    desk.delete(&at("/slots", &slot)).expect(200);
    desk.post(
        "/services",
        json!({"name": "Sulam Alis", "duration_min": 60, "price": "1"}),
    )
    .expect_error(403, "forbidden", None);
    desk.post("/providers", provider_body("Dewi", -6.2, 106.8, &[]))
        .expect_error(403, "forbidden", None);
    desk.put(&at("/services", &makeup), json!({"price": "1"}))
        .expect_error(403, "forbidden", None);
    desk.put(&at("/providers", &p), json!({"active": false}))
        .expect_error(403, "forbidden", None);
    desk.delete(&at("/providers", &p))
        .expect_error(403, "forbidden", None);
    desk.delete(&at("/services", &makeup))
        .expect_error(403, "forbidden", None);

    // Sales and marketing: no schedules either.
    for who in [&sales, &marketing] {
        who.post("/slots/generate", gen_body.clone())
            .expect_error(403, "forbidden", None);
        who.post(
            "/slots",
            json!({"provider_id": p["id"], "service_id": makeup["id"], "starts_at": "2026-11-30T15:00"}),
        )
        .expect_error(403, "forbidden", None);
        who.put(&plan_url, plan.clone())
            .expect_error(403, "forbidden", None);
        who.post(
            "/services",
            json!({"name": "Sulam Alis", "duration_min": 60, "price": "1"}),
        )
        .expect_error(403, "forbidden", None);
    }
    // A refused request is refused whatever its input.
    sales
        .post("/slots/generate", json!({}))
        .expect_error(403, "forbidden", None);
    assert_eq!(slot_count(&s), 3);
    assert_eq!(total(&s.get("/services").expect(200)), 1);

    // Managers change the catalogue.
    let extra = manager
        .post(
            "/services",
            json!({"name": "Sulam Alis", "duration_min": 60, "price": "1"}),
        )
        .expect(201);
    manager
        .post("/providers", provider_body("Dewi", -6.2, 106.8, &[&extra]))
        .expect(201);
    manager.post("/slots/generate", gen_body).expect(200);

    // Everyone may look.
    for who in [&s, &manager, &marketing, &sales, &desk] {
        assert_eq!(total(&who.get("/services").expect(200)), 2);
        assert_eq!(total(&who.get("/providers").expect(200)), 2);
        assert_eq!(total(&who.get("/slots").expect(200)), 3);
        who.get(&at("/services", &makeup)).expect(200);
        who.get(&at("/providers", &p)).expect(200);
        who.get(&plan_url).expect(200);
        who.get(&format!("{}/day?date=2026-11-30", at("/providers", &p)))
            .expect(200);
        assert_eq!(
            who.get("/providers/nearby?lat=-6.2&lng=106.8").expect(200)["data"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
