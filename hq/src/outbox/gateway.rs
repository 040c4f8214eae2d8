//! Head office's WhatsApp gateway (`PUT`/`GET /api/v1/settings/gateway`,
//! `hq_admin` only): the desk's settings, body and rules
//! (`loket::messaging::gateway::UpdateGateway::apply`), kept as the desk
//! keeps them but with the token sealed to head office's public key, so a
//! copy of the database opens none of it. Saving lifts a pause caused by
//! refused credentials and lets waiting replies go at once.

use std::sync::Arc;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use sqlx::{PgConnection, PgPool};

use loket::kernel::error::ErrorBody;
use loket::kernel::sealing::SealingSecretKey;
use loket::messaging::gateway::{GatewayConfig, GatewaySettings, StoredGateway, UpdateGateway};

use crate::error::Result;
use crate::users;

/// The label the token is sealed under (sealed inside the value, so a
/// sealed secret cannot be moved to another field).
const TOKEN: &str = "gateway.token";

async fn read(conn: &mut PgConnection) -> Result<StoredGateway> {
    let stored: Option<sqlx::types::Json<StoredGateway>> =
        sqlx::query_scalar("SELECT stored FROM gateway_settings WHERE id")
            .fetch_optional(conn)
            .await?;
    Ok(stored.map(|s| s.0).unwrap_or_default())
}

async fn write(
    conn: &mut PgConnection,
    stored: &StoredGateway,
    by: Option<uuid::Uuid>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO gateway_settings (id, stored, version, updated_at, updated_by)
         VALUES (true, $1, 1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET stored = excluded.stored,
             version = gateway_settings.version + 1, updated_at = excluded.updated_at,
             updated_by = coalesce(excluded.updated_by, gateway_settings.updated_by)",
    )
    .bind(sqlx::types::Json(stored))
    .bind(Utc::now())
    .bind(by)
    .execute(conn)
    .await?;
    Ok(())
}

/// The token opened; `Err(())` when one is stored that this key cannot open.
fn open_token(
    stored: &StoredGateway,
    key: &SealingSecretKey,
) -> std::result::Result<Option<String>, ()> {
    stored
        .token_sealed()
        .map(|sealed| key.open(TOKEN, sealed).map_err(|_| ()))
        .transpose()
}

/// The gateway as the sender uses it, or why it cannot send now (the
/// credentials were refused, or the token was sealed to another key).
pub async fn config(
    conn: &mut PgConnection,
    key: &SealingSecretKey,
) -> Result<std::result::Result<GatewayConfig, String>> {
    let stored = read(conn).await?;
    if let Some(error) = stored.auth_error() {
        return Ok(Err(error.to_owned()));
    }
    Ok(match open_token(&stored, key) {
        Ok(token) => Ok(stored.config(token)),
        Err(()) => Err(
            "the gateway token was sealed to another key file: an hq_admin must enter it again"
                .to_owned(),
        ),
    })
}

/// Pauses sending: the gateway refused the credentials.
pub async fn pause(pool: &PgPool, error: &str) -> Result<()> {
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let mut stored = read(&mut tx).await?;
    stored.set_auth_error(Some(error));
    write(&mut tx, &stored, None).await?;
    tx.commit().await?;
    Ok(())
}

/// Every change of the settings takes turns (the first has no row to lock).
async fn lock(conn: &mut PgConnection) -> Result<()> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended('loket-gateway-settings', 0))")
        .execute(conn)
        .await?;
    Ok(())
}

/// Head office's gateway, the token masked (`hq_admin`).
#[utoipa::path(get, path = "/api/v1/settings/gateway", tag = "bot", security(("bearer" = [])),
    responses((status = 200, description = "the desk's `GatewaySettings`: `{kind, base_url, token (masked), phone_number_id, api_version, session, timeout_secs, templates, auth_error, token_unavailable}`"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin sees the gateway", body = ErrorBody)))]
pub async fn get_gateway_settings(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
) -> Result<Response> {
    users::authenticate(&pool, &headers)
        .await?
        .require_admin("see the gateway settings")?;
    let stored = read(&mut *pool.acquire().await?).await?;
    let view: GatewaySettings = stored.view(open_token(&stored, &sealing));
    Ok(Json(view).into_response())
}

/// Changes head office's gateway with the desk's body and rules (only what
/// is given; the token is kept when left out, `null` removes it). The token
/// is write-only: sealed at rest, masked in the answer (`hq_admin`).
#[utoipa::path(put, path = "/api/v1/settings/gateway", tag = "bot", security(("bearer" = [])),
    request_body(content_type = "application/json", description = "any of `{kind: meta|waha|fonnte|log, base_url, token, phone_number_id, api_version, session, timeout_secs, templates}`"),
    responses((status = 200, description = "the settings, the token masked"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin changes the gateway", body = ErrorBody),
        (status = 422, description = "a bad setting, named", body = ErrorBody)))]
pub async fn put_gateway_settings(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let user = users::authenticate(&pool, &headers).await?;
    user.require_admin("change the gateway settings")?;
    let update: UpdateGateway =
        loket::kernel::ops::from_json(crate::bot::routes::json_body(&bytes)?)?;
    let public = sealing.public_key();
    let mut tx = pool.begin().await?;
    lock(&mut tx).await?;
    let mut stored = read(&mut tx).await?;
    update.apply(&mut stored, &|token| public.seal(TOKEN, token))?;
    write(&mut tx, &stored, Some(user.id)).await?;
    // New settings: what waits for a retry may go now.
    sqlx::query("UPDATE hq_outbox SET next_attempt_at = now() WHERE status = 'queued' AND next_attempt_at > now()")
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Json(stored.view(open_token(&stored, &sealing))).into_response())
}
