//! Every mutation leaves an audit entry and a change-log row, written in its
//! own transaction; a failed operation leaves neither.

use loket::Role;
use rusqlite::Connection;
use serde_json::{Value, json};

use crate::helpers::*;

#[derive(Debug, Clone, PartialEq)]
struct AuditRow {
    id: i64,
    action: String,
    entity: String,
    entity_id: String,
    username: String,
}

#[derive(Debug, Clone, PartialEq)]
struct ChangeRow {
    seq: i64,
    entity: String,
    entity_id: String,
    op: String,
    snapshot: Value,
}

fn audit_since(db: &Connection, after: i64) -> Vec<AuditRow> {
    db.prepare(
        "SELECT id, action, entity, entity_id, username FROM audit_log WHERE id > ?1 ORDER BY id",
    )
    .unwrap()
    .query_map([after], |r| {
        Ok(AuditRow {
            id: r.get(0)?,
            action: r.get(1)?,
            entity: r.get(2)?,
            entity_id: r.get(3)?,
            username: r.get(4)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

fn changes_since(db: &Connection, after: i64) -> Vec<ChangeRow> {
    db.prepare(
        "SELECT seq, entity, entity_id, op, snapshot FROM change_log WHERE seq > ?1 ORDER BY seq",
    )
    .unwrap()
    .query_map([after], |r| {
        let snapshot: String = r.get(4)?;
        Ok(ChangeRow {
            seq: r.get(0)?,
            entity: r.get(1)?,
            entity_id: r.get(2)?,
            op: r.get(3)?,
            snapshot: serde_json::from_str(&snapshot).unwrap(),
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Watches both tables and checks what each step added.
struct Watch {
    db: Connection,
    audit: i64,
    seq: i64,
    steps: usize,
}

impl Watch {
    fn new(t: &TestApp) -> Watch {
        let db = t.db();
        let audit = db
            .query_row("SELECT COALESCE(MAX(id), 0) FROM audit_log", [], |r| {
                r.get(0)
            })
            .unwrap();
        let seq = db
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM change_log", [], |r| {
                r.get(0)
            })
            .unwrap();
        Watch {
            db,
            audit,
            seq,
            steps: 0,
        }
    }

    /// Asserts that exactly `expected` (entity, audit action, change op) rows
    /// were added since the last step, audit and change log pairwise alike.
    #[track_caller]
    fn step(&mut self, what: &str, expected: &[(&str, &str, &str)]) -> Vec<(AuditRow, ChangeRow)> {
        self.steps += 1;
        let audit = audit_since(&self.db, self.audit);
        let changes = changes_since(&self.db, self.seq);
        let got_audit: Vec<(&str, &str)> = audit
            .iter()
            .map(|a| (a.entity.as_str(), a.action.as_str()))
            .collect();
        let got_changes: Vec<(&str, &str)> = changes
            .iter()
            .map(|c| (c.entity.as_str(), c.op.as_str()))
            .collect();
        let want_audit: Vec<(&str, &str)> = expected.iter().map(|(e, a, _)| (*e, *a)).collect();
        let want_changes: Vec<(&str, &str)> = expected.iter().map(|(e, _, o)| (*e, *o)).collect();
        assert_eq!(
            got_audit, want_audit,
            "audit entries of step {} ({what})",
            self.steps
        );
        assert_eq!(
            got_changes, want_changes,
            "change-log rows of step {} ({what})",
            self.steps
        );
        for (a, c) in audit.iter().zip(&changes) {
            assert_eq!(
                a.entity_id, c.entity_id,
                "{what}: audit and change log name the same record"
            );
            if let Some(id) = c.snapshot.get("id") {
                assert_eq!(
                    id,
                    &json!(c.entity_id),
                    "{what}: the snapshot is of the record"
                );
            }
        }
        if let (Some(a), Some(c)) = (audit.last(), changes.last()) {
            self.audit = a.id;
            self.seq = c.seq;
        }
        audit.into_iter().zip(changes).collect()
    }

    /// Asserts that nothing was written since the last step.
    #[track_caller]
    fn nothing(&mut self, what: &str) {
        self.step(what, &[]);
    }
}

#[test]
fn every_mutation_writes_one_audit_entry_and_one_change_log_row() {
    let t = TestApp::new();
    let s = t.serve();
    let clerk = t.login_as(&s, "kasir", Role::FrontDesk);
    let admin_id = s.get("/auth/me").expect(200)["id"].clone();
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    let mut w = Watch::new(&t);

    let staff = s
        .post("/staff", json!({"name": "Rina Marketing"}))
        .expect(201);
    w.step("create staff", &[("staff", "create", "insert")]);
    s.put(
        &format!("/staff/{}", id(&staff)),
        json!({"phone": "081211112222"}),
    )
    .expect(200);
    w.step("update staff", &[("staff", "update", "update")]);
    let user = s
        .post(
            "/users",
            json!({"username": "penjual", "password": PASSWORD, "role": "sales"}),
        )
        .expect(201);
    w.step("create user", &[("user", "create", "insert")]);
    s.put(
        &format!("/users/{}", id(&user)),
        json!({"role": "marketing"}),
    )
    .expect(200);
    w.step("update user", &[("user", "update", "update")]);
    s.put("/settings", json!({"business_name": "Studio Ayu"}))
        .expect(200);
    w.step("update settings", &[("settings", "update", "update")]);
    let unit = create_unit(&s, 350_000_000);
    w.step("create unit", &[("unit", "create", "insert")]);
    s.put(
        &format!("/units/{}", id(&unit)),
        json!({"location": "Hook"}),
    )
    .expect(200);
    w.step("update unit", &[("unit", "update", "update")]);
    let cust = s
        .post(
            "/customers",
            json!({"name": "Budi", "phone": "081233334444"}),
        )
        .expect(201);
    w.step("create customer", &[("customer", "create", "insert")]);
    s.put(
        &format!("/customers/{}", id(&cust)),
        json!({"address": "Jl. Mawar 2"}),
    )
    .expect(200);
    w.step("update customer", &[("customer", "update", "update")]);

    // A booking's whole effect: customer, unit and booking, in that order.
    let sale = s
        .post(
            "/bookings",
            json!({"customer": customer("Ani", "081255556666"), "unit_id": unit["id"]}),
        )
        .expect(201);
    let rows = w.step(
        "book a unit for a new customer",
        &[
            ("customer", "create", "insert"),
            ("unit", "booked", "update"),
            ("booking", "create", "insert"),
        ],
    );
    assert_eq!(rows[0].0.entity_id, sale["customer_id"].as_str().unwrap());
    assert_eq!(rows[1].0.entity_id, id(&unit));
    assert_eq!(rows[1].1.snapshot["status"], "booked");
    assert_eq!(rows[2].0.entity_id, id(&sale));
    assert_eq!(rows[2].1.snapshot["code"], sale["code"]);
    // A known phone that brings nothing new: the customer's
    // last_booking_at is derived from the bookings, not an edit.
    let repeat = s
        .post(
            "/bookings",
            json!({"customer": customer("Ani", "+62 812 5555 6666"), "price": "500000"}),
        )
        .expect(201);
    w.step("book for a known phone", &[("booking", "create", "insert")]);
    // A known phone with a new address: that is an edit of the customer.
    s.post(
        "/bookings",
        json!({"customer": {"name": "Ani", "phone": "081255556666", "address": "Jl. Kenanga 5"}, "price": "500000"}),
    )
    .expect(201);
    let rows = w.step(
        "book for a known phone with a new address",
        &[
            ("customer", "upsert", "update"),
            ("booking", "create", "insert"),
        ],
    );
    assert_eq!(rows[0].1.snapshot["address"], "Jl. Kenanga 5");
    let ani = s
        .get(&format!(
            "/customers/{}",
            sale["customer_id"].as_str().unwrap()
        ))
        .expect(200);
    assert_eq!(ani["version"], 2, "one edit, whatever the bookings");
    let by_id = s
        .post(
            "/bookings",
            json!({"customer_id": cust["id"], "price": "750000"}),
        )
        .expect(201);
    w.step("book by customer id", &[("booking", "create", "insert")]);
    let budi = s.get(&format!("/customers/{}", id(&cust))).expect(200);
    assert_eq!(budi["last_booking_at"], "2026-11-22T03:00:00.000Z");
    let by_clerk = clerk
        .post(
            "/bookings",
            json!({"customer_id": cust["id"], "price": "100000"}),
        )
        .expect(201);
    let rows = w.step("book as the clerk", &[("booking", "create", "insert")]);
    assert!(rows.iter().all(|(a, _)| a.username == "kasir"));

    s.put(
        &format!("/bookings/{}", id(&by_id)),
        json!({"notes": "DP minggu depan"}),
    )
    .expect(200);
    w.step("update booking", &[("booking", "update", "update")]);
    s.put(
        &format!("/bookings/{}", id(&sale)),
        json!({"booking_status": "active"}),
    )
    .expect(200);
    w.step("activate booking", &[("booking", "confirm", "update")]);
    s.put(
        &format!("/bookings/{}", id(&sale)),
        json!({"booking_status": "completed"}),
    )
    .expect(200);
    w.step(
        "complete booking",
        &[
            ("unit", "sold", "update"),
            ("booking", "complete", "update"),
        ],
    );
    s.delete(&format!("/bookings/{}", id(&repeat))).expect(200);
    w.step(
        "cancel booking without unit",
        &[("booking", "cancel", "update")],
    );
    let unit2 = create_unit(&s, 200_000_000);
    let held = s
        .post(
            "/bookings",
            json!({"customer_id": cust["id"], "unit_id": unit2["id"]}),
        )
        .expect(201);
    w.step(
        "book a second unit",
        &[
            ("unit", "create", "insert"),
            ("unit", "booked", "update"),
            ("booking", "create", "insert"),
        ],
    );
    clerk
        .delete(&format!("/bookings/{}", id(&held)))
        .expect(200);
    w.step(
        "cancel booking with unit",
        &[
            ("unit", "released", "update"),
            ("booking", "cancel", "update"),
        ],
    );
    s.delete(&format!("/bookings/{}", id(&by_id))).expect(200);
    s.delete(&format!("/bookings/{}", id(&by_clerk)))
        .expect(200);
    w.step(
        "cancel two more",
        &[
            ("booking", "cancel", "update"),
            ("booking", "cancel", "update"),
        ],
    );
    s.delete(&format!("/customers/{}", id(&cust))).expect(200);
    let rows = w.step("delete customer", &[("customer", "delete", "delete")]);
    assert_eq!(
        rows[0].1.snapshot["code"], cust["code"],
        "a delete logs the record as it was"
    );
    s.delete(&format!("/units/{}", id(&unit2))).expect(200);
    w.step("delete unit", &[("unit", "delete", "delete")]);

    // Failed operations write neither.
    s.post(
        "/bookings",
        json!({"customer": customer("Citra", "081277778888"), "unit_id": unit["id"]}),
    )
    .expect_error(409, "conflict", None);
    w.nothing("booking a sold unit");
    s.put(&format!("/bookings/{}", id(&sale)), json!({"notes": "x"}))
        .expect_error(409, "conflict", None);
    w.nothing("changing a completed booking");
    s.put(
        &format!("/customers/{}", sale["customer_id"].as_str().unwrap()),
        json!({"version": 99, "address": "x"}),
    )
    .expect_error(409, "conflict", None);
    w.nothing("stale customer version");
    s.post("/customers", json!({"name": "X", "phone": "081200000000"}))
        .expect_error(422, "validation", Some("name"));
    w.nothing("invalid customer");
    s.post(
        "/units",
        json!({"unit_type": "T", "price": "1", "code": unit["code"]}),
    )
    .expect_error(422, "validation", Some("code"));
    w.nothing("duplicate unit code");
    s.put(
        &format!("/users/{}", admin_id.as_str().unwrap()),
        json!({"role": "sales"}),
    )
    .expect_error(409, "conflict", None);
    w.nothing("demoting the last admin");
    clerk
        .post("/units", json!({"unit_type": "T", "price": "1"}))
        .expect_error(403, "forbidden", None);
    w.nothing("forbidden unit create");
    let open = s
        .post(
            "/bookings",
            json!({"customer": customer("Dewi", "081299990000"), "price": "100000"}),
        )
        .expect(201);
    w.step(
        "a new booking",
        &[
            ("customer", "create", "insert"),
            ("booking", "create", "insert"),
        ],
    );
    s.delete(&format!(
        "/customers/{}",
        open["customer_id"].as_str().unwrap()
    ))
    .expect_error(409, "conflict", None);
    w.nothing("deleting a customer with an open booking");

    // The change log: strictly increasing sequence numbers, one row per
    // recorded mutation (logins are audited but change no synced data).
    let all = changes_since(&w.db, 0);
    assert!(
        all.windows(2).all(|p| p[0].seq < p[1].seq),
        "seq strictly increasing"
    );
    let mutations: i64 = w
        .db
        .query_row("SELECT COUNT(*) FROM audit_log WHERE before_json IS NOT NULL OR after_json IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(all.len() as i64, mutations);
    let logins: i64 =
        w.db.query_row(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'login'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(logins, 2, "admin and clerk logged in once each");
}

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
