//! Entry points for the fuzz targets in `fuzz/` (not a public API: hidden from the docs and
//! free to change). They reach the private request handler with a catalog the target builds,
//! so whole DNS messages go in and whole responses come out exactly as on the sockets.

use std::net::SocketAddr;
use std::sync::Arc;

use hickory_proto::rr::{Name, Record};
use tokio_util::sync::CancellationToken;

use crate::catalog::{Catalog, ZoneEntry};
use crate::handler::{self, Transport};
use crate::zone::Zone;

/// A catalog of zones held in memory, answering requests like the running server does.
#[derive(Debug, Default)]
pub struct FuzzCatalog {
    catalog: Catalog,
}

impl FuzzCatalog {
    /// An empty catalog.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds zone `origin` with NOTIFY accepted from `masters`, loaded from `records` (as a
    /// transfer would deliver them), or held but not loaded when `records` is `None`.
    ///
    /// # Errors
    /// The reason, when the records do not form a zone (no SOA at the apex).
    pub fn add_zone(
        &self,
        origin: &Name,
        masters: Vec<SocketAddr>,
        records: Option<Vec<Record>>,
    ) -> Result<(), String> {
        let entry = ZoneEntry::new(origin.to_lowercase(), masters, CancellationToken::new());
        if let Some(records) = records {
            let zone = Zone::from_records(origin, records).map_err(|e| e.to_string())?;
            entry.install(Some(Arc::new(zone)));
        }
        self.catalog.insert_if_absent(entry);
        Ok(())
    }

    /// The encoded response to `packet` from `src` (`None`: nothing is sent), over TCP when
    /// `tcp`, else UDP, with `max_udp_payload` as our own EDNS payload limit.
    pub fn handle(
        &self,
        packet: &[u8],
        src: SocketAddr,
        tcp: bool,
        max_udp_payload: u16,
    ) -> Option<Vec<u8>> {
        let transport = if tcp {
            Transport::Tcp { max_udp_payload }
        } else {
            Transport::Udp { max_udp_payload }
        };
        handler::handle(&self.catalog, packet, src, transport)
    }
}
