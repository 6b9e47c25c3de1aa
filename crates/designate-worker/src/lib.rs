//! The worker and the producer.
//!
//! - [`worker`]: consumes zone casts from central, provisions every target of the zone's pool through
//!   its [`designate_backends::Backend`], NOTIFYs, polls the pool's nameservers for the new serial and
//!   reports ACTIVE / ERROR back to central. Tasks for one zone run one at a time and coalesce.
//! - [`poll`]: the serial poll with fast first probe and exponential backoff.
//! - [`producer`]: periodic tasks; here the recovery that re-drives zones whose cast was lost.
//! - [`config`]: `[service:worker]` and `[service:producer]` options.
//!
//! **Invariant:** neither role writes the store; every state change goes through `CentralApi`.
#![warn(missing_docs)]

pub mod config;
pub mod poll;
pub mod producer;
pub mod worker;

pub use config::{ProducerConfig, WorkerConfig};
pub use producer::Producer;
pub use worker::Worker;
