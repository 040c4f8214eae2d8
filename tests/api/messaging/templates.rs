//! Templates: defaults, unknown placeholders refused, previews, and each customer's language.

use serde_json::{Value, json};

use super::*;

#[test]
fn templates_have_defaults_refuse_unknown_placeholders_and_preview() {
    let t = TestApp::new();
    let s = t.serve();
    let list = s.get("/templates").expect(200);
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        12,
        "6 kinds × 2 languages"
    );
    assert!(
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["is_default"] == true)
    );

    s.put(
        "/templates/reminder_h1/id",
        json!({"body": "Halo {nama}, besok {date}"}),
    )
    .expect_error(422, "validation", Some("body"));
    let saved = s
        .put(
            "/templates/reminder_h1/id",
            json!({"body": "Halo {customer_name}, besok {date} jam {time}. Total {amount}."}),
        )
        .expect(200);
    assert_eq!(saved["is_default"], false);
    assert_eq!(
        saved["placeholders"],
        json!(["customer_name", "date", "time", "amount"])
    );
    assert_eq!(
        s.get("/templates/reminder_h1/id").expect(200)["body"],
        saved["body"]
    );

    // The preview renders with a sample booking: rupiah, Indonesian date.
    let p = s
        .post("/templates/preview", json!({"kind": "reminder_h1"}))
        .expect(200);
    let text = p["text"].as_str().unwrap();
    assert!(
        text.starts_with("Halo Siti Rahayu, besok Senin, 23 November 2026 jam 10:00."),
        "{text}"
    );
    assert!(text.ends_with("Total Rp 3.500.000."), "{text}");
    s.post(
        "/templates/preview",
        json!({"kind": "reminder_h1", "body": "x {bogus}"}),
    )
    .expect_error(422, "validation", Some("body"));
    // Each kind allows only what it has a value for: a booking reminder has
    // no plate, a service reminder no booking code.
    let maintenance = s.get("/templates/maintenance_reminder/id").expect(200);
    assert_eq!(
        maintenance["allowed"],
        json!(["customer_name", "vehicle", "plate", "date", "business_name"])
    );
    let e = s
        .put(
            "/templates/maintenance_reminder/id",
            json!({"body": "Servis {vehicle}, booking {booking_code}"}),
        )
        .expect_error(422, "validation", Some("body"));
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown placeholder {booking_code}"),
        "{e}"
    );
    s.post(
        "/templates/preview",
        json!({"kind": "reminder_h1", "body": "Plat {plate}"}),
    )
    .expect_error(422, "validation", Some("body"));

    // With a real booking, in English.
    let b = book(&s, "Rina Wijaya", "081311112222", "2026-11-24T19:30", "dp");
    let p = s
        .post(
            "/templates/preview",
            json!({"kind": "booking_confirmation", "language": "en", "booking_id": b["id"]}),
        )
        .expect(200);
    assert_eq!(
        p["text"],
        format!(
            "Hello Rina Wijaya, thank you for booking with Loket. Your booking code is {}, scheduled for Tuesday, 24 November 2026 at 19:30. Total Rp 3.500.000.",
            b["code"].as_str().unwrap()
        )
    );

    // Back to the built-in text.
    let reset = s
        .put("/templates/reminder_h1/id", json!({"body": null}))
        .expect(200);
    assert_eq!(reset["is_default"], true);

    let manager = t.login_as(&s, "manajer", Role::Manager);
    manager
        .get("/templates")
        .expect_error(403, "forbidden", None);
    manager
        .put("/templates/reminder_h1/id", json!({"body": "x"}))
        .expect_error(403, "forbidden", None);
}

#[test]
fn each_customer_gets_messages_in_their_own_language() {
    let t = TestApp::at(jkt(2026, 11, 22, 8, 0));
    let mut s = t.serve();
    let body_for = |s: &Server, kind: &str, bk: &Value| -> String {
        messages(s, &format!("kind={kind}"))
            .into_iter()
            .find(|m| {
                m["body"]
                    .as_str()
                    .unwrap()
                    .contains(bk["code"].as_str().unwrap())
            })
            .unwrap_or_else(|| panic!("no {kind} for {}", bk["code"]))["body"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    // The business writes Indonesian; one customer reads English.
    let ann = s
        .post(
            "/customers",
            json!({"name": "Ann Smith", "phone": "081200000011", "language": "en"}),
        )
        .expect(201);
    assert_eq!(ann["language"], "en");
    s.post(
        "/customers",
        json!({"name": "Bad Lang", "phone": "081200000019", "language": "fr"}),
    )
    .expect_error(422, "validation", Some("language"));
    let by_id = s
        .post(
            "/bookings",
            json!({"customer_id": ann["id"], "price": "500000", "event_at": "2026-11-23T10:00"}),
        )
        .expect(201);
    assert!(body_for(&s, "booking_confirmation", &by_id).starts_with("Hello Ann Smith"));
    // Inline, a new customer may say so too; someone who does not gets the business's.
    let inline = s
        .post(
            "/bookings",
            json!({"customer": {"name": "Bob Lee", "phone": "081200000012", "language": "en"},
                   "price": "500000", "event_at": "2026-11-23T11:00"}),
        )
        .expect(201);
    assert!(body_for(&s, "booking_confirmation", &inline).starts_with("Hello Bob Lee"));
    let plain = book(&s, "Citra", "081200000013", "2026-11-23T12:00", "pending");
    assert!(body_for(&s, "booking_confirmation", &plain).starts_with("Halo Citra"));

    // The H-1 reminders follow the same choice.
    travel(&t, &mut s, jkt(2026, 11, 22, 9, 0));
    run_due(&t.app).unwrap();
    assert!(
        body_for(&s, "reminder_h1", &by_id).contains("tomorrow, Monday, 23 November 2026 at 10:00")
    );
    assert!(
        body_for(&s, "reminder_h1", &plain).contains("besok, Senin, 23 November 2026 pukul 12:00")
    );

    // Back to the business's language.
    let ann = s.get(&format!("/customers/{}", id(&ann))).expect(200);
    let ann = s
        .put(
            &format!("/customers/{}", id(&ann)),
            json!({"version": ann["version"], "language": null}),
        )
        .expect(200);
    assert!(ann["language"].is_null());
    let again = s
        .post(
            "/bookings",
            json!({"customer_id": ann["id"], "price": "500000", "event_at": "2026-11-25T10:00"}),
        )
        .expect(201);
    assert!(body_for(&s, "booking_confirmation", &again).starts_with("Halo Ann Smith"));
}
