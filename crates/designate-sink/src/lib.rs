//! The sink: DNS records kept in step with Nova instances and Neutron floating IPs, from the
//! notifications those services publish on RabbitMQ (upstream's `designate-sink`).
//!
//! - [`envelope`]: oslo.messaging v2 envelope and bare v1 messages → [`envelope::Notification`].
//! - [`format`]: upstream's `formatv4` / `formatv6` `%(name)s` rendering and address fields.
//! - [`handlers`]: `nova_fixed` and `neutron_floatingip` — event types, options, and the plan of
//!   managed-record writes one notification asks for (pure).
//! - [`process`]: one notification through central (zone lookup, plan, writes), with the
//!   outcome that decides ack vs. redelivery.
//! - [`consumer`]: the AMQP side — queues laid out as oslo.messaging's notification listener,
//!   competing consumers, ack only after central committed.
//!
//! **Invariants:** the sink never writes the store — every record goes through
//! [`designate_bus::CentralApi`] (quotas, validation, serials, notifications); a bad
//! notification is logged with its `message_id`, acked and counted, never fatal; a notification
//! whose writes could not reach central is redelivered, and the writes are idempotent, so a
//! redelivery creates nothing twice.
#![warn(missing_docs)]

pub mod consumer;
pub mod envelope;
pub mod format;
pub mod handlers;
pub mod process;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use designate_bus::amqp::Link;
use designate_bus::CentralApi;
use tokio_util::sync::CancellationToken;

pub use handlers::{HandlerConfig, HandlerKind};

/// `[service:sink]` and the enabled `[handler:*]` sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SinkConfig {
    /// The handlers of `enabled_notification_handlers`, with their options.
    pub handlers: Vec<HandlerConfig>,
    /// `listener_pool_name`: when set, the one queue every handler's bindings feed (oslo's
    /// listener pools); otherwise a queue `<topic>.info` per topic, as oslo.messaging names it.
    pub listener_pool_name: Option<String>,
}

/// Counters of what the sink did, for logs and metrics.
#[derive(Debug, Default)]
pub struct SinkMetrics {
    /// Notifications whose records central wrote (or that needed no write).
    pub handled: AtomicU64,
    /// Notifications of event types no enabled handler takes.
    pub ignored: AtomicU64,
    /// Bad notifications: malformed, missing fields, unknown zone, invalid rendered name.
    pub bad: AtomicU64,
    /// Deliveries handed back for redelivery because central was unreachable.
    pub retried: AtomicU64,
}

impl SinkMetrics {
    /// A consistent-enough snapshot `(handled, ignored, bad, retried)`.
    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            self.handled.load(Ordering::Relaxed),
            self.ignored.load(Ordering::Relaxed),
            self.bad.load(Ordering::Relaxed),
            self.retried.load(Ordering::Relaxed),
        )
    }
}

/// Runs the sink until `shutdown`: consumes the handlers' notification queues through `link`
/// and writes records through `central`, counting outcomes in `metrics`.
pub async fn run(
    config: SinkConfig,
    central: Arc<dyn CentralApi>,
    link: Arc<Link>,
    metrics: Arc<SinkMetrics>,
    shutdown: CancellationToken,
) {
    if config.handlers.is_empty() {
        tracing::warn!("no sink handlers enabled ([service:sink] enabled_notification_handlers)");
    }
    let processor = process::Processor::new(config.handlers.clone(), central, metrics);
    consumer::consume(&config, link, processor, shutdown).await;
}
