//! NOTIFY to a target, retried with backoff while the target is unreachable.
//!
//! Upstream's worker retries a target's NOTIFY (with its backend operation) up to
//! `poll_max_retries` times, `poll_retry_interval` apart, when the NOTIFY times out. We retry the
//! NOTIFY alone (the backend operation already succeeded) with the worker's backoff — from
//! `poll_initial_backoff` doubling up to `poll_retry_interval`, at most `poll_max_retries` times —
//! and in the background, so a dead target does not hold up the polls of the others. Only
//! transient failures (timeouts, socket errors) are retried; an answer such as REFUSED is final.

use std::net::SocketAddr;

use designate_backends::dnsutils::{self, DnsError};
use tokio_util::sync::CancellationToken;

use crate::poll;
use crate::WorkerConfig;

/// Sends one NOTIFY now; when it fails transiently, keeps retrying in a background task until
/// one is answered, the retries are used up or `shutdown` is cancelled. Returns the first
/// attempt's result.
pub(crate) async fn notify_with_retries(
    zone_name: &str,
    addr: SocketAddr,
    config: &WorkerConfig,
    shutdown: &CancellationToken,
) -> Result<(), DnsError> {
    let first = dnsutils::notify(zone_name, addr, config.poll_timeout).await;
    if let Err(error) = &first {
        if error.is_transient() && config.poll_max_retries > 0 {
            tokio::spawn(retry(
                zone_name.to_owned(),
                addr,
                config.clone(),
                shutdown.clone(),
            ));
        }
    }
    first
}

async fn retry(
    zone_name: String,
    addr: SocketAddr,
    config: WorkerConfig,
    shutdown: CancellationToken,
) {
    for (attempt, wait) in poll::backoff(&config).enumerate() {
        if poll::sleep_or_cancel(wait, &shutdown).await {
            return;
        }
        match dnsutils::notify(&zone_name, addr, config.poll_timeout).await {
            Ok(()) => {
                tracing::info!(zone = %zone_name, %addr, retry = attempt + 1, "NOTIFY delivered on retry");
                return;
            }
            Err(error) if error.is_transient() => {
                tracing::debug!(zone = %zone_name, %addr, retry = attempt + 1, %error, "NOTIFY retry failed");
            }
            Err(error) => {
                tracing::warn!(zone = %zone_name, %addr, %error, "NOTIFY refused; not retrying");
                return;
            }
        }
    }
    tracing::warn!(zone = %zone_name, %addr, "NOTIFY retries exhausted; the target's refresh timer will catch up");
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::net::UdpSocket;

    /// A target that is down at the first NOTIFY and comes up later receives a retried NOTIFY.
    #[tokio::test]
    async fn a_target_down_at_first_gets_the_notify_once_it_is_up() {
        // Reserve a port, then close it: the first NOTIFY meets a closed port.
        let addr = UdpSocket::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap();
        let config = WorkerConfig {
            poll_timeout: Duration::from_millis(300),
            poll_initial_backoff: Duration::from_millis(100),
            poll_retry_interval: Duration::from_millis(400),
            poll_max_retries: 20,
            ..WorkerConfig::default()
        };
        let shutdown = CancellationToken::new();
        let first = notify_with_retries("retry.example.", addr, &config, &shutdown).await;
        assert!(
            first.as_ref().is_err_and(DnsError::is_transient),
            "{first:?}"
        );

        let target = UdpSocket::bind(addr).await.unwrap();
        let mut buf = vec![0u8; 512];
        let (len, from) = tokio::time::timeout(Duration::from_secs(10), target.recv_from(&mut buf))
            .await
            .expect("no NOTIFY retried")
            .unwrap();
        // Opcode NOTIFY (4) in the header; answer it as a target does.
        assert_eq!((buf[2] >> 3) & 0x0f, 4);
        buf[2] |= 0x80;
        target.send_to(&buf[..len], from).await.unwrap();
        shutdown.cancel();
    }

    #[tokio::test]
    async fn a_definite_answer_is_not_retried() {
        let target = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = target.local_addr().unwrap();
        let config = WorkerConfig {
            poll_timeout: Duration::from_millis(500),
            poll_initial_backoff: Duration::from_millis(50),
            poll_retry_interval: Duration::from_millis(50),
            ..WorkerConfig::default()
        };
        let shutdown = CancellationToken::new();
        let answer = async {
            let mut buf = vec![0u8; 512];
            let (len, from) = target.recv_from(&mut buf).await.unwrap();
            buf[2] |= 0x80;
            buf[3] = (buf[3] & 0xf0) | 5; // REFUSED
            target.send_to(&buf[..len], from).await.unwrap();
        };
        let (result, ()) = tokio::join!(
            notify_with_retries("refused.example.", addr, &config, &shutdown),
            answer
        );
        assert!(matches!(result, Err(DnsError::Rcode { .. })), "{result:?}");
        let mut buf = vec![0u8; 512];
        let again =
            tokio::time::timeout(Duration::from_millis(400), target.recv_from(&mut buf)).await;
        assert!(again.is_err(), "a REFUSED NOTIFY was retried");
        shutdown.cancel();
    }
}
