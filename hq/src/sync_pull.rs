//! The pull side of sync: what head office owns, fed to branches in cursor
//! order. Writers append to `outbound_changes` through [`publish`] inside
//! their own transaction; the cursor comes from one counter row updated in
//! that transaction, so cursors follow commit order (see the migration).

use serde_json::Value;
use sqlx::{PgConnection, PgPool, Row};

use loket::sync::protocol::{MAX_PULL_PAGE, PullResponse, PulledChange};

use crate::branches::Branch;
use crate::error::{HqError, Result};

/// Appends one head-office change for branches to pull (`branch` None: all
/// of them), in the writer's transaction. Holding the counter row until the
/// commit serialises writers of owned data: fine for catalogue edits, and
/// the price of a cursor no commit can overtake.
pub async fn publish(
    tx: &mut PgConnection,
    branch: Option<uuid::Uuid>,
    entity: &str,
    entity_id: &str,
    op: &str,
    data: &Value,
) -> Result<i64> {
    let cursor: i64 =
        sqlx::query_scalar("UPDATE outbound_counter SET value = value + 1 RETURNING value")
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "INSERT INTO outbound_changes (cursor, branch_id, entity, entity_id, op, data)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(cursor)
    .bind(branch)
    .bind(entity)
    .bind(entity_id)
    .bind(op)
    .bind(sqlx::types::Json(data))
    .execute(&mut *tx)
    .await?;
    Ok(cursor)
}

pub const DEFAULT_PAGE: u32 = 500;

/// One page of what `branch` may pull after `after`.
pub async fn pull(
    pool: &PgPool,
    branch: &Branch,
    after: i64,
    limit: Option<u32>,
) -> Result<PullResponse> {
    let limit = limit.unwrap_or(DEFAULT_PAGE);
    if !(1..=MAX_PULL_PAGE).contains(&limit) {
        return Err(HqError::validation(
            "limit",
            format!("must be between 1 and {MAX_PULL_PAGE}"),
        ));
    }
    if after < 0 {
        return Err(HqError::validation("after", "must not be negative"));
    }
    // One row more than the page tells whether another page waits.
    let rows = sqlx::query(
        "SELECT cursor, entity, entity_id, op, data, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') AS at
         FROM outbound_changes
         WHERE cursor > $1 AND (branch_id IS NULL OR branch_id = $2)
         ORDER BY cursor LIMIT $3",
    )
    .bind(after)
    .bind(branch.id)
    .bind(i64::from(limit) + 1)
    .fetch_all(pool)
    .await?;
    let more = rows.len() > limit as usize;
    let mut changes = Vec::with_capacity(rows.len().min(limit as usize));
    for r in rows.iter().take(limit as usize) {
        let data: sqlx::types::Json<Value> = r.try_get("data")?;
        changes.push(PulledChange {
            cursor: r.try_get("cursor")?,
            entity: r.try_get("entity")?,
            entity_id: r.try_get("entity_id")?,
            op: r.try_get("op")?,
            data: data.0,
            at: r.try_get("at")?,
        });
    }
    let next_cursor = changes.last().map_or(after, |c| c.cursor);
    Ok(PullResponse {
        changes,
        next_cursor,
        more,
    })
}
