//! Bookings across branches, read from the rows branches pushed
//! (`branch_rows.data`, the desk's own booking as its change log wrote it),
//! with the indexes of migration 2. What a field means is the desk's.

use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{PgPool, Row};
use utoipa::ToSchema;
use uuid::Uuid;

use loket::booking::bookings::BookingStatus;
use loket::booking::priority::Segment;

use crate::error::Result;
use crate::query::{DateRange, Params};

/// SQL for a money field of a pushed row as `numeric`; a value that is not
/// a number (no desk writes one) counts as nothing rather than failing.
pub fn money(field: &str) -> String {
    format!(
        "(CASE WHEN data->>'{field}' ~ '^-?[0-9]+(\\.[0-9]+)?$' THEN (data->>'{field}')::numeric END)"
    )
}

/// The booking statuses, as the desk names them.
pub fn statuses() -> Vec<&'static str> {
    BookingStatus::ALL.iter().map(|s| s.as_str()).collect()
}

/// The priority segments, as the desk names them.
pub fn segments() -> Vec<&'static str> {
    Segment::ALL.iter().map(|s| s.as_str()).collect()
}

/// What the booking list filters by.
pub struct Filter {
    pub branch_id: Option<Uuid>,
    pub dates: DateRange,
    pub booking_status: Option<&'static str>,
    pub segment: Option<&'static str>,
}

impl Filter {
    pub fn parse(params: &Params) -> Result<Filter> {
        Ok(Filter {
            branch_id: params.uuid("branch_id")?,
            dates: params.date_range()?,
            booking_status: params.one_of("booking_status", &statuses())?,
            segment: params.one_of("segment", &segments())?,
        })
    }
}

/// A booking as head office lists it: the branch's booking, with the branch.
#[derive(Debug, Serialize, ToSchema)]
pub struct HqBooking {
    pub branch_id: Uuid,
    pub branch_name: String,
    pub id: String,
    /// The branch's `BK-YYYY-NNN` (unique per branch only).
    pub code: Option<String>,
    /// `YYYY-MM-DD`, in the business's time zone.
    pub booking_date: Option<String>,
    pub event_at: Option<String>,
    pub booking_status: Option<String>,
    pub payment_status: Option<String>,
    pub price: Option<Decimal>,
    pub booking_fee: Option<Decimal>,
    pub priority_segment: Option<String>,
    pub priority_score: Option<i32>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub customer_phone: Option<String>,
    pub service_name: Option<String>,
    pub unit_code: Option<String>,
    /// Where it was made: `desk`, or `whatsapp` (head office's bot) and
    /// `online`; a booking pushed by a desk older than the field is `desk`.
    pub source: String,
}

/// One page of bookings, newest booking date first (then newest made: the
/// ids are UUID v7); the total.
pub async fn list(
    pool: &PgPool,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<HqBooking>, i64)> {
    let sql = format!(
        "SELECT r.branch_id, b.name AS branch_name, r.entity_id,
                data->>'code' AS code, data->>'booking_date' AS booking_date,
                data->>'event_at' AS event_at, data->>'booking_status' AS booking_status,
                data->>'payment_status' AS payment_status,
                {price} AS price, {fee} AS booking_fee,
                data->>'priority_segment' AS priority_segment,
                CASE WHEN jsonb_typeof(data->'priority_score') = 'number'
                     THEN (data->>'priority_score')::numeric::integer END AS priority_score,
                data->>'customer_id' AS customer_id, data->>'customer_name' AS customer_name,
                data->>'customer_phone' AS customer_phone, data->>'service_name' AS service_name,
                data->>'unit_code' AS unit_code,
                coalesce(data->>'source', 'desk') AS source,
                count(*) OVER () AS total
         FROM branch_rows r JOIN branches b ON b.id = r.branch_id
         WHERE r.entity = 'booking' AND NOT r.deleted
           AND ($1::uuid IS NULL OR r.branch_id = $1)
           AND ($2::text IS NULL OR data->>'booking_date' >= $2)
           AND ($3::text IS NULL OR data->>'booking_date' <= $3)
           AND ($4::text IS NULL OR data->>'booking_status' = $4)
           AND ($5::text IS NULL OR data->>'priority_segment' = $5)
         ORDER BY data->>'booking_date' DESC, r.entity_id DESC
         LIMIT $6 OFFSET $7",
        price = money("price"),
        fee = money("booking_fee"),
    );
    // Built from this module's constants only.
    let rows = sqlx::query(sqlx_core::sql_str::AssertSqlSafe(sql))
        .bind(filter.branch_id)
        .bind(filter.dates.from_text())
        .bind(filter.dates.to_text())
        .bind(filter.booking_status)
        .bind(filter.segment)
        .bind(limit)
        .bind(offset)
        .fetch_all(pool)
        .await?;
    let total = crate::query::total_of(&rows)?;
    let data = rows
        .iter()
        .map(|r| {
            Ok(HqBooking {
                branch_id: r.try_get("branch_id")?,
                branch_name: r.try_get("branch_name")?,
                id: r.try_get("entity_id")?,
                code: r.try_get("code")?,
                booking_date: r.try_get("booking_date")?,
                event_at: r.try_get("event_at")?,
                booking_status: r.try_get("booking_status")?,
                payment_status: r.try_get("payment_status")?,
                price: r.try_get("price")?,
                booking_fee: r.try_get("booking_fee")?,
                priority_segment: r.try_get("priority_segment")?,
                priority_score: r.try_get("priority_score")?,
                customer_id: r.try_get("customer_id")?,
                customer_name: r.try_get("customer_name")?,
                customer_phone: r.try_get("customer_phone")?,
                service_name: r.try_get("service_name")?,
                unit_code: r.try_get("unit_code")?,
                source: r.try_get("source")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((data, total))
}
