//! Reading, changing and deleting one customer.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::kernel::auth::Permission;
use crate::kernel::entity::{save, soft_delete};
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::{Email, Phone, Text};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::Done;
use crate::kernel::types::Language;
use crate::kernel::types::{CustomerId, Money, patch};
use crate::people::patch_blank_is_none;

use super::create::{CustomerName, KtpNumber, NpwpNumber, check_birth_date, phone_free};
use super::{Customer, Gender, Record, find};

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
    /// Which studio or channel brought them.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<Text<0, 100>>)]
    pub customer_type: Option<Option<Text<0, 100>>>,
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
        if let Some(v) = self.customer_type {
            c.customer_type = v.and_then(Text::non_empty);
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
