//! Bookings head office makes for a branch: the WhatsApp bot's "YA" and
//! the public booking page's (`online`). One booking is one transaction
//! (the caller's). [`reserve`]: the slot checked free as head office knows
//! it, held exactly once (`hq_slot_holds`: two customers choosing one slot
//! at once, one wins), a code from head office's own series, the customer
//! known to the customer master. [`hand_over`]: the provider's notice
//! queued and the booking published for its branch to pull
//! (`loket::sync::protocol::BookingData`) — at once for the bot's, once
//! the customer confirms for an online one. The branch owns it from then
//! on: it takes the booking as its own (flagging `double_booking` if its
//! desk booked the slot meanwhile, offline) and pushes it back.

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
    /// What the booking page asks besides (the bot does not).
    pub extra: Option<OnlineExtra<'a>>,
}

/// The booking page's fields and its confirmation step.
pub struct OnlineExtra<'a> {
    /// `male` or `female`.
    pub gender: &'a str,
    /// Lower-cased.
    pub email: Option<&'a str>,
    pub notes: Option<&'a str>,
    pub client_address: Option<std::net::IpAddr>,
    /// Until then the slot is held for the customer to confirm.
    pub confirm_by: DateTime<Utc>,
    /// SHA-256 (hex) of the confirmation link's token.
    pub confirm_token_hash: String,
}

/// A booking [`reserve`] made.
pub struct Reserved {
    pub id: BookingId,
    pub code: String,
    pub branch_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub service_name: String,
    pub price: Money,
}

/// The slot as its branch last pushed it.
struct PushedSlot {
    branch_id: Uuid,
    starts_at: DateTime<Utc>,
}

/// The bot's booking: reserved and handed to its branch at once;
/// `SlotTaken` when the slot is not free any more.
pub async fn book(
    conn: &mut PgConnection,
    request: &NewBooking<'_>,
    now: DateTime<Utc>,
) -> Result<BookOutcome> {
    let Some(reserved) = reserve(conn, request, now).await? else {
        return Ok(BookOutcome::SlotTaken);
    };
    hand_over(conn, reserved.id).await?;
    Ok(BookOutcome::Booked {
        code: reserved.code,
    })
}

/// Holds the slot and writes the booking inside the caller's transaction;
/// `None` when the slot is not free any more (booked at the branch, held
/// here by another customer, started, or no longer offered). An online
/// booking waits in `awaiting_confirmation`; any other is `booked`.
pub async fn reserve(
    conn: &mut PgConnection,
    request: &NewBooking<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Reserved>> {
    let Some(slot) = free_slot(conn, request).await? else {
        return Ok(None);
    };
    if slot.starts_at <= now {
        return Ok(None);
    }
    let Some((service_name, price)) = service(conn, slot.branch_id, request.service_id).await?
    else {
        return Ok(None);
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
        return Ok(None);
    }
    let code = next_code(conn, now).await?;
    let extra = request.extra.as_ref();
    sqlx::query(
        "INSERT INTO hq_bookings (id, branch_id, code, source, slot_id, provider_id, service_id,
             service_name, starts_at, customer_phone, customer_name, address, latitude, longitude,
             price, created_at, customer_language, status, confirm_by, confirm_token_hash,
             customer_gender, customer_email, notes, client_address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17,
                 $18, $19, $20, $21, $22, $23, $24::inet)",
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
    .bind(request.language.as_str())
    .bind(if extra.is_some() {
        "awaiting_confirmation"
    } else {
        "booked"
    })
    .bind(extra.map(|e| e.confirm_by))
    .bind(extra.map(|e| e.confirm_token_hash.as_str()))
    .bind(extra.map(|e| e.gender))
    .bind(extra.and_then(|e| e.email))
    .bind(extra.and_then(|e| e.notes))
    .bind(extra.and_then(|e| e.client_address).map(|a| a.to_string()))
    .execute(&mut *conn)
    .await?;
    remember_customer(conn, request, slot.branch_id, now).await?;
    Ok(Some(Reserved {
        id,
        code,
        branch_id: slot.branch_id,
        starts_at: slot.starts_at,
        service_name,
        price,
    }))
}

/// The customer master learns the customer: matched by phone, then by
/// e-mail (case-insensitive); what the booking page asked (gender, address,
/// e-mail) and the last booking's time are kept on the match. A new phone
/// with a known name is a new customer (names are never matched), with a
/// code of head office's series and the studio and channel that brought
/// them (`customer_type`).
async fn remember_customer(
    conn: &mut PgConnection,
    request: &NewBooking<'_>,
    branch_id: Uuid,
    now: DateTime<Utc>,
) -> Result<()> {
    let extra = request.extra.as_ref();
    let gender = extra.map(|e| e.gender);
    let email = extra.and_then(|e| e.email);
    let address = extra.map(|_| request.address);
    let matched = sqlx::query_scalar::<_, Uuid>(
        "SELECT id FROM master_customers WHERE phone = $1
         UNION ALL
         (SELECT id FROM master_customers WHERE email = $2
          ORDER BY created_at LIMIT 1)
         LIMIT 1",
    )
    .bind(request.phone)
    .bind(email)
    .fetch_optional(&mut *conn)
    .await?;
    match matched {
        Some(id) => {
            sqlx::query(
                "UPDATE master_customers SET last_booking_at = $2,
                     gender = coalesce($3, gender), address = coalesce($4, address),
                     email = coalesce($5, email)
                 WHERE id = $1",
            )
            .bind(id)
            .bind(now)
            .bind(gender)
            .bind(address)
            .bind(email)
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query(
                "INSERT INTO master_customers (id, phone, name, email, gender, address, last_booking_at,
                     code, customer_type)
                 VALUES ($1, $2, $3, $4, $5, $6, $7,
                     'CS-HQ-' || lpad(nextval('master_customer_code_seq')::text, 6, '0'),
                     (SELECT name || ' (' || $8::text || ')' FROM branches WHERE id = $9))
                 ON CONFLICT (phone) DO NOTHING",
            )
            .bind(Uuid::now_v7())
            .bind(request.phone)
            .bind(request.name)
            .bind(email)
            .bind(gender)
            .bind(address)
            .bind(now)
            .bind(request.source)
            .bind(branch_id)
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Gives a booking made here to its branch: the provider's notice queued,
/// the booking published for the branch's next pull, in the caller's
/// transaction.
pub async fn hand_over(conn: &mut PgConnection, id: BookingId) -> Result<()> {
    let row = sqlx::query(
        "SELECT h.branch_id, h.code, h.source, h.slot_id, h.provider_id, h.service_name,
                h.starts_at, h.customer_phone, h.customer_name, h.customer_language, h.address,
                h.price::text AS price, h.created_at, h.customer_gender, h.customer_email, h.notes,
                b.name || ' (' || h.source || ')' AS customer_type
         FROM hq_bookings h JOIN branches b ON b.id = h.branch_id WHERE h.id = $1",
    )
    .bind(id.0)
    .fetch_one(&mut *conn)
    .await?;
    let branch_id: Uuid = row.try_get("branch_id")?;
    let code: String = row.try_get("code")?;
    let starts_at: DateTime<Utc> = row.try_get("starts_at")?;
    let created_at: DateTime<Utc> = row.try_get("created_at")?;
    let unreadable =
        |what: &str| HqError::Internal(format!("booking {code}: {what} does not read"));
    let price = Money::from_text(&row.try_get::<String, _>("price")?)
        .ok_or_else(|| unreadable("its price"))?;
    let slot_id: SlotId = row
        .try_get::<String, _>("slot_id")?
        .parse()
        .map_err(|_| unreadable("its slot id"))?;
    let provider_id: ProviderId = row
        .try_get::<String, _>("provider_id")?
        .parse()
        .map_err(|_| unreadable("its provider id"))?;
    let data = BookingData {
        id,
        code: code.clone(),
        source: row.try_get("source")?,
        slot_id,
        customer_name: row.try_get("customer_name")?,
        customer_phone: row.try_get("customer_phone")?,
        customer_language: Language::parse(&row.try_get::<String, _>("customer_language")?)
            .unwrap_or(Language::Id),
        address: row.try_get("address")?,
        price,
        created_at: created_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        customer_gender: row.try_get("customer_gender")?,
        customer_email: row.try_get("customer_email")?,
        notes: row.try_get("notes")?,
        customer_type: row.try_get("customer_type")?,
    };
    notify_provider(
        conn,
        branch_id,
        provider_id,
        &data,
        &row.try_get::<String, _>("service_name")?,
        starts_at,
    )
    .await?;
    let data = serde_json::to_value(&data).map_err(|e| HqError::Internal(e.to_string()))?;
    publish(
        conn,
        Some(branch_id),
        "booking",
        &id.to_string(),
        "insert",
        &data,
    )
    .await?;
    Ok(())
}

/// Queues the provider's notice (the desk's own template, in Indonesian,
/// with its placeholder values for a Meta template), sent with the bot's
/// replies: a provider whose pushed row has no WhatsApp number gets none.
async fn notify_provider(
    conn: &mut PgConnection,
    branch_id: Uuid,
    provider_id: ProviderId,
    booking: &BookingData,
    service_name: &str,
    starts_at: DateTime<Utc>,
) -> Result<()> {
    use loket::messaging::templates::{MessageKind, Vars, default_body, render};
    let row = sqlx::query(
        "SELECT data->>'name' AS name, data->>'whatsapp_number' AS phone FROM branch_rows
         WHERE branch_id = $1 AND entity = 'provider' AND entity_id = $2 AND NOT deleted",
    )
    .bind(branch_id)
    .bind(provider_id.to_string())
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
        ("booking_code", booking.code.clone()),
        ("service", service_name.to_owned()),
        ("customer_name", booking.customer_name.clone()),
        ("date", local.format("%d-%m-%Y").to_string()),
        ("time", local.format("%H:%M").to_string()),
        ("address", booking.address.clone()),
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
    .bind(format!("booking:{}:provider", booking.id))
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

/// The SQL condition that no booking made here holds the pushed slot `s`
/// while its branch has not pushed that booking back yet (after that, the
/// branch's rows speak for the slot). One definition for the bot's offer,
/// the booking page's times and their bookings.
macro_rules! not_held_here {
    () => {
        "NOT EXISTS (
             SELECT 1 FROM hq_slot_holds h
             WHERE h.branch_id = s.branch_id AND h.slot_id = s.entity_id
               AND NOT EXISTS (SELECT 1 FROM branch_rows b
                               WHERE b.branch_id = h.branch_id AND b.entity = 'booking'
                                 AND b.entity_id = h.booking_id::text))"
    };
}
pub(crate) use not_held_here;

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
    Ok(name.zip(price.as_deref().and_then(Money::from_text)))
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
pub async fn cancel(
    conn: &mut PgConnection,
    phone: &str,
    id: BookingId,
    reason: &str,
) -> Result<CancelOutcome> {
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
        reason: reason.to_owned(),
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
