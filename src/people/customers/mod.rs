//! The customer master: one record per person, deduplicated by normalised
//! phone, then e-mail. KTP and NPWP numbers are encrypted at rest; KTP keeps
//! a keyed hash so an exact-match search still works.

mod create;
mod edit;
mod list;
mod upsert;

pub use create::{CreateCustomer, CustomerInput, CustomerName, IdNumber, KtpNumber, NpwpNumber};
pub use edit::{DeleteCustomer, GetCustomer, UpdateCustomer};
pub use list::ListCustomers;
pub use upsert::{Upserted, touch_last_booking, upsert_for_booking};

use std::fmt;

use chrono::NaiveDate;
use rusqlite::types::{ToSqlOutput, Value};
use rusqlite::{Connection, OptionalExtension, Row, ToSql};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::EntityKind;
use crate::kernel::auth::Permission;
use crate::kernel::crypto::Vault;
use crate::kernel::entity::{Entity, value};
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::Ctx;
use crate::kernel::sealing::{SealedFields, SealingPublicKey};
use crate::kernel::types::Language;
use crate::kernel::types::{CustomerId, Money};
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
    /// Which studio or channel brought them (the seed's `jenis_cs`).
    pub customer_type: Option<String>,
    /// The language of this customer's WhatsApp messages; `null` follows the
    /// business's `message_language` setting.
    pub language: Option<Language>,
    pub last_booking_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub version: i64,
    /// Sealed fields (`ktp_number`, `npwp_number`) stored but unreadable
    /// with the current key file: shown as `null`. Entering the number again
    /// replaces it; restoring the key that sealed it brings it back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unavailable: Vec<String>,
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
    occupation, monthly_income, emergency_contact, last_booking_at, created_at, updated_at, version, language, ktp_hash,
    customer_type";

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
            customer_type: r.get(20)?,
            last_booking_at: r.get(14)?,
            created_at: r.get(15)?,
            updated_at: r.get(16)?,
            version: r.get(17)?,
            language: r.get(18)?,
            unavailable: Vec::new(),
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
    /// Opens the sealed fields: in full for roles that may see them, masked
    /// otherwise. One the key cannot open is `null` and named in
    /// `unavailable`, so one damaged row never fails a whole page.
    fn reveal(self, vault: &Vault, full: bool) -> Result<Customer> {
        let shown = |p: String| if full { p } else { mask(&p) };
        let mut c = self.customer;
        for (label, field, sealed, out) in [
            (KTP, "ktp_number", self.ktp.as_deref(), &mut c.ktp_number),
            (
                NPWP,
                "npwp_number",
                self.npwp.as_deref(),
                &mut c.npwp_number,
            ),
        ] {
            match open(vault, label, sealed) {
                Ok(plain) => *out = plain.map(shown),
                Err(Error::Unreadable { .. }) => {
                    tracing::warn!("customer {}: {label} cannot be decrypted", c.code);
                    c.unavailable.push(field.to_owned());
                }
                Err(e) => return Err(e),
            }
        }
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

/// A customer's KTP and NPWP as they stand now, each sealed to head
/// office's key (`null` when the customer has none), for a push; a field this
/// desk's key cannot open is left out (head office keeps what it has).
/// `None` when the customer is gone (its deletion travels on its own).
pub fn sealed_for_head_office(
    conn: &Connection,
    vault: &Vault,
    id: &str,
    key: &SealingPublicKey,
) -> Result<Option<SealedFields>> {
    type Ciphers = (Option<Vec<u8>>, Option<Vec<u8>>);
    let row: Option<Ciphers> = conn
        .prepare_cached(
            "SELECT ktp_cipher, npwp_cipher FROM customers WHERE id = ?1 AND deleted_at IS NULL",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((ktp, npwp)) = row else {
        return Ok(None);
    };
    let mut sealed = SealedFields::new();
    for (label, field, cipher) in [(KTP, "ktp_number", ktp), (NPWP, "npwp_number", npwp)] {
        match open(vault, label, cipher.as_deref()) {
            Ok(plain) => {
                let value = plain
                    .map(|p| key.seal(&format!("customer.{field}"), &p))
                    .transpose()?;
                sealed.insert(field.to_owned(), value);
            }
            Err(Error::Unreadable { .. }) => {
                tracing::warn!(
                    "customer {id}: {label} cannot be decrypted, not sent to head office"
                );
            }
            Err(e) => return Err(e),
        }
    }
    Ok(Some(sealed))
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
        // An unreadable current seal never equals what is given: it is
        // replaced (or cleared), which is how an admin repairs the field.
        let same = match open(self.vault, label, current.as_deref()) {
            Ok(plain) => plain.as_deref() == given,
            Err(Error::Unreadable { .. }) => false,
            Err(e) => return Err(e),
        };
        if same {
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
        "customer_type",
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
            value(&c.customer_type),
            value(&c.language),
            value(&c.last_booking_at),
        ]
    }

    fn find(conn: &Connection, key: RecordKey<'v>) -> Result<Self> {
        Record::load(conn, key.vault, key.id)
    }
}
