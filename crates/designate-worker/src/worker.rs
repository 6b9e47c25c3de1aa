//! The worker: applies zone tasks to every target of the zone's pool and reports the outcome.
//!
//! Tasks for one zone never run concurrently: while one runs, later casts for the same zone are
//! merged into a single follow-up (the newest zone wins; a delete beats a create beats an update),
//! so a burst of recordset changes costs one NOTIFY and one poll, not one each. A push that
//! succeeds while such a follow-up waits leaves the status report to it: the follow-up's serial
//! covers this one's, so a zone changed without pause is set ACTIVE once, when the burst's last
//! push lands, instead of once per push.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use designate_backends::{from_target, BackendContext, BackendError};
use designate_bus::inproc::WorkerCast;
use designate_bus::{CentralApi, PushOutcome, ZoneTask};
use designate_core::objects::{Action, Pool, PoolTarget, Zone, ZoneType};
use designate_core::RequestContext;
use designate_storage::Storage;
use tokio::sync::mpsc;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::notify::notify_with_retries;
use crate::poll::{self, Expect};
use crate::pools::PoolCache;
use crate::xfr;
use crate::WorkerConfig;

/// The worker role.
pub struct Worker {
    storage: Arc<dyn Storage>,
    central: Arc<dyn CentralApi>,
    backends: BackendContext,
    config: WorkerConfig,
    pools: PoolCache,
    /// Zones with a task running, and the merged follow-up cast, if any. Transfers from a
    /// SECONDARY zone's masters have a lane of their own: a transfer ends in a push, which must
    /// not merge into the transfer that caused it. Written by [`Worker::run`]'s loop alone; a
    /// running push reads whether its follow-up waits.
    inflight: Mutex<HashMap<(Uuid, Lane), Option<WorkerCast>>>,
}

impl Worker {
    /// A worker reading pools from `storage` and reporting to `central`.
    pub fn new(
        storage: Arc<dyn Storage>,
        central: Arc<dyn CentralApi>,
        mut backends: BackendContext,
        config: WorkerConfig,
    ) -> Arc<Self> {
        // Backends that write zone data (powerdns-sql) read it from the worker's store.
        if backends.storage.is_none() {
            backends.storage = Some(Arc::clone(&storage));
        }
        Arc::new(Self {
            storage,
            central,
            backends,
            config,
            pools: PoolCache::default(),
            inflight: Mutex::default(),
        })
    }

    /// Consumes casts until `shutdown`; in-flight tasks are abandoned at shutdown (their zones stay
    /// PENDING in the store and the producer's recovery re-drives them).
    pub async fn run(
        self: Arc<Self>,
        mut casts: mpsc::UnboundedReceiver<WorkerCast>,
        shutdown: CancellationToken,
    ) {
        let mut running: JoinSet<(Uuid, Lane)> = JoinSet::new();
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                cast = casts.recv() => {
                    let Some(cast) = cast else { break };
                    let key = (cast.zone.id, Lane::of(cast.task));
                    let idle = {
                        let mut inflight = self.inflight();
                        match inflight.get_mut(&key) {
                            Some(next) => {
                                *next = Some(merge(next.take(), cast));
                                None
                            }
                            None => {
                                inflight.insert(key, None);
                                Some(cast)
                            }
                        }
                    };
                    if let Some(cast) = idle {
                        running.spawn(Arc::clone(&self).run_cast(cast, shutdown.clone()));
                    }
                }
                Some(done) = running.join_next(), if !running.is_empty() => {
                    let key = match done {
                        Ok(key) => key,
                        Err(error) => {
                            tracing::error!(%error, "zone task panicked");
                            continue;
                        }
                    };
                    let next = {
                        let mut inflight = self.inflight();
                        let next = inflight.remove(&key).flatten();
                        if next.is_some() {
                            inflight.insert(key, None);
                        }
                        next
                    };
                    if let Some(next) = next {
                        running.spawn(Arc::clone(&self).run_cast(next, shutdown.clone()));
                    }
                }
            }
        }
        running.abort_all();
    }

    async fn run_cast(
        self: Arc<Self>,
        cast: WorkerCast,
        shutdown: CancellationToken,
    ) -> (Uuid, Lane) {
        let lane = Lane::of(cast.task);
        let zone_id = match lane {
            Lane::Transfer => self.transfer(cast, &shutdown).await,
            Lane::Push => self.execute(cast, shutdown).await,
        };
        (zone_id, lane)
    }

    /// A transfer from the zone's masters (as stored now; a NOTIFY's cast names the master that
    /// sent it), reported to central, which stores it and casts the push.
    async fn transfer(&self, cast: WorkerCast, shutdown: &CancellationToken) -> Uuid {
        let zone_id = cast.zone.id;
        let stored = match self.storage.begin_read().await {
            Ok(mut tx) => tx.get_zone(zone_id).await,
            Err(e) => Err(e),
        };
        let zone = match stored {
            Ok(zone) if zone.zone_type == ZoneType::Secondary && zone.action != Action::Delete => {
                zone
            }
            Ok(_) | Err(designate_storage::StorageError::NotFound(_)) => return zone_id,
            Err(error) => {
                // Left to recovery (the zone stays PENDING).
                tracing::warn!(zone = %cast.zone.name, %error, "cannot read zone for XFR");
                return zone_id;
            }
        };
        let masters = if cast.zone.masters.is_empty() {
            zone.masters.clone()
        } else {
            cast.zone.masters.clone()
        };
        let fetched = tokio::select! {
            () = shutdown.cancelled() => return zone_id,
            fetched = xfr::fetch(&zone, &masters, self.config.xfr_timeout) => fetched,
        };
        let xfr::Fetched::Report(outcome) = fetched else {
            return zone_id;
        };
        let ctx = RequestContext {
            request_id: cast.ctx.request_id.clone(),
            ..RequestContext::admin()
        };
        if let Err(error) = self.central.finish_zone_xfr(&ctx, zone_id, outcome).await {
            tracing::warn!(zone = %zone.name, %error, "could not report XFR");
        }
        zone_id
    }

    async fn execute(self: Arc<Self>, cast: WorkerCast, shutdown: CancellationToken) -> Uuid {
        let zone_id = cast.zone.id;
        let outcome = match self.apply(cast.task, &cast.zone, &shutdown).await {
            Ok(true) => PushOutcome::Success,
            Ok(false) => PushOutcome::Error,
            Err(error) => {
                tracing::warn!(zone = %cast.zone.name, %error, "zone task failed");
                PushOutcome::Error
            }
        };
        if shutdown.is_cancelled() {
            return zone_id;
        }
        tracing::debug!(zone = %cast.zone.name, task = ?cast.task, ?outcome, serial = cast.zone.serial, "zone task done");
        // The follow-up runs once this task ends and reports a serial at or above this one;
        // a failure is still reported at once (the zone shows ERROR while the follow-up runs).
        if outcome == PushOutcome::Success
            && cast.task != ZoneTask::Delete
            && self.followup_waits(zone_id)
        {
            tracing::debug!(zone = %cast.zone.name, serial = cast.zone.serial, "status left to the follow-up push");
            return zone_id;
        }
        let ctx = RequestContext {
            request_id: cast.ctx.request_id.clone(),
            ..RequestContext::admin()
        };
        if let Err(error) = self
            .central
            .update_status(&ctx, zone_id, outcome, cast.zone.serial)
            .await
        {
            tracing::warn!(zone = %cast.zone.name, %error, "could not report zone status");
        }
        zone_id
    }

    fn inflight(&self) -> std::sync::MutexGuard<'_, HashMap<(Uuid, Lane), Option<WorkerCast>>> {
        // Nothing panics while holding the lock, so a poisoned map is still consistent.
        self.inflight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether a merged follow-up push of the zone waits for the running one.
    fn followup_waits(&self, zone_id: Uuid) -> bool {
        self.inflight()
            .get(&(zone_id, Lane::Push))
            .is_some_and(Option::is_some)
    }

    /// Applies `task` to every target, then polls the pool's nameservers. Ok(true) when the
    /// threshold of targets and nameservers reached the wanted state.
    async fn apply(
        &self,
        task: ZoneTask,
        zone: &Zone,
        shutdown: &CancellationToken,
    ) -> Result<bool, WorkerError> {
        let pool_id = zone.pool_id.ok_or(WorkerError::NoPool)?;
        if let ZoneTask::Move { from_pool } = task {
            self.leave_pool(zone, from_pool, shutdown).await;
        }
        let task = match task {
            ZoneTask::Move { .. } => ZoneTask::Create,
            other => other,
        };
        let pool = self.pools.get(self.storage.as_ref(), pool_id).await?;
        let results = futures::future::join_all(
            pool.targets
                .iter()
                .map(|target| self.apply_on_target(task, zone, target, shutdown)),
        )
        .await;
        let ok = results.iter().filter(|r| **r).count();
        if !poll::threshold_met(ok, results.len(), self.config.threshold_percentage) {
            return Ok(false);
        }
        if task == ZoneTask::Update && self.config.notify {
            self.notify_also(zone, &pool, shutdown).await;
        }
        let expect = match task {
            ZoneTask::Delete => Expect::Absent,
            _ => Expect::SerialAtLeast(zone.serial),
        };
        let nameservers = resolve_all(
            pool.nameservers
                .iter()
                .map(|ns| (ns.host.as_str(), ns.port)),
        )
        .await;
        Ok(poll::poll_pool(&zone.name, &nameservers, expect, &self.config, shutdown).await)
    }

    /// One target: the backend operation (retried), then a NOTIFY unless deleting. True on success.
    async fn apply_on_target(
        &self,
        task: ZoneTask,
        zone: &Zone,
        target: &PoolTarget,
        shutdown: &CancellationToken,
    ) -> bool {
        let backend = match from_target(target, &self.backends) {
            Ok(backend) => backend,
            Err(error) => {
                tracing::error!(target = %target.id, %error, "unusable pool target");
                return false;
            }
        };
        let mut waits = poll::backoff(&self.config);
        loop {
            let result: Result<(), BackendError> = match task {
                ZoneTask::Create | ZoneTask::Move { .. } => backend.create_zone(zone).await,
                ZoneTask::Update => backend.update_zone(zone).await,
                ZoneTask::Delete => backend.delete_zone(zone).await,
                // Transfers never reach the targets (their own lane).
                ZoneTask::Transfer => return true,
            };
            match result {
                Ok(()) => break,
                Err(error) => {
                    tracing::warn!(zone = %zone.name, target = %target.id, %error, "target operation failed");
                    match waits.next() {
                        Some(wait) if !poll::sleep_or_cancel(wait, shutdown).await => {}
                        _ => return false,
                    }
                }
            }
        }
        // Upstream NOTIFYs after a create too: a target that already had the zone (a re-driven
        // create) then fetches the new serial at once instead of at its next refresh.
        if task != ZoneTask::Delete && self.config.notify && !backend.refreshes_itself() {
            if let Some(addr) = target_dns_address(target).await {
                if let Err(error) =
                    notify_with_retries(&zone.name, addr, &self.config, shutdown).await
                {
                    // Not fatal: the poll below decides; retries go on in the background.
                    tracing::warn!(zone = %zone.name, %addr, %error, "NOTIFY failed");
                }
            }
        }
        true
    }

    /// Removes a moved zone from every target of the pool it left (upstream leaves it there).
    /// Failures are logged: the zone is served by its new pool whatever happens here.
    async fn leave_pool(&self, zone: &Zone, from_pool: Uuid, shutdown: &CancellationToken) {
        let pool = match self.storage.begin_read().await {
            Ok(mut tx) => tx.get_pool(from_pool).await,
            Err(e) => Err(e),
        };
        let pool = match pool {
            Ok(pool) => pool,
            Err(error) => {
                tracing::warn!(zone = %zone.name, %from_pool, %error, "old pool unreadable, zone left on its targets");
                return;
            }
        };
        let mut old = zone.clone();
        old.pool_id = Some(from_pool);
        let results = futures::future::join_all(
            pool.targets
                .iter()
                .map(|target| self.apply_on_target(ZoneTask::Delete, &old, target, shutdown)),
        )
        .await;
        let removed = results.iter().filter(|ok| **ok).count();
        tracing::info!(zone = %zone.name, %from_pool, removed, targets = results.len(), "zone removed from the old pool");
    }

    async fn notify_also(&self, zone: &Zone, pool: &Pool, shutdown: &CancellationToken) {
        let hosts = resolve_all(pool.also_notifies.iter().map(|n| (n.host.as_str(), n.port))).await;
        for addr in hosts {
            if let Err(error) = notify_with_retries(&zone.name, addr, &self.config, shutdown).await
            {
                tracing::warn!(zone = %zone.name, %addr, %error, "also-notify failed");
            }
        }
    }
}

/// Merges a pending follow-up with a newer cast for the same zone.
fn merge(pending: Option<WorkerCast>, newer: WorkerCast) -> WorkerCast {
    let Some(pending) = pending else { return newer };
    // A move must still leave its old pool, whatever follows it but a delete.
    let rank = |t: ZoneTask| match t {
        ZoneTask::Update | ZoneTask::Transfer => 0,
        ZoneTask::Create => 1,
        ZoneTask::Move { .. } => 2,
        ZoneTask::Delete => 3,
    };
    let task = if rank(pending.task) > rank(newer.task) {
        pending.task
    } else {
        newer.task
    };
    WorkerCast { task, ..newer }
}

/// Which queue of a zone a cast waits in: pushes to the targets, or transfers from masters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Lane {
    Push,
    Transfer,
}

impl Lane {
    fn of(task: ZoneTask) -> Self {
        match task {
            ZoneTask::Transfer => Self::Transfer,
            _ => Self::Push,
        }
    }
}

/// The DNS address a target is NOTIFYed at: its `host`/`port` options (upstream's names).
async fn target_dns_address(target: &PoolTarget) -> Option<SocketAddr> {
    let host = target.option("host")?;
    let port = target
        .option("port")
        .and_then(|p| p.parse().ok())
        .unwrap_or(53);
    resolve(host, port).await
}

async fn resolve_all<'a>(hosts: impl Iterator<Item = (&'a str, u16)>) -> Vec<SocketAddr> {
    let mut out = Vec::new();
    for (host, port) in hosts {
        if let Some(addr) = resolve(host, port).await {
            out.push(addr);
        }
    }
    out
}

async fn resolve(host: &str, port: u16) -> Option<SocketAddr> {
    if let Ok(ip) = host.parse() {
        return Some(SocketAddr::new(ip, port));
    }
    match tokio::net::lookup_host((host, port)).await {
        Ok(mut addrs) => addrs.next(),
        Err(error) => {
            tracing::warn!(host, %error, "cannot resolve nameserver");
            None
        }
    }
}

/// Why a zone task could not run at all.
#[derive(Debug, thiserror::Error)]
enum WorkerError {
    #[error("zone has no pool")]
    NoPool,
    #[error(transparent)]
    Storage(#[from] designate_storage::StorageError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use designate_bus::ZoneTask::{Create, Delete, Update};

    fn cast(task: ZoneTask, serial: u32) -> WorkerCast {
        let zone: Zone = serde_json::from_value(serde_json::json!({
            "id": Uuid::nil(), "version": 1, "created_at": "2024-01-01T00:00:00", "updated_at": null,
            "deleted": "0", "deleted_at": null, "shard": 0, "tenant_id": null, "name": "example.org.",
            "email": "a@example.org", "description": null, "zone_type": "PRIMARY", "transferred_at": null,
            "ttl": 3600, "serial": serial, "refresh": 1, "retry": 1, "expire": 1, "minimum": 1,
            "status": "PENDING", "parent_zone_id": null, "action": "UPDATE", "pool_id": null,
            "reverse_name": "", "delayed_notify": false, "increment_serial": false
        }))
        .expect("zone json");
        WorkerCast {
            ctx: RequestContext::admin(),
            task,
            zone,
            receipt: None,
        }
    }

    #[test]
    fn merge_keeps_strongest_task_and_newest_zone() {
        let m = merge(Some(cast(Create, 1)), cast(Update, 2));
        assert_eq!((m.task, m.zone.serial), (Create, 2));
        let m = merge(Some(cast(Update, 1)), cast(Delete, 2));
        assert_eq!((m.task, m.zone.serial), (Delete, 2));
        let m = merge(Some(cast(Delete, 1)), cast(Update, 2));
        assert_eq!(m.task, Delete);
        let m = merge(None, cast(Update, 3));
        assert_eq!((m.task, m.zone.serial), (Update, 3));
    }
}
