//! Loket desktop: a thin Tauri 2 shell around the `loket` core.
//!
//! It opens the data directory, runs the background work (daily jobs, message
//! sender) and exposes one command, `op`, that runs any core operation by
//! name — the desktop twin of `POST /api/v1/ops/{name}` in `loket serve`.
//! No business rule lives here.
//!
//! Two situations never reach the web UI: a data directory that cannot be
//! opened (for example a database written by a newer Loket) shows an error
//! page, and a fresh install without users shows a first-start page that
//! creates the first admin (see `pages.rs`).

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod pages;

use std::path::PathBuf;
use std::sync::Arc;

use loket::{Actor, App, Error};
use serde_json::Value;
use tauri::{AppHandle, Manager, Runtime, WebviewWindowBuilder};

/// The label of the window that hosts the web UI (`app.windows` in
/// `tauri.conf.json`).
const MAIN_WINDOW: &str = "main";

/// What the shell found at start: the opened core, or why it could not open.
pub(crate) struct Shell {
    // Held for the life of the window: one Loket per data directory.
    _lock: Option<loket::kernel::lock::DataDirLock>,
    app: Option<Arc<App>>,
    data_dir: Option<PathBuf>,
    startup_error: Option<String>,
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("LOKET_LOG")
                .unwrap_or_else(|_| "loket=info,loket_desktop=info".into()),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let shell = open_core();
    let result = tauri::Builder::default()
        .manage(shell)
        .invoke_handler(tauri::generate_handler![op])
        .register_asynchronous_uri_scheme_protocol(pages::SCHEME, pages::handle)
        .setup(|app| {
            let handle = app.handle();
            // The same background work as `loket serve`: the daily jobs and
            // the outbox sender.
            if let Some(core) = handle.state::<Shell>().app.clone() {
                // Reads at once; writes wait for the check (seconds at most).
                core.check_integrity_in_background();
                tauri::async_runtime::spawn(loket::jobs::scheduler(
                    core.clone(),
                    loket::jobs::INTEGRITY_EVERY,
                ));
                tauri::async_runtime::spawn(loket::sync::scheduler(core.clone()));
                tauri::async_runtime::spawn(loket::messaging::sender::run(core));
            }
            open_first_window(handle)?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("loket-desktop: {e}");
        std::process::exit(1);
    }
}

/// The same default as `loket serve`: `LOKET_DATA_DIR`, else the OS's
/// per-user data directory (`~/.local/share/loket` on Linux).
fn data_dir() -> Option<PathBuf> {
    std::env::var_os("LOKET_DATA_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("id", "Loket", "loket").map(|d| d.data_dir().to_owned())
        })
}

fn open_core() -> Shell {
    let Some(dir) = data_dir() else {
        let message = "no data directory could be determined: set LOKET_DATA_DIR".to_owned();
        tracing::error!("{message}");
        return Shell {
            _lock: None,
            app: None,
            data_dir: None,
            startup_error: Some(message),
        };
    };
    let lock = match loket::kernel::lock::DataDirLock::acquire(&dir, "loket-desktop") {
        Ok(lock) => lock,
        Err(e) => {
            let message = e.to_string();
            tracing::error!("{message}");
            return Shell {
                _lock: None,
                app: None,
                data_dir: Some(dir),
                startup_error: Some(message),
            };
        }
    };
    match App::open(&dir) {
        Ok(app) => {
            tracing::info!("data directory {}", dir.display());
            Shell {
                _lock: Some(lock),
                app: Some(Arc::new(app)),
                data_dir: Some(dir),
                startup_error: None,
            }
        }
        Err(e) => {
            let message = e.to_string();
            tracing::error!("cannot open {}: {message}", dir.display());
            Shell {
                _lock: None,
                app: None,
                data_dir: Some(dir),
                startup_error: Some(message),
            }
        }
    }
}

/// The error page when the core did not open, the first-start page when no
/// user exists yet, the web UI otherwise.
fn open_first_window<R: Runtime>(handle: &AppHandle<R>) -> tauri::Result<()> {
    let shell = handle.state::<Shell>();
    let Some(app) = &shell.app else {
        return pages::open_window(handle, pages::Page::StartupError);
    };
    match users_exist(app) {
        Ok(true) => open_main_window(handle),
        Ok(false) => pages::open_window(handle, pages::Page::FirstStart),
        Err(e) => {
            tracing::error!("cannot read the users: {e}");
            pages::open_window(handle, pages::Page::StartupError)
        }
    }
}

pub(crate) fn users_exist(app: &App) -> Result<bool, Error> {
    let conn = app.database().reader()?;
    Ok(loket::people::users::count(&conn)? > 0)
}

/// Opens (or brings forward) the window with the web UI.
pub(crate) fn open_main_window<R: Runtime>(handle: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = handle.get_webview_window(MAIN_WINDOW) {
        return window.set_focus();
    }
    let config = handle
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .cloned()
        .ok_or(tauri::Error::WindowNotFound)?;
    WebviewWindowBuilder::from_config(handle, &config)?.build()?;
    Ok(())
}

/// Runs the core operation `name` with `input` as the user holding `token`
/// (anonymous without one). Errors are the HTTP API's `{code, message, field}`.
#[tauri::command]
async fn op(
    shell: tauri::State<'_, Shell>,
    name: String,
    input: Option<Value>,
    token: Option<String>,
) -> Result<Value, Value> {
    let Some(app) = shell.app.clone() else {
        let reason = shell.startup_error.as_deref().unwrap_or("unknown error");
        return Err(error_json(&Error::internal(format!(
            "Loket could not open its data: {reason}"
        ))));
    };
    let input = match input {
        None | Some(Value::Null) => Value::Object(Default::default()),
        Some(v) => v,
    };
    let result = tauri::async_runtime::spawn_blocking(move || {
        let actor = match token.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(token) => app.authenticate(token)?,
            None => Actor::Anonymous,
        };
        loket::api::dispatch(&app, &actor, &name, input)
    })
    .await
    .unwrap_or_else(|e| Err(Error::internal(format!("worker failed: {e}"))));
    result.map_err(|e| {
        if e.code() == "internal" {
            tracing::error!("operation failed: {e}");
        }
        error_json(&e)
    })
}

fn error_json(e: &Error) -> Value {
    serde_json::to_value(e.body().error).unwrap_or_else(
        |_| serde_json::json!({"code": "internal", "message": e.public_message(), "field": null}),
    )
}
