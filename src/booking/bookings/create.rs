//! Creating a booking: the customer upserted, the unit or slot taken, the
//! code allocated, the score stored and the messages queued, in one transaction.

use chrono::NaiveDate;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::booking::priority::{self, PaymentStatus, ScoreInput};
use crate::booking::units;
use crate::kernel::audit::next_code_number;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Email, Phone};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::{BookingId, CustomerId, Money, SlotId, StaffId, UnitId};
use crate::people::customers::{self, CustomerInput, CustomerName, CustomerRef};
use crate::scheduling::slots;
use crate::sync::protocol::BookingData;

use super::recalculation::store_priority;
use super::{
    Address, Booking, BookingSource, BookingStatus, LongText, PaymentMethod, client_count,
    default_end, event_date, find, overlaps_other, parse_event_at, refresh_overlap_flags,
};
use crate::kernel::fields::Text;

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
    pub notes: Option<LongText>,
    /// A free slot: makes this a service booking (event time = slot start,
    /// price defaults to the service's price).
    pub slot_id: Option<SlotId>,
    /// Where the service is performed; required with `slot_id`.
    pub address: Option<Address>,
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
        self.create(ctx, Origin::Desk)
    }
}

/// Who made a booking: this desk, or head office for this branch.
enum Origin {
    Desk,
    /// Its id and code are head office's; its slot may be booked here
    /// already (this desk booked it offline): it is kept all the same, and
    /// both bookings are flagged `double_booking` for staff to resolve.
    HeadOffice {
        id: BookingId,
        code: String,
        source: BookingSource,
        created_at: String,
    },
}

/// Takes a booking head office made for this branch (pulled) as this
/// branch's own, in the pull's transaction, with the desk's rules: the
/// customer matched by phone (else created), the slot taken, the priority
/// scored, audited and change-logged (so it goes back to head office as
/// this branch's). No message is queued: head office confirmed it to the
/// customer. Pulled again, it changes nothing.
pub fn take_from_head_office(ctx: &mut Ctx<'_>, data: BookingData) -> Result<()> {
    if find(ctx.conn, data.id).is_ok() {
        return Ok(());
    }
    let source = BookingSource::parse(&data.source).unwrap_or(BookingSource::Whatsapp);
    // Head office checked these with the desk's own rules; read again, a
    // refusal names the field rather than taking a wrong value.
    let field = |name: &str, message: String| Error::validation(format!("booking.{name}"), message);
    let mut customer = CustomerInput::new(
        CustomerName::parse(&data.customer_name).map_err(|m| field("customer_name", m))?,
        Phone::parse(&data.customer_phone).map_err(|m| field("customer_phone", m))?,
    );
    customer.language = Some(data.customer_language);
    // The booking page's fields (`online`).
    customer.gender = match data.customer_gender.as_deref() {
        Some("male") => Some(customers::Gender::Male),
        Some("female") => Some(customers::Gender::Female),
        _ => None,
    };
    customer.email = data
        .customer_email
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(|m| field("customer_email", m))?;
    customer.customer_type = data
        .customer_type
        .as_deref()
        .map(|t| t.chars().take(100).collect::<String>())
        .map(|t| Text::parse(&t))
        .transpose()
        .map_err(|m| field("customer_type", m))?;
    let notes = data
        .notes
        .as_deref()
        .map(|n| n.chars().take(1000).collect::<String>())
        .map(|n| LongText::parse(&n))
        .transpose()
        .map_err(|m| field("notes", m))?;
    let address: String = data.address.chars().take(500).collect();
    let input = CreateBooking {
        customer_id: None,
        customer: Some(customer),
        unit_id: None,
        staff_id: None,
        booking_date: None,
        event_at: None,
        client_count: None,
        price: Some(data.price),
        booking_fee: None,
        payment_status: None,
        payment_date: None,
        payment_method: None,
        booking_status: None,
        notes,
        slot_id: Some(data.slot_id),
        address: Some(Address::parse(&address).map_err(|m| field("address", m))?),
    };
    input.create(
        ctx,
        Origin::HeadOffice {
            id: data.id,
            code: data.code,
            source,
            created_at: data.created_at,
        },
    )?;
    Ok(())
}

impl CreateBooking {
    fn create(self, ctx: &mut Ctx<'_>, origin: Origin) -> Result<BookingCreated> {
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
        let notes = self.notes.and_then(Text::non_empty);
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
            crate::people::staff::find(ctx.conn, id)
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
        let address = self.address.and_then(Text::non_empty);
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
        let slot = match (self.slot_id, &origin) {
            (Some(id), Origin::Desk) => Some(slots::hold_for_booking(ctx, id)?),
            // Head office believed it free; if this desk booked it
            // meanwhile, the booking is kept (and flagged) all the same.
            (Some(id), Origin::HeadOffice { .. }) => {
                let slot = slots::find(ctx.conn, id)
                    .map_err(|_| Error::validation("slot_id", "no such slot at this branch"))?;
                if slot.status == slots::SlotStatus::Available {
                    slots::hold_for_booking(ctx, id)?;
                }
                Some(slot)
            }
            (None, _) => None,
        };
        let service_price = match &slot {
            Some(sl) => Some(crate::scheduling::services::find(ctx.conn, sl.service_id)?.price),
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

        let (id, code, source, created_at) = match &origin {
            Origin::Desk => (
                BookingId::new(),
                booking_code(ctx.conn, booking_date)?,
                BookingSource::Desk,
                to_db(ctx.now),
            ),
            Origin::HeadOffice {
                id,
                code,
                source,
                created_at,
            } => (*id, code.clone(), *source, created_at.clone()),
        };
        let p = priority::score(
            &ScoreInput {
                event_date: event_date(event_at, &ctx.settings),
                payment: payment_status,
                price,
                clients,
                open: true,
                overlaps_other: overlaps_other(
                    ctx.conn,
                    id,
                    customer.id,
                    self.slot_id,
                    event_at,
                    event_end_at,
                )?,
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
                    updated_at, slot_id, address, event_end_at, source)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20,
                    ?21, ?25, ?21, ?22, ?23, ?24, ?26)",
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
                created_at,
                source,
            ])?;
        store_priority(ctx, id, None, &p)?;
        refresh_overlap_flags(
            ctx,
            customer.id,
            id,
            self.slot_id,
            &[(event_at, event_end_at)],
        )?;
        let booking = find(ctx.conn, id)?;
        ctx.record(
            Action::Create,
            EntityKind::Booking,
            &id.to_string(),
            None::<&Booking>,
            Some(&booking),
        )?;
        // The confirmation (and provider notification) is queued with the
        // booking; head office sent its own for the bookings it made.
        if matches!(origin, Origin::Desk) {
            crate::booking::messages::on_booking_created(ctx, &booking)?;
        }
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
