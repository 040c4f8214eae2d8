//! The service catalogue: what a studio or service company sells by the
//! appointment (makeup, AC servicing, …), with its duration and price.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::EntityKind;
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::entity::{entity, record_created, save, soft_delete};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Bounded, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::ListQuery;
use crate::kernel::types::Done;
use crate::kernel::types::{Money, Page, Paging, ServiceId, patch};

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
    /// From head office's catalogue (received by sync): changed there, not here.
    pub from_head_office: bool,
}

const COLUMNS: &str = "id, name, description, duration_min, price, active, created_at, updated_at, version, origin = 'hq'";

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
        from_head_office: r.get(9)?,
    })
}

/// Head office's services are changed at head office only: a desk edit
/// would be overwritten by the next pull and never reach the other branches.
fn refuse_head_office_owned(s: &Service) -> Result<()> {
    if s.from_head_office {
        return Err(Error::conflict(format!(
            "{} belongs to head office's catalogue; it can only be changed at head office",
            s.name
        )));
    }
    Ok(())
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

/// A service's name: 2 to 100 characters.
pub type ServiceName = Text<2, 100>;
/// A service's length in minutes: at most a day.
pub type DurationMin = Bounded<1, 1440>;

entity!(
    Service,
    ServiceId,
    "services",
    EntityKind::Service,
    find,
    [name, description, duration_min, price, active]
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateService {
    pub name: ServiceName,
    pub description: Option<Text<0, 1000>>,
    pub duration_min: DurationMin,
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
        let id = ServiceId::new();
        ctx.conn.execute(
            "INSERT INTO services (id, name, description, duration_min, price, active, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
            rusqlite::params![
                id,
                self.name,
                self.description.and_then(Text::non_empty),
                self.duration_min.get(),
                self.price.checked("price")?,
                self.active.unwrap_or(true),
                to_db(ctx.now)
            ],
        )?;
        let s = find(ctx.conn, id)?;
        record_created(ctx, &s)?;
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
    pub name: Option<ServiceName>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Text<0, 1000>>)]
    pub description: Option<Option<Text<0, 1000>>>,
    /// Applies to slots created from now on; existing slots keep their length.
    pub duration_min: Option<DurationMin>,
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
        refuse_head_office_owned(&before)?;
        Error::check_version(self.version, before.version, "service")?;
        let mut s = before.clone();
        if let Some(v) = self.name {
            s.name = v.into();
        }
        if let Some(v) = self.description {
            s.description = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.duration_min {
            s.duration_min = v.get();
        }
        if let Some(v) = self.price {
            s.price = v.checked("price")?;
        }
        if let Some(v) = self.active {
            s.active = v;
        }
        save(ctx, &before, s)
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
        refuse_head_office_owned(&before)?;
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
        soft_delete(ctx, &before)?;
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
