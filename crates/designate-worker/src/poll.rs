//! Polling nameservers for a zone's serial.
//!
//! The first probe goes out at once (after `poll_delay`), later ones back off exponentially from
//! `poll_initial_backoff` up to `poll_retry_interval`, for at most `poll_max_retries` more probes.

use std::net::SocketAddr;
use std::time::Duration;

use designate_backends::dnsutils;
use designate_core::serial::serial_gt;
use tokio_util::sync::CancellationToken;

use crate::WorkerConfig;

/// What the poll waits for on a nameserver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// The zone served with a serial at least this one.
    SerialAtLeast(u32),
    /// The zone no longer served.
    Absent,
}

impl Expect {
    fn met_by(self, answer: Option<u32>) -> bool {
        match (self, answer) {
            (Self::SerialAtLeast(want), Some(have)) => !serial_gt(want, have),
            (Self::SerialAtLeast(_), None) => false,
            (Self::Absent, answer) => answer.is_none(),
        }
    }
}

/// The backoff schedule: the wait before each probe after the first.
pub fn backoff(config: &WorkerConfig) -> impl Iterator<Item = Duration> + '_ {
    let mut next = config.poll_initial_backoff;
    (0..config.poll_max_retries).map(move |_| {
        let wait = next.min(config.poll_retry_interval);
        next = next.saturating_mul(2);
        wait
    })
}

/// Polls one nameserver until `expect` holds or the retries run out. Returns whether it held.
pub async fn poll_nameserver(
    zone_name: &str,
    server: SocketAddr,
    expect: Expect,
    config: &WorkerConfig,
    shutdown: &CancellationToken,
) -> bool {
    let probe = || async {
        match dnsutils::query_soa_serial(zone_name, server, config.poll_timeout).await {
            Ok(answer) => expect.met_by(answer),
            Err(error) => {
                tracing::debug!(zone = zone_name, %server, %error, "serial poll failed");
                false
            }
        }
    };
    if !config.poll_delay.is_zero() && sleep_or_cancel(config.poll_delay, shutdown).await {
        return false;
    }
    if probe().await {
        return true;
    }
    for wait in backoff(config) {
        if sleep_or_cancel(wait, shutdown).await {
            return false;
        }
        if probe().await {
            return true;
        }
    }
    false
}

/// Polls every nameserver concurrently; true when at least `threshold_percentage` of them meet
/// `expect`. A pool without nameservers counts as met (nothing to wait for).
pub async fn poll_pool(
    zone_name: &str,
    nameservers: &[SocketAddr],
    expect: Expect,
    config: &WorkerConfig,
    shutdown: &CancellationToken,
) -> bool {
    if nameservers.is_empty() {
        return true;
    }
    let results = futures::future::join_all(
        nameservers
            .iter()
            .map(|ns| poll_nameserver(zone_name, *ns, expect, config, shutdown)),
    )
    .await;
    let met = results.iter().filter(|ok| **ok).count();
    threshold_met(met, nameservers.len(), config.threshold_percentage)
}

/// Whether `met` of `total` reaches `percentage`.
pub fn threshold_met(met: usize, total: usize, percentage: u8) -> bool {
    total == 0 || met * 100 >= total * usize::from(percentage)
}

/// Sleeps; returns true if shutdown came first.
pub(crate) async fn sleep_or_cancel(wait: Duration, shutdown: &CancellationToken) -> bool {
    tokio::select! {
        () = tokio::time::sleep(wait) => false,
        () = shutdown.cancelled() => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let config = WorkerConfig {
            poll_initial_backoff: Duration::from_millis(100),
            poll_retry_interval: Duration::from_millis(500),
            poll_max_retries: 5,
            ..WorkerConfig::default()
        };
        let waits: Vec<_> = backoff(&config).map(|d| d.as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 500, 500]);
    }

    #[test]
    fn threshold() {
        assert!(threshold_met(2, 2, 100));
        assert!(!threshold_met(1, 2, 100));
        assert!(threshold_met(1, 2, 50));
        assert!(!threshold_met(0, 3, 34));
        assert!(threshold_met(0, 0, 100));
    }

    #[test]
    fn expectations() {
        assert!(Expect::SerialAtLeast(5).met_by(Some(5)));
        assert!(Expect::SerialAtLeast(5).met_by(Some(6)));
        assert!(!Expect::SerialAtLeast(5).met_by(Some(4)));
        assert!(!Expect::SerialAtLeast(5).met_by(None));
        assert!(Expect::Absent.met_by(None));
        assert!(!Expect::Absent.met_by(Some(1)));
    }
}
