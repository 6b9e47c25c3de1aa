//! The bus: typed RPC traits through which roles meet, and their transports.
//!
//! - [`CentralApi`]: every business operation; implemented by central, called by api/worker/producer.
//! - [`WorkerApi`]: zone pushes to pool targets; casts (fire-and-forget), implemented by the worker.
//! - [`Notifier`]: `dns.*` notifications.
//! - [`Broadcaster`]: [`Broadcast`]s every instance of a role must hear (fanout).
//! - [`inproc`]: the in-process transport used by `designate all` and tests.
//! - [`amqp`]: the RabbitMQ transport used when roles run as separate processes.
//!
//! **Invariant:** roles never call each other except through these traits, so any of them can be
//! moved behind a network transport without touching its callers.
#![warn(missing_docs)]

pub mod amqp;
pub mod inproc;

use std::collections::BTreeMap;

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

// --- Central's operations: one list, everything else generated -------------------------------
//
// Every operation of `CentralApi` used to be written out five times: the trait method, a
// `CentralRequest` variant (the RPC wire format), its `method()` name, the `CentralClient` method
// that sends it and the `serve_central` dispatch arm that runs it. `central_operations!` below is
// now the only place an operation is declared; it hands the list to a generator macro:
// `central_api_trait!` (here) writes the trait, `central_rpc!` (`amqp::rpc`) writes the other four.
// `inproc` needs nothing: in one process a call is a plain method call on `Arc<dyn CentralApi>`.
//
// The trait is generated too, rather than kept by hand beside the list, because the list reads as
// the trait did: one documented signature per operation, its default body (if any) inline. The
// doc comments travel into the trait, so rustdoc of `CentralApi` is the API's documentation as
// before, and implementors (`Central`, test doubles) still override only what they need.
//
// One entry is
//
//     /// Docs of the trait method.
//     Variant => fn method(arg: Type, …) -> Result<T>;            // required
//     Variant => fn method(arg: Type, …) -> Result<T> { default } // provided: the default body
//
// and becomes `async fn method(&self, ctx: &RequestContext, arg: Type, …) -> Result<T>`, plus
// `CentralRequest::Variant { arg, … }` (a unit variant without arguments). The wire names are
// serde's snake_case of `Variant` with the argument names as fields, and `method()` is `method`
// itself: the two must agree (a test in `amqp::rpc` checks every entry). Field attributes (only
// `#[serde(default)]` makes sense) apply to the request's field, not the trait. A default body
// cannot see `ctx` (macro hygiene) and, so far, needs none of its arguments.
//
// Adding an operation: one entry here (with a default body that refuses when other implementors
// need not care) and its implementation in `designate_central::Central`; the wire tests of
// `amqp::rpc` then ask for a sample request of it (docs/ARCHITECTURE.md, "How to add a central
// operation"). Renaming a variant or an argument changes the wire format between processes of
// different builds.
macro_rules! central_operations {
    ($generate:ident) => { $generate! {
        /// Creates a zone (status PENDING, action CREATE) with its managed SOA and NS recordsets.
        CreateZone => fn create_zone(zone: NewZone) -> Result<Zone>;
        /// A zone visible to the caller.
        GetZone => fn get_zone(id: Uuid) -> Result<Zone>;
        /// Zones visible to the caller.
        FindZones => fn find_zones(criteria: Criteria, page: Page) -> Result<Listing<Zone>>;
        /// Updates email / ttl / description; bumps the serial.
        UpdateZone => fn update_zone(id: Uuid, update: ZoneUpdate) -> Result<Zone>;
        /// Marks a zone for deletion (action DELETE, status PENDING); the worker removes it
        /// from targets.
        DeleteZone => fn delete_zone(id: Uuid) -> Result<Zone>;

        /// Creates a recordset in a zone.
        CreateRecordset => fn create_recordset(zone_id: Uuid, recordset: NewRecordSet)
            -> Result<RecordSet>;
        /// A recordset; `zone_id` must match when given.
        GetRecordset => fn get_recordset(zone_id: Option<Uuid>, id: Uuid) -> Result<RecordSet>;
        /// Recordsets visible to the caller.
        FindRecordsets => fn find_recordsets(criteria: Criteria, page: Page)
            -> Result<Listing<RecordSet>>;
        /// Updates ttl / description / records.
        UpdateRecordset => fn update_recordset(zone_id: Uuid, id: Uuid, update: RecordSetUpdate)
            -> Result<RecordSet>;
        /// Deletes a recordset.
        DeleteRecordset => fn delete_recordset(zone_id: Uuid, id: Uuid) -> Result<RecordSet>;

        /// A pool.
        GetPool => fn get_pool(id: Uuid) -> Result<Pool>;
        /// Every pool.
        FindPools => fn find_pools() -> Result<Vec<Pool>>;

        /// Worker feedback: the zone's targets reached (or failed to reach) `serial`.
        UpdateStatus => fn update_status(zone_id: Uuid, outcome: PushOutcome, serial: u32)
            -> Result<()>;

        /// A role instance's heartbeat, recorded in `service_statuses` (upstream's
        /// `update_service_status`; admin only). The default refuses, for implementations that
        /// keep no service statuses.
        UpdateServiceStatus => fn update_service_status(status: ServiceStatus) -> Result<()> {
            Err(refused("service statuses are not kept by this central"))
        }
        /// Heartbeat rows matching `criteria` (columns `id`, `service_name`, `hostname`,
        /// `status`), one page (upstream's `find_service_statuses`; the API enforces the admin
        /// policy). The default refuses, like [`CentralApi::update_service_status`].
        FindServiceStatuses => fn find_service_statuses(criteria: Criteria, page: Page)
            -> Result<Listing<ServiceStatus>> {
            Err(refused("service statuses are not kept by this central"))
        }

        // --- TLDs, blacklists, quotas (upstream's admin resources). The API enforces the
        // --- policy; the defaults refuse, for implementations that keep none of them.

        /// Creates a TLD (`duplicate_tld` when its name is taken).
        CreateTld => fn create_tld(tld: NewTld) -> Result<Tld> { Err(unsupported("tlds")) }
        /// A TLD (`tld_not_found`).
        GetTld => fn get_tld(id: Uuid) -> Result<Tld> { Err(unsupported("tlds")) }
        /// TLDs matching `criteria` (column `name`), one page.
        FindTlds => fn find_tlds(criteria: Criteria, page: Page) -> Result<Listing<Tld>> {
            Err(unsupported("tlds"))
        }
        /// Changes a TLD's name / description.
        UpdateTld => fn update_tld(id: Uuid, update: TldUpdate) -> Result<Tld> {
            Err(unsupported("tlds"))
        }
        /// Deletes a TLD; returns it as it was.
        DeleteTld => fn delete_tld(id: Uuid) -> Result<Tld> { Err(unsupported("tlds")) }

        /// Creates a blacklist entry (`duplicate_blacklist` when its pattern is taken).
        CreateBlacklist => fn create_blacklist(blacklist: NewBlacklist) -> Result<Blacklist> {
            Err(unsupported("blacklists"))
        }
        /// A blacklist entry (`blacklist_not_found`).
        GetBlacklist => fn get_blacklist(id: Uuid) -> Result<Blacklist> {
            Err(unsupported("blacklists"))
        }
        /// Blacklist entries matching `criteria` (column `pattern`), one page.
        FindBlacklists => fn find_blacklists(criteria: Criteria, page: Page)
            -> Result<Listing<Blacklist>> {
            Err(unsupported("blacklists"))
        }
        /// Changes a blacklist entry's pattern / description.
        UpdateBlacklist => fn update_blacklist(id: Uuid, update: BlacklistUpdate)
            -> Result<Blacklist> {
            Err(unsupported("blacklists"))
        }
        /// Deletes a blacklist entry; returns it as it was.
        DeleteBlacklist => fn delete_blacklist(id: Uuid) -> Result<Blacklist> {
            Err(unsupported("blacklists"))
        }

        /// Every quota of `project_id`: the configured defaults overlaid with the project's own.
        GetQuotas => fn get_quotas(project_id: String) -> Result<Quotas> {
            Err(unsupported("quotas"))
        }
        /// Sets one quota of `project_id` (`resource` one of upstream's quota resources).
        SetQuota => fn set_quota(project_id: String, resource: String, hard_limit: i64)
            -> Result<()> {
            Err(unsupported("quotas"))
        }
        /// Resets every quota of `project_id` to the defaults.
        ResetQuotas => fn reset_quotas(project_id: String) -> Result<()> {
            Err(unsupported("quotas"))
        }
        /// Upstream's `get_absolute_limits`: the caller's project quotas plus central's field
        /// limits, as `/v2/limits` renders them.
        GetAbsoluteLimits => fn get_absolute_limits() -> Result<AbsoluteLimits> {
            Err(unsupported("limits"))
        }

        /// Health probe for `/healthcheck`: succeeds when central is reachable and can read its
        /// store. Through a network transport a failure of the bus itself comes back as
        /// `communication_failure`. The default (no store behind it) always succeeds.
        Ping => fn ping() -> Result<()> { Ok(()) }

        /// Adds managed records (sink handlers; upstream's `create_managed_records`) to the
        /// recordset `name`/`rtype` of the zone, creating it when absent. Idempotent: data the
        /// same owner already has there is not added twice. The default refuses.
        CreateManagedRecords => fn create_managed_records(zone_id: Uuid, records: ManagedRecords)
            -> Result<RecordSet> {
            Err(unsupported("managed records"))
        }
        /// Deletes every managed record of the zone owned by `owner` (upstream's
        /// `delete_managed_records`); a recordset left empty is deleted. Returns how many
        /// records went (0 is not an error). The default refuses.
        DeleteManagedRecords => fn delete_managed_records(zone_id: Uuid, owner: ManagedOwner)
            -> Result<u32> {
            Err(unsupported("managed records"))
        }

        /// Hard-deletes those of `zone_ids` that are soft-deleted (upstream's `purge_zones`,
        /// driven by the producer's `zone_purge` task, which picks the ids); live or unknown
        /// ids are skipped. Returns how many zones went. Admin only. The default refuses.
        PurgeZones => fn purge_zones(zone_ids: Vec<Uuid>) -> Result<u32> {
            Err(refused("zone purging is not supported by this central"))
        }

        /// The producer's `delayed_notify` step for one zone: clears the zone's
        /// `delayed_notify` flag and, when the zone is idle (action NONE), marks it UPDATE /
        /// PENDING. Returns the stored zone for the caller to cast one update for all the
        /// changes batched under the flag, or `None` when there is nothing to do (flag not
        /// set, zone gone, or being deleted — upstream skips those). Admin only. The default
        /// refuses.
        FinishDelayedNotify => fn finish_delayed_notify(zone_id: Uuid) -> Result<Option<Zone>> {
            Err(refused("delayed notify is not supported by this central"))
        }

        // --- zone tasks: imports and exports (upstream's `*_zone_import` / `*_zone_export`).
        // --- The API enforces the policy; the defaults refuse.

        /// Starts an export of a visible zone: a PENDING EXPORT task, completed asynchronously
        /// (`location` set, COMPLETE) or failed (ERROR, e.g. over `api_export_size`).
        CreateZoneExport => fn create_zone_export(zone_id: Uuid) -> Result<ZoneTaskRow> {
            Err(unsupported("zone exports"))
        }
        /// An export task of the caller's project (`zone_export_not_found`).
        GetZoneExport => fn get_zone_export(id: Uuid) -> Result<ZoneTaskRow> {
            Err(unsupported("zone exports"))
        }
        /// Export tasks of the caller's project (columns `status`, `message`, `zone_id`), one
        /// page.
        FindZoneExports => fn find_zone_exports(criteria: Criteria, page: Page)
            -> Result<Listing<ZoneTaskRow>> {
            Err(unsupported("zone exports"))
        }
        /// Deletes an export task (not the zone); returns it as it was.
        DeleteZoneExport => fn delete_zone_export(id: Uuid) -> Result<ZoneTaskRow> {
            Err(unsupported("zone exports"))
        }
        /// A visible zone as an RFC 1035 zone file (upstream's `export_zone`).
        ExportZone => fn export_zone(zone_id: Uuid) -> Result<String> {
            Err(unsupported("zone exports"))
        }
        /// Starts an import of `zone_file` into the caller's project: a PENDING IMPORT task,
        /// run asynchronously to COMPLETE (with `zone_id`) or ERROR (with upstream's message).
        /// The new zone is scheduled with `attributes` as a zone create is (none: the default
        /// pool with the default filters); hints no pool satisfies are refused at once, as
        /// upstream.
        CreateZoneImport => fn create_zone_import(
            zone_file: String,
            // Requests of builds before the scheduling hints carry none.
            #[serde(default)] attributes: BTreeMap<String, String>,
        ) -> Result<ZoneTaskRow> {
            Err(unsupported("zone imports"))
        }
        /// An import task of the caller's project (`zone_import_not_found`).
        GetZoneImport => fn get_zone_import(id: Uuid) -> Result<ZoneTaskRow> {
            Err(unsupported("zone imports"))
        }
        /// Import tasks of the caller's project (columns `status`, `message`, `zone_id`), one
        /// page.
        FindZoneImports => fn find_zone_imports(criteria: Criteria, page: Page)
            -> Result<Listing<ZoneTaskRow>> {
            Err(unsupported("zone imports"))
        }
        /// Deletes an import task (not the zone); returns it as it was.
        DeleteZoneImport => fn delete_zone_import(id: Uuid) -> Result<ZoneTaskRow> {
            Err(unsupported("zone imports"))
        }

        // --- small zone actions (upstream's `get_zone_ns_records`, abandon). The defaults
        // --- refuse.

        /// The NS records (hostname, priority) of a visible zone's pool.
        GetZoneNsRecords => fn get_zone_ns_records(zone_id: Uuid) -> Result<Vec<PoolNsRecord>> {
            Err(unsupported("zone nameservers"))
        }
        /// Removes a visible zone from Designate at once without touching its nameservers
        /// (upstream's abandon: a soft delete, no worker cast); returns the deleted zone.
        AbandonZone => fn abandon_zone(zone_id: Uuid) -> Result<Zone> {
            Err(unsupported("zone abandons"))
        }

        // --- TSIG keys (admin; the API enforces the policy). Defaults refuse. ---

        /// Creates a TSIG key (`duplicate_tsigkey` for a taken name, `invalid_tsigkey` when
        /// `resource_id` is no pool / zone of its scope).
        CreateTsigkey => fn create_tsigkey(key: NewTsigKey) -> Result<TsigKey> {
            Err(unsupported("tsigkeys"))
        }
        /// A TSIG key (`tsigkey_not_found`).
        GetTsigkey => fn get_tsigkey(id: Uuid) -> Result<TsigKey> {
            Err(unsupported("tsigkeys"))
        }
        /// TSIG keys matching `criteria` (columns `name`, `algorithm`, `scope`), one page.
        FindTsigkeys => fn find_tsigkeys(criteria: Criteria, page: Page)
            -> Result<Listing<TsigKey>> {
            Err(unsupported("tsigkeys"))
        }
        /// Changes a TSIG key's fields.
        UpdateTsigkey => fn update_tsigkey(id: Uuid, update: TsigKeyUpdate) -> Result<TsigKey> {
            Err(unsupported("tsigkeys"))
        }
        /// Deletes a TSIG key; returns it as it was.
        DeleteTsigkey => fn delete_tsigkey(id: Uuid) -> Result<TsigKey> {
            Err(unsupported("tsigkeys"))
        }

        // --- zone transfers. Defaults refuse. ---

        /// Offers a zone (visible to the caller) for transfer under a generated key
        /// (`duplicate_zone_transfer_request` while another request of the zone is open).
        CreateZoneTransferRequest => fn create_zone_transfer_request(
            zone_id: Uuid,
            request: NewZoneTransferRequest,
        ) -> Result<ZoneTransferRequest> {
            Err(unsupported("zone transfers"))
        }
        /// A transfer request whoever offered it (`zone_transfer_request_not_found`); the API
        /// applies upstream's policy with its `target_project_id`.
        GetZoneTransferRequest => fn get_zone_transfer_request(id: Uuid)
            -> Result<ZoneTransferRequest> {
            Err(unsupported("zone transfers"))
        }
        /// Transfer requests the caller offered or is the target of (column `status`), one
        /// page.
        FindZoneTransferRequests => fn find_zone_transfer_requests(criteria: Criteria, page: Page)
            -> Result<Listing<ZoneTransferRequest>> {
            Err(unsupported("zone transfers"))
        }
        /// Changes a transfer request's description.
        UpdateZoneTransferRequest => fn update_zone_transfer_request(
            id: Uuid,
            update: ZoneTransferRequestUpdate,
        ) -> Result<ZoneTransferRequest> {
            Err(unsupported("zone transfers"))
        }
        /// Withdraws a transfer request; returns it as it was.
        DeleteZoneTransferRequest => fn delete_zone_transfer_request(id: Uuid)
            -> Result<ZoneTransferRequest> {
            Err(unsupported("zone transfers"))
        }
        /// Accepts a transfer for the caller's project: the zone and its data change owner
        /// (`invalid_key`, `invalid_zone_transfer_request`, `over_quota`, …).
        CreateZoneTransferAccept => fn create_zone_transfer_accept(accept: NewZoneTransferAccept)
            -> Result<ZoneTransferAccept> {
            Err(unsupported("zone transfers"))
        }
        /// A transfer accept of the caller's project (`zone_transfer_accept_not_found`).
        GetZoneTransferAccept => fn get_zone_transfer_accept(id: Uuid)
            -> Result<ZoneTransferAccept> {
            Err(unsupported("zone transfers"))
        }
        /// Transfer accepts of the caller's project (column `status`), one page.
        FindZoneTransferAccepts => fn find_zone_transfer_accepts(criteria: Criteria, page: Page)
            -> Result<Listing<ZoneTransferAccept>> {
            Err(unsupported("zone transfers"))
        }

        // --- zone shares. Defaults refuse, except `shared_zone_ids` (no shares kept). ---

        /// Shares a zone (visible to the caller) with `target_project_id`
        /// (`duplicate_shared_zone`; `bad_request` for the zone's owner).
        ShareZone => fn share_zone(zone_id: Uuid, target_project_id: String)
            -> Result<SharedZone> {
            Err(unsupported("zone shares"))
        }
        /// A share of the zone the caller made or received (`shared_zone_not_found`).
        GetSharedZone => fn get_shared_zone(zone_id: Uuid, share_id: Uuid) -> Result<SharedZone> {
            Err(unsupported("zone shares"))
        }
        /// Shares the caller made or received (columns `zone_id`, `target_project_id`), one
        /// page.
        FindSharedZones => fn find_shared_zones(criteria: Criteria, page: Page)
            -> Result<Listing<SharedZone>> {
            Err(unsupported("zone shares"))
        }
        /// Withdraws a share (`shared_zone_has_recordsets` / `shared_zone_has_sub_zone` while
        /// the target still owns data in the zone); returns it as it was.
        UnshareZone => fn unshare_zone(zone_id: Uuid, share_id: Uuid) -> Result<SharedZone> {
            Err(unsupported("zone shares"))
        }
        /// Those of `zone_ids` shared with at least one project (the `shared` field of zones).
        SharedZoneIds => fn shared_zone_ids(zone_ids: Vec<Uuid>) -> Result<Vec<Uuid>> {
            Ok(Vec::new())
        }

        // --- producer `increment_serial` (pools helper) ---

        /// The producer's `increment_serial` step for one zone (upstream's
        /// `increment_zone_serial`): when the zone's `increment_serial` flag is set and it is
        /// not being deleted, bumps its serial (SOA rewritten), clears the flag and marks an
        /// idle zone UPDATE / PENDING, in one transaction. Returns the stored zone (the caller
        /// casts an update unless the zone also waits for a delayed notify), or `None` when
        /// there is nothing to do. Admin only. The default refuses.
        IncrementZoneSerial => fn increment_zone_serial(zone_id: Uuid) -> Result<Option<Zone>> {
            Err(unsupported("serial increments"))
        }

        // --- pool writes through the API (poolsapi helper) ---

        /// Creates `pool` (upstream's `create_pool`; a pool without a project gets the
        /// caller's). The API enforces the admin policy. The default refuses.
        CreatePool => fn create_pool(pool: Pool) -> Result<Pool> {
            Err(unsupported("pool writes"))
        }
        /// Replaces the stored pool `pool.id` with `pool` (upstream's `update_pool`: zones of
        /// the pool follow NS hostname changes). The API enforces the admin policy. The
        /// default refuses.
        UpdatePool => fn update_pool(pool: Pool) -> Result<Pool> {
            Err(unsupported("pool writes"))
        }
        /// Deletes pool `id` unless it still holds zones (upstream's `delete_pool`); returns
        /// the deleted pool. The API enforces the admin policy. The default refuses.
        DeletePool => fn delete_pool(id: Uuid) -> Result<Pool> {
            Err(unsupported("pool writes"))
        }

        // --- secondary zones and zone tasks (secondary helper) ---

        /// `POST /v2/zones/{id}/tasks/xfr` (upstream's `xfr_zone`): asks the worker to
        /// transfer a SECONDARY zone from its masters; `bad_request` for any other type. The
        /// default refuses.
        XfrZone => fn xfr_zone(zone_id: Uuid) -> Result<()> {
            Err(unsupported("secondary zones"))
        }
        /// The worker's report of a transfer from the masters: the zone's recordsets replaced
        /// by the transferred ones in one transaction (serial = the master's),
        /// `transferred_at` set and the zone pushed to its targets; or the failure. Returns
        /// the stored zone, `None` when the report no longer applies (zone gone, not
        /// SECONDARY, an older serial). Admin only. The default refuses.
        FinishZoneXfr => fn finish_zone_xfr(zone_id: Uuid, outcome: XfrOutcome)
            -> Result<Option<Zone>> {
            Err(unsupported("secondary zones"))
        }
        /// `POST /v2/zones/{id}/tasks/pool_move` (upstream's `pool_move_zone`): moves the zone
        /// to `target_pool_id`, or to the pool the scheduler picks when `None`. The default
        /// refuses.
        PoolMoveZone => fn pool_move_zone(zone_id: Uuid, target_pool_id: Option<Uuid>)
            -> Result<Zone> {
            Err(unsupported("pool moves"))
        }

        // --- floating-IP PTRs ---

        /// The caller's floating IPs (from Neutron, with the context's token) with their PTRs
        /// (upstream's `list_floatingips`). The default refuses.
        ListFloatingips => fn list_floatingips() -> Result<Vec<FloatingIp>> {
            Err(unsupported("floating ip PTRs"))
        }
        /// The caller's floating IP `region`:`id` with its PTR (upstream's `get_floatingip`;
        /// `not_found` when Neutron does not list it for the caller). The default refuses.
        GetFloatingip => fn get_floatingip(region: String, id: Uuid) -> Result<FloatingIp> {
            Err(unsupported("floating ip PTRs"))
        }
        /// Sets (`ptrdname` a name) or unsets (`ptrdname` null) the PTR of floating IP
        /// `region`:`id` (upstream's `update_floatingip`); returns the floating IP after a
        /// set, `None` otherwise. The default refuses.
        UpdateFloatingip => fn update_floatingip(region: String, id: Uuid, update: FloatingIpUpdate)
            -> Result<Option<FloatingIp>> {
            Err(unsupported("floating ip PTRs"))
        }
    } };
}
pub(crate) use central_operations;

/// Writes [`CentralApi`] from the list of [`central_operations!`].
macro_rules! central_api_trait {
    ($(
        $(#[$doc:meta])*
        $variant:ident => fn $method:ident($(
            $(#[$first_attr:meta])* $first:ident: $first_ty:ty
            $(, $(#[$attr:meta])* $arg:ident: $ty:ty)* $(,)?
        )?) -> Result<$ret:ty> $default:tt
    )*) => {
        /// Central's operations. Every storage write in the system happens behind this trait.
        #[async_trait]
        pub trait CentralApi: Send + Sync + 'static {
            $(
                $(#[$doc])*
                // A default body refuses without looking at its arguments.
                #[allow(unused_variables)]
                async fn $method(
                    &self,
                    ctx: &RequestContext
                    $(, $first: $first_ty $(, $arg: $ty)*)?
                ) -> Result<$ret> $default
            )*
        }
    };
}

central_operations!(central_api_trait);

/// What a transfer of a SECONDARY zone from its masters brought.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum XfrOutcome {
    /// The zone as the master served it, as zone-file text (one record a line, absolute
    /// names); central checks it as an import is checked.
    Transferred {
        /// Which master answered (`host:port`).
        master: String,
        /// The records.
        zonefile: String,
    },
    /// No master gave the zone; why.
    Failed(String),
}

/// The refusal of a [`CentralApi`] default method.
fn refused(message: impl Into<String>) -> DesignateError {
    DesignateError::new(ErrorKind::UnknownFailure, message)
}

/// The refusal of a [`CentralApi`] default method for a family of resources.
fn unsupported(what: &str) -> DesignateError {
    refused(format!("{what} are not supported by this central"))
}

/// What `/v2/limits` shows: the caller's quotas and central's field limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsoluteLimits {
    /// The caller's project quotas (`zones`, `zone_recordsets`, …).
    pub quotas: Quotas,
    /// `[service:central] min_ttl` (`None` when unset).
    pub min_ttl: Option<i32>,
    /// `[service:central] max_zone_name_len`.
    pub max_zone_name_len: usize,
    /// `[service:central] max_recordset_name_len`.
    pub max_recordset_name_len: usize,
}

/// Who created a managed record: upstream's `managed_plugin_name` / `managed_plugin_type` /
/// `managed_resource_type` / `managed_resource_id` columns, which a later delete matches on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedOwner {
    /// The handler, e.g. `nova_fixed`.
    pub plugin_name: String,
    /// The plugin family, `handler` for sink handlers.
    pub plugin_type: String,
    /// The resource kind, e.g. `instance` or `floatingip`.
    pub resource_type: String,
    /// The resource's id (instance or floating IP UUID).
    pub resource_id: Uuid,
}

/// Managed records to add to one recordset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedRecords {
    /// Owner FQDN of the recordset.
    pub name: String,
    /// Record type (`A`, `AAAA`).
    pub rtype: String,
    /// Record data, presentation format.
    pub data: Vec<String>,
    /// Who owns the records.
    pub owner: ManagedOwner,
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
    /// Transfer a SECONDARY zone from its masters (upstream's `perform_zone_xfr`); the worker
    /// reports through `CentralApi::finish_zone_xfr`, which casts the push to the targets.
    Transfer,
    /// The zone changed pool: remove it from every target of `from_pool`, then push it to its
    /// (new) pool's targets as a create.
    Move {
        /// The pool the zone left.
        from_pool: Uuid,
    },
}

/// The worker's operations: casts — they return once the request is queued, not when done.
#[async_trait]
pub trait WorkerApi: Send + Sync + 'static {
    /// Queue `task` for `zone` (the zone as central just committed it).
    async fn cast_zone_task(&self, ctx: &RequestContext, task: ZoneTask, zone: Zone);
}

/// What every running instance of a role must hear, not only one of them (oslo.messaging's
/// fanout casts; a work queue hands each message to one consumer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Broadcast {
    /// Pools (their servers) or TSIG keys changed: every MiniDNS reloads its access list and
    /// keyring now, so a removed server or a deleted key loses access at once rather than at
    /// the next `acl_refresh` (a new one is picked up on its first use anyway).
    MdnsAccessChanged,
}

/// Sends [`Broadcast`]s to every listening instance.
#[async_trait]
pub trait Broadcaster: Send + Sync + 'static {
    /// Sends `event`; best effort (failures are logged: listeners also re-read periodically).
    async fn broadcast(&self, event: Broadcast);
}

/// Emits `dns.*` notifications (e.g. `dns.zone.create`) with a JSON payload.
#[async_trait]
pub trait Notifier: Send + Sync + 'static {
    /// Emits one notification; failures are logged, never returned (notifications are best effort).
    async fn notify(&self, ctx: &RequestContext, event_type: &str, payload: serde_json::Value);
}
