//! The accept loop of `loket serve`: what axum's `serve` does, plus the
//! limits a desk needs against idle, slow or too many connections, and TLS
//! for a desk that listens on the LAN.
//!
//! - at most [`Limits::max_connections`] connections at once: past that the
//!   loop stops accepting (new ones wait in the kernel's backlog) instead of
//!   running out of file descriptors;
//! - a connection that sends no complete request head within
//!   [`Limits::header_read`] is closed: idle keep-alive connections and
//!   half-sent headers alike (hyper starts the timer whenever it waits for a
//!   request head);
//! - a request (reading its body included) that takes longer than
//!   [`Limits::request`] is answered 408 and its connection closed;
//! - the TLS handshake, when there is one, counts against the header timeout.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
pub use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;
use tower_service::Service;

use crate::api::surface::refusal;

/// Connection limits (see the module docs). `from_env` reads overrides so
/// tests can use short ones.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub header_read: Duration,
    pub request: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read: Duration::from_secs(30),
            request: Duration::from_secs(60),
            max_connections: 512,
        }
    }
}

impl Limits {
    /// The defaults, with `LOKET_HEADER_TIMEOUT_MS`, `LOKET_REQUEST_TIMEOUT_MS`
    /// and `LOKET_MAX_CONNECTIONS` applied when set.
    pub fn from_env() -> Result<Limits, String> {
        let mut limits = Limits::default();
        let var = |name: &str| -> Result<Option<u64>, String> {
            match std::env::var(name) {
                Ok(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("{name} must be a whole number, not {v:?}")),
                Err(_) => Ok(None),
            }
        };
        if let Some(ms) = var("LOKET_HEADER_TIMEOUT_MS")? {
            limits.header_read = Duration::from_millis(ms.max(1));
        }
        if let Some(ms) = var("LOKET_REQUEST_TIMEOUT_MS")? {
            limits.request = Duration::from_millis(ms.max(1));
        }
        if let Some(n) = var("LOKET_MAX_CONNECTIONS")? {
            limits.max_connections = usize::try_from(n.max(1)).unwrap_or(usize::MAX);
        }
        Ok(limits)
    }
}

/// A TLS acceptor from a PEM certificate chain and private key.
pub fn tls_acceptor(cert: &Path, key: &Path) -> Result<TlsAcceptor, String> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read the certificate {}: {e}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!("no certificate in {}", cert.display()));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read the private key {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS: {e}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| format!("the certificate and key do not fit together: {e}"))?;
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// Serves `router` on `listener` until `shutdown` completes.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    tls: Option<TlsAcceptor>,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => return,
            },
            () = &mut shutdown => return,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of descriptors or a connection reset before accept:
                    // wait a little rather than spin.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => return,
        };
        let router = router.clone();
        let tls = tls.clone();
        tokio::spawn(async move {
            let _permit = permit;
            connection(stream, peer, router, limits, tls).await;
        });
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    tls: Option<TlsAcceptor>,
) {
    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
        req.extensions_mut().insert(ConnectInfo(peer));
        let mut router = router.clone();
        async move {
            let answer = tokio::time::timeout(limits.request, router.call(req)).await;
            Ok::<Response, std::convert::Infallible>(match answer {
                Ok(Ok(response)) => response,
                Ok(Err(never)) => match never {},
                Err(_) => {
                    let mut r = refusal(
                        StatusCode::REQUEST_TIMEOUT,
                        "request_timeout",
                        "the request took too long to arrive or to answer",
                    );
                    r.headers_mut().insert(
                        axum::http::header::CONNECTION,
                        axum::http::HeaderValue::from_static("close"),
                    );
                    r.into_response()
                }
            })
        }
    });
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let served = match tls {
        None => http.serve_connection(TokioIo::new(stream), service).await,
        Some(acceptor) => {
            match tokio::time::timeout(limits.header_read, acceptor.accept(stream)).await {
                Ok(Ok(tls)) => http.serve_connection(TokioIo::new(tls), service).await,
                Ok(Err(e)) => {
                    tracing::debug!("TLS handshake with {peer} failed: {e}");
                    return;
                }
                Err(_) => return,
            }
        }
    };
    if let Err(e) = served {
        tracing::debug!("connection from {peer}: {e}");
    }
}
