//! Sync with head office, the branch side: for now the wire types both
//! sides share (`protocol`, also used by `loket-hq`).

pub mod protocol;
