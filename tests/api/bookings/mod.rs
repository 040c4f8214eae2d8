//! Bookings through the HTTP API: field validation, defaults and codes by the
//! business day, partial updates with rescoring and the segment history, the
//! status lifecycle, list filters and sorting.

mod fields;
mod list;
mod updates;

use serde_json::{Value, json};

pub use crate::support::*;

pub fn base() -> Value {
    json!({"customer": customer("Sari Dewi", "081234500001"), "price": "1000000"})
}

pub fn with(field: &str, value: Value) -> Value {
    let mut body = base();
    body[field] = value;
    body
}

pub fn booking_count(s: &Server) -> u64 {
    total(&s.get("/bookings?page_size=1").expect(200))
}
