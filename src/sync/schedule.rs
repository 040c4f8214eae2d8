//! Automatic sync: every `interval_min` minutes while the app runs, sooner
//! never, later after failures (the wait doubles per consecutive failure,
//! up to an hour or the interval if longer). Each desk process checks every
//! [`TICK`]; the run's lease in the database keeps two processes (or a run
//! by hand) from running at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::App;
use crate::kernel::auth::Actor;
use crate::kernel::clock::from_db;
use crate::kernel::error::{Error, Result};

use super::run::RunSync;

/// How often a desk looks whether a sync is due.
pub const TICK: Duration = Duration::from_secs(15);
/// The longest wait after failures, unless the interval itself is longer.
const MAX_BACKOFF_MIN: i64 = 60;

/// When the next automatic run is due, or `None` when sync is by hand only
/// (interval 0) or not set up.
pub fn next_due(
    interval_min: u32,
    last_attempt_at: Option<DateTime<Utc>>,
    failures: u32,
) -> Option<DateTime<Utc>> {
    if interval_min == 0 {
        return None;
    }
    let Some(last) = last_attempt_at else {
        return Some(DateTime::<Utc>::MIN_UTC);
    };
    let interval = i64::from(interval_min);
    let wait = if failures == 0 {
        interval
    } else {
        let doubled = interval.saturating_mul(1i64 << failures.min(10));
        doubled.min(MAX_BACKOFF_MIN.max(interval))
    };
    Some(last + chrono::Duration::minutes(wait))
}

fn due(
    conn: &Connection,
    vault: &crate::kernel::crypto::Vault,
    now: DateTime<Utc>,
) -> Result<bool> {
    if super::settings::config(conn, vault)?.is_none() {
        return Ok(false);
    }
    let interval = super::settings::interval_min(conn)?;
    let (last, failures): (Option<String>, u32) = conn.query_row(
        "SELECT last_attempt_at, failures FROM sync_state WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let last = last.as_deref().map(from_db).transpose()?;
    Ok(next_due(interval, last, failures).is_some_and(|at| at <= now))
}

/// The background task `loket serve` and the desktop app start.
pub async fn scheduler(app: Arc<App>) {
    loop {
        let a = app.clone();
        let outcome = tokio::task::spawn_blocking(move || -> Result<()> {
            let is_due = a.read(&Actor::System, |ctx| due(ctx.conn, ctx.vault, ctx.now))?;
            if is_due {
                match a.execute(&Actor::System, RunSync {}) {
                    // Another run holds the lease: it records its own outcome.
                    Err(Error::Conflict { .. }) => {}
                    Err(e) => tracing::warn!("automatic sync failed: {e}"),
                    Ok(run) => tracing::info!(
                        "automatic sync: pushed {}, pulled {}, rejected {}",
                        run.pushed,
                        run.pulled,
                        run.rejected
                    ),
                }
            }
            Ok(())
        })
        .await;
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!("automatic sync check failed: {e}"),
            Err(e) => tracing::error!("automatic sync panicked: {e}"),
        }
        tokio::time::sleep(TICK).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn waits_the_interval_then_doubles_after_failures_up_to_an_hour() {
        let t = Utc.with_ymd_and_hms(2026, 12, 1, 3, 0, 0).unwrap();
        let at = |min: i64| Some(t + chrono::Duration::minutes(min));
        assert_eq!(next_due(0, Some(t), 0), None, "0: by hand only");
        assert!(
            next_due(5, None, 0).is_some_and(|d| d < t),
            "never tried: due now"
        );
        assert_eq!(next_due(5, Some(t), 0), at(5));
        assert_eq!(next_due(5, Some(t), 1), at(10));
        assert_eq!(next_due(5, Some(t), 2), at(20));
        assert_eq!(next_due(5, Some(t), 3), at(40));
        assert_eq!(next_due(5, Some(t), 4), at(60));
        assert_eq!(next_due(5, Some(t), 30), at(60));
        assert_eq!(
            next_due(120, Some(t), 3),
            at(120),
            "never shorter than the interval"
        );
    }
}
