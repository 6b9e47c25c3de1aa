//! The `builtin` backend: provisions zones on the in-process built-in nameserver.
//!
//! Creating a zone registers it with the nameserver as a secondary of the target's masters
//! (MiniDNS), which then transfers it on its own; deleting unregisters it. Updates need nothing
//! here: the worker's NOTIFY reaches the nameserver, which refreshes. This backend never talks
//! to the nameserver over the network — it holds its [`NameserverHandle`].
//!
//! When the nameserver runs as its own process (`designate nameserver`), this process has no
//! handle: that nameserver provisions its zones itself from the store, so create and delete
//! have nothing to do here and the worker's poll decides when the zone is served (or gone).

use std::net::SocketAddr;

use async_trait::async_trait;
use designate_core::objects::{PoolTarget, Zone};
use designate_nameserver::{NameserverError, NameserverHandle};

use crate::{Backend, BackendContext, BackendError};

/// A pool target served by the built-in nameserver of this process.
#[derive(Debug, Clone)]
pub struct BuiltinBackend {
    /// `None` when the nameserver runs in another process (it follows the store itself).
    handle: Option<NameserverHandle>,
    /// The target's masters as configured (host, port); resolved at each create so a master
    /// given by host name follows DNS changes.
    masters: Vec<(String, u16)>,
}

/// Whether `target`'s `host` / `port` options (when given) are `addr`; a wildcard host
/// matches any address of this machine.
fn names_address(target: &PoolTarget, addr: SocketAddr) -> bool {
    let port_ok = target
        .option("port")
        .and_then(|p| p.parse::<u16>().ok())
        .is_none_or(|p| p == addr.port());
    let host_ok = match target.option("host").map(|h| h.parse::<std::net::IpAddr>()) {
        None | Some(Err(_)) => true,
        Some(Ok(ip)) => ip == addr.ip() || ip.is_unspecified() || addr.ip().is_unspecified(),
    };
    port_ok && host_ok
}

impl BuiltinBackend {
    /// Builds the backend for `target`, whose `masters` are the MiniDNS addresses the
    /// nameserver transfers from.
    ///
    /// # Errors
    /// [`BackendError::Config`] when the target lists no masters.
    pub fn from_target(target: &PoolTarget, ctx: &BackendContext) -> Result<Self, BackendError> {
        // A target naming another nameserver's address (a `designate nameserver` of another
        // pool) is not this process's: that nameserver follows the store itself.
        let handle = ctx
            .builtin
            .clone()
            .filter(|handle| names_address(target, handle.local_addr()));
        if target.masters.is_empty() {
            return Err(BackendError::Config(format!(
                "target {}: type builtin needs at least one master (MiniDNS address)",
                target.id
            )));
        }
        let masters = target
            .masters
            .iter()
            .map(|m| {
                // Accept "[::1]" as well as "::1" for IPv6 masters.
                let host = m.host.trim_start_matches('[').trim_end_matches(']');
                (host.to_owned(), m.port)
            })
            .collect();
        Ok(Self { handle, masters })
    }

    /// The masters as socket addresses, in configured order.
    async fn resolve_masters(&self) -> Result<Vec<SocketAddr>, BackendError> {
        let mut addrs = Vec::new();
        for (host, port) in &self.masters {
            let resolved = tokio::net::lookup_host((host.as_str(), *port)).await?;
            for addr in resolved {
                if !addrs.contains(&addr) {
                    addrs.push(addr);
                }
            }
        }
        if addrs.is_empty() {
            return Err(BackendError::Config(
                "no master address could be resolved".to_owned(),
            ));
        }
        Ok(addrs)
    }
}

#[async_trait]
impl Backend for BuiltinBackend {
    async fn create_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        let Some(handle) = &self.handle else {
            return Ok(());
        };
        let masters = self.resolve_masters().await?;
        handle
            .add_zone(&zone.name, masters)
            .await
            .map_err(to_backend_error)
    }

    /// Registering again is idempotent and asks for a refresh: a nameserver that lost the zone
    /// (its state directory wiped) gets it back on the next update or recovery.
    async fn update_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        self.create_zone(zone).await
    }

    /// In-process, `add_zone` kicks the zone's refresh task, which asks MiniDNS at once.
    fn refreshes_itself(&self) -> bool {
        self.handle.is_some()
    }

    async fn delete_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        let Some(handle) = &self.handle else {
            return Ok(());
        };
        handle
            .remove_zone(&zone.name)
            .await
            .map_err(to_backend_error)
    }
}

fn to_backend_error(e: NameserverError) -> BackendError {
    match e {
        NameserverError::InvalidZone { .. } => BackendError::Config(e.to_string()),
        other => BackendError::Target(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use designate_core::objects::{Action, PoolTargetMaster, ZoneStatus, ZoneType};
    use designate_nameserver::NameserverConfig;
    use uuid::Uuid;

    use super::*;

    fn state_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("designate-builtin-{}", Uuid::new_v4()))
    }

    fn target(masters: Vec<PoolTargetMaster>) -> PoolTarget {
        PoolTarget {
            id: Uuid::new_v4(),
            target_type: "builtin".to_owned(),
            description: None,
            masters,
            options: Vec::new(),
        }
    }

    fn zone(name: &str) -> Zone {
        Zone {
            id: Uuid::new_v4(),
            version: 1,
            created_at: Default::default(),
            updated_at: None,
            deleted: "0".to_owned(),
            deleted_at: None,
            shard: 0,
            tenant_id: None,
            name: name.to_owned(),
            email: "admin@example.org".to_owned(),
            description: None,
            zone_type: ZoneType::Primary,
            transferred_at: None,
            ttl: 3600,
            serial: 1,
            refresh: 3600,
            retry: 600,
            expire: 86400,
            minimum: 3600,
            status: ZoneStatus::Pending,
            parent_zone_id: None,
            action: Action::Create,
            pool_id: None,
            reverse_name: String::new(),
            delayed_notify: false,
            increment_serial: false,
            attributes: Default::default(),
            masters: Vec::new(),
        }
    }

    fn master(host: &str) -> PoolTargetMaster {
        PoolTargetMaster {
            host: host.to_owned(),
            port: 5354,
        }
    }

    #[tokio::test]
    async fn without_a_local_nameserver_the_store_drives_it() {
        // `designate nameserver` in another process follows the store: nothing to do here.
        let backend = BuiltinBackend::from_target(
            &target(vec![master("127.0.0.1")]),
            &BackendContext::default(),
        )
        .unwrap();
        // Another process's nameserver hears of a new serial by the worker's NOTIFY.
        assert!(!backend.refreshes_itself());
        backend.create_zone(&zone("example.org.")).await.unwrap();
        backend.delete_zone(&zone("example.org.")).await.unwrap();
        assert!(matches!(
            BuiltinBackend::from_target(&target(Vec::new()), &BackendContext::default()),
            Err(BackendError::Config(_))
        ));
    }

    #[tokio::test]
    async fn create_and_delete_drive_the_nameserver() {
        let dir = state_dir();
        let shutdown = tokio_util::sync::CancellationToken::new();
        let config = NameserverConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            state_dir: dir.clone(),
            ..NameserverConfig::default()
        };
        let (handle, join) = designate_nameserver::start(config, shutdown.clone())
            .await
            .unwrap();
        let ctx = BackendContext {
            builtin: Some(handle.clone()),
            ..BackendContext::default()
        };
        assert!(matches!(
            BuiltinBackend::from_target(&target(Vec::new()), &ctx),
            Err(BackendError::Config(_))
        ));
        let backend =
            BuiltinBackend::from_target(&target(vec![master("127.0.0.1"), master("[::1]")]), &ctx)
                .unwrap();
        assert!(backend.refreshes_itself(), "a NOTIFY would repeat the kick");
        let z = zone("example.org.");
        backend.create_zone(&z).await.unwrap();
        backend.create_zone(&z).await.unwrap();
        backend.update_zone(&z).await.unwrap();
        assert_eq!(handle.zones(), ["example.org."]);
        backend.delete_zone(&z).await.unwrap();
        backend.delete_zone(&z).await.unwrap();
        assert!(handle.zones().is_empty());
        assert!(matches!(
            backend.create_zone(&zone("bad..name")).await,
            Err(BackendError::Config(_))
        ));
        shutdown.cancel();
        join.await.unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
