//! The booking page's API, `/public/v1/…`: no login. Mounted by `http`
//! from its one list; the rules live in `online`.

use std::net::SocketAddr;

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use sqlx::PgPool;

use loket::kernel::error::ErrorBody;
use loket::kernel::types::{Language, ServiceId};

use crate::error::{HqError, Result};
use crate::online::lookup::{self, OwnBooking, Verified};
use crate::online::{
    self, BookingRequest, BookingState, Proof, PublicBranch, PublicService, PublicSlot,
};
use crate::query::Params;

/// The branches customers can book at, by name.
#[utoipa::path(get, path = "/public/v1/branches", tag = "public",
    responses((status = 200, description = "every branch that is not revoked", body = Vec<PublicBranch>)))]
pub async fn public_branches(State(pool): State<PgPool>) -> Result<Response> {
    Ok(Json(online::branches(&pool).await?).into_response())
}

/// A branch's active services, with price and duration.
#[utoipa::path(get, path = "/public/v1/services", tag = "public",
    params(("branch_id" = uuid::Uuid, Query)),
    responses((status = 200, description = "the branch's services", body = Vec<PublicService>),
        (status = 422, description = "a missing or bad parameter, named", body = ErrorBody)))]
pub async fn public_services(State(pool): State<PgPool>, query: RawQuery) -> Result<Response> {
    let params = Params::parse(query, &["branch_id"])?;
    let branch_id = params
        .uuid("branch_id")?
        .ok_or_else(|| HqError::validation("branch_id", "is required"))?;
    Ok(Json(online::services(&pool, branch_id).await?).into_response())
}

/// The free times of a branch's service on one day (the business time
/// zone): times only.
#[utoipa::path(get, path = "/public/v1/slots", tag = "public",
    params(("branch_id" = uuid::Uuid, Query), ("service_id" = String, Query),
        ("date" = String, Query, description = "YYYY-MM-DD")),
    responses((status = 200, description = "free slots, earliest first", body = Vec<PublicSlot>),
        (status = 422, description = "a missing or bad parameter, named", body = ErrorBody)))]
pub async fn public_slots(State(pool): State<PgPool>, query: RawQuery) -> Result<Response> {
    let params = Params::parse(query, &["branch_id", "service_id", "date"])?;
    let required = |field: &'static str| HqError::validation(field, "is required");
    let branch_id = params
        .uuid("branch_id")?
        .ok_or_else(|| required("branch_id"))?;
    let service_id = params
        .text("service_id")
        .ok_or_else(|| required("service_id"))?
        .parse::<ServiceId>()
        .map_err(|_| HqError::validation("service_id", "is not a service"))?;
    let date = params.date("date")?.ok_or_else(|| required("date"))?;
    let slots = online::free_slots(&pool, branch_id, service_id, date, Utc::now()).await?;
    Ok(Json(slots).into_response())
}

/// Books a free time, awaiting the customer's confirmation from WhatsApp
/// ("YA" to the message it sends, or its link) within 30 minutes.
#[utoipa::path(post, path = "/public/v1/bookings", tag = "public",
    request_body(content_type = "application/json", description = "`{slot_id, customer: {name, gender (male|female), phone, email?, address}, notes?, language? (id|en)}`"),
    responses((status = 201, description = "`{code, status: awaiting_confirmation, confirm_by, service, starts_at}`", body = BookingState),
        (status = 409, description = "the time was just taken", body = ErrorBody),
        (status = 422, description = "a bad field, named (`customer.phone`, …)", body = ErrorBody),
        (status = 429, description = "too many unconfirmed bookings for the phone, or requests from the address", body = ErrorBody)))]
pub async fn public_book(
    State(pool): State<PgPool>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    bytes: Bytes,
) -> Result<Response> {
    let request: BookingRequest = crate::http::body(&bytes)?;
    let address = peer.map(|Extension(ConnectInfo(a))| a.ip());
    let face = crate::bot::settings::public_face(&pool).await?;
    let state = online::create(&pool, request, address, &face, Utc::now()).await?;
    Ok((StatusCode::CREATED, Json(state)).into_response())
}

/// A token the page holds: the confirmation link's, or the one
/// [`public_lookup_verify`] gave.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenInput {
    token: String,
}

/// Confirms a booking with the token from its WhatsApp message's link.
#[utoipa::path(post, path = "/public/v1/bookings/{code}/confirm", tag = "public",
    params(("code" = String, Path)),
    request_body(content_type = "application/json", description = "`{token}`"),
    responses((status = 200, description = "`{code, status: confirmed, …}`", body = BookingState),
        (status = 404, description = "no booking awaiting confirmation with this code and token", body = ErrorBody),
        (status = 409, description = "the time to confirm has passed", body = ErrorBody)))]
pub async fn public_confirm(
    State(pool): State<PgPool>,
    Path(code): Path<String>,
    bytes: Bytes,
) -> Result<Response> {
    let input: TokenInput = crate::http::body(&bytes)?;
    let mut tx = pool.begin().await?;
    let state = online::confirm(
        &mut tx,
        Proof::Token {
            code: &code,
            token: &input.token,
        },
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    Ok(Json(state).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LookupInput {
    code: String,
    phone: String,
    #[serde(default)]
    language: Option<Language>,
}

/// Sends six digits to the phone's WhatsApp if the code is one of its
/// bookings; the same answer either way.
#[utoipa::path(post, path = "/public/v1/lookup", tag = "public",
    request_body(content_type = "application/json", description = "`{code, phone, language? (id|en)}`"),
    responses((status = 202, description = "`{sent: true}`: a code went to the phone if the booking is its"),
        (status = 422, description = "a bad field, named", body = ErrorBody),
        (status = 429, description = "three codes asked for this phone in ten minutes", body = ErrorBody)))]
pub async fn public_lookup(State(pool): State<PgPool>, bytes: Bytes) -> Result<Response> {
    let input: LookupInput = crate::http::body(&bytes)?;
    let language = input.language.unwrap_or(Language::Id);
    lookup::request_code(&pool, &input.code, &input.phone, language, Utc::now()).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({"sent": true})),
    )
        .into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyInput {
    code: String,
    phone: String,
    otp: String,
}

/// The six digits: right, the booking and a token to cancel it with.
#[utoipa::path(post, path = "/public/v1/lookup/verify", tag = "public",
    request_body(content_type = "application/json", description = "`{code, phone, otp}`"),
    responses((status = 200, description = "`{token, booking}`", body = Verified),
        (status = 422, description = "`otp` wrong or expired", body = ErrorBody),
        (status = 429, description = "five wrong codes: ask for a new one", body = ErrorBody)))]
pub async fn public_lookup_verify(State(pool): State<PgPool>, bytes: Bytes) -> Result<Response> {
    let input: VerifyInput = crate::http::body(&bytes)?;
    let verified = lookup::verify(&pool, &input.code, &input.phone, &input.otp, Utc::now()).await?;
    Ok(Json(verified).into_response())
}

/// Cancels one's own booking with the token [`public_lookup_verify`] gave,
/// while the studio has not confirmed it.
#[utoipa::path(post, path = "/public/v1/bookings/{code}/cancel", tag = "public",
    params(("code" = String, Path)),
    request_body(content_type = "application/json", description = "`{token}`"),
    responses((status = 200, description = "the booking, canceled", body = OwnBooking),
        (status = 401, description = "no or an old token: verify the phone again", body = ErrorBody),
        (status = 409, description = "the studio has confirmed it", body = ErrorBody)))]
pub async fn public_cancel(
    State(pool): State<PgPool>,
    Path(code): Path<String>,
    bytes: Bytes,
) -> Result<Response> {
    let input: TokenInput = crate::http::body(&bytes)?;
    Ok(Json(lookup::cancel(&pool, &code, &input.token, Utc::now()).await?).into_response())
}
