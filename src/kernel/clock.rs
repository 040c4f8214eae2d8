//! Time source. Rules take the clock as data so tests can pin "now".

use std::sync::Mutex;

use chrono::{DateTime, Utc};

pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock tests can set and move.
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        FixedClock(Mutex::new(at))
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A clock that starts at a chosen instant and then runs at the real pace:
/// `loket serve --clock-start` uses it for demos and the browser tests, so
/// "today" is the same business day however long a run takes and wherever
/// the machine's clock is (e.g. not just before midnight in Jakarta).
pub struct StartedClock {
    start: DateTime<Utc>,
    since: std::time::Instant,
}

impl StartedClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        StartedClock {
            start,
            since: std::time::Instant::now(),
        }
    }
}

impl Clock for StartedClock {
    fn now(&self) -> DateTime<Utc> {
        // An elapsed time too large for chrono (centuries) cannot happen in
        // one process; fall back to the start rather than panic.
        chrono::Duration::from_std(self.since.elapsed())
            .ok()
            .and_then(|d| self.start.checked_add_signed(d))
            .unwrap_or(self.start)
    }
}

/// Instants are stored as fixed-width RFC 3339 UTC text, which sorts correctly.
pub fn to_db(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// Reads an instant written by [`to_db`].
pub fn from_db(text: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })
}
