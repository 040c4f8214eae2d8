//! The gateway settings: which gateway, its address and credentials (the
//! token sealed with the vault), read by the sender and edited by the admin.

use std::collections::BTreeMap;
use std::time::Duration;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::{Actor, Permission};
use crate::kernel::crypto::{Vault, mask};
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation, Task};
use crate::kernel::settings;
use crate::kernel::types::MessageId;
use crate::kernel::types::patch;
use crate::kernel::types::text_enum;
use crate::messaging::outbox::{Message, MessageStatus};
use crate::messaging::outbox::{NewMessage, enqueue, find};
use crate::messaging::sender::deliver_due;
use crate::messaging::templates::{MessageKind, Vars};

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

/// The settings as stored: the token only sealed (by the desk's vault, or at
/// head office to its sealing key). Both keep this JSON and change it with
/// [`UpdateGateway::apply`], so the rules are written once.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StoredGateway {
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
/// Below `loket serve`'s 60 s request timeout, so a test message to a slow
/// gateway answers with the gateway's error rather than the server's 408.
const MAX_TIMEOUT_SECS: u32 = 45;

fn load_stored(conn: &Connection) -> Result<StoredGateway> {
    settings::load_row(conn, KEY)
}

fn save_stored(conn: &Connection, s: &StoredGateway) -> Result<()> {
    settings::save_row(conn, KEY, s)
}

fn unseal(vault: &Vault, sealed: Option<&str>) -> Result<Option<String>> {
    sealed.map(|s| vault.open_text(TOKEN, s)).transpose()
}

/// The configured gateway, token decrypted ([`Error::Unreadable`] when the
/// key file cannot open it).
pub fn load(conn: &Connection, vault: &Vault) -> Result<GatewayConfig> {
    config(load_stored(conn)?, vault)
}

fn config(s: StoredGateway, vault: &Vault) -> Result<GatewayConfig> {
    let token = unseal(vault, s.token_sealed.as_deref())?;
    Ok(s.config(token))
}

impl StoredGateway {
    /// The sealed token, if one is stored.
    pub fn token_sealed(&self) -> Option<&str> {
        self.token_sealed.as_deref()
    }

    /// Why deliveries are paused, if they are.
    pub fn auth_error(&self) -> Option<&str> {
        self.auth_error.as_deref()
    }

    /// Pauses deliveries (`Some`) or lets them go on (`None`).
    pub fn set_auth_error(&mut self, error: Option<&str>) {
        self.auth_error = error.map(str::to_owned);
    }

    /// The gateway as the sender uses it, with `token` opened by the caller.
    pub fn config(self, token: Option<String>) -> GatewayConfig {
        let kind = self.kind.unwrap_or(GatewayKind::Log);
        GatewayConfig {
            kind,
            base_url: self
                .base_url
                .unwrap_or_else(|| kind.default_base_url().to_owned()),
            token,
            phone_number_id: self.phone_number_id,
            api_version: self
                .api_version
                .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned()),
            session: self.session.unwrap_or_else(|| DEFAULT_SESSION.to_owned()),
            timeout: Duration::from_secs(u64::from(
                self.timeout_secs
                    .unwrap_or(DEFAULT_TIMEOUT_SECS)
                    .min(MAX_TIMEOUT_SECS),
            )),
            templates: self.templates,
        }
    }

    /// The settings as the API shows them, the token masked; `token` is the
    /// opened token, or `Err(())` when one is stored that cannot be opened.
    pub fn view(&self, token: std::result::Result<Option<String>, ()>) -> GatewaySettings {
        let token_unavailable = token.is_err();
        let cfg = self.clone().config(token.unwrap_or(None));
        GatewaySettings {
            token_unavailable,
            kind: cfg.kind,
            base_url: cfg.base_url,
            token: cfg.token.as_deref().map(mask),
            phone_number_id: cfg.phone_number_id,
            api_version: cfg.api_version,
            session: cfg.session,
            timeout_secs: self.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS),
            templates: cfg.templates,
            auth_error: self.auth_error.clone(),
        }
    }
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
    /// A token is stored but this key file cannot decrypt it (`token` is
    /// `null`): enter it again.
    pub token_unavailable: bool,
}

/// The message that pauses deliveries when the token cannot be opened.
pub const TOKEN_UNREADABLE: &str = "the stored gateway token cannot be decrypted with this key file; an admin must enter the token again in the gateway settings";

fn view(conn: &Connection, vault: &Vault) -> Result<GatewaySettings> {
    let s = load_stored(conn)?;
    // An unreadable token must not lock the admin out of the one screen
    // that can replace it: show the rest, with the token unavailable.
    let token = match unseal(vault, s.token_sealed.as_deref()) {
        Ok(token) => Ok(token),
        Err(Error::Unreadable { .. }) => Err(()),
        Err(e) => return Err(e),
    };
    Ok(s.view(token))
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
    let Some(v) = crate::kernel::validate::optional_text(v, "base_url", 300)? else {
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
    let v = crate::kernel::validate::optional_text(v, field, 100)?;
    if v.as_deref()
        .is_some_and(|t| t.contains(|c: char| c.is_whitespace() || c == '/'))
    {
        return Err(Error::validation(field, "must not contain spaces or /"));
    }
    Ok(v)
}

impl UpdateGateway {
    /// Checks and applies the change to `s`, sealing a new token with
    /// `seal`; on a refusal `s` is left as it was. Lifts a pause caused by
    /// refused credentials.
    pub fn apply(
        self,
        stored: &mut StoredGateway,
        seal: &dyn Fn(&str) -> Result<String>,
    ) -> Result<()> {
        let mut s = stored.clone();
        let address = |s: &StoredGateway| {
            let kind = s.kind.unwrap_or(GatewayKind::Log);
            s.base_url
                .clone()
                .unwrap_or_else(|| kind.default_base_url().to_owned())
        };
        let address_before = address(&s);
        let token_given = self.token.is_some();
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
            s.token_sealed = match crate::kernel::validate::optional_text(v, "token", 2000)? {
                Some(t) => Some(seal(&t)?),
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
            if !(1..=MAX_TIMEOUT_SECS).contains(&v) {
                return Err(Error::validation(
                    "timeout_secs",
                    format!("must be between 1 and {MAX_TIMEOUT_SECS}"),
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
                    if !crate::messaging::templates::PLACEHOLDERS.contains(&p.as_str()) {
                        return Err(Error::validation(
                            format!("{field}.parameters"),
                            format!("unknown placeholder {p}"),
                        ));
                    }
                }
            }
            s.templates = map;
        }
        // The stored token was given for one host: it is never sent to
        // another (a changed address or gateway) unless given again. The
        // log-only "gateway" sends nothing anywhere.
        let sends = s.kind.is_some_and(|k| k != GatewayKind::Log);
        if sends && s.token_sealed.is_some() && !token_given && address(&s) != address_before {
            return Err(Error::validation(
                "token",
                "give the token again when the gateway's address changes (the stored one is not sent to a new host)",
            ));
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
        *stored = s;
        Ok(())
    }
}

impl Operation for UpdateGateway {
    type Output = GatewaySettings;
    const NAME: &'static str = "gateway.update";
    const PERMISSION: Permission = Permission::MessagingConfigure;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<GatewaySettings> {
        let before = view(ctx.conn, ctx.vault)?;
        let mut s = load_stored(ctx.conn)?;
        let vault = ctx.vault;
        self.apply(&mut s, &|token| vault.seal_text(TOKEN, token))?;
        save_stored(ctx.conn, &s)?;
        // New settings: what waits for a retry may go now.
        ctx.conn.execute(
            "UPDATE messages SET next_attempt_at = ?1 WHERE status = 'queued' AND next_attempt_at > ?1",
            [crate::kernel::clock::to_db(ctx.now)],
        )?;
        let after = view(ctx.conn, ctx.vault)?;
        ctx.record(
            Action::Update,
            EntityKind::Settings,
            KEY,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    }
}

/// Sends one test message through the configured gateway now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestGateway {
    /// `08…`, `+62…` or `62…`
    pub to: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GatewayTest {
    /// `sent`, `queued` (a retry is scheduled), or `failed`.
    pub status: MessageStatus,
    pub gateway: GatewayKind,
    pub gateway_message_id: Option<String>,
    pub error: Option<String>,
    pub message: Message,
}

impl Task for TestGateway {
    type Output = GatewayTest;
    const NAME: &'static str = "gateway.test";
    const PERMISSION: Permission = Permission::MessagingConfigure;

    fn run(self, app: &App, actor: &Actor) -> Result<GatewayTest> {
        let to = crate::kernel::validate::phone(&self.to, "to")?;
        let key = format!("test:{}", MessageId::new());
        let id = app.write(actor, |ctx| {
            let mut vars = Vars::new();
            vars.insert("business_name".into(), ctx.settings.business_name.clone());
            enqueue(
                ctx,
                NewMessage {
                    dedupe_key: key.clone(),
                    kind: MessageKind::Test,
                    language: ctx.settings.message_language,
                    to,
                    vars,
                    customer_id: None,
                    provider_id: None,
                    booking_id: None,
                    vehicle_id: None,
                    subject: None,
                },
            )?;
            let id: MessageId = ctx.conn.query_row(
                "SELECT id FROM messages WHERE dedupe_key = ?1",
                [&key],
                |r| r.get(0),
            )?;
            crate::kernel::audit::note(
                ctx,
                Action::Test,
                EntityKind::Gateway,
                &id.to_string(),
                &serde_json::json!({"to": self.to}),
            )?;
            Ok(id)
        })?;
        let delivered = deliver_due(app, Some(id), true)?;
        let message = app.read(actor, |ctx| find(ctx.conn, id))?;
        let gateway = message.gateway.unwrap_or(GatewayKind::Log);
        Ok(GatewayTest {
            status: message.status,
            gateway,
            gateway_message_id: message.gateway_message_id.clone(),
            error: message.last_error.clone().or(delivered.paused),
            message,
        })
    }
}

crate::kernel::ops::task!(TestGateway);
