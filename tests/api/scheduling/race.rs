//! Desks racing for one slot get exactly one booking, over HTTP and through two
//! writer connections.

use std::sync::{Arc, Barrier};

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use super::*;

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
