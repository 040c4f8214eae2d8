//! The `loket` command: `serve` runs the local API; `user add` creates a login.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use loket::App;
use loket::api::serve::{Limits, TlsAcceptor};
use loket::api::surface::Surface;
use loket::api::ui::UiSource;
use loket::kernel::auth::{Actor, Role};
use loket::kernel::clock::StartedClock;
use loket::kernel::lock::DataDirLock;
use loket::people::users::CreateUser;

#[derive(Parser)]
#[command(
    name = "loket",
    version,
    about = "Loket: offline-first front-desk booking"
)]
struct Cli {
    /// Where the database and its key file live (default: the OS's per-user data directory).
    #[arg(long, global = true, env = "LOKET_DATA_DIR")]
    data_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the JSON API (and later the UI) on 127.0.0.1.
    Serve {
        /// 0 picks any free port.
        #[arg(long, default_value_t = 8377)]
        port: u16,
        /// Address to bind. Anything but loopback exposes customer data to the network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Serve the web UI from this folder (a built `ui/dist`) instead of
        /// the copy built into the binary: for working on the UI.
        #[arg(long, env = "LOKET_UI_DIR")]
        ui_dir: Option<PathBuf>,
        /// Start the app's clock at this instant (RFC 3339, e.g.
        /// 2026-11-22T10:00:00+07:00) and let it run on from there: for demos
        /// and the browser tests, never for a real desk.
        #[arg(long, env = "LOKET_CLOCK_START", value_parser = parse_instant)]
        clock_start: Option<chrono::DateTime<chrono::Utc>>,
        /// Also answer requests whose `Host` is NAME (the desk's LAN name or
        /// address); loopback names are always accepted. Repeatable.
        #[arg(long = "allow-host", value_name = "NAME")]
        allow_host: Vec<String>,
        /// PEM certificate (chain) for HTTPS; required with a non-loopback --bind.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key of --tls-cert.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Serve plain HTTP on a non-loopback --bind: anyone on the network
        /// can read customer data and passwords in transit. Only for a
        /// trusted, isolated network.
        #[arg(long)]
        insecure_plain_http_on_lan: bool,
    },
    /// Manage login users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document of the local API.
    Openapi,
    /// Back up the database, its key and settings into one archive in DIR,
    /// also while the desk is running. Prints the archive's path last.
    Backup {
        /// The folder to write the archive to (created if missing).
        #[arg(long, value_name = "DIR")]
        to: PathBuf,
        /// Read the passphrase that seals the key from standard input (first line).
        #[arg(long, required = true)]
        passphrase_stdin: bool,
    },
    /// Restore a backup archive into the data directory (no desk may be
    /// running on it). The archive is checked first; what it replaces is kept aside.
    Restore {
        /// The archive (`loket-backup-….tar.gz`).
        file: PathBuf,
        /// Read the backup's passphrase from standard input (first line).
        #[arg(long, required = true)]
        passphrase_stdin: bool,
    },
    /// Fill an empty data directory with realistic demo data: customers,
    /// units, bookings over three years, providers with slots, messages.
    Demo {
        /// How many bookings.
        #[arg(long, default_value_t = 10_000)]
        bookings: usize,
        /// How many customers (default: one per five bookings, at least one).
        #[arg(long)]
        customers: Option<usize>,
        /// How many providers around Jakarta, each with two weeks of slots.
        #[arg(long, default_value_t = 10)]
        providers: usize,
        /// The same seed gives the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user: `loket user add NAME --role admin --password-stdin`.
    Add {
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// Read the password from standard input (first line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "one of admin, manager, marketing, sales, front_desk".into())
}

fn parse_instant(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("an instant like 2026-11-22T10:00:00+07:00: {e}"))
}

fn data_dir(given: Option<PathBuf>) -> Result<PathBuf, String> {
    given
        .or_else(|| {
            directories::ProjectDirs::from("id", "Loket", "loket").map(|d| d.data_dir().to_owned())
        })
        .ok_or_else(|| "no data directory: pass --data-dir or set LOKET_DATA_DIR".into())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOKET_LOG")
                .unwrap_or_else(|_| "loket=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loket: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The first line of standard input (a password or passphrase).
fn first_line_of_stdin(what: &str) -> Result<String, String> {
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| format!("cannot read the {what}: {e}"))?;
    Ok(input.lines().next().unwrap_or_default().to_owned())
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Backup {
            to,
            passphrase_stdin: _,
        } => {
            // No data-directory lock: the copy is a read through SQLite, so
            // a running desk keeps working.
            let dir = data_dir(cli.data_dir)?;
            let passphrase = first_line_of_stdin("passphrase")?;
            let started = chrono::Utc::now();
            let outcome = loket::backup::archive::create(&dir, &passphrase, &to, started);
            record_cli_backup(&dir, started, &to, &outcome);
            let created = outcome.map_err(|e| e.to_string())?;
            eprintln!(
                "backup of {} written ({} bytes)",
                dir.display(),
                created.size
            );
            // The last line: scripts read the archive's path from it.
            println!("{}", created.path.display());
            Ok(())
        }
        Command::Restore {
            file,
            passphrase_stdin: _,
        } => {
            let dir = data_dir(cli.data_dir)?;
            let passphrase = first_line_of_stdin("passphrase")?;
            // Checked before the lock is taken: a refused archive leaves the
            // data directory exactly as it was, lock file included.
            let verified =
                loket::backup::archive::verify(&file, &passphrase).map_err(|e| e.to_string())?;
            let _lock = DataDirLock::acquire(&dir, "loket restore").map_err(|e| e.to_string())?;
            let restored = loket::backup::archive::install(verified, &dir, chrono::Utc::now())
                .map_err(|e| e.to_string())?;
            println!(
                "restored the backup made at {} into {}",
                restored.created_at,
                dir.display()
            );
            if let Some(aside) = &restored.kept_aside {
                println!(
                    "the database and key it replaced were kept in {}",
                    aside.display()
                );
            }
            // Opens it once: brings an older schema up to date and checks
            // that the key and the database belong together.
            App::open(&dir).map_err(|e| format!("the restored data does not open: {e}"))?;
            Ok(())
        }
        Command::Openapi => {
            let doc = loket::api::http::openapi()
                .to_pretty_json()
                .map_err(|e| e.to_string())?;
            println!("{doc}");
            Ok(())
        }
        Command::Demo {
            bookings,
            customers,
            providers,
            seed,
        } => {
            let dir = data_dir(cli.data_dir)?;
            let _lock = DataDirLock::acquire(&dir, "loket demo").map_err(|e| e.to_string())?;
            let app = App::open(&dir).map_err(|e| e.to_string())?;
            let spec = loket::demo::DemoSpec {
                bookings,
                customers: customers.unwrap_or((bookings / 5).max(1)),
                providers,
                seed,
            };
            let demo = loket::demo::fill(&app, &spec).map_err(|e| e.to_string())?;
            println!(
                "demo data: {} customers, {} units, {} bookings ({} open), {} providers with {} slots, {} messages queued, {} change-log rows, in {:.1} s",
                demo.customers,
                demo.units,
                demo.bookings,
                demo.open_bookings,
                demo.providers,
                demo.slots,
                demo.messages,
                demo.change_log_rows,
                demo.seconds
            );
            Ok(())
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    password_stdin: _,
                },
        } => {
            let dir = data_dir(cli.data_dir)?;
            let _lock = DataDirLock::acquire(&dir, "loket user add").map_err(|e| e.to_string())?;
            let app = App::open(&dir).map_err(|e| e.to_string())?;
            let password = first_line_of_stdin("password")?;
            let user = app
                .execute(
                    &Actor::System,
                    CreateUser {
                        username,
                        password,
                        role,
                        staff_id: None,
                    },
                )
                .map_err(|e| e.to_string())?;
            println!("added user {} ({})", user.username, user.role.as_str());
            Ok(())
        }
        Command::Serve {
            port,
            bind,
            ui_dir,
            clock_start,
            allow_host,
            tls_cert,
            tls_key,
            insecure_plain_http_on_lan,
        } => {
            // Checked before opening anything: a LAN desk without TLS does not start.
            let tls = match (&tls_cert, &tls_key) {
                (Some(cert), Some(key)) => Some(loket::api::serve::tls_acceptor(cert, key)?),
                _ => None,
            };
            if !bind.is_loopback() && tls.is_none() && !insecure_plain_http_on_lan {
                return Err(format!(
                    "refusing to serve plain HTTP on {bind}: other computers would see customer data and passwords. \
                     Give --tls-cert FILE --tls-key FILE (see README, \"Security\"), bind 127.0.0.1, \
                     or accept the risk with --insecure-plain-http-on-lan"
                ));
            }
            let limits = loket::api::serve::Limits::from_env()?;
            let dir = data_dir(cli.data_dir)?;
            // Held until the process exits: one desk per data directory.
            let _lock = DataDirLock::acquire(&dir, "loket serve").map_err(|e| e.to_string())?;
            let app = match clock_start {
                Some(start) => {
                    tracing::warn!("the app's clock starts at {start} (--clock-start)");
                    App::open_with_clock(&dir, Arc::new(StartedClock::new(start)))
                }
                None => App::open(&dir),
            };
            let app = Arc::new(app.map_err(|e| e.to_string())?);
            // Listens at once; writes wait for the check (seconds at most).
            app.check_integrity_in_background();
            let users = app
                .database()
                .reader()
                .and_then(|c| loket::people::users::count(&c))
                .map_err(|e| e.to_string())?;
            if users == 0 {
                eprintln!(
                    "loket: no users yet; add the first with `loket user add NAME --role admin --password-stdin`"
                );
            }
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let ui = ui_dir.map_or(UiSource::Embedded, UiSource::Dir);
            let mut surface = Surface {
                allowed_hosts: allow_host,
            };
            // A desk bound to one LAN address answers to that address too.
            if !bind.is_unspecified() && !bind.is_loopback() {
                surface.allowed_hosts.push(match bind {
                    std::net::IpAddr::V6(v6) => format!("[{v6}]"),
                    v4 => v4.to_string(),
                });
            }
            runtime.block_on(serve(
                app,
                SocketAddr::new(bind, port),
                ui,
                surface,
                limits,
                tls,
            ))
        }
    }
}

/// Records a `loket backup` in the database's list of backups (a small
/// write through SQLite's own locking). A database too old to have the list
/// is left alone; a failure to record is a warning, not a failed backup.
fn record_cli_backup(
    dir: &std::path::Path,
    started: chrono::DateTime<chrono::Utc>,
    to: &std::path::Path,
    outcome: &loket::Result<loket::backup::Created>,
) {
    let db = loket::kernel::app::database_path(dir);
    if !db.is_file() {
        return;
    }
    let recorded = rusqlite::Connection::open_with_flags(
        &db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(loket::Error::from)
    .and_then(|conn| {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let has_table: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'backups')",
            [],
            |r| r.get(0),
        )?;
        if has_table {
            loket::backup::record(
                &conn,
                started,
                chrono::Utc::now(),
                loket::backup::Trigger::Cli,
                to,
                outcome,
            )?;
        }
        Ok(())
    });
    if let Err(e) = recorded {
        eprintln!("loket: warning: the backup could not be recorded in the database: {e}");
    }
}

async fn serve(
    app: Arc<App>,
    addr: SocketAddr,
    ui: UiSource,
    surface: Surface,
    limits: Limits,
    tls: Option<TlsAcceptor>,
) -> Result<(), String> {
    if !addr.ip().is_loopback() && tls.is_none() {
        tracing::warn!(
            "binding to {addr} WITHOUT TLS (--insecure-plain-http-on-lan): customer data and passwords cross the network in clear text"
        );
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    // The first line of output: scripts and tests read the port from it.
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{local}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    let integrity_every = loket::jobs::integrity_every_from_env()?;
    tokio::spawn(loket::jobs::scheduler(app.clone(), integrity_every));
    tokio::spawn(loket::sync::scheduler(app.clone()));
    // Marks messages interrupted by a crash `unknown`, then delivers the outbox.
    tokio::spawn(loket::messaging::sender::run(app.clone()));
    match &ui {
        UiSource::Dir(dir) => tracing::info!("serving the UI from {}", dir.display()),
        UiSource::Embedded if !loket::api::ui::EMBEDDED => {
            tracing::warn!("this binary was built without the web UI (build ui/dist first)")
        }
        _ => {}
    }
    loket::api::serve::serve(
        listener,
        loket::api::http::router_with(app, &ui, surface),
        limits,
        tls,
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await;
    Ok(())
}
