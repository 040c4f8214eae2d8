//! One process per data directory: `loket serve`, the desktop app and every
//! command that writes take an exclusive lock (`flock` through
//! [`std::fs::File::try_lock`]) on `loket.lock` in the data directory and
//! keep it until they exit; the kernel releases it when the process dies,
//! even by `kill -9`. The holder writes its pid and command into the file so
//! a second one can say who holds it. A backup reads through SQLite and
//! takes no lock, so it works beside a running desk.
//!
//! Why: two desks on one directory each run start-up recovery and the
//! sender, and one marked the other's in-flight message `unknown`.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::kernel::error::{Error, Result};

pub const LOCK_FILE: &str = "loket.lock";

/// Held for as long as the value lives.
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock of `data_dir` (creating the directory, 0700, if
    /// needed) for `command`, or says which process holds it.
    pub fn acquire(data_dir: &Path, command: &str) -> Result<DataDirLock> {
        crate::kernel::app::create_private_dir(data_dir)?;
        let path = data_dir.join(LOCK_FILE);
        let io = |e: std::io::Error| Error::DataDir {
            message: format!("cannot open the lock file {}: {e}", path.display()),
        };
        let mut opts = OpenOptions::new();
        // Not truncated on open: the holder's pid must survive a second
        // process opening the file to find out who holds it.
        opts.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut file = opts.open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut holder = String::new();
                // The holder may be between truncating and writing: then
                // the message just names no pid.
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    "another process".to_owned()
                } else {
                    format!("another process ({holder})")
                };
                return Err(Error::DataDir {
                    message: format!(
                        "the data directory {} is in use by {who}: only one Loket may use a data \
                         directory at a time; stop that one first (or use another --data-dir)",
                        data_dir.display()
                    ),
                });
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        file.set_len(0).map_err(io)?;
        file.rewind().map_err(io)?;
        write!(file, "pid {} ({command})", std::process::id()).map_err(io)?;
        file.flush().map_err(io)?;
        Ok(DataDirLock { _file: file, path })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}
