//! Rules over time and under stress: scoring, jobs, concurrency, crashes,
//! query plans and the command line.

#[path = "../api/helpers.rs"]
mod helpers;

mod cli;
mod concurrency;
mod crash;
mod jobs;
mod priority;
mod query_plans;
mod robustness;
