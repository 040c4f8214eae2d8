//! The nearby search: ordering and filters, input checks, haversine reference
//! values, the antimeridian and the poles.

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::*;

/// An independent haversine (R = 6371 km) for expected values.
fn haversine(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (p1, p2) = (a.0.to_radians(), b.0.to_radians());
    let h = ((p2 - p1) / 2.0).sin().powi(2)
        + p1.cos() * p2.cos() * ((b.1 - a.1).to_radians() / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

const JAKARTA: (f64, f64) = (-6.2088, 106.8456);

#[test]
fn nearby_search_orders_by_distance_and_filters() {
    let t = TestApp::new();
    let mut s = t.serve();
    let makeup = create_service(&s, "Makeup", 60, "500000");
    let ac = create_service(&s, "Cuci AC", 60, "150000");
    let near = create_provider(&s, "Dekat", -6.2100, 106.8500, &[&makeup, &ac]);
    let mid = create_provider(&s, "Sedang", -6.2500, 106.8000, &[&makeup]);
    let ac_only = create_provider(&s, "Teknisi", -6.3000, 106.9000, &[&ac]);
    let asleep = create_provider(&s, "Cuti", -6.2090, 106.8460, &[&makeup]);
    s.put(&at("/providers", &asleep), json!({"active": false}))
        .expect(200);
    let bandung = create_provider(&s, "Bandung", -6.9175, 107.6191, &[&makeup]);

    let q = |extra: &str| nearby(&s, &format!("lat={}&lng={}{extra}", JAKARTA.0, JAKARTA.1));
    let order = |found: &[(String, f64)]| found.iter().map(|(i, _)| i.clone()).collect::<Vec<_>>();
    let found = q("");
    assert_eq!(
        order(&found),
        [id(&near), id(&mid), id(&ac_only)],
        "default radius 25 km"
    );
    for ((_, d), place) in found.iter().zip([
        (-6.2100, 106.8500),
        (-6.2500, 106.8000),
        (-6.3000, 106.9000),
    ]) {
        let expected = haversine(JAKARTA, place);
        assert!((d - expected).abs() < 0.001 * expected, "{d} vs {expected}");
    }
    assert!(found.windows(2).all(|w| w[0].1 <= w[1].1));
    assert_eq!(
        order(&q(&format!("&service_id={}", id(&makeup)))),
        [id(&near), id(&mid)]
    );
    assert_eq!(
        order(&q(&format!("&service_id={}&radius_km=200", id(&ac)))),
        [id(&near), id(&ac_only)]
    );
    assert_eq!(order(&q("&radius_km=2")), [id(&near)]);
    assert_eq!(
        order(&q("&radius_km=200")),
        [id(&near), id(&mid), id(&ac_only), id(&bandung)]
    );
    assert_eq!(order(&q("&radius_km=200&limit=2")), [id(&near), id(&mid)]);
    assert_eq!(order(&q("&radius_km=200&limit=1")), [id(&near)]);
    let entry = s
        .get(&format!(
            "/providers/nearby?lat={}&lng={}&limit=1",
            JAKARTA.0, JAKARTA.1
        ))
        .expect(200);
    assert_eq!(entry["data"][0]["provider"]["name"], "Dekat");
    assert_eq!(
        entry["data"][0]["provider"]["whatsapp_number"],
        "6281234567890"
    );

    // next_slots: the provider's next free future slots (for the service, when given).
    let past = add_slot(&s, &near, &makeup, "2026-11-22T11:00");
    let taken = add_slot(&s, &near, &makeup, "2026-11-23T09:00");
    let ac_slot = add_slot(&s, &near, &ac, "2026-11-23T10:00");
    let s1 = add_slot(&s, &near, &makeup, "2026-11-23T11:00");
    let s2 = add_slot(&s, &near, &makeup, "2026-11-23T13:00");
    let s3 = add_slot(&s, &near, &makeup, "2026-11-24T09:00");
    add_slot(&s, &near, &makeup, "2026-11-24T11:00");
    add_slot(&s, &mid, &makeup, "2026-11-25T09:00");
    book(&s, &taken, "Sari", &phone(1)).expect(201);
    t.set_now(Utc.with_ymd_and_hms(2026, 11, 22, 4, 30, 0).unwrap()); // 11:30 Jakarta
    s.login("admin", PASSWORD).expect(200);
    let next = |extra: &str| -> Vec<Vec<String>> {
        let r = s
            .get(&format!(
                "/providers/nearby?lat={}&lng={}{extra}",
                JAKARTA.0, JAKARTA.1
            ))
            .expect(200);
        r["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                e["next_slots"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|sl| {
                        assert_eq!(sl["status"], "available");
                        sl["id"].as_str().unwrap().to_owned()
                    })
                    .collect()
            })
            .collect()
    };
    let with_service = next(&format!("&service_id={}", id(&makeup)));
    assert_eq!(with_service[0], [id(&s1), id(&s2), id(&s3)]);
    assert_eq!(with_service[1].len(), 1);
    let any = next("");
    assert_eq!(any[0], [id(&ac_slot), id(&s1), id(&s2)]);
    assert!(!any[0].contains(&id(&past).to_owned()));
    assert!(any[2].is_empty(), "no slots, still listed");
}

#[test]
fn nearby_search_validates_its_input() {
    let t = TestApp::new();
    let s = t.serve();
    for (q, field) in [
        ("lng=106.8", "lat"),
        ("lat=-6.2", "lng"),
        ("lat=91&lng=0", "lat"),
        ("lat=-90.5&lng=0", "lat"),
        ("lat=NaN&lng=0", "lat"),
        ("lat=utara&lng=0", "lat"),
        ("lat=0&lng=180.01", "lng"),
        ("lat=0&lng=-181", "lng"),
        ("lat=0&lng=inf", "lng"),
        ("lat=0&lng=0&radius_km=0", "radius_km"),
        ("lat=0&lng=0&radius_km=-5", "radius_km"),
        ("lat=0&lng=0&radius_km=20001", "radius_km"),
        ("lat=0&lng=0&radius_km=NaN", "radius_km"),
        ("lat=0&lng=0&limit=0", "limit"),
        ("lat=0&lng=0&limit=101", "limit"),
        ("lat=0&lng=0&limit=-1", "limit"),
        ("lat=0&lng=0&service_id=makeup", "service_id"),
    ] {
        s.get(&format!("/providers/nearby?{q}"))
            .expect_error(422, "validation", Some(field));
    }
    for q in [
        "lat=90&lng=180&radius_km=20000&limit=100",
        "lat=-90&lng=-180&limit=1",
    ] {
        s.get(&format!("/providers/nearby?{q}")).expect(200);
    }
}

#[test]
fn nearby_distances_match_haversine_reference_values() {
    let t = TestApp::new();
    let s = t.serve();
    type Point = (f64, f64);
    let cases: [(&str, Point, Point, f64); 7] = [
        ("Jakarta–Bandung", JAKARTA, (-6.9175, 107.6191), 116.236399),
        ("Jakarta–Surabaya", JAKARTA, (-7.2575, 112.7521), 662.571783),
        ("Jakarta–Denpasar", JAKARTA, (-8.6500, 115.2167), 962.013659),
        ("Singapore–Jakarta", (1.3521, 103.8198), JAKARTA, 905.354092),
        (
            "Medan–Jayapura",
            (3.5952, 98.6722),
            (-2.5337, 140.7181),
            4722.264827,
        ),
        (
            "Suva–Apia",
            (-18.1416, 178.4419),
            (-13.8333, -171.7667),
            1150.701977,
        ),
        ("near the pole", (89.9, 0.0), (89.9, 180.0), 22.238985),
    ];
    let providers: Vec<Value> = cases
        .iter()
        .map(|(name, _, to, _)| create_provider(&s, name, to.0, to.1, &[]))
        .collect();
    for ((name, from, to, reference), p) in cases.iter().zip(&providers) {
        assert!(
            (haversine(*from, *to) - reference).abs() < 1e-3,
            "the test's own haversine agrees with {name}"
        );
        let search = |radius: f64| {
            nearby(
                &s,
                &format!("lat={}&lng={}&radius_km={radius}&limit=100", from.0, from.1),
            )
        };
        let found = search(reference * 1.005);
        let (_, d) = found.iter().find(|(i, _)| i == id(p)).unwrap_or_else(|| {
            panic!(
                "{name}: not found within {} km: {found:?}",
                reference * 1.005
            )
        });
        assert!(
            (d - reference).abs() <= reference * 0.001,
            "{name}: {d} km, expected {reference} km"
        );
        assert!(
            !search(reference * 0.995).iter().any(|(i, _)| i == id(p)),
            "{name}: found outside the radius"
        );
    }
    // From Jakarta, the Indonesian cities in order of distance.
    let from_jakarta: Vec<String> = nearby(
        &s,
        &format!("lat={}&lng={}&radius_km=1000", JAKARTA.0, JAKARTA.1),
    )
    .into_iter()
    .map(|(i, _)| i)
    .collect();
    assert_eq!(
        from_jakarta,
        [
            id(&providers[3]),
            id(&providers[0]),
            id(&providers[1]),
            id(&providers[2])
        ]
    );
}

#[test]
fn nearby_search_wraps_around_the_antimeridian_and_over_the_poles() {
    let t = TestApp::new();
    let s = t.serve();
    let east = create_provider(&s, "Taveuni Timur", -16.5, -179.99, &[]);
    let west = create_provider(&s, "Taveuni Barat", -16.5, 179.99, &[]);
    let north = create_provider(&s, "Kutub Utara", 89.99, 180.0, &[]);
    let north_side = create_provider(&s, "Kutub Utara Samping", 89.99, -90.0, &[]);
    let south = create_provider(&s, "Kutub Selatan", -89.995, 135.0, &[]);
    let check = |from: (f64, f64), radius: f64, expected: &[(&Value, (f64, f64))]| {
        let found = nearby(
            &s,
            &format!("lat={}&lng={}&radius_km={radius}", from.0, from.1),
        );
        let want: Vec<&str> = expected.iter().map(|(p, _)| id(p)).collect();
        assert_eq!(
            found.iter().map(|(i, _)| i.as_str()).collect::<Vec<_>>(),
            want,
            "from {from:?} within {radius} km: {found:?}"
        );
        for ((_, d), (_, at)) in found.iter().zip(expected) {
            let e = haversine(from, *at);
            assert!((d - e).abs() <= e * 0.001 + 0.001, "{d} vs {e}");
        }
    };
    // 0.02° of longitude at 16.5° S is about 2.1 km, across the date line.
    let (e, w) = ((-16.5, -179.99), (-16.5, 179.99));
    check((-16.5, 179.995), 5.0, &[(&west, w), (&east, e)]);
    check(w, 5.0, &[(&west, w), (&east, e)]);
    check(e, 5.0, &[(&east, e), (&west, w)]);
    check((-16.5, -179.999), 1.5, &[(&east, e), (&west, w)]);
    check(w, 1.0, &[(&west, w)]);
    check((-16.5, 179.998), 1.5, &[(&west, w), (&east, e)]);
    // On the far side of the North Pole: 0.02° of latitude over the top.
    let (n, ns) = ((89.99, 180.0), (89.99, -90.0));
    check((89.99, 0.0), 5.0, &[(&north_side, ns), (&north, n)]);
    check((89.99, 0.0), 2.0, &[(&north_side, ns)]);
    check((89.995, 45.0), 5.0, &[(&north_side, ns), (&north, n)]);
    check((89.0, 0.0), 5.0, &[]);
    // And the South Pole.
    let sp = (-89.995, 135.0);
    check((-89.995, -45.0), 2.0, &[(&south, sp)]);
    check((-89.9, -45.0), 5.0, &[]);
}
