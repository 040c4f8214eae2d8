//! Field rules shared by every domain module. Each returns an error naming the field.

use crate::kernel::error::{Error, Result};

/// Trims; empty becomes `None`; longer than `max` characters is an error.
pub fn optional_text(value: Option<String>, field: &str, max: usize) -> Result<Option<String>> {
    match value.map(|v| v.trim().to_owned()) {
        None => Ok(None),
        Some(v) if v.is_empty() => Ok(None),
        Some(v) if v.chars().count() > max => Err(Error::validation(
            field,
            format!("must be at most {max} characters"),
        )),
        Some(v) => Ok(Some(v)),
    }
}

/// Trimmed text of `min..=max` characters.
pub fn required_text(value: &str, field: &str, min: usize, max: usize) -> Result<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n == 0 {
        return Err(Error::validation(field, "is required"));
    }
    if n < min {
        return Err(Error::validation(
            field,
            format!("must be at least {min} characters"),
        ));
    }
    if n > max {
        return Err(Error::validation(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// Indonesian phone numbers in any usual spelling (`0812-3456-7890`,
/// `+62 812 3456 7890`, `62812…`) become `62812…`.
pub fn phone(raw: &str, field: &str) -> Result<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    if digits.is_empty() {
        return Err(Error::validation(field, "is required"));
    }
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Error::validation(
            field,
            "may contain only digits, spaces, dashes and a leading +",
        ));
    }
    let national = if let Some(rest) = digits.strip_prefix("62") {
        rest
    } else if let Some(rest) = digits.strip_prefix('0') {
        rest
    } else {
        return Err(Error::validation(field, "must start with 08, +62 or 62"));
    };
    let national = national.strip_prefix('0').unwrap_or(national);
    // Mobile numbers start with 8; landlines with an area code 2–7 (021…).
    let mobile = national.starts_with('8');
    let landline = national.starts_with(|c: char| ('2'..='7').contains(&c));
    if !mobile && !landline {
        return Err(Error::validation(
            field,
            "is not an Indonesian phone number",
        ));
    }
    if !(8..=13).contains(&national.len()) {
        return Err(Error::validation(
            field,
            "must have 9 to 14 digits after the leading 0",
        ));
    }
    Ok(format!("62{national}"))
}

/// Whole or the start of a phone number as typed (`0813-2222`, `+62 813`),
/// in the stored `62…` form, for searching; `None` unless it looks like one.
pub fn phone_prefix(raw: &str) -> Option<String> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = digits.strip_prefix('+').unwrap_or(&digits);
    if digits.len() < 4 || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let national = digits
        .strip_prefix("62")
        .or_else(|| digits.strip_prefix('0'))?;
    Some(format!(
        "62{}",
        national.strip_prefix('0').unwrap_or(national)
    ))
}

/// A plausible e-mail address, stored as given (trimmed); compared case-insensitively.
pub fn email(raw: &str, field: &str) -> Result<String> {
    let v = raw.trim();
    let valid = v.len() <= 254
        && !v.contains(char::is_whitespace)
        && match v.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    if valid {
        Ok(v.to_owned())
    } else {
        Err(Error::validation(field, "is not a valid e-mail address"))
    }
}

/// A string of exactly one of the given digit counts (separators allowed).
pub fn digits(raw: &str, field: &str, lengths: &[usize]) -> Result<String> {
    let d: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    if d.is_empty() || !d.chars().all(|c| c.is_ascii_digit()) || !lengths.contains(&d.len()) {
        let lens: Vec<String> = lengths.iter().map(|n| n.to_string()).collect();
        return Err(Error::validation(
            field,
            format!("must be {} digits", lens.join(" or ")),
        ));
    }
    Ok(d)
}

/// Lower-cased, whitespace-collapsed form used for matching names.
pub fn name_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_forms_normalise_alike() {
        for raw in [
            "081234567890",
            "+6281234567890",
            "6281234567890",
            "0812-3456-7890",
            "+62 812 3456 7890",
            "+62 (0)812 3456 7890",
        ] {
            assert_eq!(phone(raw, "phone").unwrap(), "6281234567890", "{raw}");
        }
    }

    #[test]
    fn phone_prefixes_search_in_stored_form() {
        assert_eq!(phone_prefix("0813-2222").as_deref(), Some("628132222"));
        assert_eq!(phone_prefix("+62 813").as_deref(), Some("62813"));
        assert_eq!(
            phone_prefix("+62 (0)812 3456 7890").as_deref(),
            Some("6281234567890")
        );
        assert_eq!(phone_prefix("857000"), None);
        assert_eq!(phone_prefix("08"), None);
        assert_eq!(phone_prefix("CS-000001"), None);
    }

    #[test]
    fn bad_phones_name_the_field() {
        for raw in [
            "",
            "12345",
            "0812abc",
            "+1 212 555 0100",
            "0812",
            "08123456789012345",
        ] {
            let e = phone(raw, "phone").unwrap_err();
            assert_eq!(e.field(), Some("phone"), "{raw}");
        }
    }
}
