//! The nearby search: active providers within a radius of a point, nearest
//! first, with their next free slots (bounding box on the coordinate index,
//! then exact haversine).

use rusqlite::Connection;
use rusqlite::types::Value;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::kernel::auth::Permission;
use crate::kernel::error::{Error, Result};
use crate::kernel::fields::Bounded;
use crate::kernel::ops::{Ctx, Operation};
use crate::kernel::types::{ProviderId, ServiceId};
use crate::scheduling::geo;
use crate::scheduling::slots::{self, Slot};

use super::{Latitude, Longitude, Provider, find};

/// Active providers near a point, nearest first, each with its next free slots.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NearbyProviders {
    pub lat: Latitude,
    pub lng: Longitude,
    /// Defaults to 25 km; at most 20,000.
    pub radius_km: Option<f64>,
    /// Only providers offering this service (and their slots for it).
    pub service_id: Option<ServiceId>,
    /// Defaults to 10.
    pub limit: Option<Bounded<1, 100>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NearbyProvider {
    pub provider: Provider,
    pub distance_km: f64,
    pub next_slots: Vec<Slot>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Nearby {
    pub data: Vec<NearbyProvider>,
}

impl Operation for NearbyProviders {
    type Output = Nearby;
    const NAME: &'static str = "providers.nearby";
    const PERMISSION: Permission = Permission::CatalogRead;
    const WRITES: bool = false;

    fn run(self, ctx: &mut Ctx<'_>) -> Result<Nearby> {
        let (lat, lng) = (self.lat.get(), self.lng.get());
        let radius = self.radius_km.unwrap_or(25.0);
        if !(radius > 0.0 && radius <= 20_000.0) {
            return Err(Error::validation(
                "radius_km",
                "must be more than 0 and at most 20000",
            ));
        }
        let limit = self.limit.map_or(10, Bounded::get);
        let mut found = nearby_ids(ctx.conn, lat, lng, radius, self.service_id)?;
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        found.truncate(limit as usize);
        let mut data = Vec::with_capacity(found.len());
        for (id, distance) in found {
            data.push(NearbyProvider {
                provider: find(ctx.conn, id)?,
                distance_km: (distance * 1000.0).round() / 1000.0,
                next_slots: slots::next_available(ctx.conn, id, self.service_id, ctx.now, 3)?,
            });
        }
        Ok(Nearby { data })
    }
}

/// Bounding-box prefilter on the coordinate index, then the exact distance.
fn nearby_ids(
    conn: &Connection,
    lat: f64,
    lng: f64,
    radius_km: f64,
    service: Option<ServiceId>,
) -> Result<Vec<(ProviderId, f64)>> {
    let b = geo::bounding_box(lat, lng, radius_km);
    let mut sql = String::from(
        "SELECT id, latitude_e6, longitude_e6 FROM providers INDEXED BY providers_location
         WHERE deleted_at IS NULL AND active = 1 AND latitude_e6 BETWEEN ? AND ?",
    );
    let mut args = vec![
        Value::Integer(geo::to_e6(b.lat_min)),
        Value::Integer(geo::to_e6(b.lat_max)),
    ];
    if !b.lng_ranges.is_empty() {
        let ranges: Vec<&str> = b
            .lng_ranges
            .iter()
            .map(|_| "longitude_e6 BETWEEN ? AND ?")
            .collect();
        sql.push_str(&format!(" AND ({})", ranges.join(" OR ")));
        for (w, e) in &b.lng_ranges {
            args.push(Value::Integer(geo::to_e6(*w)));
            args.push(Value::Integer(geo::to_e6(*e)));
        }
    }
    if let Some(s) = service {
        sql.push_str(" AND EXISTS (SELECT 1 FROM provider_services ps WHERE ps.provider_id = providers.id AND ps.service_id = ?)");
        args.push(Value::Text(s.to_string()));
    }
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(&args), |r| {
        Ok((
            r.get::<_, ProviderId>(0)?,
            geo::from_e6(r.get(1)?),
            geo::from_e6(r.get(2)?),
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, plat, plng) = row?;
        let d = geo::haversine_km(lat, lng, plat, plng);
        if d <= radius_km {
            out.push((id, d));
        }
    }
    Ok(out)
}
