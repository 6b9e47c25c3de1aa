//! Our `designate_zone_journal` table ↔ [`JournalEntry`]: the per-zone change journal MiniDNS
//! answers IXFR from. Central appends in the change's own transaction and prunes right after.

use uuid::Uuid;

use super::codec::RowReader;
use super::query::{Conn, Sql};
use crate::{JournalEntry, JournalOp, Result, StorageError};

/// Rows per INSERT: nine values each stays far below every engine's bind limit (SQLite 32,766,
/// MySQL 65,535).
const ROWS_PER_INSERT: usize = 500;

/// Inserts the rows of one or more changes, as few multi-row INSERTs (a change of one record
/// is three rows: the SOA out, the SOA in, the record).
pub(crate) async fn append(conn: &mut Conn, zone_id: Uuid, entries: &[JournalEntry]) -> Result<()> {
    append_many(conn, &[(zone_id, entries)]).await
}

/// [`append`] of the changes of several zones, in as few INSERTs.
pub(crate) async fn append_many(
    conn: &mut Conn,
    changes: &[(Uuid, &[JournalEntry])],
) -> Result<()> {
    let rows: Vec<(Uuid, &JournalEntry)> = changes
        .iter()
        .flat_map(|(zone_id, entries)| entries.iter().map(|e| (*zone_id, e)))
        .collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let rows = chunk
            .iter()
            .map(|(zone_id, e)| {
                vec![
                    (*zone_id).into(),
                    e.serial.into(),
                    e.prev_serial.into(),
                    e.seq.into(),
                    e.op.as_str().into(),
                    e.name.clone().into(),
                    e.rtype.clone().into(),
                    e.ttl.into(),
                    e.data.clone().into(),
                ]
            })
            .collect();
        Sql::insert_many(
            "designate_zone_journal",
            &[
                "zone_id",
                "serial",
                "prev_serial",
                "seq",
                "op",
                "name",
                "type",
                "ttl",
                "data",
            ],
            rows,
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// The rows of a zone's journal, by serial then seq: all of them, or those whose serial lies in
/// `(after, upto]` in serial arithmetic — one range of the primary key `(zone_id, serial, seq)`,
/// or two when the serials wrapped between the two.
pub(crate) async fn of_zone(
    conn: &mut Conn,
    zone_id: Uuid,
    range: Option<(u32, u32)>,
) -> Result<Vec<JournalEntry>> {
    let mut q = Sql::new(
        "SELECT serial, prev_serial, seq, op, name, type, ttl, data \
         FROM designate_zone_journal WHERE zone_id = ",
    );
    q.bind(zone_id);
    match range {
        None => {}
        // From `after` the serials count up to `upto` without wrapping (a range `upto` does
        // not follow in serial arithmetic has no changes, as `in_serial_range` says).
        Some((after, upto)) if after < upto => {
            if upto - after < 1 << 31 {
                q.push(" AND serial > ")
                    .bind(i64::from(after))
                    .push(" AND serial <= ")
                    .bind(i64::from(upto));
            } else {
                return Ok(Vec::new());
            }
        }
        Some((after, upto)) => {
            if after - upto > 1 << 31 {
                q.push(" AND (serial > ")
                    .bind(i64::from(after))
                    .push(" OR serial <= ")
                    .bind(i64::from(upto))
                    .push(")");
            } else {
                return Ok(Vec::new());
            }
        }
    }
    q.push(" ORDER BY serial, seq");
    let rows = q.fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            let r = RowReader::new(row, "designate_zone_journal");
            let op = match r.text("op")?.as_str() {
                "add" => JournalOp::Add,
                "del" => JournalOp::Del,
                other => {
                    return Err(StorageError::Corrupt {
                        table: "designate_zone_journal",
                        column: "op",
                        message: format!("unknown journal op {other:?}"),
                    })
                }
            };
            Ok(JournalEntry {
                serial: r.int_as("serial")?,
                prev_serial: r.int_as("prev_serial")?,
                seq: r.int_as("seq")?,
                op,
                name: r.text("name")?,
                rtype: r.text("type")?,
                ttl: r.int_as("ttl")?,
                data: r.text("data")?,
            })
        })
        .collect()
}

/// Keeps the newest changes within both bounds and deletes the older ones.
pub(crate) async fn prune(
    conn: &mut Conn,
    zone_id: Uuid,
    max_changes: u32,
    max_rows: u64,
) -> Result<u64> {
    let mut q =
        Sql::new("SELECT serial, COUNT(*) AS n FROM designate_zone_journal WHERE zone_id = ");
    q.bind(zone_id)
        .push(" GROUP BY serial ORDER BY serial DESC");
    let rows = q.fetch_all(conn).await?;
    let mut kept_changes = 0u32;
    let mut kept_rows = 0u64;
    // The oldest serial kept; `None` until one change fits.
    let mut oldest_kept: Option<i64> = None;
    for row in &rows {
        let r = RowReader::new(row, "designate_zone_journal");
        let serial = r.int("serial")?;
        let n = u64::try_from(r.int("n")?).unwrap_or(u64::MAX);
        if kept_changes >= max_changes || kept_rows.saturating_add(n) > max_rows {
            break;
        }
        kept_changes += 1;
        kept_rows += n;
        oldest_kept = Some(serial);
    }
    if usize::try_from(kept_changes).is_ok_and(|k| k == rows.len()) {
        return Ok(0);
    }
    let mut del = Sql::new("DELETE FROM designate_zone_journal WHERE zone_id = ");
    del.bind(zone_id);
    if let Some(oldest) = oldest_kept {
        del.push(" AND serial < ").bind(oldest);
    }
    del.execute(conn).await
}
