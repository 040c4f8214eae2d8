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

/// A branch with its sync state, for head office's list.
#[derive(Debug, Serialize)]
pub struct BranchState {
    pub id: Uuid,
    pub name: String,
    pub revoked: bool,
    pub last_seq: i64,
    pub last_push_at: Option<chrono::DateTime<chrono::Utc>>,
    pub rows: i64,
    pub rejections: i64,
}

pub async fn list(pool: &PgPool) -> Result<Vec<BranchState>> {
    let rows = sqlx::query(
        "SELECT b.id, b.name, b.revoked_at IS NOT NULL AS revoked, b.last_seq, b.last_push_at,
                (SELECT count(*) FROM branch_rows r WHERE r.branch_id = b.id) AS rows,
                (SELECT count(*) FROM sync_rejections j WHERE j.branch_id = b.id) AS rejections
         FROM branches b ORDER BY b.name, b.id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BranchState {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                revoked: r.try_get("revoked")?,
                last_seq: r.try_get("last_seq")?,
                last_push_at: r.try_get("last_push_at")?,
                rows: r.try_get("rows")?,
                rejections: r.try_get("rejections")?,
            })
        })
        .collect()
}
