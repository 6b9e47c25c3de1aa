//! End-to-end tests of the API over real HTTP, against the real central on a temporary SQLite
//! database. One test target; modules by concern.

mod admin;
mod common;
mod hostile;
mod policy;
mod quotas;
mod recordsets;
mod service_statuses;
mod zones;
// --- cross-project and key resources ---
mod shares;
mod transfers;
mod tsigkeys;
