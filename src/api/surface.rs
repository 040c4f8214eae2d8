//! The rules every HTTP request meets before any route sees it, and the
//! headers every answer carries. They defend a desk whose API listens on the
//! same machine as a browser that visits any page:
//!
//! - **`Host`** must be a loopback name (`127.0.0.1`, `localhost`, `[::1]`,
//!   any port) or one given with `--allow-host`: a page on `evil.example`
//!   that rebinds its DNS name to 127.0.0.1 reaches the port but is refused
//!   (421), so it cannot read answers.
//! - **State-changing methods** (POST, PUT, PATCH, DELETE) must say
//!   `Content-Type: application/json`, else 415. A cross-site page can send
//!   `text/plain`, form or body-less POSTs without a CORS preflight; JSON
//!   needs the preflight, which this server never grants.
//! - **Bodies** are limited to [`BODY_LIMIT`]; every 413 (ours or axum's)
//!   answers the usual `{error}` JSON.
//! - **Security headers** on every answer, UI and API: a CSP without inline
//!   scripts or styles, no framing, no sniffing, no referrer.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::kernel::error::{ErrorBody, ErrorDetail};

/// The largest JSON body accepted (axum's own default limit for a body read
/// in full is the same).
pub const BODY_LIMIT: u64 = 2 * 1024 * 1024;

/// The UI is one bundle of files from this server: scripts, styles, fonts
/// and API calls all come from `'self'`; nothing inline, no plugins, no frames.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
     font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// What the surface accepts beyond loopback names.
#[derive(Clone, Debug, Default)]
pub struct Surface {
    /// Extra names (or addresses) accepted in `Host`, e.g. the desk's LAN
    /// name (`--allow-host`), compared without the port and ignoring case.
    pub allowed_hosts: Vec<String>,
}

impl Surface {
    fn allows_host(&self, host: &str) -> bool {
        let name = host_name(host).to_ascii_lowercase();
        matches!(name.as_str(), "127.0.0.1" | "localhost" | "[::1]")
            || self
                .allowed_hosts
                .iter()
                .any(|a| host_name(a).eq_ignore_ascii_case(&name))
    }
}

/// `name:port` → `name`; `[v6]:port` → `[v6]`.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if host.starts_with('[') {
        return match host.find(']') {
            Some(end) => &host[..=end],
            None => host,
        };
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

/// The request's `Host` (HTTP/1.1) or authority (HTTP/2).
fn request_host(req: &Request) -> Option<String> {
    match req.headers().get(header::HOST) {
        Some(v) => v.to_str().ok().map(str::to_owned),
        None => req.uri().authority().map(|a| a.as_str().to_owned()),
    }
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}

/// An error answer in the API's usual shape, for refusals made before any
/// operation runs.
pub fn refusal(status: StatusCode, code: &'static str, message: impl Into<String>) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code,
            message: message.into(),
            field: None,
        },
    };
    let mut response = (status, Json(body)).into_response();
    add_security_headers(response.headers_mut());
    response
}

fn too_large() -> Response {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!(
            "the request body is larger than {} MB",
            BODY_LIMIT / 1024 / 1024
        ),
    )
}

/// The middleware: Host, content type and size first, headers on the way out.
pub async fn guard(State(surface): State<Arc<Surface>>, req: Request, next: Next) -> Response {
    match request_host(&req) {
        Some(host) if surface.allows_host(&host) => {}
        host => {
            return refusal(
                StatusCode::MISDIRECTED_REQUEST,
                "host_not_allowed",
                format!(
                    "this server does not answer for the host name {:?}; use 127.0.0.1 or localhost, or start it with --allow-host NAME",
                    host.unwrap_or_default()
                ),
            );
        }
    }
    let changes_state = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if changes_state && !is_json(req.headers()) {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "send the request body as JSON with Content-Type: application/json",
        );
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT) {
        return too_large();
    }
    let mut response = next.run(req).await;
    // A body without a length that grows past the limit is refused by
    // axum's extractor as plain text: answer it in our shape too.
    if response.status() == StatusCode::PAYLOAD_TOO_LARGE
        && !response
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"))
    {
        return too_large();
    }
    add_security_headers(response.headers_mut());
    response
}

/// The security headers alone, as a middleware (`axum::middleware::from_fn`),
/// for a server that has its own rules otherwise: head office's `loket-hq`
/// serves its web page with the same headers as the desk's UI.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    add_security_headers(response.headers_mut());
    response
}

fn add_security_headers(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name, value| {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::REFERRER_POLICY, "no-referrer");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_without_their_port() {
        let s = Surface {
            allowed_hosts: vec!["Desk-1.local".into()],
        };
        for ok in [
            "127.0.0.1:8377",
            "localhost",
            "LOCALHOST:1",
            "[::1]:8377",
            "desk-1.local:8377",
        ] {
            assert!(s.allows_host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:8377",
            "127.0.0.1.evil.example",
            "[::2]:1",
            "",
        ] {
            assert!(!s.allows_host(bad), "{bad}");
        }
    }
}
