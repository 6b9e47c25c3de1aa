//! The AMQP side of the sink, laid out as oslo.messaging's notification listener so that Nova
//! and Neutron need no change: for each handler and topic, the queue `<topic>.info` (or the
//! `listener_pool_name` queue) is bound to the handler's `control_exchange` (a topic exchange)
//! with routing key `<topic>.info`. Every sink process consumes the same queues (competing
//! consumers), one delivery at a time so the order of one resource's events is kept.
//!
//! A delivery is acked only after central committed its records (or it was judged bad or
//! irrelevant); when central is unreachable it is handed back (nack + requeue) after a pause;
//! at shutdown the unacked delivery returns to the queue when the connection closes.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use designate_bus::amqp::{BusError, Link};
use futures::stream::{select_all, StreamExt};
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicNackOptions, BasicQosOptions,
    ExchangeDeclareOptions, QueueBindOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{Connection, ExchangeKind};
use tokio_util::sync::CancellationToken;

use crate::process::{Outcome, Processor};
use crate::SinkConfig;

/// How long a delivery central could not take waits before it is handed back, so an outage
/// does not turn into a hot redelivery loop.
const RETRY_PAUSE: Duration = Duration::from_millis(500);

/// Deliveries the broker sends ahead of the one being handled.
const PREFETCH: u16 = 16;

/// The notification priority the sink listens to (upstream's endpoint has only `info`).
const PRIORITY: &str = "info";

/// One queue and the (exchange, routing key) pairs bound to it.
pub type Layout = BTreeMap<String, Vec<(String, String)>>;

/// The queues and bindings `config` needs, as oslo.messaging would declare them.
pub fn layout(config: &SinkConfig) -> Layout {
    let mut out = Layout::new();
    for handler in &config.handlers {
        for topic in &handler.notification_topics {
            let key = format!("{topic}.{PRIORITY}");
            let queue = config
                .listener_pool_name
                .clone()
                .unwrap_or_else(|| key.clone());
            let binding = (handler.control_exchange.clone(), key);
            let bindings = out.entry(queue).or_default();
            if !bindings.contains(&binding) {
                bindings.push(binding);
            }
        }
    }
    out
}

/// Consumes until `shutdown`, reconnecting with backoff when the connection is lost.
pub async fn consume(
    config: &SinkConfig,
    link: Arc<Link>,
    processor: Processor,
    shutdown: CancellationToken,
) {
    let layout = layout(config);
    if layout.is_empty() {
        shutdown.cancelled().await;
        return;
    }
    let mut round = 0;
    while let Some(conn) = link.connection_or_wait(&shutdown).await {
        match session(&link, &conn, &layout, &processor, &shutdown).await {
            Ok(()) => break,
            Err(error) => {
                tracing::warn!(%error, "sink consumer stopped; reconnecting");
                link.discard(&conn).await;
                let delay = if round == 0 {
                    Duration::from_millis(100)
                } else {
                    link.config().backoff(round - 1)
                };
                round += 1;
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(delay) => {}
                }
            }
        }
    }
    link.close().await;
}

/// One consumer session; Ok at shutdown, Err when the channel or connection died.
async fn session(
    link: &Link,
    conn: &Connection,
    layout: &Layout,
    processor: &Processor,
    shutdown: &CancellationToken,
) -> Result<(), BusError> {
    let durable = link.config().durable_exchange;
    let channel = conn.create_channel().await?;
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    let mut streams = Vec::new();
    for (queue, bindings) in layout {
        channel
            .queue_declare(
                queue.as_str().into(),
                QueueDeclareOptions {
                    durable,
                    ..QueueDeclareOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        for (exchange, key) in bindings {
            channel
                .exchange_declare(
                    exchange.as_str().into(),
                    ExchangeKind::Topic,
                    ExchangeDeclareOptions {
                        durable,
                        ..ExchangeDeclareOptions::default()
                    },
                    FieldTable::default(),
                )
                .await?;
            channel
                .queue_bind(
                    queue.as_str().into(),
                    exchange.as_str().into(),
                    key.as_str().into(),
                    QueueBindOptions::default(),
                    FieldTable::default(),
                )
                .await?;
        }
        let consumer = channel
            .basic_consume(
                queue.as_str().into(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await?;
        tracing::info!(%queue, ?bindings, "sink consuming");
        streams.push(consumer);
    }
    let mut deliveries = select_all(streams);
    loop {
        let delivery = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            delivery = deliveries.next() => delivery,
        };
        let delivery = match delivery {
            Some(Ok(delivery)) => delivery,
            Some(Err(error)) => return Err(error.into()),
            None => {
                return Err(BusError::Config(
                    "sink consumer cancelled by the broker".to_owned(),
                ))
            }
        };
        let amqp_id = delivery
            .properties
            .message_id()
            .as_ref()
            .map(|id| id.as_str().to_owned())
            .unwrap_or_default();
        let outcome = tokio::select! {
            // Stopping mid-notification: nothing is acked, the broker redelivers it.
            () = shutdown.cancelled() => return Ok(()),
            outcome = processor.handle(&delivery.data, &amqp_id) => outcome,
        };
        match outcome {
            Outcome::Retry(_) => {
                tokio::select! {
                    () = shutdown.cancelled() => return Ok(()),
                    () = tokio::time::sleep(RETRY_PAUSE) => {}
                }
                delivery
                    .acker
                    .nack(BasicNackOptions {
                        requeue: true,
                        ..BasicNackOptions::default()
                    })
                    .await?;
            }
            Outcome::Handled | Outcome::Ignored | Outcome::Bad(_) => {
                delivery.acker.ack(BasicAckOptions::default()).await?;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{HandlerConfig, HandlerKind};

    #[test]
    fn layout_follows_oslo_naming() {
        let config = SinkConfig {
            handlers: vec![
                HandlerConfig::new(HandlerKind::NovaFixed),
                HandlerConfig::new(HandlerKind::NeutronFloatingIp),
            ],
            listener_pool_name: None,
        };
        let l = layout(&config);
        assert_eq!(l.len(), 1);
        assert_eq!(
            l["notifications.info"],
            [
                ("nova".to_owned(), "notifications.info".to_owned()),
                ("neutron".to_owned(), "notifications.info".to_owned())
            ]
        );
        let pooled = layout(&SinkConfig {
            listener_pool_name: Some("designate-sink".into()),
            ..config
        });
        assert!(pooled.contains_key("designate-sink"));
    }
}
