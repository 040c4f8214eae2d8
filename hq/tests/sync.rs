//! Branch sync through a real head office: real `loket-hq` processes on a
//! throwaway PostgreSQL, real desks (`loket serve` on their own data
//! directories), everything over HTTP. See `support/` for how they start.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use support::proxy::Proxy;
use support::*;

/// Two branches sync through one head office: afterwards head office holds,
/// for each branch, exactly the branch's own change-logged rows (same
/// records, same data), and nothing of the other branch.
#[test]
fn two_branches_converge_through_one_head_office() {
    let hq = Hq::start();
    let (id_a, token_a) = hq.add_branch("Cabang Bandung");
    let (id_b, token_b) = hq.add_branch("Cabang Surabaya");
    let a = Desk::start();
    let b = Desk::start();
    a.make_bookings("bdg", 4);
    b.make_bookings("sby", 3);
    a.configure(&hq.url, &token_a);
    b.configure(&hq.url, &token_b);

    let run = a.sync().expect(200);
    assert!(run["pushed"].as_u64().unwrap() > 0, "{run}");
    assert_eq!(run["rejected"], 0);
    b.sync().expect(200);
    // More work after the first sync, and a second round.
    a.make_bookings("bdg2", 2);
    a.sync().expect(200);

    for (desk, id) in [(&a, &id_a), (&b, &id_b)] {
        let status = desk.status();
        assert_eq!(status["pending_changes"], 0, "{status}");
        assert_eq!(status["branch_id"], id.as_str());
        assert_eq!(status["last_error"], serde_json::Value::Null);
        assert!(status["last_success_at"].is_string());
        let own = desk.logged_rows();
        let at_hq = hq_rows(&hq, id);
        assert!(
            own.keys().any(|(e, _)| e == "booking") && own.keys().any(|(e, _)| e == "customer")
        );
        assert_eq!(
            own.keys().collect::<Vec<_>>(),
            at_hq.keys().collect::<Vec<_>>(),
            "the same records"
        );
        assert_eq!(own, at_hq, "the same data per record");
        let last_seq = hq.json(&format!("SELECT last_seq FROM branches WHERE id = '{id}'"));
        assert_eq!(last_seq.as_i64(), Some(desk.newest_seq()));
    }
    // A second run with nothing new pushes nothing.
    let again = b.sync().expect(200);
    assert_eq!(again["pushed"], 0);
}

/// A batch sent twice is applied once: the second answer skips it all and
/// no row, version or cursor moves.
#[test]
fn a_resent_batch_changes_nothing() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let branch = hq.branch_client(&token);
    let batch = json!({"changes": [
        change(1, "customer", "c1", json!({"id": "c1", "name": "Budi"})),
        change(2, "customer", "c2", json!({"id": "c2", "name": "Sari"})),
        change(3, "customer", "c1", json!({"id": "c1", "name": "Budi S."})),
    ]});
    let first = branch.post("/sync/v1/push", batch.clone()).expect(200);
    assert_eq!(first["applied"], 3);
    assert_eq!(first["last_seq"], 3);
    let state = |hq: &Hq| {
        hq.json(&format!(
            "SELECT json_build_object('rows', (SELECT json_agg(json_build_array(entity_id, version, updated_seq, data) ORDER BY entity_id) FROM branch_rows WHERE branch_id = '{id}'),
                                      'cursor', (SELECT last_seq FROM branches WHERE id = '{id}'))"
        ))
    };
    let before = state(&hq);
    let second = branch.post("/sync/v1/push", batch).expect(200);
    assert_eq!(second["applied"], 0);
    assert_eq!(second["skipped"], 3);
    assert_eq!(second["last_seq"], 3);
    assert_eq!(state(&hq), before);
    assert_eq!(
        before["rows"][0][1], 2,
        "c1 written twice in the first batch: {before}"
    );
}

/// Head office writes a batch a statement per table, yet the outcome is as
/// if each change were applied in turn: customers of one batch that share a
/// phone (in any format) or an e-mail find one master, even one the batch
/// itself creates; a record deleted and made again counts every change; a
/// sealed field's last word in the batch is what stays.
#[test]
fn a_batch_ends_as_if_applied_change_by_change() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let branch = hq.branch_client(&token);
    let with = |mut change: Value, op: &str, sealed: Value| {
        change["op"] = json!(op);
        if !sealed.is_null() {
            change["sealed"] = sealed;
        }
        change
    };
    let customer = |seq, id: &str, phone: Option<&str>, email: Option<&str>| {
        change(
            seq,
            "customer",
            id,
            json!({"id": id, "name": format!("Pelanggan {id}"), "phone": phone, "email": email}),
        )
    };
    let batch = json!({"changes": [
        with(customer(1, "c1", Some("081234567890"), Some("budi@contoh.id")), "insert",
             json!({"ktp_number": "sealed-ktp-1", "npwp_number": "sealed-npwp-1"})),
        customer(2, "c2", Some("+62 812-3456-7890"), None),
        customer(3, "c3", Some("081300000003"), Some("BUDI@Contoh.ID")),
        customer(4, "c4", Some("081300000004"), None),
        with(customer(5, "c1", Some("081234567890"), Some("budi@contoh.id")), "update",
             json!({"ktp_number": null})),
        with(customer(6, "c4", Some("081300000004"), None), "delete", Value::Null),
        with(customer(7, "c5", Some("081300000005"), None), "insert", json!({"ktp_number": "sealed-ktp-5"})),
        with(customer(8, "c5", Some("081300000005"), None), "delete", Value::Null),
        customer(9, "c5", Some("081300000005"), None),
    ]});
    let answer = branch.post("/sync/v1/push", batch).expect(200);
    assert_eq!(
        (answer["applied"].as_u64(), answer["last_seq"].as_i64()),
        (Some(9), Some(9)),
        "{answer}"
    );

    let links = |hq: &Hq| {
        hq.json(&format!(
            "SELECT json_object_agg(customer_id, master_id) FROM master_customer_links WHERE branch_id = '{id}'"
        ))
    };
    let linked = links(&hq);
    assert_eq!(
        linked["c1"], linked["c2"],
        "one phone in two formats, one master: {linked}"
    );
    assert_eq!(
        linked["c1"], linked["c3"],
        "the same e-mail in another case: {linked}"
    );
    assert!(
        linked["c5"].is_string() && linked["c5"] != linked["c1"],
        "{linked}"
    );
    assert!(
        linked.get("c4").is_none(),
        "a deleted customer links to nothing: {linked}"
    );
    assert_eq!(
        hq.json("SELECT count(*) FROM master_customers WHERE phone = '6281234567890'"),
        1
    );
    assert_eq!(
        hq.json(&format!(
            "SELECT json_agg(json_build_array(entity_id, field, sealed) ORDER BY entity_id, field)
             FROM branch_sealed WHERE branch_id = '{id}'"
        )),
        json!([["c1", "npwp_number", "sealed-npwp-1"]]),
        "c1's KTP removed and its NPWP kept; c5's gone with the delete"
    );
    assert_eq!(
        hq_versions(&hq, &id)
            .into_iter()
            .map(|((_, record), version)| (record, version))
            .collect::<std::collections::BTreeMap<_, _>>(),
        [("c1", 2), ("c2", 1), ("c3", 1), ("c4", 2), ("c5", 3)]
            .into_iter()
            .map(|(r, v)| (r.to_owned(), v))
            .collect()
    );

    // A later batch finds the masters already stored.
    branch
        .post(
            "/sync/v1/push",
            json!({"changes": [customer(10, "c6", Some("0812 3456 7890"), None)]}),
        )
        .expect(200);
    assert_eq!(links(&hq)["c6"], linked["c1"]);
    let found = hq
        .admin()
        .get("/api/v1/customers?phone=081234567890")
        .expect(200);
    let records: Vec<&str> = found["data"][0]["branches"]
        .as_array()
        .map(|b| b.iter().filter_map(|r| r["customer_id"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(records, ["c1", "c2", "c3", "c6"], "{found}");

    // A customer whose phone changes to another master's moves to it; one
    // whose new phone matches nobody keeps the master it has.
    branch
        .post(
            "/sync/v1/push",
            json!({"changes": [
                with(customer(11, "c6", Some("081300000005"), None), "update", Value::Null),
                with(customer(12, "c2", Some("081399999999"), None), "update", Value::Null),
            ]}),
        )
        .expect(200);
    let moved = links(&hq);
    assert_eq!(moved["c6"], linked["c5"], "c6 now has c5's phone: {moved}");
    assert_eq!(moved["c2"], linked["c1"], "{moved}");
    assert_eq!(moved["c1"], linked["c1"]);
}

/// A batch that does not continue the cursor is refused with the number
/// head office expects, and nothing of it is applied.
#[test]
fn a_gap_is_refused_with_the_expected_number() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let branch = hq.branch_client(&token);
    branch
        .post("/sync/v1/push", json!({"changes": [change(1, "customer", "c1", json!({"id": "c1"})), change(2, "customer", "c2", json!({"id": "c2"}))]}))
        .expect(200);
    // 3 is missing; 4 and 5 must not be applied, nor the fresh 3 before a gap.
    let gap = branch.post(
        "/sync/v1/push",
        json!({"changes": [change(4, "customer", "c4", json!({"id": "c4"})), change(5, "customer", "c5", json!({"id": "c5"}))]}),
    );
    assert_eq!(gap.status, 409, "{:?}", gap.body);
    assert_eq!(gap.body["expected"], 3);
    assert_eq!(gap.body["error"]["code"], "sync_gap");
    let gap_inside = branch.post(
        "/sync/v1/push",
        json!({"changes": [change(3, "customer", "c3", json!({"id": "c3"})), change(5, "customer", "c5", json!({"id": "c5"}))]}),
    );
    assert_eq!(gap_inside.status, 409);
    assert_eq!(gap_inside.body["expected"], 4);
    let count = hq.json(&format!(
        "SELECT count(*) FROM branch_rows WHERE branch_id = '{id}'"
    ));
    assert_eq!(count, 2, "nothing of a refused batch is applied");
    assert_eq!(
        hq.json(&format!("SELECT last_seq FROM branches WHERE id = '{id}'")),
        2
    );
}

/// A `branch_id` in the body names nothing: the rows go to the token's branch.
#[test]
fn a_forged_branch_id_in_the_body_is_ignored() {
    let hq = Hq::start();
    let (id_a, token_a) = hq.add_branch("Cabang A");
    let (id_b, _) = hq.add_branch("Cabang B");
    hq.branch_client(&token_a)
        .post(
            "/sync/v1/push",
            json!({"branch_id": id_b, "changes": [change(1, "customer", "c1", json!({"id": "c1", "branch_id": id_b}))]}),
        )
        .expect(200);
    assert_eq!(hq_rows(&hq, &id_b).len(), 0, "B got nothing");
    assert_eq!(hq_rows(&hq, &id_a).len(), 1, "A got its row");
    assert_eq!(
        hq.json(&format!(
            "SELECT last_seq FROM branches WHERE id = '{id_b}'"
        )),
        0
    );
    let hello = hq.branch_client(&token_a).get("/sync/v1/hello").expect(200);
    assert_eq!(hello["branch_id"], id_a.as_str());
    assert_eq!(hello["branch_name"], "Cabang A");
    assert_eq!(hello["protocol"], 1);
}

/// A change refused on business grounds is kept as a rejection, answered,
/// and still moves the cursor, so what follows it is applied.
#[test]
fn a_refused_change_is_recorded_and_the_cursor_moves_on() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let answer = hq
        .branch_client(&token)
        .post(
            "/sync/v1/push",
            json!({"changes": [
                change(1, "spaceship", "x1", json!({"id": "x1"})),
                change(2, "customer", "c2", json!("not an object")),
                change(3, "customer", "c3", json!({"id": "c3"})),
            ]}),
        )
        .expect(200);
    assert_eq!(answer["last_seq"], 3);
    assert_eq!(answer["applied"], 1);
    let rejected = answer["rejected"].as_array().unwrap();
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0]["seq"], 1);
    assert!(
        rejected[0]["reason"]
            .as_str()
            .unwrap()
            .contains("unknown entity")
    );
    assert_eq!(
        hq.json(&format!(
            "SELECT json_agg(seq ORDER BY seq) FROM sync_rejections WHERE branch_id = '{id}'"
        )),
        json!([1, 2])
    );
}

/// A revoked token answers 401; the desk's run fails in words, keeps its
/// queue, and once enrolled again (a new branch at head office, which
/// expects change 1) it restarts from the number head office asks for.
#[test]
fn a_revoked_token_is_401_and_the_branch_keeps_its_queue() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let desk = Desk::start();
    desk.make_bookings("a", 2);
    desk.configure(&hq.url, &token);
    desk.sync().expect(200);
    desk.make_bookings("later", 2);
    let pending = desk.status()["pending_changes"].as_i64().unwrap();
    assert!(pending > 0);

    let out = hq.cli(&["branch", "revoke", &id], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let direct = hq.branch_client(&token).get("/sync/v1/hello");
    assert_eq!(direct.status, 401);

    let failed = desk.sync();
    assert_eq!(failed.status, 502, "{:?}", failed.body);
    let message = failed.body["error"]["message"].as_str().unwrap().to_owned();
    assert!(message.contains("token"), "{message}");
    let status = desk.status();
    assert_eq!(status["pending_changes"], pending, "the queue is kept");
    assert_eq!(status["last_error"], message.as_str());
    assert_eq!(status["running"], false);

    let (new_id, new_token) = hq.add_branch("Cabang A (baru)");
    desk.configure(&hq.url, &new_token);
    desk.sync().expect(200);
    assert_eq!(desk.status()["pending_changes"], 0);
    assert_eq!(
        hq_rows(&hq, &new_id),
        desk.logged_rows(),
        "everything, from change 1"
    );
}

/// A branch speaking protocol 2 gets 426 and nothing is applied.
#[test]
fn a_branch_on_protocol_2_gets_426() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let future = Client::new(&hq.url)
        .with_token(&token)
        .with_header("Loket-Sync-Protocol", "2");
    let push = future.post(
        "/sync/v1/push",
        json!({"changes": [change(1, "customer", "c1", json!({"id": "c1"}))]}),
    );
    assert_eq!(push.status, 426, "{:?}", push.body);
    assert!(
        push.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("update Loket")
    );
    assert_eq!(future.get("/sync/v1/pull").status, 426);
    let none = Client::new(&hq.url)
        .with_token(&token)
        .get("/sync/v1/hello");
    assert_eq!(none.status, 426, "no header is no version");
    assert_eq!(hq_rows(&hq, &id).len(), 0);
    assert_eq!(
        hq.json(&format!("SELECT last_seq FROM branches WHERE id = '{id}'")),
        0
    );
}

/// A service created at head office reaches both branches by pull, once,
/// with its price, and the pull cursor is kept.
#[test]
fn a_service_created_at_head_office_is_pulled_by_both_branches() {
    let hq = Hq::start();
    let admin = hq.admin();
    let (_, token_a) = hq.add_branch("Cabang A");
    let (_, token_b) = hq.add_branch("Cabang B");
    let service = admin
        .post(
            "/api/v1/services",
            json!({"name": "Rias Pengantin", "duration_min": 120, "price": "3500000"}),
        )
        .expect(201);
    let bad = admin.post(
        "/api/v1/services",
        json!({"name": "X", "duration_min": 120, "price": "1"}),
    );
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["error"]["field"], "name");
    let a = Desk::start();
    let b = Desk::start();
    a.configure(&hq.url, &token_a);
    b.configure(&hq.url, &token_b);
    for desk in [&a, &b] {
        let run = desk.sync().expect(200);
        assert_eq!(run["pulled"], 1, "{run}");
        let local = desk
            .api
            .get(&format!("/services/{}", service["id"].as_str().unwrap()))
            .expect(200);
        assert_eq!(local["name"], "Rias Pengantin");
        assert_eq!(local["price"], "3500000");
        assert_eq!(local["duration_min"], 120);
        assert_eq!(local["from_head_office"], true);
        // Changed at head office only: a desk edit would be lost at the next pull.
        let path = format!("/services/{}", service["id"].as_str().unwrap());
        let edit = desk.api.put(&path, json!({"price": "1"}));
        assert_eq!(edit.status, 409, "{:?}", edit.body);
        assert!(
            edit.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("head office")
        );
        assert_eq!(desk.api.send("DELETE", &path, None).status, 409);
        let again = desk.sync().expect(200);
        assert_eq!(again["pulled"], 0, "the cursor was kept");
        assert_eq!(again["pushed"], 0, "a pulled service is not pushed back");
    }
    let second = admin
        .post(
            "/api/v1/services",
            json!({"name": "Foto Studio", "duration_min": 60, "price": "750000"}),
        )
        .expect(201);
    assert_eq!(a.sync().expect(200)["pulled"], 1);
    a.api
        .get(&format!("/services/{}", second["id"].as_str().unwrap()))
        .expect(200);
    // A token saved again (say, after re-enrolment) pulls the feed from the
    // start: applied again, nothing doubles.
    a.configure(&hq.url, &token_a);
    assert_eq!(a.sync().expect(200)["pulled"], 2);
    assert_eq!(a.api.get("/services").expect(200)["meta"]["total"], 2);
    let viewer_denied = Client::new(&hq.url).with_token(&token_a).post(
        "/api/v1/services",
        json!({"name": "Foto", "duration_min": 60, "price": "1"}),
    );
    assert_eq!(
        viewer_denied.status, 401,
        "a branch token is not a head-office login"
    );
}

/// A head office that refuses connections, or accepts and never answers,
/// makes the run fail within its 30 s bound with an error in words; while
/// the silent one is awaited, a second run is refused with 409.
#[test]
fn an_unreachable_head_office_fails_the_run_within_the_bound() {
    let desk = Desk::start();
    desk.make_bookings("x", 1);
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed_url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    desk.configure(&closed_url, "some-token");
    let t0 = Instant::now();
    let refused = desk.sync();
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert_eq!(refused.status, 502, "{:?}", refused.body);
    assert!(
        refused.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot be reached"),
        "{:?}",
        refused.body
    );

    // Accepts connections and reads, never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in silent.incoming().flatten() {
            held.push(s);
        }
    });
    desk.configure(&silent_url, "some-token");
    let api = desk.api.clone();
    let t0 = Instant::now();
    let first = std::thread::spawn(move || api.post("/sync/run", json!({})));
    let deadline = Instant::now() + Duration::from_secs(10);
    while desk.status()["running"] != true {
        assert!(Instant::now() < deadline, "the run never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let second = desk.sync();
    assert_eq!(second.status, 409, "{:?}", second.body);
    let first = first.join().unwrap();
    let took = t0.elapsed();
    assert_eq!(first.status, 502, "{:?}", first.body);
    assert!(
        took >= Duration::from_secs(29) && took < Duration::from_secs(36),
        "took {took:?}"
    );
    assert!(
        first.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did not answer"),
        "{:?}",
        first.body
    );
    let status = desk.status();
    assert_eq!(status["running"], false);
    assert!(status["pending_changes"].as_i64().unwrap() > 0);
}

/// Settings: the token is write-only, plain http only to this machine.
#[test]
fn sync_settings_mask_the_token_and_refuse_plain_http_over_a_network() {
    let desk = Desk::start();
    let saved = desk
        .api
        .put(
            "/settings/sync",
            json!({"hq_url": "https://hq.example.com/", "token": "abcdef0123456789"}),
        )
        .expect(200);
    assert_eq!(saved["hq_url"], "https://hq.example.com");
    assert_eq!(saved["token"], "••••6789");
    assert_eq!(
        desk.api.get("/settings/sync").expect(200)["token"],
        "••••6789"
    );
    let plain = desk
        .api
        .put("/settings/sync", json!({"hq_url": "http://hq.example.com"}));
    assert_eq!(plain.status, 422);
    assert_eq!(plain.body["error"]["field"], "hq_url");
    desk.api
        .put("/settings/sync", json!({"hq_url": "http://127.0.0.1:9"}))
        .expect(200);
    desk.api
        .put("/settings/sync", json!({"hq_url": "http://localhost:9"}))
        .expect(200);
    // Sealed at rest: the token is nowhere in the database file.
    let raw = std::fs::read(desk.data_dir().join("loket.db")).unwrap();
    let wal = std::fs::read(desk.data_dir().join("loket.db-wal")).unwrap_or_default();
    for bytes in [raw, wal] {
        assert!(!bytes.windows(16).any(|w| w == b"abcdef0123456789"));
    }
    let status = desk.status();
    assert_eq!(status["configured"], true);
    assert_eq!(
        desk.api.get("/sync/rejections").expect(200)["meta"]["total"],
        0
    );
}

/// A database migrated by a newer loket-hq is refused, untouched.
#[test]
fn loket_hq_refuses_a_database_from_a_newer_version() {
    let pg = Postgres::get();
    let url = pg.fresh_database();
    let out = hq_cli(&url, &["branch", "add", "Cabang A", "--json"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    pg.psql(
        &url,
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
         VALUES (9999, 'from the future', true, '\\x00', 0)",
    );
    let out = hq_cli(&url, &["branch", "add", "Cabang B", "--json"], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("newer loket-hq") && stderr.contains("9999"),
        "{stderr}"
    );
    assert_eq!(
        pg.psql(&url, "SELECT count(*) FROM branches"),
        "1",
        "nothing was changed"
    );
    let mut serve = std::process::Command::new(hq_bin())
        .args(["serve", "--port", "0", "--database-url", &url])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = serve.wait().unwrap();
    assert!(!status.success(), "serve refuses it too");
}

/// With an interval set, the desk syncs by itself (no `sync.run` call).
#[test]
fn a_desk_with_an_interval_syncs_by_itself() {
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let desk = Desk::start();
    desk.make_bookings("auto", 2);
    desk.api
        .put(
            "/settings/sync",
            json!({"hq_url": hq.url, "token": token, "interval_min": 1}),
        )
        .expect(200);
    let deadline = Instant::now() + Duration::from_secs(45);
    while !desk.status()["last_success_at"].is_string() {
        assert!(
            Instant::now() < deadline,
            "no automatic sync within 45 s: {}",
            desk.status()
        );
        std::thread::sleep(Duration::from_millis(250));
    }
    assert_eq!(hq_rows(&hq, &id), desk.logged_rows());
}

/// A change head office refuses reaches the branch's own list with its
/// reason, the rest of the log still converges, and staff can mark it
/// resolved. The refused change is one this head office cannot know (a kind
/// from a newer desk), written into the desk's own change log.
#[test]
fn a_refused_change_is_kept_at_the_branch_until_marked_resolved() {
    let hq = Hq::start();
    let admin = hq.admin();
    let (id, token) = hq.add_branch("Cabang A");
    let desk = Desk::start();
    desk.make_bookings("rej", 1);
    {
        let conn = rusqlite::Connection::open(desk.data_dir().join("loket.db")).unwrap();
        conn.busy_timeout(Duration::from_secs(10)).unwrap();
        conn.execute(
            "INSERT INTO change_log (entity, entity_id, op, snapshot, at) VALUES ('spaceship', 'x1', 'insert', '{\"id\": \"x1\"}', '2026-12-01T03:00:00.000Z')",
            [],
        )
        .unwrap();
    }
    desk.make_bookings("rej2", 1);
    desk.configure(&hq.url, &token);
    let run = desk.sync().expect(200);
    assert_eq!(run["rejected"], 1, "{run}");
    let list = desk.api.get("/sync/rejections").expect(200);
    assert_eq!(list["meta"]["total"], 1);
    let rejection = &list["data"][0];
    assert_eq!(rejection["entity"], "spaceship");
    assert!(
        rejection["reason"]
            .as_str()
            .unwrap()
            .contains("unknown entity"),
        "{rejection}"
    );
    assert_eq!(rejection["resolved_at"], serde_json::Value::Null);
    assert_eq!(
        desk.status()["pending_changes"],
        0,
        "a refused change is not pending"
    );
    let mut own = desk.logged_rows();
    own.remove(&("spaceship".to_owned(), "x1".to_owned()));
    assert_eq!(hq_rows(&hq, &id), own, "everything else arrived");
    let branches = admin.get("/api/v1/branches").expect(200);
    assert_eq!(branches["data"][0]["rejections"], 1);
    assert_eq!(branches["data"][0]["last_seq"], desk.newest_seq());

    let seq = rejection["seq"].as_i64().unwrap();
    let resolved = desk
        .api
        .post(&format!("/sync/rejections/{seq}/resolve"), json!({}))
        .expect(200);
    assert!(resolved["resolved_at"].is_string(), "{resolved}");
    assert_eq!(
        desk.api
            .post("/sync/rejections/999999/resolve", json!({}))
            .status,
        404
    );
    assert_eq!(
        desk.sync().expect(200)["pushed"],
        0,
        "resolving is not a change to push"
    );
}

/// `hq_viewer` reads head office's data but may not change the catalogue.
#[test]
fn a_head_office_viewer_may_not_change_the_catalogue() {
    let hq = Hq::start();
    let viewer = hq.viewer();
    let denied = viewer.post(
        "/api/v1/services",
        json!({"name": "Foto", "duration_min": 60, "price": "1"}),
    );
    assert_eq!(denied.status, 403, "{:?}", denied.body);
    assert_eq!(denied.body["error"]["code"], "forbidden");
    viewer.get("/api/v1/services").expect(200);
    viewer.get("/api/v1/branches").expect(200);
    let wrong = Client::new(&hq.url).post(
        "/api/v1/auth/login",
        json!({"username": "lihat", "password": "salah-sekali"}),
    );
    assert_eq!(wrong.status, 401);
    assert_eq!(Client::new(&hq.url).get("/api/v1/branches").status, 401);
}

/// A push may come gzipped (`Content-Encoding: gzip`); an unknown encoding
/// or a body that is not gzip is refused with 400 and nothing is applied.
#[test]
fn a_gzipped_push_is_accepted() {
    use std::io::Write;
    let hq = Hq::start();
    let (id, token) = hq.add_branch("Cabang A");
    let body = json!({"changes": (1..=300).map(|s| change(s, "customer", &format!("c{s}"), json!({"id": s, "name": "Pelanggan"}))).collect::<Vec<_>>()});
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(body.to_string().as_bytes()).unwrap();
    let gzipped = gz.finish().unwrap();
    let send = |encoding: &str, bytes: Vec<u8>| {
        reqwest::blocking::Client::new()
            .post(format!("{}/sync/v1/push", hq.url))
            .bearer_auth(&token)
            .header("Loket-Sync-Protocol", "1")
            .header("Content-Type", "application/json")
            .header("Content-Encoding", encoding)
            .body(bytes)
            .send()
            .unwrap()
    };
    assert_eq!(send("br", gzipped.clone()).status(), 400);
    assert_eq!(
        send("gzip", body.to_string().into_bytes()).status(),
        400,
        "not gzip"
    );
    assert_eq!(hq_rows(&hq, &id).len(), 0);
    let ok = send("gzip", gzipped);
    assert_eq!(ok.status(), 200);
    let answer: serde_json::Value = ok.json().unwrap();
    assert_eq!(answer["applied"], 300);
    assert_eq!(hq_rows(&hq, &id).len(), 300);
}

/// `loket-hq serve --tls-cert --tls-key` serves HTTPS: a branch that trusts
/// the certificate says hello over it; plain HTTP on that port gets nothing.
#[test]
fn with_a_certificate_head_office_serves_https() {
    let certs = tempfile::tempdir().unwrap();
    let (cert, key) = certs::self_signed_localhost(certs.path());
    let database_url = Postgres::get().fresh_database();
    let hq = Hq::start_with(
        &database_url,
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
    );
    assert!(hq.url.starts_with("https://127.0.0.1:"), "{}", hq.url);
    let (id, token) = hq.add_branch("Cabang Aman");
    let trusted = reqwest::Certificate::from_pem(&std::fs::read(&cert).unwrap()).unwrap();
    let https = reqwest::blocking::Client::builder()
        .tls_certs_only([trusted])
        .build()
        .unwrap();
    let hello = Client::with_http(&hq.url, https)
        .with_token(&token)
        .with_header("Loket-Sync-Protocol", "1")
        .get("/sync/v1/hello")
        .expect(200);
    assert_eq!(hello["branch_id"], id.as_str());

    // A desk does not trust the self-signed certificate by itself, and says
    // so; given it as `ca_cert`, it syncs over HTTPS.
    let desk = Desk::start();
    desk.make_bookings("tls", 2);
    desk.configure(&hq.url, &token);
    let refused = desk.sync();
    assert_eq!(refused.status, 502, "{}", refused.body);
    assert!(
        desk.status()["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{}",
        desk.status()
    );
    desk.api
        .put("/settings/sync", json!({"ca_cert": "not a certificate"}))
        .expect(422);
    let pem = std::fs::read_to_string(&cert).unwrap();
    let saved = desk
        .api
        .put("/settings/sync", json!({"ca_cert": pem}))
        .expect(200);
    assert!(
        saved["ca_cert"]
            .as_str()
            .unwrap()
            .contains("BEGIN CERTIFICATE")
    );
    let run = desk.sync().expect(200);
    assert!(run["pushed"].as_i64().unwrap() > 0, "{run}");
    assert_eq!(desk.status()["pending_changes"], 0);

    // Plain HTTP to the same port is not answered as HTTP.
    let plain = hq.url.replacen("https://", "http://", 1);
    let answer = reqwest::blocking::Client::new()
        .get(format!("{plain}/sync/v1/hello"))
        .timeout(std::time::Duration::from_secs(5))
        .send();
    assert!(
        answer.is_err() || !answer.unwrap().status().is_success(),
        "plain HTTP got an answer"
    );
}

/// KTP and NPWP reach head office sealed to its public key: never in
/// plaintext on the wire (every request read through a proxy) nor in any
/// PostgreSQL table (a full dump read); an `hq_admin` opens them, an
/// `hq_viewer` may not; a change and a removal at the branch follow. A
/// process started with another key file is refused.
#[test]
fn ktp_and_npwp_reach_head_office_sealed_and_only_an_admin_opens_them() {
    let (ktp, npwp, new_ktp) = ("3171234567890001", "098765432109876", "3273010101900002");
    let hq = Hq::start();
    let (branch, token) = hq.add_branch("Cabang Depok");
    let desk = Desk::start();
    // Made before the desk was enrolled: sealed when pushed, not when made.
    let made = desk
        .api
        .post(
            "/customers",
            json!({"name": "Ani Susanti", "phone": "081211110001", "ktp_number": ktp, "npwp_number": npwp}),
        )
        .expect(201);
    let id = made["id"].as_str().unwrap().to_owned();
    let proxy = Proxy::start(&hq.url);
    desk.configure(&proxy.url, &token);
    desk.sync().expect(200);

    let sent = |proxy: &Proxy| -> String {
        let requests = proxy.requests.lock().unwrap();
        assert!(
            requests
                .iter()
                .any(|r| r.starts_with(b"POST /sync/v1/push")),
            "the push went through the proxy"
        );
        drop(requests);
        // Gzipped pushes inflated: the check is on what the bytes carry.
        proxy.requests_inflated().concat()
    };
    let wire = sent(&proxy);
    assert!(
        wire.contains("\"sealed\""),
        "the push carries sealed fields"
    );
    for secret in [ktp, npwp] {
        assert!(
            !wire.contains(secret),
            "{secret} crossed the wire in plaintext"
        );
    }
    let dump = Postgres::get().dump(&hq.database_url);
    assert!(
        dump.contains("ktp_number"),
        "the dump holds the sealed rows"
    );
    for secret in [ktp, npwp] {
        assert!(
            !dump.contains(secret),
            "{secret} is in PostgreSQL in plaintext"
        );
    }

    let path = format!("/api/v1/branches/{branch}/customers/{id}/identity");
    let admin = hq.admin();
    let opened = admin.get(&path).expect(200);
    assert_eq!(opened["ktp_number"], ktp);
    assert_eq!(opened["npwp_number"], npwp);
    let viewer = hq.viewer();
    let denied = viewer.get(&path);
    assert_eq!(denied.status, 403, "{:?}", denied.body);
    assert_eq!(Client::new(&hq.url).get(&path).status, 401);
    let unknown = admin.get(&format!(
        "/api/v1/branches/{branch}/customers/nobody/identity"
    ));
    assert_eq!(unknown.status, 404, "{:?}", unknown.body);

    // A new KTP and a removed NPWP at the branch follow on the next sync.
    desk.api
        .put(
            &format!("/customers/{id}"),
            json!({"ktp_number": new_ktp, "npwp_number": null}),
        )
        .expect(200);
    desk.sync().expect(200);
    let opened = admin.get(&path).expect(200);
    assert_eq!(opened["ktp_number"], new_ktp);
    assert_eq!(opened["npwp_number"], serde_json::Value::Null);
    assert!(!sent(&proxy).contains(new_ktp));
    assert!(!Postgres::get().dump(&hq.database_url).contains(new_ktp));

    // Another key file on this database is refused before serving.
    let other_key = tempfile::tempdir().unwrap();
    let refused = std::process::Command::new(hq_bin())
        .args([
            "serve",
            "--port",
            "0",
            "--database-url",
            &hq.database_url,
            "--sealing-key",
        ])
        .arg(other_key.path().join("other.key"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let message = String::from_utf8_lossy(&refused.stderr);
    assert!(message.contains("sealed to another key"), "{message}");
}
