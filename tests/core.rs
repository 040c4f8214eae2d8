//! The `core` test binary: rules over time and under stress (scoring, jobs,
//! concurrency, crashes, query plans and the command line), one file per
//! subject under `tests/core/`. The layout is explained in `tests/api.rs`;
//! `support` is the same shared `tests/support/` module.

mod support;

// Named after its folder, `tests/core/`; inside this crate `core` is this
// module, and the `core` library stays reachable as `::core`.
mod core {
    mod backup;
    mod bot;
    mod checkpoint;
    mod cli;
    mod concurrency;
    mod connections;
    mod crash;
    mod data_dir;
    mod demo;
    mod durability;
    mod fuzz_openapi;
    mod guards;
    mod integrity;
    mod jobs;
    mod login_flood;
    mod outbox_crash;
    mod priority;
    mod query_plans;
    mod robustness;
}
