//! The service catalogue: what a studio or service company sells by the
//! appointment (makeup, AC servicing, …), with its duration and price.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::{ListQuery, soft_delete, update_row};
use crate::kernel::types::Done;
use crate::kernel::types::{Money, Page, Paging, ServiceId, patch};
use crate::kernel::validate;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Service {
    pub id: ServiceId,
    pub name: String,
    pub description: Option<String>,
    pub duration_min: u32,
    pub price: Money,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const COLUMNS: &str =
    "id, name, description, duration_min, price, active, created_at, updated_at, version";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Service> {
    Ok(Service {
        id: r.get(0)?,
        name: r.get(1)?,
        description: r.get(2)?,
        duration_min: r.get(3)?,
        price: r.get(4)?,
        active: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        version: r.get(8)?,
    })
}

pub fn find(conn: &Connection, id: ServiceId) -> Result<Service> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM services WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or(Error::NotFound { entity: "service" })
}

/// A service for a new slot or booking: it must exist and be active.
pub fn bookable(conn: &Connection, id: ServiceId, field: &str) -> Result<Service> {
    let s = find(conn, id).map_err(|_| Error::validation(field, "no such service"))?;
    if !s.active {
        return Err(Error::validation(
            field,
            format!("{} is not active", s.name),
        ));
    }
    Ok(s)
}

fn duration(d: u32) -> Result<u32> {
    if !(1..=24 * 60).contains(&d) {
        return Err(Error::validation(
            "duration_min",
            "must be between 1 and 1440 minutes",
        ));
    }
    Ok(d)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    pub name: String,
    pub description: Option<String>,
    pub duration_min: u32,
    pub price: Money,
    /// Defaults to true.
    pub active: Option<bool>,
}

impl Operation for CreateService {
    type Output = Service;
    const NAME: &'static str = "services.create";
    const PERMISSION: Permission = Permission::CatalogWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Service> {
        let name = validate::required_text(&self.name, "name", 2, 100)?;
        let description = validate::optional_text(self.description, "description", 1000)?;
        let id = ServiceId::new();
        ctx.conn.execute(
            "INSERT INTO services (id, name, description, duration_min, price, active, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            rusqlite::params![
                id,
                name,
                description,
                duration(self.duration_min)?,
                self.price.checked("price")?,
                self.active.unwrap_or(true),
                to_db(ctx.now)
            ],
        )?;
        let s = find(ctx.conn, id)?;
        ctx.record(
            "create",
            "service",
            &id.to_string(),
            None::<&Service>,
            Some(&s),
        )?;
        Ok(s)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetService {
    pub id: ServiceId,
}

impl Operation for GetService {
    type Output = Service;
    const NAME: &'static str = "services.get";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Service> {
        find(ctx.conn, self.id)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateService {
    pub id: ServiceId,
    pub version: Option<i64>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    /// Applies to slots created from now on; existing slots keep their length.
    pub duration_min: Option<u32>,
    pub price: Option<Money>,
    pub active: Option<bool>,
}

impl Operation for UpdateService {
    type Output = Service;
    const NAME: &'static str = "services.update";
    const PERMISSION: Permission = Permission::CatalogWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Service> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "service")?;
        let mut sets: Vec<(&str, Value)> = Vec::new();
        if let Some(v) = self.name {
            sets.push((
                "name",
                Value::Text(validate::required_text(&v, "name", 2, 100)?),
            ));
        }
        if let Some(v) = self.description {
            sets.push((
                "description",
                validate::optional_text(v, "description", 1000)?.map_or(Value::Null, Value::Text),
            ));
        }
        if let Some(v) = self.duration_min {
            sets.push(("duration_min", Value::Integer(i64::from(duration(v)?))));
        }
        if let Some(v) = self.price {
            sets.push(("price", v.checked("price")?.sql_value()));
        }
        if let Some(v) = self.active {
            sets.push(("active", Value::Integer(i64::from(v))));
        }
        if update_row(ctx, "services", &self.id.to_string(), sets)? {
            ctx.record(
                "update",
                "service",
                &self.id.to_string(),
                Some(&before),
                Some(&find(ctx.conn, self.id)?),
            )?;
        }
        find(ctx.conn, self.id)
    }
}

/// Removes a service from the catalogue; refused while future slots are booked for it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteService {
    pub id: ServiceId,
}

impl Operation for DeleteService {
    type Output = Done;
    const NAME: &'static str = "services.delete";
    const PERMISSION: Permission = Permission::CatalogWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Done> {
        let before = find(ctx.conn, self.id)?;
        let booked: i64 = ctx.conn.query_row(
            "SELECT COUNT(*) FROM slots WHERE service_id = ?1 AND status = 'booked' AND starts_at > ?2",
            (self.id, to_db(ctx.now)),
            |r| r.get(0),
        )?;
        if booked > 0 {
            return Err(Error::conflict(format!(
                "{} has {booked} booked future slot(s); deactivate it instead",
                before.name
            )));
        }
        let now = to_db(ctx.now);
        let free = crate::scheduling::slots::free_future(
            ctx.conn,
            crate::scheduling::slots::SlotsOf::Service(self.id),
            &now,
        )?;
        crate::scheduling::slots::remove_free(ctx.conn, &free, &now)?;
        ctx.conn.execute(
            "DELETE FROM provider_services WHERE service_id = ?1",
            [self.id],
        )?;
        soft_delete(ctx, "services", "service", &self.id.to_string(), &before)?;
        Ok(Done { ok: true })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListServices {
    /// Name contains this text.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListServices {
    type Output = Page<Service>;
    const NAME: &'static str = "services.list";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Service>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut q = ListQuery::new(
            format!("SELECT {COLUMNS} FROM services"),
            "services",
            "deleted_at IS NULL",
        );
        q.search(&["name"], self.q.as_deref());
        q.flag("active", self.active);
        q.order_by("name", crate::kernel::types::Direction::Asc, "");
        q.fetch(ctx.conn, paging, from_row)
    }
}
