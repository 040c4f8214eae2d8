use serde_json::json;

use crate::support::*;

#[test]
fn login_then_call_and_errors_have_the_agreed_shape() {
    let t = TestApp::new();
    let s = t.serve();
    let mut anon = Server::new(s.addr);
    anon.get("/bookings")
        .expect_error(401, "unauthorized", None);
    anon.login("admin", "wrong-password")
        .expect_error(401, "login_failed", None);
    anon.login("nobody", PASSWORD)
        .expect_error(401, "login_failed", None);
    let me = s.get("/auth/me").expect(200);
    assert_eq!(me["role"], "admin");
    s.send_raw("POST", "/customers", Some("{\"name\":".into()))
        .expect_error(400, "bad_request", None);
    s.send_raw("POST", "/customers", Some("[1,2]".into()))
        .expect_error(400, "bad_request", None);
    s.post("/customers", json!({"phone": "081234567890"}))
        .expect_error(422, "validation", Some("name"));
    s.post("/customers", json!({"name": "Ani", "phone": 5}))
        .expect_error(422, "validation", Some("phone"));
    s.get("/customers/not-a-uuid")
        .expect_error(422, "validation", Some("id"));
    s.get("/customers/01a200ff-5d55-76a6-a966-6df8a0de1abb")
        .expect_error(404, "not_found", None);
    s.get("/no/such/route").expect_error(404, "not_found", None);
    s.get("/bookings?page_size=201")
        .expect_error(422, "validation", Some("page_size"));
    s.get("/bookings?segment=urgent")
        .expect_error(422, "validation", Some("segment"));
}

#[test]
fn search_text_is_literal_and_delete_takes_a_json_reason() {
    let t = TestApp::new();
    let s = t.serve();
    s.post(
        "/customers",
        json!({"name": "Budi_Santoso", "phone": "081200000001"}),
    )
    .expect(201);
    s.post(
        "/customers",
        json!({"name": "Budi Santoso", "phone": "081200000002"}),
    )
    .expect(201);
    s.post(
        "/customers",
        json!({"name": "Diskon 100% Ani", "phone": "081200000003"}),
    )
    .expect(201);
    assert_eq!(s.get("/customers?q=_").expect(200)["meta"]["total"], 1);
    assert_eq!(s.get("/customers?q=%25").expect(200)["meta"]["total"], 1);
    assert_eq!(s.get("/customers?q=Budi").expect(200)["meta"]["total"], 2);

    let b = s
        .post(
            "/bookings",
            json!({"customer": {"name": "Ani", "phone": "081200000003"}, "price": "1"}),
        )
        .expect(201);
    let canceled = s
        .send(
            "DELETE",
            &format!("/bookings/{}", b["id"].as_str().unwrap()),
            Some(json!({"reason": "pindah jadwal"})),
        )
        .expect(200);
    assert_eq!(canceled["booking_status"], "canceled");
    assert!(
        canceled["notes"]
            .as_str()
            .unwrap()
            .contains("pindah jadwal")
    );
}

#[test]
fn any_operation_by_name_for_the_ui_transport_and_the_ui_files() {
    let t = TestApp::new();
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><title>Loket</title>",
    )
    .unwrap();
    std::fs::write(ui.path().join("app.js"), "console.log(1)").unwrap();
    let mut s = Server::new(standin::serve_in_background(router_with_ui(
        t.app.clone(),
        &UiSource::Dir(ui.path().to_owned()),
    )));
    // Not logged in: only public operations.
    s.post("/ops/bookings.list", json!({}))
        .expect_error(401, "unauthorized", None);
    let login = s
        .post(
            "/ops/auth.login",
            json!({"username": "admin", "password": PASSWORD}),
        )
        .expect(200);
    s.token = login["token"].as_str().map(str::to_owned);
    let created = s
        .post(
            "/ops/customers.create",
            json!({"name": "Lina", "phone": "081200000009"}),
        )
        .expect(200);
    assert_eq!(created["phone"], "6281200000009");
    s.post(
        "/ops/customers.create",
        json!({"name": "L", "phone": "081200000008"}),
    )
    .expect_error(422, "validation", Some("name"));
    s.post("/ops/no.such", json!({}))
        .expect_error(404, "not_found", None);
    t.user("sales1", Role::Sales);
    let mut sales = Server::new(s.addr);
    let login = sales
        .post(
            "/ops/auth.login",
            json!({"username": "sales1", "password": PASSWORD}),
        )
        .expect(200);
    sales.token = login["token"].as_str().map(str::to_owned);
    // Refused before the input is read.
    sales
        .post("/ops/users.create", json!({"bad": true}))
        .expect_error(403, "forbidden", None);

    // The UI's files, and index.html for its own routes; /api stays JSON.
    let http = reqwest::blocking::Client::new();
    let base = format!("http://{}", s.addr);
    assert!(
        http.get(format!("{base}/"))
            .send()
            .unwrap()
            .text()
            .unwrap()
            .contains("<title>Loket")
    );
    assert_eq!(
        http.get(format!("{base}/app.js"))
            .send()
            .unwrap()
            .text()
            .unwrap(),
        "console.log(1)"
    );
    assert!(
        http.get(format!("{base}/bookings/123"))
            .send()
            .unwrap()
            .text()
            .unwrap()
            .contains("<title>Loket")
    );
    s.get("/nothing/here").expect_error(404, "not_found", None);
}

#[test]
fn bookings_filter_by_event_time_and_messages_carry_the_rule_alone() {
    let t = TestApp::new();
    let s = t.serve();
    for (i, at) in [
        "2026-11-22T15:00",
        "2026-11-23T09:00",
        "2026-11-23T23:30",
        "2026-11-24T00:30",
    ]
    .iter()
    .enumerate()
    {
        s.post(
            "/bookings",
            json!({"customer": {"name": "Tamu", "phone": format!("08120000100{i}")}, "price": "1", "event_at": at}),
        )
        .expect(201);
    }
    // Tomorrow in Jakarta: [2026-11-23 00:00+07, 2026-11-24 00:00+07).
    let tomorrow = s
        .get("/bookings?event_from=2026-11-23T00:00:00%2B07:00&event_to=2026-11-24T00:00:00%2B07:00&sort=event_at:asc")
        .expect(200);
    let times: Vec<&str> = tomorrow["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["event_at"].as_str().unwrap())
        .collect();
    assert_eq!(times, ["2026-11-23T02:00:00Z", "2026-11-23T16:30:00Z"]);
    let e = s
        .post("/customers", json!({"name": "A", "phone": "081200000001"}))
        .expect_error(422, "validation", Some("name"));
    assert_eq!(e["error"]["message"], "must be at least 2 characters");
}
