#![allow(dead_code)]
//! A stand-in WhatsApp gateway on 127.0.0.1: records every request (method,
//! path, headers, body) and answers as the test scripts it — a queue of
//! replies first, then a default that may depend on the request.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Recorded {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|_| panic!("JSON body: {}", self.body))
    }

    /// A form body as pairs.
    pub fn form(&self) -> HashMap<String, String> {
        form_urlencoded::parse(self.body.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }
}

#[derive(Clone, Debug)]
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
}

impl Scripted {
    pub fn json(status: u16, body: serde_json::Value) -> Scripted {
        Scripted {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Scripted {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delayed(mut self, d: Duration) -> Scripted {
        self.delay = d;
        self
    }
}

type Responder = dyn Fn(&Recorded, usize) -> Scripted + Send + Sync;

#[derive(Clone)]
struct Shared {
    requests: Arc<Mutex<Vec<Recorded>>>,
    script: Arc<Mutex<VecDeque<Scripted>>>,
    default: Arc<Mutex<Arc<Responder>>>,
}

pub struct StandIn {
    pub addr: SocketAddr,
    shared: Shared,
}

async fn handle(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rec = Recorded {
        method: method.to_string(),
        path: uri.path().to_owned(),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = {
        let mut reqs = s.requests.lock().unwrap();
        reqs.push(rec.clone());
        let n = reqs.len();
        match s.script.lock().unwrap().pop_front() {
            Some(r) => r,
            None => {
                let f = s.default.lock().unwrap().clone();
                f(&rec, n)
            }
        }
    };
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut resp = (
        StatusCode::from_u16(reply.status).unwrap(),
        reply.body.clone(),
    )
        .into_response();
    for (k, v) in &reply.headers {
        resp.headers_mut().insert(
            axum::http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    resp
}

impl StandIn {
    /// Starts a stand-in answering every request with `default(request, n)`
    /// (n counts requests from 1) unless a scripted reply is queued.
    pub fn start(
        default: impl Fn(&Recorded, usize) -> Scripted + Send + Sync + 'static,
    ) -> StandIn {
        let shared = Shared {
            requests: Arc::default(),
            script: Arc::default(),
            default: Arc::new(Mutex::new(Arc::new(default))),
        };
        let app = axum::Router::new()
            .fallback(handle)
            .with_state(shared.clone());
        StandIn {
            addr: serve_in_background(app),
            shared,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Answers the next request with `r` (in order, before the default).
    pub fn push(&self, r: Scripted) {
        self.shared.script.lock().unwrap().push_back(r);
    }

    pub fn set_default(&self, f: impl Fn(&Recorded, usize) -> Scripted + Send + Sync + 'static) {
        *self.shared.default.lock().unwrap() = Arc::new(f);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.shared.requests.lock().unwrap().len()
    }

    pub fn clear(&self) {
        self.shared.requests.lock().unwrap().clear();
    }
}

/// Serves `app` on 127.0.0.1 (any free port) from a thread with its own
/// runtime, for as long as the test runs; returns where it listens. The
/// stand-in runs on it, and so do the tests' own API servers.
pub fn serve_in_background(app: axum::Router) -> SocketAddr {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .unwrap();
        });
    });
    rx.recv().unwrap()
}

/// Meta's success reply with a message id derived from `n`.
pub fn meta_ok(_: &Recorded, n: usize) -> Scripted {
    Scripted::json(
        200,
        serde_json::json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "x", "wa_id": "x"}],
            "messages": [{"id": format!("wamid.TEST{n}")}],
        }),
    )
}

/// WAHA's success reply.
pub fn waha_ok(_: &Recorded, n: usize) -> Scripted {
    Scripted::json(
        201,
        serde_json::json!({"id": format!("true_628@c.us_WAHA{n}"), "timestamp": 1_700_000_000}),
    )
}

/// Fonnte's success reply.
pub fn fonnte_ok(_: &Recorded, n: usize) -> Scripted {
    Scripted::json(
        200,
        serde_json::json!({"status": true, "id": [format!("{}", 80_000_000 + n)], "process": "pending", "target": ["628"]}),
    )
}
