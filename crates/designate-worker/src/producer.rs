//! The producer: periodic tasks. Here, recovery — the guarantee that nothing accepted is lost.
//!
//! Central commits a change and then casts it to the worker; if the cast is lost (process killed,
//! bus down) the store still says PENDING. Recovery finds zones PENDING for longer than a grace
//! period, and zones in ERROR, and casts their task again. Worker tasks are idempotent, so a
//! duplicate cast costs a NOTIFY and a poll, nothing more.

use std::sync::Arc;

use chrono::Utc;
use designate_bus::{WorkerApi, ZoneTask};
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{Action, Zone, ZoneStatus};
use designate_core::RequestContext;
use designate_storage::{Storage, StorageError};
use tokio_util::sync::CancellationToken;

use crate::ProducerConfig;

/// The producer role.
pub struct Producer {
    storage: Arc<dyn Storage>,
    worker: Arc<dyn WorkerApi>,
    config: ProducerConfig,
}

impl Producer {
    /// A producer reading from `storage` and casting to `worker`.
    pub fn new(
        storage: Arc<dyn Storage>,
        worker: Arc<dyn WorkerApi>,
        config: ProducerConfig,
    ) -> Self {
        Self {
            storage,
            worker,
            config,
        }
    }

    /// Runs recovery once at start (casts lost by a previous process are re-driven at once) and
    /// then every `recovery_interval` until `shutdown`.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut first = true;
        loop {
            match self.recover(first).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(zones = n, "recovery re-drove zones"),
                Err(error) => tracing::warn!(%error, "recovery failed"),
            }
            first = false;
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(self.config.recovery_interval) => {}
            }
        }
    }

    /// One recovery pass; returns how many zones were re-driven. With `all_pending`, every
    /// PENDING zone counts regardless of age (used at start-up, when no cast can be in flight).
    ///
    /// # Errors
    /// A storage failure.
    pub async fn recover(&self, all_pending: bool) -> Result<usize, StorageError> {
        let cutoff = Utc::now().naive_utc()
            - chrono::Duration::from_std(self.config.pending_grace)
                .unwrap_or(chrono::Duration::zero());
        let mut stuck = Vec::new();
        for status in [ZoneStatus::Pending, ZoneStatus::Error] {
            let criteria = Criteria::new().eq("status", status.as_str());
            let zones = self
                .storage
                .begin_read()
                .await?
                .find_zones(&criteria, &Page::default())
                .await?
                .items;
            stuck.extend(zones.into_iter().filter(|z| {
                status == ZoneStatus::Error
                    || all_pending
                    || z.updated_at.unwrap_or(z.created_at) < cutoff
            }));
        }
        let ctx = RequestContext {
            request_id: "req-recovery".to_owned(),
            ..RequestContext::admin()
        };
        let count = stuck.len();
        for zone in stuck {
            let task = task_for(&zone);
            self.worker.cast_zone_task(&ctx, task, zone).await;
        }
        Ok(count)
    }
}

/// The task that brings a zone's targets to the state its row describes.
pub fn task_for(zone: &Zone) -> ZoneTask {
    match zone.action {
        Action::Create => ZoneTask::Create,
        Action::Delete => ZoneTask::Delete,
        // As upstream: an UPDATE (or an ERROR left with no action) is pushed again as an update.
        // Backends' updates re-provision a target that lost the zone.
        Action::Update | Action::None => ZoneTask::Update,
    }
}
