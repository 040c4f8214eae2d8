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
    /// The settings head office decides for the whole chain (received by
    /// sync, see [`SharedSettings`]): shown here, changed there only. Empty
    /// until head office sends them. Worked out on every load, whatever the
    /// stored row says.
    pub from_head_office: Vec<String>,
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
            from_head_office: Vec::new(),
        }
    }
}

const KEY: &str = "business";
/// The `settings` row holding the last [`SharedSettings`] head office sent;
/// its presence makes those fields head office's.
const HEAD_OFFICE_KEY: &str = "head_office";

pub fn load(conn: &Connection) -> Result<Settings> {
    let mut s: Settings = load_row(conn, KEY)?;
    let owned: Option<SharedSettings> = load_row(conn, HEAD_OFFICE_KEY)?;
    s.from_head_office = match owned {
        Some(_) => SharedSettings::FIELDS
            .iter()
            .map(|f| (*f).to_owned())
            .collect(),
        None => Vec::new(),
    };
    Ok(s)
}

/// The business-wide settings a chain shares and head office owns: the
/// priority scoring's thresholds and segment boundaries (DESIGN.md's
/// scoring table). Per-desk things (time zone, name, reminders, gateway,
/// sessions) stay the desk's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SharedSettings {
    pub urgent_days: i64,
    pub soon_days: i64,
    pub vip_price: Money,
    pub premium_price: Money,
    pub group_clients: u32,
    pub high_segment_min: i32,
    pub medium_segment_min: i32,
}

impl Default for SharedSettings {
    fn default() -> Self {
        SharedSettings::of(&Settings::default())
    }
}

impl SharedSettings {
    pub const FIELDS: [&'static str; 7] = [
        "urgent_days",
        "soon_days",
        "vip_price",
        "premium_price",
        "group_clients",
        "high_segment_min",
        "medium_segment_min",
    ];

    pub fn of(s: &Settings) -> SharedSettings {
        SharedSettings {
            urgent_days: s.urgent_days,
            soon_days: s.soon_days,
            vip_price: s.vip_price,
            premium_price: s.premium_price,
            group_clients: s.group_clients,
            high_segment_min: s.high_segment_min,
            medium_segment_min: s.medium_segment_min,
        }
    }

    pub fn apply_to(&self, s: &mut Settings) {
        s.urgent_days = self.urgent_days;
        s.soon_days = self.soon_days;
        s.vip_price = self.vip_price;
        s.premium_price = self.premium_price;
        s.group_clients = self.group_clients;
        s.high_segment_min = self.high_segment_min;
        s.medium_segment_min = self.medium_segment_min;
    }

    /// The desk's own rules for these settings (the field named in a refusal).
    pub fn check(&self) -> Result<()> {
        if self.urgent_days < 0 || self.urgent_days > 365 {
            return Err(Error::validation(
                "urgent_days",
                "must be between 0 and 365",
            ));
        }
        if self.soon_days < self.urgent_days || self.soon_days > 365 {
            return Err(Error::validation(
                "soon_days",
                "must be between urgent_days and 365",
            ));
        }
        self.vip_price.checked("vip_price")?;
        self.premium_price.checked("premium_price")?;
        if self.premium_price > self.vip_price {
            return Err(Error::validation(
                "premium_price",
                "must not be above vip_price",
            ));
        }
        if self.group_clients == 0 {
            return Err(Error::validation("group_clients", "must be 1 or more"));
        }
        if self.high_segment_min < 0 || self.high_segment_min > 1000 {
            return Err(Error::validation(
                "high_segment_min",
                "must be between 0 and 1000",
            ));
        }
        if self.medium_segment_min < 0 || self.medium_segment_min > self.high_segment_min {
            return Err(Error::validation(
                "medium_segment_min",
                "must be between 0 and high_segment_min",
            ));
        }
        Ok(())
    }
}

/// A change to some of the shared settings: what is not given stays. Read
/// by the desk's `settings.update` and head office's `PUT /api/v1/settings`.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SharedSettingsEdit {
    pub urgent_days: Option<i64>,
    pub soon_days: Option<i64>,
    pub vip_price: Option<Money>,
    pub premium_price: Option<Money>,
    pub group_clients: Option<u32>,
    pub high_segment_min: Option<i32>,
    pub medium_segment_min: Option<i32>,
}

impl SharedSettingsEdit {
    /// `current` with this change made (not checked: see [`SharedSettings::check`]).
    pub fn applied(&self, current: &SharedSettings) -> SharedSettings {
        SharedSettings {
            urgent_days: self.urgent_days.unwrap_or(current.urgent_days),
            soon_days: self.soon_days.unwrap_or(current.soon_days),
            vip_price: self.vip_price.unwrap_or(current.vip_price),
            premium_price: self.premium_price.unwrap_or(current.premium_price),
            group_clients: self.group_clients.unwrap_or(current.group_clients),
            high_segment_min: self.high_segment_min.unwrap_or(current.high_segment_min),
            medium_segment_min: self
                .medium_segment_min
                .unwrap_or(current.medium_segment_min),
        }
    }

    /// The first setting this change gives a value other than `current`'s.
    pub fn first_difference(&self, current: &SharedSettings) -> Option<&'static str> {
        let after = serde_json::to_value(self.applied(current)).ok()?;
        let before = serde_json::to_value(current).ok()?;
        SharedSettings::FIELDS
            .into_iter()
            .find(|f| after.get(f) != before.get(f))
    }
}

/// Head office's shared settings, received by a pull, written in the
/// pull's transaction: the desk's copy follows and those fields become head
/// office's. Answers whether anything changed (then scores must follow).
pub fn apply_from_head_office(conn: &Connection, shared: &SharedSettings) -> Result<bool> {
    shared.check()?;
    let mut s: Settings = load_row(conn, KEY)?;
    let before: Option<SharedSettings> = load_row(conn, HEAD_OFFICE_KEY)?;
    let changed = SharedSettings::of(&s) != *shared;
    shared.apply_to(&mut s);
    save(conn, &s)?;
    save_row(conn, HEAD_OFFICE_KEY, &Some(shared))?;
    Ok(changed || before.is_none())
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
        let shared = SharedSettingsEdit {
            urgent_days: self.urgent_days,
            soon_days: self.soon_days,
            vip_price: self.vip_price,
            premium_price: self.premium_price,
            group_clients: self.group_clients,
            high_segment_min: self.high_segment_min,
            medium_segment_min: self.medium_segment_min,
        };
        // A form sending every setting back unchanged is no change; a
        // different value of head office's is refused.
        if !ctx.settings.from_head_office.is_empty()
            && let Some(field) = shared.first_difference(&SharedSettings::of(&ctx.settings))
        {
            return Err(Error::conflict(format!(
                "{field} is set by head office for every branch; it can only be changed at head office"
            )));
        }
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
        shared.applied(&SharedSettings::of(&s)).apply_to(&mut s);
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
        SharedSettings::of(&s).check()?;
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
