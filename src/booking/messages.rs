//! What a booking sends, and when: the confirmation to the customer and the
//! notification to the provider when it is created, the H-1 reminder and
//! the unpaid notice the day before. Each is queued through
//! [`crate::messaging::outbox::enqueue`] in the transaction of its cause.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::OptionalExtension;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::booking::bookings::Booking;
use crate::booking::priority::PaymentStatus;
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::Result;
use crate::kernel::fields::Text;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::Language;
use crate::kernel::types::{BookingId, CustomerId};
use crate::messaging::outbox::{NewMessage, SubjectType, enqueue};
use crate::messaging::templates::{self, MessageKind, Vars};

/// Placeholder values of a booking.
pub fn booking_vars(ctx: &Ctx<'_>, b: &Booking, lang: Language) -> Result<Vars> {
    let mut v = Vars::new();
    v.insert("customer_name".into(), b.customer_name.clone());
    v.insert("booking_code".into(), b.code.clone());
    match b.event_at {
        Some(at) => templates::set_when(&mut v, at, ctx.settings.time_zone, lang),
        None => {
            v.insert("date".into(), templates::long_date(b.booking_date, lang));
        }
    }
    if let Some(s) = &b.service_name {
        v.insert("service".into(), s.clone());
    }
    if let Some(p) = &b.provider_name {
        v.insert("provider".into(), p.clone());
    }
    let unit = b
        .unit_id
        .map(|id| crate::booking::units::find(ctx.conn, id))
        .transpose()
        .ok()
        .flatten();
    if let Some(u) = &unit {
        v.insert("unit".into(), u.code.clone());
    }
    let address = b.address.clone().or_else(|| unit.and_then(|u| u.location));
    if let Some(a) = address {
        v.insert("address".into(), a);
    }
    v.insert("amount".into(), templates::rupiah(b.price));
    v.insert("business_name".into(), ctx.settings.business_name.clone());
    Ok(v)
}

fn booking_subject(b: &Booking) -> (SubjectType, String) {
    match b.unit_id {
        Some(u) => (SubjectType::Unit, u.to_string()),
        None => (SubjectType::Booking, b.id.to_string()),
    }
}

/// A message of `kind` to the booking's customer, keyed `booking:{id}:{key}`.
fn to_customer(
    b: &Booking,
    kind: MessageKind,
    key: &str,
    lang: Language,
    vars: Vars,
) -> NewMessage {
    NewMessage {
        dedupe_key: format!("booking:{}:{key}", b.id),
        kind,
        language: lang,
        to: b.customer_phone.clone(),
        vars,
        customer_id: Some(b.customer_id),
        provider_id: None,
        booking_id: Some(b.id),
        vehicle_id: None,
        subject: Some(booking_subject(b)),
    }
}

/// The rule on booking creation: a confirmation to the customer and, for a
/// service booking, a notification to the provider. Runs in CreateBooking's
/// transaction.
pub fn on_booking_created(ctx: &Ctx<'_>, b: &Booking) -> Result<()> {
    let lang = customer_language(ctx, b.customer_id)?;
    let vars = booking_vars(ctx, b, lang)?;
    enqueue(
        ctx,
        to_customer(
            b,
            MessageKind::BookingConfirmation,
            "booking_confirmation",
            lang,
            vars.clone(),
        ),
    )?;
    notify_provider(ctx, b, lang, vars, "provider_notification")
}

/// A booking's notice to its provider, in the business's language (whatever
/// the customer's), keyed `booking:{id}:{key}`.
fn notify_provider(
    ctx: &Ctx<'_>,
    b: &Booking,
    customer_lang: Language,
    customer_vars: Vars,
    key: &str,
) -> Result<()> {
    let Some(pid) = b.provider_id else {
        return Ok(());
    };
    let Ok(p) = crate::scheduling::providers::find(ctx.conn, pid) else {
        return Ok(());
    };
    let lang = ctx.settings.message_language;
    let vars = if lang == customer_lang {
        customer_vars
    } else {
        booking_vars(ctx, b, lang)?
    };
    enqueue(
        ctx,
        NewMessage {
            dedupe_key: format!("booking:{}:{key}", b.id),
            kind: MessageKind::ProviderNotification,
            language: lang,
            to: p.whatsapp_number,
            vars,
            customer_id: None,
            provider_id: Some(pid),
            booking_id: Some(b.id),
            vehicle_id: None,
            subject: None,
        },
    )?;
    Ok(())
}

/// The rule on moving a booking to another slot: the customer is told the
/// new time, and a provider new to the booking gets its notice. Keyed by the
/// slot moved to, so each move is told once.
pub fn on_booking_moved(ctx: &Ctx<'_>, before: &Booking, b: &Booking) -> Result<()> {
    let slot = b.slot_id.map(|s| s.to_string()).unwrap_or_default();
    let lang = customer_language(ctx, b.customer_id)?;
    let vars = booking_vars(ctx, b, lang)?;
    enqueue(
        ctx,
        to_customer(
            b,
            MessageKind::BookingMoved,
            &format!("booking_moved:{slot}"),
            lang,
            vars.clone(),
        ),
    )?;
    if b.provider_id != before.provider_id {
        notify_provider(ctx, b, lang, vars, &format!("provider_notification:{slot}"))?;
    }
    Ok(())
}

/// The language a customer's messages go out in: their own, else the business's.
fn customer_language(ctx: &Ctx<'_>, id: CustomerId) -> Result<Language> {
    let own: Option<Language> = ctx
        .conn
        .prepare_cached("SELECT language FROM customers WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()?
        .flatten();
    Ok(own.unwrap_or(ctx.settings.message_language))
}

/// UTC bounds of a local calendar day.
fn day_bounds(ctx: &Ctx<'_>, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let tz = ctx.settings.time_zone;
    let start = |d: NaiveDate| {
        tz.from_local_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
            .earliest()
            .map_or_else(
                || d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc(),
                |t| t.with_timezone(&Utc),
            )
    };
    (start(day), start(day + chrono::Duration::days(1)))
}

#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Queued {
    pub reminders: u32,
    pub unpaid_notices: u32,
}

/// The H-1 rules for open bookings whose event falls on `event_day` (local)
/// and is still ahead: a reminder to each customer, and an unpaid notice
/// when the booking is not paid. Once per booking and event day.
pub fn queue_reminders(ctx: &Ctx<'_>, event_day: NaiveDate) -> Result<Queued> {
    let (from, to) = day_bounds(ctx, event_day);
    let from = from.max(ctx.now);
    let due: Vec<(BookingId, Option<Language>)> = ctx
        .conn
        // Only bookings still missing a message (a re-run, or the catch-up
        // after a restart, skips the rest without building their text).
        .prepare_cached(
            "SELECT b.id, c.language FROM bookings b JOIN customers c ON c.id = b.customer_id
              WHERE b.event_at >= ?1 AND b.event_at < ?2
               AND b.booking_status IN ('pending','active')
               AND (NOT EXISTS (SELECT 1 FROM messages m
                                 WHERE m.dedupe_key = 'booking:' || b.id || ':reminder_h1:' || ?3)
                    OR (b.payment_status <> 'paid' AND NOT EXISTS (SELECT 1 FROM messages m
                                 WHERE m.dedupe_key = 'booking:' || b.id || ':unpaid_h1:' || ?3)))
             ORDER BY b.event_at",
        )?
        .query_map((to_db(from), to_db(to), event_day.to_string()), |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut out = Queued::default();
    for (id, own_language) in due {
        let b = crate::booking::bookings::find(ctx.conn, id)?;
        let lang = own_language.unwrap_or(ctx.settings.message_language);
        let vars = booking_vars(ctx, &b, lang)?;
        let reminder = to_customer(
            &b,
            MessageKind::ReminderH1,
            &format!("reminder_h1:{event_day}"),
            lang,
            vars.clone(),
        );
        if enqueue(ctx, reminder)? {
            out.reminders += 1;
        }
        if b.payment_status != PaymentStatus::Paid
            && enqueue(
                ctx,
                to_customer(
                    &b,
                    MessageKind::UnpaidH1,
                    &format!("unpaid_h1:{event_day}"),
                    lang,
                    vars,
                ),
            )?
        {
            out.unpaid_notices += 1;
        }
    }
    Ok(out)
}

/// Renders a template as a customer would read it (`templates.preview`; it
/// lives here because it can render a real booking): with a real booking
/// (`booking_id`), or with a sample booking. `body` previews unsaved text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewTemplate {
    pub kind: MessageKind,
    /// Defaults to the `message_language` setting.
    pub language: Option<Language>,
    /// Unsaved text to preview instead of the stored template.
    pub body: Option<Text<1, 1000>>,
    pub booking_id: Option<BookingId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Preview {
    pub kind: MessageKind,
    pub language: Language,
    pub text: String,
    /// The values used, by placeholder.
    pub values: BTreeMap<String, String>,
}

impl Operation for PreviewTemplate {
    type Output = Preview;
    const NAME: &'static str = "templates.preview";
    const PERMISSION: Permission = Permission::MessagingConfigure;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Preview> {
        let kind = templates::templated(self.kind)?;
        let lang = self.language.unwrap_or(ctx.settings.message_language);
        let body = match self.body {
            Some(b) => {
                let b = b.into_string();
                templates::placeholders(&b, "body", kind.placeholders())?;
                b
            }
            None => templates::body(ctx.conn, kind, lang)?,
        };
        let values = match self.booking_id {
            Some(id) => {
                let b = crate::booking::bookings::find(ctx.conn, id)?;
                booking_vars(ctx, &b, lang)?
            }
            None => templates::sample_vars(ctx, lang),
        };
        Ok(Preview {
            kind,
            language: lang,
            text: templates::render(&body, &values),
            values,
        })
    }
}
