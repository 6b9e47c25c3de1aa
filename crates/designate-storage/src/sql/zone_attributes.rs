//! Upstream's `zone_attributes` table ↔ [`Zone::attributes`]: the scheduling hints a zone was
//! created with (one row per key), written with the zone and read back with it.

use std::collections::HashMap;

use designate_core::objects::Zone;
use uuid::Uuid;

use super::codec::RowReader;
use super::dialect::KEY;
use super::query::{Conn, Sql, IN_CHUNK};
use crate::Result;

/// Inserts one row per attribute of `zone`.
pub(crate) async fn insert(conn: &mut Conn, zone: &Zone) -> Result<()> {
    for (key, value) in &zone.attributes {
        Sql::insert(
            "zone_attributes",
            &["id", "version", "created_at", KEY, "value", "zone_id"],
            vec![
                Uuid::new_v4().into(),
                1i32.into(),
                zone.created_at.into(),
                key.as_str().into(),
                value.as_str().into(),
                zone.id.into(),
            ],
        )
        .execute(conn)
        .await?;
    }
    Ok(())
}

/// Fills in the attributes of `zones` (one query for all of them).
pub(crate) async fn load(conn: &mut Conn, zones: &mut [Zone]) -> Result<()> {
    if zones.is_empty() {
        return Ok(());
    }
    let mut found: HashMap<Uuid, Vec<(String, String)>> = HashMap::new();
    for chunk in zones.chunks(IN_CHUNK) {
        let mut q = Sql::new(&format!(
            "SELECT zone_id, {KEY}, value FROM zone_attributes WHERE zone_id IN "
        ));
        q.bind_list(chunk.iter().map(|z| z.id));
        for row in q.fetch_all(conn).await? {
            let r = RowReader::new(&row, "zone_attributes");
            found
                .entry(r.uuid("zone_id")?)
                .or_default()
                .push((r.text("key")?, r.text("value")?));
        }
    }
    for zone in zones {
        zone.attributes = found
            .remove(&zone.id)
            .unwrap_or_default()
            .into_iter()
            .collect();
    }
    Ok(())
}
