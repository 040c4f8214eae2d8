//! The WhatsApp bot's conversation (`loket::bot`), through its public
//! interface only: a small driver answers the bot's effects from in-memory
//! providers, slots, customers and bookings, as head office will from
//! PostgreSQL, so whole conversations run without HTTP or SQL. The driver
//! keeps the conversation as JSON between events, as head office does, and
//! checks on every turn what must hold on every turn (see `Chat::event`).

use std::collections::HashSet;

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::support::bot::{
    BookOutcome, BotSettings, CancelOutcome, Conversation, Effect, Event, FreeSlot, Inbound,
    KnownCustomer, ProviderFound, Reply, ReplyOption, ServiceOffer, Step, Turn, UpcomingBooking,
    step,
};
use crate::support::{BookingId, BookingStatus, Language, Money, ProviderId, ServiceId, SlotId};

// ---- the world the driver answers from ----------------------------------------

/// Sunday 22 November 2026, 10:00 in Jakarta.
fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

/// `hour:minute` Jakarta time, `days` after 22 November 2026.
fn local(days: i64, hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, hour, minute, 0).unwrap() - Duration::hours(7)
        + Duration::days(days)
}

/// Where the customer shares their pin (Jakarta).
const HOME: (f64, f64) = (-6.2, 106.8166);

struct Place {
    provider: ProviderFound,
    latitude: f64,
    longitude: f64,
    area: &'static str,
}

struct World {
    places: Vec<Place>,
    /// provider, service, slot
    slots: Vec<(ProviderId, ServiceId, FreeSlot)>,
    customer: Option<KnownCustomer>,
    bookings: Vec<UpcomingBooking>,
    /// Slots someone else books just before this customer confirms.
    snatched: HashSet<SlotId>,
    taken: HashSet<SlotId>,
    booked: Vec<Effect>,
    canceled: Vec<BookingId>,
    /// The next effect fails once.
    fail_next: bool,
}

fn service(name: &str, rupiah: i64, minutes: u32) -> ServiceOffer {
    ServiceOffer {
        id: ServiceId::new(),
        name: name.into(),
        price: Money::from_rupiah(rupiah),
        duration_min: minutes,
    }
}

fn place(name: &str, north_km: f64, area: &'static str, services: Vec<ServiceOffer>) -> Place {
    Place {
        provider: ProviderFound {
            id: ProviderId::new(),
            name: name.into(),
            distance_km: None,
            services,
        },
        latitude: HOME.0 + north_km / 111.195,
        longitude: HOME.1,
        area,
    }
}

fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6371.0 * h.sqrt().asin()
}

impl World {
    /// Rina (1.2 km; two services, ten slots over three days for the first),
    /// Budi (3.4 km; one service, two slots), Sari (8 km; no free slot at
    /// all), and Bogor Beauty, 50 km away.
    fn standard() -> World {
        let rina = place(
            "Rina Makeup",
            1.2,
            "Kebayoran Baru",
            vec![
                service("Makeup Wisuda", 150_000, 90),
                service("Makeup Pengantin", 3_500_000, 180),
            ],
        );
        let budi = place(
            "Budi Service AC",
            3.4,
            "Kemang",
            vec![service("Cuci AC", 75_000, 60)],
        );
        let sari = place(
            "Sari Salon",
            8.0,
            "Cilandak",
            vec![service("Creambath", 120_000, 60)],
        );
        let bogor = place(
            "Bogor Beauty",
            50.0,
            "Bogor",
            vec![service("Facial", 200_000, 60)],
        );
        let mut slots = Vec::new();
        let (rp, rs) = (rina.provider.id, rina.provider.services[0].id);
        // Monday 09:00, 11:00, 13:00, 15:00; Tuesday the same; Wednesday 09:00, 11:00.
        for (day, hour) in [
            (1, 9),
            (1, 11),
            (1, 13),
            (1, 15),
            (2, 9),
            (2, 11),
            (2, 13),
            (2, 15),
            (3, 9),
            (3, 11),
        ] {
            slots.push((rp, rs, slot(local(day, hour, 0), 90)));
        }
        // One in the past and one beyond the week: never offered.
        slots.push((rp, rs, slot(t0() - Duration::hours(1), 90)));
        slots.push((rp, rs, slot(local(9, 9, 0), 90)));
        let (bp, bs) = (budi.provider.id, budi.provider.services[0].id);
        slots.push((bp, bs, slot(local(1, 8, 0), 60)));
        slots.push((bp, bs, slot(local(1, 10, 0), 60)));
        let (rp2, rs2) = (rina.provider.id, rina.provider.services[1].id);
        slots.push((rp2, rs2, slot(local(4, 7, 0), 180)));
        World {
            places: vec![rina, budi, sari, bogor],
            slots,
            customer: None,
            bookings: Vec::new(),
            snatched: HashSet::new(),
            taken: HashSet::new(),
            booked: Vec::new(),
            canceled: Vec::new(),
            fail_next: false,
        }
    }

    /// `n` providers 1 km, 2 km, … away, one service and one slot each.
    fn many(n: usize) -> World {
        let mut w = World::standard();
        w.places.clear();
        w.slots.clear();
        for i in 0..n {
            let p = place(
                &format!("Penyedia {}", i + 1),
                (i + 1) as f64,
                "Tebet",
                vec![service("Pijat", 100_000, 60)],
            );
            w.slots.push((
                p.provider.id,
                p.provider.services[0].id,
                slot(local(1, 9, 0), 60),
            ));
            w.places.push(p);
        }
        w
    }

    fn answer(&mut self, effect: &Effect, now: DateTime<Utc>) -> Event {
        if std::mem::take(&mut self.fail_next) {
            return Event::EffectFailed;
        }
        match effect {
            Effect::LookUpCustomer => Event::CustomerFound(self.customer.clone()),
            Effect::FindProvidersNear {
                latitude,
                longitude,
                radius_km,
            } => Event::ProvidersFound(
                self.places
                    .iter()
                    .filter_map(|p| {
                        let d = haversine_km((*latitude, *longitude), (p.latitude, p.longitude));
                        (d <= *radius_km).then(|| ProviderFound {
                            distance_km: Some(d),
                            ..p.provider.clone()
                        })
                    })
                    .collect(),
            ),
            Effect::FindProvidersInArea { text } => Event::ProvidersFound(
                self.places
                    .iter()
                    .filter(|p| p.area.to_lowercase().contains(&text.to_lowercase()))
                    .map(|p| p.provider.clone())
                    .collect(),
            ),
            Effect::FindFreeSlots {
                provider_id,
                service_id,
                from,
                to,
            } => {
                assert_eq!(
                    *to - *from,
                    Duration::days(7),
                    "slots are offered for the next 7 days"
                );
                assert_eq!(*from, now);
                // Every free slot, also the past one and the one beyond the
                // week: the bot must keep to the range itself.
                Event::FreeSlotsFound(
                    self.slots
                        .iter()
                        .filter(|(p, s, _)| p == provider_id && s == service_id)
                        .map(|(_, _, slot)| slot.clone())
                        .filter(|s| !self.taken.contains(&s.id))
                        .collect(),
                )
            }
            Effect::ListUpcomingBookings => Event::UpcomingBookings(self.bookings.clone()),
            Effect::Book { slot_id, .. } => {
                if self.snatched.remove(slot_id) {
                    self.taken.insert(*slot_id);
                    return Event::BookResult(BookOutcome::SlotTaken);
                }
                self.taken.insert(*slot_id);
                self.booked.push(effect.clone());
                Event::BookResult(BookOutcome::Booked {
                    code: format!("BK-2026-W{:03}", self.booked.len()),
                })
            }
            Effect::Cancel { booking_id } => {
                let ok = self.bookings.iter().any(|b| {
                    b.id == *booking_id && b.cancellable && b.status == BookingStatus::Pending
                });
                if ok {
                    self.canceled.push(*booking_id);
                    Event::CancelResult(CancelOutcome::Canceled)
                } else {
                    Event::CancelResult(CancelOutcome::NotCancellable)
                }
            }
        }
    }
}

fn slot(start: DateTime<Utc>, minutes: i64) -> FreeSlot {
    FreeSlot {
        id: SlotId::new(),
        starts_at: start,
        ends_at: start + Duration::minutes(minutes),
    }
}

// ---- the driver ------------------------------------------------------------------

struct Chat {
    world: World,
    settings: BotSettings,
    /// As head office keeps it: JSON, or nothing.
    stored: Option<String>,
    now: DateTime<Utc>,
    /// Every effect asked for, in order.
    effects: Vec<Effect>,
}

impl Chat {
    fn new(world: World) -> Chat {
        Chat {
            world,
            settings: BotSettings {
                business_name: "Salon Cantik".into(),
                greeting: None,
                radius_km: 10.0,
                time_zone: chrono_tz::Asia::Jakarta,
            },
            stored: None,
            now: t0(),
            effects: Vec::new(),
        }
    }

    fn conversation(&self) -> Option<Conversation> {
        self.stored
            .as_deref()
            .map(|json| serde_json::from_str(json).expect("the stored conversation reads back"))
    }

    fn step_now(&self) -> Option<Step> {
        self.conversation().map(|c| c.step())
    }

    /// One event through `step`, with the checks every turn must pass.
    fn event(&mut self, event: Event) -> Turn {
        let before = self.conversation();
        let turn = step(before, event, self.now, &self.settings);
        assert!(
            turn.effects.len() <= 1,
            "at most one effect per turn: {:?}",
            turn.effects
        );
        if let Some(c) = &turn.conversation {
            if !turn.effects.is_empty() {
                assert!(c.is_waiting(), "waits for the effect it asked for");
            }
        } else {
            assert!(
                turn.effects.is_empty(),
                "an ended conversation asks for nothing"
            );
        }
        for reply in &turn.replies {
            check_numbered(reply);
        }
        self.stored = turn
            .conversation
            .as_ref()
            .map(|c| serde_json::to_string(c).unwrap());
        assert_eq!(
            self.conversation(),
            turn.conversation,
            "the conversation survives JSON"
        );
        turn
    }

    /// A customer message, then every effect answered until the bot waits
    /// for the customer again. Returns all replies; there is always one.
    fn send(&mut self, message: Inbound) -> Vec<Reply> {
        let mut turn = self.event(Event::Inbound(message));
        let mut replies = std::mem::take(&mut turn.replies);
        while let Some(effect) = turn.effects.pop() {
            self.effects.push(effect.clone());
            let result = self.world.answer(&effect, self.now);
            turn = self.event(result);
            replies.append(&mut turn.replies);
        }
        assert!(!replies.is_empty(), "every message gets a reply");
        replies
    }

    fn say(&mut self, text: &str) -> String {
        let replies = self.send(Inbound::Text(text.into()));
        joined(&replies)
    }

    fn pin(&mut self, (latitude, longitude): (f64, f64), address: Option<&str>) -> String {
        joined(&self.send(Inbound::Location {
            latitude,
            longitude,
            name: None,
            address: address.map(String::from),
        }))
    }

    /// The options of the last reply that had any.
    fn options_of(replies: &[Reply]) -> Vec<String> {
        replies
            .iter()
            .rev()
            .find(|r| !r.options.is_empty())
            .map(|r| r.options.iter().map(|o| o.title.clone()).collect())
            .unwrap_or_default()
    }

    fn last_effect(&self) -> Option<&Effect> {
        self.effects.last()
    }
}

fn joined(replies: &[Reply]) -> String {
    replies
        .iter()
        .map(|r| r.text.as_str())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

/// A reply's options are numbered `1.` … in its text, in order, each on a
/// line of its own.
fn check_numbered(reply: &Reply) {
    let lines: Vec<&str> = reply.text.lines().collect();
    let numbered: Vec<usize> = lines
        .iter()
        .filter_map(|l| {
            let (n, rest) = l.split_once(". ")?;
            (!rest.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.parse().ok())
                .flatten()
        })
        .collect();
    let expected: Vec<usize> = (1..=reply.options.len()).collect();
    assert_eq!(
        numbered, expected,
        "choices numbered 1. … in order:\n{}",
        reply.text
    );
    for (i, o) in reply.options.iter().enumerate() {
        assert!(
            !o.id.is_empty() && !o.title.is_empty(),
            "option {} has an id and a title",
            i + 1
        );
        assert!(
            o.title.chars().count() <= 24,
            "a list row title fits WhatsApp: {:?}",
            o.title
        );
    }
}

// ---- getting to each step ---------------------------------------------------------

/// Every step a customer answers, and how to get there from nothing.
const STEPS: [Step; 10] = [
    Step::Location,
    Step::Provider,
    Step::Service,
    Step::Slot,
    Step::NoSlots,
    Step::Name,
    Step::Address,
    Step::Confirm,
    Step::Bookings,
    Step::ConfirmCancel,
];

fn upcoming(code: &str, days: i64, status: BookingStatus, cancellable: bool) -> UpcomingBooking {
    UpcomingBooking {
        id: BookingId::new(),
        code: code.into(),
        service: "Makeup Wisuda".into(),
        starts_at: local(days, 9, 0),
        status,
        cancellable,
    }
}

fn with_bookings(mut w: World) -> World {
    w.bookings = vec![
        upcoming("BK-2026-W007", 2, BookingStatus::Active, false),
        upcoming("BK-2026-W008", 3, BookingStatus::Pending, true),
    ];
    w
}

fn reach(target: Step) -> Chat {
    let mut c = Chat::new(with_bookings(World::standard()));
    c.say("halo");
    if target == Step::Bookings || target == Step::ConfirmCancel {
        c.say("booking saya");
        if target == Step::ConfirmCancel {
            c.say("1");
        }
        assert_eq!(c.step_now(), Some(target));
        return c;
    }
    let script: &[&str] = match target {
        Step::Location => &[],
        Step::Provider => &["@pin"],
        Step::Service => &["@pin", "1"],
        Step::Slot => &["@pin", "1", "1"],
        Step::NoSlots => &["@pin", "3", "1"],
        Step::Name => &["@pin", "1", "1", "1"],
        Step::Address => &["@pin", "1", "1", "1", "Sari Dewi"],
        Step::Confirm => &["@pin", "1", "1", "1", "Sari Dewi", "1"],
        _ => unreachable!(),
    };
    for s in script {
        if *s == "@pin" {
            c.pin(HOME, Some("Jl. Melati No. 5, Kebayoran Baru"));
        } else {
            c.say(s);
        }
    }
    assert_eq!(c.step_now(), Some(target));
    c
}

// ---- whole conversations -------------------------------------------------------------

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

    let done = c.say("ya");
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

// ---- at every step ---------------------------------------------------------------------

#[test]
fn a_wrong_answer_at_every_step_gets_the_choices_again() {
    for target in STEPS {
        for wrong in ["", "🙂🙂", "0", "99", "-1", "99999999999999999999999"] {
            let mut c = reach(target);
            let before = c.conversation().unwrap();
            let replies = c.send(Inbound::Text(wrong.into()));
            let again = joined(&replies);
            let after = c.conversation().unwrap();
            assert_eq!(after.step(), target, "{target:?} {wrong:?}: {again}");
            assert_eq!(after.wrong_answers(), 1, "{target:?} {wrong:?}");
            assert!(
                again.starts_with("Maaf, jawaban itu bukan salah satu pilihan."),
                "{target:?} {wrong:?}: {again}"
            );
            // The same question, with the same choices.
            let question = {
                let mut fresh = reach(target);
                fresh.stored = Some(serde_json::to_string(&before).unwrap());
                fresh.say("indonesia")
            };
            let question =
                question.trim_start_matches("Baik, kita lanjut dalam Bahasa Indonesia.\n");
            assert!(
                again.ends_with(question),
                "{target:?}: {again}\n---- expected the question:\n{question}"
            );
        }
    }
}

#[test]
fn batal_at_every_step_ends_the_conversation() {
    for target in STEPS {
        for word in ["batal", "Batal!", "CANCEL"] {
            let mut c = reach(target);
            let effects = c.effects.len();
            let text = c.say(word);
            assert_eq!(c.stored, None, "{target:?} {word}");
            assert!(text.contains("dihentikan"), "{target:?}: {text}");
            assert_eq!(
                c.effects.len(),
                effects,
                "nothing is booked or canceled: {target:?}"
            );
        }
    }
    // Also while the first look-up is under way, and as the first message.
    let mut c = Chat::new(World::standard());
    let text = c.say("batal");
    assert!(text.contains("dihentikan"), "{text}");
    assert_eq!(c.stored, None);
}

#[test]
fn menu_at_every_step_goes_back_to_the_greeting() {
    for target in STEPS {
        let mut c = reach(target);
        let text = c.say("Menu");
        assert_eq!(c.step_now(), Some(Step::Location), "{target:?}");
        assert!(
            text.contains("Salon Cantik") && text.contains("lokasi"),
            "{target:?}: {text}"
        );
        // Nothing chosen before is remembered: "1" is not a provider now.
        let wrong = c.say("1");
        assert!(
            wrong.contains("bukan salah satu pilihan"),
            "{target:?}: {wrong}"
        );
    }
}

#[test]
fn three_wrong_answers_in_a_row_go_back_to_the_menu() {
    let mut c = reach(Step::Slot);
    c.say("x");
    c.say("100");
    assert_eq!(c.conversation().unwrap().wrong_answers(), 2);
    let reset = c.say("🙂");
    assert!(
        reset.starts_with("Sepertinya kita belum nyambung"),
        "{reset}"
    );
    assert!(reset.contains("lokasi"), "the greeting again: {reset}");
    assert_eq!(c.step_now(), Some(Step::Location));
    assert_eq!(c.conversation().unwrap().wrong_answers(), 0);

    // A right answer in between starts the count again.
    let mut c = reach(Step::Provider);
    c.say("x");
    c.say("x");
    c.say("1");
    c.say("x");
    let still = c.say("x");
    assert_eq!(c.step_now(), Some(Step::Service), "{still}");
    assert_eq!(c.conversation().unwrap().wrong_answers(), 2);
}

#[test]
fn thirty_minutes_of_silence_start_the_conversation_again() {
    let mut c = reach(Step::Provider);
    c.now += Duration::minutes(29) + Duration::seconds(59);
    let services = c.say("1");
    assert!(services.contains("Layanan dari Rina Makeup"), "{services}");
    assert_eq!(c.conversation().unwrap().last_message_at(), c.now);

    c.now += Duration::minutes(30);
    let lookups = c
        .effects
        .iter()
        .filter(|e| **e == Effect::LookUpCustomer)
        .count();
    let restarted = c.say("1");
    assert!(restarted.contains("30 menit"), "{restarted}");
    assert!(
        restarted.contains("Salon Cantik") && restarted.contains("lokasi"),
        "{restarted}"
    );
    assert!(
        !restarted.contains("Jadwal"),
        "the old choice is not taken: {restarted}"
    );
    assert_eq!(c.step_now(), Some(Step::Location));
    assert_eq!(
        c.effects
            .iter()
            .filter(|e| **e == Effect::LookUpCustomer)
            .count(),
        lookups + 1,
        "looked up again"
    );
}

#[test]
fn a_timeout_keeps_the_language() {
    let mut c = reach(Step::Service);
    c.say("english");
    c.now += Duration::hours(2);
    let restarted = c.say("hello");
    assert!(
        restarted.contains("30 minutes") && restarted.contains("Welcome to Salon Cantik"),
        "{restarted}"
    );
}

// ---- results out of turn, failures, odd input ---------------------------------------

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
