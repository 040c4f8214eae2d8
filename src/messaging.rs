//! The outbox and its sender, and the rules that queue messages.
//!
//! A message is written in the same transaction as its cause (the booking,
//! the reminder job's run) under a unique `dedupe_key`, inserted with
//! `INSERT OR IGNORE`: a rule can never queue the same logical message
//! twice. The sender then delivers one message at a time:
//!
//! 1. claim the oldest due `queued` message, mark it `sending`, COMMIT;
//! 2. call the gateway outside any transaction;
//! 3. mark it `sent` (and count it in the WhatsApp report, in the same
//!    transaction, under a savepoint), or back to `queued` with the next
//!    attempt time, or `failed`.
//!
//! A crash between 1 and 3 leaves the message `sending`; at the next start
//! it becomes `unknown` — the gateway may or may not have delivered it — and
//! waits for staff to check and resend it by hand. It is never resent blindly.
//! Refused credentials (401/403) fail no message: the one being sent goes
//! back to the queue, and deliveries pause until the gateway settings are
//! saved again (or someone flushes by hand).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::auth::{Actor, Permission};
use crate::bookings::Booking;
use crate::clock::to_db;
use crate::error::{Error, Result};
use crate::gateway::{self, Gateway, GatewayKind, Outcome, Outgoing};
use crate::ops::{Ctx, Operation, Task};
use crate::priority::{PaymentStatus, text_enum};
use crate::store::ListQuery;
use crate::templates::{self, Language, MessageKind, Vars};
use crate::types::{BookingId, CustomerId, MessageId, Page, Paging, ProviderId, VehicleId};

text_enum!(
    MessageStatus {
        Queued = "queued",
        Sending = "sending",
        Sent = "sent",
        Failed = "failed",
        /// Interrupted between `sending` and `sent`: maybe delivered; staff check and resend.
        Unknown = "unknown",
        Canceled = "canceled",
    }
);

text_enum!(
    /// What a message is about, for the WhatsApp report.
    SubjectType { Vehicle = "vehicle", Unit = "unit", Booking = "booking" }
);

/// Tries per message before it is `failed` (a resend by hand grants as many again).
pub const MAX_ATTEMPTS: i64 = 5;
/// First retry after this long, doubling each time, with ±20 % jitter.
const BACKOFF_BASE_SECS: i64 = 30;
const BACKOFF_CAP_SECS: i64 = 3600;
/// How often the background sender looks for due messages.
pub const POLL: Duration = Duration::from_secs(3);

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub kind: MessageKind,
    pub language: Language,
    /// Recipient, normalised `62…`.
    pub to: String,
    pub body: String,
    pub status: MessageStatus,
    /// Every try so far.
    pub attempts: i64,
    pub last_error: Option<String>,
    /// The gateway of the last try (`log` means it was only logged).
    pub gateway: Option<GatewayKind>,
    pub gateway_message_id: Option<String>,
    pub customer_id: Option<CustomerId>,
    pub customer_name: Option<String>,
    pub provider_id: Option<ProviderId>,
    pub booking_id: Option<BookingId>,
    pub vehicle_id: Option<VehicleId>,
    pub subject_type: Option<SubjectType>,
    pub subject_id: Option<String>,
    /// One logical message, one key (e.g. `booking:{id}:reminder_h1:2026-11-23`).
    pub dedupe_key: String,
    pub created_at: String,
    pub next_attempt_at: Option<String>,
    pub sent_at: Option<String>,
    pub updated_at: String,
}

const SELECT: &str = "SELECT m.id, m.kind, m.language, m.recipient, m.body, m.status, m.attempts, m.last_error,
    m.gateway, m.gateway_message_id, m.customer_id, c.name, m.provider_id, m.booking_id, m.vehicle_id,
    m.subject_type, m.subject_id, m.dedupe_key, m.created_at, m.next_attempt_at, m.sent_at, m.updated_at
  FROM messages m LEFT JOIN customers c ON c.id = m.customer_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Message> {
    Ok(Message {
        id: r.get(0)?,
        kind: r.get(1)?,
        language: r.get(2)?,
        to: r.get(3)?,
        body: r.get(4)?,
        status: r.get(5)?,
        attempts: r.get(6)?,
        last_error: r.get(7)?,
        gateway: r.get(8)?,
        gateway_message_id: r.get(9)?,
        customer_id: r.get(10)?,
        customer_name: r.get(11)?,
        provider_id: r.get(12)?,
        booking_id: r.get(13)?,
        vehicle_id: r.get(14)?,
        subject_type: r.get(15)?,
        subject_id: r.get(16)?,
        dedupe_key: r.get(17)?,
        created_at: r.get(18)?,
        next_attempt_at: r.get(19)?,
        sent_at: r.get(20)?,
        updated_at: r.get(21)?,
    })
}

pub fn find(conn: &rusqlite::Connection, id: MessageId) -> Result<Message> {
    conn.prepare_cached(&format!("{SELECT} WHERE m.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "message" })
}

// ---- queueing -------------------------------------------------------------

/// A message to queue.
pub struct NewMessage {
    pub dedupe_key: String,
    pub kind: MessageKind,
    pub language: Language,
    pub to: String,
    pub vars: Vars,
    pub customer_id: Option<CustomerId>,
    pub provider_id: Option<ProviderId>,
    pub booking_id: Option<BookingId>,
    pub vehicle_id: Option<VehicleId>,
    pub subject: Option<(SubjectType, String)>,
}

#[derive(Serialize, Deserialize)]
struct StoredVars {
    values: Vars,
    placeholders: Vec<String>,
}

/// Renders the template in force and queues the message, in the caller's
/// transaction. Returns false when a message with the same key exists (it
/// was queued before: nothing is written).
pub fn enqueue(ctx: &Ctx<'_>, m: NewMessage) -> Result<bool> {
    let template = templates::body(ctx.conn, m.kind, m.language)?;
    let body = templates::render(&template, &m.vars);
    // Lenient: a template saved before a placeholder was narrowed to other
    // kinds still renders (with `-`) rather than stopping the rule.
    let placeholders = templates::placeholders(&template, "body", &templates::PLACEHOLDERS)
        .unwrap_or_default()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let vars = serde_json::to_string(&StoredVars {
        values: m.vars,
        placeholders,
    })?;
    let now = to_db(ctx.now);
    let (subject_type, subject_id) = m.subject.unzip();
    let inserted = ctx
        .conn
        .prepare_cached(
            "INSERT OR IGNORE INTO messages (id, dedupe_key, kind, language, recipient, body, vars, customer_id,
                provider_id, booking_id, vehicle_id, subject_type, subject_id, status, created_at, next_attempt_at,
                updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'queued', ?14, ?14, ?14)",
        )?
        .execute(rusqlite::params![
            MessageId::new(),
            m.dedupe_key,
            m.kind,
            m.language,
            m.to,
            body,
            vars,
            m.customer_id,
            m.provider_id,
            m.booking_id,
            m.vehicle_id,
            subject_type,
            subject_id,
            now,
        ])?;
    Ok(inserted == 1)
}

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
        .map(|id| crate::units::find(ctx.conn, id))
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

/// The rule on booking creation: a confirmation to the customer and, for a
/// service booking, a notification to the provider. Runs in CreateBooking's
/// transaction.
pub fn on_booking_created(ctx: &Ctx<'_>, b: &Booking) -> Result<()> {
    let lang = customer_language(ctx, b.customer_id)?;
    let vars = booking_vars(ctx, b, lang)?;
    enqueue(
        ctx,
        NewMessage {
            dedupe_key: format!("booking:{}:booking_confirmation", b.id),
            kind: MessageKind::BookingConfirmation,
            language: lang,
            to: b.customer_phone.clone(),
            vars: vars.clone(),
            customer_id: Some(b.customer_id),
            provider_id: None,
            booking_id: Some(b.id),
            vehicle_id: None,
            subject: Some(booking_subject(b)),
        },
    )?;
    if let Some(pid) = b.provider_id
        && let Ok(p) = crate::providers::find(ctx.conn, pid)
    {
        // Providers read the business's language, whatever the customer's.
        let provider_lang = ctx.settings.message_language;
        let vars = if provider_lang == lang {
            vars
        } else {
            booking_vars(ctx, b, provider_lang)?
        };
        let lang = provider_lang;
        enqueue(
            ctx,
            NewMessage {
                dedupe_key: format!("booking:{}:provider_notification", b.id),
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
        let b = crate::bookings::find(ctx.conn, id)?;
        let lang = own_language.unwrap_or(ctx.settings.message_language);
        let vars = booking_vars(ctx, &b, lang)?;
        let base = NewMessage {
            dedupe_key: format!("booking:{id}:reminder_h1:{event_day}"),
            kind: MessageKind::ReminderH1,
            language: lang,
            to: b.customer_phone.clone(),
            vars: vars.clone(),
            customer_id: Some(b.customer_id),
            provider_id: None,
            booking_id: Some(id),
            vehicle_id: None,
            subject: Some(booking_subject(&b)),
        };
        if enqueue(ctx, base)? {
            out.reminders += 1;
        }
        if b.payment_status != PaymentStatus::Paid
            && enqueue(
                ctx,
                NewMessage {
                    dedupe_key: format!("booking:{id}:unpaid_h1:{event_day}"),
                    kind: MessageKind::UnpaidH1,
                    language: lang,
                    to: b.customer_phone.clone(),
                    vars,
                    customer_id: Some(b.customer_id),
                    provider_id: None,
                    booking_id: Some(id),
                    vehicle_id: None,
                    subject: Some(booking_subject(&b)),
                },
            )?
        {
            out.unpaid_notices += 1;
        }
    }
    Ok(out)
}

/// The maintenance rule: a reminder for each vehicle whose next service is
/// within the window (or overdue), unless it had one in the spacing period.
pub fn queue_maintenance(ctx: &Ctx<'_>) -> Result<u32> {
    let today = ctx.today();
    let until = today + chrono::Duration::days(i64::from(ctx.settings.maintenance_window_days));
    let since = ctx.now - chrono::Duration::days(i64::from(ctx.settings.maintenance_spacing_days));
    type Due = (
        VehicleId,
        CustomerId,
        String,
        String,
        String,
        String,
        NaiveDate,
        Option<Language>,
    );
    let rows: Vec<Due> = ctx
        .conn
        .prepare_cached(
            "SELECT v.id, v.customer_id, c.name, c.phone, v.model, v.plate_number, v.next_service_at, c.language
             FROM vehicles v JOIN customers c ON c.id = v.customer_id AND c.deleted_at IS NULL
             WHERE v.deleted_at IS NULL AND v.next_service_at IS NOT NULL AND v.next_service_at <= ?1
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.vehicle_id = v.id
                     AND m.kind = 'maintenance_reminder' AND m.created_at > ?2)
             ORDER BY v.next_service_at",
        )?
        .query_map((until.to_string(), to_db(since)), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut queued = 0;
    for (vehicle, customer, name, phone, model, plate, next, own) in rows {
        let lang = own.unwrap_or(ctx.settings.message_language);
        let mut vars = Vars::new();
        vars.insert("customer_name".into(), name);
        vars.insert("vehicle".into(), model);
        vars.insert("plate".into(), plate);
        vars.insert("date".into(), templates::long_date(next, lang));
        vars.insert("business_name".into(), ctx.settings.business_name.clone());
        if enqueue(
            ctx,
            NewMessage {
                dedupe_key: format!("vehicle:{vehicle}:maintenance_reminder:{today}"),
                kind: MessageKind::MaintenanceReminder,
                language: lang,
                to: phone,
                vars,
                customer_id: Some(customer),
                provider_id: None,
                booking_id: None,
                vehicle_id: Some(vehicle),
                subject: Some((SubjectType::Vehicle, vehicle.to_string())),
            },
        )? {
            queued += 1;
        }
    }
    Ok(queued)
}

// ---- the sender -----------------------------------------------------------

/// Marks every message left `sending` (the process died mid-delivery) as
/// `unknown`. Call once at start, before the sender runs.
pub fn recover_interrupted(app: &App) -> Result<usize> {
    app.write(&Actor::System, |ctx| {
        Ok(ctx.conn.execute(
            "UPDATE messages SET status = 'unknown', updated_at = ?1,
                last_error = 'interrupted while sending: the gateway may or may not have delivered it; check with the recipient and resend by hand'
             WHERE status = 'sending'",
            [to_db(ctx.now)],
        )?)
    })
}

struct Claimed {
    id: MessageId,
    kind: MessageKind,
    to: String,
    body: String,
    vars: StoredVars,
    budget_used: i64,
    customer_id: Option<CustomerId>,
    subject: Option<(SubjectType, String)>,
}

/// Step 1: the oldest due queued message (or `only` that one, if queued) becomes `sending`.
fn claim(ctx: &Ctx<'_>, only: Option<MessageId>) -> Result<Option<Claimed>> {
    let now = to_db(ctx.now);
    let sql = "UPDATE messages SET status = 'sending', attempts = attempts + 1, budget_used = budget_used + 1,
            sending_at = ?1, updated_at = ?1
         WHERE id = (SELECT id FROM messages WHERE status = 'queued' AND next_attempt_at <= ?1
                     AND (?2 IS NULL OR id = ?2) ORDER BY next_attempt_at, rowid LIMIT 1)
         RETURNING id, kind, recipient, body, vars, budget_used, customer_id, subject_type, subject_id";
    let claimed = ctx
        .conn
        .prepare_cached(sql)?
        .query_row((&now, only), |r| {
            let vars: String = r.get(4)?;
            let subject_type: Option<SubjectType> = r.get(7)?;
            let subject_id: Option<String> = r.get(8)?;
            Ok(Claimed {
                id: r.get(0)?,
                kind: r.get(1)?,
                to: r.get(2)?,
                body: r.get(3)?,
                vars: serde_json::from_str(&vars).unwrap_or(StoredVars {
                    values: Vars::new(),
                    placeholders: Vec::new(),
                }),
                budget_used: r.get(5)?,
                customer_id: r.get(6)?,
                subject: subject_type.zip(subject_id),
            })
        })
        .optional()?;
    Ok(claimed)
}

/// Cancels due messages that no longer make sense: anything about a booking
/// that was canceled or completed before it went out, and an unpaid notice
/// for a booking paid meanwhile.
fn drop_stale(ctx: &mut Ctx<'_>) -> Result<usize> {
    Ok(ctx.conn.execute(
        "UPDATE messages SET status = 'canceled', next_attempt_at = NULL, updated_at = ?1,
            last_error = 'not sent: the booking changed before it went out (' || (
                SELECT CASE WHEN b.booking_status IN ('pending','active') THEN 'paid' ELSE b.booking_status END
                FROM bookings b WHERE b.id = messages.booking_id) || ')'
         WHERE status = 'queued' AND next_attempt_at <= ?1 AND booking_id IS NOT NULL
           AND EXISTS (SELECT 1 FROM bookings b WHERE b.id = messages.booking_id
                 AND (b.booking_status NOT IN ('pending','active')
                      OR (messages.kind = 'unpaid_h1' AND b.payment_status = 'paid')))",
        [to_db(ctx.now)],
    )?)
}

/// `base · 2^(n-1)` seconds, capped, ±20 % jitter.
fn backoff(tries: i64) -> chrono::Duration {
    let exp = u32::try_from(tries.clamp(1, 20) - 1).unwrap_or(0);
    let secs = BACKOFF_BASE_SECS
        .saturating_mul(1i64 << exp)
        .min(BACKOFF_CAP_SECS);
    let r = i64::from(getrandom::u32().unwrap_or(0) % 401); // 0..=400
    chrono::Duration::milliseconds(secs * (800 + r))
}

/// Step 3: what the gateway said, written in one transaction.
fn settle(ctx: &Ctx<'_>, m: &Claimed, outcome: &Outcome, via: GatewayKind) -> Result<()> {
    let now = to_db(ctx.now);
    match outcome {
        Outcome::Sent { id } => {
            ctx.conn
                .prepare_cached(
                    "UPDATE messages SET status = 'sent', sent_at = ?2, updated_at = ?2, gateway = ?3,
                        gateway_message_id = ?4, last_error = NULL, next_attempt_at = NULL
                     WHERE id = ?1 AND status = 'sending'",
                )?
                .execute((m.id, &now, via, id))?;
            // Only real sends count in the WhatsApp report; a report failure never undoes the send.
            if via != GatewayKind::Log
                && let (Some(customer), Some((kind, subject))) = (m.customer_id, &m.subject)
            {
                ctx.conn.execute_batch("SAVEPOINT report")?;
                match crate::report::record_success(ctx, customer, *kind, subject) {
                    Ok(()) => ctx.conn.execute_batch("RELEASE report")?,
                    Err(e) => {
                        tracing::warn!(message = %m.id, "WhatsApp report not updated: {e}");
                        ctx.conn
                            .execute_batch("ROLLBACK TO report; RELEASE report")?;
                    }
                }
            }
        }
        Outcome::Retry { error, after } if m.budget_used < MAX_ATTEMPTS => {
            let wait = after
                .and_then(|d| chrono::Duration::from_std(d).ok())
                .unwrap_or_else(|| backoff(m.budget_used));
            ctx.conn
                .prepare_cached(
                    "UPDATE messages SET status = 'queued', next_attempt_at = ?2, last_error = ?3, gateway = ?4,
                        updated_at = ?5 WHERE id = ?1 AND status = 'sending'",
                )?
                .execute((m.id, to_db(ctx.now + wait), error, via, &now))?;
        }
        Outcome::Retry { error, .. } => {
            let error = format!("gave up after {} attempts: {error}", m.budget_used);
            fail(ctx, m.id, &error, via)?;
        }
        Outcome::Failed { error } => fail(ctx, m.id, error, via)?,
        Outcome::AuthFailed { error } => {
            // Not the message's fault: back in the queue, the try not counted.
            ctx.conn
                .prepare_cached(
                    "UPDATE messages SET status = 'queued', next_attempt_at = ?2, last_error = ?3, gateway = ?4,
                        budget_used = budget_used - 1, updated_at = ?2 WHERE id = ?1 AND status = 'sending'",
                )?
                .execute((m.id, &now, error, via))?;
            gateway::set_auth_error(ctx.conn, Some(error))?;
        }
    }
    Ok(())
}

fn fail(ctx: &Ctx<'_>, id: MessageId, error: &str, via: GatewayKind) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "UPDATE messages SET status = 'failed', last_error = ?2, gateway = ?3, next_attempt_at = NULL,
                updated_at = ?4 WHERE id = ?1 AND status = 'sending'",
        )?
        .execute((id, error, via, to_db(ctx.now)))?;
    Ok(())
}

/// What one delivery run did.
#[derive(Debug, Default, Serialize, ToSchema)]
pub struct Delivered {
    pub sent: u32,
    /// Back in the queue for a later try.
    pub retrying: u32,
    pub failed: u32,
    /// Queued messages left (due later, or waiting on the pause).
    pub queued: u64,
    /// Set when deliveries are paused because the gateway refused the credentials.
    pub paused: Option<String>,
}

/// Delivers every due message, one at a time, until none is due (or the
/// gateway refuses the credentials). `force` tries even while paused.
pub fn deliver_due(app: &App, only: Option<MessageId>, force: bool) -> Result<Delivered> {
    let (cfg, paused) = app.read(&Actor::System, |ctx| {
        Ok((
            gateway::load(ctx.conn, ctx.vault)?,
            gateway::auth_error(ctx.conn)?,
        ))
    })?;
    let mut out = Delivered::default();
    if paused.is_some() && !force {
        out.paused = paused;
        out.queued = queued_count(app)?;
        return Ok(out);
    }
    let gw = Gateway::new(cfg)?;
    app.write(&Actor::System, drop_stale)?;
    loop {
        let Some(m) = app.write(&Actor::System, |ctx| claim(ctx, only))? else {
            break;
        };
        let outcome = gw.send(&Outgoing {
            kind: m.kind,
            to: &m.to,
            body: &m.body,
            vars: &m.vars.values,
            placeholders: &m.vars.placeholders,
        });
        app.write(&Actor::System, |ctx| settle(ctx, &m, &outcome, gw.kind()))?;
        match &outcome {
            Outcome::Sent { .. } => {
                out.sent += 1;
                if paused.is_some() {
                    app.write(&Actor::System, |ctx| {
                        gateway::set_auth_error(ctx.conn, None)
                    })?;
                }
            }
            Outcome::Retry { .. } if m.budget_used < MAX_ATTEMPTS => out.retrying += 1,
            Outcome::Retry { .. } | Outcome::Failed { .. } => out.failed += 1,
            Outcome::AuthFailed { error } => {
                tracing::warn!("gateway refused the credentials; deliveries paused: {error}");
                out.paused = Some(error.clone());
                break;
            }
        }
        if only.is_some() {
            break;
        }
    }
    out.queued = queued_count(app)?;
    Ok(out)
}

fn queued_count(app: &App) -> Result<u64> {
    app.read(&Actor::System, |ctx| {
        count_with_status(ctx.conn, MessageStatus::Queued)
    })
}

fn count_with_status(conn: &rusqlite::Connection, status: MessageStatus) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM messages WHERE status = ?1")?
        .query_row([status.as_str()], |r| r.get(0))?;
    Ok(n.unsigned_abs())
}

/// The background sender of `loket serve`: marks interrupted messages
/// `unknown`, then delivers what is due every few seconds.
pub async fn sender(app: Arc<App>) {
    let a = app.clone();
    match tokio::task::spawn_blocking(move || recover_interrupted(&a)).await {
        Ok(Ok(0)) => {}
        Ok(Ok(n)) => {
            tracing::warn!("{n} message(s) were interrupted while sending; marked unknown")
        }
        Ok(Err(e)) => tracing::error!("cannot check interrupted messages: {e}"),
        Err(e) => tracing::error!("interrupted-message check panicked: {e}"),
    }
    loop {
        let a = app.clone();
        match tokio::task::spawn_blocking(move || deliver_due(&a, None, false)).await {
            Ok(Ok(d)) if d.sent + d.failed + d.retrying > 0 => {
                tracing::info!(
                    sent = d.sent,
                    failed = d.failed,
                    retrying = d.retrying,
                    "messages delivered"
                );
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("message delivery failed: {e}"),
            Err(e) => tracing::error!("message delivery panicked: {e}"),
        }
        tokio::time::sleep(POLL).await;
    }
}

// ---- operations -----------------------------------------------------------

/// Whether messages are going out, for everyone who reads the message log:
/// the gateway in use, the pause when it refused the credentials, and what
/// is waiting or needs a person.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeliveryStatusQuery {}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryStatus {
    pub gateway: GatewayKind,
    /// Set while deliveries are paused: the gateway's refusal. An admin
    /// resumes them by saving the gateway settings (or "deliver now").
    pub paused: Option<String>,
    pub queued: u64,
    pub failed: u64,
    /// Left `sending` by a crash: may or may not have arrived; a person decides.
    pub unknown: u64,
}

impl Operation for DeliveryStatusQuery {
    type Output = DeliveryStatus;
    const NAME: &'static str = "messages.status";
    const PERMISSION: Permission = Permission::MessagesRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<DeliveryStatus> {
        Ok(DeliveryStatus {
            gateway: gateway::kind(ctx.conn)?,
            paused: gateway::auth_error(ctx.conn)?,
            queued: count_with_status(ctx.conn, MessageStatus::Queued)?,
            failed: count_with_status(ctx.conn, MessageStatus::Failed)?,
            unknown: count_with_status(ctx.conn, MessageStatus::Unknown)?,
        })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListMessages {
    pub status: Option<MessageStatus>,
    pub kind: Option<MessageKind>,
    pub customer_id: Option<CustomerId>,
    pub booking_id: Option<BookingId>,
    pub vehicle_id: Option<VehicleId>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListMessages {
    type Output = Page<Message>;
    const NAME: &'static str = "messages.list";
    const PERMISSION: Permission = Permission::MessagesRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Message>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut q = ListQuery::new(SELECT, "messages m", "1=1");
        q.eq("m.status", self.status.map(|s| s.as_str().into()));
        q.eq("m.kind", self.kind.map(|s| s.as_str().into()));
        q.eq("m.customer_id", self.customer_id.map(|s| s.to_string()));
        q.eq("m.booking_id", self.booking_id.map(|s| s.to_string()));
        q.eq("m.vehicle_id", self.vehicle_id.map(|s| s.to_string()));
        q.order_by("m.created_at", crate::types::Direction::Desc, "m.");
        q.fetch(ctx.conn, paging, from_row)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetMessage {
    pub id: MessageId,
}

impl Operation for GetMessage {
    type Output = Message;
    const NAME: &'static str = "messages.get";
    const PERMISSION: Permission = Permission::MessagesRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Message> {
        find(ctx.conn, self.id)
    }
}

/// Queues a failed, unknown or canceled message again, with a fresh
/// allowance of attempts. For `unknown`, check with the recipient first:
/// the gateway may have delivered it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResendMessage {
    pub id: MessageId,
}

impl Operation for ResendMessage {
    type Output = Message;
    const NAME: &'static str = "messages.resend";
    const PERMISSION: Permission = Permission::MessagesManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Message> {
        let before = find(ctx.conn, self.id)?;
        if !matches!(
            before.status,
            MessageStatus::Failed | MessageStatus::Unknown | MessageStatus::Canceled
        ) {
            return Err(Error::conflict(format!(
                "the message is {}; only failed, unknown or canceled messages are resent",
                before.status.as_str()
            )));
        }
        ctx.conn.execute(
            "UPDATE messages SET status = 'queued', next_attempt_at = ?2, budget_used = 0, updated_at = ?2
             WHERE id = ?1",
            (self.id, to_db(ctx.now)),
        )?;
        let after = find(ctx.conn, self.id)?;
        // Audited; no change-log row: the outbox is this desk's own, not synced.
        crate::audit::note(ctx, "resend", "message", &self.id.to_string(), &after)?;
        Ok(after)
    }
}

/// Stops a queued, failed or unknown message from being sent.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CancelMessage {
    pub id: MessageId,
}

impl Operation for CancelMessage {
    type Output = Message;
    const NAME: &'static str = "messages.cancel";
    const PERMISSION: Permission = Permission::MessagesManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Message> {
        let before = find(ctx.conn, self.id)?;
        if !matches!(
            before.status,
            MessageStatus::Queued | MessageStatus::Failed | MessageStatus::Unknown
        ) {
            return Err(Error::conflict(format!(
                "the message is {}; only queued, failed or unknown messages are canceled",
                before.status.as_str()
            )));
        }
        ctx.conn.execute(
            "UPDATE messages SET status = 'canceled', next_attempt_at = NULL, updated_at = ?2 WHERE id = ?1",
            (self.id, to_db(ctx.now)),
        )?;
        let after = find(ctx.conn, self.id)?;
        // Audited; no change-log row: the outbox is this desk's own, not synced.
        crate::audit::note(ctx, "cancel", "message", &self.id.to_string(), &after)?;
        Ok(after)
    }
}

/// Delivers every message due now and answers when done (scripts need not
/// wait for the background sender). Tries even while deliveries are paused
/// for refused credentials.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct FlushMessages {}

impl Task for FlushMessages {
    type Output = Delivered;
    const NAME: &'static str = "messages.flush";
    const PERMISSION: Permission = Permission::MessagesManage;

    fn run(self, app: &App, _actor: &Actor) -> Result<Delivered> {
        deliver_due(app, None, true)
    }
}

/// Sends one test message through the configured gateway now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestGateway {
    /// `08…`, `+62…` or `62…`
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayTest {
    /// `sent`, `queued` (a retry is scheduled), or `failed`.
    pub status: MessageStatus,
    pub gateway: GatewayKind,
    pub gateway_message_id: Option<String>,
    pub error: Option<String>,
    pub message: Message,
}

impl Task for TestGateway {
    type Output = GatewayTest;
    const NAME: &'static str = "gateway.test";
    const PERMISSION: Permission = Permission::MessagingConfigure;

    fn run(self, app: &App, actor: &Actor) -> Result<GatewayTest> {
        let to = crate::validate::phone(&self.to, "to")?;
        let key = format!("test:{}", MessageId::new());
        let id = app.write(actor, |ctx| {
            let mut vars = Vars::new();
            vars.insert("business_name".into(), ctx.settings.business_name.clone());
            enqueue(
                ctx,
                NewMessage {
                    dedupe_key: key.clone(),
                    kind: MessageKind::Test,
                    language: ctx.settings.message_language,
                    to,
                    vars,
                    customer_id: None,
                    provider_id: None,
                    booking_id: None,
                    vehicle_id: None,
                    subject: None,
                },
            )?;
            let id: MessageId = ctx.conn.query_row(
                "SELECT id FROM messages WHERE dedupe_key = ?1",
                [&key],
                |r| r.get(0),
            )?;
            crate::audit::note(
                ctx,
                "test",
                "gateway",
                &id.to_string(),
                &serde_json::json!({"to": self.to}),
            )?;
            Ok(id)
        })?;
        let delivered = deliver_due(app, Some(id), true)?;
        let message = app.read(actor, |ctx| find(ctx.conn, id))?;
        let gateway = message.gateway.unwrap_or(GatewayKind::Log);
        Ok(GatewayTest {
            status: message.status,
            gateway,
            gateway_message_id: message.gateway_message_id.clone(),
            error: message.last_error.clone().or(delivered.paused),
            message,
        })
    }
}

crate::ops::task!(FlushMessages, TestGateway);
