//! A password as typed, and the rules it must meet (length, not a common one).

use super::*;

/// A password as typed (not trimmed: spaces count): 8 to 200 characters.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let n = raw.chars().count();
        if n < 8 {
            return Err("must be at least 8 characters".into());
        }
        if n > 200 {
            return Err("must be at most 200 characters".into());
        }
        if is_common(raw) {
            return Err("is too common and easy to guess; choose another".into());
        }
        Ok(Password(raw.to_owned()))
    }

    pub(super) fn hash(&self) -> Result<PasswordHash> {
        crypto::hash_password(&self.0).map(PasswordHash)
    }
}

/// Words that make up most guessed passwords, alone or with digits and
/// signs around them ("Password123!", "admin2024", "qwerty12").
const COMMON_WORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "p@ssword",
    "pass",
    "sandi",
    "katasandi",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "asdfghjkl",
    "zxcvbnm",
    "admin",
    "administrator",
    "welcome",
    "letmein",
    "iloveyou",
    "sayang",
    "sayangku",
    "cinta",
    "loket",
    "bismillah",
    "indonesia",
    "jakarta",
    "changeme",
    "abc",
    "abcd",
    "abcdef",
    "abcdefgh",
    "login",
    "user",
    "test",
    "master",
    "dragon",
    "monkey",
    "sunshine",
    "princess",
    "football",
    "superman",
];

/// Whether `raw` is a well-known password: only digits, one character
/// repeated, a keyboard run, or a common word with digits or signs around it.
fn is_common(raw: &str) -> bool {
    let lower = raw.trim().to_lowercase();
    let mut chars = lower.chars();
    let first = chars.next();
    if lower.chars().all(|c| c.is_ascii_digit()) || chars.all(|c| Some(c) == first) {
        return true;
    }
    let core = lower.trim_matches(|c: char| !c.is_alphabetic() && c != '@');
    let core = core.trim_end_matches(|c: char| c.is_ascii_digit());
    COMMON_WORDS.contains(&core) || ["1q2w3e4r", "1qaz2wsx", "q1w2e3r4"].contains(&lower.as_str())
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(…)")
    }
}

impl<'de> Deserialize<'de> for Password {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Password::parse(&String::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl PartialSchema for Password {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(8))
            .max_length(Some(200))
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Password,
            )))
            .into()
    }
}

impl ToSchema for Password {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Password")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_passwords_are_refused_and_ordinary_ones_pass() {
        for bad in [
            "password",
            "Password123",
            "password123!",
            "12345678",
            "aaaaaaaa",
            "admin2026",
            "Qwerty123",
            "1q2w3e4r",
            "P@ssw0rd1",
            "iloveyou",
            "bismillah123",
        ] {
            assert!(Password::parse(bad).is_err(), "{bad}");
        }
        for ok in [
            "rahasia-123",
            "kuda-laut-biru",
            "a-long-password",
            "Budi#Santoso7",
        ] {
            assert!(Password::parse(ok).is_ok(), "{ok}");
        }
    }
}
