//! The customer master through the HTTP API: validation, CRUD with partial
//! updates and soft delete, search and paging, KTP/NPWP at rest and masked by
//! role, and the upsert that every booking with an inline customer performs.

use chrono::Duration;
use loket::Role;
use serde_json::{Value, json};

use crate::helpers::*;

/// A valid customer body with a distinct phone per `n`.
fn valid(n: u32) -> Value {
    json!({"name": "Sri Wahyuni", "phone": format!("0812{n:08}")})
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

fn customer_count(s: &Server) -> u64 {
    total(&s.get("/customers?page_size=1").expect(200))
}

#[test]
fn every_field_rule_names_its_field() {
    let t = TestApp::new();
    let s = t.serve();
    let long = |n: usize| Value::String("x".repeat(n));
    let rejected: Vec<(&str, Value)> = vec![
        ("name", json!("")),
        ("name", json!("   ")),
        ("name", json!("A")),
        ("name", json!(" B ")),
        ("name", long(101)),
        ("phone", json!("")),
        ("phone", json!("garbage")),
        ("phone", json!("12345")),
        ("phone", json!("0812")),
        ("phone", json!("+1 212 555 0100")),
        ("phone", json!("0812-abcd-7890")),
        ("phone", json!("08123456789012345")),
        ("email", json!("ani@")),
        ("email", json!("ani.example.com")),
        ("email", json!("ani @example.com")),
        ("email", json!("ani@example")),
        ("address", long(501)),
        ("ktp_number", json!("123")),
        ("ktp_number", json!("317123456789000")),
        ("ktp_number", json!("31712345678900011")),
        ("ktp_number", json!("317123456789000A")),
        ("npwp_number", json!("12345678901234")),
        ("npwp_number", json!("12345678901234567")),
        ("npwp_number", json!("12345678901234X")),
        ("birth_place", long(51)),
        ("birth_date", json!("2030-01-01")),
        ("birth_date", json!("22-11-1990")),
        ("occupation", long(51)),
        ("monthly_income", json!(-1)),
        ("monthly_income", json!("-5000")),
        ("monthly_income", json!("lima juta")),
        ("monthly_income", json!("1000.005")),
        ("emergency_contact", long(201)),
        ("gender", json!("other")),
        ("gender", json!("M")),
    ];
    for (i, (field, value)) in rejected.into_iter().enumerate() {
        let body = with(valid(i as u32), field, value.clone());
        let r = s.post("/customers", body);
        assert_eq!(r.status, 422, "{field} = {value}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "validation", "{field} = {value}");
        assert_eq!(
            r.body["error"]["field"], field,
            "{field} = {value}: {}",
            r.body
        );
    }
    // A missing phone names the phone.
    s.post("/customers", json!({"name": "Tanpa Telepon"}))
        .expect_error(422, "validation", Some("phone"));
    assert_eq!(customer_count(&s), 0, "no rejected customer was stored");

    // The limits themselves are accepted; money as a string or a number.
    let accepted: Vec<(&str, Value)> = vec![
        ("name", json!("Al")),
        ("name", long(100)),
        ("address", long(500)),
        ("ktp_number", json!("3171234567890001")),
        ("ktp_number", json!("3171-2345-6789-0002")),
        ("npwp_number", json!("012345678901234")),
        ("npwp_number", json!("0123456789012345")),
        ("birth_place", long(50)),
        ("occupation", long(50)),
        ("monthly_income", json!(0)),
        ("monthly_income", json!("7500000")),
        ("monthly_income", json!(7500000.5)),
        ("emergency_contact", long(200)),
        ("gender", json!("male")),
        ("gender", json!("female")),
        ("email", json!("Ani.Susanti+booking@Example.co.id")),
    ];
    let n = accepted.len() as u64;
    for (i, (field, value)) in accepted.into_iter().enumerate() {
        let c = s
            .post(
                "/customers",
                with(valid(1000 + i as u32), field, value.clone()),
            )
            .expect(201);
        match field {
            "monthly_income" => {
                let want = match value {
                    Value::Number(ref n) => n.to_string(),
                    Value::String(ref s) => s.clone(),
                    _ => unreachable!(),
                };
                assert_eq!(
                    c[field],
                    Value::String(want),
                    "money comes back as an exact string"
                );
            }
            "ktp_number" => assert_eq!(c[field].as_str().unwrap().len(), 16, "separators dropped"),
            "name" | "address" | "birth_place" | "occupation" | "emergency_contact" | "gender"
            | "email" => {
                assert_eq!(c[field], value)
            }
            _ => assert!(!c[field].is_null(), "{field} kept"),
        }
    }
    assert_eq!(customer_count(&s), n);
}

#[test]
fn phones_in_every_indonesian_format_are_stored_normalised_and_deduplicated() {
    let t = TestApp::new();
    let s = t.serve();
    for (raw, stored) in [
        ("081234567890", "6281234567890"),
        ("+62 813-2222-3333", "6281322223333"),
        ("6285711112222", "6285711112222"),
        ("0857 0000 4444", "6285700004444"),
        ("+62 (0)21 555 0199", "62215550199"),
    ] {
        let c = s
            .post("/customers", json!({"name": "Pelanggan", "phone": raw}))
            .expect(201);
        assert_eq!(c["phone"], stored, "{raw}");
    }
    // The same number in another spelling belongs to the first customer.
    for raw in [
        "+6281234567890",
        "6281234567890",
        "0812-3456-7890",
        "+62 812 3456 7890",
    ] {
        let e = s
            .post("/customers", json!({"name": "Orang Lain", "phone": raw}))
            .expect_error(422, "validation", Some("phone"));
        assert!(
            e["error"]["message"]
                .as_str()
                .unwrap()
                .contains("CS-000001"),
            "names the owner: {e}"
        );
    }
    // …also when another customer tries to take it over by an update.
    let other = s
        .post(
            "/customers",
            json!({"name": "Joko", "phone": "081399998888"}),
        )
        .expect(201);
    s.put(
        &format!("/customers/{}", other["id"].as_str().unwrap()),
        json!({"phone": "+62 812-3456-7890"}),
    )
    .expect_error(422, "validation", Some("phone"));
    assert_eq!(customer_count(&s), 6);
}

#[test]
fn create_get_partial_update_and_soft_delete() {
    let t = TestApp::new();
    let s = t.serve();
    let c = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "0813-1111-2222", "email": "budi@example.com",
                   "address": "Jl. Merdeka 1", "occupation": "Guru", "monthly_income": "7500000",
                   "gender": "male", "birth_date": "1990-05-17", "birth_place": "Bandung"}),
        )
        .expect(201);
    assert_eq!(c["code"], "CS-000001");
    assert_eq!(c["phone"], "6281311112222");
    assert_eq!(c["version"], 1);
    assert!(c["last_booking_at"].is_null());
    let id = c["id"].as_str().unwrap().to_owned();
    let path = format!("/customers/{id}");
    assert_eq!(s.get(&path).expect(200), c);

    // Only the given field changes.
    let u = s
        .put(&path, json!({"version": 1, "address": "Jl. Sudirman 2"}))
        .expect(200);
    assert_eq!(u["address"], "Jl. Sudirman 2");
    assert_eq!(u["version"], 2);
    for field in [
        "name",
        "phone",
        "email",
        "occupation",
        "monthly_income",
        "gender",
        "birth_date",
        "birth_place",
        "code",
    ] {
        assert_eq!(u[field], c[field], "{field} unchanged");
    }
    // `null` clears an optional field, leaving the others.
    let u = s
        .put(
            &path,
            json!({"version": 2, "email": null, "occupation": null}),
        )
        .expect(200);
    assert!(u["email"].is_null() && u["occupation"].is_null(), "{u}");
    assert_eq!(u["address"], "Jl. Sudirman 2");
    assert_eq!(u["name"], "Budi Santoso");
    assert_eq!(u["version"], 3);
    // With the email gone, the customer is no longer found by it.
    assert_eq!(
        total(&s.get("/customers?q=budi@example.com").expect(200)),
        0
    );

    // A stale version is refused and changes nothing.
    s.put(&path, json!({"version": 1, "name": "Budi Baru"}))
        .expect_error(409, "conflict", None);
    let now = s.get(&path).expect(200);
    assert_eq!(now["name"], "Budi Santoso");
    assert_eq!(now["version"], 3);
    // Update validation names the field; unknown fields are refused.
    s.put(&path, json!({"name": "B"}))
        .expect_error(422, "validation", Some("name"));
    s.put(&path, json!({"phone": "abc"}))
        .expect_error(422, "validation", Some("phone"));
    s.put(&path, json!({"monthly_income": -1})).expect_error(
        422,
        "validation",
        Some("monthly_income"),
    );
    s.put(&path, json!({"nickname": "Bud"}))
        .expect_error(422, "validation", Some("nickname"));
    let u = s
        .put(&path, json!({"version": 3, "phone": "+62 813 1111 9999"}))
        .expect(200);
    assert_eq!(u["phone"], "6281311119999");

    // Deleting is refused while the customer has an open booking.
    let b = s
        .post("/bookings", json!({"customer_id": id, "price": "250000"}))
        .expect(201);
    let e = s.delete(&path).expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains("CS-000001"),
        "{e}"
    );
    assert_eq!(s.get(&path).status, 200);
    s.delete(&format!("/bookings/{}", b["id"].as_str().unwrap()))
        .expect(200);

    // Soft delete: gone from get, list and search; the phone is free again.
    assert_eq!(s.delete(&path).expect(200)["ok"], true);
    s.get(&path).expect_error(404, "not_found", None);
    s.put(&path, json!({"name": "Hantu"}))
        .expect_error(404, "not_found", None);
    s.delete(&path).expect_error(404, "not_found", None);
    let list = s.get("/customers").expect(200);
    assert!(!ids(&list).contains(&id));
    assert_eq!(total(&s.get("/customers?q=Budi").expect(200)), 0);
    let again = s
        .post(
            "/customers",
            json!({"name": "Budi Santoso", "phone": "081311119999"}),
        )
        .expect(201);
    assert_eq!(again["code"], "CS-000002");
    // A deleted customer takes no new booking.
    s.post("/bookings", json!({"customer_id": id, "price": "250000"}))
        .expect_error(422, "validation", Some("customer_id"));
    // The canceled booking still shows its (deleted) customer.
    assert_eq!(
        s.get(&format!("/bookings/{}", b["id"].as_str().unwrap()))
            .expect(200)["customer_code"],
        "CS-000001"
    );
}

#[test]
fn list_searches_filters_and_pages() {
    let t = TestApp::new();
    let s = t.serve();
    let make = |name: &str, phone: &str, extra: Value| {
        let mut body = json!({"name": name, "phone": phone});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        s.post("/customers", body).expect(201)["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let ani = make(
        "Ani Susanti",
        "081211110001",
        json!({"email": "ani@mail.id", "ktp_number": "3171000000000001", "gender": "female"}),
    );
    let budi = make(
        "Budi Hartono",
        "081211110002",
        json!({"email": "budi@kantor.co.id", "gender": "male"}),
    );
    let citra = make(
        "Citra Ani Lestari",
        "+62 813 2222 0003",
        json!({"gender": "female"}),
    );
    let dedi = make(
        "Dedi",
        "6285700000004",
        json!({"ktp_number": "3171000000000004"}),
    );
    let eko = make("Eko Prasetyo", "081211110005", json!({}));

    let q = |query: &str| -> Vec<String> {
        let mut v = ids(&s.get(&format!("/customers?{query}")).expect(200));
        v.sort();
        v
    };
    let set = |xs: &[&String]| -> Vec<String> {
        let mut v: Vec<String> = xs.iter().map(|s| s.to_string()).collect();
        v.sort();
        v
    };
    // Name, any case.
    assert_eq!(q("q=ani"), set(&[&ani, &citra]));
    assert_eq!(q("q=PRASETYO"), set(&[&eko]));
    // Phone in any format, whole or partial.
    assert_eq!(q("q=0812-1111-0002"), set(&[&budi]));
    assert_eq!(q("q=%2B6281211110002"), set(&[&budi]));
    assert_eq!(q("q=6281211110002"), set(&[&budi]));
    assert_eq!(q("q=0812%201111%20000"), set(&[&ani, &budi, &eko]));
    assert_eq!(
        q("q=0813-2222"),
        set(&[&citra]),
        "the start of a local number finds it"
    );
    assert_eq!(q("q=857000"), set(&[&dedi]));
    // E-mail and code.
    assert_eq!(q("q=budi@kantor"), set(&[&budi]));
    assert_eq!(q("q=CS-000004"), set(&[&dedi]));
    assert_eq!(q("q=cs-000004"), set(&[&dedi]));
    assert_eq!(q("q=zzz"), Vec::<String>::new());
    // Exact KTP filter (separators allowed), and gender.
    assert_eq!(q("ktp_number=3171000000000004"), set(&[&dedi]));
    assert_eq!(q("ktp_number=3171-0000-0000-0001"), set(&[&ani]));
    assert_eq!(q("ktp_number=3171000000000009"), Vec::<String>::new());
    s.get("/customers?ktp_number=31710000")
        .expect_error(422, "validation", Some("ktp_number"));
    assert_eq!(q("gender=female"), set(&[&ani, &citra]));
    assert_eq!(q("gender=female&q=citra"), set(&[&citra]));

    // Pagination, sorted by name by default.
    let p1 = s.get("/customers?page_size=2").expect(200);
    assert_eq!(
        p1["meta"],
        json!({"page": 1, "page_size": 2, "page_count": 3, "total": 5})
    );
    assert_eq!(ids(&p1), vec![ani.clone(), budi.clone()]);
    let p3 = s.get("/customers?page_size=2&page=3").expect(200);
    assert_eq!(
        p3["meta"],
        json!({"page": 3, "page_size": 2, "page_count": 3, "total": 5})
    );
    assert_eq!(ids(&p3), vec![eko.clone()]);
    let p4 = s.get("/customers?page_size=2&page=4").expect(200);
    assert_eq!(ids(&p4), Vec::<String>::new());
    assert_eq!(total(&p4), 5);
    let desc = s.get("/customers?sort=name:desc").expect(200);
    assert_eq!(
        ids(&desc),
        vec![
            eko.clone(),
            dedi.clone(),
            citra.clone(),
            budi.clone(),
            ani.clone()
        ]
    );
    let by_code = s.get("/customers?sort=code:desc&page_size=1").expect(200);
    assert_eq!(ids(&by_code), vec![eko.clone()]);
    s.get("/customers?sort=income")
        .expect_error(422, "validation", Some("sort"));
    s.get("/customers?page=0")
        .expect_error(422, "validation", Some("page"));
    s.get("/customers?gender=x")
        .expect_error(422, "validation", Some("gender"));
}

#[test]
fn ktp_and_npwp_are_encrypted_at_rest_and_masked_by_role() {
    let t = TestApp::new();
    let s = t.serve();
    let ktp = "3275010101900001";
    let npwp = "091234567801234";
    let c = s
        .post("/customers", json!({"name": "Rina Marlina", "phone": "081277776666", "ktp_number": ktp, "npwp_number": npwp}))
        .expect(201);
    let id = c["id"].as_str().unwrap().to_owned();
    assert_eq!(c["ktp_number"], ktp, "admin sees the full number");
    assert_eq!(c["npwp_number"], npwp);
    // Through a booking's inline customer, and by an update, too.
    let ktp2 = "3275010101900002";
    s.post("/bookings", json!({"customer": {"name": "Yanti", "phone": "081277775555", "ktp_number": ktp2}, "price": "100000"}))
        .expect(201);
    let ktp3 = "3275010101900003";
    let c2 = s
        .post(
            "/customers",
            json!({"name": "Wawan", "phone": "081277774444"}),
        )
        .expect(201);
    s.put(
        &format!("/customers/{}", c2["id"].as_str().unwrap()),
        json!({"ktp_number": ktp3}),
    )
    .expect(200);

    // No file in the data directory holds a number in clear.
    let mut files = Vec::new();
    let mut stack = vec![t.data_dir().to_owned()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(path);
            }
        }
    }
    let names: Vec<String> = files
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.contains(&"loket.db".to_owned()) && names.contains(&"loket.key".to_owned()),
        "{names:?}"
    );
    for path in &files {
        let bytes = std::fs::read(path).unwrap();
        for secret in [ktp, ktp2, ktp3, npwp] {
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{secret} in clear in {}",
                path.display()
            );
        }
    }
    // The audit trail and change log keep the masked form (and do keep one).
    let db = t.db();
    let audit: String = db
        .query_row("SELECT after_json FROM audit_log WHERE entity = 'customer' AND entity_id = ?1 AND action = 'create'", [&id], |r| r.get(0))
        .unwrap();
    assert!(audit.contains("************0001"), "{audit}");
    let logged: Vec<String> = db
        .prepare("SELECT snapshot FROM change_log WHERE entity = 'customer'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(logged.len(), 4, "three creates and one update");
    assert!(
        logged.iter().all(|l| !l.contains(ktp)
            && !l.contains(ktp2)
            && !l.contains(ktp3)
            && !l.contains(npwp))
    );

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(t.data_dir().join("loket.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "key file mode {mode:o}");
    }

    // Who sees what.
    let path = format!("/customers/{id}");
    for (user, role) in [("desk", Role::FrontDesk), ("sales", Role::Sales)] {
        let u = t.login_as(&s, user, role);
        let seen = u.get(&path).expect(200);
        assert_eq!(seen["ktp_number"], "************0001", "{user}");
        assert_eq!(
            seen["npwp_number"],
            format!("{}1234", "*".repeat(11)),
            "{user}"
        );
        let list = u.get(&format!("/customers?ktp_number={ktp}")).expect(200);
        assert_eq!(
            ids(&list),
            vec![id.clone()],
            "{user} can still search by the exact number"
        );
        assert_eq!(list["data"][0]["ktp_number"], "************0001");
    }
    for (user, role) in [("boss", Role::Manager), ("promo", Role::Marketing)] {
        let u = t.login_as(&s, user, role);
        assert_eq!(u.get(&path).expect(200)["ktp_number"], ktp, "{user}");
    }
    assert_eq!(s.get(&path).expect(200)["ktp_number"], ktp);
    // Clearing the number removes it.
    let cleared = s.put(&path, json!({"ktp_number": null})).expect(200);
    assert!(cleared["ktp_number"].is_null());
    assert_eq!(
        total(&s.get(&format!("/customers?ktp_number={ktp}")).expect(200)),
        0
    );
}

#[test]
fn a_booking_upserts_its_customer() {
    let t = TestApp::new();
    let s = t.serve();
    let book = |customer: Value| {
        s.post(
            "/bookings",
            json!({"customer": customer, "price": "500000"}),
        )
    };

    // (a) A new customer is created with the next code.
    let b1 = book(json!({"name": "Ani Susanti", "phone": "0812-1111-2222"})).expect(201);
    assert_eq!(b1["customer_created"], true);
    assert_eq!(b1["customer_code"], "CS-000001");
    assert_eq!(b1["possible_duplicate_of"], json!([]));
    let ani = b1["customer_id"].as_str().unwrap().to_owned();
    let ani_path = format!("/customers/{ani}");
    let first = s.get(&ani_path).expect(200);
    assert_eq!(first["last_booking_at"], "2026-11-22T03:00:00.000Z");
    assert_eq!(first["phone"], "6281211112222");

    // (b) The same phone in another format: matched, details updated.
    t.set_now(default_now() + Duration::hours(2));
    let b2 = book(
        json!({"name": "Ani S.", "phone": "+62 812 1111 2222", "gender": "female",
                         "address": "Jl. Melati 3", "email": "Ani@Mail.ID"}),
    )
    .expect(201);
    assert_eq!(b2["customer_created"], false);
    assert_eq!(b2["customer_id"], ani.as_str());
    assert_eq!(customer_count(&s), 1);
    let after = s.get(&ani_path).expect(200);
    assert_eq!(after["last_booking_at"], "2026-11-22T05:00:00.000Z");
    assert_eq!(after["gender"], "female");
    assert_eq!(after["address"], "Jl. Melati 3");
    assert_eq!(after["email"], "Ani@Mail.ID");
    assert_eq!(after["name"], "Ani Susanti", "the master's name is kept");
    assert_eq!(after["version"], first["version"].as_i64().unwrap() + 1);
    // Fields not given are left alone.
    let b2b = book(json!({"name": "Ani", "phone": "6281211112222"})).expect(201);
    assert_eq!(b2b["customer_id"], ani.as_str());
    let kept = s.get(&ani_path).expect(200);
    assert_eq!(
        (
            kept["gender"].clone(),
            kept["address"].clone(),
            kept["email"].clone()
        ),
        (
            after["gender"].clone(),
            after["address"].clone(),
            after["email"].clone()
        )
    );

    // (c) The same e-mail in another case with another phone: matched.
    let b3 = book(json!({"name": "Ani Susanti", "phone": "081399990000", "email": "ani@mail.id"}))
        .expect(201);
    assert_eq!(b3["customer_created"], false);
    assert_eq!(b3["customer_id"], ani.as_str());
    assert_eq!(customer_count(&s), 1);

    // (d) The same name with another phone: a new customer, flagged.
    let b4 = book(json!({"name": "ani  SUSANTI", "phone": "085711112222"})).expect(201);
    assert_eq!(b4["customer_created"], true);
    assert_ne!(b4["customer_id"], ani.as_str());
    assert_eq!(b4["customer_code"], "CS-000002");
    let dup = b4["possible_duplicate_of"].as_array().unwrap();
    assert_eq!(dup.len(), 1, "{dup:?}");
    assert_eq!(dup[0]["id"], ani.as_str());
    assert_eq!(dup[0]["code"], "CS-000001");
    assert_eq!(dup[0]["name"], "Ani Susanti");
    assert_eq!(dup[0]["phone"], "6281211112222");
    // A third namesake is told about both.
    let b5 = book(json!({"name": "Ani Susanti", "phone": "085711113333"})).expect(201);
    let codes: Vec<&str> = b5["possible_duplicate_of"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["CS-000001", "CS-000002"]);
    assert_eq!(customer_count(&s), 3);
    // An inline customer is validated with the field named under `customer.`.
    book(json!({"name": "Ani", "phone": "nope"})).expect_error(
        422,
        "validation",
        Some("customer.phone"),
    );
    book(json!({"name": "A", "phone": "081200000000"})).expect_error(
        422,
        "validation",
        Some("customer.name"),
    );
    book(json!({"name": "Ani", "phone": "081200000000", "ktp_number": "1"})).expect_error(
        422,
        "validation",
        Some("customer.ktp_number"),
    );
    assert_eq!(customer_count(&s), 3);
}

#[test]
fn a_failed_booking_leaves_the_customer_master_untouched() {
    let t = TestApp::new();
    let s = t.serve();
    let existing = s
        .post(
            "/customers",
            json!({"name": "Bambang", "phone": "081255556666", "address": "Jl. Lama 1"}),
        )
        .expect(201);
    let path = format!("/customers/{}", existing["id"].as_str().unwrap());
    let unit = s
        .post(
            "/units",
            json!({"unit_type": "Type 45", "price": "450000000", "status": "maintenance"}),
        )
        .expect(201);
    let unit_id = unit["id"].as_str().unwrap();
    t.set_now(default_now() + Duration::hours(1));

    let unchanged = |why: &str| {
        assert_eq!(customer_count(&s), 1, "{why}: no customer created");
        assert_eq!(
            s.get(&path).expect(200),
            existing,
            "{why}: existing customer untouched"
        );
    };
    // The unit is not available: 409 after the customer was matched or created.
    let e = s
        .post("/bookings", json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "unit_id": unit_id}))
        .expect_error(409, "conflict", None);
    assert!(
        e["error"]["message"]
            .as_str()
            .unwrap()
            .contains(unit["code"].as_str().unwrap()),
        "{e}"
    );
    unchanged("new customer, unit in maintenance");
    assert_eq!(total(&s.get("/customers?q=081300001111").expect(200)), 0);
    s.post(
        "/bookings",
        json!({"customer": {"name": "Bambang", "phone": "+62 812 5555 6666", "address": "Jl. Baru 9", "gender": "male"}, "unit_id": unit_id}),
    )
    .expect_error(409, "conflict", None);
    unchanged("existing customer, unit in maintenance");
    // Invalid booking fields after a valid inline customer.
    s.post("/bookings", json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "price": "100000", "client_count": 0}))
        .expect_error(422, "validation", Some("client_count"));
    unchanged("client_count 0");
    s.post(
        "/bookings",
        json!({"customer": {"name": "Bambang", "phone": "081255556666", "address": "Jl. Baru 9"}}),
    )
    .expect_error(422, "validation", Some("price"));
    unchanged("no price and no unit");
    s.post("/bookings", json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "unit_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb"}))
        .expect_error(422, "validation", Some("unit_id"));
    unchanged("no such unit");
    // The code series was rolled back with them: the next new customer is CS-000002.
    let ok = s
        .post(
            "/bookings",
            json!({"customer": {"name": "Orang Baru", "phone": "081300001111"}, "price": "100000"}),
        )
        .expect(201);
    assert_eq!(ok["customer_code"], "CS-000002");
}
