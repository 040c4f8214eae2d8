//! The sender: delivers queued messages one at a time through the gateway,
//! with retries and backoff (the policy is in the module docs of `messaging`).

use std::sync::Arc;
use std::time::Duration;

use rusqlite::OptionalExtension;
use serde::Serialize;
use utoipa::ToSchema;

use crate::App;
use crate::kernel::audit::EntityKind;
use crate::kernel::auth::Actor;
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::Ctx;
use crate::kernel::types::{CustomerId, MessageId};
use crate::messaging::gateway::{self, Gateway, GatewayKind, Outcome, Outgoing};
use crate::messaging::outbox::{MessageStatus, StoredVars, SubjectType, count_with_status};
use crate::messaging::templates::{MessageKind, Vars};

/// Tries per message before it is `failed` (a resend by hand grants as many again).
pub const MAX_ATTEMPTS: i64 = 5;
/// First retry after this long, doubling each time, with ±20 % jitter.
const BACKOFF_BASE_SECS: i64 = 30;
const BACKOFF_CAP_SECS: i64 = 3600;
/// How often the background sender looks for due messages.
pub const POLL: Duration = Duration::from_secs(3);

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
pub fn backoff(tries: i64) -> chrono::Duration {
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
            log_outcome(ctx, m, "sent", via)?;
            // Only real sends count in the WhatsApp report; a report failure never undoes the send.
            if via != GatewayKind::Log
                && let (Some(customer), Some((kind, subject))) = (m.customer_id, &m.subject)
            {
                ctx.conn.execute_batch("SAVEPOINT report")?;
                match crate::messaging::report::record_success(ctx, customer, *kind, subject) {
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
            log_outcome(ctx, m, "failed", via)?;
        }
        Outcome::Failed { error } => {
            fail(ctx, m.id, error, via)?;
            log_outcome(ctx, m, "failed", via)?;
        }
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

/// What head office learns of a message: how it ended, for its report of
/// messages sent and failed per branch (the change log carries it). Neither
/// the recipient's number nor the text travel.
#[derive(Serialize)]
struct MessageOutcome {
    id: MessageId,
    kind: MessageKind,
    status: &'static str,
    gateway: GatewayKind,
    customer_id: Option<CustomerId>,
    /// The business day it ended on, in the business time zone.
    date: chrono::NaiveDate,
    at: String,
}

fn log_outcome(ctx: &Ctx<'_>, m: &Claimed, status: &'static str, via: GatewayKind) -> Result<()> {
    let outcome = MessageOutcome {
        id: m.id,
        kind: m.kind,
        status,
        gateway: via,
        customer_id: m.customer_id,
        date: ctx.today(),
        at: to_db(ctx.now),
    };
    crate::kernel::audit::log_change(ctx, EntityKind::Message, &m.id.to_string(), &outcome)
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
    if matches!(app.integrity(), crate::kernel::app::Integrity::Damaged(_)) {
        // Nothing can be settled in a damaged database: send nothing.
        return Ok(Delivered::default());
    }
    let (cfg, paused) = app.read(&Actor::System, |ctx| {
        Ok((
            gateway::load(ctx.conn, ctx.vault),
            gateway::auth_error(ctx.conn)?,
        ))
    })?;
    let mut out = Delivered::default();
    if paused.is_some() && !force {
        out.paused = paused;
        out.queued = queued_count(app)?;
        return Ok(out);
    }
    let cfg = match cfg {
        Ok(cfg) => cfg,
        // A token this key cannot open pauses deliveries like refused
        // credentials (saving the settings lifts it) instead of failing
        // the sender's every pass.
        Err(Error::Unreadable { .. }) => {
            tracing::warn!("{}", gateway::TOKEN_UNREADABLE);
            app.write(&Actor::System, |ctx| {
                gateway::set_auth_error(ctx.conn, Some(gateway::TOKEN_UNREADABLE))
            })?;
            out.paused = Some(gateway::TOKEN_UNREADABLE.to_owned());
            out.queued = queued_count(app)?;
            return Ok(out);
        }
        Err(e) => return Err(e),
    };
    let gw = Gateway::new(cfg)?;
    app.write(&Actor::System, drop_stale)?;
    loop {
        let Some(m) = app.write(&Actor::System, |ctx| claim(ctx, only))? else {
            break;
        };
        let outcome = gw.send(&Outgoing {
            kind: Some(m.kind),
            to: &m.to,
            body: &m.body,
            vars: &m.vars.values,
            placeholders: &m.vars.placeholders,
            outside_window: false,
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

/// The background sender of `loket serve`: marks interrupted messages
/// `unknown`, then delivers what is due every few seconds.
pub async fn run(app: Arc<App>) {
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
