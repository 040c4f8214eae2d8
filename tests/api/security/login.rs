//! Logging in under attack: backoff per username and per address (429 with
//! `Retry-After`, only for what is locked), failed logins in the audit
//! trail, changing one's own password, the common-password list, and the
//! idle timeout, by the app's own clock.

use chrono::Duration;
use serde_json::{Value, json};

use crate::support::*;

/// A login through reqwest directly, to see the `Retry-After` header.
fn login_raw(s: &Server, username: &str, password: &str) -> (u16, Option<String>, Value) {
    let r = reqwest::blocking::Client::new()
        .post(s.url("/auth/login"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .unwrap();
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry, r.json().unwrap())
}

#[test]
fn five_wrong_passwords_lock_that_username_only_and_the_lock_passes() {
    let t = TestApp::new();
    let s = t.serve();
    t.user("ani", Role::FrontDesk);
    for _ in 0..5 {
        let (status, _, body) = login_raw(&s, "admin", "salah-sandi-1");
        assert_eq!(status, 401, "{body}");
    }
    // Locked: even the right password is refused, before any check.
    let (status, retry, body) = login_raw(&s, "admin", PASSWORD);
    assert_eq!(status, 429, "{body}");
    assert_eq!(retry.as_deref(), Some("30"), "Retry-After");
    assert_eq!(body["error"]["code"], "too_many_attempts");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("this username") && message.contains("30 seconds"),
        "{message}"
    );
    // The same letters in another case are the same username.
    assert_eq!(login_raw(&s, "ADMIN", PASSWORD).0, 429);
    // Another user at the same desk logs in as usual.
    let (status, _, body) = login_raw(&s, "ani", PASSWORD);
    assert_eq!(status, 200, "{body}");
    // The existing session is not touched by the lock.
    s.get("/auth/me").expect(200);

    // After the lock, the right password works (and clears the count).
    t.set_now(default_now() + Duration::seconds(29));
    assert_eq!(login_raw(&s, "admin", PASSWORD).0, 429);
    t.set_now(default_now() + Duration::seconds(30));
    assert_eq!(login_raw(&s, "admin", PASSWORD).0, 200);
    // Each failure after the free ones doubles the lock.
    for _ in 0..5 {
        login_raw(&s, "admin", "salah-sandi-1");
    }
    login_raw(&s, "admin", "salah-sandi-1"); // impossible while locked: still 429
    let (status, retry, _) = login_raw(&s, "admin", PASSWORD);
    assert_eq!((status, retry.as_deref()), (429, Some("30")));
    t.set_now(default_now() + Duration::seconds(60));
    assert_eq!(login_raw(&s, "admin", "salah-sandi-1").0, 401);
    let (status, retry, _) = login_raw(&s, "admin", PASSWORD);
    assert_eq!((status, retry.as_deref()), (429, Some("60")));
}

#[test]
fn many_usernames_from_one_address_lock_that_address() {
    let t = TestApp::new();
    let s = t.serve();
    t.user("ani", Role::FrontDesk);
    // Spraying: each username below its own limit, the address past its.
    for i in 0..20 {
        let (status, _, _) = login_raw(&s, &format!("tebakan{i}"), "salah-sandi-1");
        assert_eq!(status, 401);
    }
    let (status, retry, body) = login_raw(&s, "ani", PASSWORD);
    assert_eq!(status, 429, "{body}");
    assert!(retry.is_some());
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("address"),
        "{body}"
    );
    // The desktop app (no address) is not behind that lock.
    let desktop = loket::api::dispatch(
        &t.app,
        &Actor::Anonymous,
        "auth.login",
        json!({"username": "ani", "password": PASSWORD}),
    );
    assert!(desktop.is_ok(), "{desktop:?}");
    t.set_now(default_now() + Duration::seconds(30));
    assert_eq!(login_raw(&s, "ani", PASSWORD).0, 200);
}

#[test]
fn failed_logins_are_audited_without_the_password() {
    let t = TestApp::new();
    let s = t.serve();
    login_raw(&s, "admin", "sandi-yang-salah");
    login_raw(&s, "tidak-ada", "sandi-lain-salah");
    let audit = s.get("/audit?page_size=50").expect(200);
    let failed: Vec<&Value> = audit["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "login_failed")
        .collect();
    assert_eq!(failed.len(), 2, "{audit}");
    let names: Vec<&str> = failed
        .iter()
        .map(|e| e["after"]["username"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"admin") && names.contains(&"tidak-ada"),
        "{names:?}"
    );
    for e in &failed {
        assert_eq!(e["after"]["address"], "127.0.0.1", "{e}");
        assert_eq!(e["entity"], "user");
    }
    let text = audit.to_string();
    assert!(!text.contains("sandi-yang-salah") && !text.contains("sandi-lain-salah"));
}

#[test]
fn a_user_changes_their_own_password_and_other_sessions_end() {
    let t = TestApp::new();
    let s = t.serve();
    let desk = t.login_as(&s, "ani", Role::FrontDesk);
    let other_desk = s.as_user("ani");
    desk.post(
        "/auth/change-password",
        json!({"current_password": "bukan-sandinya", "new_password": "kuda-laut-biru"}),
    )
    .expect_error(422, "validation", Some("current_password"));
    for common in [
        "password123",
        "Password123!",
        "12345678",
        "qwerty123",
        "admin2026",
    ] {
        desk.post(
            "/auth/change-password",
            json!({"current_password": PASSWORD, "new_password": common}),
        )
        .expect_error(422, "validation", Some("new_password"));
    }
    desk.post(
        "/auth/change-password",
        json!({"current_password": PASSWORD, "new_password": "pendek"}),
    )
    .expect_error(422, "validation", Some("new_password"));
    desk.post(
        "/auth/change-password",
        json!({"current_password": PASSWORD, "new_password": "kuda-laut-biru"}),
    )
    .expect(200);
    // This session goes on; the other desk's ended.
    desk.get("/auth/me").expect(200);
    other_desk
        .get("/auth/me")
        .expect_error(401, "unauthorized", None);
    let mut fresh = Server::new(s.addr);
    fresh
        .login("ani", PASSWORD)
        .expect_error(401, "login_failed", None);
    fresh.login("ani", "kuda-laut-biru").expect(200);
    // Not logged in: refused.
    Server::new(s.addr)
        .post(
            "/auth/change-password",
            json!({"current_password": "x", "new_password": "kuda-laut-biru"}),
        )
        .expect_error(401, "unauthorized", None);
    let audit = s.get("/audit?entity=user").expect(200);
    assert!(
        audit["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "password_change"),
        "{audit}"
    );
}

#[test]
fn common_passwords_are_refused_when_an_admin_sets_one() {
    let t = TestApp::new();
    let s = t.serve();
    s.post(
        "/users",
        json!({"username": "budi", "password": "password123", "role": "sales"}),
    )
    .expect_error(422, "validation", Some("password"));
    let budi = s
        .post(
            "/users",
            json!({"username": "budi", "password": "kuda-laut-biru", "role": "sales"}),
        )
        .expect(201);
    s.put(
        &format!("/users/{}", budi["id"].as_str().unwrap()),
        json!({"password": "iloveyou1"}),
    )
    .expect_error(422, "validation", Some("password"));
}

#[test]
fn an_unused_session_ends_after_the_idle_timeout() {
    let t = TestApp::new();
    let s = t.serve();
    // Used every 50 minutes, it lives on (the idle time restarts each use).
    for i in 1..=3 {
        t.set_now(default_now() + Duration::minutes(50 * i));
        s.get("/auth/me").expect(200);
    }
    // Then 60 minutes without use: gone.
    t.set_now(default_now() + Duration::minutes(150 + 60));
    s.get("/auth/me").expect_error(401, "unauthorized", None);

    // The setting shortens it.
    let mut s = Server::new(s.addr);
    s.login("admin", PASSWORD).expect(200);
    s.put("/settings", json!({"session_idle_minutes": 5}))
        .expect(200);
    s.put("/settings", json!({"session_idle_minutes": 2}))
        .expect_error(422, "validation", Some("session_idle_minutes"));
    t.set_now(default_now() + Duration::minutes(210 + 4));
    s.get("/auth/me").expect(200);
    t.set_now(default_now() + Duration::minutes(214 + 5));
    s.get("/auth/me").expect_error(401, "unauthorized", None);
}
