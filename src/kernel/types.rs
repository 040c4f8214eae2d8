//! Small shared value types: IDs, money, paging, partial-update fields.

use std::fmt;
use std::str::FromStr;

use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ToSql, ToSqlOutput, ValueRef};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

use crate::kernel::error::{Error, Result};

/// Declares a closed set of text values (a status, a kind): the enum, `ALL`,
/// `as_str`/`parse`, serde in snake_case, and SQLite as TEXT.
macro_rules! text_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $text:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize, ::utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vm])* $variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($text => Some($name::$variant),)* _ => None }
            }
        }

        impl rusqlite::types::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                Ok(self.as_str().into())
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let s = v.as_str()?;
                $name::parse(s).ok_or_else(|| rusqlite::types::FromSqlError::Other(
                    format!("unknown {} {s:?}", stringify!($name)).into()))
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// Message and UI language: Indonesian (default) or English.
    Language { Id = "id", En = "en" }
);

/// The answer of an operation that has nothing else to say.
#[derive(Debug, Serialize, ToSchema)]
pub struct Done {
    pub ok: bool,
}

/// Declares a UUID v7 newtype, stored as TEXT, so a customer id can never be
/// passed where a unit id is expected.
macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub uuid::Uuid);

        impl $name {
            pub fn new() -> Self { Self(uuid::Uuid::now_v7()) }
        }
        impl Default for $name { fn default() -> Self { Self::new() } }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { self.0.fmt(f) }
        }
        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> std::result::Result<Self, Self::Err> { uuid::Uuid::parse_str(s).map(Self) }
        }
        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> { Ok(ToSqlOutput::from(self.0.to_string())) }
        }
        impl FromSql for $name {
            fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
                let s = v.as_str()?;
                uuid::Uuid::parse_str(s).map(Self).map_err(|e| FromSqlError::Other(Box::new(e)))
            }
        }
        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                ObjectBuilder::new().schema_type(Type::String).format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Uuid))).into()
            }
        }
        impl ToSchema for $name {}
    )*};
}

id_type!(
    CustomerId, UnitId, StaffId, UserId, BookingId, ServiceId, ProviderId, SlotId, VehicleId,
    MessageId, ReportId
);

/// Exact rupiah amount. Stored in SQLite as INTEGER hundredths (sen) so SQL
/// can compare and sort it; carried in JSON as a decimal string ("3500000").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(Decimal);

impl Money {
    /// Largest accepted amount: far above any booking, far below i64 overflow.
    const MAX: i64 = 1_000_000_000_000_000; // Rp 1e15

    pub const ZERO: Money = Money(Decimal::ZERO);

    pub fn from_rupiah(r: i64) -> Money {
        Money(Decimal::from(r))
    }

    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// Validates a user-given amount: not negative, at most two decimals, bounded.
    pub fn parse(value: Decimal, field: &str) -> Result<Money> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(Error::validation(field, "must not be negative"));
        }
        if value.normalize().scale() > 2 {
            return Err(Error::validation(field, "must have at most two decimals"));
        }
        if value > Decimal::from(Self::MAX) {
            return Err(Error::validation(field, "is too large"));
        }
        Ok(Money(value.normalize()))
    }

    /// An amount stored as text (a pushed row's `"750000"`, PostgreSQL's
    /// `numeric::text`), when it reads and passes [`Money::parse`].
    pub fn from_text(text: &str) -> Option<Money> {
        Decimal::from_str(text.trim())
            .ok()
            .and_then(|d| Money::parse(d, "amount").ok())
    }

    /// The stored form, for dynamically built statements.
    pub fn sql_value(self) -> rusqlite::types::Value {
        rusqlite::types::Value::Integer(self.to_sen())
    }

    fn to_sen(self) -> i64 {
        use rust_decimal::prelude::ToPrimitive;
        (self.0 * Decimal::from(100))
            .trunc()
            .to_i64()
            .unwrap_or(i64::MAX)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.normalize().fmt(f)
    }
}

impl ToSql for Money {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::from(self.to_sen()))
    }
}

impl FromSql for Money {
    fn column_result(v: ValueRef<'_>) -> FromSqlResult<Self> {
        let sen = v.as_i64()?;
        Ok(Money(Decimal::new(sen, 2).normalize()))
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

/// Accepts `"3500000"`, `"3500000.50"` or a JSON number. Range and scale are
/// checked later by [`Money::parse`] so the error can name the field.
impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let value = match Raw::deserialize(d)? {
            Raw::Int(i) => Decimal::from(i),
            // Shortest round-trip text of the float is what the client typed.
            Raw::Float(f) => Decimal::from_str(&f.to_string()).map_err(serde::de::Error::custom)?,
            Raw::Text(t) => Decimal::from_str(t.trim())
                .map_err(|_| serde::de::Error::custom(format!("not an amount: {t:?}")))?,
        };
        Ok(Money(value))
    }
}

impl PartialSchema for Money {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "exact rupiah amount as a decimal string, e.g. \"3500000\"",
            ))
            .examples(["3500000"])
            .into()
    }
}
impl ToSchema for Money {}

impl Money {
    /// Validation of an optional amount from input.
    pub fn checked(self, field: &str) -> Result<Money> {
        Money::parse(self.0, field)
    }
}

/// Deserializer for PATCH-style fields: absent → `None`, `null` → `Some(None)`,
/// a value → `Some(Some(v))`. Use with `#[serde(default, deserialize_with = "patch")]`.
pub fn patch<'de, D, T>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Requested page of a list; `page_size` is capped at 200.
#[derive(Clone, Copy, Debug)]
pub struct Paging {
    pub page: u32,
    pub page_size: u32,
}

impl Paging {
    pub const MAX_PAGE_SIZE: u32 = 200;

    pub fn new(page: Option<u32>, page_size: Option<u32>) -> Result<Paging> {
        let page = page.unwrap_or(1);
        let page_size = page_size.unwrap_or(50);
        if page == 0 {
            return Err(Error::validation("page", "must be 1 or more"));
        }
        if page_size == 0 || page_size > Self::MAX_PAGE_SIZE {
            return Err(Error::validation("page_size", "must be between 1 and 200"));
        }
        Ok(Paging { page, page_size })
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.page_size)
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.page_size)
    }

    pub fn page_of<T>(&self, data: Vec<T>, total: i64) -> Page<T> {
        let total = u64::try_from(total).unwrap_or(0);
        let page_count = total.div_ceil(u64::from(self.page_size));
        Page {
            data,
            meta: PageMeta {
                page: self.page,
                page_size: self.page_size,
                page_count,
                total,
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    // Inline: utoipa collects the schemas `T` refers to but not `T` itself.
    #[schema(inline)]
    pub data: Vec<T>,
    pub meta: PageMeta,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageMeta {
    pub page: u32,
    pub page_size: u32,
    pub page_count: u64,
    pub total: u64,
}

/// Sort direction in `sort=field:asc|desc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Asc,
    Desc,
}

impl Direction {
    pub fn sql(self) -> &'static str {
        match self {
            Direction::Asc => "ASC",
            Direction::Desc => "DESC",
        }
    }
}

/// Parses `field:asc`, `field:desc`, `field_desc`, `-field` or `field` against
/// the allowed columns; returns the SQL column and the direction.
pub fn parse_sort(
    raw: &str,
    field: &str,
    allowed: &[(&str, &'static str)],
) -> Result<(&'static str, Direction)> {
    let raw = raw.trim();
    let (name, dir) = if let Some((n, d)) = raw.split_once(':') {
        let dir = match d {
            "asc" => Direction::Asc,
            "desc" => Direction::Desc,
            _ => return Err(Error::validation(field, "direction must be asc or desc")),
        };
        (n, dir)
    } else if let Some(n) = raw.strip_suffix("_desc") {
        (n, Direction::Desc)
    } else if let Some(n) = raw.strip_suffix("_asc") {
        (n, Direction::Asc)
    } else if let Some(n) = raw.strip_prefix('-') {
        (n, Direction::Desc)
    } else {
        (raw, Direction::Asc)
    };
    allowed
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, col)| (*col, dir))
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|(k, _)| *k).collect();
            Error::validation(
                field,
                format!("cannot sort by {name:?}; use one of {}", names.join(", ")),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::Money;

    #[test]
    fn money_from_text_reads_stored_amounts_and_refuses_the_rest() {
        assert_eq!(
            Money::from_text("750000"),
            Some(Money::from_rupiah(750_000))
        );
        assert_eq!(
            Money::from_text(" 750000.00 "),
            Some(Money::from_rupiah(750_000))
        );
        assert_eq!(Money::from_text("1e400"), None);
        assert_eq!(Money::from_text("-5"), None);
        assert_eq!(Money::from_text("1.005"), None);
        assert_eq!(Money::from_text(""), None);
    }
}
