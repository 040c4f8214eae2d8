//! Backups: the archive (`archive`: what is in it, how the key is sealed
//! with the passphrase, how a restore checks it before it touches anything),
//! the record of every attempt, the daily scheduled backup and the
//! operations the settings screen and the dashboard use.
//!
//! ## Where the scheduled backup's passphrase comes from
//!
//! The admin sets a backup passphrase once with the schedule
//! (`backup.configure`); it is stored sealed with the vault key (context
//! `settings.backup_passphrase`), like the gateway token. The daily job
//! unseals it and makes an ordinary archive with it, so every archive, made
//! by hand or on schedule, opens with a passphrase the admin knows. The
//! vault key never leaves the data directory unsealed; a thief needs the
//! laptop (the data directory itself) to read the stored passphrase, and
//! with it they have the data anyway. A lost archive alone reveals no KTP.
//!
//! ## The record
//!
//! Every attempt is a row in `backups` (when, where, size, ok or the error).
//! `loket backup` records its attempt too: a small write through SQLite's
//! own locking, not the data directory lock, so it works beside a running
//! desk. The dashboard warns when the last good backup is older than
//! [`STALE_AFTER_DAYS`] days (or there is none).

pub mod archive;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::{Actor, Permission};
use crate::kernel::clock::{from_db, to_db};
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation, Task};
use crate::kernel::settings;
use crate::kernel::types::patch;

pub use archive::{Created, Restored, known_schema_version};

/// The dashboard warns when the last good backup is older than this.
pub const STALE_AFTER_DAYS: i64 = 2;
/// Archives kept by the scheduled backup unless the admin says otherwise.
pub const DEFAULT_KEEP: u32 = 7;
const SETTINGS_KEY: &str = "backup";
const PASSPHRASE: &str = "settings.backup_passphrase";

/// How a backup was started.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// From the settings screen.
    Manual,
    /// The daily job.
    Scheduled,
    /// `loket backup`.
    Cli,
}

impl Trigger {
    fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Scheduled => "scheduled",
            Trigger::Cli => "cli",
        }
    }
    fn parse(s: &str) -> Trigger {
        match s {
            "scheduled" => Trigger::Scheduled,
            "cli" => Trigger::Cli,
            _ => Trigger::Manual,
        }
    }
}

/// One backup attempt.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BackupRecord {
    pub id: i64,
    pub started_at: String,
    pub finished_at: String,
    pub trigger: Trigger,
    /// The archive's full path (also for a failure: where it was to go).
    pub path: Option<String>,
    pub size_bytes: Option<i64>,
    pub ok: bool,
    pub error: Option<String>,
}

fn record_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BackupRecord> {
    Ok(BackupRecord {
        id: r.get(0)?,
        started_at: r.get(1)?,
        finished_at: r.get(2)?,
        trigger: Trigger::parse(&r.get::<_, String>(3)?),
        path: r.get(4)?,
        size_bytes: r.get(5)?,
        ok: r.get(6)?,
        error: r.get(7)?,
    })
}

const RECORD_COLUMNS: &str = "id, started_at, finished_at, trigger, path, size_bytes, ok, error";

/// Writes the record of one attempt.
pub fn record(
    conn: &Connection,
    started: DateTime<Utc>,
    finished: DateTime<Utc>,
    trigger: Trigger,
    folder: &Path,
    outcome: &Result<Created>,
) -> Result<BackupRecord> {
    let (path, size, error) = match outcome {
        Ok(c) => (c.path.clone(), Some(c.size as i64), None),
        Err(e) => (folder.to_owned(), None, Some(e.public_message())),
    };
    conn.execute(
        "INSERT INTO backups (started_at, finished_at, trigger, path, size_bytes, ok, error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        (
            to_db(started),
            to_db(finished),
            trigger.as_str(),
            path.to_string_lossy(),
            size,
            outcome.is_ok(),
            error,
        ),
    )?;
    let id = conn.last_insert_rowid();
    Ok(conn.query_row(
        &format!("SELECT {RECORD_COLUMNS} FROM backups WHERE id = ?1"),
        [id],
        record_from_row,
    )?)
}

/// The finish time of the last good backup.
pub fn last_ok(conn: &Connection) -> Result<Option<DateTime<Utc>>> {
    let at: Option<String> = conn
        .query_row(
            "SELECT MAX(finished_at) FROM backups WHERE ok = 1",
            [],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    Ok(at.map(|t| from_db(&t)).transpose()?)
}

/// The dashboard's warning, in words, when the last good backup is too old.
pub fn warning(conn: &Connection, now: DateTime<Utc>) -> Result<Option<String>> {
    Ok(match last_ok(conn)? {
        None => Some("no backup has been made yet: make one in the settings".into()),
        Some(at) if now - at > chrono::Duration::days(STALE_AFTER_DAYS) => Some(format!(
            "the last good backup is {} days old: make one in the settings",
            (now - at).num_days()
        )),
        Some(_) => None,
    })
}

/// Makes an archive of the app's data directory in `folder` and records
/// the attempt, good or not.
pub fn run(
    app: &App,
    actor: &Actor,
    folder: &Path,
    passphrase: &str,
    trigger: Trigger,
) -> Result<BackupRecord> {
    let started = app.clock().now();
    let outcome = archive::create(app.data_dir(), passphrase, folder, started);
    let finished = app.clock().now();
    match &outcome {
        Ok(c) => tracing::info!("backup written to {}", c.path.display()),
        Err(e) => tracing::warn!("backup to {} failed: {e}", folder.display()),
    }
    let recorded = app.write(actor, |ctx| {
        record(ctx.conn, started, finished, trigger, folder, &outcome)
    });
    let created = outcome?;
    recorded.map_err(|e| {
        Error::internal(format!(
            "the backup {} was written but could not be recorded: {e}",
            created.path.display()
        ))
    })
}

// ---- the schedule ----------------------------------------------------------

/// The scheduled backup's settings as stored (the passphrase only sealed).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Stored {
    folder: Option<String>,
    keep: Option<u32>,
    passphrase_sealed: Option<String>,
}

fn load_stored(conn: &Connection) -> Result<Stored> {
    settings::load_row(conn, SETTINGS_KEY)
}

/// The daily backup as the settings screen shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BackupSchedule {
    /// The folder the daily backup writes to; `null`: no daily backup.
    pub folder: Option<String>,
    /// Archives kept in that folder (the oldest are removed).
    pub keep: u32,
    /// Whether a passphrase for the daily backup is set.
    pub passphrase_set: bool,
}

fn schedule_view(s: &Stored) -> BackupSchedule {
    BackupSchedule {
        folder: s.folder.clone(),
        keep: s.keep.unwrap_or(DEFAULT_KEEP),
        passphrase_set: s.passphrase_sealed.is_some(),
    }
}

/// What the settings screen shows: the schedule, the last attempts and the warning.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BackupOverview {
    pub schedule: BackupSchedule,
    pub last_ok_at: Option<String>,
    /// Set when the last good backup is older than 2 days, or there is none.
    pub warning: Option<String>,
    /// The latest attempts, newest first.
    pub recent: Vec<BackupRecord>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GetBackups {}

impl Operation for GetBackups {
    type Output = BackupOverview;
    const NAME: &'static str = "backup.list";
    const PERMISSION: Permission = Permission::SettingsWrite;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<BackupOverview> {
        let recent = ctx
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLUMNS} FROM backups ORDER BY id DESC LIMIT 20"
            ))?
            .query_map([], record_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(BackupOverview {
            schedule: schedule_view(&load_stored(ctx.conn)?),
            last_ok_at: last_ok(ctx.conn)?.map(to_db),
            warning: warning(ctx.conn, ctx.now)?,
            recent,
        })
    }
}

/// Sets the daily backup: the folder (`null` turns it off), how many to
/// keep, and its passphrase (kept sealed with the vault key).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigureBackups {
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub folder: Option<Option<String>>,
    /// 1–365
    pub keep: Option<u32>,
    /// At least 8 characters; left out keeps the one set before.
    pub passphrase: Option<String>,
}

impl Operation for ConfigureBackups {
    type Output = BackupSchedule;
    const NAME: &'static str = "backup.configure";
    const PERMISSION: Permission = Permission::SettingsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<BackupSchedule> {
        let mut s = load_stored(ctx.conn)?;
        let before = schedule_view(&s);
        if let Some(folder) = self.folder {
            s.folder = match folder
                .map(|f| f.trim().to_owned())
                .filter(|f| !f.is_empty())
            {
                Some(f) if !Path::new(&f).is_absolute() => {
                    return Err(Error::validation("folder", "must be a full path"));
                }
                other => other,
            };
        }
        if let Some(keep) = self.keep {
            if !(1..=365).contains(&keep) {
                return Err(Error::validation("keep", "must be between 1 and 365"));
            }
            s.keep = Some(keep);
        }
        if let Some(p) = self.passphrase {
            archive::check_passphrase(&p)?;
            s.passphrase_sealed = Some(ctx.vault.seal_text(PASSPHRASE, &p)?);
        }
        if s.folder.is_some() && s.passphrase_sealed.is_none() {
            return Err(Error::validation(
                "passphrase",
                "is required for the daily backup",
            ));
        }
        settings::save_row(ctx.conn, SETTINGS_KEY, &s)?;
        let after = schedule_view(&s);
        ctx.record(
            Action::Update,
            EntityKind::Settings,
            SETTINGS_KEY,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    }
}

/// Makes a backup now into `folder` with `passphrase` (the settings
/// screen's button). Answers the record; a failure is recorded too.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBackup {
    /// A full path to a folder (created if missing), e.g. a USB stick.
    pub folder: String,
    /// At least 8 characters; needed to restore.
    pub passphrase: String,
}

impl Task for CreateBackup {
    type Output = BackupRecord;
    const NAME: &'static str = "backup.create";
    const PERMISSION: Permission = Permission::SettingsWrite;

    fn run(self, app: &App, actor: &Actor) -> Result<BackupRecord> {
        let folder = PathBuf::from(self.folder.trim());
        if !folder.is_absolute() {
            return Err(Error::validation("folder", "must be a full path"));
        }
        archive::check_passphrase(&self.passphrase)?;
        let rec = run(app, actor, &folder, &self.passphrase, Trigger::Manual)?;
        app.write(actor, |ctx| {
            crate::kernel::audit::note(
                ctx,
                Action::Backup,
                EntityKind::Backup,
                &rec.id.to_string(),
                &serde_json::json!({"path": rec.path, "size_bytes": rec.size_bytes}),
            )
        })?;
        Ok(rec)
    }
}

crate::kernel::ops::task!(CreateBackup);

/// Restores a backup on a fresh install, from its first-start screen: only
/// while no user exists (afterwards a restore replaces someone's work and
/// is `loket restore`'s job, with the desk stopped). The archive is a file
/// on this machine; it is checked whole (checksums, the passphrase,
/// `PRAGMA integrity_check`, the schema version) before anything changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreBackup {
    /// The archive's full path, e.g. `/media/usb/loket-backup-20261201-080000.tar.gz`.
    pub path: String,
    pub passphrase: String,
}

/// What a restore did.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestoreResult {
    /// When the restored backup was made.
    pub backup_created_at: String,
    pub schema_version: i64,
    /// Where the replaced (empty) database and key were kept.
    pub kept_aside: Option<String>,
}

impl Task for RestoreBackup {
    type Output = RestoreResult;
    const NAME: &'static str = "backup.restore";
    const PERMISSION: Permission = Permission::Public;

    fn run(self, app: &App, _actor: &Actor) -> Result<RestoreResult> {
        let path = PathBuf::from(self.path.trim());
        if !path.is_absolute() {
            return Err(Error::validation("path", "must be a full path"));
        }
        let no_users = |app: &App| -> Result<()> {
            // `users` is the kernel's (sessions are checked against it).
            let users: i64 = app.read(&Actor::System, |ctx| {
                Ok(ctx
                    .conn
                    .query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?)
            })?;
            if users > 0 {
                return Err(Error::conflict(
                    "this desk already has users: a backup is restored here only on a fresh install; \
                     stop Loket and use `loket restore` instead",
                ));
            }
            Ok(())
        };
        no_users(app)?;
        let verified = archive::verify(&path, &self.passphrase)?;
        // Checked again: someone may have made the first admin meanwhile.
        no_users(app)?;
        let restored = archive::install_live(verified, app, app.clock().now())?;
        tracing::info!(
            "restored the backup made at {} from {}",
            restored.created_at,
            path.display()
        );
        Ok(RestoreResult {
            backup_created_at: restored.created_at,
            schema_version: restored.schema_version,
            kept_aside: restored
                .kept_aside
                .map(|p| p.to_string_lossy().into_owned()),
        })
    }
}

crate::kernel::ops::task!(RestoreBackup);

/// The daily job: a backup to the configured folder, then the oldest
/// archives beyond `keep` removed. Answers the job's result in words.
pub fn scheduled(app: &App) -> Result<String> {
    let (stored, passphrase) = app.read(&Actor::System, |ctx| {
        let s = load_stored(ctx.conn)?;
        let p = s
            .passphrase_sealed
            .as_deref()
            .map(|sealed| ctx.vault.open_text(PASSPHRASE, sealed))
            .transpose()?;
        Ok((s, p))
    })?;
    let (Some(folder), Some(passphrase)) = (stored.folder, passphrase) else {
        return Ok("not configured".into());
    };
    let folder = PathBuf::from(folder);
    let rec = run(
        app,
        &Actor::System,
        &folder,
        &passphrase,
        Trigger::Scheduled,
    )?;
    let removed = prune(&folder, stored.keep.unwrap_or(DEFAULT_KEEP));
    Ok(format!(
        "wrote {}{}",
        rec.path.unwrap_or_default(),
        if removed > 0 {
            format!(", removed {removed} old")
        } else {
            String::new()
        }
    ))
}

/// Removes the oldest `loket-backup-*.tar.gz` in `folder` beyond `keep`
/// (their names sort by time). Answers how many were removed.
pub fn prune(folder: &Path, keep: u32) -> usize {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return 0;
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("loket-backup-") && n.ends_with(".tar.gz"))
        .collect();
    names.sort();
    let excess = names.len().saturating_sub(keep as usize);
    names
        .iter()
        .take(excess)
        .filter(|n| std::fs::remove_file(folder.join(n)).is_ok())
        .count()
}

// ---- the desk's state, for the dashboard and the banner -------------------

/// The database as the last integrity check found it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DatabaseState {
    Ok,
    /// The start-up check is running: changes wait a moment.
    Checking,
    /// Damaged: Loket saves nothing until a backup is restored.
    Damaged,
}

/// What every screen may need to warn about.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SystemStatus {
    pub database: DatabaseState,
    /// What to do, when the database is damaged.
    pub message: Option<String>,
    pub last_backup_at: Option<String>,
    /// Set when the last good backup is older than 2 days, or there is none.
    pub backup_warning: Option<String>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GetStatus {}

impl Task for GetStatus {
    type Output = SystemStatus;
    const NAME: &'static str = "status.get";
    const PERMISSION: Permission = Permission::Authenticated;

    fn run(self, app: &App, actor: &Actor) -> Result<SystemStatus> {
        use crate::kernel::app::{DAMAGED, Integrity};
        let (database, message) = match app.integrity() {
            Integrity::Ok => (DatabaseState::Ok, None),
            Integrity::Checking => (DatabaseState::Checking, None),
            Integrity::Damaged(_) => (DatabaseState::Damaged, Some(DAMAGED.to_owned())),
        };
        // On a damaged file the backup list may be unreadable too: the
        // banner matters more than the warning.
        let backups = app.read(actor, |ctx| {
            Ok((last_ok(ctx.conn)?, warning(ctx.conn, ctx.now)?))
        });
        let (last, backup_warning) = backups.unwrap_or((None, None));
        Ok(SystemStatus {
            database,
            message,
            last_backup_at: last.map(to_db),
            backup_warning,
        })
    }
}

crate::kernel::ops::task!(GetStatus);
