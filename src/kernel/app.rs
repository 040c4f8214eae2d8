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
    // Replaced whole by a restore on a fresh install (`replace_data`); an
    // operation takes the current one for its whole run.
    vault: std::sync::RwLock<Arc<Vault>>,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
    logins: LoginGuard,
    health: Arc<Health>,
}

/// What the last integrity check found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Integrity {
    /// Not checked, or the check passed: writes go ahead.
    Ok,
    /// A check is running: writes wait for it (reads go on).
    Checking,
    /// The file is damaged: writes are refused, reads go on as far as they can.
    Damaged(String),
}

/// The database's integrity as the desk knows it, shared with the
/// background check.
#[derive(Debug)]
struct Health {
    state: std::sync::Mutex<Integrity>,
    changed: std::sync::Condvar,
}

/// The message of every refused write on a damaged database.
pub const DAMAGED: &str = "database damaged: restore from the last backup (Settings → Backup, or `loket restore`); until then Loket only shows data and saves nothing";

/// How long a write waits for the start-up check before it is refused.
const CHECK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

impl Health {
    fn get(&self) -> Integrity {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set(&self, to: Integrity) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        // Once damaged, damaged: a later check of the same file cannot make
        // it whole again (a restore opens a new App).
        if !matches!(*state, Integrity::Damaged(_)) {
            *state = to;
        }
        self.changed.notify_all();
    }

    /// Waits while a check runs; refuses when the database is damaged.
    fn writable(&self) -> Result<()> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (state, _) = self
            .changed
            .wait_timeout_while(state, CHECK_WAIT, |s| *s == Integrity::Checking)
            .unwrap_or_else(|p| p.into_inner());
        match &*state {
            Integrity::Ok => Ok(()),
            Integrity::Checking => Err(Error::ReadOnly {
                message: "the database is still being checked; try again in a moment".into(),
            }),
            Integrity::Damaged(_) => Err(Error::ReadOnly {
                message: DAMAGED.into(),
            }),
        }
    }
}

impl App {
    /// Opens the data directory (`loket.db` and the key file `loket.key`),
    /// creating both on first start.
    pub fn open(data_dir: &Path) -> Result<App> {
        App::open_with_clock(data_dir, Arc::new(SystemClock))
    }

    pub fn open_with_clock(data_dir: &Path, clock: Arc<dyn Clock>) -> Result<App> {
        create_private_dir(data_dir)?;
        let key_path = key_path(data_dir);
        let db_path = database_path(data_dir);
        // A key is created only with a new database: an existing database
        // whose key file is gone would otherwise get a new key, and every
        // number sealed with the old one would be lost for good.
        let fresh = std::fs::metadata(&db_path).map_or(true, |m| m.len() == 0);
        let vault = if fresh {
            Vault::open_or_create(&key_path)?
        } else {
            Vault::open(&key_path)?.ok_or_else(|| Error::DataDir {
                message: format!(
                    "the key file {} is missing, but the database {} exists: without its key the \
                     stored KTP/NPWP numbers and the gateway token cannot be read. Put the key file \
                     back where it was, or restore the key and the database together from a backup \
                     (`loket restore BACKUP-FILE --passphrase-stdin`). Loket does not make a new \
                     key for an existing database.",
                    key_path.display(),
                    db_path.display()
                ),
            })?
        };
        let db = Database::open(&db_path)?;
        check_key(&db, &vault, &key_path, clock.now())?;
        Ok(App {
            db,
            vault: std::sync::RwLock::new(Arc::new(vault)),
            clock,
            data_dir: data_dir.to_owned(),
            logins: LoginGuard::default(),
            health: Arc::new(Health {
                state: std::sync::Mutex::new(Integrity::Ok),
                changed: std::sync::Condvar::new(),
            }),
        })
    }

    /// What the last integrity check found.
    pub fn integrity(&self) -> Integrity {
        self.health.get()
    }

    /// Starts `PRAGMA quick_check` on a thread of its own and returns at
    /// once: reads are served meanwhile, writes wait for it (seconds at
    /// most) and are refused if it finds damage. `loket serve` and the
    /// desktop app call it right after opening; the scheduler once a day.
    pub fn check_integrity_in_background(&self) {
        self.health.set(Integrity::Checking);
        let path = self.db.path().to_owned();
        let health = self.health.clone();
        let spawned = std::thread::Builder::new()
            .name("loket-integrity".into())
            .spawn(move || health.set(quick_check(&path)));
        if let Err(e) = spawned {
            tracing::error!("cannot start the integrity check: {e}");
            self.health.set(Integrity::Ok);
        }
    }

    /// Runs `PRAGMA quick_check` now and records what it found.
    pub fn check_integrity(&self) -> Integrity {
        let found = quick_check(self.db.path());
        self.health.set(found);
        self.health.get()
    }

    /// Marks the database damaged when `e` says SQLite found it corrupt.
    fn notice(&self, e: &Error) {
        if let Error::Database(db) = e
            && matches!(
                db.sqlite_error_code(),
                Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
            )
        {
            tracing::error!("the database is damaged: {db}");
            self.health.set(Integrity::Damaged(db.to_string()));
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The vault in use.
    pub fn vault(&self) -> Arc<Vault> {
        self.vault.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the whole database with the (verified) copy at `copy` and
    /// the vault with `master`, while the desk runs: for a restore on a
    /// fresh install. One write transaction under the writer lock, so no
    /// operation sees the new data with the old key; the schema is brought
    /// up to date and the key checked against the copy's fingerprint.
    pub fn replace_data(&self, copy: &Path, master: &[u8; 32]) -> Result<()> {
        let vault = Vault::from_master(master);
        let mut writer = self.db.writer();
        self.db.replace_with(&mut writer, copy)?;
        if let Some(f) = recorded_fingerprint(&writer)?
            && f != vault.fingerprint()
        {
            return Err(Error::internal(
                "the restored database does not belong to the restored key",
            ));
        }
        *self.vault.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(vault);
        Ok(())
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
    ///
    /// Refused ([`Error::ReadOnly`]) on a damaged database, and held while
    /// the integrity check runs.
    pub fn write<T>(&self, actor: &Actor, f: impl FnOnce(&mut Ctx<'_>) -> Result<T>) -> Result<T> {
        self.health.writable()?;
        let result = (|| {
            let mut conn = self.db.writer();
            // Taken under the writer lock: a restore swaps both together.
            let vault = self.vault();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let out = {
                let mut ctx = self.ctx(&tx, actor, &vault)?;
                f(&mut ctx)?
            };
            tx.commit()?;
            Ok(out)
        })();
        if let Err(e) = &result {
            self.notice(e);
        }
        result
    }

    /// A read snapshot on a pooled reader around `f`.
    pub fn read<T>(&self, actor: &Actor, f: impl FnOnce(&mut Ctx<'_>) -> Result<T>) -> Result<T> {
        let result = (|| {
            let vault = self.vault();
            let mut conn = self.db.reader()?;
            let tx = conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
            let mut ctx = self.ctx(&tx, actor, &vault)?;
            f(&mut ctx)
        })();
        if let Err(e) = &result {
            self.notice(e);
        }
        result
    }

    fn ctx<'a>(
        &'a self,
        conn: &'a rusqlite::Connection,
        actor: &'a Actor,
        vault: &'a Vault,
    ) -> Result<Ctx<'a>> {
        Ok(Ctx {
            conn,
            actor,
            now: self.clock.now(),
            settings: settings::load(conn)?,
            vault,
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

/// `PRAGMA quick_check` on a connection of its own (read-only).
fn quick_check(path: &Path) -> Integrity {
    let started = std::time::Instant::now();
    let found = (|| {
        let conn = rusqlite::Connection::open_with_flags(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mut stmt = conn.prepare("PRAGMA quick_check")?;
        let rows = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok::<_, rusqlite::Error>(rows)
    })();
    let integrity = match found {
        Ok(rows) if rows.len() == 1 && rows[0] == "ok" => Integrity::Ok,
        Ok(rows) => Integrity::Damaged(rows.join("; ")),
        Err(e) => Integrity::Damaged(e.to_string()),
    };
    match &integrity {
        Integrity::Damaged(what) => {
            tracing::error!("integrity check: the database is damaged: {what}")
        }
        _ => tracing::info!("integrity check passed in {:?}", started.elapsed()),
    }
    integrity
}

/// `loket.db` in the data directory.
pub fn database_path(data_dir: &Path) -> PathBuf {
    data_dir.join("loket.db")
}

/// The key file: `LOKET_KEY_FILE`, else `loket.key` beside the database.
pub fn key_path(data_dir: &Path) -> PathBuf {
    std::env::var_os("LOKET_KEY_FILE")
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| data_dir.join("loket.key"))
}

/// The key's fingerprint recorded in the database, if any.
pub fn recorded_fingerprint(conn: &rusqlite::Connection) -> Result<Option<String>> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row("SELECT fingerprint FROM vault_key WHERE id = 1", [], |r| {
            r.get(0)
        })
        .optional()?)
}

/// Records the key's fingerprint in a database that has none (new, or from
/// before the fingerprint was kept); refuses a key that is not the recorded one.
fn check_key(
    db: &Database,
    vault: &Vault,
    key_path: &Path,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let conn = db.writer();
    match recorded_fingerprint(&conn)? {
        Some(f) if f == vault.fingerprint() => Ok(()),
        Some(f) => Err(Error::DataDir {
            message: format!(
                "the key file {} does not belong to this database (its fingerprint is {}, the \
                 database was sealed with {f}): put back the key file that was with this \
                 database, or restore the key and the database together from a backup \
                 (`loket restore BACKUP-FILE --passphrase-stdin`).",
                key_path.display(),
                vault.fingerprint()
            ),
        }),
        None => {
            conn.execute(
                "INSERT INTO vault_key (id, fingerprint, recorded_at) VALUES (1, ?1, ?2)",
                (vault.fingerprint(), crate::kernel::clock::to_db(now)),
            )?;
            Ok(())
        }
    }
}

/// The data directory holds customer data and the key: only its owner may enter.
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
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
