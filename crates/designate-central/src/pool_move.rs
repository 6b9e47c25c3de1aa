//! `POST /v2/zones/{id}/tasks/pool_move` (upstream's `pool_move_zone`): a zone changes pool.
//!
//! In one transaction the zone gets the target pool's id and, for a PRIMARY zone, the target
//! pool's NS records (SOA MNAME included) with a new serial; a SECONDARY zone keeps its
//! master's data. The worker's `Move` task then removes the zone from the old pool's targets
//! and provisions, NOTIFYs and polls the new pool's, which makes the zone ACTIVE. Upstream
//! leaves the zone on the old pool's targets; ours takes it off them.

use designate_bus::ZoneTask;
use designate_core::objects::{Action, Zone, ZoneStatus, ZoneType};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use uuid::Uuid;

use crate::build::{now, ns_hostnames};
use crate::errors::{bad_request, from_storage};
use crate::pools::{sync_zone_ns, NsPush};
use crate::txn::{begin, commit, retry};
use crate::zones::visible_zone;
use crate::Central;

impl Central {
    /// See [`designate_bus::CentralApi::pool_move_zone`].
    pub(crate) async fn zone_pool_move(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        target_pool_id: Option<Uuid>,
    ) -> Result<Zone> {
        let (zone, from_pool) = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let mut zone = visible_zone(tx.as_mut(), ctx, id).await?;
            if zone.action == Action::Delete {
                return Err(bad_request("Can not move a deleting zone"));
            }
            let from_pool = zone.pool_id;
            let target = match target_pool_id {
                Some(target) if Some(target) == from_pool => {
                    return Err(bad_request(
                        "Target pool must be different for zone pool move",
                    ))
                }
                Some(target) => target,
                None => {
                    let chosen = crate::scheduler::schedule(
                        &self.config.scheduler_filters,
                        tx.find_pools().await.map_err(from_storage)?,
                        &zone.attributes,
                        self.config.default_pool_id,
                    )?;
                    if Some(chosen) == from_pool {
                        return Err(bad_request("No valid pool selected"));
                    }
                    chosen
                }
            };
            let pool = match tx.get_pool(target).await {
                Ok(pool) => pool,
                Err(designate_storage::StorageError::NotFound(_)) => {
                    return Err(bad_request("Target pool does not exist"))
                }
                Err(e) => return Err(from_storage(e)),
            };
            let hostnames = ns_hostnames(&pool);
            if hostnames.is_empty() {
                tracing::error!(pool_id = %target, "no nameservers configured on the target pool");
                return Err(DesignateError::new(
                    ErrorKind::NoServersConfigured,
                    "No nameservers configured. Please create at least one nameserver",
                ));
            }
            zone.pool_id = Some(target);
            let zone = if zone.zone_type == ZoneType::Primary {
                // New NS records and SOA MNAME, a new serial (sets PENDING / UPDATE).
                sync_zone_ns(tx.as_mut(), &zone, &hostnames, NsPush::Cast).await?
            } else {
                zone.status = ZoneStatus::Pending;
                if zone.action != Action::Create {
                    zone.action = Action::Update;
                }
                zone.updated_at = Some(now());
                tx.update_zone(&zone).await.map_err(from_storage)?
            };
            commit(tx).await?;
            Ok((zone, from_pool))
        })
        .await?;
        tracing::info!(zone_id = %zone.id, name = %zone.name, from = ?from_pool, to = ?zone.pool_id, "zone pool move");
        let task = match from_pool {
            Some(from_pool) => ZoneTask::Move { from_pool },
            None => ZoneTask::Create,
        };
        self.worker.cast_zone_task(ctx, task, zone.clone()).await;
        self.notify_zone(ctx, "update", &zone).await;
        Ok(zone)
    }
}
