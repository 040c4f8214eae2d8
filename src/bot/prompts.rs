//! What each step asks: the question of the current step with its numbered
//! choices, built from the conversation's state alone.

use super::conversation::*;
use super::texts::{self, cap};
use super::{Conversation, Reply, ReplyOption, Step, UpcomingBooking};
use crate::booking::bookings::BookingStatus;
use crate::kernel::types::Language;

impl Machine<'_> {
    /// The question of the current step, with its numbered choices. A
    /// conversation whose stored state does not fit its step (hand-edited
    /// JSON, an older shape) goes back to the greeting.
    pub(super) fn prompt(&self, c: &mut Conversation) -> Reply {
        match self.try_prompt(c) {
            Some(reply) => reply,
            None => {
                c.restart();
                self.greeting(c)
            }
        }
    }

    pub(super) fn greeting(&self, c: &Conversation) -> Reply {
        Reply {
            text: texts::greeting(
                c.language,
                &self.settings.business_name,
                self.settings.greeting.as_deref(),
                c.known_name.as_deref(),
            ),
            options: Vec::new(),
            templated: None,
        }
    }

    pub(super) fn try_prompt(&self, c: &Conversation) -> Option<Reply> {
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
                templated: None,
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
                    templated: None,
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
                    templated: None,
                }
            }
        })
    }

    pub(super) fn booking_line(&self, b: &UpcomingBooking, lang: Language) -> String {
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
pub(super) struct Numbered {
    text: String,
    options: Vec<ReplyOption>,
}

impl Numbered {
    pub(super) fn new(head: &str) -> Numbered {
        Numbered {
            text: head.to_string(),
            options: Vec::new(),
        }
    }

    pub(super) fn line(&mut self, line: &str) {
        self.text.push('\n');
        self.text.push_str(line);
    }

    pub(super) fn item(&mut self, id: String, title: &str, line: &str) {
        let n = self.options.len() + 1;
        self.text.push_str(&format!("\n{n}. {line}"));
        self.options.push(ReplyOption {
            id,
            title: cap(title, TITLE_MAX),
        });
    }

    /// The last choice of a page with more after it ("lagi"), and the hint.
    pub(super) fn more(&mut self, lang: Language) {
        self.item(
            MORE.into(),
            texts::more_title(lang),
            texts::more_title(lang),
        );
        self.line(texts::more_hint(lang));
    }

    pub(super) fn reply(self) -> Reply {
        Reply {
            text: self.text,
            options: self.options,
            templated: None,
        }
    }
}

pub(super) fn prefixed(line: &str, reply: Reply) -> Reply {
    Reply {
        text: format!("{line}\n{}", reply.text),
        options: reply.options,
        templated: reply.templated,
    }
}

pub(super) fn cancellable(b: &UpcomingBooking) -> bool {
    b.cancellable && b.status == BookingStatus::Pending
}
