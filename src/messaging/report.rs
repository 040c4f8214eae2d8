//! The WhatsApp report: per customer and subject (a vehicle, a unit or a
//! booking), how many messages were delivered and when the last one went.
//! Updated only when a send succeeds, by the sender, in the transaction that
//! marks the message sent.

use std::collections::BTreeMap;

use rusqlite::types::Value;
use rusqlite::{OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::audit::{Action, EntityKind};
use crate::kernel::auth::Permission;
use crate::kernel::clock::to_db;
use crate::kernel::error::{Error, Result};
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::store::ListQuery;
use crate::kernel::types::{CustomerId, Page, Paging, ReportId};
use crate::messaging::outbox::SubjectType;

/// One more successful send to `customer` about `subject`: frequency + 1 and
/// the time sent, or a new row with frequency 1.
pub fn record_success(
    ctx: &Ctx<'_>,
    customer: CustomerId,
    subject_type: SubjectType,
    subject_id: &str,
) -> Result<()> {
    let now = to_db(ctx.now);
    ctx.conn
        .prepare_cached(
            "INSERT INTO whatsapp_report (id, customer_id, subject_type, subject_id, frequency, last_message_date,
                created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?5, ?5)
             ON CONFLICT(customer_id, subject_id) DO UPDATE SET frequency = frequency + 1,
                last_message_date = excluded.last_message_date, updated_at = excluded.updated_at",
        )?
        .execute((ReportId::new(), customer, subject_type, subject_id, &now))?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportRow {
    pub id: ReportId,
    pub customer_id: CustomerId,
    pub subject_type: SubjectType,
    pub subject_id: String,
    pub frequency: i64,
    pub last_message_date: String,
    pub created_at: String,
    pub updated_at: String,
}

const COLUMNS: &str =
    "r.id, r.customer_id, r.subject_type, r.subject_id, r.frequency, r.last_message_date,
    r.created_at, r.updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok(ReportRow {
        id: r.get(0)?,
        customer_id: r.get(1)?,
        subject_type: r.get(2)?,
        subject_id: r.get(3)?,
        frequency: r.get(4)?,
        last_message_date: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReportDetail {
    #[serde(flatten)]
    pub row: ReportRow,
    pub customer_name: String,
    pub customer_phone: String,
    /// `Toyota Avanza B 1234 CD`, a unit code, or a booking code.
    pub subject_label: String,
    pub vehicle_model: Option<String>,
    pub plate_number: Option<String>,
}

const DETAIL: &str =
    "SELECT r.id, r.customer_id, r.subject_type, r.subject_id, r.frequency, r.last_message_date,
    r.created_at, r.updated_at, c.name, c.phone, v.model, v.plate_number, u.code, b.code
  FROM whatsapp_report r
  JOIN customers c ON c.id = r.customer_id
  LEFT JOIN vehicles v ON r.subject_type = 'vehicle' AND v.id = r.subject_id
  LEFT JOIN units u ON r.subject_type = 'unit' AND u.id = r.subject_id
  LEFT JOIN bookings b ON r.subject_type = 'booking' AND b.id = r.subject_id";

fn detail_row(r: &Row<'_>) -> rusqlite::Result<ReportDetail> {
    let row = from_row(r)?;
    let model: Option<String> = r.get(10)?;
    let plate: Option<String> = r.get(11)?;
    let unit: Option<String> = r.get(12)?;
    let booking: Option<String> = r.get(13)?;
    let label = match (&model, &plate, unit, booking) {
        (Some(m), Some(p), _, _) => format!("{m} {p}"),
        (_, _, Some(u), _) => u,
        (_, _, _, Some(b)) => b,
        _ => row.subject_id.clone(),
    };
    Ok(ReportDetail {
        row,
        customer_name: r.get(8)?,
        customer_phone: r.get(9)?,
        subject_label: label,
        vehicle_model: model,
        plate_number: plate,
    })
}

/// Filters shared by the lists.
fn filtered(q: &mut ListQuery, customer: Option<CustomerId>, subject_type: Option<SubjectType>) {
    q.eq("r.customer_id", customer.map(|c| c.to_string()));
    q.eq("r.subject_type", subject_type.map(|s| s.as_str().into()));
    q.order_by(
        "r.last_message_date",
        crate::kernel::types::Direction::Desc,
        "r.",
    );
}

/// Every customer + subject messaged, latest first.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ListReport {
    pub customer_id: Option<CustomerId>,
    pub subject_type: Option<SubjectType>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ListReport {
    type Output = Page<ReportRow>;
    const NAME: &'static str = "whatsapp_report.list";
    const PERMISSION: Permission = Permission::ReportRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<ReportRow>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut q = ListQuery::new(
            format!("SELECT {COLUMNS} FROM whatsapp_report r"),
            "whatsapp_report r",
            "1=1",
        );
        filtered(&mut q, self.customer_id, self.subject_type);
        q.fetch(ctx.conn, paging, from_row)
    }
}

/// The list with the customer's name and phone and the subject's label.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReportDetails {
    pub customer_id: Option<CustomerId>,
    pub subject_type: Option<SubjectType>,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for ReportDetails {
    type Output = Page<ReportDetail>;
    const NAME: &'static str = "whatsapp_report.detail";
    const PERMISSION: Permission = Permission::ReportRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<ReportDetail>> {
        let paging = Paging::new(self.page, self.page_size)?;
        let mut q = ListQuery::new(DETAIL, "whatsapp_report r", "1=1");
        filtered(&mut q, self.customer_id, self.subject_type);
        q.fetch(ctx.conn, paging, detail_row)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportStatistics {
    /// Distinct customer + subject pairs messaged (frequency above 0).
    pub total_customers_with_vehicles: u64,
    /// Sum of the frequencies.
    pub total_messages_sent: u64,
    /// Messages per pair, 2 decimals.
    pub average_messages_per_customer: f64,
    /// Frequency → number of pairs.
    pub customers_by_frequency: BTreeMap<u64, u64>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct GetReportStatistics {}

impl Operation for GetReportStatistics {
    type Output = ReportStatistics;
    const NAME: &'static str = "whatsapp_report.statistics";
    const PERMISSION: Permission = Permission::ReportRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<ReportStatistics> {
        let by: BTreeMap<u64, u64> = ctx
            .conn
            .prepare(
                "SELECT frequency, COUNT(*) FROM whatsapp_report WHERE frequency > 0 GROUP BY frequency",
            )?
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?
            .map(|r| r.map(|(f, n)| (f.unsigned_abs(), n.unsigned_abs())))
            .collect::<rusqlite::Result<_>>()?;
        let pairs: u64 = by.values().sum();
        let total: u64 = by.iter().map(|(f, n)| f * n).sum();
        // Rounded half up to hundredths in integers, then shown as a number.
        let hundredths = if pairs == 0 {
            0
        } else {
            (total * 200 + pairs) / (2 * pairs)
        };
        #[allow(clippy::cast_precision_loss)]
        let average = hundredths as f64 / 100.0;
        Ok(ReportStatistics {
            total_customers_with_vehicles: pairs,
            total_messages_sent: total,
            average_messages_per_customer: average,
            customers_by_frequency: by,
        })
    }
}

/// A customer's rows.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CustomerReport {
    pub id: CustomerId,
    pub page: Option<u32>,
    pub page_size: Option<u32>,
}

impl Operation for CustomerReport {
    type Output = Page<ReportDetail>;
    const NAME: &'static str = "whatsapp_report.customer";
    const PERMISSION: Permission = Permission::ReportRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Page<ReportDetail>> {
        require_customer(ctx.conn, self.id)?;
        ReportDetails {
            customer_id: Some(self.id),
            subject_type: None,
            page: self.page,
            page_size: self.page_size,
        }
        .run(ctx)
    }
}

/// One customer + subject.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CustomerSubjectReport {
    pub id: CustomerId,
    /// The vehicle, unit or booking id.
    pub subject_id: uuid::Uuid,
}

impl Operation for CustomerSubjectReport {
    type Output = ReportDetail;
    const NAME: &'static str = "whatsapp_report.customer_subject";
    const PERMISSION: Permission = Permission::ReportRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<ReportDetail> {
        ctx.conn
            .prepare_cached(&format!(
                "{DETAIL} WHERE r.customer_id = ?1 AND r.subject_id = ?2"
            ))?
            .query_row((self.id, self.subject_id.to_string()), detail_row)
            .optional()?
            .ok_or(Error::NotFound {
                entity: "WhatsApp report",
            })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportChanged {
    pub message: String,
    pub count: u64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DeleteReport {
    pub id: ReportId,
}

impl Operation for DeleteReport {
    type Output = ReportChanged;
    const NAME: &'static str = "whatsapp_report.delete";
    const PERMISSION: Permission = Permission::ReportManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<ReportChanged> {
        let before = ctx
            .conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM whatsapp_report r WHERE r.id = ?1"
            ))?
            .query_row([self.id], from_row)
            .optional()?
            .ok_or(Error::NotFound {
                entity: "WhatsApp report",
            })?;
        ctx.conn
            .execute("DELETE FROM whatsapp_report WHERE id = ?1", [self.id])?;
        // Audited; no change-log row: the report is derived from this desk's outbox.
        crate::kernel::audit::note(
            ctx,
            Action::Delete,
            EntityKind::WhatsappReport,
            &self.id.to_string(),
            &before,
        )?;
        Ok(ReportChanged {
            message: "Report berhasil dihapus".into(),
            count: 1,
        })
    }
}

/// Sets the frequency back to 0 for one customer's rows, or for all (a new
/// counting period); the last message dates stay.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetFrequency {
    pub customer_id: Option<CustomerId>,
}

impl Operation for ResetFrequency {
    type Output = ReportChanged;
    const NAME: &'static str = "whatsapp_report.reset_frequency";
    const PERMISSION: Permission = Permission::ReportManage;
    const WRITES: bool = true;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<ReportChanged> {
        let now = Value::Text(to_db(ctx.now));
        let count = match self.customer_id {
            Some(c) => {
                require_customer(ctx.conn, c)?;
                ctx.conn.execute(
                    "UPDATE whatsapp_report SET frequency = 0, updated_at = ?2 WHERE customer_id = ?1",
                    (c, &now),
                )?
            }
            None => ctx.conn.execute(
                "UPDATE whatsapp_report SET frequency = 0, updated_at = ?1",
                [&now],
            )?,
        } as u64;
        let message = match self.customer_id {
            Some(c) => format!("Frequency untuk {count} report customer {c} berhasil direset"),
            None => format!("Frequency untuk {count} report berhasil direset"),
        };
        let result = ReportChanged { message, count };
        crate::kernel::audit::note(
            ctx,
            Action::ResetFrequency,
            EntityKind::WhatsappReport,
            &self
                .customer_id
                .map_or_else(|| "*".to_owned(), |c| c.to_string()),
            &result,
        )?;
        Ok(result)
    }
}

/// An unknown or deleted customer is a 404. Read here rather than through
/// `people`, which sits above `messaging` (the report rows reference the
/// customers table by foreign key).
fn require_customer(conn: &rusqlite::Connection, id: CustomerId) -> Result<()> {
    conn.prepare_cached("SELECT 1 FROM customers WHERE id = ?1 AND deleted_at IS NULL")?
        .exists([id])?
        .then_some(())
        .ok_or(Error::NotFound { entity: "customer" })
}
