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

pub mod gateway;
pub mod log;
pub mod outbox;
pub mod report;
pub mod sender;
pub mod templates;
