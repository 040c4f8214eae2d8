//! The backup archive: one gzip'd tar file holding
//!
//! - `manifest.json` — format, Loket version, schema version, the key's
//!   fingerprint, the argon2id parameters and salt, and the SHA-256 and size
//!   of every other part;
//! - `loket.db` — a consistent copy of the live database (`VACUUM INTO` on
//!   its own connection: one read snapshot, so the desk keeps writing);
//! - `loket.key.sealed` — the vault key sealed with XChaCha20-Poly1305 under
//!   a key derived from the passphrase with argon2id. The database part's
//!   SHA-256 is its associated data, so the passphrase also vouches for the
//!   database: a changed database fails to unseal like a wrong passphrase.
//!
//! KTP/NPWP numbers and the gateway token are sealed inside the database by
//! the vault key, so without the passphrase the archive reveals none of them.
//! Loket keeps no other files, so there are no other parts.
//!
//! A restore checks everything (format, checksums, schema version, the
//! passphrase, `PRAGMA integrity_check`, the key matching the database) on a
//! copy in a temporary folder before it moves anything in the data
//! directory; what it replaces is kept aside in `replaced-YYYYMMDD-HHMMSS/`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use chrono::{DateTime, Utc};
use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::kernel::app::{database_path, key_path, recorded_fingerprint};
use crate::kernel::crypto::{Vault, read_key_file, write_key_file};
use crate::kernel::error::{Error, Result};

const FORMAT: u32 = 1;
const MANIFEST: &str = "manifest.json";
const DB_PART: &str = "loket.db";
const KEY_PART: &str = "loket.key.sealed";
/// Shortest passphrase accepted for a new backup.
pub const MIN_PASSPHRASE: usize = 8;
/// argon2id at 64 MiB, 3 passes: about a second on a desk laptop, slow
/// enough that guessing a passphrase for a lost archive is expensive.
const KDF_M_KIB: u32 = 64 * 1024;
const KDF_T: u32 = 3;
const KDF_P: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub loket_version: String,
    /// `PRAGMA user_version` of the database part: the migrations applied.
    pub schema_version: i64,
    pub created_at: String,
    pub key_fingerprint: String,
    pub kdf: Kdf,
    pub parts: Vec<Part>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Kdf {
    /// `argon2id`
    pub algorithm: String,
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// hex
    pub salt: String,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Part {
    pub name: String,
    pub size: u64,
    /// SHA-256, hex
    pub sha256: String,
}

/// A finished archive.
#[derive(Debug, Clone)]
pub struct Created {
    pub path: PathBuf,
    pub size: u64,
}

/// What a restore did.
#[derive(Debug, Clone)]
pub struct Restored {
    /// Where the replaced database and key were kept, if there were any.
    pub kept_aside: Option<PathBuf>,
    pub schema_version: i64,
    pub created_at: String,
}

fn io(what: &str, path: &Path) -> impl Fn(std::io::Error) -> Error {
    let message = format!("{what} {}", path.display());
    move |e| match e.raw_os_error() {
        // ENOSPC: say it in words, like the database's own disk-full error.
        Some(28) => Error::Backup {
            message: format!("disk full: {message}"),
        },
        _ => Error::Backup {
            message: format!("{message}: {e}"),
        },
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::Backup {
        message: message.into(),
    }
}

/// The newest schema this binary knows: the number of its migrations.
pub fn known_schema_version() -> i64 {
    i64::try_from(crate::kernel::store::migration_count()).unwrap_or(i64::MAX)
}

/// Checks a passphrase for a new backup.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(Error::validation(
            "passphrase",
            format!("must have at least {MIN_PASSPHRASE} characters"),
        ));
    }
    Ok(())
}

/// Makes an archive of the data directory `data_dir` in folder `to`. Needs
/// no lock: it reads the database through SQLite, so a desk may be running.
pub fn create(data_dir: &Path, passphrase: &str, to: &Path, now: DateTime<Utc>) -> Result<Created> {
    check_passphrase(passphrase)?;
    let db_path = database_path(data_dir);
    if !db_path.is_file() {
        return Err(invalid(format!(
            "there is no database to back up in {}",
            data_dir.display()
        )));
    }
    let key_file = key_path(data_dir);
    let master = read_key_file(&key_file)?.ok_or_else(|| {
        invalid(format!(
            "the key file {} is missing: a backup without its key could not be read",
            key_file.display()
        ))
    })?;
    std::fs::create_dir_all(to).map_err(io("cannot create the backup folder", to))?;
    let stamp = now.format("%Y%m%d-%H%M%S").to_string();
    let mut name = format!("loket-backup-{stamp}.tar.gz");
    let mut n = 1;
    while to.join(&name).exists() {
        n += 1;
        name = format!("loket-backup-{stamp}-{n}.tar.gz");
    }
    let path = to.join(&name);
    let partial = to.join(format!(".{name}.partial"));
    let copy = to.join(format!(".{name}.db"));
    let result = write_archive(&db_path, &master, passphrase, &copy, &partial, now);
    let _ = std::fs::remove_file(&copy);
    let size = match result {
        Ok(size) => size,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    std::fs::rename(&partial, &path).map_err(io("cannot name the archive", &path))?;
    sync_dir(to);
    Ok(Created { path, size })
}

fn write_archive(
    db_path: &Path,
    master: &[u8; 32],
    passphrase: &str,
    copy: &Path,
    partial: &Path,
    now: DateTime<Utc>,
) -> Result<u64> {
    let vault = Vault::from_master(master);
    {
        // Its own connection, so the copy is one read snapshot of the
        // whole database (WAL included) while writers go on.
        let conn = Connection::open_with_flags(
            db_path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let target = copy
            .to_str()
            .ok_or_else(|| invalid("the backup folder's path is not valid text"))?;
        conn.execute("VACUUM INTO ?1", [target])?;
    }
    let (schema_version, fingerprint) = {
        let conn = Connection::open_with_flags(copy, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if quick != "ok" {
            return Err(invalid(format!(
                "the database is damaged ({quick}); this copy would not restore"
            )));
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        (version, recorded_fingerprint(&conn).ok().flatten())
    };
    if fingerprint
        .as_deref()
        .is_some_and(|f| f != vault.fingerprint())
    {
        return Err(invalid(
            "the key file does not belong to this database; nothing was backed up",
        ));
    }
    let (db_sha, db_size) = sha256_file(copy)?;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    let kdf = Kdf {
        algorithm: "argon2id".into(),
        memory_kib: KDF_M_KIB,
        iterations: KDF_T,
        parallelism: KDF_P,
        salt: hex::encode(salt),
    };
    let sealed = seal_key(master, passphrase, &kdf, &db_sha)?;
    let manifest = Manifest {
        format: FORMAT,
        loket_version: env!("CARGO_PKG_VERSION").into(),
        schema_version,
        created_at: crate::kernel::clock::to_db(now),
        key_fingerprint: vault.fingerprint().to_owned(),
        kdf,
        parts: vec![
            Part {
                name: DB_PART.into(),
                size: db_size,
                sha256: db_sha,
            },
            Part {
                name: KEY_PART.into(),
                size: sealed.len() as u64,
                sha256: hex::encode(Sha256::digest(&sealed)),
            },
        ],
    };
    let manifest = serde_json::to_vec_pretty(&manifest)?;

    let file = private_file(partial)?;
    let gz = flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let err = io("cannot write the archive", partial);
    append_bytes(&mut tar, MANIFEST, &manifest).map_err(&err)?;
    let mut db = File::open(copy).map_err(io("cannot read the copy", copy))?;
    let mut header = tar_header(db_size);
    tar.append_data(&mut header, DB_PART, &mut db)
        .map_err(&err)?;
    append_bytes(&mut tar, KEY_PART, &sealed).map_err(&err)?;
    let gz = tar.into_inner().map_err(&err)?;
    let writer = gz.finish().map_err(&err)?;
    let file = writer.into_inner().map_err(|e| err(e.into_error()))?;
    file.sync_all().map_err(&err)?;
    Ok(file.metadata().map_err(&err)?.len())
}

fn tar_header(size: u64) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_size(size);
    h.set_mode(0o600);
    h.set_cksum();
    h
}

fn append_bytes<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let mut header = tar_header(bytes.len() as u64);
    tar.append_data(&mut header, name, bytes)
}

fn private_file(path: &Path) -> Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts.open(path).map_err(io("cannot create", path))
}

fn sync_dir(dir: &Path) {
    // Makes the new name durable; not possible everywhere, and harmless then.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

fn sha256_file(path: &Path) -> Result<(String, u64)> {
    let mut f = BufReader::new(File::open(path).map_err(io("cannot read", path))?);
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    let mut size = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io("cannot read", path))?;
        if n == 0 {
            break;
        }
        size += n as u64;
        hasher.update(&buf[..n]);
    }
    Ok((hex::encode(hasher.finalize()), size))
}

fn derive(passphrase: &str, kdf: &Kdf) -> Result<[u8; 32]> {
    if kdf.algorithm != "argon2id" {
        return Err(invalid(format!("unknown key derivation {}", kdf.algorithm)));
    }
    let salt = hex::decode(&kdf.salt).map_err(|_| invalid("the archive's salt is damaged"))?;
    // Bounds keep a forged manifest from asking for terabytes of memory.
    if kdf.memory_kib > 1024 * 1024 || kdf.iterations > 64 || kdf.parallelism > 16 {
        return Err(invalid(
            "the archive asks for an unreasonable key derivation",
        ));
    }
    let params = Params::new(kdf.memory_kib, kdf.iterations, kdf.parallelism, Some(32))
        .map_err(|e| invalid(format!("the archive's key derivation is damaged: {e}")))?;
    let mut out = [0u8; 32];
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, &mut out)
        .map_err(|e| invalid(format!("key derivation failed: {e}")))?;
    Ok(out)
}

fn aad(db_sha: &str) -> Vec<u8> {
    format!("loket backup key v1|{db_sha}").into_bytes()
}

fn seal_key(master: &[u8; 32], passphrase: &str, kdf: &Kdf, db_sha: &str) -> Result<Vec<u8>> {
    let key = derive(passphrase, kdf)?;
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key));
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: master,
                aad: &aad(db_sha),
            },
        )
        .map_err(|_| Error::internal("encryption failed"))?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Ok(out)
}

fn open_key(sealed: &[u8], passphrase: &str, kdf: &Kdf, db_sha: &str) -> Result<[u8; 32]> {
    let wrong = || {
        Error::validation(
            "passphrase",
            "wrong passphrase (or the archive was changed): nothing was restored",
        )
    };
    if sealed.len() < 24 {
        return Err(wrong());
    }
    let key = derive(passphrase, kdf)?;
    let cipher = XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(&key));
    let (nonce, body) = sealed.split_at(24);
    let plain = cipher
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: body,
                aad: &aad(db_sha),
            },
        )
        .map_err(|_| wrong())?;
    plain.try_into().map_err(|_| wrong())
}

/// A private temporary folder, removed when dropped.
struct Staging(PathBuf);

impl Staging {
    fn new() -> Result<Staging> {
        let mut rand = [0u8; 8];
        getrandom::fill(&mut rand).map_err(|e| Error::internal(format!("no randomness: {e}")))?;
        let dir = std::env::temp_dir().join(format!("loket-restore-{}", hex::encode(rand)));
        let mut b = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            b.mode(0o700);
        }
        b.create(&dir)
            .map_err(io("cannot create a temporary folder", &dir))?;
        Ok(Staging(dir))
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A verified archive, unpacked in a temporary folder.
pub struct Verified {
    staging: Staging,
    pub manifest: Manifest,
    master: [u8; 32],
}

impl Verified {
    fn db(&self) -> PathBuf {
        self.staging.0.join(DB_PART)
    }
}

/// Unpacks and checks an archive without touching any data directory:
/// format, checksums, the schema version against this binary's, the
/// passphrase, `PRAGMA integrity_check`, and that the key is the database's.
pub fn verify(archive: &Path, passphrase: &str) -> Result<Verified> {
    let staging = Staging::new()?;
    let file = File::open(archive).map_err(io("cannot open the backup", archive))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let not_backup = |e: std::io::Error| {
        invalid(format!(
            "{} is not a readable Loket backup ({e})",
            archive.display()
        ))
    };
    let mut seen = Vec::new();
    for entry in tar.entries().map_err(not_backup)? {
        let mut entry = entry.map_err(not_backup)?;
        let name = entry
            .path()
            .map_err(not_backup)?
            .to_string_lossy()
            .into_owned();
        // Only the known parts, each once, written under names we choose:
        // nothing in an archive picks a path on this machine.
        if ![MANIFEST, DB_PART, KEY_PART].contains(&name.as_str()) || seen.contains(&name) {
            return Err(invalid(format!("unexpected part {name:?} in the backup")));
        }
        let target = staging.0.join(&name);
        let mut out = private_file(&target)?;
        std::io::copy(&mut entry, &mut out).map_err(not_backup)?;
        out.sync_all().map_err(io("cannot write", &target))?;
        seen.push(name);
    }
    // Read the compressed stream to its end, where gzip checks the CRC of
    // everything in it: a damaged byte in the manifest or the tar padding,
    // which no part's checksum covers, is refused too.
    std::io::copy(&mut tar.into_inner(), &mut std::io::sink()).map_err(not_backup)?;
    let manifest: Manifest = std::fs::read(staging.0.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(|| invalid("the backup has no readable manifest"))?;
    if manifest.format != FORMAT {
        return Err(invalid(format!(
            "backup format {} is not known to this Loket",
            manifest.format
        )));
    }
    if manifest.schema_version > known_schema_version() {
        return Err(invalid(format!(
            "this backup was made by a newer Loket ({}, database schema {}; this one knows up to {}): \
             install that version to restore it; nothing was changed",
            manifest.loket_version,
            manifest.schema_version,
            known_schema_version()
        )));
    }
    for name in [DB_PART, KEY_PART] {
        let part = manifest
            .parts
            .iter()
            .find(|p| p.name == name)
            .ok_or_else(|| invalid(format!("the backup lacks {name}")))?;
        if !seen.iter().any(|s| s == name) {
            return Err(invalid(format!("the backup lacks {name}")));
        }
        let (sha, size) = sha256_file(&staging.0.join(name))?;
        if sha != part.sha256 || size != part.size {
            return Err(invalid(format!(
                "{name} in the backup is damaged (its checksum does not match); nothing was changed"
            )));
        }
    }
    let db_sha = &manifest
        .parts
        .iter()
        .find(|p| p.name == DB_PART)
        .map(|p| p.sha256.clone())
        .unwrap_or_default();
    let sealed = std::fs::read(staging.0.join(KEY_PART))
        .map_err(io("cannot read", &staging.0.join(KEY_PART)))?;
    let master = open_key(&sealed, passphrase, &manifest.kdf, db_sha)?;
    let db = staging.0.join(DB_PART);
    {
        let conn = Connection::open_with_flags(&db, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| invalid(format!("the database in the backup cannot be opened: {e}")))?;
        let check: String = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(|e| invalid(format!("the database in the backup is damaged: {e}")))?;
        if check != "ok" {
            return Err(invalid(format!(
                "the database in the backup is damaged ({check}); nothing was changed"
            )));
        }
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version != manifest.schema_version || version > known_schema_version() {
            return Err(invalid(
                "the backup's database does not match its manifest; nothing was changed",
            ));
        }
        let vault = Vault::from_master(&master);
        if recorded_fingerprint(&conn)
            .ok()
            .flatten()
            .is_some_and(|f| f != vault.fingerprint())
        {
            return Err(invalid(
                "the key in the backup does not belong to its database; nothing was changed",
            ));
        }
    }
    Ok(Verified {
        staging,
        manifest,
        master,
    })
}

/// Verifies `archive`, then puts its database and key in place in
/// `data_dir`; what they replace is moved to `replaced-<time>/` there. The
/// caller holds the data directory's lock (no desk may be running on it).
pub fn restore(
    archive: &Path,
    passphrase: &str,
    data_dir: &Path,
    now: DateTime<Utc>,
) -> Result<Restored> {
    let verified = verify(archive, passphrase)?;
    install(verified, data_dir, now)
}

/// Puts a verified archive in place of a *running* desk's data (a fresh
/// install restoring from its first-start screen): the current database
/// (copied with `VACUUM INTO`) and key are kept aside first, then the new
/// key file is written and the database replaced under the writer lock
/// ([`crate::App::replace_data`]).
pub fn install_live(verified: Verified, app: &crate::App, now: DateTime<Utc>) -> Result<Restored> {
    let data_dir = app.data_dir();
    let db_path = database_path(data_dir);
    let key_file = key_path(data_dir);
    let aside = aside_dir(data_dir, now);
    crate::kernel::app::create_private_dir(&aside)?;
    {
        let conn = Connection::open_with_flags(
            &db_path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let target = aside.join("loket.db");
        let target = target
            .to_str()
            .ok_or_else(|| invalid("the data directory's path is not valid text"))?;
        conn.execute("VACUUM INTO ?1", [target])?;
    }
    if key_file.exists() {
        std::fs::copy(&key_file, aside.join("loket.key"))
            .map_err(io("cannot keep aside", &key_file))?;
    }
    // The new key beside its final name, then renamed over it: the key file
    // is always whole.
    let mut staged = key_file.as_os_str().to_owned();
    staged.push(".restoring");
    let staged = PathBuf::from(staged);
    let _ = std::fs::remove_file(&staged);
    write_key_file(&staged, &verified.master)?;
    std::fs::rename(&staged, &key_file).map_err(io("cannot put in place", &key_file))?;
    app.replace_data(&verified.db(), &verified.master)?;
    Ok(Restored {
        kept_aside: Some(aside),
        schema_version: verified.manifest.schema_version,
        created_at: verified.manifest.created_at.clone(),
    })
}

/// A new `replaced-YYYYMMDD-HHMMSS[-N]` folder name in `data_dir`.
fn aside_dir(data_dir: &Path, now: DateTime<Utc>) -> PathBuf {
    let stamp = now.format("%Y%m%d-%H%M%S").to_string();
    let mut aside = data_dir.join(format!("replaced-{stamp}"));
    let mut n = 1;
    while aside.exists() {
        n += 1;
        aside = data_dir.join(format!("replaced-{stamp}-{n}"));
    }
    aside
}

/// Moves a verified archive's database and key into `data_dir`.
pub fn install(verified: Verified, data_dir: &Path, now: DateTime<Utc>) -> Result<Restored> {
    crate::kernel::app::create_private_dir(data_dir)?;
    let db_path = database_path(data_dir);
    let key_file = key_path(data_dir);
    // The new files are written beside their final names first (same file
    // system), so the switch is a few renames.
    let db_new = data_dir.join(".loket.db.restoring");
    let key_new = data_dir.join(".loket.key.restoring");
    let _ = std::fs::remove_file(&db_new);
    let _ = std::fs::remove_file(&key_new);
    let cleanup = || {
        let _ = std::fs::remove_file(&db_new);
        let _ = std::fs::remove_file(&key_new);
    };
    let staged = (|| {
        let mut from = File::open(verified.db()).map_err(io("cannot read", &verified.db()))?;
        let mut to = private_file(&db_new)?;
        std::io::copy(&mut from, &mut to).map_err(io("cannot write", &db_new))?;
        to.sync_all().map_err(io("cannot write", &db_new))?;
        write_key_file(&key_new, &verified.master)
    })();
    if let Err(e) = staged {
        cleanup();
        return Err(e);
    }

    let aside = aside_dir(data_dir, now);
    let mut olds: Vec<(PathBuf, PathBuf)> = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        let mut from = db_path.as_os_str().to_owned();
        from.push(suffix);
        let from = PathBuf::from(from);
        if from.exists() {
            olds.push((from, aside.join(format!("loket.db{suffix}"))));
        }
    }
    if key_file.exists() {
        olds.push((key_file.clone(), aside.join("loket.key")));
    }
    let kept_aside = if olds.is_empty() {
        None
    } else {
        if let Err(e) = crate::kernel::app::create_private_dir(&aside) {
            cleanup();
            return Err(e);
        }
        for (from, to) in &olds {
            // The key may live elsewhere (LOKET_KEY_FILE): then a copy.
            let moved = std::fs::rename(from, to)
                .or_else(|_| std::fs::copy(from, to).and_then(|_| std::fs::remove_file(from)));
            if let Err(e) = moved {
                cleanup();
                return Err(io("cannot move aside", from)(e));
            }
        }
        Some(aside)
    };
    std::fs::rename(&db_new, &db_path).map_err(io("cannot put in place", &db_path))?;
    if std::fs::rename(&key_new, &key_file).is_err() {
        std::fs::copy(&key_new, &key_file).map_err(io("cannot put in place", &key_file))?;
        let _ = std::fs::remove_file(&key_new);
    }
    sync_dir(data_dir);
    Ok(Restored {
        kept_aside,
        schema_version: verified.manifest.schema_version,
        created_at: verified.manifest.created_at.clone(),
    })
}
