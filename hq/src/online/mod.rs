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

pub mod lookup;
pub mod routes;

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use loket::kernel::types::{BookingId, Language, Money, ProviderId, ServiceId, SlotId};
use loket::messaging::templates::{MessageKind, Vars, long_date, rupiah, set_when};

use crate::error::{HqError, Result};
use crate::hq_bookings::{self, NewBooking, OnlineExtra};

/// How long a customer has to confirm from WhatsApp.
pub const CONFIRM_WITHIN: TimeDelta = TimeDelta::minutes(30);
/// Unconfirmed bookings one phone may hold at once.
pub const MAX_OPEN_PER_PHONE: i64 = 3;
/// Booking requests from one address in an hour.
pub const MAX_PER_ADDRESS_PER_HOUR: i64 = 20;
/// Slots are offered within this many days.
const DAYS_AHEAD: i64 = 60;

// ---- what the page lists --------------------------------------------------------

/// A branch customers can book at.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicBranch {
    pub id: Uuid,
    pub name: String,
    /// Its link, `/book/{slug}`: the name in lower case, words joined by `-`.
    pub slug: String,
    pub address: Option<String>,
    /// A map link (`https://…`).
    pub map_url: Option<String>,
}

/// `Cabang Jakarta Selatan` → `cabang-jakarta-selatan`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The branches that are not revoked, by name.
pub async fn branches(pool: &PgPool) -> Result<Vec<PublicBranch>> {
    let rows = sqlx::query(
        "SELECT id, name, address, map_url FROM branches WHERE revoked_at IS NULL ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let name: String = r.try_get("name")?;
            Ok(PublicBranch {
                id: r.try_get("id")?,
                slug: slug(&name),
                name,
                address: r.try_get("address")?,
                map_url: r.try_get("map_url")?,
            })
        })
        .collect()
}

/// A service a branch offers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicService {
    #[schema(value_type = String)]
    pub id: ServiceId,
    pub name: String,
    #[schema(value_type = String)]
    pub price: Money,
    pub duration_min: u32,
}

/// The branch's active services, as it pushed them, by name.
pub async fn services(pool: &PgPool, branch_id: Uuid) -> Result<Vec<PublicService>> {
    let rows = sqlx::query(
        "SELECT entity_id, data->>'name' AS name, data->>'price' AS price,
                data->>'duration_min' AS duration_min
         FROM branch_rows
         WHERE branch_id = $1 AND entity = 'service' AND NOT deleted
           AND coalesce(data->>'active', 'true') = 'true'
         ORDER BY data->>'name'",
    )
    .bind(branch_id)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get("entity_id")?;
        let name: Option<String> = r.try_get("name")?;
        let price: Option<String> = r.try_get("price")?;
        let duration: Option<String> = r.try_get("duration_min")?;
        // A row that does not read is left out rather than shown wrong.
        let (Ok(id), Some(name), Some(price), Some(duration_min)) = (
            id.parse::<ServiceId>(),
            name,
            price
                .and_then(|p| p.parse::<rust_decimal::Decimal>().ok())
                .and_then(|p| Money::parse(p, "price").ok()),
            duration.and_then(|d| d.parse::<u32>().ok()),
        ) else {
            continue;
        };
        out.push(PublicService {
            id,
            name,
            price,
            duration_min,
        });
    }
    Ok(out)
}

/// A free time: nothing else about it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicSlot {
    #[schema(value_type = String)]
    pub id: SlotId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The free slots of the branch's service on `date` (a day in the
/// business time zone) still ahead of `now`, earliest first: free as the
/// branch pushed them and held by nothing made here.
pub async fn free_slots(
    pool: &PgPool,
    branch_id: Uuid,
    service_id: ServiceId,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<PublicSlot>> {
    if date > now.date_naive() + TimeDelta::days(DAYS_AHEAD) {
        return Ok(Vec::new());
    }
    let tz = loket::bot::BotSettings::default().time_zone;
    let day_start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (day_start(date), day_start(date + TimeDelta::days(1))) else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(concat!(
        "SELECT s.entity_id, s.data->>'starts_at' AS starts_at, s.data->>'ends_at' AS ends_at
         FROM branch_rows s
         WHERE s.branch_id = $1 AND s.data->>'service_id' = $2 AND ",
        crate::hq_bookings::free_as_pushed!(),
        " AND ",
        crate::hq_bookings::not_held_here!(),
    ))
    .bind(branch_id)
    .bind(service_id.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get("entity_id")?;
        let starts: Option<String> = r.try_get("starts_at")?;
        let ends: Option<String> = r.try_get("ends_at")?;
        let (Ok(id), Some(Ok(starts_at)), Some(Ok(ends_at))) = (
            id.parse::<SlotId>(),
            starts.map(|t| t.parse::<DateTime<Utc>>()),
            ends.map(|t| t.parse::<DateTime<Utc>>()),
        ) else {
            continue;
        };
        if starts_at >= from && starts_at < to && starts_at > now {
            out.push(PublicSlot {
                id,
                starts_at,
                ends_at,
            });
        }
    }
    out.sort_by_key(|s| (s.starts_at, s.id));
    Ok(out)
}

// ---- booking --------------------------------------------------------------------

/// `POST /public/v1/bookings`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BookingRequest {
    pub slot_id: String,
    pub customer: CustomerFields,
    #[serde(default)]
    pub notes: Option<String>,
    /// `id` (default) or `en`: the customer's messages.
    #[serde(default)]
    pub language: Option<Language>,
    /// Hidden on the page; a person leaves it empty.
    #[serde(default)]
    pub website: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub gender: Option<String>,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub address: String,
}

/// What the customer is told on the page.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BookingState {
    pub code: String,
    /// `awaiting_confirmation`, `confirmed` or `expired`.
    pub status: &'static str,
    /// Until then "YA" (or the link) confirms it.
    pub confirm_by: Option<DateTime<Utc>>,
    pub service: String,
    pub starts_at: DateTime<Utc>,
}

/// The request read with the desk's rules; each refusal names its field.
struct Checked {
    slot_id: SlotId,
    name: String,
    gender: &'static str,
    phone: String,
    email: Option<String>,
    address: String,
    notes: Option<String>,
    language: Language,
}

fn check(request: BookingRequest) -> Result<Checked> {
    use loket::kernel::validate;
    let invalid = |field: &str, message: &str| HqError::validation(field, message);
    if request
        .website
        .as_deref()
        .is_some_and(|w| !w.trim().is_empty())
    {
        return Err(invalid("website", "must be left empty"));
    }
    let slot_id = request
        .slot_id
        .parse::<SlotId>()
        .map_err(|_| invalid("slot_id", "is not a slot"))?;
    let c = request.customer;
    let name = loket::people::customers::CustomerName::parse(&c.name)
        .map_err(|m| HqError::validation("customer.name", m))?
        .into_string();
    let gender = match c.gender.as_deref().map(str::trim) {
        Some("male") => "male",
        Some("female") => "female",
        Some("") | None => return Err(invalid("customer.gender", "is required")),
        Some(_) => return Err(invalid("customer.gender", "must be male or female")),
    };
    let phone = validate::phone(&c.phone, "customer.phone").map_err(HqError::from)?;
    let email = c
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(|e| validate::email(e, "customer.email").map(|e| e.to_lowercase()))
        .transpose()
        .map_err(HqError::from)?;
    let address = c.address.trim().to_owned();
    if address.is_empty() {
        return Err(invalid("customer.address", "is required"));
    }
    if address.chars().count() > 500 {
        return Err(invalid(
            "customer.address",
            "must be at most 500 characters",
        ));
    }
    let notes = request
        .notes
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    if notes.as_ref().is_some_and(|n| n.chars().count() > 1000) {
        return Err(invalid("notes", "must be at most 1000 characters"));
    }
    Ok(Checked {
        slot_id,
        name,
        gender,
        phone,
        email,
        address,
        notes,
        language: request.language.unwrap_or(Language::Id),
    })
}

/// Books the slot for the customer, awaiting their confirmation, and sends
/// them the WhatsApp message that asks for it: "YA", or the link under
/// `public_url` (head office as an hq_admin set it; none without it). 409
/// when the slot was just taken.
pub async fn create(
    pool: &PgPool,
    request: BookingRequest,
    client_address: Option<IpAddr>,
    public_url: Option<&str>,
    now: DateTime<Utc>,
) -> Result<BookingState> {
    let c = check(request)?;
    let mut tx = pool.begin().await?;
    // One phone's requests take turns, so its limit is counted exactly.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('loket-online:' || $1, 0))")
        .bind(&c.phone)
        .execute(&mut *tx)
        .await?;
    limits(&mut tx, &c.phone, client_address, now).await?;
    let slot = sqlx::query(
        "SELECT data->>'provider_id' AS provider_id, data->>'service_id' AS service_id
         FROM branch_rows WHERE entity = 'slot' AND entity_id = $1 AND NOT deleted",
    )
    .bind(c.slot_id.to_string())
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| HqError::validation("slot_id", "no such slot"))?;
    let provider_id: Option<ProviderId> = slot
        .try_get::<Option<String>, _>("provider_id")?
        .and_then(|p| p.parse().ok());
    let service_id: Option<ServiceId> = slot
        .try_get::<Option<String>, _>("service_id")?
        .and_then(|s| s.parse().ok());
    let (Some(provider_id), Some(service_id)) = (provider_id, service_id) else {
        return Err(HqError::validation("slot_id", "no such slot"));
    };
    let token = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let confirm_by = now + CONFIRM_WITHIN;
    let request = NewBooking {
        source: "online",
        phone: &c.phone,
        name: &c.name,
        language: c.language,
        provider_id,
        service_id,
        slot_id: c.slot_id,
        address: &c.address,
        latitude: None,
        longitude: None,
        extra: Some(OnlineExtra {
            gender: c.gender,
            email: c.email.as_deref(),
            notes: c.notes.as_deref(),
            client_address,
            confirm_by,
            confirm_token_hash: token_hash(&token),
        }),
    };
    let Some(reserved) = hq_bookings::reserve(&mut tx, &request, now).await? else {
        return Err(HqError::Conflict(
            "that time was just taken: choose another one".into(),
        ));
    };
    let when = when(reserved.starts_at, c.language);
    // The link on a line of its own: no punctuation runs into it.
    let link = public_url.map(|url| {
        let link = format!("{url}/book/confirm?code={}&token={token}", reserved.code);
        match c.language {
            Language::Id => format!("\nAtau buka: {link}"),
            Language::En => format!("\nOr open: {link}"),
        }
    });
    let link = link.unwrap_or_default();
    let text = match c.language {
        Language::Id => format!(
            "Halo {}, booking {} ({}, {when}) menunggu konfirmasi Anda. Balas *YA* dalam 30 menit untuk mengonfirmasi.{link}",
            c.name, reserved.code, reserved.service_name
        ),
        Language::En => format!(
            "Hello {}, booking {} ({}, {when}) awaits your confirmation. Reply *YES* within 30 minutes to confirm.{link}",
            c.name, reserved.code, reserved.service_name
        ),
    };
    // Head office writes first: on Meta's Cloud API this goes out as the
    // `confirm_request` template when one is mapped (the link is in the
    // text only; a template carries the "YA").
    let mut vars = Vars::new();
    vars.insert("customer_name".into(), c.name.clone());
    vars.insert("booking_code".into(), reserved.code.clone());
    vars.insert("service".into(), reserved.service_name.clone());
    vars.insert("amount".into(), rupiah(reserved.price));
    vars.insert("address".into(), c.address.clone());
    vars.insert(
        "business_name".into(),
        crate::bot::settings::business_name(pool).await?,
    );
    set_when(
        &mut vars,
        reserved.starts_at,
        loket::bot::BotSettings::default().time_zone,
        c.language,
    );
    queue(
        &mut tx,
        &c.phone,
        &text,
        &format!("online:{}:confirm", reserved.id),
        Some((MessageKind::ConfirmRequest, &vars)),
    )
    .await?;
    tx.commit().await?;
    Ok(BookingState {
        code: reserved.code,
        status: "awaiting_confirmation",
        confirm_by: Some(confirm_by),
        service: reserved.service_name,
        starts_at: reserved.starts_at,
    })
}

/// 429 in words when the phone holds too many unconfirmed bookings or the
/// address asked too often this hour.
async fn limits(
    conn: &mut PgConnection,
    phone: &str,
    client_address: Option<IpAddr>,
    now: DateTime<Utc>,
) -> Result<()> {
    let open: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM hq_bookings
         WHERE customer_phone = $1 AND status = 'awaiting_confirmation' AND confirm_by > $2",
    )
    .bind(phone)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    if open >= MAX_OPEN_PER_PHONE {
        return Err(HqError::TooManyAttempts {
            retry_after: CONFIRM_WITHIN.num_seconds() as u64,
            message: format!(
                "this phone already has {open} bookings waiting for confirmation: confirm them from WhatsApp first"
            ),
        });
    }
    if let Some(address) = client_address {
        let recent: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM hq_bookings
             WHERE client_address = $1::inet AND created_at > $2 - interval '1 hour'",
        )
        .bind(address.to_string())
        .bind(now)
        .fetch_one(&mut *conn)
        .await?;
        if recent >= MAX_PER_ADDRESS_PER_HOUR {
            return Err(HqError::TooManyAttempts {
                retry_after: 3600,
                message: "too many bookings from this address in the last hour: try again later"
                    .into(),
            });
        }
    }
    Ok(())
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn when(at: DateTime<Utc>, lang: Language) -> String {
    let local = at.with_timezone(&loket::bot::BotSettings::default().time_zone);
    format!(
        "{} {}",
        long_date(local.date_naive(), lang),
        local.format("%H:%M")
    )
}

async fn queue(
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

// ---- confirming -----------------------------------------------------------------

/// How a confirmation proves the phone: the link's token, or a "YA" from
/// the phone itself.
pub enum Proof<'a> {
    Token { code: &'a str, token: &'a str },
    Phone(&'a str),
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
            sqlx::query(
                "SELECT id, code, status, confirm_by, service_name, starts_at, customer_phone,
                        customer_name, customer_language, price::text AS price, address
                 FROM hq_bookings
                 WHERE code = $1 AND source = 'online' AND confirm_token_hash = $2
                 FOR UPDATE",
            )
            .bind(code)
            .bind(token_hash(token))
            .fetch_optional(&mut *conn)
            .await?
        }
        Proof::Phone(phone) => {
            sqlx::query(
                "SELECT id, code, status, confirm_by, service_name, starts_at, customer_phone,
                        customer_name, customer_language, price::text AS price, address
                 FROM hq_bookings
                 WHERE customer_phone = $1 AND status = 'awaiting_confirmation' AND confirm_by > $2
                 ORDER BY created_at DESC LIMIT 1
                 FOR UPDATE",
            )
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
    if let Some(price) = row
        .try_get::<String, _>("price")?
        .parse::<rust_decimal::Decimal>()
        .ok()
        .and_then(|p| Money::parse(p, "price").ok())
    {
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
