//! Quotas: upstream's `storage` quota driver (configured defaults overlaid with the project's
//! rows in `quotas`), and its enforcement at zone, recordset and record creation
//! (`_enforce_zone_quota`, `_enforce_recordset_quota`, `_enforce_record_quota`): a create that
//! would go over a limit is `413 over_quota`. Checks run inside the writing transaction, so the
//! counts they read are the ones the write commits against.

use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{
    over_quota, Quota, Quotas, RecordSet, Zone, MAX_QUOTA, MIN_QUOTA, QUOTA_RESOURCES,
};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::build::now;
use crate::errors::from_storage;
use crate::txn::{begin, begin_read, commit};
use crate::Central;

/// Upstream's `[DEFAULT] quota_*` defaults.
pub fn default_quotas() -> Quotas {
    [
        ("zones", 10),
        ("zone_recordsets", 500),
        ("zone_records", 500),
        ("recordset_records", 20),
        ("api_export_size", 1000),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// A page that counts without fetching rows.
fn count_only() -> Page {
    Page {
        limit: Some(0),
        ..Page::default()
    }
}

/// The project's quotas: `defaults` overlaid with its rows.
pub(crate) async fn quotas_of(
    tx: &mut dyn StorageTx,
    defaults: &Quotas,
    tenant: &str,
) -> Result<Quotas> {
    let rows = tx.find_quotas(tenant).await.map_err(from_storage)?;
    Ok(with_overrides(defaults, rows))
}

/// The defaults overlaid with a project's quota rows.
fn with_overrides(defaults: &Quotas, rows: Vec<Quota>) -> Quotas {
    let mut quotas = defaults.clone();
    for q in rows {
        quotas.insert(q.resource, q.hard_limit);
    }
    quotas
}

/// Upstream's `limit_check`: every `(resource, value)` over its limit is named in one
/// `over_quota` error, shortest name first.
pub(crate) fn limit_check(quotas: &Quotas, values: &[(&str, i64)]) -> Result<()> {
    let mut exceeded: Vec<&str> = values
        .iter()
        .filter(|(r, v)| quotas.get(*r).is_some_and(|limit| over_quota(*limit, *v)))
        .map(|(r, _)| *r)
        .collect();
    if exceeded.is_empty() {
        return Ok(());
    }
    exceeded.sort_by_key(|r| r.len());
    Err(DesignateError::new(
        ErrorKind::OverQuota,
        format!("Quota exceeded for {}.", exceeded.join(", ")),
    ))
}

impl Central {
    /// One more zone for `tenant` must stay within `zones`.
    pub(crate) async fn enforce_zone_quota(
        &self,
        tx: &mut dyn StorageTx,
        tenant: &str,
    ) -> Result<()> {
        let quotas = quotas_of(tx, &self.config.quotas, tenant).await?;
        let count = tx
            .find_zones(&Criteria::new().eq("tenant_id", tenant), &count_only())
            .await
            .map_err(from_storage)?
            .total_count;
        limit_check(&quotas, &[("zones", saturating(count) + 1)])
    }

    /// A recordset of `records` records (managed ones excluded by the caller) added to `zone`,
    /// or replacing the records of recordset `replacing`, must stay within `zone_recordsets`
    /// (when adding), `zone_records` and `recordset_records`.
    pub(crate) async fn enforce_recordset_quota(
        &self,
        tx: &mut dyn StorageTx,
        zone: &Zone,
        replacing: Option<&RecordSet>,
        records: usize,
    ) -> Result<()> {
        let tenant = zone.tenant_id.clone().unwrap_or_default();
        let (rows, counts) = tx
            .recordset_quota_inputs(zone.id, &tenant)
            .await
            .map_err(from_storage)?;
        self.check_recordset_quota(rows, counts, replacing, records)
    }

    /// The recordset quotas of a change, given the project's quota rows and the zone's counts
    /// (`StorageTx::recordset_quota_inputs`).
    pub(crate) fn check_recordset_quota(
        &self,
        rows: Vec<Quota>,
        counts: designate_storage::ContentCounts,
        replacing: Option<&RecordSet>,
        records: usize,
    ) -> Result<()> {
        let quotas = with_overrides(&self.config.quotas, rows);
        if replacing.is_none() {
            limit_check(
                &quotas,
                &[("zone_recordsets", saturating(counts.recordsets) + 1)],
            )?;
        }
        let in_zone = counts.records;
        let replaced = replacing.map_or(0, |rs| rs.records.iter().filter(|r| !r.managed).count());
        let others = in_zone.saturating_sub(replaced as u64);
        let records = i64::try_from(records).unwrap_or(i64::MAX);
        limit_check(
            &quotas,
            &[("zone_records", saturating(others).saturating_add(records))],
        )?;
        limit_check(&quotas, &[("recordset_records", records)])
    }

    /// Quotas of `project_id` (defaults overlaid with its own).
    pub(crate) async fn quotas_get(
        &self,
        ctx: &RequestContext,
        project_id: &str,
    ) -> Result<Quotas> {
        // Upstream: another project's quotas need all-projects, even for an admin.
        if Some(project_id) != ctx.project_id.as_deref() && !ctx.all_projects {
            return Err(DesignateError::new(ErrorKind::Forbidden, "Forbidden"));
        }
        let mut tx = begin_read(self.storage.as_ref()).await?;
        quotas_of(tx.as_mut(), &self.config.quotas, project_id).await
    }

    /// Sets one quota of `project_id`.
    pub(crate) async fn quota_set(
        &self,
        ctx: &RequestContext,
        project_id: &str,
        resource: &str,
        hard_limit: i64,
    ) -> Result<()> {
        if Some(project_id) != ctx.project_id.as_deref() && !ctx.all_projects {
            return Err(DesignateError::new(ErrorKind::Forbidden, "Forbidden"));
        }
        if !QUOTA_RESOURCES.contains(&resource) {
            return Err(DesignateError::new(
                ErrorKind::QuotaResourceUnknown,
                format!("'{resource}' is not a valid quota resource."),
            ));
        }
        if !(MIN_QUOTA..=MAX_QUOTA).contains(&hard_limit) {
            return Err(DesignateError::invalid_object(
                &["hard_limit"],
                "minimum",
                format!("{hard_limit} is out of range"),
            ));
        }
        let quota = Quota {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            tenant_id: project_id.to_owned(),
            resource: resource.to_owned(),
            hard_limit,
        };
        let mut tx = begin(self.storage.as_ref()).await?;
        tx.set_quota(&quota).await.map_err(from_storage)?;
        commit(tx).await
    }

    /// Back to the defaults for `project_id`.
    pub(crate) async fn quotas_reset(&self, project_id: &str) -> Result<()> {
        let mut tx = begin(self.storage.as_ref()).await?;
        tx.delete_quotas(project_id).await.map_err(from_storage)?;
        commit(tx).await
    }
}

fn saturating(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_check_names_every_exceeded_resource() {
        let mut q = default_quotas();
        q.insert("zones".to_owned(), 1);
        assert!(limit_check(&q, &[("zones", 1)]).is_ok());
        let e = limit_check(&q, &[("zone_records", 501), ("zones", 2)]).unwrap_err();
        assert_eq!(e.kind, ErrorKind::OverQuota);
        assert_eq!(e.message, "Quota exceeded for zones, zone_records.");
        q.insert("zones".to_owned(), -1);
        assert!(limit_check(&q, &[("zones", 1_000_000)]).is_ok());
    }
}
