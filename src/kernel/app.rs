//! `App`: the core's single entry point. It owns the store, the vault and the
//! clock, and runs operations: permission check → transaction → run → commit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::TransactionBehavior;

use crate::kernel::auth::Actor;
use crate::kernel::clock::{Clock, SystemClock};
use crate::kernel::crypto::Vault;
use crate::kernel::error::{Error, Result};
use crate::kernel::logins::LoginGuard;
use crate::kernel::ops::{Ctx, Invoke, authorize};
use crate::kernel::settings;
use crate::kernel::store::Database;

pub struct App {
    db: Database,
    vault: Vault,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    logins: LoginGuard,
}

impl App {
    /// Opens the data directory (`loket.db` and the key file `loket.key`),
    /// creating both on first start.
    pub fn open(data_dir: &Path) -> Result<App> {
        App::open_with_clock(data_dir, Arc::new(SystemClock))
    }

    pub fn open_with_clock(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<App> {
        create_private_dir(data_dir)?;
        let key_path = std::env::var_os("LOKET_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| data_dir.join("loket.key"));
        let vault = Vault::open_or_create(&key_path)?;
        let db = Database::open(&data_dir.join("loket.db"))?;
        Ok(App {
            db,
            vault,
            clock,
            data_dir: data_dir.to_owned(),
            logins: LoginGuard::default(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The password-check pool and the login backoff.
    pub fn logins(&self) -> &LoginGuard {
        &self.logins
    }

    /// Runs one operation or task as `actor`: the permission check, then
    /// (for an operation) one transaction. What tests, benches and the CLI call.
    pub fn execute<I: Invoke>(&self, actor: &Actor, input: I) -> Result<I::Output> {
        let permit = authorize::<I>(actor)?;
        input.invoke(self, permit)
    }

    /// One write transaction (`BEGIN IMMEDIATE` on the single writer) around
    /// `f`, committed when it returns `Ok`. For tasks ([`crate::kernel::ops::Task`])
    /// that take several steps; no permission check (the caller did it).
    pub fn write<T>(&self, actor: &Actor, f: impl FnOnce(&mut Ctx<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.db.writer();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = {
            let mut ctx = self.ctx(&tx, actor)?;
            f(&mut ctx)?
        };
        tx.commit()?;
        Ok(out)
    }

    /// A read snapshot on a pooled reader around `f`.
    pub fn read<T>(&self, actor: &Actor, f: impl FnOnce(&mut Ctx<'_>) -> Result<T>) -> Result<T> {
        let mut conn = self.db.reader()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let mut ctx = self.ctx(&tx, actor)?;
        f(&mut ctx)
    }

    fn ctx<'a>(&'a self, conn: &'a rusqlite::Connection, actor: &'a Actor) -> Result<Ctx<'a>> {
        Ok(Ctx {
            conn,
            actor,
            now: self.clock.now(),
            settings: settings::load(conn)?,
            vault: &self.vault,
        })
    }

    /// Resolves a bearer token to the logged-in user.
    /// An idle session (setting `session_idle_minutes`) is refused like an
    /// expired one; a live one is marked used about once a minute.
    pub fn authenticate(&self, token: &str) -> Result<Actor> {
        let now = self.clock.now();
        let live = {
            let conn = self.db.reader()?;
            let idle =
                chrono::Duration::minutes(settings::load(&conn)?.session_idle_minutes.into());
            crate::kernel::auth::session_user(&conn, token, now, idle)?
        };
        if live.stale_mark
            && let Some(session) = &live.user.session
        {
            crate::kernel::auth::mark_seen(&self.db.writer(), session, now)?;
        }
        Ok(Actor::User(live.user))
    }
}

/// The data directory holds customer data and the key: only its owner may enter.
fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(|e| {
        Error::internal(format!(
            "cannot create data directory {}: {e}",
            dir.display()
        ))
    })
}
