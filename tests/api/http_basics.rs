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
