//! Zone shares (upstream's `share_zone` / `unshare_zone` / `find_shared_zones` /
//! `get_shared_zone`): a zone's owner lets other projects see the zone and create recordsets in
//! it. Unsharing is refused while the target project still owns recordsets (or sub-zones) in
//! the zone; deleting a shared zone needs the delete-shares switch (see `zones`).

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{SharedZone, Zone, ZoneType, SHARE_PROJECT_MAX};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::{StorageError, StorageTx};
use uuid::Uuid;

use crate::build::now;
use crate::errors::{bad_request, from_storage};
use crate::txn::{begin, begin_read, commit, uuid_value};
use crate::zones::visible_zone;
use crate::Central;

/// Maps storage failures of `shared_zones` to upstream's share errors.
fn share_error(e: StorageError) -> DesignateError {
    match e {
        StorageError::NotFound("shared_zone") => {
            DesignateError::new(ErrorKind::SharedZoneNotFound, "Could not find SharedZone")
        }
        StorageError::Duplicate("shared_zone") => {
            DesignateError::new(ErrorKind::DuplicateSharedZone, "Duplicate SharedZone")
        }
        other => from_storage(other),
    }
}

/// Whether `zone` is shared with `project` (upstream's `is_zone_shared_with_project`).
pub(crate) async fn shared_with(
    tx: &mut dyn StorageTx,
    zone: &Zone,
    project: &str,
) -> Result<bool> {
    let criteria = Criteria::new()
        .eq("zone_id", uuid_value(&zone.id))
        .eq("target_project_id", project);
    let found = tx
        .find_shared_zones(&criteria, &Page::default(), None)
        .await
        .map_err(share_error)?;
    Ok(found.total_count > 0)
}

/// The share `share_id` of zone `zone_id`, if the caller made or received it.
async fn visible_share(
    tx: &mut dyn StorageTx,
    ctx: &RequestContext,
    zone_id: Uuid,
    share_id: Uuid,
) -> Result<SharedZone> {
    let share = tx.get_shared_zone(share_id).await.map_err(share_error)?;
    let visible = ctx
        .project_filter()
        .is_none_or(|p| share.project_id == p || share.target_project_id == p);
    if share.zone_id != zone_id || !visible {
        return Err(share_error(StorageError::NotFound("shared_zone")));
    }
    Ok(share)
}

impl Central {
    /// Shares zone `zone_id` (visible to the caller) with `target_project_id`.
    pub(crate) async fn share_create(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        target_project_id: String,
    ) -> Result<SharedZone> {
        if target_project_id.is_empty() || target_project_id.chars().count() > SHARE_PROJECT_MAX {
            return Err(DesignateError::invalid_object(
                &["target_project_id"],
                "maxLength",
                format!("'{target_project_id}' is not a valid project id"),
            ));
        }
        let mut tx = begin(self.storage.as_ref()).await?;
        let zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
        if zone.zone_type == ZoneType::Catalog {
            return Err(DesignateError::new(
                ErrorKind::Forbidden,
                "This operation is not allowed for catalog zones.",
            ));
        }
        let project_id = ctx.project_id.clone().ok_or_else(|| {
            DesignateError::new(
                ErrorKind::MissingProjectId,
                "A project ID must be specified when not using a project scoped token.",
            )
        })?;
        if zone.tenant_id.as_deref() == Some(target_project_id.as_str()) {
            return Err(bad_request("Cannot share the zone with the zone owner."));
        }
        let share = SharedZone {
            id: Uuid::new_v4(),
            created_at: now(),
            updated_at: None,
            zone_id,
            project_id,
            target_project_id,
        };
        tx.create_shared_zone(&share).await.map_err(share_error)?;
        commit(tx).await?;
        self.notify_serialized(ctx, "dns.zone.share", &share).await;
        Ok(share)
    }

    /// A share of zone `zone_id` the caller made or received.
    pub(crate) async fn share_get(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        share_id: Uuid,
    ) -> Result<SharedZone> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        visible_share(tx.as_mut(), ctx, zone_id, share_id).await
    }

    /// Shares matching `criteria` that the caller made or received.
    pub(crate) async fn share_find(
        &self,
        ctx: &RequestContext,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<SharedZone>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_shared_zones(criteria, page, ctx.project_filter())
            .await
            .map_err(share_error)
    }

    /// Withdraws a share, unless its target still owns recordsets or sub-zones in the zone.
    pub(crate) async fn share_delete(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        share_id: Uuid,
    ) -> Result<SharedZone> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let share = visible_share(tx.as_mut(), ctx, zone_id, share_id).await?;
        let target = share.target_project_id.as_str();
        let children = Criteria::new()
            .eq("parent_zone_id", uuid_value(&zone_id))
            .eq("tenant_id", target);
        let count_only = Page {
            limit: Some(1),
            ..Page::default()
        };
        let subzones = tx
            .find_zones(&children, &count_only)
            .await
            .map_err(from_storage)?;
        if subzones.total_count > 0 {
            return Err(DesignateError::new(
                ErrorKind::SharedZoneHasSubZone,
                format!(
                    "Please delete all subzones owned by project {target} before unsharing this zone"
                ),
            ));
        }
        let owned = Criteria::new()
            .eq("zone_id", uuid_value(&zone_id))
            .eq("tenant_id", target);
        let recordsets = tx
            .find_recordsets(&owned, &count_only)
            .await
            .map_err(from_storage)?;
        if recordsets.total_count > 0 {
            return Err(DesignateError::new(
                ErrorKind::SharedZoneHasRecordSets,
                format!(
                    "Please delete all recordsets owned by project {target} before unsharing this zone."
                ),
            ));
        }
        tx.delete_shared_zone(share.id).await.map_err(share_error)?;
        commit(tx).await?;
        self.notify_serialized(ctx, "dns.zone.unshare", &share)
            .await;
        Ok(share)
    }

    /// Those of `zone_ids` shared with at least one project.
    pub(crate) async fn shares_among(&self, zone_ids: &[Uuid]) -> Result<Vec<Uuid>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.shared_zone_ids(zone_ids).await.map_err(share_error)
    }
}
