//! A zone's SOA: read for MiniDNS as a recordset (SOA answers, transfers), and read and
//! rewritten in place for central's serial bump. Every read goes through upstream's
//! `rrset_type_domainid (type, zone_id)` and `records (recordset_id)` (the foreign key's index
//! on MySQL; migration 0130's `designate_records_recordset_id` on PostgreSQL and SQLite, whose
//! upstream schemas lack it).

use std::collections::HashMap;

use designate_core::objects::{Record, RecordSet, Zone};

use super::codec::RowReader;
use super::query::{Conn, Sql, Val, IN_CHUNK};
use super::recordsets::{
    attach_records, record_from_row, recordset_columns, recordset_from_row, select_recordsets,
    RECORDS,
};
use crate::{Result, SoaRecord, StorageError, ZoneSoa};
use uuid::Uuid;

/// The SOA recordset of live zone `zone` with its records; the oldest when there are several.
pub(crate) async fn soa_recordset(conn: &mut Conn, zone: &Zone) -> Result<Option<RecordSet>> {
    let mut sets = soa_recordsets_query(zone.id)
        .fetch_all(conn)
        .await?
        .iter()
        .map(recordset_from_row)
        .collect::<Result<Vec<_>>>()?;
    // The oldest first, as every listing orders them (see `soa_recordsets_query`).
    sets.sort_by_key(|s| (s.created_at, s.id));
    sets.truncate(1);
    attach_records(conn, &mut sets).await?;
    Ok(sets.into_iter().next())
}

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

/// Every record of the zone's SOA recordsets with its recordset's TTL, oldest recordset first
/// (one statement: `rrset_type_domainid (type, zone_id)`, then `records (recordset_id)`), and
/// on each row the pool's MNAME (a subquery on `pool_ns_records`' pool index, so a bump reads
/// no more than before in one statement less).
pub(crate) async fn soa_records(
    conn: &mut Conn,
    zone_id: Uuid,
    pool_id: Option<Uuid>,
) -> Result<ZoneSoa> {
    let mut q = Sql::new(&format!(
        "SELECT {}, rs.ttl AS recordset_ttl",
        RECORDS.select_list("r")
    ));
    if let Some(pool_id) = pool_id {
        // The order `pools::ns_records` lists them in, sorted (stably) by priority.
        q.push(", (SELECT x.hostname FROM pool_ns_records x WHERE x.pool_id = ")
            .bind(pool_id)
            .push(" ORDER BY x.priority, x.created_at, x.id LIMIT 1) AS pool_mname");
    }
    q.push(
        " FROM recordsets rs JOIN records r ON r.recordset_id = rs.id \
         WHERE rs.type = 'SOA' AND rs.zone_id = ",
    )
    .bind(zone_id)
    .push(" ORDER BY rs.created_at, rs.id, r.created_at, r.data, r.id");
    let rows = q.fetch_all(conn).await?;
    let pool_mname = match (pool_id, rows.first()) {
        (Some(_), Some(row)) => RowReader::new(row, "pool_ns_records").opt_text("pool_mname")?,
        _ => None,
    };
    let records = rows
        .iter()
        .map(|row| {
            Ok(SoaRecord {
                record: record_from_row(row)?,
                ttl: RowReader::new(row, "recordsets").opt_int_as("recordset_ttl")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok(ZoneSoa {
        records,
        pool_mname,
    })
}

/// [`soa_records`] of several zones in one statement (the pool MNAME a CASE on the zone),
/// records ordered as there per zone.
pub(crate) async fn soa_records_of(
    conn: &mut Conn,
    zones: &[(Uuid, Option<Uuid>)],
) -> Result<Vec<ZoneSoa>> {
    let mut out: Vec<ZoneSoa> = zones
        .iter()
        .map(|_| ZoneSoa {
            records: Vec::new(),
            pool_mname: None,
        })
        .collect();
    let mut index: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for (i, (zone_id, _)) in zones.iter().enumerate() {
        index.entry(*zone_id).or_default().push(i);
    }
    let ids: Vec<Uuid> = index.keys().copied().collect();
    // Each zone's pool as the caller named it (every zone named once per chunk: its first).
    let pool_of: HashMap<Uuid, Uuid> = zones
        .iter()
        .rev()
        .filter_map(|(zone_id, pool_id)| pool_id.map(|p| (*zone_id, p)))
        .collect();
    for chunk in ids.chunks(IN_CHUNK / 4) {
        let mut q = Sql::new(&format!(
            "SELECT {}, rs.ttl AS recordset_ttl, \
             (SELECT x.hostname FROM pool_ns_records x WHERE x.pool_id = ",
            RECORDS.select_list("r")
        ));
        let named: Vec<(Uuid, Uuid)> = chunk
            .iter()
            .filter_map(|zone_id| pool_of.get(zone_id).map(|pool_id| (*zone_id, *pool_id)))
            .collect();
        if named.is_empty() {
            q.push("NULL");
        } else {
            q.push("CASE rs.zone_id");
            for (zone_id, pool_id) in named {
                q.push(" WHEN ").bind(zone_id).push(" THEN ").bind(pool_id);
            }
            q.push(" END");
        }
        q.push(
            " ORDER BY x.priority, x.created_at, x.id LIMIT 1) AS pool_mname \
             FROM recordsets rs JOIN records r ON r.recordset_id = rs.id \
             WHERE rs.type = 'SOA' AND rs.zone_id IN ",
        );
        q.bind_list(chunk.iter().copied())
            .push(" ORDER BY rs.created_at, rs.id, r.created_at, r.data, r.id");
        for row in &q.fetch_all(conn).await? {
            let record = record_from_row(row)?;
            let ttl = RowReader::new(row, "recordsets").opt_int_as("recordset_ttl")?;
            let mname = RowReader::new(row, "pool_ns_records").opt_text("pool_mname")?;
            for &i in index.get(&record.zone_id).into_iter().flatten() {
                let soa = &mut out[i];
                // The MNAME of the pool the caller named, as the single form reads it.
                if zones[i].1.is_some() && soa.records.is_empty() {
                    soa.pool_mname.clone_from(&mname);
                }
                soa.records.push(SoaRecord {
                    record: record.clone(),
                    ttl,
                });
            }
        }
    }
    Ok(out)
}

/// [`rewrite_soa_record`] of several records in two UPDATEs, when they share status, action
/// and `updated_at` (a batch's bumps do); one by one otherwise.
pub(crate) async fn rewrite_soa_records(conn: &mut Conn, records: &[Record]) -> Result<()> {
    let Some(first) = records.first() else {
        return Ok(());
    };
    let alike = records.iter().all(|r| {
        r.status == first.status && r.action == first.action && r.updated_at == first.updated_at
    });
    if !alike || records.len() > IN_CHUNK / 4 {
        for record in records {
            rewrite_soa_record(conn, record).await?;
        }
        return Ok(());
    }
    let updated_at = first
        .updated_at
        .unwrap_or_else(|| conn.engine().stored_now());
    let mut q = Sql::new("UPDATE records SET version = version + 1, updated_at = ");
    q.bind(updated_at);
    for (column, value) in [
        (
            "data",
            (|r: &Record| Val::from(r.data.as_str())) as fn(&Record) -> Val,
        ),
        ("hash", |r: &Record| Val::from(r.hash.as_str())),
        ("serial", |r: &Record| Val::from(r.serial)),
    ] {
        q.push(&format!(", {column} = CASE id"));
        for r in records {
            q.push(" WHEN ").bind(r.id).push(" THEN ").bind(value(r));
        }
        q.push(" END");
    }
    q.push(", status = ")
        .bind(first.status.as_str())
        .push(", action = ")
        .bind(first.action.as_str())
        .push(" WHERE id IN ")
        .bind_list(records.iter().map(|r| r.id));
    if q.execute(conn).await? != records.len() as u64 {
        return Err(StorageError::NotFound("record"));
    }
    let mut q = Sql::new("UPDATE recordsets SET version = version + 1, updated_at = ");
    q.bind(updated_at)
        .push(" WHERE id IN ")
        .bind_list(records.iter().map(|r| r.recordset_id));
    q.execute(conn).await?;
    Ok(())
}

/// Rewrites one SOA record in place and stamps its recordset: two single-row UPDATEs.
pub(crate) async fn rewrite_soa_record(conn: &mut Conn, record: &Record) -> Result<()> {
    let updated_at = record
        .updated_at
        .unwrap_or_else(|| conn.engine().stored_now());
    let mut q = Sql::new("UPDATE records SET version = version + 1, updated_at = ");
    q.bind(updated_at)
        .push(", data = ")
        .bind(record.data.as_str())
        .push(", hash = ")
        .bind(record.hash.as_str())
        .push(", serial = ")
        .bind(record.serial)
        .push(", status = ")
        .bind(record.status.as_str())
        .push(", action = ")
        .bind(record.action.as_str())
        .push(" WHERE id = ")
        .bind(record.id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound("record"));
    }
    let mut q = Sql::new("UPDATE recordsets SET version = version + 1, updated_at = ");
    q.bind(updated_at)
        .push(" WHERE id = ")
        .bind(record.recordset_id);
    q.execute(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::recordsets::records_of_recordsets_query;
    use crate::sql::SqlStorage;

    #[tokio::test]
    async fn soa_reads_use_indexes_on_sqlite() {
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
        let records = records_of_recordsets_query(&[Uuid::nil()]);
        let r_plan = s.sqlite_plan(records.text()).await;
        assert!(
            r_plan
                .iter()
                .any(|d| d.contains("designate_records_recordset_id")),
            "{r_plan:?}"
        );
        for detail in rs_plan.iter().chain(&r_plan) {
            assert!(!detail.starts_with("SCAN"), "{rs_plan:?} {r_plan:?}");
        }
    }
}
