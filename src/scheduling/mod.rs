//! What a service business sells by the appointment: the service catalogue,
//! providers with their working plans, time slots, and the nearby search.

pub mod geo;
pub mod providers;
pub mod services;
pub mod slots;
