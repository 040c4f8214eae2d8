//! Vehicles: CRUD, normalised plates and a derived next service date.

use serde_json::json;

use super::*;

#[test]
fn vehicles_have_crud_normalised_plates_and_a_derived_next_service() {
    let t = TestApp::new();
    let s = t.serve();
    let c = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "081234567890"}),
        )
        .expect(201);
    let v = s
        .post(
            "/vehicles",
            json!({"customer_id": c["id"], "model": "Toyota Avanza", "plate_number": "b1234cd",
                   "year": 2019, "last_service_at": "2026-09-01", "service_interval_days": 90}),
        )
        .expect(201);
    assert_eq!(v["plate_number"], "B 1234 CD");
    assert_eq!(v["next_service_at"], "2026-11-30", "last service + 90 days");
    assert_eq!(v["customer_name"], "Budi Santoso");

    // The same plate in another spelling is the same vehicle.
    s.post(
        "/vehicles",
        json!({"customer_id": c["id"], "model": "Honda Jazz", "plate_number": "B-1234-CD"}),
    )
    .expect_error(422, "validation", Some("plate_number"));
    s.post(
        "/vehicles",
        json!({"customer_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb", "model": "X", "plate_number": "D 1 A"}),
    )
    .expect_error(422, "validation", Some("customer_id"));
    s.post(
        "/vehicles",
        json!({"customer_id": c["id"], "model": "X", "plate_number": "D 1 A", "year": 1800}),
    )
    .expect_error(422, "validation", Some("year"));
    let other = s
        .post(
            "/customers",
            json!({"name": "Wati", "phone": "081298765432"}),
        )
        .expect(201);
    let v2 = s
        .post(
            "/vehicles",
            json!({"customer_id": other["id"], "model": "Honda Beat", "plate_number": "d 4567 xyz",
                   "next_service_at": "2026-12-15"}),
        )
        .expect(201);
    assert_eq!(v2["plate_number"], "D 4567 XYZ");

    // Listed by customer; searched by plate in any spelling.
    let mine = s
        .get(&format!("/vehicles?customer_id={}", id(&c)))
        .expect(200);
    assert_eq!(ids(&mine), vec![id(&v)]);
    assert_eq!(ids(&s.get("/vehicles?q=B-1234").expect(200)), vec![id(&v)]);
    assert_eq!(ids(&s.get("/vehicles?q=4567xy").expect(200)), vec![id(&v2)]);
    assert_eq!(total(&s.get("/vehicles").expect(200)), 2);

    // A new last service moves the next one along.
    let moved = s
        .put(
            &format!("/vehicles/{}", id(&v)),
            json!({"last_service_at": "2026-11-20"}),
        )
        .expect(200);
    assert_eq!(moved["next_service_at"], "2027-02-18");
    let set = s
        .put(
            &format!("/vehicles/{}", id(&v)),
            json!({"next_service_at": "2027-01-05", "version": moved["version"]}),
        )
        .expect(200);
    assert_eq!(set["next_service_at"], "2027-01-05");
    s.put(
        &format!("/vehicles/{}", id(&v)),
        json!({"model": "Avanza Veloz", "version": moved["version"]}),
    )
    .expect_error(409, "conflict", None);

    s.delete(&format!("/vehicles/{}", id(&v))).expect(200);
    s.get(&format!("/vehicles/{}", id(&v)))
        .expect_error(404, "not_found", None);
    // Once deleted, its plate may be registered again.
    s.post(
        "/vehicles",
        json!({"customer_id": other["id"], "model": "Avanza", "plate_number": "B1234CD"}),
    )
    .expect(201);
}
