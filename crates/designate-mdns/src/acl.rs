//! Who may query MiniDNS: the addresses of the pools' own servers (targets, nameservers,
//! also-notifies) as read from the store, plus what the operator lists in `query_acl`.
//!
//! Upstream MiniDNS answers anyone and relies on scoping (unsigned requests see only the default
//! pool) and optional TSIG. Zone contents are not public data, so we refuse clients that belong
//! to no pool unless the operator allows them; a TSIG-signed request is judged by its key
//! instead (see `tsig`).
//!
//! The pool members are re-read every `acl_refresh`, and at once (at most every
//! [`MISS_RELOAD_MIN`]) when an unknown address asks, so a target added to a pool is answered
//! without a restart and without waiting for the next refresh.

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use designate_core::objects::Pool;
use designate_storage::{Storage, StorageError};
use uuid::Uuid;

/// Shortest time between two reloads triggered by unknown clients (bounds what a flood of
/// strangers can cost the store).
pub(crate) const MISS_RELOAD_MIN: Duration = Duration::from_millis(250);
/// How long resolving one pool host name may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(2);

/// One entry of `[service:mdns] query_acl`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AclEntry {
    /// `pools`: the addresses of every pool's targets, nameservers and also-notifies; such a
    /// client sees the zones of the pools it belongs to.
    Pools,
    /// `any`: every address (upstream's behaviour); sees every pool's zones.
    Any,
    /// An address or a CIDR network (`192.0.2.10`, `198.51.100.0/24`, `2001:db8::/32`); such a
    /// client sees every pool's zones.
    Network {
        /// Network address.
        addr: IpAddr,
        /// Prefix length.
        prefix: u8,
    },
}

/// Why an ACL entry did not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid query_acl entry {0:?}: expected `pools`, `any`, an IP address or a CIDR network")]
pub struct AclEntryError(String);

impl FromStr for AclEntry {
    type Err = AclEntryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = || AclEntryError(s.to_owned());
        match s.to_ascii_lowercase().as_str() {
            "pools" => return Ok(Self::Pools),
            "any" => return Ok(Self::Any),
            _ => {}
        }
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Self::Network {
            addr: canonical(addr),
            prefix,
        })
    }
}

impl AclEntry {
    fn contains(&self, ip: IpAddr) -> bool {
        match *self {
            Self::Pools => false,
            Self::Any => true,
            Self::Network { addr, prefix } => in_network(ip, addr, prefix),
        }
    }
}

fn in_network(ip: IpAddr, net: IpAddr, prefix: u8) -> bool {
    match (ip, net) {
        (IpAddr::V4(ip), IpAddr::V4(net)) => {
            let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
            u32::from(ip) & mask == u32::from(net) & mask
        }
        (IpAddr::V6(ip), IpAddr::V6(net)) => {
            let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
            u128::from(ip) & mask == u128::from(net) & mask
        }
        _ => false,
    }
}

/// IPv4-mapped IPv6 addresses (a dual-stack socket's view of IPv4 peers) as plain IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    ip.to_canonical()
}

/// What an unsigned client may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Access {
    /// Nothing: the request is refused.
    Denied,
    /// The zones of these pools.
    Pools(Arc<BTreeSet<Uuid>>),
    /// Every pool's zones.
    All,
}

/// The pool members known at one time: address → the pools it serves.
#[derive(Debug, Default)]
struct Members {
    by_addr: HashMap<IpAddr, BTreeSet<Uuid>>,
}

/// The access list: the configured entries and the pool members read from the store.
pub(crate) struct Acl {
    entries: Vec<AclEntry>,
    storage: Arc<dyn Storage>,
    members: RwLock<Arc<HashMap<IpAddr, Arc<BTreeSet<Uuid>>>>>,
    /// When an unknown client last caused a reload; held while loading so those never pile up.
    last_miss_reload: tokio::sync::Mutex<Option<Instant>>,
    /// Held by whoever loads, so periodic and miss-triggered loads never run at once.
    loading: tokio::sync::Mutex<()>,
}

impl Acl {
    pub(crate) fn new(entries: Vec<AclEntry>, storage: Arc<dyn Storage>) -> Self {
        Self {
            entries,
            storage,
            members: RwLock::new(Arc::new(HashMap::new())),
            last_miss_reload: tokio::sync::Mutex::new(None),
            loading: tokio::sync::Mutex::new(()),
        }
    }

    fn uses_pools(&self) -> bool {
        self.entries.contains(&AclEntry::Pools)
    }

    /// What `ip` may see. An address that is in no list triggers one reload of the pool
    /// members (rate-limited) before it is refused.
    pub(crate) async fn check(&self, ip: IpAddr) -> Access {
        let ip = canonical(ip);
        if self.entries.iter().any(|e| e.contains(ip)) {
            return Access::All;
        }
        if !self.uses_pools() {
            return Access::Denied;
        }
        if let Some(pools) = self.pools_of(ip) {
            return Access::Pools(pools);
        }
        let mut last = self.last_miss_reload.lock().await;
        if last.is_none_or(|at| at.elapsed() >= MISS_RELOAD_MIN) {
            if let Err(error) = self.reload().await {
                tracing::warn!(%error, "cannot reload pool members for the MiniDNS ACL");
            }
            *last = Some(Instant::now());
        }
        drop(last);
        match self.pools_of(ip) {
            Some(pools) => Access::Pools(pools),
            None => Access::Denied,
        }
    }

    /// Whether `ip` is a server of some pool (as last loaded).
    pub(crate) fn is_pool_member(&self, ip: IpAddr) -> bool {
        self.pools_of(canonical(ip)).is_some()
    }

    fn pools_of(&self, ip: IpAddr) -> Option<Arc<BTreeSet<Uuid>>> {
        let members = self.members.read().unwrap_or_else(|p| p.into_inner());
        members.get(&ip).cloned()
    }

    /// Re-reads the pool members now.
    pub(crate) async fn reload(&self) -> Result<(), StorageError> {
        let _loading = self.loading.lock().await;
        self.load().await
    }

    async fn load(&self) -> Result<(), StorageError> {
        let pools = {
            let mut tx = self.storage.begin_read().await?;
            tx.find_pools().await?
        };
        let mut members = Members::default();
        for pool in &pools {
            for host in member_hosts(pool) {
                for ip in resolve(host).await {
                    members
                        .by_addr
                        .entry(canonical(ip))
                        .or_default()
                        .insert(pool.id);
                }
            }
        }
        let table: HashMap<IpAddr, Arc<BTreeSet<Uuid>>> = members
            .by_addr
            .into_iter()
            .map(|(ip, pools)| (ip, Arc::new(pools)))
            .collect();
        tracing::debug!(addresses = table.len(), "MiniDNS ACL loaded");
        *self.members.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(table);
        Ok(())
    }
}

/// The hosts of a pool that talk to MiniDNS: its nameservers and also-notifies, and each
/// target's DNS host (`host`), rndc host (`rndc_host`) and API endpoint's host (`api_endpoint`),
/// where the target's daemon runs and transfers from.
fn member_hosts(pool: &Pool) -> Vec<&str> {
    let mut hosts: Vec<&str> = pool
        .nameservers
        .iter()
        .chain(&pool.also_notifies)
        .map(|ns| ns.host.as_str())
        .collect();
    for target in &pool.targets {
        hosts.extend(target.option("host"));
        hosts.extend(target.option("rndc_host"));
        if let Some(endpoint) = target.option("api_endpoint") {
            hosts.extend(url_host(endpoint));
        }
    }
    hosts
}

/// The host part of `scheme://host[:port]/path` (brackets of an IPv6 literal removed).
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split_once(']').map(|(h, _)| h);
    }
    let host = authority.split(':').next()?;
    (!host.is_empty()).then_some(host)
}

/// The addresses of a pool host: an IP literal as is (a wildcard address stands for this
/// machine, whose loopback is where its transfers come from), a name through the resolver.
async fn resolve(host: &str) -> Vec<IpAddr> {
    let host = host.trim().trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return vec![match ip {
            IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        }];
    }
    if host.is_empty() {
        return Vec::new();
    }
    match tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, 0))).await {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        Ok(Err(error)) => {
            tracing::warn!(host, %error, "cannot resolve pool host for the MiniDNS ACL");
            Vec::new()
        }
        Err(_) => {
            tracing::warn!(host, "resolving pool host for the MiniDNS ACL timed out");
            Vec::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_and_match() {
        let net: AclEntry = "198.51.100.0/24".parse().unwrap();
        assert!(net.contains("198.51.100.77".parse().unwrap()));
        assert!(!net.contains("198.51.101.1".parse().unwrap()));
        let one: AclEntry = "192.0.2.1".parse().unwrap();
        assert!(one.contains("192.0.2.1".parse().unwrap()));
        assert!(!one.contains("192.0.2.2".parse().unwrap()));
        let v6: AclEntry = "2001:db8::/32".parse().unwrap();
        assert!(v6.contains("2001:db8:1::5".parse().unwrap()));
        assert!(!v6.contains("192.0.2.1".parse().unwrap()));
        let all: AclEntry = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.9".parse().unwrap()));
        assert_eq!("Pools".parse::<AclEntry>().unwrap(), AclEntry::Pools);
        assert_eq!("any".parse::<AclEntry>().unwrap(), AclEntry::Any);
        for bad in [
            "",
            "pool",
            "192.0.2.0/33",
            "2001:db8::/129",
            "host.example",
            "1.2.3.4/x",
        ] {
            assert!(bad.parse::<AclEntry>().is_err(), "{bad}");
        }
        // A dual-stack socket's view of an IPv4 client matches IPv4 entries.
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert!(one.contains(canonical(mapped)));
    }

    #[test]
    fn url_hosts() {
        assert_eq!(url_host("http://192.0.2.5:8081/api"), Some("192.0.2.5"));
        assert_eq!(url_host("https://pdns.example:8081"), Some("pdns.example"));
        assert_eq!(url_host("http://[2001:db8::1]:8081/"), Some("2001:db8::1"));
        assert_eq!(url_host("http://u:p@h"), Some("h"));
        assert_eq!(url_host("http://"), None);
    }
}
