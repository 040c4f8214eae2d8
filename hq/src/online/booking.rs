//! A booking from the page: the fields read with the desk's rules, the
//! limits, the hold, and the WhatsApp message that asks for the "YA".

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool, Row};
use uuid::Uuid;

use loket::kernel::types::{Language, ProviderId, ServiceId, SlotId};
use loket::messaging::templates::{MessageKind, Vars, rupiah, set_when};

use super::{
    CONFIRM_WITHIN, MAX_OPEN_PER_PHONE, MAX_PER_ADDRESS_PER_HOUR, queue, token_hash, when,
};
use crate::bot::settings::PublicFace;
use crate::error::{HqError, Result};
use crate::hq_bookings::{self, NewBooking, OnlineExtra};

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
/// them the WhatsApp message that asks for it, in `face`'s name: "YA", or
/// the link under its `public_url` (none without one). 409 when the slot
/// was just taken.
pub async fn create(
    pool: &PgPool,
    request: BookingRequest,
    client_address: Option<IpAddr>,
    face: &PublicFace,
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
    let link = face.public_url.as_deref().map(|url| {
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
    vars.insert("business_name".into(), face.business_name.clone());
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
