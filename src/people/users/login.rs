//! Logging in and out, sessions, who is logged in, and changing one's own
//! password. The password checks run outside the write lock (`Task`s).

use super::*;

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
/// username takes as long as a wrong password (same parameters as
/// `crypto::hash_password`'s, which a test checks).
pub const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0JhDqHkkuP9+XJpbx6v8kjl9oZ0uv7KJ0UNVqQ3nDOY";

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

task!(Login, ChangePassword);
