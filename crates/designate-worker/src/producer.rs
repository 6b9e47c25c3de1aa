//! The producer role: runs the periodic tasks of [`crate::tasks`] on the shards this instance
//! holds ([`crate::shards`]), so that any number of producers share the work and a dead one's
//! shards are taken over within one lease period.
//!
//! Each tick renews the instance's leases and, for every enabled task and held bucket whose run
//! gate is open, runs the task on the bucket's shard range. Recovery is what guarantees that
//! nothing accepted is lost: central commits and then casts; a lost cast leaves the store saying
//! PENDING, and recovery casts again (worker tasks are idempotent).

use std::sync::Arc;
use std::time::Duration;

use designate_bus::{CentralApi, Notifier, WorkerApi};
use designate_storage::{Storage, StorageError};
use tokio_util::sync::CancellationToken;

use crate::shards::{bucket_shards, ShardLeases, BUCKETS};
use crate::tasks::TaskEnv;
pub use crate::tasks::{task_for, Task, TaskError};
use crate::ProducerConfig;

/// The shortest tick: keeps a misconfigured zero interval from spinning.
const MIN_TICK: Duration = Duration::from_millis(50);

/// The producer role.
pub struct Producer {
    storage: Arc<dyn Storage>,
    worker: Arc<dyn WorkerApi>,
    central: Option<Arc<dyn CentralApi>>,
    notifier: Option<Arc<dyn Notifier>>,
    config: ProducerConfig,
    /// Lease holder id of this instance.
    holder: String,
}

/// One task run on one bucket during a tick.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskRun {
    /// The task.
    pub task: Task,
    /// The bucket (see [`crate::shards::bucket_shards`]).
    pub bucket: u16,
    /// Zones acted on, or the failure.
    pub outcome: Result<usize, String>,
}

impl Producer {
    /// A producer reading from `storage` and casting to `worker`. Tasks that write
    /// (`zone_purge`, `delayed_notify`) need [`Producer::with_central`]; `periodic_exists` needs
    /// [`Producer::with_notifier`]; without them those tasks are skipped.
    pub fn new(
        storage: Arc<dyn Storage>,
        worker: Arc<dyn WorkerApi>,
        config: ProducerConfig,
    ) -> Self {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "producer".to_owned());
        Self {
            storage,
            worker,
            central: None,
            notifier: None,
            config,
            holder: format!("{host}-{}", uuid::Uuid::new_v4().simple()),
        }
    }

    /// Central, for the tasks that change zones.
    #[must_use]
    pub fn with_central(mut self, central: Arc<dyn CentralApi>) -> Self {
        self.central = Some(central);
        self
    }

    /// The notifier, for `periodic_exists`.
    #[must_use]
    pub fn with_notifier(mut self, notifier: Arc<dyn Notifier>) -> Self {
        self.notifier = Some(notifier);
        self
    }

    /// Sets the lease holder id (unique per instance; a random one by default).
    #[must_use]
    pub fn with_holder(mut self, holder: impl Into<String>) -> Self {
        self.holder = holder.into();
        self
    }

    /// The tasks this producer runs: enabled in the config and wired.
    pub fn tasks(&self) -> Vec<Task> {
        Task::ALL
            .into_iter()
            .filter(|t| self.config.task_enabled(t.name()))
            .filter(|t| match t {
                Task::ZonePurge
                | Task::DelayedNotify
                | Task::IncrementSerial
                | Task::SecondaryRefresh => self.central.is_some(),
                Task::PeriodicExists => self.notifier.is_some(),
                Task::Recovery => true,
            })
            .collect()
    }

    /// How often a tick runs: often enough to renew leases (a third of the period) and to run
    /// the most frequent task on time.
    fn tick_every(&self) -> Duration {
        self.tasks()
            .iter()
            .map(|t| t.interval(&self.config))
            .chain(std::iter::once(self.config.lease_period / 3))
            .min()
            .unwrap_or(MIN_TICK)
            .max(MIN_TICK)
    }

    /// This instance's shard leases.
    pub fn leases(&self) -> ShardLeases {
        ShardLeases::new(
            Arc::clone(&self.storage),
            self.holder.clone(),
            self.config.lease_period,
        )
    }

    /// Ticks until `shutdown`, then gives its leases up so the others take over at once.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut leases = self.leases();
        tracing::info!(holder = %self.holder, tasks = ?self.tasks(), "producer started");
        // Casts lost by a previous process (killed mid-change) are re-driven at once, over
        // every shard: a restarted instance has a new holder id, so the buckets its previous
        // life held stay leased to the dead id for up to a lease period. This one pass is the
        // deliberate exception to "once per interval per shard"; recovery is idempotent.
        if self.config.task_enabled(Task::Recovery.name()) {
            match self.recover(true).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(zones = n, "start-up recovery re-drove zones"),
                Err(error) => tracing::warn!(%error, "start-up recovery failed"),
            }
        }
        loop {
            match self.tick(&mut leases, false).await {
                Ok(runs) => {
                    for run in runs {
                        match run.outcome {
                            Ok(0) => {}
                            Ok(n) => tracing::info!(
                                task = run.task.name(),
                                bucket = run.bucket,
                                zones = n,
                                "producer task done"
                            ),
                            Err(error) => {
                                tracing::warn!(task = run.task.name(), bucket = run.bucket, %error, "producer task failed")
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "producer could not renew its shard leases"),
            }
            tokio::select! {
                () = shutdown.cancelled() => break,
                () = tokio::time::sleep(self.tick_every()) => {}
            }
        }
        leases.leave().await;
    }

    /// One tick: refresh the leases, then run every due task on every held bucket. `first`
    /// makes recovery re-drive every PENDING zone regardless of age (at start-up).
    ///
    /// # Errors
    /// The leases could not be refreshed (no task ran).
    pub async fn tick(
        &self,
        leases: &mut ShardLeases,
        first: bool,
    ) -> Result<Vec<TaskRun>, StorageError> {
        let buckets = leases.refresh().await?;
        let env = TaskEnv {
            storage: self.storage.as_ref(),
            worker: self.worker.as_ref(),
            central: self.central.as_deref(),
            notifier: self.notifier.as_deref(),
            config: &self.config,
        };
        let mut runs = Vec::new();
        for task in self.tasks() {
            for &bucket in &buckets {
                if !leases
                    .gate(task.name(), bucket, task.interval(&self.config))
                    .await?
                {
                    continue;
                }
                let outcome = env
                    .run(task, bucket_shards(bucket), first)
                    .await
                    .map_err(|e| e.to_string());
                runs.push(TaskRun {
                    task,
                    bucket,
                    outcome,
                });
            }
        }
        Ok(runs)
    }

    /// One recovery pass over every shard, ignoring leases and gates (an operator's or a
    /// test's direct call); returns how many zones were re-driven. With `all_pending`, every
    /// PENDING zone counts regardless of age.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn recover(&self, all_pending: bool) -> Result<usize, TaskError> {
        let env = TaskEnv {
            storage: self.storage.as_ref(),
            worker: self.worker.as_ref(),
            central: self.central.as_deref(),
            notifier: self.notifier.as_deref(),
            config: &self.config,
        };
        let (first, _) = bucket_shards(0);
        let (_, last) = bucket_shards(BUCKETS - 1);
        env.run(Task::Recovery, (first, last), all_pending).await
    }
}
