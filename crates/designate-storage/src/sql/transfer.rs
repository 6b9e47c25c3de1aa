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
//!
//! On SQLite a page comes back as **one row**: the page's records aggregated into a JSON array by
//! SQLite itself. sqlx runs SQLite on a thread of its own and hands every result row to the async
//! side through a channel, one wake-up of the reading task (two context switches) per row; a
//! profile of a 1,000,000-record AXFR spent most of its 20 CPU seconds there and in the per-column
//! copies of each row. One row per page makes that cost per page (500 per million records).

use uuid::Uuid;

use super::codec::RowReader;
use super::dialect::{self, Engine};
use super::query::{Conn, Sql};
use crate::{Result, StorageError, TransferCursor, TransferRecord};

/// Up to `limit` live, non-SOA records of `zone_id` after `after`, by (recordset, record).
pub(crate) async fn page(
    conn: &mut Conn,
    zone_id: Uuid,
    after: Option<TransferCursor>,
    limit: u32,
) -> Result<Vec<TransferRecord>> {
    if conn.engine() == Engine::Sqlite {
        return sqlite_page(conn, zone_id, after, limit).await;
    }
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

/// One page on SQLite, as one JSON array of `[recordset_id, id, name, type, ttl, data]`.
///
/// The aggregate takes the subquery's rows as its `ORDER BY … LIMIT` produced them. SQLite does
/// not promise that order (an aggregate `ORDER BY` would, but costs a sort of every page into a
/// temporary B-tree, a fifth of a large transfer's CPU), so the page is checked and sorted here
/// if needed: the last entry is the next page's cursor.
async fn sqlite_page(
    conn: &mut Conn,
    zone_id: Uuid,
    after: Option<TransferCursor>,
    limit: u32,
) -> Result<Vec<TransferRecord>> {
    let mut q = Sql::new(
        "SELECT json_group_array(json_array(recordset_id, id, name, type, ttl, data)) \
         AS page FROM (",
    );
    q.append(page_query(Engine::Sqlite, zone_id, after, limit))
        .push(")");
    let rows = q.fetch_all(conn).await?;
    let Some(row) = rows.first() else {
        return Ok(Vec::new());
    };
    let json = RowReader::new(row, "records").text("page")?;
    let mut page = decode_sqlite_page(&json)?;
    if !page.windows(2).all(|w| w[0].cursor() < w[1].cursor()) {
        page.sort_unstable_by_key(TransferRecord::cursor);
    }
    Ok(page)
}

/// The records of one aggregated SQLite page.
fn decode_sqlite_page(json: &str) -> Result<Vec<TransferRecord>> {
    type Entry<'a> = (&'a str, &'a str, String, String, Option<i64>, String);
    let corrupt = |message: String| StorageError::Corrupt {
        table: "records",
        column: "data",
        message,
    };
    let entries: Vec<Entry<'_>> =
        serde_json::from_str(json).map_err(|e| corrupt(format!("transfer page: {e}")))?;
    let uuid = |text: &str| {
        dialect::uuid_from_db(text).ok_or_else(|| corrupt(format!("not a uuid: {text:?}")))
    };
    entries
        .into_iter()
        .map(|(recordset_id, id, name, rtype, ttl, data)| {
            Ok(TransferRecord {
                recordset_id: uuid(recordset_id)?,
                id: uuid(id)?,
                name,
                rtype,
                ttl: ttl
                    .map(|t| i32::try_from(t).map_err(|_| corrupt(format!("ttl {t} out of range"))))
                    .transpose()?,
                data,
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

    use super::*;
    use crate::sql::SqlStorage;

    /// The aggregated SQLite page decodes to the rows the plain query returns, NULL TTLs
    /// included, and a damaged value is `Corrupt`, never a panic.
    #[test]
    fn aggregated_sqlite_page_decodes_and_refuses_damage() {
        let json = r#"[["0000000000000000000000000000000a","0000000000000000000000000000000b",
            "www.example.org.","A",300,"192.0.2.1"],
            ["0000000000000000000000000000000a","0000000000000000000000000000000c",
            "www.example.org.","A",null,"192.0.2.2"]]"#;
        let rows = decode_sqlite_page(json).expect("decode");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].recordset_id, Uuid::from_u128(10));
        assert_eq!(rows[1].id, Uuid::from_u128(12));
        assert_eq!((rows[0].ttl, rows[1].ttl), (Some(300), None));
        assert_eq!(rows[1].data, "192.0.2.2");
        assert_eq!(decode_sqlite_page("[]").expect("empty").len(), 0);
        for bad in [
            r#"[["nope","0000000000000000000000000000000b","a.","A",1,"x"]]"#,
            r#"[["0000000000000000000000000000000a","0000000000000000000000000000000b","a.","A",99999999999,"x"]]"#,
            r#"[["0000000000000000000000000000000a"]]"#,
            "not json",
        ] {
            assert!(
                matches!(decode_sqlite_page(bad), Err(StorageError::Corrupt { .. })),
                "{bad}"
            );
        }
    }

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
        let plan = s.sqlite_plan(q.text()).await;
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
