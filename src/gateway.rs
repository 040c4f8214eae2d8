//! WhatsApp gateways: the settings (one gateway, its credentials sealed with
//! the vault) and the adapters that send one message over HTTP — Meta's
//! Cloud API, WAHA, Fonnte — or only log it (the default: nothing leaves
//! the machine). An adapter answers what happened; the outbox
//! ([`crate::messaging`]) decides what to do about it.

use std::collections::BTreeMap;
use std::time::Duration;

use base64::Engine;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::ToSchema;

use crate::auth::Permission;
use crate::crypto::Vault;
use crate::error::{Error, Result};
use crate::ops::{Ctx, Operation};
use crate::priority::text_enum;
use crate::templates::{MessageKind, Vars};
use crate::types::patch;

text_enum!(
    /// `log` writes messages to the log only; the others send them.
    GatewayKind { Log = "log", Meta = "meta", Waha = "waha", Fonnte = "fonnte" }
);

/// The vault context of the gateway token.
const TOKEN: &str = "settings.gateway_token";
const KEY: &str = "gateway";

/// An approved Meta template standing for one of our message kinds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MetaTemplate {
    /// The template's name in WhatsApp Manager.
    pub name: String,
    /// Its language code, e.g. `id` or `en_US`.
    pub language: String,
    /// Our placeholders filling the template's body parameters `{{1}}`, `{{2}}`, …
    /// in order; empty means the placeholders of our own template, in order.
    #[serde(default)]
    pub parameters: Vec<String>,
}

/// The stored settings: the token only sealed.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Stored {
    kind: Option<GatewayKind>,
    base_url: Option<String>,
    token_sealed: Option<String>,
    phone_number_id: Option<String>,
    api_version: Option<String>,
    session: Option<String>,
    timeout_secs: Option<u32>,
    templates: BTreeMap<String, MetaTemplate>,
    /// Set when the gateway refused the credentials: deliveries wait until
    /// the settings are saved again (or someone asks for a flush).
    auth_error: Option<String>,
}

/// The gateway as the sender uses it: the token in the clear, in memory only.
#[derive(Clone, Debug)]
pub struct GatewayConfig {
    pub kind: GatewayKind,
    pub base_url: String,
    pub token: Option<String>,
    pub phone_number_id: Option<String>,
    pub api_version: String,
    pub session: String,
    pub timeout: Duration,
    pub templates: BTreeMap<String, MetaTemplate>,
}

impl GatewayKind {
    fn default_base_url(self) -> &'static str {
        match self {
            GatewayKind::Log => "",
            GatewayKind::Meta => "https://graph.facebook.com",
            GatewayKind::Waha => "http://localhost:3000",
            GatewayKind::Fonnte => "https://api.fonnte.com",
        }
    }
}

const DEFAULT_API_VERSION: &str = "v21.0";
const DEFAULT_SESSION: &str = "default";
const DEFAULT_TIMEOUT_SECS: u32 = 15;

fn load_stored(conn: &Connection) -> Result<Stored> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([KEY], |r| r.get(0))
        .optional()?;
    match raw {
        None => Ok(Stored::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| Error::internal(format!("stored gateway settings unreadable: {e}"))),
    }
}

fn save_stored(conn: &Connection, s: &Stored) -> Result<()> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (KEY, serde_json::to_string(s)?),
    )?;
    Ok(())
}

fn unseal(vault: &Vault, sealed: Option<&str>) -> Result<Option<String>> {
    sealed
        .map(|s| {
            let blob = base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|_| Error::internal(format!("{TOKEN}: stored value is damaged")))?;
            vault.decrypt(TOKEN, &blob)
        })
        .transpose()
}

/// The configured gateway, token decrypted.
pub fn load(conn: &Connection, vault: &Vault) -> Result<GatewayConfig> {
    let s = load_stored(conn)?;
    let kind = s.kind.unwrap_or(GatewayKind::Log);
    Ok(GatewayConfig {
        kind,
        base_url: s
            .base_url
            .unwrap_or_else(|| kind.default_base_url().to_owned()),
        token: unseal(vault, s.token_sealed.as_deref())?,
        phone_number_id: s.phone_number_id,
        api_version: s
            .api_version
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned()),
        session: s.session.unwrap_or_else(|| DEFAULT_SESSION.to_owned()),
        timeout: Duration::from_secs(u64::from(s.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS))),
        templates: s.templates,
    })
}

/// The configured gateway's kind (no secret is opened).
pub fn kind(conn: &Connection) -> Result<GatewayKind> {
    Ok(load_stored(conn)?.kind.unwrap_or(GatewayKind::Log))
}

/// Why deliveries are paused, if they are (the gateway refused the credentials).
pub fn auth_error(conn: &Connection) -> Result<Option<String>> {
    Ok(load_stored(conn)?.auth_error)
}

/// Pauses deliveries (`Some`) or lets them go on (`None`).
pub fn set_auth_error(conn: &Connection, error: Option<&str>) -> Result<()> {
    let mut s = load_stored(conn)?;
    if s.auth_error.as_deref() == error {
        return Ok(());
    }
    s.auth_error = error.map(str::to_owned);
    save_stored(conn, &s)
}

/// `••••abcd`: enough to recognise a token, not to use it.
pub fn mask(token: &str) -> String {
    let n = token.chars().count();
    let tail: String = token.chars().skip(n.saturating_sub(4)).collect();
    if n <= 4 {
        "••••".to_owned()
    } else {
        format!("••••{tail}")
    }
}

/// The gateway settings as the API shows them: the token masked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct GatewaySettings {
    pub kind: GatewayKind,
    pub base_url: String,
    /// Masked (`••••abcd`); `null` when none is set.
    pub token: Option<String>,
    pub phone_number_id: Option<String>,
    /// Meta Graph API version, e.g. `v21.0`.
    pub api_version: String,
    /// WAHA session name.
    pub session: String,
    pub timeout_secs: u32,
    /// Meta templates by our message kind (`reminder_h1`, …).
    pub templates: BTreeMap<String, MetaTemplate>,
    /// Set when the gateway refused the credentials: queued messages wait
    /// until the settings are saved again.
    pub auth_error: Option<String>,
}

fn view(conn: &Connection, vault: &Vault) -> Result<GatewaySettings> {
    let s = load_stored(conn)?;
    let cfg = load(conn, vault)?;
    Ok(GatewaySettings {
        kind: cfg.kind,
        base_url: cfg.base_url,
        token: cfg.token.as_deref().map(mask),
        phone_number_id: cfg.phone_number_id,
        api_version: cfg.api_version,
        session: cfg.session,
        timeout_secs: s.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS),
        templates: cfg.templates,
        auth_error: s.auth_error,
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GetGateway {}

impl Operation for GetGateway {
    type Output = GatewaySettings;
    const NAME: &'static str = "gateway.get";
    const PERMISSION: Permission = Permission::MessagingConfigure;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<GatewaySettings> {
        view(ctx.conn, ctx.vault)
    }
}

/// Changes only what is given. The token is kept when left out; `null`
/// removes it. Saving lifts a pause caused by refused credentials and lets
/// queued messages go out at once.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateGateway {
    pub kind: Option<GatewayKind>,
    /// `https://…`; defaults per gateway (Meta `https://graph.facebook.com`,
    /// Fonnte `https://api.fonnte.com`, WAHA `http://localhost:3000`).
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub base_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub token: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub phone_number_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub api_version: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub session: Option<Option<String>>,
    /// 1–120 seconds per request.
    pub timeout_secs: Option<u32>,
    /// Replaces the whole mapping: our kind → Meta template.
    pub templates: Option<BTreeMap<String, MetaTemplate>>,
}

fn url(v: Option<String>) -> Result<Option<String>> {
    let Some(v) = crate::validate::optional_text(v, "base_url", 300)? else {
        return Ok(None);
    };
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => {
            Ok(Some(v.trim_end_matches('/').to_owned()))
        }
        _ => Err(Error::validation(
            "base_url",
            "must be an http:// or https:// address",
        )),
    }
}

fn word(v: Option<String>, field: &str) -> Result<Option<String>> {
    let v = crate::validate::optional_text(v, field, 100)?;
    if v.as_deref()
        .is_some_and(|t| t.contains(|c: char| c.is_whitespace() || c == '/'))
    {
        return Err(Error::validation(field, "must not contain spaces or /"));
    }
    Ok(v)
}

impl Operation for UpdateGateway {
    type Output = GatewaySettings;
    const NAME: &'static str = "gateway.update";
    const PERMISSION: Permission = Permission::MessagingConfigure;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<GatewaySettings> {
        let before = view(ctx.conn, ctx.vault)?;
        let mut s = load_stored(ctx.conn)?;
        if let Some(k) = self.kind {
            if s.kind != Some(k) && self.base_url.is_none() {
                // Another gateway: its own default address.
                s.base_url = None;
            }
            s.kind = Some(k);
        }
        if let Some(v) = self.base_url {
            s.base_url = url(v)?;
        }
        if let Some(v) = self.token {
            s.token_sealed = match crate::validate::optional_text(v, "token", 2000)? {
                Some(t) => Some(
                    base64::engine::general_purpose::STANDARD.encode(ctx.vault.encrypt(TOKEN, &t)?),
                ),
                None => None,
            };
        }
        if let Some(v) = self.phone_number_id {
            s.phone_number_id = word(v, "phone_number_id")?;
        }
        if let Some(v) = self.api_version {
            s.api_version = word(v, "api_version")?;
        }
        if let Some(v) = self.session {
            s.session = word(v, "session")?;
        }
        if let Some(v) = self.timeout_secs {
            if !(1..=120).contains(&v) {
                return Err(Error::validation(
                    "timeout_secs",
                    "must be between 1 and 120",
                ));
            }
            s.timeout_secs = Some(v);
        }
        if let Some(map) = self.templates {
            for (kind, t) in &map {
                let field = format!("templates.{kind}");
                if MessageKind::parse(kind).is_none_or(|k| k == MessageKind::Test) {
                    return Err(Error::validation(field, "is not a message kind"));
                }
                if t.name.trim().is_empty() || t.language.trim().is_empty() {
                    return Err(Error::validation(field, "needs a name and a language"));
                }
                for p in &t.parameters {
                    if !crate::templates::PLACEHOLDERS.contains(&p.as_str()) {
                        return Err(Error::validation(
                            format!("{field}.parameters"),
                            format!("unknown placeholder {p}"),
                        ));
                    }
                }
            }
            s.templates = map;
        }
        let kind = s.kind.unwrap_or(GatewayKind::Log);
        let has_token = s.token_sealed.is_some();
        match kind {
            GatewayKind::Meta if !has_token => {
                return Err(Error::validation("token", "is required for Meta"));
            }
            GatewayKind::Meta if s.phone_number_id.is_none() => {
                return Err(Error::validation("phone_number_id", "is required for Meta"));
            }
            GatewayKind::Fonnte if !has_token => {
                return Err(Error::validation("token", "is required for Fonnte"));
            }
            _ => {}
        }
        s.auth_error = None;
        save_stored(ctx.conn, &s)?;
        // New settings: what waits for a retry may go now.
        ctx.conn.execute(
            "UPDATE messages SET next_attempt_at = ?1 WHERE status = 'queued' AND next_attempt_at > ?1",
            [crate::clock::to_db(ctx.now)],
        )?;
        let after = view(ctx.conn, ctx.vault)?;
        ctx.record("update", "settings", KEY, Some(&before), Some(&after))?;
        Ok(after)
    }
}

// ---- sending ------------------------------------------------------------

/// One message to send.
#[derive(Clone, Copy, Debug)]
pub struct Outgoing<'a> {
    pub kind: MessageKind,
    /// Normalised `62…`
    pub to: &'a str,
    pub body: &'a str,
    /// Placeholder values (Meta template parameters).
    pub vars: &'a Vars,
    /// Placeholders of our template, in order (default Meta parameters).
    pub placeholders: &'a [String],
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
                    kind = m.kind.as_str(),
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

    fn meta(&self, m: &Outgoing<'_>) -> Outcome {
        let Some(phone_id) = &self.cfg.phone_number_id else {
            return Outcome::AuthFailed {
                error: "Meta: no phone_number_id configured".into(),
            };
        };
        let url = format!(
            "{}/{}/{}/messages",
            self.cfg.base_url, self.cfg.api_version, phone_id
        );
        let body = match self.cfg.templates.get(m.kind.as_str()) {
            Some(t) if m.kind.business_initiated() => {
                let names: &[String] = if t.parameters.is_empty() {
                    m.placeholders
                } else {
                    &t.parameters
                };
                let parameters: Vec<Value> = names
                    .iter()
                    .map(|p| {
                        let text = m
                            .vars
                            .get(p)
                            .filter(|v| !v.is_empty())
                            .map_or("-", String::as_str);
                        json!({"type": "text", "text": text})
                    })
                    .collect();
                let mut template = json!({"name": t.name, "language": {"code": t.language}});
                if !parameters.is_empty() {
                    template["components"] = json!([{"type": "body", "parameters": parameters}]);
                }
                json!({
                    "messaging_product": "whatsapp",
                    "to": m.to,
                    "type": "template",
                    "template": template,
                })
            }
            _ => json!({
                "messaging_product": "whatsapp",
                "to": m.to,
                "type": "text",
                "text": {"body": m.body},
            }),
        };
        let sent = self
            .client
            .post(url)
            .bearer_auth(self.token())
            .json(&body)
            .send();
        let (status, retry_after, body) = match read(sent) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if (200..300).contains(&status) {
            return Outcome::Sent {
                id: json["messages"][0]["id"].as_str().map(str::to_owned),
            };
        }
        let code = json["error"]["code"].as_i64();
        let text = match (code, json["error"]["message"].as_str()) {
            (Some(c), Some(msg)) => format!("Meta {status}: ({c}) {msg}"),
            _ => format!("Meta {status}: {}", snippet(&body)),
        };
        match code {
            // Throughput and pair rate limits: slow down, try again.
            Some(130429 | 131056 | 4 | 80007) => Outcome::Retry {
                error: text,
                after: retry_after,
            },
            // Access token expired or invalid.
            Some(190) => Outcome::AuthFailed { error: text },
            _ => classify(status, text, retry_after),
        }
    }

    fn waha(&self, m: &Outgoing<'_>) -> Outcome {
        let url = format!("{}/api/sendText", self.cfg.base_url);
        let mut req = self.client.post(url).json(&json!({
            "session": self.cfg.session,
            "chatId": format!("{}@c.us", m.to),
            "text": m.body,
        }));
        if let Some(t) = &self.cfg.token {
            req = req.header("X-Api-Key", t);
        }
        let (status, retry_after, body) = match read(req.send()) {
            Ok(r) => r,
            Err(o) => return o,
        };
        if (200..300).contains(&status) {
            let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
            let id = match &json["id"] {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o
                    .get("_serialized")
                    .or_else(|| o.get("id"))
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => json["key"]["id"].as_str().map(str::to_owned),
            };
            return Outcome::Sent { id };
        }
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let text = json["message"]
            .as_str()
            .or_else(|| json["error"].as_str())
            .map_or_else(|| snippet(&body), str::to_owned);
        classify(status, format!("WAHA {status}: {text}"), retry_after)
    }

    fn fonnte(&self, m: &Outgoing<'_>) -> Outcome {
        let url = format!("{}/send", self.cfg.base_url);
        let req = self
            .client
            .post(url)
            .header("Authorization", self.token())
            .form(&[("target", m.to), ("message", m.body)]);
        let (status, retry_after, body) = match read(req.send()) {
            Ok(r) => r,
            Err(o) => return o,
        };
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        if (200..300).contains(&status) && json["status"] == Value::Bool(true) {
            let id = match &json["id"] {
                Value::Array(ids) => ids.first().and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                }),
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            return Outcome::Sent { id };
        }
        if (200..300).contains(&status) {
            let reason = json["reason"]
                .as_str()
                .map_or_else(|| snippet(&body), str::to_owned);
            let error = format!("Fonnte: {reason}");
            // Fonnte answers 200 with a reason; none of them improves by retrying.
            let lower = reason.to_lowercase();
            if lower.contains("token") && (lower.contains("invalid") || lower.contains("expired")) {
                return Outcome::AuthFailed { error };
            }
            return Outcome::Failed { error };
        }
        let reason = json["reason"]
            .as_str()
            .map_or_else(|| snippet(&body), str::to_owned);
        classify(status, format!("Fonnte {status}: {reason}"), retry_after)
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
    fn tokens_are_masked() {
        assert_eq!(mask("EAAGabcd1234"), "••••1234");
        assert_eq!(mask("abc"), "••••");
    }

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
