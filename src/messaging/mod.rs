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
//!
//! ## The policy in detail
//!
//! ```text
//!  cause (CreateBooking, reminder job)          sender (loket serve: every 3 s; messages/flush)
//!    └─ same transaction: INSERT OR IGNORE        1. BEGIN IMMEDIATE: oldest due queued → sending; COMMIT
//!       INTO messages (dedupe_key UNIQUE)         2. gateway call, outside any transaction
//!                                                 3. BEGIN IMMEDIATE: sent (+ report under SAVEPOINT)
//!                                                    | queued, next_attempt_at | failed; COMMIT
//! ```
//!
//! - Dedupe keys: `booking:{id}:booking_confirmation`, `booking:{id}:provider_notification`,
//!   `booking:{id}:reminder_h1:{event date}`, `booking:{id}:unpaid_h1:{event date}`,
//!   `vehicle:{id}:maintenance_reminder:{local date}`, `test:{uuid}`. A rule run twice
//!   queues nothing new.
//! - Statuses: `queued → sending → sent | queued (retry) | failed`; `unknown` (left
//!   `sending` by a crash: at start `messaging::recover_interrupted` marks it; the
//!   gateway may have delivered it, so it is never resent blindly); `canceled`.
//!   Staff resend (`failed`, `unknown`, `canceled` → `queued`, with a fresh allowance
//!   of attempts) or cancel (`queued`, `failed`, `unknown`).
//! - Before each delivery run, due messages about a booking canceled or completed
//!   meanwhile (and unpaid notices of a booking paid meanwhile) become `canceled`,
//!   with the reason in `last_error`.
//! - One message is claimed at a time, so at most one can be `unknown` after a crash.
//!   Concurrent senders (the background one and a flush) cannot claim the same row:
//!   the claim is one `UPDATE … WHERE id = (SELECT … LIMIT 1) RETURNING` on the writer.
//! - Retries: timeouts, connection failures, 408/425/429/5xx and Meta codes 130429,
//!   131056 (also 4, 80007) go back to `queued` after `Retry-After` when given, else
//!   30 s · 2^(n-1) (capped at 1 h) ±20 % jitter; after 5 attempts `failed`. Other 4xx
//!   and Fonnte's `{"status":false,"reason":…}` are final, the gateway's text kept in
//!   `last_error`. A timeout is ambiguous (the gateway may have delivered): the issue
//!   asks for a retry and we follow it.
//! - Refused credentials (401/403, Meta code 190, Fonnte "token invalid") fail no
//!   message: the one tried goes back to `queued` with the error (the try not counted),
//!   and deliveries pause (`auth_error` in the gateway settings) until the settings
//!   are saved again or someone flushes by hand. Nothing queued is dropped.
//!   `messages/status` tells every role that reads the log (the message log
//!   screen shows it as a banner), with the counts that wait or need a person.
//! - Gateway settings live in the `settings` table under `gateway`; the token is
//!   sealed with the vault (context `settings.gateway_token`), shown as `••••abcd`,
//!   kept when a PUT leaves it out. `log` (the default) only logs: messages are
//!   marked `sent` with `gateway: "log"` and do not count in the WhatsApp report.
//! - Meta: business-initiated kinds (`reminder_h1`, `unpaid_h1`, `maintenance_reminder`)
//!   go out as `"type":"template"` when the settings map the kind to an approved
//!   template; the body parameters are our placeholders (the mapping's list, else the
//!   placeholders of our template in order), whose values are stored with the message.
//! - The WhatsApp report is keyed by (customer, subject id), subject being the vehicle,
//!   the unit of a unit booking, or the booking. It is updated in the transaction that
//!   marks the message sent, under `SAVEPOINT report`: a failure is logged and rolled
//!   back to the savepoint, and the message stays sent. Statistics count pairs with
//!   frequency above 0 (a reset starts a new period).
//! - Language: a customer's own `language` (`id`/`en`, set in the customer
//!   form, the guided flow or inline in a booking), else the `message_language`
//!   setting; provider notifications use the setting.
//! - Reminders: the `reminders` job's latest scheduled run (today at `reminder_hour`
//!   if passed, else yesterday's) queues H-1 messages for open bookings whose event is
//!   on the next local day and still ahead. After a long sleep only the latest run is
//!   made: events on a missed day get no H-1 reminder (a same-day "tomorrow" text
//!   would be wrong).

pub mod gateway;
pub mod log;
pub mod outbox;
pub mod report;
pub mod sender;
pub mod templates;
