//! Routes: the sync endpoints for branches (`/sync/v1/…`, protocol header +
//! branch token) and the head-office API for people (`/api/v1/…`, login
//! token). Handlers only translate; the rules live in their modules.
//!
//! Routes and the OpenAPI document come from one list ([`routes`]): each
//! handler is described by `#[utoipa::path]`, and is mounted at the path
//! and method its description names, so the document lists every route.

use std::sync::LazyLock;

use axum::body::Bytes;
use std::sync::Arc;

use axum::Extension;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, RawQuery, State};
use axum::handler::Handler;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sqlx::PgPool;
use std::net::SocketAddr;
use utoipa::openapi::OpenApi;
use utoipa::openapi::path::HttpMethod;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use loket::kernel::error::ErrorBody;
use loket::kernel::types::{Page, Paging};
use loket::sync::protocol::{Hello, PROTOCOL_HEADER, PROTOCOL_VERSION, PushRequest};

use crate::bookings::HqBooking;
use crate::outbox::gateway::{
    __path_get_gateway_settings, __path_put_gateway_settings, get_gateway_settings,
    put_gateway_settings,
};
// The bot's handlers and their descriptions (`__path_…`, for the document).
use crate::bot::routes::{
    __path_get_bot_settings, __path_meta_receive, __path_meta_verify, __path_put_bot_settings,
    __path_waha_receive, get_bot_settings, meta_receive, meta_verify, put_bot_settings,
    waha_receive,
};
use crate::branches::BranchState;
use crate::customers::{MasterCustomer, Search};
use crate::error::{HqError, Result};
use crate::query::{Format, Params};
use crate::reports::{DayRow, MessageRow, MonthRow, SegmentRow};
use crate::sealed::Identity;
use crate::users::HqUser;
use crate::web::PageSource;
use crate::{
    bookings, branches, customers, reports, sealed, services, settings, sync_pull, sync_push, users,
};
use loket::kernel::logins::LoginGuard;

use crate::online::routes::{
    __path_public_book, __path_public_branches, __path_public_cancel, __path_public_confirm,
    __path_public_lookup, __path_public_lookup_verify, __path_public_services, __path_public_slots,
    public_book, public_branches, public_cancel, public_confirm, public_lookup,
    public_lookup_verify, public_services, public_slots,
};
use loket::kernel::sealing::SealingSecretKey;

/// A push of 1,000 changes with full rows stays well under this.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

/// Every route with its description, from one list of handlers.
macro_rules! api {
    ($($handler:ident),* $(,)?) => {{
        #[derive(utoipa::OpenApi)]
        #[openapi(
            info(title = "Loket head office API"),
            paths($($handler),*),
            components(schemas(ErrorBody)),
            modifiers(&BearerScheme),
        )]
        struct Doc;
        let doc = <Doc as utoipa::OpenApi>::openapi();
        let mut router = Router::new();
        $( router = mount(router, &doc, stringify!($handler), $handler); )*
        (router, doc)
    }};
}

/// The route table and the OpenAPI document describing it.
pub fn routes() -> (Router<PgPool>, OpenApi) {
    api![
        hello,
        push,
        pull,
        login,
        openapi_json,
        list_services,
        create_service,
        update_service,
        delete_service,
        get_settings,
        put_settings,
        list_branches,
        update_branch,
        list_bookings,
        list_customers,
        bookings_per_day,
        revenue_per_month,
        segments,
        messages_report,
        customer_identity,
        get_bot_settings,
        put_bot_settings,
        get_gateway_settings,
        put_gateway_settings,
        meta_verify,
        meta_receive,
        waha_receive,
        public_branches,
        public_services,
        public_slots,
        public_book,
        public_confirm,
        public_lookup,
        public_lookup_verify,
        public_cancel,
    ]
}

/// `sealing`: head office's secret key, which opens the KTP and NPWP
/// branches send sealed (see `sealed`). The web page is the embedded one.
pub fn router(pool: PgPool, sealing: Arc<SealingSecretKey>) -> Router {
    router_with_page(pool, sealing, PageSource::Embedded)
}

/// [`router`], with the web page (every path outside `/api/` and `/sync/`)
/// from `page`.
pub fn router_with_page(pool: PgPool, sealing: Arc<SealingSecretKey>, page: PageSource) -> Router {
    routes()
        .0
        .fallback(move |req: axum::extract::Request| crate::web::fallback(page.clone(), req))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(axum::middleware::from_fn(
            loket::api::surface::security_headers,
        ))
        .layer(Extension(sealing))
        .layer(Extension(Arc::new(LoginGuard::default())))
        .with_state(pool)
}

/// Mounts `handler` at every path and method whose operation is `id` (the
/// handler's name, utoipa's default operation id).
fn mount<H, T>(router: Router<PgPool>, doc: &OpenApi, id: &str, handler: H) -> Router<PgPool>
where
    H: Handler<T, PgPool>,
    T: 'static,
{
    let mut router = router;
    let mut mounted = 0;
    for (path, item) in &doc.paths.paths {
        let methods = [
            (HttpMethod::Get, MethodFilter::GET, &item.get),
            (HttpMethod::Post, MethodFilter::POST, &item.post),
            (HttpMethod::Put, MethodFilter::PUT, &item.put),
            (HttpMethod::Delete, MethodFilter::DELETE, &item.delete),
            (HttpMethod::Patch, MethodFilter::PATCH, &item.patch),
        ];
        for (_, filter, op) in methods {
            if op.as_ref().and_then(|o| o.operation_id.as_deref()) == Some(id) {
                router = router.route(path, on(filter, handler.clone()));
                mounted += 1;
            }
        }
    }
    assert!(
        mounted > 0,
        "handler {id} has no path in the OpenAPI document"
    );
    router
}

/// The `bearer` scheme: a head-office login token (`/api/v1/…`) or a
/// branch token (`/sync/v1/…`).
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, doc: &mut OpenApi) {
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

static DOCUMENT: LazyLock<Value> =
    LazyLock::new(|| serde_json::to_value(routes().1).unwrap_or(Value::Null));

/// The OpenAPI 3 document of this server (no login needed: it holds no data).
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "api",
    responses((status = 200, description = "the OpenAPI document", content_type = "application/json")))]
async fn openapi_json() -> Response {
    Json(DOCUMENT.clone()).into_response()
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

pub(crate) fn body<T: DeserializeOwned>(bytes: &Bytes) -> Result<T> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| HqError::BadRequest(format!("the body is not JSON: {e}")))?;
    loket::kernel::ops::from_json(value).map_err(HqError::from)
}

/// Who head office takes the calling branch for.
#[utoipa::path(get, path = "/sync/v1/hello", tag = "sync", security(("bearer" = [])),
    params(("Loket-Sync-Protocol" = String, Header, description = "the sync protocol version, 1")),
    responses((status = 200, description = "the branch and the protocol"),
        (status = 401, description = "no branch token, or an unknown or revoked one", body = ErrorBody),
        (status = 426, description = "another sync protocol version", body = ErrorBody)))]
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

/// A batch of the branch's change log (`loket::sync::protocol::PushRequest`;
/// `head_seq` and `oldest_unsent_at` optional), applied exactly once.
#[utoipa::path(post, path = "/sync/v1/push", tag = "sync", security(("bearer" = [])),
    params(("Loket-Sync-Protocol" = String, Header, description = "the sync protocol version, 1")),
    request_body(content_type = "application/json", description = "`{changes, head_seq?, oldest_unsent_at?}`, gzip allowed"),
    responses((status = 200, description = "applied, skipped and rejected changes, and the cursor"),
        (status = 400, description = "the body cannot be read", body = ErrorBody),
        (status = 409, description = "the batch does not continue the cursor: `expected` says where to resend from", body = ErrorBody),
        (status = 422, description = "too many changes, or a malformed change", body = ErrorBody),
        (status = 401, description = "no branch token, or an unknown or revoked one", body = ErrorBody),
        (status = 426, description = "another sync protocol version", body = ErrorBody)))]
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

/// What head office owns that changed after `after`, in cursor order.
#[utoipa::path(get, path = "/sync/v1/pull", tag = "sync", security(("bearer" = [])),
    params(("Loket-Sync-Protocol" = String, Header, description = "the sync protocol version, 1"),
        ("after" = Option<i64>, Query, description = "the cursor to continue from (0)"),
        ("limit" = Option<u32>, Query, description = "changes per page (at most 1000)")),
    responses((status = 200, description = "`{changes, next_cursor, more}`"),
        (status = 422, description = "a bad parameter", body = ErrorBody),
        (status = 401, description = "no branch token, or an unknown or revoked one", body = ErrorBody),
        (status = 426, description = "another sync protocol version", body = ErrorBody)))]
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

/// A head-office login: a token for the `bearer` scheme, valid 12 hours.
/// Throttled as the desk's login is (`loket::kernel::logins`): after
/// repeated failures the username (or the address) waits, 429.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "head office",
    request_body(content_type = "application/json", description = "`{username, password}`"),
    responses((status = 200, description = "`{token, user}`"),
        (status = 401, description = "wrong username or password", body = ErrorBody),
        (status = 422, description = "a missing field", body = ErrorBody),
        (status = 429, description = "too many failed logins: wait `Retry-After` seconds", body = ErrorBody),
        (status = 503, description = "too many logins being checked at once", body = ErrorBody)))]
async fn login(
    State(pool): State<PgPool>,
    Extension(guard): Extension<Arc<LoginGuard>>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    bytes: Bytes,
) -> Result<Response> {
    let input: LoginInput = body(&bytes)?;
    let address = peer.map(|Extension(ConnectInfo(a))| a.ip());
    let session = users::login(&pool, &guard, &input.username, input.password, address).await?;
    Ok(Json(session).into_response())
}

/// The service catalogue head office owns (hq_admin, hq_viewer).
#[utoipa::path(get, path = "/api/v1/services", tag = "head office", security(("bearer" = [])),
    params(("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "`{data, meta}`: the services"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn list_services(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    reader(&pool, &headers).await?;
    let params = Params::parse(query, &["page", "page_size"])?;
    let paging = params.paging()?;
    let all = services::list(&pool).await?;
    let total = all.len() as i64;
    let data: Vec<_> = all
        .into_iter()
        .skip(paging.offset() as usize)
        .take(paging.limit() as usize)
        .collect();
    Ok(crate::query::page(&paging, data, total))
}

/// Adds a service to the catalogue; branches get it by pull (hq_admin).
#[utoipa::path(post, path = "/api/v1/services", tag = "head office", security(("bearer" = [])),
    request_body(content_type = "application/json", description = "`{name, description?, duration_min, price, active?}`"),
    responses((status = 201, description = "the service"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin changes the catalogue", body = ErrorBody),
        (status = 422, description = "a bad field, named", body = ErrorBody)))]
async fn create_service(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    reader(&pool, &headers)
        .await?
        .require_admin("change the service catalogue")?;
    let input: Value = serde_json::from_slice(&bytes)
        .map_err(|e| HqError::BadRequest(format!("the body is not JSON: {e}")))?;
    let service = services::create(&pool, input).await?;
    Ok((StatusCode::CREATED, Json(service)).into_response())
}

fn json_body(bytes: &Bytes) -> Result<Value> {
    serde_json::from_slice(bytes)
        .map_err(|e| HqError::BadRequest(format!("the body is not JSON: {e}")))
}

/// Changes a service (only the fields given); branches get the change by
/// pull and show it read-only (hq_admin).
#[utoipa::path(put, path = "/api/v1/services/{id}", tag = "head office", security(("bearer" = [])),
    params(("id" = String, Path, description = "the service")),
    request_body(content_type = "application/json", description = "`{name?, description?, duration_min?, price?, active?, version?}`: an empty description removes it; `version`, when given, must be the current one"),
    responses((status = 200, description = "the service, with its new version"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin changes the catalogue", body = ErrorBody),
        (status = 404, description = "no such service (or retired)", body = ErrorBody),
        (status = 409, description = "`version` is not the current one", body = ErrorBody),
        (status = 422, description = "a bad field, named", body = ErrorBody)))]
async fn update_service(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response> {
    reader(&pool, &headers)
        .await?
        .require_admin("change the service catalogue")?;
    let id = services::parse_id(&id)?;
    let service = services::update(&pool, id, json_body(&bytes)?).await?;
    Ok(Json(service).into_response())
}

/// Retires a service: gone from the catalogue here and, after their next
/// pull, at every branch; bookings that name it keep it (hq_admin).
#[utoipa::path(delete, path = "/api/v1/services/{id}", tag = "head office", security(("bearer" = [])),
    params(("id" = String, Path, description = "the service")),
    responses((status = 204, description = "retired"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin changes the catalogue", body = ErrorBody),
        (status = 404, description = "no such service (or retired already)", body = ErrorBody),
        (status = 422, description = "a bad id", body = ErrorBody)))]
async fn delete_service(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response> {
    reader(&pool, &headers)
        .await?
        .require_admin("change the service catalogue")?;
    services::delete(&pool, services::parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The settings every branch shares: the priority scoring's thresholds and
/// segment boundaries (hq_admin, hq_viewer).
#[utoipa::path(get, path = "/api/v1/settings", tag = "head office", security(("bearer" = [])),
    responses((status = 200, description = "`{urgent_days, soon_days, vip_price, premium_price, group_clients, high_segment_min, medium_segment_min, version, updated_at}`"),
        (status = 401, description = "not logged in", body = ErrorBody)))]
async fn get_settings(State(pool): State<PgPool>, headers: HeaderMap) -> Result<Response> {
    reader(&pool, &headers).await?;
    Ok(Json(settings::get(&pool).await?).into_response())
}

/// Changes the shared settings (only those given); branches apply them at
/// their next pull, rescore their open bookings, and may no longer change
/// them themselves (hq_admin).
#[utoipa::path(put, path = "/api/v1/settings", tag = "head office", security(("bearer" = [])),
    request_body(content_type = "application/json", description = "any of `{urgent_days, soon_days, vip_price, premium_price, group_clients, high_segment_min, medium_segment_min}`, and `version?`"),
    responses((status = 200, description = "the settings, with their new version"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin changes the settings", body = ErrorBody),
        (status = 409, description = "`version` is not the current one", body = ErrorBody),
        (status = 422, description = "a bad setting, named", body = ErrorBody)))]
async fn put_settings(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Result<Response> {
    let user = reader(&pool, &headers).await?;
    user.require_admin("change the shared settings")?;
    let changed = settings::update(&pool, &user, json_body(&bytes)?).await?;
    Ok(Json(changed).into_response())
}

/// Everything under `/api/v1` but login and the document: a logged-in
/// head-office user, `hq_admin` or `hq_viewer` (both read everything); 401
/// otherwise.
async fn reader(pool: &PgPool, headers: &HeaderMap) -> Result<HqUser> {
    users::authenticate(pool, headers).await
}

/// Every branch with its sync state: last push, how far behind in changes
/// and in time (as the branch said at its last push), rejections.
#[utoipa::path(get, path = "/api/v1/branches", tag = "head office", security(("bearer" = [])),
    params(("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "`{data, meta}`", body = Page<BranchState>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn list_branches(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    reader(&pool, &headers).await?;
    let paging = Params::parse(query, &["page", "page_size"])?.paging()?;
    let (data, total) = branches::list(&pool, paging.limit(), paging.offset()).await?;
    Ok(crate::query::page(&paging, data, total))
}

/// Sets where a branch is, for the booking page (hq_admin): `address` and
/// `map_url` (an `https://` link); each given changes, `null` clears.
#[utoipa::path(put, path = "/api/v1/branches/{id}", tag = "head office", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path)),
    request_body(content_type = "application/json", description = "any of `{address, map_url}`"),
    responses((status = 204, description = "saved"),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin changes a branch", body = ErrorBody),
        (status = 404, description = "no such branch", body = ErrorBody),
        (status = 422, description = "a bad field, named", body = ErrorBody)))]
async fn update_branch(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Result<Response> {
    users::authenticate(&pool, &headers)
        .await?
        .require_admin("change a branch")?;
    let id = id
        .parse::<uuid::Uuid>()
        .map_err(|_| HqError::NotFound { entity: "branch" })?;
    branches::set_whereabouts(&pool, id, body(&bytes)?).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// Bookings across branches, newest booking date first, each with its branch.
#[utoipa::path(get, path = "/api/v1/bookings", tag = "head office", security(("bearer" = [])),
    params(("branch_id" = Option<uuid::Uuid>, Query),
        ("from" = Option<String>, Query, description = "first booking date, YYYY-MM-DD"),
        ("to" = Option<String>, Query, description = "last booking date, YYYY-MM-DD"),
        ("booking_status" = Option<String>, Query, description = "pending, active, completed or canceled"),
        ("segment" = Option<String>, Query, description = "high, medium or low"),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "`{data, meta}`", body = Page<HqBooking>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn list_bookings(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    reader(&pool, &headers).await?;
    let params = Params::parse(
        query,
        &[
            "branch_id",
            "from",
            "to",
            "booking_status",
            "segment",
            "page",
            "page_size",
        ],
    )?;
    let filter = bookings::Filter::parse(&params)?;
    let paging = params.paging()?;
    let (data, total) = bookings::list(&pool, &filter, paging.limit(), paging.offset()).await?;
    Ok(crate::query::page(&paging, data, total))
}

/// The customer master: one head-office customer per person, with each
/// branch's record of them and their bookings across branches.
#[utoipa::path(get, path = "/api/v1/customers", tag = "head office", security(("bearer" = [])),
    params(("phone" = Option<String>, Query, description = "a phone number in any usual spelling"),
        ("q" = Option<String>, Query, description = "part of a name, e-mail, phone or branch customer code"),
        ("page" = Option<u32>, Query), ("page_size" = Option<u32>, Query)),
    responses((status = 200, description = "`{data, meta}`", body = Page<MasterCustomer>),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn list_customers(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    reader(&pool, &headers).await?;
    let params = Params::parse(query, &["phone", "q", "page", "page_size"])?;
    let search = Search::parse(params.text("phone"), params.text("q"))?;
    let paging = params.paging()?;
    let (data, total) = customers::list(&pool, &search, paging.limit(), paging.offset()).await?;
    Ok(crate::query::page(&paging, data, total))
}

const REPORT_PARAMS: &[&str] = &["from", "to", "branch_id", "format", "page", "page_size"];

/// The query every report takes, for the document (`Params` reads it by name).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
struct ReportQuery {
    /// First booking date, YYYY-MM-DD.
    from: Option<String>,
    /// Last booking date, YYYY-MM-DD.
    to: Option<String>,
    branch_id: Option<uuid::Uuid>,
    /// `json` (default) or `csv`: every row.
    format: Option<String>,
    page: Option<u32>,
    page_size: Option<u32>,
}

/// What every report does before its query: a logged-in reader, the filter,
/// the format and the page asked for.
async fn report_request(
    pool: &PgPool,
    headers: &HeaderMap,
    query: RawQuery,
) -> Result<(reports::Filter, Format, Paging)> {
    reader(pool, headers).await?;
    let params = Params::parse(query, REPORT_PARAMS)?;
    let filter = reports::Filter::parse(&params)?;
    Ok((filter, params.format()?, params.paging()?))
}

/// Bookings and revenue (the sum of prices) per booking date per branch;
/// canceled bookings left out.
#[utoipa::path(get, path = "/api/v1/reports/bookings-per-day", tag = "reports", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "`{data, meta}`, or CSV", content(
            (Page<DayRow> = "application/json"), (String = "text/csv"))),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn bookings_per_day(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    let (filter, format, paging) = report_request(&pool, &headers, query).await?;
    let rows = reports::bookings_per_day(&pool, &filter).await?;
    crate::query::report("bookings-per-day", format, &paging, rows)
}

/// Per branch per month: bookings, prices, booking fees and the amount
/// paid; canceled bookings left out.
#[utoipa::path(get, path = "/api/v1/reports/revenue-per-month", tag = "reports", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "`{data, meta}`, or CSV", content(
            (Page<MonthRow> = "application/json"), (String = "text/csv"))),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn revenue_per_month(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    let (filter, format, paging) = report_request(&pool, &headers, query).await?;
    let rows = reports::revenue_per_month(&pool, &filter).await?;
    crate::query::report("revenue-per-month", format, &paging, rows)
}

/// Bookings per priority segment per branch; canceled bookings left out.
#[utoipa::path(get, path = "/api/v1/reports/segments", tag = "reports", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "`{data, meta}`, or CSV", content(
            (Page<SegmentRow> = "application/json"), (String = "text/csv"))),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn segments(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    let (filter, format, paging) = report_request(&pool, &headers, query).await?;
    let rows = reports::segments(&pool, &filter).await?;
    crate::query::report("segments", format, &paging, rows)
}

/// WhatsApp messages sent and failed per business day and branch (a desk
/// with no gateway counts as `log_only`).
#[utoipa::path(get, path = "/api/v1/reports/messages", tag = "reports", security(("bearer" = [])),
    params(ReportQuery),
    responses((status = 200, description = "`{data, meta}`, or CSV", content(
            (Page<MessageRow> = "application/json"), (String = "text/csv"))),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 422, description = "a bad parameter, named", body = ErrorBody)))]
async fn messages_report(
    State(pool): State<PgPool>,
    headers: HeaderMap,
    query: RawQuery,
) -> Result<Response> {
    let (filter, format, paging) = report_request(&pool, &headers, query).await?;
    let rows = reports::messages(&pool, &filter).await?;
    crate::query::report("messages", format, &paging, rows)
}

/// A branch customer's KTP and NPWP, opened: `hq_admin` only (branches
/// send them sealed to head office's key; see `sealed`).
#[utoipa::path(get, path = "/api/v1/branches/{branch_id}/customers/{customer_id}/identity", tag = "head office",
    security(("bearer" = [])),
    params(("branch_id" = String, Path, description = "the branch"),
        ("customer_id" = String, Path, description = "the customer's id at that branch")),
    responses((status = 200, description = "the customer's KTP and NPWP numbers", body = Identity),
        (status = 401, description = "not logged in", body = ErrorBody),
        (status = 403, description = "only hq_admin sees KTP and NPWP", body = ErrorBody),
        (status = 404, description = "no such customer at that branch", body = ErrorBody)))]
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

#[cfg(test)]
mod tests {
    /// Every handler is mounted where the document says (a handler with no
    /// path in the document would panic here).
    #[test]
    fn the_route_table_and_the_document_agree() {
        let (_, doc) = super::routes();
        assert!(doc.paths.paths.contains_key("/api/v1/openapi.json"));
        assert!(doc.paths.paths.len() >= 12, "{:?}", doc.paths.paths.keys());
    }
}
