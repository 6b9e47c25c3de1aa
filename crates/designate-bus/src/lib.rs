//! The bus: typed RPC traits through which roles meet, and their transports.
//!
//! - [`CentralApi`]: every business operation; implemented by central, called by api/worker/producer.
//! - [`WorkerApi`]: zone pushes to pool targets; casts (fire-and-forget), implemented by the worker.
//! - [`Notifier`]: `dns.*` notifications.
//! - [`inproc`]: the in-process transport used by `designate all` and tests.
//! - [`amqp`]: the RabbitMQ transport used when roles run as separate processes.
//!
//! **Invariant:** roles never call each other except through these traits, so any of them can be
//! moved behind a network transport without touching its callers.
#![warn(missing_docs)]

pub mod amqp;
pub mod inproc;

use async_trait::async_trait;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    NewRecordSet, NewZone, Pool, RecordSet, RecordSetUpdate, ServiceStatus, Zone, ZoneUpdate,
};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The outcome a worker reports for a zone (upstream's `update_status` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PushOutcome {
    /// Enough nameservers serve the serial.
    Success,
    /// Targets could not be brought up to date.
    Error,
    /// A target no longer has the zone (delete done, or zone lost).
    NoZone,
}

/// Central's operations. Every storage write in the system happens behind this trait.
#[async_trait]
pub trait CentralApi: Send + Sync + 'static {
    /// Creates a zone (status PENDING, action CREATE) with its managed SOA and NS recordsets.
    async fn create_zone(&self, ctx: &RequestContext, zone: NewZone) -> Result<Zone>;
    /// A zone visible to the caller.
    async fn get_zone(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone>;
    /// Zones visible to the caller.
    async fn find_zones(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Zone>>;
    /// Updates email / ttl / description; bumps the serial.
    async fn update_zone(&self, ctx: &RequestContext, id: Uuid, update: ZoneUpdate)
        -> Result<Zone>;
    /// Marks a zone for deletion (action DELETE, status PENDING); the worker removes it from targets.
    async fn delete_zone(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone>;

    /// Creates a recordset in a zone.
    async fn create_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        rs: NewRecordSet,
    ) -> Result<RecordSet>;
    /// A recordset; `zone_id` must match when given.
    async fn get_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Option<Uuid>,
        id: Uuid,
    ) -> Result<RecordSet>;
    /// Recordsets visible to the caller.
    async fn find_recordsets(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<RecordSet>>;
    /// Updates ttl / description / records.
    async fn update_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
        update: RecordSetUpdate,
    ) -> Result<RecordSet>;
    /// Deletes a recordset.
    async fn delete_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
    ) -> Result<RecordSet>;

    /// A pool.
    async fn get_pool(&self, ctx: &RequestContext, id: Uuid) -> Result<Pool>;
    /// Every pool.
    async fn find_pools(&self, ctx: &RequestContext) -> Result<Vec<Pool>>;

    /// Worker feedback: the zone's targets reached (or failed to reach) `serial`.
    async fn update_status(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        outcome: PushOutcome,
        serial: u32,
    ) -> Result<()>;

    /// A role instance's heartbeat, recorded in `service_statuses` (upstream's
    /// `update_service_status`; admin only). The default refuses, for implementations that
    /// keep no service statuses.
    async fn update_service_status(
        &self,
        ctx: &RequestContext,
        status: ServiceStatus,
    ) -> Result<()> {
        let _ = (ctx, status);
        Err(DesignateError::new(
            ErrorKind::UnknownFailure,
            "service statuses are not kept by this central",
        ))
    }
}

/// What a worker is asked to do with a zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ZoneTask {
    /// Provision the zone on every target.
    Create,
    /// Push a new serial (NOTIFY, poll).
    Update,
    /// Remove the zone from every target.
    Delete,
}

/// The worker's operations: casts — they return once the request is queued, not when done.
#[async_trait]
pub trait WorkerApi: Send + Sync + 'static {
    /// Queue `task` for `zone` (the zone as central just committed it).
    async fn cast_zone_task(&self, ctx: &RequestContext, task: ZoneTask, zone: Zone);
}

/// Emits `dns.*` notifications (e.g. `dns.zone.create`) with a JSON payload.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    /// Emits one notification; failures are logged, never returned (notifications are best effort).
    async fn notify(&self, ctx: &RequestContext, event_type: &str, payload: serde_json::Value);
}
