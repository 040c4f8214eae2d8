//! `App`: the core's single entry point. It owns the store, the vault and the
//! clock, and runs operations: permission check → transaction → run → commit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::TransactionBehavior;

use crate::kernel::auth::Actor;
use crate::kernel::clock::{Clock, SystemClock};
use crate::kernel::crypto::Vault;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Invoke, authorize};
use crate::kernel::settings;
use crate::kernel::store::Database;

pub struct App {
    db: Database,
    vault: Vault,
    clock: Arc<dyn Clock>,
    data_dir: PathBuf,
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
            vault,
            clock,
            data_dir: data_dir.to_owned(),
        })
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The vault (for a backup of its key).
    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
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
    pub fn authenticate(&self, token: &str) -> Result<Actor> {
        let conn = self.db.reader()?;
        crate::kernel::auth::session_user(&conn, token, self.clock.now()).map(Actor::User)
    }
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
