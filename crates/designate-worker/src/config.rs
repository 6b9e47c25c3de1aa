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
        }
    }
}

/// `[service:producer]` options used by the recovery task.
#[derive(Debug, Clone, PartialEq)]
pub struct ProducerConfig {
    /// How often the recovery task runs.
    pub recovery_interval: Duration,
    /// How long a zone may stay PENDING before recovery re-drives it (its cast may be lost).
    pub pending_grace: Duration,
}

impl Default for ProducerConfig {
    fn default() -> Self {
        Self {
            recovery_interval: Duration::from_secs(10),
            pending_grace: Duration::from_secs(30),
        }
    }
}
