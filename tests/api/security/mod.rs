//! Issue 12's security half: the HTTP surface (Host, content type, sizes,
//! headers) and logging in (throttling, audit, password rules, sessions).

mod login;
mod surface;
