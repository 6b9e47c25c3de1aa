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

/// The SOA recordset of live zone `zone` with its records; `None` when it has none.
pub(crate) async fn soa_recordset(conn: &mut Conn, zone: &Zone) -> Result<Option<RecordSet>> {
    let mut q = Sql::new(&select_recordsets(&recordset_columns()));
    q.push(" WHERE z.deleted = '0' AND rs.type = 'SOA' AND rs.zone_id = ")
        .bind(zone.id)
        .push(" ORDER BY rs.created_at, rs.id");
    let mut sets = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(recordset_from_row)
        .collect::<Result<Vec<_>>>()?;
    if sets.is_empty() {
        return Ok(None);
    }
    if sets.len() == 1 {
        let hashes: Vec<String> = expected_soa_data(conn, zone)
            .await?
            .iter()
            .map(|data| record_hash(&sets[0].id, data))
            .collect();
        if !hashes.is_empty() {
            let mut q = Sql::new(&format!(
                "SELECT {} FROM records r WHERE r.hash IN ",
                RECORDS.select_list("r")
            ));
            q.bind_list(hashes)
                .push(" AND r.recordset_id = ")
                .bind(sets[0].id)
                .push(RECORD_ORDER);
            let records = q
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
