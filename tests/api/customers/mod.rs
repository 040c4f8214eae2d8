//! Customers through the HTTP API: field rules, phone normalisation and
//! deduplication, CRUD and the list, KTP/NPWP sealed at rest and masked by
//! role, and the customer a booking brings.

mod crud;
mod fields;
mod from_bookings;
mod identity;
mod unreadable;

use serde_json::{Value, json};

pub use crate::support::*;

/// A valid customer body with a distinct phone per `n`.
pub fn valid(n: u32) -> Value {
    json!({"name": "Sri Wahyuni", "phone": format!("0812{n:08}")})
}

pub fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

pub fn customer_count(s: &Server) -> u64 {
    total(&s.get("/customers?page_size=1").expect(200))
}
