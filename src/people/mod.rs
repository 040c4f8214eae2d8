//! The people a desk deals with: customers (the deduplicated master) and
//! their vehicles, staff, and the users who log in.

use serde::de::IntoDeserializer;
use serde::{Deserialize, Deserializer};

pub mod customers;
pub mod staff;
pub mod users;
pub mod vehicles;

/// Reads an optional field that a form clears with a blank string: `""` is
/// `None`, anything else must pass `T`'s rule (a phone, an e-mail address).
/// Use with `#[serde(default, deserialize_with = "blank_is_none")]`.
pub(crate) fn blank_is_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<String>::deserialize(d)? {
        Some(raw) if !raw.trim().is_empty() => {
            T::deserialize(IntoDeserializer::<D::Error>::into_deserializer(raw)).map(Some)
        }
        _ => Ok(None),
    }
}

/// [`blank_is_none`] for a patch field: absent is `None` (unchanged), `null`
/// or `""` is `Some(None)` (cleared), a value is `Some(Some(v))`.
pub(crate) fn patch_blank_is_none<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    blank_is_none(d).map(Some)
}
