//! The PostgreSQL pool and the schema: the migrations in `hq/migrations/`,
//! embedded in the binary and applied by every command before it does
//! anything else. A database migrated by a newer `loket-hq` is refused
//! before anything is changed.

use std::borrow::Cow;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};
use sqlx_core::migrate::{MigrateError, Migration, MigrationType, Migrator};
use sqlx_core::sql_str::SqlSafeStr;

use crate::error::{HqError, Result};

/// The migrations, in order. A landed migration is never edited (its
/// checksum is checked); a change is a new file and a new line here.
const MIGRATIONS: &[(i64, &str, &str)] = &[
    (1, "init", include_str!("../migrations/0001_init.sql")),
    (2, "sealed", include_str!("../migrations/0002_sealed.sql")),
    (
        3,
        "read_api",
        include_str!("../migrations/0003_read_api.sql"),
    ),
    (4, "owned", include_str!("../migrations/0004_owned.sql")),
    (5, "bot", include_str!("../migrations/0005_bot.sql")),
    (
        6,
        "push_without_row_checks",
        include_str!("../migrations/0006_push_without_row_checks.sql"),
    ),
    (7, "sending", include_str!("../migrations/0007_sending.sql")),
    (
        8,
        "hq_bookings",
        include_str!("../migrations/0008_hq_bookings.sql"),
    ),
    (
        9,
        "hq_booking_cancel",
        include_str!("../migrations/0009_hq_booking_cancel.sql"),
    ),
    (
        10,
        "provider_location_index",
        include_str!("../migrations/0010_provider_location_index.sql"),
    ),
    (
        11,
        "waha_hmac",
        include_str!("../migrations/0011_waha_hmac.sql"),
    ),
    (
        12,
        "outbox_templates",
        include_str!("../migrations/0012_outbox_templates.sql"),
    ),
    (
        13,
        "bot_business_name",
        include_str!("../migrations/0013_bot_business_name.sql"),
    ),
    (
        14,
        "online_booking",
        include_str!("../migrations/0014_online_booking.sql"),
    ),
    (
        15,
        "online_lookup",
        include_str!("../migrations/0015_online_lookup.sql"),
    ),
    (
        16,
        "branch_address",
        include_str!("../migrations/0016_branch_address.sql"),
    ),
    (
        17,
        "slot_lookup_index",
        include_str!("../migrations/0017_slot_lookup_index.sql"),
    ),
    (
        18,
        "public_url",
        include_str!("../migrations/0018_public_url.sql"),
    ),
    (
        19,
        "master_customer_code",
        include_str!("../migrations/0019_master_customer_code.sql"),
    ),
];

/// The migration that made the customer master: a database migrated past it
/// now links the customers its branches pushed before it.
const CUSTOMER_MASTER_VERSION: i64 = 3;

/// The newest schema version this binary knows.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.0)
}

fn migrator() -> Migrator {
    Migrator::with_migrations(
        MIGRATIONS
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    Cow::Borrowed(*description),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// Connects, brings the schema up to date, and returns the pool.
pub async fn open(url: &str) -> Result<PgPool> {
    let options: PgConnectOptions = url
        .parse()
        .map_err(|e| HqError::Schema(format!("not a PostgreSQL URL: {e}")))?;
    let before = migrate(&options).await?;
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .connect_with(options)
        .await?;
    // Customers pushed before the customer master existed get linked, once:
    // on the opening that migrates past it, never again (a scan of every
    // customer row at each start and each CLI command would grow with the
    // chain).
    if (1..CUSTOMER_MASTER_VERSION).contains(&before) {
        crate::customers::backfill(&pool).await?;
    }
    Ok(pool)
}

/// Migrates on a connection of its own, closed afterwards: the migrator's
/// advisory lock is per session, and a refused run must not leave it held
/// on a pooled connection. Answers the schema version the database had
/// before (0 for an empty one).
async fn migrate(options: &PgConnectOptions) -> Result<i64> {
    let mut conn = PgConnection::connect_with(options)
        .await
        .map_err(|e| HqError::Schema(format!("cannot connect to the head-office database: {e}")))?;
    let before = applied_version(&mut conn).await;
    let outcome = match before {
        Ok(before) => migrator()
            .run_direct(None, &mut conn, false)
            .await
            .map(|()| before),
        Err(e) => Err(MigrateError::Execute(e)),
    };
    let _ = conn.close().await;
    outcome.map_err(|e| match e {
        MigrateError::VersionMissing(v) => HqError::Schema(format!(
            "this database was migrated by a newer loket-hq (migration {v} is unknown to this \
             binary, which knows up to {}); run that version or a newer one (the database was \
             not changed)",
            latest_version()
        )),
        MigrateError::VersionMismatch(v) => HqError::Schema(format!(
            "migration {v} applied to this database differs from this binary's; the database \
             was not changed"
        )),
        other => HqError::Schema(format!(
            "migrating the head-office database failed: {other}"
        )),
    })
}

/// The newest migration applied, 0 when the database has none yet.
async fn applied_version(conn: &mut PgConnection) -> std::result::Result<i64, sqlx::Error> {
    let migrated: bool = sqlx::query_scalar("SELECT to_regclass('_sqlx_migrations') IS NOT NULL")
        .fetch_one(&mut *conn)
        .await?;
    if !migrated {
        return Ok(0);
    }
    sqlx::query_scalar("SELECT coalesce(max(version), 0) FROM _sqlx_migrations WHERE success")
        .fetch_one(&mut *conn)
        .await
}
