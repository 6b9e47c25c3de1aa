//! Settings of the built-in nameserver, each with a default that works out of the box.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Default listen address: the built-in nameserver of `designate all`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5353";

/// How the built-in nameserver listens, persists and refreshes.
#[derive(Debug, Clone)]
pub struct NameserverConfig {
    /// UDP and TCP address to answer on (port 0 picks a free port; see
    /// [`NameserverHandle::local_addr`](crate::NameserverHandle::local_addr)).
    pub listen: SocketAddr,
    /// Directory holding the zone list (created when missing).
    pub state_dir: PathBuf,
    /// Deadline of one SOA query or one zone transfer from a master.
    pub transfer_timeout: Duration,
    /// First retry delay for a zone that has never loaded (doubles per failure).
    pub initial_retry: Duration,
    /// Longest retry delay for a zone that has never loaded.
    pub max_retry: Duration,
    /// Lower bound on SOA refresh/retry/expire intervals (guards against zeros in the SOA).
    pub min_refresh: Duration,
    /// Largest UDP response we send (EDNS payload, RFC 6891); 1232 avoids IP fragmentation.
    pub max_udp_payload: u16,
    /// Concurrent TCP connections; more are closed on accept.
    pub max_tcp_connections: usize,
    /// A TCP connection idle this long is closed.
    pub tcp_idle_timeout: Duration,
    /// Zone refreshes (SOA query and transfer) running at once; the others wait their turn, so
    /// loading many zones does not flood the masters (and the refresh timeouts stay honest).
    pub max_concurrent_refreshes: usize,
    /// Threads receiving and answering on the one UDP socket, so queries are answered on that
    /// many cores at once; 0 means one per available core.
    pub udp_workers: usize,
}

impl Default for NameserverConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 5353)),
            state_dir: PathBuf::from("designate-nameserver"),
            transfer_timeout: Duration::from_secs(30),
            initial_retry: Duration::from_millis(200),
            max_retry: Duration::from_secs(30),
            min_refresh: Duration::from_secs(1),
            max_udp_payload: 1232,
            max_tcp_connections: 256,
            tcp_idle_timeout: Duration::from_secs(10),
            max_concurrent_refreshes: 64,
            udp_workers: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_listen_matches_constant() {
        let config = NameserverConfig::default();
        assert_eq!(config.listen.to_string(), DEFAULT_LISTEN);
    }
}
