//! The HTTP surface's own rules, before any operation: `Host`, content
//! type, body size and the security headers, on a real server on 127.0.0.1.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use serde_json::{Value, json};

use crate::support::*;

/// Sends `request` as written (a raw HTTP/1.1 message) and returns the
/// status, the headers (lower-case names) and the body.
pub fn raw(addr: SocketAddr, request: &[u8]) -> (u16, Vec<(String, String)>, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    // A refused oversized body is answered before it is all read, and the
    // server may close while the rest is still being sent: the write can
    // then fail, and the answer is what counts.
    let _ = stream.write_all(request);
    let mut reply = Vec::new();
    // The server closes after answering (`Connection: close`) or refusing.
    let _ = stream.read_to_end(&mut reply);
    let text = String::from_utf8_lossy(&reply).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

fn post(addr: SocketAddr, host: &str, content_type: Option<&str>, body: &str) -> (u16, Value) {
    let ct = content_type
        .map(|c| format!("Content-Type: {c}\r\n"))
        .unwrap_or_default();
    let request = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: {host}\r\n{ct}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (status, headers, body) = raw(addr, request.as_bytes());
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(&body) } else { body };
    (
        status,
        serde_json::from_str(&body).unwrap_or(Value::String(body)),
    )
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, after)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&after[..n]);
        rest = &after[n + 2..];
    }
    out
}

#[test]
fn a_foreign_host_name_is_refused_and_loopback_names_work() {
    let t = TestApp::new();
    let s = t.serve();
    let login = json!({"username": "admin", "password": PASSWORD}).to_string();
    // DNS rebinding: the page's own name, pointed at 127.0.0.1.
    for host in ["evil.example", "evil.example:80", "127.0.0.1.evil.example"] {
        let (status, body) = post(s.addr, host, Some("application/json"), &login);
        assert_eq!(status, 421, "{host}: {body}");
        assert_eq!(body["error"]["code"], "host_not_allowed", "{body}");
    }
    let port = s.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        "localhost".to_owned(),
    ] {
        let (status, body) = post(s.addr, &host, Some("application/json"), &login);
        assert_eq!(status, 200, "{host}: {body}");
        assert!(body["token"].is_string());
    }
    // A GET is refused too: a rebinding page must not read answers.
    let (status, _, _) = raw(
        s.addr,
        b"GET /api/v1/openapi.json HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, 421);
}

#[test]
fn names_given_with_allow_host_are_accepted() {
    let t = TestApp::new();
    let addr = standin::serve_in_background(loket::api::http::router_with(
        t.app.clone(),
        &UiSource::None,
        loket::api::surface::Surface {
            allowed_hosts: vec!["desk-1.local".into()],
        },
    ));
    let login = json!({"username": "admin", "password": PASSWORD}).to_string();
    let (status, _) = post(addr, "DESK-1.local:8377", Some("application/json"), &login);
    assert_eq!(status, 200);
    let (status, _) = post(addr, "desk-2.local", Some("application/json"), &login);
    assert_eq!(status, 421);
}

#[test]
fn state_changing_requests_must_be_json() {
    let t = TestApp::new();
    let s = t.serve();
    let host = format!("127.0.0.1:{}", s.addr.port());
    let login = json!({"username": "admin", "password": PASSWORD}).to_string();
    // What any web page can send without a CORS preflight.
    for ct in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("application/x-www-form-urlencoded"),
        Some("multipart/form-data; boundary=x"),
        None,
    ] {
        let (status, body) = post(s.addr, &host, ct, &login);
        assert_eq!(status, 415, "{ct:?}: {body}");
        assert_eq!(body["error"]["code"], "unsupported_media_type", "{body}");
    }
    let (status, _) = post(
        s.addr,
        &host,
        Some("Application/JSON; charset=utf-8"),
        &login,
    );
    assert_eq!(status, 200);
    // A body-less DELETE or PUT says JSON too; a GET needs nothing.
    let (status, _, _) = raw(
        s.addr,
        format!("DELETE /api/v1/users/x HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(status, 415);
    s.get("/auth/me").expect(200);
}

#[test]
fn a_body_over_two_megabytes_gets_413_as_json() {
    let t = TestApp::new();
    let s = t.serve();
    let host = format!("127.0.0.1:{}", s.addr.port());
    let big = format!(
        "{{\"username\":\"admin\",\"password\":\"{}\"}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let (status, body) = post(s.addr, &host, Some("application/json"), &big);
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
    // Without a length up front (chunked), axum's limit stops the read; the
    // answer is still our JSON.
    let mut request = format!(
        "POST /api/v1/customers HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        s.token.as_deref().unwrap()
    )
    .into_bytes();
    for _ in 0..3 {
        let chunk = "y".repeat(1024 * 1024);
        request.extend(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
    }
    request.extend(b"0\r\n\r\n");
    let (status, headers, body) = raw(s.addr, &request);
    assert_eq!(status, 413, "{body}");
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked { dechunk(&body) } else { body };
    let body: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["error"]["code"], "payload_too_large", "{body}");
}

#[test]
fn the_ui_and_the_api_send_security_headers() {
    let t = TestApp::new();
    let ui = tempfile::tempdir().unwrap();
    std::fs::write(
        ui.path().join("index.html"),
        "<!doctype html><title>Loket</title><script type=module src=/app.js></script>",
    )
    .unwrap();
    let addr = standin::serve_in_background(router_with_ui(
        t.app.clone(),
        &UiSource::Dir(ui.path().to_owned()),
    ));
    let http = reqwest::blocking::Client::new();
    for path in ["/", "/bookings", "/api/v1/openapi.json", "/api/v1/auth/me"] {
        let r = http.get(format!("http://{addr}{path}")).send().unwrap();
        let h = r.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
    }
}
