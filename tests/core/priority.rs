//! The scoring table at every boundary, in the business time zone, through
//! the core's operations (run by name with JSON, as the desktop shell does).

use chrono::{Duration, TimeZone, Utc};
use serde_json::{Value, json};

use crate::support::*;

/// Books for a new customer each time, so no two bookings share a customer
/// (which would flag them as a double booking).
fn book(t: &TestApp, extra: Value) -> Value {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let phone = format!("0812{n:08}");
    let mut input = json!({"customer": {"name": "Sari Dewi", "phone": phone}, "price": "1000000"});
    for (k, v) in extra.as_object().unwrap() {
        input[k] = v.clone();
    }
    t.call("bookings.create", input).unwrap()
}

/// Today in the test clock is 2026-11-22 (Asia/Jakarta); `day(n)` is n days later at 10:00 local.
fn day(n: i64) -> String {
    (chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap() + Duration::days(n)).to_string()
        + "T10:00"
}

#[test]
fn urgency_boundaries_in_calendar_days() {
    let t = TestApp::new();
    for (days, level, points) in [
        (-1, "urgent", 40),
        (0, "urgent", 40),
        (2, "urgent", 40),
        (3, "soon", 25),
        (7, "soon", 25),
        (8, "upcoming", 10),
        (60, "upcoming", 10),
    ] {
        // pending (5) + regular (5) + 1 client (5) = 15 besides urgency
        let b = book(&t, json!({"event_at": day(days)}));
        assert_eq!(b["urgency_level"], level, "days {days}");
        assert_eq!(b["priority_score"], points + 15, "days {days}");
    }
    let none = book(&t, json!({}));
    assert_eq!(none["urgency_level"], "upcoming");
    assert_eq!(none["priority_score"], 25);
}

#[test]
fn payment_money_and_party_size_points() {
    let t = TestApp::new();
    let far = day(30); // upcoming: 10 points
    for (payment, points) in [("paid", 30), ("dp", 20), ("pending", 5), ("overdue", 5)] {
        let b = book(&t, json!({"event_at": far, "payment_status": payment}));
        assert_eq!(b["priority_score"], 10 + points + 5 + 5, "{payment}");
    }
    for (price, level, points) in [
        ("3000000", "vip", 30),
        ("2999999.99", "premium", 15),
        ("1500000", "premium", 15),
        ("1499999.99", "regular", 5),
        ("0", "regular", 5),
    ] {
        let b = book(&t, json!({"event_at": far, "price": price}));
        assert_eq!(b["monetary_level"], level, "{price}");
        assert_eq!(b["priority_score"], 10 + 5 + points + 5, "{price}");
    }
    for (clients, points) in [(1, 5), (2, 5), (3, 15), (12, 15)] {
        let b = book(&t, json!({"event_at": far, "client_count": clients}));
        assert_eq!(b["priority_score"], 10 + 5 + 5 + points, "{clients}");
    }
}

#[test]
fn segments_at_their_thresholds_and_the_maximum() {
    let t = TestApp::new();
    // urgent 40 + paid 30 + regular 5 + 1 client 5 = 80 → high
    let b80 = book(
        &t,
        json!({"event_at": day(1), "payment_status": "paid", "price": "100000"}),
    );
    assert_eq!(
        (
            b80["priority_score"].as_i64(),
            b80["priority_segment"].as_str()
        ),
        (Some(80), Some("high"))
    );
    // soon 25 + paid 30 + premium 15 + 5 = 75 → medium
    let b75 = book(
        &t,
        json!({"event_at": day(5), "payment_status": "paid", "price": "2000000"}),
    );
    assert_eq!(
        (
            b75["priority_score"].as_i64(),
            b75["priority_segment"].as_str()
        ),
        (Some(75), Some("medium"))
    );
    // upcoming 10 + pending 5 + vip 30 + 5 = 50 → medium
    let b50 = book(&t, json!({"event_at": day(20), "price": "3000000"}));
    assert_eq!(
        (
            b50["priority_score"].as_i64(),
            b50["priority_segment"].as_str()
        ),
        (Some(50), Some("medium"))
    );
    // upcoming 10 + pending 5 + premium 15 + group 15 = 45 → low
    let b45 = book(
        &t,
        json!({"event_at": day(20), "price": "1500000", "client_count": 3}),
    );
    assert_eq!(
        (
            b45["priority_score"].as_i64(),
            b45["priority_segment"].as_str()
        ),
        (Some(45), Some("low"))
    );
    let max = book(
        &t,
        json!({"event_at": day(0), "payment_status": "paid", "price": "5000000", "client_count": 4}),
    );
    assert_eq!(max["priority_score"], 115);

    // Thresholds are settings: with high at 81, a score of 80 is medium.
    t.call("settings.update", json!({"high_segment_min": 81}))
        .unwrap();
    let b = book(
        &t,
        json!({"event_at": day(1), "payment_status": "paid", "price": "100000"}),
    );
    assert_eq!(
        (b["priority_score"].as_i64(), b["priority_segment"].as_str()),
        (Some(80), Some("medium"))
    );
    t.call("settings.update", json!({"vip_price": "5000000"}))
        .unwrap();
    let b = book(&t, json!({"event_at": day(20), "price": "3000000"}));
    assert_eq!(b["monetary_level"], "premium");
    let e = t
        .call("settings.update", json!({"soon_days": 1}))
        .unwrap_err();
    assert_eq!(e.field(), Some("soon_days"));
}

#[test]
fn days_are_counted_in_the_business_time_zone_around_midnight() {
    // 23:59:59 on 22 November in Jakarta (16:59:59 UTC).
    let t = TestApp::at(Utc.with_ymd_and_hms(2026, 11, 22, 16, 59, 59).unwrap());
    // 00:30 on 25 November in Jakarta is 17:30 UTC on the 24th: three local days away.
    let event = "2026-11-24T17:30:00Z";
    let before = book(&t, json!({"event_at": event}));
    assert_eq!(
        before["urgency_level"], "soon",
        "3 local days ahead (UTC dates would say 2)"
    );
    assert_eq!(before["booking_date"], "2026-11-22");
    // One second later it is 23 November in Jakarta: two days away.
    t.set_now(Utc.with_ymd_and_hms(2026, 11, 22, 17, 0, 0).unwrap());
    let after = book(&t, json!({"event_at": event}));
    assert_eq!(after["urgency_level"], "urgent");
    assert_eq!(
        after["booking_date"], "2026-11-23",
        "booking date defaults to today in Jakarta"
    );
    // A local time without offset is read in the business time zone.
    let local = book(&t, json!({"event_at": "2026-11-25T00:30"}));
    assert_eq!(local["event_at"], "2026-11-24T17:30:00Z");
    // Another business time zone moves the day boundary.
    t.call("settings.update", json!({"time_zone": "Asia/Jayapura"}))
        .unwrap();
    t.set_now(Utc.with_ymd_and_hms(2026, 11, 22, 14, 59, 59).unwrap()); // 23:59:59 WIT
    let wit = book(&t, json!({"event_at": "2026-11-24T15:30:00Z"})); // 00:30 on the 25th WIT
    assert_eq!(wit["urgency_level"], "soon");
    let e = t
        .call("settings.update", json!({"time_zone": "Mars/Olympus"}))
        .unwrap_err();
    assert_eq!(e.field(), Some("time_zone"));
}

#[test]
fn risk_flags_follow_the_event_day_and_payment() {
    let t = TestApp::new();
    let tomorrow_dp = book(&t, json!({"event_at": day(1), "payment_status": "dp"}));
    assert_eq!(tomorrow_dp["risk_flags"], json!(["unpaid_h1"]));
    let today_pending = book(&t, json!({"event_at": day(0)}));
    assert_eq!(today_pending["risk_flags"], json!(["unpaid_h1"]));
    let tomorrow_paid = book(&t, json!({"event_at": day(1), "payment_status": "paid"}));
    assert_eq!(tomorrow_paid["risk_flags"], json!([]));
    let in_two_days = book(&t, json!({"event_at": day(2)}));
    assert_eq!(in_two_days["risk_flags"], json!([]));

    let flagged = t
        .call("bookings.list", json!({"risk_flag": "unpaid_h1"}))
        .unwrap();
    let codes: Vec<&str> = flagged["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 2);
    assert!(codes.contains(&tomorrow_dp["code"].as_str().unwrap()));

    // Paying clears the flag on update.
    let paid = t
        .call(
            "bookings.update",
            json!({"id": tomorrow_dp["id"], "payment_status": "paid"}),
        )
        .unwrap();
    assert_eq!(paid["risk_flags"], json!([]));
    assert_eq!(paid["priority_score"], 40 + 30 + 5 + 5);

    // Two days later the recalculation marks passed events; canceled ones are left alone.
    t.call("bookings.cancel", json!({"id": in_two_days["id"]}))
        .unwrap();
    t.set_now(default_now() + Duration::days(2));
    t.call("bookings.recalculate", json!({})).unwrap();
    let passed = t
        .call("bookings.get", json!({"id": today_pending["id"]}))
        .unwrap();
    assert_eq!(passed["risk_flags"], json!(["event_passed"]));
    let canceled = t
        .call("bookings.get", json!({"id": in_two_days["id"]}))
        .unwrap();
    assert_eq!(canceled["risk_flags"], json!([]));
}

#[test]
fn daily_recalculation_rescores_open_bookings_and_keeps_segment_history() {
    let t = TestApp::new();
    // 40 days ahead, paid, vip, group: 10 + 30 + 30 + 15 = 85 (high) … until it is close.
    let far = book(
        &t,
        json!({"event_at": day(40), "price": "3500000", "payment_status": "dp"}),
    );
    assert_eq!(
        (
            far["priority_score"].as_i64(),
            far["priority_segment"].as_str()
        ),
        (Some(65), Some("medium"))
    );
    let done = book(
        &t,
        json!({"event_at": day(40), "price": "3500000", "payment_status": "dp"}),
    );
    t.call(
        "bookings.update",
        json!({"id": done["id"], "booking_status": "active"}),
    )
    .unwrap();
    let done = t
        .call(
            "bookings.update",
            json!({"id": done["id"], "booking_status": "completed"}),
        )
        .unwrap();

    t.set_now(default_now() + Duration::days(39));
    let r = t.call("bookings.recalculate", json!({})).unwrap();
    assert_eq!(r["updated"], 1, "only the open booking is rescored");
    assert_eq!(r["segment_changes"], 1);
    let now = t.call("bookings.get", json!({"id": far["id"]})).unwrap();
    assert_eq!(
        (
            now["priority_score"].as_i64(),
            now["priority_segment"].as_str()
        ),
        (Some(95), Some("high"))
    );
    assert_eq!(now["urgency_level"], "urgent");
    assert_ne!(now["updated_priority_at"], far["updated_priority_at"]);
    let kept = t.call("bookings.get", json!({"id": done["id"]})).unwrap();
    assert_eq!(kept["priority_score"], done["priority_score"]);
    assert_eq!(kept["updated_priority_at"], done["updated_priority_at"]);

    let history = t
        .call("bookings.segment_history", json!({"id": far["id"]}))
        .unwrap();
    let steps: Vec<(Value, Value)> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["from_segment"].clone(), h["to_segment"].clone()))
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("medium")),
            (json!("medium"), json!("high"))
        ]
    );

    // Head office hears of the new score through the change log; the run is audited once.
    let db = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
    let snapshot: String = db
        .query_row(
            "SELECT snapshot FROM change_log WHERE entity = 'booking' AND entity_id = ?1 ORDER BY seq DESC LIMIT 1",
            [far["id"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let snapshot: Value = serde_json::from_str(&snapshot).unwrap();
    assert_eq!(snapshot["priority_score"], 95);
    assert_eq!(snapshot["priority_segment"], "high");
    // The whole row, as every change-log row carries: head office keeps a
    // pushed row as it comes, so a partial one would lose the rest.
    let whole = t.call("bookings.get", json!({"id": far["id"]})).unwrap();
    assert_eq!(snapshot, whole);
    let runs: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'recalculate'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(runs, 1);

    // Recalculating again the same day changes nothing.
    let again = t.call("bookings.recalculate", json!({})).unwrap();
    assert_eq!(again["segment_changes"], 0);
    let history = t
        .call("bookings.segment_history", json!({"id": far["id"]}))
        .unwrap();
    assert_eq!(history["data"].as_array().unwrap().len(), 2);
}

#[test]
fn priority_list_orders_by_score_and_filters_by_segment() {
    let t = TestApp::new();
    let low = book(&t, json!({"event_at": day(30)}));
    let high = book(
        &t,
        json!({"event_at": day(1), "payment_status": "paid", "price": "4000000"}),
    );
    let medium = book(
        &t,
        json!({"event_at": day(5), "payment_status": "paid", "price": "2000000"}),
    );
    let list = t.call("bookings.list", json!({"open": true})).unwrap();
    let codes: Vec<&Value> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| &b["code"])
        .collect();
    assert_eq!(codes, vec![&high["code"], &medium["code"], &low["code"]]);
    let asc = t
        .call("bookings.list", json!({"order_by": "priority_score_asc"}))
        .unwrap();
    assert_eq!(asc["data"][0]["code"], low["code"]);
    for (segment, expected) in [("high", &high), ("medium", &medium), ("low", &low)] {
        let page = t
            .call("bookings.list", json!({"segment": segment}))
            .unwrap();
        assert_eq!(page["meta"]["total"], 1, "{segment}");
        assert_eq!(page["data"][0]["code"], expected["code"]);
    }
}

mod properties {
    use chrono::NaiveDate;
    use proptest::prelude::*;

    use crate::support::{Money, PaymentStatus, ScoreInput, Segment, Settings, score};

    fn payment() -> impl Strategy<Value = PaymentStatus> {
        prop_oneof![
            Just(PaymentStatus::Pending),
            Just(PaymentStatus::Dp),
            Just(PaymentStatus::Paid),
            Just(PaymentStatus::Overdue)
        ]
    }

    proptest! {
        /// Any booking scores between 20 and 115, in the segment its score
        /// says, and paying more never lowers the score.
        #[test]
        fn score_is_bounded_consistent_and_monotonic(
            days in proptest::option::of(-400i64..400),
            pay in payment(),
            price in 0i64..10_000_000,
            clients in 1u32..50,
        ) {
            let s = Settings::default();
            let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
            let input = |payment| ScoreInput {
                event_date: days.map(|d| today + chrono::Duration::days(d)),
                payment,
                price: Money::from_rupiah(price),
                clients,
                open: true,
                overlaps_other: false,
            };
            let p = score(&input(pay), today, &s);
            prop_assert!((20..=115).contains(&p.score));
            let expected = if p.score >= 80 { Segment::High } else if p.score >= 50 { Segment::Medium } else { Segment::Low };
            prop_assert_eq!(p.segment, expected);
            let paid = score(&input(PaymentStatus::Paid), today, &s);
            prop_assert!(paid.score >= p.score);
            prop_assert!(paid.risk_flags.iter().all(|f| f.as_str() != "unpaid_h1"));
        }
    }
}
