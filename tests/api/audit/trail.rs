//! The audit trail of one record, read back over HTTP: newest first, who and
//! when, before and after; filtered by entity and paged.

use serde_json::json;

use super::*;

#[test]
fn the_audit_trail_is_readable_per_record() {
    let t = TestApp::new();
    let s = t.serve();
    let me = s.get("/auth/me").expect(200);
    let b = s
        .post(
            "/bookings",
            json!({"customer": customer("Ani", "081255556666"), "price": "500000"}),
        )
        .expect(201);
    let path = format!("/bookings/{}", b["id"].as_str().unwrap());
    t.set_now(default_now() + chrono::Duration::minutes(5));
    s.put(
        &path,
        json!({"booking_status": "active", "payment_status": "dp"}),
    )
    .expect(200);
    t.set_now(default_now() + chrono::Duration::minutes(9));
    let manager = t.login_as(&s, "manajer", Role::Manager);
    manager
        .put(&path, json!({"booking_status": "completed"}))
        .expect(200);

    let trail = s
        .get(&format!(
            "/audit?entity=booking&entity_id={}",
            b["id"].as_str().unwrap()
        ))
        .expect(200);
    assert_eq!(trail["meta"]["total"], 3);
    let entries = trail["data"].as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["complete", "confirm", "create"],
        "newest first"
    );
    let (done, active, created) = (&entries[0], &entries[1], &entries[2]);
    assert_eq!(created["entity"], "booking");
    assert_eq!(created["entity_id"], b["id"]);
    assert_eq!(created["user_id"], me["id"]);
    assert_eq!(created["username"], "admin");
    assert_eq!(created["at"], "2026-11-22T03:00:00.000Z");
    assert!(created["before"].is_null());
    assert_eq!(created["after"]["code"], b["code"]);
    assert_eq!(created["after"]["booking_status"], "pending");
    assert_eq!(active["at"], "2026-11-22T03:05:00.000Z");
    assert_eq!(
        (
            active["before"]["booking_status"].as_str(),
            active["after"]["booking_status"].as_str()
        ),
        (Some("pending"), Some("active"))
    );
    assert_eq!(
        (
            active["before"]["payment_status"].as_str(),
            active["after"]["payment_status"].as_str()
        ),
        (Some("pending"), Some("dp"))
    );
    assert_eq!(done["username"], "manajer");
    assert_ne!(done["user_id"], me["id"]);
    assert_eq!(done["after"]["booking_status"], "completed");
    assert_eq!(done["before"]["version"], active["after"]["version"]);

    // The entity filter alone, and paging.
    let customers = s.get("/audit?entity=customer").expect(200);
    assert_eq!(total(&customers), 1);
    assert_eq!(customers["data"][0]["entity_id"], b["customer_id"]);
    let page = s.get("/audit?page_size=2&page=1").expect(200);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert!(
        page["meta"]["total"].as_u64().unwrap() >= 6,
        "includes logins: {}",
        page["meta"]
    );
    assert_eq!(
        total(&s.get("/audit?entity=booking&entity_id=nothing").expect(200)),
        0
    );
}
