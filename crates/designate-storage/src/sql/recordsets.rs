//! The `recordsets` and `records` tables ↔ [`RecordSet`] / [`Record`]. Column `type` holds
//! `RecordSet::rtype`; `RecordSet::zone_name` comes from a join with `zones`. Records are always
//! loaded in bulk (one query per page of recordsets, or per zone), never one query per recordset.

use std::collections::HashMap;

use designate_core::criteria::{Criteria, Filter, Listing, Page};
use designate_core::objects::{Action, Record, RecordSet, RecordStatus};
use uuid::Uuid;

use super::codec::RowReader;
use super::listing::{col, push_criteria, push_page, Kind, Table};
use super::query::{Conn, Sql, Val, IN_CHUNK};
use super::zone_counts;
use super::zones::exists;
use crate::{Result, StorageError};

/// Columns of `recordsets`, in upstream's order; also the filter and sort allow-list.
pub(crate) static RECORDSETS: Table = Table {
    name: "recordsets",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("zone_shard", Kind::Int, false),
        col("tenant_id", Kind::Text, true),
        col("zone_id", Kind::Uuid, false),
        col("name", Kind::DnsName, false),
        col("type", Kind::Enum, false),
        col("ttl", Kind::Int, true),
        col("description", Kind::Text, true),
        col("reverse_name", Kind::Text, false),
    ],
};

/// Columns of `records`, in upstream's order.
pub(crate) static RECORDS: Table = Table {
    name: "records",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("zone_shard", Kind::Int, false),
        col("tenant_id", Kind::Text, true),
        col("zone_id", Kind::Uuid, false),
        col("recordset_id", Kind::Uuid, false),
        col("data", Kind::Text, false),
        col("description", Kind::Text, true),
        col("hash", Kind::Text, false),
        col("managed", Kind::Bool, true),
        col("managed_extra", Kind::Text, true),
        col("managed_plugin_type", Kind::Text, true),
        col("managed_plugin_name", Kind::Text, true),
        col("managed_resource_type", Kind::Text, true),
        col("managed_resource_region", Kind::Text, true),
        col("managed_resource_id", Kind::Uuid, true),
        col("managed_tenant_id", Kind::Text, true),
        col("status", Kind::Enum, false),
        col("action", Kind::Enum, false),
        col("serial", Kind::Int, false),
    ],
};

/// Record columns a recordset listing may be filtered by (upstream's API filters `data` and
/// `status` on recordsets): a recordset matches when any of its records does.
const RECORD_FILTERS: &[&str] = &["data", "status"];

/// Records are listed in the order they were created, then by data for a stable order among
/// records created together.
pub(super) const RECORD_ORDER: &str = " ORDER BY r.created_at, r.data, r.id";

fn recordset_values(rs: &RecordSet) -> Vec<Val> {
    vec![
        rs.id.into(),
        rs.version.into(),
        rs.created_at.into(),
        rs.updated_at.into(),
        rs.zone_shard.into(),
        rs.tenant_id.clone().into(),
        rs.zone_id.into(),
        rs.name.clone().into(),
        rs.rtype.clone().into(),
        rs.ttl.into(),
        rs.description.clone().into(),
        rs.reverse_name.clone().into(),
    ]
}

fn record_values(r: &Record) -> Vec<Val> {
    vec![
        r.id.into(),
        r.version.into(),
        r.created_at.into(),
        r.updated_at.into(),
        r.zone_shard.into(),
        r.tenant_id.clone().into(),
        r.zone_id.into(),
        r.recordset_id.into(),
        r.data.clone().into(),
        r.description.clone().into(),
        r.hash.clone().into(),
        r.managed.into(),
        r.managed_extra.clone().into(),
        r.managed_plugin_type.clone().into(),
        r.managed_plugin_name.clone().into(),
        r.managed_resource_type.clone().into(),
        r.managed_resource_region.clone().into(),
        r.managed_resource_id.into(),
        r.managed_tenant_id.clone().into(),
        r.status.as_str().into(),
        r.action.as_str().into(),
        r.serial.into(),
    ]
}

pub(super) fn recordset_from_row(row: &super::query::Row) -> Result<RecordSet> {
    let r = RowReader::new(row, "recordsets");
    Ok(RecordSet {
        id: r.uuid("id")?,
        version: r.int_as("version")?,
        created_at: r.created_at()?,
        updated_at: r.opt_ts("updated_at")?,
        zone_shard: r.int_as("zone_shard")?,
        tenant_id: r.opt_text("tenant_id")?,
        zone_id: r.uuid("zone_id")?,
        zone_name: r.text("zone_name")?,
        name: r.text("name")?,
        rtype: r.text("type")?,
        ttl: r.opt_int_as("ttl")?,
        description: r.opt_text("description")?,
        reverse_name: r.text("reverse_name")?,
        records: Vec::new(),
    })
}

pub(super) fn record_from_row(row: &super::query::Row) -> Result<Record> {
    let r = RowReader::new(row, "records");
    Ok(Record {
        id: r.uuid("id")?,
        version: r.int_as("version")?,
        created_at: r.created_at()?,
        updated_at: r.opt_ts("updated_at")?,
        zone_shard: r.int_as("zone_shard")?,
        tenant_id: r.opt_text("tenant_id")?,
        zone_id: r.uuid("zone_id")?,
        recordset_id: r.uuid("recordset_id")?,
        data: r.text("data")?,
        description: r.opt_text("description")?,
        hash: r.text("hash")?,
        managed: r.flag("managed")?,
        managed_extra: r.opt_text("managed_extra")?,
        managed_plugin_type: r.opt_text("managed_plugin_type")?,
        managed_plugin_name: r.opt_text("managed_plugin_name")?,
        managed_resource_type: r.opt_text("managed_resource_type")?,
        managed_resource_region: r.opt_text("managed_resource_region")?,
        managed_resource_id: r.opt_uuid("managed_resource_id")?,
        managed_tenant_id: r.opt_text("managed_tenant_id")?,
        status: r.parse("status")?,
        action: r.parse("action")?,
        serial: r.int_as("serial")?,
    })
}

fn names(table: &Table) -> Vec<&'static str> {
    table.cols.iter().map(|c| c.name).collect()
}

/// `SELECT rs.…, z.name AS zone_name FROM recordsets rs JOIN zones z …`.
pub(super) fn select_recordsets(what: &str) -> String {
    format!("SELECT {what} FROM recordsets rs JOIN zones z ON z.id = rs.zone_id")
}

pub(super) fn recordset_columns() -> String {
    format!("{}, z.name AS zone_name", RECORDSETS.select_list("rs"))
}

/// Inserts a recordset row and its records.
pub(crate) async fn create(conn: &mut Conn, rs: &RecordSet) -> Result<()> {
    Sql::insert("recordsets", &names(&RECORDSETS), recordset_values(rs))
        .execute(conn)
        .await?;
    insert_records(conn, rs.records.iter()).await?;
    let records = zone_counts::unmanaged(rs.records.iter().map(|r| &r.managed));
    zone_counts::add(conn, rs.zone_id, 1, records).await
}

/// Inserts records with as few multi-row INSERTs as the bind limits allow.
async fn insert_records<'a>(
    conn: &mut Conn,
    records: impl Iterator<Item = &'a Record>,
) -> Result<()> {
    let records: Vec<&Record> = records.collect();
    let record_names = names(&RECORDS);
    for chunk in records.chunks(INSERT_CHUNK) {
        Sql::insert_many(
            "records",
            &record_names,
            chunk.iter().map(|r| record_values(r)).collect(),
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// What the placement rules of a recordset name look at, in one statement (the recordsets
/// at the name and the zone's live child zones): the recordsets' rows carry
/// their id, the child zones' none.
pub(crate) async fn placement(
    conn: &mut Conn,
    zone_id: Uuid,
    name: &str,
) -> Result<crate::Placement> {
    let engine = conn.engine();
    let mut q = Sql::new(&format!(
        "SELECT rs.id AS id, {} AS item FROM recordsets rs WHERE rs.zone_id = ",
        engine.enum_as_text("rs.type")
    ));
    q.bind(zone_id);
    let by_name = Criteria::new().eq("name", name);
    push_criteria(&mut q, engine, &RECORDSETS, "rs", &by_name, None)?;
    q.push(
        " UNION ALL SELECT NULL, z.name FROM zones z \
         WHERE z.deleted = '0' AND z.parent_zone_id = ",
    );
    q.bind(zone_id);
    let mut placement = crate::Placement::default();
    for row in q.fetch_all(conn).await? {
        let r = RowReader::new(&row, "recordsets");
        match r.opt_uuid("id")? {
            Some(id) => placement.at_name.push((id, r.text("item")?)),
            None => placement.child_zones.push(r.text("item")?),
        }
    }
    Ok(placement)
}

/// [`placement`] of several names, each in its zone, in one statement: an arm per name and
/// one per distinct zone for its child zones, each row tagged with the arm's index.
pub(crate) async fn placements(
    conn: &mut Conn,
    at: &[(Uuid, &str)],
) -> Result<Vec<crate::Placement>> {
    let mut out = vec![crate::Placement::default(); at.len()];
    // The first index of each zone carries the zone's child zones.
    let mut first_of_zone: HashMap<Uuid, usize> = HashMap::new();
    for (i, (zone_id, _)) in at.iter().enumerate() {
        first_of_zone.entry(*zone_id).or_insert(i);
    }
    let engine = conn.engine();
    // Two arms per name at most, five values each: far below every bind limit for a batch.
    for chunk_start in (0..at.len()).step_by(IN_CHUNK / 2) {
        let chunk_end = (chunk_start + IN_CHUNK / 2).min(at.len());
        let mut q = Sql::new("");
        for (i, (zone_id, name)) in at.iter().enumerate().take(chunk_end).skip(chunk_start) {
            if i > chunk_start {
                q.push(" UNION ALL ");
            }
            q.push(&format!(
                "SELECT {i} AS k, rs.id AS id, {} AS item FROM recordsets rs WHERE rs.zone_id = ",
                engine.enum_as_text("rs.type")
            ));
            q.bind(*zone_id);
            let by_name = Criteria::new().eq("name", *name);
            push_criteria(&mut q, engine, &RECORDSETS, "rs", &by_name, None)?;
            if first_of_zone.get(zone_id) == Some(&i) {
                q.push(&format!(
                    " UNION ALL SELECT {i}, NULL, z.name FROM zones z \
                     WHERE z.deleted = '0' AND z.parent_zone_id = "
                ));
                q.bind(*zone_id);
            }
        }
        for row in q.fetch_all(conn).await? {
            let r = RowReader::new(&row, "recordsets");
            let k = usize::try_from(r.int("k")?).map_err(|_| StorageError::Corrupt {
                table: "recordsets",
                column: "k",
                message: "negative arm index".to_owned(),
            })?;
            let Some(placement) = out.get_mut(k) else {
                continue;
            };
            match r.opt_uuid("id")? {
                Some(id) => placement.at_name.push((id, r.text("item")?)),
                None => placement.child_zones.push(r.text("item")?),
            }
        }
    }
    // Every name of a zone sees the zone's child zones.
    for (i, (zone_id, _)) in at.iter().enumerate() {
        let first = first_of_zone[zone_id];
        if first != i {
            let children = out[first].child_zones.clone();
            out[i].child_zones = children;
        }
    }
    Ok(out)
}

/// Rows per multi-row INSERT: 500 rows of the widest table (`records`, 22 columns) bind 11,000
/// values, below SQLite's 32,766 and the server engines' 65,535.
const INSERT_CHUNK: usize = 500;

/// Inserts many recordsets and their records with multi-row INSERTs (a zone import): a few
/// hundred statements for a 100,000-record zone instead of 200,000.
pub(crate) async fn create_many(conn: &mut Conn, sets: &[RecordSet]) -> Result<()> {
    let rs_names = names(&RECORDSETS);
    for chunk in sets.chunks(INSERT_CHUNK) {
        Sql::insert_many(
            "recordsets",
            &rs_names,
            chunk.iter().map(recordset_values).collect(),
        )
        .execute(conn)
        .await?;
    }
    insert_records(conn, sets.iter().flat_map(|s| s.records.iter())).await?;
    let mut per_zone: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for rs in sets {
        let counts = per_zone.entry(rs.zone_id).or_default();
        counts.0 += 1;
        counts.1 += zone_counts::unmanaged(rs.records.iter().map(|r| &r.managed));
    }
    for (zone_id, (recordsets, records)) in per_zone {
        zone_counts::add(conn, zone_id, recordsets, records).await?;
    }
    Ok(())
}

/// The records of recordsets `ids` (at most [`IN_CHUNK`]), in listing order.
pub(super) fn records_of_recordsets_query(ids: &[Uuid]) -> Sql {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM records r WHERE r.recordset_id IN ",
        RECORDS.select_list("r")
    ));
    q.bind_list(ids.iter().copied()).push(RECORD_ORDER);
    q
}

/// Fills in the records of `sets` with one query per [`IN_CHUNK`] recordsets.
pub(super) async fn attach_records(conn: &mut Conn, sets: &mut [RecordSet]) -> Result<()> {
    let mut by_set: HashMap<Uuid, Vec<Record>> = HashMap::new();
    for chunk in sets.chunks(IN_CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.id).collect();
        for row in records_of_recordsets_query(&ids).fetch_all(conn).await? {
            let rec = record_from_row(&row)?;
            by_set.entry(rec.recordset_id).or_default().push(rec);
        }
    }
    for s in sets {
        s.records = by_set.remove(&s.id).unwrap_or_default();
    }
    Ok(())
}

/// A recordset with its records (whatever its zone's state).
pub(crate) async fn get(conn: &mut Conn, id: Uuid) -> Result<RecordSet> {
    let mut q = Sql::new(&select_recordsets(&recordset_columns()));
    q.push(" WHERE rs.id = ").bind(id);
    let Some(row) = q.fetch_optional(conn).await? else {
        return Err(StorageError::NotFound("recordset"));
    };
    let mut sets = vec![recordset_from_row(&row)?];
    attach_records(conn, &mut sets).await?;
    Ok(sets.remove(0))
}

/// One page of recordsets of live zones matching `criteria`, with records and the total count.
///
/// The total is upstream's `COUNT(DISTINCT recordsets.id)` over every match, read without
/// counting where that is possible: from the page itself when it is unbounded and starts at the
/// beginning, from `designate_zone_counts` when the only criterion is the zone.
pub(crate) async fn find(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
) -> Result<Listing<RecordSet>> {
    let child = Some((&RECORDS, "recordset_id", RECORD_FILTERS));
    let mut q = Sql::new(&select_recordsets(&recordset_columns()));
    q.push(" WHERE z.deleted = '0'");
    push_criteria(&mut q, conn.engine(), &RECORDSETS, "rs", criteria, child)?;
    // `limit: 0` asks for the count alone (the quota checks): no page to read.
    let mut items = if page.limit == Some(0) {
        Vec::new()
    } else {
        push_page(&mut q, conn, &RECORDSETS, "rs", page).await?;
        q.fetch_all(conn)
            .await?
            .iter()
            .map(recordset_from_row)
            .collect::<Result<Vec<_>>>()?
    };
    attach_records(conn, &mut items).await?;

    let counted = match (page.limit, page.marker, only_zone(criteria)) {
        (None, None, _) => Some(items.len() as u64),
        (_, _, Some(zone_id)) => zone_counts::recordsets_of_live_zone(conn, zone_id).await?,
        _ => None,
    };
    let total_count = match counted {
        Some(n) => n,
        None => {
            let mut count = Sql::new(&select_recordsets("COUNT(*)"));
            count.push(" WHERE z.deleted = '0'");
            push_criteria(
                &mut count,
                conn.engine(),
                &RECORDSETS,
                "rs",
                criteria,
                child,
            )?;
            count.fetch_count(conn).await?
        }
    };
    Ok(Listing { items, total_count })
}

/// The zone when `criteria` is exactly `zone_id = <uuid>`.
fn only_zone(criteria: &Criteria) -> Option<Uuid> {
    match criteria.0.as_slice() {
        [(column, Filter::Eq(value))] if column == "zone_id" => Uuid::parse_str(value).ok(),
        _ => None,
    }
}

/// Non-managed records of a zone (what counts against `zone_records`).
pub(crate) async fn count_unmanaged_records(conn: &mut Conn, zone_id: Uuid) -> Result<u64> {
    zone_counts::records(conn, zone_id).await
}

/// Every recordset of a zone with its records, by name then type (two queries in all).
pub(crate) async fn of_zone(conn: &mut Conn, zone_id: Uuid) -> Result<Vec<RecordSet>> {
    let mut q = Sql::new(&select_recordsets(&recordset_columns()));
    q.push(" WHERE rs.zone_id = ")
        .bind(zone_id)
        .push(" ORDER BY rs.name, rs.type, rs.id");
    let mut sets = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(recordset_from_row)
        .collect::<Result<Vec<_>>>()?;
    let mut by_set: HashMap<Uuid, Vec<Record>> = HashMap::new();
    for r in records_of_zone(conn, zone_id).await? {
        by_set.entry(r.recordset_id).or_default().push(r);
    }
    for s in &mut sets {
        s.records = by_set.remove(&s.id).unwrap_or_default();
    }
    Ok(sets)
}

/// Every record of a zone.
pub(crate) async fn records_of_zone(conn: &mut Conn, zone_id: Uuid) -> Result<Vec<Record>> {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM records r WHERE r.zone_id = ",
        RECORDS.select_list("r")
    ));
    q.bind(zone_id).push(RECORD_ORDER);
    q.fetch_all(conn)
        .await?
        .iter()
        .map(record_from_row)
        .collect()
}

/// Every managed record whose `managed_resource_type` is `resource_type`, in any zone.
pub(crate) async fn managed_records(conn: &mut Conn, resource_type: &str) -> Result<Vec<Record>> {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM records r WHERE r.managed = ",
        RECORDS.select_list("r")
    ));
    q.bind(true)
        .push(" AND r.managed_resource_type = ")
        .bind(resource_type)
        .push(RECORD_ORDER);
    q.fetch_all(conn)
        .await?
        .iter()
        .map(record_from_row)
        .collect()
}

/// Version-checked rewrite of the recordset row (`version + 1`, `updated_at = now`) and
/// replacement of its records by `rs.records`; returns the recordset as stored (records in
/// listing order) without reading it back.
///
/// Records are deleted and re-inserted (so that swapping data between two records cannot trip
/// the unique hash mid-way); a record whose id survives keeps its version and `updated_at` when
/// unchanged, and gets `version + 1` and `updated_at = now` when any field changed.
pub(crate) async fn update(conn: &mut Conn, rs: &RecordSet) -> Result<RecordSet> {
    let engine = conn.engine();
    let now = engine.stored_now();
    let mut q = Sql::new("UPDATE recordsets SET version = ");
    q.bind(rs.version.saturating_add(1))
        .push(", updated_at = ")
        .bind(now);
    for (c, v) in RECORDSETS.cols.iter().zip(recordset_values(rs)).skip(4) {
        q.push(&format!(", {} = ", c.name)).bind(v);
    }
    q.push(" WHERE id = ")
        .bind(rs.id)
        .push(" AND version = ")
        .bind(rs.version);
    if q.execute(conn).await? == 0 {
        return Err(if exists(conn, "recordsets", rs.id).await? {
            StorageError::Conflict("recordset")
        } else {
            StorageError::NotFound("recordset")
        });
    }

    let mut old_q = Sql::new(&format!(
        "SELECT {} FROM records r WHERE r.recordset_id = ",
        RECORDS.select_list("r")
    ));
    old_q.bind(rs.id);
    let old: HashMap<Uuid, Record> = old_q
        .fetch_all(conn)
        .await?
        .iter()
        .map(|row| record_from_row(row).map(|r| (r.id, r)))
        .collect::<Result<_>>()?;
    let mut del = Sql::new("DELETE FROM records WHERE recordset_id = ");
    del.bind(rs.id);
    del.execute(conn).await?;
    let delta = zone_counts::unmanaged(rs.records.iter().map(|r| &r.managed))
        - zone_counts::unmanaged(old.values().map(|r| &r.managed));
    zone_counts::add(conn, rs.zone_id, 0, delta).await?;
    let mut records: Vec<Record> = Vec::with_capacity(rs.records.len());
    for r in &rs.records {
        let mut r = Record {
            created_at: engine.stored_ts(r.created_at),
            updated_at: r.updated_at.map(|t| engine.stored_ts(t)),
            ..r.clone()
        };
        if let Some(prev) = old.get(&r.id) {
            let mut same = r.clone();
            same.version = prev.version;
            same.updated_at = prev.updated_at;
            if same == *prev {
                r = same;
            } else {
                r.version = prev.version.saturating_add(1);
                r.updated_at = Some(now);
            }
        }
        records.push(r);
    }
    insert_records(conn, records.iter()).await?;
    records.sort_by(|a, b| (a.created_at, &a.data, a.id).cmp(&(b.created_at, &b.data, b.id)));
    Ok(RecordSet {
        version: rs.version.saturating_add(1),
        updated_at: Some(now),
        created_at: engine.stored_ts(rs.created_at),
        records,
        ..rs.clone()
    })
}

/// Deletes a recordset and its records.
pub(crate) async fn delete(conn: &mut Conn, id: Uuid) -> Result<()> {
    let mut q = Sql::new("SELECT zone_id FROM recordsets WHERE id = ");
    q.bind(id);
    let Some(row) = q.fetch_optional(conn).await? else {
        return Err(StorageError::NotFound("recordset"));
    };
    let zone_id = RowReader::new(&row, "recordsets").uuid("zone_id")?;
    // Non-managed records first, so that their number comes back as the affected rows.
    let mut q = Sql::new("DELETE FROM records WHERE recordset_id = ");
    q.bind(id).push(" AND ");
    zone_counts::push_unmanaged(&mut q, "managed");
    let records = q.execute(conn).await?;
    let mut q = Sql::new("DELETE FROM records WHERE recordset_id = ");
    q.bind(id);
    q.execute(conn).await?;
    let mut q = Sql::new("DELETE FROM recordsets WHERE id = ");
    q.bind(id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound("recordset"));
    }
    let records = i64::try_from(records).unwrap_or(i64::MAX);
    zone_counts::add(conn, zone_id, -1, -records).await
}

/// Worker feedback for a zone: every record still PENDING or ERROR whose serial is at most
/// `max_serial` (i.e. included in what the targets now serve) gets `status` and `action`, in
/// one statement. Records changed after that serial are left alone.
pub(crate) async fn update_zone_records_status(
    conn: &mut Conn,
    zone_id: Uuid,
    status: RecordStatus,
    action: Action,
    max_serial: u32,
) -> Result<()> {
    let mut q = Sql::new("UPDATE records SET status = ");
    q.bind(status.as_str())
        .push(", action = ")
        .bind(action.as_str())
        .push(", updated_at = ")
        .bind(chrono::Utc::now().naive_utc())
        .push(", version = version + 1 WHERE zone_id = ")
        .bind(zone_id)
        .push(" AND serial <= ")
        .bind(max_serial)
        .push(" AND status IN ")
        .bind_list([RecordStatus::Pending.as_str(), RecordStatus::Error.as_str()]);
    q.execute(conn).await?;
    Ok(())
}
