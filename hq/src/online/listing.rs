//! What the booking page lists: the branches, a branch's services, and a
//! day's free times, from what the branches pushed.

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde::Serialize;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use loket::kernel::types::{Money, ServiceId, SlotId};

use super::DAYS_AHEAD;
use crate::error::Result;

/// A branch customers can book at.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicBranch {
    pub id: Uuid,
    pub name: String,
    /// Its link, `/book/{slug}`: the name in lower case, words joined by `-`.
    pub slug: String,
    pub address: Option<String>,
    /// A map link (`https://…`).
    pub map_url: Option<String>,
}

/// `Cabang Jakarta Selatan` → `cabang-jakarta-selatan`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The branches that are not revoked, by name.
pub async fn branches(pool: &PgPool) -> Result<Vec<PublicBranch>> {
    let rows = sqlx::query(
        "SELECT id, name, address, map_url FROM branches WHERE revoked_at IS NULL ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    rows.into_iter()
        .map(|r| {
            let name: String = r.try_get("name")?;
            Ok(PublicBranch {
                id: r.try_get("id")?,
                slug: slug(&name),
                name,
                address: r.try_get("address")?,
                map_url: r.try_get("map_url")?,
            })
        })
        .collect()
}

/// A service a branch offers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicService {
    #[schema(value_type = String)]
    pub id: ServiceId,
    pub name: String,
    #[schema(value_type = String)]
    pub price: Money,
    pub duration_min: u32,
}

/// The branch's active services, as it pushed them, by name.
pub async fn services(pool: &PgPool, branch_id: Uuid) -> Result<Vec<PublicService>> {
    let rows = sqlx::query(
        "SELECT entity_id, data->>'name' AS name, data->>'price' AS price,
                data->>'duration_min' AS duration_min
         FROM branch_rows
         WHERE branch_id = $1 AND entity = 'service' AND NOT deleted
           AND coalesce(data->>'active', 'true') = 'true'
         ORDER BY data->>'name'",
    )
    .bind(branch_id)
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get("entity_id")?;
        let name: Option<String> = r.try_get("name")?;
        let price: Option<String> = r.try_get("price")?;
        let duration: Option<String> = r.try_get("duration_min")?;
        // A row that does not read is left out rather than shown wrong.
        let (Ok(id), Some(name), Some(price), Some(duration_min)) = (
            id.parse::<ServiceId>(),
            name,
            price.as_deref().and_then(Money::from_text),
            duration.and_then(|d| d.parse::<u32>().ok()),
        ) else {
            continue;
        };
        out.push(PublicService {
            id,
            name,
            price,
            duration_min,
        });
    }
    Ok(out)
}

/// A free time: nothing else about it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicSlot {
    #[schema(value_type = String)]
    pub id: SlotId,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// The free slots of the branch's service on `date` (a day in the
/// business time zone) still ahead of `now`, earliest first: free as the
/// branch pushed them and held by nothing made here.
pub async fn free_slots(
    pool: &PgPool,
    branch_id: Uuid,
    service_id: ServiceId,
    date: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<PublicSlot>> {
    if date > now.date_naive() + TimeDelta::days(DAYS_AHEAD) {
        return Ok(Vec::new());
    }
    let tz = loket::bot::BotSettings::default().time_zone;
    let day_start = |d: NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .and_then(|t| tz.from_local_datetime(&t).earliest())
            .map(|t| t.with_timezone(&Utc))
    };
    let (Some(from), Some(to)) = (day_start(date), day_start(date + TimeDelta::days(1))) else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(concat!(
        "SELECT s.entity_id, s.data->>'starts_at' AS starts_at, s.data->>'ends_at' AS ends_at
         FROM branch_rows s
         WHERE s.branch_id = $1 AND s.data->>'service_id' = $2 AND ",
        crate::hq_bookings::free_as_pushed!(),
        " AND ",
        crate::hq_bookings::not_held_here!(),
    ))
    .bind(branch_id)
    .bind(service_id.to_string())
    .fetch_all(pool)
    .await?;
    let mut out = Vec::new();
    for r in rows {
        let id: String = r.try_get("entity_id")?;
        let starts: Option<String> = r.try_get("starts_at")?;
        let ends: Option<String> = r.try_get("ends_at")?;
        let (Ok(id), Some(Ok(starts_at)), Some(Ok(ends_at))) = (
            id.parse::<SlotId>(),
            starts.map(|t| t.parse::<DateTime<Utc>>()),
            ends.map(|t| t.parse::<DateTime<Utc>>()),
        ) else {
            continue;
        };
        if starts_at >= from && starts_at < to && starts_at > now {
            out.push(PublicSlot {
                id,
                starts_at,
                ends_at,
            });
        }
    }
    out.sort_by_key(|s| (s.starts_at, s.id));
    Ok(out)
}
