//! The shell's own two pages, served from the `loket:` scheme instead of the
//! web UI: the startup error (the data directory could not be opened, e.g. a
//! database written by a newer Loket) and the first start (no user yet: choose
//! the first admin's password, or restore a backup). They are plain HTML
//! forms without scripts.

use std::collections::HashMap;

use loket::backup::RestoreBackup;
use loket::people::users::CreateUser;
use loket::{Actor, Role};
use tauri::http::{Method, Request, Response, StatusCode, header};
use tauri::{
    AppHandle, Manager, Runtime, UriSchemeContext, UriSchemeResponder, WebviewUrl,
    WebviewWindowBuilder,
};

use crate::{MAIN_WINDOW, Shell, open_main_window, users_exist};

pub const SCHEME: &str = "loket";

const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'";

#[derive(Clone, Copy)]
pub enum Page {
    StartupError,
    FirstStart,
}

impl Page {
    fn label(self) -> &'static str {
        match self {
            Page::StartupError => "startup-error",
            Page::FirstStart => "first-start",
        }
    }

    fn path(self) -> &'static str {
        match self {
            Page::StartupError => "/error",
            Page::FirstStart => "/setup",
        }
    }

    /// Window titles start with "Loket" but differ from the main window's,
    /// so a person (and the window test) can tell them apart.
    fn title(self) -> &'static str {
        match self {
            Page::StartupError => "Loket - tidak dapat dibuka",
            Page::FirstStart => "Loket - mulai",
        }
    }
}

/// Opens a window showing one of the shell's pages, sized like the main window.
pub fn open_window<R: Runtime>(handle: &AppHandle<R>, page: Page) -> tauri::Result<()> {
    let (width, height) = handle
        .config()
        .app
        .windows
        .iter()
        .find(|w| w.label == MAIN_WINDOW)
        .map(|w| (w.width, w.height))
        .unwrap_or((1200.0, 760.0));
    WebviewWindowBuilder::new(
        handle,
        page.label(),
        WebviewUrl::CustomProtocol(page_url(page)),
    )
    .title(page.title())
    .inner_size(width, height)
    .center()
    .build()?;
    Ok(())
}

/// Custom schemes are `loket://localhost/…` with WebKitGTK and WKWebView, and
/// `http://loket.localhost/…` with WebView2.
fn page_url(page: Page) -> tauri::Url {
    let base = if cfg!(windows) {
        "http://loket.localhost"
    } else {
        "loket://localhost"
    };
    tauri::Url::parse(&format!("{base}{}", page.path())).expect("a constant, valid URL")
}

/// The `loket:` scheme handler. Creating a user hashes a password, so the
/// work runs off the UI thread.
pub fn handle<R: Runtime>(
    ctx: UriSchemeContext<'_, R>,
    request: Request<Vec<u8>>,
    responder: UriSchemeResponder,
) {
    let handle = ctx.app_handle().clone();
    let label = ctx.webview_label().to_owned();
    tauri::async_runtime::spawn_blocking(move || {
        let (response, done) = route(&handle, &request);
        responder.respond(response);
        if done {
            // The first admin exists: show the web UI (its login screen) and
            // close the first-start window.
            if let Err(e) = open_main_window(&handle) {
                tracing::error!("cannot open the main window: {e}");
                return;
            }
            if let Some(window) = handle.get_webview_window(&label) {
                let _ = window.close();
            }
        }
    });
}

/// Answers one request; `true` when the first start is over.
fn route<R: Runtime>(
    handle: &AppHandle<R>,
    request: &Request<Vec<u8>>,
) -> (Response<Vec<u8>>, bool) {
    let shell = handle.state::<Shell>();
    let data_dir = shell
        .data_dir
        .as_ref()
        .map(|d| d.display().to_string())
        .unwrap_or_default();
    let path = request.uri().path();
    if path == Page::StartupError.path() {
        let reason = shell.startup_error.as_deref().unwrap_or("unknown error");
        return (
            html(StatusCode::OK, &startup_error_page(&data_dir, reason)),
            false,
        );
    }
    let restoring = path == RESTORE_PATH;
    if path != Page::FirstStart.path() && !restoring {
        return (html(StatusCode::NOT_FOUND, "<p>Not found</p>"), false);
    }
    let Some(app) = &shell.app else {
        let reason = shell.startup_error.as_deref().unwrap_or("unknown error");
        return (
            html(StatusCode::OK, &startup_error_page(&data_dir, reason)),
            false,
        );
    };
    match users_exist(app) {
        Ok(true) => return (html(StatusCode::OK, &done_page()), true),
        Ok(false) => {}
        Err(e) => {
            return (
                html(
                    StatusCode::OK,
                    &startup_error_page(&data_dir, &e.public_message()),
                ),
                false,
            );
        }
    }
    if request.method() != Method::POST {
        return (
            html(StatusCode::OK, &first_start_page(&data_dir, "admin", None)),
            false,
        );
    }

    let fields: HashMap<String, String> = form_urlencoded::parse(request.body())
        .into_owned()
        .collect();
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    if restoring {
        // The core checks the whole archive before it changes anything, and
        // refuses once a user exists.
        let restored = app.execute(
            &Actor::Anonymous,
            RestoreBackup {
                path: field("path"),
                passphrase: field("passphrase"),
            },
        );
        return match restored {
            Ok(r) => {
                tracing::info!(
                    "first start: restored the backup made at {}",
                    r.backup_created_at
                );
                (html(StatusCode::OK, &restored_page()), true)
            }
            Err(e) => {
                let error = FieldError {
                    field: match e.field() {
                        Some("passphrase") => "passphrase".to_owned(),
                        _ => "path".to_owned(),
                    },
                    message: e.public_message(),
                };
                let page = first_start_page(&data_dir, "admin", Some(&error));
                (html(StatusCode::OK, &page), false)
            }
        };
    }
    let username = field("username").trim().to_owned();
    let password = field("password");
    if password != field("confirm") {
        let error = FieldError {
            field: "confirm".into(),
            message: "Kata sandi tidak sama. / The passwords differ.".into(),
        };
        let page = first_start_page(&data_dir, &username, Some(&error));
        return (html(StatusCode::OK, &page), false);
    }
    let created = app.execute(
        &Actor::System,
        CreateUser {
            username: username.clone(),
            password,
            role: Role::Admin,
            staff_id: None,
        },
    );
    match created {
        Ok(user) => {
            tracing::info!("first start: created admin user {}", user.username);
            (html(StatusCode::OK, &done_page()), true)
        }
        Err(e) => {
            let error = FieldError {
                field: e.field().unwrap_or("username").to_owned(),
                message: e.public_message(),
            };
            let page = first_start_page(&data_dir, &username, Some(&error));
            (html(StatusCode::OK, &page), false)
        }
    }
}

/// Where the first-start page's restore form posts.
const RESTORE_PATH: &str = "/restore";

struct FieldError {
    field: String,
    message: String,
}

fn html(status: StatusCode, body: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CONTENT_SECURITY_POLICY, CSP)
        .header(header::CACHE_CONTROL, "no-store")
        .body(body.as_bytes().to_vec())
        .unwrap_or_else(|_| Response::new(b"Loket".to_vec()))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;min-height:100vh;display:flex;align-items:center;justify-content:center;
 font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','DejaVu Sans',sans-serif;
 background:#f1f5f4;color:#10201e}
main{width:min(34rem,92vw);background:#fff;border-radius:12px;box-shadow:0 4px 24px #0002;overflow:hidden}
header{background:#0f766e;color:#fff;padding:1.2rem 1.6rem}
header h1{margin:0;font-size:1.5rem}
header p{margin:.2rem 0 0;opacity:.85}
section{padding:1.4rem 1.6rem}
label{display:block;font-weight:600;margin-top:1rem}
label small{font-weight:400;color:#4b5b59}
input{width:100%;font:inherit;padding:.55rem .7rem;margin-top:.3rem;border:1px solid #9fb3b0;border-radius:6px}
input:focus{outline:3px solid #99e0d8;border-color:#0f766e}
input[aria-invalid=true]{border-color:#b91c1c}
.error{color:#b91c1c;margin:.3rem 0 0}
button{margin-top:1.4rem;font:inherit;font-weight:600;padding:.6rem 1.4rem;border:0;border-radius:6px;
 background:#0f766e;color:#fff;cursor:pointer}
.note{color:#4b5b59;font-size:.875rem;margin-top:1.2rem}
code{font-size:.85rem;background:#eef3f2;padding:.1rem .3rem;border-radius:4px;word-break:break-all}
.problem{border-left:4px solid #b91c1c;background:#fdf2f2;padding:.7rem 1rem;margin:1rem 0}
";

fn document(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"id\"><head><meta charset=\"utf-8\">\
         <title>{}</title><style>{STYLE}</style></head><body><main>{body}</main></body></html>",
        escape(title)
    )
}

fn startup_error_page(data_dir: &str, reason: &str) -> String {
    document(
        "Loket tidak dapat dibuka",
        &format!(
            "<header><h1>Loket tidak dapat dibuka</h1><p>Loket could not open its data</p></header>\
             <section>\
             <div class=\"problem\" role=\"alert\">{reason}</div>\
             <p>Data Loket tidak diubah. Jika database ini dibuat oleh versi Loket yang lebih baru, \
             pasang versi tersebut. Jika tidak, hubungi dukungan teknis dan sertakan pesan di atas.</p>\
             <p lang=\"en\"><small>Your data was not changed. If this database was written by a newer \
             Loket, install that version; otherwise contact support with the message above.</small></p>\
             <p class=\"note\">Folder data / data folder: <code>{dir}</code></p>\
             </section>",
            reason = escape(reason),
            dir = escape(if data_dir.is_empty() { "-" } else { data_dir }),
        ),
    )
}

fn first_start_page(data_dir: &str, username: &str, error: Option<&FieldError>) -> String {
    let input = |name: &str, kind: &str, value: &str, extra: &str| {
        let invalid = error.is_some_and(|e| e.field == name);
        let message = match error {
            Some(e) if invalid => format!(
                "<p class=\"error\" id=\"{name}-error\">{}</p>",
                escape(&e.message)
            ),
            _ => String::new(),
        };
        let focus = if invalid || (error.is_none() && name == "password") {
            " autofocus"
        } else {
            ""
        };
        format!(
            "<input id=\"{name}\" name=\"{name}\" type=\"{kind}\" value=\"{}\" required \
             aria-invalid=\"{invalid}\"{focus}{extra}>{message}",
            escape(value)
        )
    };
    // An error on a field the forms do not show (unexpected) still appears.
    let general = match error {
        Some(e)
            if !["username", "password", "confirm", "path", "passphrase"]
                .contains(&e.field.as_str()) =>
        {
            format!(
                "<div class=\"problem\" role=\"alert\">{}</div>",
                escape(&e.message)
            )
        }
        _ => String::new(),
    };
    document(
        "Loket - mulai",
        &format!(
            "<header><h1>Selamat datang di Loket</h1><p>Welcome to Loket</p></header>\
             <section>\
             <p>Belum ada pengguna. Buat akun admin pertama untuk mulai memakai Loket.<br>\
             <small lang=\"en\">No users yet. Create the first admin account to start.</small></p>\
             {general}\
             <form method=\"post\" action=\"/setup\">\
             <label for=\"username\">Nama pengguna <small>/ username</small></label>{username}\
             <label for=\"password\">Kata sandi <small>/ password (min. 8)</small></label>{password}\
             <label for=\"confirm\">Ulangi kata sandi <small>/ repeat password</small></label>{confirm}\
             <button type=\"submit\">Buat admin</button>\
             </form>\
             <h2>Pulihkan dari cadangan <small>/ restore a backup</small></h2>\
             <p>Pindah dari laptop lain? Pulihkan berkas cadangan <code>loket-backup-….tar.gz</code> \
             dengan frasa sandinya; admin dan datanya ikut kembali.<br>\
             <small lang=\"en\">Moving from another laptop? Restore its backup file with its \
             passphrase; its admin and data come back with it.</small></p>\
             <form method=\"post\" action=\"/restore\">\
             <label for=\"path\">Berkas cadangan <small>/ backup file (full path)</small></label>{archive}\
             <label for=\"passphrase\">Frasa sandi <small>/ passphrase</small></label>{passphrase}\
             <button type=\"submit\">Pulihkan</button>\
             </form>\
             <p class=\"note\">Folder data / data folder: <code>{dir}</code></p>\
             </section>",
            username = input("username", "text", username, " autocomplete=\"username\""),
            password = input(
                "password",
                "password",
                "",
                " minlength=\"8\" autocomplete=\"new-password\""
            ),
            confirm = input(
                "confirm",
                "password",
                "",
                " minlength=\"8\" autocomplete=\"new-password\""
            ),
            archive = input(
                "path",
                "text",
                "",
                " placeholder=\"/media/usb/loket-backup-….tar.gz\""
            ),
            passphrase = input("passphrase", "password", "", " autocomplete=\"off\""),
            dir = escape(data_dir),
        ),
    )
}

fn restored_page() -> String {
    document(
        "Loket",
        "<header><h1>Cadangan dipulihkan</h1><p>The backup is restored</p></header>\
         <section><p>Masuk dengan akun dari cadangan. Membuka Loket…<br>\
         <small lang=\"en\">Log in with an account from the backup. Opening Loket…</small></p></section>",
    )
}

fn done_page() -> String {
    document(
        "Loket",
        "<header><h1>Admin dibuat</h1><p>The admin account is ready</p></header>\
         <section><p>Membuka Loket… / Opening Loket…</p></section>",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<b a="1">&'x'</b>"#),
            "&lt;b a=&quot;1&quot;&gt;&amp;&#39;x&#39;&lt;/b&gt;"
        );
        let page = startup_error_page("/data/<dir>", "newer <version>");
        assert!(page.contains("newer &lt;version&gt;"));
        assert!(page.contains("/data/&lt;dir&gt;"));
    }

    #[test]
    fn a_field_error_appears_beside_its_field() {
        let error = FieldError {
            field: "username".into(),
            message: "is already taken".into(),
        };
        let page = first_start_page("/d", "ad\"min", Some(&error));
        assert!(page.contains("value=\"ad&quot;min\""));
        let field = page.find("id=\"username\"").unwrap();
        let message = page.find("is already taken").unwrap();
        let next = page.find("id=\"password\"").unwrap();
        assert!(field < message && message < next);
        assert!(page.contains("aria-invalid=\"true\" autofocus"));
        // No password is ever sent back.
        assert!(!page.contains("type=\"password\" value=\"x"));
    }

    #[test]
    fn the_first_start_page_offers_a_restore_and_shows_its_error_beside_the_file() {
        let page = first_start_page("/d", "admin", None);
        assert!(page.contains("action=\"/restore\""));
        let error = FieldError {
            field: "passphrase".into(),
            message: "wrong passphrase".into(),
        };
        let page = first_start_page("/d", "admin", Some(&error));
        let field = page.find("id=\"passphrase\"").unwrap();
        let message = page.find("wrong passphrase").unwrap();
        assert!(field < message);
        assert!(!page.contains("role=\"alert\">wrong passphrase"));
    }

    #[test]
    fn an_error_on_another_field_is_still_shown() {
        let error = FieldError {
            field: "role".into(),
            message: "unexpected".into(),
        };
        assert!(
            first_start_page("/d", "admin", Some(&error)).contains("role=\"alert\">unexpected")
        );
    }
}
