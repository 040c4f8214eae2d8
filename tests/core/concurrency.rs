//! Two desks writing at the same instant: codes are allocated inside the
//! write transaction, and check-then-insert never races.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::support::*;

fn create(app: &App, actor: &Actor, phone: String) -> Value {
    loket::api::dispatch(
        app,
        actor,
        "bookings.create",
        json!({"customer": {"name": "Tamu", "phone": phone}, "price": "250000"}),
    )
    .unwrap()
}

#[test]
fn concurrent_creates_from_two_processes_never_share_a_code() {
    let t = TestApp::new();
    // A second App on the same files stands for a second process: its own writer connection.
    let desks = [
        t.app.clone(),
        Arc::new(App::open_with_clock(t.data_dir(), t.clock.clone()).unwrap()),
    ];
    let per_thread = 25;
    let mut handles = Vec::new();
    for thread in 0..8 {
        let app = desks[thread % 2].clone();
        let actor = t.admin.clone();
        handles.push(std::thread::spawn(move || {
            (0..per_thread)
                .map(|i| create(&app, &actor, format!("0813{thread:02}{i:05}")))
                .collect::<Vec<_>>()
        }));
    }
    let created: Vec<Value> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let codes: HashSet<&str> = created
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    let customers: HashSet<&str> = created
        .iter()
        .map(|b| b["customer_code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 200, "no booking code handed out twice");
    assert_eq!(customers.len(), 200, "no customer code handed out twice");
    let expected: HashSet<String> = (1..=200).map(|n| format!("BK-2026-{n:03}")).collect();
    assert_eq!(
        codes,
        expected.iter().map(String::as_str).collect(),
        "no gaps either"
    );
}

#[test]
fn the_same_new_customer_booked_at_two_desks_at_once_is_one_customer() {
    let t = TestApp::new();
    let s = Arc::new(t.serve());
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let s = s.clone();
            std::thread::spawn(move || {
                s.post("/bookings", json!({"customer": customer("Maya Putri", "+62 857 1234 5678"), "price": "300000"}))
                    .expect(201)
            })
        })
        .collect();
    let bookings: Vec<Value> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ids: HashSet<&str> = bookings
        .iter()
        .map(|b| b["customer_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(
        bookings
            .iter()
            .filter(|b| b["customer_created"] == true)
            .count(),
        1
    );
    assert_eq!(s.get("/customers").expect(200)["meta"]["total"], 1);
}

#[test]
fn codes_grow_past_999() {
    let t = TestApp::new();
    let conn = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
    conn.execute(
        "INSERT INTO code_counters (scope, last) VALUES ('BK-2026', 998)",
        [],
    )
    .unwrap();
    let codes: Vec<String> = (0..3)
        .map(|i| {
            create(&t.app, &t.admin, format!("08121000000{i}"))["code"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(codes, ["BK-2026-999", "BK-2026-1000", "BK-2026-1001"]);
    // A booking dated next year starts that year's series.
    let next = t
        .call("bookings.create", json!({"customer_id": Value::Null, "customer": customer("Ani", "081200000001"), "price": "1", "booking_date": "2027-01-02"}))
        .unwrap();
    assert_eq!(next["code"], "BK-2027-001");
}
