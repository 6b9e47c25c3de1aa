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

use std::sync::Arc;

use designate_bus::amqp::Link;
use designate_bus::CentralApi;
use prometheus::{IntCounter, IntCounterVec, Opts};
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

/// Counters of what the sink did, for logs and metrics: one Prometheus counter family,
/// `designate_sink_notifications_total{outcome}`, with outcome `handled`, `ignored`, `bad` or
/// `retried`; [`SinkMetrics::register`] makes a registry show it.
#[derive(Debug, Clone)]
pub struct SinkMetrics {
    family: IntCounterVec,
    /// Notifications whose records central wrote (or that needed no write).
    pub handled: IntCounter,
    /// Notifications of event types no enabled handler takes.
    pub ignored: IntCounter,
    /// Bad notifications: malformed, missing fields, unknown zone, invalid rendered name.
    pub bad: IntCounter,
    /// Deliveries handed back for redelivery because central was unreachable (or its database
    /// was, or it lost a race).
    pub retried: IntCounter,
}

impl Default for SinkMetrics {
    fn default() -> Self {
        let family = IntCounterVec::new(
            Opts::new(
                "designate_sink_notifications_total",
                "Notifications the sink took from the bus, by outcome.",
            ),
            &["outcome"],
        )
        .unwrap_or_else(|e| unreachable!("static metric definition: {e}"));
        let outcome = |name: &str| family.with_label_values(&[name]);
        Self {
            handled: outcome("handled"),
            ignored: outcome("ignored"),
            bad: outcome("bad"),
            retried: outcome("retried"),
            family,
        }
    }
}

impl SinkMetrics {
    /// A consistent-enough snapshot `(handled, ignored, bad, retried)`.
    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            self.handled.get(),
            self.ignored.get(),
            self.bad.get(),
            self.retried.get(),
        )
    }

    /// Shows these counters in `registry` (scraped at `/metrics`).
    ///
    /// # Errors
    /// When `registry` already holds a family of that name.
    pub fn register(&self, registry: &prometheus::Registry) -> prometheus::Result<()> {
        registry.register(Box::new(self.family.clone()))
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
