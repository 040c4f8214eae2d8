//! Providers: the people or teams who perform services, where they are,
//! what they offer, and their weekly working plan. Also the nearby search.

mod nearby;
mod working_plan;

pub use nearby::{Nearby, NearbyProvider, NearbyProviders};
pub use working_plan::{
    Break, Day, GetWorkingPlan, SetWorkingPlan, WorkDay, WorkingPlan, working_plan,
};

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::entity::{Entity, record_created, save, soft_delete};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Bounded, Phone, Real, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::ListQuery;
use crate::kernel::types::{Page, Paging, ProviderId, ServiceId, patch};
use crate::scheduling::geo;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Provider {
    pub id: ProviderId,
    pub name: String,
    /// Normalised `62…`
    pub whatsapp_number: String,
    pub latitude: f64,
    pub longitude: f64,
    pub service_ids: Vec<ServiceId>,
    pub active: bool,
    /// `null`: the business-wide setting applies.
    pub max_slots_per_day: Option<u32>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const COLUMNS: &str = "id, name, whatsapp_number, latitude_e6, longitude_e6, active, max_slots_per_day,
    created_at, updated_at, version,
    (SELECT group_concat(service_id) FROM provider_services ps WHERE ps.provider_id = providers.id)";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Provider> {
    let services: Option<String> = r.get(10)?;
    Ok(Provider {
        id: r.get(0)?,
        name: r.get(1)?,
        whatsapp_number: r.get(2)?,
        latitude: geo::from_e6(r.get(3)?),
        longitude: geo::from_e6(r.get(4)?),
        active: r.get(5)?,
        max_slots_per_day: r.get(6)?,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        version: r.get(9)?,
        service_ids: services
            .map(|s| s.split(',').filter_map(|id| id.parse().ok()).collect())
            .unwrap_or_default(),
    })
}

pub fn find(conn: &Connection, id: ProviderId) -> Result<Provider> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM providers WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or(Error::NotFound { entity: "provider" })
}

/// A provider's name: 2 to 100 characters.
pub type ProviderName = Text<2, 100>;
/// Degrees north (positive) or south.
pub type Latitude = Real<-90, 90>;
/// Degrees east (positive) or west.
pub type Longitude = Real<-180, 180>;
/// A provider's own daily slot maximum: at most one every 5 minutes.
pub type MaxSlotsPerDay = Bounded<1, 288>;

/// By hand, not `entity!`: the coordinates are stored as whole millionths
/// of a degree (`latitude_e6`), and the services list lives in
/// `provider_services`, out of `save`'s sight (see [`UpdateProvider`]).
impl Entity for Provider {
    type Id = ProviderId;
    const TABLE: &'static str = "providers";
    const KIND: EntityKind = EntityKind::Provider;
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "whatsapp_number",
        "latitude_e6",
        "longitude_e6",
        "active",
        "max_slots_per_day",
    ];

    fn id(&self) -> ProviderId {
        self.id
    }

    fn values(&self) -> Vec<Value> {
        vec![
            Value::Text(self.name.clone()),
            Value::Text(self.whatsapp_number.clone()),
            Value::Integer(geo::to_e6(self.latitude)),
            Value::Integer(geo::to_e6(self.longitude)),
            Value::Integer(i64::from(self.active)),
            self.max_slots_per_day
                .map_or(Value::Null, |n| Value::Integer(i64::from(n))),
        ]
    }

    fn find(conn: &Connection, id: ProviderId) -> Result<Self> {
        find(conn, id)
    }
}

fn set_services(ctx: &Ctx<'_>, id: ProviderId, services: &[ServiceId]) -> Result<()> {
    for s in services {
        crate::scheduling::services::find(ctx.conn, *s)
            .map_err(|_| Error::validation("service_ids", format!("no such service {s}")))?;
    }
    ctx.conn
        .execute("DELETE FROM provider_services WHERE provider_id = ?1", [id])?;
    let mut insert = ctx.conn.prepare_cached(
        "INSERT OR IGNORE INTO provider_services (provider_id, service_id) VALUES (?1, ?2)",
    )?;
    for s in services {
        insert.execute((id, s))?;
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProvider {
    pub name: ProviderName,
    /// `08…`, `+62…` or `62…`
    pub whatsapp_number: Phone,
    pub latitude: Latitude,
    pub longitude: Longitude,
    #[serde(default)]
    pub service_ids: Vec<ServiceId>,
    pub active: Option<bool>,
    pub max_slots_per_day: Option<MaxSlotsPerDay>,
}

impl Operation for CreateProvider {
    type Output = Provider;
    const NAME: &'static str = "providers.create";
    const PERMISSION: Permission = Permission::CatalogWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Provider> {
        let id = ProviderId::new();
        ctx.conn.execute(
            "INSERT INTO providers (id, name, whatsapp_number, latitude_e6, longitude_e6, active, max_slots_per_day,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
            rusqlite::params![
                id,
                self.name,
                self.whatsapp_number,
                geo::to_e6(self.latitude.get()),
                geo::to_e6(self.longitude.get()),
                self.active.unwrap_or(true),
                self.max_slots_per_day.map(Bounded::get),
                to_db(ctx.now)
            ],
        )?;
        set_services(ctx, id, &self.service_ids)?;
        let p = find(ctx.conn, id)?;
        record_created(ctx, &p)?;
        Ok(p)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetProvider {
    pub id: ProviderId,
}

impl Operation for GetProvider {
    type Output = Provider;
    const NAME: &'static str = "providers.get";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Provider> {
        find(ctx.conn, self.id)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProvider {
    pub id: ProviderId,
    pub version: Option<i64>,
    pub name: Option<ProviderName>,
    pub whatsapp_number: Option<Phone>,
    pub latitude: Option<Latitude>,
    pub longitude: Option<Longitude>,
    /// Replaces the list of services.
    pub service_ids: Option<Vec<ServiceId>>,
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<MaxSlotsPerDay>)]
    pub max_slots_per_day: Option<Option<MaxSlotsPerDay>>,
}

impl Operation for UpdateProvider {
    type Output = Provider;
    const NAME: &'static str = "providers.update";
    const PERMISSION: Permission = Permission::CatalogWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Provider> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "provider")?;
        let mut p = before.clone();
        if let Some(v) = self.name {
            p.name = v.into();
        }
        if let Some(v) = self.whatsapp_number {
            p.whatsapp_number = v.into();
        }
        if let Some(v) = self.latitude {
            p.latitude = v.get();
        }
        if let Some(v) = self.longitude {
            p.longitude = v.get();
        }
        if let Some(v) = self.active {
            p.active = v;
        }
        if let Some(v) = self.max_slots_per_day {
            p.max_slots_per_day = v.map(Bounded::get);
        }
        let services_changed = match self.service_ids {
            Some(ids) => {
                set_services(ctx, self.id, &ids)?;
                same_set(ids) != same_set(before.service_ids.clone())
            }
            None => false,
        };
        if services_changed && p.values() == before.values() {
            return touch(ctx, &before);
        }
        save(ctx, &before, p)
    }
}

/// Services in a comparable order, each once.
fn same_set(mut ids: Vec<ServiceId>) -> Vec<ServiceId> {
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Only the services list changed: `save` sees no changed column, so the
/// row's version and time are bumped here and the update recorded.
fn touch(ctx: &Ctx<'_>, before: &Provider) -> Result<Provider> {
    ctx.conn.execute(
        "UPDATE providers SET updated_at = ?2, version = version + 1 WHERE id = ?1",
        (before.id, to_db(ctx.now)),
    )?;
    let after = find(ctx.conn, before.id)?;
    ctx.record(
        Action::Update,
        EntityKind::Provider,
        &before.id.to_string(),
        Some(before),
        Some(&after),
    )?;
    Ok(after)
}

/// Removes a provider; refused (409) while they have booked future slots:
/// deactivate them instead. Their free future slots go with them.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteProvider {
    pub id: ProviderId,
}

impl Operation for DeleteProvider {
    type Output = crate::kernel::types::Done;
    const NAME: &'static str = "providers.delete";
    const PERMISSION: Permission = Permission::CatalogWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<crate::kernel::types::Done> {
        let before = find(ctx.conn, self.id)?;
        let now = to_db(ctx.now);
        let booked: i64 = ctx.conn.query_row(
            "SELECT COUNT(*) FROM slots WHERE provider_id = ?1 AND status = 'booked' AND starts_at > ?2",
            (self.id, &now),
            |r| r.get(0),
        )?;
        if booked > 0 {
            return Err(Error::conflict(format!(
                "{} has {booked} booked future slot(s) and cannot be deleted; deactivate them instead",
                before.name
            )));
        }
        let free = crate::scheduling::slots::free_future(
            ctx.conn,
            crate::scheduling::slots::SlotsOf::Provider(self.id),
            &now,
        )?;
        crate::scheduling::slots::remove_free(ctx.conn, &free, &now)?;
        soft_delete(ctx, &before)?;
        Ok(crate::kernel::types::Done { ok: true })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListProviders {
    /// Name contains this text.
    pub q: Option<String>,
    /// Only providers offering this service.
    pub service_id: Option<ServiceId>,
    pub active: Option<bool>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListProviders {
    type Output = Page<Provider>;
    const NAME: &'static str = "providers.list";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Provider>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut q = ListQuery::new(
            format!("SELECT {COLUMNS} FROM providers"),
            "providers",
            "deleted_at IS NULL",
        );
        q.search(&["name"], self.q.as_deref());
        if let Some(s) = self.service_id {
            q.and(
                "id IN (SELECT provider_id FROM provider_services WHERE service_id = ?)",
                [Value::Text(s.to_string())],
            );
        }
        q.flag("active", self.active);
        q.order_by("name", crate::kernel::types::Direction::Asc, "");
        q.fetch(ctx.conn, paging, from_row)
    }
}
