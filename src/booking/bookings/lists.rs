//! Reading bookings: the filtered, sorted list (the priority board), a
//! booking's segment history, and a customer's or provider's bookings.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::booking::priority::{PaymentStatus, RiskFlag, Segment};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::Result;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::ListQuery;
use crate::kernel::types::{
    BookingId, CustomerId, Page, Paging, ProviderId, ServiceId, SlotId, StaffId, UnitId, parse_sort,
};
use crate::people::customers::{self};

use super::{Booking, BookingStatus, SELECT, find, from_row};

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
    /// The bookings holding this slot (two open ones: a double booking).
    pub slot_id: Option<SlotId>,
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
        q.eq("b.slot_id", self.slot_id.map(|s| s.to_string()));
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
        crate::scheduling::providers::find(ctx.conn, self.id)?;
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
