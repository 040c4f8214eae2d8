//! Every mutation leaves an audit entry and a change-log row, written in its
//! own transaction; a failed operation leaves neither (`mutations`), and the
//! trail reads back per record (`trail`). The watch over both tables is
//! shared below.

mod mutations;
mod trail;

use rusqlite::Connection;
use serde_json::{Value, json};

pub use crate::support::*;

#[derive(Debug, Clone, PartialEq)]
pub struct AuditRow {
    pub id: i64,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub username: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChangeRow {
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub snapshot: Value,
}

pub fn audit_since(db: &Connection, after: i64) -> Vec<AuditRow> {
    db.prepare(
        "SELECT id, action, entity, entity_id, username FROM audit_log WHERE id > ?1 ORDER BY id",
    )
    .unwrap()
    .query_map([after], |r| {
        Ok(AuditRow {
            id: r.get(0)?,
            action: r.get(1)?,
            entity: r.get(2)?,
            entity_id: r.get(3)?,
            username: r.get(4)?,
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

pub fn changes_since(db: &Connection, after: i64) -> Vec<ChangeRow> {
    db.prepare(
        "SELECT seq, entity, entity_id, op, snapshot FROM change_log WHERE seq > ?1 ORDER BY seq",
    )
    .unwrap()
    .query_map([after], |r| {
        let snapshot: String = r.get(4)?;
        Ok(ChangeRow {
            seq: r.get(0)?,
            entity: r.get(1)?,
            entity_id: r.get(2)?,
            op: r.get(3)?,
            snapshot: serde_json::from_str(&snapshot).unwrap(),
        })
    })
    .unwrap()
    .collect::<Result<_, _>>()
    .unwrap()
}

/// Watches both tables and checks what each step added.
pub struct Watch {
    pub db: Connection,
    audit: i64,
    seq: i64,
    steps: usize,
}

impl Watch {
    pub fn new(t: &TestApp) -> Watch {
        let db = t.db();
        let audit = db
            .query_row("SELECT COALESCE(MAX(id), 0) FROM audit_log", [], |r| {
                r.get(0)
            })
            .unwrap();
        let seq = db
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM change_log", [], |r| {
                r.get(0)
            })
            .unwrap();
        Watch {
            db,
            audit,
            seq,
            steps: 0,
        }
    }

    /// Asserts that exactly `expected` (entity, audit action, change op) rows
    /// were added since the last step, audit and change log pairwise alike.
    #[track_caller]
    pub fn step(
        &mut self,
        what: &str,
        expected: &[(&str, &str, &str)],
    ) -> Vec<(AuditRow, ChangeRow)> {
        self.steps += 1;
        let audit = audit_since(&self.db, self.audit);
        let changes = changes_since(&self.db, self.seq);
        let got_audit: Vec<(&str, &str)> = audit
            .iter()
            .map(|a| (a.entity.as_str(), a.action.as_str()))
            .collect();
        let got_changes: Vec<(&str, &str)> = changes
            .iter()
            .map(|c| (c.entity.as_str(), c.op.as_str()))
            .collect();
        let want_audit: Vec<(&str, &str)> = expected.iter().map(|(e, a, _)| (*e, *a)).collect();
        let want_changes: Vec<(&str, &str)> = expected.iter().map(|(e, _, o)| (*e, *o)).collect();
        assert_eq!(
            got_audit, want_audit,
            "audit entries of step {} ({what})",
            self.steps
        );
        assert_eq!(
            got_changes, want_changes,
            "change-log rows of step {} ({what})",
            self.steps
        );
        for (a, c) in audit.iter().zip(&changes) {
            assert_eq!(
                a.entity_id, c.entity_id,
                "{what}: audit and change log name the same record"
            );
            if let Some(id) = c.snapshot.get("id") {
                assert_eq!(
                    id,
                    &json!(c.entity_id),
                    "{what}: the snapshot is of the record"
                );
            }
        }
        if let (Some(a), Some(c)) = (audit.last(), changes.last()) {
            self.audit = a.id;
            self.seq = c.seq;
        }
        audit.into_iter().zip(changes).collect()
    }

    /// Asserts that nothing was written since the last step.
    #[track_caller]
    pub fn nothing(&mut self, what: &str) {
        self.step(what, &[]);
    }
}
