//! Messaging through the HTTP API: vehicles, templates, gateway settings,
//! the outbox and its sender against a stand-in gateway on 127.0.0.1 (Meta,
//! WAHA, Fonnte: exact requests, ids, 429/Retry-After, 5xx, 4xx, timeouts,
//! 401), the rules with a fixed clock (H-1 reminders across midnight and
//! after sleep, unpaid notices, maintenance spacing), the WhatsApp report
//! and the permission matrix of it all.

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use loket::kernel::auth::Role;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::standin::*;

// ---- helpers ----------------------------------------------------------------

fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// A booking with an event at a Jakarta wall-clock time.
fn book(s: &Server, name: &str, phone: &str, event_local: &str, payment: &str) -> Value {
    s.post(
        "/bookings",
        json!({"customer": customer(name, phone), "price": "3500000", "event_at": event_local,
               "payment_status": payment, "booking_status": "active"}),
    )
    .expect(201)
}

fn messages(s: &Server, query: &str) -> Vec<Value> {
    s.get(&format!("/messages?page_size=200&{query}"))
        .expect(200)["data"]
        .as_array()
        .unwrap()
        .clone()
}

fn flush(s: &Server) -> Value {
    s.post("/messages/flush", json!({})).expect(200)
}

fn set_gateway(s: &Server, body: Value) -> Value {
    s.put("/settings/gateway", body).expect(200)
}

fn meta(s: &Server, g: &StandIn) {
    set_gateway(
        s,
        json!({"kind": "meta", "base_url": g.url(), "token": "EAAG-secret-token-9876",
               "phone_number_id": "1055512345", "api_version": "v21.0"}),
    );
}

/// Jakarta wall-clock → UTC instant.
fn jkt(y: i32, m: u32, d: u32, h: u32, min: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap() - Duration::hours(7)
}

/// Moves the clock and logs in again (sessions last a working day).
fn travel(t: &TestApp, s: &mut Server, to: chrono::DateTime<Utc>) {
    t.set_now(to);
    s.login("admin", PASSWORD).expect(200);
}

fn kinds(list: &[Value]) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = list
        .iter()
        .map(|m| {
            (
                m["kind"].as_str().unwrap().to_owned(),
                m["to"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

// ---- vehicles -----------------------------------------------------------------

#[test]
fn vehicles_have_crud_normalised_plates_and_a_derived_next_service() {
    let t = TestApp::new();
    let s = t.serve();
    let c = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "081234567890"}),
        )
        .expect(201);
    let v = s
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Toyota Avanza", "plate_number": "b1234cd",
                   "year": 2019, "last_service_at": "2026-09-01", "service_interval_days": 90}),
        )
        .expect(201);
    assert_eq!(v["plate_number"], "B 1234 CD");
    assert_eq!(v["next_service_at"], "2026-11-30", "last service + 90 days");
    assert_eq!(v["customer_name"], "Budi Santoso");

    // The same plate in another spelling is the same vehicle.
    s.post(
        "/vehicles",
        json!({"customer_id": c["id"], "model": "Honda Jazz", "plate_number": "B-1234-CD"}),
    )
    .expect_error(422, "validation", Some("plate_number"));
    s.post(
        "/vehicles",
        json!({"customer_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb", "model": "X", "plate_number": "D 1 A"}),
    )
    .expect_error(422, "validation", Some("customer_id"));
    s.post(
        "/vehicles",
        json!({"customer_id": c["id"], "model": "X", "plate_number": "D 1 A", "year": 1800}),
    )
    .expect_error(422, "validation", Some("year"));
    let other = s
        .post(
            "/customers",
            json!({"name": "Wati", "phone": "081298765432"}),
        )
        .expect(201);
    let v2 = s
        .post(
            "/vehicles",
            json!({"customer_id": other["id"], "model": "Honda Beat", "plate_number": "d 4567 xyz",
                   "next_service_at": "2026-12-15"}),
        )
        .expect(201);
    assert_eq!(v2["plate_number"], "D 4567 XYZ");

    // Listed by customer; searched by plate in any spelling.
    let mine = s
        .get(&format!("/vehicles?customer_id={}", id(&c)))
        .expect(200);
    assert_eq!(ids(&mine), vec![id(&v)]);
    assert_eq!(ids(&s.get("/vehicles?q=B-1234").expect(200)), vec![id(&v)]);
    assert_eq!(ids(&s.get("/vehicles?q=4567xy").expect(200)), vec![id(&v2)]);
    assert_eq!(total(&s.get("/vehicles").expect(200)), 2);

    // A new last service moves the next one along.
    let moved = s
        .put(
            &format!("/vehicles/{}", id(&v)),
            json!({"last_service_at": "2026-11-20"}),
        )
        .expect(200);
    assert_eq!(moved["next_service_at"], "2027-02-18");
    let set = s
        .put(
            &format!("/vehicles/{}", id(&v)),
            json!({"next_service_at": "2027-01-05", "version": moved["version"]}),
        )
        .expect(200);
    assert_eq!(set["next_service_at"], "2027-01-05");
    s.put(
        &format!("/vehicles/{}", id(&v)),
        json!({"model": "Avanza Veloz", "version": moved["version"]}),
    )
    .expect_error(409, "conflict", None);

    s.delete(&format!("/vehicles/{}", id(&v))).expect(200);
    s.get(&format!("/vehicles/{}", id(&v)))
        .expect_error(404, "not_found", None);
    // Once deleted, its plate may be registered again.
    s.post(
        "/vehicles",
        json!({"customer_id": other["id"], "model": "Avanza", "plate_number": "B1234CD"}),
    )
    .expect(201);
}

// ---- templates ----------------------------------------------------------------

#[test]
fn templates_have_defaults_refuse_unknown_placeholders_and_preview() {
    let t = TestApp::new();
    let s = t.serve();
    let list = s.get("/templates").expect(200);
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        10,
        "5 kinds × 2 languages"
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

// ---- gateway settings ---------------------------------------------------------

#[test]
fn the_gateway_token_is_sealed_masked_and_kept() {
    let t = TestApp::new();
    let s = t.serve();
    let g = s.get("/settings/gateway").expect(200);
    assert_eq!(g["kind"], "log", "nothing leaves the machine by default");
    assert_eq!(g["token"], Value::Null);

    s.put("/settings/gateway", json!({"kind": "meta"}))
        .expect_error(422, "validation", Some("token"));
    s.put(
        "/settings/gateway",
        json!({"kind": "meta", "token": "EAAG-secret-token-9876"}),
    )
    .expect_error(422, "validation", Some("phone_number_id"));
    s.put(
        "/settings/gateway",
        json!({"kind": "waha", "base_url": "ftp://x"}),
    )
    .expect_error(422, "validation", Some("base_url"));
    let g = set_gateway(
        &s,
        json!({"kind": "meta", "token": "EAAG-secret-token-9876", "phone_number_id": "1055512345"}),
    );
    assert_eq!(g["token"], "••••9876");
    assert_eq!(g["base_url"], "https://graph.facebook.com");
    assert_eq!(g["api_version"], "v21.0");
    // A PUT without the token keeps it.
    let g = set_gateway(&s, json!({"api_version": "v22.0"}));
    assert_eq!(g["token"], "••••9876");
    assert_eq!(s.get("/settings/gateway").expect(200)["token"], "••••9876");

    // Neither the database nor the audit trail holds the token in the clear.
    let db = t.db();
    let stored: String = db
        .query_row(
            "SELECT value FROM settings WHERE key = 'gateway'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(!stored.contains("secret-token"), "{stored}");
    let audit: Vec<String> = db
        .prepare("SELECT coalesce(before_json,'') || coalesce(after_json,'') FROM audit_log")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(audit.iter().all(|a| !a.contains("secret-token")));

    // Only the admin sees or changes it.
    let manager = t.login_as(&s, "manajer", Role::Manager);
    manager
        .get("/settings/gateway")
        .expect_error(403, "forbidden", None);
    manager
        .post("/settings/gateway/test", json!({"to": "081234567890"}))
        .expect_error(403, "forbidden", None);
}

// ---- rules on booking creation ------------------------------------------------

#[test]
fn a_booking_queues_its_confirmation_and_a_service_booking_notifies_the_provider() {
    let t = TestApp::new();
    let s = t.serve();
    let b = book(
        &s,
        "Siti Aminah",
        "0812-1111-2222",
        "2026-11-25T14:00",
        "pending",
    );
    let queued = messages(&s, &format!("booking_id={}", id(&b)));
    assert_eq!(queued.len(), 1);
    let m = &queued[0];
    assert_eq!(m["kind"], "booking_confirmation");
    assert_eq!(m["status"], "queued");
    assert_eq!(m["to"], "6281211112222");
    assert_eq!(m["customer_id"], b["customer_id"]);
    assert_eq!(
        m["body"],
        format!(
            "Halo Siti Aminah, terima kasih telah booking di Loket. Kode booking Anda {}, jadwal Rabu, 25 November 2026 pukul 14:00. Total Rp 3.500.000.",
            b["code"].as_str().unwrap()
        )
    );

    // A service booking: the provider hears of it too.
    let service = s
        .post(
            "/services",
            json!({"name": "Makeup Wisuda", "duration_min": 60, "price": "750000"}),
        )
        .expect(201);
    let provider = s
        .post(
            "/providers",
            json!({"name": "Dewi MUA", "whatsapp_number": "0813-9999-0000", "latitude": -6.2,
                   "longitude": 106.8, "service_ids": [service["id"]]}),
        )
        .expect(201);
    let slot = s
        .post(
            "/slots",
            json!({"provider_id": provider["id"], "service_id": service["id"], "starts_at": "2026-11-26T09:00"}),
        )
        .expect(201);
    let sb = s
        .post(
            "/bookings",
            json!({"slot_id": slot["id"], "address": "Jl. Melati No. 5", "customer": customer("Ayu", "081355556666")}),
        )
        .expect(201);
    let queued = messages(&s, &format!("booking_id={}", id(&sb)));
    assert_eq!(
        kinds(&queued),
        vec![
            (
                "booking_confirmation".to_owned(),
                "6281355556666".to_owned()
            ),
            (
                "provider_notification".to_owned(),
                "6281399990000".to_owned()
            ),
        ]
    );
    let note = queued
        .iter()
        .find(|m| m["kind"] == "provider_notification")
        .unwrap();
    assert_eq!(
        note["body"],
        format!(
            "Halo Dewi MUA, ada booking baru {}: Makeup Wisuda untuk Ayu pada Kamis, 26 November 2026 pukul 09:00 di Jl. Melati No. 5.",
            sb["code"].as_str().unwrap()
        )
    );

    // Log-only (the default): delivered to the log, marked sent, not counted in the report.
    let d = flush(&s);
    assert_eq!(d["sent"], 3);
    let all = messages(&s, "");
    assert!(
        all.iter()
            .all(|m| m["status"] == "sent" && m["gateway"] == "log")
    );
    assert_eq!(total(&s.get("/whatsapp-report").expect(200)), 0);
    assert_eq!(flush(&s)["sent"], 0, "nothing is sent twice");
}

// ---- adapters -----------------------------------------------------------------

#[test]
fn meta_gets_the_documented_request_and_its_id_is_kept() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(meta_ok);
    meta(&s, &g);
    let b = book(&s, "Budi", "+62 812-3456-7890", "2026-11-25T14:00", "paid");
    let d = flush(&s);
    assert_eq!(d["sent"], 1, "{d}");

    let reqs = g.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/v21.0/1055512345/messages");
    assert_eq!(
        r.header("authorization"),
        Some("Bearer EAAG-secret-token-9876")
    );
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let m = &messages(&s, "")[0];
    assert_eq!(
        r.json(),
        json!({"messaging_product": "whatsapp", "to": "6281234567890", "type": "text",
               "text": {"body": m["body"]}})
    );
    assert_eq!(m["status"], "sent");
    assert_eq!(m["gateway"], "meta");
    assert_eq!(m["gateway_message_id"], "wamid.TEST1");
    assert_eq!(m["attempts"], 1);
    assert_eq!(m["sent_at"].as_str().unwrap(), "2026-11-22T03:00:00.000Z");

    // The report counts the send: the unit-less booking is the subject.
    let rep = s.get("/whatsapp-report").expect(200);
    assert_eq!(total(&rep), 1);
    assert_eq!(rep["data"][0]["subject_type"], "booking");
    assert_eq!(rep["data"][0]["subject_id"], b["id"]);
    assert_eq!(rep["data"][0]["frequency"], 1);
}

#[test]
fn meta_reminders_go_out_as_approved_templates_with_parameters() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(meta_ok);
    meta(&s, &g);
    set_gateway(
        &s,
        json!({"templates": {"reminder_h1": {"name": "pengingat_h1", "language": "id"},
                             "unpaid_h1": {"name": "belum_lunas", "language": "id",
                                           "parameters": ["customer_name", "amount"]}}}),
    );
    s.put(
        "/settings/gateway",
        json!({"templates": {"reminder_h1": {"name": "x", "language": "id", "parameters": ["nope"]}}}),
    )
    .expect_error(422, "validation", Some("templates.reminder_h1.parameters"));
    book(&s, "Budi", "081234567890", "2026-11-23T14:00", "dp");
    flush(&s); // the confirmation, as text
    g.clear();
    s.post("/jobs/reminders/run", json!({})).expect(200);
    assert_eq!(flush(&s)["sent"], 2);
    let reqs = g.requests();
    let by_name: HashMap<String, Value> = reqs
        .iter()
        .map(|r| {
            let j = r.json();
            (j["template"]["name"].as_str().unwrap().to_owned(), j)
        })
        .collect();
    assert_eq!(
        by_name["pengingat_h1"],
        json!({"messaging_product": "whatsapp", "to": "6281234567890", "type": "template",
               "template": {"name": "pengingat_h1", "language": {"code": "id"},
                 "components": [{"type": "body", "parameters": [
                    {"type": "text", "text": "Budi"},
                    {"type": "text", "text": "Senin, 23 November 2026"},
                    {"type": "text", "text": "14:00"},
                    {"type": "text", "text": by_name["pengingat_h1"]["template"]["components"][0]["parameters"][3]["text"]},
                    {"type": "text", "text": "Loket"}]}]}})
    );
    assert!(
        by_name["pengingat_h1"]["template"]["components"][0]["parameters"][3]["text"]
            .as_str()
            .unwrap()
            .starts_with("BK-2026-")
    );
    assert_eq!(
        by_name["belum_lunas"]["template"]["components"][0]["parameters"],
        json!([{"type": "text", "text": "Budi"}, {"type": "text", "text": "Rp 3.500.000"}])
    );
}

#[test]
fn waha_gets_a_chat_id_and_the_api_key() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(waha_ok);
    set_gateway(
        &s,
        json!({"kind": "waha", "base_url": format!("{}/", g.url()), "token": "waha-key-1234", "session": "toko"}),
    );
    book(&s, "Budi", "0812 3456 7890", "2026-11-25T14:00", "paid");
    assert_eq!(flush(&s)["sent"], 1);
    let r = &g.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/api/sendText");
    assert_eq!(r.header("x-api-key"), Some("waha-key-1234"));
    let m = &messages(&s, "")[0];
    assert_eq!(
        r.json(),
        json!({"session": "toko", "chatId": "6281234567890@c.us", "text": m["body"]})
    );
    assert_eq!(m["gateway_message_id"], "true_628@c.us_WAHA1");

    // The test button: one message now, the outcome in the answer.
    let test = s
        .post("/settings/gateway/test", json!({"to": "0813-1111-2222"}))
        .expect(200);
    assert_eq!(test["status"], "sent", "{test}");
    assert_eq!(test["gateway"], "waha");
    assert_eq!(test["gateway_message_id"], "true_628@c.us_WAHA2");
    assert_eq!(g.requests()[1].json()["chatId"], "6281311112222@c.us");
    s.post("/settings/gateway/test", json!({"to": "12"}))
        .expect_error(422, "validation", Some("to"));
}

#[test]
fn fonnte_gets_a_form_and_its_refusals_are_final() {
    let t = TestApp::new();
    let mut s = t.serve();
    let g = StandIn::start(fonnte_ok);
    set_gateway(
        &s,
        json!({"kind": "fonnte", "base_url": g.url(), "token": "fonnte-tok-5555"}),
    );
    assert_eq!(
        s.get("/settings/gateway").expect(200)["base_url"],
        g.url(),
        "given base URL kept"
    );
    book(&s, "Budi", "081234567890", "2026-11-25T14:00", "paid");
    assert_eq!(flush(&s)["sent"], 1);
    let r = &g.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/send");
    assert_eq!(
        r.header("authorization"),
        Some("fonnte-tok-5555"),
        "no Bearer"
    );
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let form = r.form();
    let m = &messages(&s, "")[0];
    assert_eq!(form["target"], "6281234567890");
    assert_eq!(form["message"], m["body"].as_str().unwrap());
    assert_eq!(form.len(), 2);
    assert_eq!(m["gateway_message_id"], "80000001");

    // {"status": false, "reason": …}: failed with the reason, never retried.
    g.push(Scripted::json(
        200,
        json!({"status": false, "reason": "target invalid"}),
    ));
    let b = book(&s, "Wati", "081298765432", "2026-11-25T15:00", "paid");
    let d = flush(&s);
    assert_eq!(
        (d["sent"].as_u64(), d["failed"].as_u64()),
        (Some(0), Some(1))
    );
    let m = &messages(&s, &format!("booking_id={}", id(&b)))[0];
    assert_eq!(m["status"], "failed");
    assert_eq!(m["last_error"], "Fonnte: target invalid");
    travel(&t, &mut s, default_now() + Duration::hours(5));
    flush(&s);
    assert_eq!(g.count(), 2, "a refused message is not tried again");

    // Resent by hand: a new attempt.
    let again = s
        .post(&format!("/messages/{}/resend", id(m)), json!({}))
        .expect(200);
    assert_eq!(again["status"], "queued");
    assert_eq!(flush(&s)["sent"], 1);
    let m = &messages(&s, &format!("booking_id={}", id(&b)))[0];
    assert_eq!(
        (m["status"].as_str(), m["attempts"].as_i64()),
        (Some("sent"), Some(2))
    );
    s.post(&format!("/messages/{}/resend", id(m)), json!({}))
        .expect_error(409, "conflict", None);
    s.post(&format!("/messages/{}/cancel", id(m)), json!({}))
        .expect_error(409, "conflict", None);
}

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
    let wait = next.with_timezone(&Utc) - t.clock_now();
    assert!(
        (24..=36).contains(&wait.num_seconds()),
        "first backoff ~30 s, got {wait}"
    );
    travel(&t, &mut s, t.clock_now() + Duration::seconds(37));
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
    travel(&t, &mut s, t.clock_now() + Duration::minutes(5));
    assert_eq!(flush(&s)["failed"], 1);
    let m = &messages(&s, &format!("booking_id={}", id(&b3)))[0];
    assert_eq!(m["status"], "failed");
    assert_eq!(m["last_error"], "Meta 400: (100) Invalid parameter");

    // Always 503: five attempts, then failed.
    g.set_default(|_, _| Scripted::json(503, json!({"error": {"message": "down"}})));
    let b4 = book(&s, "Dedi", "081266667777", "2026-11-25T17:00", "paid");
    for _ in 0..6 {
        flush(&s);
        travel(&t, &mut s, t.clock_now() + Duration::hours(2));
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
    let started = std::time::Instant::now();
    let d = flush(&s);
    assert!(started.elapsed() < std::time::Duration::from_millis(2900));
    assert_eq!(d["retrying"], 1, "{d}");
    let m = &messages(&s, "")[0];
    assert_eq!(m["status"], "queued");
    assert_eq!(m["last_error"], "the gateway did not answer in time");
    travel(&t, &mut s, t.clock_now() + Duration::minutes(1));
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
    let quiet = loket::messaging::sender::deliver_due(&t.app, None, false).unwrap();
    assert_eq!(quiet.sent + quiet.failed + quiet.retrying, 0);
    assert_eq!(g.count(), 1);

    // A new token: the pause lifts and everything goes.
    g.set_default(meta_ok);
    let fixed = set_gateway(&s, json!({"token": "EAAG-new-token-1111"}));
    assert_eq!(fixed["auth_error"], Value::Null);
    let d = loket::messaging::sender::deliver_due(&t.app, None, false).unwrap();
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

// ---- the outbox ---------------------------------------------------------------

#[test]
fn concurrent_senders_never_send_a_message_twice() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(|r, n| {
        let _ = r;
        waha_ok(r, n).delayed(std::time::Duration::from_millis(5))
    });
    set_gateway(&s, json!({"kind": "waha", "base_url": g.url()}));
    for i in 0..30 {
        book(
            &s,
            "Pelanggan",
            &format!("0812000010{i:02}"),
            "2026-11-25T14:00",
            "paid",
        );
    }
    let threads: Vec<_> = (0..3)
        .map(|_| {
            let app = t.app.clone();
            std::thread::spawn(move || {
                loket::messaging::sender::deliver_due(&app, None, true).unwrap()
            })
        })
        .collect();
    let sent: u32 = threads.into_iter().map(|h| h.join().unwrap().sent).sum();
    assert_eq!(sent, 30);
    let mut targets: Vec<String> = g
        .requests()
        .iter()
        .map(|r| r.json()["chatId"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(targets.len(), 30);
    targets.sort();
    targets.dedup();
    assert_eq!(targets.len(), 30, "every message exactly once");
}

#[test]
fn a_message_left_sending_becomes_unknown_at_start_and_is_resent_only_by_hand() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(fonnte_ok);
    set_gateway(
        &s,
        json!({"kind": "fonnte", "base_url": g.url(), "token": "tok-12345"}),
    );
    let b = book(&s, "Budi", "081234567890", "2026-11-25T14:00", "paid");
    let b2 = book(&s, "Wati", "081298765432", "2026-11-25T15:00", "paid");
    // A crash between "sending" and "sent".
    {
        let w = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
        w.execute(
            "UPDATE messages SET status = 'sending', attempts = 1 WHERE booking_id = ?1",
            [b["id"].as_str().unwrap()],
        )
        .unwrap();
    }
    assert_eq!(
        loket::messaging::sender::recover_interrupted(&t.app).unwrap(),
        1
    );
    let m = &messages(&s, &format!("booking_id={}", id(&b)))[0];
    assert_eq!(m["status"], "unknown");
    assert!(m["last_error"].as_str().unwrap().contains("may or may not"));
    assert_eq!(flush(&s)["sent"], 1, "only the other one");
    assert_eq!(g.count(), 1);
    assert_eq!(
        g.requests()[0].form()["message"],
        messages(&s, &format!("booking_id={}", id(&b2)))[0]["body"]
            .as_str()
            .unwrap()
    );
    // Staff decide: resend (a new attempt) or cancel.
    let front = t.login_as(&s, "depan", Role::FrontDesk);
    front
        .post(&format!("/messages/{}/resend", id(m)), json!({}))
        .expect(200);
    assert_eq!(flush(&s)["sent"], 1);
    let m = &messages(&s, &format!("booking_id={}", id(&b)))[0];
    assert_eq!(
        (m["status"].as_str(), m["attempts"].as_i64()),
        (Some("sent"), Some(2))
    );

    // Cancel: a queued message never goes.
    let b3 = book(&s, "Ani", "081277778888", "2026-11-25T16:00", "paid");
    let q = &messages(&s, &format!("booking_id={}", id(&b3)))[0];
    let sales = t.login_as(&s, "sales", Role::Sales);
    sales
        .post(&format!("/messages/{}/cancel", id(q)), json!({}))
        .expect_error(403, "forbidden", None);
    assert_eq!(
        sales.get("/messages").status,
        200,
        "every role reads the log"
    );
    front
        .post(&format!("/messages/{}/cancel", id(q)), json!({}))
        .expect(200);
    assert_eq!(flush(&s)["sent"], 0);
    assert_eq!(messages(&s, "status=canceled").len(), 1);
    assert_eq!(messages(&s, "status=sent").len(), 2);
    assert_eq!(messages(&s, "kind=booking_confirmation").len(), 3);
    assert_eq!(
        messages(
            &s,
            &format!("customer_id={}", b3["customer_id"].as_str().unwrap())
        )
        .len(),
        1
    );
}

// ---- rules over time ----------------------------------------------------------

#[test]
fn reminders_fire_once_on_the_right_local_day_across_midnight_and_after_sleep() {
    // Start: Sunday 2026-11-22 08:00 in Jakarta, before the reminder hour.
    let t = TestApp::at(jkt(2026, 11, 22, 8, 0));
    let mut s = t.serve();
    let run = |t: &TestApp| loket::jobs::run_due(&t.app).unwrap();
    let reminders = |s: &Server| {
        let mut v = messages(s, "kind=reminder_h1");
        v.extend(messages(s, "kind=unpaid_h1"));
        v
    };
    let a = book(&s, "Ani", "081200000001", "2026-11-23T14:00", "pending"); // Monday, unpaid
    let b = book(&s, "Budi", "081200000002", "2026-11-24T10:00", "paid"); // Tuesday, paid
    // 00:30 on Tuesday in Jakarta is still Monday in UTC.
    let c = book(&s, "Citra", "081200000003", "2026-11-24T00:30", "dp");
    let d = book(&s, "Dedi", "081200000004", "2026-11-26T11:00", "paid"); // Thursday
    let canceled = book(&s, "Eko", "081200000005", "2026-11-23T09:00", "pending");
    s.delete(&format!("/bookings/{}", id(&canceled)))
        .expect(200);

    // 08:00: the day's first start catches up yesterday's 09:00 run (events
    // on Sunday: none left) — nothing for Monday yet.
    run(&t);
    assert!(reminders(&s).is_empty());
    travel(&t, &mut s, jkt(2026, 11, 22, 8, 59));
    run(&t);
    assert!(reminders(&s).is_empty(), "not before the reminder hour");

    // 09:00 Sunday: Monday's events (A, reminder + unpaid notice).
    travel(&t, &mut s, jkt(2026, 11, 22, 9, 0));
    let ran = run(&t);
    assert_eq!(
        ran.iter().find(|r| r.name == "reminders").unwrap().result,
        "queued 1 reminders, 1 unpaid notices"
    );
    let r = reminders(&s);
    assert_eq!(
        kinds(&r),
        vec![
            ("reminder_h1".to_owned(), "6281200000001".to_owned()),
            ("unpaid_h1".to_owned(), "6281200000001".to_owned()),
        ]
    );
    assert!(
        r[0]["body"]
            .as_str()
            .unwrap()
            .contains("besok, Senin, 23 November 2026 pukul 14:00")
    );

    // Later that day, across midnight, early Monday: nothing new.
    for at in [
        jkt(2026, 11, 22, 23, 59),
        jkt(2026, 11, 23, 0, 1),
        jkt(2026, 11, 23, 8, 59),
    ] {
        travel(&t, &mut s, at);
        run(&t);
        assert_eq!(reminders(&s).len(), 2, "at {at}");
    }
    // A manual run the same day changes nothing either: one per booking and day.
    travel(&t, &mut s, jkt(2026, 11, 22, 20, 0));
    s.post("/jobs/reminders/run", json!({})).expect(200);
    assert_eq!(reminders(&s).len(), 2);

    // 09:00 Monday: Tuesday's events — B (paid: no notice) and C (local Tuesday 00:30).
    travel(&t, &mut s, jkt(2026, 11, 23, 9, 0));
    run(&t);
    let r = reminders(&s);
    assert_eq!(r.len(), 5);
    let for_booking = |bk: &Value| {
        r.iter()
            .filter(|m| m["booking_id"] == bk["id"])
            .map(|m| m["kind"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(for_booking(&b), vec!["reminder_h1"]);
    let mut ck = for_booking(&c);
    ck.sort();
    assert_eq!(ck, vec!["reminder_h1", "unpaid_h1"], "dp is not paid");
    assert_eq!(for_booking(&a).len(), 2, "A still only once");
    assert!(for_booking(&canceled).is_empty());

    // The laptop sleeps through Tuesday 09:00 and wakes Wednesday 15:00:
    // one catch-up run, for Thursday's events (D).
    travel(&t, &mut s, jkt(2026, 11, 25, 15, 0));
    let ran = run(&t);
    assert_eq!(ran.iter().filter(|r| r.name == "reminders").count(), 1);
    assert_eq!(for_booking_of(&reminders(&s), &d), vec!["reminder_h1"]);
    assert!(run(&t).is_empty(), "caught up");

    // The jobs list shows each job's schedule and last run.
    let jobs = s.get("/jobs").expect(200);
    let rem = jobs["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["name"] == "reminders")
        .unwrap()
        .clone();
    assert_eq!(rem["schedule"], "daily at 09:00");
    assert_eq!(rem["last_run_at"], "2026-11-25T08:00:00.000Z");
    assert_eq!(rem["next_run_at"], "2026-11-26T02:00:00.000Z");
    assert_eq!(rem["last_result"], "queued 1 reminders, 0 unpaid notices");
}

#[test]
fn messages_about_a_booking_canceled_or_paid_before_they_go_out_are_not_sent() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(waha_ok);
    set_gateway(&s, json!({"kind": "waha", "base_url": g.url()}));
    let a = book(&s, "Ani", "081200000001", "2026-11-23T14:00", "pending");
    let b = book(&s, "Budi", "081200000002", "2026-11-23T15:00", "dp");
    s.post("/jobs/reminders/run", json!({})).expect(200);
    assert_eq!(messages(&s, "status=queued").len(), 2 + 2 + 2);
    // Before the sender runs: A is canceled, B paid in full.
    s.delete(&format!("/bookings/{}", id(&a))).expect(200);
    s.put(
        &format!("/bookings/{}", id(&b)),
        json!({"payment_status": "paid"}),
    )
    .expect(200);
    assert_eq!(flush(&s)["sent"], 2, "B's confirmation and reminder");
    let canceled = messages(&s, "status=canceled");
    assert_eq!(canceled.len(), 4);
    let mut why: Vec<String> = canceled
        .iter()
        .map(|m| {
            format!(
                "{} {}",
                m["kind"].as_str().unwrap(),
                m["last_error"].as_str().unwrap()
            )
        })
        .collect();
    why.sort();
    assert_eq!(
        why,
        vec![
            "booking_confirmation not sent: the booking changed before it went out (canceled)",
            "reminder_h1 not sent: the booking changed before it went out (canceled)",
            "unpaid_h1 not sent: the booking changed before it went out (canceled)",
            "unpaid_h1 not sent: the booking changed before it went out (paid)",
        ]
    );
    assert_eq!(g.count(), 2);
}

fn for_booking_of(list: &[Value], bk: &Value) -> Vec<String> {
    list.iter()
        .filter(|m| m["booking_id"] == bk["id"])
        .map(|m| m["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_reminder_hour_is_a_setting() {
    let t = TestApp::at(jkt(2026, 11, 22, 7, 0));
    let mut s = t.serve();
    s.put("/settings", json!({"reminder_hour": 24}))
        .expect_error(422, "validation", Some("reminder_hour"));
    s.put(
        "/settings",
        json!({"reminder_hour": 7, "message_language": "en"}),
    )
    .expect(200);
    loket::jobs::run_due(&t.app).unwrap();
    book(&s, "Ani", "081200000001", "2026-11-23T14:00", "paid");
    travel(&t, &mut s, jkt(2026, 11, 22, 7, 30));
    s.post("/jobs/reminders/run", json!({})).expect(200);
    let r = messages(&s, "kind=reminder_h1");
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["language"], "en");
    assert!(r[0]["body"].as_str().unwrap().starts_with(
        "Hello Ani, a reminder of your appointment tomorrow, Monday, 23 November 2026 at 14:00"
    ));
    let jobs = s.get("/jobs").expect(200);
    assert!(
        jobs["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|j| j["name"] == "maintenance_reminders" && j["schedule"] == "daily at 07:00")
    );
}

#[test]
fn maintenance_reminders_respect_the_window_and_the_spacing() {
    let t = TestApp::at(jkt(2026, 11, 22, 10, 0));
    let mut s = t.serve();
    let c = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "081234567890"}),
        )
        .expect(201);
    let v1 = s
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Toyota Avanza", "plate_number": "B 1234 CD",
                   "next_service_at": "2026-11-25"}),
        )
        .expect(201);
    let v2 = s
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Honda Beat", "plate_number": "B 5678 EF",
                   "next_service_at": "2026-12-15"}),
        )
        .expect(201);
    let maint = |s: &Server, v: &Value| messages(s, &format!("vehicle_id={}", id(v))).len();
    let run = |s: &Server| {
        s.post("/jobs/maintenance_reminders/run", json!({}))
            .expect(200)["result"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(run(&s), "queued 1 maintenance reminders");
    assert_eq!((maint(&s, &v1), maint(&s, &v2)), (1, 0));
    let m = &messages(&s, "kind=maintenance_reminder")[0];
    assert_eq!(
        m["body"],
        "Halo Budi Santoso, kendaraan Toyota Avanza (B 1234 CD) Anda dijadwalkan servis pada Rabu, 25 November 2026. Hubungi Loket untuk booking servis."
    );
    assert_eq!(
        run(&s),
        "queued 0 maintenance reminders",
        "same day: nothing"
    );

    // 18 days on: v1 is overdue but was reminded 18 days ago (spacing 30); v2 is now within 7 days.
    travel(&t, &mut s, jkt(2026, 12, 10, 10, 0));
    run(&s);
    assert_eq!((maint(&s, &v1), maint(&s, &v2)), (1, 1));
    // 31 days after the first: v1 again; v2 only 13 days after its own.
    travel(&t, &mut s, jkt(2026, 12, 23, 10, 0));
    run(&s);
    assert_eq!((maint(&s, &v1), maint(&s, &v2)), (2, 1));
    // A serviced vehicle leaves the rule.
    s.put(
        &format!("/vehicles/{}", id(&v1)),
        json!({"last_service_at": "2026-12-23", "service_interval_days": 180}),
    )
    .expect(200);
    travel(&t, &mut s, jkt(2027, 2, 1, 10, 0));
    run(&s);
    assert_eq!(maint(&s, &v1), 2);

    // The window and spacing are settings.
    s.put("/settings", json!({"maintenance_spacing_days": 0}))
        .expect_error(422, "validation", Some("maintenance_spacing_days"));
    s.put(
        "/settings",
        json!({"maintenance_window_days": 200, "maintenance_spacing_days": 1}),
    )
    .expect(200);
    travel(&t, &mut s, jkt(2027, 2, 2, 10, 0));
    run(&s);
    assert_eq!(
        maint(&s, &v1),
        3,
        "next service 2027-06-21 is within 200 days"
    );
}

// ---- the WhatsApp report ------------------------------------------------------

#[test]
fn the_report_counts_successful_sends_per_customer_and_subject() {
    let t = TestApp::at(jkt(2026, 11, 22, 10, 0));
    let mut s = t.serve();
    let g = StandIn::start(fonnte_ok);
    set_gateway(
        &s,
        json!({"kind": "fonnte", "base_url": g.url(), "token": "tok-12345"}),
    );
    let budi = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "081234567890"}),
        )
        .expect(201);
    let avanza = s
        .post(
            "/vehicles",
            json!({"customer_id": budi["id"], "model": "Toyota Avanza", "plate_number": "b1234cd",
                   "next_service_at": "2026-11-25"}),
        )
        .expect(201);
    s.put("/settings", json!({"maintenance_spacing_days": 1}))
        .expect(200);
    s.post("/jobs/maintenance_reminders/run", json!({}))
        .expect(200);
    // A failed send does not count.
    g.push(Scripted::json(
        200,
        json!({"status": false, "reason": "insufficient quota"}),
    ));
    assert_eq!(flush(&s)["failed"], 1);
    assert_eq!(total(&s.get("/whatsapp-report").expect(200)), 0);
    let failed = &messages(&s, "status=failed")[0];
    s.post(&format!("/messages/{}/resend", id(failed)), json!({}))
        .expect(200);
    travel(&t, &mut s, jkt(2026, 11, 22, 11, 0));
    assert_eq!(flush(&s)["sent"], 1);
    travel(&t, &mut s, jkt(2026, 11, 23, 12, 0));
    s.post("/jobs/maintenance_reminders/run", json!({}))
        .expect(200);
    assert_eq!(flush(&s)["sent"], 1);
    // A unit booking: the unit is the subject.
    let unit = create_unit(&s, 450_000_000);
    s.post(
        "/bookings",
        json!({"unit_id": unit["id"], "customer_id": budi["id"]}),
    )
    .expect(201);
    assert_eq!(flush(&s)["sent"], 1);

    let detail = s
        .get(&format!("/whatsapp-report/customer/{}", id(&budi)))
        .expect(200);
    assert_eq!(total(&detail), 2);
    let car = detail["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_type"] == "vehicle")
        .unwrap()
        .clone();
    assert_eq!(car["frequency"], 2);
    assert_eq!(car["last_message_date"], "2026-11-23T05:00:00.000Z");
    assert_eq!(car["customer_name"], "Budi Santoso");
    assert_eq!(car["customer_phone"], "6281234567890");
    assert_eq!(car["subject_label"], "Toyota Avanza B 1234 CD");
    assert_eq!(car["plate_number"], "B 1234 CD");
    let one = s
        .get(&format!(
            "/whatsapp-report/customer/{}/subject/{}",
            id(&budi),
            id(&avanza)
        ))
        .expect(200);
    assert_eq!(one["frequency"], 2);
    assert_eq!(one["created_at"], "2026-11-22T04:00:00.000Z");
    let u = detail["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_type"] == "unit")
        .unwrap()
        .clone();
    assert_eq!(u["subject_label"], unit["code"]);
    assert_eq!(total(&s.get("/whatsapp-report/detail").expect(200)), 2);

    let st = s.get("/whatsapp-report/statistics").expect(200);
    assert_eq!(
        st,
        json!({"total_customers_with_vehicles": 2, "total_messages_sent": 3,
               "average_messages_per_customer": 1.5, "customers_by_frequency": {"1": 1, "2": 1}})
    );

    // Reset for one customer, then delete a row.
    let marketing = t.login_as(&s, "pemasaran", Role::Marketing);
    assert_eq!(marketing.get("/whatsapp-report/statistics").status, 200);
    marketing
        .post("/whatsapp-report/reset-frequency", json!({}))
        .expect_error(403, "forbidden", None);
    t.login_as(&s, "depan", Role::FrontDesk)
        .get("/whatsapp-report")
        .expect_error(403, "forbidden", None);
    let reset = s
        .post(
            &format!("/whatsapp-report/reset-frequency?customer_id={}", id(&budi)),
            json!({}),
        )
        .expect(200);
    assert_eq!(reset["count"], 2);
    assert!(reset["message"].as_str().unwrap().contains("2 report"));
    assert_eq!(
        s.get("/whatsapp-report/statistics").expect(200)["total_messages_sent"],
        0
    );
    s.delete(&format!("/whatsapp-report/{}", id(&car)))
        .expect(200);
    s.delete(&format!("/whatsapp-report/{}", id(&car)))
        .expect_error(404, "not_found", None);
    s.get(&format!(
        "/whatsapp-report/customer/{}/subject/{}",
        id(&budi),
        id(&avanza)
    ))
    .expect_error(404, "not_found", None);
    let all = s
        .post("/whatsapp-report/reset-frequency", json!({}))
        .expect(200);
    assert_eq!(all["count"], 1);
}

#[test]
fn a_report_that_cannot_be_updated_never_stops_sending() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(waha_ok);
    set_gateway(&s, json!({"kind": "waha", "base_url": g.url()}));
    {
        let w = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
        w.execute_batch(
            "CREATE TRIGGER report_broken BEFORE INSERT ON whatsapp_report
             BEGIN SELECT RAISE(ABORT, 'report table is broken'); END;",
        )
        .unwrap();
    }
    book(&s, "Budi", "081234567890", "2026-11-25T14:00", "paid");
    book(&s, "Wati", "081298765432", "2026-11-25T15:00", "paid");
    assert_eq!(flush(&s)["sent"], 2);
    assert!(messages(&s, "").iter().all(|m| m["status"] == "sent"));
    assert_eq!(total(&s.get("/whatsapp-report").expect(200)), 0);
}

#[test]
fn the_statistics_of_a_known_data_set() {
    let t = TestApp::new();
    let s = t.serve();
    // 125 customer + vehicle pairs, 487 messages: 112 pairs × 4 and 13 × 3.
    {
        let w = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
        let tx = w.unchecked_transaction().unwrap();
        for i in 0..125u32 {
            let c = loket::kernel::types::CustomerId::new().to_string();
            tx.execute(
                "INSERT INTO customers (id, code, name, name_key, phone, created_at, updated_at)
                 VALUES (?1, ?2, 'Pelanggan', 'pelanggan', ?3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                (&c, format!("CS-{i:06}"), format!("62812000{i:05}")),
            )
            .unwrap();
            tx.execute(
                "INSERT INTO whatsapp_report (id, customer_id, subject_type, subject_id, frequency,
                    last_message_date, created_at, updated_at)
                 VALUES (?1, ?2, 'vehicle', ?3, ?4, '2026-11-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')",
                (
                    loket::kernel::types::ReportId::new().to_string(),
                    &c,
                    loket::kernel::types::VehicleId::new().to_string(),
                    if i < 112 { 4 } else { 3 },
                ),
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    assert_eq!(
        s.get("/whatsapp-report/statistics").expect(200),
        json!({"total_customers_with_vehicles": 125, "total_messages_sent": 487,
               "average_messages_per_customer": 3.9, "customers_by_frequency": {"3": 13, "4": 112}})
    );
    let page = s.get("/whatsapp-report?page_size=10").expect(200);
    assert_eq!(total(&page), 125);
    assert_eq!(page["data"].as_array().unwrap().len(), 10);
}

// ---- jobs and permissions -----------------------------------------------------

#[test]
fn jobs_are_listed_and_run_by_hand_with_their_permissions() {
    let t = TestApp::new();
    let s = t.serve();
    let jobs = s.get("/jobs").expect(200);
    let names: Vec<&str> = jobs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "booking_expiry",
            "priority_recalculation",
            "reminders",
            "maintenance_reminders"
        ]
    );
    assert!(
        jobs["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["last_run_at"].is_null())
    );
    for name in [
        "priority_recalculation",
        "booking_expiry",
        "reminders",
        "maintenance_reminders",
    ] {
        let r = s.post(&format!("/jobs/{name}/run"), json!({})).expect(200);
        assert_eq!(r["name"], name);
    }
    s.post("/jobs/nope/run", json!({}))
        .expect_error(404, "not_found", None);
    let jobs = s.get("/jobs").expect(200);
    assert!(
        jobs["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["last_run_at"] == "2026-11-22T03:00:00.000Z")
    );

    let front = t.login_as(&s, "depan", Role::FrontDesk);
    assert_eq!(front.get("/jobs").status, 200);
    front
        .post("/jobs/reminders/run", json!({}))
        .expect_error(403, "forbidden", None);
    front.post("/messages/flush", json!({})).expect(200);
    let manager = t.login_as(&s, "manajer", Role::Manager);
    manager.post("/jobs/reminders/run", json!({})).expect(200);
    // Anonymous: 401 before the input is even read.
    Server::new(s.addr)
        .post("/jobs/reminders/run", json!({"bad": true}))
        .expect_error(401, "unauthorized", None);
    // The ops endpoint (the UI's browser transport) runs tasks by name too.
    let by_name = s
        .post("/ops/jobs.run", json!({"name": "reminders"}))
        .expect(200);
    assert_eq!(by_name["name"], "reminders");
    assert_eq!(t.call("messages.flush", json!({})).unwrap()["sent"], 0);
}

#[test]
fn the_permission_matrix_of_messaging() {
    use Role::*;
    use loket::Permission as P;
    let table: &[(P, &[Role])] = &[
        (P::MessagingConfigure, &[Admin]),
        (
            P::MessagesRead,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (P::MessagesManage, &[Admin, Manager, FrontDesk]),
        (P::ReportRead, &[Admin, Manager, Marketing]),
        (P::ReportManage, &[Admin, Manager]),
        (P::JobsRun, &[Admin, Manager]),
    ];
    for (p, allowed) in table {
        for role in Role::ALL {
            assert_eq!(role.allows(*p), allowed.contains(&role), "{role:?} / {p:?}");
        }
    }
    // Vehicles follow customers.
    let t = TestApp::new();
    let s = t.serve();
    let c = s
        .post(
            "/customers",
            json!({"name": "Budi", "phone": "081234567890"}),
        )
        .expect(201);
    let sales = t.login_as(&s, "sales", Role::Sales);
    let v = sales
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Avanza", "plate_number": "B 1 A"}),
        )
        .expect(201);
    sales
        .delete(&format!("/vehicles/{}", id(&v)))
        .expect_error(403, "forbidden", None);
    t.login_as(&s, "manajer", Role::Manager)
        .delete(&format!("/vehicles/{}", id(&v)))
        .expect(200);
}

trait ClockNow {
    fn clock_now(&self) -> chrono::DateTime<Utc>;
}

impl ClockNow for TestApp {
    fn clock_now(&self) -> chrono::DateTime<Utc> {
        use loket::kernel::clock::Clock;
        self.clock.now()
    }
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
    loket::jobs::run_due(&t.app).unwrap();
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
