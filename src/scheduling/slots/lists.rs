//! Reading slots: the filtered list, a provider's day, the next free slots.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::Result;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::settings::Settings;
use crate::kernel::store::ListQuery;
use crate::kernel::types::{Direction, Page, Paging, ProviderId, ServiceId};
use crate::scheduling::providers::{self, Provider};

use super::{OFFERED, SELECT, Slot, SlotStatus, from_row, local_day_bounds, parse_start};

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListSlots {
    pub service_id: Option<ServiceId>,
    pub provider_id: Option<ProviderId>,
    /// First local day (`2026-12-01`) or instant (RFC 3339).
    pub from: Option<String>,
    /// Last local day (inclusive) or instant (exclusive).
    pub to: Option<String>,
    pub status: Option<SlotStatus>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

/// A `from`/`to` bound: a date means the start of that local day (or, for
/// `to`, the start of the next one); otherwise an instant.
fn bound(raw: &str, s: &Settings, field: &str, end: bool) -> Result<DateTime<Utc>> {
    if let Ok(d) = NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        let (start, next) = local_day_bounds(d, s);
        return Ok(if end { next } else { start });
    }
    parse_start(raw, s, field)
}

impl ListSlots {
    pub fn query(&self, s: &Settings) -> Result<ListQuery> {
        let mut q = ListQuery::new(SELECT, "slots s", "s.deleted_at IS NULL");
        q.eq("s.service_id", self.service_id.map(|v| v.to_string()));
        q.eq("s.provider_id", self.provider_id.map(|v| v.to_string()));
        q.eq("s.status", self.status.map(|v| v.as_str().into()));
        if self.status == Some(SlotStatus::Available) {
            q.and(OFFERED, []);
        }
        if let Some(f) = &self.from {
            q.and(
                "s.starts_at >= ?",
                [Value::Text(to_db(bound(f, s, "from", false)?))],
            );
        }
        if let Some(t) = &self.to {
            q.and(
                "s.starts_at < ?",
                [Value::Text(to_db(bound(t, s, "to", true)?))],
            );
        }
        q.order_by("s.starts_at", Direction::Asc, "s.");
        Ok(q)
    }
}

impl Operation for ListSlots {
    type Output = Page<Slot>;
    const NAME: &'static str = "slots.list";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Slot>> {
        let paging = Paging::new(self.page, self.page_size)?;
        self.query(&ctx.settings)?.fetch(ctx.conn, paging, from_row)
    }
}

/// A provider's day: every slot on one local date, free and booked.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProviderDay {
    pub id: ProviderId,
    pub date: NaiveDate,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Day {
    pub date: NaiveDate,
    pub provider: Provider,
    pub slots: Vec<Slot>,
}

impl Operation for ProviderDay {
    type Output = Day;
    const NAME: &'static str = "providers.day";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Day> {
        let provider = providers::find(ctx.conn, self.id)?;
        let (from, to) = local_day_bounds(self.date, &ctx.settings);
        let slots = ctx
            .conn
            .prepare_cached(&format!(
                "{SELECT} WHERE s.provider_id = ?1 AND s.starts_at >= ?2 AND s.starts_at < ?3 ORDER BY s.starts_at"
            ))?
            .query_map((self.id, to_db(from), to_db(to)), from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Day {
            date: self.date,
            provider,
            slots,
        })
    }
}

/// The provider's next free future slots (for one service, if given).
pub fn next_available(
    conn: &Connection,
    provider: ProviderId,
    service: Option<ServiceId>,
    now: DateTime<Utc>,
    n: u32,
) -> Result<Vec<Slot>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE s.provider_id = ?1 AND s.starts_at > ?2 AND s.status = 'available'
               AND s.deleted_at IS NULL AND (?3 IS NULL OR s.service_id = ?3) AND {OFFERED}
             ORDER BY s.starts_at LIMIT ?4"
        ))?
        .query_map((provider, to_db(now), service, n), from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}
