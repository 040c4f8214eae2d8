//! The rules that queue messages: confirmations on booking, H-1 reminders across
//! midnight and after sleep, changes before sending, the reminder hour and
//! maintenance reminders.

use serde_json::{Value, json};

use super::*;

fn kinds(list: &[Value]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap().to_owned(),
                m["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

// ---- rules on booking creation ------------------------------------------------

#[test]
fn a_booking_queues_its_confirmation_and_a_service_booking_notifies_the_provider() {
    let t = TestApp::new();
    let s = t.serve();
    let b = book(
        &s,
        "Siti Aminah",
        "0812-1111-2222",
        "2026-11-25T14:00",
        "pending",
    );
    let queued = messages(&s, &format!("booking_id={}", id(&b)));
    assert_eq!(queued.len(), 1);
    let m = &queued[0];
    assert_eq!(m["kind"], "booking_confirmation");
    assert_eq!(m["status"], "queued");
    assert_eq!(m["to"], "6281211112222");
    assert_eq!(m["customer_id"], b["customer_id"]);
    assert_eq!(
        m["body"],
        format!(
            "Halo Siti Aminah, terima kasih telah booking di Loket. Kode booking Anda {}, jadwal Rabu, 25 November 2026 pukul 14:00. Total Rp 3.500.000.",
            b["code"].as_str().unwrap()
        )
    );

    // A service booking: the provider hears of it too.
    let service = s
        .post(
            "/services",
            json!({"name": "Makeup Wisuda", "duration_min": 60, "price": "750000"}),
        )
        .expect(201);
    let provider = s
        .post(
            "/providers",
            json!({"name": "Dewi MUA", "whatsapp_number": "0813-9999-0000", "latitude": -6.2,
                   "longitude": 106.8, "service_ids": [service["id"]]}),
        )
        .expect(201);
    let slot = s
        .post(
            "/slots",
            json!({"provider_id": provider["id"], "service_id": service["id"], "starts_at": "2026-11-26T09:00"}),
        )
        .expect(201);
    let sb = s
        .post(
            "/bookings",
            json!({"slot_id": slot["id"], "address": "Jl. Melati No. 5", "customer": customer("Ayu", "081355556666")}),
        )
        .expect(201);
    let queued = messages(&s, &format!("booking_id={}", id(&sb)));
    assert_eq!(
        kinds(&queued),
        vec![
            (
                "booking_confirmation".to_owned(),
                "6281355556666".to_owned()
            ),
            (
                "provider_notification".to_owned(),
                "6281399990000".to_owned()
            ),
        ]
    );
    let note = queued
        .iter()
        .find(|m| m["kind"] == "provider_notification")
        .unwrap();
    assert_eq!(
        note["body"],
        format!(
            "Halo Dewi MUA, ada booking baru {}: Makeup Wisuda untuk Ayu pada Kamis, 26 November 2026 pukul 09:00 di Jl. Melati No. 5.",
            sb["code"].as_str().unwrap()
        )
    );

    // Log-only (the default): delivered to the log, marked sent, not counted in the report.
    let d = flush(&s);
    assert_eq!(d["sent"], 3);
    let all = messages(&s, "");
    assert!(
        all.iter()
            .all(|m| m["status"] == "sent" && m["gateway"] == "log")
    );
    assert_eq!(total(&s.get("/whatsapp-report").expect(200)), 0);
    assert_eq!(flush(&s)["sent"], 0, "nothing is sent twice");
}

// ---- rules over time ----------------------------------------------------------

#[test]
fn reminders_fire_once_on_the_right_local_day_across_midnight_and_after_sleep() {
    // Start: Sunday 2026-11-22 08:00 in Jakarta, before the reminder hour.
    let t = TestApp::at(jkt(2026, 11, 22, 8, 0));
    let mut s = t.serve();
    let run = |t: &TestApp| run_due(&t.app).unwrap();
    let reminders = |s: &Server| {
        let mut v = messages(s, "kind=reminder_h1");
        v.extend(messages(s, "kind=unpaid_h1"));
        v
    };
    let a = book(&s, "Ani", "081200000001", "2026-11-23T14:00", "pending"); // Monday, unpaid
    let b = book(&s, "Budi", "081200000002", "2026-11-24T10:00", "paid"); // Tuesday, paid
    // 00:30 on Tuesday in Jakarta is still Monday in UTC.
    let c = book(&s, "Citra", "081200000003", "2026-11-24T00:30", "dp");
    let d = book(&s, "Dedi", "081200000004", "2026-11-26T11:00", "paid"); // Thursday
    let canceled = book(&s, "Eko", "081200000005", "2026-11-23T09:00", "pending");
    s.delete(&format!("/bookings/{}", id(&canceled)))
        .expect(200);

    // 08:00: the day's first start catches up yesterday's 09:00 run (events
    // on Sunday: none left) — nothing for Monday yet.
    run(&t);
    assert!(reminders(&s).is_empty());
    travel(&t, &mut s, jkt(2026, 11, 22, 8, 59));
    run(&t);
    assert!(reminders(&s).is_empty(), "not before the reminder hour");

    // 09:00 Sunday: Monday's events (A, reminder + unpaid notice).
    travel(&t, &mut s, jkt(2026, 11, 22, 9, 0));
    let ran = run(&t);
    assert_eq!(
        ran.iter().find(|r| r.name == "reminders").unwrap().result,
        "queued 1 reminders, 1 unpaid notices"
    );
    let r = reminders(&s);
    assert_eq!(
        kinds(&r),
        vec![
            ("reminder_h1".to_owned(), "6281200000001".to_owned()),
            ("unpaid_h1".to_owned(), "6281200000001".to_owned()),
        ]
    );
    assert!(
        r[0]["body"]
            .as_str()
            .unwrap()
            .contains("besok, Senin, 23 November 2026 pukul 14:00")
    );

    // Later that day, across midnight, early Monday: nothing new.
    for at in [
        jkt(2026, 11, 22, 23, 59),
        jkt(2026, 11, 23, 0, 1),
        jkt(2026, 11, 23, 8, 59),
    ] {
        travel(&t, &mut s, at);
        run(&t);
        assert_eq!(reminders(&s).len(), 2, "at {at}");
    }
    // A manual run the same day changes nothing either: one per booking and day.
    travel(&t, &mut s, jkt(2026, 11, 22, 20, 0));
    s.post("/jobs/reminders/run", json!({})).expect(200);
    assert_eq!(reminders(&s).len(), 2);

    // 09:00 Monday: Tuesday's events — B (paid: no notice) and C (local Tuesday 00:30).
    travel(&t, &mut s, jkt(2026, 11, 23, 9, 0));
    run(&t);
    let r = reminders(&s);
    assert_eq!(r.len(), 5);
    let for_booking = |bk: &Value| {
        r.iter()
            .filter(|m| m["booking_id"] == bk["id"])
            .map(|m| m["kind"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(for_booking(&b), vec!["reminder_h1"]);
    let mut ck = for_booking(&c);
    ck.sort();
    assert_eq!(ck, vec!["reminder_h1", "unpaid_h1"], "dp is not paid");
    assert_eq!(for_booking(&a).len(), 2, "A still only once");
    assert!(for_booking(&canceled).is_empty());

    // The laptop sleeps through Tuesday 09:00 and wakes Wednesday 15:00:
    // one catch-up run, for Thursday's events (D).
    travel(&t, &mut s, jkt(2026, 11, 25, 15, 0));
    let ran = run(&t);
    assert_eq!(ran.iter().filter(|r| r.name == "reminders").count(), 1);
    assert_eq!(for_booking_of(&reminders(&s), &d), vec!["reminder_h1"]);
    assert!(run(&t).is_empty(), "caught up");

    // The jobs list shows each job's schedule and last run.
    let jobs = s.get("/jobs").expect(200);
    let rem = jobs["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "reminders")
        .unwrap()
        .clone();
    assert_eq!(rem["schedule"], "daily at 09:00");
    assert_eq!(rem["last_run_at"], "2026-11-25T08:00:00.000Z");
    assert_eq!(rem["next_run_at"], "2026-11-26T02:00:00.000Z");
    assert_eq!(rem["last_result"], "queued 1 reminders, 0 unpaid notices");
}

#[test]
fn messages_about_a_booking_canceled_or_paid_before_they_go_out_are_not_sent() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(waha_ok);
    set_gateway(&s, json!({"kind": "waha", "base_url": g.url()}));
    let a = book(&s, "Ani", "081200000001", "2026-11-23T14:00", "pending");
    let b = book(&s, "Budi", "081200000002", "2026-11-23T15:00", "dp");
    s.post("/jobs/reminders/run", json!({})).expect(200);
    assert_eq!(messages(&s, "status=queued").len(), 2 + 2 + 2);
    // Before the sender runs: A is canceled, B paid in full.
    s.delete(&format!("/bookings/{}", id(&a))).expect(200);
    s.put(
        &format!("/bookings/{}", id(&b)),
        json!({"payment_status": "paid"}),
    )
    .expect(200);
    assert_eq!(flush(&s)["sent"], 2, "B's confirmation and reminder");
    let canceled = messages(&s, "status=canceled");
    assert_eq!(canceled.len(), 4);
    let mut why: Vec<String> = canceled
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m["kind"].as_str().unwrap(),
                m["last_error"].as_str().unwrap()
            )
        })
        .collect();
    why.sort();
    assert_eq!(
        why,
        vec![
            "booking_confirmation not sent: the booking changed before it went out (canceled)",
            "reminder_h1 not sent: the booking changed before it went out (canceled)",
            "unpaid_h1 not sent: the booking changed before it went out (canceled)",
            "unpaid_h1 not sent: the booking changed before it went out (paid)",
        ]
    );
    assert_eq!(g.count(), 2);
}

fn for_booking_of(list: &[Value], bk: &Value) -> Vec<String> {
    list.iter()
        .filter(|m| m["booking_id"] == bk["id"])
        .map(|m| m["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_reminder_hour_is_a_setting() {
    let t = TestApp::at(jkt(2026, 11, 22, 7, 0));
    let mut s = t.serve();
    s.put("/settings", json!({"reminder_hour": 24}))
        .expect_error(422, "validation", Some("reminder_hour"));
    s.put(
        "/settings",
        json!({"reminder_hour": 7, "message_language": "en"}),
    )
    .expect(200);
    run_due(&t.app).unwrap();
    book(&s, "Ani", "081200000001", "2026-11-23T14:00", "paid");
    travel(&t, &mut s, jkt(2026, 11, 22, 7, 30));
    s.post("/jobs/reminders/run", json!({})).expect(200);
    let r = messages(&s, "kind=reminder_h1");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["language"], "en");
    assert!(r[0]["body"].as_str().unwrap().starts_with(
        "Hello Ani, a reminder of your appointment tomorrow, Monday, 23 November 2026 at 14:00"
    ));
    let jobs = s.get("/jobs").expect(200);
    assert!(
        jobs["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["name"] == "maintenance_reminders" && j["schedule"] == "daily at 07:00")
    );
}

#[test]
fn maintenance_reminders_respect_the_window_and_the_spacing() {
    let t = TestApp::at(jkt(2026, 11, 22, 10, 0));
    let mut s = t.serve();
    let c = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "081234567890"}),
        )
        .expect(201);
    let v1 = s
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Toyota Avanza", "plate_number": "B 1234 CD",
                   "next_service_at": "2026-11-25"}),
        )
        .expect(201);
    let v2 = s
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Honda Beat", "plate_number": "B 5678 EF",
                   "next_service_at": "2026-12-15"}),
        )
        .expect(201);
    let maint = |s: &Server, v: &Value| messages(s, &format!("vehicle_id={}", id(v))).len();
    let run = |s: &Server| {
        s.post("/jobs/maintenance_reminders/run", json!({}))
            .expect(200)["result"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(run(&s), "queued 1 maintenance reminders");
    assert_eq!((maint(&s, &v1), maint(&s, &v2)), (1, 0));
    let m = &messages(&s, "kind=maintenance_reminder")[0];
    assert_eq!(
        m["body"],
        "Halo Budi Santoso, kendaraan Toyota Avanza (B 1234 CD) Anda dijadwalkan servis pada Rabu, 25 November 2026. Hubungi Loket untuk booking servis."
    );
    assert_eq!(
        run(&s),
        "queued 0 maintenance reminders",
        "same day: nothing"
    );

    // 18 days on: v1 is overdue but was reminded 18 days ago (spacing 30); v2 is now within 7 days.
    travel(&t, &mut s, jkt(2026, 12, 10, 10, 0));
    run(&s);
    assert_eq!((maint(&s, &v1), maint(&s, &v2)), (1, 1));
    // 31 days after the first: v1 again; v2 only 13 days after its own.
    travel(&t, &mut s, jkt(2026, 12, 23, 10, 0));
    run(&s);
    assert_eq!((maint(&s, &v1), maint(&s, &v2)), (2, 1));
    // A serviced vehicle leaves the rule.
    s.put(
        &format!("/vehicles/{}", id(&v1)),
        json!({"last_service_at": "2026-12-23", "service_interval_days": 180}),
    )
    .expect(200);
    travel(&t, &mut s, jkt(2027, 2, 1, 10, 0));
    run(&s);
    assert_eq!(maint(&s, &v1), 2);

    // The window and spacing are settings.
    s.put("/settings", json!({"maintenance_spacing_days": 0}))
        .expect_error(422, "validation", Some("maintenance_spacing_days"));
    s.put(
        "/settings",
        json!({"maintenance_window_days": 200, "maintenance_spacing_days": 1}),
    )
    .expect(200);
    travel(&t, &mut s, jkt(2027, 2, 2, 10, 0));
    run(&s);
    assert_eq!(
        maint(&s, &v1),
        3,
        "next service 2027-06-21 is within 200 days"
    );
}
