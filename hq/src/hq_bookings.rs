//! Bookings head office makes for a branch: the WhatsApp bot's "YA" (and,
//! later, the public booking page). One booking is one transaction (the
//! caller's): the slot checked free as head office knows it, held exactly
//! once (`hq_slot_holds`: two customers choosing one slot at once, one
//! wins), a code from head office's own series, the customer known to the
//! customer master by phone, and the booking published for its branch to
//! pull (`loket::sync::protocol::BookingData`). The branch owns it from
//! then on: it takes the booking as its own (flagging `double_booking` if
//! its desk booked the slot meanwhile, offline) and pushes it back.

use chrono::{DateTime, Datelike, Utc};
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use loket::bot::{BookOutcome, CancelOutcome};
use loket::kernel::types::{BookingId, Language, Money, ProviderId, ServiceId, SlotId};
use loket::sync::protocol::{BookingCanceled, BookingData};

use crate::error::{HqError, Result};
use crate::sync_pull::publish;

/// What a customer asked to book.
pub struct NewBooking<'a> {
    /// `whatsapp` (the bot) or `online`.
    pub source: &'static str,
    /// Normalised `62…`
    pub phone: &'a str,
    pub name: &'a str,
    pub language: Language,
    pub provider_id: ProviderId,
    pub service_id: ServiceId,
    pub slot_id: SlotId,
    pub address: &'a str,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
}

/// The slot as its branch last pushed it.
struct PushedSlot {
    branch_id: Uuid,
    starts_at: DateTime<Utc>,
}

/// Books `request` inside the caller's transaction; `SlotTaken` when the
/// slot is not free any more (booked at the branch, held here by another
/// customer, started, or no longer offered).
pub async fn book(
    conn: &mut PgConnection,
    request: &NewBooking<'_>,
    now: DateTime<Utc>,
) -> Result<BookOutcome> {
    let Some(slot) = free_slot(conn, request).await? else {
        return Ok(BookOutcome::SlotTaken);
    };
    if slot.starts_at <= now {
        return Ok(BookOutcome::SlotTaken);
    }
    let Some((service_name, price)) = service(conn, slot.branch_id, request.service_id).await?
    else {
        return Ok(BookOutcome::SlotTaken);
    };
    let id = BookingId::new();
    // The hold first: whoever inserts second waits for the first to commit
    // and then finds its row, having written nothing. A hold whose booking
    // the branch has since pushed back is stale (the branch's rows speak
    // for the slot then, and `free_slot` found no open booking on it): it
    // is taken over.
    let held = sqlx::query(
        "INSERT INTO hq_slot_holds (branch_id, slot_id, booking_id) VALUES ($1, $2, $3)
         ON CONFLICT (branch_id, slot_id) DO UPDATE SET booking_id = excluded.booking_id
         WHERE EXISTS (SELECT 1 FROM branch_rows b
                       WHERE b.branch_id = hq_slot_holds.branch_id AND b.entity = 'booking'
                         AND b.entity_id = hq_slot_holds.booking_id::text)",
    )
    .bind(slot.branch_id)
    .bind(request.slot_id.to_string())
    .bind(id.0)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if held == 0 {
        return Ok(BookOutcome::SlotTaken);
    }
    let code = next_code(conn, now).await?;
    sqlx::query(
        "INSERT INTO hq_bookings (id, branch_id, code, source, slot_id, provider_id, service_id,
             service_name, starts_at, customer_phone, customer_name, address, latitude, longitude,
             price, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
    )
    .bind(id.0)
    .bind(slot.branch_id)
    .bind(&code)
    .bind(request.source)
    .bind(request.slot_id.to_string())
    .bind(request.provider_id.to_string())
    .bind(request.service_id.to_string())
    .bind(&service_name)
    .bind(slot.starts_at)
    .bind(request.phone)
    .bind(request.name)
    .bind(request.address)
    .bind(request.latitude)
    .bind(request.longitude)
    .bind(price.decimal())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    // The customer master knows the phone from now on (a branch's push
    // links its own customer to this row later).
    sqlx::query(
        "INSERT INTO master_customers (id, phone, name) VALUES ($1, $2, $3)
         ON CONFLICT (phone) DO NOTHING",
    )
    .bind(Uuid::now_v7())
    .bind(request.phone)
    .bind(request.name)
    .execute(&mut *conn)
    .await?;
    notify_provider(
        conn,
        slot.branch_id,
        request,
        &code,
        &service_name,
        slot.starts_at,
        id,
    )
    .await?;
    let data = BookingData {
        id,
        code: code.clone(),
        source: request.source.to_owned(),
        slot_id: request.slot_id,
        customer_name: request.name.to_owned(),
        customer_phone: request.phone.to_owned(),
        customer_language: request.language,
        address: request.address.to_owned(),
        price,
        created_at: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
    };
    let data = serde_json::to_value(&data).map_err(|e| HqError::Internal(e.to_string()))?;
    publish(
        conn,
        Some(slot.branch_id),
        "booking",
        &id.to_string(),
        "insert",
        &data,
    )
    .await?;
    Ok(BookOutcome::Booked { code })
}

/// Queues the provider's notice (the desk's own template, in Indonesian,
/// with its placeholder values for a Meta template), sent with the bot's
/// replies: a provider whose pushed row has no WhatsApp number gets none.
async fn notify_provider(
    conn: &mut PgConnection,
    branch_id: Uuid,
    request: &NewBooking<'_>,
    code: &str,
    service_name: &str,
    starts_at: DateTime<Utc>,
    id: BookingId,
) -> Result<()> {
    use loket::messaging::templates::{MessageKind, Vars, default_body, render};
    let row = sqlx::query(
        "SELECT data->>'name' AS name, data->>'whatsapp_number' AS phone FROM branch_rows
         WHERE branch_id = $1 AND entity = 'provider' AND entity_id = $2 AND NOT deleted",
    )
    .bind(branch_id)
    .bind(request.provider_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(()) };
    let name: Option<String> = row.try_get("name")?;
    let phone: Option<String> = row.try_get("phone")?;
    let Some(phone) = phone.and_then(|p| loket::kernel::validate::phone(&p, "phone").ok()) else {
        return Ok(());
    };
    let local = starts_at.with_timezone(&loket::bot::BotSettings::default().time_zone);
    let vars: Vars = [
        ("provider", name.unwrap_or_default()),
        ("booking_code", code.to_owned()),
        ("service", service_name.to_owned()),
        ("customer_name", request.name.to_owned()),
        ("date", local.format("%d-%m-%Y").to_string()),
        ("time", local.format("%H:%M").to_string()),
        ("address", request.address.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let text = render(
        default_body(MessageKind::ProviderNotification, Language::Id),
        &vars,
    );
    let vars = serde_json::to_value(&vars).map_err(|e| HqError::Internal(e.to_string()))?;
    sqlx::query(
        "INSERT INTO hq_outbox (to_phone, text, dedupe_key, kind, vars) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(phone)
    .bind(text)
    .bind(format!("booking:{id}:provider"))
    .bind(MessageKind::ProviderNotification.as_str())
    .bind(vars)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The SQL conditions on a pushed slot row `s` (of `branch_rows`) under
/// which head office believes it free as its branch pushed it: `available`,
/// and no open or completed booking of the branch on it. One definition
/// for the bot's offer (`bot::drivers`) and the booking here; a hold made
/// here is checked apart.
macro_rules! free_as_pushed {
    () => {
        "s.entity = 'slot' AND NOT s.deleted AND s.data->>'status' = 'available'
         AND NOT EXISTS (
             SELECT 1 FROM branch_rows b
             WHERE b.branch_id = s.branch_id AND b.entity = 'booking' AND NOT b.deleted
               AND b.data->>'slot_id' = s.entity_id
               AND b.data->>'booking_status' IN ('pending', 'active', 'completed'))"
    };
}
pub(crate) use free_as_pushed;

/// The slot, when it is the provider's and the service's and free as
/// pushed.
async fn free_slot(
    conn: &mut PgConnection,
    request: &NewBooking<'_>,
) -> Result<Option<PushedSlot>> {
    let row = sqlx::query(concat!(
        "SELECT s.branch_id, s.data->>'starts_at' AS starts_at
         FROM branch_rows s
         WHERE s.entity_id = $1 AND s.data->>'provider_id' = $2 AND s.data->>'service_id' = $3
           AND ",
        free_as_pushed!()
    ))
    .bind(request.slot_id.to_string())
    .bind(request.provider_id.to_string())
    .bind(request.service_id.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let starts_at: Option<String> = row.try_get("starts_at")?;
    let Some(Ok(starts_at)) = starts_at.map(|t| t.parse::<DateTime<Utc>>()) else {
        return Ok(None);
    };
    Ok(Some(PushedSlot {
        branch_id: row.try_get("branch_id")?,
        starts_at,
    }))
}

/// The service's name and price: the branch's own, else head office's
/// catalogue.
async fn service(
    conn: &mut PgConnection,
    branch_id: Uuid,
    service_id: ServiceId,
) -> Result<Option<(String, Money)>> {
    let row = sqlx::query(
        "SELECT coalesce(own.data->>'name', hq.name) AS name,
                coalesce(own.data->>'price', hq.price::text) AS price
         FROM (SELECT 1) AS one
         LEFT JOIN branch_rows own ON own.branch_id = $1 AND own.entity = 'service'
              AND own.entity_id = $2 AND NOT own.deleted
         LEFT JOIN services hq ON hq.id::text = $2 AND hq.deleted_at IS NULL",
    )
    .bind(branch_id)
    .bind(service_id.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let name: Option<String> = row.try_get("name")?;
    let price: Option<String> = row.try_get("price")?;
    let price = price
        .and_then(|p| p.parse::<rust_decimal::Decimal>().ok())
        .and_then(|p| Money::parse(p, "price").ok());
    Ok(name.zip(price))
}

/// `BK-YYYY-W001`, `W002`, … per year of `now`; past 999 it simply grows.
async fn next_code(conn: &mut PgConnection, now: DateTime<Utc>) -> Result<String> {
    let year = now.year();
    let n: i32 = sqlx::query_scalar(
        "INSERT INTO hq_booking_codes (year, last) VALUES ($1, 1)
         ON CONFLICT (year) DO UPDATE SET last = hq_booking_codes.last + 1
         RETURNING last",
    )
    .bind(year)
    .fetch_one(&mut *conn)
    .await?;
    Ok(format!("BK-{year}-W{n:03}"))
}

/// Cancels, for the customer at `phone`, their booking `id` if head office
/// last knew it pending: as the branch pushed it, or made here and not yet
/// pushed back. The cancellation is published for the branch, which
/// cancels it and frees the slot; a hold of a booking made here is let go
/// at once. Anything else (another phone's, confirmed, gone) is
/// `NotCancellable`.
pub async fn cancel(conn: &mut PgConnection, phone: &str, id: BookingId) -> Result<CancelOutcome> {
    let pushed = sqlx::query_scalar::<_, Uuid>(
        "SELECT branch_id FROM branch_rows
         WHERE entity = 'booking' AND entity_id = $1 AND NOT deleted
           AND data->>'customer_phone' = $2 AND data->>'booking_status' = 'pending'",
    )
    .bind(id.to_string())
    .bind(phone)
    .fetch_optional(&mut *conn)
    .await?;
    let branch_id = match pushed {
        Some(branch_id) => Some(branch_id),
        None => {
            sqlx::query_scalar::<_, Uuid>(
                "UPDATE hq_bookings h SET canceled_at = now()
                 WHERE id = $1 AND customer_phone = $2 AND canceled_at IS NULL
                   AND NOT EXISTS (SELECT 1 FROM branch_rows b
                                   WHERE b.branch_id = h.branch_id AND b.entity = 'booking'
                                     AND b.entity_id = h.id::text)
                 RETURNING branch_id",
            )
            .bind(id.0)
            .bind(phone)
            .fetch_optional(&mut *conn)
            .await?
        }
    };
    let Some(branch_id) = branch_id else {
        return Ok(CancelOutcome::NotCancellable);
    };
    sqlx::query("DELETE FROM hq_slot_holds WHERE booking_id = $1")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    let data = serde_json::to_value(BookingCanceled {
        id,
        reason: "dibatalkan pelanggan lewat WhatsApp".to_owned(),
    })
    .map_err(|e| HqError::Internal(e.to_string()))?;
    publish(
        conn,
        Some(branch_id),
        "booking",
        &id.to_string(),
        "update",
        &data,
    )
    .await?;
    Ok(CancelOutcome::Canceled)
}
