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

mod at_every_step;
mod odd_input;
mod whole_conversations;
