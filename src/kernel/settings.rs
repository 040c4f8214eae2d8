//! Business settings: name, time zone, priority thresholds, booking expiry.
//! Stored as one JSON document so adding a setting needs no migration.

use chrono_tz::Tz;
use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::Money;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct Settings {
    pub business_name: String,
    /// IANA zone for every day-based rule, e.g. `Asia/Jakarta`.
    #[schema(value_type = String, example = "Asia/Jakarta")]
    pub time_zone: Tz,
    /// Event within this many days → `urgent`.
    pub urgent_days: i64,
    /// Event within this many days → `soon`.
    pub soon_days: i64,
    /// Price at or above → `vip`.
    pub vip_price: Money,
    /// Price at or above → `premium`.
    pub premium_price: Money,
    /// Client count at or above → group points.
    pub group_clients: u32,
    /// Score at or above → `high` segment.
    pub high_segment_min: i32,
    /// Score at or above → `medium` segment.
    pub medium_segment_min: i32,
    /// A `pending` booking older than this many days is canceled by the daily job.
    pub booking_expiry_days: u32,
    /// Most slots a provider may have on one local day (unless set per provider).
    pub max_slots_per_day: u32,
    /// Language of the WhatsApp messages to customers: `id` or `en`.
    pub message_language: crate::kernel::types::Language,
    /// Local hour (0–23) at which H-1 reminders and maintenance reminders are queued.
    pub reminder_hour: u32,
    /// A vehicle is reminded when its next service date is within this many days.
    pub maintenance_window_days: u32,
    /// At most one maintenance reminder per vehicle in this many days.
    pub maintenance_spacing_days: u32,
    /// A session unused for this many minutes ends (besides the 16 hours
    /// after login): a desk left logged in locks itself.
    pub session_idle_minutes: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            business_name: "Loket".into(),
            time_zone: chrono_tz::Asia::Jakarta,
            urgent_days: 2,
            soon_days: 7,
            vip_price: Money::from_rupiah(3_000_000),
            premium_price: Money::from_rupiah(1_500_000),
            group_clients: 3,
            high_segment_min: 80,
            medium_segment_min: 50,
            booking_expiry_days: 3,
            max_slots_per_day: 8,
            message_language: crate::kernel::types::Language::Id,
            reminder_hour: 9,
            maintenance_window_days: 7,
            maintenance_spacing_days: 30,
            session_idle_minutes: 60,
        }
    }
}

const KEY: &str = "business";

pub fn load(conn: &Connection) -> Result<Settings> {
    load_row(conn, KEY)
}

fn save(conn: &Connection, s: &Settings) -> Result<()> {
    save_row(conn, KEY, s)
}

/// A row of the `settings` table (JSON under `key`); the default when absent.
/// Each part of the app keeps its own row: `business` here, the gateway's,
/// the sync's, the backup schedule's.
pub fn load_row<T: DeserializeOwned + Default>(conn: &Connection, key: &str) -> Result<T> {
    let raw: Option<String> = conn
        .prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()?;
    match raw {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(&text)
            .map_err(|e| Error::internal(format!("stored settings {key:?} unreadable: {e}"))),
    }
}

/// Writes the `settings` row `key`, in the caller's transaction.
pub fn save_row<T: Serialize>(conn: &Connection, key: &str, value: &T) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    )?
    .execute((key, serde_json::to_string(value)?))?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetSettings {}

impl Operation for GetSettings {
    type Output = Settings;
    const NAME: &'static str = "settings.get";
    const PERMISSION: Permission = Permission::SettingsRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Settings> {
        Ok(ctx.settings.clone())
    }
}

/// Changes only the settings given.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    pub business_name: Option<String>,
    pub time_zone: Option<String>,
    pub urgent_days: Option<i64>,
    pub soon_days: Option<i64>,
    pub vip_price: Option<Money>,
    pub premium_price: Option<Money>,
    pub group_clients: Option<u32>,
    pub high_segment_min: Option<i32>,
    pub medium_segment_min: Option<i32>,
    pub booking_expiry_days: Option<u32>,
    pub max_slots_per_day: Option<u32>,
    pub message_language: Option<crate::kernel::types::Language>,
    pub reminder_hour: Option<u32>,
    pub maintenance_window_days: Option<u32>,
    pub maintenance_spacing_days: Option<u32>,
    pub session_idle_minutes: Option<u32>,
}

impl Operation for UpdateSettings {
    type Output = Settings;
    const NAME: &'static str = "settings.update";
    const PERMISSION: Permission = Permission::SettingsWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Settings> {
        let before = ctx.settings.clone();
        let mut s = before.clone();
        if let Some(v) = self.business_name {
            s.business_name = crate::kernel::validate::required_text(&v, "business_name", 1, 100)?;
        }
        if let Some(v) = self.time_zone {
            s.time_zone = v.trim().parse().map_err(|_| {
                Error::validation("time_zone", "is not a known time zone (e.g. Asia/Jakarta)")
            })?;
        }
        if let Some(v) = self.urgent_days {
            s.urgent_days = v;
        }
        if let Some(v) = self.soon_days {
            s.soon_days = v;
        }
        if let Some(v) = self.vip_price {
            s.vip_price = v.checked("vip_price")?;
        }
        if let Some(v) = self.premium_price {
            s.premium_price = v.checked("premium_price")?;
        }
        if let Some(v) = self.group_clients {
            s.group_clients = v;
        }
        if let Some(v) = self.high_segment_min {
            s.high_segment_min = v;
        }
        if let Some(v) = self.medium_segment_min {
            s.medium_segment_min = v;
        }
        if let Some(v) = self.max_slots_per_day {
            s.max_slots_per_day = v;
        }
        if let Some(v) = self.booking_expiry_days {
            s.booking_expiry_days = v;
        }
        if let Some(v) = self.message_language {
            s.message_language = v;
        }
        if let Some(v) = self.reminder_hour {
            if v > 23 {
                return Err(Error::validation(
                    "reminder_hour",
                    "must be between 0 and 23",
                ));
            }
            s.reminder_hour = v;
        }
        if let Some(v) = self.maintenance_window_days {
            if v > 365 {
                return Err(Error::validation(
                    "maintenance_window_days",
                    "must be between 0 and 365",
                ));
            }
            s.maintenance_window_days = v;
        }
        if let Some(v) = self.maintenance_spacing_days {
            if !(1..=365).contains(&v) {
                return Err(Error::validation(
                    "maintenance_spacing_days",
                    "must be between 1 and 365",
                ));
            }
            s.maintenance_spacing_days = v;
        }
        if let Some(v) = self.session_idle_minutes {
            if !(5..=960).contains(&v) {
                return Err(Error::validation(
                    "session_idle_minutes",
                    "must be between 5 and 960 (16 hours)",
                ));
            }
            s.session_idle_minutes = v;
        }
        if s.urgent_days < 0 || s.urgent_days > 365 {
            return Err(Error::validation(
                "urgent_days",
                "must be between 0 and 365",
            ));
        }
        if s.soon_days < s.urgent_days || s.soon_days > 365 {
            return Err(Error::validation(
                "soon_days",
                "must be between urgent_days and 365",
            ));
        }
        if s.premium_price > s.vip_price {
            return Err(Error::validation(
                "premium_price",
                "must not be above vip_price",
            ));
        }
        if s.group_clients == 0 {
            return Err(Error::validation("group_clients", "must be 1 or more"));
        }
        if s.medium_segment_min < 0 || s.medium_segment_min > s.high_segment_min {
            return Err(Error::validation(
                "medium_segment_min",
                "must be between 0 and high_segment_min",
            ));
        }
        if s.booking_expiry_days == 0 || s.booking_expiry_days > 365 {
            return Err(Error::validation(
                "booking_expiry_days",
                "must be between 1 and 365",
            ));
        }
        if s.max_slots_per_day == 0 || s.max_slots_per_day > 288 {
            return Err(Error::validation(
                "max_slots_per_day",
                "must be between 1 and 288",
            ));
        }
        save(ctx.conn, &s)?;
        ctx.record(
            Action::Update,
            EntityKind::Settings,
            KEY,
            Some(&before),
            Some(&s),
        )?;
        ctx.settings = s.clone();
        Ok(s)
    }
}
