//! Options of `[service:worker]` and `[service:producer]`, named as upstream's.

use std::time::Duration;

/// `[service:worker]` options.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkerConfig {
    /// Percentage of the pool's nameservers that must serve the serial for the zone to be ACTIVE.
    pub threshold_percentage: u8,
    /// Timeout of one SOA query / NOTIFY.
    pub poll_timeout: Duration,
    /// The longest wait between two polls (the backoff grows up to it).
    pub poll_retry_interval: Duration,
    /// Polls after the first before a nameserver counts as failed; also retries of a target operation.
    pub poll_max_retries: u32,
    /// Wait before the first poll. Upstream defaults to 5 s; we poll at once (the first probe comes
    /// back in milliseconds from a nameserver that transferred on NOTIFY), so ours defaults to 0.
    pub poll_delay: Duration,
    /// The first backoff step after an unsuccessful poll; doubles up to `poll_retry_interval`.
    pub poll_initial_backoff: Duration,
    /// Whether to NOTIFY targets (upstream `notify`).
    pub notify: bool,
    /// Deadline of one SOA query or AXFR from a SECONDARY zone's master (upstream's
    /// `[service:worker] xfr_timeout`, 10 s).
    pub xfr_timeout: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            threshold_percentage: 100,
            poll_timeout: Duration::from_secs(30),
            poll_retry_interval: Duration::from_secs(15),
            poll_max_retries: 10,
            poll_delay: Duration::ZERO,
            poll_initial_backoff: Duration::from_millis(20),
            notify: true,
            xfr_timeout: Duration::from_secs(10),
        }
    }
}

/// `[service:producer]` and `[producer_task:<name>]` options.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerConfig {
    /// How often the recovery task runs (`[producer_task:worker_periodic_recovery] interval`;
    /// upstream 120 s, ours 10 s: recovery is how a lost cast is noticed).
    pub recovery_interval: Duration,
    /// How long a zone may stay PENDING before recovery re-drives it (its cast may be lost).
    pub pending_grace: Duration,
    /// `[service:producer] enabled_tasks`: task names to run; `None` runs them all.
    pub enabled_tasks: Option<Vec<String>>,
    /// `[producer_task:zone_purge]`.
    pub zone_purge: PurgeTaskConfig,
    /// `[producer_task:periodic_exists] interval` (upstream 3600 s).
    pub exists_interval: Duration,
    /// `[producer_task:delayed_notify]`.
    pub delayed_notify: BatchTaskConfig,
    /// `[producer_task:increment_serial]` (upstream: interval 5 s, batch_size 100).
    pub increment_serial: BatchTaskConfig,
    /// `[producer_task:periodic_secondary_refresh] interval` (upstream 3600 s).
    pub secondary_refresh_interval: Duration,
    /// `[producer_task:*] per_page`: page size when walking a shard range's zones.
    pub per_page: u32,
    /// How long a producer instance's claims (membership and shard buckets) last without
    /// renewal: a dead instance's shards are taken over within this period. Ours, not upstream's
    /// (upstream delegates to a tooz coordination backend); `[service:producer] lease_period`.
    pub lease_period: Duration,
}

/// `[producer_task:zone_purge]` options.
#[derive(Debug, Clone, PartialEq)]
pub struct PurgeTaskConfig {
    /// Run interval (upstream 3600 s).
    pub interval: Duration,
    /// How long a zone stays soft-deleted before it is purged (upstream 604800 s).
    pub time_threshold: Duration,
    /// Zones purged per run and shard range (upstream 100).
    pub batch_size: u32,
}

/// Options of a task with an interval and a batch size (`delayed_notify`).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchTaskConfig {
    /// Run interval (upstream 5 s).
    pub interval: Duration,
    /// Zones handled per run and shard range (upstream 100).
    pub batch_size: u32,
}

impl ProducerConfig {
    /// Whether the task `name` (upstream's plugin name) is enabled.
    pub fn task_enabled(&self, name: &str) -> bool {
        self.enabled_tasks
            .as_ref()
            .is_none_or(|tasks| tasks.iter().any(|t| t == name))
    }
}

impl Default for ProducerConfig {
    fn default() -> Self {
        Self {
            recovery_interval: Duration::from_secs(10),
            pending_grace: Duration::from_secs(30),
            enabled_tasks: None,
            zone_purge: PurgeTaskConfig {
                interval: Duration::from_secs(3600),
                time_threshold: Duration::from_secs(604_800),
                batch_size: 100,
            },
            exists_interval: Duration::from_secs(3600),
            delayed_notify: BatchTaskConfig {
                interval: Duration::from_secs(5),
                batch_size: 100,
            },
            increment_serial: BatchTaskConfig {
                interval: Duration::from_secs(5),
                batch_size: 100,
            },
            secondary_refresh_interval: Duration::from_secs(3600),
            per_page: 100,
            lease_period: Duration::from_secs(30),
        }
    }
}
