//! Floating-IP PTRs (upstream's `list_floatingips`, `get_floatingip`, `update_floatingip`).
//!
//! A PTR is a managed record (`managed_resource_type` `ptr:floatingip`, `managed_extra` the
//! address, `managed_resource_id` / `_region` the floating IP, `managed_tenant_id` the project
//! that set it) in the address's /24 reverse zone, which central creates on first use under
//! `[service:central] managed_resource_tenant_id`. Which floating IPs a project has is Neutron's
//! answer to the project's own token. A PTR whose address now belongs to another project is
//! deleted when it is next listed, as upstream's `_determine_floatingips` does.

use std::collections::HashMap;

use designate_bus::ZoneTask;
use designate_core::criteria::Criteria;
use designate_core::objects::{
    reverse_record_name, reverse_zone_name, Action, FloatingIp, FloatingIpUpdate,
    NetworkFloatingIp, NewRecordSet, NewZone, Record, RecordSet, RecordStatus, Zone, ZoneType,
    FLOATING_IP_RESOURCE_TYPE,
};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::build::{mark_records, new_record, new_recordset, now};
use crate::errors::from_storage;
use crate::journal;
use crate::recordsets::{check_new, check_placement, check_zone_writable};
use crate::txn::{begin, begin_read, bump_zone, commit, find_all, new_serial, retry, uuid_value};
use crate::zones::{check_description, find_all_zones, visible_zone};
use crate::{payload, Central};

/// The floating IP with the PTR `record` (of `rs` in `zone`), as upstream's
/// `_create_floating_ip` renders it: TTL from the recordset, else the zone.
fn with_ptr(fip: &NetworkFloatingIp, record: &Record, rs: &RecordSet, zone_ttl: i32) -> FloatingIp {
    let status = match rs.status() {
        RecordStatus::Deleted => "INACTIVE",
        other => other.as_str(),
    };
    FloatingIp {
        ptrdname: Some(record.data.clone()),
        description: record.description.clone(),
        ttl: Some(rs.ttl.unwrap_or(zone_ttl)),
        status: status.to_owned(),
        action: rs.action(),
        ..FloatingIp::unset(fip)
    }
}

/// Whether `record` is the PTR the caller's project set for `fip`.
fn ptr_of(record: &Record, project: Option<&str>) -> bool {
    record.managed_tenant_id.as_deref() == project
}

/// The one record of a PTR recordset `rs`: the caller's PTR for `fip`.
fn ptr_records(
    ctx: &RequestContext,
    zone: &Zone,
    rs_id: Uuid,
    fip: &NetworkFloatingIp,
    spec: &NewRecordSet,
    update: &FloatingIpUpdate,
    serial: u32,
) -> Vec<Record> {
    spec.records
        .iter()
        .map(|datum| {
            let mut record = new_record(zone, rs_id, datum.clone(), serial, true);
            record.tenant_id.clone_from(&ctx.project_id);
            record.description.clone_from(&update.description);
            record.managed_extra = Some(fip.address.to_string());
            record.managed_resource_id = Some(fip.id);
            record.managed_resource_region = Some(fip.region.clone());
            record.managed_resource_type = Some(FLOATING_IP_RESOURCE_TYPE.to_owned());
            record.managed_tenant_id.clone_from(&ctx.project_id);
            record
        })
        .collect()
}

impl Central {
    /// Upstream's elevated context for managed resources: admin, every project, managed records
    /// editable, acting for `[service:central] managed_resource_tenant_id`.
    fn managed_context(&self, ctx: &RequestContext) -> RequestContext {
        RequestContext {
            request_id: ctx.request_id.clone(),
            project_id: Some(self.config.managed_resource_tenant_id.clone()),
            roles: vec!["admin".to_owned()],
            all_projects: true,
            edit_managed_records: true,
            ..RequestContext::default()
        }
    }

    /// The caller's floating IP `region`:`id`, or upstream's `not_found`.
    async fn project_floatingip(
        &self,
        ctx: &RequestContext,
        region: &str,
        id: Uuid,
    ) -> Result<NetworkFloatingIp> {
        let fips = self.neutron.list_floatingips(ctx, Some(region)).await?;
        fips.into_iter()
            .find(|f| f.id == id && f.region == region)
            .ok_or_else(|| {
                DesignateError::new(
                    ErrorKind::NotFound,
                    format!(
                        "FloatingIP {id} in {region} is not associated for project \"{}\"",
                        ctx.project_id.as_deref().unwrap_or("None")
                    ),
                )
            })
    }

    /// See [`designate_bus::CentralApi::list_floatingips`].
    pub(crate) async fn fip_list(&self, ctx: &RequestContext) -> Result<Vec<FloatingIp>> {
        let fips = self.neutron.list_floatingips(ctx, None).await?;
        self.fips_with_ptrs(ctx, &fips).await
    }

    /// See [`designate_bus::CentralApi::get_floatingip`].
    pub(crate) async fn fip_get(
        &self,
        ctx: &RequestContext,
        region: String,
        id: Uuid,
    ) -> Result<FloatingIp> {
        let fip = self.project_floatingip(ctx, &region, id).await?;
        let mut shown = self.fips_with_ptrs(ctx, std::slice::from_ref(&fip)).await?;
        Ok(shown.pop().unwrap_or_else(|| FloatingIp::unset(&fip)))
    }

    /// See [`designate_bus::CentralApi::update_floatingip`].
    pub(crate) async fn fip_update(
        &self,
        ctx: &RequestContext,
        region: String,
        id: Uuid,
        update: FloatingIpUpdate,
    ) -> Result<Option<FloatingIp>> {
        match update.ptrdname.clone() {
            Some(None) => {
                self.fip_unset(ctx, &region, id).await?;
                Ok(None)
            }
            Some(Some(ptrdname)) => self
                .fip_set(ctx, &region, id, ptrdname, update)
                .await
                .map(Some),
            None => Ok(None),
        }
    }

    /// `fips` with their PTRs; PTRs another project set for these addresses are deleted.
    async fn fips_with_ptrs(
        &self,
        ctx: &RequestContext,
        fips: &[NetworkFloatingIp],
    ) -> Result<Vec<FloatingIp>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        let records = tx
            .find_managed_records(FLOATING_IP_RESOURCE_TYPE)
            .await
            .map_err(from_storage)?;
        let by_address: HashMap<&str, &Record> = records
            .iter()
            .filter_map(|r| r.managed_extra.as_deref().map(|a| (a, r)))
            .collect();
        let project = ctx.project_id.as_deref();
        let mut shown = Vec::with_capacity(fips.len());
        let mut stale = Vec::new();
        for fip in fips {
            let address = fip.address.to_string();
            let record = match by_address.get(address.as_str()) {
                Some(record) if ptr_of(record, project) => *record,
                Some(record) => {
                    tracing::debug!(%address, owner = ?record.managed_tenant_id,
                        "PTR of a floating ip now owned by another project; deleting it");
                    stale.push((*record).clone());
                    shown.push(FloatingIp::unset(fip));
                    continue;
                }
                None => {
                    shown.push(FloatingIp::unset(fip));
                    continue;
                }
            };
            shown.push(self.show_ptr(tx.as_mut(), fip, record).await?);
        }
        drop(tx);
        for record in stale {
            self.remove_ptr(ctx, &record).await?;
        }
        Ok(shown)
    }

    /// The floating IP with its PTR `record`, reading its recordset and zone.
    async fn show_ptr(
        &self,
        tx: &mut dyn StorageTx,
        fip: &NetworkFloatingIp,
        record: &Record,
    ) -> Result<FloatingIp> {
        let Ok(rs) = tx.get_recordset(record.recordset_id).await else {
            return Ok(FloatingIp::unset(fip));
        };
        let Ok(zone) = tx.get_zone(record.zone_id).await else {
            return Ok(FloatingIp::unset(fip));
        };
        Ok(with_ptr(fip, record, &rs, zone.ttl))
    }

    /// The reverse zone `name`, created under the managed-resource project when missing.
    async fn reverse_zone(&self, managed: &RequestContext, name: &str) -> Result<Zone> {
        let by_name = Criteria::new().eq("name", name);
        let found = {
            let mut tx = begin_read(self.storage.as_ref()).await?;
            find_all_zones(tx.as_mut(), &by_name)
                .await?
                .into_iter()
                .next()
        };
        if let Some(zone) = found {
            return Ok(zone);
        }
        tracing::info!(zone = name, "creating reverse zone for floating ip PTRs");
        let new = NewZone {
            id: None,
            name: name.to_owned(),
            email: Some(self.config.managed_resource_email.clone()),
            ttl: None,
            description: None,
            zone_type: Some(ZoneType::Primary),
            pool_id: None,
            attributes: Default::default(),
            masters: Vec::new(),
        };
        match self.zone_create(managed, new).await {
            Ok(zone) => Ok(zone),
            // Another request created it meanwhile.
            Err(e) if e.kind == ErrorKind::DuplicateZone => {
                let mut tx = begin_read(self.storage.as_ref()).await?;
                find_all_zones(tx.as_mut(), &by_name)
                    .await?
                    .into_iter()
                    .next()
                    .ok_or(e)
            }
            Err(e) => Err(e),
        }
    }

    /// Upstream's `_set_floatingip_reverse`: the PTR recordset of the address holds exactly
    /// this record afterwards (created, or its records replaced), with `update.ttl`.
    async fn fip_set(
        &self,
        ctx: &RequestContext,
        region: &str,
        id: Uuid,
        ptrdname: String,
        update: FloatingIpUpdate,
    ) -> Result<FloatingIp> {
        let managed = self.managed_context(ctx);
        check_description(update.description.as_deref())?;
        let fip = self.project_floatingip(ctx, region, id).await?;
        let spec = check_new(
            self,
            &managed,
            NewRecordSet {
                id: None,
                name: reverse_record_name(fip.address),
                rtype: "PTR".to_owned(),
                ttl: update.ttl,
                description: None,
                records: vec![ptrdname],
            },
        )?;
        let zone = self
            .reverse_zone(&managed, &reverse_zone_name(fip.address))
            .await?;
        let (rs, zone, event) = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = visible_zone(tx.as_mut(), &managed, zone.id).await?;
            check_zone_writable(&zone)?;
            let key = Criteria::new()
                .eq("zone_id", uuid_value(&zone.id))
                .eq("name", &spec.name)
                .eq("type", "PTR");
            let existing = find_all(tx.as_mut(), &key).await?.into_iter().next();
            let keys = vec![(spec.name.clone(), spec.rtype.clone())];
            let before = journal::capture(tx.as_mut(), &zone, journal::Scope::Keys(keys)).await?;
            let serial = new_serial(&zone);
            let (rs, event) = match existing {
                Some(mut rs) => {
                    rs.zone_name.clone_from(&zone.name);
                    rs.ttl = spec.ttl;
                    rs.records = ptr_records(ctx, &zone, rs.id, &fip, &spec, &update, serial);
                    mark_records(&mut rs, Action::Update, serial);
                    rs.updated_at = Some(now());
                    let mut stored = tx.update_recordset(&rs).await.map_err(from_storage)?;
                    stored.zone_name.clone_from(&zone.name);
                    (stored, "dns.recordset.update")
                }
                None => {
                    check_placement(tx.as_mut(), &zone, &spec.name, &spec.rtype, None).await?;
                    self.enforce_recordset_quota(tx.as_mut(), &zone, None, 0)
                        .await?;
                    let empty = NewRecordSet {
                        records: Vec::new(),
                        ..spec.clone()
                    };
                    let mut rs = new_recordset(&zone, empty, serial, true);
                    // Upstream's storage stamps the caller's project on what it creates.
                    rs.tenant_id.clone_from(&ctx.project_id);
                    rs.records = ptr_records(ctx, &zone, rs.id, &fip, &spec, &update, serial);
                    tx.create_recordset(&rs).await.map_err(from_storage)?;
                    (rs, "dns.recordset.create")
                }
            };
            let bumped = bump_zone(tx.as_mut(), &zone, serial).await?;
            journal::record(tx.as_mut(), &bumped, before).await?;
            let zone = bumped.zone;
            commit(tx).await?;
            Ok((rs, zone, event))
        })
        .await?;
        self.worker
            .cast_zone_task(&managed, ZoneTask::Update, zone.clone())
            .await;
        self.notifier
            .notify(&managed, event, payload::recordset(&rs))
            .await;
        let record = rs.records.first().ok_or_else(|| {
            DesignateError::new(ErrorKind::UnknownFailure, "PTR recordset without a record")
        })?;
        Ok(with_ptr(&fip, record, &rs, zone.ttl))
    }

    /// Upstream's `_unset_floatingip_reverse`: the caller's PTR of floating IP `id` goes (Neutron
    /// is not asked); `not_found` when there is none.
    async fn fip_unset(&self, ctx: &RequestContext, region: &str, id: Uuid) -> Result<()> {
        let record = {
            let mut tx = begin_read(self.storage.as_ref()).await?;
            tx.find_managed_records(FLOATING_IP_RESOURCE_TYPE)
                .await
                .map_err(from_storage)?
                .into_iter()
                .find(|r| r.managed_resource_id == Some(id) && ptr_of(r, ctx.project_id.as_deref()))
        };
        let Some(record) = record else {
            return Err(DesignateError::new(
                ErrorKind::NotFound,
                format!("No such FloatingIP {region}:{id}"),
            ));
        };
        self.remove_ptr(ctx, &record).await
    }

    /// Upstream's `_delete_or_update_managed_recordset`: `record` leaves its recordset, which
    /// goes when it was the last one. Nothing happens when either is already gone.
    async fn remove_ptr(&self, ctx: &RequestContext, record: &Record) -> Result<()> {
        let managed = self.managed_context(ctx);
        let change = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = match visible_zone(tx.as_mut(), &managed, record.zone_id).await {
                Ok(zone) => zone,
                Err(e) if e.kind == ErrorKind::ZoneNotFound => return Ok(None),
                Err(e) => return Err(e),
            };
            let mut rs = match tx.get_recordset(record.recordset_id).await {
                Ok(rs) => rs,
                Err(designate_storage::StorageError::NotFound(_)) => return Ok(None),
                Err(e) => return Err(from_storage(e)),
            };
            if !rs.records.iter().any(|r| r.id == record.id) {
                return Ok(None);
            }
            rs.zone_name.clone_from(&zone.name);
            let keys = vec![(rs.name.clone(), rs.rtype.clone())];
            let before = journal::capture(tx.as_mut(), &zone, journal::Scope::Keys(keys)).await?;
            let serial = new_serial(&zone);
            let (rs, event) = if rs.records.len() == 1 {
                mark_records(&mut rs, Action::Delete, serial);
                tx.delete_recordset(rs.id).await.map_err(from_storage)?;
                (rs, "dns.recordset.delete")
            } else {
                rs.records.retain(|r| r.id != record.id);
                mark_records(&mut rs, Action::Update, serial);
                rs.updated_at = Some(now());
                let mut stored = tx.update_recordset(&rs).await.map_err(from_storage)?;
                stored.zone_name.clone_from(&zone.name);
                (stored, "dns.recordset.update")
            };
            let bumped = bump_zone(tx.as_mut(), &zone, serial).await?;
            journal::record(tx.as_mut(), &bumped, before).await?;
            let zone = bumped.zone;
            commit(tx).await?;
            Ok(Some((rs, zone, event)))
        })
        .await?;
        if let Some((rs, zone, event)) = change {
            self.worker
                .cast_zone_task(&managed, ZoneTask::Update, zone)
                .await;
            self.notifier
                .notify(&managed, event, payload::recordset(&rs))
                .await;
        }
        Ok(())
    }
}
