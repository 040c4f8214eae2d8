//! Priority scoring and risk flags: pure functions of a booking, today's
//! date in the business time zone and the settings (see DESIGN.md's table).

use chrono::NaiveDate;

use crate::kernel::settings::Settings;
use crate::kernel::types::Money;

use crate::kernel::types::text_enum;

text_enum!(Segment { High = "high", Medium = "medium", Low = "low" });
text_enum!(Urgency { Urgent = "urgent", Soon = "soon", Upcoming = "upcoming" });
text_enum!(Monetary { Vip = "vip", Premium = "premium", Regular = "regular" });
text_enum!(
    /// Payment status: `dp` is a down payment.
    PaymentStatus { Pending = "pending", Dp = "dp", Paid = "paid", Overdue = "overdue" }
);
text_enum!(
    /// Something staff should look at.
    RiskFlag {
        /// Event today or tomorrow and not fully paid.
        UnpaidH1 = "unpaid_h1",
        /// Event date has passed and the booking is still open.
        EventPassed = "event_passed",
        /// The customer has another open booking at an overlapping time, or
        /// another open booking holds the same slot.
        DoubleBooking = "double_booking",
    }
);

/// What scoring needs to know about a booking.
#[derive(Clone, Copy, Debug)]
pub struct ScoreInput {
    /// The event's calendar date in the business time zone; `None` counts as upcoming.
    pub event_date: Option<NaiveDate>,
    pub payment: PaymentStatus,
    pub price: Money,
    pub clients: u32,
    /// Pending or active.
    pub open: bool,
    /// The same customer has another open booking whose time overlaps this one.
    pub overlaps_other: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Priority {
    pub score: i32,
    pub segment: Segment,
    pub urgency: Urgency,
    pub monetary: Monetary,
    pub risk_flags: Vec<RiskFlag>,
}

pub fn score(b: &ScoreInput, today: NaiveDate, s: &Settings) -> Priority {
    let days = b.event_date.map(|d| (d - today).num_days());
    let (urgency, urgency_points) = match days {
        Some(d) if d <= s.urgent_days => (Urgency::Urgent, 40),
        Some(d) if d <= s.soon_days => (Urgency::Soon, 25),
        _ => (Urgency::Upcoming, 10),
    };
    let payment_points = match b.payment {
        PaymentStatus::Paid => 30,
        PaymentStatus::Dp => 20,
        PaymentStatus::Pending | PaymentStatus::Overdue => 5,
    };
    let (monetary, money_points) = if b.price >= s.vip_price {
        (Monetary::Vip, 30)
    } else if b.price >= s.premium_price {
        (Monetary::Premium, 15)
    } else {
        (Monetary::Regular, 5)
    };
    let client_points = if b.clients >= s.group_clients { 15 } else { 5 };
    let score = urgency_points + payment_points + money_points + client_points;
    let segment = if score >= s.high_segment_min {
        Segment::High
    } else if score >= s.medium_segment_min {
        Segment::Medium
    } else {
        Segment::Low
    };
    let mut risk_flags = Vec::new();
    if b.open {
        if matches!(days, Some(0 | 1)) && b.payment != PaymentStatus::Paid {
            risk_flags.push(RiskFlag::UnpaidH1);
        }
        if matches!(days, Some(d) if d < 0) {
            risk_flags.push(RiskFlag::EventPassed);
        }
        if b.overlaps_other {
            risk_flags.push(RiskFlag::DoubleBooking);
        }
    }
    Priority {
        score,
        segment,
        urgency,
        monetary,
        risk_flags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maximum_is_115() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let p = score(
            &ScoreInput {
                event_date: Some(today),
                payment: PaymentStatus::Paid,
                price: Money::from_rupiah(5_000_000),
                clients: 5,
                open: true,
                overlaps_other: false,
            },
            today,
            &Settings::default(),
        );
        assert_eq!(p.score, 115);
        assert_eq!(p.segment, Segment::High);
        assert!(p.risk_flags.is_empty());
    }
}
