//! MiniDNS: the small authoritative DNS server pool targets transfer zones from (upstream's
//! `designate-mdns`).
//!
//! - [`config`]: [`MdnsConfig`], the `[service:mdns]` options we support.
//! - `server`: sockets, connection handling and shutdown ([`MdnsServer`]).
//! - `handler`: one request in, response messages out (upstream's `designate/mdns/handler.py`).
//! - `keyring`: the TSIG keys of the store; requests are verified and responses signed with
//!   the `designate-tsig` crate (RFC 8945), zone transfers message by message.
//! - `ratelimit`: per-client-address token buckets (the pools' servers are exempt).
//! - `records`: converting stored recordsets (presentation-format data) into wire records.
//! - `acl`: who may query ([`AclEntry`]): pool members from the store, listed networks.
//! - `axfr`: splitting a zone transfer into messages that fit the size limit.
//! - `stream`: a full transfer read page by page from the store while it is sent.
//! - `ixfr`: incremental transfers (RFC 1995) from the zone change journal, AXFR otherwise.
//! - `fuzzing` (hidden): the handler's entry point for the fuzz targets in `fuzz/`.
//!
//! **Invariant:** MiniDNS only reads the store (through `begin_read`), never writes it, and never
//! panics on what arrives from the network: malformed packets get FORMERR or are dropped.
#![warn(missing_docs)]

mod acl;
mod axfr;
pub mod config;
#[doc(hidden)]
pub mod fuzzing;
mod handler;
mod ixfr;
mod keyring;
mod ratelimit;
mod records;
mod server;
mod stream;

use std::sync::Arc;

use designate_storage::Storage;
use tokio_util::sync::CancellationToken;

pub use acl::{AclEntry, AclEntryError};
pub use config::MdnsConfig;
pub use server::{AccessReload, MdnsServer};

/// What can stop MiniDNS.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MdnsError {
    /// A listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Another socket error outside any single request.
    #[error("socket error: {0}")]
    Io(#[from] std::io::Error),
}

/// Opens MiniDNS's UDP and TCP sockets on `config.listen` (both on the same port, also when the
/// port is 0) without serving yet, so callers can learn the bound address first.
///
/// # Errors
/// [`MdnsError::Bind`] when the address is unavailable.
pub async fn bind(config: MdnsConfig, storage: Arc<dyn Storage>) -> Result<MdnsServer, MdnsError> {
    MdnsServer::bind(config, storage).await
}

/// Binds and serves MiniDNS until `shutdown` is cancelled, then waits for in-flight requests.
///
/// # Errors
/// [`MdnsError::Bind`] when the address is unavailable.
pub async fn run(
    config: MdnsConfig,
    storage: Arc<dyn Storage>,
    shutdown: CancellationToken,
) -> Result<(), MdnsError> {
    bind(config, storage).await?.serve(shutdown).await
}
