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
//! **Invariant:** only central opens write transactions; other roles only read.
//! **Invariant:** no table or session locks on the server engines (Galera-safe): lost races
//! surface as [`StorageError::Conflict`] / [`StorageError::Retryable`] and central reruns the
//! whole transaction.
#![warn(missing_docs)]

#[cfg(any(test, feature = "contract"))]
pub mod contract;
mod error;
mod sql;

pub use error::StorageError;
pub use sql::{PoolOptions, SqlStorage};

use async_trait::async_trait;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{Pool, Record, RecordSet, ServiceStatus, Zone};
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
    /// Live zones matching `criteria` (columns of `zones`), one page, with the total count.
    async fn find_zones(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Zone>>;
    /// Writes every column of `zone`; fails with [`StorageError::Conflict`] unless the stored
    /// version equals `zone.version`, and stores `zone.version + 1`. Returns the stored zone.
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
    /// like [`StorageTx::update_zone`]). Returns the stored recordset.
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

    // --- pools -------------------------------------------------------------------------------

    /// Inserts a pool with all its children.
    async fn create_pool(&mut self, pool: &Pool) -> Result<()>;
    /// A pool with all its children.
    async fn get_pool(&mut self, id: Uuid) -> Result<Pool>;
    /// Every pool.
    async fn find_pools(&mut self) -> Result<Vec<Pool>>;
    /// Replaces a pool's row and children.
    async fn update_pool(&mut self, pool: &Pool) -> Result<()>;

    // --- service statuses ---------------------------------------------------------------------

    /// Inserts or updates the heartbeat row of (service_name, hostname).
    async fn upsert_service_status(&mut self, status: &ServiceStatus) -> Result<()>;
    /// Every heartbeat row.
    async fn find_service_statuses(&mut self) -> Result<Vec<ServiceStatus>>;
}
