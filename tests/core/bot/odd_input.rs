//! Results out of turn, failed effects, odd input, and any sequence of messages.

use super::*;

#[test]
fn a_stale_result_changes_nothing() {
    let stale = [
        Event::BookResult(BookOutcome::Booked {
            code: "BK-2026-W999".into(),
        }),
        Event::BookResult(BookOutcome::SlotTaken),
        Event::CancelResult(CancelOutcome::Canceled),
        Event::CustomerFound(Some(KnownCustomer {
            name: "X".into(),
            language: Language::En,
        })),
        Event::ProvidersFound(vec![]),
        Event::FreeSlotsFound(vec![]),
        Event::UpcomingBookings(vec![]),
        Event::EffectFailed,
    ];
    for target in STEPS {
        for event in stale.clone() {
            let mut c = reach(target);
            let before = c.stored.clone();
            let turn = c.event(event.clone());
            assert!(
                turn.replies.is_empty() && turn.effects.is_empty(),
                "{target:?} {event:?}"
            );
            assert_eq!(c.stored, before, "{target:?} {event:?}");
        }
    }
    // Without a conversation: nothing, and still nothing.
    for event in stale {
        let turn = step(None, event, t0(), &BotSettings::default());
        assert_eq!(
            turn,
            Turn {
                conversation: None,
                replies: vec![],
                effects: vec![]
            }
        );
    }
    // Waiting for slots, a booking result is not what was asked for.
    let mut c = reach(Step::Service);
    let turn = c.event(Event::Inbound(Inbound::Text("1".into())));
    assert!(matches!(
        turn.effects.as_slice(),
        [Effect::FindFreeSlots { .. }]
    ));
    let turn = c.event(Event::BookResult(BookOutcome::Booked {
        code: "BK-1".into(),
    }));
    assert!(turn.replies.is_empty());
    assert!(
        turn.conversation.unwrap().is_waiting(),
        "still waiting for the slots"
    );
}

#[test]
fn a_failed_effect_is_told_and_the_answer_may_be_repeated() {
    let mut c = reach(Step::Confirm);
    c.world.fail_next = true;
    let text = c.say("YA");
    assert!(text.contains("gangguan"), "{text}");
    assert!(
        text.contains("Ketik *YA* untuk konfirmasi"),
        "the summary again: {text}"
    );
    assert_eq!(c.step_now(), Some(Step::Confirm));
    assert!(c.world.booked.is_empty());
    let done = c.say("YA");
    assert!(done.contains("BK-2026-W001"), "{done}");

    // A failed customer look-up: greeted as a new customer.
    let mut c = Chat::new(World::standard());
    c.world.fail_next = true;
    let greeting = c.say("halo");
    assert!(greeting.contains("Salon Cantik"), "{greeting}");
    assert_eq!(c.step_now(), Some(Step::Location));
}

#[test]
fn a_message_while_a_booking_is_under_way_does_not_lose_its_result() {
    let mut c = reach(Step::Confirm);
    let turn = c.event(Event::Inbound(Inbound::Text("YA".into())));
    assert!(matches!(turn.effects.as_slice(), [Effect::Book { .. }]));
    let wait = c.event(Event::Inbound(Inbound::Text("sudah?".into())));
    assert!(
        wait.replies[0].text.contains("Mohon tunggu"),
        "{:?}",
        wait.replies
    );
    let done = c.event(Event::BookResult(BookOutcome::Booked {
        code: "BK-2026-W042".into(),
    }));
    assert!(done.replies[0].text.contains("BK-2026-W042"));
    assert_eq!(done.conversation, None);
}

#[test]
fn long_and_odd_input_is_capped_where_it_is_echoed() {
    let mut c = reach(Step::Name);
    c.say(&"Sari ".repeat(5_000));
    c.say(&"Jalan ".repeat(10_000));
    let summary = c.say("ya ");
    let Some(Effect::Book { name, address, .. }) = c.last_effect() else {
        panic!("{summary}")
    };
    assert!(
        name.chars().count() <= 80 && address.chars().count() <= 300,
        "{name} / {address}"
    );
    assert!(name.starts_with("Sari Sari") && address.starts_with("Jalan Jalan"));

    let mut c = Chat::new(World::standard());
    c.say("halo");
    let area = c.say(&"Kebayoran ".repeat(3_000));
    assert!(area.chars().count() < 1_000, "{area}");
    let Some(Effect::FindProvidersInArea { text }) = c.last_effect() else {
        panic!()
    };
    assert!(text.chars().count() <= 100, "{text}");

    // The summary of the long name and address stays short.
    let mut c = reach(Step::Name);
    c.say(&"Sari ".repeat(5_000));
    let summary = c.say(&"Jalan ".repeat(10_000));
    assert_eq!(c.step_now(), Some(Step::Confirm));
    assert!(
        summary.chars().count() < 1_000,
        "{} characters",
        summary.chars().count()
    );
}

#[test]
fn a_pin_that_is_not_on_earth_is_not_searched() {
    for (lat, lng) in [
        (f64::NAN, 106.0),
        (-6.2, f64::INFINITY),
        (91.0, 0.0),
        (0.0, -181.0),
    ] {
        let mut c = reach(Step::Location);
        let text = c.pin((lat, lng), None);
        assert!(text.contains("tidak bisa kami baca"), "{text}");
        assert!(!matches!(
            c.last_effect(),
            Some(Effect::FindProvidersNear { .. })
        ));
        assert_eq!(c.step_now(), Some(Step::Location));
    }
}

#[test]
fn a_custom_greeting_replaces_the_first_line_only() {
    let mut c = Chat::new(World::standard());
    c.settings.greeting = Some("Selamat datang di Salon Cantik, salon nomor satu!".into());
    let text = c.say("halo");
    assert!(
        text.starts_with("Selamat datang di Salon Cantik, salon nomor satu!\n"),
        "{text}"
    );
    assert!(text.contains("lokasi"), "{text}");
}

#[test]
fn the_stored_conversation_is_plain_json_with_its_step() {
    let c = reach(Step::Slot);
    let json: serde_json::Value = serde_json::from_str(c.stored.as_deref().unwrap()).unwrap();
    assert_eq!(json["step"], "slot");
    assert_eq!(json["language"], "id");
}

// ---- any sequence of messages ------------------------------------------------------------

mod properties {
    use proptest::prelude::*;

    use super::*;

    fn message() -> impl Strategy<Value = Inbound> {
        let word = prop_oneof![
            Just("1".to_string()),
            Just("2".to_string()),
            Just("3".to_string()),
            Just("6".to_string()),
            Just("9".to_string()),
            Just("0".to_string()),
            Just("lagi".to_string()),
            Just("ya".to_string()),
            Just("YES".to_string()),
            Just("batal".to_string()),
            Just("menu".to_string()),
            Just("booking saya".to_string()),
            Just("english".to_string()),
            Just("indonesia".to_string()),
            Just("kemang".to_string()),
            Just("Sari Dewi".to_string()),
            Just("".to_string()),
            ".{0,300}".prop_map(String::from),
        ];
        prop_oneof![
            6 => word.prop_map(Inbound::Text),
            1 => (-100.0f64..100.0, -200.0f64..200.0, proptest::option::of(".{0,40}"))
                .prop_map(|(a, b, addr)| Inbound::Location { latitude: a, longitude: b, name: None, address: addr }),
            1 => Just(Inbound::Location { latitude: HOME.0, longitude: HOME.1, name: None, address: Some("Jl. Melati".into()) }),
            1 => (".{0,50}", ".{0,10}").prop_map(|(id, title)| Inbound::Choice { id, title }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// No sequence of messages panics; each gets a reply, numbered when
        /// it has choices, and leaves the conversation waiting for the
        /// customer (or ended); the conversation survives JSON every turn
        /// (all checked by the driver); a result nobody waits for, slipped
        /// in between, changes nothing.
        #[test]
        fn any_messages_get_replies(
            messages in proptest::collection::vec(message(), 1..40),
            minutes in proptest::collection::vec(0i64..45, 40),
            known in any::<bool>(),
            stale in proptest::collection::vec(proptest::option::of(0usize..8), 40),
        ) {
            let results = [
                Event::CustomerFound(None),
                Event::ProvidersFound(vec![]),
                Event::FreeSlotsFound(vec![]),
                Event::UpcomingBookings(vec![]),
                Event::BookResult(BookOutcome::Booked { code: "BK-X".into() }),
                Event::BookResult(BookOutcome::SlotTaken),
                Event::CancelResult(CancelOutcome::Canceled),
                Event::EffectFailed,
            ];
            let mut w = with_bookings(World::standard());
            if known {
                w.customer = Some(KnownCustomer { name: "Budi".into(), language: Language::En });
            }
            let mut c = Chat::new(w);
            for ((m, gap), stale) in messages.into_iter().zip(minutes).zip(stale) {
                c.now += Duration::minutes(gap);
                c.send(m);
                // A result nobody waits for (a retried or late one): ignored.
                if let Some(i) = stale {
                    let before = c.stored.clone();
                    let turn = c.event(results[i].clone());
                    prop_assert!(turn.replies.is_empty() && turn.effects.is_empty());
                    prop_assert_eq!(&c.stored, &before);
                }
                if let Some(conversation) = c.conversation() {
                    prop_assert!(!conversation.is_waiting());
                    prop_assert!(conversation.wrong_answers() < 3);
                }
            }
            // Whatever was asked for is consistent: the slot booked is one of
            // the provider's for that service, and slots are only asked for
            // services the provider offers.
            for effect in &c.effects {
                match effect {
                    Effect::Book { provider_id, service_id, slot_id, .. } => prop_assert!(
                        c.world.slots.iter().any(|(p, s, slot)| p == provider_id && s == service_id && slot.id == *slot_id),
                        "{:?}", effect
                    ),
                    Effect::FindFreeSlots { provider_id, service_id, .. } => prop_assert!(
                        c.world.places.iter().any(|p| p.provider.id == *provider_id
                            && p.provider.services.iter().any(|s| s.id == *service_id)),
                        "{:?}", effect
                    ),
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn a_slot_that_started_while_the_customer_typed_is_not_booked() {
    let mut w = World::standard();
    let (bp, bs) = (w.places[1].provider.id, w.places[1].provider.services[0].id);
    let soon = slot(t0() + Duration::minutes(20), 60);
    w.slots.push((bp, bs, soon.clone()));
    let mut c = Chat::new(w);
    c.say("halo");
    c.pin(HOME, Some("Jl. Melati 5"));
    c.say("2");
    let slots = c.say("1");
    assert!(slots.contains("1. 10:20–11:20"), "{slots}");
    c.say("1");
    c.say("Sari");
    c.now += Duration::minutes(25);
    c.say("1");
    c.now += Duration::minutes(1);
    let text = c.say("ya");
    assert!(text.contains("sudah tidak tersedia lagi"), "{text}");
    assert!(!text.contains("10:20"), "{text}");
    assert!(text.contains("1. 08:00–09:00"), "{text}");
    assert!(c.world.booked.is_empty());
    assert!(!c.effects.iter().any(|e| matches!(e, Effect::Book { .. })));
}

/// The per-turn check that choices are numbered does catch a reply whose
/// text does not number them (so its silence elsewhere means something).
#[test]
#[should_panic(expected = "choices numbered 1.")]
fn the_numbering_check_catches_unnumbered_choices() {
    check_numbered(&Reply {
        text: "Pilih:\n- Rina\n2. Budi".into(),
        options: vec![
            ReplyOption {
                id: "a".into(),
                title: "Rina".into(),
            },
            ReplyOption {
                id: "b".into(),
                title: "Budi".into(),
            },
        ],
        templated: None,
    });
}

#[test]
fn a_new_pin_while_choosing_searches_again_from_there() {
    for target in [Step::Provider, Step::Service, Step::Slot, Step::NoSlots] {
        let mut c = reach(target);
        let far = c.pin((-7.8, 110.36), None);
        assert!(
            far.contains("belum ada penyedia dalam radius"),
            "{target:?}: {far}"
        );
        assert_eq!(c.step_now(), Some(Step::Location), "{target:?}");
        let mut c = reach(target);
        let near = c.pin(HOME, None);
        assert!(
            near.contains("1. Rina Makeup — 1,2 km"),
            "{target:?}: {near}"
        );
        assert_eq!(c.step_now(), Some(Step::Provider), "{target:?}");
        assert_eq!(c.conversation().unwrap().wrong_answers(), 0);
    }
}
