//! Users who log in, their sessions, and logging in and out.

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

/// A password as typed (not trimmed: spaces count): 8 to 200 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let n = raw.chars().count();
        if n < 8 {
            return Err("must be at least 8 characters".into());
        }
        if n > 200 {
            return Err("must be at most 200 characters".into());
        }
        if is_common(raw) {
            return Err("is too common and easy to guess; choose another".into());
        }
        Ok(Password(raw.to_owned()))
    }

    fn hash(&self) -> Result<PasswordHash> {
        crypto::hash_password(&self.0).map(PasswordHash)
    }
}

/// Words that make up most guessed passwords, alone or with digits and
/// signs around them ("Password123!", "admin2024", "qwerty12").
const COMMON_WORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "pass",
    "sandi",
    "katasandi",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbnm",
    "admin",
    "administrator",
    "welcome",
    "letmein",
    "iloveyou",
    "sayang",
    "sayangku",
    "cinta",
    "loket",
    "bismillah",
    "indonesia",
    "jakarta",
    "changeme",
    "abc",
    "abcd",
    "abcdef",
    "abcdefgh",
    "login",
    "user",
    "test",
    "master",
    "dragon",
    "monkey",
    "sunshine",
    "princess",
    "football",
    "superman",
];

/// Whether `raw` is a well-known password: only digits, one character
/// repeated, a keyboard run, or a common word with digits or signs around it.
fn is_common(raw: &str) -> bool {
    let lower = raw.trim().to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if lower.chars().all(|c| c.is_ascii_digit()) || chars.all(|c| Some(c) == first) {
        return true;
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic() && c != '@');
    let core = core.trim_end_matches(|c: char| c.is_ascii_digit());
    COMMON_WORDS.contains(&core) || ["1q2w3e4r", "1qaz2wsx", "q1w2e3r4"].contains(&lower.as_str())
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Password::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Password {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(8))
            .max_length(Some(200))
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Password,
            )))
            .into()
    }
}

impl ToSchema for Password {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Password")
    }
}

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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Login {
    pub username: String,
    pub password: String,
    /// Where the attempt came from (set by the HTTP adapter, never read
    /// from the input): the per-address backoff.
    #[serde(skip)]
    #[schema(ignore)]
    pub address: Option<IpAddr>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginResult {
    /// Send as `Authorization: Bearer TOKEN`.
    pub token: String,
    pub expires_at: String,
    pub user: User,
    /// What the user's role may do (the core checks every operation anyway).
    pub permissions: Vec<Permission>,
}

/// A fixed argon2id hash verified when the username is unknown, so a wrong
/// username takes as long as a wrong password.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0JhDqHkkuP9+XJpbx6v8kjl9oZ0uv7KJ0UNVqQ3nDOY";

/// What a failed login leaves in the audit trail: never the password.
#[derive(Serialize)]
struct FailedLogin<'a> {
    username: &'a str,
    address: Option<String>,
    /// Seconds the username or address is now locked for, if it is.
    locked_for_seconds: Option<i64>,
}

/// Logging in is a task, not one transaction: the stored hash is read on a
/// reader, checked on the login pool (argon2id costs tens of milliseconds
/// and ~19 MB, and must not hold the single write lock), and only then is
/// the session (or the failure's audit entry) written.
impl Task for Login {
    type Output = LoginResult;
    const NAME: &'static str = "auth.login";
    const PERMISSION: Permission = Permission::Public;

    fn run(self, app: &crate::App, actor: &Actor) -> Result<LoginResult> {
        let username = self.username.trim().to_lowercase();
        let guard = app.logins();
        guard.check(&username, self.address, app.clock().now())?;
        let row: Option<(UserId, String, bool)> = app.read(actor, |ctx| {
            Ok(ctx
                .conn
                .query_row(
                    "SELECT id, password_hash, active FROM users WHERE username = ?1",
                    [&username],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?)
        })?;
        let hash = row
            .as_ref()
            .map_or(DUMMY_HASH, |(_, h, _)| h.as_str())
            .to_owned();
        let password = self.password;
        let matches = guard.run(move || crypto::verify_password(&password, &hash))?;
        let user = match row {
            Some((id, _, true)) if matches => id,
            _ => {
                let failure = guard.failed(&username, self.address, app.clock().now());
                let entity = row.map_or_else(|| username.clone(), |(id, _, _)| id.to_string());
                app.write(actor, |ctx| {
                    crate::kernel::audit::note(
                        ctx,
                        Action::LoginFailed,
                        EntityKind::User,
                        &entity,
                        &FailedLogin {
                            username: &username,
                            address: self.address.map(|a| a.to_string()),
                            locked_for_seconds: failure.locked_for,
                        },
                    )
                })?;
                return Err(Error::LoginFailed);
            }
        };
        guard.succeeded(&username);
        app.write(actor, |ctx| open_session(ctx, user))
    }

    fn set_address(&mut self, address: IpAddr) {
        self.address = Some(address);
    }
}

/// A new session for `id` (in the caller's write transaction), audited.
fn open_session(ctx: &mut Ctx<'_>, id: UserId) -> Result<LoginResult> {
    let (token, token_hash) = crypto::new_token()?;
    let expires = ctx.now + Duration::hours(SESSION_HOURS);
    ctx.conn.execute(
        "DELETE FROM sessions WHERE expires_at <= ?1",
        [to_db(ctx.now)],
    )?;
    ctx.conn.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, expires_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?3)",
        (&token_hash, id, to_db(ctx.now), to_db(expires)),
    )?;
    let user = find(ctx.conn, id)?;
    crate::kernel::audit::record(
        ctx,
        Action::Login,
        EntityKind::User,
        &id.to_string(),
        None::<&()>,
        None::<&()>,
    )?;
    Ok(LoginResult {
        token,
        expires_at: to_db(expires),
        permissions: user.role.permissions(),
        user,
    })
}

/// Any logged-in user changes their own password: the current one first
/// (checked like a login, throttled like one), then a new one that meets the
/// password rules. The user's other sessions end; this one stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    #[schema(value_type = String, format = Password)]
    pub current_password: String,
    #[schema(value_type = Password)]
    pub new_password: String,
}

impl Task for ChangePassword {
    type Output = Done;
    const NAME: &'static str = "auth.change_password";
    const PERMISSION: Permission = Permission::Authenticated;

    fn run(self, app: &crate::App, actor: &Actor) -> Result<Done> {
        let Actor::User(me) = actor else {
            return Err(Error::Unauthorized);
        };
        let new = Password::parse(&self.new_password)
            .map_err(|m| Error::validation("new_password", m))?;
        if self.new_password == self.current_password {
            return Err(Error::validation(
                "new_password",
                "must differ from the current password",
            ));
        }
        let guard = app.logins();
        guard.check(&me.username, None, app.clock().now())?;
        let stored = app.read(actor, |ctx| Ok(find(ctx.conn, me.id)?.password_hash))?;
        let (current, stored_hash) = (self.current_password, stored.0.clone());
        if !guard.run(move || crypto::verify_password(&current, &stored_hash))? {
            guard.failed(&me.username, None, app.clock().now());
            return Err(Error::validation(
                "current_password",
                "is not your current password",
            ));
        }
        let hash = guard.run(move || new.hash())??;
        app.write(actor, |ctx| {
            let before = find(ctx.conn, me.id)?;
            // Changed meanwhile (a reset by an admin): the check above is stale.
            if before.password_hash != stored {
                return Err(Error::conflict(
                    "your password was changed meanwhile; log in again",
                ));
            }
            let mut after = before.clone();
            after.password_hash = hash;
            match &me.session {
                Some(current) => ctx.conn.execute(
                    "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
                    (me.id, current),
                )?,
                None => ctx
                    .conn
                    .execute("DELETE FROM sessions WHERE user_id = ?1", [me.id])?,
            };
            save(ctx, &before, after)?;
            crate::kernel::audit::note(
                ctx,
                Action::PasswordChange,
                EntityKind::User,
                &me.id.to_string(),
                &serde_json::json!({"other_sessions_ended": true}),
            )?;
            Ok(Done { ok: true })
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct Me {}

/// The logged-in user and what their role may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct WhoAmI {
    #[serde(flatten)]
    pub user: User,
    pub permissions: Vec<Permission>,
}

impl Operation for Me {
    type Output = WhoAmI;
    const NAME: &'static str = "auth.me";
    const PERMISSION: Permission = Permission::Authenticated;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<WhoAmI> {
        let user = find(ctx.conn, ctx.actor.user_id().ok_or(Error::Unauthorized)?)?;
        let permissions = user.role.permissions();
        Ok(WhoAmI { user, permissions })
    }
}

/// Ends every session of the logged-in user on this machine.
#[derive(Debug, Deserialize, ToSchema)]
pub struct Logout {}

impl Operation for Logout {
    type Output = Done;
    const NAME: &'static str = "auth.logout";
    const PERMISSION: Permission = Permission::Authenticated;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Done> {
        let Actor::User(user) = ctx.actor else {
            return Err(Error::Unauthorized);
        };
        match &user.session {
            Some(hash) => ctx
                .conn
                .execute("DELETE FROM sessions WHERE token_hash = ?1", [hash])?,
            // Not from a login (a script acting as the user): end them all.
            None => ctx
                .conn
                .execute("DELETE FROM sessions WHERE user_id = ?1", [user.id])?,
        };
        Ok(Done { ok: true })
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

task!(Login, ChangePassword);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_and_ordinary_ones_pass() {
        for bad in [
            "password",
            "Password123",
            "password123!",
            "12345678",
            "aaaaaaaa",
            "admin2026",
            "Qwerty123",
            "1q2w3e4r",
            "P@ssw0rd1",
            "iloveyou",
            "bismillah123",
        ] {
            assert!(Password::parse(bad).is_err(), "{bad}");
        }
        for ok in [
            "rahasia-123",
            "kuda-laut-biru",
            "a-long-password",
            "Budi#Santoso7",
        ] {
            assert!(Password::parse(ok).is_ok(), "{ok}");
        }
    }
}
