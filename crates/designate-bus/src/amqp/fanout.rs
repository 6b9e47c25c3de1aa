//! Fanout over AMQP: [`FanoutClient`] implements [`Broadcaster`] by publishing to the fanout
//! exchange `<topic>_fanout` (oslo.messaging's name for a topic's fanout exchange);
//! [`consume_fanout`] gives its process a queue of its own — exclusive, named by the broker,
//! deleted with the connection — bound to that exchange, so every instance hears every message.
//!
//! Messages are transient and not confirmed: a listener that is away (reconnecting) misses
//! them, which is harmless because what they announce is also re-read periodically.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use lapin::options::{
    BasicConsumeOptions, BasicPublishOptions, ExchangeDeclareOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ExchangeKind};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::{BusError, Link};
use crate::{Broadcast, Broadcaster};

/// The fanout exchange of `topic`.
pub fn exchange_name(topic: &str) -> String {
    format!("{topic}_fanout")
}

async fn declare(channel: &Channel, exchange: &str) -> Result<(), BusError> {
    channel
        .exchange_declare(
            exchange.into(),
            ExchangeKind::Fanout,
            ExchangeDeclareOptions::default(),
            FieldTable::default(),
        )
        .await?;
    Ok(())
}

/// [`Broadcaster`] over AMQP, to every consumer of `topic`'s fanout exchange.
pub struct FanoutClient {
    link: Arc<Link>,
    exchange: String,
}

impl std::fmt::Debug for FanoutClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FanoutClient")
            .field("exchange", &self.exchange)
            .finish_non_exhaustive()
    }
}

impl FanoutClient {
    /// A client broadcasting to the listeners of `topic` through `link`.
    pub fn new(link: Arc<Link>, topic: &str) -> Self {
        Self {
            link,
            exchange: exchange_name(topic),
        }
    }

    /// Publishes `event` once.
    ///
    /// # Errors
    /// The transport failure.
    pub async fn try_broadcast(&self, event: Broadcast) -> Result<(), BusError> {
        let body = serde_json::to_vec(&event)?;
        let conn = self.link.connection().await?;
        // Broadcasts are rare (pool and TSIG key writes): a channel per message keeps no state.
        let channel = conn.create_channel().await?;
        declare(&channel, &self.exchange).await?;
        channel
            .basic_publish(
                self.exchange.as_str().into(),
                "".into(),
                BasicPublishOptions::default(),
                &body,
                BasicProperties::default().with_content_type("application/json".into()),
            )
            .await?;
        let _ = channel.close(200, "done".into()).await;
        Ok(())
    }
}

#[async_trait]
impl Broadcaster for FanoutClient {
    async fn broadcast(&self, event: Broadcast) {
        if let Err(error) = self.try_broadcast(event).await {
            tracing::warn!(exchange = %self.exchange, %error, ?event, "broadcast lost");
        }
    }
}

/// Feeds every [`Broadcast`] sent to `topic`'s fanout exchange into `events` until `shutdown`
/// (or until the receiver is dropped); reconnects with backoff whenever the connection is lost.
pub async fn consume_fanout(
    link: Arc<Link>,
    topic: String,
    events: mpsc::UnboundedSender<Broadcast>,
    shutdown: CancellationToken,
) {
    let exchange = exchange_name(&topic);
    let mut round = 0;
    while let Some(conn) = link.connection_or_wait(&shutdown).await {
        match consume_session(&conn, &exchange, &events, &shutdown).await {
            Ok(()) => break,
            Err(error) => {
                tracing::warn!(%exchange, %error, "fanout consumer stopped; reconnecting");
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
}

async fn consume_session(
    conn: &Connection,
    exchange: &str,
    events: &mpsc::UnboundedSender<Broadcast>,
    shutdown: &CancellationToken,
) -> Result<(), BusError> {
    let channel = conn.create_channel().await?;
    declare(&channel, exchange).await?;
    let queue = channel
        .queue_declare(
            "".into(),
            QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
    channel
        .queue_bind(
            queue.name().as_str().into(),
            exchange.into(),
            "".into(),
            QueueBindOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let mut deliveries = channel
        .basic_consume(
            queue.name().as_str().into(),
            "".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await?;
    tracing::info!(%exchange, "fanout consuming");
    loop {
        let delivery = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = events.closed() => return Ok(()),
            delivery = deliveries.next() => delivery,
        };
        let delivery = match delivery {
            Some(Ok(delivery)) => delivery,
            Some(Err(error)) => return Err(error.into()),
            None => {
                return Err(BusError::Config(
                    "fanout consumer cancelled by the broker".to_owned(),
                ))
            }
        };
        match serde_json::from_slice::<Broadcast>(&delivery.data) {
            Ok(event) => {
                if events.send(event).is_err() {
                    return Ok(());
                }
            }
            // A newer sender's message this build does not know: nothing to do for it here.
            Err(error) => tracing::warn!(%exchange, %error, "ignoring unknown broadcast"),
        }
    }
}
