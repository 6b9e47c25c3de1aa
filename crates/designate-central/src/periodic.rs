//! Operations the producer's periodic tasks drive: purging soft-deleted zones (`zone_purge`),
//! closing a delayed-NOTIFY batch (`delayed_notify`) and bumping the serial of a zone flagged
//! `increment_serial` (`increment_serial`). The producer decides which zones
//! (those of the shards it holds); central, the only writer, makes the change.

use designate_core::objects::{Action, Zone, ZoneStatus};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageError;
use uuid::Uuid;

use crate::build::now;
use crate::errors::from_storage;
use crate::txn::{begin, bump_zone, commit, new_serial, retry};
use crate::Central;

/// Periodic operations are for the roles' own admin context, never for API users.
fn require_admin(ctx: &RequestContext, what: &str) -> Result<()> {
    if ctx.is_admin() {
        Ok(())
    } else {
        Err(DesignateError::new(
            ErrorKind::Forbidden,
            format!("only services may {what}"),
        ))
    }
}

impl Central {
    /// See [`designate_bus::CentralApi::purge_zones`]. One transaction per zone, so a failure
    /// part-way keeps what was purged and the next run picks up the rest.
    pub(crate) async fn purge(&self, ctx: &RequestContext, zone_ids: Vec<Uuid>) -> Result<u32> {
        require_admin(ctx, "purge zones")?;
        let mut purged = 0;
        for id in zone_ids {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = match tx.get_zone_any(id).await {
                Ok(zone) => zone,
                Err(StorageError::NotFound(_)) => continue,
                Err(e) => return Err(from_storage(e)),
            };
            // Only a soft-deleted zone may go: a live one may have been picked from a stale read.
            if zone.deleted == "0" {
                continue;
            }
            tx.delete_zone(id).await.map_err(from_storage)?;
            commit(tx).await?;
            tracing::info!(zone_id = %id, name = %zone.name, "purged deleted zone");
            purged += 1;
        }
        Ok(purged)
    }

    /// See [`designate_bus::CentralApi::finish_delayed_notify`].
    pub(crate) async fn delayed_notify_done(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Option<Zone>> {
        require_admin(ctx, "send delayed notifies")?;
        retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = match tx.get_zone(zone_id).await {
                Ok(zone) => zone,
                Err(StorageError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(from_storage(e)),
            };
            // As upstream: a zone being deleted keeps its flag and gets no NOTIFY.
            if !zone.delayed_notify || zone.action == Action::Delete {
                return Ok(None);
            }
            let mut next = zone.clone();
            next.delayed_notify = false;
            if next.action == Action::None {
                next.action = Action::Update;
                next.status = ZoneStatus::Pending;
            }
            next.updated_at = Some(now());
            let stored = tx.update_zone(&next).await.map_err(from_storage)?;
            commit(tx).await?;
            Ok(Some(stored))
        })
        .await
    }
}

// --- producer `increment_serial` ---
impl Central {
    /// See [`designate_bus::CentralApi::increment_zone_serial`]. Central bumps serials in the
    /// transaction of each change, so only zones flagged by something else carry the flag —
    /// above all a database adopted from upstream, whose central defers serial bumps to this
    /// task. The bump is not journaled (the changes behind it are unknown), so IXFR falls back
    /// to AXFR across it.
    pub(crate) async fn serial_increment(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<Option<Zone>> {
        require_admin(ctx, "increment serials")?;
        retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = match tx.get_zone(zone_id).await {
                Ok(zone) => zone,
                Err(StorageError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(from_storage(e)),
            };
            // As upstream: a zone being deleted is skipped.
            if !zone.increment_serial || zone.action == Action::Delete {
                return Ok(None);
            }
            let mut flagged = zone.clone();
            flagged.increment_serial = false;
            let stored = bump_zone(tx.as_mut(), &flagged, new_serial(&zone)).await?.zone;
            commit(tx).await?;
            tracing::debug!(zone = %stored.name, serial = stored.serial, "incremented flagged serial");
            Ok(Some(stored))
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_users_may_not_drive_periodic_operations() {
        let user = RequestContext {
            roles: vec!["member".to_owned()],
            ..RequestContext::admin()
        };
        let err = require_admin(&user, "purge zones").err();
        assert_eq!(err.map(|e| e.kind), Some(ErrorKind::Forbidden));
        assert!(require_admin(&RequestContext::admin(), "purge zones").is_ok());
    }
}
