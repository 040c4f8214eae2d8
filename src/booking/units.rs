//! Units: bookable inventory such as houses in a housing project. Their
//! status follows bookings (booked → sold, or back to available).

use std::borrow::Cow;

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::kernel::audit::next_code_number;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::entity::{entity, record_created, save, save_as, soft_delete};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Bounded, Real, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::ListQuery;
use crate::kernel::types::Done;
use crate::kernel::types::text_enum;
use crate::kernel::types::{Money, Page, Paging, UnitId, parse_sort, patch};

text_enum!(UnitStatus { Available = "available", Booked = "booked", Sold = "sold", Maintenance = "maintenance" });

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Unit {
    pub id: UnitId,
    /// `UNIT-NNN` unless given.
    pub code: String,
    pub unit_type: String,
    pub block: Option<String>,
    pub number: Option<String>,
    pub price: Money,
    /// m²
    pub land_area: Option<f64>,
    /// m²
    pub building_area: Option<f64>,
    pub bedrooms: Option<i64>,
    pub bathrooms: Option<i64>,
    pub garage: Option<i64>,
    pub location: Option<String>,
    pub status: UnitStatus,
    #[schema(value_type = Object)]
    pub specifications: serde_json::Value,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const COLUMNS: &str =
    "id, code, unit_type, block, number, price, land_area, building_area, bedrooms, bathrooms,
    garage, location, status, specifications, created_at, updated_at, version";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Unit> {
    let specs: String = r.get(13)?;
    Ok(Unit {
        id: r.get(0)?,
        code: r.get(1)?,
        unit_type: r.get(2)?,
        block: r.get(3)?,
        number: r.get(4)?,
        price: r.get(5)?,
        land_area: r.get(6)?,
        building_area: r.get(7)?,
        bedrooms: r.get(8)?,
        bathrooms: r.get(9)?,
        garage: r.get(10)?,
        location: r.get(11)?,
        status: r.get(12)?,
        specifications: serde_json::from_str(&specs).unwrap_or_default(),
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
        version: r.get(16)?,
    })
}

pub fn find(conn: &Connection, id: UnitId) -> Result<Unit> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM units WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or(Error::NotFound { entity: "unit" })
}

entity!(
    Unit,
    UnitId,
    "units",
    EntityKind::Unit,
    find,
    [
        code,
        unit_type,
        block,
        number,
        price,
        land_area,
        building_area,
        bedrooms,
        bathrooms,
        garage,
        location,
        status,
        specifications
    ]
);

/// A unit's code, when given: 1 to 30 characters.
pub type UnitCode = Text<1, 30>;
/// The kind of unit (`Type 36/72`): 1 to 50 characters.
pub type UnitType = Text<1, 50>;
/// A block or house number: up to 10 characters, `""` for none.
pub type BlockOrNumber = Text<0, 10>;
/// Where the unit is: up to 100 characters, `""` for none.
pub type Location = Text<0, 100>;
/// Land or building area in m².
pub type Area = Real<0, 1_000_000_000>;
/// Bedrooms or garage places.
pub type Rooms = Bounded<0, 1000>;
/// A house has at least one bathroom.
pub type Bathrooms = Bounded<1, 1000>;

/// Free-form facts about a unit (floors, certificate, …): a JSON object.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Specifications(serde_json::Map<String, serde_json::Value>);

impl<'de> Deserialize<'de> for Specifications {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Object(o) => Ok(Specifications(o)),
            _ => Err(serde::de::Error::custom("must be a JSON object")),
        }
    }
}

impl From<Specifications> for serde_json::Value {
    fn from(s: Specifications) -> serde_json::Value {
        serde_json::Value::Object(s.0)
    }
}

impl PartialSchema for Specifications {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new().schema_type(Type::Object).into()
    }
}

impl ToSchema for Specifications {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("UnitSpecifications")
    }
}

/// The open booking holding a unit, if any (its code).
fn holder(conn: &Connection, id: UnitId) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT code FROM bookings WHERE unit_id = ?1 AND booking_status IN ('pending','active') ORDER BY created_at LIMIT 1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUnit {
    /// `UNIT-NNN` when left out or `""`.
    pub code: Option<Text<0, 30>>,
    pub unit_type: UnitType,
    pub block: Option<BlockOrNumber>,
    pub number: Option<BlockOrNumber>,
    pub price: Money,
    pub land_area: Option<Area>,
    pub building_area: Option<Area>,
    pub bedrooms: Option<Rooms>,
    pub bathrooms: Option<Bathrooms>,
    pub garage: Option<Rooms>,
    pub location: Option<Location>,
    /// Defaults to `available`.
    pub status: Option<UnitStatus>,
    /// Defaults to `{}`.
    pub specifications: Option<Specifications>,
}

fn code_taken(conn: &Connection, code: &str, except: Option<UnitId>) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM units WHERE code = ?1 AND id IS NOT ?2)",
        (code, except),
        |r| r.get(0),
    )?)
}

impl Operation for CreateUnit {
    type Output = Unit;
    const NAME: &'static str = "units.create";
    const PERMISSION: Permission = Permission::UnitsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Unit> {
        let price = self.price.checked("price")?;
        let code = match self.code.and_then(Text::non_empty) {
            Some(code) if code_taken(ctx.conn, &code, None)? => {
                return Err(Error::validation(
                    "code",
                    format!("{code} is already used by another unit"),
                ));
            }
            Some(code) => code,
            None => loop {
                let code = format!("UNIT-{:03}", next_code_number(ctx.conn, "UNIT")?);
                if !code_taken(ctx.conn, &code, None)? {
                    break code;
                }
            },
        };
        let id = UnitId::new();
        ctx.conn.execute(
            "INSERT INTO units (id, code, unit_type, block, number, price, land_area, building_area, bedrooms, bathrooms,
                garage, location, status, specifications, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15)",
            rusqlite::params![
                id,
                code,
                self.unit_type,
                self.block.and_then(Text::non_empty),
                self.number.and_then(Text::non_empty),
                price,
                self.land_area.map(Real::get),
                self.building_area.map(Real::get),
                self.bedrooms.map(count),
                self.bathrooms.map(count),
                self.garage.map(count),
                self.location.and_then(Text::non_empty),
                self.status.unwrap_or(UnitStatus::Available),
                serde_json::Value::from(self.specifications.unwrap_or_default()),
                to_db(ctx.now)
            ],
        )?;
        let unit = find(ctx.conn, id)?;
        record_created(ctx, &unit)?;
        Ok(unit)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetUnit {
    pub id: UnitId,
}

impl Operation for GetUnit {
    type Output = Unit;
    const NAME: &'static str = "units.get";
    const PERMISSION: Permission = Permission::UnitsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Unit> {
        find(ctx.conn, self.id)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUnit {
    pub id: UnitId,
    pub version: Option<i64>,
    pub code: Option<UnitCode>,
    pub unit_type: Option<UnitType>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<BlockOrNumber>)]
    pub block: Option<Option<BlockOrNumber>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<BlockOrNumber>)]
    pub number: Option<Option<BlockOrNumber>>,
    pub price: Option<Money>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Area>)]
    pub land_area: Option<Option<Area>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Area>)]
    pub building_area: Option<Option<Area>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Rooms>)]
    pub bedrooms: Option<Option<Rooms>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Bathrooms>)]
    pub bathrooms: Option<Option<Bathrooms>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Rooms>)]
    pub garage: Option<Option<Rooms>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Location>)]
    pub location: Option<Option<Location>>,
    /// Manual changes are refused while an open booking holds the unit.
    pub status: Option<UnitStatus>,
    /// Replaces the specifications; `null` keeps them.
    pub specifications: Option<Specifications>,
}

impl Operation for UpdateUnit {
    type Output = Unit;
    const NAME: &'static str = "units.update";
    const PERMISSION: Permission = Permission::UnitsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Unit> {
        let id = self.id;
        let before = find(ctx.conn, id)?;
        Error::check_version(self.version, before.version, "unit")?;
        let mut u = before.clone();
        if let Some(code) = self.code {
            if code_taken(ctx.conn, code.as_str(), Some(id))? {
                return Err(Error::validation(
                    "code",
                    format!("{code} is already used by another unit"),
                ));
            }
            u.code = code.into();
        }
        if let Some(v) = self.unit_type {
            u.unit_type = v.into();
        }
        if let Some(v) = self.block {
            u.block = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.number {
            u.number = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.price {
            u.price = v.checked("price")?;
        }
        if let Some(v) = self.land_area {
            u.land_area = v.map(Real::get);
        }
        if let Some(v) = self.building_area {
            u.building_area = v.map(Real::get);
        }
        if let Some(v) = self.bedrooms {
            u.bedrooms = v.map(count);
        }
        if let Some(v) = self.bathrooms {
            u.bathrooms = v.map(count);
        }
        if let Some(v) = self.garage {
            u.garage = v.map(count);
        }
        if let Some(v) = self.location {
            u.location = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.specifications {
            u.specifications = v.into();
        }
        if let Some(status) = self.status.filter(|s| *s != before.status) {
            if let Some(code) = holder(ctx.conn, id)? {
                return Err(Error::conflict(format!(
                    "{} is held by booking {code}; complete or cancel that booking to change the unit's status",
                    before.code
                )));
            }
            u.status = status;
        }
        save(ctx, &before, u)
    }
}

/// A room count as stored.
fn count<const MIN: u32>(n: Bounded<MIN, 1000>) -> i64 {
    i64::from(n.get())
}

/// Soft delete; refused while an open booking holds the unit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteUnit {
    pub id: UnitId,
}

impl Operation for DeleteUnit {
    type Output = Done;
    const NAME: &'static str = "units.delete";
    const PERMISSION: Permission = Permission::UnitsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Done> {
        let before = find(ctx.conn, self.id)?;
        if let Some(code) = holder(ctx.conn, self.id)? {
            return Err(Error::conflict(format!(
                "{} is held by booking {code} and cannot be deleted",
                before.code
            )));
        }
        soft_delete(ctx, &before)?;
        Ok(Done { ok: true })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListUnits {
    pub status: Option<UnitStatus>,
    /// Unit type contains this text.
    pub unit_type: Option<String>,
    pub block: Option<String>,
    pub price_min: Option<Money>,
    pub price_max: Option<Money>,
    /// `code`, `price`, `unit_type`, `block` or `created_at`, with `:asc`/`:desc`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListUnits {
    type Output = Page<Unit>;
    const NAME: &'static str = "units.list";
    const PERMISSION: Permission = Permission::UnitsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Unit>> {
        let paging = Paging::new(self.page, self.page_size)?;
        self.query()?.fetch(ctx.conn, paging, from_row)
    }
}

impl ListUnits {
    /// The SQL this list runs (public so tests can check its query plan).
    pub fn query(&self) -> Result<ListQuery> {
        let (sort_col, dir) = parse_sort(
            self.sort.as_deref().unwrap_or("code"),
            "sort",
            &[
                ("code", "code"),
                ("price", "price"),
                ("unit_type", "unit_type"),
                ("block", "block"),
                ("created_at", "created_at"),
            ],
        )?;
        let mut q = ListQuery::new(
            format!("SELECT {COLUMNS} FROM units"),
            "units",
            "deleted_at IS NULL",
        );
        q.eq("status", self.status.map(|s| s.as_str().into()));
        q.search(&["unit_type"], self.unit_type.as_deref());
        q.eq(
            "block",
            self.block
                .as_deref()
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .map(str::to_owned),
        );
        if let Some(m) = self.price_min {
            q.and("price >= ?", [m.checked("price_min")?.sql_value()]);
        }
        if let Some(m) = self.price_max {
            q.and("price <= ?", [m.checked("price_max")?.sql_value()]);
        }
        q.order_by(sort_col, dir, "");
        Ok(q)
    }
}

/// The duplicate-booking guard: takes an available unit for a new booking.
pub fn hold_for_booking(ctx: &Ctx<'_>, id: UnitId) -> Result<Unit> {
    let unit = find(ctx.conn, id).map_err(|_| Error::validation("unit_id", "no such unit"))?;
    if unit.status != UnitStatus::Available {
        return Err(Error::conflict(format!(
            "unit {} is {} and cannot take a new booking",
            unit.code,
            unit.status.as_str()
        )));
    }
    set_status(ctx, &unit, UnitStatus::Booked, Action::Booked)?;
    Ok(unit)
}

/// A booking on the unit completed: the unit is sold.
pub fn mark_sold(ctx: &Ctx<'_>, id: UnitId) -> Result<()> {
    let unit = find(ctx.conn, id)?;
    set_status(ctx, &unit, UnitStatus::Sold, Action::Sold)
}

/// A booking on the unit ended without a sale: free the unit unless another
/// open booking still holds it.
pub fn release(ctx: &Ctx<'_>, id: UnitId) -> Result<()> {
    let unit = find(ctx.conn, id)?;
    if unit.status == UnitStatus::Booked && holder(ctx.conn, id)?.is_none() {
        set_status(ctx, &unit, UnitStatus::Available, Action::Released)?;
    }
    Ok(())
}

/// Every caller moves the unit to another status, so `save_as` always
/// writes (and records) the change.
fn set_status(ctx: &Ctx<'_>, unit: &Unit, status: UnitStatus, action: Action) -> Result<()> {
    let after = Unit {
        status,
        ..unit.clone()
    };
    save_as(ctx, action, unit, after)?;
    Ok(())
}
