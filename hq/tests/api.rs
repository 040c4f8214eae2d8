//! The head-office read API over what real branches pushed: two desks
//! (`loket serve` on their own data directories) take bookings over their
//! HTTP API, sync through one real `loket-hq`, and head office's lists and
//! reports are checked for their content. See `support/` for how they start.

mod support;

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use support::*;

/// A booking made at a desk the way staff make one; answers its id.
fn book(desk: &Desk, customer: Value, booking: Value) -> String {
    let mut body = booking;
    body["customer"] = customer;
    let made = desk.api.post("/bookings", body).expect(201);
    made["id"].as_str().expect("id").to_owned()
}

fn ids(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|b| b["id"].as_str().expect("id"))
        .collect()
}

/// The text of a `?format=csv` answer.
fn csv_text(hq_api: &Client, path: &str) -> String {
    let res = reqwest::blocking::Client::new()
        .get(format!("{}{path}", hq_api.base))
        .bearer_auth(hq_api.token.as_deref().expect("token"))
        .send()
        .expect("csv request");
    assert_eq!(res.status().as_u16(), 200);
    let content_type = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(content_type.starts_with("text/csv"), "{content_type}");
    res.text().expect("csv text")
}

/// Rows of a `?format=csv` answer, parsed back, by header name.
fn csv_rows(hq_api: &Client, path: &str) -> Vec<std::collections::HashMap<String, String>> {
    let text = csv_text(hq_api, path);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header line").clone();
    reader
        .records()
        .map(|r| {
            let r = r.expect("csv record");
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_owned(), v.to_owned()))
                .collect()
        })
        .collect()
}

/// Two branches sync through one head office; every read endpoint answers
/// what they booked: bookings with their branch, newest first and filtered;
/// the branches' sync state; one master customer for the person both
/// branches know by a phone written differently; the three reports, in JSON
/// and as CSV read back.
#[test]
fn two_branches_bookings_customers_and_reports_at_head_office() {
    let hq = Hq::start();
    let (id_a, token_a) = hq.add_branch("Cabang Bandung");
    let (id_b, token_b) = hq.add_branch("Cabang Surabaya");
    let a = Desk::start();
    let b = Desk::start();

    let tomorrow = (Utc::now() + Duration::days(1)).to_rfc3339();
    let later = "2027-03-01T10:00";
    let budi_a = json!({"name": "Budi", "phone": "0812-3456-7890", "email": "Budi@Example.com"});
    // 40 urgent + 30 paid + 30 vip + 5 → high
    let a1 = book(
        &a,
        budi_a.clone(),
        json!({"booking_date": "2026-11-10", "event_at": tomorrow, "price": "3500000", "booking_fee": "500000", "payment_status": "paid", "booking_status": "active"}),
    );
    // 10 + 20 dp + 15 premium + 5 → 50 medium
    let a2 = book(
        &a,
        json!({"name": "Sari Wulandari", "phone": "0813 1111 2222"}),
        json!({"booking_date": "2026-11-10", "event_at": later, "price": "1500000", "booking_fee": "300000", "payment_status": "dp"}),
    );
    // Canceled: listed, but in no report figure.
    let a3 = book(
        &a,
        budi_a,
        json!({"booking_date": "2026-12-01", "event_at": later, "price": "1000000", "booking_fee": "0", "payment_status": "pending"}),
    );
    a.api
        .send("DELETE", &format!("/bookings/{a3}"), Some(json!({})))
        .expect(200);
    // The same Budi at the other branch: another spelling of his phone, a longer name.
    // 10 + 30 paid + 15 premium + 15 (3 clients) → 70 medium
    let b1 = book(
        &b,
        json!({"name": "Budi Santoso", "phone": "+62 812 3456 7890"}),
        json!({"booking_date": "2026-11-10", "event_at": later, "price": "2000000", "booking_fee": "500000", "payment_status": "paid", "client_count": 3}),
    );
    // 10 + 5 + 5 + 5 → low
    let b2 = book(
        &b,
        json!({"name": "Dewi", "phone": "0857-0000-1111"}),
        json!({"booking_date": "2026-12-15", "event_at": later, "price": "500000", "booking_fee": "0", "payment_status": "pending"}),
    );
    a.configure(&hq.url, &token_a);
    b.configure(&hq.url, &token_b);
    a.sync().expect(200);
    b.sync().expect(200);
    let admin = hq.admin();

    // Branches: caught up, as the desks said with their pushes.
    let branches = admin.get("/api/v1/branches").expect(200);
    assert_eq!(branches["meta"]["total"], 2, "{branches}");
    for (desk, id) in [(&a, &id_a), (&b, &id_b)] {
        let row = branches["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .expect("the branch is listed");
        assert_eq!(row["last_seq"].as_i64(), Some(desk.newest_seq()), "{row}");
        assert_eq!(row["head_seq"].as_i64(), Some(desk.newest_seq()), "{row}");
        assert_eq!(row["behind_changes"], 0, "{row}");
        assert_eq!(row["behind_seconds"], 0, "{row}");
        assert_eq!(row["oldest_unsent_at"], Value::Null, "{row}");
        assert_eq!(row["rejections"], 0, "{row}");
        assert!(row["last_push_at"].is_string(), "{row}");
    }

    // Bookings: every one with its branch, newest booking date first.
    let all = admin.get("/api/v1/bookings").expect(200);
    assert_eq!(all["meta"]["total"], 5, "{all}");
    assert_eq!(ids(&all)[0], b2, "2026-12-15 first");
    assert_eq!(ids(&all)[1], a3, "then 2026-12-01");
    let first = &all["data"][0];
    assert_eq!(first["branch_id"], id_b.as_str());
    assert_eq!(first["branch_name"], "Cabang Surabaya");
    assert_eq!(first["price"], "500000");
    assert_eq!(first["customer_name"], "Dewi");
    let of_a = admin
        .get(&format!("/api/v1/bookings?branch_id={id_a}"))
        .expect(200);
    let mut of_a = ids(&of_a);
    of_a.sort();
    let mut want_a = vec![a1.as_str(), a2.as_str(), a3.as_str()];
    want_a.sort();
    assert_eq!(of_a, want_a);
    let high = admin.get("/api/v1/bookings?segment=high").expect(200);
    assert_eq!(ids(&high), vec![a1.as_str()], "{high}");
    let canceled = admin
        .get("/api/v1/bookings?booking_status=canceled")
        .expect(200);
    assert_eq!(ids(&canceled), vec![a3.as_str()]);
    let december = admin
        .get("/api/v1/bookings?from=2026-12-01&to=2026-12-31")
        .expect(200);
    assert_eq!(ids(&december), vec![b2.as_str(), a3.as_str()]);
    let paged = admin.get("/api/v1/bookings?page=2&page_size=2").expect(200);
    assert_eq!(
        paged["meta"],
        json!({"page": 2, "page_size": 2, "page_count": 3, "total": 5})
    );
    assert_eq!(ids(&paged).len(), 2);

    // The customer master: one Budi, known to both branches.
    let budi = admin
        .get("/api/v1/customers?phone=%2B62%20812-3456-7890")
        .expect(200);
    assert_eq!(budi["meta"]["total"], 1, "{budi}");
    let master = &budi["data"][0];
    assert_eq!(master["phone"], "6281234567890");
    assert_eq!(master["email"], "budi@example.com");
    assert_eq!(master["bookings"], 3, "a1, a3 and b1: {master}");
    let mut linked: Vec<(String, String)> = master["branches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["branch_id"].as_str().unwrap().to_owned(),
                l["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    linked.sort();
    let mut want = vec![
        (id_a.clone(), "Budi".to_owned()),
        (id_b.clone(), "Budi Santoso".to_owned()),
    ];
    want.sort();
    assert_eq!(linked, want);
    let b1_customer = b.api.get(&format!("/bookings/{b1}")).expect(200)["customer_id"].clone();
    assert!(
        master["branches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["customer_id"] == b1_customer),
        "{master}"
    );
    let everyone = admin.get("/api/v1/customers").expect(200);
    assert_eq!(everyone["meta"]["total"], 3, "Budi, Sari, Dewi: {everyone}");
    let sari = admin.get("/api/v1/customers?q=wulan").expect(200);
    assert_eq!(sari["meta"]["total"], 1, "{sari}");
    assert_eq!(sari["data"][0]["name"], "Sari Wulandari");
    assert_eq!(sari["data"][0]["bookings"], 1);

    // Reports: canceled a3 is in no figure.
    let per_day = admin.get("/api/v1/reports/bookings-per-day").expect(200);
    let got: Vec<(String, String, i64, String)> = per_day["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_owned(),
                r["branch_id"].as_str().unwrap().to_owned(),
                r["bookings"].as_i64().unwrap(),
                r["revenue"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let mut want = vec![
        (
            "2026-11-10".to_owned(),
            id_a.clone(),
            2,
            "5000000".to_owned(),
        ),
        (
            "2026-11-10".to_owned(),
            id_b.clone(),
            1,
            "2000000".to_owned(),
        ),
        (
            "2026-12-15".to_owned(),
            id_b.clone(),
            1,
            "500000".to_owned(),
        ),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort();
    want.sort();
    assert_eq!(got_sorted, want, "{per_day}");
    let csv_days = csv_rows(&admin, "/api/v1/reports/bookings-per-day?format=csv");
    assert_eq!(csv_days.len(), 3);
    let mut from_csv: Vec<(String, String, i64, String)> = csv_days
        .iter()
        .map(|r| {
            (
                r["date"].clone(),
                r["branch_id"].clone(),
                r["bookings"].parse().unwrap(),
                r["revenue"].clone(),
            )
        })
        .collect();
    from_csv.sort();
    assert_eq!(from_csv, want, "the CSV says what the JSON says");
    let only_b = admin
        .get(&format!(
            "/api/v1/reports/bookings-per-day?branch_id={id_b}&from=2026-12-01&to=2026-12-31"
        ))
        .expect(200);
    assert_eq!(only_b["meta"]["total"], 1, "{only_b}");
    assert_eq!(only_b["data"][0]["date"], "2026-12-15");

    let months = admin.get("/api/v1/reports/revenue-per-month").expect(200);
    let month = |branch: &str, month: &str| {
        months["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["branch_id"] == branch && r["month"] == month)
            .unwrap_or_else(|| panic!("{branch} {month}: {months}"))
            .clone()
    };
    let nov_a = month(&id_a, "2026-11");
    assert_eq!(
        (
            &nov_a["bookings"],
            &nov_a["price"],
            &nov_a["booking_fees"],
            &nov_a["amount_paid"]
        ),
        (
            &json!(2),
            &json!("5000000"),
            &json!("800000"),
            &json!("3800000")
        ),
        "a1 paid in full, a2's fee as down payment: {nov_a}"
    );
    let nov_b = month(&id_b, "2026-11");
    assert_eq!(nov_b["amount_paid"], "2000000");
    let dec_b = month(&id_b, "2026-12");
    assert_eq!(dec_b["amount_paid"], "0");
    assert_eq!(months["meta"]["total"], 3, "no 2026-12 row for A: {months}");
    let csv_months = csv_rows(&admin, "/api/v1/reports/revenue-per-month?format=csv");
    let csv_nov_a = csv_months
        .iter()
        .find(|r| r["branch_id"] == id_a && r["month"] == "2026-11")
        .expect("A's November in the CSV");
    assert_eq!(csv_nov_a["amount_paid"], "3800000");
    assert_eq!(csv_nov_a["branch_name"], "Cabang Bandung");

    let segments = admin.get("/api/v1/reports/segments").expect(200);
    let mut got: Vec<(String, String, i64)> = segments["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["branch_id"].as_str().unwrap().to_owned(),
                r["segment"].as_str().unwrap().to_owned(),
                r["bookings"].as_i64().unwrap(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (id_a.clone(), "high".to_owned(), 1),
        (id_a.clone(), "medium".to_owned(), 1),
        (id_b.clone(), "low".to_owned(), 1),
        (id_b.clone(), "medium".to_owned(), 1),
    ];
    want.sort();
    assert_eq!(got, want, "{segments}");
    assert_eq!(
        csv_rows(&admin, "/api/v1/reports/segments?format=csv").len(),
        4
    );
}

/// The routes every head-office document must list.
const ROUTES: &[(&str, &str)] = &[
    ("get", "/sync/v1/hello"),
    ("post", "/sync/v1/push"),
    ("get", "/sync/v1/pull"),
    ("post", "/api/v1/auth/login"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/api/v1/services"),
    ("post", "/api/v1/services"),
    ("put", "/api/v1/services/{id}"),
    ("delete", "/api/v1/services/{id}"),
    ("get", "/api/v1/settings"),
    ("put", "/api/v1/settings"),
    ("get", "/api/v1/branches"),
    ("put", "/api/v1/branches/{id}"),
    ("get", "/api/v1/bookings"),
    ("get", "/api/v1/customers"),
    ("get", "/api/v1/reports/bookings-per-day"),
    ("get", "/api/v1/reports/revenue-per-month"),
    ("get", "/api/v1/reports/segments"),
    ("get", "/api/v1/reports/messages"),
    (
        "get",
        "/api/v1/branches/{branch_id}/customers/{customer_id}/identity",
    ),
    ("get", "/api/v1/settings/bot"),
    ("put", "/api/v1/settings/bot"),
    ("get", "/api/v1/settings/gateway"),
    ("put", "/api/v1/settings/gateway"),
    ("get", "/webhooks/meta"),
    ("post", "/webhooks/meta"),
    ("post", "/webhooks/waha"),
    // The booking page's: no login.
    ("get", "/public/v1/branches"),
    ("get", "/public/v1/services"),
    ("get", "/public/v1/slots"),
    ("post", "/public/v1/bookings"),
    ("post", "/public/v1/bookings/{code}/confirm"),
    ("post", "/public/v1/lookup"),
    ("post", "/public/v1/lookup/verify"),
    ("post", "/public/v1/bookings/{code}/cancel"),
];

/// The read API's edges: no token is 401 everywhere, a viewer reads, every
/// bad filter is a 422 naming its field, the OpenAPI document lists every
/// route; and a branch's lag as its pushes say it (an old desk's body,
/// without `head_seq`, still taken, its lag unknown).
#[test]
fn bad_filters_name_the_field_anonymous_is_401_and_the_document_lists_every_route() {
    let hq = Hq::start();
    let admin = hq.admin();
    let anonymous = Client::new(&hq.url);
    for (method, path) in ROUTES {
        // The sync routes take a branch token, the webhooks a gateway's
        // secret; the booking page's take none.
        if *method != "get" || !path.starts_with("/api/") || *path == "/api/v1/openapi.json" {
            continue;
        }
        let reply = anonymous.get(path);
        assert_eq!(reply.status, 401, "{path}: {:?}", reply.body);
        assert_eq!(reply.body["error"]["code"], "unauthorized", "{path}");
    }

    let viewer = hq.viewer();
    for path in [
        "/api/v1/branches",
        "/api/v1/bookings",
        "/api/v1/customers",
        "/api/v1/reports/bookings-per-day",
        "/api/v1/reports/revenue-per-month",
        "/api/v1/reports/segments",
    ] {
        let list = viewer.get(path).expect(200);
        assert!(
            list["data"].is_array() && list["meta"]["total"].is_number(),
            "{path}: {list}"
        );
    }

    // An empty report is still a CSV with its header line.
    assert_eq!(
        csv_text(&viewer, "/api/v1/reports/segments?format=csv"),
        "branch_id,branch_name,segment,bookings\n"
    );

    for (path, field) in [
        ("/api/v1/bookings?from=2026-13-01", "from"),
        ("/api/v1/bookings?to=kemarin", "to"),
        ("/api/v1/bookings?from=2026-12-02&to=2026-12-01", "to"),
        ("/api/v1/bookings?branch_id=cabang-1", "branch_id"),
        ("/api/v1/bookings?segment=urgent", "segment"),
        ("/api/v1/bookings?booking_status=done", "booking_status"),
        ("/api/v1/bookings?page=0", "page"),
        ("/api/v1/bookings?page_size=500", "page_size"),
        ("/api/v1/bookings?page=dua", "page"),
        ("/api/v1/bookings?sgment=high", "sgment"),
        ("/api/v1/customers?phone=12345", "phone"),
        ("/api/v1/reports/bookings-per-day?from=01-12-2026", "from"),
        ("/api/v1/reports/revenue-per-month?format=xlsx", "format"),
        ("/api/v1/reports/segments?branch_id=x", "branch_id"),
        ("/api/v1/branches?page_size=0", "page_size"),
    ] {
        let reply = viewer.get(path);
        assert_eq!(reply.status, 422, "{path}: {:?}", reply.body);
        assert_eq!(
            reply.body["error"]["field"], field,
            "{path}: {:?}",
            reply.body
        );
        assert_eq!(reply.body["error"]["code"], "validation");
    }

    // The document: served without a login, every route in it.
    let doc = anonymous.get("/api/v1/openapi.json").expect(200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."), "{doc}");
    let paths = doc["paths"].as_object().expect("paths");
    for (method, path) in ROUTES {
        assert!(
            paths.get(*path).and_then(|p| p.get(*method)).is_some(),
            "{method} {path} is not in the document"
        );
    }
    assert_eq!(
        paths.len(),
        // Two methods on one path: /api/v1/services, /services/{id}, /settings,
        // /settings/bot, /settings/gateway, /webhooks/meta.
        ROUTES.len() - 6,
        "{:?}",
        paths.keys().collect::<Vec<_>>()
    );
    assert!(
        doc["components"]["schemas"]["HqBooking"].is_object(),
        "the row types are described"
    );

    // Lag: a branch with 10 changes that pushed 2, the oldest unsent made at 03:05.
    let (id, token) = hq.add_branch("Cabang Lambat");
    let branch = hq.branch_client(&token);
    branch
        .post(
            "/sync/v1/push",
            json!({"changes": [
                change(1, "customer", "c1", json!({"id": "c1", "name": "Ani", "phone": "0811-2222-3333"})),
                change(2, "customer", "c2", json!({"id": "c2", "name": "Ani", "phone": "0811-4444-5555"})),
            ], "head_seq": 10, "oldest_unsent_at": "2026-12-01T03:05:00.000Z"}),
        )
        .expect(200);
    let lag = || {
        let list = admin.get("/api/v1/branches").expect(200);
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .expect("listed")
            .clone()
    };
    let row = lag();
    assert_eq!(row["behind_changes"], 8, "{row}");
    assert_eq!(row["head_seq"], 10);
    let since = chrono::DateTime::parse_from_rfc3339(row["oldest_unsent_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(since.to_rfc3339(), "2026-12-01T03:05:00+00:00");
    let seconds = row["behind_seconds"].as_i64().unwrap();
    let expected = (Utc::now() - since).num_seconds();
    assert!((expected - 5..=expected + 5).contains(&seconds), "{row}");
    // Two customers with one name and two phones are two people.
    let anis = admin.get("/api/v1/customers?q=ani").expect(200);
    assert_eq!(anis["meta"]["total"], 2, "{anis}");
    // A body as older desks send it: taken; the lag is unknown.
    branch
        .post(
            "/sync/v1/push",
            json!({"changes": [change(3, "customer", "c3", json!({"id": "c3"}))]}),
        )
        .expect(200);
    let row = lag();
    assert_eq!(row["last_seq"], 3);
    assert_eq!(row["behind_changes"], Value::Null, "{row}");
    assert_eq!(row["behind_seconds"], Value::Null, "{row}");
}

/// A head office upgraded from before the customer master (schema 2) links
/// the customers its branches had pushed, on the opening that migrates it;
/// later openings do not scan them again.
#[test]
fn customers_pushed_before_the_master_existed_are_linked_on_upgrade() {
    let pg = Postgres::get();
    // A schema-2 database, as loket-hq of that version left it: its two
    // migrations and their records (copied from a migrated database).
    let current = Hq::start();
    let records = pg.psql(
        &current.database_url,
        "SELECT string_agg(format('(%s, %L, %L, true, %L::bytea, 0)', version, description,
                                  installed_on, checksum), ',')
         FROM _sqlx_migrations WHERE version <= 2",
    );
    let old = pg.fresh_database();
    pg.psql(&old, include_str!("../migrations/0001_init.sql"));
    pg.psql(&old, include_str!("../migrations/0002_sealed.sql"));
    pg.psql(
        &old,
        &format!(
            "CREATE TABLE _sqlx_migrations (version bigint PRIMARY KEY, description text NOT NULL,
                 installed_on timestamptz NOT NULL DEFAULT now(), success boolean NOT NULL,
                 checksum bytea NOT NULL, execution_time bigint NOT NULL);
             INSERT INTO _sqlx_migrations VALUES {records};
             INSERT INTO branches (id, name, token_hash)
                 VALUES ('0190a000-0000-7000-8000-000000000001', 'Cabang Lama', 'not-a-token');
             INSERT INTO branch_rows (branch_id, entity, entity_id, data, updated_seq, changed_at)
             SELECT '0190a000-0000-7000-8000-000000000001', 'customer', id, data, seq, '2026-11-01T03:00:00Z'
             FROM (VALUES ('c1', '{{\"id\": \"c1\", \"name\": \"Ani\", \"phone\": \"0811-2222-3333\"}}'::jsonb, 1),
                          ('c2', '{{\"id\": \"c2\", \"name\": \"Ani W.\", \"phone\": \"+62 811 2222 3333\"}}'::jsonb, 2),
                          ('c3', '{{\"id\": \"c3\", \"name\": \"Budi\"}}'::jsonb, 3)) AS t(id, data, seq)"
        ),
    );

    let upgraded = Hq::start_on(&old);
    let admin = upgraded.admin();
    let ani = admin
        .get("/api/v1/customers?phone=0811-2222-3333")
        .expect(200);
    assert_eq!(ani["meta"]["total"], 1, "{ani}");
    let records: Vec<&str> = ani["data"][0]["branches"]
        .as_array()
        .map(|b| b.iter().filter_map(|r| r["customer_id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(records, ["c1", "c2"], "{ani}");
    assert_eq!(
        admin.get("/api/v1/customers").expect(200)["meta"]["total"],
        2,
        "Ani, and Budi (no phone: a master of his own)"
    );

    // Once migrated, opening the database links nothing again: a customer
    // row left without a link stays so (the push links what it writes).
    drop(upgraded);
    pg.psql(
        &old,
        "DELETE FROM master_customer_links WHERE customer_id = 'c3'",
    );
    let again = Hq::start_on(&old);
    let admin = again.logged_in("boss2", "hq_admin");
    assert_eq!(
        admin.get("/api/v1/customers").expect(200)["meta"]["total"],
        1,
        "no scan of the customer rows at a later start"
    );
}

/// How a branch's WhatsApp messages ended reaches head office's messages
/// report: one sent through the gateway, one refused for good; the
/// recipient's number and the text do not travel with them.
#[test]
fn messages_sent_and_failed_at_a_branch_reach_the_messages_report() {
    let hq = Hq::start();
    let (branch, token) = hq.add_branch("Cabang Bogor");
    let desk = Desk::start();
    let gateway = StubGateway::start(vec![200, 400]);
    desk.api
        .put(
            "/settings/gateway",
            json!({"kind": "waha", "base_url": gateway.url, "token": "waha-key-1234", "session": "toko"}),
        )
        .expect(200);
    desk.make_bookings("wa", 2); // a confirmation each
    let flushed = desk.api.post("/messages/flush", json!({})).expect(200);
    assert_eq!(
        (flushed["sent"].as_u64(), flushed["failed"].as_u64()),
        (Some(1), Some(1)),
        "{flushed}"
    );
    desk.configure(&hq.url, &token);
    desk.sync().expect(200);

    let admin = hq.admin();
    let report = admin.get("/api/v1/reports/messages").expect(200);
    let rows = report["data"].as_array().expect("data");
    assert_eq!(rows.len(), 1, "{report}");
    assert_eq!(rows[0]["branch_id"], branch.as_str());
    assert_eq!(rows[0]["branch_name"], "Cabang Bogor");
    assert_eq!(
        (
            rows[0]["sent"].as_i64(),
            rows[0]["failed"].as_i64(),
            rows[0]["log_only"].as_i64()
        ),
        (Some(1), Some(1), Some(0))
    );
    let date = rows[0]["date"].as_str().expect("date");
    assert_eq!(date.len(), 10, "{date}");
    let csv = csv_rows(&admin, "/api/v1/reports/messages?format=csv");
    assert_eq!(csv.len(), 1, "one row besides the header");
    // Another day's filter leaves it out.
    let none = admin
        .get("/api/v1/reports/messages?from=2000-01-01&to=2000-01-02")
        .expect(200);
    assert_eq!(none["data"], json!([]));
    let kept = hq.json("SELECT json_agg(data) FROM branch_rows WHERE entity = 'message'");
    let rows = kept.as_array().expect("message rows");
    assert_eq!(rows.len(), 2);
    for row in rows {
        let mut keys: Vec<&str> = row
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "at",
                "customer_id",
                "date",
                "gateway",
                "id",
                "kind",
                "status"
            ],
            "only how it ended: {row}"
        );
    }
}
