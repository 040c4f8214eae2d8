//! A throwaway PostgreSQL cluster for one test binary: `initdb` in a temp
//! dir, `pg_ctl start` on a free port on 127.0.0.1, a fresh database per
//! test. The server binaries are found under `/usr/lib/postgresql/*/bin`
//! (newest version) or in `LOKET_PG_BIN`. As root the cluster runs as the
//! `postgres` user (PostgreSQL refuses to run as root). A watcher process
//! stops the cluster and removes its directory when the test binary exits,
//! however it exits (statics are never dropped).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

pub struct Postgres {
    pub port: u16,
    bin: PathBuf,
    /// The cluster's temp dir, removed with it: head office's sealing key
    /// files live here too (see `key_file`).
    dir: PathBuf,
}

static CLUSTER: OnceLock<Postgres> = OnceLock::new();
static NEXT_DB: AtomicU32 = AtomicU32::new(1);

fn pg_bin_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("LOKET_PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect(
            "PostgreSQL is not installed (/usr/lib/postgresql missing): apt-get install postgresql",
        )
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found
        .pop()
        .expect("no /usr/lib/postgresql/*/bin/initdb: apt-get install postgresql")
        .1
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// The server program `name`, run as `postgres` when we are root.
fn server_command(bin: &Path, name: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(bin.join(name));
        c
    } else {
        Command::new(bin.join(name))
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Postgres {
    /// The cluster of this test binary, started on first use.
    pub fn get() -> &'static Postgres {
        CLUSTER.get_or_init(Postgres::start)
    }

    fn start() -> Postgres {
        let bin = pg_bin_dir();
        // `LOKET_PG_DIR` puts the cluster elsewhere, e.g. on /dev/shm so a
        // benchmark's head office does not share the desk's disk.
        let parent = std::env::var_os("LOKET_PG_DIR").unwrap_or_else(|| "/tmp".into());
        let dir = tempfile::Builder::new()
            .prefix("loket-hq-pg.")
            .tempdir_in(parent)
            .expect("temp dir")
            .keep();
        if is_root() {
            let ok = Command::new("chown")
                .args(["postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(ok.success(), "chown of {} failed", dir.display());
        }
        let data = dir.join("data");
        let out = server_command(&bin, "initdb")
            .arg("-D")
            .arg(&data)
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ])
            .output()
            .expect("initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Tests need no durability; benchmarks ask for it (`LOKET_PG_FSYNC=on`).
        let fsync = if std::env::var_os("LOKET_PG_FSYNC").is_some_and(|v| v == "on") {
            "on"
        } else {
            "off"
        };
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = free_port();
            let out = server_command(&bin, "pg_ctl")
                .arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(dir.join("server.log"))
                .args(["-w", "-o"])
                .arg(format!(
                    "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync={fsync} -c max_connections=200",
                    dir.display()
                ))
                .arg("start")
                .output()
                .expect("pg_ctl start");
            if out.status.success() {
                watch(&bin, &dir);
                return Postgres { port, bin, dir };
            }
            last_error = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        }
        panic!("PostgreSQL did not start: {last_error}");
    }

    /// `postgres://…/name` of a new, empty database.
    pub fn fresh_database(&self) -> String {
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT_DB.fetch_add(1, Ordering::SeqCst)
        );
        self.psql("postgres", &format!("CREATE DATABASE {name}"));
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// The sealing key file of the head office on `database` (a URL): one
    /// per database, so two `loket-hq` processes on one database share it.
    pub fn key_file(&self, database: &str) -> PathBuf {
        let name = database.rsplit('/').next().unwrap_or(database);
        self.dir.join(format!("{name}.sealing.key"))
    }

    /// Every row of every table of `database`, as `pg_dump --data-only` writes them.
    pub fn dump(&self, database: &str) -> String {
        let database = database.rsplit('/').next().unwrap_or(database);
        let out = Command::new(self.bin.join("pg_dump"))
            .args(["-h", "127.0.0.1", "-U", "postgres", "--data-only"])
            .args(["-p", &self.port.to_string(), "-d", database])
            .output()
            .expect("pg_dump");
        assert!(
            out.status.success(),
            "pg_dump failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs `sql` on `database` (a name or a URL) and returns psql's
    /// unaligned output, trimmed.
    pub fn psql(&self, database: &str, sql: &str) -> String {
        let database = database.rsplit('/').next().unwrap_or(database);
        let out = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-At",
            ])
            .args(["-p", &self.port.to_string(), "-d", database, "-c", sql])
            .output()
            .expect("psql");
        assert!(
            out.status.success(),
            "psql {sql:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// A query answering one JSON value (e.g. `SELECT json_agg(…)`), parsed.
    pub fn json(&self, database: &str, sql: &str) -> serde_json::Value {
        let text = self.psql(database, sql);
        if text.is_empty() {
            return serde_json::Value::Null;
        }
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
    }
}

/// Stops the cluster and removes its directory once this process is gone.
/// The watcher outlives this process on purpose, so it is never waited for.
#[allow(clippy::zombie_processes)]
fn watch(bin: &Path, dir: &Path) {
    let pg_ctl = bin.join("pg_ctl");
    let stop = if is_root() {
        format!(
            "runuser -u postgres -- {} -D {}/data -m immediate -w stop",
            pg_ctl.display(),
            dir.display()
        )
    } else {
        format!(
            "{} -D {}/data -m immediate -w stop",
            pg_ctl.display(),
            dir.display()
        )
    };
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; {stop} >/dev/null 2>&1; rm -rf {dir}",
        pid = std::process::id(),
        dir = dir.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the cluster's watcher");
}
