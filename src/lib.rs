//! Loket core: the domain, the store and the operations. Knows nothing of
//! Tauri or HTTP; `http` is a thin adapter over [`App::execute`].

pub mod app;
pub mod audit;
pub mod auth;
pub mod bookings;
pub mod clock;
pub mod crypto;
pub mod customers;
pub mod error;
pub mod gateway;
pub mod geo;
pub mod http;
pub mod jobs;
pub mod messaging;
pub mod ops;
pub mod priority;
pub mod providers;
pub mod registry;
pub mod report;
pub mod services;
pub mod settings;
pub mod slots;
pub mod staff;
pub mod store;
pub mod templates;
pub mod types;
pub mod units;
pub mod users;
pub mod validate;
pub mod vehicles;

pub use app::App;
pub use auth::{Actor, Permission, Role};
pub use error::{Error, Result};
pub use ops::Operation;
