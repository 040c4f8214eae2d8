//! The people a desk deals with: customers (the deduplicated master) and
//! their vehicles, staff, and the users who log in.

pub mod customers;
pub mod staff;
pub mod users;
pub mod vehicles;
