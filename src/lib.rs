//! Loket core: the domain, the store and the operations. Knows nothing of
//! Tauri or HTTP; `api::http` is a thin adapter over the operation table.
//!
//! Folders depend downwards only: `kernel` ← `backup`, `messaging` ← `people` ←
//! `scheduling` ← `booking` ← `jobs` ← `sync` ← `demo` ← `api` (see ARCHITECTURE.md).

pub mod api;
pub mod backup;
pub mod booking;
pub mod demo;
pub mod jobs;
pub mod kernel;
pub mod messaging;
pub mod people;
pub mod scheduling;
pub mod sync;

pub use kernel::app::App;
pub use kernel::auth::{Actor, Permission, Role};
pub use kernel::error::{Error, Result};
pub use kernel::ops::Operation;
