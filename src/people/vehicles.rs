//! Customers' vehicles (for workshops): model, plate number, year and the
//! service schedule the maintenance reminders follow.

use chrono::{Datelike, Duration, NaiveDate};
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::kernel::audit::EntityKind;
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::entity::{Entity, record_created, save, soft_delete, value};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Bounded, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::{ListQuery, like_pattern};
use crate::kernel::types::Done;
use crate::kernel::types::Language;
use crate::kernel::types::{CustomerId, Page, Paging, VehicleId, parse_sort, patch};
use crate::messaging::outbox::{NewMessage, SubjectType, enqueue};
use crate::messaging::templates::{self, MessageKind, Vars};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Vehicle {
    pub id: VehicleId,
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub model: String,
    /// Normalised: `B 1234 CD`.
    pub plate_number: String,
    pub year: Option<i32>,
    pub last_service_at: Option<NaiveDate>,
    pub service_interval_days: Option<u32>,
    /// Given, or last service + interval.
    pub next_service_at: Option<NaiveDate>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const SELECT: &str =
    "SELECT v.id, v.customer_id, c.name, v.model, v.plate_number, v.year, v.last_service_at,
    v.service_interval_days, v.next_service_at, v.created_at, v.updated_at, v.version
  FROM vehicles v JOIN customers c ON c.id = v.customer_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Vehicle> {
    Ok(Vehicle {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        customer_name: r.get(2)?,
        model: r.get(3)?,
        plate_number: r.get(4)?,
        year: r.get(5)?,
        last_service_at: r.get(6)?,
        service_interval_days: r.get(7)?,
        next_service_at: r.get(8)?,
        created_at: r.get(9)?,
        updated_at: r.get(10)?,
        version: r.get(11)?,
    })
}

pub fn find(conn: &Connection, id: VehicleId) -> Result<Vehicle> {
    conn.prepare_cached(&format!(
        "{SELECT} WHERE v.id = ?1 AND v.deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or(Error::NotFound { entity: "vehicle" })
}

// By hand rather than with `entity!`: `plate_key` is a column derived from
// the plate, not a field of the record.
impl Entity for Vehicle {
    type Id = VehicleId;
    const TABLE: &'static str = "vehicles";
    const KIND: EntityKind = EntityKind::Vehicle;
    const COLUMNS: &'static [&'static str] = &[
        "customer_id",
        "model",
        "plate_number",
        "plate_key",
        "year",
        "last_service_at",
        "service_interval_days",
        "next_service_at",
    ];

    fn id(&self) -> VehicleId {
        self.id
    }
    fn values(&self) -> Vec<Value> {
        vec![
            value(&self.customer_id),
            value(&self.model),
            value(&self.plate_number),
            value(&plate_key(&self.plate_number)),
            value(&self.year),
            value(&self.last_service_at),
            value(&self.service_interval_days),
            value(&self.next_service_at),
        ]
    }
    fn find(conn: &Connection, id: VehicleId) -> Result<Self> {
        find(conn, id)
    }
}

/// A vehicle's model, e.g. `Toyota Avanza`: 1 to 100 characters.
pub type VehicleModel = Text<1, 100>;
/// Days between services: at most ten years.
pub type ServiceIntervalDays = Bounded<1, 3650>;

/// A plate number in any usual spelling, kept as [`normalise_plate`] spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlateNumber(String);

impl PlateNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        normalise_plate(raw)
            .map(PlateNumber)
            .map_err(|e| e.public_message())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<PlateNumber> for String {
    fn from(p: PlateNumber) -> String {
        p.0
    }
}

impl<'de> Deserialize<'de> for PlateNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        PlateNumber::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl ToSql for PlateNumber {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl PartialSchema for PlateNumber {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(2))
            .pattern(Some(r"^[A-Za-z0-9 .-]+$"))
            .description(Some(
                "plate number in any usual spelling (`b1234cd`, `B-1234-CD`), \
                 2 to 12 letters and digits; kept as `B 1234 CD`",
            ))
            .into()
    }
}

impl ToSchema for PlateNumber {}

/// Letters and digits only, upper-cased: the search and uniqueness key.
pub fn plate_key(raw: &str) -> String {
    raw.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// An Indonesian plate in its usual spelling: region letters, number,
/// suffix letters separated by single spaces (`b1234cd`, `B-1234-CD` →
/// `B 1234 CD`). Other shapes (special plates) keep their own grouping.
pub fn normalise_plate(raw: &str) -> Result<String> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(Error::validation("plate_number", "is required"));
    }
    if !trimmed
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '-' | '.'))
    {
        return Err(Error::validation(
            "plate_number",
            "may contain only letters, digits, spaces, dashes and dots",
        ));
    }
    let key = plate_key(trimmed);
    if !(2..=12).contains(&key.len()) {
        return Err(Error::validation(
            "plate_number",
            "must have 2 to 12 letters and digits",
        ));
    }
    let region: String = key.chars().take_while(char::is_ascii_alphabetic).collect();
    let rest = &key[region.len()..];
    let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let suffix = &rest[number.len()..];
    let standard = (1..=2).contains(&region.len())
        && (1..=4).contains(&number.len())
        && suffix.len() <= 3
        && suffix.chars().all(|c| c.is_ascii_alphabetic());
    if standard {
        let mut parts = vec![region, number];
        if !suffix.is_empty() {
            parts.push(suffix.to_owned());
        }
        return Ok(parts.join(" "));
    }
    Ok(trimmed
        .split([' ', '-', '.'])
        .filter(|p| !p.is_empty())
        .map(str::to_ascii_uppercase)
        .collect::<Vec<_>>()
        .join(" "))
}

fn year(v: Option<i32>, today: NaiveDate) -> Result<Option<i32>> {
    match v {
        Some(y) if !(1900..=today.year() + 1).contains(&y) => Err(Error::validation(
            "year",
            format!("must be between 1900 and {}", today.year() + 1),
        )),
        other => Ok(other),
    }
}

/// The next service date: as given, else last service + interval.
fn next_service(
    given: Option<NaiveDate>,
    last: Option<NaiveDate>,
    interval: Option<u32>,
) -> Option<NaiveDate> {
    given.or_else(|| match (last, interval) {
        (Some(l), Some(i)) => Some(l + Duration::days(i64::from(i))),
        _ => None,
    })
}

fn plate_taken(conn: &Connection, key: &str, except: Option<VehicleId>) -> Result<()> {
    let other: Option<(String, String)> = conn
        .prepare_cached(
            "SELECT v.plate_number, c.name FROM vehicles v JOIN customers c ON c.id = v.customer_id
             WHERE v.plate_key = ?1 AND v.deleted_at IS NULL AND v.id IS NOT ?2",
        )?
        .query_row((key, except), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match other {
        Some((plate, owner)) => Err(Error::validation(
            "plate_number",
            format!("{plate} is already registered to {owner}"),
        )),
        None => Ok(()),
    }
}

fn customer(ctx: &Ctx<'_>, id: CustomerId) -> Result<()> {
    crate::people::customers::find(ctx, id)
        .map(|_| ())
        .map_err(|_| Error::validation("customer_id", "no such customer"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateVehicle {
    pub customer_id: CustomerId,
    /// e.g. `Toyota Avanza`
    pub model: VehicleModel,
    /// Any usual spelling: `b1234cd`, `B-1234-CD`, `B 1234 CD`.
    pub plate_number: PlateNumber,
    /// From 1900 to next year.
    #[schema(minimum = 1900)]
    pub year: Option<i32>,
    pub last_service_at: Option<NaiveDate>,
    pub service_interval_days: Option<ServiceIntervalDays>,
    /// Defaults to last service + interval.
    pub next_service_at: Option<NaiveDate>,
}

impl Operation for CreateVehicle {
    type Output = Vehicle;
    const NAME: &'static str = "vehicles.create";
    const PERMISSION: Permission = Permission::CustomersWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Vehicle> {
        customer(ctx, self.customer_id)?;
        let key = plate_key(self.plate_number.as_str());
        plate_taken(ctx.conn, &key, None)?;
        let year = year(self.year, ctx.today())?;
        let interval = self.service_interval_days.map(Bounded::get);
        let next = next_service(self.next_service_at, self.last_service_at, interval);
        let id = VehicleId::new();
        ctx.conn.execute(
            "INSERT INTO vehicles (id, customer_id, model, plate_number, plate_key, year, last_service_at,
                service_interval_days, next_service_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
            rusqlite::params![
                id,
                self.customer_id,
                self.model,
                self.plate_number,
                key,
                year,
                self.last_service_at,
                interval,
                next,
                to_db(ctx.now)
            ],
        )?;
        let v = find(ctx.conn, id)?;
        record_created(ctx, &v)?;
        Ok(v)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetVehicle {
    pub id: VehicleId,
}

impl Operation for GetVehicle {
    type Output = Vehicle;
    const NAME: &'static str = "vehicles.get";
    const PERMISSION: Permission = Permission::CustomersRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Vehicle> {
        find(ctx.conn, self.id)
    }
}

/// Changes only the fields given; `null` clears an optional field. A new
/// last service date or interval moves the next service date along unless
/// `next_service_at` is given too.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateVehicle {
    pub id: VehicleId,
    pub version: Option<i64>,
    pub customer_id: Option<CustomerId>,
    pub model: Option<VehicleModel>,
    pub plate_number: Option<PlateNumber>,
    /// From 1900 to next year.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<i32>, minimum = 1900)]
    pub year: Option<Option<i32>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<NaiveDate>)]
    pub last_service_at: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<ServiceIntervalDays>)]
    pub service_interval_days: Option<Option<ServiceIntervalDays>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<NaiveDate>)]
    pub next_service_at: Option<Option<NaiveDate>>,
}

impl Operation for UpdateVehicle {
    type Output = Vehicle;
    const NAME: &'static str = "vehicles.update";
    const PERMISSION: Permission = Permission::CustomersWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Vehicle> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "vehicle")?;
        let mut v = before.clone();
        if let Some(c) = self.customer_id.filter(|c| *c != before.customer_id) {
            customer(ctx, c)?;
            v.customer_id = c;
        }
        if let Some(m) = self.model {
            v.model = m.into();
        }
        if let Some(p) = self.plate_number {
            plate_taken(ctx.conn, &plate_key(p.as_str()), Some(self.id))?;
            v.plate_number = p.into();
        }
        if let Some(y) = self.year {
            v.year = year(y, ctx.today())?;
        }
        if let Some(d) = self.last_service_at {
            v.last_service_at = d;
        }
        if let Some(d) = self.service_interval_days {
            v.service_interval_days = d.map(Bounded::get);
        }
        match self.next_service_at {
            Some(given) => {
                v.next_service_at = next_service(given, v.last_service_at, v.service_interval_days);
            }
            None if self.last_service_at.is_some() || self.service_interval_days.is_some() => {
                v.next_service_at = next_service(None, v.last_service_at, v.service_interval_days)
                    .or(before.next_service_at);
            }
            None => {}
        }
        save(ctx, &before, v)
    }
}

/// Soft delete: the messages and report rows naming it stay.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteVehicle {
    pub id: VehicleId,
}

impl Operation for DeleteVehicle {
    type Output = Done;
    const NAME: &'static str = "vehicles.delete";
    const PERMISSION: Permission = Permission::CustomersDelete;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Done> {
        let before = find(ctx.conn, self.id)?;
        soft_delete(ctx, &before)?;
        Ok(Done { ok: true })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListVehicles {
    pub customer_id: Option<CustomerId>,
    /// Plate in any spelling (`b1234`, `B-1234-CD`), or part of the model.
    pub q: Option<String>,
    /// Only vehicles whose next service is on or before this date.
    pub due_before: Option<NaiveDate>,
    /// `plate_number` (default), `model`, `next_service_at` or `created_at`, with `:asc`/`:desc`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListVehicles {
    type Output = Page<Vehicle>;
    const NAME: &'static str = "vehicles.list";
    const PERMISSION: Permission = Permission::CustomersRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Vehicle>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let (col, dir) = parse_sort(
            self.sort.as_deref().unwrap_or("plate_number"),
            "sort",
            &[
                ("plate_number", "v.plate_key"),
                ("model", "v.model"),
                ("next_service_at", "v.next_service_at"),
                ("created_at", "v.created_at"),
            ],
        )?;
        let mut q = ListQuery::new(SELECT, "vehicles v", "v.deleted_at IS NULL");
        q.eq("v.customer_id", self.customer_id.map(|c| c.to_string()));
        if let Some(text) = self.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let key = plate_key(text);
            let plate = if key.is_empty() {
                like_pattern(text)
            } else {
                like_pattern(&key)
            };
            q.and(
                "(v.plate_key LIKE ? ESCAPE '\\' OR v.model LIKE ? ESCAPE '\\')",
                [Value::Text(plate), Value::Text(like_pattern(text))],
            );
        }
        if let Some(d) = self.due_before {
            q.and("v.next_service_at <= ?", [Value::Text(d.to_string())]);
        }
        q.order_by(col, dir, "v.");
        q.fetch(ctx.conn, paging, from_row)
    }
}

/// The maintenance rule: a reminder for each vehicle whose next service is
/// within the window (or overdue), unless it had one in the spacing period.
pub fn queue_maintenance(ctx: &Ctx<'_>) -> Result<u32> {
    let today = ctx.today();
    let until = today + chrono::Duration::days(i64::from(ctx.settings.maintenance_window_days));
    let since = ctx.now - chrono::Duration::days(i64::from(ctx.settings.maintenance_spacing_days));
    type Due = (
        VehicleId,
        CustomerId,
        String,
        String,
        String,
        String,
        NaiveDate,
        Option<Language>,
    );
    let rows: Vec<Due> = ctx
        .conn
        .prepare_cached(
            "SELECT v.id, v.customer_id, c.name, c.phone, v.model, v.plate_number, v.next_service_at, c.language
             FROM vehicles v JOIN customers c ON c.id = v.customer_id AND c.deleted_at IS NULL
             WHERE v.deleted_at IS NULL AND v.next_service_at IS NOT NULL AND v.next_service_at <= ?1
               AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.vehicle_id = v.id
                     AND m.kind = 'maintenance_reminder' AND m.created_at > ?2)
             ORDER BY v.next_service_at",
        )?
        .query_map((until.to_string(), to_db(since)), |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
            ))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut queued = 0;
    for (vehicle, customer, name, phone, model, plate, next, own) in rows {
        let lang = own.unwrap_or(ctx.settings.message_language);
        let mut vars = Vars::new();
        vars.insert("customer_name".into(), name);
        vars.insert("vehicle".into(), model);
        vars.insert("plate".into(), plate);
        vars.insert("date".into(), templates::long_date(next, lang));
        vars.insert("business_name".into(), ctx.settings.business_name.clone());
        if enqueue(
            ctx,
            NewMessage {
                dedupe_key: format!("vehicle:{vehicle}:maintenance_reminder:{today}"),
                kind: MessageKind::MaintenanceReminder,
                language: lang,
                to: phone,
                vars,
                customer_id: Some(customer),
                provider_id: None,
                booking_id: None,
                vehicle_id: Some(vehicle),
                subject: Some((SubjectType::Vehicle, vehicle.to_string())),
            },
        )? {
            queued += 1;
        }
    }
    Ok(queued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plates_normalise() {
        for raw in ["b1234cd", "B-1234-CD", " B 1234 CD ", "b.1234.cd"] {
            assert_eq!(normalise_plate(raw).unwrap(), "B 1234 CD", "{raw}");
        }
        assert_eq!(normalise_plate("AB 1 X").unwrap(), "AB 1 X");
        assert_eq!(normalise_plate("d 123").unwrap(), "D 123");
        assert_eq!(normalise_plate("RI 1").unwrap(), "RI 1");
        assert_eq!(normalise_plate("cd-12-345-67").unwrap(), "CD 12 345 67");
        assert!(normalise_plate("B_1234").is_err());
        assert!(normalise_plate("").is_err());
        assert_eq!(plate_key("B 1234 CD"), "B1234CD");
    }
}
