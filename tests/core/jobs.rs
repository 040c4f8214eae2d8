//! Booking expiry and the daily job scheduler's catch-up, with a fixed clock.

use chrono::Duration;
use serde_json::json;

use crate::support::*;

#[test]
fn pending_bookings_expire_after_the_setting_and_free_their_unit() {
    let t = TestApp::new();
    let mut s = t.serve();
    let unit = create_unit(&s, 450_000_000);
    let pending = s
        .post(
            "/bookings",
            json!({"unit_id": unit["id"], "customer": customer("Rudi Hartono", "081377788899")}),
        )
        .expect(201);
    let confirmed = s
        .post("/bookings", json!({"customer": customer("Wati", "081377788800"), "price": "500000", "booking_status": "active"}))
        .expect(201);
    assert_eq!(
        s.get(&format!("/units/{}", unit["id"].as_str().unwrap()))
            .expect(200)["status"],
        "booked"
    );

    // Three days minus a minute: not yet.
    // Sessions last a working day: log in again after each jump in time.
    t.set_now(default_now() + Duration::days(3) - Duration::minutes(1));
    s.login("admin", PASSWORD).expect(200);
    assert_eq!(
        s.post("/bookings/expire", json!({})).expect(200)["canceled"],
        json!([])
    );
    t.set_now(default_now() + Duration::days(3) + Duration::minutes(1));
    s.login("admin", PASSWORD).expect(200);
    // The daily job runs it as the system.
    let ran = run_due(&t.app).unwrap();
    assert_eq!(ran[0].name, "booking_expiry");
    assert_eq!(ran[0].result, "canceled 1");

    let b = s
        .get(&format!("/bookings/{}", pending["id"].as_str().unwrap()))
        .expect(200);
    assert_eq!(b["booking_status"], "canceled");
    assert_eq!(
        s.get(&format!("/units/{}", unit["id"].as_str().unwrap()))
            .expect(200)["status"],
        "available"
    );
    assert_eq!(
        s.get(&format!("/bookings/{}", confirmed["id"].as_str().unwrap()))
            .expect(200)["booking_status"],
        "active"
    );
    let audit = s
        .get(&format!(
            "/audit?entity=booking&entity_id={}",
            pending["id"].as_str().unwrap()
        ))
        .expect(200);
    let entry = &audit["data"][0];
    assert_eq!(entry["action"], "expire");
    assert_eq!(entry["username"], "system");
    assert_eq!(entry["before"]["booking_status"], "pending");
    assert_eq!(entry["after"]["booking_status"], "canceled");

    // The setting changes the window.
    s.put("/settings", json!({"booking_expiry_days": 10}))
        .expect(200);
    s.post(
        "/bookings",
        json!({"customer": customer("Rudi Hartono", "081377788899"), "price": "1"}),
    )
    .expect(201);
    t.set_now(default_now() + Duration::days(12));
    s.login("admin", PASSWORD).expect(200);
    assert_eq!(
        s.post("/bookings/expire", json!({})).expect(200)["canceled"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[test]
fn jobs_run_once_a_day_and_catch_up_after_downtime() {
    let t = TestApp::new();
    t.call("bookings.create", json!({"customer": customer("Ani", "081211112222"), "price": "100000", "event_at": "2026-11-30T10:00"}))
        .unwrap();
    let first = run_due(&t.app).unwrap();
    let names: Vec<&str> = first.iter().map(|r| r.name.as_str()).collect();
    // 10:00 local: the midnight jobs and the 09:00 reminder jobs are all due.
    assert_eq!(
        names,
        vec![
            "booking_expiry",
            "priority_recalculation",
            "reminders",
            "maintenance_reminders",
            "backup"
        ]
    );
    assert!(
        run_due(&t.app).unwrap().is_empty(),
        "nothing is due twice on one day"
    );

    // Later the same local day: still nothing.
    t.set_now(default_now() + Duration::hours(13)); // 23:00 in Jakarta
    assert!(run_due(&t.app).unwrap().is_empty());
    // Just after local midnight: the midnight jobs run (the reminders wait for 09:00).
    t.set_now(default_now() + Duration::hours(14) + Duration::minutes(1));
    assert_eq!(run_due(&t.app).unwrap().len(), 3);
    // The laptop was off for four days: one catch-up run, which expires the pending booking.
    t.set_now(default_now() + Duration::days(5));
    let caught_up = run_due(&t.app).unwrap();
    assert_eq!(caught_up.len(), 5);
    assert_eq!(caught_up[0].result, "canceled 1");
    assert!(run_due(&t.app).unwrap().is_empty());
}
