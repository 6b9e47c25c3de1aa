//! Adoption of a database upstream Designate created: upstream 23.0.0 (installed in a venv by
//! scripts/test) builds its schema with its own `designate-manage database sync` on a fresh
//! MariaDB database; our [`SqlStorage::migrate`] must leave every upstream table as it is, and
//! the contract suite must pass on it. The same upstream schema is the reference our PostgreSQL
//! schema is compared with (upstream cannot build its own schema on PostgreSQL).
//!
//! The venv is `$DESIGNATE_UPSTREAM_VENV`, else `/var/cache/designate-ci/upstream-venv`; when it
//! is missing the test fails (run `scripts/test`, which creates it). See
//! [`TestDatabase::upstream_sync`].

use std::collections::{BTreeMap, BTreeSet};

use sqlx::Row as _;

use super::*;
use crate::contract::server::TestDatabase;
use crate::contract::{self};

/// Everything about a MySQL schema that `migrate()` must not change: per table, its DDL as
/// `SHOW CREATE TABLE` prints it (columns, types, defaults, keys, constraints, charset).
async fn mysql_ddl(pool: &MySqlPool) -> BTreeMap<String, String> {
    let tables: Vec<String> = sqlx::query(
        "SELECT CAST(table_name AS CHAR) FROM information_schema.tables \
         WHERE table_schema = DATABASE() ORDER BY table_name",
    )
    .fetch_all(pool)
    .await
    .expect("tables")
    .iter()
    .map(|r| r.get(0))
    .collect();
    let mut out = BTreeMap::new();
    // Our own tables (`designate_*`: change journal, leases) are additions, not upstream's.
    for t in tables.into_iter().filter(|t| !t.starts_with("designate_")) {
        let row = sqlx::query(&format!("SHOW CREATE TABLE `{t}`"))
            .fetch_one(pool)
            .await
            .expect("show create table");
        // AUTO_INCREMENT counters are data, not schema.
        let ddl: String = row.get(1);
        out.insert(t, ddl);
    }
    out
}

/// `table → {column → nullable}` from information_schema rows, without bookkeeping tables.
fn columns_of(rows: Vec<(String, String, String)>) -> BTreeMap<String, BTreeMap<String, bool>> {
    let mut out: BTreeMap<String, BTreeMap<String, bool>> = BTreeMap::new();
    for (t, c, n) in rows {
        if t == "alembic_version" || t == "_sqlx_migrations" || t.starts_with("designate_") {
            continue;
        }
        out.entry(t).or_default().insert(c, n == "YES");
    }
    out
}

#[tokio::test]
async fn adopts_a_database_created_by_upstream_designate_on_mariadb() {
    let db = TestDatabase::mysql().await;
    db.upstream_sync().await;

    let s = SqlStorage::connect(&db.sqlalchemy_url())
        .await
        .expect("connect");
    let Pools::MySql(pool) = &s.pools else {
        panic!("not mysql")
    };
    let before = mysql_ddl(pool).await;
    assert!(
        before.contains_key("alembic_version"),
        "upstream schema built"
    );
    s.migrate().await.expect("migrate over upstream's schema");
    s.migrate().await.expect("migrate again");
    let mut after = mysql_ddl(pool).await;
    assert!(after.remove("_sqlx_migrations").is_some());
    assert_eq!(after, before, "migrate() changed upstream's tables");

    // The default pool upstream's migrations seed reads back (NULL created_at and all).
    let mut tx = s.begin_read().await.expect("begin_read");
    let pools = tx.find_pools().await.expect("find_pools");
    assert!(pools.iter().any(|p| p.name == "default"), "{pools:?}");
    drop(tx);

    contract::run_all(&s).await;

    // Our PostgreSQL schema has exactly upstream's tables and columns (and nullability), as
    // upstream creates them on MariaDB.
    let upstream = columns_of(
        sqlx::query_as(
            "SELECT CAST(table_name AS CHAR), CAST(column_name AS CHAR), \
             CAST(is_nullable AS CHAR) FROM information_schema.columns \
             WHERE table_schema = DATABASE()",
        )
        .fetch_all(pool)
        .await
        .expect("columns"),
    );
    s.close().await;
    db.drop_database().await;

    let pg = TestDatabase::postgres().await;
    let ours = SqlStorage::connect(&pg.sqlalchemy_url())
        .await
        .expect("connect postgres");
    ours.migrate().await.expect("migrate postgres");
    let Pools::Postgres(pg_pool) = &ours.pools else {
        panic!("not postgres")
    };
    let mine = columns_of(
        sqlx::query_as(
            "SELECT table_name::text, column_name::text, is_nullable::text \
             FROM information_schema.columns WHERE table_schema = current_schema()",
        )
        .fetch_all(pg_pool)
        .await
        .expect("columns"),
    );
    let upstream_tables: BTreeSet<_> = upstream.keys().collect();
    let our_tables: BTreeSet<_> = mine.keys().collect();
    assert_eq!(our_tables, upstream_tables, "PostgreSQL tables");
    for (table, cols) in &upstream {
        assert_eq!(mine.get(table), Some(cols), "PostgreSQL columns of {table}");
    }
    ours.close().await;
    pg.drop_database().await;
}
