//! Audit trail (who changed what, before and after) and the change log that
//! the sync with head office reads. Both are written by [`Ctx::record`] in
//! the same transaction as the change itself.

use chrono::{DateTime, Utc};
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::Result;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::{Page, Paging, UserId, text_enum};

text_enum!(
    /// What the audit trail and the change log call each kind of record.
    EntityKind {
        Customer = "customer",
        Vehicle = "vehicle",
        Staff = "staff",
        User = "user",
        Unit = "unit",
        Booking = "booking",
        Service = "service",
        Provider = "provider",
        WorkingPlan = "working_plan",
        Slot = "slot",
        Settings = "settings",
        Gateway = "gateway",
        Template = "template",
        Message = "message",
        WhatsappReport = "whatsapp_report",
        /// Every open booking at once (the recalculation run).
        AllBookings = "bookings",
        /// A backup archive (made from the settings screen).
        Backup = "backup",
    }
);

text_enum!(
    /// What was done to a record, as the audit trail shows it.
    Action {
        Create = "create",
        Update = "update",
        Delete = "delete",
        Upsert = "upsert",
        Generate = "generate",
        Cancel = "cancel",
        Confirm = "confirm",
        Complete = "complete",
        /// A booking moved to another slot.
        Move = "move",
        Booked = "booked",
        Sold = "sold",
        Released = "released",
        WorkingPlan = "working_plan",
        Login = "login",
        /// A wrong username or password (the username and address as typed, never the password).
        LoginFailed = "login_failed",
        PasswordChange = "password_change",
        Expire = "expire",
        Recalculate = "recalculate",
        Resend = "resend",
        Test = "test",
        ResetFrequency = "reset_frequency",
        Backup = "backup",
    }
);

/// One mutation: the audit entry and the change-log row (`insert` when there
/// is no `before`, `delete` when there is no `after`).
pub(crate) fn record<B: Serialize, A: Serialize>(
    ctx: &Ctx<'_>,
    action: Action,
    entity: EntityKind,
    entity_id: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let before = before.map(serde_json::to_string).transpose()?;
    let after = after.map(serde_json::to_string).transpose()?;
    append_audit(
        ctx,
        action,
        entity,
        entity_id,
        before.as_deref(),
        after.as_deref(),
    )?;
    let (op, snapshot) = match (&before, &after) {
        (None, Some(a)) => ("insert", a),
        (Some(_), Some(a)) => ("update", a),
        (Some(b), None) => ("delete", b),
        (None, None) => return Ok(()),
    };
    append_change(ctx, entity, entity_id, op, snapshot)
}

/// An audit entry with no change-log row: an action on many records at once
/// (a recalculation run), described by `detail`.
pub(crate) fn note<D: Serialize>(
    ctx: &Ctx<'_>,
    action: Action,
    entity: EntityKind,
    entity_id: &str,
    detail: &D,
) -> Result<()> {
    append_audit(
        ctx,
        action,
        entity,
        entity_id,
        None,
        Some(&serde_json::to_string(detail)?),
    )
}

/// A change-log row only: for derived fields rewritten in bulk (the daily
/// rescoring), where one audit entry stands for the whole run.
pub(crate) fn log_change<S: Serialize>(
    ctx: &Ctx<'_>,
    entity: EntityKind,
    entity_id: &str,
    snapshot: &S,
) -> Result<()> {
    append_change(
        ctx,
        entity,
        entity_id,
        "update",
        &serde_json::to_string(snapshot)?,
    )
}

/// A change-log `insert` row only, dated `at`: records written in bulk (the
/// demo data), where one audit entry stands for the whole run.
pub(crate) fn log_insert<S: Serialize>(
    ctx: &Ctx<'_>,
    entity: EntityKind,
    entity_id: &str,
    snapshot: &S,
    at: DateTime<Utc>,
) -> Result<()> {
    ctx.conn
        .prepare_cached("INSERT INTO change_log (entity, entity_id, op, snapshot, at) VALUES (?1, ?2, 'insert', ?3, ?4)")?
        .execute((entity, entity_id, serde_json::to_string(snapshot)?, to_db(at)))?;
    Ok(())
}

fn append_audit(
    ctx: &Ctx<'_>,
    action: Action,
    entity: EntityKind,
    entity_id: &str,
    before: Option<&str>,
    after: Option<&str>,
) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "INSERT INTO audit_log (at, user_id, username, action, entity, entity_id, before_json, after_json)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?
        .execute((
            to_db(ctx.now),
            ctx.actor.user_id(),
            ctx.actor.username(),
            action,
            entity,
            entity_id,
            before,
            after,
        ))?;
    Ok(())
}

fn append_change(
    ctx: &Ctx<'_>,
    entity: EntityKind,
    entity_id: &str,
    op: &str,
    snapshot: &str,
) -> Result<()> {
    ctx.conn
        .prepare_cached("INSERT INTO change_log (entity, entity_id, op, snapshot, at) VALUES (?1, ?2, ?3, ?4, ?5)")?
        .execute((entity, entity_id, op, snapshot, to_db(ctx.now)))?;
    Ok(())
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    pub at: String,
    pub user_id: Option<UserId>,
    pub username: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    #[schema(value_type = Object)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Object)]
    pub after: Option<serde_json::Value>,
}

/// The audit trail, newest first, optionally for one entity or one record.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListAudit {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListAudit {
    type Output = Page<AuditEntry>;
    const NAME: &'static str = "audit.list";
    const PERMISSION: Permission = Permission::AuditRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<AuditEntry>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut filter = String::from("WHERE 1=1");
        let mut args: Vec<Value> = Vec::new();
        if let Some(e) = self.entity {
            filter.push_str(" AND entity = ?");
            args.push(Value::Text(e));
        }
        if let Some(id) = self.entity_id {
            filter.push_str(" AND entity_id = ?");
            args.push(Value::Text(id));
        }
        let total: i64 = ctx.conn.query_row(
            &format!("SELECT COUNT(*) FROM audit_log {filter}"),
            rusqlite::params_from_iter(&args),
            |r| r.get(0),
        )?;
        args.push(Value::Integer(paging.limit()));
        args.push(Value::Integer(paging.offset()));
        let mut stmt = ctx.conn.prepare(&format!(
            "SELECT id, at, user_id, username, action, entity, entity_id, before_json, after_json
             FROM audit_log {filter} ORDER BY id DESC LIMIT ? OFFSET ?"
        ))?;
        let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        let rows = stmt
            .query_map(rusqlite::params_from_iter(&args), |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    user_id: r.get(2)?,
                    username: r.get(3)?,
                    action: r.get(4)?,
                    entity: r.get(5)?,
                    entity_id: r.get(6)?,
                    before: json(r.get(7)?),
                    after: json(r.get(8)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(paging.page_of(rows, total))
    }
}

/// Allocates the next number in a code series (`CS`, `UNIT`, `BK-2026`)
/// inside the caller's write transaction, so two desks never share a code.
pub fn next_code_number(conn: &rusqlite::Connection, scope: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO code_counters (scope, last) VALUES (?1, 1)
             ON CONFLICT(scope) DO UPDATE SET last = last + 1 RETURNING last",
        )?
        .query_row([scope], |r| r.get(0))?)
}
