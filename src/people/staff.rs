//! Staff records: the people who handle bookings (marketing, sales, front desk).

use rusqlite::types::ToSqlOutput;
use rusqlite::{Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::EntityKind;
use crate::kernel::audit::next_code_number;
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::entity::{entity, record_created, save};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Email, Phone, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::ListQuery;
use crate::kernel::types::{Page, Paging, StaffId, patch};
use crate::people::{blank_is_none, patch_blank_is_none};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentStatus {
    Permanent,
    Contract,
    Freelance,
}

impl EmploymentStatus {
    fn as_str(self) -> &'static str {
        match self {
            EmploymentStatus::Permanent => "permanent",
            EmploymentStatus::Contract => "contract",
            EmploymentStatus::Freelance => "freelance",
        }
    }
    fn parse(s: &str) -> rusqlite::Result<Self> {
        match s {
            "permanent" => Ok(Self::Permanent),
            "contract" => Ok(Self::Contract),
            "freelance" => Ok(Self::Freelance),
            other => Err(rusqlite::Error::InvalidColumnType(
                0,
                other.into(),
                rusqlite::types::Type::Text,
            )),
        }
    }
}

impl ToSql for EmploymentStatus {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Staff {
    pub id: StaffId,
    pub staff_code: String,
    pub name: String,
    pub short_code: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub employment_status: EmploymentStatus,
    pub active: bool,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

const COLUMNS: &str = "id, staff_code, name, short_code, phone, email, employment_status, active, created_at, updated_at, version";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Staff> {
    Ok(Staff {
        id: r.get(0)?,
        staff_code: r.get(1)?,
        name: r.get(2)?,
        short_code: r.get(3)?,
        phone: r.get(4)?,
        email: r.get(5)?,
        employment_status: EmploymentStatus::parse(&r.get::<_, String>(6)?)?,
        active: r.get(7)?,
        created_at: r.get(8)?,
        updated_at: r.get(9)?,
        version: r.get(10)?,
    })
}

pub fn find(conn: &Connection, id: StaffId) -> Result<Staff> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM staff WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or(Error::NotFound { entity: "staff" })
}

/// A staff member's name: 2 to 100 characters.
pub type StaffName = Text<2, 100>;
/// A staff code or short label: up to 20 characters, `""` for none.
pub type StaffLabel = Text<0, 20>;

entity!(
    Staff,
    StaffId,
    "staff",
    EntityKind::Staff,
    find,
    [name, short_code, phone, email, employment_status, active]
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateStaff {
    /// Given, or allocated as `ST-NNN`.
    pub staff_code: Option<StaffLabel>,
    pub name: StaffName,
    /// A short label such as "Sales A".
    pub short_code: Option<StaffLabel>,
    /// `""` for none.
    #[serde(default, deserialize_with = "blank_is_none")]
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<Phone>,
    /// `""` for none.
    #[serde(default, deserialize_with = "blank_is_none")]
    #[schema(value_type = Option<Email>)]
    pub email: Option<Email>,
    pub employment_status: Option<EmploymentStatus>,
    pub active: Option<bool>,
}

impl Operation for CreateStaff {
    type Output = Staff;
    const NAME: &'static str = "staff.create";
    const PERMISSION: Permission = Permission::StaffWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Staff> {
        let staff_code = match self.staff_code.and_then(Text::non_empty) {
            Some(code) => {
                if code_taken(ctx.conn, &code)? {
                    return Err(Error::validation(
                        "staff_code",
                        format!("{code} is already used"),
                    ));
                }
                code
            }
            None => loop {
                let code = format!("ST-{:03}", next_code_number(ctx.conn, "ST")?);
                if !code_taken(ctx.conn, &code)? {
                    break code;
                }
            },
        };
        let id = StaffId::new();
        let now = to_db(ctx.now);
        ctx.conn.execute(
            "INSERT INTO staff (id, staff_code, name, short_code, phone, email, employment_status, active, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9)",
            (
                id,
                &staff_code,
                self.name,
                self.short_code.and_then(Text::non_empty),
                self.phone,
                self.email,
                self.employment_status.unwrap_or(EmploymentStatus::Permanent),
                self.active.unwrap_or(true),
                &now,
            ),
        )?;
        let staff = find(ctx.conn, id)?;
        record_created(ctx, &staff)?;
        Ok(staff)
    }
}

fn code_taken(conn: &Connection, code: &str) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS(SELECT 1 FROM staff WHERE staff_code = ?1)",
        [code],
        |r| r.get(0),
    )?)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetStaff {
    pub id: StaffId,
}

impl Operation for GetStaff {
    type Output = Staff;
    const NAME: &'static str = "staff.get";
    const PERMISSION: Permission = Permission::StaffRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Staff> {
        find(ctx.conn, self.id)
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateStaff {
    pub id: StaffId,
    /// The version you saw; a different current version is a 409.
    pub version: Option<i64>,
    pub name: Option<StaffName>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<StaffLabel>)]
    pub short_code: Option<Option<StaffLabel>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "patch_blank_is_none")]
    #[schema(value_type = Option<Phone>)]
    pub phone: Option<Option<Phone>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "patch_blank_is_none")]
    #[schema(value_type = Option<Email>)]
    pub email: Option<Option<Email>>,
    pub employment_status: Option<EmploymentStatus>,
    pub active: Option<bool>,
}

impl Operation for UpdateStaff {
    type Output = Staff;
    const NAME: &'static str = "staff.update";
    const PERMISSION: Permission = Permission::StaffWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Staff> {
        let before = find(ctx.conn, self.id)?;
        Error::check_version(self.version, before.version, "staff record")?;
        let mut s = before.clone();
        if let Some(v) = self.name {
            s.name = v.into();
        }
        if let Some(v) = self.short_code {
            s.short_code = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.phone {
            s.phone = v.map(String::from);
        }
        if let Some(v) = self.email {
            s.email = v.map(String::from);
        }
        if let Some(v) = self.employment_status {
            s.employment_status = v;
        }
        if let Some(v) = self.active {
            s.active = v;
        }
        save(ctx, &before, s)
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListStaff {
    /// Matches name, staff code or short code.
    pub q: Option<String>,
    pub active: Option<bool>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListStaff {
    type Output = Page<Staff>;
    const NAME: &'static str = "staff.list";
    const PERMISSION: Permission = Permission::StaffRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Staff>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut q = ListQuery::new(format!("SELECT {COLUMNS} FROM staff"), "staff", "1=1");
        q.search(&["name", "staff_code", "short_code"], self.q.as_deref());
        q.flag("active", self.active);
        q.order_by("name", crate::kernel::types::Direction::Asc, "");
        q.fetch(ctx.conn, paging, from_row)
    }
}

/// Staff are never removed (bookings name them): deleting deactivates.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteStaff {
    pub id: StaffId,
}

impl Operation for DeleteStaff {
    type Output = Staff;
    const NAME: &'static str = "staff.delete";
    const PERMISSION: Permission = Permission::StaffWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Staff> {
        UpdateStaff {
            id: self.id,
            version: None,
            name: None,
            short_code: None,
            phone: None,
            email: None,
            employment_status: None,
            active: Some(false),
        }
        .run(ctx)
    }
}
