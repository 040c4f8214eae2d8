//! Branches: enrolment (a name and a bearer token shown once, stored
//! hashed), revocation, and recognising a branch by its token. The token is
//! 32 random bytes, so a fast hash (BLAKE3, the desk's session-token hash)
//! is enough; there is nothing to brute-force.

use axum::http::HeaderMap;
use serde::Serialize;
use sqlx::{PgPool, Row};
use uuid::Uuid;

use loket::kernel::crypto::{new_token, token_hash};

use crate::error::{HqError, Result};

/// A branch as head office knows it after checking its token.
#[derive(Clone, Debug)]
pub struct Branch {
    pub id: Uuid,
    pub name: String,
}

/// What `loket-hq branch add` prints: the token, this once.
#[derive(Debug, Serialize)]
pub struct Enrolled {
    pub id: Uuid,
    pub name: String,
    pub token: String,
}

pub async fn add(pool: &PgPool, name: &str) -> Result<Enrolled> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(HqError::validation("name", "must be 1 to 100 characters"));
    }
    let (token, hash) = new_token()?;
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO branches (id, name, token_hash) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(name)
        .bind(hash)
        .execute(pool)
        .await?;
    Ok(Enrolled {
        id,
        name: name.to_owned(),
        token,
    })
}

/// Revokes a branch's token: its next request answers 401. What it pushed stays.
pub async fn revoke(pool: &PgPool, id: Uuid) -> Result<()> {
    let done =
        sqlx::query("UPDATE branches SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await?;
    if done.rows_affected() == 0 {
        return Err(HqError::NotFound { entity: "branch" });
    }
    Ok(())
}

/// The bearer token of a request, if it has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The live branch whose token the request carries; 401 otherwise.
pub async fn authenticate(pool: &PgPool, headers: &HeaderMap) -> Result<Branch> {
    let token = bearer(headers).ok_or(HqError::Unauthorized("a branch token is required"))?;
    let row =
        sqlx::query("SELECT id, name FROM branches WHERE token_hash = $1 AND revoked_at IS NULL")
            .bind(token_hash(token))
            .fetch_optional(pool)
            .await?
            .ok_or(HqError::Unauthorized(
                "this branch token is unknown or was revoked; ask head office for a new one",
            ))?;
    Ok(Branch {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
    })
}

/// A branch with its sync state, for head office's list. How far behind
/// it is comes from what it said with its last push (`head_seq`,
/// `oldest_unsent_at`): changes made since, while it has not pushed, head
/// office cannot know of; `last_push_at` says how long that has been.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BranchState {
    pub id: Uuid,
    pub name: String,
    /// Shown on the booking page, with `map_url`.
    pub address: Option<String>,
    /// A map link (`https://…`).
    pub map_url: Option<String>,
    pub revoked: bool,
    /// Every change up to this seq is applied or rejected.
    pub last_seq: i64,
    pub last_push_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The branch's newest change at its last push (`null`: a desk too old to say).
    pub head_seq: Option<i64>,
    /// `head_seq - last_seq`: changes the branch had and head office has not (`null`: unknown).
    pub behind_changes: Option<i64>,
    /// When the oldest change head office has not yet got was made (`null`: none, or unknown).
    pub oldest_unsent_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Seconds from that change to now (a branch clock ahead of head
    /// office's counts as 0); 0 when nothing is behind (`null`: unknown).
    pub behind_seconds: Option<i64>,
    /// Records head office holds for the branch.
    pub rows: i64,
    /// Changes head office refused.
    pub rejections: i64,
}

/// Branches by name, a page at a time; the total.
pub async fn list(pool: &PgPool, limit: i64, offset: i64) -> Result<(Vec<BranchState>, i64)> {
    let rows = sqlx::query(
        "SELECT b.id, b.name, b.address, b.map_url, b.revoked_at IS NOT NULL AS revoked, b.last_seq, b.last_push_at,
                b.head_seq,
                -- greatest() skips NULLs: an unknown head stays unknown.
                CASE WHEN b.head_seq IS NOT NULL THEN greatest(b.head_seq - b.last_seq, 0) END
                    AS behind_changes,
                CASE WHEN b.head_seq > b.last_seq THEN b.oldest_unsent_at END AS oldest_unsent_at,
                CASE WHEN b.head_seq IS NULL THEN NULL
                     WHEN b.head_seq <= b.last_seq THEN 0
                     ELSE greatest(floor(extract(epoch FROM now() - b.oldest_unsent_at)), 0)::bigint END
                    AS behind_seconds,
                (SELECT count(*) FROM branch_rows r WHERE r.branch_id = b.id) AS rows,
                (SELECT count(*) FROM sync_rejections j WHERE j.branch_id = b.id) AS rejections,
                count(*) OVER () AS total
         FROM branches b ORDER BY b.name, b.id LIMIT $1 OFFSET $2",
    )
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total = crate::query::total_of(&rows)?;
    let data = rows
        .iter()
        .map(|r| {
            Ok(BranchState {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                address: r.try_get("address")?,
                map_url: r.try_get("map_url")?,
                revoked: r.try_get("revoked")?,
                last_seq: r.try_get("last_seq")?,
                last_push_at: r.try_get("last_push_at")?,
                head_seq: r.try_get("head_seq")?,
                behind_changes: r.try_get("behind_changes")?,
                oldest_unsent_at: r.try_get("oldest_unsent_at")?,
                behind_seconds: r.try_get("behind_seconds")?,
                rows: r.try_get("rows")?,
                rejections: r.try_get("rejections")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((data, total))
}

/// Where a branch is, as an hq_admin sets it for the booking page: each
/// field given changes (`null` or empty clears it).
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Whereabouts {
    #[serde(default, deserialize_with = "loket::kernel::types::patch")]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "loket::kernel::types::patch")]
    pub map_url: Option<Option<String>>,
}

/// Sets a branch's address and map link; answers its state.
pub async fn set_whereabouts(pool: &PgPool, id: Uuid, input: Whereabouts) -> Result<()> {
    let clean = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let address = input.address.map(clean);
    let map_url = input.map_url.map(clean);
    if let Some(Some(a)) = &address
        && (a.chars().count() > 300 || a.chars().any(|c| c.is_control() && c != '\n'))
    {
        return Err(HqError::validation(
            "address",
            "must be at most 300 characters, without control characters",
        ));
    }
    if let Some(Some(u)) = &map_url
        && (!u.starts_with("https://") || u.len() > 500 || u.chars().any(char::is_whitespace))
    {
        return Err(HqError::validation(
            "map_url",
            "must be an https:// link of at most 500 characters",
        ));
    }
    let done = sqlx::query(
        "UPDATE branches SET
             address = CASE WHEN $2 THEN $3 ELSE address END,
             map_url = CASE WHEN $4 THEN $5 ELSE map_url END
         WHERE id = $1",
    )
    .bind(id)
    .bind(address.is_some())
    .bind(address.flatten())
    .bind(map_url.is_some())
    .bind(map_url.flatten())
    .execute(pool)
    .await?;
    if done.rows_affected() == 0 {
        return Err(HqError::NotFound { entity: "branch" });
    }
    Ok(())
}
