//! One way to write a row: load it, apply the patch, [`save`] it. An
//! [`Entity`] names its table, its kind (for the audit trail and the change
//! log) and the columns an update may change; `save` writes only the columns
//! whose value changed, bumps `version`, and records the audit entry and the
//! change-log row, in the operation's transaction. Nothing changed, nothing
//! written.
//!
//! Architecture invariant: every mutation writes its audit entry and its
//! change-log row in its own transaction (through `save`, `soft_delete` or
//! `Ctx::record`).

use rusqlite::Connection;
use rusqlite::types::{ToSql, ToSqlOutput, Value, ValueRef};
use serde::Serialize;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::clock::to_db;
use crate::kernel::error::Result;
use crate::kernel::ops::Ctx;

/// A record that operations find, change and soft-delete the same way.
pub trait Entity: Serialize + Sized {
    type Id: ToSql + std::fmt::Display + Copy;
    const TABLE: &'static str;
    const KIND: EntityKind;
    /// The columns an update may change, in the order of [`Entity::values`].
    const COLUMNS: &'static [&'static str];

    fn id(&self) -> Self::Id;
    /// The stored values of [`Entity::COLUMNS`], in order.
    fn values(&self) -> Vec<Value>;
    /// The live record (not soft-deleted), or a 404.
    fn find(conn: &Connection, id: Self::Id) -> Result<Self>;
}

/// Implements [`Entity`] for a struct whose field names are its columns:
/// `entity!(Service, ServiceId, "services", EntityKind::Service, find, [name, price, …])`.
macro_rules! entity {
    ($ty:ty, $id:ty, $table:literal, $kind:expr, $find:path, [$($col:ident),* $(,)?]) => {
        impl $crate::kernel::entity::Entity for $ty {
            type Id = $id;
            const TABLE: &'static str = $table;
            const KIND: $crate::kernel::audit::EntityKind = $kind;
            const COLUMNS: &'static [&'static str] = &[$(stringify!($col)),*];

            fn id(&self) -> $id {
                self.id
            }
            fn values(&self) -> Vec<rusqlite::types::Value> {
                vec![$($crate::kernel::entity::value(&self.$col)),*]
            }
            fn find(conn: &rusqlite::Connection, id: $id) -> $crate::kernel::error::Result<Self> {
                $find(conn, id)
            }
        }
    };
}
pub(crate) use entity;

/// A value as SQLite stores it, so two versions of a record compare column by column.
pub fn value<T: ToSql + ?Sized>(v: &T) -> Value {
    match v.to_sql() {
        Ok(ToSqlOutput::Borrowed(r)) => match r {
            ValueRef::Null => Value::Null,
            ValueRef::Integer(i) => Value::Integer(i),
            ValueRef::Real(f) => Value::Real(f),
            ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Value::Blob(b.to_vec()),
        },
        Ok(ToSqlOutput::Owned(v)) => v,
        // Every column type of ours converts; an exotic output stores as NULL.
        _ => Value::Null,
    }
}

/// Writes `after` over `before` (the same record, as loaded): only the
/// changed columns, `updated_at`, and `version + 1`; then records the update.
/// Returns the record as stored now.
pub fn save<E: Entity>(ctx: &Ctx<'_>, before: &E, after: E) -> Result<E> {
    save_as(ctx, Action::Update, before, after)
}

/// [`save`], recorded under another action (`upsert`, `cancel`, …).
pub fn save_as<E: Entity>(ctx: &Ctx<'_>, action: Action, before: &E, after: E) -> Result<E> {
    if !write_changes(ctx, before, &after)? {
        return Ok(after);
    }
    let saved = E::find(ctx.conn, after.id())?;
    ctx.record(
        action,
        E::KIND,
        &saved.id().to_string(),
        Some(before),
        Some(&saved),
    )?;
    Ok(saved)
}

/// The columns whose value differs between two versions of a record.
pub fn changed_columns<E: Entity>(before: &E, after: &E) -> Vec<&'static str> {
    changes(before, after).into_iter().map(|(c, _)| c).collect()
}

fn changes<E: Entity>(before: &E, after: &E) -> Vec<(&'static str, Value)> {
    E::COLUMNS
        .iter()
        .zip(before.values().into_iter().zip(after.values()))
        .filter(|(_, (old, new))| old != new)
        .map(|(column, (_, new))| (*column, new))
        .collect()
}

/// The UPDATE half of [`save`] for records whose save does more (a booking
/// is rescored before its audit entry is written): only the changed columns,
/// `updated_at` and `version + 1`. False, and nothing written, when nothing changed.
pub fn write_changes<E: Entity>(ctx: &Ctx<'_>, before: &E, after: &E) -> Result<bool> {
    let changed = changes(before, after);
    if changed.is_empty() {
        return Ok(false);
    }
    let assignments: Vec<String> = changed.iter().map(|(c, _)| format!("{c} = ?")).collect();
    let mut args: Vec<Value> = changed.into_iter().map(|(_, v)| v).collect();
    args.push(Value::Text(to_db(ctx.now)));
    args.push(value(&after.id()));
    ctx.conn.execute(
        &format!(
            "UPDATE {} SET {}, updated_at = ?, version = version + 1 WHERE id = ?",
            E::TABLE,
            assignments.join(", ")
        ),
        rusqlite::params_from_iter(args),
    )?;
    Ok(true)
}

/// Records a record just inserted (the `create` audit entry and change-log row).
pub fn record_created<E: Entity>(ctx: &Ctx<'_>, created: &E) -> Result<()> {
    ctx.record(
        Action::Create,
        E::KIND,
        &created.id().to_string(),
        None::<&E>,
        Some(created),
    )
}

/// Soft delete: the row stays (bookings and the audit trail refer to it) but
/// leaves every list and lookup; recorded as a `delete`.
pub fn soft_delete<E: Entity>(ctx: &Ctx<'_>, before: &E) -> Result<()> {
    let id = before.id();
    ctx.conn.execute(
        &format!(
            "UPDATE {} SET deleted_at = ?2, updated_at = ?2, version = version + 1 WHERE id = ?1",
            E::TABLE
        ),
        (value(&id), to_db(ctx.now)),
    )?;
    ctx.record(
        Action::Delete,
        E::KIND,
        &id.to_string(),
        Some(before),
        None::<&E>,
    )
}
