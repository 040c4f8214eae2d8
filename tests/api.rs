//! The `api` test binary: integration tests through the public interfaces,
//! the core's operations and the local HTTP API, one folder or file per part
//! of the domain under `tests/api/`.
//!
//! How the test code is laid out (the same in `tests/core.rs`):
//! - Cargo makes one test binary of each `tests/*.rs`, so there are exactly
//!   two, `api` and `core`, and linking stays cheap. A new test goes into a
//!   module below one of them, never into a new `tests/*.rs`.
//! - `mod support;` is `tests/support/mod.rs`, shared by both binaries: the
//!   `TestApp` harness, the HTTP client, the real `loket serve` process and
//!   the stand-in WhatsApp gateway. This is the layout the Rust book gives
//!   for code shared by integration tests; Cargo does not make a test binary
//!   of a folder without a `main.rs`, and no `#[path]` is needed.
//! - The tests themselves sit in the inline module `api` below, so that
//!   `mod scheduling;` in it is `tests/api/scheduling/mod.rs`; test names
//!   read `api::scheduling::slots::…` and filter the same way.

mod support;

mod api {
    mod audit;
    mod backup;
    mod bookings;
    mod customers;
    mod http_basics;
    mod messaging;
    mod openapi;
    mod permissions;
    mod scheduling;
    mod security;
    mod units;
}
