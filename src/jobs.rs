//! Background jobs: booking expiry and the daily priority recalculation.
//! Each job remembers its last run in the database; a job is due when it has
//! not run yet on today's date in the business time zone, so a laptop that
//! was asleep or off at midnight catches up as soon as it wakes or starts.

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use rusqlite::OptionalExtension;
use serde::Serialize;
use utoipa::ToSchema;

use crate::App;
use crate::auth::Actor;
use crate::bookings::{ExpireBookings, RecalculatePriorities};
use crate::clock::{from_db, to_db};
use crate::error::Result;

/// Job names, in the order they run (expire first, so expired bookings drop
/// out of the recalculation).
pub const JOBS: [&str; 2] = ["booking_expiry", "priority_recalculation"];

#[derive(Debug, Serialize, ToSchema)]
pub struct JobRun {
    pub name: String,
    pub result: String,
}

fn run_job(app: &App, name: &str) -> Result<String> {
    match name {
        "booking_expiry" => {
            let out = app.execute(&Actor::System, ExpireBookings {})?;
            Ok(format!("canceled {}", out.canceled.len()))
        }
        _ => {
            let out = app.execute(&Actor::System, RecalculatePriorities {})?;
            Ok(format!(
                "rescored {}, {} segment changes",
                out.updated, out.segment_changes
            ))
        }
    }
}

fn last_run_date(app: &App, name: &str) -> Result<Option<NaiveDate>> {
    let conn = app.database().reader()?;
    let tz = crate::settings::load(&conn)?.time_zone;
    let last: Option<String> = conn
        .query_row(
            "SELECT last_run_at FROM job_runs WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    Ok(last
        .as_deref()
        .map(from_db)
        .transpose()?
        .map(|t| t.with_timezone(&tz).date_naive()))
}

/// Runs every job that has not run today (business time zone).
pub fn run_due(app: &App) -> Result<Vec<JobRun>> {
    let mut ran = Vec::new();
    for name in JOBS {
        let today = {
            let conn = app.database().reader()?;
            let tz = crate::settings::load(&conn)?.time_zone;
            app.clock().now().with_timezone(&tz).date_naive()
        };
        if last_run_date(app, name)?.is_some_and(|d| d >= today) {
            continue;
        }
        let result = match run_job(app, name) {
            Ok(r) => r,
            Err(e) => format!("failed: {e}"),
        };
        app.database().writer().execute(
            "INSERT INTO job_runs (name, last_run_at, last_result) VALUES (?1, ?2, ?3)
             ON CONFLICT(name) DO UPDATE SET last_run_at = excluded.last_run_at, last_result = excluded.last_result",
            (name, to_db(app.clock().now()), &result),
        )?;
        tracing::info!(job = name, %result, "job ran");
        ran.push(JobRun {
            name: name.into(),
            result,
        });
    }
    Ok(ran)
}

/// Checks once a minute whether a job is due. Polling (rather than sleeping
/// until midnight) also catches up after the machine was suspended.
pub async fn scheduler(app: Arc<App>) {
    loop {
        let a = app.clone();
        match tokio::task::spawn_blocking(move || run_due(&a)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("scheduled jobs failed: {e}"),
            Err(e) => tracing::error!("scheduled jobs panicked: {e}"),
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}
