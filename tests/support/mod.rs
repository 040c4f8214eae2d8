//! Shared by both test binaries (`tests/api.rs`, `tests/core.rs`): a real
//! SQLite file in a temp dir, the core `App` with a clock the test controls,
//! a real HTTP server on 127.0.0.1 serving it or the real `loket serve`
//! process, an HTTP client, and (in `standin`) a stand-in WhatsApp gateway.
//! Each binary uses part of it (and of the re-exported core paths below),
//! hence `dead_code` and `unused_imports` are allowed here.
#![allow(dead_code, unused_imports)]

pub mod certs;
pub mod standin;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

// ---- the core's paths --------------------------------------------------------
// Every item of the `loket` crate the tests name is imported here, once, and
// reached by the tests through `crate::support::*`: when the core's modules
// move, this block is the one place to change.
pub use loket::api::http::{openapi as openapi_document, router, router_with_ui};
pub use loket::api::operations::names as operation_names;
pub use loket::api::ui::UiSource;
pub use loket::booking::bookings::{BookingStatus, ListBookings};
pub use loket::booking::priority::{PaymentStatus, RiskFlag, ScoreInput, Segment, score};
pub use loket::booking::units::{ListUnits, UnitStatus};
pub use loket::bot;
pub use loket::jobs::run_due;
pub use loket::kernel::auth::{Actor, Role, SessionUser};
pub use loket::kernel::clock::{Clock, FixedClock};
pub use loket::kernel::crypto::Vault;
pub use loket::kernel::ops::Ctx;
pub use loket::kernel::settings::Settings;
pub use loket::kernel::store::ListQuery;
pub use loket::kernel::types::{
    BookingId, CustomerId, Language, Money, ProviderId, ReportId, ServiceId, SlotId, VehicleId,
};
pub use loket::messaging::sender::{deliver_due, recover_interrupted};
pub use loket::people::customers::ListCustomers;
pub use loket::people::users::CreateUser;
pub use loket::{App, Operation, Permission};

pub const PASSWORD: &str = "rahasia-123";

/// 2026-11-22 10:00 in Jakarta (03:00 UTC).
pub fn default_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 3, 0, 0).unwrap()
}

pub struct TestApp {
    pub dir: tempfile::TempDir,
    pub app: Arc<App>,
    pub clock: Arc<FixedClock>,
    pub admin: Actor,
}

impl TestApp {
    pub fn new() -> TestApp {
        TestApp::at(default_now())
    }

    pub fn at(now: DateTime<Utc>) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock::new(now));
        let app = Arc::new(App::open_with_clock(dir.path(), clock.clone()).unwrap());
        let mut t = TestApp {
            dir,
            app,
            clock,
            admin: Actor::System,
        };
        t.admin = t.user("admin", Role::Admin);
        t
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Creates a user with `role` and returns them as an actor.
    pub fn user(&self, username: &str, role: Role) -> Actor {
        let u = self
            .app
            .execute(
                &Actor::System,
                CreateUser {
                    username: username.into(),
                    password: PASSWORD.into(),
                    role,
                    staff_id: None,
                },
            )
            .unwrap();
        Actor::User(SessionUser {
            id: u.id,
            username: u.username,
            role: u.role,
            staff_id: None,
            session: None,
        })
    }

    /// Runs an operation as admin.
    pub fn run<O: Operation>(&self, op: O) -> loket::Result<O::Output> {
        self.app.execute(&self.admin, op)
    }

    /// Runs an operation given as JSON (the way the Tauri shell will), as admin.
    pub fn call(&self, name: &str, input: Value) -> loket::Result<Value> {
        loket::api::dispatch(&self.app, &self.admin, name, input)
    }

    pub fn set_now(&self, now: DateTime<Utc>) {
        self.clock.set(now);
    }

    /// The app's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Starts the HTTP API on 127.0.0.1 (any free port) in a background
    /// thread and logs in as admin.
    pub fn serve(&self) -> Server {
        let mut server = Server::new(standin::serve_in_background(router(self.app.clone())));
        server.login("admin", PASSWORD);
        server
    }
}

/// A client of a real HTTP server, logged in as some user.
pub struct Server {
    pub addr: SocketAddr,
    pub token: Option<String>,
    client: reqwest::blocking::Client,
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    /// The body, asserting the status.
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }

    /// Asserts an error reply with this status, code and field.
    #[track_caller]
    pub fn expect_error(self, status: u16, code: &str, field: Option<&str>) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        assert_eq!(self.body["error"]["code"], code, "body: {}", self.body);
        assert_eq!(
            self.body["error"]["field"].as_str(),
            field,
            "body: {}",
            self.body
        );
        assert!(
            self.body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
        self.body
    }
}

impl Server {
    pub fn new(addr: SocketAddr) -> Server {
        Server {
            addr,
            token: None,
            client: reqwest::blocking::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}/api/v1{}", self.addr, path)
    }

    pub fn login(&mut self, username: &str, password: &str) -> Reply {
        let r = self.send(
            "POST",
            "/auth/login",
            Some(json!({"username": username, "password": password})),
        );
        if r.status == 200 {
            self.token = r.body["token"].as_str().map(str::to_owned);
        }
        r
    }

    /// Another client, logged in as `username`.
    pub fn as_user(&self, username: &str) -> Server {
        let mut s = Server::new(self.addr);
        s.login(username, PASSWORD).expect(200);
        s
    }

    pub fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        self.send_raw(method, path, body.map(|b| b.to_string()))
    }

    pub fn send_raw(&self, method: &str, path: &str, body: Option<String>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.client.request(method.clone(), self.url(path));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        // Every state-changing request says JSON, body or not (the server
        // refuses any other with 415).
        if method != reqwest::Method::GET {
            req = req.header("content-type", "application/json");
        }
        if let Some(b) = body {
            req = req.body(b);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Reply { status, body }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None)
    }

    /// For tests whose clock jumps hours between calls, as a desk's day
    /// passes: sessions are kept through 16 idle hours (the longest
    /// `session_idle_minutes` allows; the default ends them after 60).
    pub fn keep_sessions_idle_all_day(&self) {
        self.put("/settings", json!({"session_idle_minutes": 960}))
            .expect(200);
    }
    pub fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(body))
    }
    pub fn put(&self, path: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(body))
    }
    pub fn delete(&self, path: &str) -> Reply {
        self.send("DELETE", path, None)
    }
}

/// The `loket` binary built for these tests.
pub fn loket_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_loket"))
}

/// A new unit with this price; returns its JSON.
pub fn create_unit(s: &Server, price: i64) -> Value {
    s.post("/units", json!({"unit_type": "Type 36/72", "block": "A", "number": "1", "price": price.to_string(), "bathrooms": 1}))
        .expect(201)
}

// ---- scheduling fixtures: services, providers, slots -------------------------

/// A new service; returns its JSON.
pub fn create_service(s: &Server, name: &str, minutes: u32, price: &str) -> Value {
    s.post(
        "/services",
        json!({"name": name, "duration_min": minutes, "price": price}),
    )
    .expect(201)
}

/// A valid provider body offering `services`.
pub fn provider_body(name: &str, lat: f64, lng: f64, services: &[&Value]) -> Value {
    json!({
        "name": name,
        "whatsapp_number": "0812-3456-7890",
        "latitude": lat,
        "longitude": lng,
        "service_ids": services.iter().map(|s| s["id"].clone()).collect::<Vec<_>>(),
    })
}

/// A new provider offering `services`; returns its JSON.
pub fn create_provider(s: &Server, name: &str, lat: f64, lng: f64, services: &[&Value]) -> Value {
    s.post("/providers", provider_body(name, lat, lng, services))
        .expect(201)
}

/// Asks for a slot by hand (`starts_at` in Jakarta wall-clock time).
pub fn try_slot(s: &Server, provider: &Value, service: &Value, starts_at: &str) -> Reply {
    s.post(
        "/slots",
        json!({"provider_id": provider["id"], "service_id": service["id"], "starts_at": starts_at}),
    )
}

/// A new slot by hand; returns its JSON.
pub fn add_slot(s: &Server, provider: &Value, service: &Value, starts_at: &str) -> Value {
    try_slot(s, provider, service, starts_at).expect(201)
}

/// An inline customer with this phone.
pub fn customer(name: &str, phone: &str) -> Value {
    json!({"name": name, "phone": phone})
}

impl TestApp {
    /// A read-only connection to the app's database file; sees every
    /// committed transaction (WAL included).
    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open_with_flags(
            self.data_dir().join("loket.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .unwrap()
    }

    /// Creates a user with `role` and returns an HTTP client logged in as them.
    pub fn login_as(&self, s: &Server, username: &str, role: Role) -> Server {
        self.user(username, role);
        s.as_user(username)
    }
}

/// The ids of a list reply's `data`, in order.
pub fn ids(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("a list reply")
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The values of `field` in a list reply's `data`, in order.
pub fn column(list: &Value, field: &str) -> Vec<Value> {
    list["data"]
        .as_array()
        .expect("a list reply")
        .iter()
        .map(|v| v[field].clone())
        .collect()
}

/// `meta.total` of a list reply.
pub fn total(list: &Value) -> u64 {
    list["meta"]["total"].as_u64().expect("meta.total")
}

/// Starts the real `loket serve` on `dir` (any free port, read from its first
/// line) and logs in as admin; the caller kills the child.
pub fn serve_binary(dir: &std::path::Path) -> (std::process::Child, Server) {
    let mut serve = std::process::Command::new(loket_bin());
    serve.args(["serve", "--port", "0", "--data-dir"]).arg(dir);
    serve_command(serve)
}

/// Starts a prepared command that runs `loket serve --port 0` (possibly
/// under another program, such as strace) and logs in as admin.
pub fn serve_command(serve: std::process::Command) -> (std::process::Child, Server) {
    let (child, mut server) = serve_logged_out(serve);
    server.login("admin", PASSWORD).expect(200);
    (child, server)
}

/// Starts a prepared `loket serve --port 0` command; no one logged in.
pub fn serve_logged_out(serve: std::process::Command) -> (std::process::Child, Server) {
    let (child, line) = spawn_serve(serve);
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line:?}"));
    (child, Server::new(addr.parse().unwrap()))
}

/// Starts a prepared `loket serve` command and returns it with the first
/// line it printed (where it listens).
pub fn spawn_serve(mut serve: std::process::Command) -> (std::process::Child, String) {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = serve
        .env("LOKET_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

/// Adds the first admin ("admin", `PASSWORD`) to `dir` with the real
/// `loket user add`, as an operator does before the first `loket serve`.
pub fn add_admin(dir: &Path) {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut add = Command::new(loket_bin())
        .args([
            "user",
            "add",
            "admin",
            "--role",
            "admin",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(add.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(add.wait().unwrap().success());
}

/// Polls `done` every 20 ms until it holds; fails naming `what` once `limit`
/// has passed, so a stalled wait ends the test instead of hanging it.
#[track_caller]
pub fn wait_for(what: &str, limit: std::time::Duration, mut done: impl FnMut() -> bool) {
    let t0 = std::time::Instant::now();
    while !done() {
        assert!(
            t0.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Runs `loket ARGS` to its end with `stdin` as its standard input.
pub fn run_loket(args: &[&std::ffi::OsStr], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(loket_bin())
        .args(args)
        .env("LOKET_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that fails before reading its input closes the pipe: fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

/// `loket backup --to TO --passphrase-stdin --data-dir DIR`: the archive's
/// path (its last line of output), or the error it printed.
pub fn backup_cli(dir: &Path, to: &Path, passphrase: &str) -> Result<PathBuf, String> {
    let out = run_loket(
        &[
            "backup".as_ref(),
            "--to".as_ref(),
            to.as_os_str(),
            "--passphrase-stdin".as_ref(),
            "--data-dir".as_ref(),
            dir.as_os_str(),
        ],
        &format!("{passphrase}\n"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() {
        Ok(PathBuf::from(stdout.lines().last().unwrap_or_default()))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `loket restore FILE --passphrase-stdin --data-dir DIR`: its output.
pub fn restore_cli(file: &Path, dir: &Path, passphrase: &str) -> std::process::Output {
    run_loket(
        &[
            "restore".as_ref(),
            file.as_os_str(),
            "--passphrase-stdin".as_ref(),
            "--data-dir".as_ref(),
            dir.as_os_str(),
        ],
        &format!("{passphrase}\n"),
    )
}

/// Every file under `dir` (recursively) with its bytes, by relative path.
pub fn snapshot_files(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}
