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

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    Blacklist, BlacklistUpdate, NewBlacklist, NewRecordSet, NewTld, NewZone, Pool, Quotas,
    RecordSet, RecordSetUpdate, ServiceStatus, Tld, TldUpdate, Zone, ZoneTaskRow, ZoneUpdate,
};
use designate_core::objects::{FloatingIp, FloatingIpUpdate};
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

/// One central operation with its arguments: the `call` part of a request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "method", content = "args", rename_all = "snake_case")]
#[allow(missing_docs)] // Each variant mirrors the CentralApi method of the same name.
pub enum CentralRequest {
    CreateZone {
        zone: NewZone,
    },
    GetZone {
        id: Uuid,
    },
    FindZones {
        criteria: Criteria,
        page: Page,
    },
    UpdateZone {
        id: Uuid,
        update: ZoneUpdate,
    },
    DeleteZone {
        id: Uuid,
    },
    CreateRecordset {
        zone_id: Uuid,
        recordset: NewRecordSet,
    },
    GetRecordset {
        zone_id: Option<Uuid>,
        id: Uuid,
    },
    FindRecordsets {
        criteria: Criteria,
        page: Page,
    },
    UpdateRecordset {
        zone_id: Uuid,
        id: Uuid,
        update: RecordSetUpdate,
    },
    DeleteRecordset {
        zone_id: Uuid,
        id: Uuid,
    },
    GetPool {
        id: Uuid,
    },
    FindPools,
    UpdateStatus {
        zone_id: Uuid,
        outcome: PushOutcome,
        serial: u32,
    },
    UpdateServiceStatus {
        status: ServiceStatus,
    },
    FindServiceStatuses {
        criteria: Criteria,
        page: Page,
    },
    Ping,
    CreateManagedRecords {
        zone_id: Uuid,
        records: ManagedRecords,
    },
    DeleteManagedRecords {
        zone_id: Uuid,
        owner: ManagedOwner,
    },
    CreateTld {
        tld: NewTld,
    },
    GetTld {
        id: Uuid,
    },
    FindTlds {
        criteria: Criteria,
        page: Page,
    },
    UpdateTld {
        id: Uuid,
        update: TldUpdate,
    },
    DeleteTld {
        id: Uuid,
    },
    CreateBlacklist {
        blacklist: NewBlacklist,
    },
    GetBlacklist {
        id: Uuid,
    },
    FindBlacklists {
        criteria: Criteria,
        page: Page,
    },
    UpdateBlacklist {
        id: Uuid,
        update: BlacklistUpdate,
    },
    DeleteBlacklist {
        id: Uuid,
    },
    GetQuotas {
        project_id: String,
    },
    SetQuota {
        project_id: String,
        resource: String,
        hard_limit: i64,
    },
    ResetQuotas {
        project_id: String,
    },
    GetAbsoluteLimits,
    PurgeZones {
        zone_ids: Vec<Uuid>,
    },
    FinishDelayedNotify {
        zone_id: Uuid,
    },
    // --- zone tasks: imports and exports
    CreateZoneExport {
        zone_id: Uuid,
    },
    GetZoneExport {
        id: Uuid,
    },
    FindZoneExports {
        criteria: Criteria,
        page: Page,
    },
    DeleteZoneExport {
        id: Uuid,
    },
    ExportZone {
        zone_id: Uuid,
    },
    CreateZoneImport {
        zone_file: String,
        #[serde(default)]
        attributes: std::collections::BTreeMap<String, String>,
    },
    GetZoneImport {
        id: Uuid,
    },
    FindZoneImports {
        criteria: Criteria,
        page: Page,
    },
    DeleteZoneImport {
        id: Uuid,
    },
    // --- small zone actions: nameservers, abandon
    GetZoneNsRecords {
        zone_id: Uuid,
    },
    AbandonZone {
        zone_id: Uuid,
    },
    // --- TSIG keys ---
    CreateTsigkey {
        key: NewTsigKey,
    },
    GetTsigkey {
        id: Uuid,
    },
    FindTsigkeys {
        criteria: Criteria,
        page: Page,
    },
    UpdateTsigkey {
        id: Uuid,
        update: TsigKeyUpdate,
    },
    DeleteTsigkey {
        id: Uuid,
    },
    // --- zone transfers ---
    CreateZoneTransferRequest {
        zone_id: Uuid,
        request: NewZoneTransferRequest,
    },
    GetZoneTransferRequest {
        id: Uuid,
    },
    FindZoneTransferRequests {
        criteria: Criteria,
        page: Page,
    },
    UpdateZoneTransferRequest {
        id: Uuid,
        update: ZoneTransferRequestUpdate,
    },
    DeleteZoneTransferRequest {
        id: Uuid,
    },
    CreateZoneTransferAccept {
        accept: NewZoneTransferAccept,
    },
    GetZoneTransferAccept {
        id: Uuid,
    },
    FindZoneTransferAccepts {
        criteria: Criteria,
        page: Page,
    },
    // --- zone shares ---
    ShareZone {
        zone_id: Uuid,
        target_project_id: String,
    },
    GetSharedZone {
        zone_id: Uuid,
        share_id: Uuid,
    },
    FindSharedZones {
        criteria: Criteria,
        page: Page,
    },
    UnshareZone {
        zone_id: Uuid,
        share_id: Uuid,
    },
    SharedZoneIds {
        zone_ids: Vec<Uuid>,
    },
    // --- producer `increment_serial` ---
    IncrementZoneSerial {
        zone_id: Uuid,
    },
    // --- pool writes through the API ---
    CreatePool {
        pool: Pool,
    },
    UpdatePool {
        pool: Pool,
    },
    DeletePool {
        id: Uuid,
    },
    // --- secondary zones and zone tasks ---
    XfrZone {
        zone_id: Uuid,
    },
    FinishZoneXfr {
        zone_id: Uuid,
        outcome: XfrOutcome,
    },
    PoolMoveZone {
        zone_id: Uuid,
        target_pool_id: Option<Uuid>,
    },
    // --- floating-IP PTRs ---
    ListFloatingips,
    GetFloatingip {
        region: String,
        id: Uuid,
    },
    UpdateFloatingip {
        region: String,
        id: Uuid,
        update: FloatingIpUpdate,
    },
}

impl CentralRequest {
    /// The method name, as it travels.
    pub fn method(&self) -> &'static str {
        match self {
            Self::CreateZone { .. } => "create_zone",
            Self::GetZone { .. } => "get_zone",
            Self::FindZones { .. } => "find_zones",
            Self::UpdateZone { .. } => "update_zone",
            Self::DeleteZone { .. } => "delete_zone",
            Self::CreateRecordset { .. } => "create_recordset",
            Self::GetRecordset { .. } => "get_recordset",
            Self::FindRecordsets { .. } => "find_recordsets",
            Self::UpdateRecordset { .. } => "update_recordset",
            Self::DeleteRecordset { .. } => "delete_recordset",
            Self::GetPool { .. } => "get_pool",
            Self::FindPools => "find_pools",
            Self::UpdateStatus { .. } => "update_status",
            Self::UpdateServiceStatus { .. } => "update_service_status",
            Self::FindServiceStatuses { .. } => "find_service_statuses",
            Self::Ping => "ping",
            Self::CreateManagedRecords { .. } => "create_managed_records",
            Self::DeleteManagedRecords { .. } => "delete_managed_records",
            Self::CreateTld { .. } => "create_tld",
            Self::GetTld { .. } => "get_tld",
            Self::FindTlds { .. } => "find_tlds",
            Self::UpdateTld { .. } => "update_tld",
            Self::DeleteTld { .. } => "delete_tld",
            Self::CreateBlacklist { .. } => "create_blacklist",
            Self::GetBlacklist { .. } => "get_blacklist",
            Self::FindBlacklists { .. } => "find_blacklists",
            Self::UpdateBlacklist { .. } => "update_blacklist",
            Self::DeleteBlacklist { .. } => "delete_blacklist",
            Self::GetQuotas { .. } => "get_quotas",
            Self::SetQuota { .. } => "set_quota",
            Self::ResetQuotas { .. } => "reset_quotas",
            Self::GetAbsoluteLimits => "get_absolute_limits",
            Self::PurgeZones { .. } => "purge_zones",
            Self::FinishDelayedNotify { .. } => "finish_delayed_notify",
            Self::IncrementZoneSerial { .. } => "increment_zone_serial",
            Self::CreateTsigkey { .. } => "create_tsigkey",
            Self::GetTsigkey { .. } => "get_tsigkey",
            Self::FindTsigkeys { .. } => "find_tsigkeys",
            Self::UpdateTsigkey { .. } => "update_tsigkey",
            Self::DeleteTsigkey { .. } => "delete_tsigkey",
            Self::CreateZoneTransferRequest { .. } => "create_zone_transfer_request",
            Self::GetZoneTransferRequest { .. } => "get_zone_transfer_request",
            Self::FindZoneTransferRequests { .. } => "find_zone_transfer_requests",
            Self::UpdateZoneTransferRequest { .. } => "update_zone_transfer_request",
            Self::DeleteZoneTransferRequest { .. } => "delete_zone_transfer_request",
            Self::CreateZoneTransferAccept { .. } => "create_zone_transfer_accept",
            Self::GetZoneTransferAccept { .. } => "get_zone_transfer_accept",
            Self::FindZoneTransferAccepts { .. } => "find_zone_transfer_accepts",
            Self::ShareZone { .. } => "share_zone",
            Self::GetSharedZone { .. } => "get_shared_zone",
            Self::FindSharedZones { .. } => "find_shared_zones",
            Self::UnshareZone { .. } => "unshare_zone",
            Self::SharedZoneIds { .. } => "shared_zone_ids",
            // zone tasks: imports and exports
            Self::CreateZoneExport { .. } => "create_zone_export",
            Self::GetZoneExport { .. } => "get_zone_export",
            Self::FindZoneExports { .. } => "find_zone_exports",
            Self::DeleteZoneExport { .. } => "delete_zone_export",
            Self::ExportZone { .. } => "export_zone",
            Self::CreateZoneImport { .. } => "create_zone_import",
            Self::GetZoneImport { .. } => "get_zone_import",
            Self::FindZoneImports { .. } => "find_zone_imports",
            Self::DeleteZoneImport { .. } => "delete_zone_import",
            // small zone actions: nameservers, abandon
            Self::GetZoneNsRecords { .. } => "get_zone_ns_records",
            Self::AbandonZone { .. } => "abandon_zone",
            // pool writes through the API
            Self::CreatePool { .. } => "create_pool",
            Self::UpdatePool { .. } => "update_pool",
            Self::DeletePool { .. } => "delete_pool",
            // secondary zones and zone tasks
            Self::XfrZone { .. } => "xfr_zone",
            Self::FinishZoneXfr { .. } => "finish_zone_xfr",
            Self::PoolMoveZone { .. } => "pool_move_zone",
            // floating-IP PTRs
            Self::ListFloatingips => "list_floatingips",
            Self::GetFloatingip { .. } => "get_floatingip",
            Self::UpdateFloatingip { .. } => "update_floatingip",
        }
    }
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

#[async_trait]
impl CentralApi for CentralClient {
    async fn create_zone(&self, ctx: &RequestContext, zone: NewZone) -> Result<Zone> {
        self.call(ctx, CentralRequest::CreateZone { zone }).await
    }
    async fn get_zone(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone> {
        self.call(ctx, CentralRequest::GetZone { id }).await
    }
    async fn find_zones(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Zone>> {
        self.call(ctx, CentralRequest::FindZones { criteria, page })
            .await
    }
    async fn update_zone(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: ZoneUpdate,
    ) -> Result<Zone> {
        self.call(ctx, CentralRequest::UpdateZone { id, update })
            .await
    }
    async fn delete_zone(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone> {
        self.call(ctx, CentralRequest::DeleteZone { id }).await
    }
    async fn create_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        rs: NewRecordSet,
    ) -> Result<RecordSet> {
        self.call(
            ctx,
            CentralRequest::CreateRecordset {
                zone_id,
                recordset: rs,
            },
        )
        .await
    }
    async fn get_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Option<Uuid>,
        id: Uuid,
    ) -> Result<RecordSet> {
        self.call(ctx, CentralRequest::GetRecordset { zone_id, id })
            .await
    }
    async fn find_recordsets(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<RecordSet>> {
        self.call(ctx, CentralRequest::FindRecordsets { criteria, page })
            .await
    }
    async fn update_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
        update: RecordSetUpdate,
    ) -> Result<RecordSet> {
        self.call(
            ctx,
            CentralRequest::UpdateRecordset {
                zone_id,
                id,
                update,
            },
        )
        .await
    }
    async fn delete_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
    ) -> Result<RecordSet> {
        self.call(ctx, CentralRequest::DeleteRecordset { zone_id, id })
            .await
    }
    async fn get_pool(&self, ctx: &RequestContext, id: Uuid) -> Result<Pool> {
        self.call(ctx, CentralRequest::GetPool { id }).await
    }
    async fn find_pools(&self, ctx: &RequestContext) -> Result<Vec<Pool>> {
        self.call(ctx, CentralRequest::FindPools).await
    }
    async fn update_status(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        outcome: PushOutcome,
        serial: u32,
    ) -> Result<()> {
        self.call(
            ctx,
            CentralRequest::UpdateStatus {
                zone_id,
                outcome,
                serial,
            },
        )
        .await
    }
    async fn update_service_status(
        &self,
        ctx: &RequestContext,
        status: ServiceStatus,
    ) -> Result<()> {
        self.call(ctx, CentralRequest::UpdateServiceStatus { status })
            .await
    }
    async fn find_service_statuses(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ServiceStatus>> {
        self.call(ctx, CentralRequest::FindServiceStatuses { criteria, page })
            .await
    }
    async fn ping(&self, ctx: &RequestContext) -> Result<()> {
        self.call(ctx, CentralRequest::Ping).await
    }
    async fn create_managed_records(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        records: ManagedRecords,
    ) -> Result<RecordSet> {
        self.call(
            ctx,
            CentralRequest::CreateManagedRecords { zone_id, records },
        )
        .await
    }
    async fn delete_managed_records(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        owner: ManagedOwner,
    ) -> Result<u32> {
        self.call(ctx, CentralRequest::DeleteManagedRecords { zone_id, owner })
            .await
    }
    async fn create_tld(&self, ctx: &RequestContext, tld: NewTld) -> Result<Tld> {
        self.call(ctx, CentralRequest::CreateTld { tld }).await
    }
    async fn get_tld(&self, ctx: &RequestContext, id: Uuid) -> Result<Tld> {
        self.call(ctx, CentralRequest::GetTld { id }).await
    }
    async fn find_tlds(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Tld>> {
        self.call(ctx, CentralRequest::FindTlds { criteria, page })
            .await
    }
    async fn update_tld(&self, ctx: &RequestContext, id: Uuid, update: TldUpdate) -> Result<Tld> {
        self.call(ctx, CentralRequest::UpdateTld { id, update })
            .await
    }
    async fn delete_tld(&self, ctx: &RequestContext, id: Uuid) -> Result<Tld> {
        self.call(ctx, CentralRequest::DeleteTld { id }).await
    }
    async fn create_blacklist(
        &self,
        ctx: &RequestContext,
        blacklist: NewBlacklist,
    ) -> Result<Blacklist> {
        self.call(ctx, CentralRequest::CreateBlacklist { blacklist })
            .await
    }
    async fn get_blacklist(&self, ctx: &RequestContext, id: Uuid) -> Result<Blacklist> {
        self.call(ctx, CentralRequest::GetBlacklist { id }).await
    }
    async fn find_blacklists(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Blacklist>> {
        self.call(ctx, CentralRequest::FindBlacklists { criteria, page })
            .await
    }
    async fn update_blacklist(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: BlacklistUpdate,
    ) -> Result<Blacklist> {
        self.call(ctx, CentralRequest::UpdateBlacklist { id, update })
            .await
    }
    async fn delete_blacklist(&self, ctx: &RequestContext, id: Uuid) -> Result<Blacklist> {
        self.call(ctx, CentralRequest::DeleteBlacklist { id }).await
    }
    async fn get_quotas(&self, ctx: &RequestContext, project_id: String) -> Result<Quotas> {
        self.call(ctx, CentralRequest::GetQuotas { project_id })
            .await
    }
    async fn set_quota(
        &self,
        ctx: &RequestContext,
        project_id: String,
        resource: String,
        hard_limit: i64,
    ) -> Result<()> {
        self.call(
            ctx,
            CentralRequest::SetQuota {
                project_id,
                resource,
                hard_limit,
            },
        )
        .await
    }
    async fn reset_quotas(&self, ctx: &RequestContext, project_id: String) -> Result<()> {
        self.call(ctx, CentralRequest::ResetQuotas { project_id })
            .await
    }
    async fn get_absolute_limits(&self, ctx: &RequestContext) -> Result<AbsoluteLimits> {
        self.call(ctx, CentralRequest::GetAbsoluteLimits).await
    }
    async fn purge_zones(&self, ctx: &RequestContext, zone_ids: Vec<Uuid>) -> Result<u32> {
        self.call(ctx, CentralRequest::PurgeZones { zone_ids })
            .await
    }
    async fn finish_delayed_notify(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Option<Zone>> {
        self.call(ctx, CentralRequest::FinishDelayedNotify { zone_id })
            .await
    }
    // --- zone tasks: imports and exports
    async fn create_zone_export(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<ZoneTaskRow> {
        self.call(ctx, CentralRequest::CreateZoneExport { zone_id })
            .await
    }
    async fn get_zone_export(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.call(ctx, CentralRequest::GetZoneExport { id }).await
    }
    async fn find_zone_exports(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        self.call(ctx, CentralRequest::FindZoneExports { criteria, page })
            .await
    }
    async fn delete_zone_export(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.call(ctx, CentralRequest::DeleteZoneExport { id })
            .await
    }
    async fn export_zone(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<String> {
        self.call(ctx, CentralRequest::ExportZone { zone_id }).await
    }
    async fn create_zone_import(
        &self,
        ctx: &RequestContext,
        zone_file: String,
        attributes: std::collections::BTreeMap<String, String>,
    ) -> Result<ZoneTaskRow> {
        self.call(
            ctx,
            CentralRequest::CreateZoneImport {
                zone_file,
                attributes,
            },
        )
        .await
    }
    async fn get_zone_import(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.call(ctx, CentralRequest::GetZoneImport { id }).await
    }
    async fn find_zone_imports(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        self.call(ctx, CentralRequest::FindZoneImports { criteria, page })
            .await
    }
    async fn delete_zone_import(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.call(ctx, CentralRequest::DeleteZoneImport { id })
            .await
    }
    // --- small zone actions: nameservers, abandon
    async fn get_zone_ns_records(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Vec<designate_core::objects::PoolNsRecord>> {
        self.call(ctx, CentralRequest::GetZoneNsRecords { zone_id })
            .await
    }
    async fn abandon_zone(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<Zone> {
        self.call(ctx, CentralRequest::AbandonZone { zone_id })
            .await
    }
    // --- TSIG keys ---
    async fn create_tsigkey(&self, ctx: &RequestContext, key: NewTsigKey) -> Result<TsigKey> {
        self.call(ctx, CentralRequest::CreateTsigkey { key }).await
    }
    async fn get_tsigkey(&self, ctx: &RequestContext, id: Uuid) -> Result<TsigKey> {
        self.call(ctx, CentralRequest::GetTsigkey { id }).await
    }
    async fn find_tsigkeys(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<TsigKey>> {
        self.call(ctx, CentralRequest::FindTsigkeys { criteria, page })
            .await
    }
    async fn update_tsigkey(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: TsigKeyUpdate,
    ) -> Result<TsigKey> {
        self.call(ctx, CentralRequest::UpdateTsigkey { id, update })
            .await
    }
    async fn delete_tsigkey(&self, ctx: &RequestContext, id: Uuid) -> Result<TsigKey> {
        self.call(ctx, CentralRequest::DeleteTsigkey { id }).await
    }
    // --- zone transfers ---
    async fn create_zone_transfer_request(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        request: NewZoneTransferRequest,
    ) -> Result<ZoneTransferRequest> {
        self.call(
            ctx,
            CentralRequest::CreateZoneTransferRequest { zone_id, request },
        )
        .await
    }
    async fn get_zone_transfer_request(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferRequest> {
        self.call(ctx, CentralRequest::GetZoneTransferRequest { id })
            .await
    }
    async fn find_zone_transfer_requests(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTransferRequest>> {
        self.call(
            ctx,
            CentralRequest::FindZoneTransferRequests { criteria, page },
        )
        .await
    }
    async fn update_zone_transfer_request(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: ZoneTransferRequestUpdate,
    ) -> Result<ZoneTransferRequest> {
        self.call(
            ctx,
            CentralRequest::UpdateZoneTransferRequest { id, update },
        )
        .await
    }
    async fn delete_zone_transfer_request(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferRequest> {
        self.call(ctx, CentralRequest::DeleteZoneTransferRequest { id })
            .await
    }
    async fn create_zone_transfer_accept(
        &self,
        ctx: &RequestContext,
        accept: NewZoneTransferAccept,
    ) -> Result<ZoneTransferAccept> {
        self.call(ctx, CentralRequest::CreateZoneTransferAccept { accept })
            .await
    }
    async fn get_zone_transfer_accept(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferAccept> {
        self.call(ctx, CentralRequest::GetZoneTransferAccept { id })
            .await
    }
    async fn find_zone_transfer_accepts(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTransferAccept>> {
        self.call(
            ctx,
            CentralRequest::FindZoneTransferAccepts { criteria, page },
        )
        .await
    }
    // --- zone shares ---
    async fn share_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        target_project_id: String,
    ) -> Result<SharedZone> {
        self.call(
            ctx,
            CentralRequest::ShareZone {
                zone_id,
                target_project_id,
            },
        )
        .await
    }
    async fn get_shared_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        share_id: Uuid,
    ) -> Result<SharedZone> {
        self.call(ctx, CentralRequest::GetSharedZone { zone_id, share_id })
            .await
    }
    async fn find_shared_zones(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<SharedZone>> {
        self.call(ctx, CentralRequest::FindSharedZones { criteria, page })
            .await
    }
    async fn unshare_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        share_id: Uuid,
    ) -> Result<SharedZone> {
        self.call(ctx, CentralRequest::UnshareZone { zone_id, share_id })
            .await
    }
    async fn shared_zone_ids(
        &self,
        ctx: &RequestContext,
        zone_ids: Vec<Uuid>,
    ) -> Result<Vec<Uuid>> {
        self.call(ctx, CentralRequest::SharedZoneIds { zone_ids })
            .await
    }
    async fn increment_zone_serial(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Option<Zone>> {
        self.call(ctx, CentralRequest::IncrementZoneSerial { zone_id })
            .await
    }
    // --- pool writes through the API ---
    async fn create_pool(&self, ctx: &RequestContext, pool: Pool) -> Result<Pool> {
        self.call(ctx, CentralRequest::CreatePool { pool }).await
    }
    async fn update_pool(&self, ctx: &RequestContext, pool: Pool) -> Result<Pool> {
        self.call(ctx, CentralRequest::UpdatePool { pool }).await
    }
    async fn delete_pool(&self, ctx: &RequestContext, id: Uuid) -> Result<Pool> {
        self.call(ctx, CentralRequest::DeletePool { id }).await
    }
    // --- secondary zones and zone tasks ---
    async fn xfr_zone(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<()> {
        self.call(ctx, CentralRequest::XfrZone { zone_id }).await
    }
    async fn finish_zone_xfr(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        outcome: XfrOutcome,
    ) -> Result<Option<Zone>> {
        self.call(ctx, CentralRequest::FinishZoneXfr { zone_id, outcome })
            .await
    }
    async fn pool_move_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        target_pool_id: Option<Uuid>,
    ) -> Result<Zone> {
        self.call(
            ctx,
            CentralRequest::PoolMoveZone {
                zone_id,
                target_pool_id,
            },
        )
        .await
    }
    // --- floating-IP PTRs ---
    async fn list_floatingips(&self, ctx: &RequestContext) -> Result<Vec<FloatingIp>> {
        self.call(ctx, CentralRequest::ListFloatingips).await
    }
    async fn get_floatingip(
        &self,
        ctx: &RequestContext,
        region: String,
        id: Uuid,
    ) -> Result<FloatingIp> {
        self.call(ctx, CentralRequest::GetFloatingip { region, id })
            .await
    }
    async fn update_floatingip(
        &self,
        ctx: &RequestContext,
        region: String,
        id: Uuid,
        update: FloatingIpUpdate,
    ) -> Result<Option<FloatingIp>> {
        self.call(ctx, CentralRequest::UpdateFloatingip { region, id, update })
            .await
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

async fn dispatch(central: &dyn CentralApi, ctx: &RequestContext, call: CentralRequest) -> Reply {
    fn wrap<T: Serialize>(result: Result<T>) -> Reply {
        match result {
            Ok(value) => match serde_json::to_value(value) {
                Ok(value) => Reply::Result(value),
                Err(e) => Reply::Failure(DesignateError::new(
                    ErrorKind::UnknownFailure,
                    e.to_string(),
                )),
            },
            Err(error) => Reply::Failure(error),
        }
    }
    use CentralRequest as R;
    match call {
        R::CreateZone { zone } => wrap(central.create_zone(ctx, zone).await),
        R::GetZone { id } => wrap(central.get_zone(ctx, id).await),
        R::FindZones { criteria, page } => wrap(central.find_zones(ctx, criteria, page).await),
        R::UpdateZone { id, update } => wrap(central.update_zone(ctx, id, update).await),
        R::DeleteZone { id } => wrap(central.delete_zone(ctx, id).await),
        R::CreateRecordset { zone_id, recordset } => {
            wrap(central.create_recordset(ctx, zone_id, recordset).await)
        }
        R::GetRecordset { zone_id, id } => wrap(central.get_recordset(ctx, zone_id, id).await),
        R::FindRecordsets { criteria, page } => {
            wrap(central.find_recordsets(ctx, criteria, page).await)
        }
        R::UpdateRecordset {
            zone_id,
            id,
            update,
        } => wrap(central.update_recordset(ctx, zone_id, id, update).await),
        R::DeleteRecordset { zone_id, id } => {
            wrap(central.delete_recordset(ctx, zone_id, id).await)
        }
        R::GetPool { id } => wrap(central.get_pool(ctx, id).await),
        R::FindPools => wrap(central.find_pools(ctx).await),
        R::UpdateServiceStatus { status } => wrap(central.update_service_status(ctx, status).await),
        R::FindServiceStatuses { criteria, page } => {
            wrap(central.find_service_statuses(ctx, criteria, page).await)
        }
        R::Ping => wrap(central.ping(ctx).await),
        R::CreateManagedRecords { zone_id, records } => {
            wrap(central.create_managed_records(ctx, zone_id, records).await)
        }
        R::DeleteManagedRecords { zone_id, owner } => {
            wrap(central.delete_managed_records(ctx, zone_id, owner).await)
        }
        R::CreateTld { tld } => wrap(central.create_tld(ctx, tld).await),
        R::GetTld { id } => wrap(central.get_tld(ctx, id).await),
        R::FindTlds { criteria, page } => wrap(central.find_tlds(ctx, criteria, page).await),
        R::UpdateTld { id, update } => wrap(central.update_tld(ctx, id, update).await),
        R::DeleteTld { id } => wrap(central.delete_tld(ctx, id).await),
        R::CreateBlacklist { blacklist } => wrap(central.create_blacklist(ctx, blacklist).await),
        R::GetBlacklist { id } => wrap(central.get_blacklist(ctx, id).await),
        R::FindBlacklists { criteria, page } => {
            wrap(central.find_blacklists(ctx, criteria, page).await)
        }
        R::UpdateBlacklist { id, update } => wrap(central.update_blacklist(ctx, id, update).await),
        R::DeleteBlacklist { id } => wrap(central.delete_blacklist(ctx, id).await),
        R::GetQuotas { project_id } => wrap(central.get_quotas(ctx, project_id).await),
        R::SetQuota {
            project_id,
            resource,
            hard_limit,
        } => wrap(
            central
                .set_quota(ctx, project_id, resource, hard_limit)
                .await,
        ),
        R::ResetQuotas { project_id } => wrap(central.reset_quotas(ctx, project_id).await),
        R::GetAbsoluteLimits => wrap(central.get_absolute_limits(ctx).await),
        R::PurgeZones { zone_ids } => wrap(central.purge_zones(ctx, zone_ids).await),
        R::FinishDelayedNotify { zone_id } => {
            wrap(central.finish_delayed_notify(ctx, zone_id).await)
        }
        R::IncrementZoneSerial { zone_id } => {
            wrap(central.increment_zone_serial(ctx, zone_id).await)
        }
        // zone tasks: imports and exports
        R::CreateZoneExport { zone_id } => wrap(central.create_zone_export(ctx, zone_id).await),
        R::GetZoneExport { id } => wrap(central.get_zone_export(ctx, id).await),
        R::FindZoneExports { criteria, page } => {
            wrap(central.find_zone_exports(ctx, criteria, page).await)
        }
        R::DeleteZoneExport { id } => wrap(central.delete_zone_export(ctx, id).await),
        R::ExportZone { zone_id } => wrap(central.export_zone(ctx, zone_id).await),
        R::CreateZoneImport {
            zone_file,
            attributes,
        } => wrap(central.create_zone_import(ctx, zone_file, attributes).await),
        R::GetZoneImport { id } => wrap(central.get_zone_import(ctx, id).await),
        R::FindZoneImports { criteria, page } => {
            wrap(central.find_zone_imports(ctx, criteria, page).await)
        }
        R::DeleteZoneImport { id } => wrap(central.delete_zone_import(ctx, id).await),
        // small zone actions: nameservers, abandon
        R::GetZoneNsRecords { zone_id } => wrap(central.get_zone_ns_records(ctx, zone_id).await),
        R::AbandonZone { zone_id } => wrap(central.abandon_zone(ctx, zone_id).await),
        R::UpdateStatus {
            zone_id,
            outcome,
            serial,
        } => wrap(central.update_status(ctx, zone_id, outcome, serial).await),
        // --- TSIG keys ---
        R::CreateTsigkey { key } => wrap(central.create_tsigkey(ctx, key).await),
        R::GetTsigkey { id } => wrap(central.get_tsigkey(ctx, id).await),
        R::FindTsigkeys { criteria, page } => {
            wrap(central.find_tsigkeys(ctx, criteria, page).await)
        }
        R::UpdateTsigkey { id, update } => wrap(central.update_tsigkey(ctx, id, update).await),
        R::DeleteTsigkey { id } => wrap(central.delete_tsigkey(ctx, id).await),
        // --- zone transfers ---
        R::CreateZoneTransferRequest { zone_id, request } => wrap(
            central
                .create_zone_transfer_request(ctx, zone_id, request)
                .await,
        ),
        R::GetZoneTransferRequest { id } => wrap(central.get_zone_transfer_request(ctx, id).await),
        R::FindZoneTransferRequests { criteria, page } => wrap(
            central
                .find_zone_transfer_requests(ctx, criteria, page)
                .await,
        ),
        R::UpdateZoneTransferRequest { id, update } => {
            wrap(central.update_zone_transfer_request(ctx, id, update).await)
        }
        R::DeleteZoneTransferRequest { id } => {
            wrap(central.delete_zone_transfer_request(ctx, id).await)
        }
        R::CreateZoneTransferAccept { accept } => {
            wrap(central.create_zone_transfer_accept(ctx, accept).await)
        }
        R::GetZoneTransferAccept { id } => wrap(central.get_zone_transfer_accept(ctx, id).await),
        // --- zone shares ---
        R::ShareZone {
            zone_id,
            target_project_id,
        } => wrap(central.share_zone(ctx, zone_id, target_project_id).await),
        R::GetSharedZone { zone_id, share_id } => {
            wrap(central.get_shared_zone(ctx, zone_id, share_id).await)
        }
        R::FindSharedZones { criteria, page } => {
            wrap(central.find_shared_zones(ctx, criteria, page).await)
        }
        R::UnshareZone { zone_id, share_id } => {
            wrap(central.unshare_zone(ctx, zone_id, share_id).await)
        }
        R::SharedZoneIds { zone_ids } => wrap(central.shared_zone_ids(ctx, zone_ids).await),
        R::FindZoneTransferAccepts { criteria, page } => wrap(
            central
                .find_zone_transfer_accepts(ctx, criteria, page)
                .await,
        ), // pool writes through the API
        R::CreatePool { pool } => wrap(central.create_pool(ctx, pool).await),
        R::UpdatePool { pool } => wrap(central.update_pool(ctx, pool).await),
        R::DeletePool { id } => wrap(central.delete_pool(ctx, id).await),
        // secondary zones and zone tasks
        R::XfrZone { zone_id } => wrap(central.xfr_zone(ctx, zone_id).await),
        R::FinishZoneXfr { zone_id, outcome } => {
            wrap(central.finish_zone_xfr(ctx, zone_id, outcome).await)
        }
        R::PoolMoveZone {
            zone_id,
            target_pool_id,
        } => wrap(central.pool_move_zone(ctx, zone_id, target_pool_id).await),
        // floating-IP PTRs
        R::ListFloatingips => wrap(central.list_floatingips(ctx).await),
        R::GetFloatingip { region, id } => wrap(central.get_floatingip(ctx, region, id).await),
        R::UpdateFloatingip { region, id, update } => {
            wrap(central.update_floatingip(ctx, region, id, update).await)
        }
    }
}

#[cfg(test)]
mod wire_tests;
