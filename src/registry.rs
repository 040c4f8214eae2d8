//! The list of every operation the core offers. Adapters run them by name
//! (Tauri) or by route (HTTP); adding an operation means adding it here and
//! giving it a route in `http.rs`.

use crate::{audit, bookings, customers, settings, staff, units, users};

crate::ops::operations! {
    users::Login,
    users::Logout,
    users::Me,
    users::CreateUser,
    users::GetUser,
    users::UpdateUser,
    users::ListUsers,
    users::DeleteUser,
    staff::CreateStaff,
    staff::GetStaff,
    staff::UpdateStaff,
    staff::ListStaff,
    staff::DeleteStaff,
    customers::CreateCustomer,
    customers::GetCustomer,
    customers::UpdateCustomer,
    customers::DeleteCustomer,
    customers::ListCustomers,
    units::CreateUnit,
    units::GetUnit,
    units::UpdateUnit,
    units::DeleteUnit,
    units::ListUnits,
    bookings::CreateBooking,
    bookings::GetBooking,
    bookings::UpdateBooking,
    bookings::CancelBooking,
    bookings::ListBookings,
    bookings::BookingSegmentHistory,
    bookings::RecalculatePriorities,
    bookings::ExpireBookings,
    audit::ListAudit,
    settings::GetSettings,
    settings::UpdateSettings,
}
