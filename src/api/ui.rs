//! The web UI served by `loket serve` at every path outside `/api/`: the
//! built `ui/dist` embedded in the binary (see `build.rs`), or a folder given
//! with `--ui-dir` during development. Unknown paths get `index.html`, so the
//! UI's own routes load on refresh.

use std::path::PathBuf;

use axum::Router;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};

/// Where the UI's files come from.
#[derive(Clone, Debug, Default)]
pub enum UiSource {
    /// No UI: only the API (tests, scripts).
    #[default]
    None,
    /// The files built into the binary.
    Embedded,
    /// A built `ui/dist` on disk, read on each request (development).
    Dir(PathBuf),
}

#[cfg(loket_embedded_ui)]
static DIST: include_dir::Dir<'static> = include_dir::include_dir!("$CARGO_MANIFEST_DIR/ui/dist");

/// Whether this binary carries the UI.
pub const EMBEDDED: bool = cfg!(loket_embedded_ui);

/// Adds the UI from `source` as the fallback of `router` (for
/// [`UiSource::None`] the router is returned as it is).
pub fn serve<S: Clone + Send + Sync + 'static>(router: Router<S>, source: &UiSource) -> Router<S> {
    match source {
        UiSource::None => router,
        UiSource::Dir(dir) => router.fallback_service(
            tower_http::services::ServeDir::new(dir)
                .fallback(tower_http::services::ServeFile::new(dir.join("index.html"))),
        ),
        UiSource::Embedded => router.fallback(embedded),
    }
}

/// A file of the embedded UI, with its content type and caching: the hashed
/// files under `assets/` never change (cached for a year), the rest is
/// revalidated so a new binary's UI is picked up at once.
async fn embedded(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    match file(path) {
        Some((name, bytes)) => {
            let mime = mime_guess::from_path(name).first_or_octet_stream();
            let cache = if name.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            let mut response = bytes.into_response();
            let headers = response.headers_mut();
            if let Ok(v) = HeaderValue::from_str(mime.as_ref()) {
                headers.insert(header::CONTENT_TYPE, v);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            response
        }
        None if EMBEDDED => StatusCode::NOT_FOUND.into_response(),
        None => Html(NOT_BUILT).into_response(),
    }
}

/// The file at `path`, or `index.html` for a path that names no file and
/// has no extension (one of the UI's own routes).
#[cfg(loket_embedded_ui)]
fn file(path: &str) -> Option<(&'static str, &'static [u8])> {
    let found = DIST.get_file(path).or_else(|| {
        let is_route = !path.rsplit('/').next().unwrap_or_default().contains('.');
        is_route.then(|| DIST.get_file("index.html")).flatten()
    })?;
    Some((found.path().to_str()?, found.contents()))
}

#[cfg(not(loket_embedded_ui))]
fn file(_path: &str) -> Option<(&'static str, &'static [u8])> {
    None
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">
<title>Loket</title></head><body>
<h1>Loket</h1><p>This <code>loket</code> binary was built without its web UI.
The API is at <a href=\"/api/v1/openapi.json\">/api/v1/</a>.</p>
<p>To include the UI, build it first and then the binary:</p>
<pre>(cd ui &amp;&amp; npm ci &amp;&amp; npm run build)
cargo build --release -p loket</pre>
<p>or serve a built UI folder with <code>loket serve --ui-dir ui/dist</code>.</p></body></html>";
