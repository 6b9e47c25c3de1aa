//! The worker and the producer.
//!
//! - [`worker`]: consumes zone casts from central, provisions every target of the zone's pool through
//!   its [`designate_backends::Backend`], NOTIFYs, polls the pool's nameservers for the new serial and
//!   reports ACTIVE / ERROR back to central. Tasks for one zone run one at a time and coalesce.
//! - `xfr`: transfers of SECONDARY zones from their external masters.
//! - [`poll`]: the serial poll with fast first probe and exponential backoff.
//! - [`producer`]: the producer role: periodic tasks on the shards this instance holds.
//! - [`tasks`]: the periodic tasks (recovery, zone purge, exists, delayed notify).
//! - [`shards`]: shard ownership among producer instances through leases in the store.
//! - [`config`]: `[service:worker]` and `[service:producer]` options.
//!
//! **Invariant:** neither role writes zone data; every state change goes through `CentralApi`.
//! The producer's own coordination rows (`designate_leases`) are the one exception: they are
//! not Designate state, and routing them through central would make central a lock server.
#![warn(missing_docs)]

pub mod config;
mod notify;
pub mod poll;
mod pools;
pub mod producer;
pub mod shards;
pub mod tasks;
pub mod worker;
// --- secondary zones: transfers from external masters ---
mod xfr;

pub use config::{BatchTaskConfig, ProducerConfig, PurgeTaskConfig, WorkerConfig};
pub use producer::Producer;
pub use worker::Worker;
