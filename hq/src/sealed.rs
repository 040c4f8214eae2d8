//! KTP and NPWP at head office. Branches seal them to head office's public
//! key (`loket::kernel::sealing`); they are stored sealed (`branch_sealed`)
//! and opened only here, in the process holding the secret key file, for an
//! `hq_admin`. The key file never enters PostgreSQL: a copy of the database
//! opens nothing. The database records the public key, so a process started
//! with another key file is refused instead of sealing to a second key.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use loket::kernel::audit::EntityKind;
use loket::kernel::sealing::SealingSecretKey;
use loket::sync::protocol::Change;

use crate::branches::Branch;
use crate::error::{HqError, Result};
use crate::query::column;

/// The fields a branch may send sealed, and of which record kind.
const FIELDS: [&str; 2] = ["ktp_number", "npwp_number"];
/// A sealed KTP or NPWP is ~100 characters; anything far larger is not one.
const MAX_SEALED: usize = 1024;

/// `$XDG_DATA_HOME/loket-hq/sealing.key`, else `~/.local/share/loket-hq/sealing.key`.
pub fn default_key_path() -> PathBuf {
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(|| PathBuf::from("."));
    base.join("loket-hq").join("sealing.key")
}

/// Reads the secret key from `path` (base64 text), or makes one there (mode
/// 0600, written to disk before it is used) when the file does not exist.
pub fn load_or_create(path: &Path) -> std::result::Result<SealingSecretKey, String> {
    let shown = path.display();
    match std::fs::read_to_string(path) {
        Ok(text) => STANDARD
            .decode(text.trim())
            .ok()
            .and_then(|bytes| SealingSecretKey::from_bytes(&bytes))
            .ok_or_else(|| format!("{shown} is not a loket-hq sealing key (32 bytes, base64)")),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = SealingSecretKey::generate();
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
            }
            let mut file = std::fs::OpenOptions::new();
            file.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut file, 0o600);
            let mut file = file
                .open(path)
                .map_err(|e| format!("cannot create {shown}: {e}"))?;
            writeln!(file, "{}", STANDARD.encode(key.to_bytes()))
                .and_then(|()| file.sync_all())
                .map_err(|e| format!("cannot write {shown}: {e}"))?;
            tracing::info!("made a new sealing key in {shown}: back it up with the database");
            Ok(key)
        }
        Err(e) => Err(format!("cannot read {shown}: {e}")),
    }
}

/// Records the key's public half in the database on first use; refuses a
/// key other than the one recorded.
pub async fn bind_to_database(pool: &PgPool, key: &SealingSecretKey) -> Result<()> {
    let public = key.public_key().to_base64();
    sqlx::query(
        "INSERT INTO sealing_key (id, public_key) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
    )
    .bind(&public)
    .execute(pool)
    .await?;
    let recorded: String = sqlx::query_scalar("SELECT public_key FROM sealing_key WHERE id = 1")
        .fetch_one(pool)
        .await?;
    if recorded != public {
        return Err(HqError::Schema(format!(
            "this database's KTP and NPWP are sealed to another key (public key {recorded}); \
             start loket-hq with that key file (--sealing-key), not one whose public key is {public}"
        )));
    }
    Ok(())
}

/// Why a change's sealed fields cannot be kept, if they cannot.
pub fn refusal(change: &Change) -> Option<String> {
    let sealed = change.sealed.as_ref()?;
    if change.entity != EntityKind::Customer.as_str() {
        return Some(format!("a {} has no sealed fields", change.entity));
    }
    for (field, value) in sealed {
        if !FIELDS.contains(&field.as_str()) {
            return Some(format!("{field} is not a sealed field"));
        }
        if value.as_ref().is_some_and(|v| v.len() > MAX_SEALED) {
            return Some(format!(
                "the sealed {field} is longer than {MAX_SEALED} characters"
            ));
        }
    }
    None
}

/// What a batch leaves of one record's sealed fields: whether it deleted the
/// record, then each field's last value (`None`: removed) and its change.
#[derive(Default)]
struct LastWord<'a> {
    deleted: bool,
    fields: BTreeMap<&'a str, (Option<&'a str>, i64)>,
}

/// Keeps a batch's sealed fields (in the push's transaction), as if each
/// change were applied in turn: a value replaces the stored one, `null`
/// removes it, a field left out stays as it is; a deleted record keeps
/// none. Only customers have sealed fields (`refusal` sees to it).
pub async fn store(
    tx: &mut Transaction<'_, Postgres>,
    branch: &Branch,
    changes: &[&Change],
) -> Result<()> {
    let mut records: HashMap<&str, LastWord<'_>> = HashMap::new();
    for change in changes {
        if change.entity != EntityKind::Customer.as_str() {
            continue;
        }
        if change.op == "delete" {
            let record = records.entry(&change.entity_id).or_default();
            *record = LastWord {
                deleted: true,
                fields: BTreeMap::new(),
            };
            continue;
        }
        for (field, value) in change.sealed.iter().flatten() {
            let record = records.entry(&change.entity_id).or_default();
            record.fields.insert(field, (value.as_deref(), change.seq));
        }
    }
    if records.is_empty() {
        return Ok(());
    }
    let cleared: Vec<&str> = records
        .iter()
        .filter(|(_, record)| record.deleted)
        .map(|(id, _)| *id)
        .collect();
    let fields = || {
        records
            .iter()
            .flat_map(|(id, record)| record.fields.iter().map(move |(f, v)| (*id, *f, *v)))
    };
    let removed: Vec<(&str, &str)> = fields()
        .filter(|(_, _, (value, _))| value.is_none())
        .map(|(id, field, _)| (id, field))
        .collect();
    let stored: Vec<(&str, &str, &str, i64)> = fields()
        .filter_map(|(id, field, (value, seq))| value.map(|v| (id, field, v, seq)))
        .collect();
    if !cleared.is_empty() {
        sqlx::query(
            "DELETE FROM branch_sealed
             WHERE branch_id = $1 AND entity = 'customer' AND entity_id = ANY($2)",
        )
        .bind(branch.id)
        .bind(&cleared)
        .execute(&mut **tx)
        .await?;
    }
    if !removed.is_empty() {
        sqlx::query(
            "DELETE FROM branch_sealed b USING UNNEST($2::text[], $3::text[]) AS t(entity_id, field)
             WHERE b.branch_id = $1 AND b.entity = 'customer'
               AND b.entity_id = t.entity_id AND b.field = t.field",
        )
        .bind(branch.id)
        .bind(column(&removed, |r| r.0))
        .bind(column(&removed, |r| r.1))
        .execute(&mut **tx)
        .await?;
    }
    if !stored.is_empty() {
        sqlx::query(
            "INSERT INTO branch_sealed (branch_id, entity, entity_id, field, sealed, updated_seq)
             SELECT $1, 'customer', t.entity_id, t.field, t.sealed, t.seq
             FROM UNNEST($2::text[], $3::text[], $4::text[], $5::int8[]) AS t(entity_id, field, sealed, seq)
             ON CONFLICT (branch_id, entity, entity_id, field)
             DO UPDATE SET sealed = excluded.sealed, updated_seq = excluded.updated_seq",
        )
        .bind(branch.id)
        .bind(column(&stored, |r| r.0))
        .bind(column(&stored, |r| r.1))
        .bind(column(&stored, |r| r.2))
        .bind(column(&stored, |r| r.3))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A branch customer's identity numbers, opened.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Identity {
    #[schema(value_type = String)]
    pub branch_id: Uuid,
    pub customer_id: String,
    pub ktp_number: Option<String>,
    pub npwp_number: Option<String>,
    /// Fields stored but not openable with this key (sealed to another).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<String>,
}

/// Opens a branch customer's KTP and NPWP (the caller checked the role).
pub async fn identity(
    pool: &PgPool,
    key: &SealingSecretKey,
    branch_id: Uuid,
    customer_id: &str,
) -> Result<Identity> {
    let known: Option<bool> = sqlx::query_scalar(
        "SELECT deleted FROM branch_rows WHERE branch_id = $1 AND entity = 'customer' AND entity_id = $2",
    )
    .bind(branch_id)
    .bind(customer_id)
    .fetch_optional(pool)
    .await?;
    if known != Some(false) {
        return Err(HqError::NotFound { entity: "customer" });
    }
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT field, sealed FROM branch_sealed
         WHERE branch_id = $1 AND entity = 'customer' AND entity_id = $2",
    )
    .bind(branch_id)
    .bind(customer_id)
    .fetch_all(pool)
    .await?;
    let mut opened: BTreeMap<String, String> = BTreeMap::new();
    let mut unavailable = Vec::new();
    for (field, sealed) in rows {
        match key.open(&format!("customer.{field}"), &sealed) {
            Ok(plain) => {
                opened.insert(field, plain);
            }
            Err(_) => unavailable.push(field),
        }
    }
    Ok(Identity {
        branch_id,
        customer_id: customer_id.to_owned(),
        ktp_number: opened.remove("ktp_number"),
        npwp_number: opened.remove("npwp_number"),
        unavailable,
    })
}
