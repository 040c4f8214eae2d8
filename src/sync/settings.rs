//! The sync settings: head office's address, this branch's token (write-only:
//! masked in replies, sealed with the vault at rest) and the interval.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::crypto::Vault;
use crate::kernel::crypto::mask;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::settings;
use crate::kernel::types::patch;

/// The settings row's key, and the vault context of the token.
const KEY: &str = "sync";
const TOKEN: &str = "settings.sync_token";

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
struct Stored {
    hq_url: Option<String>,
    token_sealed: Option<String>,
    interval_min: u32,
    ca_cert: Option<String>,
}

/// What a run needs, the token in the clear (in memory only).
#[derive(Clone, Debug)]
pub struct SyncConfig {
    pub hq_url: String,
    pub token: String,
    /// A PEM certificate to trust besides the system's roots (a head office
    /// with a self-signed certificate or its own CA).
    pub ca_cert: Option<String>,
}

fn load_stored(conn: &Connection) -> Result<Stored> {
    settings::load_row(conn, KEY)
}

fn save_stored(conn: &Connection, s: &Stored) -> Result<()> {
    settings::save_row(conn, KEY, s)
}

fn unseal(vault: &Vault, sealed: &str) -> Result<String> {
    vault.open_text(TOKEN, sealed)
}

/// The address and the token, when both are set.
pub fn config(conn: &Connection, vault: &Vault) -> Result<Option<SyncConfig>> {
    let s = load_stored(conn)?;
    match (s.hq_url, s.token_sealed) {
        (Some(hq_url), Some(sealed)) => Ok(Some(SyncConfig {
            hq_url,
            token: unseal(vault, &sealed)?,
            ca_cert: s.ca_cert,
        })),
        _ => Ok(None),
    }
}

/// Minutes between automatic runs; 0: by hand only.
pub fn interval_min(conn: &Connection) -> Result<u32> {
    Ok(load_stored(conn)?.interval_min)
}

/// The sync settings as the API shows them: the token masked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SyncSettings {
    /// Head office's address, e.g. `https://hq.example.com`.
    pub hq_url: Option<String>,
    /// Masked (`••••abcd`); `null` when none is set.
    pub token: Option<String>,
    /// Minutes between automatic syncs; 0: by hand only.
    pub interval_min: u32,
    /// The PEM certificate trusted for head office besides the system's roots.
    pub ca_cert: Option<String>,
}

fn view(conn: &Connection, vault: &Vault) -> Result<SyncSettings> {
    let s = load_stored(conn)?;
    Ok(SyncSettings {
        hq_url: s.hq_url,
        token: s
            .token_sealed
            .as_deref()
            .map(|t| unseal(vault, t))
            .transpose()?
            .as_deref()
            .map(mask),
        interval_min: s.interval_min,
        ca_cert: s.ca_cert,
    })
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GetSyncSettings {}

impl Operation for GetSyncSettings {
    type Output = SyncSettings;
    const NAME: &'static str = "sync.settings.get";
    const PERMISSION: Permission = Permission::SyncConfigure;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<SyncSettings> {
        view(ctx.conn, ctx.vault)
    }
}

/// Changes only what is given; the token is kept when left out, `null`
/// removes it.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSyncSettings {
    /// `https://…`; plain `http://` only for a head office on this machine.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub hq_url: Option<Option<String>>,
    /// The token `loket-hq branch add` printed for this branch.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub token: Option<Option<String>>,
    /// 0 (by hand only) to 1440.
    pub interval_min: Option<u32>,
    /// A PEM certificate (`-----BEGIN CERTIFICATE-----…`) to trust for head
    /// office besides the system's roots: for a self-signed head office.
    #[serde(default, deserialize_with = "patch")]
    #[schema(value_type = Option<String>)]
    pub ca_cert: Option<Option<String>>,
}

/// A PEM certificate reqwest can trust; blank clears it.
fn ca_cert(v: Option<String>) -> Result<Option<String>> {
    let Some(pem) = v.map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let refused = || {
        Error::validation(
            "ca_cert",
            "must be a PEM certificate (-----BEGIN CERTIFICATE----- …)",
        )
    };
    if pem.len() > 20_000 || !pem.contains("-----BEGIN CERTIFICATE-----") {
        return Err(refused());
    }
    reqwest::Certificate::from_pem(pem.as_bytes()).map_err(|_| refused())?;
    Ok(Some(pem))
}

/// Head office's address: HTTPS, or plain HTTP to this machine only (a
/// token and customer data must not cross a network in the clear).
fn hq_url(v: Option<String>) -> Result<Option<String>> {
    let Some(v) = crate::kernel::validate::optional_text(v, "hq_url", 300)? else {
        return Ok(None);
    };
    let url = reqwest::Url::parse(&v)
        .map_err(|_| Error::validation("hq_url", "must be an https:// address"))?;
    let host = url
        .host_str()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::validation("hq_url", "must name a host"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::validation(
                "hq_url",
                "must be https:// (plain http:// only for a head office on this machine)",
            ));
        }
        _ => return Err(Error::validation("hq_url", "must be an https:// address")),
    }
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() {
        return Err(Error::validation(
            "hq_url",
            "must be a plain address, without query or credentials",
        ));
    }
    Ok(Some(v.trim_end_matches('/').to_owned()))
}

impl Operation for UpdateSyncSettings {
    type Output = SyncSettings;
    const NAME: &'static str = "sync.settings.update";
    const PERMISSION: Permission = Permission::SyncConfigure;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<SyncSettings> {
        let before = view(ctx.conn, ctx.vault)?;
        let mut s = load_stored(ctx.conn)?;
        if let Some(v) = self.hq_url {
            s.hq_url = hq_url(v)?;
        }
        let token_saved = self.token.is_some();
        if let Some(v) = self.token {
            s.token_sealed = match crate::kernel::validate::optional_text(v, "token", 500)? {
                Some(t) => Some(ctx.vault.seal_text(TOKEN, &t)?),
                None => None,
            };
        }
        if let Some(v) = self.ca_cert {
            s.ca_cert = ca_cert(v)?;
        }
        if let Some(v) = self.interval_min {
            if v > 1440 {
                return Err(Error::validation(
                    "interval_min",
                    "must be between 0 and 1440",
                ));
            }
            s.interval_min = v;
        }
        let elsewhere = before.hq_url != s.hq_url || token_saved;
        save_stored(ctx.conn, &s)?;
        if elsewhere {
            // Another head office, or this desk enrolled again: its feed is
            // pulled from the start (applying it is idempotent); the push
            // side needs nothing, head office's 409 says where to resume.
            ctx.conn.execute(
                "UPDATE sync_state SET pull_cursor = 0, branch_id = NULL, branch_name = NULL WHERE id = 1",
                [],
            )?;
        }
        let after = view(ctx.conn, ctx.vault)?;
        ctx.record(
            Action::Update,
            EntityKind::Settings,
            KEY,
            Some(&before),
            Some(&after),
        )?;
        Ok(after)
    }
}
