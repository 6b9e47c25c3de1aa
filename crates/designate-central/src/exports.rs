//! Zone exports (upstream's `create_zone_export` and the worker's `ExportZone` task): an EXPORT
//! row of `zone_tasks` that, once COMPLETE, points at `designate://v2/zones/tasks/exports/{id}/export`,
//! where the API renders the zone file on demand ([`designate_core::zonefile::render`]).
//!
//! The size check (`api_export_size`, recordsets of the zone) runs twice as upstream's: at the
//! request, so an oversized zone is refused at once (`413 over_quota`), and again when the task
//! completes, which upstream's worker does and we do in a background task of central (the work
//! is one count and one row update, nothing a worker's targets are needed for).

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{task_message, TaskStatus, TaskType, ZoneTaskRow};
use designate_core::zonefile::{render, ZoneRecordSet};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::errors::from_storage;
use crate::imports::{new_task, task_payload, task_visible};
use crate::quotas::{limit_check, quotas_of};
use crate::txn::{begin, begin_read, commit, uuid_value};
use crate::zones::visible_zone;
use crate::Central;

/// `zone_export_not_found`.
fn export_not_found() -> DesignateError {
    DesignateError::new(ErrorKind::ZoneExportNotFound, "Could not find ZoneExport")
}

/// Where a completed export's zone file is, as upstream spells it.
pub(crate) fn export_location(export_id: Uuid) -> String {
    format!("designate://v2/zones/tasks/exports/{export_id}/export")
}

/// How many recordsets the zone has (what `api_export_size` limits).
async fn recordset_count(tx: &mut dyn StorageTx, zone_id: Uuid) -> Result<i64> {
    let page = Page {
        limit: Some(0),
        ..Page::default()
    };
    let n = tx
        .find_recordsets(&Criteria::new().eq("zone_id", uuid_value(&zone_id)), &page)
        .await
        .map_err(from_storage)?
        .total_count;
    Ok(i64::try_from(n).unwrap_or(i64::MAX))
}

impl Central {
    /// See [`designate_bus::CentralApi::create_zone_export`].
    pub(crate) async fn export_create(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<ZoneTaskRow> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
        let task = new_task(ctx, TaskType::Export, Some(zone.id))?;
        let tenant = zone.tenant_id.clone().unwrap_or_default();
        let quotas = quotas_of(tx.as_mut(), &self.config.quotas, &tenant).await?;
        let size = recordset_count(tx.as_mut(), zone.id).await?;
        limit_check(&quotas, &[("api_export_size", size)])?;
        tx.create_zone_task(&task).await.map_err(from_storage)?;
        commit(tx).await?;
        self.notifier
            .notify(ctx, "dns.zone_export.create", task_payload(&task))
            .await;
        let central = self.clone();
        let ctx = ctx.clone();
        let pending = task.clone();
        tokio::spawn(async move { central.export_complete(&ctx, pending).await });
        Ok(task)
    }

    /// The worker's half of an export: size check against the caller's project, then
    /// COMPLETE with the location, or ERROR.
    async fn export_complete(&self, ctx: &RequestContext, task: ZoneTaskRow) {
        let task_id = task.id;
        let outcome = async {
            let mut tx = begin_read(self.storage.as_ref()).await?;
            let size = match task.zone_id {
                Some(zone_id) => recordset_count(tx.as_mut(), zone_id).await?,
                None => 0,
            };
            let project = ctx.project_id.clone().unwrap_or_default();
            let quotas = quotas_of(tx.as_mut(), &self.config.quotas, &project).await?;
            drop(tx);
            let mut done = task.clone();
            if limit_check(&quotas, &[("api_export_size", size)]).is_ok() {
                done.status = TaskStatus::Complete;
                done.location = Some(export_location(done.id));
            } else {
                done.status = TaskStatus::Error;
                done.message = Some(task_message("Zone is too large to export"));
            }
            self.task_save(&done).await
        }
        .await;
        match outcome {
            Ok(stored) => {
                self.notifier
                    .notify(ctx, "dns.zone_export.update", task_payload(&stored))
                    .await;
            }
            Err(e) => tracing::error!(export_id = %task_id, error = %e, "cannot complete export"),
        }
    }

    /// An export task the caller may see.
    async fn visible_export(
        tx: &mut dyn StorageTx,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTaskRow> {
        let task = match tx.get_zone_task(id).await {
            Ok(task) => task,
            Err(designate_storage::StorageError::NotFound(_)) => return Err(export_not_found()),
            Err(e) => return Err(from_storage(e)),
        };
        if task.task_type != TaskType::Export || !task_visible(ctx, &task) {
            return Err(export_not_found());
        }
        Ok(task)
    }

    /// See [`designate_bus::CentralApi::get_zone_export`].
    pub(crate) async fn export_get(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        Self::visible_export(tx.as_mut(), ctx, id).await
    }

    /// See [`designate_bus::CentralApi::find_zone_exports`].
    pub(crate) async fn export_find(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        self.tasks_find(ctx, TaskType::Export, criteria, page).await
    }

    /// See [`designate_bus::CentralApi::delete_zone_export`].
    pub(crate) async fn export_delete(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTaskRow> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let task = Self::visible_export(tx.as_mut(), ctx, id).await?;
        tx.delete_zone_task(id).await.map_err(from_storage)?;
        commit(tx).await?;
        self.notifier
            .notify(ctx, "dns.zone_export.delete", task_payload(&task))
            .await;
        Ok(task)
    }

    /// See [`designate_bus::CentralApi::export_zone`]: every recordset, SOA and NS included, in
    /// creation order (the SOA first), from one consistent read.
    pub(crate) async fn export_render(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
    ) -> Result<String> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        let zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
        let mut sets = tx.zone_recordsets(zone.id).await.map_err(from_storage)?;
        drop(tx);
        // Stable: recordsets created together keep their name/type order.
        sets.sort_by_key(|rs| rs.created_at);
        let sets: Vec<ZoneRecordSet> = sets.iter().map(ZoneRecordSet::from_recordset).collect();
        Ok(render(&zone.name, zone.ttl, &sets))
    }
}
