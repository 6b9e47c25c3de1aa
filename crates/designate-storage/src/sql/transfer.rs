//! A zone's records for a zone transfer, page by page: keyset pagination on
//! `(records.recordset_id, records.id)` within the zone, joined to the owning recordset by its
//! primary key. Memory stays bounded by the page size, however large the zone.
//!
//! On SQLite and PostgreSQL our own index `designate_records_transfer` (migration 0150) serves
//! each page as one range of `(zone_id, recordset_id, id)`: a transfer reads only its zone's
//! entries, in recordset order, so the recordset lookups walk the recordsets index forwards
//! instead of jumping around it (`records.id` order did: one random lookup per record, and one
//! pass over every zone's records per page). On SQLite both indexes cover the query (`data`,
//! `action`; `type`, `ttl`, `name`), so no table row is read at all. MySQL/MariaDB keep
//! upstream's indexes unchanged (adoption); there the same query runs on the foreign-key index.

use uuid::Uuid;

use super::codec::RowReader;
use super::dialect::Engine;
use super::query::{Conn, Sql};
use crate::{Result, TransferCursor, TransferRecord};

/// Up to `limit` live, non-SOA records of `zone_id` after `after`, by (recordset, record).
pub(crate) async fn page(
    conn: &mut Conn,
    zone_id: Uuid,
    after: Option<TransferCursor>,
    limit: u32,
) -> Result<Vec<TransferRecord>> {
    page_query(conn.engine(), zone_id, after, limit)
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let r = RowReader::new(row, "records");
            Ok(TransferRecord {
                recordset_id: r.uuid("recordset_id")?,
                id: r.uuid("id")?,
                name: r.text("name")?,
                rtype: r.text("type")?,
                ttl: r.opt_int_as("ttl")?,
                data: r.text("data")?,
            })
        })
        .collect()
}

fn page_query(engine: Engine, zone_id: Uuid, after: Option<TransferCursor>, limit: u32) -> Sql {
    let mut q = Sql::new(
        "SELECT r.recordset_id AS recordset_id, r.id AS id, rs.name AS name, rs.type AS type, \
         rs.ttl AS ttl, r.data AS data \
         FROM records r JOIN recordsets rs ON rs.id = r.recordset_id \
         WHERE r.zone_id = ",
    );
    q.bind(zone_id)
        .push(" AND rs.type <> 'SOA' AND r.action <> 'DELETE'");
    if let Some(after) = after {
        if engine == Engine::MySql {
            // MySQL's optimizer does not range-scan row-value comparisons reliably.
            q.push(" AND (r.recordset_id > ")
                .bind(after.recordset_id)
                .push(" OR (r.recordset_id = ")
                .bind(after.recordset_id)
                .push(" AND r.id > ")
                .bind(after.id)
                .push("))");
        } else {
            q.push(" AND (r.recordset_id, r.id) > (")
                .bind(after.recordset_id)
                .push(", ")
                .bind(after.id)
                .push(")");
        }
    }
    q.push(" ORDER BY r.recordset_id, r.id LIMIT ")
        .bind(i64::from(limit.max(1)));
    q
}

#[cfg(test)]
mod tests {
    use sqlx::Row as _;

    use super::*;
    use crate::sql::SqlStorage;

    /// A later page's query is one range of our covering index and one seek per recordset:
    /// no sort, no scan.
    #[tokio::test]
    async fn transfer_page_is_a_covering_index_range_on_sqlite() {
        let s = SqlStorage::connect("sqlite::memory:")
            .await
            .expect("connect");
        s.migrate().await.expect("migrate");
        let cursor = TransferCursor {
            recordset_id: Uuid::nil(),
            id: Uuid::nil(),
        };
        let q = page_query(Engine::Sqlite, Uuid::nil(), Some(cursor), 2000);
        let mut conn = s.sqlite_writer().acquire().await.expect("acquire");
        let text = format!("EXPLAIN QUERY PLAN {}", q.text());
        let mut query = sqlx::query(&text);
        for _ in 0..q.text().matches('?').count() {
            query = query.bind("00000000000000000000000000000000");
        }
        let plan: Vec<String> = query
            .fetch_all(&mut *conn)
            .await
            .expect("explain")
            .iter()
            .map(|r| r.get::<String, _>("detail"))
            .collect();
        assert!(
            plan.iter()
                .any(|d| d.contains("COVERING INDEX designate_records_transfer")),
            "{plan:?}"
        );
        // Which recordsets index serves the `id = ?` seek is up to SQLite's statistics (on an
        // ANALYZEd 1,000,000-record store it is the covering designate_recordsets_transfer;
        // on this empty one the primary key): either is one seek, never a scan.
        assert!(
            plan.iter()
                .any(|d| d.starts_with("SEARCH rs USING") && d.ends_with("(id=?)")),
            "{plan:?}"
        );
        for detail in &plan {
            assert!(
                !detail.starts_with("SCAN") && !detail.contains("TEMP B-TREE"),
                "{plan:?}"
            );
        }
    }
}
