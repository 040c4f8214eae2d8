//! WhatsApp gateways: the settings (one gateway, its credentials sealed with
//! the vault) and the adapters that send one message over HTTP — Meta's
//! Cloud API, WAHA, Fonnte — or only log it (the default: nothing leaves
//! the machine). An adapter answers what happened; the outbox
//! ([`crate::messaging`]) decides what to do about it.

mod fonnte;
mod meta;
pub mod settings;
mod waha;

use std::time::Duration;

use crate::kernel::error::{Error, Result};
use crate::messaging::templates::{MessageKind, Vars};

pub use settings::*;

// ---- sending ------------------------------------------------------------

/// One message to send.
#[derive(Clone, Copy, Debug)]
pub struct Outgoing<'a> {
    /// `None` for a plain reply in a conversation the customer started
    /// (head office's bot): text only.
    pub kind: Option<MessageKind>,
    /// Normalised `62…`
    pub to: &'a str,
    pub body: &'a str,
    /// Placeholder values (Meta template parameters).
    pub vars: &'a Vars,
    /// Placeholders of our template, in order (default Meta parameters).
    pub placeholders: &'a [String],
    /// Sent more than 24 hours after the customer last wrote: Meta then
    /// takes only an approved template (the kind's, when one is mapped).
    pub outside_window: bool,
}

/// What the gateway said.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// Accepted; the gateway's message id when it gave one.
    Sent { id: Option<String> },
    /// Worth another try later (timeout, 5xx, 429, a rate limit): after
    /// `after` when the gateway said so (Retry-After).
    Retry {
        error: String,
        after: Option<Duration>,
    },
    /// Refused for good (a 4xx): the gateway's text kept.
    Failed { error: String },
    /// The gateway refused the credentials: no message is at fault, so
    /// none is failed; deliveries pause until the settings change.
    AuthFailed { error: String },
}

pub struct Gateway {
    cfg: GatewayConfig,
    client: reqwest::blocking::Client,
}

impl Gateway {
    pub fn new(cfg: GatewayConfig) -> Result<Gateway> {
        let client = reqwest::blocking::Client::builder()
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout.min(Duration::from_secs(10)))
            .user_agent(concat!("loket/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::internal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Gateway { cfg, client })
    }

    pub fn kind(&self) -> GatewayKind {
        self.cfg.kind
    }

    /// Sends one message; never panics, never returns an error: every
    /// failure is an [`Outcome`].
    pub fn send(&self, m: &Outgoing<'_>) -> Outcome {
        match self.cfg.kind {
            GatewayKind::Log => {
                tracing::info!(
                    kind = m.kind.map_or("reply", MessageKind::as_str),
                    to = m.to,
                    body = m.body,
                    "message (log only, not sent)"
                );
                Outcome::Sent { id: None }
            }
            GatewayKind::Meta => self.meta(m),
            GatewayKind::Waha => self.waha(m),
            GatewayKind::Fonnte => self.fonnte(m),
        }
    }

    fn token(&self) -> &str {
        self.cfg.token.as_deref().unwrap_or_default()
    }
}

/// Status, Retry-After and body of a reply; a transport failure is already an outcome.
fn read(
    sent: reqwest::Result<reqwest::blocking::Response>,
) -> std::result::Result<(u16, Option<Duration>, String), Outcome> {
    let resp = sent.map_err(transport)?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = resp.text().map_err(transport)?;
    Ok((status, retry_after, body))
}

fn transport(e: reqwest::Error) -> Outcome {
    if e.is_timeout() {
        Outcome::Retry {
            error: "the gateway did not answer in time".into(),
            after: None,
        }
    } else if e.is_connect() {
        Outcome::Retry {
            error: format!("cannot reach the gateway: {e}"),
            after: None,
        }
    } else if e.is_builder() {
        Outcome::Failed {
            error: format!("bad gateway address: {e}"),
        }
    } else {
        Outcome::Retry {
            error: format!("gateway connection failed: {e}"),
            after: None,
        }
    }
}

/// The HTTP status decides: 401/403 credentials, 408/429/5xx later, other 4xx never.
fn classify(status: u16, error: String, retry_after: Option<Duration>) -> Outcome {
    match status {
        401 | 403 => Outcome::AuthFailed { error },
        408 | 425 | 429 | 500..=599 => Outcome::Retry {
            error,
            after: retry_after,
        },
        _ => Outcome::Failed { error },
    }
}

/// `Retry-After: 120` or an HTTP date.
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(86_400)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (at.timestamp() - chrono::Utc::now().timestamp()).clamp(0, 86_400);
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)))
}

fn snippet(body: &str) -> String {
    let t = body.trim();
    if t.is_empty() {
        return "(no body)".into();
    }
    t.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("soon"), None);
    }

    #[test]
    fn statuses_classify() {
        assert!(matches!(
            classify(500, "x".into(), None),
            Outcome::Retry { .. }
        ));
        assert!(matches!(
            classify(429, "x".into(), None),
            Outcome::Retry { .. }
        ));
        assert!(matches!(
            classify(400, "x".into(), None),
            Outcome::Failed { .. }
        ));
        assert!(matches!(
            classify(401, "x".into(), None),
            Outcome::AuthFailed { .. }
        ));
    }
}
