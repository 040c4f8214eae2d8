//! A customer's fields as typed (name, KTP/NPWP, the inline customer of a
//! booking) and creating one.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Deserializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::kernel::audit::next_code_number;
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::entity::record_created;
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Email, Phone, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::Language;
use crate::kernel::types::{CustomerId, Money};
use crate::kernel::validate;
use crate::people::blank_is_none;

use super::{Customer, Gender, KTP, NPWP, Record, find, mask};

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
    /// Which studio or channel brought them (the seed's `jenis_cs`).
    pub customer_type: Option<Text<0, 100>>,
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
            customer_type: None,
            language: None,
        }
    }

    /// The rules that need the date or the settings; `prefix` names fields
    /// of an inline customer (`customer.`).
    pub(super) fn checked(mut self, ctx: &Ctx<'_>, prefix: &str) -> Result<CustomerInput> {
        let f = |name: &str| format!("{prefix}{name}");
        self.birth_date = check_birth_date(self.birth_date, ctx, &f("birth_date"))?;
        self.monthly_income = self
            .monthly_income
            .map(|m| m.checked(&f("monthly_income")))
            .transpose()?;
        Ok(self)
    }
}

pub(super) fn check_birth_date(
    d: Option<NaiveDate>,
    ctx: &Ctx<'_>,
    field: &str,
) -> Result<Option<NaiveDate>> {
    match d {
        Some(d) if d > ctx.today() => Err(Error::validation(field, "must not be in the future")),
        Some(d) if d < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) => {
            Err(Error::validation(field, "must be after 1900"))
        }
        other => Ok(other),
    }
}

/// Refuses a phone number that another customer has.
pub(super) fn phone_free(
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
pub(super) fn insert(
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
                last_booking_at, created_at, updated_at, language, customer_type)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?19, ?20,
                ?21)",
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
            v.customer_type.and_then(Text::non_empty),
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
