//! Time slots: when a provider performs a service. The rules (no overlap for
//! a provider, a per-day maximum in the business time zone, nothing in the
//! past, booked slots stay put) are checked inside the write transaction.

mod generation;
mod lists;

pub use generation::{GenerateSlots, Generated, SkippedSlot};
pub use lists::{Day, ListSlots, ProviderDay, next_available};

use chrono::{DateTime, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::{from_db, to_db};
use crate::kernel::entity::{Entity, record_created, save};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::Bounded;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::settings::Settings;
use crate::kernel::types::Done;
use crate::kernel::types::text_enum;
use crate::kernel::types::{BookingId, ProviderId, ServiceId, SlotId};
use crate::scheduling::providers::{self, Provider};
use crate::scheduling::services::{self, DurationMin, Service};

text_enum!(SlotStatus { Available = "available", Booked = "booked" });

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Slot {
    pub id: SlotId,
    pub service_id: ServiceId,
    pub service_name: String,
    pub provider_id: ProviderId,
    pub provider_name: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub duration_min: u32,
    pub status: SlotStatus,
    /// The booking holding the slot (open, or completed: the slot stays booked), if any.
    pub booking_id: Option<BookingId>,
    pub booking_code: Option<String>,
    pub customer_name: Option<String>,
    /// Whether its service and provider are still active: a free slot of a
    /// deactivated one cannot be booked (and `status=available` leaves it out).
    pub offered: bool,
    pub version: i64,
}

/// Whether slot `s`'s service and provider still take bookings (SQL on `s`
/// alone, so list counts can use it without the joins).
macro_rules! offered_sql {
    () => {
        "EXISTS (SELECT 1 FROM services osv, providers op
           WHERE osv.id = s.service_id AND osv.active = 1 AND osv.deleted_at IS NULL
             AND op.id = s.provider_id AND op.active = 1 AND op.deleted_at IS NULL)"
    };
}
const OFFERED: &str = offered_sql!();

const SELECT: &str = concat!(
    "SELECT s.id, s.service_id, sv.name, s.provider_id, p.name, s.starts_at, s.ends_at,
    s.duration_min, s.status, b.id, b.code, c.name, s.version, ",
    offered_sql!(),
    "
  FROM slots s
  JOIN services sv ON sv.id = s.service_id
  JOIN providers p ON p.id = s.provider_id
  LEFT JOIN bookings b ON b.slot_id = s.id AND b.booking_status IN ('pending','active','completed')
  LEFT JOIN customers c ON c.id = b.customer_id"
);

fn from_row(r: &Row<'_>) -> rusqlite::Result<Slot> {
    Ok(Slot {
        id: r.get(0)?,
        service_id: r.get(1)?,
        service_name: r.get(2)?,
        provider_id: r.get(3)?,
        provider_name: r.get(4)?,
        starts_at: from_db(&r.get::<_, String>(5)?)?,
        ends_at: from_db(&r.get::<_, String>(6)?)?,
        duration_min: r.get(7)?,
        status: r.get(8)?,
        booking_id: r.get(9)?,
        booking_code: r.get(10)?,
        customer_name: r.get(11)?,
        version: r.get(12)?,
        offered: r.get(13)?,
    })
}

pub fn find(conn: &Connection, id: SlotId) -> Result<Slot> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE s.id = ?1 AND s.deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or(Error::NotFound { entity: "slot" })
}

/// By hand, not `entity!`: the instants are stored as [`to_db`] text, and
/// the service, provider and booking fields are joined in, not columns.
/// The status is no column here either: it changes only through
/// [`set_status`], whose conditional UPDATE guards against a second booker.
impl Entity for Slot {
    type Id = SlotId;
    const TABLE: &'static str = "slots";
    const KIND: EntityKind = EntityKind::Slot;
    const COLUMNS: &'static [&'static str] = &["starts_at", "ends_at", "duration_min"];

    fn id(&self) -> SlotId {
        self.id
    }

    fn values(&self) -> Vec<Value> {
        vec![
            Value::Text(to_db(self.starts_at)),
            Value::Text(to_db(self.ends_at)),
            Value::Integer(i64::from(self.duration_min)),
        ]
    }

    fn find(conn: &Connection, id: SlotId) -> Result<Self> {
        find(conn, id)
    }
}

/// Why a candidate slot cannot be created.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// It starts in the past.
    Past,
    /// It overlaps another slot of the same provider.
    Overlap,
    /// The provider's day is full.
    DayLimit,
    /// It falls in a break (generation only).
    Break,
}

/// The UTC instants at which local day `date` starts and ends.
fn local_day_bounds(date: NaiveDate, s: &Settings) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |d: NaiveDate| {
        s.time_zone
            .from_local_datetime(&d.and_time(NaiveTime::MIN))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| d.and_time(NaiveTime::MIN).and_utc())
    };
    (at(date), at(date + Duration::days(1)))
}

fn local_date(t: DateTime<Utc>, s: &Settings) -> NaiveDate {
    t.with_timezone(&s.time_zone).date_naive()
}

fn day_limit(provider: &Provider, s: &Settings) -> i64 {
    i64::from(provider.max_slots_per_day.unwrap_or(s.max_slots_per_day))
}

/// Slots the provider already has on the local day of `start`.
fn slots_on_day(
    ctx: &Ctx<'_>,
    provider: ProviderId,
    start: DateTime<Utc>,
    except: Option<SlotId>,
) -> Result<i64> {
    let (from, to) = local_day_bounds(local_date(start, &ctx.settings), &ctx.settings);
    Ok(ctx
        .conn
        .prepare_cached(
            "SELECT COUNT(*) FROM slots WHERE provider_id = ?1 AND starts_at >= ?2 AND starts_at < ?3 AND id IS NOT ?4
               AND deleted_at IS NULL",
        )?
        .query_row((provider, to_db(from), to_db(to), except), |r| r.get(0))?)
}

/// The provider's slot overlapping `[start, end)`, if any (half-open: back to back is fine).
fn overlapping(
    ctx: &Ctx<'_>,
    provider: ProviderId,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<SlotId>,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>> {
    // Slots last at most a day, so only those starting in the day before can reach `start`.
    let row: Option<(String, String)> = ctx
        .conn
        .prepare_cached(
            "SELECT starts_at, ends_at FROM slots
             WHERE provider_id = ?1 AND starts_at > ?2 AND starts_at < ?3 AND ends_at > ?4 AND id IS NOT ?5
               AND deleted_at IS NULL LIMIT 1",
        )?
        .query_row(
            (provider, to_db(start - Duration::days(1)), to_db(end), to_db(start), except),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(s, e)| Ok((from_db(&s)?, from_db(&e)?)))
        .transpose()
}

/// Checks the slot rules for `[start, end)`.
fn check(
    ctx: &Ctx<'_>,
    provider: &Provider,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    except: Option<SlotId>,
) -> Result<std::result::Result<(), (SkipReason, String)>> {
    let hm = |t: DateTime<Utc>| {
        t.with_timezone(&ctx.settings.time_zone)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    };
    if start <= ctx.now {
        return Ok(Err((
            SkipReason::Past,
            format!("{} is in the past", hm(start)),
        )));
    }
    if let Some((s, e)) = overlapping(ctx, provider.id, start, end, except)? {
        return Ok(Err((
            SkipReason::Overlap,
            format!(
                "overlaps {}'s slot {}–{}",
                provider.name,
                hm(s),
                e.with_timezone(&ctx.settings.time_zone).format("%H:%M")
            ),
        )));
    }
    let limit = day_limit(provider, &ctx.settings);
    if slots_on_day(ctx, provider.id, start, except)? >= limit {
        return Ok(Err((
            SkipReason::DayLimit,
            format!(
                "{} already has {limit} slots on {} (the maximum)",
                provider.name,
                local_date(start, &ctx.settings)
            ),
        )));
    }
    Ok(Ok(()))
}

fn rule_error((reason, message): (SkipReason, String)) -> Error {
    match reason {
        SkipReason::Past => Error::validation("starts_at", message),
        _ => Error::conflict(message),
    }
}

/// The provider performs the service, both exist and are active.
fn provider_and_service(
    ctx: &Ctx<'_>,
    provider: ProviderId,
    service: ServiceId,
) -> Result<(Provider, Service)> {
    let p = providers::find(ctx.conn, provider)
        .map_err(|_| Error::validation("provider_id", "no such provider"))?;
    if !p.active {
        return Err(Error::validation(
            "provider_id",
            format!("{} is not active", p.name),
        ));
    }
    let s = services::bookable(ctx.conn, service, "service_id")?;
    if !p.service_ids.contains(&service) {
        return Err(Error::validation(
            "service_id",
            format!("{} does not offer {}", p.name, s.name),
        ));
    }
    Ok((p, s))
}

fn insert(
    ctx: &Ctx<'_>,
    p: &Provider,
    s: &Service,
    start: DateTime<Utc>,
    minutes: u32,
) -> Result<SlotId> {
    let id = SlotId::new();
    let now = to_db(ctx.now);
    ctx.conn
        .prepare_cached(
            "INSERT INTO slots (id, service_id, provider_id, starts_at, ends_at, duration_min, status, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'available', ?7, ?7)",
        )?
        .execute(rusqlite::params![
            id,
            s.id,
            p.id,
            to_db(start),
            to_db(start + Duration::minutes(i64::from(minutes))),
            minutes,
            now
        ])?;
    Ok(id)
}

/// Reads a slot start: RFC 3339, or local time in the business time zone.
fn parse_start(raw: &str, s: &Settings, field: &str) -> Result<DateTime<Utc>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Ok(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .and_then(|local| s.time_zone.from_local_datetime(&local).earliest())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Error::validation(field, "must be a date and time such as 2026-12-01T10:00"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSlot {
    pub service_id: ServiceId,
    pub provider_id: ProviderId,
    /// RFC 3339, or local time in the business time zone (`2026-12-01T10:00`).
    #[schema(format = DateTime)]
    pub starts_at: String,
    /// Defaults to the service's duration.
    pub duration_min: Option<DurationMin>,
}

impl Operation for CreateSlot {
    type Output = Slot;
    const NAME: &'static str = "slots.create";
    const PERMISSION: Permission = Permission::ScheduleWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Slot> {
        let (p, s) = provider_and_service(ctx, self.provider_id, self.service_id)?;
        let start = parse_start(&self.starts_at, &ctx.settings, "starts_at")?;
        let len = self.duration_min.map_or(s.duration_min, Bounded::get);
        let end = start + Duration::minutes(i64::from(len));
        check(ctx, &p, start, end, None)?.map_err(rule_error)?;
        let id = insert(ctx, &p, &s, start, len)?;
        let slot = find(ctx.conn, id)?;
        record_created(ctx, &slot)?;
        Ok(slot)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetSlot {
    pub id: SlotId,
}

impl Operation for GetSlot {
    type Output = Slot;
    const NAME: &'static str = "slots.get";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Slot> {
        find(ctx.conn, self.id)
    }
}

/// Moves or resizes a free slot (a booked slot cannot be moved: 409).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSlot {
    pub id: SlotId,
    pub version: Option<i64>,
    #[schema(format = DateTime)]
    pub starts_at: Option<String>,
    pub duration_min: Option<DurationMin>,
}

impl Operation for UpdateSlot {
    type Output = Slot;
    const NAME: &'static str = "slots.update";
    const PERMISSION: Permission = Permission::ScheduleWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Slot> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "slot")?;
        if before.status == SlotStatus::Booked {
            return Err(Error::conflict(format!(
                "the slot is booked ({}); cancel the booking before moving it",
                before.booking_code.as_deref().unwrap_or("-")
            )));
        }
        let mut slot = before.clone();
        if let Some(raw) = &self.starts_at {
            slot.starts_at = parse_start(raw, &ctx.settings, "starts_at")?;
        }
        if let Some(v) = self.duration_min {
            slot.duration_min = v.get();
        }
        slot.ends_at = slot.starts_at + Duration::minutes(i64::from(slot.duration_min));
        let provider = providers::find(ctx.conn, before.provider_id)?;
        check(ctx, &provider, slot.starts_at, slot.ends_at, Some(self.id))?.map_err(rule_error)?;
        save(ctx, &before, slot)
    }
}

/// Deletes a free slot (a booked slot cannot be deleted: 409).
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteSlot {
    pub id: SlotId,
}

impl Operation for DeleteSlot {
    type Output = Done;
    const NAME: &'static str = "slots.delete";
    const PERMISSION: Permission = Permission::ScheduleWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Done> {
        let before = find(ctx.conn, self.id)?;
        if before.status == SlotStatus::Booked {
            return Err(Error::conflict(format!(
                "the slot is {}; a booked slot cannot be deleted",
                before
                    .booking_code
                    .map_or("booked".to_owned(), |c| format!("booked by {c}"))
            )));
        }
        remove_free(ctx.conn, &[self.id], &to_db(ctx.now))?;
        ctx.record(
            Action::Delete,
            EntityKind::Slot,
            &self.id.to_string(),
            Some(&before),
            None::<&Slot>,
        )?;
        Ok(Done { ok: true })
    }
}

/// Takes free slots out of every list and check: one a canceled booking
/// still names is marked removed (the booking keeps its history), any other
/// is deleted.
pub fn remove_free(conn: &Connection, ids: &[SlotId], now: &str) -> Result<()> {
    for id in ids {
        let held: bool = conn
            .prepare_cached("SELECT EXISTS(SELECT 1 FROM bookings WHERE slot_id = ?1)")?
            .query_row([id], |r| r.get(0))?;
        if held {
            conn.prepare_cached(
                "UPDATE slots SET deleted_at = ?2, updated_at = ?2, version = version + 1
                  WHERE id = ?1 AND status = 'available'",
            )?
            .execute((id, now))?;
        } else {
            conn.prepare_cached("DELETE FROM slots WHERE id = ?1 AND status = 'available'")?
                .execute([id])?;
        }
    }
    Ok(())
}

/// Whose slots: a service's or a provider's.
pub enum SlotsOf {
    Service(ServiceId),
    Provider(ProviderId),
}

/// The free future slots of a service or provider, for [`remove_free`] when
/// it is deleted.
pub fn free_future(conn: &Connection, of: SlotsOf, now: &str) -> Result<Vec<SlotId>> {
    let (column, id) = match of {
        SlotsOf::Service(id) => ("service_id", id.to_string()),
        SlotsOf::Provider(id) => ("provider_id", id.to_string()),
    };
    Ok(conn
        .prepare_cached(&format!(
            "SELECT id FROM slots WHERE {column} = ?1 AND status = 'available' AND starts_at > ?2
               AND deleted_at IS NULL"
        ))?
        .query_map((id, now), |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

// ---- hooks for bookings ---------------------------------------------------

/// Takes a free future slot for a new booking; 409 when it is taken.
pub fn hold_for_booking(ctx: &Ctx<'_>, id: SlotId) -> Result<Slot> {
    let slot = find(ctx.conn, id).map_err(|_| Error::validation("slot_id", "no such slot"))?;
    if slot.status != SlotStatus::Available {
        return Err(Error::conflict(format!(
            "the slot {} with {} is already booked",
            slot.starts_at
                .with_timezone(&ctx.settings.time_zone)
                .format("%Y-%m-%d %H:%M"),
            slot.provider_name
        )));
    }
    if slot.starts_at <= ctx.now {
        return Err(Error::conflict("the slot has already started"));
    }
    // A slot of a deactivated service or provider is not offered.
    if !slot.offered {
        return Err(Error::validation(
            "slot_id",
            format!(
                "{} with {} is no longer offered",
                slot.service_name, slot.provider_name
            ),
        ));
    }
    set_status(ctx, &slot, SlotStatus::Booked, Action::Booked)?;
    Ok(slot)
}

/// A booking on the slot was canceled: the slot is free again.
pub fn release(ctx: &Ctx<'_>, id: SlotId) -> Result<()> {
    let slot = find(ctx.conn, id)?;
    if slot.status == SlotStatus::Booked {
        set_status(ctx, &slot, SlotStatus::Available, Action::Released)?;
    }
    Ok(())
}

fn set_status(ctx: &Ctx<'_>, slot: &Slot, status: SlotStatus, action: Action) -> Result<()> {
    // Conditional on the status read, so a second writer can never take it too.
    let changed = ctx
        .conn
        .prepare_cached("UPDATE slots SET status = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1 AND status = ?4")?
        .execute((slot.id, status, to_db(ctx.now), slot.status))?;
    if changed == 0 {
        return Err(Error::conflict(
            "the slot was changed at the same time; reload and try again",
        ));
    }
    ctx.record(
        action,
        EntityKind::Slot,
        &slot.id.to_string(),
        Some(slot),
        Some(&find(ctx.conn, slot.id)?),
    )
}
