//! Roles, permissions and the permission matrix. Every operation names one
//! permission; the adapters and [`crate::App::execute`] check it (once, through
//! [`crate::kernel::ops::authorize`]) before any work is done, so
//! the matrix holds whether the caller is the desktop UI, a browser or a script.
//!
//! ## The matrix
//!
//! `auth.login` and `auth.me` list the caller's permissions by name
//! (`customers.sensitive`, `staff.write`, …: `Permission::as_str`); the UI hides
//! what is not listed, so the matrix exists once, in the core.
//!
//! | permission | admin | manager | marketing | sales | front_desk |
//! |---|---|---|---|---|---|
//! | view/change customers, view units/staff, view/create/change bookings, view settings | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | see KTP/NPWP unmasked, change units | ✓ | ✓ | ✓ | | |
//! | cancel bookings | ✓ | ✓ | ✓ | | ✓ |
//! | delete customers, change staff, recalculate/expire, read the audit trail | ✓ | ✓ | | | |
//! | manage users, change settings | ✓ | | | | |
//! | view services, providers, plans, slots | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | change services and providers | ✓ | ✓ | | | |
//! | change working plans and slots (add, generate, move, delete) | ✓ | ✓ | | | ✓ |
//! | view/change vehicles (like customers; delete like deleting customers) | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | message templates, gateway settings, send a test message | ✓ | | | | |
//! | view the message log, view the jobs | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | resend, cancel, flush messages | ✓ | ✓ | | | ✓ |
//! | view the WhatsApp report and statistics | ✓ | ✓ | ✓ | | |
//! | delete report rows, reset frequencies, run a job by hand | ✓ | ✓ | | | |
//! | see the sync status and what head office refused | ✓ | ✓ | ✓ | ✓ | ✓ |
//! | sync with head office now | ✓ | ✓ | | | |
//! | head-office sync settings (address, token) | ✓ | | | | |

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use crate::kernel::clock::to_db;
use crate::kernel::crypto::token_hash;
use crate::kernel::error::{Error, Result};
use crate::kernel::types::{StaffId, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Manager,
    Marketing,
    Sales,
    FrontDesk,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Admin,
        Role::Manager,
        Role::Marketing,
        Role::Sales,
        Role::FrontDesk,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Marketing => "marketing",
            Role::Sales => "sales",
            Role::FrontDesk => "front_desk",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The permission matrix (also documented in ARCHITECTURE.md).
    pub fn allows(self, p: Permission) -> bool {
        use Permission::*;
        use Role::*;
        match p {
            Public | Authenticated => true,
            CustomersRead | CustomersWrite | UnitsRead | StaffRead | BookingsRead
            | BookingsWrite | SettingsRead | CatalogRead | MessagesRead => true,
            CatalogWrite => matches!(self, Admin | Manager),
            ScheduleWrite => matches!(self, Admin | Manager | FrontDesk),
            CustomersDelete | StaffWrite | PriorityRecalculate | AuditRead => {
                matches!(self, Admin | Manager)
            }
            CustomersSensitive | UnitsWrite => matches!(self, Admin | Manager | Marketing),
            BookingsCancel => matches!(self, Admin | Manager | Marketing | FrontDesk),
            UsersManage | SettingsWrite | MessagingConfigure => self == Admin,
            MessagesManage => matches!(self, Admin | Manager | FrontDesk),
            ReportRead => matches!(self, Admin | Manager | Marketing),
            ReportManage | JobsRun => matches!(self, Admin | Manager),
            SyncRead => true,
            SyncRun => matches!(self, Admin | Manager),
            SyncConfigure => self == Admin,
        }
    }
}

impl rusqlite::types::FromSql for Role {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        let s = v.as_str()?;
        Role::parse(s)
            .ok_or_else(|| rusqlite::types::FromSqlError::Other(format!("unknown role {s}").into()))
    }
}

impl rusqlite::types::ToSql for Role {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

/// Declares the permissions once: the enum, `ALL`, and each one's name
/// (what `auth.login` and `auth.me` list for the UI).
macro_rules! permissions {
    ($($(#[$m:meta])* $variant:ident = $name:literal),* $(,)?) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Permission { $($(#[$m])* $variant),* }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $(Permission::$variant => $name),* }
            }
        }
    };
}

permissions! {
    /// No login needed (logging in).
    Public = "public",
    /// Any logged-in user (who am I, log out).
    Authenticated = "authenticated",
    CustomersRead = "customers.read",
    CustomersWrite = "customers.write",
    CustomersDelete = "customers.delete",
    /// See KTP/NPWP unmasked.
    CustomersSensitive = "customers.sensitive",
    UnitsRead = "units.read",
    UnitsWrite = "units.write",
    StaffRead = "staff.read",
    StaffWrite = "staff.write",
    UsersManage = "users.manage",
    BookingsRead = "bookings.read",
    BookingsWrite = "bookings.write",
    BookingsCancel = "bookings.cancel",
    PriorityRecalculate = "priority.recalculate",
    AuditRead = "audit.read",
    SettingsRead = "settings.read",
    SettingsWrite = "settings.write",
    /// View services, providers, working plans and slots.
    CatalogRead = "catalog.read",
    /// Change services and providers.
    CatalogWrite = "catalog.write",
    /// Working plans and slots: generate, add, move, delete.
    ScheduleWrite = "schedule.write",
    /// Message templates and the WhatsApp gateway settings.
    MessagingConfigure = "messaging.configure",
    /// The message log (outbox).
    MessagesRead = "messages.read",
    /// Resend, cancel and deliver queued messages.
    MessagesManage = "messages.manage",
    /// The WhatsApp report and its statistics.
    ReportRead = "report.read",
    /// Delete report rows, reset frequencies.
    ReportManage = "report.manage",
    /// Run a daily job by hand.
    JobsRun = "jobs.run",
    /// The sync status and the changes head office refused.
    SyncRead = "sync.read",
    /// Sync with head office now.
    SyncRun = "sync.run",
    /// Head office's address and this branch's token.
    SyncConfigure = "sync.configure",
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl utoipa::PartialSchema for Permission {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(Permission::ALL.iter().map(|p| p.as_str())))
            .into()
    }
}
impl ToSchema for Permission {}

impl Role {
    /// Everything this role may do, for the UI to show only what works (the
    /// core still checks each operation).
    pub fn permissions(self) -> Vec<Permission> {
        Permission::ALL
            .iter()
            .copied()
            .filter(|p| self.allows(*p))
            .collect()
    }
}

impl Permission {
    /// Phrase used in "your role may not …".
    pub fn action(self) -> &'static str {
        use Permission::*;
        match self {
            Public | Authenticated => "do this",
            CustomersRead => "view customers",
            CustomersWrite => "change customers",
            CustomersDelete => "delete customers",
            CustomersSensitive => "view KTP/NPWP numbers",
            UnitsRead => "view units",
            UnitsWrite => "change units",
            StaffRead => "view staff",
            StaffWrite => "change staff",
            UsersManage => "manage users",
            BookingsRead => "view bookings",
            BookingsWrite => "create or change bookings",
            BookingsCancel => "cancel bookings",
            PriorityRecalculate => "recalculate priorities",
            AuditRead => "read the audit trail",
            SettingsRead => "view settings",
            SettingsWrite => "change settings",
            CatalogRead => "view services and providers",
            CatalogWrite => "change services and providers",
            ScheduleWrite => "change schedules and slots",
            MessagingConfigure => "change message templates or the gateway",
            MessagesRead => "view messages",
            MessagesManage => "resend, cancel or deliver messages",
            ReportRead => "view the WhatsApp report",
            ReportManage => "change the WhatsApp report",
            JobsRun => "run jobs",
            SyncRead => "view the sync status",
            SyncRun => "sync with head office",
            SyncConfigure => "change the sync settings",
        }
    }
}

/// Who is performing an operation.
#[derive(Clone, Debug)]
pub enum Actor {
    User(SessionUser),
    /// Background jobs (expiry, daily recalculation).
    System,
    /// Not logged in: may only run `Public` operations.
    Anonymous,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SessionUser {
    pub id: UserId,
    pub username: String,
    pub role: Role,
    pub staff_id: Option<StaffId>,
    /// The hash of the session's token, when the actor came from a login
    /// (logging out ends that session only, not the user's other desks).
    #[serde(skip)]
    pub session: Option<String>,
}

impl Actor {
    pub fn allows(&self, p: Permission) -> bool {
        match self {
            Actor::User(u) => u.role.allows(p),
            Actor::System => true,
            Actor::Anonymous => p == Permission::Public,
        }
    }

    pub fn user_id(&self) -> Option<UserId> {
        match self {
            Actor::User(u) => Some(u.id),
            _ => None,
        }
    }

    pub fn username(&self) -> &str {
        match self {
            Actor::User(u) => &u.username,
            Actor::System => "system",
            Actor::Anonymous => "anonymous",
        }
    }
}

/// A session's owner and when it was last used (see [`session_user`]).
pub struct LiveSession {
    pub user: SessionUser,
    /// Whether `last_seen_at` is old enough to be written again.
    pub stale_mark: bool,
}

/// How often a session's `last_seen_at` is rewritten: the idle timeout is
/// exact to this much, and an active desk writes once a minute, not on
/// every request.
pub const SEEN_PRECISION_SECS: i64 = 60;

/// The user behind a bearer token, if the session is live (within 16 hours
/// of its login and used within `idle` ago) and the user active.
pub fn session_user(
    conn: &Connection,
    token: &str,
    now: DateTime<Utc>,
    idle: chrono::Duration,
) -> Result<LiveSession> {
    let hash = token_hash(token);
    let found: Option<(SessionUser, String)> = conn
        .prepare_cached(
            "SELECT u.id, u.username, u.role, u.staff_id, COALESCE(s.last_seen_at, s.created_at)
             FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND u.active = 1",
        )?
        .query_row((&hash, to_db(now)), |r| {
            Ok((
                SessionUser {
                    id: r.get(0)?,
                    username: r.get(1)?,
                    role: r.get(2)?,
                    staff_id: r.get(3)?,
                    session: Some(hash.clone()),
                },
                r.get(4)?,
            ))
        })
        .optional()?;
    let (user, seen) = found.ok_or(Error::Unauthorized)?;
    let seen = crate::kernel::clock::from_db(&seen)?;
    if now - seen >= idle {
        return Err(Error::Unauthorized);
    }
    Ok(LiveSession {
        user,
        stale_mark: (now - seen).num_seconds() >= SEEN_PRECISION_SECS,
    })
}

/// Marks a session used now (on the writer, outside any operation).
pub fn mark_seen(conn: &Connection, session: &str, now: DateTime<Utc>) -> Result<()> {
    conn.prepare_cached("UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1")?
        .execute((session, to_db(now)))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // What each role is told it may do is checked against enforcement over
    // HTTP in tests/api/permissions.rs; here only that names never collide.
    #[test]
    fn permission_names_are_unique() {
        let mut names: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Permission::ALL.len());
    }
}
