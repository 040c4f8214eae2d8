//! The customer master: one record per person, deduplicated by normalised
//! phone, then e-mail. KTP and NPWP numbers are encrypted at rest; KTP keeps
//! a keyed hash so an exact-match search still works.

use chrono::NaiveDate;
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
use crate::kernel::store::{ListQuery, like_pattern, soft_delete, update_row};
use crate::kernel::types::Done;
use crate::kernel::types::Language;
use crate::kernel::types::{CustomerId, Money, Page, Paging, parse_sort, patch};
use crate::kernel::validate;

const KTP: &str = "customers.ktp_number";
const NPWP: &str = "customers.npwp_number";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    Male,
    Female,
}

impl Gender {
    fn as_str(self) -> &'static str {
        match self {
            Gender::Male => "male",
            Gender::Female => "female",
        }
    }
    fn parse(s: Option<String>) -> Option<Gender> {
        match s.as_deref() {
            Some("male") => Some(Gender::Male),
            Some("female") => Some(Gender::Female),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Customer {
    pub id: CustomerId,
    /// `CS-NNNNNN`
    pub code: String,
    pub name: String,
    pub gender: Option<Gender>,
    /// Normalised `62…`
    pub phone: String,
    pub email: Option<String>,
    pub address: Option<String>,
    /// Masked (`************0001`) unless your role may see it.
    pub ktp_number: Option<String>,
    /// Masked unless your role may see it.
    pub npwp_number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    pub occupation: Option<String>,
    pub monthly_income: Option<Money>,
    pub emergency_contact: Option<String>,
    /// The language of this customer's WhatsApp messages; `null` follows the
    /// business's `message_language` setting.
    pub language: Option<Language>,
    pub last_booking_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
}

/// A short reference, as in duplicate hints.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerRef {
    pub id: CustomerId,
    pub code: String,
    pub name: String,
    pub phone: String,
    pub email: Option<String>,
}

const COLUMNS: &str = "id, code, name, gender, phone, email, address, ktp_cipher, npwp_cipher, birth_date, birth_place,
    occupation, monthly_income, emergency_contact, last_booking_at, created_at, updated_at, version, language";

/// A row as stored: sensitive fields still sealed.
struct Stored {
    customer: Customer,
    ktp: Option<Vec<u8>>,
    npwp: Option<Vec<u8>>,
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Stored> {
    Ok(Stored {
        customer: Customer {
            id: r.get(0)?,
            code: r.get(1)?,
            name: r.get(2)?,
            gender: Gender::parse(r.get(3)?),
            phone: r.get(4)?,
            email: r.get(5)?,
            address: r.get(6)?,
            ktp_number: None,
            npwp_number: None,
            birth_date: r.get(9)?,
            birth_place: r.get(10)?,
            occupation: r.get(11)?,
            monthly_income: r.get(12)?,
            emergency_contact: r.get(13)?,
            last_booking_at: r.get(14)?,
            created_at: r.get(15)?,
            updated_at: r.get(16)?,
            version: r.get(17)?,
            language: r.get(18)?,
        },
        ktp: r.get(7)?,
        npwp: r.get(8)?,
    })
}

fn mask(s: &str) -> String {
    let n = s.chars().count();
    let tail: String = s.chars().skip(n.saturating_sub(4)).collect();
    format!("{}{tail}", "*".repeat(n.saturating_sub(4)))
}

impl Stored {
    /// Opens the sealed fields: in full for roles that may see them, masked otherwise.
    fn reveal(self, ctx: &Ctx<'_>, full: bool) -> Result<Customer> {
        let mut c = self.customer;
        let open = |ctx: &Ctx<'_>, label: &str, blob: Option<Vec<u8>>| -> Result<Option<String>> {
            blob.map(|b| {
                ctx.vault
                    .decrypt(label, &b)
                    .map(|p| if full { p } else { mask(&p) })
            })
            .transpose()
        };
        c.ktp_number = open(ctx, KTP, self.ktp)?;
        c.npwp_number = open(ctx, NPWP, self.npwp)?;
        Ok(c)
    }
}

fn load(conn: &Connection, id: CustomerId) -> Result<Stored> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM customers WHERE id = ?1 AND deleted_at IS NULL"
    ))?
    .query_row([id], from_row)
    .optional()?
    .ok_or(Error::NotFound { entity: "customer" })
}

/// The customer as the acting user may see it.
pub fn find(ctx: &Ctx<'_>, id: CustomerId) -> Result<Customer> {
    load(ctx.conn, id)?.reveal(ctx, ctx.may(Permission::CustomersSensitive))
}

/// The customer as the audit trail and change log keep it: sensitive numbers masked.
fn snapshot(ctx: &Ctx<'_>, id: CustomerId) -> Result<Customer> {
    load(ctx.conn, id)?.reveal(ctx, false)
}

/// Customer fields as given by a person (a form, or inline in a booking).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: String,
    /// `08…`, `+62…` or `62…`
    pub phone: String,
    pub gender: Option<Gender>,
    pub email: Option<String>,
    pub address: Option<String>,
    /// 16 digits
    pub ktp_number: Option<String>,
    /// 15 or 16 digits
    pub npwp_number: Option<String>,
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<String>,
    pub occupation: Option<String>,
    pub monthly_income: Option<Money>,
    pub emergency_contact: Option<String>,
    /// Message language (`id`, `en`); leave out to follow the business setting.
    pub language: Option<Language>,
}

/// Validated and normalised customer fields.
struct Valid {
    name: String,
    phone: String,
    gender: Option<Gender>,
    email: Option<String>,
    address: Option<String>,
    ktp: Option<String>,
    npwp: Option<String>,
    birth_date: Option<NaiveDate>,
    birth_place: Option<String>,
    occupation: Option<String>,
    monthly_income: Option<Money>,
    emergency_contact: Option<String>,
    language: Option<Language>,
}

fn optional_email(v: Option<String>, field: &str) -> Result<Option<String>> {
    v.filter(|e| !e.trim().is_empty())
        .map(|e| validate::email(&e, field))
        .transpose()
}
fn optional_ktp(v: Option<String>, field: &str) -> Result<Option<String>> {
    v.filter(|e| !e.trim().is_empty())
        .map(|e| validate::digits(&e, field, &[16]))
        .transpose()
}
fn optional_npwp(v: Option<String>, field: &str) -> Result<Option<String>> {
    v.filter(|e| !e.trim().is_empty())
        .map(|e| validate::digits(&e, field, &[15, 16]))
        .transpose()
}
fn check_birth_date(d: Option<NaiveDate>, ctx: &Ctx<'_>, field: &str) -> Result<Option<NaiveDate>> {
    match d {
        Some(d) if d > ctx.today() => Err(Error::validation(field, "must not be in the future")),
        Some(d) if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) => {
            Err(Error::validation(field, "must be after 1900"))
        }
        other => Ok(other),
    }
}

impl CustomerInput {
    /// Validates every field; `prefix` names fields of an inline customer (`customer.`).
    fn validate(self, ctx: &Ctx<'_>, prefix: &str) -> Result<Valid> {
        let f = |name: &str| format!("{prefix}{name}");
        Ok(Valid {
            name: validate::required_text(&self.name, &f("name"), 2, 100)?,
            phone: validate::phone(&self.phone, &f("phone"))?,
            gender: self.gender,
            email: optional_email(self.email, &f("email"))?,
            address: validate::optional_text(self.address, &f("address"), 500)?,
            ktp: optional_ktp(self.ktp_number, &f("ktp_number"))?,
            npwp: optional_npwp(self.npwp_number, &f("npwp_number"))?,
            birth_date: check_birth_date(self.birth_date, ctx, &f("birth_date"))?,
            birth_place: validate::optional_text(self.birth_place, &f("birth_place"), 50)?,
            occupation: validate::optional_text(self.occupation, &f("occupation"), 50)?,
            monthly_income: self
                .monthly_income
                .map(|m| m.checked(&f("monthly_income")))
                .transpose()?,
            emergency_contact: validate::optional_text(
                self.emergency_contact,
                &f("emergency_contact"),
                200,
            )?,
            language: self.language,
        })
    }
}

fn owner_of_phone(
    conn: &Connection,
    phone: &str,
    except: Option<CustomerId>,
) -> Result<Option<(String, String)>> {
    Ok(conn
        .prepare_cached("SELECT code, name FROM customers WHERE phone = ?1 AND deleted_at IS NULL AND id IS NOT ?2")?
        .query_row((phone, except), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

fn seal(ctx: &Ctx<'_>, label: &str, plain: &Option<String>) -> Result<Option<Vec<u8>>> {
    plain
        .as_deref()
        .map(|p| ctx.vault.encrypt(label, p))
        .transpose()
}

fn insert(
    ctx: &Ctx<'_>,
    v: Valid,
    last_booking_at: Option<String>,
    prefix: &str,
) -> Result<CustomerId> {
    if let Some((code, name)) = owner_of_phone(ctx.conn, &v.phone, None)? {
        return Err(Error::validation(
            format!("{prefix}phone"),
            format!("already belongs to {code} ({name})"),
        ));
    }
    let id = CustomerId::new();
    let code = loop {
        let code = format!("CS-{:06}", next_code_number(ctx.conn, "CS")?);
        let taken: bool = ctx.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM customers WHERE code = ?1)",
            [&code],
            |r| r.get(0),
        )?;
        if !taken {
            break code;
        }
    };
    let now = to_db(ctx.now);
    ctx.conn
        .prepare_cached(
            "INSERT INTO customers (id, code, name, name_key, gender, phone, email, email_key, address, ktp_cipher,
                ktp_hash, npwp_cipher, birth_date, birth_place, occupation, monthly_income, emergency_contact,
                last_booking_at, created_at, updated_at, language)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19, ?20)",
        )?
        .execute(rusqlite::params![
            id,
            code,
            v.name,
            validate::name_key(&v.name),
            v.gender.map(Gender::as_str),
            v.phone,
            v.email,
            v.email.as_deref().map(str::to_lowercase),
            v.address,
            seal(ctx, KTP, &v.ktp)?,
            v.ktp.as_deref().map(|k| ctx.vault.lookup_hash(KTP, k)),
            seal(ctx, NPWP, &v.npwp)?,
            v.birth_date,
            v.birth_place,
            v.occupation,
            v.monthly_income,
            v.emergency_contact,
            last_booking_at,
            now,
            v.language,
        ])?;
    ctx.record(
        Action::Create,
        EntityKind::Customer,
        &id.to_string(),
        None::<&Customer>,
        Some(&snapshot(ctx, id)?),
    )?;
    Ok(id)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(transparent)]
pub struct CreateCustomer(pub CustomerInput);

impl Operation for CreateCustomer {
    type Output = Customer;
    const NAME: &'static str = "customers.create";
    const PERMISSION: Permission = Permission::CustomersWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Customer> {
        let valid = self.0.validate(ctx, "")?;
        let id = insert(ctx, valid, None, "")?;
        find(ctx, id)
    }
}

/// The outcome of matching a booking's customer against the master.
pub struct Upserted {
    pub id: CustomerId,
    pub created: bool,
    /// Other customers with the same name (a different phone): maybe the same
    /// person, maybe not; staff decide.
    pub possible_duplicate_of: Vec<CustomerRef>,
}

/// Finds or creates the booking's customer in the booking's transaction:
/// match by normalised phone, then by e-mail (case-insensitive); on a match
/// update last booking time and the gender, address and e-mail given.
pub fn upsert_for_booking(ctx: &Ctx<'_>, input: CustomerInput) -> Result<Upserted> {
    let v = input.validate(ctx, "customer.")?;
    let by_phone: Option<CustomerId> = ctx
        .conn
        .prepare_cached("SELECT id FROM customers WHERE phone = ?1 AND deleted_at IS NULL")?
        .query_row([&v.phone], |r| r.get(0))
        .optional()?;
    let matched = match by_phone {
        Some(id) => Some(id),
        None => match &v.email {
            Some(email) => ctx
                .conn
                .prepare_cached(
                    "SELECT id FROM customers WHERE email_key = ?1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
                )?
                .query_row([email.to_lowercase()], |r| r.get(0))
                .optional()?,
            None => None,
        },
    };
    let now = to_db(ctx.now);
    if let Some(id) = matched {
        // The booking may bring a gender, address, e-mail or language the
        // master lacks or has otherwise: that is an edit (audited, versioned).
        let (gender, address, email, language): (
            Option<String>,
            Option<String>,
            Option<String>,
            Option<Language>,
        ) = ctx
            .conn
            .prepare_cached("SELECT gender, address, email, language FROM customers WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
        let differs =
            |given: Option<&str>, kept: Option<&str>| given.is_some_and(|g| Some(g) != kept);
        let edited = differs(v.gender.map(Gender::as_str), gender.as_deref())
            || differs(v.address.as_deref(), address.as_deref())
            || differs(v.email.as_deref(), email.as_deref())
            || v.language.is_some_and(|l| Some(l) != language);
        if !edited {
            touch_last_booking(ctx, id)?;
            return Ok(Upserted {
                id,
                created: false,
                possible_duplicate_of: Vec::new(),
            });
        }
        let before = snapshot(ctx, id)?;
        ctx.conn
            .prepare_cached(
                "UPDATE customers SET last_booking_at = ?2,
                    gender = COALESCE(?3, gender), address = COALESCE(?4, address),
                    email = COALESCE(?5, email), email_key = COALESCE(?6, email_key),
                    language = COALESCE(?7, language), updated_at = ?2, version = version + 1
                 WHERE id = ?1",
            )?
            .execute((
                id,
                &now,
                v.gender.map(Gender::as_str),
                &v.address,
                &v.email,
                v.email.as_deref().map(str::to_lowercase),
                v.language,
            ))?;
        ctx.record(
            Action::Upsert,
            EntityKind::Customer,
            &id.to_string(),
            Some(&before),
            Some(&snapshot(ctx, id)?),
        )?;
        return Ok(Upserted {
            id,
            created: false,
            possible_duplicate_of: Vec::new(),
        });
    }
    let possible_duplicate_of = ctx
        .conn
        .prepare_cached(
            "SELECT id, code, name, phone, email FROM customers WHERE name_key = ?1 AND deleted_at IS NULL ORDER BY code",
        )?
        .query_map([validate::name_key(&v.name)], |r| {
            Ok(CustomerRef { id: r.get(0)?, code: r.get(1)?, name: r.get(2)?, phone: r.get(3)?, email: r.get(4)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let id = insert(ctx, v, Some(now), "customer.")?;
    Ok(Upserted {
        id,
        created: true,
        possible_duplicate_of,
    })
}

/// Marks an existing customer as having just booked. `last_booking_at` is
/// derived from the bookings (head office recomputes it from the synced
/// bookings), so this is not an edit of the customer: no audit entry, no
/// change-log row, and no new version, so a colleague's open edit of the same
/// customer is not refused as stale because somebody booked meanwhile.
pub fn touch_last_booking(ctx: &Ctx<'_>, id: CustomerId) -> Result<()> {
    let touched = ctx
        .conn
        .prepare_cached(
            "UPDATE customers SET last_booking_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .execute((id, to_db(ctx.now)))?;
    if touched == 0 {
        return Err(Error::validation("customer_id", "no such customer"));
    }
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetCustomer {
    pub id: CustomerId,
}

impl Operation for GetCustomer {
    type Output = Customer;
    const NAME: &'static str = "customers.get";
    const PERMISSION: Permission = Permission::CustomersRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Customer> {
        find(ctx, self.id)
    }
}

/// Changes only the fields given; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    pub id: CustomerId,
    /// The version you saw; a different current version is a 409.
    pub version: Option<i64>,
    pub name: Option<String>,
    pub phone: Option<String>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub address: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub ktp_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub npwp_number: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<NaiveDate>)]
    pub birth_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub birth_place: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub occupation: Option<Option<String>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Money>)]
    pub monthly_income: Option<Option<Money>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub emergency_contact: Option<Option<String>>,
    /// `null` to follow the business's message language again.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Language>)]
    pub language: Option<Option<Language>>,
}

impl Operation for UpdateCustomer {
    type Output = Customer;
    const NAME: &'static str = "customers.update";
    const PERMISSION: Permission = Permission::CustomersWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Customer> {
        let id = self.id;
        let before = snapshot(ctx, id)?;
        Error::check_version(self.version, before.version, "customer")?;
        let mut sets: Vec<(&str, Value)> = Vec::new();
        let text = |v: Option<String>| v.map_or(Value::Null, Value::Text);
        if let Some(v) = self.name {
            let name = validate::required_text(&v, "name", 2, 100)?;
            sets.push(("name_key", Value::Text(validate::name_key(&name))));
            sets.push(("name", Value::Text(name)));
        }
        if let Some(v) = self.phone {
            let phone = validate::phone(&v, "phone")?;
            if let Some((code, name)) = owner_of_phone(ctx.conn, &phone, Some(id))? {
                return Err(Error::validation(
                    "phone",
                    format!("already belongs to {code} ({name})"),
                ));
            }
            sets.push(("phone", Value::Text(phone)));
        }
        if let Some(v) = self.gender {
            sets.push(("gender", text(v.map(|g| g.as_str().to_owned()))));
        }
        if let Some(v) = self.email {
            let email = optional_email(v, "email")?;
            sets.push(("email_key", text(email.as_deref().map(str::to_lowercase))));
            sets.push(("email", text(email)));
        }
        if let Some(v) = self.address {
            sets.push(("address", text(validate::optional_text(v, "address", 500)?)));
        }
        if let Some(v) = self.ktp_number {
            let ktp = optional_ktp(v, "ktp_number")?;
            sets.push((
                "ktp_hash",
                text(ktp.as_deref().map(|k| ctx.vault.lookup_hash(KTP, k))),
            ));
            sets.push((
                "ktp_cipher",
                seal(ctx, KTP, &ktp)?.map_or(Value::Null, Value::Blob),
            ));
        }
        if let Some(v) = self.npwp_number {
            let npwp = optional_npwp(v, "npwp_number")?;
            sets.push((
                "npwp_cipher",
                seal(ctx, NPWP, &npwp)?.map_or(Value::Null, Value::Blob),
            ));
        }
        if let Some(v) = self.birth_date {
            let d = check_birth_date(v, ctx, "birth_date")?;
            sets.push(("birth_date", text(d.map(|d| d.to_string()))));
        }
        if let Some(v) = self.birth_place {
            sets.push((
                "birth_place",
                text(validate::optional_text(v, "birth_place", 50)?),
            ));
        }
        if let Some(v) = self.occupation {
            sets.push((
                "occupation",
                text(validate::optional_text(v, "occupation", 50)?),
            ));
        }
        if let Some(v) = self.monthly_income {
            let m = v.map(|m| m.checked("monthly_income")).transpose()?;
            sets.push(("monthly_income", m.map_or(Value::Null, Money::sql_value)));
        }
        if let Some(v) = self.emergency_contact {
            sets.push((
                "emergency_contact",
                text(validate::optional_text(v, "emergency_contact", 200)?),
            ));
        }
        if let Some(v) = self.language {
            sets.push(("language", text(v.map(|l| l.as_str().to_owned()))));
        }
        if update_row(ctx, "customers", &id.to_string(), sets)? {
            ctx.record(
                Action::Update,
                EntityKind::Customer,
                &id.to_string(),
                Some(&before),
                Some(&snapshot(ctx, id)?),
            )?;
        }
        find(ctx, id)
    }
}

/// Soft delete: the record stays for the bookings that name it.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteCustomer {
    pub id: CustomerId,
}

impl Operation for DeleteCustomer {
    type Output = Done;
    const NAME: &'static str = "customers.delete";
    const PERMISSION: Permission = Permission::CustomersDelete;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Done> {
        let before = snapshot(ctx, self.id)?;
        let open: i64 = ctx.conn.query_row(
            "SELECT COUNT(*) FROM bookings WHERE customer_id = ?1 AND booking_status IN ('pending','active')",
            [self.id],
            |r| r.get(0),
        )?;
        if open > 0 {
            return Err(Error::conflict(format!(
                "{} has {open} open booking(s); complete or cancel them before deleting the customer",
                before.code
            )));
        }
        soft_delete(
            ctx,
            "customers",
            EntityKind::Customer,
            &self.id.to_string(),
            &before,
        )?;
        Ok(Done { ok: true })
    }
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListCustomers {
    /// Matches name, phone (any format), e-mail or code.
    pub q: Option<String>,
    /// Exact KTP number.
    pub ktp_number: Option<String>,
    pub gender: Option<Gender>,
    /// `name`, `code`, `created_at` or `last_booking_at`, with `:asc`/`:desc`.
    pub sort: Option<String>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListCustomers {
    type Output = Page<Customer>;
    const NAME: &'static str = "customers.list";
    const PERMISSION: Permission = Permission::CustomersRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<Customer>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let full = ctx.may(Permission::CustomersSensitive);
        let page = self.query(ctx)?.fetch(ctx.conn, paging, from_row)?;
        let data = page
            .data
            .into_iter()
            .map(|s| s.reveal(ctx, full))
            .collect::<Result<Vec<_>>>()?;
        Ok(Page {
            data,
            meta: page.meta,
        })
    }
}

impl ListCustomers {
    /// The SQL this list runs (public so tests can check its query plan).
    pub fn query(&self, ctx: &Ctx<'_>) -> Result<ListQuery> {
        let (sort_col, dir) = parse_sort(
            self.sort.as_deref().unwrap_or("name"),
            "sort",
            &[
                ("name", "name_key"),
                ("code", "code"),
                ("created_at", "created_at"),
                ("last_booking_at", "last_booking_at"),
            ],
        )?;
        let mut q = ListQuery::new(
            format!("SELECT {COLUMNS} FROM customers"),
            "customers",
            "deleted_at IS NULL",
        );
        if let Some(text) = self.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let like = like_pattern(text);
            // A phone typed as 0812… or +62 812… is searched in its stored form.
            let phone_like = validate::phone_prefix(text)
                .map(|p| like_pattern(&p))
                .unwrap_or_else(|| like.clone());
            q.and(
                "(name LIKE ? ESCAPE '\\' OR phone LIKE ? ESCAPE '\\' OR email LIKE ? ESCAPE '\\' OR code LIKE ? ESCAPE '\\')",
                [Value::Text(like.clone()), Value::Text(phone_like), Value::Text(like.clone()), Value::Text(like)],
            );
        }
        if let Some(ktp) = &self.ktp_number {
            let ktp = validate::digits(ktp, "ktp_number", &[16])?;
            q.and(
                "ktp_hash = ?",
                [Value::Text(ctx.vault.lookup_hash(KTP, &ktp))],
            );
        }
        q.eq("gender", self.gender.map(|g| g.as_str().into()));
        q.order_by(sort_col, dir, "");
        Ok(q)
    }
}
