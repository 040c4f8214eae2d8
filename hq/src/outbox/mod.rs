//! Head office's outbox: the replies the bot queued in `hq_outbox` (in the
//! transaction of the turn that wrote them), sent through head office's
//! gateway (`gateway`) by a task in every `loket-hq serve` process, with
//! the desk's guarantees and retry policy (`loket::messaging::sender`):
//!
//! - **Never sent twice.** A reply is claimed (`sending`) in a committed
//!   statement before the gateway is called, `FOR UPDATE SKIP LOCKED`, so
//!   two processes never take the same one. One left `sending` by a
//!   process that died mid-call becomes `unknown` after [`STUCK`]: the
//!   gateway may have delivered it, so nothing sends it again by itself.
//! - **Never dropped silently.** A refusal is `failed` with the gateway's
//!   words; a timeout, 5xx or rate limit goes back to `queued` with the
//!   desk's backoff (or the gateway's Retry-After) until
//!   [`MAX_ATTEMPTS`](loket::messaging::sender::MAX_ATTEMPTS).
//! - **Refused credentials fault no reply.** The reply goes back as it was
//!   and sending pauses (the gateway settings' `auth_error`) until an
//!   `hq_admin` saves the settings again.
//! - **In order per customer.** Only a phone's oldest reply not yet sent
//!   may be claimed.
//! - **Meta's 24-hour window.** Meta takes free text only within 24 hours
//!   of the customer's last message. A message queued longer ago than that
//!   (the gateway was down a day) goes out as its kind's approved template
//!   (the booking confirmation's, mapped in the gateway settings' `templates`),
//!   or, for a plain reply or an unmapped kind, is `failed`, saying so. The
//!   provider's notice is always a template when one is mapped: the
//!   provider never wrote.
//!
//! Meta's status callbacks (`statuses[]` of its webhook) move a sent reply
//! on to `delivered`, `read` or `failed`.

pub mod gateway;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::{PgPool, Row};

use loket::kernel::sealing::SealingSecretKey;
use loket::messaging::gateway::{Gateway, GatewayConfig, GatewayKind, Outcome, Outgoing};
use loket::messaging::sender::{MAX_ATTEMPTS, backoff};
use loket::messaging::templates::{MessageKind, Vars};

use crate::error::Result;

/// How often each process looks for replies due.
pub const POLL: Duration = Duration::from_millis(500);
/// Replies claimed at once (at most one per phone).
const BATCH: i64 = 20;
/// Longer than any gateway call may take (the timeout is at most 45 s):
/// a reply `sending` for this long was left by a process that died.
pub const STUCK: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// Meta's customer-service window.
const META_WINDOW: chrono::TimeDelta = chrono::TimeDelta::hours(24);

/// Sends what is due, every [`POLL`], for as long as the process runs.
pub fn spawn(pool: PgPool, key: Arc<SealingSecretKey>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = deliver_due(&pool, &key).await {
                tracing::warn!("sending the bot's replies: {e}");
            }
            // Online bookings nobody confirmed in time let their slots go.
            if let Err(e) = crate::online::release_expired(&pool, chrono::Utc::now()).await {
                tracing::warn!("releasing unconfirmed online bookings: {e}");
            }
            tokio::time::sleep(POLL).await;
        }
    });
}

struct Claimed {
    id: i64,
    to: String,
    text: String,
    /// `None`: a plain conversation reply.
    kind: Option<MessageKind>,
    vars: Vars,
    queued_at: DateTime<Utc>,
    attempts: i64,
}

/// One message as the sending thread needs it.
struct Job {
    to: String,
    text: String,
    kind: Option<MessageKind>,
    vars: Vars,
    outside_window: bool,
}

/// Sends every reply due now, oldest first, until none is left or sending
/// is paused (the gateway refused the credentials, or the token cannot be
/// opened).
pub async fn deliver_due(pool: &PgPool, key: &SealingSecretKey) -> Result<()> {
    sqlx::query(
        "UPDATE hq_outbox SET status = 'unknown',
             last_error = 'interrupted while sending: the gateway may or may not have delivered it'
         WHERE status = 'sending' AND sending_at < now() - $1",
    )
    .bind(STUCK)
    .execute(pool)
    .await?;
    loop {
        let Ok(config) = gateway::config(&mut *pool.acquire().await?, key).await? else {
            return Ok(());
        };
        let claimed = claim(pool).await?;
        if claimed.is_empty() {
            return Ok(());
        }
        let via = config.kind;
        let outcomes = send_all(config, &claimed).await;
        for (reply, outcome) in claimed.iter().zip(&outcomes) {
            settle(pool, reply, outcome, via).await?;
            if let Outcome::AuthFailed { error } = outcome {
                gateway::pause(pool, error).await?;
            }
        }
        // What was claimed but not tried (the credentials were refused
        // first) goes back as it was; the next round finds sending paused.
        let untried: Vec<i64> = claimed[outcomes.len()..].iter().map(|c| c.id).collect();
        release(pool, &untried).await?;
    }
}

/// The gateway's answer for each reply, in order, up to the first refusal
/// of the credentials. The HTTP client is blocking: it is made, used and
/// dropped on a blocking thread.
async fn send_all(config: GatewayConfig, claimed: &[Claimed]) -> Vec<Outcome> {
    let now = Utc::now();
    let meta = config.kind == GatewayKind::Meta;
    let jobs: Vec<Job> = claimed
        .iter()
        .map(|c| Job {
            to: c.to.clone(),
            text: c.text.clone(),
            kind: c.kind,
            vars: c.vars.clone(),
            outside_window: meta && now - c.queued_at > META_WINDOW,
        })
        .collect();
    let tried = jobs.len();
    tokio::task::spawn_blocking(move || {
        let gateway = match Gateway::new(config) {
            Ok(gateway) => gateway,
            Err(e) => {
                let error = e.public_message();
                return jobs
                    .iter()
                    .map(|_| Outcome::Retry {
                        error: error.clone(),
                        after: None,
                    })
                    .collect();
            }
        };
        let mut outcomes = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let placeholders: Vec<String> = job
                .kind
                .map(|k| k.placeholders().iter().map(|p| (*p).to_owned()).collect())
                .unwrap_or_default();
            let outcome = gateway.send(&Outgoing {
                kind: job.kind,
                to: &job.to,
                body: &job.text,
                vars: &job.vars,
                placeholders: &placeholders,
                outside_window: job.outside_window,
            });
            let stop = matches!(outcome, Outcome::AuthFailed { .. });
            outcomes.push(outcome);
            if stop {
                break;
            }
        }
        outcomes
    })
    .await
    .unwrap_or_else(|e| {
        (0..tried)
            .map(|_| Outcome::Retry {
                error: format!("the sending thread stopped: {e}"),
                after: None,
            })
            .collect()
    })
}

/// Per phone, the oldest reply not yet sent, if it is due.
async fn claim(pool: &PgPool) -> Result<Vec<Claimed>> {
    let rows = sqlx::query(
        "UPDATE hq_outbox SET status = 'sending', attempts = attempts + 1, sending_at = now()
         WHERE id IN (
             SELECT o.id FROM hq_outbox o
             WHERE o.status = 'queued' AND o.next_attempt_at <= now()
               AND NOT EXISTS (SELECT 1 FROM hq_outbox e
                               WHERE e.to_phone = o.to_phone AND e.id < o.id
                                 AND e.status IN ('queued', 'sending'))
             ORDER BY o.next_attempt_at, o.id
             LIMIT $1
             FOR UPDATE SKIP LOCKED)
         RETURNING id, to_phone, text, kind, vars, created_at, attempts",
    )
    .bind(BATCH)
    .fetch_all(pool)
    .await?;
    let mut claimed = rows
        .into_iter()
        .map(|r| {
            Ok(Claimed {
                id: r.try_get("id")?,
                to: r.try_get("to_phone")?,
                text: r.try_get("text")?,
                kind: r
                    .try_get::<Option<String>, _>("kind")?
                    .as_deref()
                    .and_then(MessageKind::parse),
                vars: serde_json::from_value(r.try_get("vars")?).unwrap_or_default(),
                queued_at: r.try_get("created_at")?,
                attempts: i64::from(r.try_get::<i32, _>("attempts")?),
            })
        })
        .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
    claimed.sort_by_key(|c| c.id);
    Ok(claimed)
}

/// Writes what the gateway said.
async fn settle(pool: &PgPool, reply: &Claimed, outcome: &Outcome, via: GatewayKind) -> Result<()> {
    let query = match outcome {
        Outcome::Sent { id } => sqlx::query(
            "UPDATE hq_outbox SET status = 'sent', sent_at = now(), gateway = $2,
                 gateway_message_id = $3, last_error = NULL
             WHERE id = $1",
        )
        .bind(reply.id)
        .bind(via.as_str())
        .bind(id.as_deref()),
        Outcome::Retry { error, after } if reply.attempts < MAX_ATTEMPTS => {
            let wait = after
                .and_then(|a| chrono::Duration::from_std(a).ok())
                .unwrap_or_else(|| backoff(reply.attempts));
            sqlx::query(
                "UPDATE hq_outbox SET status = 'queued', next_attempt_at = now() + $2,
                     last_error = $3, sending_at = NULL
                 WHERE id = $1",
            )
            .bind(reply.id)
            .bind(wait)
            .bind(error)
        }
        Outcome::Retry { error, .. } | Outcome::Failed { error } => sqlx::query(
            "UPDATE hq_outbox SET status = 'failed', last_error = $2, gateway = $3 WHERE id = $1",
        )
        .bind(reply.id)
        .bind(error)
        .bind(via.as_str()),
        // No reply is at fault: it goes back as it was (see `release`).
        Outcome::AuthFailed { .. } => return release(pool, &[reply.id]).await,
    };
    query.execute(pool).await?;
    Ok(())
}

/// Puts claimed replies back, as if never claimed.
async fn release(pool: &PgPool, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "UPDATE hq_outbox SET status = 'queued', attempts = attempts - 1, sending_at = NULL
         WHERE id = ANY($1) AND status = 'sending'",
    )
    .bind(ids)
    .execute(pool)
    .await?;
    Ok(())
}

/// A Meta status callback: the message Meta gave `id`, now `status`.
#[derive(Debug, PartialEq)]
pub struct StatusUpdate {
    pub gateway_message_id: String,
    pub status: String,
    pub error: Option<String>,
}

/// Applies Meta's status callbacks: a reply only moves forward (sent →
/// delivered → read; `failed` from any of them, with Meta's reason).
pub async fn record_statuses(pool: &PgPool, updates: &[StatusUpdate]) -> Result<()> {
    let rank = |s: &str| match s {
        "sent" => Some(1),
        "delivered" => Some(2),
        "read" => Some(3),
        "failed" => Some(4),
        _ => None,
    };
    for update in updates {
        let Some(rank) = rank(&update.status) else {
            continue;
        };
        sqlx::query(
            "UPDATE hq_outbox SET status = $2, last_error = coalesce($3, last_error)
             WHERE gateway = 'meta' AND gateway_message_id = $1
               AND (CASE status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'read' THEN 3 ELSE 5 END) < $4",
        )
        .bind(&update.gateway_message_id)
        .bind(&update.status)
        .bind(&update.error)
        .bind(rank)
        .execute(pool)
        .await?;
    }
    Ok(())
}
