//! The local HTTP JSON API (`loket serve`): a thin adapter that turns a
//! request into an operation input, runs it with [`App::execute`] and turns
//! the result or error into JSON. The OpenAPI document is generated from the
//! same route table and the operations' types.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, on};
use axum::{Json, Router};
use serde_json::{Map, Value};
use utoipa::openapi::path::{
    HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem,
};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::Schema;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, RefOr,
    Required, ResponseBuilder,
};
use utoipa::{PartialSchema, ToSchema};

use crate::App;
use crate::api::operations::{self, Success, Visitor};
use crate::api::surface::{Surface, guard};
use crate::api::ui::UiSource;
use crate::kernel::auth::{Actor, Permission};
use crate::kernel::error::{Error, ErrorBody};
use crate::kernel::ops::{Invoke, authorize, from_json, input_error};

pub const API_PREFIX: &str = "/api/v1";

/// Routes and the OpenAPI document, built together from the operation
/// table so they cannot disagree.
struct Api {
    router: Router<Arc<App>>,
    paths: Vec<(String, HttpMethod, utoipa::openapi::path::Operation)>,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Visitor for Api {
    /// Exposes operation `O` at `method path` (path relative to `/api/v1`).
    fn op<O: Invoke>(&mut self, method: operations::Method, path: &'static str, success: Success) {
        let uses_body = method.has_body();
        let success = match success {
            Success::Ok => StatusCode::OK,
            Success::Created => StatusCode::CREATED,
        };
        let handler = move |State(app): State<Arc<App>>,
                            Peer(peer): Peer,
                            headers: HeaderMap,
                            params: Option<Path<HashMap<String, String>>>,
                            RawQuery(query): RawQuery,
                            body: Bytes| async move {
            let params = params.map(|Path(p)| p).unwrap_or_default();
            match handle::<O>(app, peer, &headers, params, query, body, uses_body).await {
                Ok(value) => (success, Json(value)).into_response(),
                Err(e) => error_response(&e),
            }
        };
        let (filter, http_method) = match method {
            operations::Method::Get => (MethodFilter::GET, HttpMethod::Get),
            operations::Method::Post => (MethodFilter::POST, HttpMethod::Post),
            operations::Method::Put => (MethodFilter::PUT, HttpMethod::Put),
            operations::Method::Delete => (MethodFilter::DELETE, HttpMethod::Delete),
        };
        let full = format!("{API_PREFIX}{path}");
        self.router = std::mem::take(&mut self.router).route(&full, on(filter, handler));
        self.paths
            .push((full, http_method, describe::<O>(path, uses_body, success)));
        O::schemas(&mut self.schemas);
        <O::Output as ToSchema>::schemas(&mut self.schemas);
    }
}

/// The full route table of the local API, from the operation table.
fn api() -> Api {
    let mut api = Api {
        router: Router::new(),
        paths: Vec::new(),
        schemas: Vec::new(),
    };
    operations::visit(&mut api);
    api
}

/// The API alone (unknown paths answer a JSON 404), for loopback names only.
pub fn router(app: Arc<App>) -> Router {
    router_with_ui(app, &UiSource::None)
}

/// The API, plus the web UI from `ui` for every path outside `/api/`, for
/// loopback names only.
pub fn router_with_ui(app: Arc<App>, ui: &UiSource) -> Router {
    router_with(app, ui, Surface::default())
}

/// The API and the UI behind the surface's rules (see [`guard`]).
pub fn router_with(app: Arc<App>, ui: &UiSource, surface: Surface) -> Router {
    routes(app, ui).layer(axum::middleware::from_fn_with_state(
        Arc::new(surface),
        guard,
    ))
}

fn routes(app: Arc<App>, ui: &UiSource) -> Router {
    // One walk of the operation table gives both the routes and the document.
    let mut api = api();
    let routes = std::mem::take(&mut api.router);
    let doc = Arc::new(document(api));
    let not_found = || async { error_response(&Error::NotFound { entity: "route" }) };
    let router = routes
        .route(
            &format!("{API_PREFIX}/openapi.json"),
            axum::routing::get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route(
            &format!("{API_PREFIX}/ops/{{name}}"),
            axum::routing::post(op_by_name),
        )
        .route("/api/{*rest}", axum::routing::any(not_found));
    let router = match ui {
        UiSource::None => router.fallback(not_found),
        source => super::ui::serve(router, source),
    };
    router.with_state(app)
}

/// `POST /api/v1/ops/{name}`: any operation by its name with a JSON body —
/// the browser side of the UI's one transport (the desktop side is the Tauri
/// command that calls [`operations::dispatch`] the same way).
async fn op_by_name(
    State(app): State<Arc<App>>,
    Peer(peer): Peer,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let result = async {
        let actor = match bearer(&headers) {
            Some(token) => {
                let app = app.clone();
                blocking(move || app.authenticate(&token)).await?
            }
            None => Actor::Anonymous,
        };
        let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Map::new())
        } else {
            serde_json::from_slice(&body).map_err(|e| Error::BadRequest {
                message: format!("malformed JSON: {e}"),
                field: None,
            })?
        };
        blocking(move || operations::dispatch_from(&app, &actor, &name, input, peer)).await
    }
    .await;
    match result {
        Ok(value) => (StatusCode::OK, Json(value)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn handle<O: Invoke>(
    app: Arc<App>,
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    params: HashMap<String, String>,
    query: Option<String>,
    body: Bytes,
    uses_body: bool,
) -> Result<Value, Error> {
    let actor = if O::PERMISSION == Permission::Public {
        Actor::Anonymous
    } else {
        let token = bearer(headers).ok_or(Error::Unauthorized)?;
        let app = app.clone();
        blocking(move || app.authenticate(&token)).await?
    };
    // The role first: a refused request is a 403 whatever its input.
    let permit = authorize::<O>(&actor)?;
    // DELETE may carry a JSON body (a cancel reason) or use the query string.
    let has_body = !body.iter().all(u8::is_ascii_whitespace);
    let mut input: O = if uses_body || has_body {
        body_input(&body, query.as_deref(), params)?
    } else {
        query_input(query.as_deref(), params)?
    };
    if let Some(address) = peer {
        input.set_address(address);
    }
    blocking(move || Ok(serde_json::to_value(input.invoke(&app, permit)?)?)).await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("worker failed: {e}")))?
}

/// The client's address, when the server was started with connection info
/// (`loket serve` always is); logging in throttles by it.
struct Peer(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|ConnectInfo(a)| a.ip()),
        ))
    }
}

fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))?;
    Some(token.trim().to_owned())
}

/// A JSON body (empty means `{}`) with the path parameters added, and
/// query-string parameters for fields the body leaves out
/// (`POST /whatsapp-report/reset-frequency?customer_id=…`).
fn body_input<O: Invoke>(
    body: &Bytes,
    query: Option<&str>,
    params: HashMap<String, String>,
) -> Result<O, Error> {
    let mut value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        serde_json::from_slice(body).map_err(|e| Error::BadRequest {
            message: format!("malformed JSON: {e}"),
            field: None,
        })?
    };
    let Value::Object(map) = &mut value else {
        return Err(Error::BadRequest {
            message: "the body must be a JSON object".into(),
            field: None,
        });
    };
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if !v.is_empty() && !map.contains_key(k.as_ref()) {
            map.insert(k.into_owned(), Value::String(v.into_owned()));
        }
    }
    for (k, v) in params {
        map.insert(k, Value::String(v));
    }
    from_json(value)
}

/// Query-string parameters (empty values ignored) plus path parameters.
fn query_input<O: Invoke>(
    query: Option<&str>,
    params: HashMap<String, String>,
) -> Result<O, Error> {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    pairs.extend(params);
    let encoded =
        serde_urlencoded::to_string(&pairs).map_err(|e| Error::internal(e.to_string()))?;
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(encoded.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|e| input_error(e.path().to_string(), e.inner()))
}

pub fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::BadRequest { .. } => StatusCode::BAD_REQUEST,
        Error::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::NotFound { .. } => StatusCode::NOT_FOUND,
        Error::Conflict { .. } => StatusCode::CONFLICT,
        Error::Unauthorized | Error::LoginFailed => StatusCode::UNAUTHORIZED,
        Error::Forbidden { .. } => StatusCode::FORBIDDEN,
        Error::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
        Error::Busy => StatusCode::SERVICE_UNAVAILABLE,
        Error::Backup { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::ReadOnly { .. } => StatusCode::SERVICE_UNAVAILABLE,
        Error::Unavailable { .. } => StatusCode::BAD_GATEWAY,
        Error::Database(_) if e.code() == "conflict" => StatusCode::CONFLICT,
        Error::Database(_) if e.code() == "disk_full" => StatusCode::INSUFFICIENT_STORAGE,
        Error::DataDir { .. }
        | Error::Unreadable { .. }
        | Error::Database(_)
        | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error_response(e: &Error) -> Response {
    let status = status_of(e);
    if status.is_server_error() {
        tracing::error!("{e}");
    }
    let mut response = (status, Json(e.body())).into_response();
    if let Some(seconds) = e.retry_after() {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

// ---- OpenAPI ------------------------------------------------------------

fn describe<O: Invoke>(
    path: &str,
    uses_body: bool,
    success: StatusCode,
) -> utoipa::openapi::path::Operation {
    let input = O::schema();
    let mut op = OperationBuilder::new()
        .operation_id(Some(O::NAME))
        .summary(Some(O::NAME));
    let mut body_schema = input.clone();
    if let RefOr::T(Schema::Object(obj)) = &input {
        for (name, prop) in &obj.properties {
            let in_path = path.contains(&format!("{{{name}}}"));
            if uses_body && !in_path {
                continue;
            }
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(if in_path {
                        ParameterIn::Path
                    } else {
                        ParameterIn::Query
                    })
                    .required(if in_path || obj.required.contains(name) {
                        Required::True
                    } else {
                        Required::False
                    })
                    .schema(Some(prop.clone())),
            );
        }
        if let RefOr::T(Schema::Object(b)) = &mut body_schema {
            b.properties
                .retain(|name, _| !path.contains(&format!("{{{name}}}")));
            b.required
                .retain(|name| !path.contains(&format!("{{{name}}}")));
        }
    }
    if uses_body {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/json",
                    ContentBuilder::new().schema(Some(body_schema)).build(),
                )
                .required(Some(Required::True))
                .build(),
        ));
    }
    let json = |schema: RefOr<Schema>| ContentBuilder::new().schema(Some(schema)).build();
    let error = || RefOr::Ref(utoipa::openapi::Ref::from_schema_name("ErrorBody"));
    op = op.response(
        success.as_str(),
        ResponseBuilder::new()
            .description("success")
            .content("application/json", json(O::Output::schema())),
    );
    let errors: &[(&str, &str)] = &[
        ("400", "malformed request"),
        ("401", "not logged in"),
        ("403", "the role may not do this"),
        ("404", "not found"),
        (
            "409",
            "conflict (unit or slot taken, stale version, impossible status change)",
        ),
        ("422", "validation error naming the field"),
        (
            "503",
            "the database is damaged or still being checked: writes are refused",
        ),
        ("507", "disk full: nothing was saved"),
    ];
    // What the surface and the login rules answer before or instead of the
    // operation (see `surface` and `kernel::logins`).
    let mut errors = errors.to_vec();
    errors.push(("421", "the Host header names no allowed host"));
    if uses_body {
        errors.push(("413", "the body is larger than 2 MB"));
        errors.push(("415", "the body is not sent as application/json"));
    }
    if O::NAME == "auth.login" || O::NAME == "auth.change_password" {
        errors.push((
            "429",
            "too many failed logins: try again after Retry-After seconds",
        ));
        errors.push((
            "503",
            "the password checks are busy: try again after Retry-After seconds",
        ));
    }
    for (code, description) in errors {
        op = op.response(
            code,
            ResponseBuilder::new()
                .description(description)
                .content("application/json", json(error())),
        );
    }
    if O::PERMISSION != Permission::Public {
        op = op.security(SecurityRequirement::new("bearer", Vec::<String>::new()));
    }
    op.build()
}

/// The OpenAPI 3 document of the local API.
pub fn openapi() -> OpenApi {
    document(api())
}

/// The document of a built route table (the routes are dropped).
fn document(api: Api) -> OpenApi {
    let mut paths = PathsBuilder::new();
    let mut grouped: Vec<(String, Vec<(HttpMethod, utoipa::openapi::path::Operation)>)> =
        Vec::new();
    for (path, method, op) in api.paths {
        match grouped.iter_mut().find(|(p, _)| *p == path) {
            Some((_, ops)) => ops.push((method, op)),
            None => grouped.push((path, vec![(method, op)])),
        }
    }
    for (path, ops) in grouped {
        let mut item: Option<PathItem> = None;
        for (method, op) in ops {
            let next = PathItem::new(method, op);
            item = Some(match item {
                None => next,
                Some(mut existing) => {
                    existing.merge_operations(next);
                    existing
                }
            });
        }
        if let Some(item) = item {
            paths = paths.path(path, item);
        }
    }
    let mut components = ComponentsBuilder::new()
        .schema("ErrorBody", ErrorBody::schema())
        .security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    let mut schemas = api.schemas;
    ErrorBody::schemas(&mut schemas);
    for (name, schema) in schemas {
        components = components.schema(name, schema);
    }
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Loket local API")
                .version(env!("CARGO_PKG_VERSION"))
                .build(),
        )
        .paths(paths.build())
        .components(Some(components.build()))
        .build()
}
