//! The push side of sync: a branch's change log, applied in order, exactly
//! once. In one transaction: lock the branch's cursor row, skip what is at
//! or below it (a resent batch changes nothing), refuse a batch that does
//! not continue it (409 with the expected seq, nothing applied), apply or
//! reject each change in seq order, move the cursor. The branch is the one
//! the token names; nothing in the body can name another. A customer row
//! also links its branch customer to the customer master (`customers`) in
//! the same transaction.

use serde_json::Value;
use sqlx::{PgPool, Postgres, Transaction};

use loket::kernel::audit::EntityKind;
use loket::sync::protocol::{Change, MAX_PUSH_BATCH, PushRequest, PushResponse, Rejection};

use crate::branches::Branch;
use crate::customers;
use crate::error::{HqError, Result};
use crate::sealed;

pub async fn push(pool: &PgPool, branch: &Branch, request: PushRequest) -> Result<PushResponse> {
    if request.changes.len() > MAX_PUSH_BATCH {
        return Err(HqError::validation(
            "changes",
            format!("at most {MAX_PUSH_BATCH} changes per push"),
        ));
    }
    let mut tx = pool.begin().await?;
    // The lock makes concurrent pushes of one branch (a retry racing the
    // original, two loket-hq processes) take turns.
    let last_seq: i64 = sqlx::query_scalar(
        "SELECT last_seq FROM branches WHERE id = $1 AND revoked_at IS NULL FOR UPDATE",
    )
    .bind(branch.id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(HqError::Unauthorized("this branch token was revoked"))?;

    // Plan before writing anything, so a gap leaves the database untouched.
    let mut next = last_seq + 1;
    let mut fresh: Vec<&Change> = Vec::new();
    let mut skipped = 0u32;
    for change in &request.changes {
        if change.seq < next {
            skipped += 1;
        } else if change.seq == next {
            fresh.push(change);
            next += 1;
        } else {
            return Err(HqError::Gap { expected: next });
        }
    }

    let mut rejected = Vec::new();
    for change in &fresh {
        match refusal(change).or_else(|| sealed::refusal(change)) {
            None => {
                apply(&mut tx, branch, change).await?;
                sealed::store(&mut tx, branch, change).await?;
            }
            Some(reason) => {
                reject(&mut tx, branch, change, &reason).await?;
                rejected.push(Rejection {
                    seq: change.seq,
                    entity: change.entity.clone(),
                    entity_id: change.entity_id.clone(),
                    reason,
                });
            }
        }
    }
    let new_last = next - 1;
    if !fresh.is_empty() {
        // What the branch says of itself; an unreadable time is unknown.
        let oldest_unsent_at = request
            .oldest_unsent_at
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .map(|t| t.with_timezone(&chrono::Utc));
        sqlx::query(
            "UPDATE branches SET last_seq = $2, last_push_at = now(), head_seq = $3,
                 oldest_unsent_at = $4
             WHERE id = $1",
        )
        .bind(branch.id)
        .bind(new_last)
        .bind(request.head_seq)
        .bind(oldest_unsent_at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(PushResponse {
        last_seq: new_last,
        applied: (fresh.len() - rejected.len()) as u32,
        skipped,
        rejected,
    })
}

/// Why head office will not keep a change, if it will not.
fn refusal(change: &Change) -> Option<String> {
    if EntityKind::parse(&change.entity).is_none() {
        return Some(format!("unknown entity kind {:?}", change.entity));
    }
    if !matches!(change.op.as_str(), "insert" | "update" | "delete") {
        return Some(format!("unknown operation {:?}", change.op));
    }
    if change.entity_id.trim().is_empty() || change.entity_id.len() > 200 {
        return Some("the record id must be 1 to 200 characters".into());
    }
    if !change.data.is_object() {
        return Some("the row must be a JSON object".into());
    }
    None
}

async fn apply(tx: &mut Transaction<'_, Postgres>, branch: &Branch, change: &Change) -> Result<()> {
    sqlx::query(
        "INSERT INTO branch_rows (branch_id, entity, entity_id, data, version, deleted, updated_seq, changed_at)
         VALUES ($1, $2, $3, $4, 1, $5, $6, $7)
         ON CONFLICT (branch_id, entity, entity_id) DO UPDATE SET
             data = excluded.data, version = branch_rows.version + 1, deleted = excluded.deleted,
             updated_seq = excluded.updated_seq, changed_at = excluded.changed_at",
    )
    .bind(branch.id)
    .bind(&change.entity)
    .bind(&change.entity_id)
    .bind(sqlx::types::Json(&change.data))
    .bind(change.op == "delete")
    .bind(change.seq)
    .bind(&change.at)
    .execute(&mut **tx)
    .await?;
    // The customer master follows in the same transaction.
    if change.entity == "customer" {
        if change.op == "delete" {
            customers::unlink(tx, branch.id, &change.entity_id).await?;
        } else {
            customers::link(tx, branch.id, &change.entity_id, &change.data).await?;
        }
    }
    Ok(())
}

async fn reject(
    tx: &mut Transaction<'_, Postgres>,
    branch: &Branch,
    change: &Change,
    reason: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sync_rejections (branch_id, seq, entity, entity_id, op, data, reason)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (branch_id, seq) DO NOTHING",
    )
    .bind(branch.id)
    .bind(change.seq)
    .bind(&change.entity)
    .bind(&change.entity_id)
    .bind(&change.op)
    .bind(sqlx::types::Json::<&Value>(&change.data))
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
