//! The sqlx implementation of [`Storage`]: [`SqlStorage`] (connection pools, migrations) and its
//! transaction type, which delegates each [`StorageTx`] method to the module owning that table
//! family (`zones`, `recordsets`, `pools`, `services`). Engine differences live in `dialect`.
//!
//! SQLite allows one writer at a time, so writes go through a pool of exactly one connection and
//! open with `BEGIN IMMEDIATE`: concurrent writers queue for that connection instead of failing
//! with `SQLITE_BUSY`. Reads use a separate pool of read-only connections, which WAL mode lets
//! run beside the writer, so a long AXFR read never blocks (or is blocked by) central.

mod codec;
pub(crate) mod dialect;
mod listing;
mod pools;
mod query;
mod recordsets;
mod services;
mod url;
mod zones;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{Action, Pool, Record, RecordSet, RecordStatus, ServiceStatus, Zone};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use uuid::Uuid;

use self::query::Conn;
use self::url::Location;
use crate::{Result, Storage, StorageError, StorageTx};

/// How long a statement waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `begin()` waits for the single writer connection (other writers in this process).
const WRITER_WAIT: Duration = Duration::from_secs(120);
/// How long `begin_read()` waits for a reader connection.
const READER_WAIT: Duration = Duration::from_secs(60);
/// Readers that may run at once.
const READERS: u32 = 4;

/// A Designate database reached through sqlx (SQLite today), holding upstream's tables.
#[derive(Debug, Clone)]
pub struct SqlStorage {
    /// Exactly one connection: the only writer.
    writer: SqlitePool,
    /// Read-only connections (`query_only`); the writer pool itself for in-memory databases,
    /// whose contents are private to one connection.
    reader: SqlitePool,
}

impl SqlStorage {
    /// Opens (creating it and its directory if missing) the database at `url`; see the `url`
    /// module for the accepted forms (`sqlite:////abs/path.db`, `sqlite:///relative.db`,
    /// `sqlite::memory:`, …). Turns on WAL, foreign keys and a busy timeout. Does not migrate:
    /// call [`SqlStorage::migrate`].
    ///
    /// Writers queue for the single writer connection, so a task must not call
    /// [`Storage::begin`] while it holds an uncommitted write transaction (it would wait for
    /// itself). An in-memory database has one connection for reads and writes alike, so there
    /// `begin_read` also waits while a write transaction is open.
    ///
    /// # Errors
    /// [`StorageError::InvalidUrl`] for an unsupported URL or an uncreatable directory;
    /// [`StorageError::Database`] when the file cannot be opened.
    pub async fn connect(url: &str) -> Result<Self> {
        match url::parse(url)? {
            Location::Memory => {
                let opts = SqliteConnectOptions::from_str("sqlite::memory:")?
                    .foreign_keys(true)
                    .busy_timeout(BUSY_TIMEOUT);
                // The database lives as long as its connection: keep that one forever.
                let pool = SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .acquire_timeout(WRITER_WAIT)
                    .connect_with(opts)
                    .await?;
                Ok(Self {
                    writer: pool.clone(),
                    reader: pool,
                })
            }
            Location::File(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        StorageError::InvalidUrl(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
                let opts = SqliteConnectOptions::new()
                    .filename(&path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(BUSY_TIMEOUT);
                // The writer connects first so that the file exists and is in WAL mode before
                // any read-only connection opens it.
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(WRITER_WAIT)
                    .connect_with(opts.clone())
                    .await?;
                let reader = SqlitePoolOptions::new()
                    .max_connections(READERS)
                    .acquire_timeout(READER_WAIT)
                    .connect_with(opts.pragma("query_only", "ON"))
                    .await?;
                Ok(Self { writer, reader })
            }
        }
    }

    /// Applies the embedded migrations (`migrations/sqlite/`): upstream's schema, created only
    /// where missing, so running it on a database upstream Designate created adds nothing but
    /// sqlx's bookkeeping table. Idempotent; used by `designate manage database sync` and at
    /// `designate all` start.
    ///
    /// # Errors
    /// [`StorageError::Migrate`] when a migration fails or the applied ones were changed.
    pub async fn migrate(&self) -> Result<()> {
        sqlx::migrate!("./migrations/sqlite")
            .run(&self.writer)
            .await?;
        Ok(())
    }

    /// Closes both pools, waiting for connections in use to come back.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

#[async_trait]
impl Storage for SqlStorage {
    async fn begin(&self) -> Result<Box<dyn StorageTx>> {
        let tx = self.writer.begin_with(dialect::BEGIN_WRITE).await?;
        Ok(Box::new(SqlTx { tx }))
    }

    async fn begin_read(&self) -> Result<Box<dyn StorageTx>> {
        let tx = self.reader.begin().await?;
        Ok(Box::new(SqlTx { tx }))
    }
}

/// One sqlx transaction; sqlx rolls it back when dropped uncommitted.
struct SqlTx {
    tx: sqlx::Transaction<'static, dialect::Db>,
}

impl SqlTx {
    fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

#[async_trait]
impl StorageTx for SqlTx {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await.map_err(query::map_err)
    }

    async fn create_zone(&mut self, zone: &Zone) -> Result<()> {
        zones::create(self.conn(), zone).await
    }

    async fn get_zone(&mut self, id: Uuid) -> Result<Zone> {
        zones::get(self.conn(), id, true).await
    }

    async fn get_zone_any(&mut self, id: Uuid) -> Result<Zone> {
        zones::get(self.conn(), id, false).await
    }

    async fn find_zones(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Zone>> {
        zones::find(self.conn(), criteria, page).await
    }

    async fn update_zone(&mut self, zone: &Zone) -> Result<Zone> {
        zones::update(self.conn(), zone).await
    }

    async fn delete_zone(&mut self, id: Uuid) -> Result<()> {
        zones::delete(self.conn(), id).await
    }

    async fn create_recordset(&mut self, recordset: &RecordSet) -> Result<()> {
        recordsets::create(self.conn(), recordset).await
    }

    async fn get_recordset(&mut self, id: Uuid) -> Result<RecordSet> {
        recordsets::get(self.conn(), id).await
    }

    async fn find_recordsets(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<RecordSet>> {
        recordsets::find(self.conn(), criteria, page).await
    }

    async fn zone_recordsets(&mut self, zone_id: Uuid) -> Result<Vec<RecordSet>> {
        recordsets::of_zone(self.conn(), zone_id).await
    }

    async fn update_recordset(&mut self, recordset: &RecordSet) -> Result<RecordSet> {
        recordsets::update(self.conn(), recordset).await
    }

    async fn delete_recordset(&mut self, id: Uuid) -> Result<()> {
        recordsets::delete(self.conn(), id).await
    }

    async fn update_zone_records_status(
        &mut self,
        zone_id: Uuid,
        status: RecordStatus,
        action: Action,
        max_serial: u32,
    ) -> Result<()> {
        recordsets::update_zone_records_status(self.conn(), zone_id, status, action, max_serial)
            .await
    }

    async fn zone_records(&mut self, zone_id: Uuid) -> Result<Vec<Record>> {
        recordsets::records_of_zone(self.conn(), zone_id).await
    }

    async fn create_pool(&mut self, pool: &Pool) -> Result<()> {
        pools::create(self.conn(), pool).await
    }

    async fn get_pool(&mut self, id: Uuid) -> Result<Pool> {
        pools::get(self.conn(), id).await
    }

    async fn find_pools(&mut self) -> Result<Vec<Pool>> {
        pools::find(self.conn()).await
    }

    async fn update_pool(&mut self, pool: &Pool) -> Result<()> {
        pools::update(self.conn(), pool).await
    }

    async fn upsert_service_status(&mut self, status: &ServiceStatus) -> Result<()> {
        services::upsert(self.conn(), status).await
    }

    async fn find_service_statuses(&mut self) -> Result<Vec<ServiceStatus>> {
        services::find(self.conn()).await
    }
}

#[cfg(test)]
mod tests;
