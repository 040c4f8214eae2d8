//! The WhatsApp bot at head office, its inbound half, end to end: a real
//! `loket-hq` on a throwaway PostgreSQL, its providers, services and slots
//! pushed through the sync API as a branch pushes them, and the gateways'
//! webhooks called over HTTP on 127.0.0.1 exactly as Meta and WAHA call
//! them (Meta's bodies signed over their raw bytes). What the bot answers
//! is read from `hq_outbox`, where its replies are queued.

#[path = "../support/mod.rs"]
mod support;

/// Sending what the bot queued through head office's gateway.
mod sending;

/// Booking at head office, and the branch taking the booking.
mod booking;

/// The public booking page's API: a web booking confirmed from WhatsApp.
mod online;

use std::time::Duration;

use chrono::{DateTime, Duration as Days, Utc};
use serde_json::{Value, json};

use support::*;

const APP_SECRET: &str = "meta-app-secret-0001";
const VERIFY_TOKEN: &str = "verify-token-0002";
const WAHA_KEY: &str = "waha-key-0003";
const CUSTOMER: &str = "6281234567890";
/// Where the customer shares their pin (Jakarta).
const HOME: (f64, f64) = (-6.2, 106.8166);

/// A raw HTTP answer: status, content type and body text.
struct Raw {
    status: u16,
    content_type: String,
    text: String,
}

fn http() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// POSTs `body` byte for byte, with `headers`.
fn post_raw(url: &str, body: &[u8], headers: &[(&str, &str)]) -> Raw {
    let mut request = http()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_vec());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    answer(request.send().expect("webhook call"))
}

fn get_raw(url: &str) -> Raw {
    answer(http().get(url).send().expect("GET"))
}

fn answer(res: reqwest::blocking::Response) -> Raw {
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    Raw {
        status,
        content_type,
        text: res.text().unwrap_or_default(),
    }
}

/// Meta's webhook body carrying one message from the customer.
fn meta_body(id: &str, message: Value) -> Vec<u8> {
    meta_body_from(CUSTOMER, id, message)
}

/// Meta's webhook body carrying one message from `phone`.
fn meta_body_from(phone: &str, id: &str, message: Value) -> Vec<u8> {
    meta_webhook_body(phone, id, message)
}

fn text(body: &str) -> Value {
    json!({"type": "text", "text": {"body": body}})
}

/// Sends a Meta webhook signed as Meta signs it.
fn meta_send(hq: &Hq, body: &[u8]) -> Raw {
    let signature = loket_hq::bot::webhooks::meta_signature(APP_SECRET, body).expect("sign");
    post_raw(
        &format!("{}/webhooks/meta", hq.url),
        body,
        &[("X-Hub-Signature-256", &signature)],
    )
}

/// The replies queued for the customer (sent since or not), oldest first.
fn outbox(hq: &Hq) -> Vec<String> {
    let v = hq.json("SELECT coalesce(json_agg(text ORDER BY id), '[]') FROM hq_outbox");
    v.as_array()
        .expect("outbox")
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_owned())
        .collect()
}

fn count(hq: &Hq, table: &str) -> i64 {
    hq.json(&format!("SELECT count(*) FROM {table}"))
        .as_i64()
        .unwrap_or(-1)
}

/// The conversation stored for the customer (`null` when none).
fn conversation(hq: &Hq) -> Value {
    hq.json(&format!(
        "SELECT conversation FROM bot_conversations WHERE phone = '{CUSTOMER}'"
    ))
}

/// Waits (at most 20 s) until `done` holds.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let start = std::time::Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "waited 20 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Switches the bot on with all three secrets.
fn enable_bot(admin: &Client) {
    admin
        .put(
            "/api/v1/settings/bot",
            json!({"enabled": true, "radius_km": 10, "greeting": "Selamat datang di Salon Ayu!",
                   "meta_app_secret": APP_SECRET, "meta_verify_token": VERIFY_TOKEN,
                   "waha_api_key": WAHA_KEY}),
        )
        .expect(200);
}

fn uuid() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// A point `north_km` north of the customer.
fn north_of_home(north_km: f64) -> (f64, f64) {
    (HOME.0 + north_km / 111.195, HOME.1)
}

fn at(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// What the branch has, as its change log writes it (the desk's own
/// records' JSON), pushed through the sync API: Rina (1.2 km; Makeup
/// Wisuda, with three free slots, one booked and one held by a pending
/// booking), Budi (3.4 km; Cuci AC), Sari (1 km but inactive), Bogor Beauty
/// (50 km, outside the radius), and malformed rows that are left out.
struct Branch {
    rina_free_slots: Vec<DateTime<Utc>>,
}

fn push_branch(hq: &Hq) -> Branch {
    let (_, token) = hq.add_branch("Cabang Jakarta");
    let (wisuda, cuci_ac, facial) = (uuid(), uuid(), uuid());
    let service = |id: &str, name: &str, price: &str, minutes: u32| {
        json!({"id": id, "name": name, "description": null, "duration_min": minutes,
               "price": price, "active": true, "created_at": "2026-11-01T00:00:00.000Z",
               "updated_at": "2026-11-01T00:00:00.000Z", "version": 1, "from_head_office": false})
    };
    let provider = |id: &str, name: &str, north_km: f64, services: &[&str], active: bool| {
        let (latitude, longitude) = north_of_home(north_km);
        json!({"id": id, "name": name, "whatsapp_number": "6281300000001",
               "latitude": latitude, "longitude": longitude, "service_ids": services,
               "active": active, "max_slots_per_day": null,
               "created_at": "2026-11-01T00:00:00.000Z", "updated_at": "2026-11-01T00:00:00.000Z",
               "version": 1})
    };
    let (rina, budi, sari, bogor) = (uuid(), uuid(), uuid(), uuid());
    // Tomorrow and the day after, 09:00, 11:00 and 13:00 in Jakarta (UTC+7).
    let tomorrow = (Utc::now() + Days::days(1))
        .date_naive()
        .and_hms_opt(2, 0, 0)
        .expect("02:00")
        .and_utc();
    let times: Vec<DateTime<Utc>> = [0, 2, 4, 24, 26]
        .iter()
        .map(|h| tomorrow + Days::hours(*h))
        .collect();
    let slot = |id: &str, starts: DateTime<Utc>, status: &str| {
        json!({"id": id, "service_id": wisuda, "service_name": "Makeup Wisuda",
               "provider_id": rina, "provider_name": "Rina Makeup",
               "starts_at": at(starts), "ends_at": at(starts + Days::minutes(90)),
               "duration_min": 90, "status": status, "booking_id": null, "booking_code": null,
               "customer_name": null, "offered": true, "version": 1})
    };
    let slot_ids: Vec<String> = times.iter().map(|_| uuid()).collect();
    let held_booking = json!({"id": uuid(), "code": "BK-2026-001", "booking_status": "pending",
        "slot_id": slot_ids[1], "customer_phone": "6281300000099", "customer_name": "Orang Lain",
        "event_at": at(times[1]), "service_name": "Makeup Wisuda"});
    let mut changes = vec![
        (
            "service",
            wisuda.clone(),
            service(&wisuda, "Makeup Wisuda", "150000", 90),
        ),
        (
            "service",
            cuci_ac.clone(),
            service(&cuci_ac, "Cuci AC", "75000", 60),
        ),
        (
            "service",
            facial.clone(),
            service(&facial, "Facial", "200000", 60),
        ),
        (
            "provider",
            rina.clone(),
            provider(&rina, "Rina Makeup", 1.2, &[&wisuda], true),
        ),
        (
            "provider",
            budi.clone(),
            provider(&budi, "Budi Service AC", 3.4, &[&cuci_ac], true),
        ),
        (
            "provider",
            sari.clone(),
            provider(&sari, "Sari Salon", 1.0, &[&facial], false),
        ),
        (
            "provider",
            bogor.clone(),
            provider(&bogor, "Bogor Beauty", 50.0, &[&facial], true),
        ),
    ];
    for (n, (id, starts)) in slot_ids.iter().zip(&times).enumerate() {
        // The third is booked at the branch; the second is held by a booking.
        let status = if n == 2 { "booked" } else { "available" };
        changes.push(("slot", id.clone(), slot(id, *starts, status)));
    }
    changes.push((
        "booking",
        held_booking["id"].as_str().expect("id").to_owned(),
        held_booking,
    ));
    // Rows no desk writes, which must not break any customer's search:
    // coordinates as text, no name, a slot time that is not one.
    let (odd_place, no_name, odd_slot) = (uuid(), uuid(), uuid());
    let mut odd = provider(&odd_place, "Rusak Koordinat", 0.5, &[&wisuda], true);
    odd["latitude"] = json!("dekat");
    changes.push(("provider", odd_place, odd));
    let mut nameless = provider(&no_name, "x", 0.5, &[&wisuda], true);
    nameless["name"] = Value::Null;
    changes.push(("provider", no_name, nameless));
    let mut bad_time = slot(&odd_slot, times[0], "available");
    bad_time["starts_at"] = json!("besok pagi");
    changes.push(("slot", odd_slot, bad_time));
    let changes: Vec<Value> = changes
        .into_iter()
        .enumerate()
        .map(|(n, (entity, id, data))| change(n as i64 + 1, entity, &id, data))
        .collect();
    let pushed = hq
        .branch_client(&token)
        .post("/sync/v1/push", json!({"changes": changes}))
        .expect(200);
    assert!(
        pushed["rejected"].as_array().is_some_and(Vec::is_empty),
        "{pushed}"
    );
    Branch {
        rina_free_slots: vec![times[0], times[3], times[4]],
    }
}

/// A customer chats on Meta from the greeting to the free slots: greeting
/// (asking for the location) → pin → the providers in the radius, nearest
/// first, without the inactive or the far one → provider → its service →
/// the slots head office believes free → name, address, "YA", which books
/// it at head office and answers the booking code. A
/// duplicated webhook is handled once, also when its copies arrive at
/// once; a bad or missing signature is 401 and changes nothing.
#[test]
fn a_signed_meta_conversation_runs_from_greeting_to_ya_each_message_handled_once() {
    let hq = Hq::start();
    let admin = hq.admin();
    let branch = push_branch(&hq);
    enable_bot(&admin);

    // 1. The greeting, asking for the location.
    let hello = meta_body("wamid.1", text("halo"));
    let first = meta_send(&hq, &hello);
    assert_eq!(first.status, 200, "{}", first.text);
    let replies = outbox(&hq);
    assert_eq!(replies.len(), 1, "{replies:?}");
    assert!(replies[0].contains("Salon Ayu"), "{replies:?}");
    assert!(replies[0].contains("lokasi"), "{replies:?}");

    // The same message again (Meta retries): handled once, nothing new.
    let stored = conversation(&hq);
    let again = meta_send(&hq, &hello);
    assert_eq!(again.status, 200, "{}", again.text);
    let again: Value = serde_json::from_str(&again.text).expect("json");
    assert_eq!(again["duplicates"], 1, "{again}");
    assert_eq!(outbox(&hq).len(), 1, "a duplicate queues no reply");
    assert_eq!(conversation(&hq), stored, "a duplicate changes nothing");

    // 2. A pin: providers within 10 km, nearest first.
    let pin = meta_body(
        "wamid.2",
        json!({"type": "location", "location": {"latitude": HOME.0, "longitude": HOME.1,
               "name": "Rumah", "address": "Jl. Melati 1, Jakarta"}}),
    );
    // Delivered four times at once: one is handled, the others wait for
    // it on the phone's lock and then find the message handled.
    std::thread::scope(|s| {
        let calls: Vec<_> = (0..4).map(|_| s.spawn(|| meta_send(&hq, &pin))).collect();
        for call in calls {
            let answer = call.join().expect("call");
            assert_eq!(answer.status, 200, "{}", answer.text);
        }
    });
    let replies = outbox(&hq);
    assert_eq!(replies.len(), 2, "one set of replies: {replies:?}");
    let listed = replies[1..].join("\n");
    assert!(listed.contains("1. "), "{listed}");
    let rina = listed.find("Rina Makeup").expect("Rina is listed");
    let budi = listed.find("Budi Service AC").expect("Budi is listed");
    assert!(rina < budi, "nearest first: {listed}");
    assert!(
        listed.contains("Makeup Wisuda"),
        "with its services: {listed}"
    );
    assert!(!listed.contains("Sari Salon"), "inactive: {listed}");
    assert!(
        !listed.contains("Bogor Beauty"),
        "outside the radius: {listed}"
    );
    assert!(!listed.contains("Rusak"), "no coordinates: {listed}");
    assert!(!listed.contains("3. "), "two providers: {listed}");

    // 3. Rina, then her service.
    let before = outbox(&hq).len();
    assert_eq!(meta_send(&hq, &meta_body("wamid.3", text("1"))).status, 200);
    let services = outbox(&hq)[before..].join("\n");
    assert!(services.contains("Makeup Wisuda"), "{services}");
    // The service by a tap on the interactive list (the option's own id).
    let offered = hq.json("SELECT options FROM hq_outbox ORDER BY id DESC LIMIT 1");
    let option = offered[0].clone();
    assert_eq!(option["title"], "Makeup Wisuda", "{offered}");
    let before = outbox(&hq).len();
    let tap = json!({"type": "interactive", "interactive": {"type": "list_reply",
                     "list_reply": {"id": option["id"], "title": option["title"]}}});
    assert_eq!(meta_send(&hq, &meta_body("wamid.4", tap)).status, 200);
    let slots = outbox(&hq)[before..].join("\n");
    // The three free slots are offered, numbered; the booked one and the
    // one a pending booking holds are not.
    assert!(slots.contains("1. ") && slots.contains("3. "), "{slots}");
    assert!(!slots.contains("4. "), "only the free slots: {slots}");
    let jakarta = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    for (n, free) in branch.rina_free_slots.iter().enumerate() {
        let local = |t: DateTime<Utc>| t.with_timezone(&jakarta).format("%H:%M").to_string();
        let shown = format!(
            "{}. {}–{}",
            n + 1,
            local(*free),
            local(*free + Days::minutes(90))
        );
        assert!(slots.contains(&shown), "{shown} is offered: {slots}");
    }
    assert_eq!(conversation(&hq)["step"], "slot", "{}", conversation(&hq));

    // A wrong or missing signature: 401, and nothing changes.
    let (inbound, queued, stored) = (count(&hq, "bot_inbound"), outbox(&hq), conversation(&hq));
    let next = meta_body("wamid.5", text("1"));
    let url = format!("{}/webhooks/meta", hq.url);
    let forged = loket_hq::bot::webhooks::meta_signature("not-the-secret", &next).expect("sign");
    let signed_other = loket_hq::bot::webhooks::meta_signature(APP_SECRET, &hello).expect("sign");
    for headers in [
        vec![("X-Hub-Signature-256", forged.as_str())],
        vec![("X-Hub-Signature-256", signed_other.as_str())],
        vec![("X-Hub-Signature-256", "sha256=")],
        vec![],
    ] {
        let refused = post_raw(&url, &next, &headers);
        assert_eq!(refused.status, 401, "{headers:?}: {}", refused.text);
    }
    assert_eq!(count(&hq, "bot_inbound"), inbound);
    assert_eq!(outbox(&hq), queued);
    assert_eq!(conversation(&hq), stored);
    // The slot, the name (an unknown phone), the pin's address, the
    // summary, "YA": booked at head office, with a code of its own series.
    let say = |id: &str, words: &str| {
        let before = outbox(&hq).len();
        let answer = meta_send(&hq, &meta_body(id, text(words)));
        assert_eq!(answer.status, 200, "{}", answer.text);
        outbox(&hq)[before..].join("\n")
    };
    assert!(say("wamid.6", "1").contains("*nama*"));
    assert!(say("wamid.7", "Dewi Lestari").contains("*alamat*"));
    let summary = say("wamid.8", "1");
    assert!(summary.contains("YA"), "{summary}");
    assert!(
        summary.contains("Jl. Melati 1"),
        "the pin's address: {summary}"
    );
    let booked = say("wamid.9", "YA");
    let code = format!("BK-{}-W001", Utc::now().format("%Y"));
    assert!(booked.contains(&code), "{booked}");
    let made = hq.json(
        "SELECT json_build_object('code', code, 'source', source, 'name', customer_name,
                'phone', customer_phone, 'address', address) FROM hq_bookings",
    );
    assert_eq!(
        made,
        json!({"code": code, "source": "whatsapp", "name": "Dewi Lestari",
               "phone": CUSTOMER, "address": "Jl. Melati 1, Jakarta"})
    );
    // The slot is no longer offered to anyone.
    assert_eq!(count(&hq, "hq_slot_holds"), 1);

    // Each reply was queued once, for the customer; and the booking's
    // notice for Rina, on her number.
    let keys = hq.json("SELECT to_json(count(DISTINCT dedupe_key) = count(*)) FROM hq_outbox");
    assert_eq!(keys, json!(true));
    let to = hq.json("SELECT json_agg(DISTINCT to_phone ORDER BY to_phone) FROM hq_outbox");
    assert_eq!(to, json!([CUSTOMER, "6281300000001"]));
}

/// Meta's subscription handshake: the challenge as plain text for the
/// configured verify token (the bot may still be off), 403 otherwise; a
/// message while the bot is off is 200 and nothing is done.
#[test]
fn the_meta_handshake_answers_the_challenge_only_for_the_verify_token_and_an_off_bot_does_nothing()
{
    let hq = Hq::start();
    let admin = hq.admin();
    let url = |token: &str, mode: &str| {
        format!(
            "{}/webhooks/meta?hub.mode={mode}&hub.verify_token={token}&hub.challenge=1158201444",
            hq.url
        )
    };
    assert_eq!(
        get_raw(&url(VERIFY_TOKEN, "subscribe")).status,
        403,
        "none configured yet"
    );
    admin
        .put(
            "/api/v1/settings/bot",
            json!({"meta_verify_token": VERIFY_TOKEN}),
        )
        .expect(200);
    let ok = get_raw(&url(VERIFY_TOKEN, "subscribe"));
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.text, "1158201444");
    assert!(
        ok.content_type.starts_with("text/plain"),
        "{}",
        ok.content_type
    );
    assert_eq!(get_raw(&url("verify-token-0003", "subscribe")).status, 403);
    assert_eq!(get_raw(&url(VERIFY_TOKEN, "unsubscribe")).status, 403);
    assert_eq!(
        get_raw(&format!("{}/webhooks/meta?hub.mode=subscribe", hq.url)).status,
        403
    );
    // The bot is still off: a message is answered 200 (Meta would retry an
    // error) and nothing is done.
    let off = meta_send(&hq, &meta_body("wamid.off", text("halo")));
    assert_eq!(off.status, 200, "{}", off.text);
    assert!(off.text.contains("disabled"), "{}", off.text);
    assert_eq!(count(&hq, "bot_inbound"), 0);
    assert_eq!(count(&hq, "hq_outbox"), 0);
}

/// WAHA's `message` events: the right `X-Api-Key` is handled (a pin with
/// string coordinates finds the providers), a wrong or missing one is 401
/// and changes nothing, a retried event is handled once; with the bot off
/// every call is 200 and nothing is done; with an HMAC key, only WAHA's
/// signature is taken.
#[test]
fn waha_messages_are_taken_with_the_right_key_only() {
    let hq = Hq::start();
    let admin = hq.admin();
    push_branch(&hq);
    let (_, other) = hq.add_branch("Cabang Bogor");
    let customer = uuid();
    hq.branch_client(&other)
        .post(
            "/sync/v1/push",
            json!({"changes": [change(1, "customer", &customer, json!({
                "id": customer, "code": "CS-000001", "name": "Ayu Lestari",
                "phone": CUSTOMER, "email": null, "language": "en", "version": 1}))]}),
        )
        .expect(200);
    let url = format!("{}/webhooks/waha", hq.url);
    let event = |id: &str, payload: Value| {
        let mut payload = payload;
        payload["id"] = json!(id);
        payload["from"] = json!(format!("{CUSTOMER}@c.us"));
        payload["fromMe"] = json!(false);
        serde_json::to_vec(&json!({"event": "message", "session": "default", "payload": payload}))
            .expect("body")
    };
    let hello = event("true_6281234567890@c.us_3EB0A1", json!({"body": "halo"}));

    // Off: 200, nothing done, whatever the key.
    let off = post_raw(&url, &hello, &[("X-Api-Key", "anything")]);
    assert_eq!(off.status, 200, "{}", off.text);
    assert!(off.text.contains("disabled"), "{}", off.text);
    assert_eq!(count(&hq, "hq_outbox"), 0);

    enable_bot(&admin);
    for headers in [vec![("X-Api-Key", "waha-key-0004")], vec![]] {
        let refused = post_raw(&url, &hello, &headers);
        assert_eq!(refused.status, 401, "{headers:?}: {}", refused.text);
    }
    assert_eq!(count(&hq, "bot_inbound"), 0);
    assert_eq!(count(&hq, "hq_outbox"), 0);

    let taken = post_raw(&url, &hello, &[("X-Api-Key", WAHA_KEY)]);
    assert_eq!(taken.status, 200, "{}", taken.text);
    assert_eq!(outbox(&hq).len(), 1);
    // A known customer (the customer master, by phone) who prefers English
    // is greeted in English.
    assert!(outbox(&hq)[0].contains("*location*"), "{:?}", outbox(&hq));
    let retried = post_raw(&url, &hello, &[("X-Api-Key", WAHA_KEY)]);
    assert_eq!(retried.status, 200);
    assert_eq!(outbox(&hq).len(), 1, "a retried event is handled once");

    let pin = event(
        "true_6281234567890@c.us_3EB0A2",
        json!({"body": "", "location": {"latitude": HOME.0.to_string(),
               "longitude": HOME.1.to_string(), "description": "Rumah"}}),
    );
    assert_eq!(post_raw(&url, &pin, &[("X-Api-Key", WAHA_KEY)]).status, 200);
    let listed = outbox(&hq)[1..].join("\n");
    assert!(listed.contains("Rina Makeup"), "{listed}");

    // Our own outgoing messages come back as events too: not answered.
    let own = serde_json::to_vec(&json!({"event": "message", "payload": {
        "id": "true_x_3EB0A3", "from": format!("{CUSTOMER}@c.us"), "fromMe": true, "body": "1"}}))
    .expect("body");
    let before = outbox(&hq).len();
    assert_eq!(post_raw(&url, &own, &[("X-Api-Key", WAHA_KEY)]).status, 200);
    assert_eq!(outbox(&hq).len(), before);

    // With an HMAC key set, WAHA's X-Webhook-Hmac (HMAC-SHA512 of the raw
    // body) is required: the API key alone, a wrong or another body's
    // signature are 401 and change nothing; the right one is handled.
    const HMAC_KEY: &str = "waha-hmac-0005";
    admin
        .put("/api/v1/settings/bot", json!({"waha_hmac_key": HMAC_KEY}))
        .expect(200);
    let again = event("true_6281234567890@c.us_3EB0A4", json!({"body": "menu"}));
    let signed =
        |body: &[u8]| loket_hq::bot::webhooks::waha_signature(HMAC_KEY, body).expect("sign");
    let (wrong, other) = (
        loket_hq::bot::webhooks::waha_signature("not-the-key", &again).expect("sign"),
        signed(&pin),
    );
    let (inbound, before) = (count(&hq, "bot_inbound"), outbox(&hq).len());
    for headers in [
        vec![("X-Api-Key", WAHA_KEY)],
        vec![("X-Webhook-Hmac", wrong.as_str())],
        vec![("X-Webhook-Hmac", other.as_str())],
        vec![],
    ] {
        let refused = post_raw(&url, &again, &headers);
        assert_eq!(refused.status, 401, "{headers:?}: {}", refused.text);
    }
    assert_eq!(count(&hq, "bot_inbound"), inbound);
    let good = signed(&again);
    let taken = post_raw(
        &url,
        &again,
        &[
            ("X-Webhook-Hmac", good.as_str()),
            ("X-Webhook-Hmac-Algorithm", "sha512"),
        ],
    );
    assert_eq!(taken.status, 200, "{}", taken.text);
    assert!(outbox(&hq).len() > before, "handled");
}

/// The bot's settings: hq_admin only; secrets write-only (masked in every
/// answer, sealed in the database); bad input a 422 naming the field.
#[test]
fn bot_settings_are_masked_sealed_and_for_the_admin_only() {
    let hq = Hq::start();
    let admin = hq.admin();
    let viewer = hq.viewer();
    let defaults = admin.get("/api/v1/settings/bot").expect(200);
    assert_eq!(defaults["enabled"], false, "{defaults}");
    assert_eq!(defaults["version"], 0);
    assert_eq!(defaults["meta_app_secret"], Value::Null);

    enable_bot(&admin);
    let shown = admin.get("/api/v1/settings/bot").expect(200);
    assert_eq!(shown["enabled"], true);
    assert_eq!(shown["radius_km"], 10.0);
    assert_eq!(shown["greeting"], "Selamat datang di Salon Ayu!");
    assert_eq!(shown["meta_app_secret"], "••••0001", "{shown}");
    assert_eq!(shown["meta_verify_token"], "••••0002");
    assert_eq!(shown["waha_api_key"], "••••0003");
    let whole = shown.to_string();
    for secret in [APP_SECRET, VERIFY_TOKEN, WAHA_KEY] {
        assert!(!whole.contains(secret), "{whole}");
    }
    let stored = hq
        .json("SELECT row_to_json(s) FROM bot_settings s")
        .to_string();
    for secret in [APP_SECRET, VERIFY_TOKEN, WAHA_KEY] {
        assert!(!stored.contains(secret), "sealed at rest: {stored}");
    }

    // The business's name: in the greeting in place of "Loket".
    assert_eq!(shown["business_name"], Value::Null);
    let named = admin
        .put(
            "/api/v1/settings/bot",
            json!({"business_name": "  Salon Ayu Kemang "}),
        )
        .expect(200);
    assert_eq!(named["business_name"], "Salon Ayu Kemang");
    // Head office's public address: the online booking's link; a trailing
    // slash dropped, anything but an http(s) link refused.
    let linked = admin
        .put(
            "/api/v1/settings/bot",
            json!({"public_url": "https://booking.example.com/"}),
        )
        .expect(200);
    assert_eq!(linked["public_url"], "https://booking.example.com");
    let bad = admin.put(
        "/api/v1/settings/bot",
        json!({"public_url": "javascript:alert(1)"}),
    );
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"]["field"], "public_url");
    admin
        .put("/api/v1/settings/bot", json!({"greeting": null}))
        .expect(200);
    let hello = meta_body_from(CUSTOMER, "wamid.named", text("halo"));
    assert_eq!(meta_send(&hq, &hello).status, 200);
    let greeting = hq.json(&format!(
        "SELECT to_json(text) FROM hq_outbox WHERE to_phone = '{CUSTOMER}' ORDER BY id LIMIT 1"
    ));
    assert!(
        greeting
            .as_str()
            .is_some_and(|g| g.contains("Salon Ayu Kemang")),
        "{greeting}"
    );

    // A change of one setting keeps the others; null clears a secret.
    let changed = admin
        .put(
            "/api/v1/settings/bot",
            json!({"radius_km": 7.5, "waha_api_key": null}),
        )
        .expect(200);
    assert_eq!(changed["radius_km"], 7.5);
    assert_eq!(changed["waha_api_key"], Value::Null);
    assert_eq!(changed["meta_app_secret"], "••••0001");
    assert_eq!(changed["version"], 5);
    assert_eq!(changed["business_name"], "Salon Ayu Kemang");

    for (body, field) in [
        (json!({"radius_km": 0}), "radius_km"),
        (json!({"radius_km": "jauh"}), "radius_km"),
        (json!({"enabled": "ya"}), "enabled"),
        (json!({"meta_app_secret": 12}), "meta_app_secret"),
        (json!({"greeting": "x".repeat(501)}), "greeting"),
        (json!({"business_name": "x".repeat(101)}), "business_name"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let bad = admin.put("/api/v1/settings/bot", body.clone());
        assert_eq!(bad.status, 422, "{body}: {:?}", bad.body);
        assert_eq!(bad.body["error"]["field"], field, "{body}: {:?}", bad.body);
    }
    assert_eq!(viewer.get("/api/v1/settings/bot").status, 403);
    assert_eq!(
        viewer
            .put("/api/v1/settings/bot", json!({"enabled": false}))
            .status,
        403
    );
    assert_eq!(Client::new(&hq.url).get("/api/v1/settings/bot").status, 401);
    assert_eq!(
        admin.get("/api/v1/settings/bot").expect(200)["enabled"],
        true,
        "refused changes changed nothing"
    );
    // The document lists the bot's routes.
    let doc = Client::new(&hq.url).get("/api/v1/openapi.json").expect(200);
    for path in ["/api/v1/settings/bot", "/webhooks/meta", "/webhooks/waha"] {
        assert!(doc["paths"].get(path).is_some(), "{path}");
    }
}

/// "booking saya" lists the phone's open bookings from now on, whichever
/// branch holds them (not a canceled or past one, nor another phone's);
/// a typed name instead of a pin finds the providers whose name holds it.
#[test]
fn booking_saya_lists_the_phones_open_bookings_and_a_typed_name_finds_providers() {
    let hq = Hq::start();
    let admin = hq.admin();
    push_branch(&hq);
    let (_, token) = hq.add_branch("Cabang Bogor");
    let next_week = Utc::now() + Days::days(7);
    let booking = |code: &str, status: &str, event_at: DateTime<Utc>, phone: &str| {
        let id = uuid();
        json!({"id": id, "code": code, "booking_status": status, "customer_phone": phone,
               "customer_name": "Dewi", "event_at": at(event_at), "service_name": "Makeup Wisuda",
               "booking_date": event_at.date_naive().to_string(), "price": "150000"})
    };
    let bookings = [
        booking("BK-2026-101", "pending", next_week, CUSTOMER),
        booking("BK-2026-102", "active", next_week + Days::days(1), CUSTOMER),
        booking("BK-2026-103", "canceled", next_week, CUSTOMER),
        booking(
            "BK-2026-104",
            "pending",
            Utc::now() - Days::days(3),
            CUSTOMER,
        ),
        booking("BK-2026-105", "pending", next_week, "6281300000099"),
    ];
    let changes: Vec<Value> = bookings
        .iter()
        .enumerate()
        .map(|(n, b)| {
            change(
                n as i64 + 1,
                "booking",
                b["id"].as_str().expect("id"),
                b.clone(),
            )
        })
        .collect();
    hq.branch_client(&token)
        .post("/sync/v1/push", json!({"changes": changes}))
        .expect(200);
    enable_bot(&admin);
    let say = |id: &str, words: &str| {
        let before = outbox(&hq).len();
        let answer = meta_send(&hq, &meta_body(id, text(words)));
        assert_eq!(answer.status, 200, "{}", answer.text);
        outbox(&hq)[before..].join("\n")
    };
    say("wamid.b1", "halo");
    let listed = say("wamid.b2", "booking saya");
    assert!(listed.contains("BK-2026-101"), "{listed}");
    assert!(listed.contains("BK-2026-102"), "{listed}");
    for other in ["BK-2026-103", "BK-2026-104", "BK-2026-105"] {
        assert!(!listed.contains(other), "{other}: {listed}");
    }
    say("wamid.b3", "menu");
    let found = say("wamid.b4", "Rina");
    assert!(found.contains("1. Rina Makeup"), "{found}");
    assert!(!found.contains("Budi"), "{found}");
}
