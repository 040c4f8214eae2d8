//! The push side of sync: a branch's change log, applied in order, exactly
//! once. In one transaction: lock the branch's cursor row, skip what is at
//! or below it (a resent batch changes nothing), refuse a batch that does
//! not continue it (409 with the expected seq, nothing applied), apply or
//! reject each change in seq order, move the cursor. The branch is the one
//! the token names; nothing in the body can name another. A customer row
//! also links its branch customer to the customer master (`customers`) in
//! the same transaction. A batch is written a statement per table (arrays
//! through `UNNEST`), not a statement per change: round trips, not rows,
//! are what a push costs.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use sqlx::types::Json;
use sqlx::{PgPool, Postgres, Transaction};

use loket::kernel::audit::EntityKind;
use loket::sync::protocol::{Change, MAX_PUSH_BATCH, PushRequest, PushResponse, Rejection};

use crate::branches::Branch;
use crate::customers;
use crate::error::{HqError, Result};
use crate::query::column;
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

    // Each change is kept or refused on its own; what is kept is then
    // written a statement per table for the whole batch (a record changed
    // several times in it is written once, in its last state, its version
    // counting every change), not a statement per change.
    let mut kept: Vec<&Change> = Vec::with_capacity(fresh.len());
    let mut refused: Vec<(&Change, String)> = Vec::new();
    for &change in &fresh {
        match refusal(change).or_else(|| sealed::refusal(change)) {
            None => kept.push(change),
            Some(reason) => refused.push((change, reason)),
        }
    }
    let records = latest_per_record(&kept);
    apply(&mut tx, branch, &records).await?;
    sealed::store(&mut tx, branch, &kept).await?;
    let customers: Vec<customers::Pushed<'_>> = records
        .iter()
        .filter(|r| r.change.entity == EntityKind::Customer.as_str())
        .map(|r| customers::Pushed {
            customer_id: &r.change.entity_id,
            data: &r.change.data,
            deleted: r.change.op == "delete",
        })
        .collect();
    customers::link(&mut tx, branch.id, &customers).await?;
    reject(&mut tx, branch, &refused).await?;
    let rejected: Vec<Rejection> = refused
        .into_iter()
        .map(|(change, reason)| Rejection {
            seq: change.seq,
            entity: change.entity.clone(),
            entity_id: change.entity_id.clone(),
            reason,
        })
        .collect();
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
    if !change.data.get().trim_start().starts_with('{') {
        return Some("the row must be a JSON object".into());
    }
    None
}

/// A record's last change in a batch, and how many of the batch's changes
/// were to it.
struct Record<'a> {
    change: &'a Change,
    changes: i64,
}

/// One entry per record, in the order each record first appears.
fn latest_per_record<'a>(changes: &[&'a Change]) -> Vec<Record<'a>> {
    let mut index: HashMap<(&str, &str), usize> = HashMap::with_capacity(changes.len());
    let mut records: Vec<Record<'a>> = Vec::with_capacity(changes.len());
    for change in changes {
        match index.entry((&change.entity, &change.entity_id)) {
            Entry::Occupied(at) => {
                let record = &mut records[*at.get()];
                record.change = change;
                record.changes += 1;
            }
            Entry::Vacant(slot) => {
                slot.insert(records.len());
                records.push(Record { change, changes: 1 });
            }
        }
    }
    records
}

/// Writes each record's latest state in one statement.
async fn apply(
    tx: &mut Transaction<'_, Postgres>,
    branch: &Branch,
    records: &[Record<'_>],
) -> Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO branch_rows (branch_id, entity, entity_id, data, version, deleted, updated_seq, changed_at)
         SELECT $1, t.entity, t.entity_id, t.data, t.changes, t.deleted, t.seq, t.at
         FROM UNNEST($2::text[], $3::text[], $4::jsonb[], $5::int8[], $6::bool[], $7::int8[], $8::text[])
              AS t(entity, entity_id, data, changes, deleted, seq, at)
         ON CONFLICT (branch_id, entity, entity_id) DO UPDATE SET
             data = excluded.data, version = branch_rows.version + excluded.version,
             deleted = excluded.deleted, updated_seq = excluded.updated_seq,
             changed_at = excluded.changed_at",
    )
    .bind(branch.id)
    .bind(column(records, |r| r.change.entity.as_str()))
    .bind(column(records, |r| r.change.entity_id.as_str()))
    .bind(column(records, |r| Json(&r.change.data)))
    .bind(column(records, |r| r.changes))
    .bind(column(records, |r| r.change.op == "delete"))
    .bind(column(records, |r| r.change.seq))
    .bind(column(records, |r| r.change.at.as_str()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Keeps what head office refused, with the reason, in one statement.
async fn reject(
    tx: &mut Transaction<'_, Postgres>,
    branch: &Branch,
    refused: &[(&Change, String)],
) -> Result<()> {
    if refused.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO sync_rejections (branch_id, seq, entity, entity_id, op, data, reason)
         SELECT $1, t.seq, t.entity, t.entity_id, t.op, t.data, t.reason
         FROM UNNEST($2::int8[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[])
              AS t(seq, entity, entity_id, op, data, reason)
         ON CONFLICT (branch_id, seq) DO NOTHING",
    )
    .bind(branch.id)
    .bind(column(refused, |(c, _)| c.seq))
    .bind(column(refused, |(c, _)| c.entity.as_str()))
    .bind(column(refused, |(c, _)| c.entity_id.as_str()))
    .bind(column(refused, |(c, _)| c.op.as_str()))
    .bind(column(refused, |(c, _)| Json(&c.data)))
    .bind(column(refused, |(_, reason)| reason.as_str()))
    .execute(&mut **tx)
    .await?;
    Ok(())
}
