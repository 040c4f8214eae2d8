//! The SQLite store: one writer connection (write transactions are
//! `BEGIN IMMEDIATE`, so two writers never race on check-then-insert) and a
//! small pool of readers alongside it (WAL lets them read while it writes).
//!
//! ## How data is kept
//!
//! - `migrations/NNNN_name.sql`, embedded with `include_dir`, applied in order by
//!   `rusqlite_migration` (tracked in `PRAGMA user_version`). A database with a
//!   higher version than the binary knows is refused untouched. A landed
//!   migration is never edited; a change is a new file.
//! - WAL, `foreign_keys=ON`, `synchronous=FULL`, 5 s busy timeout, 256 cached
//!   prepared statements per connection (a booking runs ~30 distinct ones).
//! - Checkpoints never run inside a commit (`wal_autocheckpoint=0`). A
//!   background thread (`store::Checkpointer`) copies the WAL into `loket.db`
//!   once the writer has been quiet for 200 ms (PASSIVE: blocks nobody). Under a
//!   steady stream of writes there is no quiet moment and a PASSIVE pass always
//!   leaves fresh frames behind, so the WAL could never start over; past 16384
//!   frames (~64 MB, read from the wal-index header in `-shm`) the checkpoint
//!   runs under the writer lock instead: one write waits for it, then the WAL
//!   rewinds. `tests/core/checkpoint.rs` checks both paths.
//! - IDs are UUID v7 text. Instants are UTC text `YYYY-MM-DDTHH:MM:SS.sssZ`
//!   (sorts correctly); dates `YYYY-MM-DD`. Money is INTEGER hundredths of a
//!   rupiah, carried in JSON as a decimal string.
//! - Codes (`CS-000001`, `UNIT-001`, `BK-2026-001`, `ST-001`) come from
//!   `code_counters`, incremented inside the writing transaction; they grow past
//!   999 rather than overflow.
//! - List indexes end in the sort column and ties break by `rowid`, which every
//!   index carries, so `ORDER BY col, rowid LIMIT 50` reads 50 index entries and
//!   sorts nothing (checked by `tests/core/query_plans.rs`).
//! - Risk flags are rows (`booking_risk_flags`) so `risk_flag=` uses an index.
//! - A service booking holds a slot. Two guards make "one slot, one open
//!   booking" hold: the slot's status changes only `WHERE status = 'available'`
//!   inside the `BEGIN IMMEDIATE` transaction, and a unique partial index
//!   (`bookings_open_slot`) refuses a second open desk booking of a slot at
//!   the database level, whichever process writes. The one exception is a
//!   booking head office made for a slot the desk booked offline: kept
//!   beside it, both flagged `double_booking` (migration 0010).
//! - Coordinates are INTEGER micro-degrees (6 decimals, exact) with an index on
//!   (latitude, longitude) for active providers.
//! - `double_booking` compares `[event_at, event_end_at)`: the slot's times, or
//!   an hour from `event_at` for bookings without a slot. It also marks two
//!   open bookings of one slot (head office sold a slot this desk booked
//!   offline). It is recomputed for the customer's other open bookings and
//!   the slot's other bookings whenever one changes, and in memory by the
//!   daily recalculation.
//! - The daily recalculation rescores every open booking in one transaction and
//!   writes only the rows whose score, levels or flags changed.
//! - Every edit is audited and logged for sync; derived fields are not edits.
//!   A booking sets its customer's `last_booking_at` without an audit entry,
//!   change-log row or new `version` (head office derives it from the synced
//!   bookings, and a colleague's open edit of the customer is not refused as
//!   stale because somebody booked). An inline customer that brings a new
//!   gender, address, e-mail or language is an edit (`upsert`, audited).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use include_dir::{Dir, include_dir};
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{M, Migrations};

use crate::kernel::error::{Error, Result};

static MIGRATIONS_DIR: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/migrations");

/// Prepared statements kept per connection. A booking's transaction alone runs
/// some 30 distinct statements; rusqlite's default of 16 would re-parse most
/// of them on every booking.
const STATEMENT_CACHE: usize = 256;

/// `synchronous=FULL`: a booking acknowledged is a booking kept, even on power loss.
const PRAGMAS: &str = "PRAGMA foreign_keys = ON;
PRAGMA synchronous = FULL;
PRAGMA busy_timeout = 5000;";

pub struct Database {
    path: PathBuf,
    writer: Arc<Writer>,
    readers: r2d2::Pool<SqliteConnectionManager>,
    // Held for its Drop: stops the background checkpoint thread.
    _checkpointer: Checkpointer,
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

/// How many migrations this binary has: the newest `user_version` it knows.
pub fn migration_count() -> usize {
    MIGRATIONS_DIR
        .files()
        .filter(|f| f.path().extension().is_some_and(|e| e == "sql"))
        .count()
}

impl Database {
    /// Opens (creating if needed) the database at `path` and brings its schema
    /// up to date. A database written by a newer Loket is refused untouched.
    pub fn open(path: &Path) -> Result<Database> {
        create_private_file(path)?;
        let mut writer = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        writer.busy_timeout(Duration::from_secs(5))?;
        writer.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        writer.pragma_update(None, "journal_mode", "WAL")?;
        writer.execute_batch(PRAGMAS)?;
        migrate(&mut writer)?;
        // Table statistics, so the planner walks the priority indexes in
        // order instead of sorting the whole board (cheap when fresh). Not
        // fatal: on a damaged file the desk still opens, read-only, and the
        // integrity check says why.
        if let Err(e) = writer.execute_batch("PRAGMA optimize = 0x10002") {
            tracing::warn!("PRAGMA optimize failed: {e}");
        }

        let manager = SqliteConnectionManager::file(path)
            .with_flags(OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
            .with_init(|c| {
                c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
                c.execute_batch(PRAGMAS)
            });
        let readers = r2d2::Pool::builder()
            .max_size(4)
            .build(manager)
            .map_err(|e| Error::internal(format!("cannot open readers: {e}")))?;
        // Checkpoints move off the request path: the writer never runs one,
        // a background thread copies the WAL into the database instead.
        writer.pragma_update(None, "wal_autocheckpoint", 0)?;
        let writer = Arc::new(Writer {
            conn: Mutex::new(writer),
            uses: AtomicU64::new(0),
        });
        let checkpointer = Checkpointer::start(path, writer.clone())?;
        Ok(Database {
            path: path.to_owned(),
            writer,
            readers,
            _checkpointer: checkpointer,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The single writer. Poisoning only means another thread panicked
    /// mid-operation; its transaction was rolled back on drop, so carry on.
    pub fn writer(&self) -> MutexGuard<'_, Connection> {
        let conn = lock_writer(&self.writer.conn);
        self.writer.uses.fetch_add(1, Ordering::Relaxed);
        conn
    }

    /// Replaces the whole database, through `writer` (the caller holds it),
    /// with the one at `src`: SQLite's online backup API, one write
    /// transaction that other connections see at once, then the
    /// migrations for a copy from an older Loket.
    pub fn replace_with(&self, writer: &mut Connection, src: &Path) -> Result<()> {
        let from = Connection::open_with_flags(
            src,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        {
            let copy = rusqlite::backup::Backup::new(&from, writer)?;
            copy.run_to_completion(1024, Duration::ZERO, None)?;
        }
        migrate(writer)?;
        Ok(())
    }

    /// `PRAGMA optimize`: refreshes the planner's statistics where the data
    /// changed enough to matter (cheap when nothing did).
    pub fn optimize(&self) -> Result<()> {
        self.writer().execute_batch("PRAGMA optimize = 0x10002")?;
        Ok(())
    }

    pub fn reader(&self) -> Result<Reader> {
        self.readers
            .get()
            .map_err(|e| Error::internal(format!("no database reader: {e}")))
    }
}

/// Creates the database file readable by its owner only (SQLite gives the
/// -wal and -shm files the same permissions); an existing file is left alone.
fn create_private_file(path: &Path) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(Error::internal(format!(
            "cannot create {}: {e}",
            path.display()
        ))),
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

/// `%text%` for LIKE … ESCAPE '\', with the text's own wildcards escaped.
pub fn like_pattern(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A list query built from filters: counted for the page meta, then paged.
/// List operations expose theirs (`query()`) so tests can check its plan.
pub struct ListQuery {
    /// `SELECT … FROM …` (joins included) for the rows.
    pub select: String,
    /// `table alias` counted for the total.
    pub count_from: &'static str,
    pub filter: String,
    pub args: Vec<rusqlite::types::Value>,
    pub order: String,
}

impl ListQuery {
    pub fn new(
        select: impl Into<String>,
        count_from: &'static str,
        base_filter: &str,
    ) -> ListQuery {
        ListQuery {
            select: select.into(),
            count_from,
            filter: format!("WHERE {base_filter}"),
            args: Vec::new(),
            order: String::new(),
        }
    }

    /// Adds `AND clause` with its arguments.
    pub fn and(&mut self, clause: &str, args: impl IntoIterator<Item = rusqlite::types::Value>) {
        self.filter.push_str(" AND ");
        self.filter.push_str(clause);
        self.args.extend(args);
    }

    /// Adds `AND (c1 LIKE ? OR c2 LIKE ? …)`: any of the columns contains `text`
    /// literally (`%` and `_` in it are not wildcards).
    pub fn contains(&mut self, columns: &[&str], text: &str) {
        let pattern = like_pattern(text);
        let clause: Vec<String> = columns
            .iter()
            .map(|c| format!("{c} LIKE ? ESCAPE '\\'"))
            .collect();
        self.and(
            &format!("({})", clause.join(" OR ")),
            columns
                .iter()
                .map(|_| rusqlite::types::Value::Text(pattern.clone())),
        );
    }

    /// [`contains`](Self::contains) when `text` has more than spaces.
    pub fn search(&mut self, columns: &[&str], text: Option<&str>) {
        if let Some(t) = text.map(str::trim).filter(|t| !t.is_empty()) {
            self.contains(columns, t);
        }
    }

    /// Adds `AND column = ?` for a yes/no filter when given.
    pub fn flag(&mut self, column: &str, value: Option<bool>) {
        if let Some(v) = value {
            self.and(
                &format!("{column} = ?"),
                [rusqlite::types::Value::Integer(i64::from(v))],
            );
        }
    }

    /// Adds `AND column = ?` when a value is given.
    pub fn eq(&mut self, column: &str, value: Option<String>) {
        if let Some(v) = value {
            self.and(&format!("{column} = ?"), [rusqlite::types::Value::Text(v)]);
        }
    }

    /// Orders by `column`, ties broken by rowid in the same direction; every
    /// index carries the rowid, so an index on `column` needs no sort step.
    pub fn order_by(&mut self, column: &str, dir: crate::kernel::types::Direction, rowid_of: &str) {
        self.order = format!("ORDER BY {column} {0}, {rowid_of}rowid {0}", dir.sql());
    }

    pub fn count_sql(&self) -> String {
        format!("SELECT COUNT(*) FROM {} {}", self.count_from, self.filter)
    }

    pub fn page_sql(&self) -> String {
        format!(
            "{} {} {} LIMIT ? OFFSET ?",
            self.select, self.filter, self.order
        )
    }

    pub fn fetch<T>(
        &self,
        conn: &Connection,
        paging: crate::kernel::types::Paging,
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> Result<crate::kernel::types::Page<T>> {
        use rusqlite::types::Value;
        let total: i64 = conn
            .prepare_cached(&self.count_sql())?
            .query_row(rusqlite::params_from_iter(&self.args), |r| r.get(0))?;
        let mut args = self.args.clone();
        args.push(Value::Integer(paging.limit()));
        args.push(Value::Integer(paging.offset()));
        let rows = conn
            .prepare_cached(&self.page_sql())?
            .query_map(rusqlite::params_from_iter(&args), map)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(paging.page_of(rows, total))
    }
}

fn lock_writer(writer: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    writer.lock().unwrap_or_else(|p| p.into_inner())
}

/// The single writer connection, and how many times it was taken (so the
/// checkpointer can tell a quiet desk from a busy one).
struct Writer {
    conn: Mutex<Connection>,
    uses: AtomicU64,
}

/// Copies the WAL into the database file in the background, so a booking's
/// commit almost never waits for a checkpoint. Stopped when the database closes.
///
/// A checkpoint writes the WAL's pages into `loket.db` and fsyncs it; run
/// beside a commit, it slows that commit's own fsync. So it runs when the
/// writer has been quiet for [`Checkpointer::QUIET`] (on a front desk: a
/// moment after each booking), without blocking anyone (PASSIVE). Under a
/// steady stream of writes there is no quiet moment, and a PASSIVE pass would
/// always leave fresh frames behind, so the WAL could never start over and
/// would grow without bound; once it passes [`Checkpointer::MAX_FRAMES`] the
/// checkpoint runs under the writer lock instead: one write waits for it
/// (once per some 500 bookings at full speed), none of the others do.
struct Checkpointer {
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    const POLL: Duration = Duration::from_millis(50);
    /// Polls without a write before the writer counts as quiet.
    const QUIET: u32 = 4;
    /// About 64 MB of WAL at 4 KiB pages: at full speed one write in some 500
    /// waits for a checkpoint.
    const MAX_FRAMES: u32 = 16384;

    fn start(path: &Path, writer: Arc<Writer>) -> Result<Checkpointer> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch(PRAGMAS)?;
        let mut shm = path.as_os_str().to_owned();
        shm.push("-shm");
        let mut shm = ShmHeader::new(PathBuf::from(shm));
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("loket-checkpoint".into())
            .spawn(move || {
                let (lock, wake) = &*flag;
                let mut stopped = lock.lock().unwrap_or_else(|p| p.into_inner());
                let mut checkpointed = writer.uses.load(Ordering::Relaxed);
                let (mut seen, mut quiet) = (checkpointed, 0);
                while !*stopped {
                    stopped = wake
                        .wait_timeout(stopped, Self::POLL)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                    let uses = writer.uses.load(Ordering::Relaxed);
                    if uses == checkpointed {
                        continue; // nothing written since the last checkpoint
                    }
                    if uses == seen {
                        quiet += 1;
                    } else {
                        (seen, quiet) = (uses, 0);
                    }
                    if quiet >= Self::QUIET {
                        if passive_checkpoint(&conn).is_ok() {
                            checkpointed = uses;
                        }
                    } else if shm.wal_frames() >= Self::MAX_FRAMES {
                        let _writer = lock_writer(&writer.conn);
                        let at = writer.uses.load(Ordering::Relaxed);
                        if passive_checkpoint(&conn).is_ok() {
                            checkpointed = at;
                        }
                        tracing::debug!("checkpointed under the writer lock");
                    }
                }
                // The connection first, then the `-shm` descriptor: closing
                // that drops the process's locks on `-shm`.
                drop(conn);
                drop(shm);
            })
            .map_err(|e| Error::internal(format!("cannot start the checkpointer: {e}")))?;
        Ok(Checkpointer {
            stop,
            thread: Some(thread),
        })
    }
}

/// `PRAGMA wal_checkpoint(PASSIVE)`: copies what it can without waiting.
fn passive_checkpoint(conn: &Connection) -> rusqlite::Result<()> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
}

/// Reads the wal-index header in the `-shm` file.
///
/// The file is opened once and kept open for the life of the database:
/// POSIX advisory locks belong to the process, and closing *any* descriptor
/// of a file drops all of the process's locks on it. Opening and closing
/// `-shm` on every poll dropped SQLite's own lock on it, so another process
/// opening the database (`loket backup`, the sqlite3 shell) took itself for
/// the first, reset `-shm`, and the desk died of SIGBUS on its mapping.
struct ShmHeader {
    path: PathBuf,
    file: Option<std::fs::File>,
}

impl ShmHeader {
    fn new(path: PathBuf) -> ShmHeader {
        ShmHeader { path, file: None }
    }

    /// Committed frames in the WAL (`mxFrame`, a native-endian u32 at
    /// offset 16; see <https://sqlite.org/walformat.html>), read without
    /// touching any lock. Only a hint for when to checkpoint: 0 when it
    /// cannot be read.
    fn wal_frames(&mut self) -> u32 {
        if self.file.is_none() {
            self.file = std::fs::File::open(&self.path).ok();
        }
        let mut header = [0u8; 20];
        let read = match &self.file {
            Some(f) => read_at(f, &mut header),
            None => return 0,
        };
        if read {
            u32::from_ne_bytes([header[16], header[17], header[18], header[19]])
        } else {
            0
        }
    }
}

#[cfg(unix)]
fn read_at(f: &std::fs::File, buf: &mut [u8]) -> bool {
    use std::os::unix::fs::FileExt;
    f.read_exact_at(buf, 0).is_ok()
}

#[cfg(windows)]
fn read_at(f: &std::fs::File, buf: &mut [u8]) -> bool {
    use std::os::windows::fs::FileExt;
    f.seek_read(buf, 0).is_ok_and(|n| n == buf.len())
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        let (lock, wake) = &*self.stop;
        *lock.lock().unwrap_or_else(|p| p.into_inner()) = true;
        wake.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
