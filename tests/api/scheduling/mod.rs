//! Scheduling through the HTTP API, one file per part of the domain:
//! services, providers and their working plans, slots by hand (overlap, the
//! per-day maximum in the business time zone, the past, booked slots staying
//! put), slot generation, service bookings and the `double_booking` flag,
//! moving a booking to another slot,
//! the same-slot race, the nearby search and the permission matrix. The
//! helpers below are shared by them.

mod bookings;
mod generation;
mod moving;
mod nearby;
mod permissions;
mod providers;
mod race;
mod services;
mod slots;
mod working_plan;

use chrono::{Duration, NaiveDateTime};
use serde_json::{Value, json};

pub use crate::support::*;

// ---- shared helpers ----------------------------------------------------------------

/// A Jakarta wall-clock time (`2026-11-30T09:00`) as the API writes the
/// instant: UTC, `Z`.
pub fn utc(local: &str) -> String {
    let t = NaiveDateTime::parse_from_str(local, "%Y-%m-%dT%H:%M").unwrap();
    (t - Duration::hours(7))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// `prefix/{id}`.
pub fn at(prefix: &str, v: &Value) -> String {
    format!("{prefix}/{}", id(v))
}

pub fn id(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

/// A valid, distinct Indonesian mobile number.
pub fn phone(n: usize) -> String {
    format!("0812{n:08}")
}

pub fn book(s: &Server, slot: &Value, name: &str, phone: &str) -> Reply {
    s.post(
        "/bookings",
        json!({"slot_id": slot["id"], "address": "Jl. Melati No. 5, Menteng", "customer": customer(name, phone)}),
    )
}

pub fn slot_count(s: &Server) -> u64 {
    total(&s.get("/slots?page_size=1").expect(200))
}

/// The `starts_at` values of a slot list.
pub fn starts(list: &Value) -> Vec<String> {
    column(list, "starts_at")
        .into_iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

pub fn generate(s: &Server, provider: &Value, service: &Value, extra: Value) -> Reply {
    let mut body = json!({"provider_id": provider["id"], "service_id": service["id"]});
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    s.post("/slots/generate", body)
}

pub fn utcs(locals: &[&str]) -> Vec<String> {
    locals.iter().map(|l| utc(l)).collect()
}

/// The nearby reply's entries as `(provider id, distance_km)`.
pub fn nearby(s: &Server, query: &str) -> Vec<(String, f64)> {
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
