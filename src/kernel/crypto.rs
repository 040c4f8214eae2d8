//! Secrets at rest: field encryption (XChaCha20-Poly1305), keyed lookup hashes
//! (BLAKE3 keyed), password hashing (argon2id) and session tokens.
//!
//! The master key lives in a file beside (never inside) the database, created
//! with mode 0600; losing it makes encrypted fields unreadable, so it is
//! backed up with the data directory but never copied into the database.
//! The database records the key's fingerprint (table `vault_key`): a start
//! with a missing or different key file is refused (`App::open`), and a key
//! is created only together with a new database. A single value the key
//! cannot open is [`Error::Unreadable`], which reads show as unavailable.
//!
//! ## Secrets at rest
//!
//! - KTP and NPWP are sealed with XChaCha20-Poly1305 (the field name is the
//!   associated data). The key file `loket.key` sits beside the database (mode
//!   0600, or `LOKET_KEY_FILE`); keys for encryption and for the KTP lookup hash
//!   (keyed BLAKE3) are derived from it. Audit and change-log snapshots carry
//!   masked numbers only.
//! - Passwords: argon2id (crate defaults). Session tokens: 32 random bytes, stored
//!   as a BLAKE3 hash, valid 16 hours; deactivation, role change or password reset
//!   ends a user's sessions. An unknown username costs as much as a wrong password.
//! - `loket serve` binds 127.0.0.1 unless `--bind` says otherwise (with a warning).

use std::io::Write;
use std::path::Path;

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

use crate::kernel::error::{Error, Result};

pub struct Vault {
    cipher: XChaCha20Poly1305,
    lookup_key: [u8; 32],
    fingerprint: String,
}

impl Vault {
    /// Loads the key file, creating it (0600) when there is none. Only for a
    /// new database: an existing one opens its key with [`Vault::open`].
    pub fn open_or_create(key_path: &Path) -> Result<Vault> {
        match read_key_file(key_path)? {
            Some(master) => Ok(Vault::from_master(&master)),
            None => Ok(Vault::from_master(&create_key_file(key_path)?)),
        }
    }

    /// Loads the key file, or `None` when there is none.
    pub fn open(key_path: &Path) -> Result<Option<Vault>> {
        Ok(read_key_file(key_path)?.map(|m| Vault::from_master(&m)))
    }

    pub fn from_master(master: &[u8; 32]) -> Vault {
        let enc = blake3::derive_key("loket 2026 field encryption v1", master);
        let lookup_key = blake3::derive_key("loket 2026 lookup hash v1", master);
        // A one-way name for the key that the database records: it tells
        // whether a key file belongs to a database without revealing the key.
        let fingerprint = blake3::derive_key("loket 2026 key fingerprint v1", master);
        Vault {
            cipher: XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&enc)),
            lookup_key,
            fingerprint: hex::encode(&fingerprint[..16]),
        }
    }

    /// The key's fingerprint (32 hex digits), recorded in the database.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Encrypts `plain`; `context` (e.g. "customers.ktp_number") is bound as
    /// associated data so a ciphertext cannot be moved to another field.
    pub fn encrypt(&self, context: &str, plain: &str) -> Result<Vec<u8>> {
        let mut nonce = [0u8; 24];
        getrandom::fill(&mut nonce).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
        let sealed = self
            .cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::internal("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// [`Vault::encrypt`] as base64 text: secrets kept inside JSON settings
    /// (the gateway token, head office's token, the backup passphrase).
    pub fn seal_text(&self, context: &str, plain: &str) -> Result<String> {
        use base64::Engine as _;
        Ok(base64::engine::general_purpose::STANDARD.encode(self.encrypt(context, plain)?))
    }

    /// Opens what [`Vault::seal_text`] sealed; damaged text or another key
    /// is [`Error::Unreadable`], as for any sealed value.
    pub fn open_text(&self, context: &str, sealed: &str) -> Result<String> {
        use base64::Engine as _;
        let blob = base64::engine::general_purpose::STANDARD
            .decode(sealed)
            .map_err(|_| Error::Unreadable {
                context: context.to_owned(),
            })?;
        self.decrypt(context, &blob)
    }

    pub fn decrypt(&self, context: &str, blob: &[u8]) -> Result<String> {
        if blob.len() < 24 {
            return Err(Error::Unreadable {
                context: context.to_owned(),
            });
        }
        let (nonce, sealed) = blob.split_at(24);
        let plain = self
            .cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| Error::Unreadable {
                context: context.to_owned(),
            })?;
        String::from_utf8(plain).map_err(|_| Error::Unreadable {
            context: context.to_owned(),
        })
    }

    /// Deterministic keyed hash for exact-match lookups on encrypted fields.
    pub fn lookup_hash(&self, context: &str, value: &str) -> String {
        let mut h = blake3::Hasher::new_keyed(&self.lookup_key);
        h.update(context.as_bytes());
        h.update(&[0]);
        h.update(value.as_bytes());
        h.finalize().to_hex().to_string()
    }
}

fn decode_key(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

/// The master key in `path`, `None` when the file does not exist.
pub fn read_key_file(path: &Path) -> Result<Option<[u8; 32]>> {
    match std::fs::read_to_string(path) {
        Ok(text) => decode_key(text.trim()).map(Some).ok_or_else(|| Error::DataDir {
            message: format!(
                "the key file {} is damaged; put back an intact copy or restore it from a backup (`loket restore`)",
                path.display()
            ),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::DataDir {
            message: format!("cannot read the key file {}: {e}", path.display()),
        }),
    }
}

/// The key file's text for `key` (what [`read_key_file`] reads back).
pub fn encode_key(key: &[u8; 32]) -> String {
    hex::encode(key)
}

fn create_key_file(path: &Path) -> Result<[u8; 32]> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    write_key_file(path, &key)?;
    Ok(key)
}

/// Writes a new key file (mode 0600, synced); refuses to replace one.
pub fn write_key_file(path: &Path, key: &[u8; 32]) -> Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let io = |e: std::io::Error| {
        Error::internal(format!("cannot write key file {}: {e}", path.display()))
    };
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(encode_key(key).as_bytes()).map_err(io)?;
    f.sync_all().map_err(io)?;
    Ok(())
}

/// argon2id with the crate's default (OWASP-recommended) parameters.
pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A new random bearer token (hex) and the hash under which it is stored.
pub fn new_token() -> Result<(String, String)> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    let token = hex::encode(bytes);
    let hash = token_hash(&token);
    Ok((token, hash))
}

pub fn token_hash(token: &str) -> String {
    blake3::hash(token.as_bytes()).to_hex().to_string()
}

/// `••••abcd`: enough to recognise a stored token, not to use it.
pub fn mask(token: &str) -> String {
    let n = token.chars().count();
    let tail: String = token.chars().skip(n.saturating_sub(4)).collect();
    if n <= 4 {
        "••••".to_owned()
    } else {
        format!("••••{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_masked() {
        assert_eq!(mask("EAAGabcd1234"), "••••1234");
        assert_eq!(mask("abc"), "••••");
    }

    #[test]
    fn round_trip_and_context_binding() {
        let v = Vault::from_master(&[7u8; 32]);
        let blob = v
            .encrypt("customers.ktp_number", "3171234567890001")
            .unwrap();
        assert_eq!(
            v.decrypt("customers.ktp_number", &blob).unwrap(),
            "3171234567890001"
        );
        assert!(v.decrypt("customers.npwp_number", &blob).is_err());
        assert!(!blob.windows(16).any(|w| w == b"3171234567890001"));
    }
}
