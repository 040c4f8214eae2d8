use serde_json::json;

use crate::helpers::*;

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
