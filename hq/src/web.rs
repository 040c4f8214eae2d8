//! Head office's web page, served by `loket-hq serve` at every path outside
//! `/api/`, `/sync/` and `/public/` (the booking page is its `/book` paths): the built `ui/dist-hq` embedded in the binary (see
//! `build.rs`), with the desk's own file serving and security headers
//! (`loket::api::ui::EmbeddedUi`, `loket::api::surface::security_headers`).

use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use loket::api::ui::EmbeddedUi;

use crate::error::HqError;

#[cfg(loket_hq_embedded_ui)]
static DIST: include_dir::Dir<'static> =
    include_dir::include_dir!("$CARGO_MANIFEST_DIR/../ui/dist-hq");

/// Whether this binary carries the page.
pub const EMBEDDED: bool = cfg!(loket_hq_embedded_ui);

const PAGE: EmbeddedUi = EmbeddedUi {
    #[cfg(loket_hq_embedded_ui)]
    dist: Some(&DIST),
    #[cfg(not(loket_hq_embedded_ui))]
    dist: None,
    not_built: NOT_BUILT,
};

/// Where the page's files come from.
#[derive(Clone, Debug, Default)]
pub enum PageSource {
    /// The files built into the binary (or the "not built" page).
    #[default]
    Embedded,
    /// A built `ui/dist-hq` on disk, read on each request
    /// (`loket-hq serve --ui-dir`: development, the browser tests).
    Dir(Arc<PathBuf>),
}

/// The router's fallback: an unknown API or sync route stays a JSON 404;
/// anything else is the page (its own routes load on refresh).
pub async fn fallback(source: PageSource, req: Request) -> Response {
    let path = req.uri().path();
    let api = ["/api", "/sync", "/public"]
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if api {
        return HqError::NotFound { entity: "route" }.into_response();
    }
    match source {
        PageSource::Embedded => PAGE.response(path),
        PageSource::Dir(dir) => loket::api::ui::dir_response(&dir, req).await,
    }
}

const NOT_BUILT: &str = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">
<title>Loket head office</title></head><body>
<h1>Loket head office</h1><p>This <code>loket-hq</code> binary was built without its web page.
The API is at <a href=\"/api/v1/openapi.json\">/api/v1/</a>.</p>
<p>To include the page, build it first and then the binary:</p>
<pre>(cd ui &amp;&amp; npm ci &amp;&amp; npm run build)
cargo build --release -p loket-hq</pre></body></html>";

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use axum::body::Body;
    use axum::http::{Request, StatusCode, header};
    use tower::ServiceExt;

    use super::PageSource;

    /// The whole router on a pool that never connects: the page, the
    /// document and unknown routes need no database.
    async fn get(page: PageSource, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
        let pool = sqlx::PgPool::connect_lazy("postgres://nobody@127.0.0.1:1/none").unwrap();
        let key = Arc::new(loket::kernel::sealing::SealingSecretKey::generate());
        let app = crate::http::router_with_page(pool, key, page);
        let response = app
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let (parts, body) = response.into_parts();
        let bytes = axum::body::to_bytes(body, 1 << 20).await.unwrap();
        (
            parts.status,
            parts.headers,
            String::from_utf8_lossy(&bytes).into(),
        )
    }

    #[tokio::test]
    async fn the_page_at_every_path_outside_the_api_with_the_desks_headers() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), "<p>hq page</p>").unwrap();
        std::fs::create_dir(dir.path().join("assets")).unwrap();
        std::fs::write(dir.path().join("assets/app.js"), "let x;").unwrap();
        let page = PageSource::Dir(Arc::new(dir.path().to_path_buf()));

        for path in ["/", "/index.html", "/laporan"] {
            let (status, headers, body) = get(page.clone(), path).await;
            assert_eq!(status, StatusCode::OK, "{path}");
            assert_eq!(body, "<p>hq page</p>", "{path}");
            let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
            assert!(csp.contains("script-src 'self'"), "{csp}");
            assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
            assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        }
        let (status, headers, body) = get(page.clone(), "/assets/app.js").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, "let x;"));
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("javascript")
        );

        // unknown API and sync routes stay JSON 404s; the document is still there
        for path in ["/api/v1/nothing", "/sync/v1/nothing", "/api"] {
            let (status, _, body) = get(page.clone(), path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(body.contains("\"not_found\""), "{path}: {body}");
        }
        let (status, headers, _) = get(page, "/api/v1/openapi.json").await;
        assert_eq!(status, StatusCode::OK);
        assert!(headers.contains_key(header::CONTENT_SECURITY_POLICY));
    }

    #[tokio::test]
    async fn the_embedded_page_or_how_to_build_it() {
        let (status, headers, body) = get(PageSource::Embedded, "/").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        if super::EMBEDDED {
            assert!(body.contains("<div id=\"root\">"), "{body}");
        } else {
            assert!(body.contains("npm run build"), "{body}");
        }
    }
}
