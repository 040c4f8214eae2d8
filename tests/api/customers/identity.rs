//! KTP and NPWP: encrypted at rest, masked by role.

use serde_json::json;

use super::*;

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
        // The exact-match filter would tell them whose number a guess is.
        let refused =
            u.get(&format!("/customers?ktp_number={ktp}"))
                .expect_error(403, "forbidden", None);
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("ktp_number"),
            "{refused}"
        );
        let list = u.get("/customers").expect(200);
        assert_eq!(list["data"][0]["ktp_number"], "************0001");
    }
    for (user, role) in [("boss", Role::Manager), ("promo", Role::Marketing)] {
        let u = t.login_as(&s, user, role);
        assert_eq!(u.get(&path).expect(200)["ktp_number"], ktp, "{user}");
        let list = u.get(&format!("/customers?ktp_number={ktp}")).expect(200);
        assert_eq!(
            ids(&list),
            vec![id.clone()],
            "{user} searches by the exact number"
        );
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
