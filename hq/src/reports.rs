//! Cross-branch reports over the bookings branches pushed. Every figure
//! leaves out canceled bookings (and deleted rows); dates are booking dates
//! (the business's day, as the desk set it). Money is what a booking row
//! carries: `price`, `booking_fee` and `payment_status`; a row has no
//! separate record of payments, so the amount paid is the whole price of a
//! `paid` booking plus the booking fee of a `dp` (down payment) one.
//!
//!
//! The messages report counts how branches' WhatsApp messages ended: a desk
//! logs a change when one is sent or fails for good (its kind, status,
//! gateway and business day; never the number or the text).

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::bookings::money;
use crate::error::Result;
use crate::query::{CsvRow, DateRange, Params};

/// What every report filters by: `from`, `to` (booking dates, inclusive)
/// and `branch_id`.
pub struct Filter {
    pub branch_id: Option<Uuid>,
    pub dates: DateRange,
}

impl Filter {
    pub fn parse(params: &Params) -> Result<Filter> {
        Ok(Filter {
            branch_id: params.uuid("branch_id")?,
            dates: params.date_range()?,
        })
    }
}

/// The rows a report groups: open bookings of the filter. `$1` branch,
/// `$2`/`$3` the dates.
const BOOKINGS: &str = "FROM branch_rows r JOIN branches b ON b.id = r.branch_id
     WHERE r.entity = 'booking' AND NOT r.deleted
       AND coalesce(r.data->>'booking_status', '') <> 'canceled'
       AND ($1::uuid IS NULL OR r.branch_id = $1)
       AND ($2::text IS NULL OR r.data->>'booking_date' >= $2)
       AND ($3::text IS NULL OR r.data->>'booking_date' <= $3)";

/// `GET /api/v1/reports/bookings-per-day`: one row per booking date and branch.
#[derive(Debug, Serialize, ToSchema)]
pub struct DayRow {
    /// `YYYY-MM-DD`
    pub date: String,
    pub branch_id: Uuid,
    pub branch_name: String,
    pub bookings: i64,
    /// The sum of their prices.
    pub revenue: Decimal,
}

impl CsvRow for DayRow {
    const HEADER: &'static [&'static str] =
        &["date", "branch_id", "branch_name", "bookings", "revenue"];
}

pub async fn bookings_per_day(pool: &PgPool, filter: &Filter) -> Result<Vec<DayRow>> {
    let sql = format!(
        "SELECT r.data->>'booking_date' AS date, r.branch_id, b.name AS branch_name,
                count(*) AS bookings, coalesce(sum({price}), 0) AS revenue
         {BOOKINGS}
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2",
        price = money("price"),
    );
    let rows = bind(sql, filter).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(DayRow {
                date: r.try_get::<Option<String>, _>("date")?.unwrap_or_default(),
                branch_id: r.try_get("branch_id")?,
                branch_name: r.try_get("branch_name")?,
                bookings: r.try_get("bookings")?,
                revenue: r.try_get("revenue")?,
            })
        })
        .collect()
}

/// `GET /api/v1/reports/revenue-per-month`: one row per month and branch.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthRow {
    /// `YYYY-MM`
    pub month: String,
    pub branch_id: Uuid,
    pub branch_name: String,
    pub bookings: i64,
    /// The sum of the bookings' prices.
    pub price: Decimal,
    /// The sum of their booking fees.
    pub booking_fees: Decimal,
    /// The price of `paid` bookings plus the booking fee of `dp` ones.
    pub amount_paid: Decimal,
}

impl CsvRow for MonthRow {
    const HEADER: &'static [&'static str] = &[
        "month",
        "branch_id",
        "branch_name",
        "bookings",
        "price",
        "booking_fees",
        "amount_paid",
    ];
}

pub async fn revenue_per_month(pool: &PgPool, filter: &Filter) -> Result<Vec<MonthRow>> {
    let sql = format!(
        "SELECT left(r.data->>'booking_date', 7) AS month, r.branch_id, b.name AS branch_name,
                count(*) AS bookings, coalesce(sum({price}), 0) AS price,
                coalesce(sum({fee}), 0) AS booking_fees,
                coalesce(sum(CASE r.data->>'payment_status' WHEN 'paid' THEN {price}
                                                             WHEN 'dp' THEN {fee} END), 0)
                    AS amount_paid
         {BOOKINGS}
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2",
        price = money("price"),
        fee = money("booking_fee"),
    );
    let rows = bind(sql, filter).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(MonthRow {
                month: r.try_get::<Option<String>, _>("month")?.unwrap_or_default(),
                branch_id: r.try_get("branch_id")?,
                branch_name: r.try_get("branch_name")?,
                bookings: r.try_get("bookings")?,
                price: r.try_get("price")?,
                booking_fees: r.try_get("booking_fees")?,
                amount_paid: r.try_get("amount_paid")?,
            })
        })
        .collect()
}

/// `GET /api/v1/reports/segments`: bookings per priority segment per branch.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentRow {
    pub branch_id: Uuid,
    pub branch_name: String,
    /// `high`, `medium` or `low`, as the desk scored it last.
    pub segment: String,
    pub bookings: i64,
}

impl CsvRow for SegmentRow {
    const HEADER: &'static [&'static str] = &["branch_id", "branch_name", "segment", "bookings"];
}

pub async fn segments(pool: &PgPool, filter: &Filter) -> Result<Vec<SegmentRow>> {
    let sql = format!(
        "SELECT r.branch_id, b.name AS branch_name,
                coalesce(r.data->>'priority_segment', '') AS segment, count(*) AS bookings
         {BOOKINGS}
         GROUP BY 1, 2, 3
         ORDER BY 2, 1, CASE coalesce(r.data->>'priority_segment', '') WHEN 'high' THEN 1 WHEN 'medium' THEN 2 WHEN 'low' THEN 3 ELSE 4 END"
    );
    let rows = bind(sql, filter).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(SegmentRow {
                branch_id: r.try_get("branch_id")?,
                branch_name: r.try_get("branch_name")?,
                segment: r.try_get("segment")?,
                bookings: r.try_get("bookings")?,
            })
        })
        .collect()
}

/// How messages ended, per business day and branch. `$1` branch, `$2`/`$3`
/// the dates.
const MESSAGES: &str = "FROM branch_rows r JOIN branches b ON b.id = r.branch_id
     WHERE r.entity = 'message' AND NOT r.deleted
       AND ($1::uuid IS NULL OR r.branch_id = $1)
       AND ($2::text IS NULL OR r.data->>'date' >= $2)
       AND ($3::text IS NULL OR r.data->>'date' <= $3)";

/// `GET /api/v1/reports/messages`: one row per day and branch.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessageRow {
    /// `YYYY-MM-DD`, the business day the message was sent or failed.
    pub date: String,
    pub branch_id: Uuid,
    pub branch_name: String,
    /// Delivered to a WhatsApp gateway.
    pub sent: i64,
    /// Refused for good, or given up after the retries.
    pub failed: i64,
    /// "Sent" by a desk with no gateway (log only): nothing went out.
    pub log_only: i64,
}

impl CsvRow for MessageRow {
    const HEADER: &'static [&'static str] = &[
        "date",
        "branch_id",
        "branch_name",
        "sent",
        "failed",
        "log_only",
    ];
}

pub async fn messages(pool: &PgPool, filter: &Filter) -> Result<Vec<MessageRow>> {
    let sql = format!(
        "SELECT r.data->>'date' AS date, r.branch_id, b.name AS branch_name,
                count(*) FILTER (WHERE r.data->>'status' = 'sent' AND r.data->>'gateway' <> 'log') AS sent,
                count(*) FILTER (WHERE r.data->>'status' = 'failed') AS failed,
                count(*) FILTER (WHERE r.data->>'status' = 'sent' AND r.data->>'gateway' = 'log') AS log_only
         {MESSAGES}
         GROUP BY 1, 2, 3 ORDER BY 1, 3, 2"
    );
    let rows = bind(sql, filter).fetch_all(pool).await?;
    rows.iter()
        .map(|r| {
            Ok(MessageRow {
                date: r.try_get::<Option<String>, _>("date")?.unwrap_or_default(),
                branch_id: r.try_get("branch_id")?,
                branch_name: r.try_get("branch_name")?,
                sent: r.try_get("sent")?,
                failed: r.try_get("failed")?,
                log_only: r.try_get("log_only")?,
            })
        })
        .collect()
}

/// The report's SQL (built from this module's constants only) with the
/// filter bound.
fn bind(
    sql: String,
    filter: &Filter,
) -> sqlx::query::Query<'static, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sqlx_core::sql_str::AssertSqlSafe(sql))
        .bind(filter.branch_id)
        .bind(filter.dates.from_text())
        .bind(filter.dates.to_text())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The header written for an empty report is the one serde would write.
    fn header_of<T: CsvRow>(row: T) {
        let mut writer = csv::Writer::from_writer(Vec::new());
        writer.serialize(row).unwrap();
        let text = String::from_utf8(writer.into_inner().unwrap()).unwrap();
        let first = text.lines().next().unwrap();
        assert_eq!(first.split(',').collect::<Vec<_>>(), T::HEADER);
    }

    #[test]
    fn csv_headers_are_the_field_names() {
        let branch_id = Uuid::nil();
        let branch_name = String::new();
        header_of(DayRow {
            date: String::new(),
            branch_id,
            branch_name: branch_name.clone(),
            bookings: 0,
            revenue: Decimal::ZERO,
        });
        header_of(MonthRow {
            month: String::new(),
            branch_id,
            branch_name: branch_name.clone(),
            bookings: 0,
            price: Decimal::ZERO,
            booking_fees: Decimal::ZERO,
            amount_paid: Decimal::ZERO,
        });
        header_of(SegmentRow {
            branch_id,
            branch_name: branch_name.clone(),
            segment: String::new(),
            bookings: 0,
        });
        header_of(MessageRow {
            date: String::new(),
            branch_id,
            branch_name,
            sent: 0,
            failed: 0,
            log_only: 0,
        });
    }
}
