//! MiniDNS options (upstream's `[service:mdns]` group), each with a default that works for
//! `designate all`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use uuid::Uuid;

use crate::acl::AclEntry;

/// Default listening port (upstream's `DEFAULT_MDNS_PORT`).
pub const DEFAULT_PORT: u16 = 5354;
/// Largest DNS message over TCP (the 16-bit length prefix) and upstream's default.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 65535;
/// Default limit on simultaneous TCP connections (upstream serves with 1000 threads).
pub const DEFAULT_MAX_TCP_CONNECTIONS: usize = 1000;
/// Default limit on UDP requests being answered at once; more are dropped (the client retries).
pub const DEFAULT_MAX_UDP_IN_FLIGHT: usize = 1000;

/// Default requests per second per client address outside the pools: an operator's `dig` or a
/// monitoring probe stays far below it, a flood from one address is cut to it.
pub const DEFAULT_CLIENT_RATE_LIMIT: u32 = 100;
/// Default burst per client address outside the pools.
pub const DEFAULT_CLIENT_RATE_BURST: u32 = 500;

/// How MiniDNS listens and answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MdnsConfig {
    /// UDP and TCP address (upstream `listen`, default `127.0.0.1:5354`); port 0 picks a free port.
    pub listen: SocketAddr,
    /// Largest response message in bytes (upstream `max_message_size`, capped at 65535); zone
    /// transfers are split into messages of at most this size.
    pub max_message_size: usize,
    /// How long a TCP connection may sit idle (or take to deliver one request, or to accept one
    /// response message) before it is closed (upstream `tcp_recv_timeout`, generously widened:
    /// secondaries pipeline several queries per connection).
    pub tcp_timeout: Duration,
    /// At most this many TCP connections are served at once; further clients wait in the backlog.
    pub max_tcp_connections: usize,
    /// At most this many UDP requests are answered at once; further datagrams are dropped.
    pub max_udp_in_flight: usize,
    /// Only zones of this pool are served (upstream scopes unsigned requests to
    /// `default_pool_id`); `None` serves every pool's zones.
    pub pool_id: Option<Uuid>,
    /// Who may query (ours, `query_acl`; default `pools`): see [`AclEntry`]. Everyone else gets
    /// REFUSED unless the request is signed with a known TSIG key.
    pub query_acl: Vec<AclEntry>,
    /// How often the pool members of the ACL are re-read from the store (ours, `acl_refresh`).
    pub acl_refresh: Duration,
    /// Requests per second one client address may send on average (ours, `client_rate_limit`;
    /// 0 = no limit). The pools' own servers are exempt. Excess UDP requests are dropped, a TCP
    /// connection exceeding it is closed.
    pub client_rate_limit: u32,
    /// Requests one client address may send at once above the average (ours,
    /// `client_rate_burst`).
    pub client_rate_burst: u32,
    /// Refuse every unsigned query, whatever the ACL says (upstream `query_enforce_tsig`).
    pub query_enforce_tsig: bool,
}

impl Default for MdnsConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            tcp_timeout: Duration::from_secs(10),
            max_tcp_connections: DEFAULT_MAX_TCP_CONNECTIONS,
            max_udp_in_flight: DEFAULT_MAX_UDP_IN_FLIGHT,
            pool_id: None,
            query_acl: vec![AclEntry::Pools],
            acl_refresh: Duration::from_secs(5),
            client_rate_limit: DEFAULT_CLIENT_RATE_LIMIT,
            client_rate_burst: DEFAULT_CLIENT_RATE_BURST,
            query_enforce_tsig: false,
        }
    }
}

impl MdnsConfig {
    /// The message size limit actually applied: never above what a TCP length prefix can carry,
    /// never below the classic 512 bytes.
    pub fn effective_max_message_size(&self) -> usize {
        self.max_message_size.clamp(512, DEFAULT_MAX_MESSAGE_SIZE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_upstream() {
        let c = MdnsConfig::default();
        assert_eq!(c.listen.to_string(), "127.0.0.1:5354");
        assert_eq!(c.max_message_size, 65535);
        assert_eq!(c.effective_max_message_size(), 65535);
    }

    #[test]
    fn message_size_is_clamped() {
        let big = MdnsConfig {
            max_message_size: 1 << 20,
            ..MdnsConfig::default()
        };
        assert_eq!(big.effective_max_message_size(), 65535);
        let tiny = MdnsConfig {
            max_message_size: 10,
            ..MdnsConfig::default()
        };
        assert_eq!(tiny.effective_max_message_size(), 512);
    }
}
