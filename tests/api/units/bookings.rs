//! Bookings drive a unit's status: a booking takes it, canceling frees it,
//! completing sells it; a held, sold or maintained unit takes no booking.

use serde_json::{Value, json};

use crate::support::*;

/// A unit booked by Ani, served over HTTP.
struct Booked {
    _t: TestApp,
    s: Server,
    /// The unit as created, its id and its path.
    unit: Value,
    unit_id: String,
    unit_path: String,
    /// Ani's booking of it.
    b1: Value,
}

fn a_booked_unit() -> Booked {
    let t = TestApp::new();
    let s = t.serve();
    let unit = create_unit(&s, 350_000_000);
    let b1 = s
        .post(
            "/bookings",
            json!({"customer": customer("Ani", "081200000001"), "unit_id": unit["id"]}),
        )
        .expect(201);
    let unit_id = unit["id"].as_str().unwrap().to_owned();
    Booked {
        _t: t,
        s,
        unit_path: format!("/units/{unit_id}"),
        unit_id,
        unit,
        b1,
    }
}

fn unit_status(s: &Server, unit_path: &str) -> String {
    s.get(unit_path).expect(200)["status"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_booking_takes_its_unit_at_the_units_price_and_a_second_is_refused() {
    let Booked {
        s,
        unit,
        unit_id,
        unit_path,
        b1,
        ..
    } = a_booked_unit();
    let status = || unit_status(&s, &unit_path);

    // Booking takes the unit; the price defaults to the unit's.
    assert_eq!(b1["unit_code"], unit["code"]);
    assert_eq!(b1["price"], "350000000");
    assert_eq!(status(), "booked");

    // A second booking of the same unit is refused, naming the unit and its state.
    let e = s
        .post(
            "/bookings",
            json!({"customer": customer("Budi", "081200000002"), "unit_id": unit_id}),
        )
        .expect_error(409, "conflict", None);
    let msg = e["error"]["message"].as_str().unwrap();
    assert!(msg.contains("UNIT-001") && msg.contains("booked"), "{msg}");
    assert_eq!(
        total(&s.get(&format!("/bookings?unit_id={unit_id}")).expect(200)),
        1
    );
}

#[test]
fn a_held_unit_keeps_its_status_and_cannot_be_deleted() {
    let Booked {
        s, unit_path, b1, ..
    } = a_booked_unit();
    let status = || unit_status(&s, &unit_path);
    // While held, the unit's status cannot be changed by hand and it cannot be deleted.
    let e = s
        .put(&unit_path, json!({"status": "maintenance"}))
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(b1["code"].as_str().unwrap()),
        "names the booking: {e}"
    );
    s.put(&unit_path, json!({"status": "available"}))
        .expect_error(409, "conflict", None);
    s.delete(&unit_path).expect_error(409, "conflict", None);
    assert_eq!(status(), "booked");
    // Other fields may still change, and restating the same status is harmless.
    assert_eq!(
        s.put(&unit_path, json!({"status": "booked", "location": "Hook"}))
            .expect(200)["location"],
        "Hook"
    );
}

#[test]
fn canceling_frees_the_unit_and_completing_a_booking_sells_it() {
    let Booked {
        s,
        unit_id,
        unit_path,
        b1,
        ..
    } = a_booked_unit();
    let status = || unit_status(&s, &unit_path);
    let b1_path = format!("/bookings/{}", b1["id"].as_str().unwrap());
    // Canceling frees it…
    let canceled = s.delete(&b1_path).expect(200);
    assert_eq!(canceled["booking_status"], "canceled");
    assert_eq!(status(), "available");

    // …and completing a booking sells it.
    let b2 = s
        .post(
            "/bookings",
            json!({"customer": customer("Budi", "081200000002"), "unit_id": unit_id}),
        )
        .expect(201);
    assert_eq!(status(), "booked");
    let b2_path = format!("/bookings/{}", b2["id"].as_str().unwrap());
    s.put(&b2_path, json!({"booking_status": "active"}))
        .expect(200);
    assert_eq!(status(), "booked");
    s.put(&b2_path, json!({"booking_status": "completed"}))
        .expect(200);
    assert_eq!(status(), "sold");
    let e = s
        .post(
            "/bookings",
            json!({"customer": customer("Citra", "081200000003"), "unit_id": unit_id}),
        )
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"].as_str().unwrap().contains("sold"),
        "{e}"
    );
    // No longer held: the status may be changed by hand again.
    assert_eq!(
        s.put(&unit_path, json!({"status": "maintenance"}))
            .expect(200)["status"],
        "maintenance"
    );
}

#[test]
fn a_unit_in_maintenance_takes_no_booking_and_a_given_price_wins() {
    let Booked {
        s,
        unit_id,
        unit_path,
        b1,
        ..
    } = a_booked_unit();
    let status = || unit_status(&s, &unit_path);
    s.delete(&format!("/bookings/{}", b1["id"].as_str().unwrap()))
        .expect(200);
    s.put(&unit_path, json!({"status": "maintenance"}))
        .expect(200);
    assert_eq!(status(), "maintenance");
    // A unit in maintenance takes no booking.
    let e = s
        .post(
            "/bookings",
            json!({"customer": customer("Citra", "081200000003"), "unit_id": unit_id}),
        )
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("maintenance"),
        "{e}"
    );
    let other = s
        .post(
            "/units",
            json!({"unit_type": "Kavling", "price": "90000000", "status": "maintenance"}),
        )
        .expect(201);
    s.post(
        "/bookings",
        json!({"customer_id": b1["customer_id"], "unit_id": other["id"]}),
    )
    .expect_error(409, "conflict", None);
    s.put(
        &format!("/units/{}", other["id"].as_str().unwrap()),
        json!({"status": "available"}),
    )
    .expect(200);
    let b3 = s
        .post(
            "/bookings",
            json!({"customer_id": b1["customer_id"], "unit_id": other["id"], "price": "85000000"}),
        )
        .expect(201);
    assert_eq!(
        b3["price"], "85000000",
        "a given price wins over the unit's"
    );
}

#[test]
fn canceling_an_active_booking_frees_its_unit_and_a_deleted_unit_takes_none() {
    let Booked { s, b1, .. } = a_booked_unit();
    let other = create_unit(&s, 90_000_000);
    let b3 = s
        .post(
            "/bookings",
            json!({"customer_id": b1["customer_id"], "unit_id": other["id"], "price": "85000000"}),
        )
        .expect(201);
    // Canceling an active booking frees the unit too; the deleted unit takes no booking.
    s.put(
        &format!("/bookings/{}", b3["id"].as_str().unwrap()),
        json!({"booking_status": "active"}),
    )
    .expect(200);
    s.delete(&format!("/bookings/{}", b3["id"].as_str().unwrap()))
        .expect(200);
    let other_path = format!("/units/{}", other["id"].as_str().unwrap());
    assert_eq!(s.get(&other_path).expect(200)["status"], "available");
    s.delete(&other_path).expect(200);
    s.post(
        "/bookings",
        json!({"customer_id": b1["customer_id"], "unit_id": other["id"]}),
    )
    .expect_error(422, "validation", Some("unit_id"));
}
