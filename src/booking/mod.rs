//! Bookings and what they book: units with their status lifecycle, the
//! bookings themselves, and their priority score and risk flags.

pub mod bookings;
pub mod messages;
pub mod priority;
pub mod units;
