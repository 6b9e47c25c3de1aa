//! Entry points for the fuzz targets in `fuzz/` (not a public API: hidden from the docs and
//! free to change). They reach the private request handler, so whole DNS messages go in and
//! whole responses come out exactly as on the sockets.

use std::sync::Arc;

use designate_storage::Storage;

use crate::config::MdnsConfig;
use crate::handler::{Handler, Transport};

/// MiniDNS's request handler over a store.
pub struct FuzzHandler {
    handler: Handler,
}

impl FuzzHandler {
    /// A handler answering from `storage` with `config`'s limits and pool; requests come from
    /// 127.0.0.1 (so `config.query_acl` should admit it).
    pub fn new(storage: Arc<dyn Storage>, config: MdnsConfig) -> Self {
        Self {
            handler: Handler::new(storage, Arc::new(config)),
        }
    }

    /// The encoded response messages to `packet`, in sending order, as received over TCP when
    /// `tcp`, else over UDP.
    pub async fn handle(&self, packet: &[u8], tcp: bool) -> Vec<Vec<u8>> {
        let transport = if tcp { Transport::Tcp } else { Transport::Udp };
        let peer = std::net::IpAddr::from([127, 0, 0, 1]);
        self.handler
            .handle(packet, transport, peer)
            .await
            .collect()
            .await
    }
}
