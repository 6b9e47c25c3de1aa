//! One notification, end to end through central: decode, find the handlers for its event
//! type, look up each handler's zone, plan, and run the writes. The [`Outcome`] tells the
//! consumer whether to ack (done, ignored, bad) or to hand the message back (central
//! unreachable, so a later attempt may succeed).

use std::sync::Arc;

use designate_bus::CentralApi;
use designate_core::{DesignateError, ErrorKind, RequestContext};

use crate::envelope::{decode, Notification};
use crate::handlers::{plan, HandlerConfig, Step};
use crate::SinkMetrics;

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Its records are written (or it needed none): ack.
    Handled,
    /// No enabled handler takes its event type: ack.
    Ignored,
    /// It cannot ever be handled (the reason is logged): ack.
    Bad(String),
    /// Central could not be reached or lost a race: redeliver.
    Retry(String),
}

/// Whether a central error may go away by itself (the bus, a lost lock, a database outage), as
/// opposed to one that says the notification itself is unusable.
fn is_transient(e: &DesignateError) -> bool {
    matches!(
        e.kind,
        ErrorKind::CommunicationFailure
            | ErrorKind::UnknownFailure
            | ErrorKind::Conflict
            | ErrorKind::ServiceUnavailable
    )
}

/// Handles notifications for the enabled handlers.
pub struct Processor {
    handlers: Vec<HandlerConfig>,
    central: Arc<dyn CentralApi>,
    metrics: Arc<SinkMetrics>,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor")
            .field("handlers", &self.handlers)
            .finish_non_exhaustive()
    }
}

impl Processor {
    /// A processor writing through `central`, counting into `metrics`.
    pub fn new(
        handlers: Vec<HandlerConfig>,
        central: Arc<dyn CentralApi>,
        metrics: Arc<SinkMetrics>,
    ) -> Self {
        Self {
            handlers,
            central,
            metrics,
        }
    }

    /// Handles one message body; `fallback_id` (the AMQP message id) names it in logs when the
    /// body carries no `message_id`. Counts the outcome.
    pub async fn handle(&self, body: &[u8], fallback_id: &str) -> Outcome {
        let (outcome, id) = match decode(body) {
            Ok(n) => {
                let id = if n.message_id.is_empty() {
                    fallback_id.to_owned()
                } else {
                    n.message_id.clone()
                };
                (self.handle_notification(&n).await, id)
            }
            Err(e) => (Outcome::Bad(e.to_string()), fallback_id.to_owned()),
        };
        let counter = match &outcome {
            Outcome::Handled => &self.metrics.handled,
            Outcome::Ignored => &self.metrics.ignored,
            Outcome::Bad(reason) => {
                tracing::error!(message_id = %id, %reason, "bad notification dropped");
                &self.metrics.bad
            }
            Outcome::Retry(reason) => {
                tracing::warn!(message_id = %id, %reason, "notification not handled yet; will be redelivered");
                &self.metrics.retried
            }
        };
        counter.inc();
        outcome
    }

    async fn handle_notification(&self, n: &Notification) -> Outcome {
        let handlers: Vec<&HandlerConfig> = self
            .handlers
            .iter()
            .filter(|h| h.kind.event_types().contains(&n.event_type.as_str()))
            .collect();
        if handlers.is_empty() {
            return Outcome::Ignored;
        }
        tracing::debug!(message_id = %n.message_id, event_type = %n.event_type, "notification");
        // The sink acts as a service: every project's zone, managed records editable.
        let ctx = RequestContext {
            request_id: format!("req-sink-{}", n.message_id),
            ..RequestContext::admin()
        };
        for handler in handlers {
            let Some(zone_id) = handler.zone_id else {
                tracing::error!(
                    handler = handler.kind.name(),
                    "zone_id is not set; ignoring the event"
                );
                continue;
            };
            let zone = match self.central.get_zone(&ctx, zone_id).await {
                Ok(zone) => zone,
                Err(e) if is_transient(&e) => return Outcome::Retry(e.message),
                Err(e) => return Outcome::Bad(format!("zone {zone_id}: {}", e.message)),
            };
            let steps = match plan(handler, &zone.name, n) {
                Ok(steps) => steps,
                Err(e) => return Outcome::Bad(format!("{}: {e}", handler.kind.name())),
            };
            for step in steps {
                let result = match step {
                    Step::Create(zone_id, records) => {
                        let name = records.name.clone();
                        self.central
                            .create_managed_records(&ctx, zone_id, records)
                            .await
                            .map(|_| ())
                            .map_err(|e| (e, name))
                    }
                    Step::Delete(zone_id, owner) => self
                        .central
                        .delete_managed_records(&ctx, zone_id, owner)
                        .await
                        .map(|_| ())
                        .map_err(|e| (e, String::new())),
                };
                match result {
                    Ok(()) => {}
                    Err((e, _)) if is_transient(&e) => return Outcome::Retry(e.message),
                    Err((e, name)) => {
                        return Outcome::Bad(format!(
                            "{}: central refused {name:?}: {} ({})",
                            handler.kind.name(),
                            e.message,
                            e.kind.error_type()
                        ))
                    }
                }
            }
        }
        Outcome::Handled
    }
}
