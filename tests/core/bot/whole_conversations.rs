//! Whole conversations, from the first message to a booking or a cancellation.

use super::*;
use loket::messaging::templates::MessageKind;

#[test]
fn an_unknown_customer_books_from_a_location_pin() {
    let mut c = Chat::new(World::standard());
    let greeting = c.say("Selamat pagi");
    assert_eq!(c.effects, vec![Effect::LookUpCustomer]);
    assert!(greeting.contains("Salon Cantik"), "{greeting}");
    assert!(greeting.contains("lokasi"), "{greeting}");
    assert_eq!(c.step_now(), Some(Step::Location));

    let providers = c.pin(HOME, Some("Jl. Melati No. 5, Kebayoran Baru"));
    assert_eq!(
        c.last_effect(),
        Some(&Effect::FindProvidersNear {
            latitude: HOME.0,
            longitude: HOME.1,
            radius_km: 10.0
        })
    );
    // Nearest first, distance with a decimal comma, the services listed;
    // the one 50 km away is not offered.
    let rina = providers.find("1. Rina Makeup — 1,2 km").expect(&providers);
    let budi = providers
        .find("2. Budi Service AC — 3,4 km")
        .expect(&providers);
    let sari = providers.find("3. Sari Salon — 8,0 km").expect(&providers);
    assert!(rina < budi && budi < sari);
    assert!(
        providers.contains("Makeup Wisuda, Makeup Pengantin"),
        "{providers}"
    );
    assert!(!providers.contains("Bogor"), "{providers}");
    assert!(!providers.contains("lagi"), "no more to show: {providers}");

    let services = c.say("1");
    assert!(
        services.contains("1. Makeup Wisuda — Rp 150.000 · 90 menit"),
        "{services}"
    );
    assert!(
        services.contains("2. Makeup Pengantin — Rp 3.500.000 · 180 menit"),
        "{services}"
    );

    let slots = c.say("1");
    let Some(Effect::FindFreeSlots {
        provider_id,
        service_id,
        ..
    }) = c.last_effect().cloned()
    else {
        panic!("{:?}", c.effects)
    };
    assert_eq!(provider_id, c.world.places[0].provider.id);
    assert_eq!(service_id, c.world.places[0].provider.services[0].id);
    // Grouped by day in Jakarta time: Monday's four, then Tuesday's.
    let monday = slots.find("*Senin, 23 November 2026*").expect(&slots);
    let first = slots.find("1. 09:00–10:30").expect(&slots);
    let fourth = slots.find("4. 15:00–16:30").expect(&slots);
    let tuesday = slots.find("*Selasa, 24 November 2026*").expect(&slots);
    let fifth = slots.find("5. 09:00–10:30").expect(&slots);
    assert!(
        monday < first && first < fourth && fourth < tuesday && tuesday < fifth,
        "{slots}"
    );

    let name = c.say("2");
    assert!(name.contains("nama"), "{name}");
    let address = c.say("Sari Dewi");
    assert!(address.contains("alamat"), "{address}");
    assert!(
        address.contains("1. Jl. Melati No. 5, Kebayoran Baru"),
        "the pin's address is offered: {address}"
    );

    let summary = c.say("1");
    for part in [
        "Makeup Wisuda (90 menit)",
        "Rina Makeup",
        "Senin, 23 November 2026, 11:00–12:30",
        "Rp 150.000",
        "Nama: Sari Dewi",
        "Alamat: Jl. Melati No. 5, Kebayoran Baru",
        "ketik *YA* untuk konfirmasi",
    ] {
        assert!(
            summary.to_lowercase().contains(&part.to_lowercase()),
            "{part:?} in {summary}"
        );
    }

    let replies = c.send(Inbound::Text("ya".into()));
    let done = joined(&replies);
    let monday_11 = c.world.slots[1].2.id;
    assert_eq!(
        c.last_effect(),
        Some(&Effect::Book {
            provider_id,
            service_id,
            slot_id: monday_11,
            name: "Sari Dewi".into(),
            address: "Jl. Melati No. 5, Kebayoran Baru".into(),
            latitude: Some(HOME.0),
            longitude: Some(HOME.1),
            language: Language::Id,
        })
    );
    assert!(done.contains("BK-2026-W001"), "{done}");
    assert_eq!(c.stored, None, "the conversation ends with the booking");
    // The confirmation is also the business's `booking_confirmation`, with
    // the values its Meta template takes when it is sent late.
    let confirmation = replies
        .iter()
        .find_map(|r| r.templated.as_ref())
        .expect("the confirmation stands for a message kind");
    assert_eq!(confirmation.kind, MessageKind::BookingConfirmation);
    let vars: Vec<(&str, &str)> = confirmation
        .vars
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        vars,
        [
            ("address", "Jl. Melati No. 5, Kebayoran Baru"),
            ("amount", "Rp 150.000"),
            ("booking_code", "BK-2026-W001"),
            ("business_name", "Salon Cantik"),
            ("customer_name", "Sari Dewi"),
            ("date", "Senin, 23 November 2026"),
            ("provider", "Rina Makeup"),
            ("service", "Makeup Wisuda"),
            ("time", "11:00"),
        ]
    );
}

#[test]
fn a_known_customer_is_not_asked_their_name_and_is_answered_in_their_language() {
    let mut w = World::standard();
    w.customer = Some(KnownCustomer {
        name: "John Smith".into(),
        language: Language::En,
    });
    let mut c = Chat::new(w);
    let greeting = c.say("halo");
    assert!(
        greeting.contains("Hello John Smith! Welcome to Salon Cantik."),
        "{greeting}"
    );
    assert!(greeting.contains("location"), "{greeting}");
    let providers = c.pin(HOME, None);
    assert!(
        providers.contains("1. Rina Makeup — 1.2 km"),
        "a decimal point in English: {providers}"
    );
    let services = c.say("2");
    assert!(
        services.contains("1. Cuci AC — Rp 75.000 · 60 min"),
        "{services}"
    );
    let slots = c.say("1");
    assert!(slots.contains("*Monday, 23 November 2026*"), "{slots}");
    assert!(slots.contains("1. 08:00–09:00"), "{slots}");
    // Name known: straight to the address; the pin had none, so no default.
    let address = c.say("1");
    assert_eq!(c.step_now(), Some(Step::Address));
    assert!(address.contains("address"), "{address}");
    assert!(
        !address.contains("1."),
        "no default address without one: {address}"
    );
    let summary = c.say("Jl. Kemang Raya 10");
    assert!(summary.contains("Name: John Smith"), "{summary}");
    assert!(summary.contains("Type *YES* to confirm"), "{summary}");
    let done = c.say("Yes");
    assert!(done.contains("BK-2026-W001"), "{done}");
    let Some(Effect::Book {
        name,
        language,
        address,
        latitude,
        ..
    }) = c.last_effect()
    else {
        panic!()
    };
    assert_eq!((name.as_str(), *language), ("John Smith", Language::En));
    assert_eq!(address, "Jl. Kemang Raya 10");
    assert_eq!(
        *latitude,
        Some(HOME.0),
        "the shared pin goes with the booking"
    );
}

#[test]
fn the_first_message_may_already_be_the_location_pin() {
    let mut c = Chat::new(World::standard());
    let replies = c.send(Inbound::Location {
        latitude: HOME.0,
        longitude: HOME.1,
        name: Some("Rumah".into()),
        address: None,
    });
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert!(replies[0].text.contains("Salon Cantik"));
    assert!(replies[1].text.contains("1. Rina Makeup"));
    assert_eq!(c.step_now(), Some(Step::Provider));
    // The pin's name stands in for its missing address.
    c.say("1");
    c.say("1");
    c.say("1");
    let address = c.say("Sari");
    assert!(address.contains("1. Rumah"), "{address}");
}

#[test]
fn a_typed_area_finds_providers_there_and_a_miss_asks_for_a_pin() {
    let mut c = Chat::new(World::standard());
    c.say("halo");
    let found = c.say("kemang");
    assert_eq!(
        c.last_effect(),
        Some(&Effect::FindProvidersInArea {
            text: "kemang".into()
        })
    );
    assert!(found.contains("1. Budi Service AC"), "{found}");
    assert!(!found.contains(" km"), "no distance without a pin: {found}");
    assert_eq!(c.step_now(), Some(Step::Provider));

    let mut c = Chat::new(World::standard());
    c.say("halo");
    let missed = c.say("Surabaya Timur");
    assert!(missed.contains("Surabaya Timur"), "{missed}");
    assert!(missed.contains("lokasi"), "{missed}");
    assert!(missed.contains("pin"), "{missed}");
    assert_eq!(c.step_now(), Some(Step::Location));
    // A pin after that works as usual.
    assert!(c.pin(HOME, None).contains("1. Rina Makeup"));
}

#[test]
fn no_provider_in_range_asks_for_another_location() {
    let mut c = Chat::new(World::standard());
    c.say("halo");
    let far = c.pin((-7.8, 110.36), None); // Yogyakarta
    assert!(
        far.contains("belum ada penyedia dalam radius 10,0 km"),
        "{far}"
    );
    assert!(far.contains("lokasi"), "{far}");
    assert_eq!(c.step_now(), Some(Step::Location));
    assert!(c.pin(HOME, None).contains("1. Rina Makeup"));
}

#[test]
fn a_provider_without_free_slots_offers_another_service_or_provider() {
    let mut c = reach(Step::Provider);
    c.say("3");
    let none = c.say("1");
    assert_eq!(c.step_now(), Some(Step::NoSlots));
    assert!(
        none.contains("Sari Salon belum punya jadwal kosong untuk Creambath"),
        "{none}"
    );
    assert!(
        none.contains("1. Pilih layanan lain") && none.contains("2. Pilih penyedia lain"),
        "{none}"
    );
    let again = c.say("1");
    assert_eq!(c.step_now(), Some(Step::Service), "{again}");
    assert!(again.contains("1. Creambath"), "{again}");
    c.say("1");
    assert_eq!(c.step_now(), Some(Step::NoSlots));
    let providers = c.say("2");
    assert_eq!(c.step_now(), Some(Step::Provider));
    assert!(
        providers.contains("1. Rina Makeup"),
        "the providers found before: {providers}"
    );
    // And on from there to another provider's slots.
    c.say("2");
    let slots = c.say("1");
    assert!(slots.contains("1. 08:00–09:00"), "{slots}");
}

#[test]
fn lagi_pages_through_providers() {
    let mut c = Chat::new(World::many(12));
    c.say("halo");
    let replies = c.send(Inbound::Location {
        latitude: HOME.0,
        longitude: HOME.1,
        name: None,
        address: None,
    });
    let first = joined(&replies);
    assert!(first.contains("1. Penyedia 1 — 1,0 km"), "{first}");
    assert!(first.contains("5. Penyedia 5 — 5,0 km"), "{first}");
    assert!(first.contains("6. Lagi"), "{first}");
    assert!(!first.contains("Penyedia 6"), "five at a time: {first}");
    assert!(first.contains("lagi"), "{first}");
    assert_eq!(Chat::options_of(&replies).len(), 6);

    let second = c.say("lagi");
    assert!(second.contains("1. Penyedia 6 — 6,0 km"), "{second}");
    assert!(second.contains("4. Penyedia 9 — 9,0 km"), "{second}");
    assert!(
        !second.contains("Penyedia 11") && !second.contains("Penyedia 12"),
        "beyond 10 km: {second}"
    );
    assert!(!second.contains("Lagi"), "no more: {second}");
    // Numbers now refer to the page shown.
    let services = c.say("2");
    assert!(services.contains("Layanan dari Penyedia 7"), "{services}");
}

#[test]
fn lagi_also_works_as_the_numbered_choice_and_a_tap() {
    let mut c = Chat::new(World::many(8));
    c.say("halo");
    c.pin(HOME, None);
    let second = c.say("6");
    assert!(second.contains("1. Penyedia 6"), "{second}");
    let mut c = Chat::new(World::many(8));
    c.say("halo");
    c.pin(HOME, None);
    let second = joined(&c.send(Inbound::Choice {
        id: "more".into(),
        title: "Lagi".into(),
    }));
    assert!(second.contains("1. Penyedia 6"), "{second}");
}

#[test]
fn lagi_pages_through_slots() {
    let mut c = reach(Step::Provider);
    c.say("1");
    let replies = c.send(Inbound::Text("1".into()));
    let first = joined(&replies);
    assert!(first.contains("8. 15:00–16:30"), "{first}");
    assert!(first.contains("9. Lagi"), "{first}");
    assert!(
        !first.contains("Rabu"),
        "Wednesday is on the next page: {first}"
    );
    let second = c.say("LAGI");
    assert!(second.contains("*Rabu, 25 November 2026*"), "{second}");
    assert!(
        second.contains("1. 09:00–10:30") && second.contains("2. 11:00–12:30"),
        "{second}"
    );
    assert!(
        !second.contains("3."),
        "the past slot and the one beyond 7 days are not offered: {second}"
    );
    // The second page's "2" is Wednesday 11:00.
    c.say("2");
    c.say("Sari");
    c.say("1");
    c.say("ya");
    let Some(Effect::Book { slot_id, .. }) = c.last_effect() else {
        panic!()
    };
    assert_eq!(*slot_id, c.world.slots[9].2.id);
    // "lagi" past the last page is not a choice.
    let mut c = reach(Step::Slot);
    c.say("lagi");
    let past = c.say("lagi");
    assert!(past.contains("bukan salah satu pilihan"), "{past}");
}

#[test]
fn a_slot_taken_at_confirmation_offers_the_next_free_slots() {
    let mut c = reach(Step::Confirm);
    let chosen = c.world.slots[0].2.id; // Monday 09:00
    c.world.snatched.insert(chosen);
    let replies = c.send(Inbound::Text("YA".into()));
    let text = joined(&replies);
    assert!(text.contains("sudah tidak tersedia lagi"), "{text}");
    let Some(Effect::FindFreeSlots { .. }) = c.last_effect() else {
        panic!("{:?}", c.effects)
    };
    assert_eq!(c.step_now(), Some(Step::Slot));
    assert!(
        text.contains("*Senin, 23 November 2026*\n1. 11:00–12:30\n2. 13:00–14:30"),
        "the taken 09:00 is gone: {text}"
    );
    // Name and address are kept: the next slot goes straight to the summary.
    let summary = c.say("2");
    assert_eq!(c.step_now(), Some(Step::Confirm), "{summary}");
    assert!(
        summary.contains("13:00–14:30") && summary.contains("Sari Dewi"),
        "{summary}"
    );
    let done = c.say("y");
    assert!(done.contains("BK-2026-W001"), "{done}");
    assert_eq!(c.world.booked.len(), 1);
}

#[test]
fn booking_saya_lists_upcoming_bookings_and_cancels_a_pending_one() {
    let mut c = Chat::new(with_bookings(World::standard()));
    c.say("halo");
    let list = c.say("Booking saya");
    assert_eq!(c.last_effect(), Some(&Effect::ListUpcomingBookings));
    assert!(
        list.contains("- BK-2026-W007 · Makeup Wisuda · Selasa, 24 November 2026 09:00 · aktif"),
        "{list}"
    );
    assert!(
        list.contains(
            "1. BK-2026-W008 · Makeup Wisuda · Rabu, 25 November 2026 09:00 · menunggu pembayaran"
        ),
        "{list}"
    );
    assert!(
        !list.contains("2."),
        "only the pending one may be canceled: {list}"
    );
    let confirm = c.say("1");
    assert!(
        confirm.contains("Batalkan booking BK-2026-W008") && confirm.contains("Ketik *YA*"),
        "{confirm}"
    );
    let done = c.say("ya");
    assert_eq!(
        c.last_effect(),
        Some(&Effect::Cancel {
            booking_id: c.world.bookings[1].id
        })
    );
    assert_eq!(c.world.canceled, vec![c.world.bookings[1].id]);
    assert!(done.contains("BK-2026-W008 sudah dibatalkan"), "{done}");
    assert_eq!(c.stored, None);
}

#[test]
fn booking_saya_works_as_the_first_message_and_with_nothing_to_cancel() {
    let mut w = World::standard();
    w.customer = Some(KnownCustomer {
        name: "John".into(),
        language: Language::En,
    });
    w.bookings = vec![upcoming("BK-2026-001", 1, BookingStatus::Active, false)];
    let mut c = Chat::new(w);
    let list = c.say("my booking");
    assert_eq!(
        c.effects,
        vec![Effect::LookUpCustomer, Effect::ListUpcomingBookings]
    );
    assert!(
        list.contains("- BK-2026-001") && list.contains("confirmed"),
        "{list}"
    );
    assert!(list.contains("Type *menu*"), "{list}");
    assert_eq!(c.stored, None, "nothing to choose: the conversation ends");

    let mut c = Chat::new(World::standard());
    let none = c.say("booking saya");
    assert!(none.contains("belum punya booking"), "{none}");
}

#[test]
fn a_booking_no_longer_cancellable_is_said_so() {
    let mut c = reach(Step::ConfirmCancel);
    c.world.bookings[1].status = BookingStatus::Active; // confirmed meanwhile at the branch
    let text = c.say("YA");
    assert!(text.contains("tidak bisa dibatalkan"), "{text}");
    assert!(c.world.canceled.is_empty());
}

#[test]
fn english_and_back_to_indonesian_at_any_step() {
    let mut c = reach(Step::Service);
    let en = c.say("english");
    assert!(en.starts_with("Sure, let us continue in English."), "{en}");
    assert!(
        en.contains("Services by Rina Makeup:"),
        "the same question again, in English: {en}"
    );
    assert!(
        en.contains("1. Makeup Wisuda — Rp 150.000 · 90 min"),
        "{en}"
    );
    assert_eq!(c.step_now(), Some(Step::Service));
    assert_eq!(c.conversation().unwrap().language(), Language::En);
    c.say("1");
    c.say("1");
    let name = c.say("Bahasa");
    assert!(
        name.contains("Bahasa Indonesia") && name.contains("*nama*"),
        "{name}"
    );
    c.say("Sari");
    c.say("1");
    c.say("english");
    c.say("YES");
    let Some(Effect::Book { language, .. }) = c.last_effect() else {
        panic!()
    };
    assert_eq!(
        *language,
        Language::En,
        "the booking carries the language chosen"
    );
}

#[test]
fn an_interactive_choice_picks_by_id_and_a_stale_one_is_a_wrong_answer() {
    let mut c = reach(Step::Provider);
    let budi = c.world.places[1].provider.id;
    let services = joined(&c.send(Inbound::Choice {
        id: format!("p:{budi}"),
        title: "Budi".into(),
    }));
    assert!(
        services.contains("Layanan dari Budi Service AC"),
        "{services}"
    );
    let wrong = joined(&c.send(Inbound::Choice {
        id: format!("p:{budi}"),
        title: "Budi".into(),
    }));
    assert!(
        wrong.contains("bukan salah satu pilihan"),
        "a provider's id is not a service: {wrong}"
    );
    assert_eq!(c.step_now(), Some(Step::Service));
    // A typed title works too.
    let slots = c.say("cuci ac");
    assert!(slots.contains("1. 08:00–09:00"), "{slots}");
}
