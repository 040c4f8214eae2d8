//! What head office owns beyond new services: edits and retirements of the
//! catalogue, the settings a chain shares (the priority thresholds), its
//! login throttle, and the desk's gzipped push. Real `loket-hq` and `loket
//! serve` processes, everything over HTTP (see `support/`).

mod support;

use serde_json::json;

use support::proxy::Proxy;
use support::*;

fn viewer(hq: &Hq) -> Client {
    let out = hq.cli(
        &[
            "user",
            "add",
            "lihat",
            "--role",
            "hq_viewer",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let login = Client::new(&hq.url)
        .post(
            "/api/v1/auth/login",
            json!({"username": "lihat", "password": PASSWORD}),
        )
        .expect(200);
    Client::new(&hq.url).with_token(login["token"].as_str().unwrap())
}

/// A service edited and then retired at head office reaches both desks at
/// their next sync, and stays read-only there; a stale edit is 409, bad
/// input names its field, a viewer gets 403 on every write. Desk A syncs
/// through a recording proxy: its push, larger than a few KB, travels
/// gzipped and head office takes it.
#[test]
fn a_service_edited_and_retired_at_head_office_follows_at_both_desks() {
    let hq = Hq::start();
    let admin = hq.admin();
    let viewer = viewer(&hq);
    let (branch_a, token_a) = hq.add_branch("Cabang A");
    let (_, token_b) = hq.add_branch("Cabang B");
    let service = admin
        .post(
            "/api/v1/services",
            json!({"name": "Rias Pengantin", "duration_min": 120, "price": "3500000"}),
        )
        .expect(201);
    assert_eq!(service["version"], 1);
    let id = service["id"].as_str().unwrap().to_owned();
    let hq_path = format!("/api/v1/services/{id}");
    let proxy = Proxy::start(&hq.url);
    let a = Desk::start();
    let b = Desk::start();
    a.configure(&proxy.url, &token_a);
    b.configure(&hq.url, &token_b);
    let made = a.make_bookings("gzip", 12);
    for desk in [&a, &b] {
        desk.sync().expect(200);
    }
    // The push crossed the wire gzipped, and head office applied it.
    let requests = proxy.requests.lock().unwrap().clone();
    let pushes: Vec<String> = requests
        .iter()
        .filter(|r| r.starts_with(b"POST /sync/v1/push"))
        .map(|r| String::from_utf8_lossy(r).to_ascii_lowercase())
        .collect();
    let first = pushes.first().expect("a push");
    let (head, body) = first.split_once("\r\n\r\n").unwrap();
    assert!(head.contains("content-encoding: gzip"), "{head}");
    let booking_id = made[0]["id"].as_str().unwrap();
    assert!(
        !body.contains(&*booking_id.to_ascii_lowercase()),
        "the booking's id is not readable on the wire: the body is compressed"
    );
    let inflated = proxy.requests_inflated();
    assert!(
        inflated
            .iter()
            .any(|r| r.starts_with("POST /sync/v1/push") && r.contains(booking_id)),
        "inflated, the push carries the booking"
    );
    let at_hq = admin
        .get(&format!("/api/v1/bookings?branch_id={branch_a}"))
        .expect(200);
    assert_eq!(at_hq["meta"]["total"], 12, "{at_hq}");

    // Edits: stale version, bad input, viewer.
    let stale = admin.put(&hq_path, json!({"price": "4000000", "version": 7}));
    assert_eq!(stale.status, 409, "{:?}", stale.body);
    for (body, field) in [
        (json!({"name": "X"}), "name"),
        (json!({"price": "-5"}), "price"),
        (json!({"duration_min": 0}), "duration_min"),
        (json!({"duration_min": "lama"}), "duration_min"),
        (json!({"colour": "red"}), "colour"),
    ] {
        let bad = admin.put(&hq_path, body.clone());
        assert_eq!(bad.status, 422, "{body}: {:?}", bad.body);
        assert!(
            bad.body["error"]["field"]
                .as_str()
                .unwrap_or_default()
                .contains(field)
                || bad.body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(field),
            "{body}: {:?}",
            bad.body
        );
    }
    assert_eq!(
        admin
            .put("/api/v1/services/nope", json!({"price": "1"}))
            .status,
        422
    );
    assert_eq!(
        admin
            .put(
                &format!("/api/v1/services/{}", uuid_like()),
                json!({"price": "1"})
            )
            .status,
        404
    );
    assert_eq!(viewer.put(&hq_path, json!({"price": "1"})).status, 403);
    assert_eq!(viewer.send("DELETE", &hq_path, None).status, 403);
    assert_eq!(
        viewer
            .put("/api/v1/settings", json!({"urgent_days": 3}))
            .status,
        403
    );
    assert_eq!(
        viewer
            .post(
                "/api/v1/services",
                json!({"name": "Foto", "duration_min": 60, "price": "1"})
            )
            .status,
        403
    );
    let edited = admin
        .put(
            &hq_path,
            json!({"name": "Rias Pengantin Adat", "price": "4000000", "version": 1}),
        )
        .expect(200);
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["duration_min"], 120);
    for desk in [&a, &b] {
        assert_eq!(desk.sync().expect(200)["pulled"], 1);
        let local = desk.api.get(&format!("/services/{id}")).expect(200);
        assert_eq!(local["name"], "Rias Pengantin Adat");
        assert_eq!(local["price"], "4000000");
        assert_eq!(local["from_head_office"], true);
        let edit = desk
            .api
            .put(&format!("/services/{id}"), json!({"price": "1"}));
        assert_eq!(edit.status, 409, "{:?}", edit.body);
        assert!(
            edit.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("head office")
        );
    }

    // Retired: gone from head office's catalogue and from both desks'.
    assert_eq!(admin.send("DELETE", &hq_path, None).status, 204);
    assert_eq!(admin.send("DELETE", &hq_path, None).status, 404);
    assert_eq!(admin.put(&hq_path, json!({"price": "1"})).status, 404);
    assert_eq!(
        admin.get("/api/v1/services").expect(200)["meta"]["total"],
        0
    );
    for desk in [&a, &b] {
        let run = desk.sync().expect(200);
        assert_eq!(run["pulled"], 1, "{run}");
        assert_eq!(desk.api.get(&format!("/services/{id}")).status, 404);
        let listed = desk.api.get("/services").expect(200);
        assert_eq!(listed["meta"]["total"], 0, "{listed}");
    }
}

fn uuid_like() -> &'static str {
    "0190a5c4-0000-7000-8000-000000000000"
}

/// Thresholds set at head office reach a desk at its next sync: its open
/// bookings change segment in the same pull, head office sees the new
/// segments at the push after, and the desk refuses to change those
/// settings itself (its own settings stay its own). Bad values name the
/// field; a viewer reads them.
#[test]
fn thresholds_set_at_head_office_rescore_the_desk_and_are_read_only_there() {
    let hq = Hq::start();
    let admin = hq.admin();
    let viewer = viewer(&hq);
    let (branch, token) = hq.add_branch("Cabang A");
    let desk = Desk::start();
    desk.configure(&hq.url, &token);
    // 1,500,000 paid `dp`, months ahead: 10 + 20 + 15 + 5 = 50, `medium`.
    let made = desk.make_bookings("seg", 2);
    let booking_path = format!("/bookings/{}", made[0]["id"].as_str().unwrap());
    assert_eq!(
        desk.api.get(&booking_path).expect(200)["priority_segment"],
        "medium"
    );
    desk.sync().expect(200);

    let defaults = viewer.get("/api/v1/settings").expect(200);
    assert_eq!(defaults["version"], 0);
    assert_eq!(defaults["high_segment_min"], 80);
    for (body, field) in [
        (json!({"medium_segment_min": 200}), "medium_segment_min"),
        (json!({"soon_days": 1, "urgent_days": 3}), "soon_days"),
        (json!({"vip_price": "abc"}), "vip_price"),
        (json!({"group_clients": 0}), "group_clients"),
        (json!({"urgent_days": "soon"}), "urgent_days"),
        (json!({"time_zone": "Asia/Jakarta"}), "time_zone"),
    ] {
        let bad = admin.put("/api/v1/settings", body.clone());
        assert_eq!(bad.status, 422, "{body}: {:?}", bad.body);
        assert!(
            bad.body["error"]["field"]
                .as_str()
                .unwrap_or_default()
                .contains(field)
                || bad.body["error"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .contains(field),
            "{body}: {:?}",
            bad.body
        );
    }
    let set = admin
        .put(
            "/api/v1/settings",
            json!({"high_segment_min": 50, "medium_segment_min": 30, "version": 0}),
        )
        .expect(200);
    assert_eq!(set["version"], 1);
    assert_eq!(
        admin
            .put("/api/v1/settings", json!({"urgent_days": 3, "version": 0}))
            .status,
        409
    );
    assert_eq!(
        viewer.get("/api/v1/settings").expect(200)["high_segment_min"],
        50
    );

    let run = desk.sync().expect(200);
    assert_eq!(run["pulled"], 1, "{run}");
    let booking = desk.api.get(&booking_path).expect(200);
    assert_eq!(booking["priority_segment"], "high", "{booking}");
    assert_eq!(booking["priority_score"], 50);
    let local = desk.api.get("/settings").expect(200);
    assert_eq!(local["high_segment_min"], 50);
    assert_eq!(local["medium_segment_min"], 30);
    let owned = local["from_head_office"].as_array().unwrap();
    assert!(owned.contains(&json!("high_segment_min")), "{local}");
    assert!(!owned.contains(&json!("business_name")), "{local}");
    let refused = desk.api.put("/settings", json!({"high_segment_min": 90}));
    assert_eq!(refused.status, 409, "{:?}", refused.body);
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("head office"),
        "{:?}",
        refused.body
    );
    // The desk's own settings stay its own; head office's sent back
    // unchanged (a form saving every field) are no change.
    desk.api
        .put(
            "/settings",
            json!({"business_name": "Studio Ayu", "high_segment_min": 50}),
        )
        .expect(200);
    // The rescored bookings travel to head office with the next push.
    let run = desk.sync().expect(200);
    assert!(run["pushed"].as_u64().unwrap() >= 2, "{run}");
    let high = admin
        .get(&format!("/api/v1/bookings?branch_id={branch}&segment=high"))
        .expect(200);
    assert_eq!(high["meta"]["total"], 2, "{high}");
}

/// Head office's login is throttled as the desk's is: after repeated wrong
/// passwords for a username, even the right one waits (429, Retry-After);
/// another username is not affected.
#[test]
fn repeated_wrong_head_office_passwords_get_429() {
    let hq = Hq::start();
    let _viewer = viewer(&hq);
    let login = |password: &str| {
        reqwest::blocking::Client::new()
            .post(format!("{}/api/v1/auth/login", hq.url))
            .json(&json!({"username": "lihat", "password": password}))
            .send()
            .unwrap()
    };
    for _ in 0..5 {
        assert_eq!(login("salah-sekali").status(), 401);
    }
    let locked = login(PASSWORD);
    assert_eq!(locked.status(), 429);
    let wait: u64 = locked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=30).contains(&wait), "{wait}");
    let body: serde_json::Value = locked.json().unwrap();
    assert_eq!(body["error"]["code"], "too_many_attempts");
    // Another head-office user still logs in.
    hq.admin().get("/api/v1/settings").expect(200);
}
