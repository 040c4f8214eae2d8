//! Slot generation from the working plan: breaks, buffers, what is skipped and why,
//! a dry run that reports the same, and the checks of its range.

use serde_json::json;

use super::*;

/// Monday 09:00–17:00 with a lunch break 12:00–13:00, Wednesday 10:00–12:00.
fn plan_monday_wednesday(s: &Server, provider: &Value) {
    s.put(
        &format!("{}/working-plan", at("/providers", provider)),
        json!({"days": [
            {"weekday": 0, "start": "09:00", "end": "17:00", "breaks": [{"start": "12:00", "end": "13:00"}]},
            {"weekday": 2, "start": "10:00", "end": "12:00"},
        ]}),
    )
    .expect(200);
}

/// Runs a generation as a dry run first (which must change nothing), then
/// for real, and checks both report the same; returns the real report.
fn generate_checked(s: &Server, provider: &Value, service: &Value, extra: Value) -> Value {
    let before = slot_count(s);
    let mut dry_extra = extra.clone();
    dry_extra["dry_run"] = json!(true);
    let dry = generate(s, provider, service, dry_extra).expect(200);
    assert_eq!(dry["dry_run"], true);
    assert_eq!(slot_count(s), before, "a dry run creates nothing");
    let real = generate(s, provider, service, extra).expect(200);
    assert_eq!(real["dry_run"], false);
    assert_eq!(
        real["created"], dry["created"],
        "dry run: {dry}\nreal: {real}"
    );
    assert_eq!(real["starts"], dry["starts"]);
    let reasons = |r: &Value| -> Vec<(Value, Value)> {
        r["skipped"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| (k["starts_at"].clone(), k["reason"].clone()))
            .collect()
    };
    assert_eq!(reasons(&real), reasons(&dry));
    assert_eq!(
        slot_count(s),
        before + real["created"].as_u64().unwrap(),
        "the report's count is what was created"
    );
    real
}

/// `(starts_at, reason)` of each skipped candidate.
fn skipped(report: &Value) -> Vec<(String, String)> {
    report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            assert!(k["message"].as_str().is_some_and(|m| !m.is_empty()));
            (
                k["starts_at"].as_str().unwrap().to_owned(),
                k["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn report_starts(report: &Value) -> Vec<String> {
    report["starts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn slots_are_generated_from_the_working_plan_around_breaks() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    plan_monday_wednesday(&s, &p);

    // 2026-11-30 is a Monday; the week runs to Sunday 2026-12-06.
    let week = json!({"from": "2026-11-30", "to": "2026-12-06"});
    let report = generate_checked(&s, &p, &makeup, week.clone());
    let monday = utcs(&[
        "2026-11-30T09:00",
        "2026-11-30T10:00",
        "2026-11-30T11:00",
        "2026-11-30T13:00",
        "2026-11-30T14:00",
        "2026-11-30T15:00",
        "2026-11-30T16:00",
    ]);
    let wednesday = utcs(&["2026-12-02T10:00", "2026-12-02T11:00"]);
    assert_eq!(report["created"], 9);
    assert_eq!(
        report_starts(&report),
        [monday.clone(), wednesday.clone()].concat()
    );
    assert!(skipped(&report).is_empty(), "{report}");
    let mon = s
        .get(&format!("{}/day?date=2026-11-30", at("/providers", &p)))
        .expect(200);
    assert_eq!(
        starts(&json!({"data": mon["slots"]})),
        monday,
        "exactly 7, none in the break"
    );
    assert!(
        mon["slots"]
            .as_array()
            .unwrap()
            .iter()
            .all(|sl| sl["duration_min"] == 60 && sl["status"] == "available")
    );
    // Days without a plan get nothing.
    for date in [
        "2026-12-01",
        "2026-12-03",
        "2026-12-04",
        "2026-12-05",
        "2026-12-06",
    ] {
        assert_eq!(
            total(&s.get(&format!("/slots?from={date}&to={date}")).expect(200)),
            0,
            "{date}"
        );
    }

    // Again: every candidate is already there.
    let again = generate_checked(&s, &p, &makeup, week);
    assert_eq!(again["created"], 0);
    let reasons = skipped(&again);
    assert_eq!(reasons.len(), 9);
    assert!(reasons.iter().all(|(_, r)| r == "overlap"), "{again}");
    assert_eq!(slot_count(&s), 9);
}

#[test]
fn generation_leaves_a_buffer_between_slots() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    plan_monday_wednesday(&s, &p);
    let report = generate_checked(
        &s,
        &p,
        &makeup,
        json!({"from": "2026-11-30", "to": "2026-12-02", "buffer_min": 15}),
    );
    // 09:00, 10:15, (11:30 would run into lunch) 13:00, 14:15, 15:30,
    // (16:45 would end after 17:00); Wednesday 10:00 (11:15 ends after 12:00).
    assert_eq!(
        report_starts(&report),
        utcs(&[
            "2026-11-30T09:00",
            "2026-11-30T10:15",
            "2026-11-30T13:00",
            "2026-11-30T14:15",
            "2026-11-30T15:30",
            "2026-12-02T10:00",
        ])
    );
    assert_eq!(report["created"], 6);
    generate(
        &s,
        &p,
        &makeup,
        json!({"from": "2026-11-30", "to": "2026-11-30", "buffer_min": 1441}),
    )
    .expect_error(422, "validation", Some("buffer_min"));
}

#[test]
fn generation_reports_overlap_day_limit_and_past_and_a_dry_run_says_the_same() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let touch_up = create_service(&s, "Touch up", 30, "150000");

    // An existing slot at 10:30 takes the 10:00 candidate only.
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup, &touch_up]);
    plan_monday_wednesday(&s, &p);
    add_slot(&s, &p, &touch_up, "2026-11-30T10:30");
    let day = json!({"from": "2026-11-30", "to": "2026-11-30"});
    let report = generate_checked(&s, &p, &makeup, day.clone());
    assert_eq!(report["created"], 6);
    assert_eq!(
        skipped(&report),
        [(utc("2026-11-30T10:00"), "overlap".to_owned())]
    );
    assert!(!report_starts(&report).contains(&utc("2026-11-30T10:00")));
    assert!(report_starts(&report).contains(&utc("2026-11-30T11:00")));

    // A full day: at most five, counting the one already there.
    let q = s
        .post(
            "/providers",
            json!({"name": "Dewi", "whatsapp_number": "081200000002", "latitude": -6.2, "longitude": 106.8,
                   "service_ids": [makeup["id"], touch_up["id"]], "max_slots_per_day": 5}),
        )
        .expect(201);
    plan_monday_wednesday(&s, &q);
    add_slot(&s, &q, &touch_up, "2026-11-30T08:00");
    let report = generate_checked(
        &s,
        &q,
        &makeup,
        json!({"from": "2026-11-30", "to": "2026-12-02"}),
    );
    assert_eq!(
        report_starts(&report),
        utcs(&[
            "2026-11-30T09:00",
            "2026-11-30T10:00",
            "2026-11-30T11:00",
            "2026-11-30T13:00",
            "2026-12-02T10:00",
            "2026-12-02T11:00",
        ])
    );
    assert_eq!(
        skipped(&report),
        [
            (utc("2026-11-30T14:00"), "day_limit".to_owned()),
            (utc("2026-11-30T15:00"), "day_limit".to_owned()),
            (utc("2026-11-30T16:00"), "day_limit".to_owned()),
        ]
    );
    let monday_total = total(
        &s.get(&format!(
            "/slots?provider_id={}&from=2026-11-30&to=2026-11-30",
            id(&q)
        ))
        .expect(200),
    );
    assert_eq!(monday_total, 5);

    // Today (Sunday 2026-11-22, 10:00 in Jakarta): what has begun is past.
    let r = create_provider(&s, "Ayu", -6.2, 106.8, &[&makeup]);
    s.put(
        &format!("{}/working-plan", at("/providers", &r)),
        json!({"days": [{"weekday": 6, "start": "08:00", "end": "12:00"}]}),
    )
    .expect(200);
    let report = generate_checked(
        &s,
        &r,
        &makeup,
        json!({"from": "2026-11-22", "to": "2026-11-29"}),
    );
    assert_eq!(
        skipped(&report),
        [
            (utc("2026-11-22T08:00"), "past".to_owned()),
            (utc("2026-11-22T09:00"), "past".to_owned()),
            (utc("2026-11-22T10:00"), "past".to_owned()),
        ]
    );
    assert_eq!(
        report_starts(&report),
        utcs(&[
            "2026-11-22T11:00",
            "2026-11-29T08:00",
            "2026-11-29T09:00",
            "2026-11-29T10:00",
            "2026-11-29T11:00",
        ])
    );
}

#[test]
fn generation_checks_its_range_and_the_providers_services() {
    let t = TestApp::new();
    let s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 60, "150000");
    let p = create_provider(&s, "Rina", -6.2, 106.8, &[&makeup]);
    plan_monday_wednesday(&s, &p);
    for (extra, field) in [
        (json!({"from": "2026-12-02", "to": "2026-12-01"}), "to"),
        (json!({"from": "2026-12-01", "to": "2027-03-04"}), "to"),
        (json!({"from": "2026-12-01"}), "to"),
        (json!({"to": "2026-12-01"}), "from"),
        (json!({"from": "1 Desember", "to": "2026-12-01"}), "from"),
        (
            json!({"from": "2026-12-01", "to": "2026-12-01", "buffer_min": -5}),
            "buffer_min",
        ),
        (
            json!({"from": "2026-12-01", "to": "2026-12-01", "dry_run": "ya"}),
            "dry_run",
        ),
    ] {
        generate(&s, &p, &makeup, extra).expect_error(422, "validation", Some(field));
    }
    generate(
        &s,
        &p,
        &ac,
        json!({"from": "2026-12-01", "to": "2026-12-07"}),
    )
    .expect_error(422, "validation", Some("service_id"));
    s.post(
        "/slots/generate",
        json!({"provider_id": "01a200ff-5d55-76a6-a966-6df8a0de1abb", "service_id": makeup["id"], "from": "2026-12-01", "to": "2026-12-01"}),
    )
    .expect_error(422, "validation", Some("provider_id"));
    assert_eq!(slot_count(&s), 0);
    // 92 days is the longest range: 2026-12-01 (Tue) … 2027-03-03 (Wed) holds
    // 13 Mondays and 14 Wednesdays.
    let long = generate(
        &s,
        &p,
        &makeup,
        json!({"from": "2026-12-01", "to": "2027-03-03", "dry_run": true}),
    )
    .expect(200);
    assert_eq!(long["created"], 13 * 7 + 14 * 2);
    assert_eq!(slot_count(&s), 0);
    // A provider without a plan gets nothing (and no error).
    let idle = create_provider(&s, "Santai", -6.2, 106.8, &[&makeup]);
    let none = generate(
        &s,
        &idle,
        &makeup,
        json!({"from": "2026-12-01", "to": "2026-12-31"}),
    )
    .expect(200);
    assert_eq!(none["created"], 0);
    assert!(skipped(&none).is_empty());
}
