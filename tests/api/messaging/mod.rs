//! Messaging through the HTTP API, one file per part of the domain: vehicles,
//! templates (and each customer's language), the gateway settings and the
//! adapters against a stand-in gateway on 127.0.0.1 (Meta, WAHA, Fonnte:
//! exact requests and ids), delivery retries (429/Retry-After, 5xx,
//! timeouts, 401), the outbox, the rules with a fixed clock (H-1 reminders
//! across midnight and after sleep, unpaid notices, maintenance spacing), the
//! WhatsApp report, jobs and the permission matrix. The helpers below are
//! shared by them.

mod delivery;
mod gateway;
mod outbox;
mod permissions;
mod report;
mod rules;
mod templates;
mod vehicles;

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

pub use crate::support::standin::*;
pub use crate::support::*;

// ---- shared helpers ----------------------------------------------------------------

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// A booking with an event at a Jakarta wall-clock time.
pub fn book(s: &Server, name: &str, phone: &str, event_local: &str, payment: &str) -> Value {
    s.post(
        "/bookings",
        json!({"customer": customer(name, phone), "price": "3500000", "event_at": event_local,
               "payment_status": payment, "booking_status": "active"}),
    )
    .expect(201)
}

pub fn messages(s: &Server, query: &str) -> Vec<Value> {
    s.get(&format!("/messages?page_size=200&{query}"))
        .expect(200)["data"]
        .as_array()
        .unwrap()
        .clone()
}

pub fn flush(s: &Server) -> Value {
    s.post("/messages/flush", json!({})).expect(200)
}

pub fn set_gateway(s: &Server, body: Value) -> Value {
    s.put("/settings/gateway", body).expect(200)
}

pub fn meta(s: &Server, g: &StandIn) {
    set_gateway(
        s,
        json!({"kind": "meta", "base_url": g.url(), "token": "EAAG-secret-token-9876",
               "phone_number_id": "1055512345", "api_version": "v21.0"}),
    );
}

/// Jakarta wall-clock → UTC instant.
pub fn jkt(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - Duration::hours(7)
}

/// Moves the clock and logs in again (sessions last a working day).
pub fn travel(t: &TestApp, s: &mut Server, to: chrono::DateTime<Utc>) {
    t.set_now(to);
    s.login("admin", PASSWORD).expect(200);
}
