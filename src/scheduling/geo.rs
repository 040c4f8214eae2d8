//! Great-circle distance and the bounding box that prefilters a radius
//! search on indexed coordinates. Pure functions.

/// Mean Earth radius used for haversine, in km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// Haversine distance in km between two (latitude, longitude) points in degrees.
pub fn haversine_km(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lng2 - lng1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A latitude band and one or two longitude ranges (two when the box
/// crosses the antimeridian) that contain every point within the radius.
#[derive(Clone, Debug, PartialEq)]
pub struct BoundingBox {
    pub lat_min: f64,
    pub lat_max: f64,
    /// Empty when every longitude qualifies (the box reaches a pole).
    pub lng_ranges: Vec<(f64, f64)>,
}

pub fn bounding_box(lat: f64, lng: f64, radius_km: f64) -> BoundingBox {
    // Slightly generous, so rounding never drops a point at the edge;
    // the exact distance decides afterwards.
    let dlat = (radius_km / EARTH_RADIUS_KM).to_degrees() * 1.001 + 1e-6;
    let lat_min = (lat - dlat).max(-90.0);
    let lat_max = (lat + dlat).min(90.0);
    if lat_max >= 90.0 || lat_min <= -90.0 {
        return BoundingBox {
            lat_min,
            lat_max,
            lng_ranges: Vec::new(),
        };
    }
    // The widest longitude spread within the band is at its pole-most latitude.
    let widest = lat_min.abs().max(lat_max.abs()).to_radians();
    let ratio = (radius_km / EARTH_RADIUS_KM).sin() / widest.cos();
    if ratio >= 1.0 {
        return BoundingBox {
            lat_min,
            lat_max,
            lng_ranges: Vec::new(),
        };
    }
    let dlng = ratio.asin().to_degrees() * 1.001 + 1e-6;
    let (west, east) = (lng - dlng, lng + dlng);
    let lng_ranges = if west < -180.0 {
        vec![(west + 360.0, 180.0), (-180.0, east)]
    } else if east > 180.0 {
        vec![(west, 180.0), (-180.0, east - 360.0)]
    } else {
        vec![(west, east)]
    };
    BoundingBox {
        lat_min,
        lat_max,
        lng_ranges,
    }
}

/// Degrees to the stored integer micro-degrees (6 decimals, exact).
pub fn to_e6(deg: f64) -> i64 {
    (deg * 1_000_000.0).round() as i64
}

pub fn from_e6(e6: i64) -> f64 {
    e6 as f64 / 1_000_000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn box_wraps_at_the_antimeridian_and_opens_at_the_poles() {
        let b = bounding_box(-16.5, 179.99, 25.0);
        assert_eq!(b.lng_ranges.len(), 2);
        assert!(bounding_box(89.99, 0.0, 25.0).lng_ranges.is_empty());
        assert_eq!(bounding_box(-6.2, 106.8, 25.0).lng_ranges.len(), 1);
    }
}
