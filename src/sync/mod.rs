//! Sync with head office, the branch side: the settings (`settings`), one
//! run and its status (`run`), automatic runs (`schedule`), the HTTP client of head office's sync
//! endpoints (`client`) and the wire types both sides share (`protocol`,
//! also used by `loket-hq`). Above `jobs` in the folder order: it reads the
//! change log every domain writes and applies head office's catalogue to
//! `scheduling`'s services table.

pub mod client;
pub mod protocol;
pub mod run;
pub mod schedule;
pub mod settings;

pub use run::{
    GetSyncStatus, ListRejections, ResolveRejection, RunSync, SyncRejection, SyncRun, SyncStatus,
};
pub use schedule::scheduler;
pub use settings::{GetSyncSettings, SyncSettings, UpdateSyncSettings};
