//! The refresh task of one zone: keeps its snapshot in step with the masters, by IXFR applied
//! to a copy of the current snapshot when it has one, by AXFR otherwise or when IXFR fails.
//!
//! One task per zone, so transfers of a zone never run in parallel. It refreshes at start, on
//! every kick (NOTIFY, `add_zone`) and on the SOA timers (RFC 1034 4.3.5): `refresh` after a
//! success, `retry` after a failure, and once `expire` has passed without reaching a master the
//! zone stops being served (queries get SERVFAIL) until a transfer succeeds again. Before the
//! first successful transfer, failures back off exponentially.

use std::sync::Arc;
use std::time::Duration;

use designate_core::serial::serial_gt;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::catalog::ZoneEntry;
use crate::transfer;

/// Timing knobs of refresh tasks (from [`NameserverConfig`](crate::NameserverConfig)).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// Deadline of one SOA query or one AXFR.
    pub(crate) transfer_timeout: Duration,
    /// First retry delay while a zone has never loaded.
    pub(crate) initial_backoff: Duration,
    /// Longest retry delay while a zone has never loaded.
    pub(crate) max_backoff: Duration,
    /// Floor for SOA refresh/retry, so a zero in the SOA cannot make us spin.
    pub(crate) min_interval: Duration,
}

/// Result of one refresh attempt.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// A master answered; the snapshot is now current.
    Current,
    /// No master could be used.
    Failed,
}

/// Runs until the zone's token is cancelled (removal or shutdown). Each refresh first takes a
/// permit of `refreshes`, shared by all zones.
pub(crate) async fn run(entry: Arc<ZoneEntry>, timing: Timing, refreshes: Arc<Semaphore>) {
    let cancel = entry.cancel_token().clone();
    let mut backoff = timing.initial_backoff;
    // When the data was last confirmed current by a master; drives expiry.
    let mut last_success: Option<Instant> = None;
    // Whether this refresh was asked for (a NOTIFY) rather than due by the timers.
    let mut notified = false;
    loop {
        let outcome = tokio::select! {
            () = cancel.cancelled() => return,
            outcome = async {
                // Never closed; a closed semaphore would only lift the limit.
                let _permit = refreshes.acquire().await.ok();
                refresh_once(&entry, &timing, notified).await
            } => outcome,
        };
        notified = false;
        let snapshot = entry.snapshot();
        let wait = match (&outcome, &snapshot) {
            (Outcome::Current, Some(zone)) => {
                last_success = Some(Instant::now());
                backoff = timing.initial_backoff;
                soa_interval(zone.soa().refresh(), timing.min_interval)
            }
            (Outcome::Failed, Some(zone)) => soa_interval(zone.soa().retry(), timing.min_interval),
            (_, None) => {
                let wait = backoff;
                backoff = (backoff * 2).min(timing.max_backoff);
                wait
            }
        };
        let expires_at = match (&snapshot, last_success) {
            (Some(zone), Some(at)) => {
                Some(at + soa_interval(zone.soa().expire(), timing.min_interval))
            }
            _ => None,
        };
        if expires_at.is_some_and(|at| at <= Instant::now()) {
            expire(&entry);
            continue;
        }
        let wake_at = Instant::now() + wait;
        tokio::select! {
            () = cancel.cancelled() => return,
            () = entry.kicked() => notified = true,
            () = tokio::time::sleep_until(wake_at) => {}
            () = sleep_until_opt(expires_at) => expire(&entry),
        }
    }
}

/// Tries each master in order: asks its serial and transfers when it is newer than ours (or we
/// have nothing). After a NOTIFY a zone we hold is asked for IXFR straight away: the master
/// has news, and an IXFR from a client that is current is answered with the lone SOA anyway
/// (RFC 1995 §2), so the SOA query would only add a round trip (and a store read at MiniDNS).
/// A timer's refresh, usually finding nothing new, asks the SOA over UDP first.
async fn refresh_once(entry: &ZoneEntry, timing: &Timing, notified: bool) -> Outcome {
    let name = entry.name().clone();
    for master in entry.masters() {
        let ours = entry.snapshot().map(|z| z.serial());
        if !(notified && ours.is_some()) {
            let theirs = match transfer::soa_serial(master, &name, timing.transfer_timeout).await {
                Ok(serial) => serial,
                Err(e) => {
                    tracing::warn!(zone = %name, %master, error = %e, "SOA query failed");
                    continue;
                }
            };
            if ours.is_some_and(|ours| !serial_gt(theirs, ours)) {
                tracing::debug!(zone = %name, %master, serial = theirs, "zone is current");
                return Outcome::Current;
            }
        }
        let transferred = match entry.snapshot() {
            // A copy to apply differences to: ask for IXFR first, AXFR when that fails.
            Some(current) => {
                match transfer::ixfr(master, &current, timing.transfer_timeout).await {
                    Ok(transfer::Ixfr::Current) => {
                        tracing::debug!(zone = %name, %master, "IXFR: zone is current");
                        return Outcome::Current;
                    }
                    Ok(transfer::Ixfr::Incremental(zone)) => {
                        tracing::info!(zone = %name, %master, from = current.serial(),
                            serial = zone.serial(), "incremental transfer (IXFR) applied");
                        Ok((zone, true))
                    }
                    Ok(transfer::Ixfr::Full(zone)) => Ok((zone, false)),
                    // Asked without an SOA query first, a master that cannot be reached
                    // is passed over, as a failed SOA query would be.
                    Err(
                        e @ (transfer::TransferError::Io(_) | transfer::TransferError::Timeout),
                    ) if notified => {
                        tracing::warn!(zone = %name, %master, error = %e, "IXFR failed");
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!(zone = %name, %master, error = %e,
                            "IXFR failed; falling back to AXFR");
                        axfr(master, &name, timing).await
                    }
                }
            }
            None => axfr(master, &name, timing).await,
        };
        match transferred {
            Ok((zone, incremental)) => {
                let current = entry.snapshot().map(|z| z.serial());
                // Never go backwards, even if the master did between the two queries.
                if current.is_none_or(|c| serial_gt(zone.serial(), c)) {
                    tracing::info!(
                        zone = %name, %master, serial = zone.serial(),
                        records = zone.record_count(), "zone transferred"
                    );
                    entry.install(Some(Arc::new(zone)));
                    entry.count_transfer(incremental);
                }
                return Outcome::Current;
            }
            Err(e) => tracing::warn!(zone = %name, %master, error = %e, "zone transfer failed"),
        }
    }
    Outcome::Failed
}

/// A whole-zone transfer, marked as not incremental.
async fn axfr(
    master: std::net::SocketAddr,
    name: &hickory_proto::rr::Name,
    timing: &Timing,
) -> Result<(crate::zone::Zone, bool), transfer::TransferError> {
    transfer::axfr(master, name, timing.transfer_timeout)
        .await
        .map(|zone| (zone, false))
}

fn expire(entry: &ZoneEntry) {
    if entry.snapshot().is_some() {
        tracing::error!(zone = %entry.name(), "zone expired: no master reachable; answering SERVFAIL");
        entry.install(None);
    }
}

/// An SOA timer (seconds, signed on the wire) as a duration, at least `floor`.
fn soa_interval(seconds: i32, floor: Duration) -> Duration {
    Duration::from_secs(u64::from(seconds.max(0).unsigned_abs())).max(floor)
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soa_intervals_are_floored() {
        let floor = Duration::from_secs(1);
        assert_eq!(soa_interval(3600, floor), Duration::from_secs(3600));
        assert_eq!(soa_interval(0, floor), floor);
        assert_eq!(soa_interval(-5, floor), floor);
    }
}
