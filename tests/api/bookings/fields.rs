//! Every booking field is validated; defaults and codes follow the business day in Jakarta.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::*;

#[test]
fn every_booking_field_is_validated() {
    let t = TestApp::new();
    let s = t.serve();
    let existing = s
        .post(
            "/customers",
            json!({"name": "Pak Harjo", "phone": "081299990000"}),
        )
        .expect(201);
    let rejected: Vec<(&str, Value, &str)> = vec![
        ("client_count", json!(0), "client_count"),
        ("client_count", json!(-1), "client_count"),
        ("client_count", json!("dua"), "client_count"),
        ("price", json!(-1), "price"),
        ("price", json!("-500"), "price"),
        ("price", json!("1000.005"), "price"),
        ("price", json!(0.001), "price"),
        ("price", json!("sejuta"), "price"),
        ("booking_fee", json!(-1), "booking_fee"),
        ("booking_fee", json!("10.123"), "booking_fee"),
        ("payment_method", json!("bitcoin"), "payment_method"),
        ("payment_status", json!("free"), "payment_status"),
        ("booking_status", json!("completed"), "booking_status"),
        ("booking_status", json!("canceled"), "booking_status"),
        ("booking_status", json!("lost"), "booking_status"),
        ("notes", Value::String("n".repeat(1001)), "notes"),
        ("event_at", json!("besok pagi"), "event_at"),
        ("event_at", json!("2026-13-01T10:00"), "event_at"),
        ("event_at", json!("2026-12-01"), "event_at"),
        ("booking_date", json!("01/12/2026"), "booking_date"),
        ("payment_date", json!("kemarin"), "payment_date"),
        ("unit_id", json!("not-a-uuid"), "unit_id"),
        (
            "unit_id",
            json!("01a200ff-5d55-76a6-a966-6df8a0de1abb"),
            "unit_id",
        ),
        (
            "staff_id",
            json!("01a200ff-5d55-76a6-a966-6df8a0de1abb"),
            "staff_id",
        ),
        ("customer_id", existing["id"].clone(), "customer"),
    ];
    for (field, value, named) in rejected {
        let r = s.post("/bookings", with(field, value.clone()));
        assert_eq!(r.status, 422, "{field} = {value}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "validation");
        assert_eq!(
            r.body["error"]["field"], named,
            "{field} = {value}: {}",
            r.body
        );
    }
    // The customer is required, one way or the other.
    s.post("/bookings", json!({"price": "100000"}))
        .expect_error(422, "validation", Some("customer"));
    s.post(
        "/bookings",
        json!({"customer_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb", "price": "100000"}),
    )
    .expect_error(422, "validation", Some("customer_id"));
    s.post(
        "/bookings",
        json!({"customer": {"name": "Tanpa Telepon"}, "price": "100000"}),
    )
    .expect_error(422, "validation", Some("customer.phone"));
    s.post(
        "/bookings",
        json!({"customer": customer("Sari", "081234500001")}),
    )
    .expect_error(422, "validation", Some("price"));
    // Unknown fields are refused, at the top and inside the inline customer.
    s.post("/bookings", with("discount", json!("10%")))
        .expect_error(422, "validation", Some("discount"));
    let mut nested = base();
    nested["customer"]["hobby"] = json!("golf");
    s.post("/bookings", nested)
        .expect_error(422, "validation", Some("customer.hobby"));
    assert_eq!(booking_count(&s), 0);
    assert_eq!(
        total(&s.get("/customers").expect(200)),
        1,
        "no inline customer was kept"
    );

    // The limits are accepted.
    for (field, value) in [
        ("client_count", json!(1)),
        ("price", json!(0)),
        ("price", json!("1500000.25")),
        ("booking_fee", json!(0)),
        ("notes", Value::String("n".repeat(1000))),
        ("payment_method", json!("transfer")),
        ("payment_method", json!("cash")),
        ("payment_method", json!("check")),
        ("payment_method", json!("credit")),
        ("payment_status", json!("overdue")),
        ("event_at", json!("2026-12-01T10:00:00+07:00")),
        ("event_at", json!("2026-12-01 10:00")),
    ] {
        let b = s.post("/bookings", with(field, value.clone())).expect(201);
        match field {
            "price" if value == json!(0) => assert_eq!(b["price"], "0"),
            "price" => assert_eq!(b["price"], "1500000.25"),
            "booking_fee" => assert_eq!(b["booking_fee"], "0"),
            "event_at" => assert_eq!(
                b["event_at"], "2026-12-01T03:00:00Z",
                "local time is Asia/Jakarta"
            ),
            _ => assert_eq!(b[field], value, "{field}"),
        }
    }
}

#[test]
fn defaults_and_codes_follow_the_business_day_in_jakarta() {
    // 2026-11-22 23:30 UTC is already 2026-11-23 06:30 in Jakarta.
    let t = TestApp::at(Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap());
    let mut s = t.serve();
    let unit = create_unit(&s, 275_000_000);
    let b = s
        .post(
            "/bookings",
            json!({"customer": customer("Sari", "081234500001"), "unit_id": unit["id"]}),
        )
        .expect(201);
    assert_eq!(b["code"], "BK-2026-001");
    assert_eq!(b["booking_date"], "2026-11-23");
    assert_eq!(b["client_count"], 1);
    assert_eq!(b["price"], "275000000", "price from the unit");
    assert_eq!(b["booking_fee"], "0");
    assert_eq!(b["payment_status"], "pending");
    assert!(b["payment_date"].is_null());
    assert_eq!(b["booking_status"], "pending");
    assert!(b["event_at"].is_null());
    assert_eq!(b["urgency_level"], "upcoming");
    assert_eq!(b["created_at"], "2026-11-22T23:30:00.000Z");
    let me = s.get("/auth/me").expect(200);
    assert_eq!(b["created_by"], me["id"]);
    // A payment given without a date is dated today (Jakarta).
    let paid = s
        .post(
            "/bookings",
            json!({"customer_id": b["customer_id"], "price": "100000", "payment_status": "dp"}),
        )
        .expect(201);
    assert_eq!(paid["payment_date"], "2026-11-23");
    assert_eq!(paid["code"], "BK-2026-002");
    let dated = s
        .post("/bookings", json!({"customer_id": b["customer_id"], "price": "100000", "payment_status": "paid", "payment_date": "2026-11-20", "booking_status": "active"}))
        .expect(201);
    assert_eq!(
        (
            dated["payment_date"].as_str(),
            dated["booking_status"].as_str()
        ),
        (Some("2026-11-20"), Some("active"))
    );
    assert_eq!(dated["code"], "BK-2026-003");
    // The code's year is the booking date's year, and each year counts anew.
    let next_year = s.post("/bookings", json!({"customer_id": b["customer_id"], "price": "100000", "booking_date": "2027-01-05"})).expect(201);
    assert_eq!(next_year["code"], "BK-2027-001");
    // New Year's Eve 18:30 UTC is New Year's Day in Jakarta.
    t.set_now(Utc.with_ymd_and_hms(2026, 12, 31, 18, 30, 0).unwrap());
    s.login("admin", PASSWORD).expect(200); // a login lasts a working day
    let new_year = s
        .post(
            "/bookings",
            json!({"customer_id": b["customer_id"], "price": "100000"}),
        )
        .expect(201);
    assert_eq!(new_year["booking_date"], "2027-01-01");
    assert_eq!(new_year["code"], "BK-2027-002");
    let last_2026 = s.post("/bookings", json!({"customer_id": b["customer_id"], "price": "100000", "booking_date": "2026-12-31"})).expect(201);
    assert_eq!(last_2026["code"], "BK-2026-004");
    // A failed booking does not use up a code.
    s.post(
        "/bookings",
        json!({"customer_id": b["customer_id"], "price": "-1"}),
    )
    .expect_error(422, "validation", Some("price"));
    let after = s
        .post(
            "/bookings",
            json!({"customer_id": b["customer_id"], "price": "100000"}),
        )
        .expect(201);
    assert_eq!(after["code"], "BK-2027-003");
}
