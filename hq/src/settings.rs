//! The settings a chain shares, owned by head office: the priority
//! scoring's thresholds and segment boundaries
//! (`loket::kernel::settings::SharedSettings`, checked by the desk's own
//! rules). An `hq_admin` changes them; each change is published to the pull
//! feed in the same transaction, and desks apply it in their pull's
//! transaction (and rescore their open bookings there). Until first saved,
//! head office shows the desk's defaults and publishes nothing.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgPool, Row};

use loket::kernel::settings::{SharedSettings, SharedSettingsEdit};

use crate::error::{HqError, Result};
use crate::sync_pull::publish;
use crate::users::HqUser;

#[derive(Debug, Serialize)]
pub struct HqSettings {
    #[serde(flatten)]
    pub settings: SharedSettings,
    /// 0 until first saved (the defaults); name it in a change to be refused
    /// when stale.
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

async fn read(conn: &mut sqlx::PgConnection, lock: bool) -> Result<HqSettings> {
    let sql = if lock {
        "SELECT value, version, updated_at FROM shared_settings WHERE id FOR UPDATE"
    } else {
        "SELECT value, version, updated_at FROM shared_settings WHERE id"
    };
    let Some(row) = sqlx::query(sql).fetch_optional(&mut *conn).await? else {
        return Ok(HqSettings {
            settings: SharedSettings::default(),
            version: 0,
            updated_at: None,
        });
    };
    let value: sqlx::types::Json<SharedSettings> = row.try_get("value")?;
    Ok(HqSettings {
        settings: value.0,
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub async fn get(pool: &PgPool) -> Result<HqSettings> {
    read(&mut *pool.acquire().await?, false).await
}

pub async fn update(pool: &PgPool, by: &HqUser, input: Value) -> Result<HqSettings> {
    // `PUT /api/v1/settings`: the settings given change (the desk's own
    // `SharedSettingsEdit`); `version`, when given, must be the current one.
    let mut input = input;
    let version = match input.as_object_mut().and_then(|o| o.remove("version")) {
        None | Some(Value::Null) => None,
        Some(v) => Some(
            serde_json::from_value::<i64>(v)
                .map_err(|_| HqError::validation("version", "must be a whole number"))?,
        ),
    };
    let edit: SharedSettingsEdit = loket::kernel::ops::from_json(input)?;
    let mut tx = pool.begin().await?;
    // The first save races no row to lock: the counter row `publish` takes
    // serialises it instead (taken here, before the read).
    sqlx::query("SELECT value FROM outbound_counter FOR UPDATE")
        .execute(&mut *tx)
        .await?;
    let current = read(&mut tx, true).await?;
    if let Some(v) = version
        && v != current.version
    {
        return Err(HqError::Conflict(format!(
            "the settings were changed meanwhile (version {} now, the change was made on {v}); reload them and change them again",
            current.version
        )));
    }
    let s = edit.applied(&current.settings);
    s.check()?;
    let now = Utc::now();
    let version = current.version + 1;
    sqlx::query(
        "INSERT INTO shared_settings (id, value, version, updated_at, updated_by) VALUES (true, $1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET value = excluded.value, version = excluded.version,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(sqlx::types::Json(&s))
    .bind(version)
    .bind(now)
    .bind(by.id)
    .execute(&mut *tx)
    .await?;
    let data = serde_json::to_value(&s).map_err(|e| HqError::Internal(e.to_string()))?;
    publish(&mut tx, None, "settings", "business", "update", &data).await?;
    tx.commit().await?;
    Ok(HqSettings {
        settings: s,
        version,
        updated_at: Some(now),
    })
}
