//! Confirming an online booking (the link's token, or a "YA" from the
//! phone), and letting go of the holds nobody confirmed.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool, Row};

use loket::kernel::types::{BookingId, Language, Money};
use loket::messaging::templates::{MessageKind, Vars, rupiah, set_when};

use super::{BookingState, queue, token_hash, when};
use crate::error::{HqError, Result};
use crate::hq_bookings;

/// How a confirmation proves the phone: the link's token, or a "YA" from
/// the phone itself.
pub enum Proof<'a> {
    Token { code: &'a str, token: &'a str },
    Phone(&'a str),
}

/// What confirming reads of a booking, whichever proof found it.
macro_rules! confirmable {
    () => {
        "SELECT id, code, status, confirm_by, service_name, starts_at, customer_phone,
                customer_name, customer_language, price::text AS price, address
         FROM hq_bookings"
    };
}

/// Confirms the booking `proof` names: handed to its branch, the customer
/// sent its code. Confirming twice answers the same; one whose time passed
/// is 409; a wrong code or token is 404 (nothing tells them apart).
pub async fn confirm(
    conn: &mut PgConnection,
    proof: Proof<'_>,
    now: DateTime<Utc>,
) -> Result<BookingState> {
    let row = match proof {
        Proof::Token { code, token } => {
            sqlx::query(concat!(
                confirmable!(),
                " WHERE code = $1 AND source = 'online' AND confirm_token_hash = $2
                 FOR UPDATE"
            ))
            .bind(code)
            .bind(token_hash(token))
            .fetch_optional(&mut *conn)
            .await?
        }
        Proof::Phone(phone) => {
            sqlx::query(concat!(
                confirmable!(),
                " WHERE customer_phone = $1 AND status = 'awaiting_confirmation' AND confirm_by > $2
                 ORDER BY created_at DESC LIMIT 1
                 FOR UPDATE"
            ))
            .bind(phone)
            .bind(now)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let Some(row) = row else {
        return Err(HqError::NotFound {
            entity: "booking awaiting confirmation",
        });
    };
    let id = BookingId(row.try_get("id")?);
    let code: String = row.try_get("code")?;
    let status: String = row.try_get("status")?;
    let confirm_by: Option<DateTime<Utc>> = row.try_get("confirm_by")?;
    let service: String = row.try_get("service_name")?;
    let starts_at: DateTime<Utc> = row.try_get("starts_at")?;
    let state = |status: &'static str| BookingState {
        code: code.clone(),
        status,
        confirm_by,
        service: service.clone(),
        starts_at,
    };
    match status.as_str() {
        "booked" => return Ok(state("confirmed")),
        "awaiting_confirmation" if confirm_by.is_some_and(|by| by > now) => {}
        _ => {
            return Err(HqError::Conflict(
                "the time to confirm this booking has passed: book again".into(),
            ));
        }
    }
    sqlx::query("UPDATE hq_bookings SET status = 'booked', confirmed_at = $2 WHERE id = $1")
        .bind(id.0)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    hq_bookings::hand_over(conn, id).await?;
    // The confirmation, as the bot's: a Meta template when sent late.
    let lang =
        Language::parse(&row.try_get::<String, _>("customer_language")?).unwrap_or(Language::Id);
    let name: String = row.try_get("customer_name")?;
    let phone: String = row.try_get("customer_phone")?;
    let mut vars = Vars::new();
    vars.insert("customer_name".into(), name.clone());
    vars.insert("booking_code".into(), code.clone());
    vars.insert("service".into(), service.clone());
    vars.insert("address".into(), row.try_get("address")?);
    if let Some(price) = Money::from_text(&row.try_get::<String, _>("price")?) {
        vars.insert("amount".into(), rupiah(price));
    }
    set_when(
        &mut vars,
        starts_at,
        loket::bot::BotSettings::default().time_zone,
        lang,
    );
    let text = match lang {
        Language::Id => format!(
            "Terima kasih, {name}! Booking {code} ({service}, {}) sudah terkonfirmasi.",
            when(starts_at, lang)
        ),
        Language::En => format!(
            "Thank you, {name}! Booking {code} ({service}, {}) is confirmed.",
            when(starts_at, lang)
        ),
    };
    queue(
        conn,
        &phone,
        &text,
        &format!("online:{id}:confirmed"),
        Some((MessageKind::BookingConfirmation, &vars)),
    )
    .await?;
    Ok(state("confirmed"))
}

/// Lets go of every hold nobody confirmed in time: the booking `expired`,
/// its slot offered again. Run by every `loket-hq serve` with the sender.
pub async fn release_expired(pool: &PgPool, now: DateTime<Utc>) -> Result<u64> {
    let released = sqlx::query(
        "WITH expired AS (
             UPDATE hq_bookings SET status = 'expired'
             WHERE status = 'awaiting_confirmation' AND confirm_by <= $1
             RETURNING id)
         DELETE FROM hq_slot_holds WHERE booking_id IN (SELECT id FROM expired)",
    )
    .bind(now)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(released)
}
