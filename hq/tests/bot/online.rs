//! Online booking through head office's public API (`/public/v1/…`), with a
//! real branch desk: the customer books a free time, confirms from
//! WhatsApp ("YA" over a signed Meta webhook, or the message's link), and
//! the branch takes the booking on its next pull; an unconfirmed hold lets
//! its slot go; two customers racing for one time; bad fields and limits.

use chrono::{Duration as Days, Utc};
use serde_json::{Value, json};

use super::booking::{branch_with_slots, customer, desk_booking, replies_to};
use super::support::*;
use super::{enable_bot, wait_until};

fn public(hq: &Hq) -> Client {
    Client::new(&hq.url)
}

fn tomorrow() -> String {
    let jakarta = chrono::FixedOffset::east_opt(7 * 3600).expect("UTC+7");
    (Utc::now().with_timezone(&jakarta) + Days::days(1))
        .date_naive()
        .to_string()
}

/// Head office's address as customers reach it, the confirmation link's
/// start (an hq_admin's setting; written here as the settings store it, so
/// a test's own admin stays free to log in).
fn set_public_url(hq: &Hq, url: Option<&str>) {
    let url = url.map_or("NULL".to_owned(), |u| format!("'{u}'"));
    hq.json(&format!(
        "WITH saved AS (
             INSERT INTO bot_settings (id, enabled, radius_km, version, updated_at, public_url)
             VALUES (true, false, 25, 1, now(), {url})
             ON CONFLICT (id) DO UPDATE SET public_url = excluded.public_url RETURNING 1)
         SELECT count(*) FROM saved"
    ));
}

/// The branch, its service and the free times tomorrow, as the page reads
/// them (head office's public address set, so messages carry the link).
fn page_state(hq: &Hq) -> (Value, Value, Vec<Value>) {
    set_public_url(hq, Some(&hq.url));
    let page = public(hq);
    let branches = page.get("/public/v1/branches").expect(200);
    let branch = branches[0].clone();
    let services = page
        .get(&format!(
            "/public/v1/services?branch_id={}",
            branch["id"].as_str().expect("id")
        ))
        .expect(200);
    let service = services[0].clone();
    let slots = free_times(hq, &branch, &service);
    (branch, service, slots)
}

fn free_times(hq: &Hq, branch: &Value, service: &Value) -> Vec<Value> {
    public(hq)
        .get(&format!(
            "/public/v1/slots?branch_id={}&service_id={}&date={}",
            branch["id"].as_str().expect("id"),
            service["id"].as_str().expect("id"),
            tomorrow()
        ))
        .expect(200)
        .as_array()
        .expect("slots")
        .clone()
}

fn booking_body(slot: &Value, phone: &str) -> Value {
    json!({"slot_id": slot["id"], "notes": "Tolong datang tepat waktu",
           "customer": {"name": "Wulan Sari", "gender": "female", "phone": phone,
                        "email": "Wulan.Sari@Example.com", "address": "Jl. Kenanga 3, Jakarta"}})
}

/// The token in the confirmation message's link to `phone`.
fn link_token(hq: &Hq, phone: &str) -> String {
    let message = replies_to(hq, phone)
        .into_iter()
        .find(|t| t.contains("token="))
        .unwrap_or_else(|| panic!("a confirmation link to {phone}"));
    message
        .split("token=")
        .nth(1)
        .map(|t| t.chars().take_while(char::is_ascii_hexdigit).collect())
        .expect("a token")
}

/// The page lists the branch, its service and its free times (times only);
/// a booking waits for the customer's "YA" and only then reaches the
/// branch, as its own booking with what the page asked.
#[test]
fn a_web_booking_waits_for_ya_from_whatsapp_then_reaches_the_branch() {
    let hq = Hq::start();
    enable_bot(&hq.admin());
    let (desk, _, _) = branch_with_slots(&hq, 2);
    let (branch, service, slots) = page_state(&hq);
    assert_eq!(branch["name"], "Cabang Jakarta");
    assert_eq!(branch["slug"], "cabang-jakarta");
    assert_eq!(service["name"], "Makeup Wisuda");
    assert_eq!(service["price"], "750000");
    assert_eq!(service["duration_min"], 90);
    assert_eq!(slots.len(), 2, "{slots:?}");
    let keys: Vec<&str> = slots[0]
        .as_object()
        .expect("slot")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["ends_at", "id", "starts_at"], "times only");

    // The phone as a person types it; the customer master has it as 62….
    let booked = public(&hq)
        .post(
            "/public/v1/bookings",
            booking_body(&slots[0], "0812-5550-0077"),
        )
        .expect(201);
    let code = format!("BK-{}-W001", Utc::now().format("%Y"));
    assert_eq!(booked["code"], code.as_str());
    assert_eq!(booked["status"], "awaiting_confirmation");
    assert_eq!(booked["starts_at"], slots[0]["starts_at"]);
    assert_eq!(
        free_times(&hq, &branch, &service).len(),
        1,
        "the time is held"
    );
    let asked = replies_to(&hq, "6281255500077").join("\n");
    assert!(asked.contains("*YA*") && asked.contains(&code), "{asked}");
    // Head office writes first: on Meta, the `confirm_request` template.
    assert_eq!(
        hq.json(
            "SELECT json_build_object('kind', kind, 'code', vars->>'booking_code')
             FROM hq_outbox WHERE to_phone = '6281255500077' AND text LIKE '%*YA*%'"
        ),
        json!({"kind": "confirm_request", "code": code})
    );

    // Not confirmed yet: the branch has nothing.
    desk.sync().expect(200);
    let listed = desk.api.get(&format!("/bookings?code={code}")).expect(200);
    assert_eq!(listed["meta"]["total"], 0, "{listed}");

    // "YA" from that phone confirms it.
    let mut wulan = customer(&hq, 77);
    let said = wulan.say("YA");
    assert!(
        said.contains("terkonfirmasi") && said.contains(&code),
        "{said}"
    );
    desk.sync().expect(200);
    let at_desk = desk_booking(&desk, &code);
    assert_eq!(at_desk["source"], "online");
    assert_eq!(at_desk["slot_id"], slots[0]["id"]);
    assert_eq!(at_desk["notes"], "Tolong datang tepat waktu");
    let customer = desk
        .api
        .get(&format!(
            "/customers/{}",
            at_desk["customer_id"].as_str().expect("id")
        ))
        .expect(200);
    assert_eq!(customer["gender"], "female", "{customer}");
    assert_eq!(customer["customer_type"], "Cabang Jakarta (online)");
    // Once the branch pushed its customer back, head office's list shows
    // the master with its own code and how it came.
    desk.sync().expect(200);
    let masters = hq
        .viewer()
        .get("/api/v1/customers?phone=081255500077")
        .expect(200);
    assert_eq!(masters["meta"]["total"], 1, "{masters}");
    let master = &masters["data"][0];
    assert!(
        master["code"]
            .as_str()
            .is_some_and(|c| c.starts_with("CS-HQ-")),
        "{master}"
    );
    assert_eq!(master["customer_type"], "Cabang Jakarta (online)");
    assert_eq!(customer["email"], "wulan.sari@example.com");
    assert_eq!(customer["phone"], "6281255500077");
    assert_eq!(
        hq.json(
            "SELECT json_build_object('gender', gender, 'email', email, 'address', address,
                 'customer_type', customer_type, 'code', code ~ '^CS-HQ-[0-9]{6}$')
             FROM master_customers WHERE phone = '6281255500077'"
        ),
        json!({"gender": "female", "email": "wulan.sari@example.com",
               "address": "Jl. Kenanga 3, Jakarta",
               "customer_type": "Cabang Jakarta (online)", "code": true})
    );
}

/// The message's link confirms with its token only; confirming twice
/// answers the same. A hold nobody confirms lets its time go, and its link
/// no longer confirms.
#[test]
fn the_link_confirms_with_its_token_and_an_unconfirmed_hold_lets_go() {
    let hq = Hq::start();
    let (desk, _, _) = branch_with_slots(&hq, 2);
    let (branch, service, slots) = page_state(&hq);
    let page = public(&hq);
    // Without head office's public address the message asks for "YA" only:
    // a link is never made from what the request says its host is.
    set_public_url(&hq, None);
    let no_link = page
        .post(
            "/public/v1/bookings",
            booking_body(&slots[1], "081255500080"),
        )
        .expect(201);
    let asked = replies_to(&hq, "6281255500080").join("\n");
    assert!(asked.contains("*YA*") && !asked.contains("http"), "{asked}");
    let no_link_code = no_link["code"].as_str().expect("code");
    hq.json(&format!(
        "WITH moved AS (UPDATE hq_bookings SET confirm_by = now() - interval '1 second'
                        WHERE code = '{no_link_code}' RETURNING 1) SELECT count(*) FROM moved"
    ));
    wait_until("the first hold let go", || {
        free_times(&hq, &branch, &service).len() == 2
    });
    set_public_url(&hq, Some(&hq.url));
    let first = page
        .post(
            "/public/v1/bookings",
            booking_body(&slots[0], "081255500081"),
        )
        .expect(201);
    let code = first["code"].as_str().expect("code");
    let confirm = |token: &str| {
        page.post(
            &format!("/public/v1/bookings/{code}/confirm"),
            json!({"token": token}),
        )
    };
    assert_eq!(confirm("0".repeat(64).as_str()).status, 404);
    let token = link_token(&hq, "6281255500081");
    let confirmed = confirm(&token).expect(200);
    assert_eq!(confirmed["status"], "confirmed");
    assert_eq!(confirm(&token).expect(200)["status"], "confirmed");
    desk.sync().expect(200);
    assert_eq!(desk_booking(&desk, code)["source"], "online");

    // The second customer never confirms: once the time to confirm has
    // passed, the sweep lets the slot go.
    let second = page
        .post(
            "/public/v1/bookings",
            booking_body(&slots[1], "081255500082"),
        )
        .expect(201);
    assert!(free_times(&hq, &branch, &service).is_empty());
    let second_code = second["code"].as_str().expect("code");
    hq.json(&format!(
        "WITH moved AS (UPDATE hq_bookings SET confirm_by = now() - interval '1 second'
                        WHERE code = '{second_code}' RETURNING 1) SELECT count(*) FROM moved"
    ));
    wait_until("the unconfirmed hold let go", || {
        free_times(&hq, &branch, &service).len() == 1
    });
    let token = link_token(&hq, "6281255500082");
    page.post(
        &format!("/public/v1/bookings/{second_code}/confirm"),
        json!({"token": token}),
    )
    .expect(409);
    desk.sync().expect(200);
    let listed = desk
        .api
        .get(&format!("/bookings?code={second_code}"))
        .expect(200);
    assert_eq!(
        listed["meta"]["total"], 0,
        "never reached the branch: {listed}"
    );
}

/// Two web customers submit the same time at once, round after round:
/// exactly one 201 each time, the other a 409 in words.
#[test]
fn two_web_customers_racing_for_one_time_never_both_get_it() {
    let hq = Hq::start();
    const ROUNDS: usize = 6;
    let _branch = branch_with_slots(&hq, ROUNDS);
    let (_, _, slots) = page_state(&hq);
    for (round, slot) in slots.iter().enumerate() {
        let (a, b) = std::thread::scope(|s| {
            let a = s.spawn(|| {
                public(&hq).post(
                    "/public/v1/bookings",
                    booking_body(slot, &format!("08125550{:04}", 100 + 2 * round)),
                )
            });
            let b = s.spawn(|| {
                public(&hq).post(
                    "/public/v1/bookings",
                    booking_body(slot, &format!("08125550{:04}", 101 + 2 * round)),
                )
            });
            (a.join().expect("a"), b.join().expect("b"))
        });
        let mut statuses = [a.status, b.status];
        statuses.sort();
        assert_eq!(
            statuses,
            [201, 409],
            "round {round}: {:?} / {:?}",
            a.body,
            b.body
        );
    }
}

/// Each bad field is named and nothing is held; the hidden field must stay
/// empty; one phone holds at most three unconfirmed bookings, and one
/// address makes at most twenty requests an hour.
#[test]
fn bad_fields_are_named_one_phone_holds_at_most_three_and_one_address_asks_twenty_an_hour() {
    let hq = Hq::start();
    let _branch = branch_with_slots(&hq, 5);
    let (branch, service, slots) = page_state(&hq);
    let page = public(&hq);
    let with = |path: &[&str], value: Value| {
        let mut body = booking_body(&slots[0], "081255500090");
        let mut at = &mut body;
        for key in &path[..path.len() - 1] {
            at = &mut at[*key];
        }
        at[path[path.len() - 1]] = value;
        body
    };
    for (body, field) in [
        (with(&["customer", "name"], json!("")), "customer.name"),
        (
            with(&["customer", "gender"], json!(null)),
            "customer.gender",
        ),
        (with(&["customer", "gender"], json!("x")), "customer.gender"),
        (
            with(&["customer", "phone"], json!("12345")),
            "customer.phone",
        ),
        (
            with(&["customer", "email"], json!("bukan-email")),
            "customer.email",
        ),
        (
            with(&["customer", "address"], json!("  ")),
            "customer.address",
        ),
        (with(&["slot_id"], json!("bukan-slot")), "slot_id"),
        (
            with(&["slot_id"], json!(uuid::Uuid::now_v7().to_string())),
            "slot_id",
        ),
        (with(&["website"], json!("http://spam.example")), "website"),
        (with(&["colour"], json!("red")), "colour"),
    ] {
        let r = page.post("/public/v1/bookings", body.clone());
        assert_eq!(r.status, 422, "{body}: {:?}", r.body);
        assert_eq!(r.body["error"]["field"], field, "{body}: {:?}", r.body);
    }
    assert_eq!(free_times(&hq, &branch, &service).len(), 5, "nothing held");

    for slot in &slots[..3] {
        page.post("/public/v1/bookings", booking_body(slot, "081255500091"))
            .expect(201);
    }
    let fourth = page.post(
        "/public/v1/bookings",
        booking_body(&slots[3], "0812-5550-0091"),
    );
    assert_eq!(fourth.status, 429, "{:?}", fourth.body);
    assert!(
        fourth.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("waiting for confirmation")),
        "{:?}",
        fourth.body
    );
    assert_eq!(free_times(&hq, &branch, &service).len(), 2);

    // Twenty requests from one address in an hour: three above, and
    // seventeen more as if made earlier in the hour (let go since).
    let made = hq.json(
        "WITH made AS (
             INSERT INTO hq_bookings (id, branch_id, code, source, slot_id, provider_id, service_id,
                 service_name, starts_at, customer_phone, customer_name, address, price, created_at,
                 status, client_address)
             SELECT gen_random_uuid(), branch_id, 'BK-EARLIER-' || n, 'online', slot_id, provider_id,
                 service_id, service_name, starts_at, '6281299990' || lpad(n::text, 3, '0'),
                 customer_name, address, price, now() - interval '30 minutes', 'expired',
                 client_address
             FROM (SELECT * FROM hq_bookings WHERE customer_phone = '6281255500091' LIMIT 1) one,
                  generate_series(1, 17) AS n
             RETURNING 1)
         SELECT count(*) FROM made",
    );
    assert_eq!(made, json!(17));
    let from_same_address = page.post(
        "/public/v1/bookings",
        booking_body(&slots[4], "081255500092"),
    );
    assert_eq!(
        from_same_address.status, 429,
        "{:?}",
        from_same_address.body
    );
    assert!(
        from_same_address.body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("from this address")),
        "{:?}",
        from_same_address.body
    );
    assert_eq!(free_times(&hq, &branch, &service).len(), 2, "nothing held");
}

/// The six digits in the newest verification message to `phone`.
fn sent_digits(hq: &Hq, phone: &str) -> String {
    let message = replies_to(hq, phone)
        .into_iter()
        .rev()
        .find(|t| t.contains("Kode verifikasi"))
        .unwrap_or_else(|| panic!("a verification code to {phone}"));
    message
        .split(": ")
        .nth(1)
        .map(|t| t.chars().take(6).collect())
        .expect("six digits")
}

/// The code and the phone bring six digits to that phone's WhatsApp, and
/// nothing to anyone for a code that is not the phone's; the digits show
/// the booking and let its customer cancel it, which the branch then does.
#[test]
fn a_customer_sees_and_cancels_their_own_booking_after_a_code_on_whatsapp() {
    let hq = Hq::start();
    let (desk, _, _) = branch_with_slots(&hq, 2);
    let (branch, service, slots) = page_state(&hq);
    let page = public(&hq);
    let booked = page
        .post(
            "/public/v1/bookings",
            booking_body(&slots[0], "081255500095"),
        )
        .expect(201);
    let code = booked["code"].as_str().expect("code").to_owned();
    let token = link_token(&hq, "6281255500095");
    page.post(
        &format!("/public/v1/bookings/{code}/confirm"),
        json!({"token": token}),
    )
    .expect(200);
    desk.sync().expect(200);
    desk.sync().expect(200);

    // Another phone asking about this code: the same answer, nothing sent.
    page.post(
        "/public/v1/lookup",
        json!({"code": code, "phone": "081299990001"}),
    )
    .expect(202);
    assert!(replies_to(&hq, "6281299990001").is_empty());
    page.post(
        "/public/v1/lookup",
        json!({"code": code, "phone": "+62 812-5550-0095"}),
    )
    .expect(202);
    let digits = sent_digits(&hq, "6281255500095");
    assert_eq!(digits.len(), 6, "{digits}");
    let verify = |otp: &str| {
        page.post(
            "/public/v1/lookup/verify",
            json!({"code": code, "phone": "081255500095", "otp": otp}),
        )
    };
    let wrong = if digits == "000000" {
        "111111"
    } else {
        "000000"
    };
    let refused = verify(wrong);
    assert_eq!(refused.status, 422, "{:?}", refused.body);
    assert_eq!(refused.body["error"]["field"], "otp");
    let shown = verify(&digits).expect(200);
    assert_eq!(shown["booking"]["code"], code.as_str());
    assert_eq!(shown["booking"]["status"], "pending", "{shown}");
    assert_eq!(shown["booking"]["cancellable"], true);
    assert_eq!(verify(&digits).status, 422, "the digits are used up");

    let cancel = |token: &str| {
        page.post(
            &format!("/public/v1/bookings/{code}/cancel"),
            json!({"token": token}),
        )
    };
    assert_eq!(cancel(&"0".repeat(64)).status, 401);
    let canceled = cancel(shown["token"].as_str().expect("token")).expect(200);
    assert_eq!(canceled["status"], "canceled");
    // The branch cancels it and frees the time, which the page offers again.
    desk.sync().expect(200);
    desk.sync().expect(200);
    assert_eq!(desk_booking(&desk, &code)["booking_status"], "canceled");
    assert_eq!(free_times(&hq, &branch, &service).len(), 2);

    // Three codes per phone in ten minutes.
    for _ in 0..2 {
        page.post(
            "/public/v1/lookup",
            json!({"code": code, "phone": "081255500095"}),
        )
        .expect(202);
    }
    let limited = page.post(
        "/public/v1/lookup",
        json!({"code": code, "phone": "081255500095"}),
    );
    assert_eq!(limited.status, 429, "{:?}", limited.body);
}

/// A customer the branch already knows books online with the phone spelled
/// another way: one customer at head office and at the desk, not two.
#[test]
fn a_known_customer_booking_online_stays_one_customer_at_both_ends() {
    let hq = Hq::start();
    let (desk, _, _) = branch_with_slots(&hq, 1);
    let known = desk
        .api
        .post(
            "/customers",
            json!({"name": "Wulan Sari", "phone": "0812 5550 0066",
                   "customer_type": "Datang langsung"}),
        )
        .expect(201);
    desk.sync().expect(200);
    let (_, _, slots) = page_state(&hq);
    let page = public(&hq);
    let booked = page
        .post(
            "/public/v1/bookings",
            booking_body(&slots[0], "+62-812-5550-0066"),
        )
        .expect(201);
    let code = booked["code"].as_str().expect("code");
    let token = link_token(&hq, "6281255500066");
    page.post(
        &format!("/public/v1/bookings/{code}/confirm"),
        json!({"token": token}),
    )
    .expect(200);
    assert_eq!(
        hq.json("SELECT count(*) FROM master_customers WHERE phone = '6281255500066'"),
        json!(1)
    );
    desk.sync().expect(200);
    let at_desk = desk_booking(&desk, code);
    assert_eq!(at_desk["customer_id"], known["id"], "{at_desk}");
    let customer = desk
        .api
        .get(&format!("/customers/{}", known["id"].as_str().expect("id")))
        .expect(200);
    assert_eq!(
        customer["customer_type"], "Datang langsung",
        "what brought them first stays"
    );
    // Head office's customer list: one master, its code and how it came.
    let masters = hq
        .viewer()
        .get("/api/v1/customers?phone=081255500066")
        .expect(200);
    assert_eq!(masters["meta"]["total"], 1, "{masters}");
    let customers = desk.api.get("/customers?q=Wulan").expect(200);
    assert_eq!(customers["meta"]["total"], 1, "{customers}");
}

/// An hq_admin sets where a branch is; the page lists it with its map
/// link; a viewer may not, and a link that is not https:// is refused.
#[test]
fn the_page_shows_where_each_branch_is() {
    let hq = Hq::start();
    let (id, _) = hq.add_branch("Studio Kemang");
    let path = format!("/api/v1/branches/{id}");
    let admin = hq.admin();
    let body = json!({"address": "Jl. Kemang Raya 5, Jakarta Selatan",
                      "map_url": "https://maps.google.com/?q=-6.26,106.81"});
    assert_eq!(hq.viewer().put(&path, body.clone()).status, 403);
    let bad = admin.put(&path, json!({"map_url": "javascript:alert(1)"}));
    assert_eq!(bad.status, 422, "{:?}", bad.body);
    assert_eq!(bad.body["error"]["field"], "map_url");
    assert_eq!(admin.put(&path, body).status, 204);
    let listed = public(&hq).get("/public/v1/branches").expect(200);
    assert_eq!(listed[0]["address"], "Jl. Kemang Raya 5, Jakarta Selatan");
    assert_eq!(
        listed[0]["map_url"],
        "https://maps.google.com/?q=-6.26,106.81"
    );
    assert_eq!(listed[0]["slug"], "studio-kemang");
    // Clearing one leaves the other.
    assert_eq!(admin.put(&path, json!({"map_url": null})).status, 204);
    let listed = public(&hq).get("/public/v1/branches").expect(200);
    assert_eq!(listed[0]["map_url"], Value::Null);
    assert_eq!(listed[0]["address"], "Jl. Kemang Raya 5, Jakarta Selatan");
    let unknown = admin.put(
        &format!("/api/v1/branches/{}", uuid::Uuid::now_v7()),
        json!({}),
    );
    assert_eq!(unknown.status, 404);
}
