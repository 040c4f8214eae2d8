//! Sealed boxes for head office: KTP and NPWP leave a branch encrypted to
//! head office's public key (X25519 + XSalsa20-Poly1305, libsodium's
//! `crypto_box_seal`), so neither the wire, nor a proxy, nor head office's
//! PostgreSQL ever holds them in plaintext; only the `loket-hq` process that
//! holds the secret key file opens them, for a head-office role allowed to
//! see them. The branch cannot open what it sealed (the sender's key is
//! thrown away), so a stolen branch token reveals nothing already sent.
//!
//! A sealed value is base64 text. The field it belongs to (`customer.ktp_number`)
//! is sealed inside it and checked on opening, so a value cannot be moved to
//! another field.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};

use crate::kernel::error::{Error, Result};

const KEY_BYTES: usize = 32;

/// A record's sealed fields: field name → sealed value, or `None` when the
/// record has none.
pub type SealedFields = std::collections::BTreeMap<String, Option<String>>;

/// Head office's public key, as a branch receives it from `GET /sync/v1/hello`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SealingPublicKey(PublicKey);

impl SealingPublicKey {
    /// From its base64 text (32 bytes).
    pub fn parse(text: &str) -> Result<SealingPublicKey> {
        let bytes = STANDARD
            .decode(text.trim())
            .map_err(|_| Error::validation("sealing_key", "must be base64"))?;
        let key = PublicKey::from_slice(&bytes)
            .map_err(|_| Error::validation("sealing_key", format!("must be {KEY_BYTES} bytes")))?;
        Ok(SealingPublicKey(key))
    }

    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0.as_bytes())
    }

    /// Seals `plain` as the value of `field`; only the secret key opens it.
    pub fn seal(&self, field: &str, plain: &str) -> Result<String> {
        let message = format!("{field}\n{plain}");
        let sealed = self
            .0
            .seal(&mut OsRng, message.as_bytes())
            .map_err(|_| Error::internal("sealing failed"))?;
        Ok(STANDARD.encode(sealed))
    }
}

/// Head office's secret key: 32 random bytes in a file of its own, never in
/// the database (a copy of the database alone opens nothing).
pub struct SealingSecretKey(SecretKey);

impl SealingSecretKey {
    pub fn generate() -> SealingSecretKey {
        SealingSecretKey(SecretKey::generate(&mut OsRng))
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<SealingSecretKey> {
        SecretKey::from_slice(bytes).ok().map(SealingSecretKey)
    }

    pub fn to_bytes(&self) -> [u8; KEY_BYTES] {
        self.0.to_bytes()
    }

    pub fn public_key(&self) -> SealingPublicKey {
        SealingPublicKey(self.0.public_key())
    }

    /// Opens a value sealed for `field`; a damaged value, another key's or
    /// another field's is [`Error::Unreadable`].
    pub fn open(&self, field: &str, sealed: &str) -> Result<String> {
        let unreadable = || Error::Unreadable {
            context: field.to_owned(),
        };
        let bytes = STANDARD.decode(sealed).map_err(|_| unreadable())?;
        let message = self.0.unseal(&bytes).map_err(|_| unreadable())?;
        let text = String::from_utf8(message).map_err(|_| unreadable())?;
        text.strip_prefix(field)
            .and_then(|rest| rest.strip_prefix('\n'))
            .map(str::to_owned)
            .ok_or_else(unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_secret_key_opens_a_value_and_only_for_its_field() {
        let key = SealingSecretKey::generate();
        let public = SealingPublicKey::parse(&key.public_key().to_base64()).unwrap();
        let sealed = public
            .seal("customer.ktp_number", "3171234567890001")
            .unwrap();
        assert!(!sealed.contains("3171234567890001"));
        assert_eq!(
            key.open("customer.ktp_number", &sealed).unwrap(),
            "3171234567890001"
        );
        // Sealing twice gives two different texts (a fresh key each time).
        assert_ne!(
            sealed,
            public
                .seal("customer.ktp_number", "3171234567890001")
                .unwrap()
        );
        assert!(matches!(
            key.open("customer.npwp_number", &sealed),
            Err(Error::Unreadable { .. })
        ));
        assert!(matches!(
            SealingSecretKey::generate().open("customer.ktp_number", &sealed),
            Err(Error::Unreadable { .. })
        ));
        assert!(matches!(
            key.open("customer.ktp_number", "bm90IHNlYWxlZA=="),
            Err(Error::Unreadable { .. })
        ));
        let restored = SealingSecretKey::from_bytes(&key.to_bytes()).unwrap();
        assert_eq!(restored.public_key(), key.public_key());
        assert!(SealingPublicKey::parse("c2hvcnQ=").is_err());
    }
}
