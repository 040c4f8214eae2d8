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

/// The desk's UI as carried in this binary.
const DESK: EmbeddedUi = EmbeddedUi {
    #[cfg(loket_embedded_ui)]
    dist: Some(&DIST),
    #[cfg(not(loket_embedded_ui))]
    dist: None,
    not_built: NOT_BUILT,
};

async fn embedded(uri: Uri) -> Response {
    DESK.response(uri.path())
}

/// A built web UI folder carried in a binary (`include_dir!` of a Vite
/// build), or `None` when the binary was built without it: then every path
/// answers `not_built`, a page saying how to build it. The desk's `ui/dist`
/// and head office's `ui/dist-hq` (in `loket-hq`) are served by this.
#[derive(Clone, Copy)]
pub struct EmbeddedUi {
    pub dist: Option<&'static include_dir::Dir<'static>>,
    pub not_built: &'static str,
}

impl EmbeddedUi {
    /// The file at `path` with its content type and caching: the hashed
    /// files under `assets/` never change (cached for a year), the rest is
    /// revalidated so a new binary's UI is picked up at once. A path that
    /// names no file and has no extension (one of the UI's own routes) gets
    /// `index.html`; another missing file is 404.
    pub fn response(&self, path: &str) -> Response {
        let Some(dist) = self.dist else {
            return Html(self.not_built).into_response();
        };
        match file(dist, path.trim_start_matches('/')) {
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
            None => StatusCode::NOT_FOUND.into_response(),
        }
    }
}

/// The file `req` asks for from a built UI folder on disk, read on each
/// request (development, tests: `--ui-dir`), or `index.html` for a path
/// that names no file (one of the UI's own routes). No path leaves `dir`.
pub async fn dir_response(dir: &std::path::Path, req: axum::extract::Request) -> Response {
    use tower_service::Service;
    let mut files = tower_http::services::ServeDir::new(dir)
        .fallback(tower_http::services::ServeFile::new(dir.join("index.html")));
    match files.call(req).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(never) => match never {},
    }
}

/// The file at `path`, or `index.html` for a path that names no file and
/// has no extension (one of the UI's own routes).
fn file(
    dist: &'static include_dir::Dir<'static>,
    path: &str,
) -> Option<(&'static str, &'static [u8])> {
    let path = if path.is_empty() { "index.html" } else { path };
    let found = dist.get_file(path).or_else(|| {
        let is_route = !path.rsplit('/').next().unwrap_or_default().contains('.');
        is_route.then(|| dist.get_file("index.html")).flatten()
    })?;
    Some((found.path().to_str()?, found.contents()))
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">
<title>Loket</title></head><body>
<h1>Loket</h1><p>This <code>loket</code> binary was built without its web UI.
The API is at <a href=\"/api/v1/openapi.json\">/api/v1/</a>.</p>
<p>To include the UI, build it first and then the binary:</p>
<pre>(cd ui &amp;&amp; npm ci &amp;&amp; npm run build)
cargo build --release -p loket</pre>
<p>or serve a built UI folder with <code>loket serve --ui-dir ui/dist</code>.</p></body></html>";
