//! Online booking (issue 15): what head office's public booking page asks
//! and does, with no login. The branches, their services and the free times
//! come from what the branches pushed (as the bot's do); a booking is made
//! through the bot's path (`hq_bookings::reserve`: the slot held exactly
//! once) and waits `awaiting_confirmation` until the customer confirms it
//! from WhatsApp — "YA" to the message it sends, or the message's link —
//! which proves the phone is theirs. Then it is handed to its branch
//! (`hq_bookings::hand_over`). A hold nobody confirms within
//! [`CONFIRM_WITHIN`] is let go by [`release_expired`].
//!
//! Abuse: at most [`MAX_OPEN_PER_PHONE`] unconfirmed bookings per phone and
//! [`MAX_PER_ADDRESS_PER_HOUR`] requests per address, 429 beyond; a field
//! people never see (`website`) must stay empty. Nothing the page is told
//! names another customer: slots are times only, and a confirmation needs
//! the code and its token.

mod booking;
mod confirming;
mod listing;
pub mod lookup;
pub mod routes;

pub use booking::{BookingRequest, BookingState, CustomerFields, create};
pub use confirming::{Proof, confirm, release_expired};
pub use listing::{PublicBranch, PublicService, PublicSlot, branches, free_slots, services, slug};

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;

use loket::kernel::types::Language;
use loket::messaging::templates::{MessageKind, Vars, long_date};

use crate::error::{HqError, Result};

/// How long a customer has to confirm from WhatsApp.
pub const CONFIRM_WITHIN: TimeDelta = TimeDelta::minutes(30);
/// Unconfirmed bookings one phone may hold at once.
pub const MAX_OPEN_PER_PHONE: i64 = 3;
/// Booking requests from one address in an hour.
pub const MAX_PER_ADDRESS_PER_HOUR: i64 = 20;
/// Slots are offered within this many days.
pub(super) const DAYS_AHEAD: i64 = 60;

pub(super) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub(super) fn when(at: DateTime<Utc>, lang: Language) -> String {
    let local = at.with_timezone(&loket::bot::BotSettings::default().time_zone);
    format!(
        "{} {}",
        long_date(local.date_naive(), lang),
        local.format("%H:%M")
    )
}

pub(super) async fn queue(
    conn: &mut PgConnection,
    phone: &str,
    text: &str,
    key: &str,
    templated: Option<(MessageKind, &Vars)>,
) -> Result<()> {
    let vars = templated
        .map(|(_, v)| serde_json::to_value(v))
        .transpose()
        .map_err(|e| HqError::Internal(e.to_string()))?
        .unwrap_or_else(|| serde_json::json!({}));
    sqlx::query(
        "INSERT INTO hq_outbox (to_phone, text, dedupe_key, kind, vars) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(phone)
    .bind(text)
    .bind(key)
    .bind(templated.map(|(k, _)| k.as_str()))
    .bind(vars)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::slug;

    #[test]
    fn a_slug_is_the_name_in_lower_case_words_joined_by_dashes() {
        assert_eq!(slug("Cabang Jakarta Selatan"), "cabang-jakarta-selatan");
        assert_eq!(slug("  Studio #1 — Kemang! "), "studio-1-kemang");
        assert_eq!(slug("Salon Ayu & Co."), "salon-ayu-co");
    }
}
