//! Delivery against a gateway that refuses, throttles, times out or rejects the
//! token: retries, back-off, the cap and the pause.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::*;

#[test]
fn retries_honour_retry_after_back_off_on_5xx_and_stop_at_the_cap() {
    let t = TestApp::new();
    let mut s = t.serve();
    let g = StandIn::start(meta_ok);
    meta(&s, &g);

    // 429 with Retry-After: 120 → exactly two minutes later.
    g.push(
        Scripted::json(
            429,
            json!({"error": {"code": 130429, "message": "Rate limit hit"}}),
        )
        .header("retry-after", "120"),
    );
    let b = book(&s, "Budi", "081234567890", "2026-11-25T14:00", "paid");
    let d = flush(&s);
    assert_eq!(d["retrying"], 1, "{d}");
    let m = &messages(&s, "")[0];
    assert_eq!(m["status"], "queued");
    assert_eq!(m["next_attempt_at"], "2026-11-22T03:02:00.000Z");
    assert!(m["last_error"].as_str().unwrap().contains("130429"), "{m}");
    travel(&t, &mut s, default_now() + Duration::seconds(119));
    assert_eq!(flush(&s)["sent"], 0, "not before Retry-After");
    travel(&t, &mut s, default_now() + Duration::seconds(120));
    assert_eq!(flush(&s)["sent"], 1);
    assert_eq!(g.count(), 2);
    let m = &messages(&s, "")[0];
    assert_eq!(
        (m["attempts"].as_i64(), m["last_error"].is_null()),
        (Some(2), true)
    );

    // 500, then success after the backoff (30 s ± 20 %).
    g.push(Scripted::json(500, json!({"error": {"message": "oops"}})));
    let b2 = book(&s, "Wati", "081298765432", "2026-11-25T15:00", "paid");
    assert_eq!(flush(&s)["retrying"], 1);
    let m = &messages(&s, &format!("booking_id={}", id(&b2)))[0];
    let next =
        chrono::DateTime::parse_from_rfc3339(m["next_attempt_at"].as_str().unwrap()).unwrap();
    let wait = next.with_timezone(&Utc) - t.now();
    assert!(
        (24..=36).contains(&wait.num_seconds()),
        "first backoff ~30 s, got {wait}"
    );
    travel(&t, &mut s, t.now() + Duration::seconds(37));
    assert_eq!(flush(&s)["sent"], 1);

    // Meta's pair rate limit (131056) is retried too; another 400 is final, its text kept.
    g.push(Scripted::json(
        400,
        json!({"error": {"code": 131056, "message": "pair rate limit"}}),
    ));
    g.push(Scripted::json(
        400,
        json!({"error": {"code": 100, "message": "Invalid parameter"}}),
    ));
    let b3 = book(&s, "Ani", "081277778888", "2026-11-25T16:00", "paid");
    assert_eq!(flush(&s)["retrying"], 1);
    travel(&t, &mut s, t.now() + Duration::minutes(5));
    assert_eq!(flush(&s)["failed"], 1);
    let m = &messages(&s, &format!("booking_id={}", id(&b3)))[0];
    assert_eq!(m["status"], "failed");
    assert_eq!(m["last_error"], "Meta 400: (100) Invalid parameter");

    // Always 503: five attempts, then failed.
    g.set_default(|_, _| Scripted::json(503, json!({"error": {"message": "down"}})));
    let b4 = book(&s, "Dedi", "081266667777", "2026-11-25T17:00", "paid");
    for _ in 0..6 {
        flush(&s);
        travel(&t, &mut s, t.now() + Duration::hours(2));
    }
    let m = &messages(&s, &format!("booking_id={}", id(&b4)))[0];
    assert_eq!(m["status"], "failed");
    assert_eq!(m["attempts"], 5);
    assert!(
        m["last_error"]
            .as_str()
            .unwrap()
            .starts_with("gave up after 5 attempts"),
        "{m}"
    );
    let _ = b;
}

#[test]
fn a_gateway_that_does_not_answer_in_time_is_tried_again() {
    let t = TestApp::new();
    let mut s = t.serve();
    let g = StandIn::start(meta_ok);
    meta(&s, &g);
    set_gateway(&s, json!({"timeout_secs": 1}));
    g.push(
        Scripted::json(200, json!({"messages": [{"id": "late"}]}))
            .delayed(std::time::Duration::from_secs(3)),
    );
    book(&s, "Budi", "081234567890", "2026-11-25T14:00", "paid");
    // The reply comes after 3 s; with a 1 s timeout the sender gives up on
    // it first: had it waited, the message would be `sent`.
    let d = flush(&s);
    assert_eq!(d["retrying"], 1, "{d}");
    assert_eq!(d["sent"], 0, "{d}");
    let m = &messages(&s, "")[0];
    assert_eq!(m["status"], "queued");
    assert_eq!(m["last_error"], "the gateway did not answer in time");
    travel(&t, &mut s, t.now() + Duration::minutes(1));
    assert_eq!(flush(&s)["sent"], 1);
    assert_eq!(messages(&s, "")[0]["gateway_message_id"], "wamid.TEST2");
}

#[test]
fn a_401_pauses_deliveries_and_drops_no_queued_message() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(|_, _| {
        Scripted::json(
            401,
            json!({"error": {"code": 190, "message": "Invalid OAuth access token"}}),
        )
    });
    meta(&s, &g);
    for i in 0..5 {
        book(
            &s,
            "Budi",
            &format!("08123456780{i}"),
            "2026-11-25T14:00",
            "paid",
        );
    }
    let d = flush(&s);
    assert_eq!(d["sent"], 0);
    assert_eq!(d["failed"], 0);
    assert_eq!(d["queued"], 5);
    assert!(
        d["paused"].as_str().unwrap().contains("Invalid OAuth"),
        "{d}"
    );
    assert_eq!(g.count(), 1, "one refusal is enough to stop");
    let all = messages(&s, "");
    assert!(all.iter().all(|m| m["status"] == "queued"));
    assert_eq!(
        all.iter().filter(|m| m["last_error"].is_string()).count(),
        1,
        "the one tried shows the error"
    );
    assert_eq!(
        s.get("/settings/gateway").expect(200)["auth_error"],
        "Meta 401: (190) Invalid OAuth access token"
    );
    // The front desk sees the pause in the message log's status.
    let desk = t.login_as(&s, "kasir", Role::FrontDesk);
    let status = desk.get("/messages/status").expect(200);
    assert_eq!(status["gateway"], "meta");
    assert_eq!(
        status["paused"],
        "Meta 401: (190) Invalid OAuth access token"
    );
    assert_eq!(status["queued"], 5);
    assert_eq!(status["failed"], 0);
    assert_eq!(status["unknown"], 0);
    // The background sender (no force) leaves them alone while paused.
    let quiet = deliver_due(&t.app, None, false).unwrap();
    assert_eq!(quiet.sent + quiet.failed + quiet.retrying, 0);
    assert_eq!(g.count(), 1);

    // A new token: the pause lifts and everything goes.
    g.set_default(meta_ok);
    let fixed = set_gateway(&s, json!({"token": "EAAG-new-token-1111"}));
    assert_eq!(fixed["auth_error"], Value::Null);
    let d = deliver_due(&t.app, None, false).unwrap();
    assert_eq!(d.sent, 5);
    assert!(messages(&s, "").iter().all(|m| m["status"] == "sent"));
    let status = desk.get("/messages/status").expect(200);
    assert!(status["paused"].is_null());
    assert_eq!(status["queued"], 0);
    assert_eq!(
        g.requests()[1].header("authorization"),
        Some("Bearer EAAG-new-token-1111")
    );
}
