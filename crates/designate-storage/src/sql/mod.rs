//! The sqlx implementation of [`Storage`]: [`SqlStorage`] (connection pools, migrations) and its
//! transaction type, which delegates each [`StorageTx`] method to the module owning that table
//! family (`zones`, `recordsets`, `pools`, `services`). Queries are written once; engine
//! differences live in `dialect` (SQL text and stored forms) and `query` (binding and decoding
//! per driver). Engines: SQLite, PostgreSQL, MySQL/MariaDB.
//!
//! SQLite allows one writer at a time, so there writes go through a pool of exactly one
//! connection and open with `BEGIN IMMEDIATE`: concurrent writers queue for that connection
//! instead of failing with `SQLITE_BUSY`. Reads use a separate pool of read-only connections,
//! which WAL mode lets run beside the writer, so a long AXFR read never blocks (or is blocked by)
//! central. PostgreSQL and MySQL take no locks of ours at all (Galera-safe): lost races surface
//! as version conflicts or deadlocks ([`StorageError::is_retryable`]) and the caller reruns the
//! transaction.

mod codec;
pub(crate) mod dialect;
mod health;
mod journal;
mod leases;
mod listing;
mod options;
mod pools;
mod project_zone_counts;
mod query;
mod quotas;
mod recordsets;
mod rows;
mod services;
mod shares;
mod tlds;
mod transfers;
mod tsigkeys;
// MiniDNS zone transfers, page by page.
mod transfer;
mod url;
mod zone_attributes;
mod zone_counts;
mod zone_masters;
mod zones;
// the zone's SOA without scanning records
mod zone_soa;
// zone tasks (imports / exports)
mod zone_tasks;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    Action, Blacklist, Pool, PoolNsRecord, Quota, Record, RecordSet, RecordStatus, ServiceStatus,
    Tld, TsigKey, Zone, ZoneTaskRow,
};
use designate_core::objects::{SharedZone, ZoneTransferAccept, ZoneTransferRequest};
use sqlx::mysql::{MySqlConnectOptions, MySqlPool};
use sqlx::postgres::{PgConnectOptions, PgPool};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::Executor as _;
use uuid::Uuid;

pub(crate) use self::dialect::Engine;
use self::health::{Health, Probe};
pub use self::options::PoolOptions;
use self::query::{Conn, Held};
use self::url::Location;
pub use self::url::{server_url, ServerUrl};
use crate::{Lease, Result, Storage, StorageError, StorageTx};

/// How long a statement waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long `begin()` waits for the single writer connection (other writers in this process).
const WRITER_WAIT: Duration = Duration::from_secs(120);
/// How long `begin_read()` waits for a reader connection.
const READER_WAIT: Duration = Duration::from_secs(60);
/// Readers that may run at once.
const READERS: u32 = 4;
/// How much of the database file a reader maps into memory (address space, not RAM). A large
/// zone transfer reads hundreds of MB of index pages; through `mmap` SQLite reads them in place
/// instead of copying each page with `pread` into its own cache.
const READER_MMAP_BYTES: u64 = 1 << 30;

/// The connection pools of one engine.
#[derive(Debug, Clone)]
enum Pools {
    Sqlite {
        /// Exactly one connection: the only writer.
        writer: SqlitePool,
        /// Read-only connections (`query_only`); the writer pool itself for in-memory
        /// databases, whose contents are private to one connection.
        reader: SqlitePool,
    },
    Postgres(PgPool),
    MySql(MySqlPool),
}

/// A Designate database reached through sqlx (SQLite, PostgreSQL or MySQL/MariaDB), holding
/// upstream's tables.
#[derive(Debug, Clone)]
pub struct SqlStorage {
    pools: Pools,
    /// The server's reachability (server engines), to fail fast during an outage.
    health: Option<Arc<Health>>,
}

/// Runs `connect` until it succeeds or `opts.max_retries` retries have failed (oslo.db's start-up
/// behaviour: the database may come up after us).
async fn with_retries<T, F, Fut>(opts: &PoolOptions, mut connect: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
{
    let mut attempt: i64 = 0;
    loop {
        match connect().await {
            Ok(v) => return Ok(v),
            Err(e) if opts.max_retries < 0 || attempt < i64::from(opts.max_retries) => {
                attempt += 1;
                tracing::warn!(error = %e, attempt, "database connection failed; retrying");
                tokio::time::sleep(opts.retry_interval).await;
            }
            Err(e) => return Err(query::map_err(e)),
        }
    }
}

impl SqlStorage {
    /// Opens the database at `url` with the default [`PoolOptions`]; see
    /// [`SqlStorage::connect_with`].
    ///
    /// # Errors
    /// As [`SqlStorage::connect_with`].
    pub async fn connect(url: &str) -> Result<Self> {
        Self::connect_with(url, &PoolOptions::default()).await
    }
    /// Prepared statements kept per server connection. sqlx's default (100) is below the
    /// statements one process runs — every role's, and a create batch's many-row forms, whose
    /// text varies with the batch's size — so statements were evicted and prepared again,
    /// which is planning work on the server each time.
    const STATEMENT_CACHE: usize = 1024;

    /// Opens the database at `url`: upstream's SQLAlchemy URLs as written in designate.conf
    /// (`mysql+pymysql://…`, `postgresql+psycopg2://…`, `sqlite:///…`) or plain ones; see the
    /// `url` module. A SQLite file (and its directory) is created if missing, with WAL, foreign
    /// keys and a busy timeout. Does not migrate: call [`SqlStorage::migrate`].
    ///
    /// On SQLite writers queue for the single writer connection, so a task must not call
    /// [`Storage::begin`] while it holds an uncommitted write transaction (it would wait for
    /// itself). An in-memory database has one connection for reads and writes alike, so there
    /// `begin_read` also waits while a write transaction is open.
    ///
    /// # Errors
    /// [`StorageError::InvalidUrl`] for an unsupported URL or an uncreatable directory;
    /// [`StorageError::Unavailable`] when the server cannot be reached after
    /// `opts.max_retries` retries; [`StorageError::Database`] when it refuses us (bad
    /// credentials, unknown database) or a SQLite file cannot be opened.
    pub async fn connect_with(url: &str, opts: &PoolOptions) -> Result<Self> {
        let mut probe = None;
        let pools = match url::parse(url)? {
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
                Pools::Sqlite {
                    writer: pool.clone(),
                    reader: pool,
                }
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
                    .connect_with(
                        opts.pragma("query_only", "ON")
                            .pragma("mmap_size", READER_MMAP_BYTES.to_string()),
                    )
                    .await?;
                Pools::Sqlite { writer, reader }
            }
            Location::Postgres(u) => {
                let conn = PgConnectOptions::from_str(&u)
                    .map_err(|e| StorageError::InvalidUrl(e.to_string()))?
                    .statement_cache_capacity(Self::STATEMENT_CACHE);
                let pool = with_retries(opts, || {
                    server_pool::<sqlx::Postgres>(opts).connect_with(conn.clone())
                })
                .await?;
                probe = Some(Probe::Postgres(conn));
                Pools::Postgres(pool)
            }
            Location::MySql(u) => {
                let conn = MySqlConnectOptions::from_str(&u)
                    .map_err(|e| StorageError::InvalidUrl(e.to_string()))?
                    .charset("utf8mb4")
                    .statement_cache_capacity(Self::STATEMENT_CACHE);
                let pool = with_retries(opts, || {
                    server_pool::<sqlx::MySql>(opts)
                        .after_connect(|c, _| {
                            Box::pin(async move {
                                // `"key"` quotes an identifier (see `dialect`).
                                c.execute(
                                    "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')",
                                )
                                .await
                                .map(|_| ())
                            })
                        })
                        .connect_with(conn.clone())
                })
                .await?;
                probe = Some(Probe::MySql(conn));
                Pools::MySql(pool)
            }
        };
        let health = probe.map(|p| Arc::new(Health::new(p)));
        Ok(Self { pools, health })
    }

    /// The engine behind this storage.
    pub(crate) fn engine(&self) -> Engine {
        match self.pools {
            Pools::Sqlite { .. } => Engine::Sqlite,
            Pools::Postgres(_) => Engine::Postgres,
            Pools::MySql(_) => Engine::MySql,
        }
    }

    /// Applies the embedded migrations of the engine (`migrations/{sqlite,postgres,mysql}/`):
    /// upstream's schema as upstream creates it on that engine, created only where missing, so
    /// running it on a database upstream Designate created adds nothing but sqlx's bookkeeping
    /// table (`_sqlx_migrations`). Idempotent; used by `designate manage database sync` and at
    /// `designate all` start.
    ///
    /// # Errors
    /// [`StorageError::Migrate`] when a migration fails or the applied ones were changed.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pools {
            Pools::Sqlite { writer, .. } => {
                sqlx::migrate!("./migrations/sqlite").run(writer).await?
            }
            Pools::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
            Pools::MySql(p) => sqlx::migrate!("./migrations/mysql").run(p).await?,
        }
        Ok(())
    }

    /// Closes every pool, waiting for connections in use to come back.
    pub async fn close(&self) {
        match &self.pools {
            Pools::Sqlite { writer, reader } => {
                writer.close().await;
                reader.close().await;
            }
            Pools::Postgres(p) => p.close().await,
            Pools::MySql(p) => p.close().await,
        }
    }
}

impl SqlStorage {
    /// Opens a server engine's transaction through its [`Health`] (fails fast when the server
    /// is unreachable).
    async fn guard<T>(
        &self,
        begin: impl std::future::Future<Output = std::result::Result<T, sqlx::Error>>,
    ) -> Result<T> {
        match &self.health {
            Some(health) => health.guard(begin).await,
            None => begin.await.map_err(query::map_err),
        }
    }
}

/// Pool settings for a server engine from upstream's options.
fn server_pool<DB: sqlx::Database>(opts: &PoolOptions) -> sqlx::pool::PoolOptions<DB> {
    sqlx::pool::PoolOptions::new()
        .max_connections(opts.max_pool_size.saturating_add(opts.max_overflow).max(1))
        .acquire_timeout(opts.pool_timeout)
        .max_lifetime(opts.connection_recycle_time)
        // Connections dropped by a database restart are noticed before use, not mid-request.
        .test_before_acquire(true)
}

#[async_trait]
impl Storage for SqlStorage {
    async fn begin(&self) -> Result<Box<dyn StorageTx>> {
        let begin = self.engine().begin_write();
        let tx = match &self.pools {
            Pools::Sqlite { writer, .. } => Conn::Sqlite(Held::Tx(
                writer.begin_with(begin).await.map_err(query::map_err)?,
            )),
            Pools::Postgres(p) => Conn::Postgres(Held::Tx(self.guard(p.begin_with(begin)).await?)),
            Pools::MySql(p) => Conn::MySql(Held::Tx(self.guard(p.begin_with(begin)).await?)),
        };
        Ok(Box::new(SqlTx { tx, write: true }))
    }

    async fn begin_read(&self) -> Result<Box<dyn StorageTx>> {
        // Server engines: one consistent snapshot for the whole transaction (an AXFR must not
        // mix two versions of a zone), and no writes.
        let tx = match &self.pools {
            Pools::Sqlite { reader, .. } => {
                Conn::Sqlite(Held::Tx(reader.begin().await.map_err(query::map_err)?))
            }
            Pools::Postgres(p) => Conn::Postgres(Held::Tx(
                self.guard(p.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"))
                    .await?,
            )),
            Pools::MySql(p) => Conn::MySql(Held::Tx(
                self.guard(p.begin_with("START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY"))
                    .await?,
            )),
        };
        Ok(Box::new(SqlTx { tx, write: false }))
    }

    async fn read(&self) -> Result<Box<dyn StorageTx>> {
        let tx = match &self.pools {
            Pools::Sqlite { reader, .. } => {
                Conn::Sqlite(Held::Auto(reader.acquire().await.map_err(query::map_err)?))
            }
            Pools::Postgres(p) => Conn::Postgres(Held::Auto(self.guard(p.acquire()).await?)),
            Pools::MySql(p) => Conn::MySql(Held::Auto(self.guard(p.acquire()).await?)),
        };
        Ok(Box::new(SqlTx { tx, write: false }))
    }
}

/// One sqlx transaction; sqlx rolls it back when dropped uncommitted.
struct SqlTx {
    tx: Conn,
    /// Opened by [`Storage::begin`]: zones read here are row-locked (see [`zones::get`]).
    write: bool,
}

impl SqlTx {
    fn conn(&mut self) -> &mut Conn {
        &mut self.tx
    }
}

#[async_trait]
impl StorageTx for SqlTx {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.tx.commit().await
    }

    async fn create_zone(&mut self, zone: &Zone) -> Result<()> {
        zones::create(self.conn(), zone).await
    }

    async fn get_zone(&mut self, id: Uuid) -> Result<Zone> {
        zones::get(&mut self.tx, id, true, self.write).await
    }

    async fn get_zone_row(&mut self, id: Uuid) -> Result<Zone> {
        zones::get_row(&mut self.tx, id, self.write).await
    }

    async fn get_zone_any(&mut self, id: Uuid) -> Result<Zone> {
        zones::get(&mut self.tx, id, false, self.write).await
    }

    async fn find_zones(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Zone>> {
        zones::find(self.conn(), criteria, page).await
    }

    async fn find_zones_uncounted(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Vec<Zone>> {
        zones::find_page(self.conn(), criteria, page, true).await
    }

    async fn find_zone_rows(&mut self, criteria: &Criteria, page: &Page) -> Result<Vec<Zone>> {
        zones::find_page(self.conn(), criteria, page, false).await
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

    async fn pool_revision(&mut self, id: Uuid) -> Result<crate::PoolRevision> {
        pools::revision(self.conn(), id).await
    }

    async fn recordset_placement(&mut self, zone_id: Uuid, name: &str) -> Result<crate::Placement> {
        recordsets::placement(self.conn(), zone_id, name).await
    }

    async fn recordset_quota_inputs(
        &mut self,
        zone_id: Uuid,
        tenant_id: &str,
    ) -> Result<(Vec<Quota>, crate::ContentCounts)> {
        quotas::with_zone_counts(self.conn(), zone_id, tenant_id).await
    }

    async fn get_zone_rows(&mut self, ids: &[Uuid]) -> Result<Vec<Zone>> {
        zones::get_rows(&mut self.tx, ids, self.write).await
    }

    async fn recordset_placements(&mut self, at: &[(Uuid, &str)]) -> Result<Vec<crate::Placement>> {
        recordsets::placements(self.conn(), at).await
    }

    async fn recordset_quota_inputs_of(
        &mut self,
        zones: &[(Uuid, &str)],
    ) -> Result<Vec<(Vec<Quota>, crate::ContentCounts)>> {
        quotas::of_zones(self.conn(), zones).await
    }

    async fn zone_soa_records_of(
        &mut self,
        zones: &[(Uuid, Option<Uuid>)],
    ) -> Result<Vec<crate::ZoneSoa>> {
        zone_soa::soa_records_of(self.conn(), zones).await
    }

    async fn rewrite_soa_records(&mut self, records: &[Record]) -> Result<()> {
        zone_soa::rewrite_soa_records(self.conn(), records).await
    }

    async fn bump_zone_rows(&mut self, zones: &[Zone]) -> Result<Vec<Zone>> {
        zones::bump_rows(self.conn(), zones).await
    }

    async fn append_zone_journals(
        &mut self,
        changes: &[(Uuid, Vec<crate::JournalEntry>)],
    ) -> Result<()> {
        let changes: Vec<(Uuid, &[crate::JournalEntry])> = changes
            .iter()
            .map(|(zone_id, entries)| (*zone_id, entries.as_slice()))
            .collect();
        journal::append_many(self.conn(), &changes).await
    }

    async fn zone_content_counts(&mut self, zone_id: Uuid) -> Result<crate::ContentCounts> {
        zone_counts::content(self.conn(), zone_id).await
    }

    async fn zone_soa_records(
        &mut self,
        zone_id: Uuid,
        pool_id: Option<Uuid>,
    ) -> Result<crate::ZoneSoa> {
        zone_soa::soa_records(self.conn(), zone_id, pool_id).await
    }

    async fn rewrite_soa_record(&mut self, record: &Record) -> Result<()> {
        zone_soa::rewrite_soa_record(self.conn(), record).await
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

    async fn count_unmanaged_records(&mut self, zone_id: Uuid) -> Result<u64> {
        recordsets::count_unmanaged_records(self.conn(), zone_id).await
    }

    async fn create_pool(&mut self, pool: &Pool) -> Result<()> {
        pools::create(self.conn(), pool).await
    }

    async fn get_pool(&mut self, id: Uuid) -> Result<Pool> {
        pools::get(self.conn(), id).await
    }

    async fn get_pool_ns_records(&mut self, id: Uuid) -> Result<Vec<PoolNsRecord>> {
        pools::ns_records(self.conn(), id).await
    }

    async fn find_pools(&mut self) -> Result<Vec<Pool>> {
        pools::find(self.conn()).await
    }

    async fn update_pool(&mut self, pool: &Pool) -> Result<()> {
        pools::update(self.conn(), pool).await
    }

    async fn create_tld(&mut self, tld: &Tld) -> Result<()> {
        tlds::create(self.conn(), tld).await
    }

    async fn get_tld(&mut self, id: Uuid) -> Result<Tld> {
        tlds::get(self.conn(), id).await
    }

    async fn find_tlds(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Tld>> {
        tlds::find(self.conn(), criteria, page).await
    }

    async fn update_tld(&mut self, tld: &Tld) -> Result<Tld> {
        tlds::update(self.conn(), tld).await
    }

    async fn delete_tld(&mut self, id: Uuid) -> Result<()> {
        tlds::delete::<Tld>(self.conn(), id).await
    }

    async fn create_blacklist(&mut self, blacklist: &Blacklist) -> Result<()> {
        tlds::create(self.conn(), blacklist).await
    }

    async fn get_blacklist(&mut self, id: Uuid) -> Result<Blacklist> {
        tlds::get(self.conn(), id).await
    }

    async fn find_blacklists(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<Blacklist>> {
        tlds::find(self.conn(), criteria, page).await
    }

    async fn update_blacklist(&mut self, blacklist: &Blacklist) -> Result<Blacklist> {
        tlds::update(self.conn(), blacklist).await
    }

    async fn delete_blacklist(&mut self, id: Uuid) -> Result<()> {
        tlds::delete::<Blacklist>(self.conn(), id).await
    }

    async fn find_quotas(&mut self, tenant_id: &str) -> Result<Vec<Quota>> {
        quotas::find(self.conn(), tenant_id).await
    }

    async fn set_quota(&mut self, quota: &Quota) -> Result<()> {
        quotas::set(self.conn(), quota).await
    }

    async fn delete_quotas(&mut self, tenant_id: &str) -> Result<u64> {
        quotas::delete_all(self.conn(), tenant_id).await
    }

    async fn upsert_service_status(&mut self, status: &ServiceStatus) -> Result<()> {
        services::upsert(self.conn(), status).await
    }

    async fn find_service_statuses(&mut self) -> Result<Vec<ServiceStatus>> {
        services::find(self.conn()).await
    }

    async fn append_zone_journal(
        &mut self,
        zone_id: Uuid,
        entries: &[crate::JournalEntry],
    ) -> Result<()> {
        journal::append(self.conn(), zone_id, entries).await
    }

    async fn zone_journal(&mut self, zone_id: Uuid) -> Result<Vec<crate::JournalEntry>> {
        journal::of_zone(self.conn(), zone_id, None).await
    }

    async fn zone_journal_after(
        &mut self,
        zone_id: Uuid,
        after: u32,
        upto: u32,
    ) -> Result<Vec<crate::JournalEntry>> {
        journal::of_zone(self.conn(), zone_id, Some((after, upto))).await
    }

    async fn prune_zone_journal(
        &mut self,
        zone_id: Uuid,
        max_changes: u32,
        max_rows: u64,
    ) -> Result<u64> {
        journal::prune(self.conn(), zone_id, max_changes, max_rows).await
    }

    // --- pool deletion ---
    async fn delete_pool(&mut self, id: Uuid) -> Result<()> {
        pools::delete(self.conn(), id).await
    }

    async fn find_zones_in_shards(
        &mut self,
        shards: (u16, u16),
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<Zone>> {
        zones::find_in_shards(self.conn(), shards, criteria, page).await
    }

    async fn find_purgeable_zones(
        &mut self,
        shards: (u16, u16),
        deleted_before: chrono::NaiveDateTime,
        limit: u32,
    ) -> Result<Vec<Zone>> {
        zones::find_purgeable(self.conn(), shards, deleted_before, limit).await
    }

    async fn claim_lease(
        &mut self,
        lease: &Lease,
        now: chrono::NaiveDateTime,
        renew: bool,
    ) -> Result<bool> {
        leases::claim(self.conn(), lease, now, renew).await
    }

    async fn release_lease(&mut self, name: &str, holder: &str) -> Result<bool> {
        leases::release(self.conn(), name, holder).await
    }

    async fn find_leases(&mut self, prefix: &str) -> Result<Vec<Lease>> {
        leases::find(self.conn(), prefix).await
    }

    // --- zone tasks (imports / exports) ------------------------------------------------------

    async fn create_recordsets(&mut self, recordsets: &[RecordSet]) -> Result<()> {
        recordsets::create_many(self.conn(), recordsets).await
    }

    async fn create_zone_task(&mut self, task: &ZoneTaskRow) -> Result<()> {
        zone_tasks::create(self.conn(), task).await
    }

    async fn get_zone_task(&mut self, id: Uuid) -> Result<ZoneTaskRow> {
        zone_tasks::get(self.conn(), id).await
    }

    async fn find_zone_tasks(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        zone_tasks::find(self.conn(), criteria, page).await
    }

    async fn update_zone_task(&mut self, task: &ZoneTaskRow) -> Result<ZoneTaskRow> {
        zone_tasks::update(self.conn(), task).await
    }

    async fn delete_zone_task(&mut self, id: Uuid) -> Result<()> {
        zone_tasks::delete(self.conn(), id).await
    }

    // --- TSIG keys ---

    async fn create_tsigkey(&mut self, key: &TsigKey) -> Result<()> {
        rows::create(self.conn(), key).await
    }

    async fn get_tsigkey(&mut self, id: Uuid) -> Result<TsigKey> {
        rows::get(self.conn(), id).await
    }

    async fn find_tsigkeys(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<TsigKey>> {
        rows::find(self.conn(), criteria, page).await
    }

    async fn update_tsigkey(&mut self, key: &TsigKey) -> Result<TsigKey> {
        rows::update(self.conn(), key).await
    }

    async fn delete_tsigkey(&mut self, id: Uuid) -> Result<()> {
        rows::delete::<TsigKey>(self.conn(), id).await
    }

    // --- zone transfers ---

    async fn create_zone_transfer_request(&mut self, request: &ZoneTransferRequest) -> Result<()> {
        rows::create(self.conn(), request).await
    }

    async fn get_zone_transfer_request(&mut self, id: Uuid) -> Result<ZoneTransferRequest> {
        rows::get(self.conn(), id).await
    }

    async fn find_zone_transfer_requests(
        &mut self,
        criteria: &Criteria,
        page: &Page,
        visible_to: Option<&str>,
    ) -> Result<Listing<ZoneTransferRequest>> {
        transfers::find_requests(self.conn(), criteria, page, visible_to).await
    }

    async fn update_zone_transfer_request(
        &mut self,
        request: &ZoneTransferRequest,
    ) -> Result<ZoneTransferRequest> {
        rows::update(self.conn(), request).await
    }

    async fn delete_zone_transfer_request(&mut self, id: Uuid) -> Result<()> {
        rows::delete::<ZoneTransferRequest>(self.conn(), id).await
    }

    async fn create_zone_transfer_accept(&mut self, accept: &ZoneTransferAccept) -> Result<()> {
        rows::create(self.conn(), accept).await
    }

    async fn get_zone_transfer_accept(&mut self, id: Uuid) -> Result<ZoneTransferAccept> {
        rows::get(self.conn(), id).await
    }

    async fn find_zone_transfer_accepts(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<ZoneTransferAccept>> {
        rows::find(self.conn(), criteria, page).await
    }

    async fn update_zone_transfer_accept(
        &mut self,
        accept: &ZoneTransferAccept,
    ) -> Result<ZoneTransferAccept> {
        rows::update(self.conn(), accept).await
    }

    async fn reassign_zone_data(&mut self, zone_id: Uuid, tenant_id: &str) -> Result<u64> {
        transfers::reassign_zone_data(self.conn(), zone_id, tenant_id).await
    }

    // --- zone shares ---

    async fn create_shared_zone(&mut self, share: &SharedZone) -> Result<()> {
        rows::create(self.conn(), share).await
    }

    async fn get_shared_zone(&mut self, id: Uuid) -> Result<SharedZone> {
        rows::get(self.conn(), id).await
    }

    async fn find_shared_zones(
        &mut self,
        criteria: &Criteria,
        page: &Page,
        visible_to: Option<&str>,
    ) -> Result<Listing<SharedZone>> {
        shares::find(self.conn(), criteria, page, visible_to).await
    }

    async fn delete_shared_zone(&mut self, id: Uuid) -> Result<()> {
        rows::delete::<SharedZone>(self.conn(), id).await
    }

    async fn delete_zone_shares(&mut self, zone_id: Uuid) -> Result<u64> {
        shares::delete_of_zone(self.conn(), zone_id).await
    }

    async fn shared_zone_ids(&mut self, zone_ids: &[Uuid]) -> Result<Vec<Uuid>> {
        shares::shared_among(self.conn(), zone_ids).await
    }

    async fn find_zones_visible_to(
        &mut self,
        criteria: &Criteria,
        page: &Page,
        project: &str,
    ) -> Result<Listing<Zone>> {
        shares::find_zones_visible_to(self.conn(), criteria, page, project).await
    }

    // --- zone transfers ---

    async fn zone_transfer_page(
        &mut self,
        zone_id: Uuid,
        after: Option<crate::TransferCursor>,
        limit: u32,
    ) -> Result<Vec<crate::TransferRecord>> {
        transfer::page(self.conn(), zone_id, after, limit).await
    }

    // --- the zone's SOA for MiniDNS hot paths ---
    async fn zone_soa_recordset(&mut self, zone: &Zone) -> Result<Option<RecordSet>> {
        zone_soa::soa_recordset(self.conn(), zone).await
    }

    // --- secondary zones ---
    async fn set_zone_masters(&mut self, zone: &Zone) -> Result<()> {
        zone_masters::replace(self.conn(), zone).await
    }

    async fn delete_zone_recordsets(&mut self, zone_id: Uuid) -> Result<u64> {
        zones::delete_recordsets(self.conn(), zone_id).await
    }

    async fn find_managed_records(&mut self, resource_type: &str) -> Result<Vec<Record>> {
        recordsets::managed_records(self.conn(), resource_type).await
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod server_tests;

#[cfg(test)]
mod adoption_tests;

#[cfg(test)]
mod fault_tests;
