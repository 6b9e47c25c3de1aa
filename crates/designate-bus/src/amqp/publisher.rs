//! A confirmed publisher: one channel in confirm mode, re-opened on a fresh connection when it
//! dies. Used for worker casts and notifications, where "published" must mean "the broker has
//! it" (persistent messages in durable queues survive a broker restart once confirmed).

use std::sync::Arc;
use std::time::Duration;

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions};
use lapin::{BasicProperties, Channel, Connection};
use tokio::sync::Mutex;

use super::topology::declare_topic_queue;
use super::{BusError, Link};

/// Attempts per message before giving up (each on a fresh channel, after a short pause).
const ATTEMPTS: u32 = 3;

/// Publishes to the control exchange with publisher confirms.
pub(crate) struct ConfirmPublisher {
    link: Arc<Link>,
    /// Queues declared (and bound with their own name) on every new channel.
    queues: Vec<String>,
    durable_queues: bool,
    current: Mutex<Option<(Arc<Connection>, Channel)>>,
}

impl ConfirmPublisher {
    /// A publisher that makes sure `queues` exist before publishing.
    pub(crate) fn new(link: Arc<Link>, queues: Vec<String>, durable_queues: bool) -> Self {
        Self {
            link,
            queues,
            durable_queues,
            current: Mutex::new(None),
        }
    }

    pub(crate) fn link(&self) -> &Arc<Link> {
        &self.link
    }

    /// Publishes `body` with `routing_key` and waits for the broker's confirm.
    ///
    /// # Errors
    /// The last failure when every attempt failed.
    pub(crate) async fn publish(
        &self,
        routing_key: &str,
        body: &[u8],
        props: BasicProperties,
    ) -> Result<(), BusError> {
        let mut last = BusError::NotConfirmed;
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
            }
            let (conn, channel) = match self.channel().await {
                Ok(pair) => pair,
                Err(error) => {
                    last = error;
                    continue;
                }
            };
            match self
                .try_publish(&channel, routing_key, body, props.clone())
                .await
            {
                Ok(()) => return Ok(()),
                Err(error) => {
                    last = error;
                    let mut current = self.current.lock().await;
                    if current.as_ref().is_some_and(|(c, _)| Arc::ptr_eq(c, &conn)) {
                        *current = None;
                    }
                    drop(current);
                    self.link.discard(&conn).await;
                }
            }
        }
        Err(last)
    }

    async fn try_publish(
        &self,
        channel: &Channel,
        routing_key: &str,
        body: &[u8],
        props: BasicProperties,
    ) -> Result<(), BusError> {
        let confirm = channel
            .basic_publish(
                self.link.config().control_exchange.as_str().into(),
                routing_key.into(),
                BasicPublishOptions::default(),
                body,
                props,
            )
            .await?
            .await?;
        if confirm.is_ack() {
            Ok(())
        } else {
            Err(BusError::NotConfirmed)
        }
    }

    async fn channel(&self) -> Result<(Arc<Connection>, Channel), BusError> {
        let mut current = self.current.lock().await;
        if let Some((conn, channel)) = current.as_ref() {
            if conn.status().connected() && channel.status().connected() {
                return Ok((Arc::clone(conn), channel.clone()));
            }
        }
        *current = None;
        let conn = self.link.connection().await?;
        let channel = conn.create_channel().await?;
        channel
            .confirm_select(ConfirmSelectOptions::default())
            .await?;
        for queue in &self.queues {
            declare_topic_queue(&channel, self.link.config(), queue, self.durable_queues).await?;
        }
        *current = Some((Arc::clone(&conn), channel.clone()));
        Ok((conn, channel))
    }
}
