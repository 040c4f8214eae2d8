//! What the bot keeps in PostgreSQL, always inside the transaction that
//! handles one inbound message: the customer's turn (an advisory lock on
//! the phone), the inbound message ids already handled, the conversation,
//! and the replies queued in `hq_outbox`.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use loket::bot::{Conversation, Reply};

use crate::bot::webhooks::InboundMessage;
use crate::error::{HqError, Result};

/// Waits until no other transaction handles a message of this phone, then
/// holds the phone until this transaction ends: one customer's messages are
/// handled one at a time, in whichever `loket-hq` process they arrive.
pub async fn lock_phone(conn: &mut PgConnection, phone: &str) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('loket-bot:' || $1, 0))")
        .bind(phone)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the message as handled; false when it was already (a retried
/// webhook). A concurrent delivery of the same message waits here for the
/// first one's commit and then finds it.
pub async fn first_delivery(conn: &mut PgConnection, message: &InboundMessage) -> Result<bool> {
    let inserted = sqlx::query(
        "INSERT INTO bot_inbound (gateway, message_id, phone) VALUES ($1, $2, $3)
         ON CONFLICT (gateway, message_id) DO NOTHING",
    )
    .bind(message.gateway.as_str())
    .bind(&message.message_id)
    .bind(&message.phone)
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

/// The phone's conversation; `None` when there is none, or when the stored
/// one no longer reads (its shape changed with an upgrade): the customer
/// starts again from the greeting, as `loket::bot` asks.
pub async fn load(conn: &mut PgConnection, phone: &str) -> Result<Option<Conversation>> {
    let stored: Option<serde_json::Value> =
        sqlx::query_scalar("SELECT conversation FROM bot_conversations WHERE phone = $1")
            .bind(phone)
            .fetch_optional(conn)
            .await?;
    Ok(stored.and_then(|json| match serde_json::from_value(json) {
        Ok(conversation) => Some(conversation),
        Err(e) => {
            tracing::warn!("a stored bot conversation no longer reads ({e}); starting anew");
            None
        }
    }))
}

/// Stores the conversation, or deletes it once it has ended.
pub async fn save(
    conn: &mut PgConnection,
    phone: &str,
    conversation: Option<&Conversation>,
    now: DateTime<Utc>,
) -> Result<()> {
    match conversation {
        Some(conversation) => {
            let json =
                serde_json::to_value(conversation).map_err(|e| HqError::Internal(e.to_string()))?;
            sqlx::query(
                "INSERT INTO bot_conversations (phone, conversation, updated_at) VALUES ($1, $2, $3)
                 ON CONFLICT (phone) DO UPDATE SET conversation = excluded.conversation,
                     updated_at = excluded.updated_at",
            )
            .bind(phone)
            .bind(json)
            .bind(now)
            .execute(conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM bot_conversations WHERE phone = $1")
                .bind(phone)
                .execute(conn)
                .await?;
        }
    }
    Ok(())
}

/// Queues the replies of one inbound message's turn, in order. Each is keyed
/// by the message and its place in the turn, so a replayed turn queues
/// nothing twice.
pub async fn queue_replies(
    conn: &mut PgConnection,
    message: &InboundMessage,
    replies: &[Reply],
) -> Result<()> {
    if replies.is_empty() {
        return Ok(());
    }
    let texts: Vec<&str> = replies.iter().map(|r| r.text.as_str()).collect();
    let options = replies
        .iter()
        .map(|r| serde_json::to_value(&r.options).map_err(|e| HqError::Internal(e.to_string())))
        .collect::<Result<Vec<_>>>()?;
    let keys: Vec<String> = (0..replies.len())
        .map(|n| format!("{}:{}:{n}", message.gateway.as_str(), message.message_id))
        .collect();
    let kinds: Vec<Option<&str>> = replies
        .iter()
        .map(|r| r.templated.as_ref().map(|t| t.kind.as_str()))
        .collect();
    let vars = replies
        .iter()
        .map(|r| {
            let vars = r.templated.as_ref().map(|t| &t.vars);
            serde_json::to_value(vars.cloned().unwrap_or_default())
                .map_err(|e| HqError::Internal(e.to_string()))
        })
        .collect::<Result<Vec<_>>>()?;
    sqlx::query(
        "INSERT INTO hq_outbox (to_phone, text, options, dedupe_key, kind, vars)
         SELECT $1, t.text, t.options, t.dedupe_key, t.kind, t.vars
         FROM UNNEST($2::text[], $3::jsonb[], $4::text[], $5::text[], $6::jsonb[])
              WITH ORDINALITY AS t(text, options, dedupe_key, kind, vars, n)
         ORDER BY t.n
         ON CONFLICT (dedupe_key) DO NOTHING",
    )
    .bind(&message.phone)
    .bind(&texts)
    .bind(&options)
    .bind(&keys)
    .bind(&kinds)
    .bind(&vars)
    .execute(conn)
    .await?;
    Ok(())
}
