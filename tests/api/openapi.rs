//! The OpenAPI document served by the local API: valid references, one
//! operation per registered core operation, and the expected paths.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::*;

fn refs<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("$ref", Value::String(r)) => out.push(r),
                    _ => refs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

#[test]
fn the_document_is_complete_and_consistent() {
    let t = TestApp::new();
    let s = t.serve();
    let anon = Server::new(s.addr);
    let doc = anon.get("/openapi.json").expect(200);
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.")),
        "openapi: {}",
        doc["openapi"]
    );
    assert!(doc["info"]["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert_eq!(
        doc,
        serde_json::to_value(openapi_document()).unwrap(),
        "served as generated"
    );

    // Every $ref resolves to a schema in components.
    let schemas = doc["components"]["schemas"]
        .as_object()
        .expect("components.schemas");
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(
        all.len() > 20,
        "the document uses references ({} found)",
        all.len()
    );
    let unresolved: BTreeSet<&str> = all
        .iter()
        .filter(|r| {
            !r.strip_prefix("#/components/schemas/")
                .is_some_and(|name| schemas.contains_key(name))
        })
        .copied()
        .collect();
    assert!(unresolved.is_empty(), "unresolved $refs: {unresolved:?}");

    // Every registered operation is routed and documented exactly once.
    let paths = doc["paths"].as_object().expect("paths");
    let mut documented = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                let id = op["operationId"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
                documented.push(id.to_owned());
                assert!(
                    op["responses"]
                        .as_object()
                        .is_some_and(|r| r.keys().any(|k| k.starts_with('2'))),
                    "{id} has a success response"
                );
                for param in path
                    .split('/')
                    .filter_map(|seg| seg.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
                {
                    let declared = op["parameters"].as_array().is_some_and(|ps| {
                        ps.iter().any(|p| {
                            p["name"] == param && p["in"] == "path" && p["required"] == true
                        })
                    });
                    assert!(declared, "{id}: path parameter {param} is declared");
                }
                // Logging in, and restoring a backup on a fresh install
                // (refused once a user exists), need no token.
                if !["auth.login", "backup.restore"].contains(&id) {
                    assert!(op["security"].is_array(), "{id} requires a bearer token");
                } else {
                    assert!(
                        op.get("security").is_none_or(Value::is_null),
                        "{id} needs no token"
                    );
                }
            }
        }
    }
    let unique: BTreeSet<&String> = documented.iter().collect();
    assert_eq!(
        unique.len(),
        documented.len(),
        "operationIds are unique: {documented:?}"
    );
    // The routes and the document come from the one operation table; every
    // operation in it is documented once, under its name.
    let mut names = operation_names();
    names.sort_unstable();
    let mut sorted_documented: Vec<&str> = documented.iter().map(String::as_str).collect();
    sorted_documented.sort_unstable();
    assert_eq!(sorted_documented, names);

    for path in [
        "/api/v1/customers",
        "/api/v1/units",
        "/api/v1/staff",
        "/api/v1/users",
        "/api/v1/bookings",
        "/api/v1/bookings/recalculate",
        "/api/v1/audit",
    ] {
        assert!(paths.contains_key(path), "{path} is documented");
    }
    assert!(
        paths["/api/v1/bookings"]["post"]["requestBody"]["content"]["application/json"]["schema"]
            .is_object()
    );
    assert!(
        paths["/api/v1/bookings"]["get"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "segment")
    );
}
