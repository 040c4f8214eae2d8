//! The sync protocol's wire types, version 1: one definition shared by the
//! branch's client (`sync::run`) and the head-office server (`loket-hq`), so
//! the two cannot drift apart. Serialisable types at a boundary are a
//! contract: a change that old peers cannot read is a new protocol version.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::kernel::sealing::SealedFields;
use crate::kernel::types::Money;

/// The version this build speaks. Head office answers 426 to any other.
pub const PROTOCOL_VERSION: u32 = 1;
/// The header every sync request carries: `Loket-Sync-Protocol: 1`.
pub const PROTOCOL_HEADER: &str = "Loket-Sync-Protocol";
/// Most changes head office takes in one push.
pub const MAX_PUSH_BATCH: usize = 1000;
/// Most changes head office answers in one pull page.
pub const MAX_PULL_PAGE: u32 = 1000;

/// `GET /sync/v1/hello`: who head office takes the caller for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    pub branch_id: uuid::Uuid,
    pub branch_name: String,
    pub protocol: u32,
    /// Head office's public key (base64, X25519): KTP and NPWP are sealed to
    /// it before they leave the branch. Absent from a head office that
    /// cannot open them; the branch then sends none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealing_key: Option<String>,
}

/// One row of the branch's change log, as pushed. `seq` is the change log's
/// own sequence number: per branch database, gapless, increasing.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Change {
    pub seq: i64,
    /// An [`EntityKind`](crate::kernel::audit::EntityKind) name (`customer`, `booking`, …).
    pub entity: String,
    pub entity_id: String,
    /// `insert`, `update` or `delete`.
    pub op: String,
    /// The row after the change (before it, for `delete`): JSON text as the
    /// change log holds it, passed through unparsed on both sides (a push
    /// carries thousands; head office reads only a customer's keys).
    pub data: Box<RawValue>,
    /// When the branch made the change (its clock, UTC).
    pub at: String,
    /// The record's sensitive fields (a customer's `ktp_number`,
    /// `npwp_number`) as they stand when pushed, each sealed to head
    /// office's key, or `null` when the record has none; a field left out is
    /// not known (unreadable at the branch): head office keeps what it has.
    /// `data` holds them masked only. Absent when head office gave no key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<SealedFields>,
}

/// `POST /sync/v1/push`. The branch is known by its token, so anything
/// else in the body (a `branch_id`, say) is ignored. `head_seq` and
/// `oldest_unsent_at` tell head office how far behind the branch still is
/// after this batch; a desk that predates them leaves them out, and head
/// office then shows the lag as unknown.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct PushRequest {
    pub changes: Vec<Change>,
    /// The branch's newest change-log seq when it read this batch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub head_seq: Option<i64>,
    /// When the branch made the oldest change this push does not carry (the
    /// one after its last); absent when the batch reaches `head_seq`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oldest_unsent_at: Option<String>,
}

/// What head office refused on business grounds; the cursor moved past it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rejection {
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PushResponse {
    /// The branch's cursor at head office: every seq up to it is applied or rejected.
    pub last_seq: i64,
    pub applied: u32,
    /// Already applied before (a resent batch).
    pub skipped: u32,
    /// Refused in this call (counted in `last_seq` too).
    pub rejected: Vec<Rejection>,
}

/// The body of a 409 to a push that does not continue the cursor: the
/// branch resends from `expected`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub expected: i64,
}

/// One change head office owns, as pulled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PulledChange {
    /// Commit-ordered: a change committed later never has a lower cursor.
    pub cursor: i64,
    pub entity: String,
    pub entity_id: String,
    /// `insert`, `update` or `delete`.
    pub op: String,
    pub data: Value,
    pub at: String,
}

/// `GET /sync/v1/pull?after=CURSOR&limit=N`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PullResponse {
    pub changes: Vec<PulledChange>,
    /// What to send as `after` next (the last change's cursor, or `after` itself).
    pub next_cursor: i64,
    /// Whether another page waits.
    pub more: bool,
}

/// The `data` of a pulled `service`: the catalogue entry head office owns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceData {
    pub id: crate::kernel::types::ServiceId,
    pub name: String,
    pub description: Option<String>,
    pub duration_min: u32,
    pub price: Money,
    pub active: bool,
}

/// The `data` of a pulled `booking`: a booking head office made for this
/// branch (the WhatsApp bot's, `source` = `whatsapp`). The branch owns it
/// from then on: it keeps it as its own booking (the customer matched by
/// phone, the slot taken, or the booking flagged `double_booking` when the
/// desk booked the slot meanwhile) and pushes it back like any other.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingData {
    pub id: crate::kernel::types::BookingId,
    /// From head office's own series (`BK-2026-W001`), which never collides
    /// with a desk's `BK-2026-001`.
    pub code: String,
    /// `whatsapp` or `online`.
    pub source: String,
    pub slot_id: crate::kernel::types::SlotId,
    pub customer_name: String,
    /// Normalised `62…`
    pub customer_phone: String,
    pub customer_language: crate::kernel::types::Language,
    pub address: String,
    pub price: Money,
    /// When the customer booked (head office's clock, RFC 3339).
    pub created_at: String,
    /// The booking page's (`online`): `male` or `female`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_gender: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Which studio and channel brought a new customer ("Studio Kemang
    /// (online)"); a customer the branch already knows keeps their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer_type: Option<String>,
}

/// The `data` of a pulled `booking` with op `update`: the customer
/// cancelled, at head office (the bot's "booking saya"), a booking of this
/// branch that head office last knew pending. The branch cancels it if it
/// is still open, with the reason in its notes, freeing its slot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BookingCanceled {
    pub id: crate::kernel::types::BookingId,
    pub reason: String,
}
