//! The outbox: concurrent senders never send twice; a message left `sending` by a
//! crash becomes `unknown` and is resent only by hand.

use serde_json::json;

use super::*;

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
            std::thread::spawn(move || deliver_due(&app, None, true).unwrap())
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
    assert_eq!(recover_interrupted(&t.app).unwrap(), 1);
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
