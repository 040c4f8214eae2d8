//! A provider's weekly working plan: working hours and breaks per weekday,
//! from which slots are generated.

use chrono::NaiveTime;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::ProviderId;

/// A provider's week: working hours and breaks per weekday, local times.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkingPlan {
    pub days: Vec<WorkDay>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkDay {
    /// 0 = Monday … 6 = Sunday
    pub weekday: u8,
    /// `09:00`
    pub start: String,
    /// `17:00`
    pub end: String,
    #[serde(default)]
    pub breaks: Vec<Break>,
}

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Break {
    pub start: String,
    pub end: String,
}

/// A validated working day: times parsed, breaks sorted and inside the day.
#[derive(Clone, Debug)]
pub struct Day {
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub breaks: Vec<(NaiveTime, NaiveTime)>,
}

fn time(raw: &str, field: &str) -> Result<NaiveTime> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| Error::validation(field, "must be a time such as 09:00"))
}

impl WorkingPlan {
    /// Checks every day and returns the plan by weekday (index 0 = Monday).
    pub fn validate(&self) -> Result<[Option<Day>; 7]> {
        let mut week: [Option<Day>; 7] = Default::default();
        for (i, d) in self.days.iter().enumerate() {
            let field = |name: &str| format!("days[{i}].{name}");
            let slot = week.get_mut(usize::from(d.weekday)).ok_or_else(|| {
                Error::validation(field("weekday"), "must be 0 (Monday) to 6 (Sunday)")
            })?;
            if slot.is_some() {
                return Err(Error::validation(field("weekday"), "appears twice"));
            }
            let (start, end) = (
                time(&d.start, &field("start"))?,
                time(&d.end, &field("end"))?,
            );
            if end <= start {
                return Err(Error::validation(field("end"), "must be after start"));
            }
            let mut breaks = Vec::new();
            for (j, b) in d.breaks.iter().enumerate() {
                let bf = |name: &str| format!("days[{i}].breaks[{j}].{name}");
                let (bs, be) = (time(&b.start, &bf("start"))?, time(&b.end, &bf("end"))?);
                if be <= bs {
                    return Err(Error::validation(bf("end"), "must be after start"));
                }
                if bs < start || be > end {
                    return Err(Error::validation(
                        bf(if bs < start { "start" } else { "end" }),
                        "must lie within the working hours",
                    ));
                }
                breaks.push((bs, be));
            }
            breaks.sort();
            if breaks.windows(2).any(|w| w[1].0 < w[0].1) {
                return Err(Error::validation(field("breaks"), "must not overlap"));
            }
            *slot = Some(Day { start, end, breaks });
        }
        Ok(week)
    }

    /// The same plan with times written `HH:MM` and days in weekday order.
    fn normalised(&self) -> Result<WorkingPlan> {
        let week = self.validate()?;
        let hm = |t: NaiveTime| t.format("%H:%M").to_string();
        Ok(WorkingPlan {
            days: week
                .iter()
                .enumerate()
                .filter_map(|(i, d)| d.as_ref().map(|d| (i, d)))
                .map(|(i, d)| WorkDay {
                    weekday: i as u8,
                    start: hm(d.start),
                    end: hm(d.end),
                    breaks: d
                        .breaks
                        .iter()
                        .map(|(s, e)| Break {
                            start: hm(*s),
                            end: hm(*e),
                        })
                        .collect(),
                })
                .collect(),
        })
    }
}

pub fn working_plan(conn: &Connection, id: ProviderId) -> Result<WorkingPlan> {
    let raw: Option<String> = conn
        .query_row(
            "SELECT working_plan FROM providers WHERE id = ?1 AND deleted_at IS NULL",
            [id],
            |r| r.get(0),
        )
        .optional()?;
    let raw = raw.ok_or(Error::NotFound { entity: "provider" })?;
    serde_json::from_str(&raw)
        .map_err(|e| Error::internal(format!("stored working plan unreadable: {e}")))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GetWorkingPlan {
    pub id: ProviderId,
}

impl Operation for GetWorkingPlan {
    type Output = WorkingPlan;
    const NAME: &'static str = "providers.working_plan.get";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<WorkingPlan> {
        working_plan(ctx.conn, self.id)
    }
}

/// Replaces a provider's weekly plan (existing slots are not touched).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetWorkingPlan {
    pub id: ProviderId,
    pub days: Vec<WorkDay>,
}

impl Operation for SetWorkingPlan {
    type Output = WorkingPlan;
    const NAME: &'static str = "providers.working_plan.set";
    const PERMISSION: Permission = Permission::ScheduleWrite;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<WorkingPlan> {
        let before = working_plan(ctx.conn, self.id)?;
        let plan = WorkingPlan { days: self.days }.normalised()?;
        ctx.conn.execute(
            "UPDATE providers SET working_plan = ?2, updated_at = ?3, version = version + 1 WHERE id = ?1",
            (self.id, serde_json::to_string(&plan)?, to_db(ctx.now)),
        )?;
        ctx.record(
            Action::WorkingPlan,
            EntityKind::Provider,
            &self.id.to_string(),
            Some(&before),
            Some(&plan),
        )?;
        Ok(plan)
    }
}
