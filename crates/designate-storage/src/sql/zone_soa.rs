//! A zone's SOA recordset read without scanning `records`.
//!
//! Upstream's SQLite and PostgreSQL schemas index no column of `records` that leads to one
//! recordset's rows (`recordset_id` and `zone_id` are unindexed there; MySQL's foreign keys do
//! carry indexes), so loading a recordset's records by `recordset_id` scans the whole table —
//! ~200 ms at a million records, on every SOA query and zone transfer. The SOA recordset itself
//! is found through `rrset_type_domainid (type, zone_id)`; its record is then looked up through
//! the unique `hash` index: central writes exactly one SOA record, with data derived from the
//! zone row and the pool's NS hostnames, so the hash of that expected data finds it directly.
//! When the stored record is anything else (a rewrite still pending, a pool change, data written
//! by something other than central) nothing matches and the records are read the slow way, so
//! the answer is always what is stored.

use designate_core::name::email_to_rname;
use designate_core::objects::{record_hash, RecordSet, Zone};

use super::codec::RowReader;
use super::query::{Conn, Sql};
use super::recordsets::{
    attach_records, record_from_row, recordset_columns, recordset_from_row, select_recordsets,
    RECORDS, RECORD_ORDER,
};
use crate::Result;
use uuid::Uuid;

/// The SOA recordset of live zone `zone` with its records; `None` when it has none.
pub(crate) async fn soa_recordset(conn: &mut Conn, zone: &Zone) -> Result<Option<RecordSet>> {
    let mut sets = soa_recordsets_query(zone.id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(recordset_from_row)
        .collect::<Result<Vec<_>>>()?;
    if sets.is_empty() {
        return Ok(None);
    }
    // The oldest first, as every listing orders them (see `soa_recordsets_query`).
    sets.sort_by_key(|s| (s.created_at, s.id));
    if sets.len() == 1 {
        let hashes: Vec<String> = expected_soa_data(conn, zone)
            .await?
            .iter()
            .map(|data| record_hash(&sets[0].id, data))
            .collect();
        if !hashes.is_empty() {
            let records = records_by_hash_query(hashes, sets[0].id)
                .fetch_all(conn)
                .await?
                .iter()
                .map(record_from_row)
                .collect::<Result<Vec<_>>>()?;
            if !records.is_empty() {
                sets[0].records = records;
                return Ok(sets.into_iter().next());
            }
        }
    }
    attach_records(conn, &mut sets).await?;
    Ok(sets.into_iter().next())
}

/// The SOA recordsets of a live zone (one, as central writes it), through
/// `rrset_type_domainid (type, zone_id)` and the zones primary key.
fn soa_recordsets_query(zone_id: Uuid) -> Sql {
    let mut q = Sql::new(&select_recordsets(&recordset_columns()));
    // Sorted by the caller: ordered by created_at here, SQLite would walk the zone's recordsets
    // through `designate_recordsets_zone_created (zone_id, created_at, id)` to save a sort of
    // the (single) SOA row instead of seeking `rrset_type_domainid`.
    q.push(" WHERE z.deleted = '0' AND rs.type = 'SOA' AND rs.zone_id = ")
        .bind(zone_id)
        .push(" ORDER BY rs.id");
    q
}

/// The records of `recordset_id` among those with one of `hashes`, through the unique `hash`
/// index.
fn records_by_hash_query(hashes: Vec<String>, recordset_id: Uuid) -> Sql {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM records r WHERE r.hash IN ",
        RECORDS.select_list("r")
    ));
    q.bind_list(hashes)
        .push(" AND r.recordset_id = ")
        .bind(recordset_id)
        .push(RECORD_ORDER);
    q
}

/// The SOA data central would have written for `zone`, one candidate per NS hostname of its pool
/// (any of them may be the MNAME: the first by priority, ties in load order).
async fn expected_soa_data(conn: &mut Conn, zone: &Zone) -> Result<Vec<String>> {
    let Some(pool_id) = zone.pool_id else {
        return Ok(Vec::new());
    };
    let mut q = Sql::new("SELECT x.hostname FROM pool_ns_records x WHERE x.pool_id = ");
    q.bind(pool_id);
    let rname = email_to_rname(&zone.email);
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let host = RowReader::new(row, "pool_ns_records").text("hostname")?;
            Ok(format!(
                "{host} {rname} {} {} {} {} {}",
                zone.serial, zone.refresh, zone.retry, zone.expire, zone.minimum
            ))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::SqlStorage;

    /// Both statements of the direct read seek through upstream's indexes; neither scans a
    /// table (the records-by-recordset read they replace does: `SCAN r`).
    #[tokio::test]
    async fn direct_soa_read_uses_upstream_indexes_on_sqlite() {
        let s = SqlStorage::connect("sqlite::memory:")
            .await
            .expect("connect");
        s.migrate().await.expect("migrate");
        let rs_plan = s
            .sqlite_plan(soa_recordsets_query(Uuid::nil()).text())
            .await;
        assert!(
            rs_plan.iter().any(|d| d.contains("rrset_type_domainid")),
            "{rs_plan:?}"
        );
        let by_hash = records_by_hash_query(vec!["a".into(), "b".into()], Uuid::nil());
        let r_plan = s.sqlite_plan(by_hash.text()).await;
        assert!(
            // `unique_record (hash)` is a table constraint: SQLite names its index itself.
            r_plan
                .iter()
                .any(|d| d.starts_with("SEARCH r USING INDEX") && d.ends_with("(hash=?)")),
            "{r_plan:?}"
        );
        for detail in rs_plan.iter().chain(&r_plan) {
            assert!(!detail.starts_with("SCAN"), "{rs_plan:?} {r_plan:?}");
        }
    }
}
