//! Sessions: without a valid token only logging in works; logging out,
//! deactivation and a password reset end sessions; the last admin stays; a
//! login lasts 16 hours by the app's own clock; a wrong username costs as
//! much password hashing as a wrong password.

use chrono::Duration;
use serde_json::json;

use super::{MATRIX, fixtures, perform};
use crate::support::*;

#[test]
fn a_session_ends_sixteen_hours_after_login_by_the_apps_clock() {
    let t = TestApp::new();
    let mut s = t.serve();
    s.keep_sessions_idle_all_day(); // only the 16 hours after login count here
    let login = s.login("admin", PASSWORD).expect(200);
    assert_eq!(
        login["expires_at"], "2026-11-22T19:00:00.000Z",
        "login + 16 h"
    );

    t.set_now(default_now() + Duration::hours(16) - Duration::seconds(1));
    assert_eq!(s.get("/auth/me").expect(200)["username"], "admin");
    t.set_now(default_now() + Duration::hours(16));
    s.get("/auth/me").expect_error(401, "unauthorized", None);
    s.get("/bookings").expect_error(401, "unauthorized", None);
    // A new login starts a new 16 hours.
    let again = s.login("admin", PASSWORD).expect(200);
    assert_eq!(again["expires_at"], "2026-11-23T11:00:00.000Z");
    assert_eq!(s.get("/auth/me").expect(200)["username"], "admin");
}

/// The argon2 parameters of a PHC hash string (`$argon2id$v=19$m=..,t=..,p=..$`).
fn argon2_parameters(hash: &str) -> String {
    hash.split('$').take(4).collect::<Vec<_>>().join("$")
}

/// An unknown username is checked against a stand-in hash so it cannot be
/// told from a wrong password by the time it takes. Checked without a clock:
/// an unknown username runs one password check on the login pool, as a
/// wrong password does, and the stand-in hash has the parameters (the cost)
/// of a real user's hash. Without the stand-in (or with a cheaper one) an
/// unknown username would cost a database lookup only.
#[test]
fn an_unknown_username_costs_as_much_as_a_wrong_password() {
    let t = TestApp::new();
    let attempt = |username: &str| {
        let before = t.app.logins().checks_run();
        let r = loket::api::dispatch(
            &t.app,
            &Actor::System,
            "auth.login",
            json!({"username": username, "password": "salah-sandi-1"}),
        );
        assert!(r.is_err(), "{username} must not log in");
        t.app.logins().checks_run() - before
    };
    assert_eq!(attempt("admin"), 1, "a wrong password runs one check");
    assert_eq!(
        attempt("tidak-ada"),
        1,
        "an unknown username runs one check too"
    );
    let stored: String = t
        .db()
        .query_row(
            "SELECT password_hash FROM users WHERE username = 'admin'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(stored.starts_with("$argon2id$"), "{stored}");
    assert_eq!(
        argon2_parameters(loket::people::users::DUMMY_HASH),
        argon2_parameters(&stored),
        "the stand-in hash costs what a real one does"
    );
}

#[test]
fn without_a_valid_token_everything_but_login_is_401() {
    let t = TestApp::new();
    let admin = t.serve();
    let f = fixtures(&admin, 0);
    let mut anon = Server::new(admin.addr);
    for (op, _, _) in MATRIX {
        perform(&anon, op, &f, "anon").expect_error(401, "unauthorized", None);
    }
    anon.get("/auth/me").expect_error(401, "unauthorized", None);
    anon.token = Some("0123456789abcdef".repeat(4));
    for (op, _, _) in MATRIX {
        perform(&anon, op, &f, "anon").expect_error(401, "unauthorized", None);
    }
    // Nothing happened.
    assert_eq!(
        admin
            .get(&format!("/bookings/{}", f.booking_to_cancel))
            .expect(200)["booking_status"],
        "pending"
    );
    admin.get(&format!("/customers/{}", f.customer)).expect(200);
    // The OpenAPI document and logging in need no token.
    anon.token = None;
    assert_eq!(anon.get("/openapi.json").status, 200);
    anon.login("admin", PASSWORD).expect(200);
    assert_eq!(anon.get("/auth/me").expect(200)["username"], "admin");
    // Logging out ends that session; the same user at another desk stays in.
    anon.post("/auth/logout", json!({})).expect(200);
    anon.get("/auth/me").expect_error(401, "unauthorized", None);
    assert_eq!(admin.get("/auth/me").expect(200)["username"], "admin");
}

fn user_id(admin: &Server, username: &str) -> String {
    let users = admin.get("/users").expect(200);
    users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == username)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn deactivation_password_reset_and_the_last_admin() {
    let t = TestApp::new();
    let admin = t.serve();

    // A deactivated user's token stops working at once, and they cannot log in.
    let desk = t.login_as(&admin, "kasir", Role::FrontDesk);
    desk.get("/auth/me").expect(200);
    let desk_id = user_id(&admin, "kasir");
    let users = admin.get("/users").expect(200).to_string();
    assert!(
        !users.contains("argon2") && !users.contains("password"),
        "no password hashes in the user list: {users}"
    );
    let u = admin
        .put(&format!("/users/{desk_id}"), json!({"active": false}))
        .expect(200);
    assert_eq!(u["active"], false);
    desk.get("/auth/me").expect_error(401, "unauthorized", None);
    desk.get("/bookings")
        .expect_error(401, "unauthorized", None);
    let mut again = Server::new(admin.addr);
    again
        .login("kasir", PASSWORD)
        .expect_error(401, "login_failed", None);
    // Reactivated, they log in anew; the old token stays dead.
    admin
        .put(&format!("/users/{desk_id}"), json!({"active": true}))
        .expect(200);
    again.login("kasir", PASSWORD).expect(200);
    again.get("/auth/me").expect(200);
    desk.get("/auth/me").expect_error(401, "unauthorized", None);

    // A password reset ends the user's sessions; only the new password works.
    let sales = t.login_as(&admin, "penjual", Role::Sales);
    let sales_id = user_id(&admin, "penjual");
    admin
        .put(&format!("/users/{sales_id}"), json!({"password": "pendek"}))
        .expect_error(422, "validation", Some("password"));
    sales.get("/auth/me").expect(200);
    admin
        .put(
            &format!("/users/{sales_id}"),
            json!({"password": "baru-rahasia-456"}),
        )
        .expect(200);
    sales
        .get("/auth/me")
        .expect_error(401, "unauthorized", None);
    let mut relog = Server::new(admin.addr);
    relog
        .login("penjual", PASSWORD)
        .expect_error(401, "login_failed", None);
    relog.login("penjual", "baru-rahasia-456").expect(200);
    assert_eq!(relog.get("/auth/me").expect(200)["role"], "sales");
    // A role change takes effect at once (the old session ends).
    admin
        .put(&format!("/users/{sales_id}"), json!({"role": "manager"}))
        .expect(200);
    relog
        .get("/auth/me")
        .expect_error(401, "unauthorized", None);
    relog.login("penjual", "baru-rahasia-456").expect(200);
    relog.get("/audit").expect(200);

    // The last active admin can be neither demoted nor deactivated.
    let admin_id = admin.get("/auth/me").expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/users/{admin_id}");
    admin
        .put(&path, json!({"role": "manager"}))
        .expect_error(409, "conflict", None);
    admin
        .put(&path, json!({"active": false}))
        .expect_error(409, "conflict", None);
    let me = admin.get("/auth/me").expect(200);
    assert_eq!(
        (me["role"].as_str(), me["active"].as_bool()),
        (Some("admin"), Some(true))
    );
    // With a second admin, the first may step down; then the second is the last.
    let second = t.login_as(&admin, "admin2", Role::Admin);
    assert_eq!(
        admin.put(&path, json!({"role": "manager"})).expect(200)["role"],
        "manager"
    );
    admin
        .get("/auth/me")
        .expect_error(401, "unauthorized", None);
    let second_id = second.get("/auth/me").expect(200)["id"]
        .as_str()
        .unwrap()
        .to_owned();
    second
        .put(&format!("/users/{second_id}"), json!({"role": "sales"}))
        .expect_error(409, "conflict", None);
    second
        .put(&format!("/users/{second_id}"), json!({"active": false}))
        .expect_error(409, "conflict", None);
    // A deactivated admin does not count either.
    second
        .put(&path, json!({"role": "admin", "active": false}))
        .expect(200);
    second
        .put(&format!("/users/{second_id}"), json!({"role": "manager"}))
        .expect_error(409, "conflict", None);
    second.get("/users").expect(200);
}
