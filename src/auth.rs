//! Roles, permissions and the permission matrix. Every operation names one
//! permission; [`crate::App::execute`] checks it before any work is done, so
//! the matrix holds whether the caller is the desktop UI, a browser or a script.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::types::{StaffId, UserId};

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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    /// No login needed (logging in).
    Public,
    /// Any logged-in user (who am I, log out).
    Authenticated,
    CustomersRead,
    CustomersWrite,
    CustomersDelete,
    /// See KTP/NPWP unmasked.
    CustomersSensitive,
    UnitsRead,
    UnitsWrite,
    StaffRead,
    StaffWrite,
    UsersManage,
    BookingsRead,
    BookingsWrite,
    BookingsCancel,
    PriorityRecalculate,
    AuditRead,
    SettingsRead,
    SettingsWrite,
    /// View services, providers, working plans and slots.
    CatalogRead,
    /// Change services and providers.
    CatalogWrite,
    /// Working plans and slots: generate, add, move, delete.
    ScheduleWrite,
    /// Message templates and the WhatsApp gateway settings.
    MessagingConfigure,
    /// The message log (outbox).
    MessagesRead,
    /// Resend, cancel and deliver queued messages.
    MessagesManage,
    /// The WhatsApp report and its statistics.
    ReportRead,
    /// Delete report rows, reset frequencies.
    ReportManage,
    /// Run a daily job by hand.
    JobsRun,
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
