//! Users who log in: the user record and its operations. Logging in and
//! out, sessions and the password change are in `login`; the password
//! rules in `password`.

mod login;
mod password;

pub use login::*;
pub use password::Password;

use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;

use chrono::Duration;
use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::{Actor, Permission, Role};
use crate::kernel::clock::to_db;
use crate::kernel::crypto;
use crate::kernel::entity::{entity, record_created, save};
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation, Task, task};
use crate::kernel::types::{Done, Page, Paging, StaffId, UserId, patch};

/// A login lasts one long working day.
const SESSION_HOURS: i64 = 16;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct User {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub staff_id: Option<StaffId>,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// Saved like any column (a password reset is an update), never shown.
    #[serde(skip)]
    password_hash: PasswordHash,
}

/// A stored argon2id hash: kept out of every response, audit entry and log line.
#[derive(Clone, PartialEq, Eq)]
struct PasswordHash(String);

impl fmt::Debug for PasswordHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PasswordHash(…)")
    }
}

impl ToSql for PasswordHash {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

const COLUMNS: &str =
    "id, username, role, staff_id, active, created_at, updated_at, version, password_hash";

fn from_row(r: &Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: r.get(2)?,
        staff_id: r.get(3)?,
        active: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        version: r.get(7)?,
        password_hash: PasswordHash(r.get(8)?),
    })
}

pub fn find(conn: &Connection, id: UserId) -> Result<User> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM users WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "user" })
}

entity!(
    User,
    UserId,
    "users",
    EntityKind::User,
    find,
    [role, staff_id, active, password_hash]
);

/// A login name: 3–50 letters, digits, dots, dashes or underscores, kept
/// lower-case (logging in ignores case).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let u = raw.trim().to_lowercase();
        if !(3..=50).contains(&u.len())
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err("must be 3–50 letters, digits, dots, dashes or underscores".into());
        }
        Ok(Username(u))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for Username {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Username::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Username {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(3))
            .max_length(Some(50))
            .pattern(Some(r"^[A-Za-z0-9._-]+$"))
            .description(Some("login name, kept lower-case"))
            .into()
    }
}

impl ToSchema for Username {}

fn check_staff(conn: &Connection, staff_id: Option<StaffId>) -> Result<()> {
    if let Some(id) = staff_id {
        crate::people::staff::find(conn, id)
            .map_err(|_| Error::validation("staff_id", "no such staff record"))?;
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    // Plain strings, read with `Username` and `Password` in `run`: the CLI
    // and the desktop app's first-start page build this input in Rust.
    #[schema(value_type = Username)]
    pub username: String,
    #[schema(value_type = Password)]
    pub password: String,
    pub role: Role,
    pub staff_id: Option<StaffId>,
}

impl Operation for CreateUser {
    type Output = User;
    const NAME: &'static str = "users.create";
    const PERMISSION: Permission = Permission::UsersManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<User> {
        let name = Username::parse(&self.username)
            .map_err(|m| Error::validation("username", m))?
            .0;
        let hash = Password::parse(&self.password)
            .map_err(|m| Error::validation("password", m))?
            .hash()?;
        check_staff(ctx.conn, self.staff_id)?;
        let taken: bool = ctx.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
            [&name],
            |r| r.get(0),
        )?;
        if taken {
            return Err(Error::validation(
                "username",
                format!("{name} is already taken"),
            ));
        }
        let id = UserId::new();
        let now = to_db(ctx.now);
        ctx.conn.execute(
            "INSERT INTO users (id, username, password_hash, role, staff_id, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
            (id, &name, &hash, self.role, self.staff_id, &now),
        )?;
        let user = find(ctx.conn, id)?;
        record_created(ctx, &user)?;
        Ok(user)
    }
}

/// Change role, link to staff, (de)activate, or reset the password.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    pub id: UserId,
    pub version: Option<i64>,
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<StaffId>)]
    pub staff_id: Option<Option<StaffId>>,
    pub active: Option<bool>,
    /// A new password (reset); ends the user's open sessions.
    pub password: Option<Password>,
}

impl Operation for UpdateUser {
    type Output = User;
    const NAME: &'static str = "users.update";
    const PERMISSION: Permission = Permission::UsersManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<User> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "user")?;
        let mut u = before.clone();
        if let Some(v) = self.role {
            u.role = v;
        }
        if let Some(v) = self.active {
            u.active = v;
        }
        if let Some(v) = self.staff_id {
            u.staff_id = v;
        }
        check_staff(ctx.conn, u.staff_id)?;
        if before.role == Role::Admin && before.active && (u.role != Role::Admin || !u.active) {
            let admins: i64 = ctx.conn.query_row(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND active = 1 AND id <> ?1",
                [self.id],
                |r| r.get(0),
            )?;
            if admins == 0 {
                return Err(Error::conflict(
                    "the last active admin cannot be demoted or deactivated",
                ));
            }
        }
        if let Some(p) = &self.password {
            u.password_hash = p.hash()?;
        }
        if self.password.is_some() || !u.active || u.role != before.role {
            ctx.conn
                .execute("DELETE FROM sessions WHERE user_id = ?1", [self.id])?;
        }
        save(ctx, &before, u)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetUser {
    pub id: UserId,
}

impl Operation for GetUser {
    type Output = User;
    const NAME: &'static str = "users.get";
    const PERMISSION: Permission = Permission::UsersManage;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<User> {
        find(ctx.conn, self.id)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListUsers {
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListUsers {
    type Output = Page<User>;
    const NAME: &'static str = "users.list";
    const PERMISSION: Permission = Permission::UsersManage;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<User>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let total: i64 = ctx
            .conn
            .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
        let rows = ctx
            .conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM users ORDER BY username LIMIT ?1 OFFSET ?2"
            ))?
            .query_map((paging.limit(), paging.offset()), from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(paging.page_of(rows, total))
    }
}

/// Users are never removed (the audit trail names them): deleting
/// deactivates the user and ends their sessions.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteUser {
    pub id: UserId,
}

impl Operation for DeleteUser {
    type Output = User;
    const NAME: &'static str = "users.delete";
    const PERMISSION: Permission = Permission::UsersManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<User> {
        UpdateUser {
            id: self.id,
            version: None,
            role: None,
            staff_id: None,
            active: Some(false),
            password: None,
        }
        .run(ctx)
    }
}

/// How many users exist (to tell a fresh install from a running one).
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
}
