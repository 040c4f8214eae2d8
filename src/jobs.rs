//! Daily jobs: booking expiry and the priority recalculation at local
//! midnight, H-1 reminders and maintenance reminders at the reminder hour,
//! the scheduled backup from midnight too (a desk laptop is rarely on at
//! night: it catches up, so the backup runs when the desk first starts
//! each day).
//! Each job remembers its last run in the database. A job is due once per
//! local day, from its time of day on: when its latest scheduled time (today's
//! if passed, else yesterday's) is later than its last run. So a laptop that
//! was asleep or off at that time catches up as soon as it wakes or starts,
//! with one run however many days it missed.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::booking::bookings::{ExpireBookings, RecalculatePriorities};
use crate::kernel::app::Integrity;
use crate::kernel::auth::{Actor, Permission};
use crate::kernel::clock::{from_db, to_db};
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation, Task};
use crate::kernel::settings::Settings;

/// Job names, in the order they run (expire first, so expired bookings drop
/// out of the recalculation and get no reminder).
pub const JOBS: [&str; 5] = [
    "booking_expiry",
    "priority_recalculation",
    "reminders",
    "maintenance_reminders",
    "backup",
];

/// How often a running desk checks its database (`PRAGMA quick_check`).
pub const INTEGRITY_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// [`INTEGRITY_EVERY`], or `LOKET_INTEGRITY_EVERY_MS` when set (so a test
/// can watch the daily check happen).
pub fn integrity_every_from_env() -> std::result::Result<Duration, String> {
    match std::env::var("LOKET_INTEGRITY_EVERY_MS") {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .map(|ms| Duration::from_millis(ms.max(1)))
            .map_err(|_| format!("LOKET_INTEGRITY_EVERY_MS must be a whole number, not {v:?}")),
        Err(_) => Ok(INTEGRITY_EVERY),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobRun {
    pub name: String,
    pub result: String,
    pub ran_at: String,
}

/// The local time of day a job runs at.
pub fn time_of_day(name: &str, s: &Settings) -> NaiveTime {
    match name {
        "reminders" | "maintenance_reminders" => {
            NaiveTime::from_hms_opt(s.reminder_hour.min(23), 0, 0).unwrap_or(NaiveTime::MIN)
        }
        _ => NaiveTime::MIN,
    }
}

/// `day` at `time` in the business time zone (the first such instant; in a
/// DST gap, the time after it).
fn instant(s: &Settings, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let local = day.and_time(time);
    s.time_zone
        .from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            s.time_zone
                .from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()
        })
        .map_or_else(|| local.and_utc(), |t| t.with_timezone(&Utc))
}

/// The latest scheduled run at or before `now`: its local date and instant.
pub fn latest_occurrence(
    name: &str,
    s: &Settings,
    now: DateTime<Utc>,
) -> (NaiveDate, DateTime<Utc>) {
    let today = now.with_timezone(&s.time_zone).date_naive();
    let time = time_of_day(name, s);
    let at = instant(s, today, time);
    if at <= now {
        (today, at)
    } else {
        let yesterday = today - chrono::Duration::days(1);
        (yesterday, instant(s, yesterday, time))
    }
}

fn last_run(conn: &Connection, name: &str) -> Result<Option<(DateTime<Utc>, String)>> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT last_run_at, last_result FROM job_runs WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row
        .map(|(at, result)| from_db(&at).map(|at| (at, result)))
        .transpose()?)
}

fn record_run(conn: &Connection, name: &str, at: DateTime<Utc>, result: &str) -> Result<()> {
    conn.execute(
        "INSERT INTO job_runs (name, last_run_at, last_result) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET last_run_at = excluded.last_run_at, last_result = excluded.last_result",
        (name, to_db(at), result),
    )?;
    Ok(())
}

/// The work of one job for the local day `day`, in the caller's transaction.
fn work(ctx: &mut Ctx<'_>, name: &str, day: NaiveDate) -> Result<String> {
    Ok(match name {
        "booking_expiry" => {
            let out = ExpireBookings {}.run(ctx)?;
            format!("canceled {}", out.canceled.len())
        }
        "priority_recalculation" => {
            let out = RecalculatePriorities {}.run(ctx)?;
            format!(
                "rescored {}, {} segment changes",
                out.updated, out.segment_changes
            )
        }
        "reminders" => {
            let q =
                crate::booking::messages::queue_reminders(ctx, day + chrono::Duration::days(1))?;
            format!(
                "queued {} reminders, {} unpaid notices",
                q.reminders, q.unpaid_notices
            )
        }
        "maintenance_reminders" => {
            format!(
                "queued {} maintenance reminders",
                crate::people::vehicles::queue_maintenance(ctx)?
            )
        }
        _ => return Err(Error::NotFound { entity: "job" }),
    })
}

/// Runs one job for the local day `day` and records the run in the same
/// transaction; a failure is recorded as the result.
fn run_job(app: &App, actor: &Actor, name: &str, day: NaiveDate) -> Result<JobRun> {
    let ran = if name == "backup" {
        // Not inside a write transaction: the copy is a read and takes
        // seconds, while the desk goes on writing.
        crate::backup::scheduled(app).and_then(|result| {
            app.write(actor, |ctx| record_run(ctx.conn, name, ctx.now, &result))?;
            Ok(result)
        })
    } else {
        app.write(actor, |ctx| {
            let result = work(ctx, name, day)?;
            record_run(ctx.conn, name, ctx.now, &result)?;
            Ok(result)
        })
    };
    let now = app.clock().now();
    let result = match ran {
        Ok(r) => r,
        Err(e @ Error::NotFound { .. }) => return Err(e),
        Err(e) => {
            let r = format!("failed: {e}");
            app.write(actor, |ctx| record_run(ctx.conn, name, ctx.now, &r))?;
            r
        }
    };
    tracing::info!(job = name, %result, "job ran");
    Ok(JobRun {
        name: name.into(),
        result,
        ran_at: to_db(now),
    })
}

/// Runs every job whose latest scheduled time is after its last run.
pub fn run_due(app: &App) -> Result<Vec<JobRun>> {
    let mut ran = Vec::new();
    if matches!(app.integrity(), Integrity::Damaged(_)) {
        // A damaged database takes no writes; the banner says what to do.
        return Ok(ran);
    }
    for name in JOBS {
        let (day, due) = app.read(&Actor::System, |ctx| {
            let (day, at) = latest_occurrence(name, &ctx.settings, ctx.now);
            let due = last_run(ctx.conn, name)?.is_none_or(|(last, _)| last < at);
            Ok((day, due))
        })?;
        if due {
            ran.push(run_job(app, &Actor::System, name, day)?);
        }
    }
    if !ran.is_empty() {
        // Fresh table statistics keep the list queries on their indexes.
        app.database().optimize()?;
    }
    Ok(ran)
}

/// Checks once a minute whether a job is due. Polling (rather than sleeping
/// until the next time) also catches up after the machine was suspended.
/// The database is checked every `integrity_every` ([`INTEGRITY_EVERY`]).
pub async fn scheduler(app: Arc<App>, integrity_every: Duration) {
    // The start-up integrity check is the caller's; this one is daily.
    let mut checked = tokio::time::Instant::now();
    loop {
        if checked.elapsed() >= integrity_every {
            checked = tokio::time::Instant::now();
            let a = app.clone();
            if let Err(e) = tokio::task::spawn_blocking(move || a.check_integrity()).await {
                tracing::error!("the integrity check panicked: {e}");
            }
        }
        let a = app.clone();
        match tokio::task::spawn_blocking(move || run_due(&a)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("scheduled jobs failed: {e}"),
            Err(e) => tracing::error!("scheduled jobs panicked: {e}"),
        }
        let next_check = integrity_every.saturating_sub(checked.elapsed());
        tokio::time::sleep(next_check.min(Duration::from_secs(60))).await;
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Job {
    pub name: String,
    /// e.g. `daily at 09:00` (business time zone).
    pub schedule: String,
    /// `HH:MM`, local.
    pub time_of_day: String,
    pub last_run_at: Option<String>,
    pub last_result: Option<String>,
    /// When it runs next (now, if it is due).
    pub next_run_at: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListJobs {}

#[derive(Debug, Serialize, ToSchema)]
pub struct Jobs {
    pub data: Vec<Job>,
}

impl Operation for ListJobs {
    type Output = Jobs;
    const NAME: &'static str = "jobs.list";
    const PERMISSION: Permission = Permission::SettingsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Jobs> {
        let mut data = Vec::new();
        for name in JOBS {
            let time = time_of_day(name, &ctx.settings);
            let last = last_run(ctx.conn, name)?;
            let (day, at) = latest_occurrence(name, &ctx.settings, ctx.now);
            let next = if last.as_ref().is_none_or(|(l, _)| *l < at) {
                ctx.now
            } else {
                instant(&ctx.settings, day + chrono::Duration::days(1), time)
            };
            data.push(Job {
                name: name.into(),
                schedule: format!("daily at {}", time.format("%H:%M")),
                time_of_day: time.format("%H:%M").to_string(),
                last_run_at: last.as_ref().map(|(at, _)| to_db(*at)),
                last_result: last.map(|(_, r)| r),
                next_run_at: to_db(next),
            });
        }
        Ok(Jobs { data })
    }
}

/// Runs a job now, whatever its schedule (reminders: for tomorrow's events).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RunJob {
    /// `booking_expiry`, `priority_recalculation`, `reminders`, `maintenance_reminders` or `backup`.
    pub name: String,
}

impl Task for RunJob {
    type Output = JobRun;
    const NAME: &'static str = "jobs.run";
    const PERMISSION: Permission = Permission::JobsRun;

    fn run(self, app: &App, actor: &Actor) -> Result<JobRun> {
        let name = JOBS
            .into_iter()
            .find(|j| *j == self.name)
            .ok_or(Error::NotFound { entity: "job" })?;
        let today = app.read(&Actor::System, |ctx| Ok(ctx.today()))?;
        run_job(app, actor, name, today)
    }
}

crate::kernel::ops::task!(RunJob);
