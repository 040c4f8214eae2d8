//! The working plan: a normalised round trip and every rule naming its field.

use serde_json::{Value, json};

use super::*;

#[test]
fn the_working_plan_round_trips_normalised_and_every_rule_names_its_field() {
    let t = TestApp::new();
    let s = t.serve();
    let p = create_provider(&s, "Rina MUA", -6.2, 106.8, &[]);
    let url = format!("{}/working-plan", at("/providers", &p));
    assert_eq!(s.get(&url).expect(200), json!({"days": []}));

    let saved = s
        .put(
            &url,
            json!({"days": [
                {"weekday": 5, "start": "08:00", "end": "12:00"},
                {"weekday": 0, "start": "9:00", "end": " 17:00 ", "breaks": [
                    {"start": "15:00", "end": "15:15"},
                    {"start": "12:00", "end": "13:00"},
                    {"start": "13:00", "end": "13:30"},
                ]},
            ]}),
        )
        .expect(200);
    let expected = json!({"days": [
        {"weekday": 0, "start": "09:00", "end": "17:00", "breaks": [
            {"start": "12:00", "end": "13:00"},
            {"start": "13:00", "end": "13:30"},
            {"start": "15:00", "end": "15:15"},
        ]},
        {"weekday": 5, "start": "08:00", "end": "12:00", "breaks": []},
    ]});
    assert_eq!(saved, expected);
    assert_eq!(s.get(&url).expect(200), expected);
    // What GET returns can be sent back unchanged.
    assert_eq!(s.put(&url, expected.clone()).expect(200), expected);

    let day = |extra: Value| {
        let mut d = json!({"weekday": 0, "start": "09:00", "end": "17:00"});
        for (k, v) in extra.as_object().unwrap() {
            d[k] = v.clone();
        }
        d
    };
    let breaks = |list: Value| day(json!({"breaks": list}));
    let rejected: Vec<(Value, &str)> = vec![
        (json!([day(json!({"weekday": 7}))]), "days[0].weekday"),
        (json!([day(json!({"weekday": -1}))]), "days[0].weekday"),
        (json!([day(json!({"weekday": "senin"}))]), "days[0].weekday"),
        (json!([day(json!({"end": "08:00"}))]), "days[0].end"),
        (json!([day(json!({"end": "09:00"}))]), "days[0].end"),
        (json!([day(json!({"start": "9 pagi"}))]), "days[0].start"),
        (json!([day(json!({"start": "24:00"}))]), "days[0].start"),
        (json!([day(json!({"end": "17:60"}))]), "days[0].end"),
        (json!([day(json!({"end": ""}))]), "days[0].end"),
        (json!([{"weekday": 0, "end": "17:00"}]), "days[0].start"),
        (json!([day(json!({"lunch": "12:00"}))]), "days[0].lunch"),
        (
            json!([breaks(json!([{"start": "08:00", "end": "09:30"}]))]),
            "days[0].breaks[0].start",
        ),
        (
            json!([breaks(json!([{"start": "16:30", "end": "17:30"}]))]),
            "days[0].breaks[0].end",
        ),
        (
            json!([breaks(json!([{"start": "13:00", "end": "12:00"}]))]),
            "days[0].breaks[0].end",
        ),
        (
            json!([breaks(json!([{"start": "12.00", "end": "13:00"}]))]),
            "days[0].breaks[0].start",
        ),
        (
            json!([breaks(
                json!([{"start": "12:00", "end": "13:00"}, {"start": "12:59", "end": "14:00"}])
            )]),
            "days[0].breaks",
        ),
        (
            json!([breaks(
                json!([{"start": "14:00", "end": "15:00"}, {"start": "12:00", "end": "14:30"}])
            )]),
            "days[0].breaks",
        ),
        (json!([day(json!({})), day(json!({}))]), "days[1].weekday"),
        (
            json!([day(json!({})), day(json!({"weekday": 3, "start": "18:00"}))]),
            "days[1].end",
        ),
    ];
    for (days, field) in rejected {
        let r = s.put(&url, json!({ "days": days }));
        assert_eq!(r.status, 422, "{days}: {}", r.body);
        assert_eq!(r.body["error"]["code"], "validation");
        assert_eq!(r.body["error"]["field"], field, "{days}: {}", r.body);
    }
    assert_eq!(
        s.get(&url).expect(200),
        expected,
        "refused plans change nothing"
    );

    // An empty plan is a plan: no working days.
    assert_eq!(
        s.put(&url, json!({"days": []})).expect(200),
        json!({"days": []})
    );
    s.get("/providers/01a200ff-5d55-76a6-a966-6df8a0de1abb/working-plan")
        .expect_error(404, "not_found", None);
}
