//! Managed records: the records sink handlers create for compute instances and floating IPs
//! (upstream's `create_managed_records` / `delete_managed_records`).
//!
//! They carry the `managed_*` columns naming their owner (plugin and resource), so a delete
//! removes exactly what that owner created and nothing a tenant or another handler added. Both
//! operations are idempotent, because the sink redelivers a notification whose ack was lost.

use designate_bus::{ManagedOwner, ManagedRecords, ZoneTask};
use designate_core::criteria::Criteria;
use designate_core::objects::{Action, NewRecordSet, Record, RecordSet};
use designate_core::{RequestContext, Result};
use uuid::Uuid;

use crate::build::{mark_records, new_record, new_recordset, now};
use crate::errors::from_storage;
use crate::recordsets::{check_new, check_placement, check_zone_writable};
use crate::txn::{begin, bump_zone, commit, find_all, new_serial, retry, uuid_value};
use crate::zones::visible_zone;
use crate::{payload, Central};

/// Whether `record` was created by `owner`.
fn owned_by(record: &Record, owner: &ManagedOwner) -> bool {
    record.managed
        && record.managed_plugin_name.as_deref() == Some(owner.plugin_name.as_str())
        && record.managed_plugin_type.as_deref() == Some(owner.plugin_type.as_str())
        && record.managed_resource_type.as_deref() == Some(owner.resource_type.as_str())
        && record.managed_resource_id == Some(owner.resource_id)
}

/// Stamps `owner` on a freshly built record.
fn stamp_owner(record: &mut Record, owner: &ManagedOwner) {
    record.managed = true;
    record.managed_plugin_name = Some(owner.plugin_name.clone());
    record.managed_plugin_type = Some(owner.plugin_type.clone());
    record.managed_resource_type = Some(owner.resource_type.clone());
    record.managed_resource_id = Some(owner.resource_id);
}

/// What a managed-record write did, for the cast and the notification after commit.
enum Change {
    /// Nothing to do (the records were already there).
    None(RecordSet),
    /// A new recordset.
    Created(RecordSet, designate_core::objects::Zone),
    /// Records added to or removed from an existing recordset.
    Updated(RecordSet, designate_core::objects::Zone),
}

impl Central {
    /// See [`designate_bus::CentralApi::create_managed_records`].
    pub(crate) async fn managed_create(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        spec: ManagedRecords,
    ) -> Result<RecordSet> {
        let checked = check_new(
            self,
            ctx,
            NewRecordSet {
                id: None,
                name: spec.name.clone(),
                rtype: spec.rtype.clone(),
                ttl: None,
                description: None,
                records: spec.data.clone(),
            },
        )?;
        let change = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
            check_zone_writable(&zone)?;
            let existing = Criteria::new()
                .eq("zone_id", uuid_value(&zone.id))
                .eq("name", &checked.name)
                .eq("type", &checked.rtype);
            let found = find_all(tx.as_mut(), &existing).await?.into_iter().next();
            let serial = new_serial(&zone);
            let change = match found {
                None => {
                    check_placement(tx.as_mut(), &zone, &checked.name, &checked.rtype, None)
                        .await?;
                    // A new recordset counts against `zone_recordsets`; managed records
                    // themselves are not counted against the record quotas, as upstream.
                    self.enforce_recordset_quota(tx.as_mut(), &zone, None, 0)
                        .await?;
                    let mut rs = new_recordset(&zone, checked.clone(), serial, true);
                    for record in &mut rs.records {
                        stamp_owner(record, &spec.owner);
                    }
                    tx.create_recordset(&rs).await.map_err(from_storage)?;
                    let zone = bump_zone(tx.as_mut(), &zone, serial).await?.zone;
                    Change::Created(rs, zone)
                }
                Some(mut rs) => {
                    rs.zone_name.clone_from(&zone.name);
                    // Data already present (a redelivered notification, or the same address
                    // from another owner) is left as it is: a datum appears once per recordset.
                    let missing: Vec<&String> = checked
                        .records
                        .iter()
                        .filter(|d| !rs.records.iter().any(|r| &r.data == *d))
                        .collect();
                    if missing.is_empty() {
                        Change::None(rs)
                    } else {
                        for datum in missing {
                            let mut record = new_record(&zone, rs.id, datum.clone(), serial, true);
                            stamp_owner(&mut record, &spec.owner);
                            rs.records.push(record);
                        }
                        rs.updated_at = Some(now());
                        let mut stored = tx.update_recordset(&rs).await.map_err(from_storage)?;
                        stored.zone_name.clone_from(&zone.name);
                        let zone = bump_zone(tx.as_mut(), &zone, serial).await?.zone;
                        Change::Updated(stored, zone)
                    }
                }
            };
            commit(tx).await?;
            Ok(change)
        })
        .await?;
        Ok(self.announce(ctx, change, "dns.recordset.create").await)
    }

    /// See [`designate_bus::CentralApi::delete_managed_records`].
    pub(crate) async fn managed_delete(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        owner: ManagedOwner,
    ) -> Result<u32> {
        let (removed, changes) = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
            let recordsets = tx.zone_recordsets(zone.id).await.map_err(from_storage)?;
            let serial = new_serial(&zone);
            let mut removed = 0u32;
            let mut touched = Vec::new();
            for mut rs in recordsets {
                let (gone, kept): (Vec<Record>, Vec<Record>) =
                    rs.records.into_iter().partition(|r| owned_by(r, &owner));
                if gone.is_empty() {
                    continue;
                }
                removed += u32::try_from(gone.len()).unwrap_or(u32::MAX);
                rs.zone_name.clone_from(&zone.name);
                if kept.is_empty() {
                    rs.records = gone;
                    mark_records(&mut rs, Action::Delete, serial);
                    tx.delete_recordset(rs.id).await.map_err(from_storage)?;
                    touched.push(("dns.recordset.delete", rs));
                } else {
                    rs.records = kept;
                    rs.updated_at = Some(now());
                    let mut stored = tx.update_recordset(&rs).await.map_err(from_storage)?;
                    stored.zone_name.clone_from(&zone.name);
                    touched.push(("dns.recordset.update", stored));
                }
            }
            if removed == 0 {
                // Nothing of this owner (already deleted, or never created): no serial bump.
                return Ok((0, None));
            }
            let zone = bump_zone(tx.as_mut(), &zone, serial).await?.zone;
            commit(tx).await?;
            Ok((removed, Some((zone, touched))))
        })
        .await?;
        if let Some((zone, touched)) = changes {
            self.worker
                .cast_zone_task(ctx, ZoneTask::Update, zone)
                .await;
            for (event, rs) in touched {
                self.notifier
                    .notify(ctx, event, payload::recordset(&rs))
                    .await;
            }
        }
        Ok(removed)
    }

    /// Casts and notifies a committed managed-record change; returns the recordset.
    async fn announce(&self, ctx: &RequestContext, change: Change, created: &str) -> RecordSet {
        let (rs, zone, event) = match change {
            Change::None(rs) => return rs,
            Change::Created(rs, zone) => (rs, zone, created),
            Change::Updated(rs, zone) => (rs, zone, "dns.recordset.update"),
        };
        self.worker
            .cast_zone_task(ctx, ZoneTask::Update, zone)
            .await;
        self.notifier
            .notify(ctx, event, payload::recordset(&rs))
            .await;
        rs
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use designate_core::objects::{RecordStatus, Timestamp};

    fn record(owner: Option<&ManagedOwner>) -> Record {
        let mut r = Record {
            id: Uuid::new_v4(),
            version: 1,
            created_at: Timestamp::default(),
            updated_at: None,
            zone_shard: 0,
            tenant_id: None,
            zone_id: Uuid::nil(),
            recordset_id: Uuid::nil(),
            data: "192.0.2.1".into(),
            description: None,
            hash: String::new(),
            managed: false,
            managed_extra: None,
            managed_plugin_type: None,
            managed_plugin_name: None,
            managed_resource_type: None,
            managed_resource_region: None,
            managed_resource_id: None,
            managed_tenant_id: None,
            status: RecordStatus::Active,
            action: Action::None,
            serial: 1,
        };
        if let Some(owner) = owner {
            stamp_owner(&mut r, owner);
        }
        r
    }

    #[test]
    fn ownership_matches_every_managed_column() {
        let owner = ManagedOwner {
            plugin_name: "nova_fixed".into(),
            plugin_type: "handler".into(),
            resource_type: "instance".into(),
            resource_id: Uuid::new_v4(),
        };
        assert!(owned_by(&record(Some(&owner)), &owner));
        assert!(!owned_by(&record(None), &owner));
        let other = ManagedOwner {
            resource_id: Uuid::new_v4(),
            ..owner.clone()
        };
        assert!(!owned_by(&record(Some(&other)), &owner));
        let other_plugin = ManagedOwner {
            plugin_name: "neutron_floatingip".into(),
            ..owner.clone()
        };
        assert!(!owned_by(&record(Some(&other_plugin)), &owner));
    }
}
