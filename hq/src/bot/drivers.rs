//! The bot's effects carried out over what head office knows: the customer
//! master, and the providers, services, slots and bookings branches pushed
//! (`branch_rows.data`, the desk's own records as its change log wrote
//! them) plus head office's own service catalogue. Each answers the event
//! the conversation waits for. `Book` and `Cancel` are `hq_bookings`'.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::{PgConnection, Row};
use uuid::Uuid;

use loket::booking::bookings::BookingStatus;
use loket::bot::{
    Effect, Event, FreeSlot, KnownCustomer, ProviderFound, ServiceOffer, UpcomingBooking,
};
use loket::kernel::types::{BookingId, Language, ProviderId, ServiceId, SlotId};
use loket::scheduling::geo;

use crate::error::Result;

/// More providers than a customer pages through ("lagi" shows 5 at a time).
const MAX_PROVIDERS: usize = 50;
/// A week of slots of one provider and service, with room to spare.
const MAX_SLOTS: usize = 200;
const MAX_BOOKINGS: usize = 20;

/// Carries out `effect` for the customer at `phone` (digits as the gateway
/// gave them) and answers its result.
pub async fn perform(
    conn: &mut PgConnection,
    phone: &str,
    effect: Effect,
    now: DateTime<Utc>,
) -> Result<Event> {
    Ok(match effect {
        Effect::LookUpCustomer => Event::CustomerFound(look_up_customer(conn, phone).await?),
        Effect::FindProvidersNear {
            latitude,
            longitude,
            radius_km,
        } => Event::ProvidersFound(providers_near(conn, latitude, longitude, radius_km).await?),
        Effect::FindProvidersInArea { text } => {
            Event::ProvidersFound(providers_named(conn, &text).await?)
        }
        Effect::FindFreeSlots {
            provider_id,
            service_id,
            from,
            to,
        } => Event::FreeSlotsFound(free_slots(conn, provider_id, service_id, from, to).await?),
        Effect::ListUpcomingBookings => {
            Event::UpcomingBookings(upcoming_bookings(conn, phone, now).await?)
        }
        Effect::Book {
            provider_id,
            service_id,
            slot_id,
            name,
            address,
            latitude,
            longitude,
            language,
        } => {
            let Some(phone) = master_phone(phone) else {
                return Ok(Event::EffectFailed);
            };
            let request = crate::hq_bookings::NewBooking {
                source: "whatsapp",
                phone: &phone,
                name: &name,
                language,
                provider_id,
                service_id,
                slot_id,
                address: &address,
                latitude,
                longitude,
                extra: None,
            };
            Event::BookResult(crate::hq_bookings::book(conn, &request, now).await?)
        }
        Effect::Cancel { booking_id } => {
            let Some(phone) = master_phone(phone) else {
                return Ok(Event::EffectFailed);
            };
            let reason = "dibatalkan pelanggan lewat WhatsApp";
            Event::CancelResult(crate::hq_bookings::cancel(conn, &phone, booking_id, reason).await?)
        }
    })
}

/// The phone in the customer master's form (`62…`), when it is an
/// Indonesian number the desk's rule reads.
fn master_phone(phone: &str) -> Option<String> {
    loket::kernel::validate::phone(phone, "phone").ok()
}

/// The master customer of this phone, with the language a branch recorded
/// for them (Indonesian when none did).
async fn look_up_customer(conn: &mut PgConnection, phone: &str) -> Result<Option<KnownCustomer>> {
    let Some(phone) = master_phone(phone) else {
        return Ok(None);
    };
    let row = sqlx::query(
        "SELECT m.name,
                (SELECT r.data->>'language' FROM master_customer_links l
                 JOIN branch_rows r ON r.branch_id = l.branch_id AND r.entity = 'customer'
                      AND r.entity_id = l.customer_id AND NOT r.deleted
                 WHERE l.master_id = m.id AND r.data->>'language' IS NOT NULL
                 ORDER BY r.changed_at DESC LIMIT 1) AS language
         FROM master_customers m
         WHERE m.phone = $1
           AND EXISTS (SELECT 1 FROM master_customer_links l WHERE l.master_id = m.id)",
    )
    .bind(phone)
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let language: Option<String> = row.try_get("language")?;
    Ok(Some(KnownCustomer {
        name: row.try_get("name")?,
        language: language
            .as_deref()
            .and_then(Language::parse)
            .unwrap_or(Language::Id),
    }))
}

/// An active provider as pushed, before its services are added.
struct Candidate {
    branch_id: Uuid,
    id: ProviderId,
    name: String,
    distance_km: Option<f64>,
    service_ids: Vec<String>,
}

/// Which providers [`candidates`] reads.
enum Among<'a> {
    /// Those whose coordinates lie in the box (latitudes, longitudes):
    /// through the GiST index of migration 10.
    Box((f64, f64), (f64, f64)),
    /// Those whose name contains the text (an ILIKE pattern).
    Named(&'a str),
}

/// The columns of an active provider as pushed, and the rows to read
/// (`$where`). Numbers are read through `loket_coordinate` (migration 10),
/// NULL unless plausible: a malformed row of one branch is left out rather
/// than failing every customer's search.
macro_rules! active_providers {
    ($where:literal) => {
        concat!(
            "SELECT branch_id, entity_id, data->>'name' AS name,
                    loket_coordinate(data->'latitude') AS latitude,
                    loket_coordinate(data->'longitude') AS longitude,
                    CASE WHEN jsonb_typeof(data->'service_ids') = 'array'
                         THEN data->'service_ids' ELSE '[]' END AS service_ids
             FROM branch_rows
             WHERE entity = 'provider' AND NOT deleted AND data->'active' = 'true'
               AND jsonb_typeof(data->'name') = 'string'
               AND loket_coordinate(data->'latitude') IS NOT NULL
               AND loket_coordinate(data->'longitude') IS NOT NULL AND ",
            $where
        )
    };
}

/// Active providers with coordinates, among those `among` names.
async fn candidates(
    conn: &mut PgConnection,
    among: Among<'_>,
) -> Result<Vec<(Candidate, f64, f64)>> {
    let rows = match among {
        Among::Box((lat_min, lat_max), (lng_min, lng_max)) => {
            sqlx::query(active_providers!(
                "point(loket_coordinate(data->'longitude'), loket_coordinate(data->'latitude'))
                 <@ box(point($1, $2), point($3, $4))"
            ))
            .bind(lng_min)
            .bind(lat_min)
            .bind(lng_max)
            .bind(lat_max)
            .fetch_all(conn)
            .await?
        }
        Among::Named(pattern) => {
            sqlx::query(active_providers!("data->>'name' ILIKE $1"))
                .bind(pattern)
                .fetch_all(conn)
                .await?
        }
    };
    let mut found = Vec::with_capacity(rows.len());
    for row in rows {
        let entity_id: String = row.try_get("entity_id")?;
        let Ok(id) = entity_id.parse::<ProviderId>() else {
            continue;
        };
        let service_ids: Value = row.try_get("service_ids")?;
        let service_ids = service_ids
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect();
        found.push((
            Candidate {
                branch_id: row.try_get("branch_id")?,
                id,
                name: row.try_get("name")?,
                distance_km: None,
                service_ids,
            },
            row.try_get("latitude")?,
            row.try_get("longitude")?,
        ));
    }
    Ok(found)
}

/// Active providers within `radius_km` of the pin, nearest first, each with
/// its active services (one that offers none is left out).
async fn providers_near(
    conn: &mut PgConnection,
    latitude: f64,
    longitude: f64,
    radius_km: f64,
) -> Result<Vec<ProviderFound>> {
    let bounds = geo::bounding_box(latitude, longitude, radius_km);
    // Near a pole every longitude; across the antimeridian two ranges.
    let ranges = if bounds.lng_ranges.is_empty() {
        vec![(-180.0, 180.0)]
    } else {
        bounds.lng_ranges.clone()
    };
    let mut in_box = Vec::new();
    for lng in ranges {
        let among = Among::Box((bounds.lat_min, bounds.lat_max), lng);
        in_box.extend(candidates(conn, among).await?);
    }
    let mut near: Vec<Candidate> = in_box
        .into_iter()
        .filter_map(|(mut candidate, lat, lng)| {
            let distance = geo::haversine_km(latitude, longitude, lat, lng);
            (distance <= radius_km).then(|| {
                candidate.distance_km = Some(distance);
                candidate
            })
        })
        .collect();
    near.sort_by(|a, b| {
        a.distance_km
            .partial_cmp(&b.distance_km)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.name.cmp(&b.name))
    });
    with_services(conn, near).await
}

/// Active providers whose name contains the typed text. Providers have no
/// area of their own at the desk, so the name is what a typed area can
/// match; the bot asks for a pin when nothing does.
async fn providers_named(conn: &mut PgConnection, text: &str) -> Result<Vec<ProviderFound>> {
    let text = text.trim();
    if text.chars().count() < 3 {
        return Ok(Vec::new());
    }
    let pattern = format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let mut named: Vec<Candidate> = candidates(conn, Among::Named(&pattern))
        .await?
        .into_iter()
        .map(|(candidate, _, _)| candidate)
        .collect();
    named.sort_by(|a, b| a.name.cmp(&b.name));
    with_services(conn, named).await
}

/// The candidates with their active services, from the branch's own
/// services and head office's catalogue; at most [`MAX_PROVIDERS`].
async fn with_services(
    conn: &mut PgConnection,
    candidates: Vec<Candidate>,
) -> Result<Vec<ProviderFound>> {
    let candidates: Vec<Candidate> = candidates.into_iter().take(MAX_PROVIDERS).collect();
    let (branches, service_ids): (Vec<Uuid>, Vec<String>) = candidates
        .iter()
        .flat_map(|c| c.service_ids.iter().map(|s| (c.branch_id, s.clone())))
        .unzip();
    let rows = sqlx::query(
        "SELECT t.branch_id, t.service_id,
                coalesce(own.data->>'name', hq.name) AS name,
                coalesce(own.data->>'price', trim_scale(hq.price)::text) AS price,
                coalesce(CASE WHEN jsonb_typeof(own.data->'duration_min') = 'number'
                              THEN (own.data->>'duration_min')::float8::int8 END,
                         hq.duration_min) AS duration_min
         FROM UNNEST($1::uuid[], $2::text[]) AS t(branch_id, service_id)
         LEFT JOIN branch_rows own ON own.branch_id = t.branch_id AND own.entity = 'service'
              AND own.entity_id = t.service_id AND NOT own.deleted AND own.data->'active' = 'true'
         LEFT JOIN services hq ON hq.id::text = t.service_id AND hq.active AND hq.deleted_at IS NULL
         WHERE own.entity_id IS NOT NULL OR hq.id IS NOT NULL",
    )
    .bind(&branches)
    .bind(&service_ids)
    .fetch_all(conn)
    .await?;
    let mut offers: HashMap<(Uuid, String), ServiceOffer> = HashMap::new();
    for row in rows {
        let service_id: String = row.try_get("service_id")?;
        let offer = serde_json::json!({
            "id": service_id,
            "name": row.try_get::<Option<String>, _>("name")?,
            "price": row.try_get::<Option<String>, _>("price")?,
            "duration_min": row.try_get::<Option<i64>, _>("duration_min")?,
        });
        // A service whose pushed row does not read as one is not offered.
        if let Ok(offer) = serde_json::from_value::<ServiceOffer>(offer) {
            offers.insert((row.try_get("branch_id")?, service_id), offer);
        }
    }
    Ok(candidates
        .into_iter()
        .filter_map(|c| {
            let services: Vec<ServiceOffer> = c
                .service_ids
                .iter()
                .filter_map(|s| offers.get(&(c.branch_id, s.clone())).cloned())
                .collect();
            (!services.is_empty()).then_some(ProviderFound {
                id: c.id,
                name: c.name,
                distance_km: c.distance_km,
                services,
            })
        })
        .collect())
}

/// The provider's slots of the service that start in `[from, to)` and that
/// head office believes free: available as last pushed, and held by no open
/// booking it knows of. Earliest first.
async fn free_slots(
    conn: &mut PgConnection,
    provider_id: ProviderId,
    service_id: ServiceId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<FreeSlot>> {
    let rows = sqlx::query(concat!(
        "SELECT s.entity_id, s.data->>'starts_at' AS starts_at, s.data->>'ends_at' AS ends_at
         FROM branch_rows s
         WHERE s.data->>'provider_id' = $1 AND s.data->>'service_id' = $2 AND ",
        crate::hq_bookings::free_as_pushed!(),
        " AND ",
        crate::hq_bookings::not_held_here!(),
    ))
    .bind(provider_id.to_string())
    .bind(service_id.to_string())
    .fetch_all(conn)
    .await?;
    let mut slots = Vec::new();
    for row in rows {
        let id: String = row.try_get("entity_id")?;
        let starts_at: Option<String> = row.try_get("starts_at")?;
        let ends_at: Option<String> = row.try_get("ends_at")?;
        let (Ok(id), Some(Ok(starts_at)), Some(Ok(ends_at))) = (
            id.parse::<SlotId>(),
            starts_at.map(|t| t.parse::<DateTime<Utc>>()),
            ends_at.map(|t| t.parse::<DateTime<Utc>>()),
        ) else {
            continue;
        };
        if starts_at >= from && starts_at < to {
            slots.push(FreeSlot {
                id,
                starts_at,
                ends_at,
            });
        }
    }
    slots.sort_by_key(|s| (s.starts_at, s.id));
    slots.truncate(MAX_SLOTS);
    Ok(slots)
}

/// The phone's open bookings at every branch from now on, earliest first:
/// as the branches pushed them, and those made here that their branch has
/// not pushed back yet. A pending one may be cancelled.
async fn upcoming_bookings(
    conn: &mut PgConnection,
    phone: &str,
    now: DateTime<Utc>,
) -> Result<Vec<UpcomingBooking>> {
    let Some(phone) = master_phone(phone) else {
        return Ok(Vec::new());
    };
    let rows = sqlx::query(
        "SELECT entity_id, data->>'code' AS code, data->>'service_name' AS service_name,
                data->>'event_at' AS event_at, data->>'booking_status' AS booking_status
         FROM branch_rows
         WHERE entity = 'booking' AND NOT deleted AND data->>'customer_phone' = $1
           AND data->>'booking_status' IN ('pending', 'active')
         UNION ALL
         SELECT h.id::text, h.code, h.service_name,
                to_char(h.starts_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), 'pending'
         FROM hq_bookings h
         WHERE h.customer_phone = $1 AND h.canceled_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM branch_rows b
                           WHERE b.branch_id = h.branch_id AND b.entity = 'booking'
                             AND b.entity_id = h.id::text)",
    )
    .bind(phone)
    .fetch_all(conn)
    .await?;
    let mut upcoming = Vec::new();
    for row in rows {
        let id: String = row.try_get("entity_id")?;
        let event_at: Option<String> = row.try_get("event_at")?;
        let status: Option<String> = row.try_get("booking_status")?;
        let (Ok(id), Some(Ok(starts_at)), Some(status)) = (
            id.parse::<BookingId>(),
            event_at.map(|t| t.parse::<DateTime<Utc>>()),
            status.as_deref().and_then(BookingStatus::parse),
        ) else {
            continue;
        };
        if starts_at < now {
            continue;
        }
        upcoming.push(UpcomingBooking {
            id,
            code: row
                .try_get::<Option<String>, _>("code")?
                .unwrap_or_default(),
            service: row
                .try_get::<Option<String>, _>("service_name")?
                .unwrap_or_default(),
            starts_at,
            cancellable: status == BookingStatus::Pending,
            status,
        });
    }
    upcoming.sort_by_key(|b| b.starts_at);
    upcoming.truncate(MAX_BOOKINGS);
    Ok(upcoming)
}
