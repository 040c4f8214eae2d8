//! Bookings: creation with the customer upsert and the unit guard, partial
//! updates along the status lifecycle, cancellation, lists for the priority
//! board, the daily recalculation and the expiry of unpaid bookings.

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::next_code_number;
use crate::auth::Permission;
use crate::clock::{from_db, to_db};
use crate::customers::{self, CustomerInput, CustomerRef};
use crate::error::{Error, Result};
use crate::ops::{Ctx, Operation};
use crate::priority::{
    self, Monetary, PaymentStatus, Priority, RiskFlag, ScoreInput, Segment, Urgency, text_enum,
};
use crate::settings::Settings;
use crate::slots;
use crate::store::ListQuery;
use crate::types::{
    BookingId, CustomerId, Money, Page, Paging, ProviderId, ServiceId, SlotId, StaffId, UnitId,
    UserId, parse_sort, patch,
};
use crate::units;
use crate::validate;

text_enum!(
    /// `pending` (awaiting payment) → `active` (confirmed) → `completed`; any open status → `canceled`.
    BookingStatus { Pending = "pending", Active = "active", Completed = "completed", Canceled = "canceled" }
);
text_enum!(PaymentMethod { Transfer = "transfer", Cash = "cash", Check = "check", Credit = "credit" });

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
}

const SELECT: &str = "SELECT b.id, b.code, b.booking_date, b.event_at, b.client_count, b.price, b.booking_fee,
    b.payment_status, b.payment_date, b.payment_method, b.booking_status, b.notes, b.customer_id, c.code, c.name,
    c.phone, b.unit_id, u.code, b.staff_id, s.name, b.created_by, b.priority_score, b.priority_segment,
    b.urgency_level, b.monetary_level, b.updated_priority_at,
    (SELECT group_concat(flag) FROM booking_risk_flags f WHERE f.booking_id = b.id),
    b.created_at, b.updated_at, b.version,
    b.slot_id, sl.service_id, sv.name, sl.provider_id, p.name, b.address, b.event_end_at, b.rating, b.review
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
    })
}

pub fn find(conn: &Connection, id: BookingId) -> Result<Booking> {
    conn.prepare_cached(&format!("{SELECT} WHERE b.id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "booking" })
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

/// Stores the score, segment, levels and risk flags of one booking, and a
/// segment-history row when the segment changed.
fn store_priority(
    ctx: &Ctx<'_>,
    id: BookingId,
    old_segment: Option<Segment>,
    p: &Priority,
) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "UPDATE bookings SET priority_score = ?2, priority_segment = ?3, urgency_level = ?4, monetary_level = ?5,
                updated_priority_at = ?6 WHERE id = ?1",
        )?
        .execute((id, p.score, p.segment, p.urgency, p.monetary, to_db(ctx.now)))?;
    ctx.conn
        .prepare_cached("DELETE FROM booking_risk_flags WHERE booking_id = ?1")?
        .execute([id])?;
    let mut insert = ctx
        .conn
        .prepare_cached("INSERT INTO booking_risk_flags (booking_id, flag) VALUES (?1, ?2)")?;
    for flag in &p.risk_flags {
        insert.execute((id, flag))?;
    }
    if old_segment != Some(p.segment) {
        record_segment_change(ctx.conn, id, old_segment, p, &to_db(ctx.now))?;
    }
    Ok(())
}

fn record_segment_change(
    conn: &Connection,
    id: BookingId,
    from: Option<Segment>,
    p: &Priority,
    at: &str,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO booking_segment_history (booking_id, from_segment, to_segment, score, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((id, from, p.segment, p.score, at))?;
    Ok(())
}

fn score_of(b: &Booking, ctx: &Ctx<'_>) -> Result<Priority> {
    let open = b.booking_status.is_open();
    Ok(priority::score(
        &ScoreInput {
            event_date: event_date(b.event_at, &ctx.settings),
            payment: b.payment_status,
            price: b.price,
            clients: b.client_count,
            open,
            overlaps_other: open
                && overlaps_other(ctx.conn, b.id, b.customer_id, b.event_at, b.event_end_at)?,
        },
        ctx.today(),
        &ctx.settings,
    ))
}

/// A booking without a slot is taken to last an hour.
fn default_end(start: DateTime<Utc>) -> DateTime<Utc> {
    start + Duration::minutes(60)
}

/// Whether another open booking of the same customer overlaps `[start, end)`.
fn overlaps_other(
    conn: &Connection,
    id: BookingId,
    customer: CustomerId,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
) -> Result<bool> {
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

/// A booking's booked time, `[event_at, event_end_at)`, when it has one.
type Span = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Re-flags the customer's other open bookings after one of theirs changed,
/// so a `double_booking` flag appears (or clears) on both sides. Only
/// bookings overlapping the changed booking's time (before or after the
/// change) can be affected, so only those are looked at.
fn refresh_overlap_flags(
    ctx: &Ctx<'_>,
    customer: CustomerId,
    changed: BookingId,
    spans: &[Span],
) -> Result<()> {
    let mut ids: Vec<BookingId> = Vec::new();
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
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBooking {
    /// An existing customer…
    pub customer_id: Option<CustomerId>,
    /// …or the customer inline: matched by phone, then e-mail, else created.
    pub customer: Option<CustomerInput>,
    pub unit_id: Option<UnitId>,
    pub staff_id: Option<StaffId>,
    /// Defaults to today (business time zone).
    pub booking_date: Option<NaiveDate>,
    /// RFC 3339, or local time in the business time zone (`2026-12-01T10:00`).
    #[schema(value_type = Option<String>, format = DateTime)]
    pub event_at: Option<String>,
    /// Defaults to 1.
    pub client_count: Option<u32>,
    /// Defaults to the unit's price for a unit booking.
    pub price: Option<Money>,
    pub booking_fee: Option<Money>,
    /// Defaults to `pending`.
    pub payment_status: Option<PaymentStatus>,
    pub payment_date: Option<NaiveDate>,
    pub payment_method: Option<PaymentMethod>,
    /// `pending` (default) or `active`.
    pub booking_status: Option<BookingStatus>,
    pub notes: Option<String>,
    /// A free slot: makes this a service booking (event time = slot start,
    /// price defaults to the service's price).
    pub slot_id: Option<SlotId>,
    /// Where the service is performed; required with `slot_id`.
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BookingCreated {
    #[serde(flatten)]
    pub booking: Booking,
    /// True when the inline customer was new to the master.
    pub customer_created: bool,
    /// Customers with the same name but another phone: maybe the same person; staff decide.
    pub possible_duplicate_of: Vec<CustomerRef>,
}

impl Operation for CreateBooking {
    type Output = BookingCreated;
    const NAME: &'static str = "bookings.create";
    const PERMISSION: Permission = Permission::BookingsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<BookingCreated> {
        let booking_date = self.booking_date.unwrap_or_else(|| ctx.today());
        let event_at = self
            .event_at
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .map(|s| parse_event_at(s, &ctx.settings))
            .transpose()?;
        let clients = client_count(self.client_count.unwrap_or(1))?;
        let booking_fee = self
            .booking_fee
            .unwrap_or(Money::ZERO)
            .checked("booking_fee")?;
        let notes = validate::optional_text(self.notes, "notes", 1000)?;
        let status = self.booking_status.unwrap_or(BookingStatus::Pending);
        if !status.is_open() {
            return Err(Error::validation(
                "booking_status",
                "a new booking is pending or active",
            ));
        }
        let payment_status = self.payment_status.unwrap_or(PaymentStatus::Pending);
        let payment_date = match (self.payment_date, payment_status) {
            (Some(d), _) => Some(d),
            (None, PaymentStatus::Paid | PaymentStatus::Dp) => Some(ctx.today()),
            (None, _) => None,
        };
        if let Some(id) = self.staff_id {
            crate::staff::find(ctx.conn, id)
                .map_err(|_| Error::validation("staff_id", "no such staff record"))?;
        }
        let customer = match (self.customer_id, self.customer) {
            (Some(_), Some(_)) => {
                return Err(Error::validation(
                    "customer",
                    "give customer_id or customer, not both",
                ));
            }
            (None, None) => {
                return Err(Error::validation(
                    "customer",
                    "is required (customer_id or customer)",
                ));
            }
            (Some(id), None) => {
                customers::touch_last_booking(ctx, id)?;
                customers::Upserted {
                    id,
                    created: false,
                    possible_duplicate_of: Vec::new(),
                }
            }
            (None, Some(input)) => customers::upsert_for_booking(ctx, input)?,
        };
        let address = validate::optional_text(self.address, "address", 500)?;
        if self.slot_id.is_some() {
            if self.unit_id.is_some() {
                return Err(Error::validation(
                    "unit_id",
                    "a booking holds a unit or a slot, not both",
                ));
            }
            if event_at.is_some() {
                return Err(Error::validation(
                    "event_at",
                    "comes from the slot; leave it out",
                ));
            }
            if address.is_none() {
                return Err(Error::validation(
                    "address",
                    "is required for a service booking",
                ));
            }
        }
        let unit = self
            .unit_id
            .map(|id| units::hold_for_booking(ctx, id))
            .transpose()?;
        let slot = self
            .slot_id
            .map(|id| slots::hold_for_booking(ctx, id))
            .transpose()?;
        let service_price = match &slot {
            Some(sl) => Some(crate::services::find(ctx.conn, sl.service_id)?.price),
            None => None,
        };
        let price = match (self.price, unit.as_ref().map(|u| u.price).or(service_price)) {
            (Some(p), _) => p.checked("price")?,
            (None, Some(default)) => default,
            (None, None) => {
                return Err(Error::validation(
                    "price",
                    "is required when no unit or slot is booked",
                ));
            }
        };
        let (event_at, event_end_at) = match &slot {
            Some(sl) => (Some(sl.starts_at), Some(sl.ends_at)),
            None => (event_at, event_at.map(default_end)),
        };

        let id = BookingId::new();
        let code = booking_code(ctx.conn, booking_date)?;
        let p = priority::score(
            &ScoreInput {
                event_date: event_date(event_at, &ctx.settings),
                payment: payment_status,
                price,
                clients,
                open: true,
                overlaps_other: overlaps_other(ctx.conn, id, customer.id, event_at, event_end_at)?,
            },
            ctx.today(),
            &ctx.settings,
        );
        let now = to_db(ctx.now);
        ctx.conn
            .prepare_cached(
                "INSERT INTO bookings (id, code, booking_date, event_at, client_count, price, booking_fee, payment_status,
                    payment_date, payment_method, booking_status, notes, customer_id, unit_id, staff_id, created_by,
                    priority_score, priority_segment, urgency_level, monetary_level, updated_priority_at, created_at,
                    updated_at, slot_id, address, event_end_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                    ?21, ?21, ?21, ?22, ?23, ?24)",
            )?
            .execute(rusqlite::params![
                id,
                code,
                booking_date,
                event_at.map(to_db),
                clients,
                price,
                booking_fee,
                payment_status,
                payment_date,
                self.payment_method,
                status,
                notes,
                customer.id,
                self.unit_id,
                self.staff_id,
                ctx.actor.user_id(),
                p.score,
                p.segment,
                p.urgency,
                p.monetary,
                now,
                self.slot_id,
                address,
                event_end_at.map(to_db),
            ])?;
        store_priority(ctx, id, None, &p)?;
        refresh_overlap_flags(ctx, customer.id, id, &[(event_at, event_end_at)])?;
        let booking = find(ctx.conn, id)?;
        ctx.record(
            "create",
            "booking",
            &id.to_string(),
            None::<&Booking>,
            Some(&booking),
        )?;
        // The confirmation (and provider notification) is queued with the booking.
        crate::messaging::on_booking_created(ctx, &booking)?;
        Ok(BookingCreated {
            booking,
            customer_created: customer.created,
            possible_duplicate_of: customer.possible_duplicate_of,
        })
    }
}

/// `BK-YYYY-NNN` for the booking date's year; past 999 it simply grows.
fn booking_code(conn: &Connection, date: NaiveDate) -> Result<String> {
    use chrono::Datelike;
    loop {
        let n = next_code_number(conn, &format!("BK-{}", date.year()))?;
        let code = format!("BK-{}-{n:03}", date.year());
        let taken: bool = conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM bookings WHERE code = ?1)",
            [&code],
            |r| r.get(0),
        )?;
        if !taken {
            return Ok(code);
        }
    }
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

/// Changes only the fields given; `null` clears an optional field. Status
/// changes follow the lifecycle; an impossible one is a 409.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBooking {
    pub id: BookingId,
    /// The version you saw; a different current version is a 409.
    pub version: Option<i64>,
    pub customer_id: Option<CustomerId>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<StaffId>)]
    pub staff_id: Option<Option<StaffId>>,
    pub booking_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub event_at: Option<Option<String>>,
    pub client_count: Option<u32>,
    pub price: Option<Money>,
    pub booking_fee: Option<Money>,
    pub payment_status: Option<PaymentStatus>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<NaiveDate>)]
    pub payment_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<PaymentMethod>)]
    pub payment_method: Option<Option<PaymentMethod>>,
    pub booking_status: Option<BookingStatus>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub notes: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    /// 1–5; only on a completed booking.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<u8>)]
    pub rating: Option<Option<u8>>,
    /// Only on a completed booking.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub review: Option<Option<String>>,
}

impl Operation for UpdateBooking {
    type Output = Booking;
    const NAME: &'static str = "bookings.update";
    const PERMISSION: Permission = Permission::BookingsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Booking> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "booking")?;
        let mut b = before.clone();
        if let Some(to) = self.booking_status.filter(|s| *s != before.booking_status) {
            if !before.booking_status.may_become(to) {
                return Err(Error::conflict(format!(
                    "{} is {}; it cannot become {}",
                    before.code,
                    before.booking_status.as_str(),
                    to.as_str()
                )));
            }
            if to == BookingStatus::Canceled {
                ctx.require(Permission::BookingsCancel)?;
            }
            b.booking_status = to;
        } else if !before.booking_status.is_open() && has_field_changes(&self) {
            return Err(Error::conflict(format!(
                "{} is {}; a closed booking cannot be changed",
                before.code,
                before.booking_status.as_str()
            )));
        }
        if let Some(id) = self.customer_id.filter(|id| *id != before.customer_id) {
            customers::touch_last_booking(ctx, id)?;
            b.customer_id = id;
        }
        if let Some(v) = self.staff_id {
            if let Some(id) = v {
                crate::staff::find(ctx.conn, id)
                    .map_err(|_| Error::validation("staff_id", "no such staff record"))?;
            }
            b.staff_id = v;
        }
        if let Some(v) = self.booking_date {
            b.booking_date = v;
        }
        if let Some(v) = self.event_at {
            if before.slot_id.is_some() {
                return Err(Error::conflict(
                    "a service booking takes its time from its slot; cancel it and book another slot",
                ));
            }
            b.event_at = v
                .as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| parse_event_at(s, &ctx.settings))
                .transpose()?;
        }
        if let Some(v) = self.client_count {
            b.client_count = client_count(v)?;
        }
        if let Some(v) = self.price {
            b.price = v.checked("price")?;
        }
        if let Some(v) = self.booking_fee {
            b.booking_fee = v.checked("booking_fee")?;
        }
        if let Some(v) = self.payment_status {
            b.payment_status = v;
            if matches!(v, PaymentStatus::Paid | PaymentStatus::Dp)
                && b.payment_date.is_none()
                && self.payment_date.is_none()
            {
                b.payment_date = Some(ctx.today());
            }
        }
        if let Some(v) = self.payment_date {
            b.payment_date = v;
        }
        if let Some(v) = self.payment_method {
            b.payment_method = v;
        }
        if let Some(v) = self.notes {
            b.notes = validate::optional_text(v, "notes", 1000)?;
        }
        if let Some(v) = self.address {
            b.address = validate::optional_text(v, "address", 500)?;
            if b.slot_id.is_some() && b.address.is_none() {
                return Err(Error::validation(
                    "address",
                    "is required for a service booking",
                ));
            }
        }
        if self.rating.is_some() || self.review.is_some() {
            if b.booking_status != BookingStatus::Completed {
                return Err(Error::conflict(format!(
                    "{} is {}; a rating and review are given once it is completed",
                    b.code,
                    b.booking_status.as_str()
                )));
            }
            if let Some(v) = self.rating {
                if v.is_some_and(|r| !(1..=5).contains(&r)) {
                    return Err(Error::validation("rating", "must be 1 to 5"));
                }
                b.rating = v;
            }
            if let Some(v) = self.review {
                b.review = validate::optional_text(v, "review", 1000)?;
            }
        }
        if b.slot_id.is_none() {
            b.event_end_at = b.event_at.map(default_end);
        }
        // The audit trail names what happened: confirm, complete, cancel, or update.
        let action = match (before.booking_status == b.booking_status, b.booking_status) {
            (true, _) => "update",
            (false, BookingStatus::Active) => "confirm",
            (false, BookingStatus::Completed) => "complete",
            (false, _) => "cancel",
        };
        save(ctx, &before, &b, action)
    }
}

fn has_field_changes(u: &UpdateBooking) -> bool {
    u.customer_id.is_some()
        || u.staff_id.is_some()
        || u.booking_date.is_some()
        || u.event_at.is_some()
        || u.client_count.is_some()
        || u.price.is_some()
        || u.booking_fee.is_some()
        || u.payment_status.is_some()
        || u.payment_date.is_some()
        || u.payment_method.is_some()
        || u.notes.is_some()
        || u.address.is_some()
}

/// Writes the changed booking, rescored, and what its status change does to
/// its unit; records the audit entry under `action`.
fn save(ctx: &Ctx<'_>, before: &Booking, b: &Booking, action: &str) -> Result<Booking> {
    ctx.conn
        .prepare_cached(
            "UPDATE bookings SET customer_id = ?2, staff_id = ?3, booking_date = ?4, event_at = ?5, client_count = ?6,
                price = ?7, booking_fee = ?8, payment_status = ?9, payment_date = ?10, payment_method = ?11,
                booking_status = ?12, notes = ?13, updated_at = ?14, event_end_at = ?15, rating = ?16,
                review = ?17, version = version + 1
             WHERE id = ?1",
        )?
        .execute(rusqlite::params![
            b.id,
            b.customer_id,
            b.staff_id,
            b.booking_date,
            b.event_at.map(to_db),
            b.client_count,
            b.price,
            b.booking_fee,
            b.payment_status,
            b.payment_date,
            b.payment_method,
            b.booking_status,
            b.notes,
            to_db(ctx.now),
            b.event_end_at.map(to_db),
            b.rating,
            b.review,
        ])?;
    store_priority(ctx, b.id, Some(before.priority_segment), &score_of(b, ctx)?)?;
    if before.booking_status != b.booking_status {
        match (b.booking_status, b.unit_id, b.slot_id) {
            (BookingStatus::Completed, Some(unit), _) => units::mark_sold(ctx, unit)?,
            (BookingStatus::Canceled, Some(unit), _) => units::release(ctx, unit)?,
            (BookingStatus::Canceled, _, Some(slot)) => slots::release(ctx, slot)?,
            _ => {}
        }
    }
    let spans = [
        (before.event_at, before.event_end_at),
        (b.event_at, b.event_end_at),
    ];
    refresh_overlap_flags(ctx, b.customer_id, b.id, &spans)?;
    if before.customer_id != b.customer_id {
        refresh_overlap_flags(ctx, before.customer_id, b.id, &spans)?;
    }
    let after = find(ctx.conn, b.id)?;
    ctx.record(
        action,
        "booking",
        &b.id.to_string(),
        Some(before),
        Some(&after),
    )?;
    Ok(after)
}

/// Cancels an open booking (soft: it stays, with status `canceled`) and frees its unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelBooking {
    pub id: BookingId,
    /// Appended to the notes.
    pub reason: Option<String>,
}

impl Operation for CancelBooking {
    type Output = Booking;
    const NAME: &'static str = "bookings.cancel";
    const PERMISSION: Permission = Permission::BookingsCancel;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Booking> {
        let before = find(ctx.conn, self.id)?;
        let reason = validate::optional_text(self.reason, "reason", 200)?;
        cancel(ctx, before, reason.as_deref(), "cancel")
    }
}

fn cancel(ctx: &Ctx<'_>, before: Booking, reason: Option<&str>, action: &str) -> Result<Booking> {
    if !before.booking_status.may_become(BookingStatus::Canceled) {
        return Err(Error::conflict(format!(
            "{} is {} and cannot be canceled",
            before.code,
            before.booking_status.as_str()
        )));
    }
    let mut b = before.clone();
    b.booking_status = BookingStatus::Canceled;
    if let Some(r) = reason {
        let note = format!("Dibatalkan: {r}");
        b.notes = Some(match &b.notes {
            Some(n) => format!("{n}\n{note}"),
            None => note,
        });
    }
    save(ctx, &before, &b, action)
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListBookings {
    pub booking_status: Option<BookingStatus>,
    /// Only pending and active bookings (the priority board).
    pub open: Option<bool>,
    pub payment_status: Option<PaymentStatus>,
    pub unit_id: Option<UnitId>,
    pub customer_id: Option<CustomerId>,
    pub staff_id: Option<StaffId>,
    /// Service bookings with this provider.
    pub provider_id: Option<ProviderId>,
    /// Service bookings of this service.
    pub service_id: Option<ServiceId>,
    /// Booking code contains this text.
    pub code: Option<String>,
    pub booking_date_from: Option<NaiveDate>,
    pub booking_date_to: Option<NaiveDate>,
    /// Events at or after this instant (RFC 3339, e.g. local midnight `2026-11-22T00:00:00+07:00`).
    pub event_from: Option<DateTime<Utc>>,
    /// Events before this instant.
    pub event_to: Option<DateTime<Utc>>,
    pub segment: Option<Segment>,
    pub risk_flag: Option<RiskFlag>,
    /// `priority_score` (default, highest first), `event_at`, `booking_date` or
    /// `created_at`, with `:asc`/`:desc`.
    pub sort: Option<String>,
    /// Alternative spelling of `sort`: `priority_score_desc`.
    pub order_by: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl ListBookings {
    /// The SQL this list runs (public so tests can check its query plan).
    pub fn query(&self) -> Result<ListQuery> {
        let mut q = ListQuery::new(SELECT, "bookings b", "1=1");
        q.eq(
            "b.booking_status",
            self.booking_status.map(|s| s.as_str().into()),
        );
        q.eq(
            "b.payment_status",
            self.payment_status.map(|s| s.as_str().into()),
        );
        q.eq("b.unit_id", self.unit_id.map(|s| s.to_string()));
        q.eq("b.customer_id", self.customer_id.map(|s| s.to_string()));
        q.eq("b.staff_id", self.staff_id.map(|s| s.to_string()));
        if let Some(p) = self.provider_id {
            q.and(
                "b.slot_id IN (SELECT id FROM slots WHERE provider_id = ?)",
                [Value::Text(p.to_string())],
            );
        }
        if let Some(sv) = self.service_id {
            q.and(
                "b.slot_id IN (SELECT id FROM slots WHERE service_id = ?)",
                [Value::Text(sv.to_string())],
            );
        }
        q.eq(
            "b.priority_segment",
            self.segment.map(|s| s.as_str().into()),
        );
        if self.open == Some(true) {
            q.and("b.booking_status IN ('pending','active')", []);
        }
        q.search(&["b.code"], self.code.as_deref());
        if let Some(d) = self.booking_date_from {
            q.and("b.booking_date >= ?", [Value::Text(d.to_string())]);
        }
        if let Some(t) = self.event_from {
            q.and("b.event_at >= ?", [Value::Text(to_db(t))]);
        }
        if let Some(t) = self.event_to {
            q.and("b.event_at < ?", [Value::Text(to_db(t))]);
        }
        if let Some(d) = self.booking_date_to {
            q.and("b.booking_date <= ?", [Value::Text(d.to_string())]);
        }
        if let Some(flag) = self.risk_flag {
            q.and(
                "b.id IN (SELECT booking_id FROM booking_risk_flags WHERE flag = ?)",
                [Value::Text(flag.as_str().into())],
            );
        }
        let (raw, field) = match (&self.sort, &self.order_by) {
            (Some(s), _) => (s.as_str(), "sort"),
            (None, Some(o)) => (o.as_str(), "order_by"),
            (None, None) => ("priority_score:desc", "sort"),
        };
        // A bare `priority_score` means highest first, as on the priority board.
        let raw = if raw.trim() == "priority_score" {
            "priority_score:desc"
        } else {
            raw
        };
        let (col, dir) = parse_sort(
            raw,
            field,
            &[
                ("priority_score", "b.priority_score"),
                ("event_at", "b.event_at"),
                ("booking_date", "b.booking_date"),
                ("created_at", "b.created_at"),
                ("code", "b.code"),
            ],
        )?;
        q.order_by(col, dir, "b.");
        Ok(q)
    }
}

impl Operation for ListBookings {
    type Output = Page<Booking>;
    const NAME: &'static str = "bookings.list";
    const PERMISSION: Permission = Permission::BookingsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Booking>> {
        let paging = Paging::new(self.page, self.page_size)?;
        self.query()?.fetch(ctx.conn, paging, from_row)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentChange {
    pub from_segment: Option<Segment>,
    pub to_segment: Segment,
    pub score: i32,
    pub changed_at: String,
}

/// How a booking's segment changed over time, oldest first.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookingSegmentHistory {
    pub id: BookingId,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentHistory {
    pub data: Vec<SegmentChange>,
}

impl Operation for BookingSegmentHistory {
    type Output = SegmentHistory;
    const NAME: &'static str = "bookings.segment_history";
    const PERMISSION: Permission = Permission::BookingsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<SegmentHistory> {
        find(ctx.conn, self.id)?;
        let data = ctx
            .conn
            .prepare_cached(
                "SELECT from_segment, to_segment, score, changed_at FROM booking_segment_history
                 WHERE booking_id = ?1 ORDER BY id",
            )?
            .query_map([self.id], |r| {
                Ok(SegmentChange {
                    from_segment: r.get(0)?,
                    to_segment: r.get(1)?,
                    score: r.get(2)?,
                    changed_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(SegmentHistory { data })
    }
}

/// Rescores every open booking in one transaction (the daily job, or on demand).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RecalculatePriorities {}

#[derive(Debug, Serialize, ToSchema)]
pub struct Recalculated {
    /// Open bookings rescored.
    pub updated: u64,
    /// How many of them changed segment.
    pub segment_changes: u64,
}

impl Operation for RecalculatePriorities {
    type Output = Recalculated;
    const NAME: &'static str = "bookings.recalculate";
    const PERMISSION: Permission = Permission::PriorityRecalculate;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Recalculated> {
        let today = ctx.today();
        let now = to_db(ctx.now);
        // One read of every open booking; overlaps are found in memory and
        // only rows whose score, levels or flags changed are written (their
        // `updated_priority_at` moves; the run itself is in the audit trail).
        let open: Vec<OpenBooking> = ctx
            .conn
            .prepare(
                "SELECT b.id, b.customer_id, b.event_at, b.event_end_at, b.payment_status, b.price,
                        b.client_count, b.priority_score, b.priority_segment, b.urgency_level,
                        b.monetary_level,
                        (SELECT group_concat(flag) FROM booking_risk_flags f WHERE f.booking_id = b.id)
                 FROM bookings b WHERE b.booking_status IN ('pending','active')",
            )?
            .query_map([], |r| {
                let instant = |i: usize| -> rusqlite::Result<Option<DateTime<Utc>>> {
                    r.get::<_, Option<String>>(i)?.as_deref().map(from_db).transpose()
                };
                let flags: Option<String> = r.get(11)?;
                Ok(OpenBooking {
                    id: r.get(0)?,
                    customer: r.get(1)?,
                    start: instant(2)?,
                    end: instant(3)?,
                    payment: r.get(4)?,
                    price: r.get(5)?,
                    clients: r.get(6)?,
                    score: r.get(7)?,
                    segment: r.get(8)?,
                    urgency: r.get(9)?,
                    monetary: r.get(10)?,
                    flags: flags.map(|f| f.split(',').filter_map(RiskFlag::parse).collect()).unwrap_or_default(),
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        let overlapping = overlapping_open(&open);
        let mut changed: Vec<(BookingId, Option<Segment>, Priority)> = Vec::new();
        for (i, b) in open.iter().enumerate() {
            let p = priority::score(
                &ScoreInput {
                    event_date: event_date(b.start, &ctx.settings),
                    payment: b.payment,
                    price: b.price,
                    clients: b.clients,
                    open: true,
                    overlaps_other: overlapping[i],
                },
                today,
                &ctx.settings,
            );
            let same = b.score == p.score
                && b.segment == p.segment
                && b.urgency == p.urgency
                && b.monetary == p.monetary
                && same_flags(&b.flags, &p.risk_flags);
            if !same {
                changed.push((b.id, Some(b.segment), p));
            }
        }
        let updated = open.len() as u64;
        let mut segment_changes = 0;
        for (id, old, p) in &changed {
            if *old != Some(p.segment) {
                segment_changes += 1;
            }
            store_priority(ctx, *id, *old, p)?;
            // Head office's copy follows the new score through the change log.
            let snapshot = RescoredBooking {
                id: *id,
                priority_score: p.score,
                priority_segment: p.segment,
                urgency_level: p.urgency,
                monetary_level: p.monetary,
                risk_flags: &p.risk_flags,
                updated_priority_at: &now,
            };
            crate::audit::log_change(ctx, "booking", &id.to_string(), &snapshot)?;
        }
        let result = Recalculated {
            updated,
            segment_changes,
        };
        // One audit entry stands for the whole run.
        crate::audit::note(ctx, "recalculate", "bookings", "*", &result)?;
        Ok(result)
    }
}

/// An open booking as the recalculation reads it.
struct OpenBooking {
    id: BookingId,
    customer: CustomerId,
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    payment: PaymentStatus,
    price: Money,
    clients: u32,
    score: i32,
    segment: Segment,
    urgency: Urgency,
    monetary: Monetary,
    flags: Vec<RiskFlag>,
}

/// For each open booking, whether another open booking of the same customer
/// overlaps it: per customer, sorted by start, each compared with those that
/// start before it ends.
fn overlapping_open(open: &[OpenBooking]) -> Vec<bool> {
    // Per customer: (start, end, index into `open`).
    type Spans = Vec<(DateTime<Utc>, DateTime<Utc>, usize)>;
    let mut by_customer: std::collections::HashMap<CustomerId, Spans> =
        std::collections::HashMap::new();
    for (i, b) in open.iter().enumerate() {
        if let (Some(s), Some(e)) = (b.start, b.end) {
            by_customer.entry(b.customer).or_default().push((s, e, i));
        }
    }
    let mut overlapping = vec![false; open.len()];
    for spans in by_customer.values_mut() {
        spans.sort();
        for (k, (_, end, i)) in spans.iter().enumerate() {
            for (start, _, j) in &spans[k + 1..] {
                if start >= end {
                    break;
                }
                overlapping[*i] = true;
                overlapping[*j] = true;
            }
        }
    }
    overlapping
}

/// The fields the daily rescoring changes, as the change log carries them.
#[derive(Serialize)]
struct RescoredBooking<'a> {
    id: BookingId,
    priority_score: i32,
    priority_segment: Segment,
    urgency_level: Urgency,
    monetary_level: Monetary,
    risk_flags: &'a [RiskFlag],
    updated_priority_at: &'a str,
}

fn same_flags(a: &[RiskFlag], b: &[RiskFlag]) -> bool {
    a.len() == b.len() && a.iter().all(|f| b.contains(f))
}

/// Cancels `pending` bookings older than the expiry setting and frees their units.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ExpireBookings {}

#[derive(Debug, Serialize, ToSchema)]
pub struct Expired {
    pub canceled: Vec<String>,
}

impl Operation for ExpireBookings {
    type Output = Expired;
    const NAME: &'static str = "bookings.expire";
    const PERMISSION: Permission = Permission::PriorityRecalculate;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Expired> {
        let cutoff = ctx.now - Duration::days(i64::from(ctx.settings.booking_expiry_days));
        let ids: Vec<BookingId> = ctx
            .conn
            .prepare("SELECT id FROM bookings WHERE booking_status = 'pending' AND created_at < ?1 ORDER BY created_at")?
            .query_map([to_db(cutoff)], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut canceled = Vec::with_capacity(ids.len());
        let reason = format!(
            "tidak dibayar dalam {} hari (kedaluwarsa)",
            ctx.settings.booking_expiry_days
        );
        for id in ids {
            let b = cancel(ctx, find(ctx.conn, id)?, Some(&reason), "expire")?;
            canceled.push(b.code);
        }
        Ok(Expired { canceled })
    }
}

/// A customer's booking history, latest event first.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CustomerBookings {
    pub id: CustomerId,
    pub booking_status: Option<BookingStatus>,
    /// As for the booking list; defaults to `event_at:desc`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for CustomerBookings {
    type Output = Page<Booking>;
    const NAME: &'static str = "customers.bookings";
    const PERMISSION: Permission = Permission::BookingsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Booking>> {
        customers::find(ctx, self.id)?;
        ListBookings {
            customer_id: Some(self.id),
            booking_status: self.booking_status,
            sort: Some(self.sort.unwrap_or_else(|| "event_at:desc".into())),
            page: self.page,
            page_size: self.page_size,
            ..Default::default()
        }
        .run(ctx)
    }
}

/// A provider's service bookings, past and upcoming (`upcoming=true` for
/// only those still ahead), in event order.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProviderBookings {
    pub id: ProviderId,
    pub upcoming: Option<bool>,
    pub booking_status: Option<BookingStatus>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ProviderBookings {
    type Output = Page<Booking>;
    const NAME: &'static str = "providers.bookings";
    const PERMISSION: Permission = Permission::BookingsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Booking>> {
        crate::providers::find(ctx.conn, self.id)?;
        let paging = Paging::new(self.page, self.page_size)?;
        let list = ListBookings {
            provider_id: Some(self.id),
            booking_status: self.booking_status,
            sort: Some("event_at:asc".into()),
            ..Default::default()
        };
        let mut q = list.query()?;
        if self.upcoming == Some(true) {
            q.and("b.event_at >= ?", [Value::Text(to_db(ctx.now))]);
        }
        q.fetch(ctx.conn, paging, from_row)
    }
}
