//! A customer's own booking, from the booking page: its code and their
//! phone, then six digits sent to that phone's WhatsApp prove the phone is
//! theirs ([`request_code`], [`verify`]); then they may see it and cancel it
//! while the studio has not confirmed it ([`cancel`]). The answer to a
//! request is the same whether or not the code and phone match anything.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use loket::bot::CancelOutcome;
use loket::kernel::types::BookingId;

use super::{queue, token_hash};
use crate::error::{HqError, Result};
use loket::kernel::types::Language;

/// How long the six digits hold.
pub const CODE_VALID: TimeDelta = TimeDelta::minutes(10);
/// Requests per phone in [`CODE_VALID`].
pub const MAX_REQUESTS: i64 = 3;
/// Wrong digits before the code is used up.
pub const MAX_ATTEMPTS: i32 = 5;
/// How long the page may show and cancel once the digits were right.
const SESSION: TimeDelta = TimeDelta::minutes(15);

/// A booking as its customer sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OwnBooking {
    pub code: String,
    pub service: String,
    pub starts_at: DateTime<Utc>,
    /// `awaiting_confirmation`, `pending`, `active`, `completed`, `canceled` or `expired`.
    pub status: String,
    /// Still cancellable here: awaiting confirmation, or pending at the studio.
    pub cancellable: bool,
}

/// What the page gets once the digits were right.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Verified {
    /// Shows and cancels this booking for 15 minutes.
    pub token: String,
    pub booking: OwnBooking,
}

/// The booking `code` of `phone`: head office's own (not yet pushed back by
/// its branch), else as its branch pushed it.
async fn find(conn: &mut PgConnection, code: &str, phone: &str) -> Result<Option<(Uuid, Uuid)>> {
    Ok(sqlx::query_as(
        "SELECT id, branch_id FROM (
             SELECT b.entity_id::uuid AS id, b.branch_id, 0 AS rank FROM branch_rows b
             WHERE b.entity = 'booking' AND NOT b.deleted AND b.data->>'code' = $1
               AND b.data->>'customer_phone' = $2
             UNION ALL
             SELECT h.id, h.branch_id, 1 FROM hq_bookings h
             WHERE h.code = $1 AND h.customer_phone = $2) found
         ORDER BY rank LIMIT 1",
    )
    .bind(code)
    .bind(phone)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Sends six digits to `phone` if `code` is one of its bookings; the same
/// answer either way. 429 past [`MAX_REQUESTS`] in [`CODE_VALID`].
pub async fn request_code(
    pool: &PgPool,
    code: &str,
    phone: &str,
    language: Language,
    now: DateTime<Utc>,
) -> Result<()> {
    let phone = loket::kernel::validate::phone(phone, "phone").map_err(HqError::from)?;
    let code = code.trim().to_uppercase();
    if code.is_empty() || code.len() > 40 {
        return Err(HqError::validation(
            "code",
            "is the booking code, e.g. BK-2026-W001",
        ));
    }
    let mut tx = pool.begin().await?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('loket-lookup:' || $1, 0))")
        .bind(&phone)
        .execute(&mut *tx)
        .await?;
    let recent: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM online_lookups WHERE phone = $1 AND created_at > $2",
    )
    .bind(&phone)
    .bind(now - CODE_VALID)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= MAX_REQUESTS {
        return Err(HqError::TooManyAttempts {
            retry_after: CODE_VALID.num_seconds() as u64,
            message: "too many codes asked for this phone: wait ten minutes".into(),
        });
    }
    let found = find(&mut tx, &code, &phone).await?;
    let digits = found.map(|_| six_digits());
    sqlx::query(
        "INSERT INTO online_lookups (id, phone, code, booking_id, branch_id, otp_hash, expires_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(Uuid::now_v7())
    .bind(&phone)
    .bind(&code)
    .bind(found.map(|f| f.0))
    .bind(found.map(|f| f.1))
    .bind(digits.as_deref().map(token_hash))
    .bind(now + CODE_VALID)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if let Some(digits) = digits {
        let text = match language {
            Language::Id => format!(
                "Kode verifikasi untuk booking {code}: {digits}. Berlaku 10 menit. Jangan berikan kode ini kepada siapa pun."
            ),
            Language::En => format!(
                "Verification code for booking {code}: {digits}. Valid for 10 minutes. Do not share it with anyone."
            ),
        };
        let key = format!("lookup:{}:{}", phone, now.timestamp_micros());
        queue(&mut tx, &phone, &text, &key, None).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Six random digits (from a v4 UUID's random bits).
fn six_digits() -> String {
    let n = Uuid::new_v4().as_u128() % 1_000_000;
    format!("{n:06}")
}

/// The newest code sent for `code` and `phone`: right digits give the
/// page a token and the booking; wrong ones are 422 on `otp`, and after
/// [`MAX_ATTEMPTS`] the code is used up.
pub async fn verify(
    pool: &PgPool,
    code: &str,
    phone: &str,
    otp: &str,
    now: DateTime<Utc>,
) -> Result<Verified> {
    let phone = loket::kernel::validate::phone(phone, "phone").map_err(HqError::from)?;
    let code = code.trim().to_uppercase();
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "SELECT id, otp_hash, attempts, booking_id, branch_id FROM online_lookups
         WHERE phone = $1 AND code = $2 AND otp_hash IS NOT NULL AND expires_at > $3
         ORDER BY created_at DESC LIMIT 1 FOR UPDATE",
    )
    .bind(&phone)
    .bind(&code)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let wrong = || HqError::validation("otp", "is not the code we sent, or it has expired");
    let Some(row) = row else {
        return Err(wrong());
    };
    let id: Uuid = row.try_get("id")?;
    let attempts: i32 = row.try_get("attempts")?;
    let expected: String = row.try_get("otp_hash")?;
    if attempts >= MAX_ATTEMPTS {
        return Err(HqError::TooManyAttempts {
            retry_after: CODE_VALID.num_seconds() as u64,
            message: "too many wrong codes: ask for a new one".into(),
        });
    }
    if token_hash(otp.trim()) != expected {
        sqlx::query("UPDATE online_lookups SET attempts = attempts + 1 WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        return Err(wrong());
    }
    let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    // The digits are used: the token speaks from now on.
    sqlx::query(
        "UPDATE online_lookups SET otp_hash = NULL, session_hash = $2, session_expires_at = $3
         WHERE id = $1",
    )
    .bind(id)
    .bind(token_hash(&token))
    .bind(now + SESSION)
    .execute(&mut *tx)
    .await?;
    let booking_id: Uuid = row.try_get("booking_id")?;
    let booking = own_booking(&mut tx, booking_id, now).await?;
    tx.commit().await?;
    Ok(Verified { token, booking })
}

/// The booking as the customer may see it: the branch's pushed row when
/// there is one, else head office's own.
async fn own_booking(conn: &mut PgConnection, id: Uuid, now: DateTime<Utc>) -> Result<OwnBooking> {
    let row = sqlx::query(
        "SELECT code, service, starts_at, status FROM (
             SELECT b.data->>'code' AS code, b.data->>'service_name' AS service,
                    b.data->>'event_at' AS starts_at, b.data->>'booking_status' AS status, 0 AS rank
             FROM branch_rows b WHERE b.entity = 'booking' AND b.entity_id = $1::text AND NOT b.deleted
             UNION ALL
             SELECT h.code, h.service_name,
                    to_char(h.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
                    CASE WHEN h.canceled_at IS NOT NULL THEN 'canceled'
                         WHEN h.status = 'booked' THEN 'pending' ELSE h.status END, 1
             FROM hq_bookings h WHERE h.id = $1) found
         ORDER BY rank LIMIT 1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(HqError::NotFound { entity: "booking" })?;
    let status: String = row
        .try_get::<Option<String>, _>("status")?
        .unwrap_or_default();
    let starts_at = row
        .try_get::<Option<String>, _>("starts_at")?
        .and_then(|t| t.parse::<DateTime<Utc>>().ok())
        .ok_or_else(|| HqError::Internal("a booking without its time".into()))?;
    Ok(OwnBooking {
        code: row
            .try_get::<Option<String>, _>("code")?
            .unwrap_or_default(),
        service: row
            .try_get::<Option<String>, _>("service")?
            .unwrap_or_default(),
        starts_at,
        cancellable: matches!(status.as_str(), "awaiting_confirmation" | "pending")
            && starts_at > now,
        status,
    })
}

/// Cancels the booking the page's token shows, if still cancellable: one
/// awaiting confirmation lets its hold go; one the studio has is cancelled
/// there on its next sync (`hq_bookings::cancel`). 401 for an unknown or
/// old token; 409 when it is no longer cancellable here.
pub async fn cancel(
    pool: &PgPool,
    code: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<OwnBooking> {
    let mut tx = pool.begin().await?;
    let row = sqlx::query(
        "SELECT phone, booking_id FROM online_lookups
         WHERE session_hash = $1 AND session_expires_at > $2 AND code = $3 AND booking_id IS NOT NULL",
    )
    .bind(token_hash(token))
    .bind(now)
    .bind(code.trim().to_uppercase())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(HqError::Unauthorized("verify the phone again: the page's time ran out"))?;
    let phone: String = row.try_get("phone")?;
    let id: Uuid = row.try_get("booking_id")?;
    let awaiting: i64 = sqlx::query_scalar(
        "WITH let_go AS (
             UPDATE hq_bookings SET status = 'expired', canceled_at = $2
             WHERE id = $1 AND status = 'awaiting_confirmation' RETURNING id),
         freed AS (DELETE FROM hq_slot_holds WHERE booking_id IN (SELECT id FROM let_go))
         SELECT count(*) FROM let_go",
    )
    .bind(id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    if awaiting == 0 {
        let reason = "dibatalkan pelanggan lewat halaman booking online";
        let outcome = crate::hq_bookings::cancel(&mut tx, &phone, BookingId(id), reason).await?;
        if outcome != CancelOutcome::Canceled {
            return Err(HqError::Conflict(
                "the studio has confirmed this booking: call the studio to change it".into(),
            ));
        }
    }
    let mut booking = own_booking(&mut tx, id, now).await?;
    booking.status = "canceled".into();
    booking.cancellable = false;
    tx.commit().await?;
    Ok(booking)
}
