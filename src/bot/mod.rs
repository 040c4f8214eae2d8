//! The WhatsApp booking bot's conversation, as a pure state machine.
//!
//! [`step`] takes the stored [`Conversation`] (or `None` when there is none),
//! one [`Event`] and the clock, and returns a [`Turn`]: the new conversation
//! (`None` once it has ended), the [`Reply`]s to send and the [`Effect`]s the
//! driver must carry out. This module does no I/O of any kind — no HTTP, no
//! SQL, no clock of its own, no randomness — so it is tested without any of
//! them, and head office drives it from its webhook handlers:
//!
//! ```text
//! conversation = load(phone)                    // None, or the stored JSON
//! turn = step(conversation, Event::Inbound(message), now, &settings)
//! loop {
//!     queue(turn.replies); store(phone, turn.conversation)
//!     let Some(effect) = turn.effects.pop() else { break };
//!     let result = perform(effect)              // SQL, booking, …  → an Event
//!     turn = step(turn.conversation, result, now, &settings)
//! }
//! ```
//!
//! A turn asks for at most one effect, and the conversation then waits for
//! the matching result event; a result that the conversation is not waiting
//! for (a stale `Booked` after a reset, a retried webhook) changes nothing and
//! says nothing. An inbound message always gets a reply, either in its own
//! turn or in the turn of the result it asked for. If an effect fails, the
//! driver feeds [`Event::EffectFailed`]: the customer is told and may try
//! again.
//!
//! The conversation is `Serialize`/`Deserialize` so head office keeps it as
//! JSON beside the phone number. A stored conversation that no longer
//! deserializes (after an upgrade that changed its shape) should be treated
//! as `None`: the customer starts again from the greeting.

mod conversation;
mod prompts;
mod reading;
mod results;
mod texts;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::booking::bookings::BookingStatus;
use crate::kernel::types::{BookingId, Language, Money, ProviderId, ServiceId, SlotId};
use crate::messaging::templates::{MessageKind, Vars};

pub use conversation::step;

/// What the business configured for its bot.
#[derive(Clone, Debug)]
pub struct BotSettings {
    /// Named in the greeting.
    pub business_name: String,
    /// Replaces the greeting's first line (the request for the location
    /// always follows it).
    pub greeting: Option<String>,
    /// Search radius around a shared location.
    pub radius_km: f64,
    /// Slots are grouped by day, and times shown, in this zone.
    pub time_zone: Tz,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            business_name: "Loket".into(),
            greeting: None,
            // The desk's nearby search's default.
            radius_km: 25.0,
            time_zone: chrono_tz::Asia::Jakarta,
        }
    }
}

/// A message from the customer, as the gateway adapter parsed it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Inbound {
    /// Free text (a typed number picks a numbered choice).
    Text(String),
    /// A WhatsApp location pin.
    Location {
        latitude: f64,
        longitude: f64,
        name: Option<String>,
        address: Option<String>,
    },
    /// A tap on an interactive list row or button: the [`ReplyOption`]'s id.
    Choice { id: String, title: String },
}

/// A service a provider offers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceOffer {
    pub id: ServiceId,
    pub name: String,
    pub price: Money,
    pub duration_min: u32,
}

/// A provider the search found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProviderFound {
    pub id: ProviderId,
    pub name: String,
    /// From the shared location; `None` when found by a typed area.
    pub distance_km: Option<f64>,
    pub services: Vec<ServiceOffer>,
}

/// A free slot of the chosen provider and service.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FreeSlot {
    pub id: SlotId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The customer head office knows by this phone number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KnownCustomer {
    pub name: String,
    pub language: Language,
}

/// One of the customer's upcoming bookings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UpcomingBooking {
    pub id: BookingId,
    pub code: String,
    pub service: String,
    pub starts_at: DateTime<Utc>,
    pub status: BookingStatus,
    /// Whether head office lets the customer cancel it. The bot offers it
    /// for cancelling only when this is set and the status is `pending`.
    pub cancellable: bool,
}

/// The outcome of [`Effect::Book`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BookOutcome {
    Booked {
        code: String,
    },
    /// Someone else holds the slot now.
    SlotTaken,
}

/// The outcome of [`Effect::Cancel`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelOutcome {
    Canceled,
    /// No longer cancellable (confirmed or canceled meanwhile).
    NotCancellable,
}

/// What [`step`] reacts to: the customer's message, or the result of the
/// effect the conversation asked for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    Inbound(Inbound),
    /// Result of [`Effect::LookUpCustomer`].
    CustomerFound(Option<KnownCustomer>),
    /// Result of [`Effect::FindProvidersNear`] or [`Effect::FindProvidersInArea`]:
    /// active providers with their active services.
    ProvidersFound(Vec<ProviderFound>),
    /// Result of [`Effect::FindFreeSlots`].
    FreeSlotsFound(Vec<FreeSlot>),
    /// Result of [`Effect::ListUpcomingBookings`].
    UpcomingBookings(Vec<UpcomingBooking>),
    /// Result of [`Effect::Book`].
    BookResult(BookOutcome),
    /// Result of [`Effect::Cancel`].
    CancelResult(CancelOutcome),
    /// The driver could not carry out the effect asked for (database down, …).
    EffectFailed,
}

/// What the driver must do and answer with an [`Event`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// The customer by the conversation's phone number → [`Event::CustomerFound`].
    LookUpCustomer,
    /// Active providers within the radius → [`Event::ProvidersFound`].
    FindProvidersNear {
        latitude: f64,
        longitude: f64,
        radius_km: f64,
    },
    /// Active providers whose area matches the typed text → [`Event::ProvidersFound`].
    FindProvidersInArea { text: String },
    /// Free slots starting in `[from, to)` → [`Event::FreeSlotsFound`].
    FindFreeSlots {
        provider_id: ProviderId,
        service_id: ServiceId,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// The phone's open bookings from now on → [`Event::UpcomingBookings`].
    ListUpcomingBookings,
    /// Book the slot for the phone's customer → [`Event::BookResult`].
    Book {
        provider_id: ProviderId,
        service_id: ServiceId,
        slot_id: SlotId,
        name: String,
        address: String,
        latitude: Option<f64>,
        longitude: Option<f64>,
        language: Language,
    },
    /// Cancel the customer's booking → [`Event::CancelResult`].
    Cancel { booking_id: BookingId },
}

/// One choice of a reply, for gateways that render interactive lists.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReplyOption {
    /// Comes back as [`Inbound::Choice`]'s `id`.
    pub id: String,
    /// Short label; the reply's text numbers the same choices in order.
    pub title: String,
}

/// A message to the customer. When `options` is not empty, the text lists
/// them numbered `1.` … in the same order, so a typed number works with any
/// gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reply {
    pub text: String,
    pub options: Vec<ReplyOption>,
    /// Set when the reply is also one of the business's messages (the
    /// booking confirmation): sent late, outside WhatsApp's 24-hour window,
    /// Meta takes it only as that kind's approved template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub templated: Option<Templated>,
}

/// A message kind and its placeholder values, for a Meta template.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Templated {
    pub kind: MessageKind,
    pub vars: Vars,
}

/// What one [`step`] produced.
#[derive(Clone, Debug, PartialEq)]
pub struct Turn {
    /// `None`: the conversation has ended (the next message starts a new one).
    pub conversation: Option<Conversation>,
    pub replies: Vec<Reply>,
    /// At most one; its result is the next event.
    pub effects: Vec<Effect>,
}

/// Where the conversation stands: what the customer was last asked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Waiting for the customer look-up that opens every conversation.
    Start,
    /// Greeted; asked for a location pin or a typed area.
    Location,
    /// Offered the providers found.
    Provider,
    /// Offered the chosen provider's services.
    Service,
    /// Offered the free slots.
    Slot,
    /// Told there is no free slot; offered another service or provider.
    NoSlots,
    /// Asked the customer's name.
    Name,
    /// Asked the service address.
    Address,
    /// Showed the summary; waiting for "YA".
    Confirm,
    /// Listed the upcoming bookings; offered the cancellable ones.
    Bookings,
    /// Asked to confirm a cancellation with "YA".
    ConfirmCancel,
}

/// The result the conversation waits for, after asking for an effect.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Pending {
    /// The first message is handled once the customer is known.
    Customer {
        first: Option<Inbound>,
    },
    Providers {
        /// The typed text; `None` for a location pin.
        area: Option<String>,
    },
    Slots,
    Bookings,
    Booking,
    Cancellation,
}

/// A shared location pin.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct SharedLocation {
    latitude: f64,
    longitude: f64,
    address: Option<String>,
}

/// One customer's conversation with the bot, kept between messages (as JSON
/// at head office).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    step: Step,
    pending: Option<Pending>,
    language: Language,
    /// Answers in a row that were none of the choices.
    wrong_answers: u8,
    last_message_at: DateTime<Utc>,
    /// The known customer's name (`None`: unknown, or not looked up yet).
    known_name: Option<String>,
    location: Option<SharedLocation>,
    providers: Vec<ProviderFound>,
    provider_offset: usize,
    provider: Option<ProviderFound>,
    service: Option<ServiceOffer>,
    slots: Vec<FreeSlot>,
    slot_offset: usize,
    slot: Option<FreeSlot>,
    name: Option<String>,
    address: Option<String>,
    bookings: Vec<UpcomingBooking>,
    booking_to_cancel: Option<UpcomingBooking>,
}

impl Conversation {
    /// What the customer was last asked.
    pub fn step(&self) -> Step {
        self.step
    }

    pub fn language(&self) -> Language {
        self.language
    }

    /// Wrong answers in a row (back to the greeting at three).
    pub fn wrong_answers(&self) -> u8 {
        self.wrong_answers
    }

    /// When the customer last wrote.
    pub fn last_message_at(&self) -> DateTime<Utc> {
        self.last_message_at
    }

    /// Whether the conversation waits for an effect's result.
    pub fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }
}
