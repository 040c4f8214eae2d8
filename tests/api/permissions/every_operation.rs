//! Every operation of the API, for every role, against one table written
//! here by hand: a role in an operation's row is let through (whatever the
//! input then makes of it), a role not in it gets 403 `forbidden`, through
//! the documented route and through the UI's `/ops/{name}` transport. The
//! operations come from the OpenAPI document, so a new operation without a
//! row fails the test until someone decides who may run it.

use std::collections::BTreeSet;

use serde_json::json;

use crate::support::*;

use Role::*;

const EVERYONE: &[Role] = &[Admin, Manager, Marketing, Sales, FrontDesk];
const MANAGERS: &[Role] = &[Admin, Manager];
const ADMIN: &[Role] = &[Admin];
/// Managers and the desk that books and reschedules.
const DESK: &[Role] = &[Admin, Manager, FrontDesk];
/// Managers and marketing, who run the unit catalogue and the reports.
const MARKETING: &[Role] = &[Admin, Manager, Marketing];
/// Everyone but sales.
const CANCELERS: &[Role] = &[Admin, Manager, Marketing, FrontDesk];

/// Who may run each operation.
const TABLE: &[(&str, &[Role])] = &[
    ("audit.list", MANAGERS),
    ("auth.login", EVERYONE),
    ("auth.change_password", EVERYONE),
    ("auth.logout", EVERYONE),
    ("auth.me", EVERYONE),
    ("backup.configure", ADMIN),
    ("backup.create", ADMIN),
    ("backup.list", ADMIN),
    // Public, but only while no user exists (409 afterwards).
    ("backup.restore", EVERYONE),
    ("bookings.cancel", CANCELERS),
    ("bookings.create", EVERYONE),
    ("bookings.expire", MANAGERS),
    ("bookings.get", EVERYONE),
    ("bookings.list", EVERYONE),
    ("bookings.move", EVERYONE),
    ("bookings.recalculate", MANAGERS),
    ("bookings.segment_history", EVERYONE),
    ("bookings.update", EVERYONE),
    ("customers.bookings", EVERYONE),
    ("customers.create", EVERYONE),
    ("customers.delete", MANAGERS),
    ("customers.get", EVERYONE),
    ("customers.list", EVERYONE),
    ("customers.update", EVERYONE),
    ("gateway.get", ADMIN),
    ("gateway.test", ADMIN),
    ("gateway.update", ADMIN),
    ("jobs.list", EVERYONE),
    ("jobs.run", MANAGERS),
    ("messages.cancel", DESK),
    ("messages.flush", DESK),
    ("messages.get", EVERYONE),
    ("messages.list", EVERYONE),
    ("messages.resend", DESK),
    ("messages.status", EVERYONE),
    ("providers.bookings", EVERYONE),
    ("providers.create", MANAGERS),
    ("providers.day", EVERYONE),
    ("providers.delete", MANAGERS),
    ("providers.get", EVERYONE),
    ("providers.list", EVERYONE),
    ("providers.nearby", EVERYONE),
    ("providers.update", MANAGERS),
    ("providers.working_plan.get", EVERYONE),
    ("providers.working_plan.set", DESK),
    ("services.create", MANAGERS),
    ("services.delete", MANAGERS),
    ("services.get", EVERYONE),
    ("services.list", EVERYONE),
    ("services.update", MANAGERS),
    ("settings.get", EVERYONE),
    ("settings.update", ADMIN),
    ("slots.create", DESK),
    ("slots.delete", DESK),
    ("slots.generate", DESK),
    ("slots.get", EVERYONE),
    ("slots.list", EVERYONE),
    ("slots.update", DESK),
    ("staff.create", MANAGERS),
    ("staff.delete", MANAGERS),
    ("staff.get", EVERYONE),
    ("staff.list", EVERYONE),
    ("staff.update", MANAGERS),
    ("status.get", EVERYONE),
    ("sync.rejections", EVERYONE),
    ("sync.rejections.resolve", MANAGERS),
    ("sync.run", MANAGERS),
    ("sync.settings.get", ADMIN),
    ("sync.settings.update", ADMIN),
    ("sync.status", EVERYONE),
    ("templates.get", ADMIN),
    ("templates.list", ADMIN),
    ("templates.preview", ADMIN),
    ("templates.update", ADMIN),
    ("units.create", MARKETING),
    ("units.delete", MARKETING),
    ("units.get", EVERYONE),
    ("units.list", EVERYONE),
    ("units.update", MARKETING),
    ("users.create", ADMIN),
    ("users.delete", ADMIN),
    ("users.get", ADMIN),
    ("users.list", ADMIN),
    ("users.update", ADMIN),
    ("vehicles.create", EVERYONE),
    ("vehicles.delete", MANAGERS),
    ("vehicles.get", EVERYONE),
    ("vehicles.list", EVERYONE),
    ("vehicles.update", EVERYONE),
    ("whatsapp_report.customer", MARKETING),
    ("whatsapp_report.customer_subject", MARKETING),
    ("whatsapp_report.delete", MANAGERS),
    ("whatsapp_report.detail", MARKETING),
    ("whatsapp_report.list", MARKETING),
    ("whatsapp_report.reset_frequency", MANAGERS),
    ("whatsapp_report.statistics", MARKETING),
];

/// `(operationId, method, path)` of every documented operation, with each
/// path parameter filled with a fresh id (no record has it).
fn documented_operations(s: &Server) -> Vec<(String, String, String)> {
    let doc = s.get("/openapi.json").expect(200);
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().unwrap() {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            };
            let filled: Vec<String> = path
                .split('/')
                .map(|seg| {
                    if seg.starts_with('{') {
                        CustomerId::new().to_string()
                    } else {
                        seg.to_owned()
                    }
                })
                .collect();
            let path = filled.join("/");
            let path = path.strip_prefix("/api/v1").unwrap_or(&path).to_owned();
            ops.push((id.to_owned(), method.to_uppercase(), path));
        }
    }
    ops
}

/// Asserts that `role` was let through (`allowed`) or refused with 403.
#[track_caller]
fn assert_gate(r: Reply, allowed: bool, role: Role, what: &str) {
    if allowed {
        assert!(
            r.status != 401 && r.status != 403,
            "{role:?} may {what}, got {}: {}",
            r.status,
            r.body
        );
    } else {
        assert_eq!(r.status, 403, "{role:?} may not {what}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "forbidden", "{role:?} {what}");
    }
}

#[test]
fn every_documented_operation_is_open_exactly_to_the_roles_in_its_row() {
    let t = TestApp::new();
    let admin = t.serve();
    let ops = documented_operations(&admin);

    let documented: BTreeSet<&str> = ops.iter().map(|(id, _, _)| id.as_str()).collect();
    let tabled: BTreeSet<&str> = TABLE.iter().map(|(op, _)| *op).collect();
    assert_eq!(TABLE.len(), tabled.len(), "one row per operation");
    assert_eq!(
        documented.difference(&tabled).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "documented operations without a row in TABLE: decide who may run them"
    );
    assert_eq!(
        tabled.difference(&documented).collect::<Vec<_>>(),
        Vec::<&&str>::new(),
        "rows in TABLE for operations the API does not document"
    );
    let roles_of = |op: &str| TABLE.iter().find(|(o, _)| *o == op).unwrap().1;

    let mut tried = 0;
    for role in Role::ALL {
        let name = format!("gate-{}", role.as_str().replace('_', "-"));
        let s = t.login_as(&admin, &name, role);
        for (op, method, path) in &ops {
            let allowed = roles_of(op).contains(&role);
            // Logging out ends the session the other requests use, and
            // logging in needs none: both get a client of their own.
            let own;
            let client = if op.starts_with("auth.log") {
                own = admin.as_user(&name);
                &own
            } else {
                &s
            };
            let body = if method == "GET" || method == "DELETE" {
                None
            } else if op == "auth.login" {
                Some(json!({"username": name, "password": PASSWORD}))
            } else {
                Some(json!({}))
            };
            let by_route = client.send(method, path, body.clone());
            assert_gate(by_route, allowed, role, &format!("{op} ({method} {path})"));
            let own_by_name;
            let client = if op.starts_with("auth.log") {
                own_by_name = admin.as_user(&name);
                &own_by_name
            } else {
                &s
            };
            let by_name = client.post(&format!("/ops/{op}"), body.unwrap_or(json!({})));
            assert_gate(by_name, allowed, role, &format!("{op} by name"));
            tried += 2;
        }
        // Still logged in: nothing above ended this session.
        s.get("/auth/me").expect(200);
    }
    assert_eq!(tried, 2 * Role::ALL.len() * ops.len());
    println!(
        "{tried} requests: {} operations, {} roles, 2 transports",
        ops.len(),
        Role::ALL.len()
    );
}
