//! The booking list: filters and sorting.

use serde_json::{Value, json};

use super::*;

/// Five bookings made a minute apart (today is 2026-11-22), the fifth
/// canceled: their JSON as created, and the unit the second one holds.
struct Five {
    b: [Value; 5],
    unit: Value,
}

fn five_bookings(t: &TestApp, s: &Server) -> Five {
    let unit = create_unit(s, 3_500_000);
    let mut minute = 0;
    let mut create = |body: Value| {
        minute += 1;
        t.set_now(default_now() + chrono::Duration::minutes(minute));
        s.post("/bookings", body).expect(201)
    };
    // Scores (today is 2026-11-22): 55, 100, 50, 65, 25.
    let b1 = create(
        json!({"customer": customer("Sari", "081234500001"), "price": "500000", "event_at": "2026-11-23T10:00"}),
    );
    let b2 = create(
        json!({"customer": customer("Joko", "081234500002"), "unit_id": unit["id"], "event_at": "2026-11-27T10:00",
                           "payment_status": "paid", "client_count": 4, "booking_status": "active", "booking_date": "2026-11-20"}),
    );
    let b3 = create(
        json!({"customer_id": b1["customer_id"], "price": "2000000", "event_at": "2026-12-20T10:00",
                           "payment_status": "dp", "booking_date": "2026-11-15"}),
    );
    let b4 = create(
        json!({"customer": customer("Rudi", "081234500004"), "price": "1600000", "event_at": "2026-11-20T10:00",
                           "payment_status": "overdue", "booking_date": "2026-11-10"}),
    );
    let b5 = create(
        json!({"customer": customer("Wati", "081234500005"), "price": "200000", "event_at": "2026-12-31T10:00",
                           "booking_date": "2026-11-21"}),
    );
    s.delete(&format!("/bookings/{}", b5["id"].as_str().unwrap()))
        .expect(200);
    Five {
        b: [b1, b2, b3, b4, b5],
        unit,
    }
}

/// The codes of the five, in order.
fn codes_of(f: &Five) -> [String; 5] {
    f.b.clone().map(|b| b["code"].as_str().unwrap().to_owned())
}

/// The codes a list query returns, in order.
fn codes(s: &Server, query: &str) -> Vec<String> {
    column(&s.get(&format!("/bookings?{query}")).expect(200), "code")
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

fn v(xs: &[&String]) -> Vec<String> {
    xs.iter().map(|s| s.to_string()).collect()
}

#[test]
fn bookings_are_scored_and_coded_in_the_order_they_were_made() {
    let t = TestApp::new();
    let s = t.serve();
    let f = five_bookings(&t, &s);
    let [b1, b2, b3, b4, b5] = &f.b;
    let scores: Vec<i64> = [b1, b2, b3, b4, b5]
        .iter()
        .map(|b| b["priority_score"].as_i64().unwrap())
        .collect();
    assert_eq!(scores, vec![55, 100, 50, 65, 25]);
    let [c1, c2, c3, c4, c5] = codes_of(&f);
    assert_eq!(
        vec![&c1, &c2, &c3, &c4, &c5],
        vec![
            "BK-2026-001",
            "BK-2026-002",
            "BK-2026-003",
            "BK-2026-004",
            "BK-2026-005"
        ]
    );
}

#[test]
fn the_list_sorts_by_priority_by_default_and_by_each_sortable_column() {
    let t = TestApp::new();
    let s = t.serve();
    let [c1, c2, c3, c4, c5] = codes_of(&five_bookings(&t, &s));
    let codes = |query: &str| codes(&s, query);
    // Default and explicit priority order.
    assert_eq!(codes(""), v(&[&c2, &c4, &c1, &c3, &c5]));
    assert_eq!(codes("sort=priority_score"), v(&[&c2, &c4, &c1, &c3, &c5]));
    assert_eq!(
        codes("sort=priority_score:desc"),
        v(&[&c2, &c4, &c1, &c3, &c5])
    );
    assert_eq!(
        codes("order_by=priority_score_desc"),
        v(&[&c2, &c4, &c1, &c3, &c5])
    );
    assert_eq!(
        codes("sort=priority_score:asc"),
        v(&[&c5, &c3, &c1, &c4, &c2])
    );
    assert_eq!(codes("sort=event_at:asc"), v(&[&c4, &c1, &c2, &c3, &c5]));
    assert_eq!(codes("sort=event_at:desc"), v(&[&c5, &c3, &c2, &c1, &c4]));
    assert_eq!(
        codes("sort=booking_date:asc"),
        v(&[&c4, &c3, &c2, &c5, &c1])
    );
    assert_eq!(
        codes("sort=booking_date:desc"),
        v(&[&c1, &c5, &c2, &c3, &c4])
    );
    assert_eq!(codes("sort=created_at:asc"), v(&[&c1, &c2, &c3, &c4, &c5]));
    assert_eq!(codes("sort=created_at:desc"), v(&[&c5, &c4, &c3, &c2, &c1]));
}

#[test]
fn the_list_filters_by_status_payment_unit_customer_code_dates_segment_and_risk() {
    let t = TestApp::new();
    let s = t.serve();
    let f = five_bookings(&t, &s);
    let (b1, unit) = (&f.b[0], &f.unit);
    let [c1, c2, c3, c4, c5] = codes_of(&f);
    let codes = |query: &str| codes(&s, query);
    // Filters.
    assert_eq!(codes("booking_status=pending"), v(&[&c4, &c1, &c3]));
    assert_eq!(codes("booking_status=active"), v(&[&c2]));
    assert_eq!(codes("booking_status=canceled"), v(&[&c5]));
    assert_eq!(codes("open=true"), v(&[&c2, &c4, &c1, &c3]));
    assert_eq!(codes("payment_status=paid"), v(&[&c2]));
    assert_eq!(codes("payment_status=dp"), v(&[&c3]));
    assert_eq!(codes("payment_status=pending"), v(&[&c1, &c5]));
    assert_eq!(
        codes(&format!("unit_id={}", unit["id"].as_str().unwrap())),
        v(&[&c2])
    );
    assert_eq!(
        codes(&format!(
            "customer_id={}",
            b1["customer_id"].as_str().unwrap()
        )),
        v(&[&c1, &c3])
    );
    assert_eq!(codes("code=003"), v(&[&c3]));
    assert_eq!(
        codes("code=bk-2026&sort=code:asc"),
        v(&[&c1, &c2, &c3, &c4, &c5])
    );
    assert_eq!(
        codes("booking_date_from=2026-11-15&booking_date_to=2026-11-21&sort=booking_date:asc"),
        v(&[&c3, &c2, &c5])
    );
    assert_eq!(codes("booking_date_from=2026-11-22"), v(&[&c1]));
    assert_eq!(codes("booking_date_to=2026-11-10"), v(&[&c4]));
    assert_eq!(codes("segment=high"), v(&[&c2]));
    assert_eq!(codes("segment=medium"), v(&[&c4, &c1, &c3]));
    assert_eq!(codes("segment=low"), v(&[&c5]));
    assert_eq!(codes("risk_flag=unpaid_h1"), v(&[&c1]));
    assert_eq!(codes("risk_flag=event_passed"), v(&[&c4]));
    assert_eq!(
        codes("segment=medium&booking_status=pending&payment_status=pending"),
        v(&[&c1])
    );
}

#[test]
fn the_list_pages_and_counts_what_its_filters_leave() {
    let t = TestApp::new();
    let s = t.serve();
    let [c1, _, c3, _, _] = codes_of(&five_bookings(&t, &s));
    // Paging.
    let page = s.get("/bookings?page_size=2&page=2").expect(200);
    assert_eq!(
        page["meta"],
        json!({"page": 2, "page_size": 2, "page_count": 3, "total": 5})
    );
    assert_eq!(column(&page, "code"), vec![json!(c1), json!(c3)]);
    let filtered = s.get("/bookings?segment=medium&page_size=2").expect(200);
    assert_eq!(
        filtered["meta"],
        json!({"page": 1, "page_size": 2, "page_count": 2, "total": 3})
    );
}

#[test]
fn bad_list_parameters_name_themselves() {
    let t = TestApp::new();
    let s = t.serve();
    s.get("/bookings?sort=amount")
        .expect_error(422, "validation", Some("sort"));
    s.get("/bookings?sort=priority_score:up")
        .expect_error(422, "validation", Some("sort"));
    s.get("/bookings?order_by=bogus_desc")
        .expect_error(422, "validation", Some("order_by"));
    s.get("/bookings?booking_status=lost")
        .expect_error(422, "validation", Some("booking_status"));
    s.get("/bookings?payment_status=free")
        .expect_error(422, "validation", Some("payment_status"));
    s.get("/bookings?risk_flag=late")
        .expect_error(422, "validation", Some("risk_flag"));
    s.get("/bookings?booking_date_from=22-11-2026")
        .expect_error(422, "validation", Some("booking_date_from"));
    s.get("/bookings?unit_id=12")
        .expect_error(422, "validation", Some("unit_id"));
    s.get("/bookings?page=0")
        .expect_error(422, "validation", Some("page"));
}
