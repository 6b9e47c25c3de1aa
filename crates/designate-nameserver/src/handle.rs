//! Lifecycle of the nameserver ([`start`]) and the handle callers change its zone list with.

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::Arc;

use hickory_proto::rr::Name;
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::{Mutex, Semaphore};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::catalog::{Catalog, ZoneEntry};
use crate::refresh::{self, Timing};
use crate::server::{self, Shared};
use crate::state::StateFile;
use crate::zone::fqdn_lower;
use crate::{NameserverConfig, NameserverError};

/// How often to retry binding UDP and TCP to the same free port when `listen` has port 0.
const BIND_ATTEMPTS: usize = 16;

/// A cheap, cloneable handle on a running nameserver: changes its zone list and reports its
/// address. Every clone drives the same server.
#[derive(Clone, Debug)]
pub struct NameserverHandle {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    catalog: Arc<Catalog>,
    state: StateFile,
    /// Serialises zone-list writes so the file always reflects the latest change.
    persist: Mutex<()>,
    local_addr: SocketAddr,
    timing: Timing,
    /// Refreshes allowed to run at once (`max_concurrent_refreshes`).
    refreshes: Arc<Semaphore>,
    tracker: TaskTracker,
    shutdown: CancellationToken,
}

/// Starts the nameserver: loads the zone list from `config.state_dir`, binds UDP and TCP on
/// `config.listen` and begins transferring every listed zone from its masters.
///
/// Returns the handle and a task that ends once `shutdown` is cancelled and every listener,
/// connection and refresh task has stopped.
///
/// # Errors
/// [`NameserverError::State`] when the zone list cannot be read, [`NameserverError::Bind`] when
/// the address cannot be bound.
pub async fn start(
    config: NameserverConfig,
    shutdown: CancellationToken,
) -> Result<(NameserverHandle, JoinHandle<()>), NameserverError> {
    let state = StateFile::new(&config.state_dir);
    let zones = state
        .load()
        .await
        .map_err(|source| NameserverError::State {
            path: state.path(),
            source,
        })?;
    let (udp, tcp) = bind(config.listen).await?;
    let local_addr = udp.local_addr().map_err(|source| NameserverError::Bind {
        addr: config.listen,
        source,
    })?;
    let catalog = Arc::new(Catalog::default());
    let tracker = TaskTracker::new();
    let handle = NameserverHandle {
        inner: Arc::new(Inner {
            catalog: Arc::clone(&catalog),
            state,
            persist: Mutex::new(()),
            local_addr,
            timing: Timing {
                transfer_timeout: config.transfer_timeout,
                initial_backoff: config.initial_retry,
                max_backoff: config.max_retry,
                min_interval: config.min_refresh,
            },
            refreshes: Arc::new(Semaphore::new(config.max_concurrent_refreshes.max(1))),
            tracker: tracker.clone(),
            shutdown: shutdown.clone(),
        }),
    };
    for (name, masters) in zones {
        handle.ensure_zone(name, masters);
    }
    let shared = Arc::new(Shared {
        catalog,
        max_udp_payload: config.max_udp_payload,
        tcp_idle_timeout: config.tcp_idle_timeout,
        tcp_connections: Arc::new(Semaphore::new(config.max_tcp_connections.max(1))),
    });
    spawn_udp_workers(udp, config.udp_workers, &shared, &shutdown, &tracker).map_err(|source| {
        NameserverError::Bind {
            addr: local_addr,
            source,
        }
    })?;
    tracker.spawn(server::serve_tcp(
        tcp,
        shared,
        shutdown.clone(),
        tracker.clone(),
    ));
    tracing::info!(addr = %local_addr, "built-in nameserver listening");
    let join = tokio::spawn(async move {
        shutdown.cancelled().await;
        tracker.close();
        tracker.wait().await;
        tracing::info!("built-in nameserver stopped");
    });
    Ok((handle, join))
}

/// Starts `workers` threads (0: one per core) answering on `udp` until `shutdown`; each ends
/// within `UDP_SHUTDOWN_POLL` of it, and `tracker` waits for that, so the port is free once
/// the nameserver's task has ended. Threads rather than tasks: the runtime is not dropped
/// waiting for them when nobody cancels `shutdown` (tests), and no task is woken per query.
fn spawn_udp_workers(
    udp: UdpSocket,
    workers: usize,
    shared: &Arc<Shared>,
    shutdown: &CancellationToken,
    tracker: &TaskTracker,
) -> std::io::Result<()> {
    let udp = udp.into_std()?;
    udp.set_nonblocking(false)?;
    udp.set_read_timeout(Some(server::UDP_SHUTDOWN_POLL))?;
    let workers = match workers {
        0 => std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
        n => n,
    };
    // Every clone first: a failure then leaves no thread running.
    let sockets = (0..workers)
        .map(|_| udp.try_clone())
        .collect::<std::io::Result<Vec<_>>>()?;
    for (n, socket) in sockets.into_iter().enumerate() {
        let shared = Arc::clone(shared);
        let cancel = shutdown.clone();
        let (done, finished) = tokio::sync::oneshot::channel::<()>();
        std::thread::Builder::new()
            .name(format!("nameserver-udp-{n}"))
            .spawn(move || {
                server::serve_udp(&socket, &shared, &cancel);
                drop(done);
            })?;
        tracker.spawn(async move {
            let _ = finished.await;
        });
    }
    Ok(())
}

/// Binds UDP and TCP on the same port; with port 0 the UDP port is picked first and TCP tried
/// on it, again with a new port if another process holds that one for TCP.
async fn bind(listen: SocketAddr) -> Result<(UdpSocket, TcpListener), NameserverError> {
    let bind_error = |source| NameserverError::Bind {
        addr: listen,
        source,
    };
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let udp = UdpSocket::bind(listen).await.map_err(bind_error)?;
        let addr = udp.local_addr().map_err(bind_error)?;
        match TcpListener::bind(addr).await {
            Ok(tcp) => return Ok((udp, tcp)),
            Err(e) if listen.port() == 0 => last_error = Some(e),
            Err(e) => return Err(bind_error(e)),
        }
    }
    Err(bind_error(last_error.unwrap_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::AddrInUse,
            "no port free for both UDP and TCP",
        )
    })))
}

impl NameserverHandle {
    /// Starts serving `name` as a secondary of `masters`, and persists the zone list. Returns
    /// once the zone is registered, without waiting for its transfer (which starts at once).
    /// Idempotent: for a zone already held, the masters are updated and a refresh is triggered.
    ///
    /// # Errors
    /// [`NameserverError::InvalidZone`] for a bad name, [`NameserverError::ShutDown`] after
    /// shutdown, [`NameserverError::State`] when the zone list cannot be written.
    pub async fn add_zone(
        &self,
        name: &str,
        masters: Vec<SocketAddr>,
    ) -> Result<(), NameserverError> {
        let zone = parse_zone(name)?;
        if self.inner.shutdown.is_cancelled() {
            return Err(NameserverError::ShutDown);
        }
        if self.ensure_zone(zone, masters) {
            self.persist().await?;
        }
        Ok(())
    }

    /// [`add_zone`](Self::add_zone) for many zones at once, with one write of the zone list
    /// (writing it per zone would make loading n zones cost n² lines written). Every valid name
    /// is added even when another is invalid; the first error is returned.
    ///
    /// # Errors
    /// As [`add_zone`](Self::add_zone).
    pub async fn add_zones(
        &self,
        zones: impl IntoIterator<Item = (String, Vec<SocketAddr>)>,
    ) -> Result<(), NameserverError> {
        if self.inner.shutdown.is_cancelled() {
            return Err(NameserverError::ShutDown);
        }
        let mut first_error = None;
        let mut changed = false;
        for (name, masters) in zones {
            match parse_zone(&name) {
                Ok(zone) => changed |= self.ensure_zone(zone, masters),
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        if changed {
            self.persist().await?;
        }
        first_error.map_or(Ok(()), Err)
    }

    /// Stops serving `name` (queries for it get REFUSED) and persists the zone list.
    /// Idempotent: removing a zone not held is success.
    ///
    /// # Errors
    /// [`NameserverError::InvalidZone`] for a bad name, [`NameserverError::State`] when the zone
    /// list cannot be written.
    pub async fn remove_zone(&self, name: &str) -> Result<(), NameserverError> {
        let zone = parse_zone(name)?;
        if let Some(entry) = self.inner.catalog.remove(&zone) {
            entry.cancel_token().cancel();
            tracing::info!(zone = %zone, "zone removed");
        }
        self.persist().await
    }

    /// The address the server answers on (UDP and TCP share it).
    pub fn local_addr(&self) -> SocketAddr {
        self.inner.local_addr
    }

    /// The serial of the copy of `name` being served; `None` when the zone is not held, not yet
    /// transferred, expired, or the name is invalid.
    pub fn zone_serial(&self, name: &str) -> Option<u32> {
        let zone = parse_zone(name).ok()?;
        self.inner
            .catalog
            .get(&zone)?
            .snapshot()
            .map(|z| z.serial())
    }

    /// How many transfers of `name` were installed since it was added: (whole-zone,
    /// incremental). `None` when the zone is not held or the name is invalid.
    pub fn zone_transfers(&self, name: &str) -> Option<(u64, u64)> {
        let zone = parse_zone(name).ok()?;
        Some(self.inner.catalog.get(&zone)?.transfer_counts())
    }

    /// The names of the zones held (lower case, with the trailing dot), sorted.
    pub fn zones(&self) -> Vec<String> {
        self.inner
            .catalog
            .list()
            .into_iter()
            .map(|(name, _)| name.to_ascii())
            .collect()
    }

    /// Registers the zone (or updates its masters) and asks for an immediate refresh.
    /// Adds the zone or, when held, sets its masters and kicks its refresh; whether the
    /// zone list on disk must be written again (a new zone or new masters: a refresh of a
    /// held zone, every push of the worker, changes nothing there).
    fn ensure_zone(&self, zone: Name, masters: Vec<SocketAddr>) -> bool {
        let inner = &self.inner;
        let entry = ZoneEntry::new(zone, masters.clone(), inner.shutdown.child_token());
        let (entry, created) = inner.catalog.insert_if_absent(entry);
        if created {
            tracing::info!(zone = %entry.name(), ?masters, "zone added");
            inner.tracker.spawn(refresh::run(
                Arc::clone(&entry),
                inner.timing,
                Arc::clone(&inner.refreshes),
            ));
            // Its task refreshes at once: a kick now would be kept and spent on a second SOA
            // query right after the first transfer (100,000 of them after a bulk add).
            return true;
        }
        let changed = entry.set_masters(masters);
        if changed {
            tracing::info!(zone = %entry.name(), "zone masters changed");
        }
        // For a zone already held, the refresh the caller asked for. Extra kicks coalesce.
        entry.kick();
        changed
    }

    async fn persist(&self) -> Result<(), NameserverError> {
        let _guard = self.inner.persist.lock().await;
        // Read the catalog under the lock so the last writer writes the latest list.
        let zones = self.inner.catalog.list();
        self.inner
            .state
            .save(&zones)
            .await
            .map_err(|source| NameserverError::State {
                path: self.inner.state.path(),
                source,
            })
    }
}

/// Validates a zone name and returns its lower-cased, fully-qualified form.
fn parse_zone(name: &str) -> Result<Name, NameserverError> {
    let invalid = |reason: String| NameserverError::InvalidZone {
        name: name.to_owned(),
        reason,
    };
    if name.trim().is_empty() {
        return Err(invalid("empty name".to_owned()));
    }
    let parsed = Name::from_str(name).map_err(|e| invalid(e.to_string()))?;
    Ok(fqdn_lower(&parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zone_names_are_normalised() {
        assert_eq!(
            parse_zone("Example.ORG").unwrap().to_ascii(),
            "example.org."
        );
        assert_eq!(
            parse_zone("example.org.").unwrap().to_ascii(),
            "example.org."
        );
        assert!(parse_zone("").is_err());
        assert!(parse_zone("a..b").is_err());
        assert_eq!(
            parse_zone("_Sip.Example.org.").unwrap().to_ascii(),
            "_sip.example.org."
        );
        assert_eq!(
            parse_zone("bücher.example.").unwrap().to_ascii(),
            "xn--bcher-kva.example."
        );
    }
}
