//! A zone's records for a zone transfer, page by page: keyset pagination on `records.id` (the
//! primary key, indexed on every engine and in every upstream schema), joined to the owning
//! recordset by its primary key. Each page costs what it returns plus the records of other
//! zones it skips, so a whole transfer is one pass over the records index and memory stays
//! bounded by the page size — however large the zone.

use uuid::Uuid;

use super::codec::RowReader;
use super::query::{Conn, Sql};
use crate::{Result, TransferRecord};

/// Up to `limit` live, non-SOA records of `zone_id` with ids greater than `after`, by id.
pub(crate) async fn page(
    conn: &mut Conn,
    zone_id: Uuid,
    after: Option<Uuid>,
    limit: u32,
) -> Result<Vec<TransferRecord>> {
    let mut q = Sql::new(
        "SELECT r.id AS id, rs.name AS name, rs.type AS type, rs.ttl AS ttl, r.data AS data \
         FROM records r JOIN recordsets rs ON rs.id = r.recordset_id \
         WHERE r.zone_id = ",
    );
    q.bind(zone_id)
        .push(" AND rs.type <> 'SOA' AND r.action <> 'DELETE'");
    if let Some(after) = after {
        q.push(" AND r.id > ").bind(after);
    }
    q.push(" ORDER BY r.id LIMIT ")
        .bind(i64::from(limit.max(1)));
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
            let r = RowReader::new(row, "records");
            Ok(TransferRecord {
                id: r.uuid("id")?,
                name: r.text("name")?,
                rtype: r.text("type")?,
                ttl: r.opt_int_as("ttl")?,
                data: r.text("data")?,
            })
        })
        .collect()
}
