//! Routes: the sync endpoints for branches (`/sync/v1/…`, protocol header +
//! branch token) and the head-office API for people (`/api/v1/…`, login
//! token). Handlers only translate; the rules live in their modules.

use axum::body::Bytes;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sqlx::PgPool;

use loket::sync::protocol::{Hello, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest};

use crate::error::{HqError, Result};
use crate::{branches, sealed, services, sync_pull, sync_push, users};
use loket::kernel::sealing::SealingSecretKey;

/// A push of 1,000 changes with full rows stays well under this.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// `sealing`: head office's secret key, which opens the KTP and NPWP
/// branches send sealed (see `sealed`).
pub fn router(pool: PgPool, sealing: Arc<SealingSecretKey>) -> Router {
    Router::new()
        .route("/sync/v1/hello", get(hello))
        .route("/sync/v1/push", post(push))
        .route("/sync/v1/pull", get(pull))
        .route("/api/v1/auth/login", post(login))
        .route("/api/v1/services", get(list_services).post(create_service))
        .route("/api/v1/branches", get(list_branches))
        .route(
            "/api/v1/branches/{branch_id}/customers/{customer_id}/identity",
            get(customer_identity),
        )
        .fallback(|| async { HqError::NotFound { entity: "route" } })
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(Extension(sealing))
        .with_state(pool)
}

/// The protocol check comes first: a branch on another version is told to
/// update Loket whatever else it sent, and nothing is applied.
fn check_protocol(headers: &HeaderMap) -> Result<()> {
    let sent = headers
        .get(PROTOCOL_HEADER)
        .map(|v| v.to_str().unwrap_or("?").trim().to_owned());
    match sent {
        Some(v) if v == PROTOCOL_VERSION.to_string() => Ok(()),
        Some(v) => Err(HqError::Protocol { sent: v }),
        None => Err(HqError::Protocol {
            sent: "no version".into(),
        }),
    }
}

fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| HqError::BadRequest(format!("the body is not JSON: {e}")))?;
    loket::kernel::ops::from_json(value).map_err(HqError::from)
}

async fn hello(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
) -> Result<Json<Hello>> {
    check_protocol(&headers)?;
    let branch = branches::authenticate(&pool, &headers).await?;
    Ok(Json(Hello {
        branch_id: branch.id,
        branch_name: branch.name,
        protocol: PROTOCOL_VERSION,
        sealing_key: Some(sealing.public_key().to_base64()),
    }))
}

/// The body as sent, inflated when it came gzipped (`Content-Encoding:
/// gzip`), never to more than [`BODY_LIMIT`] bytes (a small gzip can
/// inflate to gigabytes).
fn inflate(headers: &HeaderMap, bytes: Bytes) -> Result<Bytes> {
    use std::io::Read;
    let encoding = headers
        .get(axum::http::header::CONTENT_ENCODING)
        .map(|v| v.to_str().unwrap_or("?").trim().to_ascii_lowercase());
    match encoding.as_deref() {
        None | Some("identity") => Ok(bytes),
        Some("gzip") => {
            let mut out = Vec::new();
            flate2::read::GzDecoder::new(&bytes[..])
                .take(BODY_LIMIT as u64 + 1)
                .read_to_end(&mut out)
                .map_err(|e| HqError::BadRequest(format!("the gzip body cannot be read: {e}")))?;
            if out.len() > BODY_LIMIT {
                return Err(HqError::BadRequest(format!(
                    "the body inflates to more than {BODY_LIMIT} bytes"
                )));
            }
            Ok(out.into())
        }
        Some(other) => Err(HqError::BadRequest(format!(
            "Content-Encoding {other} is not accepted (gzip is)"
        ))),
    }
}

async fn push(State(pool): State<PgPool>, headers: HeaderMap, bytes: Bytes) -> Result<Response> {
    check_protocol(&headers)?;
    let branch = branches::authenticate(&pool, &headers).await?;
    let request: PushRequest = body(&inflate(&headers, bytes)?)?;
    let answer = sync_push::push(&pool, &branch, request).await?;
    Ok(Json(answer).into_response())
}

#[derive(Deserialize)]
struct PullQuery {
    after: Option<i64>,
    limit: Option<u32>,
}

async fn pull(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: std::result::Result<Query<PullQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response> {
    check_protocol(&headers)?;
    let branch = branches::authenticate(&pool, &headers).await?;
    let Query(q) = query.map_err(|e| HqError::validation("query", e.body_text()))?;
    let page = sync_pull::pull(&pool, &branch, q.after.unwrap_or(0), q.limit).await?;
    Ok(Json(page).into_response())
}

#[derive(Deserialize)]
struct LoginInput {
    username: String,
    password: String,
}

async fn login(State(pool): State<PgPool>, bytes: Bytes) -> Result<Response> {
    let input: LoginInput = body(&bytes)?;
    let session = users::login(&pool, &input.username, input.password).await?;
    Ok(Json(session).into_response())
}

async fn list_services(State(pool): State<PgPool>, headers: HeaderMap) -> Result<Response> {
    users::authenticate(&pool, &headers).await?;
    let data = services::list(&pool).await?;
    Ok(Json(json!({"data": data})).into_response())
}

async fn create_service(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    users::authenticate(&pool, &headers)
        .await?
        .require_admin("change the service catalogue")?;
    let input: Value = serde_json::from_slice(&bytes)
        .map_err(|e| HqError::BadRequest(format!("the body is not JSON: {e}")))?;
    let service = services::create(&pool, input).await?;
    Ok((StatusCode::CREATED, Json(service)).into_response())
}

async fn list_branches(State(pool): State<PgPool>, headers: HeaderMap) -> Result<Response> {
    users::authenticate(&pool, &headers).await?;
    let data = branches::list(&pool).await?;
    Ok(Json(json!({"data": data})).into_response())
}

/// A branch customer's KTP and NPWP, opened: `hq_admin` only.
async fn customer_identity(
    State(pool): State<PgPool>,
    Extension(sealing): Extension<Arc<SealingSecretKey>>,
    headers: HeaderMap,
    path: std::result::Result<Path<(String, String)>, axum::extract::rejection::PathRejection>,
) -> Result<Response> {
    users::authenticate(&pool, &headers)
        .await?
        .require_admin("see KTP and NPWP numbers")?;
    let Path((branch_id, customer_id)) =
        path.map_err(|e| HqError::validation("path", e.body_text()))?;
    let branch_id = uuid::Uuid::parse_str(&branch_id)
        .map_err(|_| HqError::validation("branch_id", "must be a UUID"))?;
    let identity = sealed::identity(&pool, &sealing, branch_id, &customer_id).await?;
    Ok(Json(identity).into_response())
}
