//! Worker casts over AMQP: [`WorkerClient`] implements [`WorkerApi`] by publishing persistent,
//! confirmed messages to the durable worker queue; [`consume_worker`] feeds them into the
//! worker's channel. N worker processes consuming the one queue share the zones.
//!
//! A delivery is acked when the worker is done with it (its [`Receipt`] is dropped: the task ran,
//! or was merged into a newer cast for the same zone). A worker killed before that leaves the
//! message unacked, and the broker hands it to another worker at once; at shutdown nothing is
//! acked, so whatever was queued or running goes back to the queue when the connection closes.
//! Redeliveries are harmless (worker tasks are idempotent), and if a message is lost anyway the
//! zone stays PENDING in the store and the producer's recovery casts it again.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use designate_core::objects::Zone;
use designate_core::RequestContext;
use futures::StreamExt;
use lapin::options::{BasicAckOptions, BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::publisher::ConfirmPublisher;
use super::topology::declare_topic_queue;
use super::{BusError, Link};
use crate::inproc::{Receipt, WorkerCast};
use crate::{WorkerApi, ZoneTask};

/// How many casts a worker takes from the broker ahead of accepting them.
const PREFETCH: u16 = 128;

/// A cast as it travels.
#[derive(Debug, Serialize, Deserialize)]
struct CastMessage {
    context: RequestContext,
    method: String,
    task: ZoneTask,
    zone: Zone,
}

/// [`WorkerApi`] over AMQP.
pub struct WorkerClient {
    publisher: ConfirmPublisher,
}

impl std::fmt::Debug for WorkerClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WorkerClient")
            .field("link", self.publisher.link())
            .finish_non_exhaustive()
    }
}

impl WorkerClient {
    /// A client casting to the worker queue reachable through `link`.
    pub fn new(link: Arc<Link>) -> Self {
        let queue = link.config().worker_topic.clone();
        Self {
            publisher: ConfirmPublisher::new(link, vec![queue], true),
        }
    }

    /// Publishes one cast and waits for the broker's confirm.
    ///
    /// # Errors
    /// The transport failure when every attempt failed.
    pub async fn try_cast(
        &self,
        ctx: &RequestContext,
        task: ZoneTask,
        zone: Zone,
    ) -> Result<(), BusError> {
        let body = serde_json::to_vec(&CastMessage {
            context: ctx.clone(),
            method: "zone_task".to_owned(),
            task,
            zone,
        })?;
        let props = BasicProperties::default()
            .with_content_type("application/json".into())
            // Persistent: a confirmed cast survives a broker restart.
            .with_delivery_mode(2);
        let topic = self.publisher.link().config().worker_topic.clone();
        self.publisher.publish(&topic, &body, props).await
    }
}

#[async_trait]
impl WorkerApi for WorkerClient {
    async fn cast_zone_task(&self, ctx: &RequestContext, task: ZoneTask, zone: Zone) {
        let name = zone.name.clone();
        if let Err(error) = self.try_cast(ctx, task, zone).await {
            // Casts are fire-and-forget: the zone stays PENDING and recovery re-drives it.
            tracing::warn!(zone = %name, %error, "worker cast lost (recovery will re-drive it)");
        }
    }
}

/// Consumes the worker queue of `link` into `casts` until `shutdown` (or until the receiver
/// is dropped); reconnects with backoff whenever the connection is lost.
pub async fn consume_worker(
    link: Arc<Link>,
    casts: mpsc::UnboundedSender<WorkerCast>,
    shutdown: CancellationToken,
) {
    let mut round = 0;
    while let Some(conn) = link.connection_or_wait(&shutdown).await {
        match consume_session(&link, &conn, &casts, &shutdown).await {
            Ok(()) => break,
            Err(error) => {
                tracing::warn!(%error, "worker consumer stopped; reconnecting");
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

async fn consume_session(
    link: &Link,
    conn: &Connection,
    casts: &mpsc::UnboundedSender<WorkerCast>,
    shutdown: &CancellationToken,
) -> Result<(), BusError> {
    let config = link.config();
    let channel = conn.create_channel().await?;
    channel
        .basic_qos(PREFETCH, BasicQosOptions::default())
        .await?;
    declare_topic_queue(&channel, config, &config.worker_topic, true).await?;
    let mut deliveries = channel
        .basic_consume(
            config.worker_topic.as_str().into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    tracing::info!(queue = %config.worker_topic, "worker consuming");
    loop {
        let delivery = tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            () = casts.closed() => return Ok(()),
            delivery = deliveries.next() => delivery,
        };
        let delivery = match delivery {
            Some(Ok(delivery)) => delivery,
            Some(Err(error)) => return Err(error.into()),
            None => {
                return Err(BusError::Config(
                    "worker consumer cancelled by the broker".to_owned(),
                ))
            }
        };
        match serde_json::from_slice::<CastMessage>(&delivery.data) {
            Ok(message) => {
                let acker = delivery.acker;
                let stopping = shutdown.clone();
                let receipt = Receipt::on_done(move || {
                    // At shutdown the message goes back to the queue instead (connection close).
                    if stopping.is_cancelled() {
                        return;
                    }
                    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                        runtime.spawn(async move {
                            if let Err(error) = acker.ack(BasicAckOptions::default()).await {
                                tracing::debug!(%error, "cannot ack worker cast (redelivery is harmless)");
                            }
                        });
                    }
                });
                let cast = WorkerCast {
                    ctx: message.context,
                    task: message.task,
                    zone: message.zone,
                    receipt: Some(receipt),
                };
                if casts.send(cast).is_err() {
                    // The worker stopped: the message goes back to the queue.
                    return Ok(());
                }
            }
            // A message we cannot read would be redelivered forever: drop it loudly.
            Err(error) => {
                tracing::error!(%error, "dropping malformed worker cast");
                delivery.acker.ack(BasicAckOptions::default()).await?;
            }
        }
    }
}
