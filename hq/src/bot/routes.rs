//! The bot's routes, mounted by `http` from its one list: the settings
//! (`/api/v1/settings/bot`, `hq_admin` only) and the gateways' webhooks
//! (`/webhooks/meta`, `/webhooks/waha`), which no login guards: Meta's
//! signature and WAHA's key do. While the bot is off, a webhook answers
//! 200 and does nothing (a gateway retries an error for hours).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sqlx::PgPool;

use loket::kernel::error::ErrorBody;
use loket::kernel::sealing::SealingSecretKey;

use crate::bot::settings::{self, BotConfig};
use crate::bot::webhooks::{self, InboundMessage};
use crate::bot::{Handled, handle};
use crate::error::{HqError, Result};
use crate::users;

/// The bot's settings, secrets masked (`hq_admin`).
#[utoipa::path(get, path = "/api/v1/settings/bot", tag = "bot", security(("bearer" = [])),
    responses((status = 200, description = "`{enabled, business_name, public_url, radius_km, greeting, meta_app_secret, meta_verify_token, waha_api_key, waha_hmac_key, version, updated_at}`, each secret masked (`••••abcd`) or null"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin sees the bot's settings", body = ErrorBody)))]
pub async fn get_bot_settings(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
) -> Result<Response> {
    users::authenticate(&pool, &headers)
        .await?
        .require_admin("see the bot's settings")?;
    Ok(Json(settings::get(&pool, &sealing).await?).into_response())
}

/// Changes the bot's settings (only those given; `null` clears the
/// greeting or a secret). Secrets are write-only: sealed at rest, masked in
/// the answer (`hq_admin`).
#[utoipa::path(put, path = "/api/v1/settings/bot", tag = "bot", security(("bearer" = [])),
    request_body(content_type = "application/json", description = "any of `{enabled, business_name, public_url, radius_km, greeting, meta_app_secret, meta_verify_token, waha_api_key, waha_hmac_key}`"),
    responses((status = 200, description = "the settings, secrets masked"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin changes the bot's settings", body = ErrorBody),
        (status = 422, description = "a bad setting, named", body = ErrorBody)))]
pub async fn put_bot_settings(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let user = users::authenticate(&pool, &headers).await?;
    user.require_admin("change the bot's settings")?;
    let input: Value = serde_json::from_slice(&bytes)
        .map_err(|e| HqError::BadRequest(format!("the body is not JSON: {e}")))?;
    let saved = settings::update(&pool, &sealing, &user, input).await?;
    Ok(Json(saved).into_response())
}

/// Meta's subscription handshake: the challenge back, as plain text, when
/// the verify token is the one configured.
#[utoipa::path(get, path = "/webhooks/meta", tag = "bot",
    params(("hub.mode" = String, Query, description = "subscribe"),
        ("hub.verify_token" = String, Query, description = "the configured meta_verify_token"),
        ("hub.challenge" = String, Query, description = "answered back")),
    responses((status = 200, description = "the challenge", content_type = "text/plain"),
        (status = 403, description = "not the configured verify token", body = ErrorBody)))]
pub async fn meta_verify(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    query: RawQuery,
) -> Result<Response> {
    let params: HashMap<String, String> =
        serde_urlencoded::from_str(query.0.as_deref().unwrap_or_default())
            .map_err(|e| HqError::BadRequest(format!("the query cannot be read: {e}")))?;
    let param = |name: &str| params.get(name).map(String::as_str);
    let config = settings::config(&pool, &sealing).await?;
    // The handshake works whether the bot is on or off: Meta asks for it
    // when the webhook is set up, before the bot is switched on.
    let matches = match (
        config.meta_verify_token.as_deref(),
        param("hub.verify_token"),
    ) {
        (Some(stored), Some(given)) => webhooks::same_secret(given, stored),
        _ => false,
    };
    if param("hub.mode") != Some("subscribe") || !matches {
        return Err(HqError::Refused(
            "not the verify token configured for the Meta webhook",
        ));
    }
    let challenge = param("hub.challenge").unwrap_or_default().to_owned();
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        challenge,
    )
        .into_response())
}

/// Meta Cloud API webhook: the customer messages in it, each handled once
/// (by its `wamid`), after `X-Hub-Signature-256` (HMAC-SHA256 of the raw
/// body with `meta_app_secret`) is checked.
#[utoipa::path(post, path = "/webhooks/meta", tag = "bot",
    params(("X-Hub-Signature-256" = String, Header, description = "sha256=<hex HMAC-SHA256 of the raw body>")),
    request_body(content_type = "application/json", description = "Meta's `{object, entry[].changes[].value.messages[]}`"),
    responses((status = 200, description = "`{status, handled, duplicates}`"),
        (status = 400, description = "signed, but not JSON", body = ErrorBody),
        (status = 401, description = "a missing or wrong signature: nothing was done", body = ErrorBody)))]
pub async fn meta_receive(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let config = settings::config(&pool, &sealing).await?;
    if !config.enabled {
        return Ok(disabled());
    }
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok());
    let signed = config
        .meta_app_secret
        .as_deref()
        .is_some_and(|secret| webhooks::meta_signature_valid(secret, &bytes, signature));
    if !signed {
        return Err(HqError::Unauthorized(
            "X-Hub-Signature-256 is missing or is not this body's signature with the app secret",
        ));
    }
    let body = json_body(&bytes)?;
    crate::outbox::record_statuses(&pool, &webhooks::meta_statuses(&body)).await?;
    handle_all(&pool, &config, webhooks::meta_messages(&body)).await
}

/// WAHA webhook: a `message` event from a customer, handled once (by its
/// message id). With `waha_hmac_key` set, WAHA's `X-Webhook-Hmac`
/// (HMAC-SHA512 of the raw body) is required; otherwise `X-Api-Key` is
/// checked against `waha_api_key`.
#[utoipa::path(post, path = "/webhooks/waha", tag = "bot",
    params(("X-Api-Key" = Option<String>, Header, description = "the configured waha_api_key (when no waha_hmac_key is set)"),
        ("X-Webhook-Hmac" = Option<String>, Header, description = "hex HMAC-SHA512 of the raw body with waha_hmac_key (required when it is set)")),
    request_body(content_type = "application/json", description = "WAHA's `{event, payload: {id, from, body, location?}}`"),
    responses((status = 200, description = "`{status, handled, duplicates}`"),
        (status = 400, description = "not JSON", body = ErrorBody),
        (status = 401, description = "a missing or wrong key or signature: nothing was done", body = ErrorBody)))]
pub async fn waha_receive(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let config = settings::config(&pool, &sealing).await?;
    if !config.enabled {
        return Ok(disabled());
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let authenticated = match (
        config.waha_hmac_key.as_deref(),
        config.waha_api_key.as_deref(),
    ) {
        (Some(key), _) => webhooks::waha_signature_valid(key, &bytes, header("x-webhook-hmac")),
        (None, Some(stored)) => {
            header("x-api-key").is_some_and(|given| webhooks::same_secret(given, stored))
        }
        (None, None) => false,
    };
    if !authenticated {
        return Err(HqError::Unauthorized(
            "X-Webhook-Hmac (or, without an HMAC key, X-Api-Key) is missing or wrong for WAHA",
        ));
    }
    let body = json_body(&bytes)?;
    handle_all(
        &pool,
        &config,
        webhooks::waha_message(&body).into_iter().collect(),
    )
    .await
}

/// The request body as JSON, or a 400 saying why not.
pub(crate) fn json_body(bytes: &Bytes) -> Result<Value> {
    serde_json::from_slice(bytes)
        .map_err(|e| HqError::BadRequest(format!("the body is not JSON: {e}")))
}

fn disabled() -> Response {
    (StatusCode::OK, Json(json!({"status": "disabled"}))).into_response()
}

/// Handles the messages in order, each in its own transaction. An error
/// answers 500, so the gateway retries: the messages handled before it are
/// then found handled and skipped.
async fn handle_all(
    pool: &PgPool,
    config: &BotConfig,
    messages: Vec<InboundMessage>,
) -> Result<Response> {
    let conversation_settings = config.conversation_settings();
    let (mut handled, mut duplicates) = (0, 0);
    for message in &messages {
        match handle(pool, &conversation_settings, message).await? {
            Handled::Replied(_) => handled += 1,
            Handled::Duplicate => duplicates += 1,
        }
    }
    Ok(Json(json!({"status": "ok", "handled": handled, "duplicates": duplicates})).into_response())
}
