//! Tests of the SQLite storage: the contract suite on a real database file, the schema against
//! upstream's tables, URLs, and migration idempotence.

use std::collections::BTreeMap;

use sqlx::Row as _;

use super::*;
use crate::contract;

/// Upstream's tables and columns, in order, as designate/storage/sqlalchemy/tables.py declares
/// them.
const UPSTREAM: &[(&str, &[&str])] = &[
    (
        "service_statuses",
        &[
            "id",
            "created_at",
            "updated_at",
            "service_name",
            "hostname",
            "heartbeated_at",
            "status",
            "stats",
            "capabilities",
        ],
    ),
    (
        "quotas",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "tenant_id",
            "resource",
            "hard_limit",
        ],
    ),
    (
        "tlds",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "name",
            "description",
        ],
    ),
    (
        "zones",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "deleted",
            "deleted_at",
            "shard",
            "tenant_id",
            "name",
            "email",
            "description",
            "type",
            "transferred_at",
            "ttl",
            "serial",
            "refresh",
            "retry",
            "expire",
            "minimum",
            "status",
            "parent_zone_id",
            "action",
            "pool_id",
            "reverse_name",
            "delayed_notify",
            "increment_serial",
        ],
    ),
    (
        "zone_attributes",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "key",
            "value",
            "zone_id",
        ],
    ),
    (
        "zone_masters",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "host",
            "port",
            "zone_id",
        ],
    ),
    (
        "shared_zones",
        &[
            "id",
            "created_at",
            "updated_at",
            "zone_id",
            "project_id",
            "target_project_id",
        ],
    ),
    (
        "recordsets",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "zone_shard",
            "tenant_id",
            "zone_id",
            "name",
            "type",
            "ttl",
            "description",
            "reverse_name",
        ],
    ),
    (
        "records",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "zone_shard",
            "tenant_id",
            "zone_id",
            "recordset_id",
            "data",
            "description",
            "hash",
            "managed",
            "managed_extra",
            "managed_plugin_type",
            "managed_plugin_name",
            "managed_resource_type",
            "managed_resource_region",
            "managed_resource_id",
            "managed_tenant_id",
            "status",
            "action",
            "serial",
        ],
    ),
    (
        "tsigkeys",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "name",
            "algorithm",
            "secret",
            "scope",
            "resource_id",
        ],
    ),
    (
        "blacklists",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "pattern",
            "description",
        ],
    ),
    (
        "pools",
        &[
            "id",
            "created_at",
            "updated_at",
            "version",
            "name",
            "description",
            "tenant_id",
            "provisioner",
        ],
    ),
    (
        "pool_attributes",
        &[
            "id",
            "created_at",
            "updated_at",
            "version",
            "key",
            "value",
            "pool_id",
        ],
    ),
    (
        "pool_ns_records",
        &[
            "id",
            "created_at",
            "updated_at",
            "version",
            "pool_id",
            "priority",
            "hostname",
        ],
    ),
    (
        "pool_nameservers",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "pool_id",
            "host",
            "port",
            "tsigkey_id",
        ],
    ),
    (
        "pool_targets",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "pool_id",
            "type",
            "tsigkey_id",
            "description",
        ],
    ),
    (
        "pool_target_masters",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "pool_target_id",
            "host",
            "port",
        ],
    ),
    (
        "pool_target_options",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "pool_target_id",
            "key",
            "value",
        ],
    ),
    (
        "pool_also_notifies",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "pool_id",
            "host",
            "port",
        ],
    ),
    (
        "zone_transfer_requests",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "zone_id",
            "key",
            "description",
            "tenant_id",
            "target_tenant_id",
            "status",
        ],
    ),
    (
        "zone_transfer_accepts",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "zone_id",
            "zone_transfer_request_id",
            "tenant_id",
            "status",
        ],
    ),
    (
        "zone_tasks",
        &[
            "id",
            "created_at",
            "updated_at",
            "version",
            "tenant_id",
            "zone_id",
            "task_type",
            "message",
            "status",
            "location",
        ],
    ),
];

/// Indexes upstream's alembic versions create (liberty, 7977deaa5167, a69b45715cc1, a005af3aa38e).
const UPSTREAM_INDEXES: &[(&str, &str)] = &[
    ("zones", "zone_deleted"),
    ("zones", "zone_tenant_deleted"),
    ("zones", "reverse_name_deleted"),
    ("zones", "zone_created_at"),
    ("zones", "delayed_notify"),
    ("zones", "increment_serial"),
    ("recordsets", "rrset_type_domainid"),
    ("recordsets", "recordset_type_name"),
    ("recordsets", "reverse_name_dom_id"),
    ("recordsets", "recordset_created_at"),
    ("recordsets", "rrset_updated_at"),
    ("recordsets", "rrset_zoneid"),
    ("recordsets", "rrset_type"),
    ("recordsets", "rrset_ttl"),
    ("recordsets", "rrset_tenant_id"),
    ("records", "records_tenant"),
    ("records", "record_created_at"),
    ("records", "update_status_index"),
];

async fn file_storage(dir: &tempfile::TempDir) -> SqlStorage {
    // Upstream's absolute form: three slashes, then the absolute path.
    let url = format!(
        "sqlite:///{}",
        dir.path().join("sub/designate.sqlite").display()
    );
    let s = SqlStorage::connect(&url).await.expect("connect");
    s.migrate().await.expect("migrate");
    s
}

async fn tables(s: &SqlStorage) -> BTreeMap<String, Vec<(String, String)>> {
    let mut conn = s.sqlite_writer().acquire().await.expect("acquire");
    let names: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%'",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("tables")
    .iter()
    .map(|r| r.get::<String, _>(0))
    .collect();
    let mut out = BTreeMap::new();
    for t in names {
        let cols = sqlx::query(&format!("PRAGMA table_info({t})"))
            .fetch_all(&mut *conn)
            .await
            .expect("table_info")
            .iter()
            .map(|r| (r.get::<String, _>("name"), r.get::<String, _>("type")))
            .collect();
        out.insert(t, cols);
    }
    out
}

#[tokio::test]
async fn contract_on_a_sqlite_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = file_storage(&dir).await;
    contract::run_all(&s).await;
    counts_without_their_row(&s).await;
    assert!(dir.path().join("sub/designate.sqlite").exists());
}

/// A zone without a `designate_zone_counts` row (a database adopted from upstream, whose zones
/// predate the table) is counted from its rows, by the quota read and the plain count alike.
/// Deletes every counts row of `s`: run it after the contract suite.
pub(super) async fn counts_without_their_row(s: &SqlStorage) {
    let tenant = Uuid::new_v4().simple().to_string();
    let z = contract::zone("uncounted.example.org.", &tenant, Uuid::new_v4());
    let a = contract::recordset(
        &z,
        "a.uncounted.example.org.",
        "A",
        &["192.0.2.1", "192.0.2.2"],
    );
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(&z).await.expect("create_zone");
    tx.create_recordset(&a).await.expect("create_recordset");
    tx.commit().await.expect("commit");
    let delete = "DELETE FROM designate_zone_counts";
    let deleted = match &s.pools {
        Pools::Sqlite { writer, .. } => sqlx::query(delete)
            .execute(writer)
            .await
            .map(|r| r.rows_affected()),
        Pools::Postgres(p) => sqlx::query(delete)
            .execute(p)
            .await
            .map(|r| r.rows_affected()),
        Pools::MySql(p) => sqlx::query(delete)
            .execute(p)
            .await
            .map(|r| r.rows_affected()),
    };
    assert!(deleted.expect("delete the counts rows") > 0);
    let mut tx = s.begin().await.expect("begin");
    let (quotas, counts) = tx
        .recordset_quota_inputs(z.id, &tenant)
        .await
        .expect("recordset_quota_inputs");
    assert!(quotas.is_empty());
    assert_eq!((counts.recordsets, counts.records), (1, 2));
    assert_eq!(
        tx.zone_content_counts(z.id)
            .await
            .expect("zone_content_counts"),
        counts
    );
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn contract_in_memory() {
    let s = SqlStorage::connect("sqlite::memory:")
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");
    contract::run_all(&s).await;
}

#[tokio::test]
async fn schema_has_upstreams_tables_and_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = file_storage(&dir).await;
    let got = tables(&s).await;
    for (table, cols) in UPSTREAM {
        let have = got
            .get(*table)
            .unwrap_or_else(|| panic!("missing table {table}"));
        let names: Vec<&str> = have.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, *cols, "columns of {table}");
        for (name, ty) in have {
            // SQLAlchemy's SQLite types for upstream's column types.
            let expected_uuid = name == "id"
                || name.ends_with("_id") && !name.contains("tenant") && !name.contains("project");
            if expected_uuid {
                assert_eq!(ty, "CHAR(32)", "{table}.{name}");
            }
            if name.ends_with("_at") {
                assert_eq!(ty, "DATETIME", "{table}.{name}");
            }
        }
    }
    let extra: Vec<_> = got
        .keys()
        // Tables of our own are named `designate_*` (leases, zone journal).
        .filter(|t| !t.starts_with("designate_") && !UPSTREAM.iter().any(|(u, _)| u == t))
        .collect();
    assert!(extra.is_empty(), "tables not in upstream: {extra:?}");

    let mut conn = s.sqlite_reader().acquire().await.expect("acquire");
    for (table, index) in UPSTREAM_INDEXES {
        let n: i64 = sqlx::query(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name = ?",
        )
        .bind(table)
        .bind(index)
        .fetch_one(&mut *conn)
        .await
        .expect("index")
        .get(0);
        assert_eq!(n, 1, "index {index} on {table}");
    }
}

#[tokio::test]
async fn stored_values_use_upstreams_encodings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = file_storage(&dir).await;
    let z = contract::zone("enc.example.org.", "p", Uuid::new_v4());
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(&z).await.expect("create");
    tx.commit().await.expect("commit");

    let mut conn = s.sqlite_reader().acquire().await.expect("acquire");
    let row = sqlx::query(
        "SELECT id, created_at, deleted, pool_id, delayed_notify, serial, type FROM zones",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("row");
    assert_eq!(row.get::<String, _>("id"), z.id.simple().to_string());
    assert_eq!(row.get::<String, _>("pool_id").len(), 32);
    let created: String = row.get("created_at");
    assert_eq!(
        created,
        z.created_at.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    );
    assert_eq!(created.len(), "2024-01-01 00:00:00.000000".len());
    assert_eq!(row.get::<String, _>("deleted"), "0");
    assert_eq!(row.get::<i64, _>("delayed_notify"), 0);
    assert_eq!(row.get::<i64, _>("serial"), i64::from(z.serial));
    assert_eq!(row.get::<String, _>("type"), "PRIMARY");
}

#[tokio::test]
async fn migrate_is_idempotent_and_keeps_an_existing_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("upstream.sqlite");
    let url = format!("sqlite:///{}", path.display());
    {
        // A database "upstream created": its zones table already exists, with a row.
        let s = SqlStorage::connect(&url).await.expect("connect");
        let mut conn = s.sqlite_writer().acquire().await.expect("acquire");
        let ddl = include_str!("../../migrations/sqlite/0001_upstream_schema.sql");
        sqlx::raw_sql(ddl)
            .execute(&mut *conn)
            .await
            .expect("upstream ddl");
        sqlx::query(
            "INSERT INTO zones (id, version, created_at, shard, tenant_id, name, email, type, ttl, \
             serial, refresh, retry, expire, minimum, status, action, pool_id, reverse_name) \
             VALUES ('0123456789abcdef0123456789abcdef', 1, '2020-01-02 03:04:05.000000', 18, \
             't', 'old.org.', 'e@old.org', 'PRIMARY', 300, 5, 1, 2, 3, 4, 'ACTIVE', 'NONE', \
             '794ccc2cd75144feb57f8894c9f5c842', '.gro.dlo')",
        )
        .execute(&mut *conn)
        .await
        .expect("upstream row");
        drop(conn);
        s.close().await;
    }
    let s = SqlStorage::connect(&url).await.expect("connect");
    s.migrate().await.expect("migrate over upstream's schema");
    s.migrate().await.expect("migrate again");
    let mut tx = s.begin_read().await.expect("begin_read");
    let id = Uuid::parse_str("0123456789abcdef0123456789abcdef").expect("uuid");
    let z = tx.get_zone(id).await.expect("upstream's zone");
    assert_eq!(z.name, "old.org.");
    assert!(!z.delayed_notify, "NULL booleans read as false");
    assert_eq!(z.updated_at, None);
}

#[tokio::test]
async fn readers_do_not_wait_for_an_open_writer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = file_storage(&dir).await;
    let z = contract::zone("busy.example.org.", "p", Uuid::new_v4());
    let mut w = s.begin().await.expect("begin");
    w.create_zone(&z).await.expect("create");
    // While the write is open, a reader starts, reads, and sees the committed state only.
    let mut r = tokio::time::timeout(Duration::from_secs(5), s.begin_read())
        .await
        .expect("reader not blocked")
        .expect("begin_read");
    assert!(matches!(
        r.get_zone(z.id).await,
        Err(StorageError::NotFound("zone"))
    ));
    w.commit().await.expect("commit");
    drop(r);
    let mut r = s.begin_read().await.expect("begin_read");
    assert_eq!(r.get_zone(z.id).await.expect("get"), z);
    // Read transactions cannot write.
    let other = contract::zone("ro.example.org.", "p", Uuid::new_v4());
    assert!(r.create_zone(&other).await.is_err());
}

#[tokio::test]
async fn writers_in_spawned_tasks_all_succeed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = Arc::new(file_storage(&dir).await);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let s = s.clone();
        tasks.spawn(async move {
            let z = contract::zone(&format!("t{i}.spawned.org."), "spawned", Uuid::new_v4());
            let mut tx = s.begin().await?;
            tx.create_zone(&z).await?;
            tx.commit().await
        });
    }
    while let Some(res) = tasks.join_next().await {
        res.expect("join").expect("write");
    }
    let mut tx = s.begin_read().await.expect("begin_read");
    let l = tx
        .find_zones(
            &Criteria::new().eq("tenant_id", "spawned"),
            &Page::default(),
        )
        .await
        .expect("find");
    assert_eq!(l.total_count, 20);
}

#[tokio::test]
async fn bad_urls_are_refused() {
    assert!(matches!(
        SqlStorage::connect("oracle://u@h/d").await,
        Err(StorageError::InvalidUrl(_))
    ));
}

impl SqlStorage {
    /// SQLite's plan for `sql` (tests only), one detail line per step; every `?` is bound to
    /// an all-zero 32-character id, so a statement built by the query code explains as is.
    pub(super) async fn sqlite_plan(&self, sql: &str) -> Vec<String> {
        let mut conn = self.sqlite_writer().acquire().await.expect("acquire");
        let text = format!("EXPLAIN QUERY PLAN {sql}");
        let mut query = sqlx::query(&text);
        for _ in 0..sql.matches('?').count() {
            query = query.bind("00000000000000000000000000000000");
        }
        query
            .fetch_all(&mut *conn)
            .await
            .expect("explain")
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect()
    }

    /// The SQLite writer pool (tests only).
    pub(super) fn sqlite_writer(&self) -> &SqlitePool {
        match &self.pools {
            Pools::Sqlite { writer, .. } => writer,
            _ => panic!("not sqlite"),
        }
    }

    /// The SQLite reader pool (tests only).
    fn sqlite_reader(&self) -> &SqlitePool {
        match &self.pools {
            Pools::Sqlite { reader, .. } => reader,
            _ => panic!("not sqlite"),
        }
    }
}

/// More zones than SQLite binds in one statement (32,766 values): the nameserver's sync lists
/// every zone at once, and the attribute and master reads of that listing bind one id per zone,
/// so they must go in chunks ("too many SQL variables" stopped a 100,000-zone nameserver).
#[tokio::test]
async fn listing_more_zones_than_sqlite_binds_in_one_statement() {
    let s = SqlStorage::connect("sqlite::memory:")
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");
    let pool_id = Uuid::new_v4();
    let mut tx = s.begin().await.expect("begin");
    for i in 0..33_000 {
        let z = contract::zone(&format!("z{i}.many.example."), "many", pool_id);
        tx.create_zone(&z).await.expect("create_zone");
    }
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    let all = tx
        .find_zones_uncounted(&Criteria::new(), &Page::default())
        .await
        .expect("every zone in one listing");
    assert_eq!(all.len(), 33_000);
}

/// The lookups every change makes — a zone by name (MiniDNS), the sub-zones of a zone, a
/// recordset by name (and type), a zone's SOA — are index ranges of their own equalities on
/// SQLite, never a walk of every live zone or of a whole zone's recordsets (which the
/// listing-order indexes offered, and SQLite, without statistics, took).
#[tokio::test]
async fn point_lookups_search_their_own_index_on_sqlite() {
    let s = SqlStorage::connect("sqlite::memory:")
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");
    let zones = "SELECT z.id FROM zones z WHERE z.deleted = '0' AND";
    let rs = "SELECT rs.id FROM recordsets rs JOIN zones z ON z.id = rs.zone_id \
              WHERE z.deleted = '0' AND rs.zone_id = ? AND";
    let order = |alias: &str| format!(" ORDER BY {alias}.created_at ASC, {alias}.id ASC LIMIT 100");
    for (query, index) in [
        (
            format!("{zones} z.name = ? COLLATE NOCASE{}", order("z")),
            "designate_zones_name_deleted_created (name=? AND deleted=?)",
        ),
        (
            format!(
                "{zones} z.name = ? COLLATE NOCASE AND z.type = ?{}",
                order("z")
            ),
            "designate_zones_name_deleted_created (name=? AND deleted=?)",
        ),
        (
            format!("{zones} z.parent_zone_id = ?{}", order("z")),
            "designate_zones_parent_deleted_created (parent_zone_id=? AND deleted=?)",
        ),
        (
            format!(
                "{rs} rs.name = ? COLLATE NOCASE AND rs.type = ?{}",
                order("rs")
            ),
            "designate_recordsets_zone_name_type_created (zone_id=? AND name=? AND type=?)",
        ),
        (
            format!("{rs} rs.name = ? COLLATE NOCASE{}", order("rs")),
            "designate_recordsets_zone_name_created (zone_id=? AND name=?)",
        ),
        (
            format!("{rs} rs.type = ?{}", order("rs")),
            "designate_recordsets_zone_type_created (zone_id=? AND type=?)",
        ),
    ] {
        let plan = s.sqlite_plan(&query).await;
        assert!(
            plan.iter().any(|step| step.ends_with(index)),
            "{query}\n{plan:#?}"
        );
    }
}
