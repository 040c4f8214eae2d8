//! The HTTP client of head office's sync endpoints: every request carries
//! the protocol version and the branch token, and none outlives the run's
//! deadline. Failures come back as [`HqFailure`], which says in words what
//! went wrong and what staff can do.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use super::protocol::{
    Gap, Hello, PROTOCOL_HEADER, PROTOCOL_VERSION, PullResponse, PushRequest, PushResponse,
};

/// Why a request to head office did not give an answer the run can use.
#[derive(Debug, thiserror::Error)]
pub enum HqFailure {
    #[error("head office at {url} cannot be reached: {reason}")]
    Unreachable { url: String, reason: String },
    #[error(
        "head office did not answer within the sync's {secs} s limit; the rest waits for the next sync"
    )]
    OutOfTime { secs: u64 },
    #[error(
        "head office refused this branch's token (wrong or revoked); ask head office for a new token and save it in the sync settings. Nothing queued is lost"
    )]
    TokenRefused,
    #[error("head office speaks another sync protocol: update Loket ({0})")]
    Protocol(String),
    #[error("head office answered {status}: {message}")]
    Refused { status: u16, message: String },
}

/// What a push came to: taken, or refused because it does not continue
/// head office's cursor.
pub enum PushOutcome {
    Taken(PushResponse),
    Gap(i64),
}

pub struct HqClient {
    base: String,
    token: String,
    http: Client,
    deadline: Instant,
    limit: Duration,
}

/// No single request waits longer than this to connect.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl HqClient {
    /// `ca_cert`: a PEM certificate trusted besides the system's roots.
    pub fn new(
        base: &str,
        token: &str,
        ca_cert: Option<&str>,
        limit: Duration,
    ) -> Result<HqClient, HqFailure> {
        let unusable = |reason: String| HqFailure::Unreachable {
            url: base.to_owned(),
            reason,
        };
        let mut builder = Client::builder().connect_timeout(CONNECT_TIMEOUT);
        if let Some(pem) = ca_cert {
            let cert = reqwest::Certificate::from_pem(pem.as_bytes())
                .map_err(|e| unusable(format!("the configured CA certificate is unusable: {e}")))?;
            builder = builder.add_root_certificate(cert);
        }
        let http = builder
            .build()
            .map_err(|e| unusable(format!("no HTTP client: {e}")))?;
        Ok(HqClient {
            base: base.trim_end_matches('/').to_owned(),
            token: token.to_owned(),
            http,
            deadline: Instant::now() + limit,
            limit,
        })
    }

    /// Time left before the run's deadline; an error once it is gone.
    pub fn remaining(&self) -> Result<Duration, HqFailure> {
        self.deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(HqFailure::OutOfTime {
                secs: self.limit.as_secs(),
            })
    }

    fn send(&self, request: RequestBuilder) -> Result<Response, HqFailure> {
        let remaining = self.remaining()?;
        let response = request
            .header(PROTOCOL_HEADER, PROTOCOL_VERSION.to_string())
            .bearer_auth(&self.token)
            .timeout(remaining)
            .send()
            .map_err(|e| self.transport(e))?;
        match response.status() {
            StatusCode::UNAUTHORIZED => Err(HqFailure::TokenRefused),
            StatusCode::UPGRADE_REQUIRED => Err(HqFailure::Protocol(error_message(response))),
            _ => Ok(response),
        }
    }

    fn transport(&self, e: reqwest::Error) -> HqFailure {
        if e.is_timeout() && self.remaining().is_err() {
            return HqFailure::OutOfTime {
                secs: self.limit.as_secs(),
            };
        }
        // The innermost cause says it best ("Connection refused", "dns error").
        let mut reason = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            reason = s.to_string();
            source = s.source();
        }
        HqFailure::Unreachable {
            url: self.base.clone(),
            reason,
        }
    }

    fn json<T: DeserializeOwned>(&self, response: Response) -> Result<T, HqFailure> {
        let status = response.status();
        if !status.is_success() {
            return Err(HqFailure::Refused {
                status: status.as_u16(),
                message: error_message(response),
            });
        }
        response.json().map_err(|e| self.transport(e))
    }

    pub fn hello(&self) -> Result<Hello, HqFailure> {
        let response = self.send(self.http.get(format!("{}/sync/v1/hello", self.base)))?;
        self.json(response)
    }

    pub fn push(&self, request: &PushRequest) -> Result<PushOutcome, HqFailure> {
        let json = serde_json::to_vec(request).map_err(|e| HqFailure::Unreachable {
            url: self.base.clone(),
            reason: format!("the push could not be written: {e}"),
        })?;
        let mut post = self
            .http
            .post(format!("{}/sync/v1/push", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        // Larger bodies travel gzipped (every head office accepts gzip):
        // a branch's JSON shrinks several times over a slow link.
        post = if json.len() > GZIP_ABOVE {
            post.header(reqwest::header::CONTENT_ENCODING, "gzip")
                .body(gzip(&json))
        } else {
            post.body(json)
        };
        let response = self.send(post)?;
        if response.status() == StatusCode::CONFLICT {
            let body: serde_json::Value = response.json().map_err(|e| self.transport(e))?;
            return match serde_json::from_value::<Gap>(body.clone()) {
                Ok(gap) => Ok(PushOutcome::Gap(gap.expected)),
                Err(_) => Err(HqFailure::Refused {
                    status: 409,
                    message: body["error"]["message"]
                        .as_str()
                        .unwrap_or("conflict")
                        .to_owned(),
                }),
            };
        }
        self.json(response).map(PushOutcome::Taken)
    }

    pub fn pull(&self, after: i64, limit: u32) -> Result<PullResponse, HqFailure> {
        let response = self.send(self.http.get(format!(
            "{}/sync/v1/pull?after={after}&limit={limit}",
            self.base
        )))?;
        self.json(response)
    }
}

/// Push bodies above this many bytes are sent gzipped.
pub const GZIP_ABOVE: usize = 4 * 1024;

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(bytes.len() / 4),
        flate2::Compression::fast(),
    );
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

/// The `error.message` of an answer in the API's error shape, else its text.
fn error_message(response: Response) -> String {
    let text = response.text().unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| text.chars().take(200).collect())
}
