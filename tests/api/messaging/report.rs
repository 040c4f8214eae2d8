//! The WhatsApp report: successful sends counted per customer and subject, a
//! report that cannot be updated never stops sending, the statistics.

use serde_json::json;

use super::*;

/// Budi's three successful sends through a stand-in Fonnte: two maintenance
/// reminders about his Avanza (the first failed once and was resent) and
/// the confirmation of a unit booking. Returns (app, server, gateway,
/// Budi, the Avanza, the unit).
fn three_sends() -> (TestApp, Server, StandIn, Value, Value, Value) {
    let t = TestApp::at(jkt(2026, 11, 22, 10, 0));
    let mut s = t.serve();
    let g = StandIn::start(fonnte_ok);
    set_gateway(
        &s,
        json!({"kind": "fonnte", "base_url": g.url(), "token": "tok-12345"}),
    );
    let budi = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "081234567890"}),
        )
        .expect(201);
    let avanza = s
        .post(
            "/vehicles",
            json!({"customer_id": budi["id"], "model": "Toyota Avanza", "plate_number": "b1234cd",
                   "next_service_at": "2026-11-25"}),
        )
        .expect(201);
    s.put("/settings", json!({"maintenance_spacing_days": 1}))
        .expect(200);
    s.post("/jobs/maintenance_reminders/run", json!({}))
        .expect(200);
    // A failed send does not count.
    g.push(Scripted::json(
        200,
        json!({"status": false, "reason": "insufficient quota"}),
    ));
    assert_eq!(flush(&s)["failed"], 1);
    assert_eq!(total(&s.get("/whatsapp-report").expect(200)), 0);
    let failed = &messages(&s, "status=failed")[0];
    s.post(&format!("/messages/{}/resend", id(failed)), json!({}))
        .expect(200);
    travel(&t, &mut s, jkt(2026, 11, 22, 11, 0));
    assert_eq!(flush(&s)["sent"], 1);
    travel(&t, &mut s, jkt(2026, 11, 23, 12, 0));
    s.post("/jobs/maintenance_reminders/run", json!({}))
        .expect(200);
    assert_eq!(flush(&s)["sent"], 1);
    // A unit booking: the unit is the subject.
    let unit = create_unit(&s, 450_000_000);
    s.post(
        "/bookings",
        json!({"unit_id": unit["id"], "customer_id": budi["id"]}),
    )
    .expect(201);
    assert_eq!(flush(&s)["sent"], 1);

    (t, s, g, budi, avanza, unit)
}

/// The row of a customer's report about a subject of this type.
fn row_about(detail: &Value, subject_type: &str) -> Value {
    detail["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["subject_type"] == subject_type)
        .unwrap_or_else(|| panic!("no {subject_type} row in {detail}"))
        .clone()
}

#[test]
fn the_report_counts_successful_sends_per_customer_and_subject() {
    let (_t, s, _g, budi, avanza, unit) = three_sends();
    let detail = s
        .get(&format!("/whatsapp-report/customer/{}", id(&budi)))
        .expect(200);
    assert_eq!(total(&detail), 2);
    let car = row_about(&detail, "vehicle");
    assert_eq!(car["frequency"], 2);
    assert_eq!(car["last_message_date"], "2026-11-23T05:00:00.000Z");
    assert_eq!(car["customer_name"], "Budi Santoso");
    assert_eq!(car["customer_phone"], "6281234567890");
    assert_eq!(car["subject_label"], "Toyota Avanza B 1234 CD");
    assert_eq!(car["plate_number"], "B 1234 CD");
    let one = s
        .get(&format!(
            "/whatsapp-report/customer/{}/subject/{}",
            id(&budi),
            id(&avanza)
        ))
        .expect(200);
    assert_eq!(one["frequency"], 2);
    assert_eq!(one["created_at"], "2026-11-22T04:00:00.000Z");
    let u = row_about(&detail, "unit");
    assert_eq!(u["subject_label"], unit["code"]);
    assert_eq!(total(&s.get("/whatsapp-report/detail").expect(200)), 2);
}

#[test]
fn the_statistics_sum_up_the_report() {
    let (_t, s, _g, ..) = three_sends();
    let st = s.get("/whatsapp-report/statistics").expect(200);
    assert_eq!(
        st,
        json!({"total_customers_with_vehicles": 2, "total_messages_sent": 3,
               "average_messages_per_customer": 1.5, "customers_by_frequency": {"1": 1, "2": 1}})
    );
}

#[test]
fn managers_reset_frequencies_and_delete_rows_marketing_reads() {
    let (t, s, _g, budi, avanza, _) = three_sends();
    let detail = s
        .get(&format!("/whatsapp-report/customer/{}", id(&budi)))
        .expect(200);
    let car = row_about(&detail, "vehicle");
    // Reset for one customer, then delete a row.
    let marketing = t.login_as(&s, "pemasaran", Role::Marketing);
    assert_eq!(marketing.get("/whatsapp-report/statistics").status, 200);
    marketing
        .post("/whatsapp-report/reset-frequency", json!({}))
        .expect_error(403, "forbidden", None);
    t.login_as(&s, "depan", Role::FrontDesk)
        .get("/whatsapp-report")
        .expect_error(403, "forbidden", None);
    let reset = s
        .post(
            &format!("/whatsapp-report/reset-frequency?customer_id={}", id(&budi)),
            json!({}),
        )
        .expect(200);
    assert_eq!(reset["count"], 2);
    assert!(reset["message"].as_str().unwrap().contains("2 report"));
    assert_eq!(
        s.get("/whatsapp-report/statistics").expect(200)["total_messages_sent"],
        0
    );
    s.delete(&format!("/whatsapp-report/{}", id(&car)))
        .expect(200);
    s.delete(&format!("/whatsapp-report/{}", id(&car)))
        .expect_error(404, "not_found", None);
    s.get(&format!(
        "/whatsapp-report/customer/{}/subject/{}",
        id(&budi),
        id(&avanza)
    ))
    .expect_error(404, "not_found", None);
    let all = s
        .post("/whatsapp-report/reset-frequency", json!({}))
        .expect(200);
    assert_eq!(all["count"], 1);
}

#[test]
fn a_report_that_cannot_be_updated_never_stops_sending() {
    let t = TestApp::new();
    let s = t.serve();
    let g = StandIn::start(waha_ok);
    set_gateway(&s, json!({"kind": "waha", "base_url": g.url()}));
    {
        let w = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
        w.execute_batch(
            "CREATE TRIGGER report_broken BEFORE INSERT ON whatsapp_report
             BEGIN SELECT RAISE(ABORT, 'report table is broken'); END;",
        )
        .unwrap();
    }
    book(&s, "Budi", "081234567890", "2026-11-25T14:00", "paid");
    book(&s, "Wati", "081298765432", "2026-11-25T15:00", "paid");
    assert_eq!(flush(&s)["sent"], 2);
    assert!(messages(&s, "").iter().all(|m| m["status"] == "sent"));
    assert_eq!(total(&s.get("/whatsapp-report").expect(200)), 0);
}

#[test]
fn the_statistics_of_a_known_data_set() {
    let t = TestApp::new();
    let s = t.serve();
    // 125 customer + vehicle pairs, 487 messages: 112 pairs × 4 and 13 × 3.
    {
        let w = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
        let tx = w.unchecked_transaction().unwrap();
        for i in 0..125u32 {
            let c = CustomerId::new().to_string();
            tx.execute(
                "INSERT INTO customers (id, code, name, name_key, phone, created_at, updated_at)
                 VALUES (?1, ?2, 'Pelanggan', 'pelanggan', ?3, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                (&c, format!("CS-{i:06}"), format!("62812000{i:05}")),
            )
            .unwrap();
            tx.execute(
                "INSERT INTO whatsapp_report (id, customer_id, subject_type, subject_id, frequency,
                    last_message_date, created_at, updated_at)
                 VALUES (?1, ?2, 'vehicle', ?3, ?4, '2026-11-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-11-01T00:00:00.000Z')",
                (
                    ReportId::new().to_string(),
                    &c,
                    VehicleId::new().to_string(),
                    if i < 112 { 4 } else { 3 },
                ),
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }
    assert_eq!(
        s.get("/whatsapp-report/statistics").expect(200),
        json!({"total_customers_with_vehicles": 125, "total_messages_sent": 487,
               "average_messages_per_customer": 3.9, "customers_by_frequency": {"3": 13, "4": 112}})
    );
    let page = s.get("/whatsapp-report?page_size=10").expect(200);
    assert_eq!(total(&page), 125);
    assert_eq!(page["data"].as_array().unwrap().len(), 10);
}
