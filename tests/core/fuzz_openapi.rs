//! A fuzz run of the whole OpenAPI document: for every route, bodies and
//! query strings generated from the operation's own schema (its `$ref`s,
//! types, enums, lengths and ranges, ids of records that exist), mostly
//! valid so they reach the operations' deeper rules and real writes, some
//! mutated into junk; sent as every role over REST and `/ops/{name}`. No
//! answer may be a 5xx, every refusal has the agreed error shape, and the
//! database stays whole. `robustness.rs` sends shapeless junk; this one
//! sends what a careless or hostile client that read the document would.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use super::robustness::{check, path_values, random_scalar};
use crate::support::*;

/// Generated requests per route and transport: as the admin (who may call
/// everything, so the input is read) and as each other role.
const ADMIN_TRIES: usize = 40;
const ROLE_TRIES: usize = 6;

struct Generator<'a> {
    schemas: &'a Map<String, Value>,
    /// Ids of records that exist, by kind (`customer`, `unit`, …).
    ids: HashMap<String, Vec<String>>,
    rng: StdRng,
    serial: u64,
}

impl Generator<'_> {
    fn pick<'v>(&mut self, from: &'v [Value]) -> &'v Value {
        &from[self.rng.random_range(0..from.len())]
    }

    /// A value for `schema`; now and then junk instead (a mutation).
    fn value(&mut self, schema: &Value, depth: u32) -> Value {
        if self.rng.random_bool(0.06) {
            return random_scalar(&mut self.rng);
        }
        if let Some(name) = schema["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            return self.named(name, depth);
        }
        if let Some(branches) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
            let branch = self.pick(branches).clone();
            return self.value(&branch, depth);
        }
        if let Some(all) = schema["allOf"].as_array() {
            let mut merged = Map::new();
            for part in all {
                if let Value::Object(m) = self.value(part, depth) {
                    merged.extend(m);
                }
            }
            return Value::Object(merged);
        }
        if let Some(values) = schema["enum"].as_array() {
            return self.pick(values).clone();
        }
        let ty = match &schema["type"] {
            Value::Array(types) => self.pick(types).as_str().unwrap_or("null").to_owned(),
            Value::String(t) => t.clone(),
            _ if schema["properties"].is_object() => "object".to_owned(),
            _ => return random_scalar(&mut self.rng),
        };
        match ty.as_str() {
            "null" => Value::Null,
            "boolean" => json!(self.rng.random_bool(0.5)),
            "integer" => {
                let lo = schema["minimum"].as_i64().unwrap_or(-3);
                let hi = schema["maximum"].as_i64().unwrap_or(lo.saturating_add(200));
                json!(self.rng.random_range(lo..=hi.max(lo)))
            }
            "number" => {
                let lo = schema["minimum"].as_f64().unwrap_or(-10.0);
                let hi = schema["maximum"].as_f64().unwrap_or(lo + 1e6);
                json!(self.rng.random_range(lo..=hi.max(lo)))
            }
            "string" => self.string(schema),
            "array" if depth > 0 => {
                let n = self.rng.random_range(0..4);
                Value::Array(
                    (0..n)
                        .map(|_| self.value(&schema["items"], depth - 1))
                        .collect(),
                )
            }
            "object" if depth > 0 => self.object(schema, depth - 1),
            _ => Value::Null,
        }
    }

    fn object(&mut self, schema: &Value, depth: u32) -> Value {
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let mut out = Map::new();
        if let Some(props) = schema["properties"].as_object() {
            for (name, prop) in props {
                if required.contains(name.as_str()) || self.rng.random_bool(0.6) {
                    let v = if name.ends_with("_id") && self.rng.random_bool(0.8) {
                        self.id_for(name.trim_end_matches("_id"))
                    } else {
                        self.value(prop, depth)
                    };
                    out.insert(name.clone(), v);
                }
            }
        }
        Value::Object(out)
    }

    /// Named component schemas: their own rules (a phone, an id of a record
    /// that exists, a KTP-like number), else their definition.
    fn named(&mut self, name: &str, depth: u32) -> Value {
        self.serial += 1;
        let n = self.serial;
        match name {
            "Phone" => json!(format!(
                "0812{:08}",
                self.rng.random_range(0..100_000_000u64)
            )),
            "Email" => json!(format!("tamu{n}@contoh.co.id")),
            "Money" | "Monetary" => {
                json!(format!("{}", self.rng.random_range(0..5_000u64) * 10_000))
            }
            "Digits16" => json!(format!(
                "3174{:012}",
                self.rng.random_range(0..1_000_000_000u64)
            )),
            "Digits15Or16" => json!(format!(
                "01{:013}",
                self.rng.random_range(0..1_000_000_000u64)
            )),
            "PlateNumber" => json!(format!("B {} XY", 1000 + n % 9000)),
            "Username" => json!(format!("fuzz.user{n}")),
            "Password" => json!(format!("kata-sandi-panjang-{n}")),
            id if id.ends_with("Id") && id != "ReportId" => {
                let kind = id.trim_end_matches("Id").to_lowercase();
                self.id_for(&kind)
            }
            _ => match self.schemas.get(name).cloned() {
                Some(def) => self.value(&def, depth),
                None => random_scalar(&mut self.rng),
            },
        }
    }

    fn string(&mut self, schema: &Value) -> Value {
        let day = self.rng.random_range(-3..40i64);
        let date = (default_now() + chrono::Duration::days(day)).format("%Y-%m-%d");
        match schema["format"].as_str() {
            Some("uuid") => return json!(CustomerId::new().to_string()),
            Some("date") => return json!(date.to_string()),
            Some("date-time") => {
                return json!(format!("{date}T{:02}:00", self.rng.random_range(7..20)));
            }
            _ => {}
        }
        let min = schema["minLength"].as_u64().unwrap_or(0) as usize;
        let max = schema["maxLength"].as_u64().unwrap_or(40).max(min as u64) as usize;
        let len = self.rng.random_range(min..=max.min(min + 60));
        let words = ["Sari", "jl.", "Melati", "12", "ñ", "Ruko", "—", "B"];
        let mut s = String::new();
        while s.chars().count() < len {
            s.push_str(words[self.rng.random_range(0..words.len())]);
            s.push(' ');
        }
        json!(s.chars().take(len).collect::<String>())
    }

    fn id_for(&mut self, kind: &str) -> Value {
        match self.ids.get(kind) {
            Some(ids) if !ids.is_empty() => json!(ids[self.rng.random_range(0..ids.len())]),
            _ => json!(CustomerId::new().to_string()),
        }
    }
}

#[test]
fn schema_generated_inputs_never_fail_the_server() {
    let t = TestApp::new();
    let admin = t.serve();
    let values = path_values(&admin);
    // Records of every kind, so ids in generated inputs can name real ones.
    let service = create_service(&admin, "Rias pengantin", 60, "1500000");
    let provider = create_provider(&admin, "Mbak Sari", -6.2, 106.8, &[&service]);
    let slot = add_slot(&admin, &provider, &service, "2026-11-25T10:00");
    admin
        .post("/staff", json!({"name": "Rina Marketing"}))
        .expect(201);
    admin
        .post(
            "/customers",
            json!({"name": "Sari Dewi", "phone": "081234500001"}),
        )
        .expect(201);
    let doc = admin.get("/openapi.json").expect(200);
    let schemas = doc["components"]["schemas"].as_object().unwrap().clone();
    let mut ids = HashMap::new();
    for (kind, list) in [
        ("customer", "/customers"),
        ("unit", "/units"),
        ("booking", "/bookings"),
        ("service", "/services"),
        ("provider", "/providers"),
        ("staff", "/staff"),
        ("user", "/users"),
        ("vehicle", "/vehicles"),
        ("message", "/messages"),
    ] {
        let found: Vec<String> = column(&admin.get(list).expect(200), "id")
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        ids.insert(kind.to_owned(), found);
    }
    ids.insert("slot".into(), vec![slot["id"].as_str().unwrap().to_owned()]);
    let mut g = Generator {
        schemas: &schemas,
        ids,
        rng: StdRng::seed_from_u64(12),
        serial: 0,
    };

    let mut sent = 0usize;
    let mut statuses = BTreeMap::<u16, usize>::new();
    let mut succeeded = BTreeSet::<String>::new();
    let sessions: Vec<(Role, Server)> = Role::ALL
        .iter()
        .map(|&role| {
            let s = if role == Role::Admin {
                admin.as_user("admin")
            } else {
                t.login_as(&admin, &format!("schema-{}", role.as_str()), role)
            };
            (role, s)
        })
        .collect();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = op["operationId"].as_str().unwrap();
            if name == "auth.logout" {
                continue; // would end the session the run is using
            }
            // Each operation its own seed: a new operation elsewhere in the
            // document does not change what this one is sent.
            g.rng = StdRng::seed_from_u64(
                name.bytes()
                    .fold(12u64, |h, b| h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b)),
            );
            let body_schema = &op["requestBody"]["content"]["application/json"]["schema"];
            let params = op["parameters"].as_array().cloned().unwrap_or_default();
            for (role, s) in &sessions {
                let tries = if *role == Role::Admin {
                    ADMIN_TRIES
                } else {
                    ROLE_TRIES
                };
                for _ in 0..tries {
                    let mut url = path.trim_start_matches("/api/v1").to_owned();
                    let mut query = Vec::new();
                    let mut by_name = Map::new();
                    for p in &params {
                        let pname = p["name"].as_str().unwrap();
                        if p["in"] == "path" {
                            let choices = &values[pname];
                            let v = choices[g.rng.random_range(0..choices.len())].clone();
                            url = url.replace(&format!("{{{pname}}}"), &v);
                            by_name.insert(pname.to_owned(), json!(v));
                        } else if g.rng.random_bool(0.5) {
                            let v = g.value(&p["schema"], 1);
                            let text = v
                                .as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| v.to_string());
                            let text: String =
                                form_urlencoded::byte_serialize(text.as_bytes()).collect();
                            query.push(format!("{pname}={text}"));
                            by_name.insert(pname.to_owned(), v);
                        }
                    }
                    let body = if body_schema.is_null() {
                        Value::Object(Map::new())
                    } else {
                        g.value(body_schema, 3)
                    };
                    let reply = if body_schema.is_null() {
                        s.send(
                            &method.to_uppercase(),
                            &format!("{url}?{}", query.join("&")),
                            None,
                        )
                    } else {
                        s.send(&method.to_uppercase(), &url, Some(body.clone()))
                    };
                    sent += 1;
                    *statuses.entry(reply.status).or_default() += 1;
                    check(&reply, &format!("{role:?} {method} {url} {body:.300}"));
                    if reply.status < 300 {
                        succeeded.insert(name.to_owned());
                    }

                    // The same operation by name, its parameters in the body.
                    let mut op_body = if body.is_object() { body } else { json!({}) };
                    for (k, v) in by_name {
                        op_body[k] = v;
                    }
                    let reply = s.send("POST", &format!("/ops/{name}"), Some(op_body.clone()));
                    sent += 1;
                    *statuses.entry(reply.status).or_default() += 1;
                    check(&reply, &format!("{role:?} /ops/{name} {op_body:.300}"));
                    if reply.status < 300 {
                        succeeded.insert(name.to_owned());
                    }
                }
            }
        }
    }
    println!(
        "{sent} schema-generated requests: {statuses:?}; {} operations answered 2xx at least once",
        succeeded.len()
    );
    // The generator writes what the schema says, so most operations took
    // some of its input; a generator drifting from the document fails here.
    for must in [
        "customers.create",
        "bookings.create",
        "units.create",
        "staff.create",
        "vehicles.create",
        "services.create",
    ] {
        assert!(
            succeeded.contains(must),
            "{must} never accepted a generated input"
        );
    }
    assert!(
        succeeded.len() * 10 >= doc["paths"].as_object().unwrap().len() * 6,
        "only {} operations accepted any generated input: {succeeded:?}",
        succeeded.len()
    );
    // Whatever was written is whole.
    let db = t.db();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let broken_keys: i64 = db
        .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(broken_keys, 0);
}
