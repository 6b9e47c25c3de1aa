//! RPC to central over AMQP: [`CentralClient`] implements [`CentralApi`] with request/reply
//! calls; [`serve_central`] answers them from a real central.
//!
//! A call publishes `{"context": …, "call": {"method": …, "args": …}}` on the control exchange
//! with the central topic as routing key, `reply_to` naming the client's exclusive reply queue
//! and a fresh `correlation_id`; the message expires with the call's timeout, so a request
//! nobody answered in time is never executed late. Every central process consumes the one
//! central queue (competing consumers) and answers `{"result": …}` or `{"failure": <error>}`;
//! it acks a request only after its answer is sent, so a central killed mid-request leaves it
//! to another central.
//!
//! What is per operation — [`CentralRequest`] and its `method()` name, the [`CentralClient`]
//! methods and the server's dispatch — is generated from the one list of central's operations
//! in the crate root (`central_operations!`); the only operations handled apart are the creates
//! made idempotent with the call's id (`with_call_ids`).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    Blacklist, BlacklistUpdate, NewBlacklist, NewRecordSet, NewTld, NewZone, Pool, Quotas,
    RecordSet, RecordSetUpdate, ServiceStatus, Tld, TldUpdate, Zone, ZoneTaskRow, ZoneUpdate,
};
use designate_core::objects::{FloatingIp, FloatingIpUpdate, PoolNsRecord};
use designate_core::objects::{NewTsigKey, SharedZone, TsigKey, TsigKeyUpdate};
use designate_core::objects::{
    NewZoneTransferAccept, NewZoneTransferRequest, ZoneTransferAccept, ZoneTransferRequest,
    ZoneTransferRequestUpdate,
};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use futures::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions, QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, Mutex};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use super::topology::declare_topic_queue;
use super::{communication_failure, BusError, Link};
use crate::{AbsoluteLimits, CentralApi, ManagedOwner, ManagedRecords, PushOutcome, XfrOutcome};

/// How long a stopping central waits for requests it already took.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(10);

/// Writes, from the list of [`crate::central_operations!`], the four things every operation
/// needs here: its [`CentralRequest`] variant (what travels), [`CentralRequest::method`], the
/// [`CentralClient`] method that sends it, and the [`dispatch`] arm that runs it. Nothing in them
/// differs per operation; what does — the idempotent creates — is [`with_call_ids`], by hand.
macro_rules! central_rpc {
    ($(
        $(#[$doc:meta])*
        $variant:ident => fn $method:ident($(
            $(#[$first_attr:meta])* $first:ident: $first_ty:ty
            $(, $(#[$attr:meta])* $arg:ident: $ty:ty)* $(,)?
        )?) -> Result<$ret:ty> $default:tt
    )*) => {
        /// One central operation with its arguments: the `call` part of a request,
        /// `{"method": "<name>", "args": {<argument>: …}}` (no `args` for an operation without
        /// arguments).
        #[derive(Debug, Clone, Serialize, Deserialize)]
        #[serde(tag = "method", content = "args", rename_all = "snake_case")]
        #[allow(missing_docs)] // The fields are the method's arguments, documented there.
        pub enum CentralRequest {
            $(
                #[doc = concat!("[`CentralApi::", stringify!($method), "`].")]
                $variant $({
                    $(#[$first_attr])* $first: $first_ty,
                    $($(#[$attr])* $arg: $ty,)*
                })?,
            )*
        }

        impl CentralRequest {
            /// The method name, as it travels.
            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$variant $({ $first: _, .. })? => stringify!($method),)*
                }
            }
        }

        /// Every operation as (variant, method name), for the wire tests.
        #[cfg(test)]
        const OPERATIONS: &[(&str, &str)] = &[$((stringify!($variant), stringify!($method)),)*];

        #[async_trait]
        impl CentralApi for CentralClient {
            $(
                async fn $method(
                    &self,
                    ctx: &RequestContext
                    $(, $first: $first_ty $(, $arg: $ty)*)?
                ) -> Result<$ret> {
                    self.call(ctx, CentralRequest::$variant $({ $first $(, $arg)* })?).await
                }
            )*
        }

        #[async_trait]
        impl<H: CallHook + 'static> CentralApi for Intercepted<H> {
            $(
                async fn $method(
                    &self,
                    ctx: &RequestContext
                    $(, $first: $first_ty $(, $arg: $ty)*)?
                ) -> Result<$ret> {
                    let call = CentralRequest::$variant $({
                        $first: $first.clone() $(, $arg: $arg.clone())*
                    })?;
                    self.hook.before(ctx, &call).await?;
                    self.inner.$method(ctx $(, $first $(, $arg)*)?).await
                }
            )*
        }

        /// Runs `call` on `central`; its result, or its error, becomes the reply.
        async fn dispatch(
            central: &dyn CentralApi,
            ctx: &RequestContext,
            call: CentralRequest,
        ) -> Reply {
            match call {
                $(
                    CentralRequest::$variant $({ $first $(, $arg)* })? => {
                        Reply::of(central.$method(ctx $(, $first $(, $arg)*)?).await)
                    }
                )*
            }
        }
    };
}

crate::central_operations!(central_rpc);

/// What an [`Intercepted`] central does with each call before forwarding it.
#[async_trait]
pub trait CallHook: Send + Sync {
    /// Sees `call` (its arguments cloned) before the wrapped central runs it; an error is the
    /// call's answer and the wrapped central is not called.
    async fn before(&self, ctx: &RequestContext, call: &CentralRequest) -> Result<()>;
}

/// A central that shows every call to `hook`, then forwards it to `inner`: a test double that
/// counts, delays, records, refuses or faults chosen calls of a real central without writing
/// out every operation.
pub struct Intercepted<H> {
    /// The central that does the work.
    pub inner: Arc<dyn CentralApi>,
    /// What sees each call first.
    pub hook: H,
}

/// A request as it travels: the caller's context and the call.
#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    context: RequestContext,
    call: CentralRequest,
}

/// An answer as it travels.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Reply {
    Result(serde_json::Value),
    Failure(DesignateError),
}

impl Reply {
    /// The answer carrying a central method's outcome.
    fn of<T: Serialize>(result: Result<T>) -> Self {
        match result {
            Ok(value) => match serde_json::to_value(value) {
                Ok(value) => Self::Result(value),
                Err(e) => Self::Failure(DesignateError::new(
                    ErrorKind::UnknownFailure,
                    e.to_string(),
                )),
            },
            Err(error) => Self::Failure(error),
        }
    }
}

/// A call waiting for its answer.
struct Waiter {
    /// The reply queue its request named, once published: when that queue's consumer ends
    /// (connection lost) the answer can never arrive, and the caller is told at once.
    queue: Option<String>,
    tx: oneshot::Sender<Vec<u8>>,
}

type Pending = Arc<std::sync::Mutex<HashMap<String, Waiter>>>;

/// The channel a client publishes on and the reply queue its answers come back to; replaced
/// when the connection dies.
#[derive(Clone)]
struct Session {
    conn: Arc<Connection>,
    channel: Channel,
    reply_queue: String,
}

/// [`CentralApi`] over AMQP.
#[derive(Clone)]
pub struct CentralClient {
    link: Arc<Link>,
    session: Arc<Mutex<Option<Session>>>,
    pending: Pending,
}

impl std::fmt::Debug for CentralClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CentralClient")
            .field("link", &self.link)
            .finish_non_exhaustive()
    }
}

impl CentralClient {
    /// A client calling the centrals reachable through `link` (connects on first call).
    pub fn new(link: Arc<Link>) -> Self {
        Self {
            link,
            session: Arc::new(Mutex::new(None)),
            pending: Arc::default(),
        }
    }

    /// Sends `call` and waits for the answer, at most `rpc_timeout`.
    ///
    /// # Errors
    /// Central's own error, or `CommunicationFailure` (504) when the bus is unreachable or no
    /// central answered in time.
    pub async fn call<T: DeserializeOwned>(
        &self,
        ctx: &RequestContext,
        call: CentralRequest,
    ) -> Result<T> {
        let timeout = self.link.config().rpc_timeout;
        let body = serde_json::to_vec(&Envelope {
            context: ctx.clone(),
            call,
        })
        .map_err(|e| DesignateError::new(ErrorKind::UnknownFailure, e.to_string()))?;
        let correlation_id = Uuid::new_v4().to_string();
        let (tx, rx) = oneshot::channel();
        self.pending_map()
            .insert(correlation_id.clone(), Waiter { queue: None, tx });
        let sent =
            tokio::time::timeout(timeout, self.publish(&body, &correlation_id, timeout)).await;
        let answer = match sent {
            Ok(Ok(())) => tokio::time::timeout(timeout, rx).await,
            Ok(Err(error)) => {
                self.pending_map().remove(&correlation_id);
                return Err(communication_failure(format!(
                    "cannot reach central: {error}"
                )));
            }
            Err(_) => {
                self.pending_map().remove(&correlation_id);
                return Err(communication_failure("timed out sending to central"));
            }
        };
        let data = match answer {
            Ok(Ok(data)) => data,
            // The sender was dropped: the reply queue died with its connection.
            Ok(Err(_)) => return Err(communication_failure("connection to central lost")),
            Err(_) => {
                self.pending_map().remove(&correlation_id);
                return Err(communication_failure(format!(
                    "timed out after {} s waiting for central",
                    timeout.as_secs_f32()
                )));
            }
        };
        match serde_json::from_slice::<Reply>(&data) {
            Ok(Reply::Result(value)) => serde_json::from_value(value).map_err(|e| {
                DesignateError::new(
                    ErrorKind::UnknownFailure,
                    format!("bad answer from central: {e}"),
                )
            }),
            Ok(Reply::Failure(error)) => Err(error),
            Err(e) => Err(DesignateError::new(
                ErrorKind::UnknownFailure,
                format!("bad answer from central: {e}"),
            )),
        }
    }

    fn pending_map(&self) -> std::sync::MutexGuard<'_, HashMap<String, Waiter>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Publishes on the current session; one retry on a fresh session when the first attempt
    /// finds the connection dead.
    async fn publish(
        &self,
        body: &[u8],
        correlation_id: &str,
        ttl: Duration,
    ) -> Result<(), BusError> {
        let mut last = None;
        for _ in 0..2 {
            let session = self.session().await?;
            if let Some(waiter) = self.pending_map().get_mut(correlation_id) {
                waiter.queue = Some(session.reply_queue.clone());
            }
            let props = BasicProperties::default()
                .with_content_type("application/json".into())
                .with_correlation_id(correlation_id.into())
                .with_reply_to(session.reply_queue.as_str().into())
                .with_expiration(ttl.as_millis().to_string().into());
            let config = self.link.config();
            let attempt = session
                .channel
                .basic_publish(
                    config.control_exchange.as_str().into(),
                    config.central_topic.as_str().into(),
                    BasicPublishOptions::default(),
                    body,
                    props,
                )
                .await;
            match attempt {
                Ok(_) => return Ok(()),
                Err(error) => {
                    self.drop_session(&session).await;
                    last = Some(BusError::from(error));
                }
            }
        }
        Err(last.unwrap_or(BusError::NotConfirmed))
    }

    async fn drop_session(&self, dead: &Session) {
        let mut session = self.session.lock().await;
        if session.as_ref().is_some_and(|s| {
            s.channel.id() == dead.channel.id() && Arc::ptr_eq(&s.conn, &dead.conn)
        }) {
            *session = None;
        }
        self.link.discard(&dead.conn).await;
    }

    /// The live session, opening a new one (channel, reply queue, reply reader) if needed.
    async fn session(&self) -> Result<Session, BusError> {
        let mut guard = self.session.lock().await;
        if let Some(s) = guard.as_ref() {
            if s.conn.status().connected() && s.channel.status().connected() {
                return Ok(s.clone());
            }
        }
        *guard = None;
        let conn = self.link.connection().await?;
        let channel = conn.create_channel().await?;
        let config = self.link.config();
        // Requests wait in the central queue while centrals restart (until they expire).
        declare_topic_queue(&channel, config, &config.central_topic, true).await?;
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
        let reply_queue = queue.name().as_str().to_owned();
        let mut replies = channel
            .basic_consume(
                reply_queue.as_str().into(),
                "".into(),
                BasicConsumeOptions {
                    no_ack: true,
                    ..BasicConsumeOptions::default()
                },
                FieldTable::default(),
            )
            .await?;
        let pending = Arc::clone(&self.pending);
        let queue = reply_queue.clone();
        tokio::spawn(async move {
            while let Some(Ok(delivery)) = replies.next().await {
                let Some(id) = delivery.properties.correlation_id().as_ref() else {
                    continue;
                };
                let waiter = pending
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(id.as_str());
                // No waiter: the call timed out already; the late answer is dropped.
                if let Some(waiter) = waiter {
                    let _ = waiter.tx.send(delivery.data);
                }
            }
            // The reply queue is gone with its connection: fail its calls now, not at timeout.
            pending
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .retain(|_, w| w.queue.as_deref() != Some(queue.as_str()));
        });
        let session = Session {
            conn,
            channel,
            reply_queue,
        };
        *guard = Some(session.clone());
        Ok(session)
    }
}

/// Answers central calls from `link`'s central queue with `central` until `shutdown`;
/// reconnects (with backoff) whenever the connection is lost.
pub async fn serve_central(
    link: Arc<Link>,
    central: Arc<dyn CentralApi>,
    shutdown: CancellationToken,
) {
    let mut inflight = JoinSet::new();
    let mut round = 0;
    while let Some(conn) = link.connection_or_wait(&shutdown).await {
        match consume_central(&link, &conn, &central, &shutdown, &mut inflight).await {
            Ok(()) => break,
            Err(error) => {
                tracing::warn!(%error, "central consumer stopped; reconnecting");
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
    // Requests already taken get their answer; unacked ones go back to the queue on close.
    let _ = tokio::time::timeout(DRAIN_TIMEOUT, async {
        while inflight.join_next().await.is_some() {}
    })
    .await;
    link.close().await;
}

/// One consumer session; Ok at shutdown, Err when the channel or connection died.
async fn consume_central(
    link: &Link,
    conn: &Connection,
    central: &Arc<dyn CentralApi>,
    shutdown: &CancellationToken,
    inflight: &mut JoinSet<()>,
) -> Result<(), BusError> {
    let config = link.config();
    let channel = conn.create_channel().await?;
    channel
        .basic_qos(config.central_prefetch, BasicQosOptions::default())
        .await?;
    declare_topic_queue(&channel, config, &config.central_topic, true).await?;
    let mut requests = channel
        .basic_consume(
            config.central_topic.as_str().into(),
            "".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    tracing::info!(queue = %config.central_topic, "central consuming");
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return Ok(()),
            delivery = requests.next() => match delivery {
                Some(Ok(delivery)) => {
                    inflight.spawn(answer(channel.clone(), Arc::clone(central), delivery));
                }
                Some(Err(error)) => return Err(error.into()),
                None => return Err(BusError::Config("central consumer cancelled by the broker".to_owned())),
            },
            Some(_) = inflight.join_next(), if !inflight.is_empty() => {}
        }
    }
}

/// Gives a create the id of its call (the correlation id, a fresh UUID per call that a
/// redelivery keeps) as the id of the object it creates. A request redelivered because the
/// central running it died after committing then finds its own object and answers it (central's
/// `already_created`) instead of `duplicate_*`: at-least-once delivery, exactly-once effect.
/// Requests without a UUID correlation id, or naming an id of their own, are left alone.
fn with_call_ids(
    call: CentralRequest,
    correlation_id: &Option<lapin::types::ShortString>,
) -> CentralRequest {
    let Some(id) = correlation_id
        .as_ref()
        .and_then(|id| Uuid::parse_str(id.as_str()).ok())
    else {
        return call;
    };
    match call {
        CentralRequest::CreateZone { mut zone } => {
            zone.id = zone.id.or(Some(id));
            CentralRequest::CreateZone { zone }
        }
        CentralRequest::CreateRecordset {
            zone_id,
            mut recordset,
        } => {
            recordset.id = recordset.id.or(Some(id));
            CentralRequest::CreateRecordset { zone_id, recordset }
        }
        other => other,
    }
}

/// Runs one request and answers it; acks once the answer is published.
async fn answer(channel: Channel, central: Arc<dyn CentralApi>, delivery: Delivery) {
    let reply = match serde_json::from_slice::<Envelope>(&delivery.data) {
        Ok(envelope) => {
            tracing::debug!(method = envelope.call.method(), request_id = %envelope.context.request_id, "central call");
            let call = with_call_ids(envelope.call, delivery.properties.correlation_id());
            dispatch(&*central, &envelope.context, call).await
        }
        Err(error) => Reply::Failure(DesignateError::new(
            ErrorKind::BadRequest,
            format!("malformed central request: {error}"),
        )),
    };
    let props = &delivery.properties;
    if let (Some(reply_to), Some(id)) = (props.reply_to(), props.correlation_id()) {
        let body = match serde_json::to_vec(&reply) {
            Ok(body) => body,
            Err(error) => {
                tracing::error!(%error, "cannot encode central answer");
                return;
            }
        };
        let sent = channel
            .basic_publish(
                "".into(),
                reply_to.clone(),
                BasicPublishOptions::default(),
                &body,
                BasicProperties::default()
                    .with_content_type("application/json".into())
                    .with_correlation_id(id.clone()),
            )
            .await;
        if let Err(error) = sent {
            // Not acked: the request goes back to the queue when this channel closes.
            tracing::warn!(%error, "cannot send central answer");
            return;
        }
    }
    if let Err(error) = delivery.acker.ack(BasicAckOptions::default()).await {
        tracing::warn!(%error, "cannot ack central request");
    }
}

#[cfg(test)]
mod wire_tests;
