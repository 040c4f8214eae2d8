//! The permission matrix through the HTTP API, role by role, and the session
//! rules (`sessions`: no token, logout, deactivation, password reset, the
//! last admin, expiry, the cost of a wrong username). Every operation
//! against one table: `every_operation`.

mod every_operation;
mod sessions;

use serde_json::{Value, json};

use crate::support::*;

/// What each role may do, written out independently of `Role::allows` (which
/// is checked against it, so the two cannot drift apart silently).
const MATRIX: &[(&str, Permission, &[Role])] = {
    use Role::*;
    &[
        ("users.list", Permission::UsersManage, &[Admin]),
        ("users.create", Permission::UsersManage, &[Admin]),
        ("audit.list", Permission::AuditRead, &[Admin, Manager]),
        (
            "customers.delete",
            Permission::CustomersDelete,
            &[Admin, Manager],
        ),
        (
            "units.create",
            Permission::UnitsWrite,
            &[Admin, Manager, Marketing],
        ),
        (
            "units.update",
            Permission::UnitsWrite,
            &[Admin, Manager, Marketing],
        ),
        ("staff.create", Permission::StaffWrite, &[Admin, Manager]),
        (
            "bookings.update",
            Permission::BookingsWrite,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (
            "bookings.cancel",
            Permission::BookingsCancel,
            &[Admin, Manager, Marketing, FrontDesk],
        ),
        (
            "bookings.update_to_canceled",
            Permission::BookingsCancel,
            &[Admin, Manager, Marketing, FrontDesk],
        ),
        (
            "bookings.recalculate",
            Permission::PriorityRecalculate,
            &[Admin, Manager],
        ),
        (
            "bookings.expire",
            Permission::PriorityRecalculate,
            &[Admin, Manager],
        ),
        ("settings.update", Permission::SettingsWrite, &[Admin]),
        (
            "bookings.create",
            Permission::BookingsWrite,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (
            "bookings.list",
            Permission::BookingsRead,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (
            "customers.create",
            Permission::CustomersWrite,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (
            "customers.list",
            Permission::CustomersRead,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (
            "units.list",
            Permission::UnitsRead,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (
            "staff.list",
            Permission::StaffRead,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
        (
            "settings.get",
            Permission::SettingsRead,
            &[Admin, Manager, Marketing, Sales, FrontDesk],
        ),
    ]
};

/// Records a role acts on, made by the admin beforehand.
struct Fixtures {
    customer: String,
    booking_to_cancel: String,
    booking_to_update: String,
    unit: String,
}

fn fixtures(admin: &Server, n: usize) -> Fixtures {
    let c = admin
        .post(
            "/customers",
            json!({"name": "Calon Hapus", "phone": format!("08131000{n:04}")}),
        )
        .expect(201);
    let booked = admin
        .post(
            "/customers",
            json!({"name": "Pemesan", "phone": format!("08132000{n:04}")}),
        )
        .expect(201);
    let b1 = admin
        .post(
            "/bookings",
            json!({"customer_id": booked["id"], "price": "100000"}),
        )
        .expect(201);
    let b2 = admin
        .post(
            "/bookings",
            json!({"customer_id": booked["id"], "price": "100000"}),
        )
        .expect(201);
    let u = create_unit(admin, 1_000_000);
    let id = |v: &Value| v["id"].as_str().unwrap().to_owned();
    Fixtures {
        customer: id(&c),
        booking_to_cancel: id(&b1),
        booking_to_update: id(&b2),
        unit: id(&u),
    }
}

/// Performs the operation named in the matrix; returns the reply.
fn perform(s: &Server, op: &str, f: &Fixtures, tag: &str) -> Reply {
    match op {
        "users.list" => s.get("/users"),
        "users.create" => s.post(
            "/users",
            json!({"username": format!("new-{tag}"), "password": PASSWORD, "role": "sales"}),
        ),
        "audit.list" => s.get("/audit"),
        "customers.delete" => s.delete(&format!("/customers/{}", f.customer)),
        "units.create" => s.post(
            "/units",
            json!({"unit_type": "Kavling", "price": "50000000"}),
        ),
        "units.update" => s.put(&format!("/units/{}", f.unit), json!({"location": tag})),
        "staff.create" => s.post("/staff", json!({"name": format!("Staf {tag}")})),
        "bookings.cancel" => s.delete(&format!("/bookings/{}", f.booking_to_cancel)),
        "bookings.update_to_canceled" => s.put(
            &format!("/bookings/{}", f.booking_to_update),
            json!({"booking_status": "canceled"}),
        ),
        "bookings.recalculate" => s.post("/bookings/recalculate", json!({})),
        "bookings.expire" => s.post("/bookings/expire", json!({})),
        "settings.update" => s.put(
            "/settings",
            json!({"business_name": format!("Studio {tag}")}),
        ),
        "bookings.create" => s.post(
            "/bookings",
            json!({"customer": customer("Tamu", "081250000001"), "price": "150000"}),
        ),
        "bookings.list" => s.get("/bookings"),
        "bookings.update" => s.put(
            &format!("/bookings/{}", f.booking_to_update),
            json!({"notes": tag}),
        ),
        "customers.create" => s.post(
            "/customers",
            json!({"name": format!("Tamu {tag}"), "phone": "081260000001"}),
        ),
        "customers.list" => s.get("/customers"),
        "units.list" => s.get("/units"),
        "staff.list" => s.get("/staff"),
        "settings.get" => s.get("/settings"),
        other => panic!("no request for {other}"),
    }
}

/// A client logged in as a user of `role` (the admin itself for Admin):
/// the client and the username.
fn as_role(t: &TestApp, admin: &Server, role: Role) -> (Server, String) {
    if role == Role::Admin {
        return (admin.as_user("admin"), "admin".to_owned());
    }
    let name = format!("user-{}", role.as_str().replace('_', "-"));
    (t.login_as(admin, &name, role), name)
}

#[test]
fn the_matrix_agrees_with_role_allows_and_with_what_auth_me_and_login_list() {
    let t = TestApp::new();
    let admin = t.serve();
    for (op, permission, allowed) in MATRIX {
        for role in Role::ALL {
            assert_eq!(
                role.allows(*permission),
                allowed.contains(&role),
                "Role::allows disagrees for {role:?} / {op}"
            );
        }
    }
    for role in Role::ALL {
        let (s, username) = as_role(&t, &admin, role);
        // What the UI is told the role may do is what the core enforces.
        let me = s.get("/auth/me").expect(200);
        assert_eq!(me["username"], username.as_str());
        let listed: Vec<&str> = me["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        for (op, permission, allowed) in MATRIX {
            assert_eq!(
                listed.contains(&permission.as_str()),
                allowed.contains(&role),
                "{role:?}: auth.me and {op} disagree"
            );
        }
        // The login reply carries the same list.
        let mut again = Server::new(s.addr);
        let login = again.login(&username, PASSWORD).expect(200);
        assert_eq!(login["permissions"], me["permissions"], "{role:?}");
    }
}

#[test]
fn each_role_gets_exactly_what_the_matrix_allows_and_refusals_change_nothing() {
    let t = TestApp::new();
    let admin = t.serve();
    for (n, role) in Role::ALL.into_iter().enumerate() {
        let (s, name) = as_role(&t, &admin, role);
        let f = fixtures(&admin, n);
        for (op, _, allowed) in MATRIX {
            let r = perform(&s, op, &f, &name);
            if allowed.contains(&role) {
                assert!(
                    r.status == 200 || r.status == 201,
                    "{role:?} may {op}: {} {}",
                    r.status,
                    r.body
                );
            } else {
                assert_eq!(r.status, 403, "{role:?} may not {op}: {}", r.body);
                assert_eq!(r.body["error"]["code"], "forbidden", "{role:?} {op}");
                assert!(r.body["error"]["field"].is_null());
                assert!(
                    r.body["error"]["message"]
                        .as_str()
                        .unwrap()
                        .starts_with("your role may not"),
                    "{}",
                    r.body
                );
            }
        }
        // The refused operations had no effect.
        let may = |op: &str| {
            MATRIX
                .iter()
                .find(|(o, _, _)| *o == op)
                .unwrap()
                .2
                .contains(&role)
        };
        let cust = admin.get(&format!("/customers/{}", f.customer));
        assert_eq!(
            cust.status == 404,
            may("customers.delete"),
            "{role:?}: customer deleted?"
        );
        let b = admin
            .get(&format!("/bookings/{}", f.booking_to_cancel))
            .expect(200);
        assert_eq!(
            b["booking_status"] == "canceled",
            may("bookings.cancel"),
            "{role:?}"
        );
        let b = admin
            .get(&format!("/bookings/{}", f.booking_to_update))
            .expect(200);
        assert_eq!(
            b["booking_status"] == "canceled",
            may("bookings.update_to_canceled"),
            "{role:?}"
        );
        let settings = admin.get("/settings").expect(200);
        assert_eq!(
            settings["business_name"] == format!("Studio {name}"),
            may("settings.update"),
            "{role:?}"
        );
        assert_eq!(
            admin.get("/users").expect(200)["data"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["username"] == format!("new-{name}")),
            may("users.create")
        );
        // Clear the phones that customers.create / bookings.create used, for the next role.
        for phone in ["081260000001", "081250000001"] {
            for id in ids(&admin.get(&format!("/customers?q={phone}")).expect(200)) {
                for b in ids(&admin
                    .get(&format!("/bookings?customer_id={id}&open=true"))
                    .expect(200))
                {
                    admin.delete(&format!("/bookings/{b}")).expect(200);
                }
                admin.delete(&format!("/customers/{id}")).expect(200);
            }
        }
    }
}

#[test]
fn the_role_is_checked_before_the_input() {
    let t = TestApp::new();
    let admin = t.serve();
    for role in Role::ALL {
        let (s, _) = as_role(&t, &admin, role);
        // The role is checked before the input: a refused request is a 403
        // even when its body or path would not pass validation.
        if !role.allows(Permission::UnitsWrite) {
            s.post("/units", json!({"unit_type": ""}))
                .expect_error(403, "forbidden", None);
            s.put("/units/not-a-uuid", json!({"price": -1}))
                .expect_error(403, "forbidden", None);
        }
        if !role.allows(Permission::CustomersDelete) {
            s.delete("/customers/not-a-uuid")
                .expect_error(403, "forbidden", None);
        }
        if !role.allows(Permission::SettingsWrite) {
            s.put("/settings", json!({"time_zone": "Mars/Olympus"}))
                .expect_error(403, "forbidden", None);
        }
    }
}
