//! The `loket` command: `serve` runs the local API; `user add` creates a login.

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use loket::App;
use loket::auth::{Actor, Role};
use loket::users::CreateUser;

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
        /// The built web UI to serve at `/` (default: `./ui/dist` when it exists).
        #[arg(long, env = "LOKET_UI_DIR")]
        ui_dir: Option<PathBuf>,
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
            let doc = loket::http::openapi()
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
        Command::Serve { port, bind, ui_dir } => {
            let app = Arc::new(App::open(&data_dir(cli.data_dir)?).map_err(|e| e.to_string())?);
            let users = app
                .database()
                .reader()
                .and_then(|c| loket::users::count(&c))
                .map_err(|e| e.to_string())?;
            if users == 0 {
                eprintln!(
                    "loket: no users yet; add the first with `loket user add NAME --role admin --password-stdin`"
                );
            }
            let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
            let ui_dir = ui_dir.or_else(|| {
                let local = PathBuf::from("ui/dist");
                local.join("index.html").is_file().then_some(local)
            });
            runtime.block_on(serve(app, SocketAddr::new(bind, port), ui_dir))
        }
    }
}

async fn serve(app: Arc<App>, addr: SocketAddr, ui_dir: Option<PathBuf>) -> Result<(), String> {
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
    // Marks messages interrupted by a crash `unknown`, then delivers the outbox.
    tokio::spawn(loket::messaging::sender(app.clone()));
    if let Some(dir) = &ui_dir {
        tracing::info!("serving the UI from {}", dir.display());
    }
    axum::serve(
        listener,
        loket::http::router_with_ui(app, ui_dir.as_deref()),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(|e| e.to_string())
}
