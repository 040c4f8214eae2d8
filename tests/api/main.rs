//! Integration tests through the public interfaces: the core's operations
//! and the local HTTP API (one test binary, so one link).

mod helpers;

mod audit;
mod bookings;
mod customers;
mod http_basics;
mod messaging;
mod openapi;
mod permissions;
mod scheduling;
mod standin;
mod units;
