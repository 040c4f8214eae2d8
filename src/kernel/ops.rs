//! The operation contract. Each use case (create booking, list customers, …)
//! is one type implementing [`Operation`]: its fields are the input, `Output`
//! the result, `PERMISSION` who may run it, `WRITES` whether it needs the
//! write transaction. [`crate::App::execute`] does the rest (permission check,
//! transaction, commit), and adapters (HTTP, Tauri) only translate.

use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::Connection;
use serde::Serialize;
use serde::de::DeserializeOwned;
use utoipa::ToSchema;

use crate::kernel::audit;
use crate::kernel::auth::{Actor, Permission};
use crate::kernel::crypto::Vault;
use crate::kernel::error::{Error, Result};
use crate::kernel::settings::Settings;

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

    /// See [`Invoke::set_address`].
    fn set_address(&mut self, _address: IpAddr) {}
}

/// What the adapters (the operation table, HTTP routes, OpenAPI) accept:
/// every [`Operation`] (one transaction) and every [`Task`] declared with
/// [`task!`].
pub trait Invoke: DeserializeOwned + ToSchema + Send + 'static {
    type Output: Serialize + ToSchema + Send + 'static;
    const NAME: &'static str;
    const PERMISSION: Permission;

    /// Runs it under `permit`, the proof that its permission was checked.
    fn invoke(self, app: &crate::App, permit: Permit<Self>) -> Result<Self::Output>;

    /// Tells the input the network address the call came from, when an
    /// adapter knows one (HTTP); logging in throttles by it. The address is
    /// never read from the input itself, so a client cannot pick it.
    fn set_address(&mut self, _address: IpAddr) {}
}

impl<O: Operation> Invoke for O {
    type Output = <O as Operation>::Output;
    const NAME: &'static str = <O as Operation>::NAME;
    const PERMISSION: Permission = <O as Operation>::PERMISSION;

    fn invoke(self, app: &crate::App, permit: Permit<Self>) -> Result<Self::Output> {
        if O::WRITES {
            app.write(permit.actor(), |ctx| self.run(ctx))
        } else {
            app.read(permit.actor(), |ctx| self.run(ctx))
        }
    }
}

/// Proof that an actor may run `O`. Only [`authorize`] makes one and
/// [`Invoke::invoke`] needs one, so each call checks its permission exactly
/// once, and adapters check it before they read the input: a refused request
/// is refused whatever it carries.
pub struct Permit<O: ?Sized> {
    actor: Actor,
    _op: std::marker::PhantomData<fn() -> Box<O>>,
}

impl<O: ?Sized> Permit<O> {
    pub fn actor(&self) -> &Actor {
        &self.actor
    }
}

/// The permission check of `O`: 401 when not logged in, 403 when the role may not.
pub fn authorize<O: Invoke>(actor: &Actor) -> Result<Permit<O>> {
    if actor.allows(O::PERMISSION) {
        return Ok(Permit {
            actor: actor.clone(),
            _op: std::marker::PhantomData,
        });
    }
    Err(match actor {
        Actor::Anonymous => Error::Unauthorized,
        _ => Error::Forbidden {
            action: O::PERMISSION.action(),
        },
    })
}

/// Makes tasks invokable by the adapters: `task!(log::FlushMessages)`.
macro_rules! task {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::kernel::ops::Invoke for $t {
            type Output = <$t as $crate::kernel::ops::Task>::Output;
            const NAME: &'static str = <$t as $crate::kernel::ops::Task>::NAME;
            const PERMISSION: $crate::kernel::auth::Permission = <$t as $crate::kernel::ops::Task>::PERMISSION;

            fn invoke(
                self,
                app: &$crate::App,
                permit: $crate::kernel::ops::Permit<Self>,
            ) -> $crate::kernel::error::Result<Self::Output> {
                <$t as $crate::kernel::ops::Task>::run(self, app, permit.actor())
            }

            fn set_address(&mut self, address: std::net::IpAddr) {
                <$t as $crate::kernel::ops::Task>::set_address(self, address)
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
        action: audit::Action,
        entity: audit::EntityKind,
        entity_id: &str,
        before: Option<&B>,
        after: Option<&A>,
    ) -> Result<()> {
        audit::record(self, action, entity, entity_id, before, after)
    }
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
