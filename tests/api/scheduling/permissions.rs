//! Who may do what in scheduling: the front desk schedules, managers change the catalogue.

use serde_json::json;

use super::*;

#[test]
fn the_front_desk_schedules_but_only_managers_change_the_catalogue() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    let desk = t.login_as(&s, "desk", Role::FrontDesk);
    let sales = t.login_as(&s, "sales", Role::Sales);
    let marketing = t.login_as(&s, "marketing", Role::Marketing);
    let manager = t.login_as(&s, "manager", Role::Manager);
    let plan_url = format!("{}/working-plan", at("/providers", &p));
    let plan = json!({"days": [{"weekday": 0, "start": "09:00", "end": "12:00"}]});
    let gen_body = json!({"provider_id": p["id"], "service_id": makeup["id"], "from": "2026-11-30", "to": "2026-11-30"});

    // The front desk: working plans and slots yes, the catalogue no.
    desk.put(&plan_url, plan.clone()).expect(200);
    assert_eq!(
        desk.post("/slots/generate", gen_body.clone()).expect(200)["created"],
        3
    );
    let slot = add_slot(&desk, &p, &makeup, "2026-11-30T13:00");
    desk.put(
        &at("/slots", &slot),
        json!({"starts_at": "2026-11-30T14:00"}),
    )
    .expect(200);
    desk.delete(&at("/slots", &slot)).expect(200);
    desk.post(
        "/services",
        json!({"name": "Sulam Alis", "duration_min": 60, "price": "1"}),
    )
    .expect_error(403, "forbidden", None);
    desk.post("/providers", provider_body("Dewi", -6.2, 106.8, &[]))
        .expect_error(403, "forbidden", None);
    desk.put(&at("/services", &makeup), json!({"price": "1"}))
        .expect_error(403, "forbidden", None);
    desk.put(&at("/providers", &p), json!({"active": false}))
        .expect_error(403, "forbidden", None);
    desk.delete(&at("/providers", &p))
        .expect_error(403, "forbidden", None);
    desk.delete(&at("/services", &makeup))
        .expect_error(403, "forbidden", None);

    // Sales and marketing: no schedules either.
    for who in [&sales, &marketing] {
        who.post("/slots/generate", gen_body.clone())
            .expect_error(403, "forbidden", None);
        who.post(
            "/slots",
            json!({"provider_id": p["id"], "service_id": makeup["id"], "starts_at": "2026-11-30T15:00"}),
        )
        .expect_error(403, "forbidden", None);
        who.put(&plan_url, plan.clone())
            .expect_error(403, "forbidden", None);
        who.post(
            "/services",
            json!({"name": "Sulam Alis", "duration_min": 60, "price": "1"}),
        )
        .expect_error(403, "forbidden", None);
    }
    // A refused request is refused whatever its input.
    sales
        .post("/slots/generate", json!({}))
        .expect_error(403, "forbidden", None);
    assert_eq!(slot_count(&s), 3);
    assert_eq!(total(&s.get("/services").expect(200)), 1);

    // Managers change the catalogue.
    let extra = manager
        .post(
            "/services",
            json!({"name": "Sulam Alis", "duration_min": 60, "price": "1"}),
        )
        .expect(201);
    manager
        .post("/providers", provider_body("Dewi", -6.2, 106.8, &[&extra]))
        .expect(201);
    manager.post("/slots/generate", gen_body).expect(200);

    // Everyone may look.
    for who in [&s, &manager, &marketing, &sales, &desk] {
        assert_eq!(total(&who.get("/services").expect(200)), 2);
        assert_eq!(total(&who.get("/providers").expect(200)), 2);
        assert_eq!(total(&who.get("/slots").expect(200)), 3);
        who.get(&at("/services", &makeup)).expect(200);
        who.get(&at("/providers", &p)).expect(200);
        who.get(&plan_url).expect(200);
        who.get(&format!("{}/day?date=2026-11-30", at("/providers", &p)))
            .expect(200);
        assert_eq!(
            who.get("/providers/nearby?lat=-6.2&lng=106.8").expect(200)["data"]
                .as_array()
                .unwrap()
                .len(),
            2
        );
    }
}
