//! End-to-end tests of the API over real HTTP, against the real central on a temporary SQLite
//! database. One test target; modules by concern.

mod common;
mod hostile;
mod policy;
mod recordsets;
mod zones;
