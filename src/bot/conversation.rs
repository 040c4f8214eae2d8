//! The transitions: [`step`] and the handlers of each [`Step`]. No I/O here
//! (see the module doc in `mod.rs`); what the customer typed is only ever
//! compared, parsed with checks, or echoed shortened by [`texts::cap`].

use chrono::{DateTime, Duration, Utc};

use super::texts::{self, cap};
use super::{
    BookOutcome, BotSettings, Conversation, Effect, Event, Inbound, Pending, Reply, SharedLocation,
    Step, Turn,
};
use crate::kernel::types::Language;

use super::prompts::*;
use super::reading::*;

/// Silence after which the next message starts a new conversation.
pub(super) const TIMEOUT_MIN: i64 = 30;
/// Wrong answers in a row that send the customer back to the greeting.
pub(super) const MAX_WRONG: u8 = 3;
pub(super) const PROVIDERS_PER_PAGE: usize = 5;
pub(super) const SLOTS_PER_PAGE: usize = 8;
/// How far ahead free slots are offered.
pub(super) const SLOT_DAYS: i64 = 7;
// What is kept of a driver's answer, so the stored conversation stays small.
pub(super) const MAX_PROVIDERS: usize = 50;
pub(super) const MAX_SERVICES: usize = 20;
pub(super) const MAX_SLOTS: usize = 200;
pub(super) const MAX_BOOKINGS: usize = 20;
// Lengths of echoed or stored text, in characters.
pub(super) const NAME_MAX: usize = 80;
pub(super) const ADDRESS_MAX: usize = 300;
pub(super) const AREA_MAX: usize = 100;
pub(super) const ECHO_MAX: usize = 60;
pub(super) const LABEL_MAX: usize = 60;
pub(super) const CODE_MAX: usize = 40;
/// The first message, kept while the customer is looked up.
pub(super) const HELD_MAX: usize = 200;
/// WhatsApp's limit for an interactive list row's title.
pub(super) const TITLE_MAX: usize = 24;

pub(super) const MORE: &str = "more";
pub(super) const OTHER_SERVICE: &str = "other_service";
pub(super) const OTHER_PROVIDER: &str = "other_provider";
pub(super) const DEFAULT_ADDRESS: &str = "address";

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
pub(super) struct Machine<'a> {
    pub(super) settings: &'a BotSettings,
    pub(super) now: DateTime<Utc>,
    pub(super) replies: Vec<Reply>,
    pub(super) effects: Vec<Effect>,
}

/// What a text means when it is one of the words that work at any step.
pub(super) enum Command {
    End,
    Menu,
    MyBookings,
    Language(Language),
}

impl Conversation {
    pub(super) fn new(now: DateTime<Utc>, language: Language) -> Conversation {
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
    pub(super) fn restart(&mut self) {
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
    pub(super) fn say(&mut self, reply: Reply) {
        self.replies.push(reply);
    }

    pub(super) fn say_text(&mut self, text: impl Into<String>) {
        self.replies.push(Reply {
            text: text.into(),
            options: Vec::new(),
            templated: None,
        });
    }

    pub(super) fn ask(&mut self, c: &mut Conversation, pending: Pending, effect: Effect) {
        c.pending = Some(pending);
        self.effects.push(effect);
    }

    // ---- the customer's messages ---------------------------------------------

    pub(super) fn inbound(
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
    pub(super) fn open(&mut self, language: Language, first: Inbound) -> Conversation {
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

    pub(super) fn command(
        &mut self,
        mut c: Conversation,
        command: Command,
    ) -> Option<Conversation> {
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
    pub(super) fn answer(&mut self, mut c: Conversation, message: Inbound) -> Option<Conversation> {
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

    pub(super) fn location(
        &mut self,
        mut c: Conversation,
        message: Inbound,
    ) -> Option<Conversation> {
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
    pub(super) fn chosen(&mut self, mut c: Conversation, id: &str) -> Option<Conversation> {
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
    pub(super) fn after_slot(&mut self, mut c: Conversation) -> Conversation {
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

    pub(super) fn address(
        &mut self,
        mut c: Conversation,
        message: Inbound,
    ) -> Option<Conversation> {
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

    pub(super) fn book(&mut self, mut c: Conversation) -> Option<Conversation> {
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
    pub(super) fn wrong(&mut self, mut c: Conversation) -> Option<Conversation> {
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
    pub(super) fn menu(&mut self, mut c: Conversation) -> Conversation {
        c.restart();
        let reply = self.prompt(&mut c);
        self.say(reply);
        c
    }
}
