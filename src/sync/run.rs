//! One sync run, its status and the rejections. A run pushes the change log
//! in seq order until nothing is left, then pulls head office's feed until
//! it says there is no more, all within [`RUN_LIMIT`].
//!
//! The desk never waits on the network: each step reads on a reader (or in
//! a short write transaction), talks to head office with no transaction
//! open, and records the answer in another short write transaction. A
//! booking made during a run is simply pushed by the next batch or the next
//! run. A run claims a lease in the database, so a second run (from this
//! process or another) is refused with 409, and a run whose process died
//! lets go when the lease passes.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use crate::App;
use crate::booking::bookings::RecalculatePriorities;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::{Actor, Permission};
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation, Task};
use crate::kernel::sealing::SealingPublicKey;
use crate::kernel::settings::SharedSettings;
use crate::kernel::types::{Page, Paging};
use crate::people::customers;

use super::client::{HqClient, HqFailure, PushOutcome};
use super::protocol::{Change, MAX_PUSH_BATCH, PulledChange, PushRequest, Rejection, ServiceData};
use super::settings;

/// A run answers within this, whatever head office does.
pub const RUN_LIMIT: Duration = Duration::from_secs(30);
/// Longer than a run can take: a lease this old belongs to a dead run.
const LEASE: chrono::Duration = chrono::Duration::seconds(60);
/// Changes per push: head office's limit (`MAX_PUSH_BATCH`); a desk's
/// rows are a kilobyte or two each, so a batch stays a few MB (and is
/// gzipped on the way). Fewer, larger batches are fewer commits on both sides.
const PUSH_BATCH: i64 = MAX_PUSH_BATCH as i64;
const PULL_PAGE: u32 = 500;
/// Consecutive gap answers tolerated before the run gives up (a head office
/// that keeps moving its expectation is not converging).
const MAX_GAPS: u32 = 3;

/// Runs one full sync now: push everything queued, then pull everything new.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunSync {}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncRun {
    /// Changes head office took in this run (applied or refused).
    pub pushed: u64,
    /// Changes received from head office in this run.
    pub pulled: u64,
    /// Of `pushed`, how many head office refused (see `sync.rejections`).
    pub rejected: u64,
    pub duration_ms: u64,
}

impl Task for RunSync {
    type Output = SyncRun;
    const NAME: &'static str = "sync.run";
    const PERMISSION: Permission = Permission::SyncRun;

    fn run(self, app: &App, actor: &Actor) -> Result<SyncRun> {
        let started = Instant::now();
        let config = app.write(actor, |ctx| {
            let config = settings::config(ctx.conn, ctx.vault)?.ok_or_else(|| {
                Error::validation(
                    "hq_url",
                    "sync is not set up: save head office's address and this branch's token first",
                )
            })?;
            claim(ctx)?;
            Ok(config)
        })?;
        let mut run = SyncRun {
            pushed: 0,
            pulled: 0,
            rejected: 0,
            duration_ms: 0,
        };
        // On a thread of its own at a lower priority: a run's reading,
        // sealing and compressing must not slow the bookings taken meanwhile.
        let outcome = std::thread::scope(|scope| {
            scope
                .spawn(|| {
                    lower_this_threads_priority();
                    sync(app, actor, &config, &mut run)
                })
                .join()
                .unwrap_or_else(|_| {
                    Err(RunFailure::Store(
                        "the sync run stopped unexpectedly".into(),
                    ))
                })
        });
        run.duration_ms = started.elapsed().as_millis() as u64;
        // The outcome is recorded whatever happened; the lease is let go.
        app.write(actor, |ctx| {
            let error = outcome.as_ref().err().map(|e| e.to_string());
            ctx.conn.execute(
                "UPDATE sync_state SET running_until = NULL, last_error = ?1,
                        last_success_at = CASE WHEN ?1 IS NULL THEN ?2 ELSE last_success_at END,
                        failures = CASE WHEN ?1 IS NULL THEN 0 ELSE failures + 1 END
                 WHERE id = 1",
                (error, to_db(ctx.now)),
            )?;
            Ok(())
        })?;
        match outcome {
            Ok(()) => Ok(run),
            Err(failure) => Err(Error::Unavailable {
                message: failure.to_string(),
            }),
        }
    }
}

crate::kernel::ops::task!(RunSync);

/// Nice 10 for the calling thread only (Linux gives each thread its own
/// priority); elsewhere, or if refused, the run goes on at normal priority.
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority reads no memory of ours; `who` 0 is this thread.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// Takes the run's lease, or answers 409 while another run holds it.
fn claim(ctx: &Ctx<'_>) -> Result<()> {
    let taken = ctx.conn.execute(
        "UPDATE sync_state SET running_until = ?1, last_attempt_at = ?2
         WHERE id = 1 AND (running_until IS NULL OR running_until <= ?2)",
        (to_db(ctx.now + LEASE), to_db(ctx.now)),
    )?;
    if taken == 0 {
        return Err(Error::conflict(
            "a sync with head office is already running; wait for it to finish",
        ));
    }
    Ok(())
}

/// Why a run stopped: head office's answer, or the desk's own store.
#[derive(Debug, thiserror::Error)]
enum RunFailure {
    #[error(transparent)]
    Hq(#[from] HqFailure),
    #[error("{0}")]
    Store(String),
}

impl From<Error> for RunFailure {
    fn from(e: Error) -> Self {
        RunFailure::Store(e.public_message())
    }
}

fn sync(
    app: &App,
    actor: &Actor,
    config: &settings::SyncConfig,
    run: &mut SyncRun,
) -> std::result::Result<(), RunFailure> {
    let client = HqClient::new(
        &config.hq_url,
        &config.token,
        config.ca_cert.as_deref(),
        RUN_LIMIT,
    )?;
    let hello = client.hello()?;
    app.write(actor, |ctx| {
        ctx.conn.execute(
            "UPDATE sync_state SET branch_id = ?1, branch_name = ?2 WHERE id = 1",
            (hello.branch_id.to_string(), &hello.branch_name),
        )?;
        Ok(())
    })?;
    let sealing = hello
        .sealing_key
        .as_deref()
        .map(SealingPublicKey::parse)
        .transpose()
        .map_err(|e| {
            RunFailure::Store(format!(
                "head office sent a sealing key this desk cannot read ({})",
                e.public_message()
            ))
        })?;
    push_all(app, actor, &client, sealing.as_ref(), run)?;
    pull_all(app, actor, &client, run)?;
    Ok(())
}

fn push_all(
    app: &App,
    actor: &Actor,
    client: &HqClient,
    sealing: Option<&SealingPublicKey>,
    run: &mut SyncRun,
) -> std::result::Result<(), RunFailure> {
    let mut gaps = 0;
    loop {
        let (batch, newest, oldest_unsent_at) = app.read(actor, |ctx| {
            let pushed = pushed_seq(ctx.conn)?;
            let mut batch = read_batch(ctx.conn, pushed)?;
            if let Some(key) = sealing {
                seal_sensitive(ctx, &mut batch, key)?;
            }
            let after = batch.last().map_or(pushed, |c| c.seq);
            Ok((
                batch,
                newest_seq(ctx.conn)?,
                change_at_after(ctx.conn, after)?,
            ))
        })?;
        let Some(last) = batch.last().map(|c| c.seq) else {
            return Ok(());
        };
        let request = PushRequest {
            changes: batch,
            head_seq: Some(newest),
            oldest_unsent_at,
        };
        match client.push(&request)? {
            PushOutcome::Taken(answer) => {
                gaps = 0;
                run.pushed += u64::from(answer.applied) + answer.rejected.len() as u64;
                run.rejected += answer.rejected.len() as u64;
                if answer.last_seq > newest {
                    // Head office holds numbers this log never wrote: the
                    // database was replaced (a restored backup) after a sync.
                    return Err(RunFailure::Store(format!(
                        "head office has this branch's changes up to {} but this desk's log ends at {newest}; the database was restored from an older copy. Ask head office to enrol this desk as a new branch",
                        answer.last_seq
                    )));
                }
                record_push(
                    app,
                    actor,
                    answer.last_seq.max(0).min(last),
                    &answer.rejected,
                )?;
            }
            PushOutcome::Gap(expected) => {
                gaps += 1;
                if gaps > MAX_GAPS || expected < 1 || expected - 1 > newest {
                    return Err(RunFailure::Store(format!(
                        "head office expects this branch's change {expected} next, which this desk cannot send (its log ends at {newest})"
                    )));
                }
                // Resend from where head office stands.
                record_push(app, actor, expected - 1, &[])?;
            }
        }
    }
}

fn pushed_seq(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT pushed_seq FROM sync_state WHERE id = 1", [], |r| {
            r.get(0)
        })?,
    )
}

fn newest_seq(conn: &Connection) -> Result<i64> {
    Ok(
        conn.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
            r.get(0)
        })?,
    )
}

/// When the first change after `seq` was made, if there is one: what a push
/// ending at `seq` leaves unsent (one lookup by primary key).
fn change_at_after(conn: &Connection, seq: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT at FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT 1")?
        .query_row([seq], |r| r.get(0))
        .optional()?)
}

fn read_batch(conn: &Connection, after: i64) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, entity, entity_id, op, snapshot, at FROM change_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = stmt.query_map((after, PUSH_BATCH), |r| {
        let snapshot: String = r.get(4)?;
        Ok(Change {
            seq: r.get(0)?,
            entity: r.get(1)?,
            entity_id: r.get(2)?,
            op: r.get(3)?,
            data: raw_row(snapshot),
            at: r.get(5)?,
            sealed: None,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A snapshot as pushed: its JSON text as is (checked, not parsed into a
/// tree). The core writes JSON; were a snapshot not JSON, it goes as a JSON
/// string, which head office refuses as a rejection rather than the run
/// failing.
fn raw_row(snapshot: String) -> Box<RawValue> {
    RawValue::from_string(snapshot).unwrap_or_else(|e| {
        let text = Value::String(format!("not JSON: {e}"));
        serde_json::value::to_raw_value(&text).unwrap_or_default()
    })
}

/// Attaches each customer's KTP and NPWP, sealed to head office's key, to
/// its changes: the change log holds them masked, and head office must have
/// them without any plaintext leaving this desk. They are read as they
/// stand now (the change log keeps no history of them), which converges:
/// head office keeps the latest. Plaintext lives only in this call's memory.
fn seal_sensitive(ctx: &Ctx<'_>, batch: &mut [Change], key: &SealingPublicKey) -> Result<()> {
    for change in batch
        .iter_mut()
        .filter(|c| c.entity == EntityKind::Customer.as_str() && c.op != "delete")
    {
        change.sealed =
            customers::sealed_for_head_office(ctx.conn, ctx.vault, &change.entity_id, key)?;
    }
    Ok(())
}

/// Moves the push cursor and keeps what head office refused, in one short
/// transaction.
fn record_push(app: &App, actor: &Actor, pushed: i64, rejected: &[Rejection]) -> Result<()> {
    app.write(actor, |ctx| {
        ctx.conn.execute(
            "UPDATE sync_state SET pushed_seq = ?1 WHERE id = 1",
            [pushed],
        )?;
        let mut insert = ctx.conn.prepare_cached(
            "INSERT OR IGNORE INTO sync_rejections (seq, entity, entity_id, reason, rejected_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        for r in rejected {
            insert.execute((r.seq, &r.entity, &r.entity_id, &r.reason, to_db(ctx.now)))?;
        }
        Ok(())
    })
}

fn pull_all(
    app: &App,
    actor: &Actor,
    client: &HqClient,
    run: &mut SyncRun,
) -> std::result::Result<(), RunFailure> {
    loop {
        let after = app.read(actor, |ctx| {
            Ok(ctx
                .conn
                .query_row("SELECT pull_cursor FROM sync_state WHERE id = 1", [], |r| {
                    r.get::<_, i64>(0)
                })?)
        })?;
        let page = client.pull(after, PULL_PAGE)?;
        let received = page.changes.len() as u64;
        // One page, one transaction, with its cursor: applied once or not at all.
        app.write(actor, |ctx| {
            let mut rescore = false;
            for change in &page.changes {
                rescore |= apply_pulled(ctx, change)?;
            }
            if rescore {
                // New thresholds from head office: every open booking's
                // score and segment follow in this same transaction (and
                // reach head office by the next push), not at tomorrow's
                // daily recalculation.
                RecalculatePriorities::default().run(ctx)?;
            }
            ctx.conn.execute(
                "UPDATE sync_state SET pull_cursor = ?1 WHERE id = 1 AND pull_cursor = ?2",
                (page.next_cursor.max(after), after),
            )?;
            if received > 0 {
                crate::kernel::audit::note(
                    ctx,
                    Action::Upsert,
                    EntityKind::Service,
                    "sync",
                    &serde_json::json!({"pulled": received, "cursor": page.next_cursor}),
                )?;
            }
            Ok(())
        })?;
        run.pulled += received;
        if !page.more || received == 0 {
            return Ok(());
        }
    }
}

/// One change from head office. What head office owns (settings, services)
/// is written as is: no change-log row (it must not travel back as this
/// branch's). A booking head office made for this branch becomes the
/// branch's own, through the desk's rules and its change log
/// (`bookings::take_from_head_office`). Answers whether bookings must be
/// rescored (the shared settings changed).
fn apply_pulled(ctx: &mut Ctx<'_>, change: &PulledChange) -> Result<bool> {
    match change.entity.as_str() {
        "booking" => {
            let unreadable = |e: serde_json::Error| {
                Error::internal(format!(
                    "head office sent a booking this desk cannot read ({}): {e}",
                    change.entity_id
                ))
            };
            if change.op == "update" {
                let canceled = serde_json::from_value(change.data.clone()).map_err(unreadable)?;
                crate::booking::bookings::cancel_from_head_office(ctx, canceled)?;
            } else {
                let booking = serde_json::from_value(change.data.clone()).map_err(unreadable)?;
                crate::booking::bookings::take_from_head_office(ctx, booking)?;
            }
            Ok(false)
        }
        "settings" => {
            let shared: SharedSettings =
                serde_json::from_value(change.data.clone()).map_err(|e| {
                    Error::internal(format!(
                        "head office sent settings this desk cannot read: {e}"
                    ))
                })?;
            let changed = crate::kernel::settings::apply_from_head_office(ctx.conn, &shared)?;
            ctx.settings = crate::kernel::settings::load(ctx.conn)?;
            Ok(changed)
        }
        "service" => {
            let s: ServiceData = serde_json::from_value(change.data.clone()).map_err(|e| {
                Error::internal(format!(
                    "head office sent a service this desk cannot read ({}): {e}",
                    change.entity_id
                ))
            })?;
            let now = to_db(ctx.now);
            let deleted = (change.op == "delete").then_some(now.as_str());
            ctx.conn
                .prepare_cached(
                    "INSERT INTO services (id, name, description, duration_min, price, active, created_at, updated_at, deleted_at, origin)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8, 'hq')
                     ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
                         duration_min = excluded.duration_min, price = excluded.price, active = excluded.active,
                         updated_at = excluded.updated_at, deleted_at = excluded.deleted_at, origin = 'hq',
                         version = services.version + 1",
                )?
                .execute(rusqlite::params![
                    s.id,
                    s.name,
                    s.description,
                    s.duration_min,
                    s.price.checked("price")?,
                    s.active,
                    now,
                    deleted
                ])?;
            if deleted.is_some() {
                // As the desk's own delete does: its free future slots and
                // its providers' links go; booked slots and bookings keep
                // referring to it (head office cannot ask a branch first).
                let free = crate::scheduling::slots::free_future(
                    ctx.conn,
                    crate::scheduling::slots::SlotsOf::Service(s.id),
                    &now,
                )?;
                crate::scheduling::slots::remove_free(ctx.conn, &free, &now)?;
                ctx.conn.execute(
                    "DELETE FROM provider_services WHERE service_id = ?1",
                    [s.id],
                )?;
            }
            Ok(false)
        }
        // A kind this version does not know yet: skipped, the cursor moves on
        // (a newer desk would pull it again only after a reset).
        other => {
            tracing::warn!("sync: skipped head-office change of unknown kind {other}");
            Ok(false)
        }
    }
}

/// The sync state for the header and the settings screen.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GetSyncStatus {}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncStatus {
    /// Head office's address and a token are saved.
    pub configured: bool,
    /// This branch at head office (known after the first run).
    pub branch_id: Option<String>,
    pub branch_name: Option<String>,
    pub last_success_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// Changes not yet taken by head office.
    pub pending_changes: i64,
    /// Why the last run failed, in words; `null` after a success.
    pub last_error: Option<String>,
    pub running: bool,
}

impl Operation for GetSyncStatus {
    type Output = SyncStatus;
    const NAME: &'static str = "sync.status";
    const PERMISSION: Permission = Permission::SyncRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<SyncStatus> {
        let configured = settings::config(ctx.conn, ctx.vault)?.is_some();
        let instant = |v: Option<String>| -> Result<Option<DateTime<Utc>>> {
            Ok(v.as_deref()
                .map(crate::kernel::clock::from_db)
                .transpose()?)
        };
        let row = ctx
            .conn
            .query_row(
                "SELECT branch_id, branch_name, last_success_at, last_attempt_at, last_error, running_until, pushed_seq
                 FROM sync_state WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, Option<String>>(0)?,
                        r.get::<_, Option<String>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<String>>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, i64>(6)?,
                    ))
                },
            )
            .optional()?
            .ok_or_else(|| Error::internal("sync_state row missing"))?;
        let pending_changes: i64 = ctx.conn.query_row(
            "SELECT count(*) FROM change_log WHERE seq > ?1",
            [row.6],
            |r| r.get(0),
        )?;
        let running = instant(row.5)?.is_some_and(|until| until > ctx.now);
        Ok(SyncStatus {
            configured,
            branch_id: row.0,
            branch_name: row.1,
            last_success_at: instant(row.2)?,
            last_attempt_at: instant(row.3)?,
            pending_changes,
            last_error: row.4,
            running,
        })
    }
}

/// What head office refused, newest first.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListRejections {
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SyncRejection {
    /// The refused change's number in this desk's change log.
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub reason: String,
    pub rejected_at: String,
    pub resolved_at: Option<String>,
}

fn rejection_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncRejection> {
    Ok(SyncRejection {
        seq: r.get(0)?,
        entity: r.get(1)?,
        entity_id: r.get(2)?,
        reason: r.get(3)?,
        rejected_at: r.get(4)?,
        resolved_at: r.get(5)?,
    })
}

impl Operation for ListRejections {
    type Output = Page<SyncRejection>;
    const NAME: &'static str = "sync.rejections";
    const PERMISSION: Permission = Permission::SyncRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<SyncRejection>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let total: i64 = ctx
            .conn
            .query_row("SELECT count(*) FROM sync_rejections", [], |r| r.get(0))?;
        let data = ctx
            .conn
            .prepare_cached(
                "SELECT seq, entity, entity_id, reason, rejected_at, resolved_at FROM sync_rejections
                 ORDER BY seq DESC LIMIT ?1 OFFSET ?2",
            )?
            .query_map((paging.limit(), paging.offset()), rejection_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(paging.page_of(data, total))
    }
}

/// Marks a refused change as dealt with; it stays listed, with the time.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRejection {
    /// The refused change's `seq`.
    #[serde(deserialize_with = "seq_from_path_or_body")]
    pub seq: i64,
}

/// A `seq` given as a number (JSON body) or as text (the route's path).
fn seq_from_path_or_body<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(i64),
        Text(String),
    }
    match Raw::deserialize(d)? {
        Raw::Number(n) => Ok(n),
        Raw::Text(t) => t
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("not a change number: {t:?}"))),
    }
}

impl Operation for ResolveRejection {
    type Output = SyncRejection;
    const NAME: &'static str = "sync.rejections.resolve";
    const PERMISSION: Permission = Permission::SyncRun;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<SyncRejection> {
        let found = ctx.conn.execute(
            "UPDATE sync_rejections SET resolved_at = coalesce(resolved_at, ?2) WHERE seq = ?1",
            (self.seq, to_db(ctx.now)),
        )?;
        if found == 0 {
            return Err(Error::NotFound {
                entity: "rejection",
            });
        }
        // An audit entry only: bookkeeping of the sync, not a change to push.
        crate::kernel::audit::note(
            ctx,
            Action::Update,
            EntityKind::Settings,
            &format!("sync.rejection.{}", self.seq),
            &serde_json::json!({"resolved": true}),
        )?;
        Ok(ctx.conn.query_row(
            "SELECT seq, entity, entity_id, reason, rejected_at, resolved_at FROM sync_rejections WHERE seq = ?1",
            [self.seq],
            rejection_from_row,
        )?)
    }
}
