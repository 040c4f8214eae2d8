//! Partial updates change only the given fields and rescore; the status lifecycle is enforced.

use serde_json::{Value, json};

use super::*;

/// Sari's booking 18 days ahead, pending, Rp 1,000,000, with notes, a
/// payment method and a booking fee.
fn sari_booking(s: &Server) -> Value {
    s.post("/bookings", json!({"customer": customer("Sari", "081234500001"), "price": 1000000, "event_at": "2026-12-10T10:00",
                               "notes": "bawa kebaya", "payment_method": "transfer", "booking_fee": "250000"}))
        .expect(201)
}

#[test]
fn partial_updates_change_only_given_fields_and_rescore() {
    let t = TestApp::new();
    let s = t.serve();
    // 18 days ahead (upcoming 10) + pending (5) + Rp 1,000,000 (regular 5) + 1 client (5) = 25.
    let b = sari_booking(&s);
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
fn refused_updates_and_stale_versions_change_nothing() {
    let t = TestApp::new();
    let s = t.serve();
    let b = sari_booking(&s);
    let path = format!("/bookings/{}", b["id"].as_str().unwrap());
    let version = b["version"].as_i64().unwrap();
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
    assert_eq!(now["notes"], "bawa kebaya");
    s.put(
        "/bookings/01a200ff-5d55-76a6-a966-6df8a0de1abb",
        json!({"notes": "x"}),
    )
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
