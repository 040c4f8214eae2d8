//! The service catalogue head office owns: created, edited and retired here
//! by an `hq_admin`, each change published in the same transaction for
//! every branch to pull. The fields follow the desk's own rules (its field
//! types and `Money`), not a copy.
//!
//! A retired service is kept with `deleted_at` (branches' bookings name it)
//! and published as a `delete`: a desk hides it as its own delete would,
//! its bookings keep it.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::{PgPool, Postgres, Row, Transaction};
use uuid::Uuid;

use loket::kernel::fields::Text;
use loket::kernel::types::{Money, ServiceId};
use loket::scheduling::services::{DurationMin, ServiceName};
use loket::sync::protocol::ServiceData;

use crate::error::{HqError, Result};
use crate::sync_pull::publish;

/// A service as head office shows it: the data branches pull, and the
/// version an edit may name to be refused when stale.
#[derive(Debug, Serialize)]
pub struct HqService {
    #[serde(flatten)]
    pub service: ServiceData,
    pub version: i64,
}

/// `POST /api/v1/services`, read with the desk's field types so the rules
/// (and the field named in a refusal) are the desk's.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewService {
    pub name: ServiceName,
    pub description: Option<Text<0, 1000>>,
    pub duration_min: DurationMin,
    pub price: Money,
    pub active: Option<bool>,
}

/// `PUT /api/v1/services/{id}`: only the fields given change; `version`, when
/// given, must be the current one (409 otherwise). An empty description
/// removes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceEdit {
    pub name: Option<ServiceName>,
    pub description: Option<Text<0, 1000>>,
    pub duration_min: Option<DurationMin>,
    pub price: Option<Money>,
    pub active: Option<bool>,
    pub version: Option<i64>,
}

fn to_json(service: &ServiceData) -> Result<Value> {
    serde_json::to_value(service).map_err(|e| HqError::Internal(e.to_string()))
}

pub async fn create(pool: &PgPool, input: Value) -> Result<HqService> {
    let input: NewService = loket::kernel::ops::from_json(input)?;
    let service = ServiceData {
        id: ServiceId::new(),
        name: input.name.into_string(),
        description: input.description.and_then(Text::non_empty),
        duration_min: input.duration_min.get(),
        price: input.price.checked("price")?,
        active: input.active.unwrap_or(true),
    };
    let now = Utc::now();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO services (id, name, description, duration_min, price, active, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(service.id.0)
    .bind(&service.name)
    .bind(&service.description)
    .bind(service.duration_min as i32)
    .bind(service.price.decimal())
    .bind(service.active)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    publish_service(&mut tx, &service, "insert").await?;
    tx.commit().await?;
    Ok(HqService {
        service,
        version: 1,
    })
}

/// The service `id` reads as a UUID, or a 422 naming `id`.
pub fn parse_id(id: &str) -> Result<Uuid> {
    Uuid::parse_str(id.trim()).map_err(|_| HqError::validation("id", "must be a UUID"))
}

/// A live (not retired) service, locked for the rest of the transaction.
async fn locked(tx: &mut Transaction<'_, Postgres>, id: Uuid) -> Result<HqService> {
    let row = sqlx::query(
        "SELECT id, name, description, duration_min, price, active, version FROM services
         WHERE id = $1 AND deleted_at IS NULL FOR UPDATE",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(HqError::NotFound { entity: "service" })?;
    from_row(&row)
}

pub async fn update(pool: &PgPool, id: Uuid, input: Value) -> Result<HqService> {
    let edit: ServiceEdit = loket::kernel::ops::from_json(input)?;
    let mut tx = pool.begin().await?;
    let current = locked(&mut tx, id).await?;
    if let Some(v) = edit.version
        && v != current.version
    {
        return Err(HqError::Conflict(format!(
            "{} was changed meanwhile (version {} now, the edit was made on {v}); reload it and edit again",
            current.service.name, current.version
        )));
    }
    let mut service = current.service;
    if let Some(name) = edit.name {
        service.name = name.into_string();
    }
    if let Some(description) = edit.description {
        service.description = description.non_empty();
    }
    if let Some(duration) = edit.duration_min {
        service.duration_min = duration.get();
    }
    if let Some(price) = edit.price {
        service.price = price.checked("price")?;
    }
    if let Some(active) = edit.active {
        service.active = active;
    }
    let version: i64 = sqlx::query_scalar(
        "UPDATE services SET name = $2, description = $3, duration_min = $4, price = $5, active = $6,
                updated_at = $7, version = version + 1
         WHERE id = $1 RETURNING version",
    )
    .bind(id)
    .bind(&service.name)
    .bind(&service.description)
    .bind(service.duration_min as i32)
    .bind(service.price.decimal())
    .bind(service.active)
    .bind(Utc::now())
    .fetch_one(&mut *tx)
    .await?;
    publish_service(&mut tx, &service, "update").await?;
    tx.commit().await?;
    Ok(HqService { service, version })
}

/// Retires a service: kept (bookings name it) but gone from the catalogue
/// here and, after their next pull, at every branch.
pub async fn delete(pool: &PgPool, id: Uuid) -> Result<()> {
    let mut tx = pool.begin().await?;
    let current = locked(&mut tx, id).await?;
    sqlx::query(
        "UPDATE services SET deleted_at = $2, updated_at = $2, active = false, version = version + 1
         WHERE id = $1",
    )
    .bind(id)
    .bind(Utc::now())
    .execute(&mut *tx)
    .await?;
    let mut service = current.service;
    service.active = false;
    publish_service(&mut tx, &service, "delete").await?;
    tx.commit().await?;
    Ok(())
}

fn from_row(r: &sqlx::postgres::PgRow) -> Result<HqService> {
    let duration: i32 = r.try_get("duration_min")?;
    let price: rust_decimal::Decimal = r.try_get("price")?;
    Ok(HqService {
        service: ServiceData {
            id: ServiceId(r.try_get("id")?),
            name: r.try_get("name")?,
            description: r.try_get("description")?,
            duration_min: u32::try_from(duration).unwrap_or_default(),
            price: Money::parse(price, "price")?,
            active: r.try_get("active")?,
        },
        version: r.try_get("version")?,
    })
}

/// The catalogue, retired services left out.
pub async fn list(pool: &PgPool) -> Result<Vec<HqService>> {
    let rows = sqlx::query(
        "SELECT id, name, description, duration_min, price, active, version FROM services
         WHERE deleted_at IS NULL ORDER BY name, id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Puts `service` on every branch's pull feed as `op`, in the caller's
/// transaction.
async fn publish_service(
    tx: &mut Transaction<'_, Postgres>,
    service: &ServiceData,
    op: &str,
) -> Result<()> {
    publish(
        tx,
        None,
        "service",
        &service.id.to_string(),
        op,
        &to_json(service)?,
    )
    .await?;
    Ok(())
}
