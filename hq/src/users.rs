//! Head-office people: `hq_admin` (changes the data head office owns, e.g.
//! the service catalogue) and `hq_viewer` (reads). Passwords are argon2id
//! through the desk's own `loket::kernel::crypto`; sessions are random
//! tokens stored hashed, valid 12 hours.

use std::net::IpAddr;
use std::sync::{Arc, LazyLock};

use axum::http::HeaderMap;
use chrono::{Duration, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgPool, Row};
use uuid::Uuid;

use loket::kernel::crypto::{hash_password, new_token, token_hash, verify_password};
use loket::kernel::logins::LoginGuard;

use crate::branches::bearer;
use crate::error::{HqError, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HqRole {
    HqAdmin,
    HqViewer,
}

impl HqRole {
    pub fn as_str(self) -> &'static str {
        match self {
            HqRole::HqAdmin => "hq_admin",
            HqRole::HqViewer => "hq_viewer",
        }
    }

    pub fn parse(s: &str) -> Option<HqRole> {
        [HqRole::HqAdmin, HqRole::HqViewer]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct HqUser {
    pub id: Uuid,
    pub username: String,
    pub role: HqRole,
}

impl HqUser {
    /// Only `hq_admin` changes what head office owns.
    pub fn require_admin(&self, action: &'static str) -> Result<()> {
        if self.role == HqRole::HqAdmin {
            Ok(())
        } else {
            Err(HqError::Forbidden(action))
        }
    }
}

const SESSION_HOURS: i64 = 12;
const MIN_PASSWORD: usize = 8;

/// Hashing runs on a blocking thread: argon2id is seconds of CPU on a busy
/// machine, and the async workers must keep serving.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HqError::Internal(format!("hashing task failed: {e}")))
}

pub async fn add(pool: &PgPool, username: &str, role: HqRole, password: String) -> Result<HqUser> {
    let username = username.trim().to_owned();
    if username.is_empty() || username.chars().count() > 60 {
        return Err(HqError::validation(
            "username",
            "must be 1 to 60 characters",
        ));
    }
    if password.chars().count() < MIN_PASSWORD {
        return Err(HqError::validation(
            "password",
            format!("must be at least {MIN_PASSWORD} characters"),
        ));
    }
    let hash = blocking(move || hash_password(&password)).await??;
    let id = Uuid::now_v7();
    let inserted = sqlx::query(
        "INSERT INTO hq_users (id, username, password_hash, role) VALUES ($1, $2, $3, $4)
         ON CONFLICT (username) DO NOTHING",
    )
    .bind(id)
    .bind(&username)
    .bind(hash)
    .bind(role.as_str())
    .execute(pool)
    .await?;
    if inserted.rows_affected() == 0 {
        return Err(HqError::Conflict(format!("user {username} already exists")));
    }
    Ok(HqUser { id, username, role })
}

/// A hash to check against when the username is unknown, so that costs as
/// much as a wrong password and does not tell which usernames exist.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password("not-a-real-password").unwrap_or_default());

#[derive(Debug, Serialize)]
pub struct LoggedIn {
    pub token: String,
    pub user: HqUser,
}

/// A login, throttled by the desk's own [`LoginGuard`]: a locked username
/// or address is refused (429) before any hashing, the check runs on the
/// guard's bounded pool (503 when it is full), and a failure counts against
/// the username and `address`.
pub async fn login(
    pool: &PgPool,
    guard: &Arc<LoginGuard>,
    username: &str,
    password: String,
    address: Option<IpAddr>,
) -> Result<LoggedIn> {
    let username = username.trim().to_owned();
    guard.check(&username, address, Utc::now())?;
    let row =
        sqlx::query("SELECT id, username, password_hash, role FROM hq_users WHERE username = $1")
            .bind(&username)
            .fetch_optional(pool)
            .await?;
    let stored = match &row {
        Some(r) => r.try_get::<String, _>("password_hash")?,
        None => DUMMY_HASH.clone(),
    };
    let pool_guard = guard.clone();
    // `run` waits for the pool's answer: on a blocking thread, not a worker.
    let ok =
        blocking(move || pool_guard.run(move || verify_password(&password, &stored))).await??;
    let Some(row) = row.filter(|_| ok) else {
        guard.failed(&username, address, Utc::now());
        return Err(HqError::LoginFailed);
    };
    guard.succeeded(&username);
    let user = user_from(&row)?;
    let (token, hash) = new_token()?;
    sqlx::query("INSERT INTO hq_sessions (token_hash, user_id, expires_at) VALUES ($1, $2, $3)")
        .bind(hash)
        .bind(user.id)
        .bind(Utc::now() + Duration::hours(SESSION_HOURS))
        .execute(pool)
        .await?;
    Ok(LoggedIn { token, user })
}

fn user_from(row: &sqlx::postgres::PgRow) -> Result<HqUser> {
    let role: String = row.try_get("role")?;
    Ok(HqUser {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        role: HqRole::parse(&role)
            .ok_or_else(|| HqError::Internal(format!("unknown role {role} in hq_users")))?,
    })
}

/// The logged-in head-office user of a request; 401 otherwise.
pub async fn authenticate(pool: &PgPool, headers: &HeaderMap) -> Result<HqUser> {
    let token = bearer(headers).ok_or(HqError::Unauthorized("login required"))?;
    let row = sqlx::query(
        "SELECT u.id, u.username, u.role FROM hq_sessions s JOIN hq_users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > now()",
    )
    .bind(token_hash(token))
    .fetch_optional(pool)
    .await?
    .ok_or(HqError::Unauthorized("login required"))?;
    user_from(&row)
}
