//! Reading what the customer typed: commands, numbers, yes, a choice, an
//! area or a pin. Only compared and parsed with checks, never trusted.

use super::conversation::*;
use super::texts::cap;
use super::{Inbound, ReplyOption};
use crate::kernel::types::Language;

/// Lower case, single spaces, without the punctuation people add around a
/// word or number ("Ya!", "2.", "*menu*").
pub(super) fn normalize(text: &str) -> String {
    let lower = text.to_lowercase();
    let trimmed = lower.trim_matches(|c: char| c.is_whitespace() || ".,!?*#()\"':;_~".contains(c));
    trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub(super) fn command(text: &str) -> Option<Command> {
    Some(match normalize(text).as_str() {
        "batal" | "cancel" | "stop" | "berhenti" => Command::End,
        "menu" | "mulai" | "halo" | "hallo" | "hai" | "hi" | "hello" | "start" => Command::Menu,
        "booking saya" | "my booking" | "my bookings" => Command::MyBookings,
        "english" | "inggris" | "bahasa inggris" => Command::Language(Language::En),
        "indonesia" | "bahasa" | "bahasa indonesia" | "indonesian" => {
            Command::Language(Language::Id)
        }
        _ => return None,
    })
}

pub(super) fn is_yes(message: &Inbound) -> bool {
    match message {
        Inbound::Text(t) => matches!(normalize(t).as_str(), "ya" | "yes" | "y" | "iya"),
        Inbound::Choice { id, .. } => id == "yes",
        Inbound::Location { .. } => false,
    }
}

/// A typed number (1-based) of a numbered choice.
pub(super) fn number(text: &str) -> Option<usize> {
    let t = normalize(text);
    if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// The option the customer picked: a typed number, a tapped choice, a typed
/// title, or "lagi"/"more" when more are offered.
pub(super) fn choose(options: &[ReplyOption], message: &Inbound) -> Option<String> {
    match message {
        Inbound::Text(text) => {
            if let Some(n) = number(text) {
                return n
                    .checked_sub(1)
                    .and_then(|i| options.get(i))
                    .map(|o| o.id.clone());
            }
            let t = normalize(text);
            if matches!(t.as_str(), "lagi" | "more" | "next") {
                return options.iter().find(|o| o.id == MORE).map(|o| o.id.clone());
            }
            options
                .iter()
                .find(|o| !t.is_empty() && normalize(&o.title) == t)
                .map(|o| o.id.clone())
        }
        Inbound::Choice { id, .. } => match options.iter().find(|o| &o.id == id) {
            Some(o) => Some(o.id.clone()),
            None => number(id)
                .and_then(|n| n.checked_sub(1))
                .and_then(|i| options.get(i))
                .map(|o| o.id.clone()),
        },
        Inbound::Location { .. } => None,
    }
}

pub(super) fn has_letters(text: &str, n: usize) -> bool {
    text.chars().filter(|c| c.is_alphabetic()).count() >= n
}

/// A typed area: some letters, or a five-digit postal code.
pub(super) fn looks_like_area(text: &str) -> bool {
    let t = text.trim();
    has_letters(t, 2) || (t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()))
}

pub(super) fn valid_point(latitude: f64, longitude: f64) -> bool {
    latitude.is_finite()
        && longitude.is_finite()
        && (-90.0..=90.0).contains(&latitude)
        && (-180.0..=180.0).contains(&longitude)
}

/// Degrees to the microdegree (about 10 cm), as the desk keeps providers'
/// coordinates: a short decimal that reads back from JSON to the same `f64`.
pub(super) fn micro(degrees: f64) -> f64 {
    (degrees * 1e6).round() / 1e6
}

/// The address a pin carries (its name when it has no address).
pub(super) fn pin_address(address: Option<String>, name: Option<String>) -> Option<String> {
    address
        .into_iter()
        .chain(name)
        .map(|a| cap(&a, ADDRESS_MAX))
        .find(|a| !a.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    pub(super) fn typed_numbers_are_read_with_the_punctuation_people_add() {
        assert_eq!(number("2"), Some(2));
        assert_eq!(number(" 2. "), Some(2));
        assert_eq!(number("#3)"), Some(3));
        assert_eq!(number("10"), Some(10));
        assert_eq!(number("99999"), None);
        assert_eq!(number("-1"), None, "not a choice, not 1");
        assert_eq!(number("٣"), None);
        assert_eq!(number(""), None);
        assert_eq!(number("1 2"), None);
    }

    #[test]
    pub(super) fn commands_ignore_case_spaces_and_punctuation() {
        assert!(matches!(
            command("  Booking   SAYA "),
            Some(Command::MyBookings)
        ));
        assert!(matches!(command("*Batal*!"), Some(Command::End)));
        assert!(matches!(
            command("English"),
            Some(Command::Language(Language::En))
        ));
        assert!(matches!(
            command("bahasa indonesia"),
            Some(Command::Language(Language::Id))
        ));
        assert!(command("batalkan booking").is_none());
        assert!(command("").is_none());
    }

    #[test]
    pub(super) fn an_area_has_letters_or_is_a_postal_code() {
        assert!(looks_like_area("Kemang"));
        assert!(looks_like_area("12730"));
        assert!(!looks_like_area("12"));
        assert!(!looks_like_area("🙂🙂"));
        assert!(!looks_like_area(" "));
    }
}
