//! Keeping scores true: storing a booking's score and flags, the
//! double-booking flags across a customer's bookings, the daily
//! rescoring of every open booking, and the expiry of unpaid ones.

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::booking::priority::{
    self, Monetary, PaymentStatus, Priority, RiskFlag, ScoreInput, Segment, Urgency,
};
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::{from_db, to_db};
use crate::kernel::error::Result;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::{BookingId, CustomerId, Money, SlotId};

use super::update::cancel;
use super::{Booking, event_date, find, overlaps_other};

/// Stores the score, segment, levels and risk flags of one booking, and a
/// segment-history row when the segment changed.
pub(super) fn store_priority(
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

pub(super) fn score_of(b: &Booking, ctx: &Ctx<'_>) -> Result<Priority> {
    let open = b.booking_status.is_open();
    Ok(priority::score(
        &ScoreInput {
            event_date: event_date(b.event_at, &ctx.settings),
            payment: b.payment_status,
            price: b.price,
            clients: b.client_count,
            open,
            overlaps_other: open
                && overlaps_other(
                    ctx.conn,
                    b.id,
                    b.customer_id,
                    b.slot_id,
                    b.event_at,
                    b.event_end_at,
                )?,
        },
        ctx.today(),
        &ctx.settings,
    ))
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
        // One read of every open booking; overlaps are found in memory and
        // only rows whose score, levels or flags changed are written (their
        // `updated_priority_at` moves; the run itself is in the audit trail).
        let open: Vec<OpenBooking> = ctx
            .conn
            .prepare(
                "SELECT b.id, b.customer_id, b.event_at, b.event_end_at, b.payment_status, b.price,
                        b.client_count, b.priority_score, b.priority_segment, b.urgency_level,
                        b.monetary_level,
                        (SELECT group_concat(flag) FROM booking_risk_flags f WHERE f.booking_id = b.id),
                        b.slot_id
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
                    slot: r.get(12)?,
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
            // Head office's copy follows the new score through the change
            // log: the whole row, as every change-log row carries (head
            // office keeps a pushed row as it comes, not merged).
            let rescored = find(ctx.conn, *id)?;
            crate::kernel::audit::log_change(ctx, EntityKind::Booking, &id.to_string(), &rescored)?;
        }
        let result = Recalculated {
            updated,
            segment_changes,
        };
        // One audit entry stands for the whole run.
        crate::kernel::audit::note(
            ctx,
            Action::Recalculate,
            EntityKind::AllBookings,
            "*",
            &result,
        )?;
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
    slot: Option<SlotId>,
}

/// For each open booking, whether it is a double booking: another open
/// booking of the same customer overlaps it (per customer, sorted by start,
/// each compared with those that start before it ends), or another holds
/// its slot.
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
    // Two open bookings of one slot (see `overlaps_other`).
    let mut by_slot: std::collections::HashMap<SlotId, usize> = std::collections::HashMap::new();
    for (i, b) in open.iter().enumerate() {
        if let Some(slot) = b.slot {
            if let Some(&first) = by_slot.get(&slot) {
                overlapping[first] = true;
                overlapping[i] = true;
            } else {
                by_slot.insert(slot, i);
            }
        }
    }
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

pub(super) fn same_flags(a: &[RiskFlag], b: &[RiskFlag]) -> bool {
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
            let b = cancel(ctx, find(ctx.conn, id)?, Some(&reason), Action::Expire)?;
            canceled.push(b.code);
        }
        Ok(Expired { canceled })
    }
}
