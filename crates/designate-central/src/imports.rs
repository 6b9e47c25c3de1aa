//! Zone imports (upstream's `create_zone_import` / `_import_zone`): a zone file becomes a zone
//! with all its recordsets, tracked by an IMPORT row of `zone_tasks`.
//!
//! The request only stores a PENDING task; the import runs in the background (as upstream's
//! central thread does) in three steps, each visible in the task's `message`: parse the file,
//! check every recordset (progress every [`PROGRESS_EVERY`] recordsets), then write the zone,
//! its managed SOA / NS and every imported recordset in ONE transaction — so a refused or
//! failed import leaves nothing behind but the ERROR task, with upstream's message. Bulk
//! inserts ([`designate_storage::StorageTx::create_recordsets`]) keep a 100,000-record zone to
//! a few hundred statements. A central that dies mid-import leaves the task PENDING and no
//! zone (upstream has the same gap).

use std::collections::BTreeMap;

use designate_bus::ZoneTask;
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::name::is_in_zone;
use designate_core::objects::{
    task_message, NewRecordSet, NewZone, TaskStatus, TaskType, Zone, ZoneTaskRow, ZoneType,
};
use designate_core::zonefile::{self, ParsedZone};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::build::{new_recordset, now};
use crate::errors::from_storage;
use crate::quotas::{limit_check, quotas_of};
use crate::recordsets::check_new;
use crate::txn::{begin, begin_read, commit, retry};
use crate::Central;

/// How often (in checked recordsets) the task's message reports progress.
const PROGRESS_EVERY: usize = 10_000;

/// What an import adds to the zone it creates: SOA values from the file (upstream takes the
/// serial, retry and expire; refresh is randomised and minimum is the default, as for any new
/// zone) and the checked recordsets.
#[derive(Debug, Clone)]
pub(crate) struct ImportSeed {
    pub(crate) serial: u32,
    pub(crate) retry: i32,
    pub(crate) expire: i32,
    pub(crate) recordsets: Vec<NewRecordSet>,
}

/// `zone_import_not_found`.
fn import_not_found() -> DesignateError {
    DesignateError::new(ErrorKind::ZoneImportNotFound, "Could not find ZoneImport")
}

/// Whether the caller may see `task`: its project's, or every project's with all-projects.
pub(crate) fn task_visible(ctx: &RequestContext, task: &ZoneTaskRow) -> bool {
    match ctx.project_filter() {
        None => true,
        Some(project) => task.tenant_id.as_deref() == Some(project),
    }
}

/// The notification payload of a zone task.
pub(crate) fn task_payload(task: &ZoneTaskRow) -> serde_json::Value {
    serde_json::json!({
        "id": task.id,
        "version": task.version,
        "created_at": task.created_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
        "updated_at": task.updated_at.map(|t| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()),
        "tenant_id": task.tenant_id,
        "zone_id": task.zone_id,
        "task_type": task.task_type.as_str(),
        "message": task.message,
        "status": task.status.as_str(),
        "location": task.location,
    })
}

/// The message of a failed import, as upstream words each failure.
fn failure_message(err: &DesignateError) -> String {
    match err.kind {
        ErrorKind::DuplicateZone => "Duplicate zone.".to_owned(),
        ErrorKind::InvalidTtl => err.message.clone(),
        ErrorKind::OverQuota => "Quota exceeded during zone import.".to_owned(),
        _ => {
            let detail: String = err.message.chars().take(130).collect();
            format!("An undefined error occurred. {detail}")
        }
    }
}

/// A new PENDING task of `task_type` for the caller's project.
pub(crate) fn new_task(
    ctx: &RequestContext,
    task_type: TaskType,
    zone_id: Option<Uuid>,
) -> Result<ZoneTaskRow> {
    let tenant = ctx.project_id.clone().ok_or_else(|| {
        DesignateError::new(
            ErrorKind::MissingProjectId,
            "A project ID must be specified when not using a project scoped token.",
        )
    })?;
    Ok(ZoneTaskRow {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        tenant_id: Some(tenant),
        zone_id,
        task_type,
        message: None,
        status: TaskStatus::Pending,
        location: None,
    })
}

impl Central {
    /// See [`designate_bus::CentralApi::create_zone_import`].
    pub(crate) async fn import_create(
        &self,
        ctx: &RequestContext,
        zone_file: String,
        attributes: BTreeMap<String, String>,
    ) -> Result<ZoneTaskRow> {
        let task = new_task(ctx, TaskType::Import, None)?;
        // Upstream validates the hints against the scheduler at once, so that a caller learns
        // now (not from an ERROR task) that no pool matches.
        if !attributes.is_empty() {
            let mut tx = begin_read(self.storage.as_ref()).await?;
            crate::scheduler::schedule(
                &self.config.scheduler_filters,
                tx.find_pools().await.map_err(from_storage)?,
                &attributes,
                self.config.default_pool_id,
            )?;
        }
        let mut tx = begin(self.storage.as_ref()).await?;
        tx.create_zone_task(&task).await.map_err(from_storage)?;
        commit(tx).await?;
        self.notifier
            .notify(ctx, "dns.zone_import.create", task_payload(&task))
            .await;
        tracing::info!(import_id = %task.id, bytes = zone_file.len(), "zone import accepted");
        let central = self.clone();
        let ctx = ctx.clone();
        let pending = task.clone();
        tokio::spawn(async move {
            central
                .import_run(&ctx, pending, zone_file, attributes)
                .await;
        });
        Ok(task)
    }

    /// The background part of an import: parse, check, write; the task ends COMPLETE or ERROR.
    async fn import_run(
        &self,
        ctx: &RequestContext,
        task: ZoneTaskRow,
        zone_file: String,
        attributes: BTreeMap<String, String>,
    ) {
        let task_id = task.id;
        let task = match self.import_steps(ctx, task, zone_file, attributes).await {
            Ok(task) => task,
            Err((task, message)) => {
                tracing::info!(import_id = %task_id, %message, "zone import failed");
                let mut failed = task;
                failed.status = TaskStatus::Error;
                failed.message = Some(task_message(message));
                failed
            }
        };
        match self.task_save(&task).await {
            Ok(stored) => {
                self.notifier
                    .notify(ctx, "dns.zone_import.update", task_payload(&stored))
                    .await;
            }
            Err(e) => {
                tracing::error!(import_id = %task_id, error = %e, "cannot record import outcome")
            }
        }
    }

    /// Runs the import; on failure returns the task as last stored with the failure message.
    async fn import_steps(
        &self,
        ctx: &RequestContext,
        task: ZoneTaskRow,
        zone_file: String,
        attributes: BTreeMap<String, String>,
    ) -> std::result::Result<ZoneTaskRow, (ZoneTaskRow, String)> {
        let task = self.progress(task, "Parsing the zone file.").await;
        // Parsing a large file is CPU work: keep it off the async workers.
        let parsed = tokio::task::spawn_blocking(move || zonefile::parse(&zone_file, None)).await;
        let parsed: ParsedZone = match parsed {
            Ok(Ok(parsed)) => parsed,
            Ok(Err(e)) => return Err((task, e.task_message())),
            Err(e) => return Err((task, format!("An undefined error occurred. {e}"))),
        };
        let new = NewZone {
            id: None,
            name: parsed.name.clone(),
            email: Some(parsed.email.clone()),
            // Upstream lifts an SOA TTL of 0 to `min_ttl`.
            ttl: Some(if parsed.soa_ttl == 0 {
                self.config.min_ttl.unwrap_or(0)
            } else {
                parsed.soa_ttl
            }),
            description: None,
            zone_type: Some(ZoneType::Primary),
            // Scheduled like a zone create: by these hints, else to the default pool.
            pool_id: None,
            attributes,
            masters: Vec::new(),
        };
        if let Err(e) = self.check_new_zone(ctx, &new) {
            return Err((task, failure_message(&e)));
        }
        let importable: Vec<_> = parsed.importable_recordsets().collect();
        let total = importable.len();
        let mut recordsets = Vec::with_capacity(total);
        let mut task = task;
        for (i, set) in importable.into_iter().enumerate() {
            if i > 0 && i % PROGRESS_EVERY == 0 {
                let message = format!("Checked {i} of {total} recordsets of {}", parsed.name);
                task = self.progress(task, &message).await;
            }
            let spec = NewRecordSet {
                id: None,
                name: set.name.clone(),
                rtype: set.rtype.clone(),
                ttl: set.ttl,
                description: None,
                records: set.records.clone(),
            };
            match check_new(self, ctx, spec) {
                Ok(spec) => recordsets.push(spec),
                Err(e) => return Err((task, failure_message(&e))),
            }
        }
        let seed = ImportSeed {
            serial: parsed.soa.serial,
            retry: i32::try_from(parsed.soa.retry).unwrap_or(i32::MAX),
            expire: i32::try_from(parsed.soa.expire).unwrap_or(i32::MAX),
            recordsets,
        };
        let message = format!("Writing {total} recordsets of {}", parsed.name);
        let task = self.progress(task, &message).await;
        let Some(tenant) = task.tenant_id.clone() else {
            return Err((task, "An undefined error occurred. no project".to_owned()));
        };
        let created = retry(|| self.zone_create_once(ctx, &tenant, &new, Some(&seed))).await;
        let zone = match created {
            Ok(zone) => zone,
            Err(e) => return Err((task, failure_message(&e))),
        };
        tracing::info!(zone_id = %zone.id, name = %zone.name, recordsets = total, "zone imported");
        self.worker
            .cast_zone_task(ctx, ZoneTask::Create, zone.clone())
            .await;
        self.notify_zone(ctx, "create", &zone).await;
        let mut done = task;
        done.status = TaskStatus::Complete;
        done.zone_id = Some(zone.id);
        done.message = Some(task_message(format!("{} imported", zone.name)));
        Ok(done)
    }

    /// Stores `message` on the (still PENDING) task and returns it as stored; a failure to store
    /// progress is logged and the import goes on.
    async fn progress(&self, task: ZoneTaskRow, message: &str) -> ZoneTaskRow {
        let mut next = task.clone();
        next.message = Some(task_message(message));
        match self.task_save(&next).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::warn!(task_id = %task.id, error = %e, "cannot record import progress");
                task
            }
        }
    }

    /// Writes a task row in a transaction of its own.
    pub(crate) async fn task_save(&self, task: &ZoneTaskRow) -> Result<ZoneTaskRow> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let stored = tx.update_zone_task(task).await.map_err(from_storage)?;
        commit(tx).await?;
        Ok(stored)
    }

    /// Inside the zone's creating transaction: quota checks over the whole import (the
    /// managed SOA and NS count as recordsets, as upstream counts them), no recordset inside an
    /// existing sub-zone the new zone adopts, then the bulk insert.
    pub(crate) async fn write_imported_recordsets(
        &self,
        tx: &mut dyn StorageTx,
        zone: &Zone,
        seed: &ImportSeed,
        adopted: &[Zone],
    ) -> Result<()> {
        let tenant = zone.tenant_id.clone().unwrap_or_default();
        let quotas = quotas_of(tx, &self.config.quotas, &tenant).await?;
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let records: usize = seed.recordsets.iter().map(|rs| rs.records.len()).sum();
        let largest = seed
            .recordsets
            .iter()
            .map(|rs| rs.records.len())
            .max()
            .unwrap_or(0);
        limit_check(
            &quotas,
            &[("zone_recordsets", count(seed.recordsets.len() + 2))],
        )?;
        limit_check(&quotas, &[("zone_records", count(records))])?;
        limit_check(&quotas, &[("recordset_records", count(largest))])?;
        for sub in adopted {
            if let Some(rs) = seed
                .recordsets
                .iter()
                .find(|rs| is_in_zone(&rs.name, &sub.name))
            {
                return Err(DesignateError::new(
                    ErrorKind::InvalidRecordSetLocation,
                    format!(
                        "RecordSet {} belongs in a child zone: {}",
                        rs.name, sub.name
                    ),
                ));
            }
        }
        let sets: Vec<_> = seed
            .recordsets
            .iter()
            .map(|spec| new_recordset(zone, spec.clone(), zone.serial, false))
            .collect();
        tx.create_recordsets(&sets).await.map_err(from_storage)
    }

    /// An import task the caller may see.
    async fn visible_import(
        tx: &mut dyn StorageTx,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTaskRow> {
        let task = match tx.get_zone_task(id).await {
            Ok(task) => task,
            Err(designate_storage::StorageError::NotFound(_)) => return Err(import_not_found()),
            Err(e) => return Err(from_storage(e)),
        };
        if task.task_type != TaskType::Import || !task_visible(ctx, &task) {
            return Err(import_not_found());
        }
        Ok(task)
    }

    /// See [`designate_bus::CentralApi::get_zone_import`].
    pub(crate) async fn import_get(&self, ctx: &RequestContext, id: Uuid) -> Result<ZoneTaskRow> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        Self::visible_import(tx.as_mut(), ctx, id).await
    }

    /// See [`designate_bus::CentralApi::find_zone_imports`].
    pub(crate) async fn import_find(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        self.tasks_find(ctx, TaskType::Import, criteria, page).await
    }

    /// Tasks of one type the caller may see.
    pub(crate) async fn tasks_find(
        &self,
        ctx: &RequestContext,
        task_type: TaskType,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<ZoneTaskRow>> {
        let mut criteria = criteria.eq("task_type", task_type.as_str());
        if let Some(project) = ctx.project_filter() {
            criteria = criteria.eq("tenant_id", project);
        }
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_zone_tasks(&criteria, &page)
            .await
            .map_err(from_storage)
    }

    /// See [`designate_bus::CentralApi::delete_zone_import`].
    pub(crate) async fn import_delete(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTaskRow> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let task = Self::visible_import(tx.as_mut(), ctx, id).await?;
        tx.delete_zone_task(id).await.map_err(from_storage)?;
        commit(tx).await?;
        self.notifier
            .notify(ctx, "dns.zone_import.delete", task_payload(&task))
            .await;
        Ok(task)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_use_upstreams_words() {
        let e = DesignateError::new(ErrorKind::DuplicateZone, "Duplicate Zone");
        assert_eq!(failure_message(&e), "Duplicate zone.");
        let e = DesignateError::new(ErrorKind::OverQuota, "Quota exceeded for zones.");
        assert_eq!(failure_message(&e), "Quota exceeded during zone import.");
        let e = DesignateError::new(ErrorKind::InvalidZoneName, "Invalid TLD");
        assert_eq!(
            failure_message(&e),
            "An undefined error occurred. Invalid TLD"
        );
        let long = DesignateError::new(ErrorKind::BadRequest, "x".repeat(500));
        assert!(failure_message(&long).chars().count() <= 160);
    }
}
