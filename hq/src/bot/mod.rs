//! The WhatsApp booking bot at head office (issue 14), its inbound half:
//! gateways' webhooks (`webhooks`, `routes`) deliver customer messages;
//! each is handled in one PostgreSQL transaction that drives the pure
//! conversation of `loket::bot`:
//!
//! lock the phone → record the message id (a retried delivery stops here)
//! → load the conversation → `step` → carry out its effect (`drivers`) and
//! feed the result back, until no effect is asked → store the conversation
//! and queue the replies in `hq_outbox` (`store`) → commit.
//!
//! The settings (`settings`) switch the bot on and hold the gateways'
//! secrets, sealed. Booking and cancelling are `crate::hq_bookings`;
//! sending the replies, `crate::outbox`. A "YA" from a phone with an online
//! booking awaiting confirmation confirms it (`crate::online`) unless the
//! conversation itself is waiting for a "YA".

pub mod drivers;
pub mod routes;
pub mod settings;
pub mod store;
pub mod webhooks;

use chrono::Utc;
use sqlx::PgPool;

use loket::bot::{BotSettings, Event, Inbound, Step, step};

use crate::error::Result;
use webhooks::InboundMessage;

/// A conversation asks for at most one effect per turn; a chain of them
/// (look-up → greeting) is short. Past this many, the driver stops rather
/// than loop on a bug.
const MAX_EFFECTS_PER_MESSAGE: usize = 8;

/// What handling one message came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Handled {
    /// Handled now: this many replies queued.
    Replied(usize),
    /// Handled before (the gateway retried): nothing changed.
    Duplicate,
}

/// Handles one customer message in one transaction (see the module doc).
/// An effect that fails (a query error) is rolled back to its savepoint and
/// answered `EffectFailed`, so the customer is told and may try again; a
/// failure outside the effects rolls everything back and the gateway's
/// retry gets another go.
pub async fn handle(
    pool: &PgPool,
    settings: &BotSettings,
    message: &InboundMessage,
) -> Result<Handled> {
    let mut tx = pool.begin().await?;
    store::lock_phone(&mut tx, &message.phone).await?;
    // Read once the customer's turn has come: the conversation's clock
    // (its 30-minute timeout) never runs backwards between two messages.
    let now = Utc::now();
    if !store::first_delivery(&mut tx, message).await? {
        tx.rollback().await?;
        return Ok(Handled::Duplicate);
    }
    let conversation = store::load(&mut tx, &message.phone).await?;
    let asked_yes = conversation
        .as_ref()
        .is_some_and(|c| matches!(c.step(), Step::Confirm | Step::ConfirmCancel));
    if !asked_yes && says_yes(&message.message) {
        let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
        let proof = crate::online::Proof::Phone(&message.phone);
        match crate::online::confirm(&mut savepoint, proof, now).await {
            Ok(_) => {
                // The confirmation itself is queued by `confirm`.
                savepoint.commit().await?;
                tx.commit().await?;
                return Ok(Handled::Replied(1));
            }
            Err(crate::error::HqError::NotFound { .. }) => savepoint.rollback().await?,
            Err(e) => return Err(e),
        }
    }
    let mut turn = step(
        conversation,
        Event::Inbound(message.message.clone()),
        now,
        settings,
    );
    let mut replies = std::mem::take(&mut turn.replies);
    for _ in 0..MAX_EFFECTS_PER_MESSAGE {
        let Some(effect) = turn.effects.pop() else {
            break;
        };
        let mut savepoint = sqlx::Connection::begin(&mut *tx).await?;
        let event = match drivers::perform(&mut savepoint, &message.phone, effect, now).await {
            Ok(event) => {
                savepoint.commit().await?;
                event
            }
            Err(e) => {
                tracing::error!("a bot effect failed: {e}");
                savepoint.rollback().await?;
                Event::EffectFailed
            }
        };
        turn = step(turn.conversation, event, now, settings);
        replies.append(&mut turn.replies);
    }
    store::save(&mut tx, &message.phone, turn.conversation.as_ref(), now).await?;
    store::queue_replies(&mut tx, message, &replies).await?;
    tx.commit().await?;
    Ok(Handled::Replied(replies.len()))
}

/// "YA" (or "yes"), as the customer would type it.
fn says_yes(message: &Inbound) -> bool {
    let Inbound::Text(text) = message else {
        return false;
    };
    let word: String = text.trim().trim_end_matches(['.', '!']).to_lowercase();
    matches!(word.as_str(), "ya" | "yes" | "y" | "iya")
}
