//! Rules over time and under stress: scoring, jobs, concurrency, crashes,
//! query plans and the command line.

#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/standin.rs"]
mod standin;

mod checkpoint;
mod cli;
mod concurrency;
mod crash;
mod jobs;
mod outbox_crash;
mod priority;
mod query_plans;
mod robustness;
