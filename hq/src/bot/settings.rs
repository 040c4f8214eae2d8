//! The bot's settings (`PUT`/`GET /api/v1/settings/bot`): on or off, the
//! business it speaks for, the search radius, the greeting, and the secrets of the gateways that call
//! the webhooks. The secrets are write-only: sealed to head office's public
//! key at rest (as KTP and NPWP are: a copy of the database opens none),
//! opened only by the process holding the key file, and masked in every
//! answer. Until first saved the bot is off.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgPool, Row};

use loket::kernel::crypto::mask;
use loket::kernel::sealing::SealingSecretKey;

use crate::error::{HqError, Result};
use crate::users::HqUser;

/// The radius until one is saved: the desk's nearby search's default.
pub const DEFAULT_RADIUS_KM: f64 = 25.0;
/// Farther than any branch's customers travel; a bigger radius is a typo.
const MAX_RADIUS_KM: f64 = 500.0;
const MAX_GREETING: usize = 500;
const MAX_BUSINESS_NAME: usize = 100;
const MAX_PUBLIC_URL: usize = 200;
const MAX_SECRET: usize = 512;

/// The secrets, each with the field it is sealed under (the label is sealed
/// inside the value, so one cannot be moved to another).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    MetaAppSecret,
    MetaVerifyToken,
    WahaApiKey,
    WahaHmacKey,
}

impl Secret {
    pub const ALL: [Secret; 4] = [
        Secret::MetaAppSecret,
        Secret::MetaVerifyToken,
        Secret::WahaApiKey,
        Secret::WahaHmacKey,
    ];

    pub fn field(self) -> &'static str {
        match self {
            Secret::MetaAppSecret => "meta_app_secret",
            Secret::MetaVerifyToken => "meta_verify_token",
            Secret::WahaApiKey => "waha_api_key",
            Secret::WahaHmacKey => "waha_hmac_key",
        }
    }

    fn sealing_label(self) -> String {
        format!("bot.{}", self.field())
    }
}

/// The settings with the secrets opened: what the webhooks work with. Never
/// serialised.
#[derive(Clone, Debug)]
pub struct BotConfig {
    pub enabled: bool,
    pub business_name: Option<String>,
    pub public_url: Option<String>,
    pub radius_km: f64,
    pub greeting: Option<String>,
    pub meta_app_secret: Option<String>,
    pub meta_verify_token: Option<String>,
    pub waha_api_key: Option<String>,
    pub waha_hmac_key: Option<String>,
}

impl BotConfig {
    /// What the pure conversation needs (`loket::bot::BotSettings`).
    pub fn conversation_settings(&self) -> loket::bot::BotSettings {
        let defaults = loket::bot::BotSettings::default();
        loket::bot::BotSettings {
            business_name: self
                .business_name
                .clone()
                .unwrap_or(defaults.business_name.clone()),
            greeting: self.greeting.clone(),
            radius_km: self.radius_km,
            ..defaults
        }
    }
}

/// The settings as an `hq_admin` sees them: each secret masked (`••••abcd`),
/// `null` when not set.
#[derive(Debug, Serialize)]
pub struct BotSettingsView {
    pub enabled: bool,
    /// Named in the greeting and the confirmation; `null`: "Loket".
    pub business_name: Option<String>,
    /// Head office as customers reach it (`https://booking.example.com`):
    /// an online booking's confirmation link starts with it; `null`: no link.
    pub public_url: Option<String>,
    pub radius_km: f64,
    pub greeting: Option<String>,
    pub meta_app_secret: Option<String>,
    pub meta_verify_token: Option<String>,
    pub waha_api_key: Option<String>,
    pub waha_hmac_key: Option<String>,
    /// 0 until first saved.
    pub version: i64,
    pub updated_at: Option<DateTime<Utc>>,
}

/// The stored row, secrets still sealed.
struct Stored {
    enabled: bool,
    business_name: Option<String>,
    public_url: Option<String>,
    radius_km: f64,
    greeting: Option<String>,
    sealed: [Option<String>; 4],
    version: i64,
    updated_at: Option<DateTime<Utc>>,
}

impl Default for Stored {
    fn default() -> Self {
        Stored {
            enabled: false,
            business_name: None,
            public_url: None,
            radius_km: DEFAULT_RADIUS_KM,
            greeting: None,
            sealed: [None, None, None, None],
            version: 0,
            updated_at: None,
        }
    }
}

async fn read(conn: &mut sqlx::PgConnection) -> Result<Stored> {
    let sql =
        "SELECT enabled, business_name, public_url, radius_km, greeting, meta_app_secret, meta_verify_token,
                      waha_api_key, waha_hmac_key, version, updated_at FROM bot_settings WHERE id";
    let Some(row) = sqlx::query(sql).fetch_optional(&mut *conn).await? else {
        return Ok(Stored::default());
    };
    Ok(Stored {
        enabled: row.try_get("enabled")?,
        business_name: row.try_get("business_name")?,
        public_url: row.try_get("public_url")?,
        radius_km: row.try_get("radius_km")?,
        greeting: row.try_get("greeting")?,
        sealed: [
            row.try_get("meta_app_secret")?,
            row.try_get("meta_verify_token")?,
            row.try_get("waha_api_key")?,
            row.try_get("waha_hmac_key")?,
        ],
        version: row.try_get("version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

impl Stored {
    fn view(&self, key: &SealingSecretKey) -> BotSettingsView {
        // An hq_admin recognises a secret by its last characters; one that
        // no longer opens (another key file) still shows as set.
        let shown = |secret: Secret| {
            self.sealed[secret as usize].as_deref().map(|sealed| {
                key.open(&secret.sealing_label(), sealed)
                    .map(|plain| mask(&plain))
                    .unwrap_or_else(|_| "••••".to_owned())
            })
        };
        BotSettingsView {
            enabled: self.enabled,
            business_name: self.business_name.clone(),
            public_url: self.public_url.clone(),
            radius_km: self.radius_km,
            greeting: self.greeting.clone(),
            meta_app_secret: shown(Secret::MetaAppSecret),
            meta_verify_token: shown(Secret::MetaVerifyToken),
            waha_api_key: shown(Secret::WahaApiKey),
            waha_hmac_key: shown(Secret::WahaHmacKey),
            version: self.version,
            updated_at: self.updated_at,
        }
    }

    fn opened(&self, key: &SealingSecretKey) -> BotConfig {
        // A secret sealed to another key opens as "not set": the webhook
        // it guards then refuses every call rather than accepting any.
        let open = |secret: Secret| {
            self.sealed[secret as usize]
                .as_deref()
                .and_then(|sealed| key.open(&secret.sealing_label(), sealed).ok())
        };
        BotConfig {
            enabled: self.enabled,
            business_name: self.business_name.clone(),
            public_url: self.public_url.clone(),
            radius_km: self.radius_km,
            greeting: self.greeting.clone(),
            meta_app_secret: open(Secret::MetaAppSecret),
            meta_verify_token: open(Secret::MetaVerifyToken),
            waha_api_key: open(Secret::WahaApiKey),
            waha_hmac_key: open(Secret::WahaHmacKey),
        }
    }
}

/// The settings, secrets masked.
pub async fn get(pool: &PgPool, key: &SealingSecretKey) -> Result<BotSettingsView> {
    Ok(read(&mut *pool.acquire().await?).await?.view(key))
}

/// How head office shows itself to a customer who books online.
pub struct PublicFace {
    /// The business's name ("Loket" until named).
    pub business_name: String,
    /// Head office's address as customers reach it, if an hq_admin set it.
    pub public_url: Option<String>,
}

/// The booking page's [`PublicFace`], in one read.
pub async fn public_face(pool: &PgPool) -> Result<PublicFace> {
    let row: Option<(Option<String>, Option<String>)> =
        sqlx::query_as("SELECT business_name, public_url FROM bot_settings WHERE id")
            .fetch_optional(pool)
            .await?;
    let (business_name, public_url) = row.unwrap_or_default();
    Ok(PublicFace {
        business_name: business_name
            .unwrap_or_else(|| loket::bot::BotSettings::default().business_name),
        public_url,
    })
}

/// The settings, secrets opened, for the webhooks.
pub async fn config(pool: &PgPool, key: &SealingSecretKey) -> Result<BotConfig> {
    Ok(read(&mut *pool.acquire().await?).await?.opened(key))
}

/// What a `PUT` changes: each field given (`null` clears the greeting or a
/// secret); the others stay.
#[derive(Debug, Default, PartialEq)]
struct Edit {
    enabled: Option<bool>,
    business_name: Option<Option<String>>,
    public_url: Option<Option<String>>,
    radius_km: Option<f64>,
    greeting: Option<Option<String>>,
    secrets: Vec<(Secret, Option<String>)>,
}

fn parse_edit(input: Value) -> Result<Edit> {
    let Value::Object(fields) = input else {
        return Err(HqError::validation("body", "must be a JSON object"));
    };
    let mut edit = Edit::default();
    for (name, value) in fields {
        match name.as_str() {
            "enabled" => {
                edit.enabled = Some(
                    value
                        .as_bool()
                        .ok_or_else(|| HqError::validation("enabled", "must be true or false"))?,
                )
            }
            "radius_km" => {
                let radius = value
                    .as_f64()
                    .ok_or_else(|| HqError::validation("radius_km", "must be a number"))?;
                if !(radius > 0.0 && radius <= MAX_RADIUS_KM) {
                    return Err(HqError::validation(
                        "radius_km",
                        format!("must be above 0 and at most {MAX_RADIUS_KM} km"),
                    ));
                }
                edit.radius_km = Some(radius);
            }
            "greeting" => edit.greeting = Some(text("greeting", &value, MAX_GREETING)?),
            "business_name" => {
                edit.business_name = Some(text("business_name", &value, MAX_BUSINESS_NAME)?)
            }
            "public_url" => {
                let url = text("public_url", &value, MAX_PUBLIC_URL)?;
                if let Some(u) = &url
                    && (!(u.starts_with("https://") || u.starts_with("http://"))
                        || u.contains(char::is_whitespace))
                {
                    return Err(HqError::validation(
                        "public_url",
                        "must be a link such as https://booking.example.com",
                    ));
                }
                edit.public_url = Some(url.map(|u| u.trim_end_matches('/').to_owned()));
            }
            other => {
                let secret = Secret::ALL
                    .into_iter()
                    .find(|s| s.field() == other)
                    .ok_or_else(|| HqError::validation(other, "is not a bot setting"))?;
                edit.secrets
                    .push((secret, text(secret.field(), &value, MAX_SECRET)?));
            }
        }
    }
    Ok(edit)
}

/// A text setting: a string (trimmed; empty clears it, as `null` does) of
/// at most `max` characters, without control characters.
fn text(field: &str, value: &Value, max: usize) -> Result<Option<String>> {
    let text = match value {
        Value::Null => return Ok(None),
        Value::String(s) => s.trim(),
        _ => return Err(HqError::validation(field, "must be a string or null")),
    };
    if text.is_empty() {
        return Ok(None);
    }
    if text.chars().count() > max {
        return Err(HqError::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    // The greeting may span lines; a secret is one line.
    let allowed = |c: char| !c.is_control() || (field == "greeting" && c == '\n');
    if !text.chars().all(allowed) {
        return Err(HqError::validation(
            field,
            "must not contain control characters",
        ));
    }
    Ok(Some(text.to_owned()))
}

/// Applies an `hq_admin`'s change; answers the settings, secrets masked.
pub async fn update(
    pool: &PgPool,
    key: &SealingSecretKey,
    by: &HqUser,
    input: Value,
) -> Result<BotSettingsView> {
    let edit = parse_edit(input)?;
    let public = key.public_key();
    let mut tx = pool.begin().await?;
    // The first save has no row to lock: two at once would each start from
    // the defaults and the second would undo the first. A lock of its own
    // serialises every save instead.
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('loket-bot-settings', 0))")
        .execute(&mut *tx)
        .await?;
    let mut stored = read(&mut tx).await?;
    if let Some(enabled) = edit.enabled {
        stored.enabled = enabled;
    }
    if let Some(radius) = edit.radius_km {
        stored.radius_km = radius;
    }
    if let Some(greeting) = edit.greeting {
        stored.greeting = greeting;
    }
    if let Some(name) = edit.business_name {
        stored.business_name = name;
    }
    if let Some(url) = edit.public_url {
        stored.public_url = url;
    }
    for (secret, plain) in edit.secrets {
        stored.sealed[secret as usize] = plain
            .map(|p| public.seal(&secret.sealing_label(), &p))
            .transpose()?;
    }
    stored.version += 1;
    let now = Utc::now();
    stored.updated_at = Some(now);
    let [
        meta_app_secret,
        meta_verify_token,
        waha_api_key,
        waha_hmac_key,
    ] = &stored.sealed;
    sqlx::query(
        "INSERT INTO bot_settings (id, enabled, radius_km, greeting, meta_app_secret,
                                   meta_verify_token, waha_api_key, waha_hmac_key, version,
                                   updated_at, updated_by, business_name, public_url)
         VALUES (true, $1, $2, $3, $4, $5, $6, $10, $7, $8, $9, $11, $12)
         ON CONFLICT (id) DO UPDATE SET enabled = excluded.enabled,
             radius_km = excluded.radius_km, greeting = excluded.greeting,
             meta_app_secret = excluded.meta_app_secret,
             meta_verify_token = excluded.meta_verify_token,
             waha_api_key = excluded.waha_api_key, waha_hmac_key = excluded.waha_hmac_key,
             version = excluded.version, business_name = excluded.business_name,
             public_url = excluded.public_url,
             updated_at = excluded.updated_at, updated_by = excluded.updated_by",
    )
    .bind(stored.enabled)
    .bind(stored.radius_km)
    .bind(&stored.greeting)
    .bind(meta_app_secret)
    .bind(meta_verify_token)
    .bind(waha_api_key)
    .bind(stored.version)
    .bind(now)
    .bind(by.id)
    .bind(waha_hmac_key)
    .bind(&stored.business_name)
    .bind(&stored.public_url)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(stored.view(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field_of(input: Value) -> String {
        match parse_edit(input) {
            Err(HqError::Validation { field, .. }) => field,
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn bad_input_names_its_field() {
        assert_eq!(field_of(json!({"radius_km": 0})), "radius_km");
        assert_eq!(field_of(json!({"radius_km": 501})), "radius_km");
        assert_eq!(field_of(json!({"radius_km": "dekat"})), "radius_km");
        assert_eq!(field_of(json!({"enabled": "ya"})), "enabled");
        assert_eq!(field_of(json!({"waha_api_key": 42})), "waha_api_key");
        assert_eq!(
            field_of(json!({"meta_app_secret": "a\u{0}b"})),
            "meta_app_secret"
        );
        assert_eq!(field_of(json!({"colour": "red"})), "colour");
        assert_eq!(field_of(json!([])), "body");
    }

    #[test]
    fn every_name_is_taken_and_empty_clears() {
        let all = json!({"enabled": true, "business_name": "Salon Ayu", "radius_km": 5, "greeting": null,
            "meta_app_secret": "s", "meta_verify_token": "t", "waha_api_key": "k",
            "waha_hmac_key": "h"});
        let edit = parse_edit(all).expect("all names");
        assert_eq!(edit.greeting, Some(None));
        assert_eq!(edit.secrets.len(), 4);
        let edit = parse_edit(json!({"greeting": "  ", "radius_km": 10})).expect("edit");
        assert_eq!(edit.greeting, Some(None));
        assert_eq!(edit.radius_km, Some(10.0));
    }
}
