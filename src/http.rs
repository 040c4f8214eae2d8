//! The local HTTP JSON API (`loket serve`): a thin adapter that turns a
//! request into an operation input, runs it with [`App::execute`] and turns
//! the result or error into JSON. The OpenAPI document is generated from the
//! same route table and the operations' types.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
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

use crate::auth::{Actor, Permission};
use crate::error::{Error, ErrorBody};
use crate::ops::{Invoke, from_json, input_error};
use crate::{
    App, audit, bookings, customers, gateway, jobs, messaging, providers, report, services,
    settings, slots, staff, templates, units, users, vehicles,
};

pub const API_PREFIX: &str = "/api/v1";

/// Routes and the OpenAPI document, built together so they cannot disagree.
struct Api {
    router: Router<Arc<App>>,
    paths: Vec<(String, HttpMethod, utoipa::openapi::path::Operation)>,
    schemas: Vec<(String, RefOr<Schema>)>,
}

impl Api {
    fn new() -> Self {
        Api {
            router: Router::new(),
            paths: Vec::new(),
            schemas: Vec::new(),
        }
    }

    /// Exposes operation `O` at `method path` (path relative to `/api/v1`).
    fn op<O: Invoke>(mut self, method: Method, path: &'static str, success: StatusCode) -> Self {
        let uses_body = method == Method::POST || method == Method::PUT || method == Method::PATCH;
        let handler = move |State(app): State<Arc<App>>,
                            headers: HeaderMap,
                            params: Option<Path<HashMap<String, String>>>,
                            RawQuery(query): RawQuery,
                            body: Bytes| async move {
            let params = params.map(|Path(p)| p).unwrap_or_default();
            match handle::<O>(app, &headers, params, query, body, uses_body).await {
                Ok(value) => (success, Json(value)).into_response(),
                Err(e) => error_response(&e),
            }
        };
        let filter = MethodFilter::try_from(method.clone()).unwrap_or(MethodFilter::GET);
        self.router = self
            .router
            .route(&format!("{API_PREFIX}{path}"), on(filter, handler));
        self.paths.push((
            format!("{API_PREFIX}{path}"),
            http_method(&method),
            describe::<O>(path, uses_body, success),
        ));
        O::schemas(&mut self.schemas);
        <O::Output as ToSchema>::schemas(&mut self.schemas);
        self
    }
}

fn http_method(m: &Method) -> HttpMethod {
    match *m {
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        _ => HttpMethod::Get,
    }
}

/// The full route table of the local API.
fn api() -> Api {
    use Method as M;
    use StatusCode as S;
    Api::new()
        .op::<users::Login>(M::POST, "/auth/login", S::OK)
        .op::<users::Logout>(M::POST, "/auth/logout", S::OK)
        .op::<users::Me>(M::GET, "/auth/me", S::OK)
        .op::<users::ListUsers>(M::GET, "/users", S::OK)
        .op::<users::CreateUser>(M::POST, "/users", S::CREATED)
        .op::<users::GetUser>(M::GET, "/users/{id}", S::OK)
        .op::<users::UpdateUser>(M::PUT, "/users/{id}", S::OK)
        .op::<users::DeleteUser>(M::DELETE, "/users/{id}", S::OK)
        .op::<staff::ListStaff>(M::GET, "/staff", S::OK)
        .op::<staff::CreateStaff>(M::POST, "/staff", S::CREATED)
        .op::<staff::GetStaff>(M::GET, "/staff/{id}", S::OK)
        .op::<staff::UpdateStaff>(M::PUT, "/staff/{id}", S::OK)
        .op::<staff::DeleteStaff>(M::DELETE, "/staff/{id}", S::OK)
        .op::<customers::ListCustomers>(M::GET, "/customers", S::OK)
        .op::<customers::CreateCustomer>(M::POST, "/customers", S::CREATED)
        .op::<customers::GetCustomer>(M::GET, "/customers/{id}", S::OK)
        .op::<customers::UpdateCustomer>(M::PUT, "/customers/{id}", S::OK)
        .op::<customers::DeleteCustomer>(M::DELETE, "/customers/{id}", S::OK)
        .op::<units::ListUnits>(M::GET, "/units", S::OK)
        .op::<units::CreateUnit>(M::POST, "/units", S::CREATED)
        .op::<units::GetUnit>(M::GET, "/units/{id}", S::OK)
        .op::<units::UpdateUnit>(M::PUT, "/units/{id}", S::OK)
        .op::<units::DeleteUnit>(M::DELETE, "/units/{id}", S::OK)
        .op::<bookings::ListBookings>(M::GET, "/bookings", S::OK)
        .op::<bookings::CreateBooking>(M::POST, "/bookings", S::CREATED)
        .op::<bookings::RecalculatePriorities>(M::POST, "/bookings/recalculate", S::OK)
        .op::<bookings::ExpireBookings>(M::POST, "/bookings/expire", S::OK)
        .op::<bookings::GetBooking>(M::GET, "/bookings/{id}", S::OK)
        .op::<bookings::UpdateBooking>(M::PUT, "/bookings/{id}", S::OK)
        .op::<bookings::CancelBooking>(M::DELETE, "/bookings/{id}", S::OK)
        .op::<bookings::BookingSegmentHistory>(M::GET, "/bookings/{id}/segment-history", S::OK)
        .op::<bookings::CustomerBookings>(M::GET, "/customers/{id}/bookings", S::OK)
        .op::<services::ListServices>(M::GET, "/services", S::OK)
        .op::<services::CreateService>(M::POST, "/services", S::CREATED)
        .op::<services::GetService>(M::GET, "/services/{id}", S::OK)
        .op::<services::UpdateService>(M::PUT, "/services/{id}", S::OK)
        .op::<services::DeleteService>(M::DELETE, "/services/{id}", S::OK)
        .op::<providers::ListProviders>(M::GET, "/providers", S::OK)
        .op::<providers::CreateProvider>(M::POST, "/providers", S::CREATED)
        .op::<providers::NearbyProviders>(M::GET, "/providers/nearby", S::OK)
        .op::<providers::GetProvider>(M::GET, "/providers/{id}", S::OK)
        .op::<providers::UpdateProvider>(M::PUT, "/providers/{id}", S::OK)
        .op::<providers::DeleteProvider>(M::DELETE, "/providers/{id}", S::OK)
        .op::<providers::GetWorkingPlan>(M::GET, "/providers/{id}/working-plan", S::OK)
        .op::<providers::SetWorkingPlan>(M::PUT, "/providers/{id}/working-plan", S::OK)
        .op::<slots::ProviderDay>(M::GET, "/providers/{id}/day", S::OK)
        .op::<bookings::ProviderBookings>(M::GET, "/providers/{id}/bookings", S::OK)
        .op::<slots::ListSlots>(M::GET, "/slots", S::OK)
        .op::<slots::CreateSlot>(M::POST, "/slots", S::CREATED)
        .op::<slots::GenerateSlots>(M::POST, "/slots/generate", S::OK)
        .op::<slots::GetSlot>(M::GET, "/slots/{id}", S::OK)
        .op::<slots::UpdateSlot>(M::PUT, "/slots/{id}", S::OK)
        .op::<slots::DeleteSlot>(M::DELETE, "/slots/{id}", S::OK)
        .op::<audit::ListAudit>(M::GET, "/audit", S::OK)
        .op::<settings::GetSettings>(M::GET, "/settings", S::OK)
        .op::<settings::UpdateSettings>(M::PUT, "/settings", S::OK)
        .op::<vehicles::ListVehicles>(M::GET, "/vehicles", S::OK)
        .op::<vehicles::CreateVehicle>(M::POST, "/vehicles", S::CREATED)
        .op::<vehicles::GetVehicle>(M::GET, "/vehicles/{id}", S::OK)
        .op::<vehicles::UpdateVehicle>(M::PUT, "/vehicles/{id}", S::OK)
        .op::<vehicles::DeleteVehicle>(M::DELETE, "/vehicles/{id}", S::OK)
        .op::<templates::ListTemplates>(M::GET, "/templates", S::OK)
        .op::<templates::PreviewTemplate>(M::POST, "/templates/preview", S::OK)
        .op::<templates::GetTemplate>(M::GET, "/templates/{kind}/{language}", S::OK)
        .op::<templates::UpdateTemplate>(M::PUT, "/templates/{kind}/{language}", S::OK)
        .op::<gateway::GetGateway>(M::GET, "/settings/gateway", S::OK)
        .op::<gateway::UpdateGateway>(M::PUT, "/settings/gateway", S::OK)
        .op::<messaging::TestGateway>(M::POST, "/settings/gateway/test", S::OK)
        .op::<messaging::ListMessages>(M::GET, "/messages", S::OK)
        .op::<messaging::FlushMessages>(M::POST, "/messages/flush", S::OK)
        .op::<messaging::DeliveryStatusQuery>(M::GET, "/messages/status", S::OK)
        .op::<messaging::GetMessage>(M::GET, "/messages/{id}", S::OK)
        .op::<messaging::ResendMessage>(M::POST, "/messages/{id}/resend", S::OK)
        .op::<messaging::CancelMessage>(M::POST, "/messages/{id}/cancel", S::OK)
        .op::<jobs::ListJobs>(M::GET, "/jobs", S::OK)
        .op::<jobs::RunJob>(M::POST, "/jobs/{name}/run", S::OK)
        .op::<report::ListReport>(M::GET, "/whatsapp-report", S::OK)
        .op::<report::ReportDetails>(M::GET, "/whatsapp-report/detail", S::OK)
        .op::<report::GetReportStatistics>(M::GET, "/whatsapp-report/statistics", S::OK)
        .op::<report::ResetFrequency>(M::POST, "/whatsapp-report/reset-frequency", S::OK)
        .op::<report::CustomerReport>(M::GET, "/whatsapp-report/customer/{id}", S::OK)
        .op::<report::CustomerSubjectReport>(
            M::GET,
            "/whatsapp-report/customer/{id}/subject/{subject_id}",
            S::OK,
        )
        .op::<report::DeleteReport>(M::DELETE, "/whatsapp-report/{id}", S::OK)
}

pub fn router(app: Arc<App>) -> Router {
    router_with_ui(app, None)
}

/// The API, plus the web UI's files from `ui_dir` (a built `ui/dist`) for
/// every path outside `/api/`, with `index.html` for the UI's own routes.
pub fn router_with_ui(app: Arc<App>, ui_dir: Option<&std::path::Path>) -> Router {
    let doc = Arc::new(openapi());
    let not_found = || async { error_response(&Error::NotFound { entity: "route" }) };
    let router = api()
        .router
        .route(
            &format!("{API_PREFIX}/openapi.json"),
            axum::routing::get(move || async move { Json(doc.as_ref().clone()) }),
        )
        .route(
            &format!("{API_PREFIX}/ops/{{name}}"),
            axum::routing::post(op_by_name),
        )
        .route("/api/{*rest}", axum::routing::any(not_found));
    let router = match ui_dir {
        Some(dir) => router.fallback_service(
            tower_http::services::ServeDir::new(dir)
                .fallback(tower_http::services::ServeFile::new(dir.join("index.html"))),
        ),
        None => router.fallback(not_found),
    };
    router.with_state(app)
}

/// `POST /api/v1/ops/{name}`: any operation by its name with a JSON body —
/// the browser side of the UI's one transport (the desktop side is the Tauri
/// command that calls [`App::dispatch`] the same way).
async fn op_by_name(
    State(app): State<Arc<App>>,
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
        blocking(move || app.dispatch(&actor, &name, input)).await
    }
    .await;
    match result {
        Ok(value) => (StatusCode::OK, Json(value)).into_response(),
        Err(e) => error_response(&e),
    }
}

async fn handle<O: Invoke>(
    app: Arc<App>,
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
    crate::app::authorize::<O>(&actor)?;
    // DELETE may carry a JSON body (a cancel reason) or use the query string.
    let has_body = !body.iter().all(u8::is_ascii_whitespace);
    let input: O = if uses_body || has_body {
        body_input(&body, query.as_deref(), params)?
    } else {
        query_input(query.as_deref(), params)?
    };
    blocking(move || {
        let out = app.invoke(&actor, input)?;
        Ok(serde_json::to_value(out)?)
    })
    .await
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::internal(format!("worker failed: {e}")))?
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
        Error::Database(_) if e.code() == "conflict" => StatusCode::CONFLICT,
        Error::Database(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn error_response(e: &Error) -> Response {
    let status = status_of(e);
    if status.is_server_error() {
        tracing::error!("{e}");
    }
    (status, Json(e.body())).into_response()
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
    ];
    for (code, description) in errors {
        op = op.response(
            *code,
            ResponseBuilder::new()
                .description(*description)
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
    let api = api();
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

/// Every operation name that has a route (checked against the registry in tests).
pub fn routed_operations() -> Vec<String> {
    api()
        .paths
        .into_iter()
        .filter_map(|(_, _, op)| op.operation_id)
        .collect()
}
