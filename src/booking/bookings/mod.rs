//! Bookings: creation with the customer upsert and the unit guard, partial
//! updates along the status lifecycle, cancellation, lists for the priority
//! board, the daily recalculation and the expiry of unpaid bookings.

mod create;
mod lists;
mod recalculation;
mod update;

pub use create::{BookingCreated, CreateBooking, take_from_head_office};
pub use lists::{
    BookingSegmentHistory, CustomerBookings, ListBookings, ProviderBookings, SegmentChange,
    SegmentHistory,
};
pub use recalculation::{ExpireBookings, Expired, RecalculatePriorities, Recalculated};
pub use update::{CancelBooking, MoveBooking, UpdateBooking, cancel_from_head_office};

use recalculation::{same_flags, score_of, store_priority};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::booking::priority::{Monetary, PaymentStatus, RiskFlag, Segment, Urgency};
use crate::kernel::audit::EntityKind;
use crate::kernel::auth::Permission;
use crate::kernel::clock::{from_db, to_db};
use crate::kernel::entity::{Entity, value};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::Text;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::settings::Settings;
use crate::kernel::types::text_enum;
use crate::kernel::types::{
    BookingId, CustomerId, Money, ProviderId, ServiceId, SlotId, StaffId, UnitId, UserId,
};

text_enum!(
    /// `pending` (awaiting payment) → `active` (confirmed) → `completed`; any open status → `canceled`.
    BookingStatus { Pending = "pending", Active = "active", Completed = "completed", Canceled = "canceled" }
);
text_enum!(PaymentMethod { Transfer = "transfer", Cash = "cash", Check = "check", Credit = "credit" });
text_enum!(
    /// Where a booking was made: at this desk, or at head office for this
    /// branch and pulled (`whatsapp`: the bot; `online`: the booking page).
    BookingSource { Desk = "desk", Whatsapp = "whatsapp", Online = "online" }
);

impl BookingStatus {
    pub fn is_open(self) -> bool {
        matches!(self, BookingStatus::Pending | BookingStatus::Active)
    }

    fn may_become(self, to: BookingStatus) -> bool {
        use BookingStatus::*;
        matches!(
            (self, to),
            (Pending, Active) | (Active, Completed) | (Pending | Active, Canceled)
        )
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Booking {
    pub id: BookingId,
    /// `BK-YYYY-NNN`
    pub code: String,
    pub booking_date: NaiveDate,
    pub event_at: Option<DateTime<Utc>>,
    pub client_count: u32,
    pub price: Money,
    pub booking_fee: Money,
    pub payment_status: PaymentStatus,
    pub payment_date: Option<NaiveDate>,
    pub payment_method: Option<PaymentMethod>,
    pub booking_status: BookingStatus,
    pub notes: Option<String>,
    pub customer_id: CustomerId,
    pub customer_code: String,
    pub customer_name: String,
    pub customer_phone: String,
    pub unit_id: Option<UnitId>,
    pub unit_code: Option<String>,
    pub staff_id: Option<StaffId>,
    pub staff_name: Option<String>,
    pub created_by: Option<UserId>,
    pub priority_score: i32,
    pub priority_segment: Segment,
    pub urgency_level: Urgency,
    pub monetary_level: Monetary,
    pub updated_priority_at: String,
    pub risk_flags: Vec<RiskFlag>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// The slot a service booking holds.
    pub slot_id: Option<SlotId>,
    pub service_id: Option<ServiceId>,
    pub service_name: Option<String>,
    pub provider_id: Option<ProviderId>,
    pub provider_name: Option<String>,
    /// Where the service is performed.
    pub address: Option<String>,
    /// End of the booked time: the slot's end, or an hour after `event_at`.
    pub event_end_at: Option<DateTime<Utc>>,
    /// 1–5, once completed.
    pub rating: Option<u8>,
    pub review: Option<String>,
    pub source: BookingSource,
}

const SELECT: &str = "SELECT b.id, b.code, b.booking_date, b.event_at, b.client_count, b.price, b.booking_fee,
    b.payment_status, b.payment_date, b.payment_method, b.booking_status, b.notes, b.customer_id, c.code, c.name,
    c.phone, b.unit_id, u.code, b.staff_id, s.name, b.created_by, b.priority_score, b.priority_segment,
    b.urgency_level, b.monetary_level, b.updated_priority_at,
    (SELECT group_concat(flag) FROM booking_risk_flags f WHERE f.booking_id = b.id),
    b.created_at, b.updated_at, b.version,
    b.slot_id, sl.service_id, sv.name, sl.provider_id, p.name, b.address, b.event_end_at, b.rating, b.review,
    b.source
  FROM bookings b
  JOIN customers c ON c.id = b.customer_id
  LEFT JOIN units u ON u.id = b.unit_id
  LEFT JOIN staff s ON s.id = b.staff_id
  LEFT JOIN slots sl ON sl.id = b.slot_id
  LEFT JOIN services sv ON sv.id = sl.service_id
  LEFT JOIN providers p ON p.id = sl.provider_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Booking> {
    let event_at: Option<String> = r.get(3)?;
    let flags: Option<String> = r.get(26)?;
    Ok(Booking {
        id: r.get(0)?,
        code: r.get(1)?,
        booking_date: r.get(2)?,
        event_at: event_at.as_deref().map(from_db).transpose()?,
        client_count: r.get(4)?,
        price: r.get(5)?,
        booking_fee: r.get(6)?,
        payment_status: r.get(7)?,
        payment_date: r.get(8)?,
        payment_method: r.get(9)?,
        booking_status: r.get(10)?,
        notes: r.get(11)?,
        customer_id: r.get(12)?,
        customer_code: r.get(13)?,
        customer_name: r.get(14)?,
        customer_phone: r.get(15)?,
        unit_id: r.get(16)?,
        unit_code: r.get(17)?,
        staff_id: r.get(18)?,
        staff_name: r.get(19)?,
        created_by: r.get(20)?,
        priority_score: r.get(21)?,
        priority_segment: r.get(22)?,
        urgency_level: r.get(23)?,
        monetary_level: r.get(24)?,
        updated_priority_at: r.get(25)?,
        risk_flags: flags
            .map(|f| f.split(',').filter_map(RiskFlag::parse).collect())
            .unwrap_or_default(),
        created_at: r.get(27)?,
        updated_at: r.get(28)?,
        version: r.get(29)?,
        slot_id: r.get(30)?,
        service_id: r.get(31)?,
        service_name: r.get(32)?,
        provider_id: r.get(33)?,
        provider_name: r.get(34)?,
        address: r.get(35)?,
        event_end_at: r
            .get::<_, Option<String>>(36)?
            .as_deref()
            .map(from_db)
            .transpose()?,
        rating: r.get(37)?,
        review: r.get(38)?,
        source: r.get(39)?,
    })
}

pub fn find(conn: &Connection, id: BookingId) -> Result<Booking> {
    conn.prepare_cached(&format!("{SELECT} WHERE b.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "booking" })
}

/// A booking's notes and a review: free text, up to 1000 characters.
pub type LongText = Text<0, 1000>;
/// Where a service is done.
pub type Address = Text<0, 500>;

// The columns an update may change. Written by hand rather than with
// `entity!`: times are stored in the store's own UTC text form (`to_db`).
impl Entity for Booking {
    type Id = BookingId;
    const TABLE: &'static str = "bookings";
    const KIND: EntityKind = EntityKind::Booking;
    const COLUMNS: &'static [&'static str] = &[
        "customer_id",
        "staff_id",
        "booking_date",
        "event_at",
        "event_end_at",
        "client_count",
        "price",
        "booking_fee",
        "payment_status",
        "payment_date",
        "payment_method",
        "booking_status",
        "notes",
        "rating",
        "review",
        "slot_id",
        "address",
    ];

    fn id(&self) -> BookingId {
        self.id
    }

    fn values(&self) -> Vec<Value> {
        vec![
            value(&self.customer_id),
            value(&self.staff_id),
            value(&self.booking_date),
            value(&self.event_at.map(to_db)),
            value(&self.event_end_at.map(to_db)),
            value(&self.client_count),
            value(&self.price),
            value(&self.booking_fee),
            value(&self.payment_status),
            value(&self.payment_date),
            value(&self.payment_method),
            value(&self.booking_status),
            value(&self.notes),
            value(&self.rating),
            value(&self.review),
            value(&self.slot_id),
            value(&self.address),
        ]
    }

    fn find(conn: &Connection, id: BookingId) -> Result<Booking> {
        find(conn, id)
    }
}

/// Reads an event time: RFC 3339 with an offset (`2026-12-01T10:00:00+07:00`),
/// or a local time without one (`2026-12-01T10:00`) in the business time zone.
fn parse_event_at(raw: &str, s: &Settings) -> Result<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
    .and_then(|local| s.time_zone.from_local_datetime(&local).earliest())
    .map(|t| t.with_timezone(&Utc))
    .ok_or_else(|| {
        Error::validation(
            "event_at",
            "must be a date and time such as 2026-12-01T10:00",
        )
    })
}

fn event_date(event_at: Option<DateTime<Utc>>, s: &Settings) -> Option<NaiveDate> {
    event_at.map(|t| t.with_timezone(&s.time_zone).date_naive())
}

fn client_count(n: u32) -> Result<u32> {
    if !(1..=10_000).contains(&n) {
        return Err(Error::validation(
            "client_count",
            "must be between 1 and 10000",
        ));
    }
    Ok(n)
}

/// A booking without a slot is taken to last an hour.
fn default_end(start: DateTime<Utc>) -> DateTime<Utc> {
    start + Duration::minutes(60)
}

/// A double booking: another open booking of the same customer overlaps
/// `[start, end)`, or another open booking holds the same slot (a booking
/// made at head office while this desk, offline, booked the slot too).
fn overlaps_other(
    conn: &Connection,
    id: BookingId,
    customer: CustomerId,
    slot: Option<SlotId>,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> Result<bool> {
    if let Some(slot) = slot
        && !slot_mates(conn, id, slot)?.is_empty()
    {
        return Ok(true);
    }
    let (Some(start), Some(end)) = (start, end) else {
        return Ok(false);
    };
    Ok(conn
        .prepare_cached(
            "SELECT EXISTS(SELECT 1 FROM bookings WHERE customer_id = ?1 AND id <> ?2
                AND booking_status IN ('pending','active') AND event_at < ?3 AND event_end_at > ?4)",
        )?
        .query_row((customer, id, to_db(end), to_db(start)), |r| r.get(0))?)
}

/// The other open bookings holding `slot`.
fn slot_mates(conn: &Connection, id: BookingId, slot: SlotId) -> Result<Vec<BookingId>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM bookings WHERE slot_id = ?1 AND id <> ?2 AND booking_status IN ('pending','active')",
    )?;
    let ids = stmt.query_map((slot, id), |r| r.get(0))?;
    Ok(ids.collect::<rusqlite::Result<_>>()?)
}

/// Whether an open booking other than `id` holds `slot`: then cancelling
/// `id` leaves the slot booked.
pub fn slot_held_by_another(conn: &Connection, id: BookingId, slot: SlotId) -> Result<bool> {
    Ok(!slot_mates(conn, id, slot)?.is_empty())
}

/// A booking's booked time, `[event_at, event_end_at)`, when it has one.
type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Re-flags the customer's other open bookings after one of theirs changed,
/// and the other bookings of its slot, so a `double_booking` flag appears
/// (or clears) on both sides. Only bookings overlapping the changed
/// booking's time (before or after the change) or sharing its slot can be
/// affected, so only those are looked at.
fn refresh_overlap_flags(
    ctx: &Ctx<'_>,
    customer: CustomerId,
    changed: BookingId,
    slot: Option<SlotId>,
    spans: &[Span],
) -> Result<()> {
    let mut ids: Vec<BookingId> = match slot {
        Some(slot) => slot_mates(ctx.conn, changed, slot)?,
        None => Vec::new(),
    };
    for (start, end) in spans {
        let (Some(start), Some(end)) = (start, end) else {
            continue;
        };
        let mut stmt = ctx.conn.prepare_cached(
            "SELECT id FROM bookings WHERE customer_id = ?1 AND id <> ?2
                AND booking_status IN ('pending','active') AND event_at < ?3 AND event_end_at > ?4",
        )?;
        for id in stmt.query_map((customer, changed, to_db(*end), to_db(*start)), |r| {
            r.get(0)
        })? {
            let id = id?;
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    for id in ids {
        let b = find(ctx.conn, id)?;
        let p = score_of(&b, ctx)?;
        if !same_flags(&b.risk_flags, &p.risk_flags) {
            store_priority(ctx, id, Some(b.priority_segment), &p)?;
            // Head office's copy follows the flag through the change log.
            let after = find(ctx.conn, id)?;
            crate::kernel::audit::log_change(ctx, EntityKind::Booking, &id.to_string(), &after)?;
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetBooking {
    pub id: BookingId,
}

impl Operation for GetBooking {
    type Output = Booking;
    const NAME: &'static str = "bookings.get";
    const PERMISSION: Permission = Permission::BookingsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Booking> {
        find(ctx.conn, self.id)
    }
}
