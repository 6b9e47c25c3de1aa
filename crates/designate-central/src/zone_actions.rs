//! Small zone actions of upstream's `/v2/zones/{id}/…`: the zone's nameservers
//! (`get_zone_ns_records`) and abandon (`delete_zone` with the abandon flag: the zone leaves
//! Designate at once, its nameservers are not told).

use designate_core::criteria::Criteria;
use designate_core::objects::{Action, PoolNsRecord, Zone, ZoneStatus, ZoneType};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};

use crate::build::now;
use crate::errors::from_storage;
use crate::txn::{begin, begin_read, commit, retry, uuid_value};
use crate::zones::{find_all_zones, visible_zone};
use crate::Central;

impl Central {
    /// The NS records of the zone's pool, by priority (upstream's `get_zone_ns_records`).
    pub(crate) async fn zone_ns_records(
        &self,
        ctx: &RequestContext,
        zone_id: uuid::Uuid,
    ) -> Result<Vec<PoolNsRecord>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        let zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
        let pool_id = zone.pool_id.unwrap_or(self.config.default_pool_id);
        let pool = tx.get_pool(pool_id).await.map_err(from_storage)?;
        let mut records = pool.ns_records;
        records.sort_by_key(|r| r.priority);
        Ok(records)
    }

    /// Abandons a zone: soft-deleted in the store at once (the producer purges it later), no
    /// cast to the worker, so every target keeps serving it. The rules of a delete still hold:
    /// no catalog zone, no zone with sub-zones.
    pub(crate) async fn zone_abandon(
        &self,
        ctx: &RequestContext,
        zone_id: uuid::Uuid,
    ) -> Result<Zone> {
        let zone = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let mut zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
            if zone.zone_type == ZoneType::Catalog {
                return Err(DesignateError::new(
                    ErrorKind::Forbidden,
                    "This operation is not allowed for catalog zones.",
                ));
            }
            let children = Criteria::new().eq("parent_zone_id", uuid_value(&zone.id));
            if !find_all_zones(tx.as_mut(), &children).await?.is_empty() {
                return Err(DesignateError::new(
                    ErrorKind::ZoneHasSubZone,
                    "Please delete any subzones before deleting this zone",
                ));
            }
            let stamp = now();
            zone.deleted = zone.id.simple().to_string();
            zone.deleted_at = Some(stamp);
            zone.updated_at = Some(stamp);
            zone.status = ZoneStatus::Deleted;
            zone.action = Action::None;
            let zone = tx.update_zone(&zone).await.map_err(from_storage)?;
            commit(tx).await?;
            Ok(zone)
        })
        .await?;
        tracing::info!(zone_id = %zone.id, name = %zone.name, "zone abandoned");
        self.notify_zone(ctx, "delete", &zone).await;
        Ok(zone)
    }
}
