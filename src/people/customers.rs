//! The customer master: one record per person, deduplicated by normalised
//! phone, then e-mail. KTP and NPWP numbers are encrypted at rest; KTP keeps
//! a keyed hash so an exact-match search still works.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::kernel::audit::next_code_number;
use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::crypto::Vault;
use crate::kernel::entity::{Entity, record_created, save, save_as, soft_delete, value};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Email, Phone, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::{ListQuery, like_pattern};
use crate::kernel::types::Done;
use crate::kernel::types::Language;
use crate::kernel::types::{CustomerId, Money, Page, Paging, parse_sort, patch};
use crate::kernel::validate;
use crate::people::{blank_is_none, patch_blank_is_none};

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

impl ToSql for Gender {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(self.as_str().into())
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
    occupation, monthly_income, emergency_contact, last_booking_at, created_at, updated_at, version, language, ktp_hash";

/// A row as stored: sensitive fields still sealed.
struct Stored {
    customer: Customer,
    ktp: Option<Vec<u8>>,
    ktp_hash: Option<String>,
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
        ktp_hash: r.get(19)?,
    })
}

fn mask(s: &str) -> String {
    let n = s.chars().count();
    let tail: String = s.chars().skip(n.saturating_sub(4)).collect();
    format!("{}{tail}", "*".repeat(n.saturating_sub(4)))
}

fn open(vault: &Vault, label: &str, sealed: Option<&[u8]>) -> Result<Option<String>> {
    sealed.map(|b| vault.decrypt(label, b)).transpose()
}

impl Stored {
    /// Opens the sealed fields: in full for roles that may see them, masked otherwise.
    fn reveal(self, vault: &Vault, full: bool) -> Result<Customer> {
        let shown = |p: String| if full { p } else { mask(&p) };
        let mut c = self.customer;
        c.ktp_number = open(vault, KTP, self.ktp.as_deref())?.map(shown);
        c.npwp_number = open(vault, NPWP, self.npwp.as_deref())?.map(shown);
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
    load(ctx.conn, id)?.reveal(ctx.vault, ctx.may(Permission::CustomersSensitive))
}

/// A customer as edits change it and the audit trail keeps it: serialised
/// as the customer with KTP and NPWP masked, saved with the numbers sealed.
///
/// The sealed numbers are entity columns holding the sealed value. Sealing
/// is randomised, so a number given again keeps its current seal (see
/// [`Record::seal`]) and only a real change is saved.
#[derive(Clone, Serialize)]
struct Record<'v> {
    #[serde(flatten)]
    shown: Customer,
    #[serde(skip)]
    ktp_cipher: Option<Vec<u8>>,
    #[serde(skip)]
    ktp_hash: Option<String>,
    #[serde(skip)]
    npwp_cipher: Option<Vec<u8>>,
    #[serde(skip)]
    vault: &'v Vault,
}

/// A customer's id with the vault that masks the numbers of the record it
/// loads: [`Entity::find`] is given only the id, and the record it returns
/// (the audit's "after") must show KTP and NPWP masked.
#[derive(Clone, Copy)]
struct RecordKey<'v> {
    id: CustomerId,
    vault: &'v Vault,
}

impl fmt::Display for RecordKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.id.fmt(f)
    }
}

impl ToSql for RecordKey<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.id.to_sql()
    }
}

impl<'v> Record<'v> {
    fn load(conn: &Connection, vault: &'v Vault, id: CustomerId) -> Result<Record<'v>> {
        let stored = load(conn, id)?;
        let (ktp_cipher, ktp_hash, npwp_cipher) = (
            stored.ktp.clone(),
            stored.ktp_hash.clone(),
            stored.npwp.clone(),
        );
        Ok(Record {
            shown: stored.reveal(vault, false)?,
            ktp_cipher,
            ktp_hash,
            npwp_cipher,
            vault,
        })
    }

    /// `given` sealed, or the current seal when it holds the same number.
    fn seal(
        &self,
        label: &str,
        current: &Option<Vec<u8>>,
        given: Option<&str>,
    ) -> Result<Option<Vec<u8>>> {
        if open(self.vault, label, current.as_deref())?.as_deref() == given {
            return Ok(current.clone());
        }
        given.map(|p| self.vault.encrypt(label, p)).transpose()
    }

    fn set_ktp(&mut self, ktp: Option<KtpNumber>) -> Result<()> {
        let ktp = ktp.as_ref().map(IdNumber::as_str);
        self.ktp_cipher = self.seal(KTP, &self.ktp_cipher, ktp)?;
        self.ktp_hash = ktp.map(|k| self.vault.lookup_hash(KTP, k));
        Ok(())
    }

    fn set_npwp(&mut self, npwp: Option<NpwpNumber>) -> Result<()> {
        let npwp = npwp.as_ref().map(IdNumber::as_str);
        self.npwp_cipher = self.seal(NPWP, &self.npwp_cipher, npwp)?;
        Ok(())
    }
}

// By hand rather than with `entity!`: the record's id carries the vault, and
// `name_key` and `email_key` are columns derived from the name and e-mail.
impl<'v> Entity for Record<'v> {
    type Id = RecordKey<'v>;
    const TABLE: &'static str = "customers";
    const KIND: EntityKind = EntityKind::Customer;
    const COLUMNS: &'static [&'static str] = &[
        "name",
        "name_key",
        "gender",
        "phone",
        "email",
        "email_key",
        "address",
        "ktp_cipher",
        "ktp_hash",
        "npwp_cipher",
        "birth_date",
        "birth_place",
        "occupation",
        "monthly_income",
        "emergency_contact",
        "language",
        "last_booking_at",
    ];

    fn id(&self) -> RecordKey<'v> {
        RecordKey {
            id: self.shown.id,
            vault: self.vault,
        }
    }

    fn values(&self) -> Vec<Value> {
        let c = &self.shown;
        vec![
            value(&c.name),
            value(&validate::name_key(&c.name)),
            value(&c.gender),
            value(&c.phone),
            value(&c.email),
            value(&c.email.as_deref().map(str::to_lowercase)),
            value(&c.address),
            value(&self.ktp_cipher),
            value(&self.ktp_hash),
            value(&self.npwp_cipher),
            value(&c.birth_date),
            value(&c.birth_place),
            value(&c.occupation),
            value(&c.monthly_income),
            value(&c.emergency_contact),
            value(&c.language),
            value(&c.last_booking_at),
        ]
    }

    fn find(conn: &Connection, key: RecordKey<'v>) -> Result<Self> {
        Record::load(conn, key.vault, key.id)
    }
}

/// A customer's name: 2 to 100 characters.
pub type CustomerName = Text<2, 100>;
/// A KTP (identity card) number: 16 digits.
pub type KtpNumber = IdNumber<16, 16>;
/// An NPWP (tax) number: 15 or 16 digits.
pub type NpwpNumber = IdNumber<15, 16>;

/// A number of `MIN` or `MAX` digits, as typed with spaces, dashes or dots
/// between groups, kept as the digits alone. Never printed in clear.
#[derive(Clone, PartialEq, Eq)]
pub struct IdNumber<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> IdNumber<MIN, MAX> {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let lengths = [MIN, MAX];
        let lengths = if MIN == MAX {
            &lengths[..1]
        } else {
            &lengths[..]
        };
        validate::digits(raw, "", lengths)
            .map(IdNumber)
            .map_err(|e| e.public_message())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Debug for IdNumber<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", mask(&self.0))
    }
}

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for IdNumber<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        IdNumber::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl<const MIN: usize, const MAX: usize> PartialSchema for IdNumber<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        let digits = if MIN == MAX {
            format!("{MIN} digits")
        } else {
            format!("{MIN} or {MAX} digits")
        };
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(MIN))
            .pattern(Some(r"^[0-9][0-9 .-]*$"))
            .description(Some(format!(
                "{digits}; spaces, dashes and dots between groups are dropped"
            )))
            .into()
    }
}

impl<const MIN: usize, const MAX: usize> ToSchema for IdNumber<MIN, MAX> {
    fn name() -> Cow<'static, str> {
        if MIN == MAX {
            Cow::Owned(format!("Digits{MIN}"))
        } else {
            Cow::Owned(format!("Digits{MIN}Or{MAX}"))
        }
    }
}

/// Customer fields as given by a person (a form, or inline in a booking).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerInput {
    pub name: CustomerName,
    /// `08…`, `+62…` or `62…`
    pub phone: Phone,
    pub gender: Option<Gender>,
    /// `""` for none.
    #[serde(default, deserialize_with = "blank_is_none")]
    #[schema(value_type = Option<Email>)]
    pub email: Option<Email>,
    pub address: Option<Text<0, 500>>,
    /// 16 digits; `""` for none.
    #[serde(default, deserialize_with = "blank_is_none")]
    #[schema(value_type = Option<KtpNumber>)]
    pub ktp_number: Option<KtpNumber>,
    /// 15 or 16 digits; `""` for none.
    #[serde(default, deserialize_with = "blank_is_none")]
    #[schema(value_type = Option<NpwpNumber>)]
    pub npwp_number: Option<NpwpNumber>,
    /// Not in the future, not before 1900.
    pub birth_date: Option<NaiveDate>,
    pub birth_place: Option<Text<0, 50>>,
    pub occupation: Option<Text<0, 50>>,
    pub monthly_income: Option<Money>,
    pub emergency_contact: Option<Text<0, 200>>,
    /// Message language (`id`, `en`); leave out to follow the business setting.
    pub language: Option<Language>,
}

impl CustomerInput {
    /// A customer known by name and phone only.
    pub fn new(name: CustomerName, phone: Phone) -> CustomerInput {
        CustomerInput {
            name,
            phone,
            gender: None,
            email: None,
            address: None,
            ktp_number: None,
            npwp_number: None,
            birth_date: None,
            birth_place: None,
            occupation: None,
            monthly_income: None,
            emergency_contact: None,
            language: None,
        }
    }

    /// The rules that need the date or the settings; `prefix` names fields
    /// of an inline customer (`customer.`).
    fn checked(mut self, ctx: &Ctx<'_>, prefix: &str) -> Result<CustomerInput> {
        let f = |name: &str| format!("{prefix}{name}");
        self.birth_date = check_birth_date(self.birth_date, ctx, &f("birth_date"))?;
        self.monthly_income = self
            .monthly_income
            .map(|m| m.checked(&f("monthly_income")))
            .transpose()?;
        Ok(self)
    }
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

/// Refuses a phone number that another customer has.
fn phone_free(
    conn: &Connection,
    phone: &str,
    except: Option<CustomerId>,
    field: &str,
) -> Result<()> {
    let owner: Option<(String, String)> = conn
        .prepare_cached("SELECT code, name FROM customers WHERE phone = ?1 AND deleted_at IS NULL AND id IS NOT ?2")?
        .query_row((phone, except), |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    match owner {
        Some((code, name)) => Err(Error::validation(
            field,
            format!("already belongs to {code} ({name})"),
        )),
        None => Ok(()),
    }
}

/// Inserts a checked input ([`CustomerInput::checked`]) and records it.
fn insert(
    ctx: &Ctx<'_>,
    v: CustomerInput,
    last_booking_at: Option<String>,
    prefix: &str,
) -> Result<CustomerId> {
    phone_free(ctx.conn, v.phone.as_str(), None, &format!("{prefix}phone"))?;
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
    let seal =
        |label: &str, plain: Option<&str>| plain.map(|p| ctx.vault.encrypt(label, p)).transpose();
    let ktp = v.ktp_number.as_ref().map(IdNumber::as_str);
    let npwp = v.npwp_number.as_ref().map(IdNumber::as_str);
    let email = v.email.as_ref().map(Email::as_str);
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
            validate::name_key(v.name.as_str()),
            v.gender,
            v.phone,
            email,
            email.map(str::to_lowercase),
            v.address.and_then(Text::non_empty),
            seal(KTP, ktp)?,
            ktp.map(|k| ctx.vault.lookup_hash(KTP, k)),
            seal(NPWP, npwp)?,
            v.birth_date,
            v.birth_place.and_then(Text::non_empty),
            v.occupation.and_then(Text::non_empty),
            v.monthly_income,
            v.emergency_contact.and_then(Text::non_empty),
            last_booking_at,
            now,
            v.language,
        ])?;
    record_created(ctx, &Record::load(ctx.conn, ctx.vault, id)?)?;
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
        let input = self.0.checked(ctx, "")?;
        let id = insert(ctx, input, None, "")?;
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
    let v = input.checked(ctx, "customer.")?;
    let by_phone: Option<CustomerId> = ctx
        .conn
        .prepare_cached("SELECT id FROM customers WHERE phone = ?1 AND deleted_at IS NULL")?
        .query_row([v.phone.as_str()], |r| r.get(0))
        .optional()?;
    let matched = match by_phone {
        Some(id) => Some(id),
        None => match &v.email {
            Some(email) => ctx
                .conn
                .prepare_cached(
                    "SELECT id FROM customers WHERE email_key = ?1 AND deleted_at IS NULL ORDER BY created_at LIMIT 1",
                )?
                .query_row([email.as_str().to_lowercase()], |r| r.get(0))
                .optional()?,
            None => None,
        },
    };
    if let Some(id) = matched {
        // The booking may bring a gender, address, e-mail or language the
        // master lacks or has otherwise: that is an edit (audited, versioned).
        let before = Record::load(ctx.conn, ctx.vault, id)?;
        let mut after = before.clone();
        let c = &mut after.shown;
        if let Some(g) = v.gender {
            c.gender = Some(g);
        }
        if let Some(a) = v.address.and_then(Text::non_empty) {
            c.address = Some(a);
        }
        if let Some(e) = v.email {
            c.email = Some(e.into());
        }
        if let Some(l) = v.language {
            c.language = Some(l);
        }
        if after.values() == before.values() {
            touch_last_booking(ctx, id)?;
        } else {
            after.shown.last_booking_at = Some(to_db(ctx.now));
            save_as(ctx, Action::Upsert, &before, after)?;
        }
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
        .query_map([validate::name_key(v.name.as_str())], |r| {
            Ok(CustomerRef { id: r.get(0)?, code: r.get(1)?, name: r.get(2)?, phone: r.get(3)?, email: r.get(4)? })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let id = insert(ctx, v, Some(to_db(ctx.now)), "customer.")?;
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
    pub name: Option<CustomerName>,
    pub phone: Option<Phone>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Gender>)]
    pub gender: Option<Option<Gender>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "patch_blank_is_none")]
    #[schema(value_type = Option<Email>)]
    pub email: Option<Option<Email>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Text<0, 500>>)]
    pub address: Option<Option<Text<0, 500>>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "patch_blank_is_none")]
    #[schema(value_type = Option<KtpNumber>)]
    pub ktp_number: Option<Option<KtpNumber>>,
    /// `null` or `""` clears it.
    #[serde(default, deserialize_with = "patch_blank_is_none")]
    #[schema(value_type = Option<NpwpNumber>)]
    pub npwp_number: Option<Option<NpwpNumber>>,
    /// Not in the future, not before 1900.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<NaiveDate>)]
    pub birth_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Text<0, 50>>)]
    pub birth_place: Option<Option<Text<0, 50>>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Text<0, 50>>)]
    pub occupation: Option<Option<Text<0, 50>>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Money>)]
    pub monthly_income: Option<Option<Money>>,
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Text<0, 200>>)]
    pub emergency_contact: Option<Option<Text<0, 200>>>,
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
        let before = Record::load(ctx.conn, ctx.vault, id)?;
        Error::check_version(self.version, before.shown.version, "customer")?;
        let mut after = before.clone();
        let c = &mut after.shown;
        if let Some(v) = self.name {
            c.name = v.into();
        }
        if let Some(v) = self.phone {
            phone_free(ctx.conn, v.as_str(), Some(id), "phone")?;
            c.phone = v.into();
        }
        if let Some(v) = self.gender {
            c.gender = v;
        }
        if let Some(v) = self.email {
            c.email = v.map(String::from);
        }
        if let Some(v) = self.address {
            c.address = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.birth_date {
            c.birth_date = check_birth_date(v, ctx, "birth_date")?;
        }
        if let Some(v) = self.birth_place {
            c.birth_place = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.occupation {
            c.occupation = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.monthly_income {
            c.monthly_income = v.map(|m| m.checked("monthly_income")).transpose()?;
        }
        if let Some(v) = self.emergency_contact {
            c.emergency_contact = v.and_then(Text::non_empty);
        }
        if let Some(v) = self.language {
            c.language = v;
        }
        if let Some(v) = self.ktp_number {
            after.set_ktp(v)?;
        }
        if let Some(v) = self.npwp_number {
            after.set_npwp(v)?;
        }
        save(ctx, &before, after)?;
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
        let before = Record::load(ctx.conn, ctx.vault, self.id)?;
        let open: i64 = ctx.conn.query_row(
            "SELECT COUNT(*) FROM bookings WHERE customer_id = ?1 AND booking_status IN ('pending','active')",
            [self.id],
            |r| r.get(0),
        )?;
        if open > 0 {
            return Err(Error::conflict(format!(
                "{} has {open} open booking(s); complete or cancel them before deleting the customer",
                before.shown.code
            )));
        }
        soft_delete(ctx, &before)?;
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
            .map(|s| s.reveal(ctx.vault, full))
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
            let ktp = KtpNumber::parse(ktp).map_err(|m| Error::validation("ktp_number", m))?;
            q.and(
                "ktp_hash = ?",
                [Value::Text(ctx.vault.lookup_hash(KTP, ktp.as_str()))],
            );
        }
        q.eq("gender", self.gender.map(|g| g.as_str().into()));
        q.order_by(sort_col, dir, "");
        Ok(q)
    }
}
