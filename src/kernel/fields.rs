//! Field types that check their rule when the input is read: one rule per
//! field, shared by the create and update inputs, and stated in the OpenAPI
//! document (lengths, ranges). A bad value is a 422 naming the field, from
//! the deserialiser ([`crate::kernel::ops::from_json`]).

use std::borrow::Cow;
use std::fmt;

use rusqlite::types::{ToSql, ToSqlOutput};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

/// Trimmed text of `MIN..=MAX` characters (`MIN` 0: may be empty, which an
/// optional field reads as "none", see [`Text::non_empty`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Text<const MIN: usize, const MAX: usize>(String);

impl<const MIN: usize, const MAX: usize> Text<MIN, MAX> {
    /// The rule: the message names what is wrong, the caller names the field.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let v = raw.trim();
        let n = v.chars().count();
        if n == 0 && MIN > 0 {
            return Err("is required".into());
        }
        if n < MIN {
            return Err(format!("must be at least {MIN} characters"));
        }
        if n > MAX {
            return Err(format!("must be at most {MAX} characters"));
        }
        Ok(Text(v.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// `None` for empty text: how an optional field is cleared with `""`.
    pub fn non_empty(self) -> Option<String> {
        (!self.0.is_empty()).then_some(self.0)
    }
}

impl<const MIN: usize, const MAX: usize> From<Text<MIN, MAX>> for String {
    fn from(t: Text<MIN, MAX>) -> String {
        t.0
    }
}

impl<const MIN: usize, const MAX: usize> fmt::Display for Text<MIN, MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'de, const MIN: usize, const MAX: usize> Deserialize<'de> for Text<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Text::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl<const MIN: usize, const MAX: usize> ToSql for Text<MIN, MAX> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        self.0.to_sql()
    }
}

impl<const MIN: usize, const MAX: usize> PartialSchema for Text<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length((MIN > 0).then_some(MIN))
            .max_length(Some(MAX))
            .description(Some("text, trimmed of surrounding spaces"))
            .into()
    }
}

impl<const MIN: usize, const MAX: usize> ToSchema for Text<MIN, MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Text{MIN}To{MAX}"))
    }
}

/// A whole number in `MIN..=MAX` (minutes, counts), checked when read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Bounded<const MIN: u32, const MAX: u32>(u32);

impl<const MIN: u32, const MAX: u32> Bounded<MIN, MAX> {
    pub fn parse(n: u32) -> Result<Self, String> {
        if (MIN..=MAX).contains(&n) {
            Ok(Bounded(n))
        } else {
            Err(format!("must be between {MIN} and {MAX}"))
        }
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

impl<'de, const MIN: u32, const MAX: u32> Deserialize<'de> for Bounded<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Read wide, so a negative number is told the range, not a type error.
        let n = i64::deserialize(d)?;
        u32::try_from(n)
            .map_err(|_| format!("must be between {MIN} and {MAX}"))
            .and_then(Bounded::parse)
            .map_err(serde::de::Error::custom)
    }
}

impl<const MIN: u32, const MAX: u32> PartialSchema for Bounded<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(MIN))
            .maximum(Some(MAX))
            .into()
    }
}

impl<const MIN: u32, const MAX: u32> ToSchema for Bounded<MIN, MAX> {
    fn name() -> Cow<'static, str> {
        Cow::Owned(format!("Integer{MIN}To{MAX}"))
    }
}

/// A number, fractions allowed, in `MIN..=MAX` (coordinates, areas),
/// checked when read. The bounds are whole numbers: `f64` cannot be a const
/// parameter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct Real<const MIN: i32, const MAX: i32>(f64);

impl<const MIN: i32, const MAX: i32> Real<MIN, MAX> {
    pub fn parse(n: f64) -> Result<Self, String> {
        if (f64::from(MIN)..=f64::from(MAX)).contains(&n) {
            Ok(Real(n))
        } else {
            Err(format!("must be between {MIN} and {MAX}"))
        }
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de, const MIN: i32, const MAX: i32> Deserialize<'de> for Real<MIN, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Real::parse(f64::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl<const MIN: i32, const MAX: i32> PartialSchema for Real<MIN, MAX> {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::Number)
            .minimum(Some(MIN))
            .maximum(Some(MAX))
            .into()
    }
}

impl<const MIN: i32, const MAX: i32> ToSchema for Real<MIN, MAX> {
    fn name() -> Cow<'static, str> {
        // `Number-90To90` would read like a range: `NumberMinus90To90`.
        let bound = |n: i32| {
            if n < 0 {
                format!("Minus{}", n.unsigned_abs())
            } else {
                n.to_string()
            }
        };
        Cow::Owned(format!("Number{}To{}", bound(MIN), bound(MAX)))
    }
}

/// Declares a text field type whose rule is a `validate` function: the
/// value is stored in its normal form (a phone number as `62…`).
macro_rules! checked_text {
    ($(#[$m:meta])* $name:ident, $check:path, $schema:expr) => {
        $(#[$m])*
        #[derive(Clone, Debug, PartialEq, Eq, Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn parse(raw: &str) -> Result<Self, String> {
                $check(raw, "").map($name).map_err(|e| e.public_message())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(d)?;
                $name::parse(&raw).map_err(serde::de::Error::custom)
            }
        }

        impl ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                $schema.into()
            }
        }

        impl ToSchema for $name {}
    };
}

checked_text!(
    /// An Indonesian phone number in any usual spelling (`0812-3456-7890`,
    /// `+62 812 …`), kept as `62812…`.
    Phone,
    crate::kernel::validate::phone,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(9))
        .max_length(Some(24))
        .pattern(Some(r"^\+?[0-9 ().-]+$"))
        .description(Some("Indonesian phone number: 08…, +62… or 62…"))
);

checked_text!(
    /// A plausible e-mail address, trimmed.
    Email,
    crate::kernel::validate::email,
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Email
        )))
        .max_length(Some(254))
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(Text::<2, 5>::parse("  ab ").unwrap().as_str(), "ab");
        assert_eq!(Text::<2, 5>::parse("   ").unwrap_err(), "is required");
        assert_eq!(
            Text::<2, 5>::parse("a").unwrap_err(),
            "must be at least 2 characters"
        );
        assert_eq!(
            Text::<2, 5>::parse("abcdef").unwrap_err(),
            "must be at most 5 characters"
        );
        assert_eq!(Text::<0, 5>::parse(" ").unwrap().non_empty(), None);
    }

    #[test]
    fn a_bad_field_is_named_by_the_deserialiser() {
        #[derive(Debug, Deserialize)]
        struct Input {
            #[allow(dead_code)]
            name: Text<2, 5>,
        }
        let e =
            crate::kernel::ops::from_json::<Input>(serde_json::json!({"name": "x"})).unwrap_err();
        assert_eq!(e.field(), Some("name"));
    }

    #[test]
    fn phones_keep_their_normal_form() {
        assert_eq!(
            Phone::parse("0812-3456-7890").unwrap().as_str(),
            "6281234567890"
        );
        assert_eq!(
            Phone::parse("12").unwrap_err(),
            "must start with 08, +62 or 62"
        );
        assert!(Email::parse("a@b").is_err());
    }

    #[test]
    fn real_numbers_state_their_range() {
        assert_eq!(Real::<-90, 90>::parse(-6.2).unwrap().get(), -6.2);
        assert_eq!(
            Real::<-90, 90>::parse(90.5).unwrap_err(),
            "must be between -90 and 90"
        );
        assert_eq!(Real::<-90, 90>::name(), "NumberMinus90To90");
    }

    #[test]
    fn bounded_numbers_state_their_range() {
        assert!(Bounded::<1, 1440>::parse(0).is_err());
        assert_eq!(Bounded::<1, 1440>::parse(90).unwrap().get(), 90);
        let negative = serde_json::from_value::<Bounded<1, 1440>>(serde_json::json!(-1));
        assert_eq!(
            negative.unwrap_err().to_string(),
            "must be between 1 and 1440"
        );
    }
}
