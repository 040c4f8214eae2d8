//! The one error type every operation returns. Adapters map it to
//! `{code, message, field?}` and an HTTP status; nothing else is exposed.

use serde::Serialize;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The request itself could not be read (malformed JSON, wrong shape).
    #[error("{message}")]
    BadRequest {
        message: String,
        field: Option<String>,
    },
    /// A value broke a rule; `field` names it so the UI can show it beside the input.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    #[error("{entity} not found")]
    NotFound { entity: &'static str },
    /// Slot taken, unit not available, stale update, impossible transition.
    #[error("{message}")]
    Conflict { message: String },
    #[error("login required")]
    Unauthorized,
    #[error("wrong username or password")]
    LoginFailed,
    #[error("your role may not {action}")]
    Forbidden { action: &'static str },
    /// A service the desk depends on (head office) failed or could not be
    /// reached; the message says what happened, in words.
    #[error("{message}")]
    Unavailable { message: String },
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn conflict(message: impl Into<String>) -> Self {
        Error::Conflict {
            message: message.into(),
        }
    }

    /// Optimistic concurrency: the client saw `given`, the row is at `current`.
    pub fn check_version(given: Option<i64>, current: i64, entity: &str) -> Result<()> {
        match given {
            Some(v) if v != current => Err(Error::conflict(format!(
                "this {entity} was changed by someone else since you opened it (version {v}, now {current}); reload and try again"
            ))),
            _ => Ok(()),
        }
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal(message.into())
    }

    /// Stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Error::BadRequest { .. } => "bad_request",
            Error::Validation { .. } => "validation",
            Error::NotFound { .. } => "not_found",
            Error::Conflict { .. } => "conflict",
            Error::Unauthorized => "unauthorized",
            Error::LoginFailed => "login_failed",
            Error::Forbidden { .. } => "forbidden",
            Error::Unavailable { .. } => "unavailable",
            Error::Database(e) if is_constraint(e) => "conflict",
            Error::Database(_) | Error::Internal(_) => "internal",
        }
    }

    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Validation { field, .. } => Some(field),
            Error::BadRequest { field, .. } => field.as_deref(),
            _ => None,
        }
    }

    /// The message shown to a person. Constraint violations that slipped past
    /// validation (a race between two desks) read as conflicts, not as SQL.
    pub fn public_message(&self) -> String {
        match self {
            Error::Database(e) if is_constraint(e) => {
                "this change conflicts with data saved at the same time; reload and try again"
                    .into()
            }
            Error::Database(_) => "the database could not complete the operation".into(),
            // The field travels separately; the message is the rule alone.
            Error::Validation { message, .. } => message.clone(),
            other => other.to_string(),
        }
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code(),
                message: self.public_message(),
                field: self.field().map(str::to_owned),
            },
        }
    }
}

fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::ConstraintViolation)
    )
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
}

impl From<serde_json::Error> for Error {
    fn from(e: serde_json::Error) -> Self {
        Error::Internal(format!("json: {e}"))
    }
}
