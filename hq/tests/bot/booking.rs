//! Booking at head office with a real branch: a `loket serve` desk whose
//! service, provider and slots reach head office by the desk's own push;
//! customers book over signed Meta webhooks; the desk takes each booking on
//! its next pull, as its own, and pushes it back.

use chrono::{Duration as Days, Utc};
use serde_json::{Value, json};

use super::support::*;
use super::{HOME, enable_bot, meta_body_from, meta_send, text, wait_until};

/// A desk with Rina (at the customers' pin) offering Makeup Wisuda in
/// `n` slots tomorrow from 08:00 (Jakarta), two hours apart, synced to
/// head office. The slots, earliest first, and the branch's token.
pub(super) fn branch_with_slots(hq: &Hq, n: usize) -> (Desk, Vec<Value>, String) {
    let desk = Desk::start();
    let service = desk
        .api
        .post(
            "/services",
            json!({"name": "Makeup Wisuda", "duration_min": 90, "price": "750000"}),
        )
        .expect(201);
    let provider = desk
        .api
        .post(
            "/providers",
            json!({"name": "Rina Makeup", "whatsapp_number": "081300000001",
                   "latitude": HOME.0, "longitude": HOME.1, "service_ids": [service["id"]]}),
        )
        .expect(201);
    let jakarta = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    let tomorrow = (Utc::now().with_timezone(&jakarta) + Days::days(1)).date_naive();
    let slots = (0..n)
        .map(|k| {
            desk.api
                .post(
                    "/slots",
                    json!({"service_id": service["id"], "provider_id": provider["id"],
                           "starts_at": format!("{tomorrow}T{:02}:00", 8 + 2 * k)}),
                )
                .expect(201)
        })
        .collect();
    let (_, token) = hq.add_branch("Cabang Jakarta");
    desk.configure(&hq.url, &token);
    desk.sync().expect(200);
    (desk, slots, token)
}

/// The bot's replies to `phone`, oldest first.
pub(super) fn replies_to(hq: &Hq, phone: &str) -> Vec<String> {
    hq.json(&format!(
        "SELECT coalesce(json_agg(text ORDER BY id), '[]') FROM hq_outbox WHERE to_phone = '{phone}'"
    ))
    .as_array()
    .expect("replies")
    .iter()
    .map(|t| t.as_str().unwrap_or_default().to_owned())
    .collect()
}

/// One customer chatting: each message signed and sent, the replies it
/// brought back.
pub(super) struct Customer<'a> {
    hq: &'a Hq,
    pub(super) phone: String,
    sent: usize,
}

impl Customer<'_> {
    pub(super) fn say(&mut self, words: &str) -> String {
        self.sent += 1;
        let before = replies_to(self.hq, &self.phone).len();
        let id = format!("wamid.{}.{}", self.phone, self.sent);
        let answer = meta_send(self.hq, &meta_body_from(&self.phone, &id, text(words)));
        assert_eq!(answer.status, 200, "{}", answer.text);
        replies_to(self.hq, &self.phone)[before..].join("\n")
    }

    fn share_pin(&mut self) -> String {
        self.sent += 1;
        let before = replies_to(self.hq, &self.phone).len();
        let pin = json!({"type": "location", "location": {"latitude": HOME.0, "longitude": HOME.1,
                         "name": "Rumah", "address": "Jl. Melati 1, Jakarta"}});
        let id = format!("wamid.{}.{}", self.phone, self.sent);
        let answer = meta_send(self.hq, &meta_body_from(&self.phone, &id, pin));
        assert_eq!(answer.status, 200, "{}", answer.text);
        replies_to(self.hq, &self.phone)[before..].join("\n")
    }

    /// Greeting → pin → Rina → her service → slot `slot` (1-based, as
    /// listed) → name → the pin's address: the summary, waiting for "YA".
    fn up_to_confirm(&mut self, slot: usize, name: &str) -> String {
        assert!(self.say("halo").contains("lokasi"));
        assert!(self.share_pin().contains("Rina Makeup"));
        assert!(self.say("1").contains("Makeup Wisuda"));
        let slots = self.say("1");
        assert!(slots.contains(&format!("{slot}. ")), "{slots}");
        assert!(self.say(&slot.to_string()).contains("*nama*"));
        assert!(self.say(name).contains("*alamat*"));
        let summary = self.say("1");
        assert!(summary.contains("YA"), "{summary}");
        summary
    }
}

pub(super) fn customer<'a>(hq: &'a Hq, n: u32) -> Customer<'a> {
    Customer {
        hq,
        phone: format!("628125550{n:04}"),
        sent: 0,
    }
}

/// The desk's booking `code`, as its API shows it.
pub(super) fn desk_booking(desk: &Desk, code: &str) -> Value {
    let list = desk.api.get(&format!("/bookings?code={code}")).expect(200);
    list["data"]
        .as_array()
        .and_then(|rows| rows.iter().find(|b| b["code"] == code))
        .cloned()
        .unwrap_or_else(|| panic!("{code} at the desk: {list}"))
}

/// "YA" books at head office (`BK-YYYY-W001`); the desk takes it on its
/// next pull as its own booking (`source` whatsapp, the slot booked, the
/// customer by phone) and pushes it back; the desk confirms it, and head
/// office sees the confirmation.
#[test]
fn a_whatsapp_booking_reaches_the_branch_which_confirms_it() {
    let hq = Hq::start();
    let admin = hq.admin();
    enable_bot(&admin);
    // Head office's gateway: a stand-in for WAHA on 127.0.0.1.
    let gateway = StubGateway::start(vec![]);
    admin
        .put(
            "/api/v1/settings/gateway",
            json!({"kind": "waha", "base_url": gateway.url, "token": "waha-send-key"}),
        )
        .expect(200);
    let (desk, slots, token) = branch_with_slots(&hq, 2);

    let mut dewi = customer(&hq, 1);
    dewi.up_to_confirm(1, "Dewi Lestari");
    let confirmed = dewi.say("YA");
    let code = format!("BK-{}-W001", Utc::now().format("%Y"));
    assert!(confirmed.contains(&code), "{confirmed}");
    // The confirmation reaches the customer through the gateway.
    wait_until("the confirmation sent", || {
        gateway.requests().iter().any(|r| {
            r.body["chatId"] == format!("{}@c.us", dewi.phone)
                && r.body["text"].as_str().is_some_and(|t| t.contains(&code))
        })
    });
    // Rina is told, on the number her branch keeps.
    let notice = replies_to(&hq, "6281300000001").join("\n");
    assert!(
        notice.contains(&code)
            && notice.contains("Dewi Lestari")
            && notice.contains("Jl. Melati 1"),
        "{notice}"
    );

    // The next customer is not offered the slot Dewi holds.
    let mut budi = customer(&hq, 2);
    assert!(budi.say("halo").contains("lokasi"));
    budi.share_pin();
    budi.say("1");
    let offered = budi.say("1");
    assert!(
        offered.contains("1. ") && !offered.contains("2. "),
        "{offered}"
    );

    // The branch pulls it: its own booking now.
    let run = desk.sync().expect(200);
    assert!(run["pulled"].as_u64().unwrap_or(0) >= 1, "{run}");
    let booking = desk_booking(&desk, &code);
    assert_eq!(booking["source"], "whatsapp");
    assert_eq!(booking["booking_status"], "pending");
    assert_eq!(booking["customer_name"], "Dewi Lestari");
    assert_eq!(booking["customer_phone"], dewi.phone);
    assert_eq!(booking["slot_id"], slots[0]["id"]);
    assert_eq!(booking["address"], "Jl. Melati 1, Jakarta");
    assert_eq!(booking["price"], "750000");
    let slot = desk
        .api
        .get(&format!("/slots/{}", slots[0]["id"].as_str().expect("id")))
        .expect(200);
    assert_eq!(slot["status"], "booked");
    // Pulled again (saving the token again restarts the feed): nothing doubles.
    desk.configure(&hq.url, &token);
    desk.sync().expect(200);
    let again = desk.api.get(&format!("/bookings?code={code}")).expect(200);
    assert_eq!(again["data"].as_array().map(Vec::len), Some(1));

    // Pushed back as the branch's; then confirmed at the desk.
    desk.sync().expect(200);
    let id = booking["id"].as_str().expect("id");
    let at_hq = |field: &str| {
        hq.json(&format!(
            "SELECT data->'{field}' FROM branch_rows WHERE entity = 'booking' AND entity_id = '{id}'"
        ))
    };
    assert_eq!(at_hq("code"), json!(code));
    // The confirmation and the provider's notice were queued as the message
    // kinds they are, with their values, for Meta templates.
    let kinds = hq.json(&format!(
        "SELECT json_object_agg(kind, vars->>'booking_code') FROM hq_outbox WHERE kind IS NOT NULL
           AND vars->>'booking_code' = '{code}'"
    ));
    assert_eq!(
        kinds,
        json!({"booking_confirmation": code, "provider_notification": code})
    );
    assert_eq!(at_hq("source"), json!("whatsapp"));
    // Head office's booking list says where each was made.
    let listed = admin.get("/api/v1/bookings").expect(200);
    let row = listed["data"]
        .as_array()
        .and_then(|rows| rows.iter().find(|b| b["code"] == code.as_str()))
        .cloned()
        .unwrap_or_else(|| panic!("{code} listed at head office: {listed}"));
    assert_eq!(row["source"], "whatsapp");
    desk.api
        .put(
            &format!("/bookings/{id}"),
            json!({"booking_status": "active", "version": booking["version"]}),
        )
        .expect(200);
    desk.sync().expect(200);
    assert_eq!(at_hq("booking_status"), json!("active"));
}

/// The desk, offline, booked a slot that head office then sold over
/// WhatsApp: both bookings are kept, both flagged `double_booking` at the
/// desk (and so at head office, once pushed), and the slot stays booked
/// when one of them is cancelled.
#[test]
fn an_offline_double_booking_is_kept_and_flagged_at_both_ends() {
    let hq = Hq::start();
    let admin = hq.admin();
    enable_bot(&admin);
    let (desk, slots, _) = branch_with_slots(&hq, 1);
    let slot_id = slots[0]["id"].as_str().expect("id");

    // The desk books the slot and does not sync.
    let walk_in = desk
        .api
        .post(
            "/bookings",
            json!({"customer": {"name": "Tamu Datang", "phone": "085700000001"},
                   "slot_id": slot_id, "address": "Jl. Mawar 2"}),
        )
        .expect(201);
    // Head office still believes the slot free and sells it.
    let mut dewi = customer(&hq, 3);
    dewi.up_to_confirm(1, "Dewi Lestari");
    assert!(dewi.say("YA").contains("BK-"));

    desk.sync().expect(200);
    let code = format!("BK-{}-W001", Utc::now().format("%Y"));
    let bot = desk_booking(&desk, &code);
    let walk_in = desk_booking(&desk, walk_in["code"].as_str().expect("code"));
    for b in [&bot, &walk_in] {
        assert_eq!(b["booking_status"], "pending", "{b}");
        assert!(
            b["risk_flags"]
                .as_array()
                .is_some_and(|f| f.contains(&json!("double_booking"))),
            "{b}"
        );
        assert_eq!(b["slot_id"], slot_id);
    }
    // Head office sees the flags the branch pushed.
    desk.sync().expect(200);
    let flagged = hq.json(
        "SELECT json_agg(data->>'code' ORDER BY data->>'code') FROM branch_rows
         WHERE entity = 'booking' AND data->'risk_flags' ? 'double_booking'",
    );
    let mut codes = vec![
        code.clone(),
        walk_in["code"].as_str().expect("code").to_owned(),
    ];
    codes.sort();
    assert_eq!(flagged, json!(codes));

    // Staff cancel the walk-in: the bot's booking keeps the slot, unflagged.
    let id = walk_in["id"].as_str().expect("id");
    desk.api
        .send("DELETE", &format!("/bookings/{id}"), None)
        .expect(200);
    let slot = desk.api.get(&format!("/slots/{slot_id}")).expect(200);
    assert_eq!(slot["status"], "booked");
    let bot = desk_booking(&desk, &code);
    assert!(
        !bot["risk_flags"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("double_booking"))),
        "{bot}"
    );
}

/// Staff resolve an offline double booking by moving the bot's booking to
/// another slot: both bookings lose the flag, each keeps a slot of its own,
/// the customer is told the new time, and head office (and so the bot's
/// "booking saya") sees the move once the branch pushes it.
#[test]
fn staff_move_one_side_of_a_double_booking_and_its_customer_is_told() {
    let hq = Hq::start();
    let admin = hq.admin();
    enable_bot(&admin);
    let (desk, slots, _) = branch_with_slots(&hq, 2);
    let (eight, ten) = (
        slots[0]["id"].as_str().expect("id"),
        slots[1]["id"].as_str().expect("id"),
    );
    let walk_in = desk
        .api
        .post(
            "/bookings",
            json!({"customer": {"name": "Tamu Datang", "phone": "085700000001"},
                   "slot_id": eight, "address": "Jl. Mawar 2"}),
        )
        .expect(201);
    let mut dewi = customer(&hq, 4);
    dewi.up_to_confirm(1, "Dewi Lestari");
    assert!(dewi.say("YA").contains("BK-"));
    desk.sync().expect(200);
    let code = format!("BK-{}-W001", Utc::now().format("%Y"));
    let bot = desk_booking(&desk, &code);
    assert!(
        bot["risk_flags"]
            .as_array()
            .is_some_and(|f| f.contains(&json!("double_booking"))),
        "{bot}"
    );

    // The booking page lists who else holds the slot.
    let mates = desk
        .api
        .get(&format!("/bookings?slot_id={eight}&open=true"))
        .expect(200);
    assert_eq!(mates["meta"]["total"], 2, "{mates}");

    // Staff move Dewi's booking to 10:00.
    let id = bot["id"].as_str().expect("id");
    let moved = desk
        .api
        .post(
            &format!("/bookings/{id}/move"),
            json!({"slot_id": ten, "version": bot["version"]}),
        )
        .expect(200);
    assert_eq!(moved["slot_id"], ten);
    assert_eq!(moved["event_at"], slots[1]["starts_at"]);
    let walk_in = desk_booking(&desk, walk_in["code"].as_str().expect("code"));
    for b in [&moved, &walk_in] {
        assert!(
            !b["risk_flags"]
                .as_array()
                .is_some_and(|f| f.contains(&json!("double_booking"))),
            "{b}"
        );
    }
    assert_eq!(walk_in["slot_id"], eight);
    for slot in [eight, ten] {
        let s = desk.api.get(&format!("/slots/{slot}")).expect(200);
        assert_eq!(s["status"], "booked", "{s}");
    }
    // Dewi is told, over the branch's WhatsApp.
    let told = desk
        .api
        .get(&format!("/messages?booking_id={id}&kind=booking_moved"))
        .expect(200);
    assert_eq!(told["data"][0]["to"], dewi.phone.as_str(), "{told}");
    assert!(
        told["data"][0]["body"]
            .as_str()
            .is_some_and(|b| b.contains("10.00") || b.contains("10:00")),
        "{told}"
    );

    // Head office sees the move and no double booking left.
    desk.sync().expect(200);
    assert_eq!(
        hq.json(&format!(
            "SELECT data->'slot_id' FROM branch_rows WHERE entity = 'booking' AND entity_id = '{id}'"
        )),
        json!(ten)
    );
    assert_eq!(
        hq.json(
            "SELECT count(*) FROM branch_rows
             WHERE entity = 'booking' AND data->'risk_flags' ? 'double_booking'"
        ),
        json!(0)
    );
    let listed = dewi.say("booking saya");
    assert!(
        listed.contains(&code) && listed.contains("10:00"),
        "{listed}"
    );
}

/// Two customers say "YA" for the same slot at the same moment, round
/// after round: exactly one gets it each time, the other is told and
/// offered the next slots.
#[test]
fn two_customers_racing_for_one_slot_never_both_get_it() {
    let hq = Hq::start();
    let admin = hq.admin();
    enable_bot(&admin);
    const ROUNDS: usize = 8;
    let _branch = branch_with_slots(&hq, ROUNDS);
    for round in 0..ROUNDS {
        let mut a = customer(&hq, 100 + 2 * round as u32);
        let mut b = customer(&hq, 101 + 2 * round as u32);
        // The earliest free slot is the one this round races for.
        a.up_to_confirm(1, "Ani Racing");
        b.up_to_confirm(1, "Bima Racing");
        let (said_a, said_b) = std::thread::scope(|s| {
            let a = s.spawn(|| a.say("YA"));
            let b = s.spawn(|| b.say("YA"));
            (a.join().expect("a"), b.join().expect("b"))
        });
        let won = [&said_a, &said_b]
            .iter()
            .filter(|t| t.contains("BK-"))
            .count();
        assert_eq!(won, 1, "round {round}: {said_a:?} / {said_b:?}");
        let lost = if said_a.contains("BK-") {
            &said_b
        } else {
            &said_a
        };
        assert!(!lost.contains("BK-"), "{lost}");
        assert_eq!(
            hq.json("SELECT count(*) FROM hq_bookings")
                .as_u64()
                .unwrap_or(0),
            round as u64 + 1
        );
    }
    let doubled = hq.json(
        "SELECT count(*) FROM (SELECT slot_id FROM hq_bookings GROUP BY slot_id HAVING count(*) > 1) d",
    );
    assert_eq!(doubled, json!(0));
}

/// "booking saya" lists the customer's booking, pending, for cancelling;
/// cancelled, its slot is offered again at once, and the branch cancels
/// its copy on its next pull and frees the slot.
#[test]
fn a_customer_cancels_a_pending_booking_and_the_branch_frees_the_slot() {
    let hq = Hq::start();
    let admin = hq.admin();
    enable_bot(&admin);
    let (desk, slots, _) = branch_with_slots(&hq, 1);
    let slot_id = slots[0]["id"].as_str().expect("id");

    let mut dewi = customer(&hq, 4);
    dewi.up_to_confirm(1, "Dewi Lestari");
    let code = format!("BK-{}-W001", Utc::now().format("%Y"));
    assert!(dewi.say("YA").contains(&code));
    // Taken: the next customer finds no free slot with Rina.
    let mut budi = customer(&hq, 5);
    budi.say("halo");
    budi.share_pin();
    budi.say("1");
    let none = budi.say("1");
    assert!(none.contains("belum punya jadwal kosong"), "{none}");

    let listed = dewi.say("booking saya");
    assert!(listed.contains(&code) && listed.contains("1. "), "{listed}");
    assert!(dewi.say("1").contains(&format!("Batalkan booking {code}")));
    let canceled = dewi.say("YA");
    assert!(canceled.contains("sudah dibatalkan"), "{canceled}");
    // Cancelling twice: nothing left to cancel.
    assert!(!dewi.say("booking saya").contains(&code));

    // Head office offers the slot again at once.
    let mut sari = customer(&hq, 6);
    sari.say("halo");
    sari.share_pin();
    sari.say("1");
    let offered = sari.say("1");
    assert!(
        offered.contains("1. ") && !offered.contains("belum punya jadwal kosong"),
        "the slot is free again: {offered}"
    );

    // The branch takes the booking and its cancellation in one pull.
    desk.sync().expect(200);
    let booking = desk_booking(&desk, &code);
    assert_eq!(booking["booking_status"], "canceled");
    assert!(
        booking["notes"]
            .as_str()
            .is_some_and(|n| n.contains("WhatsApp")),
        "{booking}"
    );
    let slot = desk.api.get(&format!("/slots/{slot_id}")).expect(200);
    assert_eq!(slot["status"], "available");
}
