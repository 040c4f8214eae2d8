//! The operation contract. Each use case (create booking, list customers, …)
//! is one type implementing [`Operation`]: its fields are the input, `Output`
//! the result, `PERMISSION` who may run it, `WRITES` whether it needs the
//! write transaction. [`crate::App::execute`] does the rest (permission check,
//! transaction, commit), and adapters (HTTP, Tauri) only translate.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::audit;
use crate::auth::{Actor, Permission};
use crate::crypto::Vault;
use crate::error::{Error, Result};
use crate::settings::Settings;

pub trait Operation: DeserializeOwned + ToSchema + Send + 'static {
    type Output: Serialize + ToSchema + Send + 'static;
    /// Stable name, e.g. `bookings.create`; the Tauri command and the
    /// generated client use it.
    const NAME: &'static str;
    const PERMISSION: Permission;
    /// Runs inside the single `BEGIN IMMEDIATE` write transaction when true,
    /// on a read snapshot otherwise.
    const WRITES: bool;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Self::Output>;
}

/// A use case that cannot be one transaction: it spans several, or waits on
/// the network (deliver the outbox now, send a test message, run a job).
/// It gets the [`App`](crate::App) and opens its own transactions with
/// [`App::write`](crate::App::write) / [`App::read`](crate::App::read).
/// Register it with [`task!`] so adapters run it like an operation.
pub trait Task: DeserializeOwned + ToSchema + Send + 'static {
    type Output: Serialize + ToSchema + Send + 'static;
    const NAME: &'static str;
    const PERMISSION: Permission;

    fn run(self, app: &crate::App, actor: &Actor) -> Result<Self::Output>;
}

/// What the adapters (registry, HTTP routes, OpenAPI) accept: every
/// [`Operation`] (one transaction, through [`App::execute`](crate::App::execute))
/// and every [`Task`] declared with [`task!`].
pub trait Invoke: DeserializeOwned + ToSchema + Send + 'static {
    type Output: Serialize + ToSchema + Send + 'static;
    const NAME: &'static str;
    const PERMISSION: Permission;

    /// Runs it; the caller has checked the permission (`authorize`).
    fn invoke(self, app: &crate::App, actor: &Actor) -> Result<Self::Output>;
}

impl<O: Operation> Invoke for O {
    type Output = <O as Operation>::Output;
    const NAME: &'static str = <O as Operation>::NAME;
    const PERMISSION: Permission = <O as Operation>::PERMISSION;

    fn invoke(self, app: &crate::App, actor: &Actor) -> Result<Self::Output> {
        app.execute(actor, self)
    }
}

/// Makes tasks invokable by the adapters: `task!(messaging::FlushMessages, …)`.
macro_rules! task {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::ops::Invoke for $t {
            type Output = <$t as $crate::ops::Task>::Output;
            const NAME: &'static str = <$t as $crate::ops::Task>::NAME;
            const PERMISSION: $crate::auth::Permission = <$t as $crate::ops::Task>::PERMISSION;

            fn invoke(self, app: &$crate::App, actor: &$crate::auth::Actor) -> $crate::error::Result<Self::Output> {
                $crate::app::authorize::<$t>(actor)?;
                <$t as $crate::ops::Task>::run(self, app, actor)
            }
        }
    )*};
}
pub(crate) use task;

/// What an operation may touch: the transaction, who is acting, the time,
/// the settings and the secrets vault.
pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub actor: &'a Actor,
    pub now: DateTime<Utc>,
    pub settings: Settings,
    pub vault: &'a Vault,
}

impl Ctx<'_> {
    /// Today's calendar date in the business time zone.
    pub fn today(&self) -> NaiveDate {
        self.now
            .with_timezone(&self.settings.time_zone)
            .date_naive()
    }

    /// A second, finer permission inside an operation (e.g. seeing KTP numbers).
    pub fn may(&self, p: Permission) -> bool {
        self.actor.allows(p)
    }

    pub fn require(&self, p: Permission) -> Result<()> {
        if self.may(p) {
            Ok(())
        } else {
            Err(Error::Forbidden { action: p.action() })
        }
    }

    /// Writes the audit entry and the change-log row for one mutation, in the
    /// operation's transaction.
    pub fn record<B: Serialize, A: Serialize>(
        &self,
        action: &str,
        entity: &str,
        entity_id: &str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        audit::record(self, action, entity, entity_id, before, after)
    }
}

/// Declares the registry of operations: `dispatch` runs one by name with a
/// JSON input (the Tauri shell's single command), `NAMES` lists them all.
macro_rules! operations {
    ($($op:ty),* $(,)?) => {
        /// Every operation's name, in declaration order.
        pub const NAMES: &[&str] = &[$(<$op as $crate::ops::Invoke>::NAME),*];

        /// Runs the operation called `name` with a JSON input.
        pub fn dispatch(
            app: &$crate::App,
            actor: &$crate::auth::Actor,
            name: &str,
            input: serde_json::Value,
        ) -> $crate::error::Result<serde_json::Value> {
            $(
                if name == <$op as $crate::ops::Invoke>::NAME {
                    $crate::app::authorize::<$op>(actor)?;
                    let input: $op = $crate::ops::from_json(input)?;
                    return Ok(serde_json::to_value(app.invoke(actor, input)?)?);
                }
            )*
            Err($crate::error::Error::NotFound { entity: "operation" })
        }
    };
}

/// Deserialises an operation input, naming the offending field on error.
pub fn from_json<T: DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| input_error(e.path().to_string(), e.inner()))
}

/// Turns a serde error at `path` into a 422 naming the field.
pub fn input_error(path: String, inner: &dyn std::fmt::Display) -> Error {
    let message = inner.to_string();
    // serde reports a missing field at the parent path; name the field itself.
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.split('`').next().unwrap_or_default();
        let field = if path == "." || path.is_empty() {
            name.to_owned()
        } else {
            format!("{path}.{name}")
        };
        return Error::validation(field, "is required");
    }
    let field = if path == "." || path.is_empty() {
        "body".to_owned()
    } else {
        path
    };
    Error::validation(
        field,
        message
            .split(" at line ")
            .next()
            .unwrap_or(&message)
            .to_owned(),
    )
}

pub(crate) use operations;
