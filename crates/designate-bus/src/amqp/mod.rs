//! The AMQP (RabbitMQ) transport: the production twin of [`crate::inproc`].
//!
//! - [`url`]: upstream's `transport_url` (every cluster member).
//! - [`link`]: one connection per process, failing over between members with backoff.
//! - [`rpc`]: [`CentralClient`] (RPC `call` with `reply_to` + `correlation_id` and a timeout) and
//!   [`serve_central`] (competing consumers on the central topic queue).
//! - [`cast`]: [`WorkerClient`] (persistent casts with publisher confirms to a durable queue) and
//!   [`consume_worker`] (deliveries bridged into the worker's channel).
//! - [`notify`]: [`AmqpNotifier`] (oslo.messaging v2 envelope on `<topic>.info`).
//! - [`fanout`]: [`FanoutClient`] and [`consume_fanout`] (every instance hears every message,
//!   through the fanout exchange `<topic>_fanout` and a queue per process).
//!
//! Topology, as oslo.messaging lays it out: one topic exchange named `control_exchange`; the
//! central and worker queues are named after their topic and bound with it as routing key, so N
//! processes consuming one queue share its work.

pub mod cast;
pub mod fanout;
pub mod link;
pub mod notify;
mod publisher;
pub mod rpc;
mod topology;
pub mod url;

use std::time::Duration;

pub use cast::{consume_worker, WorkerClient};
pub use fanout::{consume_fanout, FanoutClient};
pub use link::Link;
pub use notify::{AmqpNotifier, NotificationConfig};
pub use rpc::{serve_central, CallHook, CentralClient, CentralRequest, Intercepted};
pub use url::TransportUrl;

/// Failures of the transport itself (the remote side's errors travel as `DesignateError`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BusError {
    /// The configuration cannot work.
    #[error("{0}")]
    Config(String),
    /// No member of the cluster accepted a connection.
    #[error("no RabbitMQ member reachable ({url}): {last}")]
    Unreachable {
        /// The URL, passwords redacted.
        url: String,
        /// The last member's error.
        last: String,
    },
    /// The broker refused or dropped an operation.
    #[error("AMQP error: {0}")]
    Amqp(#[from] lapin::Error),
    /// The broker did not confirm a published message.
    #[error("message not confirmed by the broker")]
    NotConfirmed,
    /// A message could not be encoded or decoded.
    #[error("bad message: {0}")]
    Codec(#[from] serde_json::Error),
}

/// Settings of the AMQP transport, from upstream's option names.
#[derive(Debug, Clone)]
pub struct AmqpConfig {
    /// `[DEFAULT] transport_url`.
    pub url: TransportUrl,
    /// `[DEFAULT] control_exchange` (default `designate`).
    pub control_exchange: String,
    /// `[service:central] topic` (default `central`).
    pub central_topic: String,
    /// `[service:worker] topic` (default `worker`).
    pub worker_topic: String,
    /// `[service:mdns] topic` (default `mdns`): MiniDNS's fanout exchange is `<topic>_fanout`.
    pub mdns_topic: String,
    /// `[DEFAULT] rpc_response_timeout` (default 60 s): how long a call waits for its answer.
    pub rpc_timeout: Duration,
    /// `[oslo_messaging_rabbit] heartbeat_timeout_threshold` (default 60 s; 0 turns heartbeats
    /// off): the AMQP heartbeat negotiated with the broker, so dead peers are noticed.
    pub heartbeat: Duration,
    /// `[oslo_messaging_rabbit] rabbit_retry_interval` (default 1 s): first reconnect delay.
    pub retry_interval: Duration,
    /// `[oslo_messaging_rabbit] rabbit_retry_backoff` (default 2 s): added per failed round.
    pub retry_backoff: Duration,
    /// `[oslo_messaging_rabbit] rabbit_interval_max` (default 30 s): longest reconnect delay.
    pub interval_max: Duration,
    /// `[oslo_messaging_rabbit] amqp_durable_queues` (default false, as upstream): durability of
    /// the exchange and the notification queues, which other OpenStack services declare too
    /// (both sides must agree). Our own central/worker queues are always durable.
    pub durable_exchange: bool,
    /// How many requests one central process handles at once (AMQP prefetch).
    pub central_prefetch: u16,
}

impl AmqpConfig {
    /// Upstream's defaults for `url`.
    pub fn new(url: TransportUrl) -> Self {
        Self {
            url,
            control_exchange: "designate".to_owned(),
            central_topic: "central".to_owned(),
            worker_topic: "worker".to_owned(),
            mdns_topic: "mdns".to_owned(),
            rpc_timeout: Duration::from_secs(60),
            heartbeat: Duration::from_secs(60),
            retry_interval: Duration::from_secs(1),
            retry_backoff: Duration::from_secs(2),
            interval_max: Duration::from_secs(30),
            durable_exchange: false,
            central_prefetch: 64,
        }
    }

    /// The delay before reconnect attempt `round` (0-based): oslo's linear backoff, capped.
    pub fn backoff(&self, round: u32) -> Duration {
        (self.retry_interval + self.retry_backoff * round).min(self.interval_max)
    }
}

/// Errors of the transport as the callers of the traits see them: upstream raises
/// `MessagingTimeout`, which the API renders as 504 communication_failure.
pub(crate) fn communication_failure(
    what: impl std::fmt::Display,
) -> designate_core::DesignateError {
    designate_core::DesignateError::new(
        designate_core::ErrorKind::CommunicationFailure,
        what.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let mut c = AmqpConfig::new(TransportUrl::parse("rabbit://h").unwrap());
        assert_eq!(c.backoff(0), Duration::from_secs(1));
        assert_eq!(c.backoff(1), Duration::from_secs(3));
        c.interval_max = Duration::from_secs(4);
        assert_eq!(c.backoff(10), Duration::from_secs(4));
    }
}
