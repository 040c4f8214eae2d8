//! Loket head office (`loket-hq`): branches push their change logs here and
//! pull what head office owns, over PostgreSQL. One module per concept:
//! `db` (pool, migrations), `branches` (enrolment, tokens, sync state),
//! `users` (head-office people, login), `sealed` (KTP/NPWP sealed to head
//! office's key), `sync_push`, `sync_pull`,
//! `services` (the catalogue head office owns), `settings` (the scoring
//! thresholds a chain shares, owned here), `customers` (the customer
//! master across branches), `bookings` and `reports` (the read API over what
//! branches pushed), `query` (parameters, pages, CSV), `http` (routes and
//! the OpenAPI document), `web` (the head-office web page at `/`), `bot`
//! (the WhatsApp booking bot's webhooks, settings and conversations),
//! `outbox` (head office's gateway and the sending of what the bot queued),
//! `hq_bookings` (bookings head office makes for a branch: the bot's). Shared types and rules come
//! from the `loket` library, including the protocol (`loket::sync::protocol`).

pub mod bookings;
pub mod bot;
pub mod branches;
pub mod customers;
pub mod db;
pub mod error;
pub mod hq_bookings;
pub mod http;
pub mod online;
pub mod outbox;
pub mod query;
pub mod reports;
pub mod sealed;
pub mod services;
pub mod settings;
pub mod sync_pull;
pub mod sync_push;
pub mod users;
pub mod web;
