//! The `loket` command: `serve` runs the local API; `user add` creates a login.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use loket::App;
use loket::api::ui::UiSource;
use loket::kernel::auth::{Actor, Role};
use loket::kernel::clock::StartedClock;
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
    },
    /// Manage login users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document of the local API.
    Openapi,
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

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Command::Openapi => {
            let doc = loket::api::http::openapi()
                .to_pretty_json()
                .map_err(|e| e.to_string())?;
            println!("{doc}");
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
            let app = App::open(&data_dir(cli.data_dir)?).map_err(|e| e.to_string())?;
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| format!("cannot read the password: {e}"))?;
            let password = input.lines().next().unwrap_or_default().to_owned();
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
        } => {
            let dir = data_dir(cli.data_dir)?;
            let app = match clock_start {
                Some(start) => {
                    tracing::warn!("the app's clock starts at {start} (--clock-start)");
                    App::open_with_clock(&dir, Arc::new(StartedClock::new(start)))
                }
                None => App::open(&dir),
            };
            let app = Arc::new(app.map_err(|e| e.to_string())?);
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
            runtime.block_on(serve(app, SocketAddr::new(bind, port), ui))
        }
    }
}

async fn serve(app: Arc<App>, addr: SocketAddr, ui: UiSource) -> Result<(), String> {
    if !addr.ip().is_loopback() {
        tracing::warn!("binding to {addr}: the API is reachable from the network");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    // The first line of output: scripts and tests read the port from it.
    println!("listening on http://{local}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    tokio::spawn(loket::jobs::scheduler(app.clone()));
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
    axum::serve(listener, loket::api::http::router_with_ui(app, &ui))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())
}
