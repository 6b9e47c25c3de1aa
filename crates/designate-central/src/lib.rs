//! Central: the business rules of zones and recordsets, and the only writer of the store.
//!
//! [`Central`] implements [`designate_bus::CentralApi`] after upstream's
//! `designate/central/service.py`:
//! - `zones`: create (with managed SOA and NS), get/find, update, delete, ownership rules;
//! - `recordsets`: create, get/find, update, delete, placement rules;
//! - `status`: worker feedback (`update_status`);
//! - `managed`: sink-owned records (`create_managed_records` / `delete_managed_records`);
//! - `periodic`: what the producer's tasks drive (`purge_zones`, `finish_delayed_notify`);
//! - `tlds`: TLDs and blacklists, and the rules they impose on new zone names;
//! - `quotas`: per-project quotas and their enforcement at zone / recordset / record creation;
//! - `pools`: pool reads and [`Central::ensure_pool`];
//! - `services`: service-status reads and the health probe;
//! - `txn`: one transaction per operation, retried whole when the zone's optimistic lock is lost;
//! - `build`: the rows central writes (records, recordsets, SOA data);
//! - `errors`: storage failures mapped to upstream error types, in one place;
//! - `payload`: notification bodies;
//! - `zone_actions`: a zone's nameservers, abandon;
//! - `exports` / `imports`: zone tasks — exports (rendered on demand) and imports (a zone file
//!   written as one zone in one transaction, in the background).
//! - `tsigkeys`: TSIG key CRUD and its pool / zone resource rule;
//! - `transfers`: zone transfer requests and accepts (the zone changes project);
//! - `shares`: zone shares (other projects see the zone and add recordsets to it).
//! - `floatingips` / `neutron`: floating-IP PTRs, the floating IPs listed from Neutron with the
//!   caller's token.
//!
//! **Invariants:** every change to a zone's data commits in one transaction together with the
//! zone's new serial (strictly increasing) and its rewritten SOA record; the worker cast and the
//! notification happen only after that commit. Every read is scoped to the caller's project:
//! another project's zone is `zone_not_found`, never visible.
#![warn(missing_docs)]

mod build;
mod config;
// recordset changes of one zone batched into shared transactions
mod batch;
mod errors;
mod journal;
mod managed;
mod payload;
mod periodic;
mod pools;
mod quotas;
// --- zone placement ---
mod recordsets;
pub mod scheduler;
mod services;
mod status;
// --- cross-project and key resources ---
mod shares;
mod tlds;
mod transfers;
mod tsigkeys;
mod txn;
mod zones;
// zone tasks: imports and exports
mod exports;
mod imports;
// small zone actions: nameservers, abandon
mod zone_actions;
// pool writes through the API
mod pool_writes;
// --- secondary zones and zone tasks (xfr, pool_move) ---
mod pool_move;
mod secondary;
// floating-IP PTRs
mod floatingips;
mod neutron;
#[cfg(feature = "testing")]
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use designate_bus::{CentralApi, Notifier, PushOutcome, WorkerApi, XfrOutcome};
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    Blacklist, BlacklistUpdate, NewBlacklist, NewRecordSet, NewTld, NewZone, Pool, Quotas,
    RecordSet, RecordSetUpdate, Tld, TldUpdate, Zone, ZoneTaskRow, ZoneUpdate,
};
use designate_core::objects::{
    NewZoneTransferAccept, NewZoneTransferRequest, SharedZone, ZoneTransferAccept,
    ZoneTransferRequest, ZoneTransferRequestUpdate,
};
use designate_core::{RequestContext, Result};
use designate_storage::Storage;
use uuid::Uuid;

pub use config::CentralConfig;
pub use neutron::NeutronConfig;
pub use quotas::default_quotas;

/// The central service: validates requests, writes the store, casts zone tasks to the worker and
/// emits notifications. Cloning is cheap (shared handles), so background work such as a zone
/// import can own one.
#[derive(Clone)]
pub struct Central {
    /// The store central alone writes.
    storage: Arc<dyn Storage>,
    /// Where committed zone changes are cast.
    worker: Arc<dyn WorkerApi>,
    /// Where `dns.*` notifications go.
    notifier: Arc<dyn Notifier>,
    /// Where what every MiniDNS must hear goes (none: MiniDNS only re-reads periodically).
    broadcaster: Option<Arc<dyn designate_bus::Broadcaster>>,
    /// Limits and defaults.
    config: CentralConfig,
    /// Where floating IPs are listed (`[network_api:neutron]`).
    neutron: neutron::Neutron,
    /// Recordset changes waiting to share a transaction.
    batcher: Arc<batch::ChangeBatcher>,
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
            neutron: neutron::Neutron::new(config.neutron.clone()),
            broadcaster: None,
            batcher: Arc::default(),
            config,
        }
    }

    /// Tells every MiniDNS through `broadcaster` when pools or TSIG keys change, so access
    /// taken away is gone at once on each of them.
    pub fn with_broadcaster(mut self, broadcaster: Arc<dyn designate_bus::Broadcaster>) -> Self {
        self.broadcaster = Some(broadcaster);
        self
    }

    /// After a committed pool or TSIG key write: every MiniDNS reloads its access data.
    pub(crate) async fn mdns_access_changed(&self) {
        if let Some(broadcaster) = &self.broadcaster {
            broadcaster
                .broadcast(designate_bus::Broadcast::MdnsAccessChanged)
                .await;
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

    async fn find_service_statuses(
        &self,
        _ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<designate_core::objects::ServiceStatus>> {
        self.services_find(&criteria, &page).await
    }

    async fn ping(&self, _ctx: &RequestContext) -> Result<()> {
        self.services_ping().await
    }

    async fn create_tld(&self, ctx: &RequestContext, tld: NewTld) -> Result<Tld> {
        self.tld_create(ctx, tld).await
    }

    async fn get_tld(&self, _ctx: &RequestContext, id: Uuid) -> Result<Tld> {
        self.tld_get(id).await
    }

    async fn find_tlds(
        &self,
        _ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Tld>> {
        self.tld_find(&criteria, &page).await
    }

    async fn update_tld(&self, ctx: &RequestContext, id: Uuid, update: TldUpdate) -> Result<Tld> {
        self.tld_update(ctx, id, update).await
    }

    async fn delete_tld(&self, ctx: &RequestContext, id: Uuid) -> Result<Tld> {
        self.tld_delete(ctx, id).await
    }

    async fn create_blacklist(
        &self,
        ctx: &RequestContext,
        blacklist: NewBlacklist,
    ) -> Result<Blacklist> {
        self.blacklist_create(ctx, blacklist).await
    }

    async fn get_blacklist(&self, _ctx: &RequestContext, id: Uuid) -> Result<Blacklist> {
        self.blacklist_get(id).await
    }

    async fn find_blacklists(
        &self,
        _ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Blacklist>> {
        self.blacklist_find(&criteria, &page).await
    }

    async fn update_blacklist(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: BlacklistUpdate,
    ) -> Result<Blacklist> {
        self.blacklist_update(ctx, id, update).await
    }

    async fn delete_blacklist(&self, ctx: &RequestContext, id: Uuid) -> Result<Blacklist> {
        self.blacklist_delete(ctx, id).await
    }

    async fn get_quotas(&self, ctx: &RequestContext, project_id: String) -> Result<Quotas> {
        self.quotas_get(ctx, &project_id).await
    }

    async fn set_quota(
        &self,
        ctx: &RequestContext,
        project_id: String,
        resource: String,
        hard_limit: i64,
    ) -> Result<()> {
        self.quota_set(ctx, &project_id, &resource, hard_limit)
            .await
    }

    async fn reset_quotas(&self, _ctx: &RequestContext, project_id: String) -> Result<()> {
        self.quotas_reset(&project_id).await
    }

    async fn get_absolute_limits(
        &self,
        ctx: &RequestContext,
    ) -> Result<designate_bus::AbsoluteLimits> {
        let project = ctx.project_id.clone().unwrap_or_default();
        Ok(designate_bus::AbsoluteLimits {
            quotas: self.quotas_get(ctx, &project).await?,
            min_ttl: self.config.min_ttl,
            max_zone_name_len: self.config.max_zone_name_len,
            max_recordset_name_len: self.config.max_recordset_name_len,
        })
    }

    async fn create_managed_records(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        records: designate_bus::ManagedRecords,
    ) -> Result<RecordSet> {
        self.managed_create(ctx, zone_id, records).await
    }

    async fn delete_managed_records(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        owner: designate_bus::ManagedOwner,
    ) -> Result<u32> {
        self.managed_delete(ctx, zone_id, owner).await
    }

    async fn purge_zones(&self, ctx: &RequestContext, zone_ids: Vec<Uuid>) -> Result<u32> {
        self.purge(ctx, zone_ids).await
    }

    async fn finish_delayed_notify(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Option<Zone>> {
        self.delayed_notify_done(ctx, zone_id).await
    }

    async fn increment_zone_serial(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Option<Zone>> {
        self.serial_increment(ctx, zone_id).await
    }

    // --- zone tasks: imports and exports

    async fn create_zone_export(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<ZoneTaskRow> {
        self.export_create(ctx, zone_id).await
    }

    async fn get_zone_export(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.export_get(ctx, id).await
    }

    async fn find_zone_exports(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        self.export_find(ctx, criteria, page).await
    }

    async fn delete_zone_export(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.export_delete(ctx, id).await
    }

    async fn export_zone(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<String> {
        self.export_render(ctx, zone_id).await
    }

    async fn create_zone_import(
        &self,
        ctx: &RequestContext,
        zone_file: String,
        attributes: std::collections::BTreeMap<String, String>,
    ) -> Result<ZoneTaskRow> {
        self.import_create(ctx, zone_file, attributes).await
    }

    async fn get_zone_import(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.import_get(ctx, id).await
    }

    async fn find_zone_imports(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        self.import_find(ctx, criteria, page).await
    }

    async fn delete_zone_import(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        self.import_delete(ctx, id).await
    }

    // --- small zone actions: nameservers, abandon

    async fn get_zone_ns_records(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Vec<designate_core::objects::PoolNsRecord>> {
        self.zone_ns_records(ctx, zone_id).await
    }

    async fn abandon_zone(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<Zone> {
        self.zone_abandon(ctx, zone_id).await
    }

    // --- TSIG keys ---

    async fn create_tsigkey(
        &self,
        ctx: &RequestContext,
        key: designate_core::objects::NewTsigKey,
    ) -> Result<designate_core::objects::TsigKey> {
        self.tsigkey_create(ctx, key).await
    }

    async fn get_tsigkey(
        &self,
        _ctx: &RequestContext,
        id: Uuid,
    ) -> Result<designate_core::objects::TsigKey> {
        self.tsigkey_get(id).await
    }

    async fn find_tsigkeys(
        &self,
        _ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<designate_core::objects::TsigKey>> {
        self.tsigkey_find(&criteria, &page).await
    }

    async fn update_tsigkey(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: designate_core::objects::TsigKeyUpdate,
    ) -> Result<designate_core::objects::TsigKey> {
        self.tsigkey_update(ctx, id, update).await
    }

    async fn delete_tsigkey(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<designate_core::objects::TsigKey> {
        self.tsigkey_delete(ctx, id).await
    }

    // --- zone transfers ---

    async fn create_zone_transfer_request(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        request: NewZoneTransferRequest,
    ) -> Result<ZoneTransferRequest> {
        self.transfer_request_create(ctx, zone_id, request).await
    }

    async fn get_zone_transfer_request(
        &self,
        _ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferRequest> {
        self.transfer_request_get(id).await
    }

    async fn find_zone_transfer_requests(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTransferRequest>> {
        self.transfer_request_find(ctx, &criteria, &page).await
    }

    async fn update_zone_transfer_request(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: ZoneTransferRequestUpdate,
    ) -> Result<ZoneTransferRequest> {
        self.transfer_request_update(ctx, id, update).await
    }

    async fn delete_zone_transfer_request(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferRequest> {
        self.transfer_request_delete(ctx, id).await
    }

    async fn create_zone_transfer_accept(
        &self,
        ctx: &RequestContext,
        accept: NewZoneTransferAccept,
    ) -> Result<ZoneTransferAccept> {
        self.transfer_accept_create(ctx, accept).await
    }

    async fn get_zone_transfer_accept(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferAccept> {
        self.transfer_accept_get(ctx, id).await
    }

    async fn find_zone_transfer_accepts(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTransferAccept>> {
        self.transfer_accept_find(ctx, criteria, &page).await
    }

    // --- zone shares ---

    async fn share_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        target_project_id: String,
    ) -> Result<SharedZone> {
        self.share_create(ctx, zone_id, target_project_id).await
    }

    async fn get_shared_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        share_id: Uuid,
    ) -> Result<SharedZone> {
        self.share_get(ctx, zone_id, share_id).await
    }

    async fn find_shared_zones(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<SharedZone>> {
        self.share_find(ctx, &criteria, &page).await
    }

    async fn unshare_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        share_id: Uuid,
    ) -> Result<SharedZone> {
        self.share_delete(ctx, zone_id, share_id).await
    }

    async fn shared_zone_ids(
        &self,
        _ctx: &RequestContext,
        zone_ids: Vec<Uuid>,
    ) -> Result<Vec<Uuid>> {
        self.shares_among(&zone_ids).await
    }

    // --- pool writes through the API ---

    async fn create_pool(&self, ctx: &RequestContext, pool: Pool) -> Result<Pool> {
        self.pool_create(ctx, pool).await
    }

    async fn update_pool(&self, ctx: &RequestContext, pool: Pool) -> Result<Pool> {
        self.pool_update(ctx, pool).await
    }

    async fn delete_pool(&self, _ctx: &RequestContext, id: Uuid) -> Result<Pool> {
        Self::delete_pool(self, id).await
    }

    // --- secondary zones and zone tasks ---

    async fn xfr_zone(&self, ctx: &RequestContext, zone_id: Uuid) -> Result<()> {
        self.zone_xfr(ctx, zone_id).await
    }

    async fn finish_zone_xfr(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        outcome: XfrOutcome,
    ) -> Result<Option<Zone>> {
        self.zone_xfr_finish(ctx, zone_id, outcome).await
    }

    async fn pool_move_zone(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        target_pool_id: Option<Uuid>,
    ) -> Result<Zone> {
        self.zone_pool_move(ctx, zone_id, target_pool_id).await
    }
    // --- floating-IP PTRs ---
    async fn list_floatingips(
        &self,
        ctx: &RequestContext,
    ) -> Result<Vec<designate_core::objects::FloatingIp>> {
        self.fip_list(ctx).await
    }
    async fn get_floatingip(
        &self,
        ctx: &RequestContext,
        region: String,
        id: Uuid,
    ) -> Result<designate_core::objects::FloatingIp> {
        self.fip_get(ctx, region, id).await
    }
    async fn update_floatingip(
        &self,
        ctx: &RequestContext,
        region: String,
        id: Uuid,
        update: designate_core::objects::FloatingIpUpdate,
    ) -> Result<Option<designate_core::objects::FloatingIp>> {
        self.fip_update(ctx, region, id, update).await
    }
}
