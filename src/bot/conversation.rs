//! The transitions: [`step`] and the handlers of each [`Step`]. No I/O here
//! (see the module doc in `mod.rs`); what the customer typed is only ever
//! compared, parsed with checks, or echoed shortened by [`texts::cap`].

use chrono::{DateTime, Duration, Utc};

use super::texts::{self, cap};
use super::{
    BookOutcome, BotSettings, CancelOutcome, Conversation, Effect, Event, FreeSlot, Inbound,
    KnownCustomer, Pending, ProviderFound, Reply, ReplyOption, SharedLocation, Step, Turn,
    UpcomingBooking,
};
use crate::booking::bookings::BookingStatus;
use crate::kernel::types::Language;

/// Silence after which the next message starts a new conversation.
const TIMEOUT_MIN: i64 = 30;
/// Wrong answers in a row that send the customer back to the greeting.
const MAX_WRONG: u8 = 3;
const PROVIDERS_PER_PAGE: usize = 5;
const SLOTS_PER_PAGE: usize = 8;
/// How far ahead free slots are offered.
const SLOT_DAYS: i64 = 7;
// What is kept of a driver's answer, so the stored conversation stays small.
const MAX_PROVIDERS: usize = 50;
const MAX_SERVICES: usize = 20;
const MAX_SLOTS: usize = 200;
const MAX_BOOKINGS: usize = 20;
// Lengths of echoed or stored text, in characters.
const NAME_MAX: usize = 80;
const ADDRESS_MAX: usize = 300;
const AREA_MAX: usize = 100;
const ECHO_MAX: usize = 60;
const LABEL_MAX: usize = 60;
const CODE_MAX: usize = 40;
/// The first message, kept while the customer is looked up.
const HELD_MAX: usize = 200;
/// WhatsApp's limit for an interactive list row's title.
const TITLE_MAX: usize = 24;

const MORE: &str = "more";
const OTHER_SERVICE: &str = "other_service";
const OTHER_PROVIDER: &str = "other_provider";
const DEFAULT_ADDRESS: &str = "address";

/// Handles one event: the customer's message or the result of the effect the
/// conversation asked for. Never panics, whatever the input.
pub fn step(
    conversation: Option<Conversation>,
    event: Event,
    now: DateTime<Utc>,
    settings: &BotSettings,
) -> Turn {
    let mut m = Machine {
        settings,
        now,
        replies: Vec::new(),
        effects: Vec::new(),
    };
    let conversation = match event {
        Event::Inbound(message) => m.inbound(conversation, message),
        result => match conversation {
            Some(c) => m.result(c, result),
            None => None,
        },
    };
    Turn {
        conversation,
        replies: m.replies,
        effects: m.effects,
    }
}

/// One turn's output, and the settings and clock it runs with.
struct Machine<'a> {
    settings: &'a BotSettings,
    now: DateTime<Utc>,
    replies: Vec<Reply>,
    effects: Vec<Effect>,
}

/// What a text means when it is one of the words that work at any step.
enum Command {
    End,
    Menu,
    MyBookings,
    Language(Language),
}

impl Conversation {
    fn new(now: DateTime<Utc>, language: Language) -> Conversation {
        Conversation {
            step: Step::Start,
            pending: None,
            language,
            wrong_answers: 0,
            last_message_at: now,
            known_name: None,
            location: None,
            providers: Vec::new(),
            provider_offset: 0,
            provider: None,
            service: None,
            slots: Vec::new(),
            slot_offset: 0,
            slot: None,
            name: None,
            address: None,
            bookings: Vec::new(),
            booking_to_cancel: None,
        }
    }

    /// Back to the greeting: everything offered or chosen is forgotten; the
    /// language and the known customer stay.
    fn restart(&mut self) {
        let keep = Conversation {
            language: self.language,
            known_name: self.known_name.take(),
            last_message_at: self.last_message_at,
            ..Conversation::new(self.last_message_at, self.language)
        };
        *self = keep;
        self.step = Step::Location;
    }
}

impl Machine<'_> {
    fn say(&mut self, reply: Reply) {
        self.replies.push(reply);
    }

    fn say_text(&mut self, text: impl Into<String>) {
        self.replies.push(Reply {
            text: text.into(),
            options: Vec::new(),
        });
    }

    fn ask(&mut self, c: &mut Conversation, pending: Pending, effect: Effect) {
        c.pending = Some(pending);
        self.effects.push(effect);
    }

    // ---- the customer's messages ---------------------------------------------

    fn inbound(
        &mut self,
        conversation: Option<Conversation>,
        message: Inbound,
    ) -> Option<Conversation> {
        let conversation = match conversation {
            Some(c) if self.now - c.last_message_at >= Duration::minutes(TIMEOUT_MIN) => {
                self.say_text(texts::timed_out(c.language));
                return Some(self.open(c.language, message));
            }
            c => c,
        };
        let Some(mut c) = conversation else {
            return Some(self.open(Language::Id, message));
        };
        c.last_message_at = self.now;
        if c.step == Step::Start {
            // Still waiting for the look-up: the newest message is the first.
            return Some(self.open(c.language, message));
        }
        if let Inbound::Text(text) = &message
            && let Some(command) = command(text)
        {
            return self.command(c, command);
        }
        if matches!(c.pending, Some(Pending::Booking | Pending::Cancellation)) {
            // Its result must still be told; only a command interrupts it.
            self.say_text(texts::wait(c.language));
            return Some(c);
        }
        c.pending = None;
        self.answer(c, message)
    }

    /// A new conversation: look the customer up, then handle `first`.
    fn open(&mut self, language: Language, first: Inbound) -> Conversation {
        let mut c = Conversation::new(self.now, language);
        // Kept (in the stored JSON) until the look-up returns: only what can
        // be stored and read back, and not much of it.
        let first = match first {
            Inbound::Location {
                latitude,
                longitude,
                ..
            } if !valid_point(latitude, longitude) => None,
            Inbound::Location {
                latitude,
                longitude,
                name,
                address,
            } => Some(Inbound::Location {
                latitude: micro(latitude),
                longitude: micro(longitude),
                name: name.map(|n| cap(&n, ADDRESS_MAX)),
                address: address.map(|a| cap(&a, ADDRESS_MAX)),
            }),
            Inbound::Text(text) => Some(Inbound::Text(cap(&text, HELD_MAX))),
            Inbound::Choice { id, title } => Some(Inbound::Choice {
                id: cap(&id, HELD_MAX),
                title: cap(&title, HELD_MAX),
            }),
        };
        self.ask(&mut c, Pending::Customer { first }, Effect::LookUpCustomer);
        c
    }

    fn command(&mut self, mut c: Conversation, command: Command) -> Option<Conversation> {
        match command {
            Command::End => {
                self.say_text(texts::ended(c.language));
                None
            }
            Command::Menu => {
                c.restart();
                let reply = self.prompt(&mut c);
                self.say(reply);
                Some(c)
            }
            Command::MyBookings => {
                c.wrong_answers = 0;
                self.ask(&mut c, Pending::Bookings, Effect::ListUpcomingBookings);
                Some(c)
            }
            Command::Language(language) => {
                c.language = language;
                c.wrong_answers = 0;
                // A result still on its way is told in the new language.
                if c.pending.is_none() {
                    let reply = self.prompt(&mut c);
                    self.say(prefixed(texts::language_switched(language), reply));
                } else {
                    self.say_text(texts::language_switched(language));
                }
                Some(c)
            }
        }
    }

    /// An answer to what the current step asked.
    fn answer(&mut self, mut c: Conversation, message: Inbound) -> Option<Conversation> {
        if matches!(message, Inbound::Location { .. })
            && matches!(
                c.step,
                Step::Provider | Step::Service | Step::Slot | Step::NoSlots
            )
        {
            // A new pin while choosing: search again from there.
            c.restart();
            return self.location(c, message);
        }
        match c.step {
            Step::Start => Some(self.open(c.language, message)),
            Step::Location => self.location(c, message),
            Step::Provider | Step::Service | Step::Slot | Step::NoSlots | Step::Bookings => {
                let options = self.prompt(&mut c).options;
                match choose(&options, &message) {
                    Some(id) => self.chosen(c, &id),
                    None => self.wrong(c),
                }
            }
            Step::Name => match &message {
                Inbound::Text(t) if has_letters(t, 1) => {
                    c.name = Some(cap(t, NAME_MAX));
                    c.wrong_answers = 0;
                    Some(self.after_slot(c))
                }
                _ => self.wrong(c),
            },
            Step::Address => self.address(c, message),
            Step::Confirm => {
                if !is_yes(&message) {
                    return self.wrong(c);
                }
                self.book(c)
            }
            Step::ConfirmCancel => {
                let Some(booking) = c.booking_to_cancel.as_ref().filter(|_| is_yes(&message))
                else {
                    return self.wrong(c);
                };
                let booking_id = booking.id;
                c.wrong_answers = 0;
                self.ask(&mut c, Pending::Cancellation, Effect::Cancel { booking_id });
                Some(c)
            }
        }
    }

    fn location(&mut self, mut c: Conversation, message: Inbound) -> Option<Conversation> {
        match message {
            Inbound::Location {
                latitude,
                longitude,
                name,
                address,
            } => {
                if !valid_point(latitude, longitude) {
                    self.say_text(texts::bad_location(c.language));
                    return self.wrong(c);
                }
                let (latitude, longitude) = (micro(latitude), micro(longitude));
                c.location = Some(SharedLocation {
                    latitude,
                    longitude,
                    address: pin_address(address, name),
                });
                c.wrong_answers = 0;
                let radius_km = self.settings.radius_km;
                self.ask(
                    &mut c,
                    Pending::Providers { area: None },
                    Effect::FindProvidersNear {
                        latitude,
                        longitude,
                        radius_km,
                    },
                );
                Some(c)
            }
            Inbound::Text(text) if looks_like_area(&text) => {
                let text = cap(&text, AREA_MAX);
                c.location = None;
                c.wrong_answers = 0;
                self.ask(
                    &mut c,
                    Pending::Providers {
                        area: Some(text.clone()),
                    },
                    Effect::FindProvidersInArea { text },
                );
                Some(c)
            }
            _ => self.wrong(c),
        }
    }

    /// A numbered choice of the current step, by its option id.
    fn chosen(&mut self, mut c: Conversation, id: &str) -> Option<Conversation> {
        c.wrong_answers = 0;
        if id == MORE {
            match c.step {
                Step::Provider => c.provider_offset += PROVIDERS_PER_PAGE,
                _ => c.slot_offset += SLOTS_PER_PAGE,
            }
        } else if id == OTHER_SERVICE {
            c.step = Step::Service;
        } else if id == OTHER_PROVIDER {
            c.step = Step::Provider;
        } else if let Some(p) = id.strip_prefix("p:") {
            c.provider = c.providers.iter().find(|x| x.id.to_string() == p).cloned();
            c.service = None;
            c.step = Step::Service;
        } else if let Some(v) = id.strip_prefix("v:") {
            let service = c
                .provider
                .as_ref()
                .and_then(|p| p.services.iter().find(|x| x.id.to_string() == v).cloned());
            if let (Some(provider), Some(service)) = (&c.provider, service) {
                let effect = Effect::FindFreeSlots {
                    provider_id: provider.id,
                    service_id: service.id,
                    from: self.now,
                    to: self.now + Duration::days(SLOT_DAYS),
                };
                c.service = Some(service);
                self.ask(&mut c, Pending::Slots, effect);
                return Some(c);
            }
        } else if let Some(s) = id.strip_prefix("s:") {
            c.slot = c.slots.iter().find(|x| x.id.to_string() == s).cloned();
            return Some(self.after_slot(c));
        } else if let Some(b) = id.strip_prefix("b:") {
            c.booking_to_cancel = c.bookings.iter().find(|x| x.id.to_string() == b).cloned();
            c.step = Step::ConfirmCancel;
        }
        let reply = self.prompt(&mut c);
        self.say(reply);
        Some(c)
    }

    /// After a slot is chosen: the name if unknown, the address, the summary.
    fn after_slot(&mut self, mut c: Conversation) -> Conversation {
        if c.name.is_none() {
            c.name = c.known_name.clone();
        }
        c.step = if c.name.is_none() {
            Step::Name
        } else if c.address.is_none() {
            Step::Address
        } else {
            Step::Confirm
        };
        let reply = self.prompt(&mut c);
        self.say(reply);
        c
    }

    fn address(&mut self, mut c: Conversation, message: Inbound) -> Option<Conversation> {
        let options = self.prompt(&mut c).options;
        let address = match (choose(&options, &message), message) {
            (Some(_), _) => c.location.as_ref().and_then(|l| l.address.clone()),
            (None, Inbound::Text(t)) if has_letters(&t, 1) && t.trim().chars().count() >= 3 => {
                Some(cap(&t, ADDRESS_MAX))
            }
            (
                None,
                Inbound::Location {
                    latitude,
                    longitude,
                    name,
                    address,
                },
            ) if valid_point(latitude, longitude) => {
                let address = pin_address(address, name);
                if address.is_some() {
                    c.location = Some(SharedLocation {
                        latitude: micro(latitude),
                        longitude: micro(longitude),
                        address: address.clone(),
                    });
                }
                address
            }
            _ => None,
        };
        let Some(address) = address else {
            return self.wrong(c);
        };
        c.address = Some(address);
        c.wrong_answers = 0;
        c.step = Step::Confirm;
        let reply = self.prompt(&mut c);
        self.say(reply);
        Some(c)
    }

    fn book(&mut self, mut c: Conversation) -> Option<Conversation> {
        if c.slot.as_ref().is_some_and(|s| s.starts_at <= self.now) {
            // Offered a while ago and started since: as good as taken.
            return self.booked(c, BookOutcome::SlotTaken);
        }
        let effect = match (&c.provider, &c.service, &c.slot, &c.name, &c.address) {
            (Some(p), Some(v), Some(s), Some(name), Some(address)) => Effect::Book {
                provider_id: p.id,
                service_id: v.id,
                slot_id: s.id,
                name: name.clone(),
                address: address.clone(),
                latitude: c.location.as_ref().map(|l| l.latitude),
                longitude: c.location.as_ref().map(|l| l.longitude),
                language: c.language,
            },
            _ => return Some(self.menu(c)),
        };
        c.wrong_answers = 0;
        self.ask(&mut c, Pending::Booking, effect);
        Some(c)
    }

    /// Not one of the choices: the choices again, or the greeting after
    /// [`MAX_WRONG`] in a row.
    fn wrong(&mut self, mut c: Conversation) -> Option<Conversation> {
        c.wrong_answers = c.wrong_answers.saturating_add(1);
        if c.wrong_answers >= MAX_WRONG {
            c.restart();
            let reply = self.prompt(&mut c);
            self.say(prefixed(texts::back_to_menu(c.language), reply));
            return Some(c);
        }
        let reply = self.prompt(&mut c);
        self.say(prefixed(texts::not_a_choice(c.language), reply));
        Some(c)
    }

    /// The greeting, with everything forgotten (also when the stored
    /// conversation is inconsistent).
    fn menu(&mut self, mut c: Conversation) -> Conversation {
        c.restart();
        let reply = self.prompt(&mut c);
        self.say(reply);
        c
    }

    // ---- the results of effects ----------------------------------------------

    fn result(&mut self, mut c: Conversation, event: Event) -> Option<Conversation> {
        let Some(pending) = c.pending.take() else {
            return Some(c); // stale: nothing was asked for
        };
        match (pending, event) {
            (Pending::Customer { first }, Event::CustomerFound(found)) => {
                self.opened(c, found, first)
            }
            (Pending::Customer { first }, Event::EffectFailed) => self.opened(c, None, first),
            (Pending::Providers { area }, Event::ProvidersFound(found)) => {
                Some(self.providers(c, area, found))
            }
            (Pending::Slots, Event::FreeSlotsFound(found)) => Some(self.slots(c, found)),
            (Pending::Bookings, Event::UpcomingBookings(found)) => self.bookings(c, found),
            (Pending::Booking, Event::BookResult(outcome)) => self.booked(c, outcome),
            (Pending::Cancellation, Event::CancelResult(outcome)) => {
                let code = c
                    .booking_to_cancel
                    .as_ref()
                    .map(|b| cap(&b.code, CODE_MAX))
                    .unwrap_or_default();
                self.say_text(match outcome {
                    CancelOutcome::Canceled => texts::canceled(c.language, &code),
                    CancelOutcome::NotCancellable => texts::not_cancellable(c.language, &code),
                });
                None
            }
            (_, Event::EffectFailed) => {
                let reply = self.prompt(&mut c);
                self.say(prefixed(texts::trouble(c.language), reply));
                Some(c)
            }
            (pending, _) => {
                // Not the result asked for: stale, changes nothing.
                c.pending = Some(pending);
                Some(c)
            }
        }
    }

    fn opened(
        &mut self,
        mut c: Conversation,
        found: Option<KnownCustomer>,
        first: Option<Inbound>,
    ) -> Option<Conversation> {
        if let Some(k) = found {
            c.language = k.language;
            c.known_name = Some(cap(&k.name, NAME_MAX)).filter(|n| !n.is_empty());
        }
        c.step = Step::Location;
        match first {
            Some(Inbound::Text(text)) => match command(&text) {
                Some(command @ (Command::End | Command::MyBookings | Command::Language(_))) => {
                    self.command(c, command)
                }
                _ => Some(self.menu(c)),
            },
            Some(location @ Inbound::Location { .. }) => {
                let c = self.menu(c);
                self.location(c, location)
            }
            _ => Some(self.menu(c)),
        }
    }

    fn providers(
        &mut self,
        mut c: Conversation,
        area: Option<String>,
        found: Vec<ProviderFound>,
    ) -> Conversation {
        let radius = self.settings.radius_km;
        let mut list: Vec<ProviderFound> = Vec::new();
        for mut p in found {
            if list.iter().any(|x| x.id == p.id) {
                continue;
            }
            p.distance_km = p
                .distance_km
                .filter(|d| d.is_finite() && *d >= 0.0)
                .map(|d| (d * 1000.0).round() / 1000.0);
            if area.is_none() && p.distance_km.is_some_and(|d| d > radius) {
                continue;
            }
            p.name = cap(&p.name, LABEL_MAX);
            p.services.truncate(MAX_SERVICES);
            for s in &mut p.services {
                s.name = cap(&s.name, LABEL_MAX);
            }
            if !p.services.is_empty() {
                list.push(p);
            }
        }
        list.sort_by(|a, b| {
            let key = |d: Option<f64>| d.unwrap_or(f64::INFINITY);
            key(a.distance_km)
                .total_cmp(&key(b.distance_km))
                .then_with(|| a.name.cmp(&b.name))
        });
        list.truncate(MAX_PROVIDERS);
        if list.is_empty() {
            let lang = c.language;
            self.say_text(match area {
                None => texts::no_providers_near(lang, radius),
                Some(area) => texts::no_providers_in_area(lang, &cap(&area, ECHO_MAX)),
            });
            c.step = Step::Location;
            return c;
        }
        c.providers = list;
        c.provider_offset = 0;
        c.provider = None;
        c.service = None;
        c.step = Step::Provider;
        let reply = self.prompt(&mut c);
        self.say(reply);
        c
    }

    fn slots(&mut self, mut c: Conversation, found: Vec<FreeSlot>) -> Conversation {
        let mut list: Vec<FreeSlot> = Vec::new();
        for s in found {
            if s.starts_at >= self.now
                && s.starts_at < self.now + Duration::days(SLOT_DAYS)
                && s.ends_at >= s.starts_at
                && !list.iter().any(|x| x.id == s.id)
            {
                list.push(s);
            }
        }
        list.sort_by_key(|s| (s.starts_at, s.id));
        list.truncate(MAX_SLOTS);
        c.slots = list;
        c.slot_offset = 0;
        c.slot = None;
        c.step = if c.slots.is_empty() {
            Step::NoSlots
        } else {
            Step::Slot
        };
        let reply = self.prompt(&mut c);
        self.say(reply);
        c
    }

    fn bookings(
        &mut self,
        mut c: Conversation,
        found: Vec<UpcomingBooking>,
    ) -> Option<Conversation> {
        let mut list = found;
        list.sort_by_key(|b| (b.starts_at, b.id));
        list.truncate(MAX_BOOKINGS);
        if list.is_empty() {
            self.say_text(texts::no_bookings(c.language));
            return None;
        }
        c.bookings = list;
        c.booking_to_cancel = None;
        if !c.bookings.iter().any(cancellable) {
            let lang = c.language;
            let mut text = texts::bookings_header(lang).to_string();
            for b in &c.bookings {
                text.push_str(&format!("\n- {}", self.booking_line(b, lang)));
            }
            text.push('\n');
            text.push_str(texts::nothing_to_cancel(lang));
            self.say_text(text);
            return None;
        }
        c.step = Step::Bookings;
        c.wrong_answers = 0;
        let reply = self.prompt(&mut c);
        self.say(reply);
        Some(c)
    }

    fn booked(&mut self, mut c: Conversation, outcome: BookOutcome) -> Option<Conversation> {
        match outcome {
            BookOutcome::Booked { code } => {
                let when = c
                    .slot
                    .as_ref()
                    .map(|s| {
                        texts::when(s.starts_at, s.ends_at, self.settings.time_zone, c.language)
                    })
                    .unwrap_or_default();
                self.say_text(texts::booked(c.language, &cap(&code, CODE_MAX), &when));
                None
            }
            BookOutcome::SlotTaken => {
                self.say_text(texts::slot_taken(c.language));
                let taken = c.slot.take().map(|s| s.id);
                c.slots.retain(|s| Some(s.id) != taken);
                match (&c.provider, &c.service) {
                    (Some(p), Some(v)) => {
                        let effect = Effect::FindFreeSlots {
                            provider_id: p.id,
                            service_id: v.id,
                            from: self.now,
                            to: self.now + Duration::days(SLOT_DAYS),
                        };
                        c.step = Step::Slot;
                        self.ask(&mut c, Pending::Slots, effect);
                        Some(c)
                    }
                    _ => Some(self.menu(c)),
                }
            }
        }
    }

    // ---- what each step asks -------------------------------------------------

    /// The question of the current step, with its numbered choices. A
    /// conversation whose stored state does not fit its step (hand-edited
    /// JSON, an older shape) goes back to the greeting.
    fn prompt(&self, c: &mut Conversation) -> Reply {
        match self.try_prompt(c) {
            Some(reply) => reply,
            None => {
                c.restart();
                self.greeting(c)
            }
        }
    }

    fn greeting(&self, c: &Conversation) -> Reply {
        Reply {
            text: texts::greeting(
                c.language,
                &self.settings.business_name,
                self.settings.greeting.as_deref(),
                c.known_name.as_deref(),
            ),
            options: Vec::new(),
        }
    }

    fn try_prompt(&self, c: &Conversation) -> Option<Reply> {
        let lang = c.language;
        let tz = self.settings.time_zone;
        Some(match c.step {
            Step::Start | Step::Location => self.greeting(c),
            Step::Provider => {
                let near = c.location.is_some();
                let page = c.providers.get(c.provider_offset..)?;
                if page.is_empty() {
                    return None;
                }
                let mut r = Numbered::new(texts::providers_header(lang, near));
                for p in page.iter().take(PROVIDERS_PER_PAGE) {
                    let mut line = p.name.clone();
                    if let Some(d) = p.distance_km {
                        line.push_str(&format!(" — {}", texts::km(d, lang)));
                    }
                    let services: Vec<&str> = p.services.iter().map(|s| s.name.as_str()).collect();
                    line.push_str(&format!(
                        "\n   {}: {}",
                        texts::services_label(lang),
                        services.join(", ")
                    ));
                    r.item(format!("p:{}", p.id), &p.name, &line);
                }
                if page.len() > PROVIDERS_PER_PAGE {
                    r.more(lang);
                }
                r.line(texts::pick_provider(lang));
                r.reply()
            }
            Step::Service => {
                let p = c.provider.as_ref()?;
                if p.services.is_empty() {
                    return None;
                }
                let mut r = Numbered::new(&texts::services_header(lang, &p.name));
                for s in &p.services {
                    let line = format!(
                        "{} — {} · {}",
                        s.name,
                        texts::price(s.price),
                        texts::minutes(s.duration_min, lang)
                    );
                    r.item(format!("v:{}", s.id), &s.name, &line);
                }
                r.line(texts::pick_service(lang));
                r.reply()
            }
            Step::Slot => {
                let (p, v) = (c.provider.as_ref()?, c.service.as_ref()?);
                let page = c.slots.get(c.slot_offset..)?;
                if page.is_empty() {
                    return None;
                }
                let mut r = Numbered::new(&texts::slots_header(lang, &p.name, &v.name));
                let mut day = None;
                for s in page.iter().take(SLOTS_PER_PAGE) {
                    let start = s.starts_at.with_timezone(&tz);
                    let end = s.ends_at.with_timezone(&tz);
                    if day != Some(start.date_naive()) {
                        day = Some(start.date_naive());
                        r.line(&format!("*{}*", texts::day(start.date_naive(), lang)));
                    }
                    let line = format!("{}–{}", start.format("%H:%M"), end.format("%H:%M"));
                    let title = format!("{} {}", start.format("%d/%m"), start.format("%H:%M"));
                    r.item(format!("s:{}", s.id), &title, &line);
                }
                if page.len() > SLOTS_PER_PAGE {
                    r.more(lang);
                }
                r.line(texts::pick_slot(lang));
                r.reply()
            }
            Step::NoSlots => {
                let (p, v) = (c.provider.as_ref()?, c.service.as_ref()?);
                let mut r = Numbered::new(&texts::no_slots(lang, &p.name, &v.name));
                r.item(
                    OTHER_SERVICE.into(),
                    texts::other_service(lang),
                    texts::other_service(lang),
                );
                if !c.providers.is_empty() {
                    r.item(
                        OTHER_PROVIDER.into(),
                        texts::other_provider(lang),
                        texts::other_provider(lang),
                    );
                }
                r.line(texts::pick_one(lang));
                r.reply()
            }
            Step::Name => Reply {
                text: texts::ask_name(lang).into(),
                options: Vec::new(),
            },
            Step::Address => {
                let default = c.location.as_ref().and_then(|l| l.address.as_deref());
                let mut r = Numbered::new(texts::ask_address(lang, default.is_some()));
                if let Some(a) = default {
                    r.item(DEFAULT_ADDRESS.into(), a, a);
                }
                r.reply()
            }
            Step::Confirm => {
                let (p, v, s) = (c.provider.as_ref()?, c.service.as_ref()?, c.slot.as_ref()?);
                let summary = texts::Summary {
                    service: &v.name,
                    duration_min: v.duration_min,
                    price: v.price,
                    provider: &p.name,
                    when: texts::when(s.starts_at, s.ends_at, tz, lang),
                    name: c.name.as_deref()?,
                    address: c.address.as_deref()?,
                };
                Reply {
                    text: texts::summary(lang, &summary),
                    options: Vec::new(),
                }
            }
            Step::Bookings => {
                let mut r = Numbered::new(texts::bookings_header(lang));
                for b in c.bookings.iter().filter(|b| !cancellable(b)) {
                    r.line(&format!("- {}", self.booking_line(b, lang)));
                }
                r.line(texts::cancellable_header(lang));
                for b in c.bookings.iter().filter(|b| cancellable(b)) {
                    r.item(format!("b:{}", b.id), &b.code, &self.booking_line(b, lang));
                }
                if r.options.is_empty() {
                    return None;
                }
                r.line(texts::pick_cancel(lang));
                r.reply()
            }
            Step::ConfirmCancel => {
                let b = c.booking_to_cancel.as_ref()?;
                Reply {
                    text: texts::confirm_cancel(lang, &self.booking_line(b, lang)),
                    options: Vec::new(),
                }
            }
        })
    }

    fn booking_line(&self, b: &UpcomingBooking, lang: Language) -> String {
        let start = b.starts_at.with_timezone(&self.settings.time_zone);
        format!(
            "{} · {} · {} {} · {}",
            cap(&b.code, CODE_MAX),
            cap(&b.service, LABEL_MAX),
            texts::day(start.date_naive(), lang),
            start.format("%H:%M"),
            texts::status(b.status, lang)
        )
    }
}

/// Builds a reply whose choices are numbered `1.` … in the text, in the order
/// of its options.
struct Numbered {
    text: String,
    options: Vec<ReplyOption>,
}

impl Numbered {
    fn new(head: &str) -> Numbered {
        Numbered {
            text: head.to_string(),
            options: Vec::new(),
        }
    }

    fn line(&mut self, line: &str) {
        self.text.push('\n');
        self.text.push_str(line);
    }

    fn item(&mut self, id: String, title: &str, line: &str) {
        let n = self.options.len() + 1;
        self.text.push_str(&format!("\n{n}. {line}"));
        self.options.push(ReplyOption {
            id,
            title: cap(title, TITLE_MAX),
        });
    }

    /// The last choice of a page with more after it ("lagi"), and the hint.
    fn more(&mut self, lang: Language) {
        self.item(
            MORE.into(),
            texts::more_title(lang),
            texts::more_title(lang),
        );
        self.line(texts::more_hint(lang));
    }

    fn reply(self) -> Reply {
        Reply {
            text: self.text,
            options: self.options,
        }
    }
}

fn prefixed(line: &str, reply: Reply) -> Reply {
    Reply {
        text: format!("{line}\n{}", reply.text),
        options: reply.options,
    }
}

fn cancellable(b: &UpcomingBooking) -> bool {
    b.cancellable && b.status == BookingStatus::Pending
}

/// Lower case, single spaces, without the punctuation people add around a
/// word or number ("Ya!", "2.", "*menu*").
fn normalize(text: &str) -> String {
    let lower = text.to_lowercase();
    let trimmed = lower.trim_matches(|c: char| c.is_whitespace() || ".,!?*#()\"':;_~".contains(c));
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn command(text: &str) -> Option<Command> {
    Some(match normalize(text).as_str() {
        "batal" | "cancel" | "stop" | "berhenti" => Command::End,
        "menu" | "mulai" | "halo" | "hallo" | "hai" | "hi" | "hello" | "start" => Command::Menu,
        "booking saya" | "my booking" | "my bookings" => Command::MyBookings,
        "english" | "inggris" | "bahasa inggris" => Command::Language(Language::En),
        "indonesia" | "bahasa" | "bahasa indonesia" | "indonesian" => {
            Command::Language(Language::Id)
        }
        _ => return None,
    })
}

fn is_yes(message: &Inbound) -> bool {
    match message {
        Inbound::Text(t) => matches!(normalize(t).as_str(), "ya" | "yes" | "y" | "iya"),
        Inbound::Choice { id, .. } => id == "yes",
        Inbound::Location { .. } => false,
    }
}

/// A typed number (1-based) of a numbered choice.
fn number(text: &str) -> Option<usize> {
    let t = normalize(text);
    if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The option the customer picked: a typed number, a tapped choice, a typed
/// title, or "lagi"/"more" when more are offered.
fn choose(options: &[ReplyOption], message: &Inbound) -> Option<String> {
    match message {
        Inbound::Text(text) => {
            if let Some(n) = number(text) {
                return n
                    .checked_sub(1)
                    .and_then(|i| options.get(i))
                    .map(|o| o.id.clone());
            }
            let t = normalize(text);
            if matches!(t.as_str(), "lagi" | "more" | "next") {
                return options.iter().find(|o| o.id == MORE).map(|o| o.id.clone());
            }
            options
                .iter()
                .find(|o| !t.is_empty() && normalize(&o.title) == t)
                .map(|o| o.id.clone())
        }
        Inbound::Choice { id, .. } => match options.iter().find(|o| &o.id == id) {
            Some(o) => Some(o.id.clone()),
            None => number(id)
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| options.get(i))
                .map(|o| o.id.clone()),
        },
        Inbound::Location { .. } => None,
    }
}

fn has_letters(text: &str, n: usize) -> bool {
    text.chars().filter(|c| c.is_alphabetic()).count() >= n
}

/// A typed area: some letters, or a five-digit postal code.
fn looks_like_area(text: &str) -> bool {
    let t = text.trim();
    has_letters(t, 2) || (t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()))
}

fn valid_point(latitude: f64, longitude: f64) -> bool {
    latitude.is_finite()
        && longitude.is_finite()
        && (-90.0..=90.0).contains(&latitude)
        && (-180.0..=180.0).contains(&longitude)
}

/// Degrees to the microdegree (about 10 cm), as the desk keeps providers'
/// coordinates: a short decimal that reads back from JSON to the same `f64`.
fn micro(degrees: f64) -> f64 {
    (degrees * 1e6).round() / 1e6
}

/// The address a pin carries (its name when it has no address).
fn pin_address(address: Option<String>, name: Option<String>) -> Option<String> {
    address
        .into_iter()
        .chain(name)
        .map(|a| cap(&a, ADDRESS_MAX))
        .find(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_numbers_are_read_with_the_punctuation_people_add() {
        assert_eq!(number("2"), Some(2));
        assert_eq!(number(" 2. "), Some(2));
        assert_eq!(number("#3)"), Some(3));
        assert_eq!(number("10"), Some(10));
        assert_eq!(number("99999"), None);
        assert_eq!(number("-1"), None, "not a choice, not 1");
        assert_eq!(number("٣"), None);
        assert_eq!(number(""), None);
        assert_eq!(number("1 2"), None);
    }

    #[test]
    fn commands_ignore_case_spaces_and_punctuation() {
        assert!(matches!(
            command("  Booking   SAYA "),
            Some(Command::MyBookings)
        ));
        assert!(matches!(command("*Batal*!"), Some(Command::End)));
        assert!(matches!(
            command("English"),
            Some(Command::Language(Language::En))
        ));
        assert!(matches!(
            command("bahasa indonesia"),
            Some(Command::Language(Language::Id))
        ));
        assert!(command("batalkan booking").is_none());
        assert!(command("").is_none());
    }

    #[test]
    fn an_area_has_letters_or_is_a_postal_code() {
        assert!(looks_like_area("Kemang"));
        assert!(looks_like_area("12730"));
        assert!(!looks_like_area("12"));
        assert!(!looks_like_area("🙂🙂"));
        assert!(!looks_like_area(" "));
    }
}
