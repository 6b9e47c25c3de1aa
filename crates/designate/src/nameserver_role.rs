//! `designate nameserver`: the built-in nameserver as its own process, a pool target like any
//! other nameserver.
//!
//! Which zones it serves follows the store: every 250 ms (spaced further when one pass takes
//! long, see [`SYNC_SPACING`]) it lists the zones of the
//! pools whose `builtin` target points at its own address (target options `host`/`port`) and
//! adds (as a secondary of the target's masters, MiniDNS) or drops zones to match. The worker
//! then sees the zone through its usual SOA polls; NOTIFYs for new serials arrive over DNS.
//! With a bus configured it reports its heartbeat (`nameserver`) into `service_statuses`.

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{Action, PoolTarget};
use designate_nameserver::{NameserverConfig, NameserverHandle};
use designate_storage::Storage;
use tokio_util::sync::CancellationToken;

use crate::all::open_storage;
use crate::config::Config;

/// How often the zone list is compared with the store, at least.
const SYNC_INTERVAL: Duration = Duration::from_millis(250);

/// A pass reads every zone of the pools; with many zones (100,000: a few hundred ms) the
/// passes are spaced to this many times their own duration, so following the store costs at
/// most about a tenth of a core whatever its size.
const SYNC_SPACING: u32 = 10;

/// Runs the nameserver and its store sync until `shutdown`.
pub(crate) async fn run(config: Config, shutdown: CancellationToken) -> Result<()> {
    let storage = open_storage(&config).await?;
    let (nameserver, task) = designate_nameserver::start(
        NameserverConfig {
            listen: config.nameserver_listen,
            state_dir: config.state_path.join("nameserver"),
            ..NameserverConfig::default()
        },
        shutdown.clone(),
    )
    .await
    .context("cannot start the built-in nameserver")?;
    let addr = nameserver.local_addr();
    // The e2e tests and operators read the bound address from this line.
    tracing::info!("nameserver ready: nameserver={addr}");
    // Reported through central over the bus when one is configured (only central writes).
    let beat = crate::roles::spawn_heartbeat(&config, "nameserver", shutdown.clone());
    let mut first = true;
    loop {
        let started = std::time::Instant::now();
        match sync(&*storage, &nameserver, addr, first).await {
            Ok(()) => first = false,
            Err(error) => tracing::warn!(%error, "cannot sync zones from the store"),
        }
        let pause = SYNC_INTERVAL.max(started.elapsed() * SYNC_SPACING);
        tokio::select! {
            () = shutdown.cancelled() => break,
            () = tokio::time::sleep(pause) => {}
        }
    }
    let _ = task.await;
    if let Some(beat) = beat {
        let _ = beat.await;
    }
    Ok(())
}

/// Whether `target` is this nameserver.
fn is_me(target: &PoolTarget, me: SocketAddr) -> bool {
    if target.target_type != "builtin" {
        return false;
    }
    let port = target.option("port").and_then(|p| p.parse::<u16>().ok());
    let host = target.option("host").map(|h| h.trim_matches(['[', ']']));
    port == Some(me.port())
        && (me.ip().is_unspecified() || host.and_then(|h| h.parse().ok()) == Some(me.ip()))
}

/// One pass: the zones the store wants here versus the zones held. On the first pass every
/// wanted zone is (re-)added so that moved masters take effect.
async fn sync(
    storage: &dyn Storage,
    nameserver: &NameserverHandle,
    me: SocketAddr,
    first: bool,
) -> Result<()> {
    let mut tx = storage.begin_read().await?;
    let mut wanted: BTreeMap<String, Arc<Vec<SocketAddr>>> = BTreeMap::new();
    for pool in tx.find_pools().await? {
        let Some(target) = pool.targets.iter().find(|t| is_me(t, me)) else {
            continue;
        };
        let mut masters = Vec::new();
        for m in &target.masters {
            let host = m.host.trim_matches(['[', ']']);
            if let Ok(addrs) = tokio::net::lookup_host((host, m.port)).await {
                masters.extend(addrs);
            }
        }
        let masters = Arc::new(masters);
        let zones = tx
            .find_zones(
                &Criteria::new().eq("pool_id", pool.id.to_string()),
                &Page::default(),
            )
            .await?;
        for zone in zones.items {
            if zone.action != Action::Delete {
                wanted.insert(zone.name.to_lowercase(), Arc::clone(&masters));
            }
        }
    }
    drop(tx);
    let held: BTreeSet<String> = nameserver.zones().into_iter().collect();
    let added = wanted
        .iter()
        .filter(|(name, masters)| (first || !held.contains(*name)) && !masters.is_empty())
        .map(|(name, masters)| (name.clone(), masters.to_vec()))
        .collect::<Vec<_>>();
    if !added.is_empty() {
        if let Err(error) = nameserver.add_zones(added).await {
            tracing::warn!(%error, "cannot add zones");
        }
    }
    for name in held.difference(&wanted.keys().cloned().collect()) {
        if let Err(error) = nameserver.remove_zone(name).await {
            tracing::warn!(zone = %name, %error, "cannot remove zone");
        }
    }
    Ok(())
}
