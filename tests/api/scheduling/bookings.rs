//! Service bookings: a slot held through the booking's lifecycle, the history per
//! customer and per provider, and the `double_booking` flag.

use std::collections::HashSet;

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::*;

fn booking_count(s: &Server) -> u64 {
    total(&s.get("/bookings?page_size=1").expect(200))
}

/// A served app with "Makeup Wisuda" (90 min, 750000) by Rina MUA and one
/// free slot of it on Monday 2026-11-30 09:00 in Jakarta: (app, server,
/// service, provider, slot).
fn wisuda() -> (TestApp, Server, Value, Value, Value) {
    let t = TestApp::new();
    let s = t.serve();
    s.keep_sessions_idle_all_day();
    let makeup = create_service(&s, "Makeup Wisuda", 90, "750000");
    let p = create_provider(&s, "Rina MUA", -6.2, 106.8, &[&makeup]);
    let slot = add_slot(&s, &p, &makeup, "2026-11-30T09:00");
    (t, s, makeup, p, slot)
}

#[test]
fn each_service_booking_rule_names_its_field_and_nothing_is_written() {
    let (_t, s, _, _, slot) = wisuda();
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
}

#[test]
fn a_service_booking_takes_its_slot_for_everyone() {
    let (_t, s, makeup, p, slot) = wisuda();
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
}

#[test]
fn a_given_price_wins_and_the_time_comes_from_the_slot() {
    let (_t, s, makeup, p, slot) = wisuda();
    let b = book(&s, &slot, "Sari", &phone(1)).expect(201);
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
}

#[test]
fn canceling_frees_the_slot_for_another_booking() {
    let (_t, s, _, _, slot) = wisuda();
    let b = book(&s, &slot, "Sari", &phone(1)).expect(201);
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
}

#[test]
fn a_rating_and_review_only_once_completed_and_completed_keeps_its_slot() {
    let (_t, s, _, _, slot) = wisuda();
    let b = book(&s, &slot, "Sari", &phone(1)).expect(201);
    s.delete(&at("/bookings", &b)).expect(200);
    let rebooked = book(&s, &slot, "Budi", &phone(2)).expect(201);
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
}

#[test]
fn a_slot_that_has_started_can_no_longer_be_booked() {
    let (t, s, makeup, p, _) = wisuda();
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
