//! SECONDARY zones: data transferred from external masters (upstream's `zone_masters`,
//! `xfr_zone`, the worker's `ZoneXfr` and the update it sends back to central).
//!
//! A secondary zone is created with serial 1, central's managed e-mail and no NS records, and
//! is not pushed to its pool's targets until its first transfer is stored: the worker
//! transfers it (on create, on new masters, on `xfr`, on a NOTIFY from a master, on the
//! producer's `periodic_secondary_refresh`) and reports through `finish_zone_xfr`, which
//! replaces every recordset in one transaction and casts the push. Its SOA is the master's
//! (central never rewrites it) and its serial only changes by transfer.

use chrono::Timelike;
use designate_bus::{XfrOutcome, ZoneTask};
use designate_core::objects::{
    Action, NewRecordSet, NewZone, Zone, ZoneStatus, ZoneType, ZoneUpdate,
};
use designate_core::serial::serial_gt;
use designate_core::zonefile::{self, ParsedZone};
use designate_core::{DesignateError, RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::build::{new_recordset, now};
use crate::errors::{bad_request, from_storage};
use crate::txn::{begin, commit, retry};
use crate::zones::{check_description, visible_zone};
use crate::Central;

/// Upstream's `Zone.validate` for a SECONDARY zone: masters required; e-mail and TTL are the
/// API's to refuse (they come from the master).
pub(crate) fn check_new_secondary(new: &NewZone) -> Result<()> {
    if new.masters.is_empty() {
        return Err(masters_required());
    }
    Ok(())
}

fn masters_required() -> DesignateError {
    DesignateError::invalid_object(&["type"], "required", "'masters' is a required property")
}

fn not_allowed(field: &str) -> DesignateError {
    DesignateError::invalid_object(
        &["type"],
        "not_allowed",
        format!("'{field}' can't be specified when type is SECONDARY"),
    )
}

/// A zone update that touches a SECONDARY zone or names masters, inside `tx`: no serial bump
/// (the serial is the master's), new masters replace the old ones and clear `transferred_at`
/// (so the next transfer is unconditional).
pub(crate) async fn update_secondary(
    tx: &mut dyn StorageTx,
    mut zone: Zone,
    update: &ZoneUpdate,
) -> Result<Zone> {
    if zone.zone_type != ZoneType::Secondary {
        return Err(DesignateError::invalid_object(
            &["type"],
            "maxItems",
            "'masters' has more items than allowed",
        ));
    }
    if update.email.is_some() {
        return Err(not_allowed("email"));
    }
    if update.ttl.is_some() {
        return Err(not_allowed("ttl"));
    }
    if let Some(description) = &update.description {
        check_description(description.as_deref())?;
        zone.description.clone_from(description);
    }
    if let Some(masters) = &update.masters {
        if masters.is_empty() {
            return Err(masters_required());
        }
        zone.masters.clone_from(masters);
        zone.transferred_at = None;
        tx.set_zone_masters(&zone).await.map_err(from_storage)?;
    }
    zone.status = ZoneStatus::Pending;
    if zone.action != Action::Create {
        zone.action = Action::Update;
    }
    zone.updated_at = Some(now());
    tx.update_zone(&zone).await.map_err(from_storage)
}

/// The task that pushes a secondary zone after a stored transfer: a create while it has never
/// reached its targets.
fn push_task(zone: &Zone) -> ZoneTask {
    if zone.action == Action::Create {
        ZoneTask::Create
    } else {
        ZoneTask::Update
    }
}

/// The transferred zone applied to the stored row (upstream's `from_dnspython_zone`: serial,
/// e-mail, TTL, retry and expire from the master's SOA; ours takes refresh and minimum too,
/// so `periodic_secondary_refresh` follows the master's refresh interval).
fn apply_soa(zone: &mut Zone, parsed: &ParsedZone, min_ttl: Option<i32>) {
    let clamp = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
    zone.serial = parsed.soa.serial;
    zone.email.clone_from(&parsed.email);
    zone.ttl = if parsed.soa_ttl == 0 {
        min_ttl.unwrap_or(0)
    } else {
        parsed.soa_ttl
    };
    zone.refresh = clamp(parsed.soa.refresh);
    zone.retry = clamp(parsed.soa.retry);
    zone.expire = clamp(parsed.soa.expire);
    zone.minimum = clamp(parsed.soa.minimum);
}

impl Central {
    /// See [`designate_bus::CentralApi::xfr_zone`].
    pub(crate) async fn zone_xfr(&self, ctx: &RequestContext, id: Uuid) -> Result<()> {
        let mut tx = crate::txn::begin_read(self.storage.as_ref()).await?;
        let zone = visible_zone(tx.as_mut(), ctx, id).await?;
        drop(tx);
        if zone.zone_type != ZoneType::Secondary {
            return Err(bad_request("Can't XFR a non Secondary zone."));
        }
        tracing::info!(zone_id = %zone.id, name = %zone.name, "XFR requested");
        self.worker
            .cast_zone_task(ctx, ZoneTask::Transfer, zone)
            .await;
        Ok(())
    }

    /// See [`designate_bus::CentralApi::finish_zone_xfr`].
    pub(crate) async fn zone_xfr_finish(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        outcome: XfrOutcome,
    ) -> Result<Option<Zone>> {
        let (master, parsed) = match outcome {
            XfrOutcome::Transferred { master, zonefile } => {
                let name = {
                    let mut tx = crate::txn::begin_read(self.storage.as_ref()).await?;
                    tx.get_zone(id).await.map_err(from_storage)?.name
                };
                match zonefile::parse(&zonefile, Some(&name)) {
                    Ok(parsed) => (master, Ok(parsed)),
                    Err(e) => (master, Err(format!("unusable zone data: {e}"))),
                }
            }
            XfrOutcome::Failed(reason) => (String::new(), Err(reason)),
        };
        let stored = match parsed {
            Ok(parsed) => retry(|| self.store_transfer(id, &parsed)).await?,
            Err(reason) => {
                tracing::warn!(zone_id = %id, %reason, "XFR failed");
                retry(|| self.transfer_failed(id)).await?
            }
        };
        let Some(zone) = stored else { return Ok(None) };
        if zone.status == ZoneStatus::Pending {
            tracing::info!(zone_id = %zone.id, serial = zone.serial, %master, "zone transferred");
            self.worker
                .cast_zone_task(ctx, push_task(&zone), zone.clone())
                .await;
            self.notify_zone(ctx, "update", &zone).await;
        }
        Ok(Some(zone))
    }

    /// One transaction: every recordset of the zone replaced by the transferred ones.
    async fn store_transfer(&self, id: Uuid, parsed: &ParsedZone) -> Result<Option<Zone>> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let Some(mut zone) = live_secondary(tx.as_mut(), id).await? else {
            return Ok(None);
        };
        // A report of an older serial than one already stored (two transfers racing).
        if zone.transferred_at.is_some() && serial_gt(zone.serial, parsed.soa.serial) {
            return Ok(None);
        }
        apply_soa(&mut zone, parsed, self.config.min_ttl);
        let sets: Vec<_> = parsed
            .recordsets
            .iter()
            .map(|rs| {
                let spec = NewRecordSet {
                    id: None,
                    name: rs.name.clone(),
                    rtype: rs.rtype.clone(),
                    ttl: rs.ttl,
                    description: None,
                    records: rs.records.clone(),
                };
                new_recordset(&zone, spec, zone.serial, false)
            })
            .collect();
        tx.delete_zone_recordsets(zone.id)
            .await
            .map_err(from_storage)?;
        tx.create_recordsets(&sets).await.map_err(from_storage)?;
        let stamp = now();
        zone.transferred_at = Some(stamp.with_nanosecond(0).unwrap_or(stamp));
        zone.status = ZoneStatus::Pending;
        if zone.action != Action::Create {
            zone.action = Action::Update;
        }
        zone.updated_at = Some(stamp);
        let zone = tx.update_zone(&zone).await.map_err(from_storage)?;
        commit(tx).await?;
        Ok(Some(zone))
    }

    /// A failed transfer of a zone never transferred leaves it in ERROR (its action kept, so
    /// recovery tries the transfer again); a zone holding data keeps serving it.
    async fn transfer_failed(&self, id: Uuid) -> Result<Option<Zone>> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let Some(mut zone) = live_secondary(tx.as_mut(), id).await? else {
            return Ok(None);
        };
        if zone.transferred_at.is_some() || zone.status == ZoneStatus::Error {
            return Ok(Some(zone));
        }
        zone.status = ZoneStatus::Error;
        zone.updated_at = Some(now());
        let zone = tx.update_zone(&zone).await.map_err(from_storage)?;
        commit(tx).await?;
        Ok(Some(zone))
    }
}

/// The zone `id` when it is a live SECONDARY zone not being deleted.
async fn live_secondary(tx: &mut dyn StorageTx, id: Uuid) -> Result<Option<Zone>> {
    match tx.get_zone(id).await {
        Ok(zone) if zone.zone_type == ZoneType::Secondary && zone.action != Action::Delete => {
            Ok(Some(zone))
        }
        Ok(_) | Err(designate_storage::StorageError::NotFound(_)) => Ok(None),
        Err(e) => Err(from_storage(e)),
    }
}
