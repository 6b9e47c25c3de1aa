//! Upstream's `zone_masters` table ↔ [`Zone::masters`]: the external masters of a SECONDARY
//! zone (one row per `host`, `port`), written with the zone, replaced on a masters update and
//! read back with it.

use std::collections::HashMap;

use designate_core::objects::{Zone, ZoneMaster, ZoneType};
use uuid::Uuid;

use super::codec::RowReader;
use super::query::{Conn, Sql, IN_CHUNK};
use crate::Result;

/// Inserts one row per master of `zone`.
pub(crate) async fn insert(conn: &mut Conn, zone: &Zone) -> Result<()> {
    for master in &zone.masters {
        Sql::insert(
            "zone_masters",
            &["id", "version", "created_at", "host", "port", "zone_id"],
            vec![
                Uuid::new_v4().into(),
                1i32.into(),
                zone.updated_at.unwrap_or(zone.created_at).into(),
                master.host.as_str().into(),
                i32::from(master.port).into(),
                zone.id.into(),
            ],
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Replaces the stored masters of `zone` by `zone.masters`.
pub(crate) async fn replace(conn: &mut Conn, zone: &Zone) -> Result<()> {
    let mut q = Sql::new("DELETE FROM zone_masters WHERE zone_id = ");
    q.bind(zone.id);
    q.execute(conn).await?;
    insert(conn, zone).await
}

/// Fills in the masters of `zones` (one query for all of them), in the order they were stored.
pub(crate) async fn load(conn: &mut Conn, zones: &mut [Zone]) -> Result<()> {
    // Only SECONDARY zones have masters (upstream's Zone.validate refuses them on a PRIMARY
    // one), so a read of primary zones — nearly every read — skips the query.
    let secondary: Vec<Uuid> = zones
        .iter()
        .filter(|z| z.zone_type == ZoneType::Secondary)
        .map(|z| z.id)
        .collect();
    if secondary.is_empty() {
        return Ok(());
    }
    let mut found: HashMap<Uuid, Vec<ZoneMaster>> = HashMap::new();
    for chunk in secondary.chunks(IN_CHUNK) {
        let mut q = Sql::new("SELECT zone_id, host, port FROM zone_masters WHERE zone_id IN ");
        q.bind_list(chunk.iter().copied());
        q.push(" ORDER BY created_at, host, port");
        for row in q.fetch_all(conn).await? {
            let r = RowReader::new(&row, "zone_masters");
            found
                .entry(r.uuid("zone_id")?)
                .or_default()
                .push(ZoneMaster {
                    host: r.text("host")?,
                    port: r.int_as("port")?,
                });
        }
    }
    for zone in zones {
        zone.masters = found.remove(&zone.id).unwrap_or_default();
    }
    Ok(())
}
