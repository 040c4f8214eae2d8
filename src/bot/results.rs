//! The results of effects: what the drivers found, booked or cancelled,
//! turned into the next step and its question.

use chrono::Duration;

use super::conversation::*;
use super::prompts::{cancellable, prefixed};
use super::reading::command;
use super::texts::{self, cap};
use super::{
    BookOutcome, CancelOutcome, Conversation, Effect, Event, FreeSlot, Inbound, KnownCustomer,
    Pending, ProviderFound, Reply, Step, Templated, UpcomingBooking,
};
use crate::messaging::templates::{MessageKind, Vars, rupiah, set_when};

impl Machine<'_> {
    pub(super) fn result(&mut self, mut c: Conversation, event: Event) -> Option<Conversation> {
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

    pub(super) fn opened(
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

    pub(super) fn providers(
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

    pub(super) fn slots(&mut self, mut c: Conversation, found: Vec<FreeSlot>) -> Conversation {
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

    pub(super) fn bookings(
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

    pub(super) fn booked(
        &mut self,
        mut c: Conversation,
        outcome: BookOutcome,
    ) -> Option<Conversation> {
        match outcome {
            BookOutcome::Booked { code } => {
                let when = c
                    .slot
                    .as_ref()
                    .map(|s| {
                        texts::when(s.starts_at, s.ends_at, self.settings.time_zone, c.language)
                    })
                    .unwrap_or_default();
                let code = cap(&code, CODE_MAX);
                self.say(Reply {
                    text: texts::booked(c.language, &code, &when),
                    options: Vec::new(),
                    templated: Some(self.confirmation(&c, &code)),
                });
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
}

impl Machine<'_> {
    /// The booking confirmation's placeholder values, as the desk fills its
    /// own (`booking_confirmation`), for a Meta template.
    fn confirmation(&self, c: &Conversation, code: &str) -> Templated {
        let mut vars = Vars::new();
        let mut set = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                vars.insert(k.to_owned(), v);
            }
        };
        set("customer_name", c.name.clone());
        set("booking_code", Some(code.to_owned()));
        set("service", c.service.as_ref().map(|s| s.name.clone()));
        set("amount", c.service.as_ref().map(|s| rupiah(s.price)));
        set("provider", c.provider.as_ref().map(|p| p.name.clone()));
        set("address", c.address.clone());
        set("business_name", Some(self.settings.business_name.clone()));
        if let Some(slot) = &c.slot {
            set_when(
                &mut vars,
                slot.starts_at,
                self.settings.time_zone,
                c.language,
            );
        }
        Templated {
            kind: MessageKind::BookingConfirmation,
            vars,
        }
    }
}
