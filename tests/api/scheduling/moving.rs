//! Moving a service booking to another slot (`POST /bookings/{id}/move`):
//! what it refuses and why, what it does to both slots, and who is told.

use serde_json::{Value, json};

use super::*;

fn moved(s: &Server, b: &Value, slot: &Value) -> Reply {
    s.post(
        &format!("{}/move", at("/bookings", b)),
        json!({"slot_id": slot["id"], "version": b["version"]}),
    )
}

/// Messages of a booking, by kind, as `(kind, to)`.
fn messages_of(s: &Server, b: &Value) -> Vec<(String, String)> {
    let list = s
        .get(&format!("/messages?booking_id={}&page_size=50", id(b)))
        .expect(200);
    let mut out: Vec<(String, String)> = list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap_or_default().to_owned(),
                m["to"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn a_moved_booking_frees_its_old_slot_takes_the_new_one_and_tells_the_customer() {
    let t = TestApp::new();
    let s = t.serve();
    s.keep_sessions_idle_all_day();
    let makeup = create_service(&s, "Makeup Wisuda", 90, "750000");
    let mut dewi_body = provider_body("Dewi MUA", -6.2, 106.8, &[&makeup]);
    dewi_body["whatsapp_number"] = json!("0813-9999-0001");
    let rina = create_provider(&s, "Rina MUA", -6.2, 106.8, &[&makeup]);
    let dewi = s.post("/providers", dewi_body).expect(201);
    let nine = add_slot(&s, &rina, &makeup, "2026-11-30T09:00");
    let one_pm = add_slot(&s, &dewi, &makeup, "2026-11-30T13:00");
    let b = book(&s, &nine, "Sari", &phone(1)).expect(201);
    let before = messages_of(&s, &b);

    let after = moved(&s, &b, &one_pm).expect(200);
    assert_eq!(after["id"], b["id"]);
    assert_eq!(after["code"], b["code"], "the same booking, its code kept");
    assert_eq!(after["slot_id"], one_pm["id"]);
    assert_eq!(after["event_at"], utc("2026-11-30T13:00"));
    assert_eq!(after["event_end_at"], utc("2026-11-30T14:30"));
    assert_eq!(after["provider_name"], "Dewi MUA");
    assert_eq!(after["price"], b["price"], "the price stays");
    assert_eq!(after["version"], b["version"].as_i64().unwrap() + 1);
    let old = s.get(&at("/slots", &nine)).expect(200);
    assert_eq!(old["status"], "available");
    assert!(old["booking_id"].is_null());
    let new = s.get(&at("/slots", &one_pm)).expect(200);
    assert_eq!(new["status"], "booked");
    assert_eq!(new["booking_id"], b["id"]);
    // The old slot can be booked by someone else now.
    book(&s, &nine, "Budi", &phone(2)).expect(201);

    // The customer is told the new time; Dewi, new to the booking, gets its notice.
    let sent = messages_of(&s, &b);
    let new_messages: Vec<_> = sent.iter().filter(|m| !before.contains(m)).collect();
    assert_eq!(
        new_messages,
        vec![
            &("booking_moved".to_owned(), "6281200000001".to_owned()),
            &(
                "provider_notification".to_owned(),
                "6281399990001".to_owned()
            ),
        ]
    );
    let text = s
        .get(&format!(
            "/messages?booking_id={}&kind=booking_moved",
            id(&b)
        ))
        .expect(200)["data"][0]["body"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        text.contains("13:00")
            && text.contains("Dewi MUA")
            && text.contains(b["code"].as_str().unwrap()),
        "{text}"
    );

    // The audit trail names the move.
    let trail = s
        .get(&format!("/audit?entity=booking&entity_id={}", id(&b)))
        .expect(200);
    assert!(
        trail["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "move"),
        "{trail}"
    );

    // Moving back without telling anyone: no message is queued.
    let back = s
        .post(
            &format!("{}/move", at("/bookings", &b)),
            json!({"slot_id": add_slot(&s, &rina, &makeup, "2026-11-30T16:00")["id"], "notify": false}),
        )
        .expect(200);
    assert_eq!(back["provider_name"], "Rina MUA");
    assert_eq!(messages_of(&s, &b), sent);
}

#[test]
fn a_move_is_refused_with_a_reason_and_changes_nothing() {
    let t = TestApp::new();
    let s = t.serve();
    s.keep_sessions_idle_all_day();
    let makeup = create_service(&s, "Makeup Wisuda", 90, "750000");
    let nails = create_service(&s, "Nail Art", 60, "200000");
    let rina = create_provider(&s, "Rina MUA", -6.2, 106.8, &[&makeup, &nails]);
    let nine = add_slot(&s, &rina, &makeup, "2026-11-30T09:00");
    let free = add_slot(&s, &rina, &makeup, "2026-11-30T13:00");
    let taken = add_slot(&s, &rina, &makeup, "2026-11-30T16:00");
    let other_service = add_slot(&s, &rina, &nails, "2026-12-01T09:00");
    let b = book(&s, &nine, "Sari", &phone(1)).expect(201);
    book(&s, &taken, "Budi", &phone(2)).expect(201);

    let move_body = |slot: Value| json!({"slot_id": slot});
    let path = format!("{}/move", at("/bookings", &b));
    for (slot, field) in [
        (nine["id"].clone(), "slot_id"),
        (other_service["id"].clone(), "slot_id"),
        (json!("01a200ff-5d55-76a6-a966-6df8a0de1abb"), "slot_id"),
        (json!("bukan-slot"), "slot_id"),
    ] {
        s.post(&path, move_body(slot))
            .expect_error(422, "validation", Some(field));
    }
    s.post(&path, move_body(taken["id"].clone()))
        .expect_error(409, "conflict", None);
    s.post(&path, json!({"slot_id": free["id"], "version": 99}))
        .expect_error(409, "conflict", None);
    s.post(&path, json!({"slot_id": free["id"], "when": "nanti"}))
        .expect_error(422, "validation", Some("when"));
    // A booking without a slot has no slot to move from.
    let unit = create_unit(&s, 100_000_000);
    let unit_booking = s
        .post(
            "/bookings",
            json!({"unit_id": unit["id"], "customer": customer("Tono", &phone(3))}),
        )
        .expect(201);
    moved(&s, &unit_booking, &free).expect_error(409, "conflict", None);

    // Nothing changed.
    let still = s.get(&at("/bookings", &b)).expect(200);
    assert_eq!(still["slot_id"], nine["id"]);
    assert_eq!(still["version"], b["version"]);
    assert_eq!(
        s.get(&at("/slots", &free)).expect(200)["status"],
        "available"
    );
    assert_eq!(s.get(&at("/slots", &nine)).expect(200)["status"], "booked");

    // A closed booking stays where it was.
    s.delete(&at("/bookings", &b)).expect(200);
    s.post(&path, move_body(free["id"].clone()))
        .expect_error(409, "conflict", None);
    assert_eq!(
        s.get(&at("/slots", &free)).expect(200)["status"],
        "available"
    );
}

#[test]
fn an_address_change_is_kept() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup Wisuda", 90, "750000");
    let rina = create_provider(&s, "Rina MUA", -6.2, 106.8, &[&makeup]);
    let b = book(
        &s,
        &add_slot(&s, &rina, &makeup, "2026-11-30T09:00"),
        "Sari",
        &phone(1),
    )
    .expect(201);
    let changed = s
        .put(
            &at("/bookings", &b),
            json!({"address": "Jl. Kenanga 9, Bogor"}),
        )
        .expect(200);
    assert_eq!(changed["address"], "Jl. Kenanga 9, Bogor");
    assert_eq!(
        s.get(&at("/bookings", &b)).expect(200)["address"],
        "Jl. Kenanga 9, Bogor"
    );
}
