//! The set of zones this server holds, and each zone's live state.
//!
//! A [`ZoneEntry`] is the long-lived slot of one zone: its masters, the current snapshot
//! (swapped atomically as an `Arc`, `None` until the first transfer or after expiry), and the
//! wake-up used to ask its refresh task for a transfer. Locks here are held only to clone or
//! swap an `Arc`, never across I/O, so queries never wait on a transfer.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, PoisonError, RwLock};

use hickory_proto::rr::Name;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::zone::Zone;

/// One zone held by the server.
#[derive(Debug)]
pub(crate) struct ZoneEntry {
    name: Name,
    masters: RwLock<Vec<SocketAddr>>,
    data: RwLock<Option<Arc<Zone>>>,
    /// Holds at most one pending wake-up: NOTIFYs arriving while a transfer runs collapse into
    /// one more refresh afterwards instead of parallel transfers.
    kick: Notify,
    cancel: CancellationToken,
    /// Transfers installed so far: whole-zone (AXFR or AXFR-style IXFR) and incremental.
    transfers: [std::sync::atomic::AtomicU64; 2],
}

impl ZoneEntry {
    /// A zone with no data yet, stopped by `cancel`.
    pub(crate) fn new(name: Name, masters: Vec<SocketAddr>, cancel: CancellationToken) -> Self {
        Self {
            name,
            masters: RwLock::new(masters),
            data: RwLock::new(None),
            kick: Notify::new(),
            cancel,
            transfers: Default::default(),
        }
    }

    /// Counts one installed transfer, incremental or whole-zone.
    pub(crate) fn count_transfer(&self, incremental: bool) {
        self.transfers[usize::from(incremental)].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Transfers installed so far: (whole-zone, incremental).
    pub(crate) fn transfer_counts(&self) -> (u64, u64) {
        let [full, incremental] = &self.transfers;
        (
            full.load(std::sync::atomic::Ordering::Relaxed),
            incremental.load(std::sync::atomic::Ordering::Relaxed),
        )
    }

    /// The zone name (lower case, fully qualified).
    pub(crate) fn name(&self) -> &Name {
        &self.name
    }

    /// The current snapshot, if the zone is loaded and not expired.
    pub(crate) fn snapshot(&self) -> Option<Arc<Zone>> {
        self.data
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the snapshot (`None` = stop answering: expired).
    pub(crate) fn install(&self, zone: Option<Arc<Zone>>) {
        *self.data.write().unwrap_or_else(PoisonError::into_inner) = zone;
    }

    /// The masters to transfer from, in preference order.
    pub(crate) fn masters(&self) -> Vec<SocketAddr> {
        self.masters
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the masters; returns whether they changed.
    pub(crate) fn set_masters(&self, masters: Vec<SocketAddr>) -> bool {
        let mut current = self.masters.write().unwrap_or_else(PoisonError::into_inner);
        if *current == masters {
            return false;
        }
        *current = masters;
        true
    }

    /// Whether a NOTIFY from `ip` may trigger a refresh (RFC 1996 3.10: only from masters).
    pub(crate) fn is_master(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.masters
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .any(|m| m.ip().to_canonical() == ip)
    }

    /// Asks the refresh task for a refresh now (or right after the running one).
    pub(crate) fn kick(&self) {
        self.kick.notify_one();
    }

    /// Resolves when [`kick`](Self::kick) was called.
    pub(crate) async fn kicked(&self) {
        self.kick.notified().await;
    }

    /// The token that stops this zone's refresh task.
    pub(crate) fn cancel_token(&self) -> &CancellationToken {
        &self.cancel
    }
}

/// All zones, by the wire form of their lower-cased name (length-prefixed labels, then the
/// root's zero): every ancestor of a name is a suffix of its wire form, so finding the zone of
/// a query name is a few slice lookups in one buffer, with no name built per label.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    zones: RwLock<HashMap<Box<[u8]>, Arc<ZoneEntry>, foldhash::fast::RandomState>>,
}

/// The longest wire-format name (RFC 1035 3.1).
const MAX_WIRE_NAME: usize = 255;

/// `name`'s labels in wire form (no compression), as they are: the caller lower-cases.
/// Returns the bytes used, or `None` if they do not fit (never for a valid `Name`).
fn wire_form(name: &Name, buf: &mut [u8; MAX_WIRE_NAME]) -> Option<usize> {
    let mut len = 0;
    for label in name.iter() {
        let end = len + 1 + label.len();
        let dst = buf.get_mut(len..end)?;
        // Labels are at most 63 octets.
        dst[0] = u8::try_from(label.len()).ok()?;
        dst[1..].copy_from_slice(label);
        len = end;
    }
    *buf.get_mut(len)? = 0;
    Some(len + 1)
}

/// The catalog key of a lower-cased `name`.
fn key(name: &Name) -> Box<[u8]> {
    let mut buf = [0u8; MAX_WIRE_NAME];
    let len = wire_form(name, &mut buf).unwrap_or(0);
    buf[..len].into()
}

impl Catalog {
    /// The zone named exactly `lower`.
    pub(crate) fn get(&self, lower: &Name) -> Option<Arc<ZoneEntry>> {
        self.zones
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key(lower))
            .cloned()
    }

    /// The most specific zone containing `lower`, if any: its wire form, then each suffix
    /// after a label, down to the root.
    pub(crate) fn find(&self, lower: &Name) -> Option<Arc<ZoneEntry>> {
        let mut buf = [0u8; MAX_WIRE_NAME];
        let len = wire_form(lower, &mut buf)?;
        let wire = &buf[..len];
        let zones = self.zones.read().unwrap_or_else(PoisonError::into_inner);
        let mut at = 0;
        loop {
            let suffix = wire.get(at..)?;
            if let Some(entry) = zones.get(suffix) {
                return Some(Arc::clone(entry));
            }
            match suffix.first() {
                Some(&label) if label > 0 => at += 1 + usize::from(label),
                _ => return None,
            }
        }
    }

    /// Inserts `entry` unless a zone of that name exists; returns the entry now in place and
    /// whether it is the new one.
    pub(crate) fn insert_if_absent(&self, entry: ZoneEntry) -> (Arc<ZoneEntry>, bool) {
        let mut zones = self.zones.write().unwrap_or_else(PoisonError::into_inner);
        let key = key(entry.name());
        if let Some(existing) = zones.get(&key) {
            return (Arc::clone(existing), false);
        }
        let entry = Arc::new(entry);
        zones.insert(key, Arc::clone(&entry));
        (entry, true)
    }

    /// Removes and returns the zone named `lower`.
    pub(crate) fn remove(&self, lower: &Name) -> Option<Arc<ZoneEntry>> {
        self.zones
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&key(lower))
    }

    /// Every zone with its masters, sorted by name (what the state file stores).
    pub(crate) fn list(&self) -> Vec<(Name, Vec<SocketAddr>)> {
        let zones = self.zones.read().unwrap_or_else(PoisonError::into_inner);
        let mut list: Vec<_> = zones
            .values()
            .map(|e| (e.name().clone(), e.masters()))
            .collect();
        list.sort_by(|a, b| a.0.cmp(&b.0));
        list
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn name(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    #[test]
    fn finds_most_specific_zone() {
        let catalog = Catalog::default();
        let master: SocketAddr = "127.0.0.1:5354".parse().unwrap();
        for zone in ["example.org.", "sub.example.org."] {
            let entry = ZoneEntry::new(name(zone), vec![master], CancellationToken::new());
            assert!(catalog.insert_if_absent(entry).1);
        }
        let found = catalog.find(&name("a.sub.example.org.")).unwrap();
        assert_eq!(found.name(), &name("sub.example.org."));
        let found = catalog.find(&name("www.example.org.")).unwrap();
        assert_eq!(found.name(), &name("example.org."));
        assert!(catalog.find(&name("example.net.")).is_none());
        assert!(found.is_master("127.0.0.1".parse().unwrap()));
        assert!(found.is_master("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!found.is_master("127.0.0.2".parse().unwrap()));
        assert_eq!(catalog.list().len(), 2);

        // Label bytes that look like lengths, and the root as a last resort.
        let labels: [&[u8]; 3] = [b"\x05abcde", b"example", b"org"];
        let tricky = Name::from_labels(labels).unwrap();
        assert_eq!(catalog.find(&tricky).unwrap().name(), &name("example.org."));
        let root = ZoneEntry::new(Name::root(), vec![master], CancellationToken::new());
        assert!(catalog.insert_if_absent(root).1);
        assert_eq!(
            catalog.find(&name("example.net.")).unwrap().name(),
            &Name::root()
        );
        assert!(catalog.remove(&name("sub.example.org.")).is_some());
        let found = catalog.find(&name("a.sub.example.org.")).unwrap();
        assert_eq!(found.name(), &name("example.org."));
        assert!(catalog.get(&name("sub.example.org.")).is_none());
    }
}
