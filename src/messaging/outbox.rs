//! The outbox: what a message is, and how a rule queues one in the
//! transaction of its cause (`enqueue`, under a unique `dedupe_key`).

use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::Ctx;
use crate::kernel::types::Language;
use crate::kernel::types::text_enum;
use crate::kernel::types::{BookingId, CustomerId, MessageId, ProviderId, VehicleId};
use crate::messaging::gateway::GatewayKind;
use crate::messaging::templates::{self, MessageKind, Vars};

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

pub(crate) const SELECT: &str = "SELECT m.id, m.kind, m.language, m.recipient, m.body, m.status, m.attempts, m.last_error,
    m.gateway, m.gateway_message_id, m.customer_id, c.name, m.provider_id, m.booking_id, m.vehicle_id,
    m.subject_type, m.subject_id, m.dedupe_key, m.created_at, m.next_attempt_at, m.sent_at, m.updated_at
  FROM messages m LEFT JOIN customers c ON c.id = m.customer_id";

pub(crate) fn from_row(r: &Row<'_>) -> rusqlite::Result<Message> {
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
pub(crate) struct StoredVars {
    pub values: Vars,
    pub placeholders: Vec<String>,
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

pub(crate) fn count_with_status(conn: &rusqlite::Connection, status: MessageStatus) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM messages WHERE status = ?1")?
        .query_row([status.as_str()], |r| r.get(0))?;
    Ok(n.unsigned_abs())
}
