//! Never a 500 for any input: every route of the OpenAPI document, and every
//! operation by name through `/ops/{name}` (the UI's transport), is sent
//! generated bodies and query strings, well-formed and not, with every path
//! parameter filled with real values and junk, as each role.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::{BTreeMap, HashMap};

use serde_json::{Map, Value, json};

use crate::support::*;

pub(super) fn random_scalar(rng: &mut StdRng) -> Value {
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

/// Tries per operation, per role and per transport.
const TRIES: usize = 12;

/// Values for each path parameter: real ones (records that exist, template
/// kinds and job names the app has) and junk.
pub(super) fn path_values(admin: &Server) -> HashMap<&'static str, Vec<String>> {
    let unit = create_unit(admin, 100_000_000);
    let booking = admin
        .post(
            "/bookings",
            json!({"unit_id": unit["id"], "customer": customer("Rina", "081233334444")}),
        )
        .expect(201);
    let text = |v: &Value| v.as_str().unwrap().to_owned();
    let junk = [
        "nope".to_owned(),
        CustomerId::new().to_string(),
        "%00".to_owned(),
    ];
    let with_junk = |mut real: Vec<String>| {
        real.extend(junk.iter().cloned());
        real
    };
    let records = vec![
        text(&booking["id"]),
        text(&unit["id"]),
        text(&booking["customer_id"]),
    ];
    let listed = |path: &str, field: &str| -> Vec<String> {
        let mut v: Vec<String> = column(&admin.get(path).expect(200), field)
            .iter()
            .map(text)
            .collect();
        v.dedup();
        v
    };
    HashMap::from([
        ("id", with_junk(records.clone())),
        ("subject_id", with_junk(records)),
        ("kind", with_junk(listed("/templates", "kind"))),
        ("language", with_junk(vec!["id".into(), "en".into()])),
        ("name", with_junk(listed("/jobs", "name"))),
        // A refused change's number (none exists here: 404 or 422).
        ("seq", with_junk(vec!["1".into(), "42".into()])),
    ])
}

/// Asserts no server failure, and the agreed error shape for any refusal.
#[track_caller]
pub(super) fn check(reply: &Reply, what: &str) {
    assert!(
        reply.status < 500,
        "{what} → {}: {}",
        reply.status,
        reply.body
    );
    if reply.status >= 400 {
        assert!(
            reply.body["error"]["code"].is_string(),
            "{what}: {}",
            reply.body
        );
    }
}

#[test]
fn no_input_makes_the_server_fail() {
    let t = TestApp::new();
    let admin = t.serve();
    let values = path_values(&admin);
    let booking = admin.get("/bookings").expect(200)["data"][0].clone();

    let doc = admin.get("/openapi.json").expect(200);
    // (method, path, operation name, its parameter and body property names)
    let mut routes = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = op["operationId"].as_str().unwrap().to_owned();
            if name == "auth.logout" {
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
            routes.push((method.clone(), path.clone(), name, properties));
        }
    }

    let mut rng = StdRng::seed_from_u64(2026);
    let mut statuses = BTreeMap::<u16, usize>::new();
    for role in Role::ALL {
        let s = if role == Role::Admin {
            admin.as_user("admin")
        } else {
            t.login_as(&admin, &format!("fuzz-{}", role.as_str()), role)
        };
        for (method, path, name, properties) in &routes {
            for _ in 0..TRIES {
                // Each path parameter: a real value or junk.
                let mut filled = HashMap::new();
                let url_path = path
                    .trim_start_matches("/api/v1")
                    .split('/')
                    .map(
                        |seg| match seg.strip_prefix('{').and_then(|p| p.strip_suffix('}')) {
                            Some(param) => {
                                let choices = values.get(param).unwrap_or_else(|| {
                                    panic!("no values for path parameter {param} of {path}")
                                });
                                let v = choices[rng.random_range(0..choices.len())].clone();
                                filled.insert(param.to_owned(), v.clone());
                                v
                            }
                            None => seg.to_owned(),
                        },
                    )
                    .collect::<Vec<_>>()
                    .join("/");
                let reply = match method.as_str() {
                    "get" | "delete" => {
                        let mut query = Vec::new();
                        for p in properties {
                            if !filled.contains_key(p) && rng.random_bool(0.5) {
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
                            _ => body_for(&mut rng, properties).to_string(),
                        };
                        s.send_raw(&method.to_uppercase(), &url_path, Some(body))
                    }
                };
                *statuses.entry(reply.status).or_default() += 1;
                check(&reply, &format!("{role:?} {method} {url_path}"));

                // The same operation by name: the path parameters go into the body.
                let body = match rng.random_range(0..10) {
                    0 => "{not json".to_owned(),
                    1 => random_value(&mut rng, 3).to_string(),
                    _ => {
                        let mut b = body_for(&mut rng, properties);
                        for (k, v) in &filled {
                            if rng.random_bool(0.8) {
                                b[k] = json!(v);
                            }
                        }
                        b.to_string()
                    }
                };
                let reply = s.send_raw("POST", &format!("/ops/{name}"), Some(body.clone()));
                *statuses.entry(reply.status).or_default() += 1;
                check(&reply, &format!("{role:?} /ops/{name} {body:.200}"));
            }
        }
    }
    let sent: usize = statuses.values().sum();
    assert_eq!(sent, Role::ALL.len() * routes.len() * TRIES * 2);
    // The inputs reached every kind of answer, not only the JSON parser's.
    for status in [200, 400, 403, 404, 422] {
        assert!(
            statuses.contains_key(&status),
            "no {status} among {statuses:?}"
        );
    }
    println!(
        "{sent} requests tried ({} operations × {} roles × 2 transports × {TRIES}): {statuses:?}",
        routes.len(),
        Role::ALL.len()
    );
    // Still serving, and the data it had is intact.
    assert_eq!(
        admin
            .get(&format!("/bookings/{}", booking["id"].as_str().unwrap()))
            .expect(200)["code"],
        booking["code"]
    );
}
