//! The producer's periodic tasks, after upstream's `designate/producer/tasks.py`, each run on
//! one shard range at a time: the range of a bucket this instance holds (see
//! [`crate::shards`]). Tasks read through the store and change it only through central.

use std::time::Duration;

use chrono::Utc;
use designate_bus::{CentralApi, Notifier, WorkerApi, ZoneTask};
use designate_core::criteria::{Criteria, Page, SortDir};
use designate_core::objects::{Action, Zone, ZoneStatus, ZoneType};
use designate_core::{DesignateError, RequestContext};
use designate_storage::{Storage, StorageError};

use crate::ProducerConfig;

/// A periodic task, by upstream's plugin name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// `worker_periodic_recovery`: re-drive zones stuck PENDING or in ERROR.
    Recovery,
    /// `zone_purge`: hard-delete zones soft-deleted longer than `time_threshold`.
    ZonePurge,
    /// `periodic_exists`: emit `dns.zone.exists` (and `dns.domain.exists`) for every zone.
    PeriodicExists,
    /// `delayed_notify`: one update for all the changes batched under a zone's flag.
    DelayedNotify,
    /// `increment_serial`: one serial bump for zones flagged `increment_serial`.
    IncrementSerial,
    /// `periodic_secondary_refresh`: transfer SECONDARY zones again once their SOA refresh
    /// interval has passed since `transferred_at`.
    SecondaryRefresh,
}

impl Task {
    /// Every task, in the order a tick runs them.
    pub const ALL: [Self; 6] = [
        Self::Recovery,
        // Before delayed_notify, which leaves zones still waiting for their bump alone.
        Self::IncrementSerial,
        Self::DelayedNotify,
        Self::ZonePurge,
        Self::PeriodicExists,
        Self::SecondaryRefresh,
    ];

    /// Upstream's plugin name (`[producer_task:<name>]`, `enabled_tasks`).
    pub fn name(self) -> &'static str {
        match self {
            Self::Recovery => "worker_periodic_recovery",
            Self::ZonePurge => "zone_purge",
            Self::PeriodicExists => "periodic_exists",
            Self::DelayedNotify => "delayed_notify",
            Self::IncrementSerial => "increment_serial",
            Self::SecondaryRefresh => "periodic_secondary_refresh",
        }
    }

    /// How often the task runs on one shard range.
    pub fn interval(self, config: &ProducerConfig) -> Duration {
        match self {
            Self::Recovery => config.recovery_interval,
            Self::ZonePurge => config.zone_purge.interval,
            Self::PeriodicExists => config.exists_interval,
            Self::DelayedNotify => config.delayed_notify.interval,
            Self::IncrementSerial => config.increment_serial.interval,
            Self::SecondaryRefresh => config.secondary_refresh_interval,
        }
    }
}

/// Why a task run failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TaskError {
    /// Reading the store failed.
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    /// Central refused or failed.
    #[error("central: {0}")]
    Central(#[from] DesignateError),
    /// The task needs a handle the producer was not given (central or notifier).
    #[error("{0} is not wired into this producer")]
    NotWired(&'static str),
}

/// What the tasks run with.
pub(crate) struct TaskEnv<'a> {
    pub(crate) storage: &'a dyn Storage,
    pub(crate) worker: &'a dyn WorkerApi,
    pub(crate) central: Option<&'a dyn CentralApi>,
    pub(crate) notifier: Option<&'a dyn Notifier>,
    pub(crate) config: &'a ProducerConfig,
}

/// The producer's own admin context, all projects.
pub(crate) fn context(task: Task) -> RequestContext {
    RequestContext {
        request_id: format!("req-producer-{}", task.name()),
        ..RequestContext::admin()
    }
}

fn since(d: Duration) -> chrono::NaiveDateTime {
    Utc::now().naive_utc() - chrono::Duration::from_std(d).unwrap_or(chrono::Duration::MAX)
}

impl TaskEnv<'_> {
    /// Runs `task` on `shards`; returns how many zones it acted on.
    pub(crate) async fn run(
        &self,
        task: Task,
        shards: (u16, u16),
        first: bool,
    ) -> Result<usize, TaskError> {
        match task {
            Task::Recovery => self.recover(shards, first).await,
            Task::ZonePurge => self.purge(shards).await,
            Task::PeriodicExists => self.exists(shards).await,
            Task::DelayedNotify => self.delayed_notify(shards).await,
            Task::IncrementSerial => self.increment_serial(shards).await,
            Task::SecondaryRefresh => self.secondary_refresh(shards).await,
        }
    }

    /// Every live zone of `shards` matching `criteria`, a page of `per_page` at a time.
    async fn zones(
        &self,
        shards: (u16, u16),
        criteria: &Criteria,
    ) -> Result<Vec<Zone>, StorageError> {
        let mut all = Vec::new();
        let mut page = Page {
            limit: Some(self.config.per_page.max(1)),
            sort_key: "id".to_owned(),
            ..Page::default()
        };
        loop {
            let items = self
                .storage
                .begin_read()
                .await?
                .find_zones_in_shards(shards, criteria, &page)
                .await?
                .items;
            let full = items.len() >= page.limit.map_or(usize::MAX, |l| l as usize);
            page.marker = items.last().map(|z| z.id);
            all.extend(items);
            if !full {
                return Ok(all);
            }
        }
    }

    /// `worker_periodic_recovery`: zones PENDING longer than the grace period (any PENDING zone
    /// with `all_pending`, at start-up), and zones in ERROR, get their task cast again.
    async fn recover(&self, shards: (u16, u16), all_pending: bool) -> Result<usize, TaskError> {
        let cutoff = since(self.config.pending_grace);
        let mut stuck = Vec::new();
        for status in [ZoneStatus::Pending, ZoneStatus::Error] {
            let criteria = Criteria::new().eq("status", status.as_str());
            let zones = self.zones(shards, &criteria).await?;
            stuck.extend(zones.into_iter().filter(|z| {
                status == ZoneStatus::Error
                    || all_pending
                    || z.updated_at.unwrap_or(z.created_at) < cutoff
            }));
        }
        let ctx = context(Task::Recovery);
        let count = stuck.len();
        for zone in stuck {
            self.worker
                .cast_zone_task(&ctx, task_for(&zone), zone)
                .await;
        }
        Ok(count)
    }

    /// `zone_purge`: up to `batch_size` zones deleted more than `time_threshold` ago.
    async fn purge(&self, shards: (u16, u16)) -> Result<usize, TaskError> {
        let central = self.central.ok_or(TaskError::NotWired("central"))?;
        let cfg = &self.config.zone_purge;
        let ids: Vec<_> = self
            .storage
            .begin_read()
            .await?
            .find_purgeable_zones(shards, since(cfg.time_threshold), cfg.batch_size)
            .await?
            .iter()
            .map(|z| z.id)
            .collect();
        if ids.is_empty() {
            return Ok(0);
        }
        let purged = central.purge_zones(&context(Task::ZonePurge), ids).await?;
        Ok(purged as usize)
    }

    /// `periodic_exists`: one `dns.domain.exists` and one `dns.zone.exists` per live zone, with
    /// the audit period (the last `interval`).
    async fn exists(&self, shards: (u16, u16)) -> Result<usize, TaskError> {
        let notifier = self.notifier.ok_or(TaskError::NotWired("notifier"))?;
        let end = Utc::now().naive_utc();
        let start = since(self.config.exists_interval);
        let zones = self.zones(shards, &Criteria::new()).await?;
        let ctx = context(Task::PeriodicExists);
        for zone in &zones {
            let mut payload = serde_json::to_value(zone).unwrap_or_default();
            if let Some(map) = payload.as_object_mut() {
                // Upstream's field name for the zone type.
                map.insert("type".to_owned(), zone.zone_type.as_str().into());
                map.insert("audit_period_beginning".to_owned(), fmt_ts(start).into());
                map.insert("audit_period_ending".to_owned(), fmt_ts(end).into());
            }
            notifier
                .notify(&ctx, "dns.domain.exists", payload.clone())
                .await;
            notifier.notify(&ctx, "dns.zone.exists", payload).await;
        }
        Ok(zones.len())
    }

    /// `delayed_notify`: the oldest-updated `batch_size` zones with the flag set each get one
    /// update cast for all their batched changes; central clears the flag first, so a lost
    /// cast leaves a PENDING zone that recovery re-drives.
    async fn delayed_notify(&self, shards: (u16, u16)) -> Result<usize, TaskError> {
        let central = self.central.ok_or(TaskError::NotWired("central"))?;
        let criteria = Criteria::new()
            .eq("delayed_notify", "true")
            .eq("increment_serial", "false");
        let page = Page {
            limit: Some(self.config.delayed_notify.batch_size.max(1)),
            sort_key: "updated_at".to_owned(),
            sort_dir: SortDir::Asc,
            marker: None,
        };
        let zones = self
            .storage
            .begin_read()
            .await?
            .find_zones_in_shards(shards, &criteria, &page)
            .await?
            .items;
        let ctx = context(Task::DelayedNotify);
        let mut count = 0;
        for zone in zones {
            if let Some(zone) = central.finish_delayed_notify(&ctx, zone.id).await? {
                self.worker
                    .cast_zone_task(&ctx, ZoneTask::Update, zone)
                    .await;
                count += 1;
            }
        }
        Ok(count)
    }
}

// --- producer `increment_serial` ---
impl TaskEnv<'_> {
    /// `increment_serial` (upstream's `PeriodicIncrementSerialTask`): the oldest-updated
    /// `batch_size` flagged zones each get one serial bump through central, and an update cast
    /// unless they also wait for a delayed NOTIFY (that task casts them then).
    async fn increment_serial(&self, shards: (u16, u16)) -> Result<usize, TaskError> {
        let central = self.central.ok_or(TaskError::NotWired("central"))?;
        let criteria = Criteria::new().eq("increment_serial", "true");
        let page = Page {
            limit: Some(self.config.increment_serial.batch_size.max(1)),
            sort_key: "updated_at".to_owned(),
            sort_dir: SortDir::Asc,
            marker: None,
        };
        let zones = self
            .storage
            .begin_read()
            .await?
            .find_zones_in_shards(shards, &criteria, &page)
            .await?
            .items;
        let ctx = context(Task::IncrementSerial);
        let mut count = 0;
        for zone in zones {
            if zone.action == Action::Delete {
                continue;
            }
            if let Some(zone) = central.increment_zone_serial(&ctx, zone.id).await? {
                count += 1;
                if !zone.delayed_notify {
                    self.worker
                        .cast_zone_task(&ctx, ZoneTask::Update, zone)
                        .await;
                }
            }
        }
        Ok(count)
    }
}

// --- producer `periodic_secondary_refresh` ---
impl TaskEnv<'_> {
    /// `periodic_secondary_refresh` (upstream's `PeriodicSecondaryRefreshTask`): every
    /// SECONDARY zone of the shards transferred longer than its refresh interval ago gets an
    /// `xfr_zone` through central (the worker transfers only when the master's serial is newer).
    /// Zones never transferred are recovery's.
    async fn secondary_refresh(&self, shards: (u16, u16)) -> Result<usize, TaskError> {
        let central = self.central.ok_or(TaskError::NotWired("central"))?;
        let criteria = Criteria::new().eq("type", ZoneType::Secondary.as_str());
        let now = Utc::now().naive_utc();
        let due: Vec<_> = self
            .zones(shards, &criteria)
            .await?
            .into_iter()
            .filter(|z| z.action != Action::Delete)
            .filter(|z| {
                z.transferred_at
                    .is_some_and(|at| (now - at).num_seconds() > i64::from(z.refresh.max(0)))
            })
            .collect();
        let ctx = context(Task::SecondaryRefresh);
        for zone in &due {
            tracing::debug!(zone = %zone.name, "refresh interval passed, XFR");
            central.xfr_zone(&ctx, zone.id).await?;
        }
        Ok(due.len())
    }
}

/// Upstream's notification timestamp format.
fn fmt_ts(ts: chrono::NaiveDateTime) -> String {
    ts.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// The task that brings a zone's targets to the state its row describes.
pub fn task_for(zone: &Zone) -> ZoneTask {
    // A SECONDARY zone never transferred reaches its targets through its first transfer.
    if zone.zone_type == ZoneType::Secondary
        && zone.transferred_at.is_none()
        && zone.action != Action::Delete
    {
        return ZoneTask::Transfer;
    }
    match zone.action {
        Action::Create => ZoneTask::Create,
        Action::Delete => ZoneTask::Delete,
        // As upstream: an UPDATE (or an ERROR left with no action) is pushed again as an update.
        // Backends' updates re-provision a target that lost the zone.
        Action::Update | Action::None => ZoneTask::Update,
    }
}
