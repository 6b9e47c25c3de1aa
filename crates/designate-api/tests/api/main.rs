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
// ops: Prometheus metrics.
mod metrics;
// zone tasks: imports and exports
mod zone_tasks;
// small zone actions: nameservers, abandon
mod zone_actions;
// --- cross-project and key resources ---
mod shares;
mod transfers;
mod tsigkeys;
// pool writes through the API
mod pools;
// floating-IP PTRs
mod floatingips;
// the OpenAPI document
mod openapi;
