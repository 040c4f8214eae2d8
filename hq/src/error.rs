//! The head office's one error type, answered as the desk API answers errors:
//! `{"error": {"code", "message", "field"}}` with a fitting status, never a
//! 500 for bad input. A push gap also carries `expected`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use loket::sync::protocol::PROTOCOL_VERSION;

pub type Result<T, E = HqError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum HqError {
    /// The request could not be read (malformed JSON, a missing header).
    #[error("{0}")]
    BadRequest(String),
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// No token, an unknown token or a revoked one.
    #[error("{0}")]
    Unauthorized(&'static str),
    #[error("wrong username or password")]
    LoginFailed,
    /// Too many failed logins for a username or address (`loket::kernel::logins`).
    #[error("{message}")]
    TooManyAttempts { retry_after: u64, message: String },
    /// The password checks' pool is full.
    #[error("head office is busy checking other logins; try again in a moment")]
    Busy,
    #[error("your role may not {0}")]
    Forbidden(&'static str),
    /// A caller that is not a person (a gateway's webhook handshake) refused.
    #[error("{0}")]
    Refused(&'static str),
    #[error("{0}")]
    Conflict(String),
    /// A push that does not continue the branch's cursor: nothing was applied.
    #[error("changes must continue from seq {expected}; nothing was applied")]
    Gap { expected: i64 },
    /// The branch speaks another protocol version: nothing was applied.
    #[error(
        "this head office speaks sync protocol {PROTOCOL_VERSION}, the branch sent {sent:?}: update Loket"
    )]
    Protocol { sent: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The database schema is not one this binary can use.
    #[error("{0}")]
    Schema(String),
    #[error("{0}")]
    Internal(String),
}

impl HqError {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        HqError::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    fn code(&self) -> &'static str {
        match self {
            HqError::BadRequest(_) => "bad_request",
            HqError::Validation { .. } => "validation",
            HqError::NotFound { .. } => "not_found",
            HqError::Unauthorized(_) => "unauthorized",
            HqError::LoginFailed => "login_failed",
            HqError::TooManyAttempts { .. } => "too_many_attempts",
            HqError::Busy => "busy",
            HqError::Forbidden(_) | HqError::Refused(_) => "forbidden",
            HqError::Conflict(_) => "conflict",
            HqError::Gap { .. } => "sync_gap",
            HqError::Protocol { .. } => "protocol_version",
            HqError::Database(_) | HqError::Schema(_) | HqError::Internal(_) => "internal",
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            HqError::BadRequest(_) => StatusCode::BAD_REQUEST,
            HqError::Validation { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            HqError::NotFound { .. } => StatusCode::NOT_FOUND,
            HqError::Unauthorized(_) | HqError::LoginFailed => StatusCode::UNAUTHORIZED,
            HqError::Forbidden(_) | HqError::Refused(_) => StatusCode::FORBIDDEN,
            HqError::TooManyAttempts { .. } => StatusCode::TOO_MANY_REQUESTS,
            HqError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            HqError::Conflict(_) | HqError::Gap { .. } => StatusCode::CONFLICT,
            HqError::Protocol { .. } => StatusCode::UPGRADE_REQUIRED,
            HqError::Database(_) | HqError::Schema(_) | HqError::Internal(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// What a person reads: the rule alone for a validation error (the
    /// field travels beside it), never SQL.
    fn public_message(&self) -> String {
        match self {
            HqError::Validation { message, .. } => message.clone(),
            HqError::Database(_) => "the database could not complete the operation".into(),
            other => other.to_string(),
        }
    }
}

/// The desk's typed errors (from its field types and rules) as head office's.
impl From<loket::Error> for HqError {
    fn from(e: loket::Error) -> Self {
        match e {
            loket::Error::Validation { field, message } => HqError::Validation { field, message },
            loket::Error::BadRequest { message, .. } => HqError::BadRequest(message),
            loket::Error::TooManyAttempts {
                retry_after,
                message,
            } => HqError::TooManyAttempts {
                retry_after,
                message,
            },
            loket::Error::Busy => HqError::Busy,
            other => HqError::Internal(other.to_string()),
        }
    }
}

impl IntoResponse for HqError {
    fn into_response(self) -> Response {
        if matches!(
            self,
            HqError::Database(_) | HqError::Schema(_) | HqError::Internal(_)
        ) {
            tracing::error!("{self}");
        }
        let field = match &self {
            HqError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let mut body = json!({"error": {"code": self.code(), "message": self.public_message(), "field": field}});
        if let HqError::Gap { expected } = self {
            body["expected"] = json!(expected);
        }
        let retry_after = match &self {
            HqError::TooManyAttempts { retry_after, .. } => Some(*retry_after),
            HqError::Busy => Some(1),
            _ => None,
        };
        let mut response = (self.status(), Json(body)).into_response();
        if let Some(seconds) = retry_after {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(seconds),
            );
        }
        response
    }
}
