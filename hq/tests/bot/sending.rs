//! What the bot queued reaches the customer through head office's gateway:
//! a stand-in Meta Cloud API on 127.0.0.1 records each call. Head office's
//! gateway settings take the desk's body and rules, and keep the token
//! sealed and masked.

use std::time::Duration;

use serde_json::{Value, json};

use super::support::*;
use super::{CUSTOMER, enable_bot, meta_body_from, meta_send, text, wait_until};

const META_TOKEN: &str = "meta-access-token-0004";
const PHONE_NUMBER_ID: &str = "106540352242922";

/// Head office's gateway: the stand-in, as Meta.
fn use_meta_at(admin: &Client, gateway: &StubGateway) -> Value {
    admin
        .put(
            "/api/v1/settings/gateway",
            json!({"kind": "meta", "base_url": gateway.url, "token": META_TOKEN,
                   "phone_number_id": PHONE_NUMBER_ID}),
        )
        .expect(200)
}

/// Each reply's status, gateway id and error, oldest first.
fn replies(hq: &Hq) -> Vec<Value> {
    hq.json(
        "SELECT coalesce(json_agg(json_build_object('to', to_phone, 'text', text, 'status', status,
                    'attempts', attempts, 'id', gateway_message_id, 'error', last_error,
                    'wait_s', extract(epoch FROM next_attempt_at - now())) ORDER BY id), '[]')
         FROM hq_outbox",
    )
    .as_array()
    .expect("rows")
    .clone()
}

/// Meta's status callback for one sent message.
fn status_callback(id: &str, status: &str) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": PHONE_NUMBER_ID},
            "statuses": [{"id": id, "status": status, "timestamp": "1764640100",
                          "recipient_id": CUSTOMER}]
        }}]}]
    }))
    .expect("body")
}

/// The greeting goes out as Meta's text message, with the token, to the
/// customer; Meta's status callbacks then move it to delivered and read,
/// never back. The token is masked when read back and sealed in the table.
#[test]
fn a_reply_is_sent_through_meta_once_and_its_status_follows_metas_callbacks() {
    let hq = Hq::start();
    let admin = hq.admin();
    let gateway = StubGateway::start(vec![]);
    let shown = use_meta_at(&admin, &gateway);
    assert_eq!(shown["kind"], "meta");
    assert_eq!(shown["token"], "••••0004", "{shown}");
    let stored = hq.json("SELECT stored::text FROM gateway_settings");
    assert!(
        !stored.to_string().contains(META_TOKEN),
        "the token is sealed at rest: {stored}"
    );
    enable_bot(&admin);

    let hello = meta_body_from(CUSTOMER, "wamid.s1", text("halo"));
    assert_eq!(meta_send(&hq, &hello).status, 200);
    wait_until("the greeting sent", || {
        replies(&hq).first().is_some_and(|r| r["status"] == "sent")
    });
    let calls = gateway.requests();
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(
        call.line,
        format!("POST /v21.0/{PHONE_NUMBER_ID}/messages HTTP/1.1")
    );
    assert!(
        call.headers
            .contains(&format!("authorization: bearer {META_TOKEN}").to_ascii_lowercase()),
        "{}",
        call.headers
    );
    assert_eq!(call.body["to"], CUSTOMER);
    assert_eq!(call.body["type"], "text");
    let sent = call.body["text"]["body"].as_str().expect("text");
    assert!(
        sent.contains("Salon Ayu") && sent.contains("lokasi"),
        "{sent}"
    );
    assert_eq!(replies(&hq)[0]["id"], "wa-1");

    // Meta's callbacks, signed as its messages are: forward only.
    for (status, expected) in [
        ("delivered", "delivered"),
        ("read", "read"),
        ("sent", "read"),
    ] {
        let answer = meta_send(&hq, &status_callback("wa-1", status));
        assert_eq!(answer.status, 200, "{}", answer.text);
        assert_eq!(replies(&hq)[0]["status"], expected, "after {status}");
    }
    // Nothing was sent again meanwhile.
    std::thread::sleep(Duration::from_millis(1200));
    assert_eq!(gateway.requests().len(), 1);
}

/// A gateway error (500) is tried again later with the desk's backoff; a
/// refusal (400) fails the reply with the gateway's words; refused
/// credentials (401) fault no reply: sending pauses, the admin sees why,
/// and saving the settings again sends what waited.
#[test]
fn errors_retry_refusals_fail_and_refused_credentials_pause_until_saved() {
    let hq = Hq::start();
    let admin = hq.admin();
    let gateway = StubGateway::start(vec![500, 400, 401]);
    use_meta_at(&admin, &gateway);
    enable_bot(&admin);
    let (first, second, third) = ("6281200000001", "6281200000002", "6281200000003");

    assert_eq!(
        meta_send(&hq, &meta_body_from(first, "wamid.e1", text("halo"))).status,
        200
    );
    wait_until("the 500 answered", || replies(&hq)[0]["attempts"] == 1);
    wait_until("the retry planned", || {
        replies(&hq)[0]["status"] == "queued"
    });
    let retried = &replies(&hq)[0];
    assert!(
        retried["wait_s"].as_f64().expect("wait") > 15.0,
        "the next try waits the backoff: {retried}"
    );
    assert!(
        retried["error"].as_str().is_some_and(|e| e.contains("500")),
        "{retried}"
    );

    assert_eq!(
        meta_send(&hq, &meta_body_from(second, "wamid.e2", text("halo"))).status,
        200
    );
    wait_until("the 400 answered", || replies(&hq)[1]["status"] == "failed");
    assert!(
        replies(&hq)[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("400")),
        "{:?}",
        replies(&hq)[1]
    );

    assert_eq!(
        meta_send(&hq, &meta_body_from(third, "wamid.e3", text("halo"))).status,
        200
    );
    wait_until("the 401 answered", || gateway.requests().len() == 3);
    wait_until("sending paused", || {
        !admin.get("/api/v1/settings/gateway").expect(200)["auth_error"].is_null()
    });
    let paused = &replies(&hq)[2];
    assert_eq!(paused["status"], "queued", "{paused}");
    assert_eq!(paused["attempts"], 0, "refused credentials fault no reply");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(gateway.requests().len(), 3, "nothing is sent while paused");

    // Saving again (a new token) lifts the pause and sends what waited, the
    // reply in backoff included.
    admin
        .put(
            "/api/v1/settings/gateway",
            json!({"token": "meta-access-token-0005"}),
        )
        .expect(200);
    wait_until("both waiting replies sent", || {
        let r = replies(&hq);
        r[0]["status"] == "sent" && r[2]["status"] == "sent"
    });
    assert_eq!(gateway.requests().len(), 5);
    assert_eq!(
        replies(&hq)[1]["status"],
        "failed",
        "a refusal stays failed"
    );
}

/// Two `loket-hq` processes on one database send every reply exactly once,
/// and each customer's replies in the order the bot wrote them.
#[test]
fn two_head_office_processes_send_each_reply_once_and_in_order() {
    let first = Hq::start();
    let second = Hq::start_on(&first.database_url);
    let admin = first.admin();
    let gateway = StubGateway::start(vec![]);
    use_meta_at(&admin, &gateway);
    enable_bot(&admin);

    // Twelve customers, each greeting and then typing three unreadable
    // answers (each answered with the choices again), through both
    // processes in turn.
    let phones: Vec<String> = (0..12).map(|n| format!("62812300000{n:02}")).collect();
    std::thread::scope(|s| {
        for (n, phone) in phones.iter().enumerate() {
            let hq = if n % 2 == 0 { &first } else { &second };
            s.spawn(move || {
                for (k, words) in ["halo", "apa ya", "hmm", "??"].iter().enumerate() {
                    let body = meta_body_from(phone, &format!("wamid.{phone}.{k}"), text(words));
                    assert_eq!(meta_send(hq, &body).status, 200);
                }
            });
        }
    });
    let queued = replies(&first);
    assert!(queued.len() >= 12 * 4, "{} replies", queued.len());
    wait_until("every reply sent", || {
        replies(&first).iter().all(|r| r["status"] == "sent")
    });
    std::thread::sleep(Duration::from_millis(1200));
    let calls = gateway.requests();
    assert_eq!(calls.len(), queued.len(), "each reply sent exactly once");
    for phone in &phones {
        let written: Vec<&Value> = queued
            .iter()
            .filter(|r| r["to"] == phone.as_str())
            .map(|r| &r["text"])
            .collect();
        let sent: Vec<&Value> = calls
            .iter()
            .filter(|c| c.body["to"] == phone.as_str())
            .map(|c| &c.body["text"]["body"])
            .collect();
        assert_eq!(sent, written, "{phone}'s replies in order");
    }
}

/// The gateway settings are the desk's: the same field named when wrong,
/// for the admin only.
#[test]
fn gateway_settings_take_the_desks_rules_and_only_an_admin_sees_them() {
    let hq = Hq::start();
    let admin = hq.admin();
    let refused = admin.put("/api/v1/settings/gateway", json!({"kind": "meta"}));
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.body["error"]["field"], "token",
        "{:?}",
        refused.body
    );
    let refused = admin.put(
        "/api/v1/settings/gateway",
        json!({"kind": "waha", "base_url": "ftp://gateway"}),
    );
    assert_eq!(
        refused.body["error"]["field"], "base_url",
        "{:?}",
        refused.body
    );
    let refused = admin.put("/api/v1/settings/gateway", json!({"kind": "telegram"}));
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(
        admin.get("/api/v1/settings/gateway").expect(200)["kind"],
        "log",
        "nothing refused was kept"
    );
    let viewer = hq.viewer();
    assert_eq!(viewer.get("/api/v1/settings/gateway").status, 403);
    assert_eq!(
        viewer
            .put("/api/v1/settings/gateway", json!({"kind": "log"}))
            .status,
        403
    );
}

/// Meta takes free text only within 24 hours of the customer's message.
/// Messages queued longer ago (the gateway was down a day) go out as their
/// kind's approved template, filled with their placeholder values; a plain
/// reply, which has no template, fails saying why. The provider's notice
/// (the provider never wrote) is a template whenever one is mapped.
#[test]
fn late_messages_go_out_as_meta_templates_and_plain_replies_fail_saying_why() {
    let hq = Hq::start();
    let admin = hq.admin();
    let gateway = StubGateway::start(vec![]);
    use_meta_at(&admin, &gateway);
    admin
        .put(
            "/api/v1/settings/gateway",
            json!({"templates": {
                "booking_confirmation": {"name": "konfirmasi_booking", "language": "id"},
                "provider_notification": {"name": "booking_baru", "language": "id",
                                          "parameters": ["booking_code", "customer_name", "time"]}}}),
        )
        .expect(200);
    // As the bot queues them: a menu and a confirmation from 25 hours ago,
    // and a provider's notice from now.
    let queued = hq.json(
        r#"WITH q AS (
             INSERT INTO hq_outbox (to_phone, text, dedupe_key, kind, vars, created_at, next_attempt_at) VALUES
               ('6281255500001', 'Ketik 1 untuk …', 'late:menu', NULL, '{}', now() - interval '25 hours', now()),
               ('6281255500002', 'Terima kasih! Kode *BK-2026-W007*', 'late:confirmation', 'booking_confirmation',
                '{"customer_name": "Dewi", "booking_code": "BK-2026-W007", "date": "Kamis, 3 Desember 2026",
                  "time": "10:00", "service": "Makeup Wisuda", "provider": "Rina", "address": "Jl. Melati 1",
                  "amount": "Rp 750.000", "business_name": "Salon Ayu"}',
                now() - interval '25 hours', now()),
               ('6281300000001', 'Halo Rina, ada booking baru BK-2026-W007', 'late:provider', 'provider_notification',
                '{"booking_code": "BK-2026-W007", "customer_name": "Dewi", "time": "10:00"}', now(), now())
             RETURNING id)
           SELECT count(*) FROM q"#,
    );
    assert_eq!(queued, json!(3));
    wait_until("all three settled", || {
        replies(&hq)
            .iter()
            .all(|r| r["status"] != "queued" && r["status"] != "sending")
    });

    let by_to = |to: &str| {
        gateway
            .requests()
            .into_iter()
            .find(|r| r.body["to"] == to)
            .map(|r| r.body)
    };
    let confirmation = by_to("6281255500002").expect("the confirmation sent");
    assert_eq!(confirmation["type"], "template", "{confirmation}");
    assert_eq!(confirmation["template"]["name"], "konfirmasi_booking");
    let parameters: Vec<&str> = confirmation["template"]["components"][0]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .map(|p| p["text"].as_str().unwrap_or_default())
        .collect();
    // The desk's placeholders of a booking message, in order (no unit: "-").
    assert_eq!(
        parameters,
        [
            "Dewi",
            "BK-2026-W007",
            "Kamis, 3 Desember 2026",
            "10:00",
            "Makeup Wisuda",
            "Rina",
            "-",
            "Jl. Melati 1",
            "Rp 750.000",
            "Salon Ayu"
        ]
    );
    let notice = by_to("6281300000001").expect("the provider's notice sent");
    assert_eq!(notice["type"], "template", "{notice}");
    assert_eq!(
        notice["template"]["components"][0]["parameters"],
        json!([{"type": "text", "text": "BK-2026-W007"}, {"type": "text", "text": "Dewi"},
               {"type": "text", "text": "10:00"}])
    );
    assert!(
        by_to("6281255500001").is_none(),
        "the late menu is not sent"
    );
    let menu = &replies(&hq)[0];
    assert_eq!(menu["status"], "failed");
    assert!(
        menu["error"]
            .as_str()
            .is_some_and(|e| e.contains("24 hours") && e.contains("template")),
        "{menu}"
    );
    assert_eq!(gateway.requests().len(), 2);
}
