//! The pool tables (`pools`, `pool_attributes`, `pool_ns_records`, `pool_nameservers`,
//! `pool_targets`, `pool_target_masters`, `pool_target_options`, `pool_also_notifies`) ↔ [`Pool`].
//!
//! Children are written as a whole (create, or delete-all-and-reinsert on update). Upstream's
//! child tables have no position column, yet the order of masters or nameservers in pools.yaml
//! matters to operators; each child row therefore gets a `created_at` one microsecond after the
//! previous one, and children are read back ordered by `created_at`.

use chrono::{Duration, NaiveDateTime};
use designate_core::objects::{
    Pool, PoolAttribute, PoolNameserver, PoolNsRecord, PoolTarget, PoolTargetMaster,
};
use uuid::Uuid;

use super::codec::RowReader;
use super::dialect::{Engine, KEY};
use super::query::{Conn, Sql, Val};
use crate::{PoolRevision, Result, StorageError};

/// Hands out increasing `created_at` values for child rows (see the module doc), one storable
/// step apart (a second on MySQL, whose upstream DATETIME columns keep no fraction).
struct Clock(NaiveDateTime, Duration);

impl Clock {
    fn new(now: NaiveDateTime, engine: Engine) -> Self {
        Self(now, engine.ts_step())
    }

    fn next(&mut self) -> NaiveDateTime {
        self.0 += self.1;
        self.0
    }
}

async fn insert(conn: &mut Conn, table: &str, cols: &[&str], values: Vec<Val>) -> Result<()> {
    Sql::insert(table, cols, values).execute(conn).await?;
    Ok(())
}

async fn insert_children(conn: &mut Conn, pool: &Pool, clock: &mut Clock) -> Result<()> {
    for a in &pool.attributes {
        let cols = ["id", "created_at", "version", KEY, "value", "pool_id"];
        let vals = vec![
            Uuid::new_v4().into(),
            clock.next().into(),
            1_i32.into(),
            a.key.clone().into(),
            a.value.clone().into(),
            pool.id.into(),
        ];
        insert(conn, "pool_attributes", &cols, vals).await?;
    }
    for ns in &pool.ns_records {
        let cols = [
            "id",
            "created_at",
            "version",
            "pool_id",
            "priority",
            "hostname",
        ];
        let vals = vec![
            Uuid::new_v4().into(),
            clock.next().into(),
            1_i32.into(),
            pool.id.into(),
            ns.priority.into(),
            ns.hostname.clone().into(),
        ];
        insert(conn, "pool_ns_records", &cols, vals).await?;
    }
    for (table, list) in [
        ("pool_nameservers", &pool.nameservers),
        ("pool_also_notifies", &pool.also_notifies),
    ] {
        for n in list {
            let cols = ["id", "version", "created_at", "pool_id", "host", "port"];
            let vals = vec![
                n.id.into(),
                1_i32.into(),
                clock.next().into(),
                pool.id.into(),
                n.host.clone().into(),
                n.port.into(),
            ];
            insert(conn, table, &cols, vals).await?;
        }
    }
    for t in &pool.targets {
        let cols = [
            "id",
            "version",
            "created_at",
            "pool_id",
            "type",
            "description",
        ];
        let vals = vec![
            t.id.into(),
            1_i32.into(),
            clock.next().into(),
            pool.id.into(),
            t.target_type.clone().into(),
            t.description.clone().into(),
        ];
        insert(conn, "pool_targets", &cols, vals).await?;
        for m in &t.masters {
            let cols = [
                "id",
                "version",
                "created_at",
                "pool_target_id",
                "host",
                "port",
            ];
            let vals = vec![
                Uuid::new_v4().into(),
                1_i32.into(),
                clock.next().into(),
                t.id.into(),
                m.host.clone().into(),
                m.port.into(),
            ];
            insert(conn, "pool_target_masters", &cols, vals).await?;
        }
        for o in &t.options {
            let cols = [
                "id",
                "version",
                "created_at",
                "pool_target_id",
                KEY,
                "value",
            ];
            let vals = vec![
                Uuid::new_v4().into(),
                1_i32.into(),
                clock.next().into(),
                t.id.into(),
                o.key.clone().into(),
                o.value.clone().into(),
            ];
            insert(conn, "pool_target_options", &cols, vals).await?;
        }
    }
    Ok(())
}

/// Inserts a pool with all its children.
pub(crate) async fn create(conn: &mut Conn, pool: &Pool) -> Result<()> {
    let now = chrono::Utc::now().naive_utc();
    let cols = [
        "id",
        "created_at",
        "version",
        "name",
        "description",
        "tenant_id",
    ];
    let vals = vec![
        pool.id.into(),
        now.into(),
        1_i32.into(),
        pool.name.clone().into(),
        pool.description.clone().into(),
        pool.tenant_id.clone().into(),
    ];
    insert(conn, "pools", &cols, vals).await?;
    insert_children(conn, pool, &mut Clock::new(now, conn.engine())).await
}

async fn rows(conn: &mut Conn, sql: &str, id: Uuid) -> Result<Vec<super::query::Row>> {
    let mut q = Sql::new(sql);
    q.bind(id).push(" ORDER BY x.created_at, x.id");
    q.fetch_all(conn).await
}

/// The NS records of a pool (none for an unknown pool), in the order [`get`] lists them.
pub(crate) async fn ns_records(conn: &mut Conn, id: Uuid) -> Result<Vec<PoolNsRecord>> {
    let sql = "SELECT x.priority, x.hostname FROM pool_ns_records x WHERE x.pool_id = ";
    rows(conn, sql, id)
        .await?
        .iter()
        .map(|row| {
            let r = RowReader::new(row, "pool_ns_records");
            Ok(PoolNsRecord {
                priority: r.int_as("priority")?,
                hostname: r.text("hostname")?,
            })
        })
        .collect()
}

/// `columns` of pool `id`'s row; `NotFound` without one.
async fn pool_row(conn: &mut Conn, id: Uuid, columns: &str) -> Result<super::query::Row> {
    let mut q = Sql::new(&format!("SELECT {columns} FROM pools WHERE id = "));
    q.bind(id);
    q.fetch_optional(conn)
        .await?
        .ok_or(StorageError::NotFound("pool"))
}

/// The pool row's version and `updated_at`.
pub(crate) async fn revision(conn: &mut Conn, id: Uuid) -> Result<PoolRevision> {
    let row = pool_row(conn, id, "version, updated_at").await?;
    let r = RowReader::new(&row, "pools");
    Ok(PoolRevision {
        version: r.int("version")?,
        updated_at: r.opt_ts("updated_at")?,
    })
}

/// A pool with all its children.
pub(crate) async fn get(conn: &mut Conn, id: Uuid) -> Result<Pool> {
    let row = pool_row(conn, id, "id, name, description, tenant_id").await?;
    let r = RowReader::new(&row, "pools");
    let mut pool = Pool {
        id: r.uuid("id")?,
        name: r.text("name")?,
        description: r.opt_text("description")?,
        tenant_id: r.opt_text("tenant_id")?,
        attributes: Vec::new(),
        ns_records: Vec::new(),
        nameservers: Vec::new(),
        targets: Vec::new(),
        also_notifies: Vec::new(),
    };

    let sql = format!("SELECT x.{KEY} AS k, x.value FROM pool_attributes x WHERE x.pool_id = ");
    for row in rows(conn, &sql, id).await? {
        let r = RowReader::new(&row, "pool_attributes");
        pool.attributes.push(PoolAttribute {
            key: r.text("k")?,
            value: r.text("value")?,
        });
    }
    pool.ns_records = ns_records(conn, id).await?;
    for table in ["pool_nameservers", "pool_also_notifies"] {
        let sql = format!("SELECT x.id, x.host, x.port FROM {table} x WHERE x.pool_id = ");
        let mut list = Vec::new();
        for row in rows(conn, &sql, id).await? {
            let r = RowReader::new(&row, table);
            list.push(PoolNameserver {
                id: r.uuid("id")?,
                host: r.text("host")?,
                port: r.int_as("port")?,
            });
        }
        if table == "pool_nameservers" {
            pool.nameservers = list;
        } else {
            pool.also_notifies = list;
        }
    }
    let sql = "SELECT x.id, x.type, x.description FROM pool_targets x WHERE x.pool_id = ";
    for row in rows(conn, sql, id).await? {
        let r = RowReader::new(&row, "pool_targets");
        pool.targets.push(PoolTarget {
            id: r.uuid("id")?,
            target_type: r.text("type")?,
            description: r.opt_text("description")?,
            masters: Vec::new(),
            options: Vec::new(),
        });
    }
    // Masters and options of every target of the pool: one query each.
    let sql = "SELECT x.pool_target_id, x.host, x.port FROM pool_target_masters x \
               JOIN pool_targets t ON t.id = x.pool_target_id WHERE t.pool_id = ";
    for row in rows(conn, sql, id).await? {
        let r = RowReader::new(&row, "pool_target_masters");
        let target = r.uuid("pool_target_id")?;
        if let Some(t) = pool.targets.iter_mut().find(|t| t.id == target) {
            t.masters.push(PoolTargetMaster {
                host: r.text("host")?,
                port: r.int_as("port")?,
            });
        }
    }
    let sql = format!(
        "SELECT x.pool_target_id, x.{KEY} AS k, x.value FROM pool_target_options x \
         JOIN pool_targets t ON t.id = x.pool_target_id WHERE t.pool_id = "
    );
    for row in rows(conn, &sql, id).await? {
        let r = RowReader::new(&row, "pool_target_options");
        let target = r.uuid("pool_target_id")?;
        if let Some(t) = pool.targets.iter_mut().find(|t| t.id == target) {
            t.options.push(PoolAttribute {
                key: r.text("k")?,
                value: r.text("value")?,
            });
        }
    }
    Ok(pool)
}

/// Every pool, by name.
pub(crate) async fn find(conn: &mut Conn) -> Result<Vec<Pool>> {
    let ids = Sql::new("SELECT id FROM pools ORDER BY name, id")
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| RowReader::new(row, "pools").uuid("id"))
        .collect::<Result<Vec<_>>>()?;
    let mut pools = Vec::with_capacity(ids.len());
    for id in ids {
        pools.push(get(conn, id).await?);
    }
    Ok(pools)
}

/// Rewrites a pool's row (`version + 1`) and replaces all its children.
pub(crate) async fn update(conn: &mut Conn, pool: &Pool) -> Result<()> {
    let now = chrono::Utc::now().naive_utc();
    let mut q = Sql::new("UPDATE pools SET name = ");
    q.bind(pool.name.clone())
        .push(", description = ")
        .bind(pool.description.clone())
        .push(", tenant_id = ")
        .bind(pool.tenant_id.clone())
        .push(", updated_at = ")
        .bind(now)
        .push(", version = version + 1 WHERE id = ")
        .bind(pool.id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound("pool"));
    }
    delete_children(conn, pool.id).await?;
    insert_children(conn, pool, &mut Clock::new(now, conn.engine())).await
}

/// Removes every child row of pool `id` (targets with their masters and options, attributes,
/// NS records, nameservers, also-notifies).
async fn delete_children(conn: &mut Conn, id: Uuid) -> Result<()> {
    // Grandchildren first: foreign keys may be off on a database upstream created.
    for table in ["pool_target_masters", "pool_target_options"] {
        let mut q = Sql::new(&format!(
            "DELETE FROM {table} WHERE pool_target_id IN (SELECT id FROM pool_targets WHERE pool_id = "
        ));
        q.bind(id).push(")");
        q.execute(conn).await?;
    }
    for table in [
        "pool_targets",
        "pool_attributes",
        "pool_ns_records",
        "pool_nameservers",
        "pool_also_notifies",
    ] {
        let mut q = Sql::new(&format!("DELETE FROM {table} WHERE pool_id = "));
        q.bind(id);
        q.execute(conn).await?;
    }
    Ok(())
}

/// Deletes pool `id` with all its children (upstream deletes pools for real, no soft delete).
/// Zones of the pool are the caller's concern (central refuses while any is left).
pub(crate) async fn delete(conn: &mut Conn, id: Uuid) -> Result<()> {
    delete_children(conn, id).await?;
    let mut q = Sql::new("DELETE FROM pools WHERE id = ");
    q.bind(id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound("pool"));
    }
    Ok(())
}
