//! What keeps password checks from stalling the desk or being guessed:
//!
//! - **A bounded pool for argon2id.** Checking a password costs ~19 MB and
//!   tens of milliseconds of CPU; it runs here, outside the write lock, on
//!   [`LoginGuard::workers`] threads of its own (one core is left to the
//!   desk's other work), with at most [`QUEUE`] checks waiting. Beyond that a
//!   check is refused at once as [`Error::Busy`] (503) instead of piling up
//!   threads and memory.
//! - **Backoff per username and per address.** After [`USER_FREE_FAILURES`]
//!   failed logins for one username (or [`ADDRESS_FREE_FAILURES`] from one
//!   address, across usernames), that name (or address) is locked for
//!   [`FIRST_LOCK`], doubling with every further failure up to [`MAX_LOCK`].
//!   A locked name is refused even with the right password
//!   ([`Error::TooManyAttempts`], 429 with `Retry-After`), before any
//!   hashing; other names and addresses are not affected. A successful login
//!   clears its username's count; a count is forgotten after [`FORGET_AFTER`]
//!   without failures. The state is in memory: a restart forgets it.
//!
//! Time comes from the caller (the app's clock), so tests move it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use crate::kernel::error::{Error, Result};

/// Failed logins for one username before it is locked.
pub const USER_FREE_FAILURES: u32 = 5;
/// Failed logins from one address before it is locked: higher than for a
/// username, because the staff of a desk share one address (127.0.0.1).
pub const ADDRESS_FREE_FAILURES: u32 = 20;
/// The first lock; each further failure doubles it.
pub const FIRST_LOCK: Duration = Duration::seconds(30);
pub const MAX_LOCK: Duration = Duration::minutes(15);
/// A count with no failure for this long starts again from zero.
pub const FORGET_AFTER: Duration = Duration::hours(1);
/// How long a check may wait for its answer before it is given up as busy
/// (a full queue is refused at once).
pub const QUEUE_WAIT: StdDuration = StdDuration::from_secs(20);
/// Checks waiting for a worker at most: a few seconds of work. Waiting is
/// cheap (a parked thread, no argon2 buffer); past it logins answer 503 at once.
const QUEUE: usize = 32;
/// Bounds the memory an address-spraying flood can take; past it the
/// entries that lock nothing are dropped first.
const MAX_ENTRIES: usize = 10_000;

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    User(String),
    Address(IpAddr),
}

#[derive(Clone, Copy, Debug)]
struct Record {
    failures: u32,
    last_failure: DateTime<Utc>,
    locked_until: Option<DateTime<Utc>>,
}

type Job = Box<dyn FnOnce() + Send>;

pub struct LoginGuard {
    workers: usize,
    /// The queue of the worker threads; `try_send` on a full queue is the
    /// fast refusal.
    jobs: Mutex<SyncSender<Job>>,
    records: Mutex<HashMap<Key, Record>>,
    /// Jobs run to the end: how a test sees, without a clock, that a login
    /// paid for a password check.
    finished: Arc<AtomicU64>,
}

/// What a failed login did to the throttle (for the audit entry).
#[derive(Clone, Copy, Debug, Default)]
pub struct Failure {
    /// Seconds the username or address is now locked for, if it is.
    pub locked_for: Option<i64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves plain counters: still usable.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Default for LoginGuard {
    fn default() -> Self {
        // One core is left for the desk's own work (bookings), at least one
        // worker; LOKET_LOGIN_WORKERS overrides.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let workers = std::env::var("LOKET_LOGIN_WORKERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(cores.saturating_sub(1))
            .max(1);
        LoginGuard::new(workers, QUEUE)
    }
}

impl LoginGuard {
    /// `workers` threads of their own (so at most that many argon2 buffers
    /// are ever live or cached by the allocator), with `queue` checks
    /// waiting at most.
    pub fn new(workers: usize, queue: usize) -> LoginGuard {
        let workers = workers.max(1);
        let (tx, rx) = mpsc::sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..workers {
            let rx = rx.clone();
            // Without threads logins answer Busy, and the desk still runs.
            let spawned = std::thread::Builder::new()
                .name(format!("loket-login-{i}"))
                .spawn(move || {
                    loop {
                        // The lock is held only while taking the next job.
                        let job = lock(&rx).recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return, // the app is gone
                        }
                    }
                });
            if let Err(e) = spawned {
                tracing::error!("cannot start a login worker: {e}");
            }
        }
        LoginGuard {
            workers,
            jobs: Mutex::new(tx),
            records: Mutex::default(),
            finished: Arc::default(),
        }
    }

    pub fn workers(&self) -> usize {
        self.workers
    }

    /// How many checks the pool has run to the end since the app started.
    pub fn checks_run(&self) -> u64 {
        self.finished.load(Ordering::Relaxed)
    }

    /// Runs `f` (a password hash or check) on a login worker and waits for
    /// it; when the queue is full, answers [`Error::Busy`] at once.
    pub fn run<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let (reply, answer) = mpsc::sync_channel(1);
        let finished = self.finished.clone();
        let job: Job = Box::new(move || {
            let out = f();
            finished.fetch_add(1, Ordering::Relaxed);
            let _ = reply.send(out);
        });
        match lock(&self.jobs).try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => return Err(Error::Busy),
            Err(TrySendError::Disconnected(_)) => {
                return Err(Error::internal("the login workers are gone"));
            }
        }
        answer.recv_timeout(QUEUE_WAIT).map_err(|_| Error::Busy)
    }

    /// Refuses a login for a locked username or address, before any hashing.
    pub fn check(&self, username: &str, address: Option<IpAddr>, now: DateTime<Utc>) -> Result<()> {
        let records = lock(&self.records);
        let locked = |key: &Key| {
            records
                .get(key)
                .and_then(|r| r.locked_until)
                .filter(|until| *until > now)
        };
        if let Some(until) = locked(&Key::User(username.to_owned())) {
            return Err(too_many("this username", until - now));
        }
        if let Some(until) = address.and_then(|a| locked(&Key::Address(a))) {
            return Err(too_many("this computer's address", until - now));
        }
        Ok(())
    }

    /// Counts a failed login against the username and the address.
    pub fn failed(&self, username: &str, address: Option<IpAddr>, now: DateTime<Utc>) -> Failure {
        let mut records = lock(&self.records);
        if records.len() >= MAX_ENTRIES {
            records.retain(|_, r| r.locked_until.is_some_and(|u| u > now));
        }
        let mut failure = Failure::default();
        let mut keys = vec![(Key::User(username.to_owned()), USER_FREE_FAILURES)];
        if let Some(a) = address {
            keys.push((Key::Address(a), ADDRESS_FREE_FAILURES));
        }
        for (key, free) in keys {
            let r = records.entry(key).or_insert(Record {
                failures: 0,
                last_failure: now,
                locked_until: None,
            });
            if now - r.last_failure > FORGET_AFTER {
                r.failures = 0;
            }
            r.failures += 1;
            r.last_failure = now;
            if r.failures >= free {
                let doublings = (r.failures - free).min(16);
                let lock_for = (FIRST_LOCK * 2i32.pow(doublings)).min(MAX_LOCK);
                r.locked_until = Some(now + lock_for);
                failure.locked_for = failure.locked_for.max(Some(lock_for.num_seconds()));
            }
        }
        failure
    }

    /// A successful login clears its username's count (not its address's:
    /// one valid account must not buy more guesses at the others).
    pub fn succeeded(&self, username: &str) {
        lock(&self.records).remove(&Key::User(username.to_owned()));
    }
}

fn too_many(what: &str, wait: Duration) -> Error {
    let seconds = wait.num_seconds().max(1) as u64;
    Error::TooManyAttempts {
        retry_after: seconds,
        message: format!(
            "too many failed logins for {what}; try again in {}",
            in_words(seconds)
        ),
    }
}

/// "45 seconds", "2 minutes", "1 minute".
pub fn in_words(seconds: u64) -> String {
    if seconds < 60 {
        return format!("{seconds} second{}", if seconds == 1 { "" } else { "s" });
    }
    let minutes = seconds.div_ceil(60);
    format!("{minutes} minute{}", if minutes == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn locks_double_and_touch_only_their_own_key() {
        let g = LoginGuard::new(1, 1);
        let t0 = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let addr: IpAddr = "10.0.0.9".parse().unwrap();
        for _ in 0..4 {
            assert!(g.failed("ani", Some(addr), t0).locked_for.is_none());
        }
        assert!(g.check("ani", Some(addr), t0).is_ok());
        assert_eq!(g.failed("ani", Some(addr), t0).locked_for, Some(30));
        assert!(g.check("ani", Some(addr), t0).is_err());
        assert!(g.check("budi", Some(addr), t0).is_ok());
        let later = t0 + Duration::seconds(30);
        assert!(g.check("ani", Some(addr), later).is_ok());
        assert_eq!(g.failed("ani", Some(addr), later).locked_for, Some(60));
        g.succeeded("ani");
        assert!(g.check("ani", None, later).is_ok());
    }

    #[test]
    fn a_full_queue_refuses_at_once() {
        let g = Arc::new(LoginGuard::new(1, 1));
        let (started, wait) = mpsc::channel();
        let (release, hold) = mpsc::channel::<()>();
        let running = {
            let g = g.clone();
            std::thread::spawn(move || {
                g.run(move || {
                    started.send(()).ok();
                    hold.recv().ok();
                })
            })
        };
        wait.recv().ok();
        let queued = {
            let g = g.clone();
            std::thread::spawn(move || g.run(|| 7))
        };
        // The queued job is in the channel once `run` sent it; give it time.
        std::thread::sleep(StdDuration::from_millis(200));
        assert!(matches!(g.run(|| ()), Err(Error::Busy)));
        release.send(()).ok();
        assert!(running.join().is_ok_and(|r| r.is_ok()));
        assert!(queued.join().is_ok_and(|r| r.is_ok_and(|v| v == 7)));
    }
}
