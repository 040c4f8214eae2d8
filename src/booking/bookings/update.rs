//! Changing a booking: the partial update, the status lifecycle with what
//! it does to the unit and the slot, and cancelling.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::booking::priority::PaymentStatus;
use crate::booking::units;
use crate::kernel::auth::Permission;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::{BookingId, CustomerId, Money, SlotId, StaffId, patch};
use crate::people::customers::{self};
use crate::scheduling::slots;
use crate::sync::protocol::BookingCanceled;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::entity::{changed_columns, write_changes};

use super::recalculation::{score_of, store_priority};
use super::{
    Address, Booking, BookingStatus, LongText, PaymentMethod, client_count, default_end, find,
    parse_event_at, refresh_overlap_flags,
};
use crate::kernel::fields::Text;

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
    #[schema(value_type = Option<LongText>)]
    pub notes: Option<Option<LongText>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Address>)]
    pub address: Option<Option<Address>>,
    /// 1–5; only on a completed booking.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<u8>)]
    pub rating: Option<Option<u8>>,
    /// Only on a completed booking.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<LongText>)]
    pub review: Option<Option<LongText>>,
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
        }
        if let Some(id) = self.customer_id.filter(|id| *id != before.customer_id) {
            customers::touch_last_booking(ctx, id)?;
            b.customer_id = id;
        }
        if let Some(v) = self.staff_id {
            if let Some(id) = v {
                crate::people::staff::find(ctx.conn, id)
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
                    "a service booking takes its time from its slot; move it to another slot instead",
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
            b.notes = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.address {
            b.address = v.and_then(Text::non_empty);
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
                b.review = v.and_then(Text::non_empty);
            }
        }
        if b.slot_id.is_none() {
            b.event_end_at = b.event_at.map(default_end);
        }
        // A closed booking keeps its facts; only its rating and review come later.
        let closed = !before.booking_status.is_open() && b.booking_status == before.booking_status;
        if closed
            && changed_columns(&before, &b)
                .iter()
                .any(|c| !matches!(*c, "rating" | "review"))
        {
            return Err(Error::conflict(format!(
                "{} is {}; a closed booking cannot be changed",
                before.code,
                before.booking_status.as_str()
            )));
        }
        // The audit trail names what happened: confirm, complete, cancel, or update.
        let action = match (before.booking_status == b.booking_status, b.booking_status) {
            (true, _) => Action::Update,
            (false, BookingStatus::Active) => Action::Confirm,
            (false, BookingStatus::Completed) => Action::Complete,
            (false, _) => Action::Cancel,
        };
        save(ctx, &before, &b, action)
    }
}

/// Moves an open service booking to another free slot of its service (with
/// any provider of it), as staff resolve a double booking or a customer asks
/// for another time: the new slot is taken, the old one freed unless another
/// booking still holds it (the other side of a double booking), the flags of
/// both sides refreshed, and the customer told the new time over WhatsApp
/// (`booking_moved`; a new provider gets the booking's notice).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveBooking {
    pub id: BookingId,
    /// The version you saw; a different current version is a 409.
    pub version: Option<i64>,
    /// A free future slot of the booking's service.
    pub slot_id: SlotId,
    /// Tell the customer (and a new provider) over WhatsApp; default `true`.
    pub notify: Option<bool>,
}

impl Operation for MoveBooking {
    type Output = Booking;
    const NAME: &'static str = "bookings.move";
    const PERMISSION: Permission = Permission::BookingsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Booking> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "booking")?;
        if !before.booking_status.is_open() {
            return Err(Error::conflict(format!(
                "{} is {}; only an open booking can be moved",
                before.code,
                before.booking_status.as_str()
            )));
        }
        let Some(from) = before.slot_id else {
            return Err(Error::conflict(format!(
                "{} holds no slot; change its event time instead",
                before.code
            )));
        };
        if from == self.slot_id {
            return Err(Error::validation(
                "slot_id",
                "is the booking's slot already",
            ));
        }
        let target = slots::find(ctx.conn, self.slot_id)
            .map_err(|_| Error::validation("slot_id", "no such slot"))?;
        if Some(target.service_id) != before.service_id {
            return Err(Error::validation(
                "slot_id",
                format!(
                    "is a slot of {}; a booking moves within its own service ({})",
                    target.service_name,
                    before.service_name.as_deref().unwrap_or("-")
                ),
            ));
        }
        let slot = slots::hold_for_booking(ctx, self.slot_id)?;
        let mut b = before.clone();
        b.slot_id = Some(slot.id);
        b.event_at = Some(slot.starts_at);
        b.event_end_at = Some(slot.ends_at);
        let after = save(ctx, &before, &b, Action::Move)?;
        if self.notify.unwrap_or(true) {
            crate::booking::messages::on_booking_moved(ctx, &before, &after)?;
        }
        Ok(after)
    }
}

/// Writes the changed booking, rescored, and what its status change (or
/// move) does to its unit and slots; records the audit entry under `action`.
fn save(ctx: &Ctx<'_>, before: &Booking, b: &Booking, action: Action) -> Result<Booking> {
    if !write_changes(ctx, before, b)? {
        return Ok(before.clone());
    }
    store_priority(ctx, b.id, Some(before.priority_segment), &score_of(b, ctx)?)?;
    // Moved off a slot: it is free again unless another booking holds it
    // too, and that booking's double booking is over.
    if let Some(old) = before.slot_id.filter(|old| b.slot_id != Some(*old)) {
        if !super::slot_held_by_another(ctx.conn, b.id, old)? {
            slots::release(ctx, old)?;
        }
        refresh_overlap_flags(ctx, b.customer_id, b.id, Some(old), &[])?;
    }
    if before.booking_status != b.booking_status {
        match (b.booking_status, b.unit_id, b.slot_id) {
            (BookingStatus::Completed, Some(unit), _) => units::mark_sold(ctx, unit)?,
            (BookingStatus::Canceled, Some(unit), _) => units::release(ctx, unit)?,
            // A slot another booking also holds (a double booking) stays booked.
            (BookingStatus::Canceled, _, Some(slot))
                if !super::slot_held_by_another(ctx.conn, b.id, slot)? =>
            {
                slots::release(ctx, slot)?
            }
            _ => {}
        }
    }
    let spans = [
        (before.event_at, before.event_end_at),
        (b.event_at, b.event_end_at),
    ];
    refresh_overlap_flags(ctx, b.customer_id, b.id, b.slot_id, &spans)?;
    if before.customer_id != b.customer_id {
        refresh_overlap_flags(ctx, before.customer_id, b.id, None, &spans)?;
    }
    let after = find(ctx.conn, b.id)?;
    ctx.record(
        action,
        EntityKind::Booking,
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
    pub reason: Option<Text<0, 200>>,
}

impl Operation for CancelBooking {
    type Output = Booking;
    const NAME: &'static str = "bookings.cancel";
    const PERMISSION: Permission = Permission::BookingsCancel;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Booking> {
        let before = find(ctx.conn, self.id)?;
        let reason = self.reason.and_then(Text::non_empty);
        cancel(ctx, before, reason.as_deref(), Action::Cancel)
    }
}

/// A cancellation the customer made at head office (pulled): the booking
/// is cancelled if it is still open, with the reason in its notes and its
/// slot freed, audited and change-logged like a cancellation at the desk.
/// One no longer open (completed, or cancelled already) stays as it is.
pub fn cancel_from_head_office(ctx: &Ctx<'_>, canceled: BookingCanceled) -> Result<()> {
    let Ok(before) = find(ctx.conn, canceled.id) else {
        tracing::warn!(
            "sync: head office cancelled booking {} which this desk does not have",
            canceled.id
        );
        return Ok(());
    };
    if !before.booking_status.is_open() {
        return Ok(());
    }
    cancel(ctx, before, Some(&canceled.reason), Action::Cancel)?;
    Ok(())
}

pub(super) fn cancel(
    ctx: &Ctx<'_>,
    before: Booking,
    reason: Option<&str>,
    action: Action,
) -> Result<Booking> {
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
