//! Jobs run by hand and the permission matrix of messaging.

use serde_json::json;

use super::*;

#[test]
fn jobs_are_listed_and_run_by_hand_with_their_permissions() {
    let t = TestApp::new();
    let s = t.serve();
    let jobs = s.get("/jobs").expect(200);
    let names: Vec<&str> = jobs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|j| j["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "booking_expiry",
            "priority_recalculation",
            "reminders",
            "maintenance_reminders",
            "backup"
        ]
    );
    assert!(
        jobs["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["last_run_at"].is_null())
    );
    for name in [
        "priority_recalculation",
        "booking_expiry",
        "reminders",
        "maintenance_reminders",
        "backup",
    ] {
        let r = s.post(&format!("/jobs/{name}/run"), json!({})).expect(200);
        assert_eq!(r["name"], name);
    }
    s.post("/jobs/nope/run", json!({}))
        .expect_error(404, "not_found", None);
    let jobs = s.get("/jobs").expect(200);
    assert!(
        jobs["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|j| j["last_run_at"] == "2026-11-22T03:00:00.000Z")
    );

    let front = t.login_as(&s, "depan", Role::FrontDesk);
    assert_eq!(front.get("/jobs").status, 200);
    front
        .post("/jobs/reminders/run", json!({}))
        .expect_error(403, "forbidden", None);
    front.post("/messages/flush", json!({})).expect(200);
    let manager = t.login_as(&s, "manajer", Role::Manager);
    manager.post("/jobs/reminders/run", json!({})).expect(200);
    // Anonymous: 401 before the input is even read.
    Server::new(s.addr)
        .post("/jobs/reminders/run", json!({"bad": true}))
        .expect_error(401, "unauthorized", None);
    // The ops endpoint (the UI's browser transport) runs tasks by name too.
    let by_name = s
        .post("/ops/jobs.run", json!({"name": "reminders"}))
        .expect(200);
    assert_eq!(by_name["name"], "reminders");
    assert_eq!(t.call("messages.flush", json!({})).unwrap()["sent"], 0);
}

#[test]
fn the_permission_matrix_of_messaging() {
    use Permission as P;
    use Role::*;
    let table: &[(P, &[Role])] = &[
        (P::MessagingConfigure, &[Admin]),
        (
            P::MessagesRead,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (P::MessagesManage, &[Admin, Manager, FrontDesk]),
        (P::ReportRead, &[Admin, Manager, Marketing]),
        (P::ReportManage, &[Admin, Manager]),
        (P::JobsRun, &[Admin, Manager]),
    ];
    for (p, allowed) in table {
        for role in Role::ALL {
            assert_eq!(role.allows(*p), allowed.contains(&role), "{role:?} / {p:?}");
        }
    }
    // Vehicles follow customers.
    let t = TestApp::new();
    let s = t.serve();
    let c = s
        .post(
            "/customers",
            json!({"name": "Budi", "phone": "081234567890"}),
        )
        .expect(201);
    let sales = t.login_as(&s, "sales", Role::Sales);
    let v = sales
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Avanza", "plate_number": "B 1 A"}),
        )
        .expect(201);
    sales
        .delete(&format!("/vehicles/{}", id(&v)))
        .expect_error(403, "forbidden", None);
    t.login_as(&s, "manajer", Role::Manager)
        .delete(&format!("/vehicles/{}", id(&v)))
        .expect(200);
}
