//! The list queries use indexes and need no sort step: checked with
//! EXPLAIN QUERY PLAN on the exact SQL the operations run.

use rusqlite::types::Value;
use serde_json::json;

use crate::support::*;

fn plan(conn: &rusqlite::Connection, sql: &str, args: &[Value]) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map(rusqlite::params_from_iter(args), |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

/// Asserts the page query uses `index`, scans no table without an index and
/// (unless `may_sort`) sorts nothing; the count query scans no table without
/// an index either.
#[track_caller]
fn assert_indexed(conn: &rusqlite::Connection, q: &ListQuery, index: &str) {
    assert_plan(conn, q, index, false)
}

#[track_caller]
fn assert_plan(conn: &rusqlite::Connection, q: &ListQuery, index: &str, may_sort: bool) {
    let mut args = q.args.clone();
    args.extend([Value::Integer(50), Value::Integer(0)]);
    let page = plan(conn, &q.page_sql(), &args);
    let count = plan(conn, &q.count_sql(), &q.args);
    let text = page.join(" | ");
    assert!(text.contains(index), "expected {index} in plan: {text}");
    assert!(
        may_sort || !text.contains("TEMP B-TREE"),
        "page query sorts: {text}"
    );
    for line in page.iter().chain(&count) {
        let full_scan =
            line.starts_with("SCAN ") && !line.contains("USING") && !line.contains("CONSTANT ROW");
        assert!(
            !full_scan,
            "unindexed scan: {line} in {text} / {}",
            count.join(" | ")
        );
    }
}

#[test]
fn list_queries_use_indexes() {
    let t = TestApp::new();
    for i in 0..30 {
        t.call(
            "bookings.create",
            json!({"customer": customer("Dewi", &format!("08120000{i:04}")), "price": "2000000", "event_at": format!("2026-12-{:02}T10:00", i % 28 + 1)}),
        )
        .unwrap();
    }
    let conn = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
    conn.execute_batch("ANALYZE").unwrap();

    let priority_board = ListBookings {
        segment: Some(Segment::High),
        ..Default::default()
    };
    assert_indexed(
        &conn,
        &priority_board.query().unwrap(),
        "bookings_segment_priority",
    );
    assert_indexed(
        &conn,
        &ListBookings::default().query().unwrap(),
        "bookings_priority",
    );
    let by_event = ListBookings {
        sort: Some("event_at:asc".into()),
        ..Default::default()
    };
    assert_indexed(&conn, &by_event.query().unwrap(), "bookings_event");
    let by_date = ListBookings {
        order_by: Some("booking_date_desc".into()),
        ..Default::default()
    };
    assert_indexed(&conn, &by_date.query().unwrap(), "bookings_date");
    let flagged = ListBookings {
        risk_flag: Some(RiskFlag::UnpaidH1),
        ..Default::default()
    };
    assert_indexed(&conn, &flagged.query().unwrap(), "booking_risk_flags_flag");
    let of_customer = ListBookings {
        customer_id: Some(CustomerId::new()),
        ..Default::default()
    };
    // One customer's bookings are few: sorting them is cheap, finding them must not scan.
    assert_plan(
        &conn,
        &of_customer.query().unwrap(),
        "bookings_customer",
        true,
    );

    // The other bookings of a slot (the booking page's double booking).
    let of_slot = ListBookings {
        slot_id: Some(SlotId::new()),
        ..Default::default()
    };
    assert_plan(&conn, &of_slot.query().unwrap(), "bookings_slot", true);

    let vault = Vault::from_master(&[1; 32]);
    let ctx = Ctx {
        conn: &conn,
        actor: &Actor::System,
        now: default_now(),
        settings: Settings::default(),
        vault: &vault,
    };
    assert_indexed(
        &conn,
        &ListCustomers::default().query(&ctx).unwrap(),
        "customers_live_name",
    );
    let by_ktp = ListCustomers {
        ktp_number: Some("3171234567890001".into()),
        ..Default::default()
    };
    assert_plan(&conn, &by_ktp.query(&ctx).unwrap(), "customers_ktp", true); // an exact match: a row or two
    let units = ListUnits {
        status: Some(UnitStatus::Available),
        ..Default::default()
    };
    assert_indexed(&conn, &units.query().unwrap(), "units_status");
    assert_indexed(&conn, &ListUnits::default().query().unwrap(), "units_live");
}

/// The priority board (open bookings only), before any statistics exist: a
/// fresh install must already read it through the partial indexes.
#[test]
fn the_priority_board_uses_the_open_booking_indexes() {
    let t = TestApp::new();
    for i in 0..30 {
        t.call(
            "bookings.create",
            json!({"customer": customer("Dewi", &format!("08130000{i:04}")), "price": "2000000"}),
        )
        .unwrap();
    }
    let conn = rusqlite::Connection::open(t.data_dir().join("loket.db")).unwrap();
    // The priority board: open bookings only, by priority, with or without a segment.
    let board = ListBookings {
        open: Some(true),
        ..Default::default()
    };
    assert_indexed(&conn, &board.query().unwrap(), "bookings_open_priority");
    let board_high = ListBookings {
        open: Some(true),
        segment: Some(Segment::High),
        ..Default::default()
    };
    assert_indexed(
        &conn,
        &board_high.query().unwrap(),
        "bookings_open_segment_priority",
    );
}
