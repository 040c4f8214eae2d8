//! The service catalogue head office owns: created here by an `hq_admin`,
//! published in the same transaction for every branch to pull. The fields
//! follow the desk's own rules (its field types and `Money`), not a copy.

use chrono::Utc;
use serde::Deserialize;
use serde_json::Value;
use sqlx::{PgPool, Row};

use loket::kernel::fields::Text;
use loket::kernel::types::{Money, ServiceId};
use loket::scheduling::services::{DurationMin, ServiceName};
use loket::sync::protocol::ServiceData;

use crate::error::Result;
use crate::sync_pull::publish;

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

pub async fn create(pool: &PgPool, input: Value) -> Result<ServiceData> {
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
    publish(
        &mut tx,
        None,
        "service",
        &service.id.to_string(),
        "insert",
        &serde_json::to_value(&service)
            .map_err(|e| crate::error::HqError::Internal(e.to_string()))?,
    )
    .await?;
    tx.commit().await?;
    Ok(service)
}

pub async fn list(pool: &PgPool) -> Result<Vec<ServiceData>> {
    let rows = sqlx::query(
        "SELECT id, name, description, duration_min, price, active FROM services ORDER BY name, id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let duration: i32 = r.try_get("duration_min")?;
            let price: rust_decimal::Decimal = r.try_get("price")?;
            Ok(ServiceData {
                id: ServiceId(r.try_get("id")?),
                name: r.try_get("name")?,
                description: r.try_get("description")?,
                duration_min: u32::try_from(duration).unwrap_or_default(),
                price: Money::parse(price, "price")?,
                active: r.try_get("active")?,
            })
        })
        .collect()
}
