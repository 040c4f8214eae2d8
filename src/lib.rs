//! Loket core: the domain, the store and the operations. Knows nothing of
//! Tauri or HTTP; `api::http` is a thin adapter over the operation table.
//!
//! Folders depend downwards only: `kernel` ← `backup`, `messaging` ← `people` ←
//! `scheduling` ← `booking` ← `jobs` ← `sync` ← `demo` ← `api` (see ARCHITECTURE.md);
//! `bot` (the WhatsApp bot's conversation, pure) uses `kernel`, `messaging`'s
//! wording helpers and `booking`'s status, and nothing uses it but head office.

pub mod api;
pub mod backup;
pub mod booking;
pub mod bot;
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
