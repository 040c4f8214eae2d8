//! Every field rule names its field; phones in every Indonesian format are normalised and deduplicated.

use serde_json::{Value, json};

use super::*;

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
        ("customer_type", long(101)),
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
        ("customer_type", json!("Studio Kemang (online)")),
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
            "name" | "address" | "birth_place" | "occupation" | "emergency_contact"
            | "customer_type" | "gender" | "email" => {
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
