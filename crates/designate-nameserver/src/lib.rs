//! The built-in authoritative nameserver: a secondary that keeps its zones in memory.
//!
//! It holds a list of zones with their masters (MiniDNS), transfers each by IXFR or AXFR, refreshes on
//! NOTIFY and on the SOA timers, and answers queries authoritatively over UDP and TCP. It never
//! recurses and never serves transfers. Map:
//! - [`config`]: [`NameserverConfig`], the settings;
//! - `handle`: [`start`] and [`NameserverHandle`], the lifecycle and the zone list API;
//! - `catalog`: the zones held and each zone's current snapshot;
//! - `zone` / `lookup`: one zone's immutable data and the authoritative answer logic;
//! - `handler` / `server`: request → response rules, and the UDP/TCP listeners;
//! - `refresh` / `transfer`: the per-zone refresh task and its SOA/IXFR/AXFR client (IXFR
//!   differences applied to a copy of the snapshot by `zone`);
//! - `state`: the persisted zone list;
//! - [`client`]: the same SOA / AXFR client for other roles (the worker transfers SECONDARY
//!   zones from their external masters with it);
//! - `fuzzing` (hidden): the request handler's entry point for the fuzz targets in `fuzz/`.
#![warn(missing_docs)]

mod catalog;
pub mod config;
#[doc(hidden)]
pub mod fuzzing;
mod handle;
mod handler;
mod lookup;
mod refresh;
mod server;
mod shards;
mod state;
mod transfer;
mod zone;
// --- the transfer client for other roles (secondary zones) ---
pub mod client;

use std::net::SocketAddr;
use std::path::PathBuf;

pub use config::NameserverConfig;
pub use handle::{start, NameserverHandle};

/// What can go wrong starting the nameserver or changing its zone list.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NameserverError {
    /// The listen address could not be bound (in use, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        source: std::io::Error,
    },
    /// The zone list could not be read or written.
    #[error("zone list {path}: {source}")]
    State {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The zone name is not a valid DNS name.
    #[error("invalid zone name {name:?}: {reason}")]
    InvalidZone {
        /// The name as given.
        name: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The nameserver has been shut down.
    #[error("nameserver is shut down")]
    ShutDown,
}
