//! kill -9 while the real `loket serve` delivers 500 queued messages to a
//! stand-in gateway: after a restart, the stand-in received no message
//! twice, and every message is `sent`, `failed` or `unknown` — none lost.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use crate::support::standin::*;
use crate::support::*;

#[test]
fn no_message_is_delivered_twice_or_lost_across_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    add_admin(dir.path());

    // First the gateway refuses the token: everything stays queued.
    let g = StandIn::start(|_, _| Scripted::json(401, json!({"message": "Unauthorized"})));
    let (mut child, s) = serve_binary(dir.path());
    s.put(
        "/settings/gateway",
        json!({"kind": "waha", "base_url": g.url(), "token": "old-key"}),
    )
    .expect(200);
    let n = 500;
    for i in 0..n {
        s.post(
            "/bookings",
            json!({"customer": customer("Pelanggan", &format!("0812{i:08}")), "price": "150000"}),
        )
        .expect(201);
    }
    wait_for("the refusal", Duration::from_secs(20), || g.count() > 0);
    let queued = s.get("/messages?status=queued&page_size=1").expect(200);
    assert_eq!(total(&queued), n, "a 401 drops nothing");

    // Now it accepts, slowly; a new key lifts the pause and the sender starts.
    g.set_default(|r, n| waha_ok(r, n).delayed(Duration::from_millis(10)));
    g.clear();
    s.put("/settings/gateway", json!({"token": "new-key"}))
        .expect(200);
    wait_for("half the deliveries", Duration::from_secs(60), || {
        g.count() >= 150
    });
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill = g.count();
    assert!(
        at_kill < n as usize,
        "killed mid-delivery ({at_kill} received)"
    );

    // Restart: the one in flight (if any) is `unknown`; the rest go out.
    let (mut child, s) = serve_binary(dir.path());
    // Until nothing is queued and the background sender has nothing in hand.
    wait_for(
        "the restarted server to deliver",
        Duration::from_secs(120),
        || {
            let queued = s.post("/messages/flush", json!({})).expect(200)["queued"]
                .as_u64()
                .unwrap();
            let sending =
                s.get("/messages?status=sending&page_size=1").expect(200)["meta"]["total"]
                    .as_u64()
                    .unwrap();
            queued == 0 && sending == 0
        },
    );
    let mut statuses: HashMap<String, u64> = HashMap::new();
    let mut by_phone: HashMap<String, String> = HashMap::new();
    for page in 1..=(n / 200 + 1) {
        let list = s
            .get(&format!("/messages?page_size=200&page={page}"))
            .expect(200);
        for m in list["data"].as_array().unwrap() {
            *statuses
                .entry(m["status"].as_str().unwrap().to_owned())
                .or_default() += 1;
            by_phone.insert(
                m["to"].as_str().unwrap().to_owned(),
                m["status"].as_str().unwrap().to_owned(),
            );
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let mut received: HashMap<String, usize> = HashMap::new();
    for r in g.requests() {
        let chat = r.json()["chatId"].as_str().unwrap().to_owned();
        *received
            .entry(chat.trim_end_matches("@c.us").to_owned())
            .or_default() += 1;
    }
    let twice: Vec<_> = received.iter().filter(|(_, c)| **c > 1).collect();
    assert!(twice.is_empty(), "delivered twice: {twice:?}");
    assert_eq!(
        by_phone.len(),
        n as usize,
        "one message per booking, none lost"
    );
    let sent = statuses.get("sent").copied().unwrap_or(0);
    let unknown = statuses.get("unknown").copied().unwrap_or(0);
    let failed = statuses.get("failed").copied().unwrap_or(0);
    assert_eq!(sent + unknown + failed, n, "{statuses:?}");
    assert!(
        unknown <= 1,
        "one message at a time is in flight: {statuses:?}"
    );
    for (phone, status) in &by_phone {
        match status.as_str() {
            "sent" => assert_eq!(received.get(phone), Some(&1), "{phone} sent once"),
            "unknown" => {}
            other => panic!("{phone} is {other}"),
        }
    }
    // What the stand-in got is exactly the sent messages, plus the one in flight if it arrived.
    assert!(received.keys().all(|p| by_phone.contains_key(p)));
    let unknown_received = by_phone
        .iter()
        .filter(|(p, st)| *st == "unknown" && received.contains_key(*p))
        .count();
    assert_eq!(received.len(), sent as usize + unknown_received);
    eprintln!("killed after {at_kill} deliveries; then {statuses:?}");
}
