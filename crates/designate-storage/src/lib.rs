//! Storage: the [`Storage`] trait every role reads and central writes through, and its sqlx
//! implementation over upstream Designate's tables.
//!
//! - [`Storage`] / [`StorageTx`]: the contract (transactions, find/create/update/delete per
//!   object, [`Criteria`] filters, marker pagination).
//! - [`SqlStorage`]: the sqlx implementation for SQLite, PostgreSQL and MySQL/MariaDB (queries
//!   written once; engine differences isolated in its `dialect` and `query` modules), opened
//!   from upstream's designate.conf URLs with upstream's pool options ([`PoolOptions`]), and its
//!   embedded migrations per engine (`migrations/{sqlite,postgres,mysql}/`): upstream's schema
//!   as upstream creates it on that engine, idempotent, so that an upstream-created database
//!   is adopted unchanged. PostgreSQL works although upstream 23.0.0 cannot build its own
//!   schema there (see `migrations/postgres/`).
//! - [`StorageError`]: what can go wrong, with `NotFound` / `Duplicate` / `Conflict` /
//!   `Retryable` for callers to map onto upstream's API errors or to rerun the transaction
//!   ([`StorageError::is_retryable`]).
//! - `contract` (feature `contract`, and in tests): the storage contract test suite, run
//!   against any `&dyn Storage`, and `contract::server`, fresh databases on the test
//!   PostgreSQL and MariaDB servers.
//!
//! **Invariant:** only central opens write transactions; other roles only read — except the
//! producer's own lease rows (`designate_leases`, see [`StorageTx::claim_lease`]).
//! **Invariant:** no table or session locks on the server engines (Galera-safe): lost races
//! surface as [`StorageError::Conflict`] / [`StorageError::Retryable`] and central reruns the
//! whole transaction.
#![warn(missing_docs)]

#[cfg(any(test, feature = "contract"))]
pub mod contract;
mod error;
mod sql;

pub use error::StorageError;
pub use sql::{server_url, PoolOptions, ServerUrl, SqlStorage};

use async_trait::async_trait;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    Blacklist, Pool, PoolNsRecord, Quota, Record, RecordSet, ServiceStatus, Tld, TsigKey, Zone,
    ZoneTaskRow,
};
use designate_core::objects::{SharedZone, ZoneTransferAccept, ZoneTransferRequest};
use uuid::Uuid;

/// Result of a storage operation.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A database: hands out transactions.
#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// Starts a read-write transaction. Writers are serialised where the engine needs it (SQLite).
    async fn begin(&self) -> Result<Box<dyn StorageTx>>;

    /// Starts a read-only transaction: a consistent snapshot for reads (e.g. a whole AXFR).
    async fn begin_read(&self) -> Result<Box<dyn StorageTx>>;

    /// A connection for reads without a transaction: each statement sees the store as it is
    /// when it runs (no snapshot across statements), and opening or closing it costs no round
    /// trip. For readers whose answer is one statement, or whose statements need not agree
    /// (a revision check, a policy check's zone). It must not write. The default is a
    /// [`Storage::begin_read`] transaction.
    async fn read(&self) -> Result<Box<dyn StorageTx>> {
        self.begin_read().await
    }
}

/// One transaction. Dropping it without [`StorageTx::commit`] rolls back.
#[async_trait]
pub trait StorageTx: Send {
    /// Commits the transaction.
    async fn commit(self: Box<Self>) -> Result<()>;

    // --- zones -------------------------------------------------------------------------------

    /// Inserts a zone.
    async fn create_zone(&mut self, zone: &Zone) -> Result<()>;
    /// A live (not soft-deleted) zone by id.
    async fn get_zone(&mut self, id: Uuid) -> Result<Zone>;
    /// A zone by id including soft-deleted ones.
    async fn get_zone_any(&mut self, id: Uuid) -> Result<Zone>;
    /// [`StorageTx::get_zone`] without the zone's attributes and masters (left empty), read
    /// and locked the same way: for writers that touch neither — [`StorageTx::update_zone`]
    /// leaves both alone — such as a recordset change or a status report.
    async fn get_zone_row(&mut self, id: Uuid) -> Result<Zone> {
        self.get_zone(id).await
    }
    /// Live zones matching `criteria` (columns of `zones`), one page, with the total count.
    async fn find_zones(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Zone>>;
    /// Live zones matching `criteria`, one page, without counting every match: for lookups
    /// that only want the rows (a zone by name, the sub-zones of a zone), on paths where the
    /// count is a statement per call (MiniDNS answers, every recordset create). The default
    /// counts anyway.
    async fn find_zones_uncounted(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Vec<Zone>> {
        Ok(self.find_zones(criteria, page).await?.items)
    }
    /// [`StorageTx::find_zones_uncounted`] without the zones' attributes and masters (left
    /// empty): the rows alone, for readers that need neither (MiniDNS finding the zone of a
    /// query or transfer).
    async fn find_zone_rows(&mut self, criteria: &Criteria, page: &Page) -> Result<Vec<Zone>> {
        self.find_zones_uncounted(criteria, page).await
    }
    /// Writes every column of `zone`; fails with [`StorageError::Conflict`] unless the stored
    /// version equals `zone.version`, and stores `zone.version + 1`. Returns the zone as
    /// stored (version, `updated_at` and every timestamp as the engine keeps it) without
    /// reading it back: its attributes and masters are the ones given, which this leaves alone
    /// in the store ([`StorageTx::set_zone_masters`] writes masters).
    async fn update_zone(&mut self, zone: &Zone) -> Result<Zone>;
    /// Hard-deletes a zone with its recordsets and records.
    async fn delete_zone(&mut self, id: Uuid) -> Result<()>;

    // --- recordsets and records ---------------------------------------------------------------

    /// Inserts a recordset and its records.
    async fn create_recordset(&mut self, recordset: &RecordSet) -> Result<()>;
    /// A recordset with its records.
    async fn get_recordset(&mut self, id: Uuid) -> Result<RecordSet>;
    /// Recordsets (with records) matching `criteria` (columns of `recordsets`), one page, with the
    /// total count.
    async fn find_recordsets(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<RecordSet>>;
    /// Every recordset of a zone with its records, ordered by name then type (for AXFR and rendering).
    async fn zone_recordsets(&mut self, zone_id: Uuid) -> Result<Vec<RecordSet>>;
    /// Rewrites a recordset row and replaces its records with `recordset.records` (version-checked
    /// like [`StorageTx::update_zone`]). Returns the recordset as stored, records in listing
    /// order, without reading it back (`zone_name` as given).
    async fn update_recordset(&mut self, recordset: &RecordSet) -> Result<RecordSet>;
    /// Deletes a recordset and its records.
    async fn delete_recordset(&mut self, id: Uuid) -> Result<()>;
    /// Sets status/action/serial of every record of a zone in one statement (worker feedback).
    async fn update_zone_records_status(
        &mut self,
        zone_id: Uuid,
        status: designate_core::objects::RecordStatus,
        action: designate_core::objects::Action,
        max_serial: u32,
    ) -> Result<()>;
    /// Every record of a zone (raw rows).
    async fn zone_records(&mut self, zone_id: Uuid) -> Result<Vec<Record>>;
    /// How many non-managed records a zone holds (what counts against `zone_records`).
    async fn count_unmanaged_records(&mut self, zone_id: Uuid) -> Result<u64> {
        let records = self.zone_records(zone_id).await?;
        Ok(records.iter().filter(|r| !r.managed).count() as u64)
    }

    // --- what one recordset change reads: narrow lookups, one statement each in SqlStorage ---

    /// What the placement rules of a recordset `name` in zone `zone_id` look at: the id and
    /// type of every recordset of the zone at the name (ASCII case ignored; the duplicate and
    /// CNAME checks) and the names of the zone's live child zones.
    async fn recordset_placement(&mut self, zone_id: Uuid, name: &str) -> Result<Placement> {
        let at_name = Criteria::new()
            .eq("zone_id", zone_id.to_string())
            .eq("name", name);
        let found = self.find_recordsets(&at_name, &Page::default()).await?;
        let children = Criteria::new().eq("parent_zone_id", zone_id.to_string());
        let children = self
            .find_zones_uncounted(&children, &Page::default())
            .await?;
        Ok(Placement {
            at_name: found
                .items
                .into_iter()
                .map(|rs| (rs.id, rs.rtype))
                .collect(),
            child_zones: children.into_iter().map(|z| z.name).collect(),
        })
    }

    /// How many recordsets and how many non-managed records zone `zone_id` holds (what the
    /// `zone_recordsets` and `zone_records` quotas count).
    async fn zone_content_counts(&mut self, zone_id: Uuid) -> Result<ContentCounts> {
        let criteria = Criteria::new().eq("zone_id", zone_id.to_string());
        let count_only = Page {
            limit: Some(0),
            ..Page::default()
        };
        let recordsets = self
            .find_recordsets(&criteria, &count_only)
            .await?
            .total_count;
        let records = self.count_unmanaged_records(zone_id).await?;
        Ok(ContentCounts {
            recordsets,
            records,
        })
    }

    /// What the recordset quotas of a change in zone `zone_id` of project `tenant_id` compare:
    /// the project's quota rows ([`StorageTx::find_quotas`]) and the zone's counts
    /// ([`StorageTx::zone_content_counts`]), in one statement in SqlStorage.
    async fn recordset_quota_inputs(
        &mut self,
        zone_id: Uuid,
        tenant_id: &str,
    ) -> Result<(Vec<Quota>, ContentCounts)> {
        let quotas = self.find_quotas(tenant_id).await?;
        Ok((quotas, self.zone_content_counts(zone_id).await?))
    }

    /// Every record of the SOA recordsets of zone `zone_id` (oldest recordset first), each
    /// with its recordset's TTL, and the hostname of pool `pool_id`'s first NS record (lowest
    /// priority, then oldest): what a serial bump rewrites, and the MNAME it writes.
    async fn zone_soa_records(&mut self, zone_id: Uuid, pool_id: Option<Uuid>) -> Result<ZoneSoa> {
        let criteria = Criteria::new()
            .eq("zone_id", zone_id.to_string())
            .eq("type", "SOA");
        let found = self.find_recordsets(&criteria, &Page::default()).await?;
        let records = found
            .items
            .into_iter()
            .flat_map(|rs| {
                let ttl = rs.ttl;
                rs.records
                    .into_iter()
                    .map(move |record| SoaRecord { record, ttl })
            })
            .collect();
        let pool_mname = match pool_id {
            Some(pool_id) => {
                let mut ns = self.get_pool_ns_records(pool_id).await?;
                // Stable: equal priorities stay in the stored (oldest first) order.
                ns.sort_by_key(|n| n.priority);
                ns.into_iter().next().map(|n| n.hostname)
            }
            None => None,
        };
        Ok(ZoneSoa {
            records,
            pool_mname,
        })
    }

    /// Writes `record` (a record of an SOA recordset, as [`StorageTx::zone_soa_records`] read
    /// it, with new data, hash, serial, status, action and `updated_at`) in place, with
    /// `version + 1`, and stamps its recordset `updated_at` / `version + 1` too.
    async fn rewrite_soa_record(&mut self, record: &Record) -> Result<()> {
        let mut rs = self.get_recordset(record.recordset_id).await?;
        for stored in &mut rs.records {
            if stored.id == record.id {
                *stored = record.clone();
            }
        }
        rs.updated_at = record.updated_at;
        self.update_recordset(&rs).await.map(drop)
    }

    // --- a batch of recordset creates: one statement for many zones in SqlStorage -------------
    //
    // Central's change batcher (`designate-central`'s `batch`) runs the changes of a zone that
    // arrive together in one transaction. Each method below is the many-zone form of a
    // single-zone one above, with the same meaning per element; the defaults loop over it.

    /// The live zones `ids` ([`StorageTx::get_zone_row`] each), locked in a write transaction
    /// in ascending id order (so two batches never wait on each other in a cycle), ascending
    /// by id; a zone that is not there (or deleted) is left out.
    async fn get_zone_rows(&mut self, ids: &[Uuid]) -> Result<Vec<Zone>> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut zones = Vec::with_capacity(ids.len());
        for id in ids {
            match self.get_zone_row(id).await {
                Ok(zone) => zones.push(zone),
                Err(StorageError::NotFound(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(zones)
    }

    /// [`StorageTx::recordset_placement`] of every `(zone_id, name)`, in order.
    async fn recordset_placements(&mut self, at: &[(Uuid, &str)]) -> Result<Vec<Placement>> {
        let mut out = Vec::with_capacity(at.len());
        for (zone_id, name) in at {
            out.push(self.recordset_placement(*zone_id, name).await?);
        }
        Ok(out)
    }

    /// [`StorageTx::recordset_quota_inputs`] of every `(zone_id, tenant_id)`, in order.
    async fn recordset_quota_inputs_of(
        &mut self,
        zones: &[(Uuid, &str)],
    ) -> Result<Vec<(Vec<Quota>, ContentCounts)>> {
        let mut out = Vec::with_capacity(zones.len());
        for (zone_id, tenant_id) in zones {
            out.push(self.recordset_quota_inputs(*zone_id, tenant_id).await?);
        }
        Ok(out)
    }

    /// [`StorageTx::zone_soa_records`] of every `(zone_id, pool_id)`, in order.
    async fn zone_soa_records_of(
        &mut self,
        zones: &[(Uuid, Option<Uuid>)],
    ) -> Result<Vec<ZoneSoa>> {
        let mut out = Vec::with_capacity(zones.len());
        for (zone_id, pool_id) in zones {
            out.push(self.zone_soa_records(*zone_id, *pool_id).await?);
        }
        Ok(out)
    }

    /// [`StorageTx::rewrite_soa_record`] of every record (each of another recordset).
    async fn rewrite_soa_records(&mut self, records: &[Record]) -> Result<()> {
        for record in records {
            self.rewrite_soa_record(record).await?;
        }
        Ok(())
    }

    /// Writes the serial bump of every zone, each as read in this transaction with its new
    /// `serial`, `status` and `action`: those three, `updated_at` = now and `version + 1`,
    /// conditional on the version read (the other columns are what was read, so they stay as
    /// stored). Returns the zones as stored. `conflict` when any zone's version moved,
    /// `not_found` when one is gone.
    async fn bump_zone_rows(&mut self, zones: &[Zone]) -> Result<Vec<Zone>> {
        let mut out = Vec::with_capacity(zones.len());
        for zone in zones {
            out.push(self.update_zone(zone).await?);
        }
        Ok(out)
    }

    /// [`StorageTx::append_zone_journal`] of every `(zone_id, entries)`.
    async fn append_zone_journals(&mut self, changes: &[(Uuid, Vec<JournalEntry>)]) -> Result<()> {
        for (zone_id, entries) in changes {
            self.append_zone_journal(*zone_id, entries).await?;
        }
        Ok(())
    }

    // --- pools -------------------------------------------------------------------------------

    /// Inserts a pool with all its children.
    async fn create_pool(&mut self, pool: &Pool) -> Result<()>;
    /// A pool with all its children.
    async fn get_pool(&mut self, id: Uuid) -> Result<Pool>;
    /// The `version` and `updated_at` of pool `id`'s row, which every pool write here moves
    /// on: a reader holding the pool at this revision may use it instead of reading it again.
    /// The default refuses (readers then always read the whole pool).
    async fn pool_revision(&mut self, id: Uuid) -> Result<PoolRevision> {
        let _ = id;
        Err(StorageError::Unsupported("pool_revision"))
    }
    /// The NS records of a pool alone (none for an unknown pool): what every serial bump needs
    /// of it (the SOA's MNAME), in one query instead of a whole pool's.
    async fn get_pool_ns_records(&mut self, id: Uuid) -> Result<Vec<PoolNsRecord>> {
        match self.get_pool(id).await {
            Ok(pool) => Ok(pool.ns_records),
            Err(StorageError::NotFound(_)) => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
    /// Every pool.
    async fn find_pools(&mut self) -> Result<Vec<Pool>>;
    /// Replaces a pool's row and children.
    async fn update_pool(&mut self, pool: &Pool) -> Result<()>;

    // --- tlds, blacklists, quotas -------------------------------------------------------------

    /// Inserts a TLD; [`StorageError::Duplicate`] (`"tld"`) when its name is taken.
    async fn create_tld(&mut self, tld: &Tld) -> Result<()>;
    /// A TLD by id.
    async fn get_tld(&mut self, id: Uuid) -> Result<Tld>;
    /// TLDs matching `criteria` (columns of `tlds`), one page, with the total count.
    async fn find_tlds(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Tld>>;
    /// Rewrites name and description (version-checked like [`StorageTx::update_zone`]).
    async fn update_tld(&mut self, tld: &Tld) -> Result<Tld>;
    /// Deletes a TLD.
    async fn delete_tld(&mut self, id: Uuid) -> Result<()>;

    /// Inserts a blacklist entry; [`StorageError::Duplicate`] (`"blacklist"`) when its pattern
    /// is taken.
    async fn create_blacklist(&mut self, blacklist: &Blacklist) -> Result<()>;
    /// A blacklist entry by id.
    async fn get_blacklist(&mut self, id: Uuid) -> Result<Blacklist>;
    /// Blacklist entries matching `criteria` (columns of `blacklists`), one page, with the total
    /// count.
    async fn find_blacklists(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<Blacklist>>;
    /// Rewrites pattern and description (version-checked like [`StorageTx::update_zone`]).
    async fn update_blacklist(&mut self, blacklist: &Blacklist) -> Result<Blacklist>;
    /// Deletes a blacklist entry.
    async fn delete_blacklist(&mut self, id: Uuid) -> Result<()>;

    /// Every quota row of a project.
    async fn find_quotas(&mut self, tenant_id: &str) -> Result<Vec<Quota>>;
    /// Sets (tenant_id, resource) to `quota.hard_limit`, inserting `quota` when it has no row.
    async fn set_quota(&mut self, quota: &Quota) -> Result<()>;
    /// Deletes every quota row of a project (back to the defaults); returns how many went.
    async fn delete_quotas(&mut self, tenant_id: &str) -> Result<u64>;

    // --- service statuses ---------------------------------------------------------------------

    /// Inserts or updates the heartbeat row of (service_name, hostname).
    async fn upsert_service_status(&mut self, status: &ServiceStatus) -> Result<()>;
    /// Every heartbeat row.
    async fn find_service_statuses(&mut self) -> Result<Vec<ServiceStatus>>;

    // --- producer: shards and leases (defaults refuse, for stores without them) ---------------

    /// Live zones whose `shard` lies in `shards` (both ends included) and that match `criteria`,
    /// one page, with the total count.
    async fn find_zones_in_shards(
        &mut self,
        shards: (u16, u16),
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<Zone>> {
        let _ = (shards, criteria, page);
        Err(StorageError::Unsupported("find_zones_in_shards"))
    }

    /// Up to `limit` soft-deleted zones of `shards` deleted at or before `deleted_before`,
    /// oldest deletion first (what `zone_purge` may hard-delete).
    async fn find_purgeable_zones(
        &mut self,
        shards: (u16, u16),
        deleted_before: chrono::NaiveDateTime,
        limit: u32,
    ) -> Result<Vec<Zone>> {
        let _ = (shards, deleted_before, limit);
        Err(StorageError::Unsupported("find_purgeable_zones"))
    }

    /// Takes or renews `lease` (table `designate_leases`): succeeds when no such lease exists,
    /// when it expired at `now`, or — with `renew` — when `lease.holder` holds it already.
    /// Returns whether the caller holds it now. On PostgreSQL a lost insert race aborts the
    /// transaction: claim each lease in a transaction of its own.
    async fn claim_lease(
        &mut self,
        lease: &Lease,
        now: chrono::NaiveDateTime,
        renew: bool,
    ) -> Result<bool> {
        let _ = (lease, now, renew);
        Err(StorageError::Unsupported("claim_lease"))
    }

    /// Gives up the lease `name` if `holder` holds it; returns whether it did.
    async fn release_lease(&mut self, name: &str, holder: &str) -> Result<bool> {
        let _ = (name, holder);
        Err(StorageError::Unsupported("release_lease"))
    }

    /// Every lease whose name starts with `prefix`, by name, expired ones included.
    async fn find_leases(&mut self, prefix: &str) -> Result<Vec<Lease>> {
        let _ = prefix;
        Err(StorageError::Unsupported("find_leases"))
    }

    // --- zone change journal (IXFR); defaults refuse, for stores without one ------------------

    /// Appends one change of a zone to its journal (table `designate_zone_journal`), in the
    /// caller's transaction so that the journal never disagrees with the zone's data.
    /// `entries` are one or more whole changes, each in RFC 1995 order (see [`JournalEntry`]).
    async fn append_zone_journal(&mut self, zone_id: Uuid, entries: &[JournalEntry]) -> Result<()> {
        let _ = (zone_id, entries);
        Err(StorageError::Unsupported("append_zone_journal"))
    }

    /// Every journal row of a zone, by serial then seq (serials compared as plain integers; a
    /// reader chains changes by `prev_serial`, so the order is a convenience, not the contract).
    async fn zone_journal(&mut self, zone_id: Uuid) -> Result<Vec<JournalEntry>> {
        let _ = zone_id;
        Err(StorageError::Unsupported("zone_journal"))
    }

    /// The journal rows of the changes an IXFR from serial `after` to serial `upto` can use:
    /// those whose serial lies after `after` and at or before `upto` in serial arithmetic
    /// (RFC 1982), ordered as [`StorageTx::zone_journal`]. A client a few changes behind reads
    /// those changes, not the whole journal.
    async fn zone_journal_after(
        &mut self,
        zone_id: Uuid,
        after: u32,
        upto: u32,
    ) -> Result<Vec<JournalEntry>> {
        let mut rows = self.zone_journal(zone_id).await?;
        rows.retain(|e| in_serial_range(e.serial, after, upto));
        Ok(rows)
    }

    /// Bounds a zone's journal: keeps the newest changes (highest serials) while there are at
    /// most `max_changes` of them holding at most `max_rows` rows together, deletes the rest.
    /// Returns the number of rows deleted.
    async fn prune_zone_journal(
        &mut self,
        zone_id: Uuid,
        max_changes: u32,
        max_rows: u64,
    ) -> Result<u64> {
        let _ = (zone_id, max_changes, max_rows);
        Err(StorageError::Unsupported("prune_zone_journal"))
    }

    // --- zone tasks (imports / exports); defaults refuse, for stores without them -------------

    /// Inserts many recordsets with their records at once (a zone import); the default inserts
    /// them one by one.
    async fn create_recordsets(&mut self, recordsets: &[RecordSet]) -> Result<()> {
        for recordset in recordsets {
            self.create_recordset(recordset).await?;
        }
        Ok(())
    }

    /// Inserts a zone import or export (table `zone_tasks`).
    async fn create_zone_task(&mut self, task: &ZoneTaskRow) -> Result<()> {
        let _ = task;
        Err(StorageError::Unsupported("create_zone_task"))
    }

    /// A zone task by id ([`StorageError::NotFound`] `"zone_task"`).
    async fn get_zone_task(&mut self, id: Uuid) -> Result<ZoneTaskRow> {
        let _ = id;
        Err(StorageError::Unsupported("get_zone_task"))
    }

    /// Zone tasks matching `criteria` (columns of `zone_tasks`), one page, with the total count.
    async fn find_zone_tasks(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        let _ = (criteria, page);
        Err(StorageError::Unsupported("find_zone_tasks"))
    }

    /// Rewrites a zone task (version-checked like [`StorageTx::update_zone`]); returns it stored.
    async fn update_zone_task(&mut self, task: &ZoneTaskRow) -> Result<ZoneTaskRow> {
        let _ = task;
        Err(StorageError::Unsupported("update_zone_task"))
    }

    /// Deletes a zone task.
    async fn delete_zone_task(&mut self, id: Uuid) -> Result<()> {
        let _ = id;
        Err(StorageError::Unsupported("delete_zone_task"))
    }

    // --- TSIG keys (table `tsigkeys`); defaults refuse, for stores without them -------------

    /// Inserts a TSIG key; [`StorageError::Duplicate`] (`"tsigkey"`) when its name is taken.
    async fn create_tsigkey(&mut self, key: &TsigKey) -> Result<()> {
        let _ = key;
        Err(StorageError::Unsupported("create_tsigkey"))
    }

    /// A TSIG key by id; [`StorageError::NotFound`] (`"tsigkey"`).
    async fn get_tsigkey(&mut self, id: Uuid) -> Result<TsigKey> {
        let _ = id;
        Err(StorageError::Unsupported("get_tsigkey"))
    }

    /// TSIG keys matching `criteria` (any column of `tsigkeys`: `name`, `algorithm`, `scope`,
    /// `resource_id`, …), one page, with the total count. With `Criteria::new()` and
    /// `Page { limit: None, .. }` this is **every** key — what MiniDNS loads to verify and sign
    /// TSIG (keys are looked up by `name`, the owner name of a TSIG record; `secret` is the
    /// base64 text as the API was given it).
    async fn find_tsigkeys(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<TsigKey>> {
        let _ = (criteria, page);
        Err(StorageError::Unsupported("find_tsigkeys"))
    }

    /// Rewrites name, algorithm, secret, scope and resource_id (version-checked like
    /// [`StorageTx::update_zone`]). Returns the stored key.
    async fn update_tsigkey(&mut self, key: &TsigKey) -> Result<TsigKey> {
        let _ = key;
        Err(StorageError::Unsupported("update_tsigkey"))
    }

    /// Deletes a TSIG key.
    async fn delete_tsigkey(&mut self, id: Uuid) -> Result<()> {
        let _ = id;
        Err(StorageError::Unsupported("delete_tsigkey"))
    }

    // --- zone transfers (tables `zone_transfer_requests`, `zone_transfer_accepts`) ----------

    /// Inserts a transfer request (`zone_name` is not stored).
    async fn create_zone_transfer_request(&mut self, request: &ZoneTransferRequest) -> Result<()> {
        let _ = request;
        Err(StorageError::Unsupported("create_zone_transfer_request"))
    }

    /// A transfer request by id, with its zone's name; [`StorageError::NotFound`]
    /// (`"zone_transfer_request"`).
    async fn get_zone_transfer_request(&mut self, id: Uuid) -> Result<ZoneTransferRequest> {
        let _ = id;
        Err(StorageError::Unsupported("get_zone_transfer_request"))
    }

    /// Transfer requests matching `criteria` (columns of `zone_transfer_requests`), one page,
    /// with the total count. With `visible_to`, only those whose `tenant_id` or
    /// `target_tenant_id` is that project.
    async fn find_zone_transfer_requests(
        &mut self,
        criteria: &Criteria,
        page: &Page,
        visible_to: Option<&str>,
    ) -> Result<Listing<ZoneTransferRequest>> {
        let _ = (criteria, page, visible_to);
        Err(StorageError::Unsupported("find_zone_transfer_requests"))
    }

    /// Rewrites a transfer request (version-checked like [`StorageTx::update_zone`]).
    async fn update_zone_transfer_request(
        &mut self,
        request: &ZoneTransferRequest,
    ) -> Result<ZoneTransferRequest> {
        let _ = request;
        Err(StorageError::Unsupported("update_zone_transfer_request"))
    }

    /// Deletes a transfer request (and, by cascade, its accepts).
    async fn delete_zone_transfer_request(&mut self, id: Uuid) -> Result<()> {
        let _ = id;
        Err(StorageError::Unsupported("delete_zone_transfer_request"))
    }

    /// Inserts a transfer accept (`key` is not stored).
    async fn create_zone_transfer_accept(&mut self, accept: &ZoneTransferAccept) -> Result<()> {
        let _ = accept;
        Err(StorageError::Unsupported("create_zone_transfer_accept"))
    }

    /// A transfer accept by id; [`StorageError::NotFound`] (`"zone_transfer_accept"`).
    async fn get_zone_transfer_accept(&mut self, id: Uuid) -> Result<ZoneTransferAccept> {
        let _ = id;
        Err(StorageError::Unsupported("get_zone_transfer_accept"))
    }

    /// Transfer accepts matching `criteria` (columns of `zone_transfer_accepts`), one page,
    /// with the total count.
    async fn find_zone_transfer_accepts(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<ZoneTransferAccept>> {
        let _ = (criteria, page);
        Err(StorageError::Unsupported("find_zone_transfer_accepts"))
    }

    /// Rewrites a transfer accept (version-checked like [`StorageTx::update_zone`]).
    async fn update_zone_transfer_accept(
        &mut self,
        accept: &ZoneTransferAccept,
    ) -> Result<ZoneTransferAccept> {
        let _ = accept;
        Err(StorageError::Unsupported("update_zone_transfer_accept"))
    }

    /// Sets `tenant_id` of every recordset and record of a zone (a transferred zone's data
    /// follows its new owner). Returns the number of rows changed.
    async fn reassign_zone_data(&mut self, zone_id: Uuid, tenant_id: &str) -> Result<u64> {
        let _ = (zone_id, tenant_id);
        Err(StorageError::Unsupported("reassign_zone_data"))
    }

    // --- zone shares (table `shared_zones`) ---------------------------------------------------

    /// Inserts a share; [`StorageError::Duplicate`] (`"shared_zone"`) when the zone is shared
    /// with that project already.
    async fn create_shared_zone(&mut self, share: &SharedZone) -> Result<()> {
        let _ = share;
        Err(StorageError::Unsupported("create_shared_zone"))
    }

    /// A share by id; [`StorageError::NotFound`] (`"shared_zone"`).
    async fn get_shared_zone(&mut self, id: Uuid) -> Result<SharedZone> {
        let _ = id;
        Err(StorageError::Unsupported("get_shared_zone"))
    }

    /// Shares matching `criteria` (columns of `shared_zones`), one page, with the total count;
    /// with `visible_to`, only those whose `project_id` or `target_project_id` is that project.
    async fn find_shared_zones(
        &mut self,
        criteria: &Criteria,
        page: &Page,
        visible_to: Option<&str>,
    ) -> Result<Listing<SharedZone>> {
        let _ = (criteria, page, visible_to);
        Err(StorageError::Unsupported("find_shared_zones"))
    }

    /// Deletes a share.
    async fn delete_shared_zone(&mut self, id: Uuid) -> Result<()> {
        let _ = id;
        Err(StorageError::Unsupported("delete_shared_zone"))
    }

    /// Deletes every share of a zone; returns how many went.
    async fn delete_zone_shares(&mut self, zone_id: Uuid) -> Result<u64> {
        let _ = zone_id;
        Err(StorageError::Unsupported("delete_zone_shares"))
    }

    /// Those of `zone_ids` that are shared with at least one project (the API's `shared`).
    async fn shared_zone_ids(&mut self, zone_ids: &[Uuid]) -> Result<Vec<Uuid>> {
        let _ = zone_ids;
        Err(StorageError::Unsupported("shared_zone_ids"))
    }

    /// Live zones matching `criteria` that `project` owns or that are shared with it, one
    /// page, with the total count.
    async fn find_zones_visible_to(
        &mut self,
        criteria: &Criteria,
        page: &Page,
        project: &str,
    ) -> Result<Listing<Zone>> {
        let _ = (criteria, page, project);
        Err(StorageError::Unsupported("find_zones_visible_to"))
    }

    // --- pool deletion (`manage pool update --delete`) ----------------------------------------

    /// Deletes a pool and all its child rows (targets, masters, options, attributes, NS
    /// records, nameservers, also-notifies). Does not look at zones: central refuses to delete
    /// a pool that still has some.
    async fn delete_pool(&mut self, id: Uuid) -> Result<()> {
        let _ = id;
        Err(StorageError::Unsupported("delete_pool"))
    }

    // --- zone transfers in bounded memory (MiniDNS AXFR); default refuses ----------------------

    /// Up to `limit` of a zone's served records for a transfer — not SOA, not being deleted —
    /// after `after`, in (recordset id, record id) order: call again with the last record's
    /// [`TransferRecord::cursor`] until a page comes back short. In one read transaction the
    /// pages form one consistent snapshot.
    async fn zone_transfer_page(
        &mut self,
        zone_id: Uuid,
        after: Option<TransferCursor>,
        limit: u32,
    ) -> Result<Vec<TransferRecord>> {
        let _ = (zone_id, after, limit);
        Err(StorageError::Unsupported("zone_transfer_page"))
    }

    // --- the zone's SOA for MiniDNS hot paths (SOA answers, transfers, IXFR) ------------------

    /// The SOA recordset of live zone `zone` (the row as read in this transaction) with its
    /// records, as `find_recordsets` by `zone_id` and type `SOA` returns it first; `None` when
    /// the zone has none. Implementations read it without scanning the zone's records.
    async fn zone_soa_recordset(&mut self, zone: &Zone) -> Result<Option<RecordSet>> {
        let criteria = Criteria::new()
            .eq("zone_id", zone.id.to_string())
            .eq("type", "SOA");
        let found = self.find_recordsets(&criteria, &Page::default()).await?;
        Ok(found.items.into_iter().next())
    }

    // --- secondary zones (masters, recordsets replaced by a transfer); default refuses --------

    /// Replaces the stored masters of `zone` (upstream's `zone_masters` rows) by
    /// `zone.masters`. `update_zone` leaves them alone.
    async fn set_zone_masters(&mut self, zone: &Zone) -> Result<()> {
        let _ = zone;
        Err(StorageError::Unsupported("set_zone_masters"))
    }

    /// Hard-deletes every recordset and record of a zone (a transfer from the masters replaces
    /// them all); returns how many recordsets went.
    async fn delete_zone_recordsets(&mut self, zone_id: Uuid) -> Result<u64> {
        let _ = zone_id;
        Err(StorageError::Unsupported("delete_zone_recordsets"))
    }

    // --- floating-IP PTRs ---------------------------------------------------------------------

    /// Every managed record (any zone, any project) whose `managed_resource_type` is
    /// `resource_type` (upstream's `find_records` with `managed` and `managed_resource_type`).
    /// The default refuses.
    async fn find_managed_records(&mut self, resource_type: &str) -> Result<Vec<Record>> {
        let _ = resource_type;
        Err(StorageError::Unsupported("find_managed_records"))
    }
}

/// One record of a zone transfer page: the record's data with its recordset's owner, type and
/// TTL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferRecord {
    /// The record's recordset (first half of the page key).
    pub recordset_id: Uuid,
    /// The record's id (second half of the page key).
    pub id: Uuid,
    /// Owner name (FQDN).
    pub name: String,
    /// Record type as Designate spells it.
    pub rtype: String,
    /// The recordset's TTL; `None` means the zone's.
    pub ttl: Option<i32>,
    /// Presentation-format record data.
    pub data: String,
}

impl TransferRecord {
    /// Where the next page starts when this record ends one.
    pub fn cursor(&self) -> TransferCursor {
        TransferCursor {
            recordset_id: self.recordset_id,
            id: self.id,
        }
    }
}

/// The position of a zone transfer page: the (recordset id, record id) of its last record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct TransferCursor {
    /// The recordset.
    pub recordset_id: Uuid,
    /// The record.
    pub id: Uuid,
}

/// A pool row's `version` and `updated_at` (see [`StorageTx::pool_revision`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolRevision {
    /// The row's version.
    pub version: i64,
    /// When it was last written.
    pub updated_at: Option<chrono::NaiveDateTime>,
}

/// What the placement rules of one recordset name look at; see
/// [`StorageTx::recordset_placement`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Placement {
    /// The id and type of every recordset at the name.
    pub at_name: Vec<(Uuid, String)>,
    /// The names of the zone's live child zones.
    pub child_zones: Vec<String>,
}

/// What the zone quotas count in one zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ContentCounts {
    /// Recordsets (`zone_recordsets`).
    pub recordsets: u64,
    /// Non-managed records (`zone_records`).
    pub records: u64,
}

/// Whether `serial` lies in `(after, upto]` in serial arithmetic (RFC 1982).
pub(crate) fn in_serial_range(serial: u32, after: u32, upto: u32) -> bool {
    use designate_core::serial::serial_gt;
    serial_gt(serial, after) && !serial_gt(serial, upto)
}

/// What [`StorageTx::zone_soa_records`] reads for a serial bump.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneSoa {
    /// The SOA records, oldest recordset first.
    pub records: Vec<SoaRecord>,
    /// The pool's first NS hostname; `None` without a pool, NS records or (read in one
    /// statement with them) SOA records.
    pub pool_mname: Option<String>,
}

/// One record of a zone's SOA recordset, with the recordset's TTL (`None`: the zone's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoaRecord {
    /// The record as stored.
    pub record: Record,
    /// The recordset's TTL.
    pub ttl: Option<i32>,
}

/// Whether a journal row removes or adds a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum JournalOp {
    /// The record left the zone (stored as `del`).
    Del,
    /// The record entered the zone (stored as `add`).
    Add,
}

impl JournalOp {
    /// The stored spelling: `del` / `add`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Del => "del",
            Self::Add => "add",
        }
    }
}

/// One row of a zone's change journal: one record removed or added by the change from
/// `prev_serial` to `serial`. The rows of one change, in `seq` order, are RFC 1995's difference
/// sequence: the deletions (the old SOA first), then the additions (the new SOA first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalEntry {
    /// The serial this change produced.
    pub serial: u32,
    /// The serial the zone had before the change.
    pub prev_serial: u32,
    /// Position within the change, from 0.
    pub seq: u32,
    /// Removal or addition.
    pub op: JournalOp,
    /// Owner name (FQDN, as stored in `recordsets.name`).
    pub name: String,
    /// Record type as Designate spells it (`A`, `SOA`, `SPF`, …).
    pub rtype: String,
    /// The TTL served (the recordset's, else the zone's).
    pub ttl: u32,
    /// Presentation-format record data (for the SOA, with the serial of its side).
    pub data: String,
}

/// A named claim that expires: a row of our `designate_leases` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lease {
    /// What is claimed, e.g. `producer/bucket/3`.
    pub name: String,
    /// Who holds it (a producer instance id).
    pub holder: String,
    /// When it lapses unless renewed (UTC).
    pub expires_at: chrono::NaiveDateTime,
}
