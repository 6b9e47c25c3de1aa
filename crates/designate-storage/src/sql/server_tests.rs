//! Tests of the PostgreSQL and MariaDB storage on the real servers CI provides: the contract
//! suite on a fresh database per test (connected through upstream's SQLAlchemy URL forms), the
//! per-engine column types, and migration idempotence.

use sqlx::Row as _;

use super::*;
use crate::contract::server::{Server, TestDatabase};
use crate::contract::{self};

/// Connects to `db` the way designate.conf names it and applies the migrations twice.
async fn open(db: &TestDatabase) -> SqlStorage {
    let opts = PoolOptions {
        max_retries: 0,
        ..PoolOptions::default()
    };
    let s = SqlStorage::connect_with(&db.sqlalchemy_url(), &opts)
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");
    s.migrate().await.expect("migrate again");
    s
}

async fn contract_on(server: Server) {
    let db = TestDatabase::create(server).await;
    let s = open(&db).await;
    contract::run_all(&s).await;
    read_sees_commits_made_while_held(&s).await;
    tests::counts_without_their_row(&s).await;
    s.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn contract_on_postgres() {
    contract_on(Server::Postgres).await;
}

#[tokio::test]
async fn contract_on_mariadb() {
    contract_on(Server::MySql).await;
}

/// `Storage::read` holds no snapshot: a commit made while the reader is held shows in its next
/// statement, where a `begin_read` transaction keeps seeing the store as it first read it.
/// (Server engines only: an in-memory SQLite store has one connection, which a held reader
/// would keep from the writer.)
async fn read_sees_commits_made_while_held(s: &SqlStorage) {
    let z = contract::zone("held.example.org.", "p-held", Uuid::new_v4());
    let mut reader = s.read().await.expect("read");
    let mut snapshot = s.begin_read().await.expect("begin_read");
    for tx in [&mut reader, &mut snapshot] {
        assert!(tx.get_zone(z.id).await.is_err());
    }
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(&z).await.expect("create_zone");
    tx.commit().await.expect("commit");
    assert_eq!(reader.get_zone(z.id).await.expect("read sees it").id, z.id);
    assert!(matches!(
        snapshot.get_zone(z.id).await,
        Err(StorageError::NotFound(_))
    ));
}

async fn pg_columns(s: &SqlStorage, table: &str) -> Vec<(String, String, String)> {
    let Pools::Postgres(p) = &s.pools else {
        panic!("not postgres")
    };
    sqlx::query(
        "SELECT column_name::text, data_type::text, udt_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
    )
    .bind(table)
    .fetch_all(p)
    .await
    .expect("columns")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2)))
    .collect()
}

#[tokio::test]
async fn postgres_schema_uses_upstreams_postgres_types() {
    let db = TestDatabase::postgres().await;
    let s = open(&db).await;
    let zones = pg_columns(&s, "zones").await;
    let ty = |c: &str| {
        zones
            .iter()
            .find(|(n, _, _)| n == c)
            .map(|(_, t, u)| (t.as_str(), u.as_str()))
            .unwrap_or_else(|| panic!("zones.{c} missing"))
    };
    assert_eq!(ty("id"), ("uuid", "uuid"));
    assert_eq!(ty("pool_id"), ("uuid", "uuid"));
    assert_eq!(ty("deleted"), ("character", "bpchar"));
    assert_eq!(ty("created_at").0, "timestamp without time zone");
    assert_eq!(ty("delayed_notify").0, "boolean");
    assert_eq!(ty("status"), ("USER-DEFINED", "zones_resource_statuses"));
    assert_eq!(ty("action"), ("USER-DEFINED", "actions"));
    assert_eq!(ty("shard").0, "smallint");
    let records = pg_columns(&s, "records").await;
    assert!(records
        .iter()
        .any(|(n, _, u)| n == "status" && u == "records_resource_statuses"));
    s.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn mariadb_schema_uses_upstreams_mysql_types() {
    let db = TestDatabase::mysql().await;
    let s = open(&db).await;
    let Pools::MySql(p) = &s.pools else {
        panic!("not mysql")
    };
    let rows = sqlx::query(
        "SELECT CAST(column_name AS CHAR), CAST(column_type AS CHAR) FROM information_schema.columns \
         WHERE table_schema = DATABASE() AND table_name = 'zones'",
    )
    .fetch_all(p)
    .await
    .expect("columns");
    let cols: Vec<(String, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    let ty = |c: &str| {
        cols.iter()
            .find(|(n, _)| n == c)
            .map(|(_, t)| t.as_str())
            .unwrap_or_else(|| panic!("zones.{c} missing"))
            .to_owned()
    };
    assert_eq!(ty("id"), "char(32)");
    assert_eq!(ty("created_at"), "datetime");
    assert_eq!(ty("delayed_notify"), "tinyint(1)");
    assert_eq!(ty("status"), "enum('ACTIVE','PENDING','DELETED','ERROR')");
    assert_eq!(ty("type"), "enum('PRIMARY','SECONDARY','CATALOG')");
    s.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn unreachable_server_fails_after_max_retries() {
    let opts = PoolOptions {
        max_retries: 1,
        retry_interval: Duration::from_millis(10),
        pool_timeout: Duration::from_secs(2),
        ..PoolOptions::default()
    };
    // Port 9 (discard) on loopback: nothing listens there.
    let err = SqlStorage::connect_with("postgresql://postgres@127.0.0.1:9/x", &opts)
        .await
        .expect_err("no server");
    assert!(matches!(err, StorageError::Unavailable(_)), "{err}");
}

/// A test that panics before `drop_database` still removes its database, even with a write
/// transaction open on it.
async fn abandoned_database_is_removed(server: Server) {
    let db = TestDatabase::create(server).await;
    let s = open(&db).await;
    let mut tx = s.begin().await.expect("begin");
    let z = contract::zone("abandoned.example.org.", "p", Uuid::new_v4());
    tx.create_zone(&z).await.expect("create");
    let probe = TestDatabase::create(server).await;
    let name = db.name().to_owned();
    drop(db);
    drop(tx);
    drop(s);
    let gone = !probe_exists(&probe, &name).await;
    probe.drop_database().await;
    assert!(gone, "{name} left behind");
}

/// Whether a database called `name` exists on `probe`'s server.
async fn probe_exists(probe: &TestDatabase, name: &str) -> bool {
    let url = probe.url();
    match probe.server() {
        Server::Postgres => {
            let s = SqlStorage::connect(&url).await.expect("connect");
            let Pools::Postgres(p) = &s.pools else {
                unreachable!()
            };
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_one(p)
                .await
                .expect("count");
            n > 0
        }
        Server::MySql => {
            let s = SqlStorage::connect(&url).await.expect("connect");
            let Pools::MySql(p) = &s.pools else {
                unreachable!()
            };
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = ?",
            )
            .bind(name)
            .fetch_one(p)
            .await
            .expect("count");
            n > 0
        }
    }
}

#[tokio::test]
async fn abandoned_postgres_database_is_removed() {
    abandoned_database_is_removed(Server::Postgres).await;
}

#[tokio::test]
async fn abandoned_mariadb_database_is_removed() {
    abandoned_database_is_removed(Server::MySql).await;
}

/// The producer's leases and shard queries on the server engines, on their own so that a
/// failure elsewhere in the contract suite does not hide them.
async fn producer_store_on(server: Server) {
    let db = TestDatabase::create(server).await;
    let s = open(&db).await;
    contract::lease_claims(&s).await;
    contract::zones_by_shard(&s).await;
    s.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn producer_store_on_postgres() {
    producer_store_on(Server::Postgres).await;
}

#[tokio::test]
async fn producer_store_on_mariadb() {
    producer_store_on(Server::MySql).await;
}

/// An exhausted pool is not an outage: a transaction waits for a connection as long as
/// `pool_timeout` allows (beyond the server check that makes an outage fail fast), and gets it.
async fn exhausted_pool_waits_on(server: Server) {
    let db = TestDatabase::create(server).await;
    let opts = PoolOptions {
        max_pool_size: 1,
        max_overflow: 0,
        pool_timeout: Duration::from_secs(20),
        max_retries: 0,
        ..PoolOptions::default()
    };
    let s = SqlStorage::connect_with(&db.sqlalchemy_url(), &opts)
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");
    let held = s.begin().await.expect("the only connection");
    let waiting = {
        let s = s.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let tx = s.begin_read().await.map(drop);
            (tx, started.elapsed())
        })
    };
    // Longer than the wait after which the server is checked (1 s), twice over.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(!waiting.is_finished(), "gave up on an exhausted pool");
    held.commit().await.expect("commit");
    let (got, waited) = waiting.await.expect("task");
    got.expect("a connection once one is free");
    assert!(waited >= Duration::from_millis(2500), "{waited:?}");
    s.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn exhausted_pool_waits_on_postgres() {
    exhausted_pool_waits_on(Server::Postgres).await;
}

#[tokio::test]
async fn exhausted_pool_waits_on_mariadb() {
    exhausted_pool_waits_on(Server::MySql).await;
}
