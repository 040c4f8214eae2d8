//! Bookings through the HTTP API: field validation, defaults, codes, partial
//! updates with rescoring, the status lifecycle, list filters and sorting,
//! and the segment history.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use crate::helpers::*;

fn base() -> Value {
    json!({"customer": customer("Sari Dewi", "081234500001"), "price": "1000000"})
}

fn with(field: &str, value: Value) -> Value {
    let mut body = base();
    body[field] = value;
    body
}

fn booking_count(s: &Server) -> u64 {
    total(&s.get("/bookings?page_size=1").expect(200))
}

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

#[test]
fn partial_updates_change_only_given_fields_and_rescore() {
    let t = TestApp::new();
    let s = t.serve();
    // 18 days ahead (upcoming 10) + pending (5) + Rp 1,000,000 (regular 5) + 1 client (5) = 25.
    let b = s
        .post("/bookings", json!({"customer": customer("Sari", "081234500001"), "price": 1000000, "event_at": "2026-12-10T10:00",
                                  "notes": "bawa kebaya", "payment_method": "transfer", "booking_fee": "250000"}))
        .expect(201);
    assert_eq!(
        (b["priority_score"].as_i64(), b["priority_segment"].as_str()),
        (Some(25), Some("low"))
    );
    let id = b["id"].as_str().unwrap().to_owned();
    let path = format!("/bookings/{id}");
    assert_eq!(s.get(&path).expect(200)["code"], b["code"]);

    let same_except = |a: &Value, changed: &[&str]| {
        for field in [
            "code",
            "booking_date",
            "event_at",
            "client_count",
            "price",
            "booking_fee",
            "payment_status",
            "payment_date",
            "payment_method",
            "booking_status",
            "notes",
            "customer_id",
            "unit_id",
            "staff_id",
            "created_at",
            "created_by",
        ] {
            if !changed.contains(&field) {
                assert_eq!(a[field], b[field], "{field} must not change");
            }
        }
    };
    let u = s
        .put(&path, json!({"version": 1, "notes": "bawa kebaya merah"}))
        .expect(200);
    assert_eq!(u["notes"], "bawa kebaya merah");
    assert_eq!(u["version"], 2);
    assert_eq!(u["priority_score"], 25);
    same_except(&u, &["notes"]);

    // Paying raises the score (+25) and moves it to `medium`.
    let u = s
        .put(&path, json!({"version": 2, "payment_status": "paid"}))
        .expect(200);
    assert_eq!(
        (u["priority_score"].as_i64(), u["priority_segment"].as_str()),
        (Some(50), Some("medium"))
    );
    assert_eq!(u["payment_date"], "2026-11-22");
    same_except(&u, &["notes", "payment_status", "payment_date"]);
    // Group and price: 10 + 30 + 30 + 15 = 85, `high`, `vip`.
    let u = s
        .put(&path, json!({"client_count": 4, "price": "3000000"}))
        .expect(200);
    assert_eq!(
        (
            u["priority_score"].as_i64(),
            u["priority_segment"].as_str(),
            u["monetary_level"].as_str()
        ),
        (Some(85), Some("high"), Some("vip"))
    );
    // The event tomorrow: urgent (40) → 115, the maximum.
    let u = s
        .put(&path, json!({"event_at": "2026-11-23T09:00"}))
        .expect(200);
    assert_eq!(
        (u["priority_score"].as_i64(), u["urgency_level"].as_str()),
        (Some(115), Some("urgent"))
    );
    assert_eq!(u["risk_flags"], json!([]), "paid, so no unpaid_h1");
    let u = s.put(&path, json!({"payment_status": "dp"})).expect(200);
    assert_eq!(u["priority_score"], 105);
    assert_eq!(u["risk_flags"], json!(["unpaid_h1"]));
    // `null` clears: no event date counts as upcoming.
    let u = s
        .put(
            &path,
            json!({"event_at": null, "notes": null, "payment_method": null}),
        )
        .expect(200);
    assert!(
        u["event_at"].is_null() && u["notes"].is_null() && u["payment_method"].is_null(),
        "{u}"
    );
    assert_eq!(
        (u["priority_score"].as_i64(), u["urgency_level"].as_str()),
        (Some(75), Some("upcoming"))
    );
    assert_eq!(u["risk_flags"], json!([]));
    let version = u["version"].as_i64().unwrap();

    // Validation and stale versions change nothing.
    for (field, value) in [
        ("client_count", json!(0)),
        ("price", json!(-1)),
        ("booking_fee", json!("1.001")),
        ("payment_status", json!("free")),
        ("payment_method", json!("barter")),
        ("notes", Value::String("n".repeat(1001))),
        ("event_at", json!("soon")),
    ] {
        s.put(&path, json!({field: value}))
            .expect_error(422, "validation", Some(field));
    }
    s.put(&path, json!({"discount": 1}))
        .expect_error(422, "validation", Some("discount"));
    s.put(&path, json!({"version": version - 1, "notes": "late"}))
        .expect_error(409, "conflict", None);
    let now = s.get(&path).expect(200);
    assert_eq!(now["version"], version);
    assert!(now["notes"].is_null());
    s.put(
        "/bookings/01a200ff-5d55-76a6-a966-6df8a0de1abb",
        json!({"notes": "x"}),
    )
    .expect_error(404, "not_found", None);

    // The segment history, oldest first.
    let h = s
        .get(&format!("/bookings/{id}/segment-history"))
        .expect(200);
    let steps: Vec<(Value, Value, Value)> = h["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["from_segment"].clone(),
                c["to_segment"].clone(),
                c["score"].clone(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("low"), json!(25)),
            (json!("low"), json!("medium"), json!(50)),
            (json!("medium"), json!("high"), json!(85)),
            (json!("high"), json!("medium"), json!(75)),
        ]
    );
    s.get("/bookings/01a200ff-5d55-76a6-a966-6df8a0de1abb/segment-history")
        .expect_error(404, "not_found", None);
}

#[test]
fn the_status_lifecycle_is_enforced() {
    let t = TestApp::new();
    let s = t.serve();
    let cust = s
        .post(
            "/customers",
            json!({"name": "Sari", "phone": "081234500001"}),
        )
        .expect(201);
    let new_booking = || {
        let b = s
            .post(
                "/bookings",
                json!({"customer_id": cust["id"], "price": "500000"}),
            )
            .expect(201);
        format!("/bookings/{}", b["id"].as_str().unwrap())
    };
    let status = |path: &str| {
        s.get(path).expect(200)["booking_status"]
            .as_str()
            .unwrap()
            .to_owned()
    };

    // pending → active → completed
    let a = new_booking();
    s.put(&a, json!({"booking_status": "active"})).expect(200);
    assert_eq!(status(&a), "active");
    let done = s
        .put(&a, json!({"booking_status": "completed"}))
        .expect(200);
    assert_eq!(done["booking_status"], "completed");
    // A completed booking is closed: no change, no cancel, no reopening.
    s.put(&a, json!({"booking_status": "canceled"}))
        .expect_error(409, "conflict", None);
    s.delete(&a).expect_error(409, "conflict", None);
    s.put(&a, json!({"booking_status": "active"}))
        .expect_error(409, "conflict", None);
    let e = s
        .put(&a, json!({"notes": "late note"}))
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("completed"),
        "{e}"
    );
    s.put(&a, json!({"payment_status": "paid"}))
        .expect_error(409, "conflict", None);
    s.put(&a, json!({"booking_status": "completed", "price": "1"}))
        .expect_error(409, "conflict", None);
    assert_eq!(s.get(&a).expect(200)["version"], done["version"]);

    // pending → completed skips a step.
    let p = new_booking();
    let e = s
        .put(&p, json!({"booking_status": "completed"}))
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("pending"),
        "{e}"
    );
    assert_eq!(status(&p), "pending");
    // active → pending goes backwards.
    s.put(&p, json!({"booking_status": "active"})).expect(200);
    s.put(&p, json!({"booking_status": "pending"}))
        .expect_error(409, "conflict", None);
    assert_eq!(status(&p), "active");

    // Cancel by DELETE keeps the row, with the reason in the notes.
    let c = new_booking();
    let canceled = s
        .delete(&format!("{c}?reason=pelanggan%20batal"))
        .expect(200);
    assert_eq!(canceled["booking_status"], "canceled");
    assert!(
        canceled["notes"]
            .as_str()
            .unwrap()
            .contains("pelanggan batal"),
        "{canceled}"
    );
    assert_eq!(status(&c), "canceled");
    let listed = s.get("/bookings?booking_status=canceled").expect(200);
    assert_eq!(column(&listed, "code"), vec![canceled["code"].clone()]);
    // canceled → anything is refused; so is a second cancel and any change.
    s.put(&c, json!({"booking_status": "active"}))
        .expect_error(409, "conflict", None);
    s.put(&c, json!({"booking_status": "pending"}))
        .expect_error(409, "conflict", None);
    s.put(&c, json!({"booking_status": "completed"}))
        .expect_error(409, "conflict", None);
    s.delete(&c).expect_error(409, "conflict", None);
    s.put(&c, json!({"notes": "again"}))
        .expect_error(409, "conflict", None);
    assert_eq!(s.get(&c).expect(200)["version"], canceled["version"]);
    // Canceling by PUT works from active as well.
    assert_eq!(
        s.put(&p, json!({"booking_status": "canceled"})).expect(200)["booking_status"],
        "canceled"
    );
    s.delete("/bookings/01a200ff-5d55-76a6-a966-6df8a0de1abb")
        .expect_error(404, "not_found", None);
    assert_eq!(booking_count(&s), 3, "nothing was deleted");
}

#[test]
fn list_filters_and_sorts() {
    let t = TestApp::new();
    let s = t.serve();
    let unit = create_unit(&s, 3_500_000);
    let mut minute = 0;
    let mut create = |body: Value| {
        minute += 1;
        t.set_now(default_now() + chrono::Duration::minutes(minute));
        s.post("/bookings", body).expect(201)
    };
    // Scores (today is 2026-11-22): 55, 100, 50, 65, 25.
    let b1 = create(
        json!({"customer": customer("Sari", "081234500001"), "price": "500000", "event_at": "2026-11-23T10:00"}),
    );
    let b2 = create(
        json!({"customer": customer("Joko", "081234500002"), "unit_id": unit["id"], "event_at": "2026-11-27T10:00",
                           "payment_status": "paid", "client_count": 4, "booking_status": "active", "booking_date": "2026-11-20"}),
    );
    let b3 = create(
        json!({"customer_id": b1["customer_id"], "price": "2000000", "event_at": "2026-12-20T10:00",
                           "payment_status": "dp", "booking_date": "2026-11-15"}),
    );
    let b4 = create(
        json!({"customer": customer("Rudi", "081234500004"), "price": "1600000", "event_at": "2026-11-20T10:00",
                           "payment_status": "overdue", "booking_date": "2026-11-10"}),
    );
    let b5 = create(
        json!({"customer": customer("Wati", "081234500005"), "price": "200000", "event_at": "2026-12-31T10:00",
                           "booking_date": "2026-11-21"}),
    );
    let scores: Vec<i64> = [&b1, &b2, &b3, &b4, &b5]
        .iter()
        .map(|b| b["priority_score"].as_i64().unwrap())
        .collect();
    assert_eq!(scores, vec![55, 100, 50, 65, 25]);
    s.delete(&format!("/bookings/{}", b5["id"].as_str().unwrap()))
        .expect(200);
    let code = |b: &Value| b["code"].as_str().unwrap().to_owned();
    let (c1, c2, c3, c4, c5) = (code(&b1), code(&b2), code(&b3), code(&b4), code(&b5));
    assert_eq!(
        vec![&c1, &c2, &c3, &c4, &c5],
        vec![
            "BK-2026-001",
            "BK-2026-002",
            "BK-2026-003",
            "BK-2026-004",
            "BK-2026-005"
        ]
    );

    let codes = |query: &str| -> Vec<String> {
        column(&s.get(&format!("/bookings?{query}")).expect(200), "code")
            .iter()
            .map(|c| c.as_str().unwrap().to_owned())
            .collect()
    };
    let v = |xs: &[&String]| -> Vec<String> { xs.iter().map(|s| s.to_string()).collect() };
    // Default and explicit priority order.
    assert_eq!(codes(""), v(&[&c2, &c4, &c1, &c3, &c5]));
    assert_eq!(codes("sort=priority_score"), v(&[&c2, &c4, &c1, &c3, &c5]));
    assert_eq!(
        codes("sort=priority_score:desc"),
        v(&[&c2, &c4, &c1, &c3, &c5])
    );
    assert_eq!(
        codes("order_by=priority_score_desc"),
        v(&[&c2, &c4, &c1, &c3, &c5])
    );
    assert_eq!(
        codes("sort=priority_score:asc"),
        v(&[&c5, &c3, &c1, &c4, &c2])
    );
    assert_eq!(codes("sort=event_at:asc"), v(&[&c4, &c1, &c2, &c3, &c5]));
    assert_eq!(codes("sort=event_at:desc"), v(&[&c5, &c3, &c2, &c1, &c4]));
    assert_eq!(
        codes("sort=booking_date:asc"),
        v(&[&c4, &c3, &c2, &c5, &c1])
    );
    assert_eq!(
        codes("sort=booking_date:desc"),
        v(&[&c1, &c5, &c2, &c3, &c4])
    );
    assert_eq!(codes("sort=created_at:asc"), v(&[&c1, &c2, &c3, &c4, &c5]));
    assert_eq!(codes("sort=created_at:desc"), v(&[&c5, &c4, &c3, &c2, &c1]));
    // Filters.
    assert_eq!(codes("booking_status=pending"), v(&[&c4, &c1, &c3]));
    assert_eq!(codes("booking_status=active"), v(&[&c2]));
    assert_eq!(codes("booking_status=canceled"), v(&[&c5]));
    assert_eq!(codes("open=true"), v(&[&c2, &c4, &c1, &c3]));
    assert_eq!(codes("payment_status=paid"), v(&[&c2]));
    assert_eq!(codes("payment_status=dp"), v(&[&c3]));
    assert_eq!(codes("payment_status=pending"), v(&[&c1, &c5]));
    assert_eq!(
        codes(&format!("unit_id={}", unit["id"].as_str().unwrap())),
        v(&[&c2])
    );
    assert_eq!(
        codes(&format!(
            "customer_id={}",
            b1["customer_id"].as_str().unwrap()
        )),
        v(&[&c1, &c3])
    );
    assert_eq!(codes("code=003"), v(&[&c3]));
    assert_eq!(
        codes("code=bk-2026&sort=code:asc"),
        v(&[&c1, &c2, &c3, &c4, &c5])
    );
    assert_eq!(
        codes("booking_date_from=2026-11-15&booking_date_to=2026-11-21&sort=booking_date:asc"),
        v(&[&c3, &c2, &c5])
    );
    assert_eq!(codes("booking_date_from=2026-11-22"), v(&[&c1]));
    assert_eq!(codes("booking_date_to=2026-11-10"), v(&[&c4]));
    assert_eq!(codes("segment=high"), v(&[&c2]));
    assert_eq!(codes("segment=medium"), v(&[&c4, &c1, &c3]));
    assert_eq!(codes("segment=low"), v(&[&c5]));
    assert_eq!(codes("risk_flag=unpaid_h1"), v(&[&c1]));
    assert_eq!(codes("risk_flag=event_passed"), v(&[&c4]));
    assert_eq!(
        codes("segment=medium&booking_status=pending&payment_status=pending"),
        v(&[&c1])
    );
    // Paging.
    let page = s.get("/bookings?page_size=2&page=2").expect(200);
    assert_eq!(
        page["meta"],
        json!({"page": 2, "page_size": 2, "page_count": 3, "total": 5})
    );
    assert_eq!(column(&page, "code"), vec![json!(c1), json!(c3)]);
    let filtered = s.get("/bookings?segment=medium&page_size=2").expect(200);
    assert_eq!(
        filtered["meta"],
        json!({"page": 1, "page_size": 2, "page_count": 2, "total": 3})
    );
    // Bad list parameters name themselves.
    s.get("/bookings?sort=amount")
        .expect_error(422, "validation", Some("sort"));
    s.get("/bookings?sort=priority_score:up")
        .expect_error(422, "validation", Some("sort"));
    s.get("/bookings?order_by=bogus_desc")
        .expect_error(422, "validation", Some("order_by"));
    s.get("/bookings?booking_status=lost")
        .expect_error(422, "validation", Some("booking_status"));
    s.get("/bookings?payment_status=free")
        .expect_error(422, "validation", Some("payment_status"));
    s.get("/bookings?risk_flag=late")
        .expect_error(422, "validation", Some("risk_flag"));
    s.get("/bookings?booking_date_from=22-11-2026")
        .expect_error(422, "validation", Some("booking_date_from"));
    s.get("/bookings?unit_id=12")
        .expect_error(422, "validation", Some("unit_id"));
    s.get("/bookings?page=0")
        .expect_error(422, "validation", Some("page"));
}
