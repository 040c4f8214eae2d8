//! A sealed value the key cannot open (one damaged row, or a row sealed with
//! another key) is shown as unavailable instead of failing its whole page,
//! and entering the value again repairs it. The same for the gateway token.

use serde_json::json;

use super::*;

/// Flips one byte inside the sealed part of a stored value, as a damaged
/// sector or a row sealed by another key would look to this key.
fn damage(blob: &mut [u8]) {
    let last = blob.len() - 1;
    blob[last] ^= 0x5a;
}

fn writable_db(t: &TestApp) -> rusqlite::Connection {
    rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap()
}

#[test]
fn an_undecryptable_customer_shows_as_unavailable_and_the_list_still_answers() {
    let t = TestApp::new();
    let s = t.serve();
    let ktp = "3275010101900001";
    let bad = s
        .post("/customers", json!({"name": "Rina Marlina", "phone": "081277776666", "ktp_number": ktp, "npwp_number": "091234567801234"}))
        .expect(201);
    let good = s
        .post(
            "/customers",
            json!({"name": "Budi", "phone": "081277775555", "ktp_number": "3275010101900002"}),
        )
        .expect(201);
    let id = bad["id"].as_str().unwrap().to_owned();
    {
        let conn = writable_db(&t);
        let mut blob: Vec<u8> = conn
            .query_row(
                "SELECT ktp_cipher FROM customers WHERE id = ?1",
                [&id],
                |r| r.get(0),
            )
            .unwrap();
        damage(&mut blob);
        conn.execute(
            "UPDATE customers SET ktp_cipher = ?1 WHERE id = ?2",
            (&blob, &id),
        )
        .unwrap();
    }

    // The page answers, every row on it; the damaged field alone is null and named.
    let list = s.get("/customers").expect(200);
    let rows = list["data"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{list}");
    let row = rows.iter().find(|r| r["id"] == id.as_str()).unwrap();
    assert_eq!(row["ktp_number"], serde_json::Value::Null, "{row}");
    assert_eq!(row["unavailable"], json!(["ktp_number"]), "{row}");
    assert_eq!(
        row["npwp_number"], "091234567801234",
        "the intact field still reads"
    );
    let other = rows.iter().find(|r| r["id"] == good["id"]).unwrap();
    assert_eq!(other["ktp_number"], "3275010101900002");
    assert!(other.get("unavailable").is_none(), "{other}");

    // A role that sees masked numbers gets the same page.
    let desk = t.login_as(&s, "desk", Role::FrontDesk);
    desk.get("/customers").expect(200);

    // The record itself answers, and entering the number again repairs it.
    let one = s.get(&format!("/customers/{id}")).expect(200);
    assert_eq!(one["unavailable"], json!(["ktp_number"]));
    s.put(&format!("/customers/{id}"), json!({"name": "Rina M."}))
        .expect(200);
    let fixed = s
        .put(&format!("/customers/{id}"), json!({"ktp_number": ktp}))
        .expect(200);
    assert_eq!(fixed["ktp_number"], ktp);
    assert!(fixed.get("unavailable").is_none(), "{fixed}");
}

#[test]
fn an_undecryptable_gateway_token_pauses_delivery_and_can_be_entered_again() {
    let t = TestApp::new();
    let s = t.serve();
    s.put(
        "/settings/gateway",
        json!({"kind": "fonnte", "base_url": "http://127.0.0.1:9", "token": "secret-token-1234"}),
    )
    .expect(200);
    {
        let conn = writable_db(&t);
        let raw: String = conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'gateway'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let mut v: serde_json::Value = serde_json::from_str(&raw).unwrap();
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut blob = b64.decode(v["token_sealed"].as_str().unwrap()).unwrap();
        damage(&mut blob);
        v["token_sealed"] = json!(b64.encode(&blob));
        conn.execute(
            "UPDATE settings SET value = ?1 WHERE key = 'gateway'",
            [v.to_string()],
        )
        .unwrap();
    }
    let g = s.get("/settings/gateway").expect(200);
    assert_eq!(g["token_unavailable"], true, "{g}");
    assert_eq!(g["token"], serde_json::Value::Null);

    // The sender pauses once, with the reason, instead of failing every pass.
    let first = deliver_due(&t.app, None, false).expect("the sender does not fail");
    assert!(
        first
            .paused
            .as_deref()
            .is_some_and(|p| p.contains("enter the token again")),
        "{:?}",
        first.paused
    );
    let again = deliver_due(&t.app, None, false).unwrap();
    assert!(again.paused.is_some());

    // The admin enters the token again: readable, and the pause is lifted.
    let g = s
        .put("/settings/gateway", json!({"token": "secret-token-5678"}))
        .expect(200);
    assert_eq!(g["token_unavailable"], false);
    assert_eq!(g["token"], "••••5678");
    assert_eq!(g["auth_error"], serde_json::Value::Null);
}
