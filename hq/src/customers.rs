//! The customer master across branches: one head-office customer per
//! person. Each branch customer pushed is linked, in the push's own
//! transaction, to the master customer with the same phone (normalised by
//! the desk's own rule, `loket::kernel::validate::phone`), else the same
//! e-mail (case-insensitive), else a new one. A same name is never a match:
//! two people may share one.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;
use sqlx::{PgConnection, PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{HqError, Result};
use crate::query::column;

/// The keys a branch customer is matched by.
struct Keys {
    phone: Option<String>,
    email: Option<String>,
    name: String,
}

/// The fields of a pushed customer row the master matches on; the rest of
/// the row is skipped unparsed.
#[derive(Default, Deserialize)]
struct KeyFields {
    #[serde(default)]
    phone: Option<Value>,
    #[serde(default)]
    email: Option<Value>,
    #[serde(default)]
    name: Option<Value>,
}

fn keys(customer_id: &str, data: &RawValue) -> Keys {
    let fields: KeyFields = serde_json::from_str(data.get()).unwrap_or_default();
    let text = |v: &Option<Value>| {
        v.as_ref()
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Keys {
        phone: text(&fields.phone).and_then(|p| loket::kernel::validate::phone(&p, "phone").ok()),
        email: text(&fields.email).map(|e| e.to_lowercase()),
        name: text(&fields.name).unwrap_or_else(|| customer_id.to_owned()),
    }
}

/// A branch customer as a push leaves it.
pub struct Pushed<'a> {
    pub customer_id: &'a str,
    /// Its row as pushed.
    pub data: &'a RawValue,
    pub deleted: bool,
}

/// Links each pushed branch customer to its master customer, creating the
/// masters no phone or e-mail matches, as if they were linked one by one in
/// order; a deleted one links to nothing (its master stays). Runs inside
/// the push's transaction, with a fixed number of statements whatever the
/// batch's size. `customers` holds each customer once.
pub async fn link(
    conn: &mut PgConnection,
    branch_id: Uuid,
    customers: &[Pushed<'_>],
) -> Result<()> {
    let deleted: Vec<&str> = customers
        .iter()
        .filter(|c| c.deleted)
        .map(|c| c.customer_id)
        .collect();
    if !deleted.is_empty() {
        sqlx::query(
            "DELETE FROM master_customer_links WHERE branch_id = $1 AND customer_id = ANY($2)",
        )
        .bind(branch_id)
        .bind(&deleted)
        .execute(&mut *conn)
        .await?;
    }
    let live: Vec<(&str, Keys)> = customers
        .iter()
        .filter(|c| !c.deleted)
        .map(|c| (c.customer_id, keys(c.customer_id, c.data)))
        .collect();
    if live.is_empty() {
        return Ok(());
    }
    let phones: Vec<&str> = live
        .iter()
        .filter_map(|(_, k)| k.phone.as_deref())
        .collect();
    let emails: Vec<&str> = live
        .iter()
        .filter_map(|(_, k)| k.email.as_deref())
        .collect();
    let ids: Vec<&str> = live.iter().map(|(id, _)| *id).collect();
    let mut by_phone: HashMap<String, Uuid> =
        sqlx::query_as("SELECT phone, id FROM master_customers WHERE phone = ANY($1)")
            .bind(&phones)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    // The oldest master with an e-mail is the one it matches.
    let mut by_email: HashMap<String, Uuid> = sqlx::query_as(
        "SELECT DISTINCT ON (email) email, id FROM master_customers
         WHERE email = ANY($1) ORDER BY email, created_at, id",
    )
    .bind(&emails)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let linked: HashMap<String, Uuid> = sqlx::query_as(
        "SELECT customer_id, master_id FROM master_customer_links
         WHERE branch_id = $1 AND customer_id = ANY($2)",
    )
    .bind(branch_id)
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();

    // Phone first, then e-mail; a customer with neither matching keeps the
    // master it has, else gets a new one, which later ones in the batch match.
    let mut created: Vec<(Uuid, &Keys)> = Vec::new();
    let mut links: Vec<(&str, Uuid)> = Vec::with_capacity(live.len());
    for (customer_id, keys) in &live {
        let found = keys
            .phone
            .as_ref()
            .and_then(|p| by_phone.get(p))
            .or_else(|| keys.email.as_ref().and_then(|e| by_email.get(e)))
            .or_else(|| linked.get(*customer_id))
            .copied();
        let master = match found {
            Some(id) => id,
            None => {
                let id = Uuid::now_v7();
                if let Some(phone) = &keys.phone {
                    by_phone.insert(phone.clone(), id);
                }
                if let Some(email) = &keys.email {
                    by_email.entry(email.clone()).or_insert(id);
                }
                created.push((id, keys));
                id
            }
        };
        links.push((customer_id, master));
    }
    if !created.is_empty() {
        // Another branch's push may create the same phone at the same
        // moment: the upsert answers whichever row won, and the links
        // follow it.
        let won: HashMap<String, Uuid> = sqlx::query_as(
            "INSERT INTO master_customers (id, phone, email, name)
             SELECT * FROM UNNEST($1::uuid[], $2::text[], $3::text[], $4::text[])
             ON CONFLICT (phone) DO UPDATE SET phone = excluded.phone
             RETURNING phone, id",
        )
        .bind(column(&created, |(id, _)| *id))
        .bind(column(&created, |(_, k)| k.phone.as_deref()))
        .bind(column(&created, |(_, k)| k.email.as_deref()))
        .bind(column(&created, |(_, k)| k.name.as_str()))
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .filter_map(|(phone, id): (Option<String>, Uuid)| phone.map(|p| (p, id)))
        .collect();
        let planned: HashMap<Uuid, Uuid> = created
            .iter()
            .filter_map(|(id, k)| k.phone.as_ref().and_then(|p| won.get(p)).map(|w| (*id, *w)))
            .collect();
        for (_, master) in &mut links {
            if let Some(winner) = planned.get(master) {
                *master = *winner;
            }
        }
    }
    sqlx::query(
        "INSERT INTO master_customer_links (branch_id, customer_id, master_id)
         SELECT $1, t.customer_id, t.master_id
         FROM UNNEST($2::text[], $3::uuid[]) AS t(customer_id, master_id)
         ON CONFLICT (branch_id, customer_id) DO UPDATE SET master_id = excluded.master_id
         -- Most pushed customers keep their master: no new row version then.
         WHERE master_customer_links.master_id <> excluded.master_id",
    )
    .bind(branch_id)
    .bind(column(&links, |(c, _)| *c))
    .bind(column(&links, |(_, m)| *m))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Links the customer rows pushed before the master existed (a database
/// from before migration 3, when it is opened by this version). Idempotent.
pub async fn backfill(pool: &PgPool) -> Result<()> {
    let rows: Vec<(Uuid, String, sqlx::types::Json<Box<RawValue>>)> = sqlx::query_as(
        "SELECT r.branch_id, r.entity_id, r.data FROM branch_rows r
         WHERE r.entity = 'customer' AND NOT r.deleted
           AND NOT EXISTS (SELECT 1 FROM master_customer_links l
                           WHERE l.branch_id = r.branch_id AND l.customer_id = r.entity_id)
         ORDER BY r.branch_id, r.updated_seq",
    )
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut tx = pool.begin().await?;
    for branch in rows.chunk_by(|a, b| a.0 == b.0) {
        let customers: Vec<Pushed<'_>> = branch
            .iter()
            .map(|(_, customer_id, data)| Pushed {
                customer_id,
                data: &data.0,
                deleted: false,
            })
            .collect();
        link(&mut tx, branch[0].0, &customers).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// One branch's record of a master customer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BranchCustomer {
    pub branch_id: Uuid,
    pub customer_id: String,
    /// The branch's `CS-NNNNNN`.
    pub code: Option<String>,
    /// The name as this branch has it.
    pub name: Option<String>,
}

/// A head-office customer with every branch record linked to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MasterCustomer {
    pub id: Uuid,
    pub name: String,
    /// Normalised `62…`.
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Head office's own code (`CS-HQ-000001`) for a customer it met first.
    pub code: Option<String>,
    /// Which studio and channel brought them, when head office met them first.
    pub customer_type: Option<String>,
    pub branches: Vec<BranchCustomer>,
    /// Bookings across every branch record.
    pub bookings: i64,
}

/// What the list filters by: exactly one of them, or none (everyone).
pub enum Search {
    All,
    /// A phone number as typed, normalised by the desk's rule.
    Phone(String),
    /// Part of a name, e-mail, phone or branch customer code.
    Text(String),
}

impl Search {
    pub fn parse(phone: Option<&str>, q: Option<&str>) -> Result<Search> {
        match (phone, q.map(str::trim).filter(|q| !q.is_empty())) {
            (Some(_), Some(_)) => Err(HqError::validation("q", "give either phone or q, not both")),
            (Some(phone), None) => Ok(Search::Phone(loket::kernel::validate::phone(
                phone, "phone",
            )?)),
            (None, Some(q)) if q.chars().count() > 100 => {
                Err(HqError::validation("q", "must be at most 100 characters"))
            }
            (None, Some(q)) => Ok(Search::Text(q.to_owned())),
            (None, None) => Ok(Search::All),
        }
    }
}

/// Master customers matching `search`, by name, a page at a time; the total.
pub async fn list(
    pool: &PgPool,
    search: &Search,
    limit: i64,
    offset: i64,
) -> Result<(Vec<MasterCustomer>, i64)> {
    let (phone, pattern, prefix) = match search {
        Search::All => (None, None, None),
        Search::Phone(p) => (Some(p.clone()), None, None),
        Search::Text(q) => (
            None,
            Some(format!(
                "%{}%",
                q.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            )),
            loket::kernel::validate::phone_prefix(q).map(|p| format!("{p}%")),
        ),
    };
    let rows = sqlx::query(
        "SELECT m.id, m.name, m.phone, m.email, m.code, m.customer_type, count(*) OVER () AS total,
                coalesce((SELECT json_agg(json_build_object(
                              'branch_id', l.branch_id, 'customer_id', l.customer_id,
                              'code', r.data->>'code', 'name', r.data->>'name')
                              ORDER BY l.branch_id, l.customer_id)
                          FROM master_customer_links l
                          LEFT JOIN branch_rows r ON r.branch_id = l.branch_id
                               AND r.entity = 'customer' AND r.entity_id = l.customer_id
                          WHERE l.master_id = m.id), '[]') AS branches,
                (SELECT count(*) FROM master_customer_links l
                 JOIN branch_rows b ON b.branch_id = l.branch_id AND b.entity = 'booking'
                      AND NOT b.deleted AND b.data->>'customer_id' = l.customer_id
                 WHERE l.master_id = m.id) AS bookings
         FROM master_customers m
         -- A master whose branch customers all moved (a phone changed) or
         -- were deleted is nobody's any more.
         WHERE EXISTS (SELECT 1 FROM master_customer_links l WHERE l.master_id = m.id)
           AND ($1::text IS NULL OR m.phone = $1)
           AND ($2::text IS NULL
                OR m.name ILIKE $2 OR m.email ILIKE $2 OR m.phone LIKE $3 OR m.code ILIKE $2
                OR EXISTS (SELECT 1 FROM master_customer_links l
                           JOIN branch_rows r ON r.branch_id = l.branch_id
                                AND r.entity = 'customer' AND r.entity_id = l.customer_id
                           WHERE l.master_id = m.id
                             AND (r.data->>'name' ILIKE $2 OR r.data->>'code' ILIKE $2
                                  OR r.data->>'email' ILIKE $2)))
         ORDER BY lower(m.name), m.id
         LIMIT $4 OFFSET $5",
    )
    .bind(phone)
    .bind(pattern)
    .bind(prefix)
    .bind(limit)
    .bind(offset)
    .fetch_all(pool)
    .await?;
    let total = crate::query::total_of(&rows)?;
    let data = rows
        .iter()
        .map(|r| {
            let branches: sqlx::types::Json<Vec<BranchCustomer>> = r.try_get("branches")?;
            Ok(MasterCustomer {
                id: r.try_get("id")?,
                name: r.try_get("name")?,
                phone: r.try_get("phone")?,
                email: r.try_get("email")?,
                code: r.try_get("code")?,
                customer_type: r.try_get("customer_type")?,
                branches: branches.0,
                bookings: r.try_get("bookings")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((data, total))
}
