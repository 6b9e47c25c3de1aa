//! Central: the business rules of zones and recordsets, and the only writer of the store.
//!
//! [`Central`] implements [`designate_bus::CentralApi`] after upstream's
//! `designate/central/service.py`:
//! - `zones`: create (with managed SOA and NS), get/find, update, delete, ownership rules;
//! - `recordsets`: create, get/find, update, delete, placement rules;
//! - `status`: worker feedback (`update_status`);
//! - `pools`: pool reads and [`Central::ensure_pool`];
//! - `txn`: one transaction per operation, retried whole when the zone's optimistic lock is lost;
//! - `build`: the rows central writes (records, recordsets, SOA data);
//! - `errors`: storage failures mapped to upstream error types, in one place;
//! - `payload`: notification bodies.
//!
//! **Invariants:** every change to a zone's data commits in one transaction together with the
//! zone's new serial (strictly increasing) and its rewritten SOA record; the worker cast and the
//! notification happen only after that commit. Every read is scoped to the caller's project:
//! another project's zone is `zone_not_found`, never visible.
#![warn(missing_docs)]

mod build;
mod config;
mod errors;
mod payload;
mod pools;
mod recordsets;
mod status;
mod txn;
mod zones;

use std::sync::Arc;

use async_trait::async_trait;
use designate_bus::{CentralApi, Notifier, PushOutcome, WorkerApi};
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    NewRecordSet, NewZone, Pool, RecordSet, RecordSetUpdate, Zone, ZoneUpdate,
};
use designate_core::{RequestContext, Result};
use designate_storage::Storage;
use uuid::Uuid;

pub use config::CentralConfig;

/// The central service: validates requests, writes the store, casts zone tasks to the worker and
/// emits notifications.
pub struct Central {
    /// The store central alone writes.
    storage: Arc<dyn Storage>,
    /// Where committed zone changes are cast.
    worker: Arc<dyn WorkerApi>,
    /// Where `dns.*` notifications go.
    notifier: Arc<dyn Notifier>,
    /// Limits and defaults.
    config: CentralConfig,
}

impl std::fmt::Debug for Central {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Central")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Central {
    /// A central over `storage`, casting to `worker` and notifying through `notifier`.
    pub fn new(
        storage: Arc<dyn Storage>,
        worker: Arc<dyn WorkerApi>,
        notifier: Arc<dyn Notifier>,
        config: CentralConfig,
    ) -> Self {
        Self {
            storage,
            worker,
            notifier,
            config,
        }
    }

    /// The configuration central runs with.
    pub fn config(&self) -> &CentralConfig {
        &self.config
    }
}

#[async_trait]
impl CentralApi for Central {
    async fn create_zone(&self, ctx: &RequestContext, zone: NewZone) -> Result<Zone> {
        self.zone_create(ctx, zone).await
    }

    async fn get_zone(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone> {
        self.zone_get(ctx, id).await
    }

    async fn find_zones(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Zone>> {
        self.zone_find(ctx, criteria, page).await
    }

    async fn update_zone(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: ZoneUpdate,
    ) -> Result<Zone> {
        self.zone_update(ctx, id, update).await
    }

    async fn delete_zone(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone> {
        self.zone_delete(ctx, id).await
    }

    async fn create_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        rs: NewRecordSet,
    ) -> Result<RecordSet> {
        self.rs_create(ctx, zone_id, rs).await
    }

    async fn get_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Option<Uuid>,
        id: Uuid,
    ) -> Result<RecordSet> {
        self.rs_get(ctx, zone_id, id).await
    }

    async fn find_recordsets(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<RecordSet>> {
        self.rs_find(ctx, criteria, page).await
    }

    async fn update_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
        update: RecordSetUpdate,
    ) -> Result<RecordSet> {
        self.rs_update(ctx, zone_id, id, update).await
    }

    async fn delete_recordset(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
    ) -> Result<RecordSet> {
        self.rs_delete(ctx, zone_id, id).await
    }

    async fn get_pool(&self, _ctx: &RequestContext, id: Uuid) -> Result<Pool> {
        self.pool_get(id).await
    }

    async fn find_pools(&self, _ctx: &RequestContext) -> Result<Vec<Pool>> {
        self.pool_find().await
    }

    async fn update_status(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        outcome: PushOutcome,
        serial: u32,
    ) -> Result<()> {
        self.status_update(ctx, zone_id, outcome, serial).await
    }

    async fn update_service_status(
        &self,
        ctx: &RequestContext,
        status: designate_core::objects::ServiceStatus,
    ) -> Result<()> {
        // Heartbeats come from the roles' own admin context, never from API users.
        if !ctx.is_admin() {
            return Err(designate_core::DesignateError::new(
                designate_core::ErrorKind::Forbidden,
                "only services may report their status",
            ));
        }
        let mut tx = txn::begin(&*self.storage).await?;
        tx.upsert_service_status(&status)
            .await
            .map_err(errors::from_storage)?;
        txn::commit(tx).await
    }
}
