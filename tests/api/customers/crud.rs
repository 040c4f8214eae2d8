//! Create, get, partial update and soft delete; the list searches, filters and pages.

use serde_json::{Value, json};

use super::*;

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
