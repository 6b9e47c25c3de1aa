//! `designate_zone_counts` (ours): the number of recordsets and of non-managed records of each
//! zone, changed in the same transaction as the rows themselves. A zone's unfiltered recordset
//! listing (its `metadata.total_count`) and the `zone_recordsets` / `zone_records` quota checks
//! read one row here instead of counting the zone, so their cost does not grow with the zone.
//!
//! Writers of a zone's recordsets hold its row lock (or SQLite's single writer), so the
//! `UPDATE … SET n = n + ?` never races another writer of the same counts. A zone without a row
//! (written by something other than this storage layer) is counted the slow way when read, and
//! gets its row, counted after the write, at the next write of its recordsets here.

use uuid::Uuid;

use super::query::{Conn, Row, Sql, Value};
use crate::{ContentCounts, Result};

/// Appends the condition on `records` column `managed` (qualified as given) selecting the rows
/// that count against `zone_records` (upstream counts `managed = False`).
pub(crate) fn push_unmanaged(q: &mut Sql, managed: &str) {
    q.push(&format!("({managed} IS NULL OR {managed} = "))
        .bind(false)
        .push(")");
}

/// A new zone's row: nothing in it yet.
pub(crate) async fn create(conn: &mut Conn, zone_id: Uuid) -> Result<()> {
    Sql::insert(
        "designate_zone_counts",
        &["zone_id", "recordsets", "records"],
        vec![zone_id.into(), 0_i64.into(), 0_i64.into()],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Adds `recordsets` and `records` (non-managed; either may be negative) to the zone's counts,
/// after the rows were written.
pub(crate) async fn add(
    conn: &mut Conn,
    zone_id: Uuid,
    recordsets: i64,
    records: i64,
) -> Result<()> {
    if recordsets == 0 && records == 0 {
        return Ok(());
    }
    let mut q = Sql::new("UPDATE designate_zone_counts SET recordsets = recordsets + ");
    q.bind(recordsets)
        .push(", records = records + ")
        .bind(records)
        .push(" WHERE zone_id = ")
        .bind(zone_id);
    if q.execute(conn).await? > 0 {
        return Ok(());
    }
    // No row yet: count the zone as it now is (this write included).
    let mut q = Sql::new(
        "INSERT INTO designate_zone_counts (zone_id, recordsets, records) SELECT z.id, \
         (SELECT COUNT(*) FROM recordsets rs WHERE rs.zone_id = z.id), \
         (SELECT COUNT(*) FROM records r WHERE r.zone_id = z.id AND ",
    );
    push_unmanaged(&mut q, "r.managed");
    q.push(") FROM zones z WHERE z.id = ").bind(zone_id);
    q.execute(conn).await?;
    Ok(())
}

/// The zone's recordsets and records were all deleted.
pub(crate) async fn reset(conn: &mut Conn, zone_id: Uuid) -> Result<()> {
    let mut q =
        Sql::new("UPDATE designate_zone_counts SET recordsets = 0, records = 0 WHERE zone_id = ");
    q.bind(zone_id);
    q.execute(conn).await?;
    Ok(())
}

/// How many recordsets the zone holds, when it is live and has a row.
pub(crate) async fn recordsets_of_live_zone(conn: &mut Conn, zone_id: Uuid) -> Result<Option<u64>> {
    let mut q = Sql::new(
        "SELECT c.recordsets FROM designate_zone_counts c JOIN zones z ON z.id = c.zone_id \
         WHERE z.deleted = '0' AND c.zone_id = ",
    );
    q.bind(zone_id);
    Ok(q.fetch_optional(conn).await?.as_ref().map(count_of))
}

/// How many non-managed records the zone holds (counted when the zone has no row).
pub(crate) async fn records(conn: &mut Conn, zone_id: Uuid) -> Result<u64> {
    let mut q = Sql::new("SELECT records FROM designate_zone_counts WHERE zone_id = ");
    q.bind(zone_id);
    if let Some(row) = q.fetch_optional(conn).await? {
        return Ok(count_of(&row));
    }
    count_unmanaged(conn, zone_id).await
}

/// Both counts of a zone in one read (counted the slow way when the zone has no row).
pub(crate) async fn content(conn: &mut Conn, zone_id: Uuid) -> Result<ContentCounts> {
    let mut q = Sql::new("SELECT recordsets, records FROM designate_zone_counts WHERE zone_id = ");
    q.bind(zone_id);
    let row = q.fetch_optional(conn).await?;
    match row
        .as_ref()
        .and_then(|row| counts_in(row, "recordsets", "records"))
    {
        Some(counts) => Ok(counts),
        None => counted(conn, zone_id).await,
    }
}

/// The counts in columns `recordsets` and `records` of `row`, or `None` when they are NULL
/// (a LEFT JOIN that found no counts row).
pub(crate) fn counts_in(row: &Row, recordsets: &str, records: &str) -> Option<ContentCounts> {
    let value = |column| row.get(column).filter(|v| !matches!(v, Value::Null));
    Some(ContentCounts {
        recordsets: count_value(Some(value(recordsets)?)),
        records: count_value(Some(value(records)?)),
    })
}

/// Both counts of a zone that has no counts row, counted from its rows.
pub(crate) async fn counted(conn: &mut Conn, zone_id: Uuid) -> Result<ContentCounts> {
    let mut count = Sql::new("SELECT COUNT(*) FROM recordsets WHERE zone_id = ");
    count.bind(zone_id);
    let recordsets = count.fetch_count(conn).await?;
    Ok(ContentCounts {
        recordsets,
        records: count_unmanaged(conn, zone_id).await?,
    })
}

async fn count_unmanaged(conn: &mut Conn, zone_id: Uuid) -> Result<u64> {
    let mut count = Sql::new("SELECT COUNT(*) FROM records WHERE zone_id = ");
    count.bind(zone_id).push(" AND ");
    push_unmanaged(&mut count, "managed");
    count.fetch_count(conn).await
}

/// How many of `managed` flags are non-managed records.
pub(crate) fn unmanaged<'a>(managed: impl IntoIterator<Item = &'a bool>) -> i64 {
    i64::try_from(managed.into_iter().filter(|m| !**m).count()).unwrap_or(i64::MAX)
}

/// The count in the first column of `row`.
fn count_of(row: &Row) -> u64 {
    count_value(row.first())
}

/// A count as the engines return it (an integer; MySQL sometimes a decimal string).
fn count_value(value: Option<&Value>) -> u64 {
    match value {
        Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        Some(Value::Text(s)) => s.trim().parse().unwrap_or(0),
        _ => 0,
    }
}
