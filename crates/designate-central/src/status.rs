//! Worker feedback: upstream's `update_status`. The worker reports that a zone's targets reached
//! (or failed to reach) a serial; central moves the zone and its records to ACTIVE / ERROR, or
//! soft-deletes a zone whose removal is done.
//!
//! Reports are matched against the zone's current serial so that a late report about an older
//! serial can never mark newer, not yet pushed changes ACTIVE.

use designate_bus::PushOutcome;
use designate_core::objects::{Action, Record, RecordStatus, ZoneStatus};
use designate_core::serial::serial_gt;
use designate_core::{RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::build::now;
use crate::errors::from_storage;
use crate::txn::{begin, commit, retry};
use crate::Central;

/// Whether `reported` is at least `current` in serial arithmetic.
fn covers(reported: u32, current: u32) -> bool {
    !serial_gt(current, reported)
}

/// The (status, action) a zone or record moves to for `outcome` at `serial`, or `None` when the
/// report does not apply to it (upstream's `_update_zone_or_record_status`).
///
/// One deliberate difference: upstream turns any report about a zone being deleted into "no
/// zone" (deleted), even a failure. Here a failed delete leaves the zone in ERROR with action
/// DELETE, so the producer's recovery retries it instead of forgetting a zone that may still be
/// served somewhere.
fn transition(
    status: ZoneStatus,
    action: Action,
    current: u32,
    outcome: PushOutcome,
    serial: u32,
) -> Option<(ZoneStatus, Action)> {
    match outcome {
        PushOutcome::Success => {
            let pending = matches!(status, ZoneStatus::Pending | ZoneStatus::Error);
            if !pending || !covers(serial, current) {
                return None;
            }
            match action {
                Action::Create | Action::Update => Some((ZoneStatus::Active, Action::None)),
                Action::Delete => Some((ZoneStatus::Deleted, Action::None)),
                Action::None => None,
            }
        }
        PushOutcome::Error => (status == ZoneStatus::Pending
            && (serial == 0 || covers(serial, current)))
        .then_some((ZoneStatus::Error, action)),
        PushOutcome::NoZone => match action {
            Action::Create | Action::Update => Some((ZoneStatus::Error, Action::Create)),
            Action::Delete => Some((ZoneStatus::Deleted, Action::None)),
            Action::None => None,
        },
    }
}

fn to_record_status(status: ZoneStatus) -> RecordStatus {
    match status {
        ZoneStatus::Active => RecordStatus::Active,
        ZoneStatus::Pending => RecordStatus::Pending,
        ZoneStatus::Deleted => RecordStatus::Deleted,
        ZoneStatus::Error => RecordStatus::Error,
    }
}

fn to_zone_status(status: RecordStatus) -> ZoneStatus {
    match status {
        RecordStatus::Active => ZoneStatus::Active,
        RecordStatus::Pending => ZoneStatus::Pending,
        RecordStatus::Deleted => ZoneStatus::Deleted,
        RecordStatus::Error => ZoneStatus::Error,
    }
}

/// Applies the report to one record; whether it changed.
fn apply_to_record(record: &mut Record, outcome: PushOutcome, serial: u32) -> bool {
    // Upstream only looks at records whose serial the report covers (all PENDING ones for an
    // ERROR report without serial).
    let in_scope = match outcome {
        PushOutcome::Success => covers(serial, record.serial),
        PushOutcome::Error => serial == 0 || covers(serial, record.serial),
        PushOutcome::NoZone => true,
    };
    if !in_scope {
        return false;
    }
    let next = transition(
        to_zone_status(record.status),
        record.action,
        record.serial,
        outcome,
        serial,
    );
    match next {
        Some((status, action)) => {
            let status = to_record_status(status);
            let changed = record.status != status || record.action != action;
            record.status = status;
            record.action = action;
            changed
        }
        None => false,
    }
}

/// Applies the report to every record of the zone. Success — the common case — is one statement
/// (records PENDING or ERROR at or below the serial become ACTIVE / NONE); the rarer failure
/// reports walk the zone and rewrite only the recordsets that changed.
async fn update_records(
    tx: &mut dyn StorageTx,
    zone_id: Uuid,
    outcome: PushOutcome,
    serial: u32,
) -> Result<()> {
    if outcome == PushOutcome::Success {
        return tx
            .update_zone_records_status(zone_id, RecordStatus::Active, Action::None, serial)
            .await
            .map_err(from_storage);
    }
    let recordsets = tx.zone_recordsets(zone_id).await.map_err(from_storage)?;
    for mut rs in recordsets {
        let mut changed = false;
        for record in &mut rs.records {
            changed |= apply_to_record(record, outcome, serial);
        }
        if changed {
            tx.update_recordset(&rs).await.map_err(from_storage)?;
        }
    }
    Ok(())
}

impl Central {
    /// Worker feedback; see [`designate_bus::CentralApi::update_status`].
    pub(crate) async fn status_update(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        outcome: PushOutcome,
        serial: u32,
    ) -> Result<()> {
        let changed = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let zone = tx.get_zone_row(zone_id).await.map_err(from_storage)?;
            let Some((status, action)) = transition(zone.status, zone.action, zone.serial, outcome, serial) else {
                tracing::debug!(%zone_id, ?outcome, serial, zone_serial = zone.serial, "status report ignored");
                // Records may still be behind (e.g. an earlier report was lost), so they are
                // brought up to date even when the zone itself does not move.
                update_records(tx.as_mut(), zone_id, outcome, serial).await?;
                commit(tx).await?;
                return Ok(None);
            };
            let mut next = zone.clone();
            next.status = status;
            next.action = action;
            next.updated_at = Some(now());
            if status == ZoneStatus::Deleted {
                // Soft delete, upstream's scheme: `deleted` holds the id so the name can be reused;
                // the producer purges the row later.
                next.deleted = zone.id.simple().to_string();
                next.deleted_at = next.updated_at;
            } else {
                update_records(tx.as_mut(), zone_id, outcome, serial).await?;
            }
            let stored = tx.update_zone(&next).await.map_err(from_storage)?;
            commit(tx).await?;
            Ok(Some(stored))
        })
        .await?;
        if let Some(zone) = changed {
            tracing::info!(%zone_id, status = %zone.status, action = %zone.action, serial, "zone status updated");
            self.notify_zone(ctx, "update", &zone).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use designate_core::objects::Zone;

    use super::*;

    fn zone_transition(
        zone: &Zone,
        outcome: PushOutcome,
        serial: u32,
    ) -> Option<(ZoneStatus, Action)> {
        transition(zone.status, zone.action, zone.serial, outcome, serial)
    }

    fn zone(status: ZoneStatus, action: Action, serial: u32) -> Zone {
        Zone {
            id: Uuid::nil(),
            version: 1,
            created_at: now(),
            updated_at: None,
            deleted: "0".to_owned(),
            deleted_at: None,
            shard: 0,
            tenant_id: None,
            name: "example.org.".to_owned(),
            email: "a@example.org".to_owned(),
            description: None,
            zone_type: designate_core::objects::ZoneType::Primary,
            transferred_at: None,
            ttl: 3600,
            serial,
            refresh: 1,
            retry: 1,
            expire: 1,
            minimum: 1,
            status,
            parent_zone_id: None,
            action,
            pool_id: None,
            reverse_name: String::new(),
            delayed_notify: false,
            increment_serial: false,
            attributes: Default::default(),
            masters: Vec::new(),
        }
    }

    #[test]
    fn success_activates_only_covered_serials() {
        let z = zone(ZoneStatus::Pending, Action::Update, 100);
        assert_eq!(
            zone_transition(&z, PushOutcome::Success, 100),
            Some((ZoneStatus::Active, Action::None))
        );
        assert_eq!(
            zone_transition(&z, PushOutcome::Success, 101),
            Some((ZoneStatus::Active, Action::None))
        );
        assert_eq!(
            zone_transition(&z, PushOutcome::Success, 99),
            None,
            "stale report"
        );
        let active = zone(ZoneStatus::Active, Action::None, 100);
        assert_eq!(zone_transition(&active, PushOutcome::Success, 100), None);
    }

    #[test]
    fn success_on_delete_deletes() {
        let z = zone(ZoneStatus::Pending, Action::Delete, 100);
        assert_eq!(
            zone_transition(&z, PushOutcome::Success, 100),
            Some((ZoneStatus::Deleted, Action::None))
        );
        let failed = zone(ZoneStatus::Error, Action::Delete, 100);
        assert_eq!(
            zone_transition(&failed, PushOutcome::Success, 100),
            Some((ZoneStatus::Deleted, Action::None))
        );
    }

    #[test]
    fn error_marks_pending_zone() {
        let z = zone(ZoneStatus::Pending, Action::Create, 100);
        assert_eq!(
            zone_transition(&z, PushOutcome::Error, 100),
            Some((ZoneStatus::Error, Action::Create))
        );
        assert_eq!(
            zone_transition(&z, PushOutcome::Error, 0),
            Some((ZoneStatus::Error, Action::Create))
        );
        assert_eq!(zone_transition(&z, PushOutcome::Error, 50), None);
        let active = zone(ZoneStatus::Active, Action::None, 100);
        assert_eq!(zone_transition(&active, PushOutcome::Error, 100), None);
    }

    #[test]
    fn no_zone_recreates_or_deletes() {
        let z = zone(ZoneStatus::Pending, Action::Update, 100);
        assert_eq!(
            zone_transition(&z, PushOutcome::NoZone, 100),
            Some((ZoneStatus::Error, Action::Create))
        );
        let d = zone(ZoneStatus::Pending, Action::Delete, 100);
        assert_eq!(
            zone_transition(&d, PushOutcome::NoZone, 100),
            Some((ZoneStatus::Deleted, Action::None))
        );
    }

    #[test]
    fn serial_comparison_wraps() {
        assert!(covers(5, u32::MAX));
        assert!(!covers(u32::MAX, 5));
    }
}
