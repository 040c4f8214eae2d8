//! Never a 500 for any input: every route of the OpenAPI document is sent
//! a few hundred generated bodies and query strings, well-formed and not.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use crate::support::*;

fn random_scalar(rng: &mut StdRng) -> Value {
    match rng.random_range(0..12) {
        0 => Value::Null,
        1 => Value::Bool(rng.random()),
        2 => json!(rng.random_range(-5i64..5)),
        3 => json!(rng.random::<i64>()),
        4 => json!(rng.random::<f64>() * 1e12 - 5e11),
        5 => json!(""),
        6 => json!("0812-3456-7890"),
        7 => json!("2026-11-23T10:00"),
        8 => json!("01a200ff-5d55-76a6-a966-6df8a0de1abb"),
        9 => json!("x".repeat(rng.random_range(0..1200))),
        10 => json!("1e400"),
        _ => json!(
            [
                "high",
                "pending",
                "paid",
                "vip",
                "admin",
                "available",
                "\u{0000}",
                "ñ'\";--"
            ][rng.random_range(0..8)]
        ),
    }
}

fn random_value(rng: &mut StdRng, depth: u32) -> Value {
    if depth == 0 || rng.random_bool(0.6) {
        return random_scalar(rng);
    }
    if rng.random_bool(0.5) {
        Value::Array(
            (0..rng.random_range(0..3))
                .map(|_| random_value(rng, depth - 1))
                .collect(),
        )
    } else {
        let mut m = Map::new();
        for _ in 0..rng.random_range(0..4) {
            m.insert(
                ["name", "phone", "price", "x"][rng.random_range(0..4)].into(),
                random_value(rng, depth - 1),
            );
        }
        Value::Object(m)
    }
}

/// A body using the operation's own property names with random values.
fn body_for(rng: &mut StdRng, properties: &[String]) -> Value {
    let mut m = Map::new();
    for p in properties {
        if rng.random_bool(0.7) {
            m.insert(p.clone(), random_value(rng, 2));
        }
    }
    Value::Object(m)
}

#[test]
fn no_input_makes_the_server_fail() {
    let t = TestApp::new();
    let s = t.serve();
    // Something to point at: a real customer, unit and booking.
    let unit = create_unit(&s, 100_000_000);
    let booking = s
        .post(
            "/bookings",
            json!({"unit_id": unit["id"], "customer": customer("Rina", "081233334444")}),
        )
        .expect(201);
    let ids = [
        booking["id"].as_str().unwrap().to_owned(),
        unit["id"].as_str().unwrap().to_owned(),
        "nope".into(),
    ];

    let doc = s.get("/openapi.json").expect(200);
    let mut rng = StdRng::seed_from_u64(2026);
    let mut statuses = std::collections::BTreeMap::<u16, usize>::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if path.ends_with("/auth/logout") {
                continue; // would end the session the loop is using
            }
            let mut properties: Vec<String> = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| p["name"].as_str().unwrap().to_owned())
                        .collect()
                })
                .unwrap_or_default();
            if let Some(props) =
                op["requestBody"]["content"]["application/json"]["schema"]["properties"].as_object()
            {
                properties.extend(props.keys().cloned());
            }
            for _ in 0..40 {
                let id = &ids[rng.random_range(0..ids.len())];
                let url_path = path.trim_start_matches("/api/v1").replace("{id}", id);
                let reply = match method.as_str() {
                    "get" | "delete" => {
                        let mut query = Vec::new();
                        for p in &properties {
                            if rng.random_bool(0.5) {
                                let v = random_scalar(&mut rng);
                                let text = v
                                    .as_str()
                                    .map(str::to_owned)
                                    .unwrap_or_else(|| v.to_string());
                                let text: String =
                                    form_urlencoded::byte_serialize(text.as_bytes()).collect();
                                query.push(format!("{p}={text}"));
                            }
                        }
                        s.send(
                            &method.to_uppercase(),
                            &format!("{url_path}?{}", query.join("&")),
                            None,
                        )
                    }
                    _ => {
                        let body = match rng.random_range(0..10) {
                            0 => "{not json".to_owned(),
                            1 => random_value(&mut rng, 3).to_string(),
                            _ => body_for(&mut rng, &properties).to_string(),
                        };
                        s.send_raw(&method.to_uppercase(), &url_path, Some(body))
                    }
                };
                *statuses.entry(reply.status).or_default() += 1;
                assert!(
                    reply.status < 500,
                    "{method} {url_path} → {}: {}",
                    reply.status,
                    reply.body
                );
                if reply.status >= 400 {
                    assert!(
                        reply.body["error"]["code"].is_string(),
                        "{method} {url_path}: {}",
                        reply.body
                    );
                }
            }
        }
    }
    let sent: usize = statuses.values().sum();
    assert!(sent > 1000, "{statuses:?}");
    // The inputs reached every kind of answer, not only the JSON parser's.
    for status in [200, 400, 404, 422] {
        assert!(
            statuses.contains_key(&status),
            "no {status} among {statuses:?}"
        );
    }
    eprintln!("statuses: {statuses:?}");
    // Still serving, and the data it had is intact.
    assert_eq!(
        s.get(&format!("/bookings/{}", ids[0])).expect(200)["code"],
        booking["code"]
    );
}
