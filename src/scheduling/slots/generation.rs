//! Generating slots from a provider's working plan (with a dry run that
//! previews what would be made and what would be skipped, and why).

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::Bounded;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::{ProviderId, ServiceId};
use crate::scheduling::providers::{self};

use super::{SkipReason, Slot, check, day_limit, find, insert, provider_and_service, slots_on_day};

/// Creates slots for a date range from the provider's working plan: slot
/// length = the service's duration, `buffer_min` between slots, breaks
/// skipped. `dry_run` reports what would be created without creating it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateSlots {
    pub provider_id: ProviderId,
    pub service_id: ServiceId,
    /// First local date.
    pub from: NaiveDate,
    /// Last local date (inclusive); at most 92 days after `from`.
    pub to: NaiveDate,
    /// Minutes between slots; defaults to 0.
    pub buffer_min: Option<Bounded<0, 1440>>,
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkippedSlot {
    pub starts_at: DateTime<Utc>,
    pub reason: SkipReason,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Generated {
    /// How many slots were (or, in a dry run, would be) created.
    pub created: u32,
    pub dry_run: bool,
    /// Their start times.
    pub starts: Vec<DateTime<Utc>>,
    pub skipped: Vec<SkippedSlot>,
}

impl Operation for GenerateSlots {
    type Output = Generated;
    const NAME: &'static str = "slots.generate";
    const PERMISSION: Permission = Permission::ScheduleWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Generated> {
        let (p, s) = provider_and_service(ctx, self.provider_id, self.service_id)?;
        if self.to < self.from {
            return Err(Error::validation("to", "must not be before from"));
        }
        if (self.to - self.from).num_days() > 92 {
            return Err(Error::validation("to", "at most 92 days after from"));
        }
        let week = providers::working_plan(ctx.conn, p.id)?.validate()?;
        let len = Duration::minutes(i64::from(s.duration_min));
        let buffer = Duration::minutes(i64::from(self.buffer_min.map_or(0, Bounded::get)));
        let tz = ctx.settings.time_zone;
        let mut out = Generated {
            created: 0,
            dry_run: self.dry_run,
            starts: Vec::new(),
            skipped: Vec::new(),
        };
        let mut date = self.from;
        while date <= self.to {
            if let Some(day) = &week[date.weekday().num_days_from_monday() as usize] {
                let mut planned_today = 0i64;
                let mut cursor = date.and_time(day.start);
                let day_end = date.and_time(day.end);
                while cursor + len <= day_end {
                    let end = cursor + len;
                    if let Some((_, break_end)) = day
                        .breaks
                        .iter()
                        .find(|(bs, be)| cursor.time() < *be && end.time() > *bs)
                    {
                        cursor = date.and_time(*break_end);
                        continue;
                    }
                    let Some(start) = tz
                        .from_local_datetime(&cursor)
                        .earliest()
                        .map(|t| t.with_timezone(&Utc))
                    else {
                        cursor = end + buffer;
                        continue;
                    };
                    let mut verdict = check(ctx, &p, start, start + len, None)?;
                    // In a dry run nothing is inserted, so count the day's planned slots here.
                    if verdict.is_ok() && self.dry_run {
                        let limit = day_limit(&p, &ctx.settings);
                        if slots_on_day(ctx, p.id, start, None)? + planned_today >= limit {
                            verdict = Err((
                                SkipReason::DayLimit,
                                format!(
                                    "{} already has {limit} slots on {date} (the maximum)",
                                    p.name
                                ),
                            ));
                        }
                    }
                    match verdict {
                        Ok(()) => {
                            if !self.dry_run {
                                let id = insert(ctx, &p, &s, start, s.duration_min)?;
                                ctx.record(
                                    Action::Generate,
                                    EntityKind::Slot,
                                    &id.to_string(),
                                    None::<&Slot>,
                                    Some(&find(ctx.conn, id)?),
                                )?;
                            }
                            planned_today += 1;
                            out.created += 1;
                            out.starts.push(start);
                        }
                        Err((reason, message)) => out.skipped.push(SkippedSlot {
                            starts_at: start,
                            reason,
                            message,
                        }),
                    }
                    cursor = end + buffer;
                }
            }
            date += Duration::days(1);
        }
        Ok(out)
    }
}
