//! The `loket-hq` command: `serve` runs head office's HTTP API; `branch add`
//! / `branch revoke` enrol and cut off branches; `user add` creates a
//! head-office login; `openapi` prints the API's document. Every other command first brings the database schema up to
//! date (or refuses a database from a newer `loket-hq`).

use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use loket_hq::users::HqRole;
use loket_hq::{branches, db, http, sealed, users, web};

#[derive(Parser)]
#[command(
    name = "loket-hq",
    version,
    about = "Loket head office: branch sync on PostgreSQL"
)]
struct Cli {
    /// postgres://USER@HOST:PORT/DATABASE
    #[arg(long, global = true, env = "DATABASE_URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync endpoints and the head-office API.
    Serve {
        /// Address to bind.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// 0 picks any free port.
        #[arg(long, default_value_t = 8378)]
        port: u16,
        /// PEM certificate (chain): serve HTTPS (rustls), as branches reach
        /// head office over the internet.
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<std::path::PathBuf>,
        /// PEM private key of --tls-cert.
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<std::path::PathBuf>,
        /// Head office's secret key for the KTP and NPWP branches send
        /// sealed; made on first start when missing. Back it up: without it
        /// they cannot be read. [default: ~/.local/share/loket-hq/sealing.key]
        #[arg(long, value_name = "FILE", env = "LOKET_HQ_SEALING_KEY")]
        sealing_key: Option<std::path::PathBuf>,
        /// Serve the web page from this built folder (`ui/dist-hq`) instead
        /// of the one built into the binary (development, tests).
        #[arg(long, value_name = "DIR")]
        ui_dir: Option<std::path::PathBuf>,
    },
    /// Enrol and revoke branches.
    Branch {
        #[command(subcommand)]
        command: BranchCommand,
    },
    /// Head-office logins.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Print the OpenAPI document of the head-office API (no database needed).
    Openapi,
}

#[derive(Subcommand)]
enum BranchCommand {
    /// Enrol a branch; prints its token once (`--json`: `{"id","name","token"}`).
    Add {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Revoke a branch's token: its next sync answers 401.
    Revoke { id: uuid::Uuid },
}

#[derive(Subcommand)]
enum UserCommand {
    /// `loket-hq user add NAME --role hq_admin|hq_viewer --password-stdin`
    Add {
        username: String,
        #[arg(long, value_parser = parse_role)]
        role: HqRole,
        /// Read the password from standard input (first line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn parse_role(s: &str) -> Result<HqRole, String> {
    HqRole::parse(s).ok_or_else(|| "one of hq_admin, hq_viewer".into())
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOKET_LOG")
                .unwrap_or_else(|_| "loket_hq=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let outcome = tokio::runtime::Runtime::new()
        .map_err(|e| e.to_string())
        .and_then(|rt| rt.block_on(run(Cli::parse())));
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("loket-hq: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    if let Command::Openapi = cli.command {
        let doc = http::routes()
            .1
            .to_pretty_json()
            .map_err(|e| e.to_string())?;
        println!("{doc}");
        return Ok(());
    }
    let url = cli
        .database_url
        .ok_or("no database: pass --database-url or set DATABASE_URL")?;
    let pool = db::open(&url).await.map_err(|e| e.to_string())?;
    match cli.command {
        Command::Serve {
            bind,
            port,
            tls_cert,
            tls_key,
            sealing_key,
            ui_dir,
        } => {
            let tls = match (&tls_cert, &tls_key) {
                (Some(cert), Some(key)) => Some(loket::api::serve::tls_acceptor(cert, key)?),
                _ => None,
            };
            let key_path = sealing_key.unwrap_or_else(sealed::default_key_path);
            let sealing = sealed::load_or_create(&key_path)?;
            sealed::bind_to_database(&pool, &sealing)
                .await
                .map_err(|e| e.to_string())?;
            let page = match ui_dir {
                Some(dir) => web::PageSource::Dir(std::sync::Arc::new(dir)),
                None => web::PageSource::Embedded,
            };
            let sealing = std::sync::Arc::new(sealing);
            loket_hq::outbox::spawn(pool.clone(), std::sync::Arc::clone(&sealing));
            let app = http::router_with_page(pool, sealing, page);
            serve(app, SocketAddr::new(bind, port), tls).await
        }
        Command::Branch {
            command: BranchCommand::Add { name, json },
        } => {
            let enrolled = branches::add(&pool, &name)
                .await
                .map_err(|e| e.to_string())?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string(&enrolled).map_err(|e| e.to_string())?
                );
            } else {
                println!(
                    "branch {} ({})\ntoken (shown once): {}",
                    enrolled.name, enrolled.id, enrolled.token
                );
            }
            Ok(())
        }
        Command::Branch {
            command: BranchCommand::Revoke { id },
        } => {
            branches::revoke(&pool, id)
                .await
                .map_err(|e| e.to_string())?;
            println!("revoked branch {id}");
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
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| format!("cannot read the password: {e}"))?;
            let password = input.lines().next().unwrap_or_default().to_owned();
            let user = users::add(&pool, &username, role, password)
                .await
                .map_err(|e| e.to_string())?;
            println!("added user {} ({})", user.username, user.role.as_str());
            Ok(())
        }
        Command::Openapi => unreachable!("answered before the database is opened"),
    }
}

/// The desk's own accept loop (header-read and request timeouts, the
/// connection cap, TLS), serving head office's router.
async fn serve(
    app: axum::Router,
    addr: SocketAddr,
    tls: Option<loket::api::serve::TlsAcceptor>,
) -> Result<(), String> {
    if !addr.ip().is_loopback() && tls.is_none() {
        tracing::warn!(
            "binding to {addr} without TLS: give --tls-cert/--tls-key or put a TLS proxy in front"
        );
    }
    let limits = loket::api::serve::Limits::from_env()?;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    // The first line of output: scripts and tests read the address from it.
    let scheme = if tls.is_some() { "https" } else { "http" };
    println!("listening on {scheme}://{local}");
    std::io::stdout().flush().map_err(|e| e.to_string())?;
    loket::api::serve::serve(listener, app, limits, tls, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await;
    Ok(())
}
