//! Units: bookable inventory such as houses in a housing project. Their
//! status follows bookings (booked → sold, or back to available).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::next_code_number;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::{ListQuery, soft_delete, update_row};
use crate::kernel::types::Done;
use crate::kernel::types::text_enum;
use crate::kernel::types::{Money, Page, Paging, UnitId, parse_sort, patch};
use crate::kernel::validate;

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

fn area(v: Option<f64>, field: &str) -> Result<Option<f64>> {
    match v {
        Some(a) if !(0.0..=1e9).contains(&a) => Err(Error::validation(field, "must be 0 or more")),
        other => Ok(other),
    }
}

fn count(v: Option<i64>, field: &str, min: i64) -> Result<Option<i64>> {
    match v {
        Some(n) if n < min || n > 1000 => Err(Error::validation(
            field,
            format!("must be between {min} and 1000"),
        )),
        other => Ok(other),
    }
}

fn specifications(v: Option<serde_json::Value>) -> Result<String> {
    match v {
        None | Some(serde_json::Value::Null) => Ok("{}".into()),
        Some(o @ serde_json::Value::Object(_)) => Ok(o.to_string()),
        Some(_) => Err(Error::validation("specifications", "must be a JSON object")),
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
    pub code: Option<String>,
    pub unit_type: String,
    pub block: Option<String>,
    pub number: Option<String>,
    pub price: Money,
    pub land_area: Option<f64>,
    pub building_area: Option<f64>,
    pub bedrooms: Option<i64>,
    pub bathrooms: Option<i64>,
    pub garage: Option<i64>,
    pub location: Option<String>,
    /// Defaults to `available`.
    pub status: Option<UnitStatus>,
    #[schema(value_type = Option<Object>)]
    pub specifications: Option<serde_json::Value>,
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
        let unit_type = validate::required_text(&self.unit_type, "unit_type", 1, 50)?;
        let block = validate::optional_text(self.block, "block", 10)?;
        let number = validate::optional_text(self.number, "number", 10)?;
        let price = self.price.checked("price")?;
        let land_area = area(self.land_area, "land_area")?;
        let building_area = area(self.building_area, "building_area")?;
        let bedrooms = count(self.bedrooms, "bedrooms", 0)?;
        let bathrooms = count(self.bathrooms, "bathrooms", 1)?;
        let garage = count(self.garage, "garage", 0)?;
        let location = validate::optional_text(self.location, "location", 100)?;
        let specs = specifications(self.specifications)?;
        let code = match validate::optional_text(self.code, "code", 30)? {
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
                self.status.unwrap_or(UnitStatus::Available),
                specs,
                to_db(ctx.now)
            ],
        )?;
        let unit = find(ctx.conn, id)?;
        ctx.record(
            Action::Create,
            EntityKind::Unit,
            &id.to_string(),
            None::<&Unit>,
            Some(&unit),
        )?;
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
    pub code: Option<String>,
    pub unit_type: Option<String>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub block: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub number: Option<Option<String>>,
    pub price: Option<Money>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<f64>)]
    pub land_area: Option<Option<f64>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<f64>)]
    pub building_area: Option<Option<f64>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<i64>)]
    pub bedrooms: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<i64>)]
    pub bathrooms: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<i64>)]
    pub garage: Option<Option<i64>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
    /// Manual changes are refused while an open booking holds the unit.
    pub status: Option<UnitStatus>,
    #[schema(value_type = Option<Object>)]
    pub specifications: Option<serde_json::Value>,
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
        let text = |v: Option<String>| v.map_or(Value::Null, Value::Text);
        let real = |v: Option<f64>| v.map_or(Value::Null, Value::Real);
        let int = |v: Option<i64>| v.map_or(Value::Null, Value::Integer);
        let mut sets: Vec<(&str, Value)> = Vec::new();
        if let Some(code) = self.code {
            let code = validate::required_text(&code, "code", 1, 30)?;
            if code_taken(ctx.conn, &code, Some(id))? {
                return Err(Error::validation(
                    "code",
                    format!("{code} is already used by another unit"),
                ));
            }
            sets.push(("code", Value::Text(code)));
        }
        if let Some(v) = self.unit_type {
            sets.push((
                "unit_type",
                Value::Text(validate::required_text(&v, "unit_type", 1, 50)?),
            ));
        }
        if let Some(v) = self.block {
            sets.push(("block", text(validate::optional_text(v, "block", 10)?)));
        }
        if let Some(v) = self.number {
            sets.push(("number", text(validate::optional_text(v, "number", 10)?)));
        }
        if let Some(v) = self.price {
            sets.push(("price", v.checked("price")?.sql_value()));
        }
        if let Some(v) = self.land_area {
            sets.push(("land_area", real(area(v, "land_area")?)));
        }
        if let Some(v) = self.building_area {
            sets.push(("building_area", real(area(v, "building_area")?)));
        }
        if let Some(v) = self.bedrooms {
            sets.push(("bedrooms", int(count(v, "bedrooms", 0)?)));
        }
        if let Some(v) = self.bathrooms {
            sets.push(("bathrooms", int(count(v, "bathrooms", 1)?)));
        }
        if let Some(v) = self.garage {
            sets.push(("garage", int(count(v, "garage", 0)?)));
        }
        if let Some(v) = self.location {
            sets.push((
                "location",
                text(validate::optional_text(v, "location", 100)?),
            ));
        }
        if let Some(v) = self.specifications {
            sets.push(("specifications", Value::Text(specifications(Some(v))?)));
        }
        if let Some(status) = self.status.filter(|s| *s != before.status) {
            if let Some(code) = holder(ctx.conn, id)? {
                return Err(Error::conflict(format!(
                    "{} is held by booking {code}; complete or cancel that booking to change the unit's status",
                    before.code
                )));
            }
            sets.push(("status", Value::Text(status.as_str().into())));
        }
        if update_row(ctx, "units", &id.to_string(), sets)? {
            ctx.record(
                Action::Update,
                EntityKind::Unit,
                &id.to_string(),
                Some(&before),
                Some(&find(ctx.conn, id)?),
            )?;
        }
        find(ctx.conn, id)
    }
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
        soft_delete(
            ctx,
            "units",
            EntityKind::Unit,
            &self.id.to_string(),
            &before,
        )?;
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

fn set_status(ctx: &Ctx<'_>, unit: &Unit, status: UnitStatus, action: Action) -> Result<()> {
    ctx.conn
        .prepare_cached(
            "UPDATE units SET status = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1",
        )?
        .execute((unit.id, status, to_db(ctx.now)))?;
    ctx.record(
        action,
        EntityKind::Unit,
        &unit.id.to_string(),
        Some(unit),
        Some(&find(ctx.conn, unit.id)?),
    )
}
