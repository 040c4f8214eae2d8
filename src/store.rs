//! The SQLite store: one writer connection (write transactions are
//! `BEGIN IMMEDIATE`, so two writers never race on check-then-insert) and a
//! small pool of readers alongside it (WAL lets them read while it writes).

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use include_dir::{Dir, include_dir};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};

use crate::error::{Error, Result};

static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// `synchronous=FULL`: a booking acknowledged is a booking kept, even on power loss.
const PRAGMAS: &str = "PRAGMA foreign_keys = ON;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;";

pub struct Database {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: r2d2::Pool<SqliteConnectionManager>,
}

pub type Reader = r2d2::PooledConnection<SqliteConnectionManager>;

/// The migrations embedded in the binary, in file-name order (`0001_core.sql`, …).
pub fn migrations() -> Migrations<'static> {
    let mut files: Vec<_> = MIGRATIONS_DIR
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .collect();
    files.sort_by_key(|f| f.path().to_owned());
    Migrations::new(
        files
            .iter()
            .filter_map(|f| f.contents_utf8())
            .map(M::up)
            .collect(),
    )
}

impl Database {
    /// Opens (creating if needed) the database at `path` and brings its schema
    /// up to date. A database written by a newer Loket is refused untouched.
    pub fn open(path: &Path) -> Result<Database> {
        let mut writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        writer.busy_timeout(Duration::from_secs(5))?;
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.execute_batch(PRAGMAS)?;
        migrate(&mut writer)?;

        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(|c| c.execute_batch(PRAGMAS));
        let readers = r2d2::Pool::builder()
            .max_size(4)
            .build(manager)
            .map_err(|e| Error::internal(format!("cannot open readers: {e}")))?;
        Ok(Database {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The single writer. Poisoning only means another thread panicked
    /// mid-operation; its transaction was rolled back on drop, so carry on.
    pub fn writer(&self) -> MutexGuard<'_, Connection> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn reader(&self) -> Result<Reader> {
        self.readers
            .get()
            .map_err(|e| Error::internal(format!("no database reader: {e}")))
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    use rusqlite_migration::{Error as MigError, MigrationDefinitionError};
    migrations().to_latest(conn).map_err(|e| match e {
        MigError::MigrationDefinition(MigrationDefinitionError::DatabaseTooFarAhead) => Error::internal(
            "this database was written by a newer version of Loket; install that version (the database was not changed)",
        ),
        MigError::RusqliteError { err, .. } => Error::Database(err),
        other => Error::internal(format!("migration failed: {other}")),
    })
}

/// `UPDATE table SET col = ?, … , updated_at, version + 1 WHERE id = ?` for a
/// partial update. Returns false (and writes nothing) when nothing was given.
pub fn update_row(
    ctx: &crate::ops::Ctx<'_>,
    table: &str,
    id: &str,
    sets: Vec<(&str, rusqlite::types::Value)>,
) -> Result<bool> {
    use rusqlite::types::Value;
    if sets.is_empty() {
        return Ok(false);
    }
    let assignments: Vec<String> = sets.iter().map(|(col, _)| format!("{col} = ?")).collect();
    let mut args: Vec<Value> = sets.into_iter().map(|(_, v)| v).collect();
    args.push(Value::Text(crate::clock::to_db(ctx.now)));
    args.push(Value::Text(id.to_owned()));
    ctx.conn.execute(
        &format!(
            "UPDATE {table} SET {}, updated_at = ?, version = version + 1 WHERE id = ?",
            assignments.join(", ")
        ),
        rusqlite::params_from_iter(args),
    )?;
    Ok(true)
}
