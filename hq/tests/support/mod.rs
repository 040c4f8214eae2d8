//! What the head-office tests share: the throwaway PostgreSQL
//! (`postgres`), the real `loket-hq` binary (built by Cargo for these tests:
//! `CARGO_BIN_EXE_loket-hq`), the real desk binary `loket serve` on its own
//! data directory, and a small HTTP client.
//!
//! The desk binary is not a dependency Cargo builds for this package: it is
//! `LOKET_BIN` when set, else `loket` beside `loket-hq` in the same target
//! directory (`cargo build -p loket --bin loket`, or `cargo test
//! --workspace`, puts it there). It is checked to know the sync operations,
//! so a stale one fails with a message instead of a puzzle.
#![allow(dead_code)]

#[path = "../../../tests/support/certs.rs"]
pub mod certs;
pub mod postgres;
pub mod proxy;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

pub use postgres::Postgres;

pub const PASSWORD: &str = "rahasia-123";

pub fn hq_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_loket-hq"))
}

pub fn desk_bin() -> PathBuf {
    let bin = std::env::var_os("LOKET_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| hq_bin().with_file_name("loket"));
    assert!(
        bin.exists(),
        "the desk binary {} is missing: run `cargo build -p loket --bin loket` (or set LOKET_BIN)",
        bin.display()
    );
    bin
}

/// Fails when the desk binary predates the sync operations.
fn check_desk_bin() {
    static CHECKED: std::sync::OnceLock<()> = std::sync::OnceLock::new();
    CHECKED.get_or_init(|| {
        let out = Command::new(desk_bin()).arg("openapi").output().expect("loket openapi");
        let doc = String::from_utf8_lossy(&out.stdout);
        assert!(
            doc.contains("/api/v1/sync/run"),
            "the desk binary {} is older than this code: rebuild it with `cargo build -p loket --bin loket`",
            desk_bin().display()
        );
    });
}

/// An HTTP reply: status and JSON body (`null` when not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    #[track_caller]
    pub fn expect(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self.body
    }
}

/// A client of one server, with an optional bearer token and extra headers.
#[derive(Clone)]
pub struct Client {
    pub base: String,
    pub token: Option<String>,
    pub headers: Vec<(String, String)>,
    http: reqwest::blocking::Client,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client::with_http(
            base,
            reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(90))
                .build()
                .expect("client"),
        )
    }

    /// A client over a given HTTP client (e.g. one that trusts a test certificate).
    pub fn with_http(base: &str, http: reqwest::blocking::Client) -> Client {
        Client {
            base: base.trim_end_matches('/').to_owned(),
            token: None,
            headers: Vec::new(),
            http,
        }
    }

    pub fn with_token(mut self, token: &str) -> Client {
        self.token = Some(token.to_owned());
        self
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Client {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn send(&self, method: &str, path: &str, body: Option<Value>) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.bearer_auth(t);
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        match body {
            Some(b) => req = req.json(&b),
            // The desk takes state changes as JSON only, even without a body.
            None if method != reqwest::Method::GET => {
                req = req.header(reqwest::header::CONTENT_TYPE, "application/json");
            }
            None => {}
        }
        let res = req.send().unwrap_or_else(|e| panic!("request {path}: {e}"));
        let status = res.status().as_u16();
        let text = res.text().unwrap_or_default();
        Reply {
            status,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.send("GET", path, None)
    }
    pub fn post(&self, path: &str, body: Value) -> Reply {
        self.send("POST", path, Some(body))
    }
    pub fn put(&self, path: &str, body: Value) -> Reply {
        self.send("PUT", path, Some(body))
    }
}

/// Starts a server command that prints `listening on http(s)://ADDR` first;
/// answers the child and that URL.
fn spawn_listening(mut cmd: Command) -> (Child, String) {
    let mut child = cmd
        .env("LOKET_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(if std::env::var_os("LOKET_TEST_HQ_LOG").is_some() {
            Stdio::inherit()
        } else {
            Stdio::null()
        })
        .spawn()
        .expect("spawn server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let url = line
        .trim()
        .strip_prefix("listening on ")
        .filter(|u| u.starts_with("http://") || u.starts_with("https://"))
        .unwrap_or_else(|| panic!("first line: {line:?}"))
        .to_owned();
    (child, url)
}

/// A head office: a fresh database and a real `loket-hq serve` on it.
pub struct Hq {
    pub database_url: String,
    pub url: String,
    child: Child,
}

impl Hq {
    pub fn start() -> Hq {
        let database_url = Postgres::get().fresh_database();
        Hq::start_on(&database_url)
    }

    pub fn start_on(database_url: &str) -> Hq {
        Hq::start_with(database_url, &[])
    }

    /// `loket-hq serve --port 0` on `database_url` with more arguments.
    pub fn start_with(database_url: &str, args: &[&str]) -> Hq {
        let mut cmd = Command::new(hq_bin());
        cmd.args(["serve", "--port", "0", "--database-url", database_url]);
        if !args.contains(&"--sealing-key") {
            cmd.arg("--sealing-key")
                .arg(Postgres::get().key_file(database_url));
        }
        cmd.args(args);
        let (child, url) = spawn_listening(cmd);
        Hq {
            database_url: database_url.to_owned(),
            url,
            child,
        }
    }

    /// The `loket-hq` process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `kill -9`: no chance to finish a transaction or answer.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Runs `loket-hq ARGS` on this head office's database.
    pub fn cli(&self, args: &[&str], stdin: Option<&str>) -> std::process::Output {
        hq_cli(&self.database_url, args, stdin)
    }

    /// `loket-hq branch add NAME --json` → `(id, token)`.
    pub fn add_branch(&self, name: &str) -> (String, String) {
        let out = self.cli(&["branch", "add", name, "--json"], None);
        assert!(
            out.status.success(),
            "branch add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).expect("branch add --json");
        assert_eq!(v["name"], name);
        (
            v["id"].as_str().expect("id").to_owned(),
            v["token"].as_str().expect("token").to_owned(),
        )
    }

    /// A client of the sync endpoints speaking protocol 1 with `token`.
    pub fn branch_client(&self, token: &str) -> Client {
        Client::new(&self.url)
            .with_token(token)
            .with_header("Loket-Sync-Protocol", "1")
    }

    /// An `hq_admin` logged in to the head-office API.
    pub fn admin(&self) -> Client {
        self.logged_in("boss", "hq_admin")
    }

    /// An `hq_viewer` logged in to the head-office API.
    pub fn viewer(&self) -> Client {
        self.logged_in("lihat", "hq_viewer")
    }

    /// A new head-office user `username` with `role`, logged in.
    pub fn logged_in(&self, username: &str, role: &str) -> Client {
        let out = self.cli(
            &["user", "add", username, "--role", role, "--password-stdin"],
            Some(PASSWORD),
        );
        assert!(
            out.status.success(),
            "user add: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let login = Client::new(&self.url)
            .post(
                "/api/v1/auth/login",
                json!({"username": username, "password": PASSWORD}),
            )
            .expect(200);
        assert_eq!(login["user"]["role"], role);
        Client::new(&self.url).with_token(login["token"].as_str().expect("token"))
    }

    /// `SELECT …` on head office's database.
    pub fn json(&self, sql: &str) -> Value {
        Postgres::get().json(&self.database_url, sql)
    }
}

impl Drop for Hq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn hq_cli(database_url: &str, args: &[&str], stdin: Option<&str>) -> std::process::Output {
    let mut child = Command::new(hq_bin())
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("LOKET_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("loket-hq");
    if let Some(input) = stdin {
        let _ = writeln!(child.stdin.take().expect("stdin"), "{input}");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("loket-hq output")
}

/// A front desk: its own data directory, an admin, and a real `loket serve`.
pub struct Desk {
    pub dir: tempfile::TempDir,
    pub api: Client,
    child: Child,
}

impl Desk {
    pub fn start() -> Desk {
        Desk::start_in(tempfile::tempdir().expect("data dir"))
    }

    /// A desk on `dir`, which may hold data already (`loket demo`).
    pub fn start_in(dir: tempfile::TempDir) -> Desk {
        check_desk_bin();
        let mut add = Command::new(desk_bin())
            .args([
                "user",
                "add",
                "admin",
                "--role",
                "admin",
                "--password-stdin",
                "--data-dir",
            ])
            .arg(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("loket user add");
        writeln!(add.stdin.take().expect("stdin"), "{PASSWORD}").expect("password");
        assert!(add.wait().expect("user add").success());
        let mut cmd = Command::new(desk_bin());
        cmd.args(["serve", "--port", "0", "--data-dir"])
            .arg(dir.path());
        let (child, url) = spawn_listening(cmd);
        let login = Client::new(&format!("{url}/api/v1"))
            .post(
                "/auth/login",
                json!({"username": "admin", "password": PASSWORD}),
            )
            .expect(200);
        let api = Client::new(&format!("{url}/api/v1"))
            .with_token(login["token"].as_str().expect("token"));
        Desk { dir, api, child }
    }

    /// The `loket serve` process's id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    /// Points this desk at head office with `token`.
    pub fn configure(&self, hq_url: &str, token: &str) {
        self.api
            .put("/settings/sync", json!({"hq_url": hq_url, "token": token}))
            .expect(200);
    }

    pub fn sync(&self) -> Reply {
        self.api.post("/sync/run", json!({}))
    }

    pub fn status(&self) -> Value {
        self.api.get("/sync/status").expect(200)
    }

    /// Customers and bookings made the way staff make them: `n` bookings,
    /// each upserting its customer, plus an edit of the first customer.
    pub fn make_bookings(&self, tag: &str, n: usize) -> Vec<Value> {
        let mut made = Vec::new();
        for i in 0..n {
            let booking = self
                .api
                .post(
                    "/bookings",
                    json!({
                        "customer": {"name": format!("Pelanggan {tag} {i}"), "phone": format!("0812{:04}{:04}", tag.len() * 7 % 10000, i)},
                        "event_at": "2027-03-01T10:00",
                        "price": "1500000",
                        "payment_status": "dp"
                    }),
                )
                .expect(201);
            made.push(booking);
        }
        if let Some(first) = made.first() {
            let customer_id = first["customer_id"].as_str().expect("customer_id");
            self.api
                .put(
                    &format!("/customers/{customer_id}"),
                    json!({"address": format!("Jalan {tag} 1")}),
                )
                .expect(200);
        }
        made
    }

    /// The latest row per record this desk's change log holds — what the
    /// desk has told (or will tell) head office — read from its SQLite file.
    pub fn logged_rows(&self) -> std::collections::BTreeMap<(String, String), Value> {
        let conn = rusqlite::Connection::open_with_flags(
            self.dir.path().join("loket.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open the desk's database");
        let mut stmt = conn
            .prepare(
                "SELECT entity, entity_id, snapshot FROM change_log c
                 WHERE seq = (SELECT max(seq) FROM change_log d WHERE d.entity = c.entity AND d.entity_id = c.entity_id)",
            )
            .expect("prepare");
        stmt.query_map([], |r| {
            let snapshot: String = r.get(2)?;
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                serde_json::from_str(&snapshot).unwrap_or(Value::Null),
            ))
        })
        .expect("query")
        .collect::<rusqlite::Result<_>>()
        .expect("rows")
    }

    /// `n` customers made over HTTP: one change-log row each.
    pub fn make_customers(&self, tag: &str, n: usize) {
        for i in 0..n {
            self.api
                .post(
                    "/customers",
                    json!({"name": format!("Pelanggan {tag} {i}"), "phone": format!("0813{:08}", i)}),
                )
                .expect(201);
        }
    }

    /// How many change-log rows each record has (what head office's
    /// `version` must equal: each change applied exactly once).
    pub fn changes_per_record(&self) -> std::collections::BTreeMap<(String, String), i64> {
        let conn = rusqlite::Connection::open_with_flags(
            self.dir.path().join("loket.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open");
        let mut stmt = conn
            .prepare(
                "SELECT entity, entity_id, count(*) FROM change_log GROUP BY entity, entity_id",
            )
            .expect("prepare");
        stmt.query_map([], |r| Ok(((r.get(0)?, r.get(1)?), r.get(2)?)))
            .expect("query")
            .collect::<rusqlite::Result<_>>()
            .expect("rows")
    }

    /// The newest change-log seq of this desk.
    pub fn newest_seq(&self) -> i64 {
        let conn = rusqlite::Connection::open_with_flags(
            self.dir.path().join("loket.db"),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .expect("open");
        conn.query_row("SELECT coalesce(max(seq), 0) FROM change_log", [], |r| {
            r.get(0)
        })
        .expect("max seq")
    }
}

impl Drop for Desk {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Head office's rows for one branch, by record.
pub fn hq_rows(hq: &Hq, branch_id: &str) -> std::collections::BTreeMap<(String, String), Value> {
    let v = hq.json(&format!(
        "SELECT coalesce(json_agg(json_build_array(entity, entity_id, data)), '[]') FROM branch_rows WHERE branch_id = '{branch_id}'"
    ));
    v.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                (
                    r[0].as_str().unwrap_or_default().to_owned(),
                    r[1].as_str().unwrap_or_default().to_owned(),
                ),
                r[2].clone(),
            )
        })
        .collect()
}

/// Head office's `version` per record of one branch.
pub fn hq_versions(hq: &Hq, branch_id: &str) -> std::collections::BTreeMap<(String, String), i64> {
    let v = hq.json(&format!(
        "SELECT coalesce(json_agg(json_build_array(entity, entity_id, version)), '[]') FROM branch_rows WHERE branch_id = '{branch_id}'"
    ));
    v.as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                (
                    r[0].as_str().unwrap_or_default().to_owned(),
                    r[1].as_str().unwrap_or_default().to_owned(),
                ),
                r[2].as_i64().unwrap_or_default(),
            )
        })
        .collect()
}

/// Meta's webhook body (`entry[].changes[].value.messages[]`) carrying one
/// customer message from `phone`, as Meta sends it.
pub fn meta_webhook_body(phone: &str, id: &str, message: Value) -> Vec<u8> {
    let mut message = message;
    message["from"] = json!(phone);
    message["id"] = json!(id);
    message["timestamp"] = json!("1764640000");
    serde_json::to_vec(&json!({
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001111", "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Pelanggan"}, "wa_id": phone}],
            "messages": [message]
        }}]}]
    }))
    .expect("body")
}

/// A change as a branch would push it.
pub fn change(seq: i64, entity: &str, id: &str, data: Value) -> Value {
    json!({"seq": seq, "entity": entity, "entity_id": id, "op": "insert", "data": data, "at": "2026-12-01T03:00:00.000Z"})
}

/// A stand-in WhatsApp gateway on 127.0.0.1: answers each request with the
/// next status of its script (for a 2xx, an id `wa-N` in both Fonnte's
/// `{"id"}` and Meta's `{"messages": [{"id"}]}` shapes), then 200, and
/// keeps every request it was sent.
pub struct StubGateway {
    pub url: String,
    requests: std::sync::Arc<std::sync::Mutex<Vec<StubRequest>>>,
}

/// One request the stub gateway received.
#[derive(Clone, Debug)]
pub struct StubRequest {
    /// `POST /v21.0/123/messages`
    pub line: String,
    pub headers: String,
    pub body: Value,
}

impl StubGateway {
    pub fn start(script: Vec<u16>) -> StubGateway {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("gateway port");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let script = std::sync::Mutex::new(std::collections::VecDeque::from(script));
        let requests = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = std::sync::Arc::clone(&requests);
        std::thread::spawn(move || {
            let mut n = 0;
            for stream in listener.incoming().flatten() {
                let Ok(reader) = stream.try_clone() else {
                    continue;
                };
                let mut reader = std::io::BufReader::new(reader);
                let mut stream = stream;
                while let Ok(Some(request)) = proxy::read_message(&mut reader) {
                    n += 1;
                    let text = String::from_utf8_lossy(&request).into_owned();
                    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
                    let (line, headers) = head.split_once("\r\n").unwrap_or((head, ""));
                    kept.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(StubRequest {
                            line: line.to_owned(),
                            headers: headers.to_ascii_lowercase(),
                            body: serde_json::from_str(body).unwrap_or(Value::Null),
                        });
                    let status = script
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .pop_front()
                        .unwrap_or(200);
                    let body = if status < 300 {
                        format!("{{\"id\": \"wa-{n}\", \"messages\": [{{\"id\": \"wa-{n}\"}}]}}")
                    } else if status == 401 {
                        "{\"error\": {\"code\": 190, \"message\": \"Invalid OAuth access token\"}}"
                            .to_owned()
                    } else {
                        "{\"message\": \"number not on WhatsApp\"}".to_owned()
                    };
                    let reply = format!(
                        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                        body.len()
                    );
                    if stream.write_all(reply.as_bytes()).is_err() {
                        break;
                    }
                }
            }
        });
        StubGateway { url, requests }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<StubRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
