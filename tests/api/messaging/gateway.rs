//! The gateway: its token sealed and masked, and what each adapter (Meta, WAHA,
//! Fonnte) sends to a stand-in on 127.0.0.1 and keeps from its answer.

use std::collections::HashMap;

use chrono::Duration;
use serde_json::{Value, json};

use super::*;

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
    // A gateway may not take longer than the server gives a request (60 s).
    s.put("/settings/gateway", json!({"timeout_secs": 46}))
        .expect_error(422, "validation", Some("timeout_secs"));
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
fn a_stored_token_is_not_sent_to_a_new_address_unless_given_again() {
    let t = TestApp::new();
    let s = t.serve();
    set_gateway(
        &s,
        json!({"kind": "waha", "base_url": "https://wa.example.id", "token": "waha-key-1234"}),
    );
    // Another host, or another gateway (another default host), without the
    // token: refused, naming the token; nothing changed.
    s.put(
        "/settings/gateway",
        json!({"base_url": "https://attacker.example"}),
    )
    .expect_error(422, "validation", Some("token"));
    s.put("/settings/gateway", json!({"kind": "fonnte"}))
        .expect_error(422, "validation", Some("token"));
    let g = s.get("/settings/gateway").expect(200);
    assert_eq!(g["base_url"], "https://wa.example.id");
    // The same address (a trailing slash is the same) keeps the token.
    let g = set_gateway(
        &s,
        json!({"base_url": "https://wa.example.id/", "session": "toko"}),
    );
    assert_eq!(g["token"], "••••1234");
    // With the token given again, the address changes.
    let g = set_gateway(
        &s,
        json!({"base_url": "https://wa2.example.id", "token": "waha-key-5678"}),
    );
    assert_eq!(g["base_url"], "https://wa2.example.id");
    assert_eq!(g["token"], "••••5678");
    // Logging only sends nothing anywhere: no token needed to switch to it.
    assert_eq!(set_gateway(&s, json!({"kind": "log"}))["kind"], "log");
}
