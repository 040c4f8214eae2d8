//! What every domain shares and none owns: the app and its one gate
//! (`App::execute`), the operation contract, the store, errors, value types,
//! validation, the clock, the vault, the audit trail, settings and the
//! permission matrix. The kernel imports no domain folder.

pub mod app;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod crypto;
pub mod entity;
pub mod error;
pub mod fields;
pub mod lock;
pub mod logins;
pub mod ops;
pub mod sealing;
pub mod settings;
pub mod store;
pub mod types;
pub mod validate;
