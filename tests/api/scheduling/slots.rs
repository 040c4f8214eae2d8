//! Slots by hand: no overlap, never in the past, the daily maximum per local day,
//! booked slots staying put, listing and the provider's day.

use serde_json::{Value, json};

use super::*;

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
