//! The adapters' side of the core: the one operation table and the local
//! HTTP JSON API built from it. Nothing below `api` knows it exists.

pub mod http;
pub mod operations;
pub mod serve;
pub mod surface;
pub mod ui;

pub use operations::dispatch;
