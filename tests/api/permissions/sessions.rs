//! Sessions: a login lasts 16 hours by the app's own clock; a wrong username
//! costs as much password hashing as a wrong password.

use std::time::{Duration as Elapsed, Instant};

use chrono::Duration;
use serde_json::json;

use crate::support::*;

#[test]
fn a_session_ends_sixteen_hours_after_login_by_the_apps_clock() {
    let t = TestApp::new();
    let mut s = t.serve();
    let login = s.login("admin", PASSWORD).expect(200);
    assert_eq!(
        login["expires_at"], "2026-11-22T19:00:00.000Z",
        "login + 16 h"
    );

    t.set_now(default_now() + Duration::hours(16) - Duration::seconds(1));
    assert_eq!(s.get("/auth/me").expect(200)["username"], "admin");
    t.set_now(default_now() + Duration::hours(16));
    s.get("/auth/me").expect_error(401, "unauthorized", None);
    s.get("/bookings").expect_error(401, "unauthorized", None);
    // A new login starts a new 16 hours.
    let again = s.login("admin", PASSWORD).expect(200);
    assert_eq!(again["expires_at"], "2026-11-23T11:00:00.000Z");
    assert_eq!(s.get("/auth/me").expect(200)["username"], "admin");
}

/// The median of `runs`.
fn median(runs: &mut [Elapsed]) -> Elapsed {
    runs.sort();
    runs[runs.len() / 2]
}

/// An unknown username is checked against a stand-in hash so it cannot be
/// told from a wrong password by the time it takes. A wall clock cannot give
/// a fixed threshold on a shared machine, so this compares the two as a
/// ratio: the medians of many interleaved tries of each, in process (no
/// network between), must be within a factor of two. Without the stand-in
/// hash (or with a cheaper one) an unknown username costs a database lookup,
/// under a millisecond against tens of milliseconds of argon2id: a ratio far
/// below one half.
#[test]
fn an_unknown_username_costs_as_much_as_a_wrong_password() {
    let t = TestApp::new();
    let attempt = |username: &str| {
        let started = Instant::now();
        let r = t.app.dispatch(
            &Actor::System,
            "auth.login",
            json!({"username": username, "password": "salah-sandi-1"}),
        );
        let took = started.elapsed();
        assert!(r.is_err(), "{username} must not log in");
        took
    };
    // Warm up both paths once (statement cache, first allocation).
    attempt("admin");
    attempt("tidak-ada");
    let (mut wrong_password, mut unknown_user) = (Vec::new(), Vec::new());
    for _ in 0..15 {
        wrong_password.push(attempt("admin"));
        unknown_user.push(attempt("tidak-ada"));
    }
    let (known, unknown) = (median(&mut wrong_password), median(&mut unknown_user));
    let ratio = unknown.as_secs_f64() / known.as_secs_f64();
    assert!(
        (0.5..=2.0).contains(&ratio),
        "an unknown username took {unknown:?} (median), a wrong password {known:?}: ratio {ratio:.2}"
    );
}
