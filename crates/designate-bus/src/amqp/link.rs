//! The process's connection to the RabbitMQ cluster.
//!
//! One AMQP connection is shared by every publisher and consumer of a process (channels are
//! cheap, connections are not). When it dies — broker restart, node loss, missed heartbeats — the
//! next user reconnects, starting with the next member of `transport_url` so that losing one node
//! moves the process to another; a full round of failures waits with oslo's backoff.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use lapin::{Connection, ConnectionProperties};
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;

use super::{AmqpConfig, BusError};

/// Longest time one member gets to accept a connection before the next is tried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Longest wait for the broker to confirm a close at shutdown.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(2);

/// A shared, self-healing connection.
pub struct Link {
    config: AmqpConfig,
    /// Shown in the broker's management UI, so operators see which role holds a connection.
    name: String,
    current: Mutex<Option<Arc<Connection>>>,
    /// The member the next connection attempt starts with.
    next_member: AtomicUsize,
}

impl std::fmt::Debug for Link {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Link")
            .field("url", &self.config.url)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Link {
    /// A link for the process role `name` (no connection is made until first use).
    pub fn new(config: AmqpConfig, name: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            config,
            name: name.into(),
            current: Mutex::new(None),
            next_member: AtomicUsize::new(0),
        })
    }

    /// The transport settings.
    pub fn config(&self) -> &AmqpConfig {
        &self.config
    }

    /// The live connection, connecting first if there is none (one round over the members).
    ///
    /// # Errors
    /// [`BusError::Unreachable`] when no member accepts.
    pub async fn connection(&self) -> Result<Arc<Connection>, BusError> {
        let mut current = self.current.lock().await;
        if let Some(conn) = current.as_ref() {
            if conn.status().connected() {
                return Ok(Arc::clone(conn));
            }
            // The connection we were using died: fail over to the next member first.
            tracing::warn!(connection = %self.name, "AMQP connection lost; reconnecting");
            self.next_member.fetch_add(1, Ordering::Relaxed);
            *current = None;
        }
        let conn = Arc::new(self.connect_round().await?);
        *current = Some(Arc::clone(&conn));
        Ok(conn)
    }

    /// Like [`Self::connection`], but retries with backoff until connected; `None` once
    /// `shutdown` is cancelled.
    pub async fn connection_or_wait(
        &self,
        shutdown: &CancellationToken,
    ) -> Option<Arc<Connection>> {
        let mut round = 0;
        loop {
            let attempt = tokio::select! {
                () = shutdown.cancelled() => return None,
                attempt = self.connection() => attempt,
            };
            match attempt {
                Ok(conn) => return Some(conn),
                Err(error) => {
                    let delay = self.config.backoff(round);
                    tracing::warn!(connection = %self.name, %error, ?delay, "cannot reach RabbitMQ; retrying");
                    round = round.saturating_add(1);
                    tokio::select! {
                        () = shutdown.cancelled() => return None,
                        () = tokio::time::sleep(delay) => {}
                    }
                }
            }
        }
    }

    /// Forgets `conn` if it is still the current one, so the next user reconnects (used when
    /// an operation on it failed although its status still looked fine).
    pub async fn discard(&self, conn: &Arc<Connection>) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, conn)) {
            self.next_member.fetch_add(1, Ordering::Relaxed);
            *current = None;
        }
    }

    /// Closes the connection (at shutdown), so the broker requeues unacked messages at once.
    /// Bounded: a connection the broker no longer answers on must not hold up the exit (the
    /// broker notices the dropped socket by itself).
    pub async fn close(&self) {
        if let Some(conn) = self.current.lock().await.take() {
            let _ = tokio::time::timeout(CLOSE_TIMEOUT, conn.close(200, "shutdown".into())).await;
        }
    }

    /// Tries every member once, starting with `next_member`.
    async fn connect_round(&self) -> Result<Connection, BusError> {
        let members = self.config.url.members.len();
        if members == 0 {
            return Err(BusError::Config("transport_url lists no host".to_owned()));
        }
        let start = self.next_member.load(Ordering::Relaxed);
        let heartbeat = u16::try_from(self.config.heartbeat.as_secs()).unwrap_or(u16::MAX);
        let mut last = String::from("no member");
        for offset in 0..members {
            let index = (start + offset) % members;
            let uri = self
                .config
                .url
                .uri(index, heartbeat, CONNECT_TIMEOUT.as_millis() as u64);
            let endpoint = self.config.url.members[index].endpoint();
            let props = ConnectionProperties::default()
                .with_connection_name(format!("designate-{}", self.name).into());
            let attempt =
                tokio::time::timeout(CONNECT_TIMEOUT, Connection::connect_uri(uri, props)).await;
            match attempt {
                Ok(Ok(conn)) => {
                    self.next_member.store(index, Ordering::Relaxed);
                    tracing::info!(connection = %self.name, member = %endpoint, "connected to RabbitMQ");
                    return Ok(conn);
                }
                Ok(Err(error)) => last = format!("{endpoint}: {error}"),
                Err(_) => last = format!("{endpoint}: connection timed out"),
            }
            tracing::debug!(connection = %self.name, %last, "RabbitMQ member unreachable");
        }
        Err(BusError::Unreachable {
            url: self.config.url.redacted(),
            last,
        })
    }
}
