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
    /// Login throttling: this username or address is locked for a while.
    #[error("{message}")]
    TooManyAttempts { retry_after: u64, message: String },
    /// Every password worker is busy and the queue is full: try again shortly.
    #[error("the desk is busy checking other logins; try again in a moment")]
    Busy,
    /// The data directory cannot be used as it is: the key file is missing
    /// or belongs to another database, another process holds it, … The
    /// message says what to do.
    #[error("{message}")]
    DataDir { message: String },
    /// A sealed value (KTP, NPWP, the gateway token) that this key file
    /// cannot open. Reads show such a field as unavailable instead.
    #[error("{context}: cannot decrypt this stored value with the current key file")]
    Unreadable { context: String },
    /// A backup archive that cannot be used: damaged, wrong passphrase,
    /// from a newer Loket. Nothing was changed.
    #[error("{message}")]
    Backup { message: String },
    /// The database is damaged (or not yet checked): writes are refused.
    #[error("{message}")]
    ReadOnly { message: String },
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
            Error::TooManyAttempts { .. } => "too_many_attempts",
            Error::Busy => "busy",
            Error::DataDir { .. } => "data_dir",
            Error::Unreadable { .. } => "unreadable",
            Error::Backup { .. } => "backup_invalid",
            Error::ReadOnly { .. } => "read_only",
            Error::Unavailable { .. } => "unavailable",
            Error::Database(e) if is_constraint(e) => "conflict",
            Error::Database(e) if is_disk_full(e) => "disk_full",
            Error::Database(_) | Error::Internal(_) => "internal",
        }
    }

    /// Seconds after which trying again makes sense (`Retry-After`).
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::TooManyAttempts { retry_after, .. } => Some(*retry_after),
            Error::Busy => Some(1),
            _ => None,
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
            Error::Database(e) if is_disk_full(e) => {
                "disk full: nothing was saved; free some space on the disk and try again".into()
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

/// SQLITE_FULL: the disk (or the database's size limit) is full. The
/// transaction was rolled back, so nothing is half-written.
pub fn is_disk_full(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(rusqlite::ErrorCode::DiskFull))
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
