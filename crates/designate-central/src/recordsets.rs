//! Recordset operations: create, read, update (records replaced as a set), delete, and the
//! placement rules (inside the zone, CNAME exclusivity, not inside a child zone).
//!
//! Each change is checked here, then queued for its zone's next batch (`batch.rs`): it lands in
//! one transaction with the zone's serial bump and SOA rewrite, shared with the changes of the
//! zone that arrived with it, and is then cast to the worker as a zone update.

use designate_core::criteria::{Criteria, Filter, Listing, Page};
use designate_core::name::{
    check_recordset_location, is_in_zone, validate_recordset_name_for_type,
};
use designate_core::objects::{
    Action, NewRecordSet, Record, RecordSet, RecordSetUpdate, Zone, ZoneType,
};
use designate_core::rdata;
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::batch::Change;
use crate::build::new_record;
use crate::errors::{bad_request, from_storage, recordset_not_found};
use crate::txn::begin_read;
use crate::zones::{check_description, check_ttl, visible_zone};
use crate::Central;

/// Validates record data (every bad datum reported at `["records", i]`) and treats the list as
/// a set, as upstream's API does: an exact repeat is dropped. Two different strings stored as the
/// same datum would be a `duplicate_record` (upstream's unique record hash); with data stored
/// verbatim that cannot happen today, but the check keeps the hash unique if normalisation comes.
pub(crate) fn normalise_records(rtype: &str, owner: &str, data: &[String]) -> Result<Vec<String>> {
    let normalised = rdata::validate_records(rtype, owner, data)?;
    let mut seen_raw: Vec<&str> = Vec::with_capacity(data.len());
    let mut out: Vec<String> = Vec::with_capacity(data.len());
    for (raw, datum) in data.iter().zip(normalised) {
        if seen_raw.contains(&raw.as_str()) {
            continue;
        }
        seen_raw.push(raw);
        if out.contains(&datum) {
            return Err(DesignateError::new(
                ErrorKind::DuplicateRecord,
                "Duplicate Record",
            ));
        }
        out.push(datum);
    }
    if rtype == "CNAME" && out.len() > 1 {
        return Err(bad_request(
            "CNAME recordsets may not have more than 1 record",
        ));
    }
    Ok(out)
}

/// Zone-independent checks of a new recordset; returns it with normalised records.
pub(crate) fn check_new(
    central: &Central,
    ctx: &RequestContext,
    new: NewRecordSet,
) -> Result<NewRecordSet> {
    if !rdata::is_supported(&new.rtype) {
        return Err(rdata::unsupported_type_error(&new.rtype));
    }
    if new.rtype == "SOA" {
        return Err(bad_request("Creating a SOA recordset is not allowed"));
    }
    validate_recordset_name_for_type(&new.name, &new.rtype)?;
    if new.name.len() > central.config.max_recordset_name_len {
        return Err(DesignateError::new(
            ErrorKind::InvalidRecordSetName,
            "Name too long",
        ));
    }
    check_ttl(central, ctx, new.ttl)?;
    check_description(new.description.as_deref())?;
    let records = normalise_records(&new.rtype, &new.name, &new.records)?;
    Ok(NewRecordSet { records, ..new })
}

/// Refuses changes to zones being deleted, and tenant changes to catalog zones.
pub(crate) fn check_zone_writable(zone: &Zone) -> Result<()> {
    if zone.zone_type == ZoneType::Catalog {
        return Err(DesignateError::new(
            ErrorKind::Forbidden,
            "This operation is not allowed for catalog zones.",
        ));
    }
    if zone.action == Action::Delete {
        return Err(bad_request("Can not update a deleting zone"));
    }
    Ok(())
}

/// Upstream's placement rules for a recordset `name` of `rtype` in `zone` (`id`: the recordset
/// itself, on update):
/// - the name lies in the zone (`invalid_recordset_location`);
/// - no CNAME at the apex, and a CNAME shares its name with nothing else;
/// - the name does not belong in a child zone (of any project).
///
/// Returns the `(id, type)` of every recordset already at the name, for the caller's own checks.
pub(crate) async fn check_placement(
    tx: &mut dyn StorageTx,
    zone: &Zone,
    name: &str,
    rtype: &str,
    id: Option<Uuid>,
) -> Result<Vec<(Uuid, String)>> {
    check_name_rules(zone, name, rtype)?;
    let placement = tx
        .recordset_placement(zone.id, name)
        .await
        .map_err(from_storage)?;
    check_placement_facts(zone, name, rtype, id, placement)
}

/// The placement rules that need nothing but the name: in the zone, no CNAME at the apex.
pub(crate) fn check_name_rules(zone: &Zone, name: &str, rtype: &str) -> Result<()> {
    check_recordset_location(name, &zone.name)?;
    if rtype == "CNAME" && name.eq_ignore_ascii_case(&zone.name) {
        return Err(DesignateError::new(
            ErrorKind::InvalidRecordSetLocation,
            "CNAME recordsets may not be created at the zone apex",
        ));
    }
    Ok(())
}

/// The placement rules that look at the zone's contents, given what
/// `StorageTx::recordset_placement` read at the name; returns the recordsets at the name.
pub(crate) fn check_placement_facts(
    zone: &Zone,
    name: &str,
    rtype: &str,
    id: Option<Uuid>,
    placement: designate_storage::Placement,
) -> Result<Vec<(Uuid, String)>> {
    let designate_storage::Placement {
        at_name,
        child_zones,
    } = placement;
    let clashing = at_name
        .iter()
        .filter(|(other, _)| Some(*other) != id)
        .any(|(_, other_type)| rtype == "CNAME" || other_type == "CNAME");
    if clashing {
        return Err(DesignateError::new(
            ErrorKind::InvalidRecordSetLocation,
            "CNAME recordsets may not share a name with any other records",
        ));
    }
    if !name.eq_ignore_ascii_case(&zone.name) {
        if let Some(child) = child_zones.iter().find(|child| is_in_zone(name, child)) {
            return Err(DesignateError::new(
                ErrorKind::InvalidRecordSetLocation,
                format!("RecordSet belongs in a child zone: {child}"),
            ));
        }
    }
    Ok(at_name)
}

/// Upstream's answer to a second recordset of one (name, type) in a zone.
pub(crate) fn duplicate_recordset() -> DesignateError {
    DesignateError::new(ErrorKind::DuplicateRecordSet, "Duplicate RecordSet")
}

/// The recordset a create with a caller-chosen id (the AMQP transport's, derived from the
/// request's message id) committed before: that create redelivered answers it again, so
/// at-least-once delivery never turns an accepted change into `duplicate_recordset`. An id
/// taken by anything else is a duplicate.
pub(crate) async fn already_created(
    tx: &mut dyn StorageTx,
    zone: &Zone,
    spec: &NewRecordSet,
) -> Result<Option<RecordSet>> {
    let Some(id) = spec.id else { return Ok(None) };
    match tx.get_recordset(id).await {
        Ok(mut rs) if rs.zone_id == zone.id && rs.name == spec.name && rs.rtype == spec.rtype => {
            rs.zone_name.clone_from(&zone.name);
            Ok(Some(rs))
        }
        Ok(_) => Err(duplicate_recordset()),
        Err(designate_storage::StorageError::NotFound(_)) => Ok(None),
        Err(e) => Err(from_storage(e)),
    }
}

/// The recordset `id` of zone `zone_id` and its zone, as the caller may see them: upstream
/// looks the recordset up first (`recordset_not_found`), then gates on the zone's project
/// (`zone_not_found`).
async fn visible_recordset(
    tx: &mut dyn StorageTx,
    ctx: &RequestContext,
    zone_id: Option<Uuid>,
    id: Uuid,
) -> Result<(RecordSet, Zone)> {
    // Writers know the zone: take its row lock (a write transaction reads it FOR UPDATE)
    // before reading anything else. Read first and the recordset comes from a snapshot older
    // than the wait for the lock (MariaDB's REPEATABLE READ fixes the snapshot at the first
    // plain read): under load another change of the zone (the worker's status update
    // included) has always moved its version on, and the update loses its optimistic lock
    // over and over. A zone that is not there takes the old path, so the errors stay those of
    // a recordset lookup.
    if let Some(zone_id) = zone_id {
        match visible_zone(tx, ctx, zone_id).await {
            Ok(zone) => {
                let mut rs = tx.get_recordset(id).await.map_err(from_storage)?;
                if rs.zone_id != zone_id {
                    return Err(recordset_not_found());
                }
                rs.zone_name.clone_from(&zone.name);
                return Ok((rs, zone));
            }
            Err(e) if e.kind == ErrorKind::ZoneNotFound => {}
            Err(e) => return Err(e),
        }
    }
    let mut rs = tx.get_recordset(id).await.map_err(from_storage)?;
    if zone_id.is_some_and(|z| z != rs.zone_id) {
        return Err(recordset_not_found());
    }
    let zone = visible_zone(tx, ctx, rs.zone_id).await?;
    rs.zone_name.clone_from(&zone.name);
    Ok((rs, zone))
}

/// The new record list of an update: data already present keeps its record (id, created_at,
/// managed flags); new data gets a new record. Order follows the request.
pub(crate) fn replace_records(
    zone: &Zone,
    rs: &RecordSet,
    data: Vec<String>,
    serial: u32,
) -> Vec<Record> {
    let managed = rs.managed();
    data.into_iter()
        .map(|datum| match rs.records.iter().find(|r| r.data == datum) {
            Some(existing) => existing.clone(),
            None => new_record(zone, rs.id, datum, serial, managed),
        })
        .collect()
}

impl Central {
    /// Creates a recordset; see [`designate_bus::CentralApi::create_recordset`].
    pub(crate) async fn rs_create(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        new: NewRecordSet,
    ) -> Result<RecordSet> {
        let spec = check_new(self, ctx, new)?;
        self.rs_change_batched(ctx, zone_id, Change::Create(spec))
            .await
    }

    /// A recordset visible to the caller.
    pub(crate) async fn rs_get(
        &self,
        ctx: &RequestContext,
        zone_id: Option<Uuid>,
        id: Uuid,
    ) -> Result<RecordSet> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        let (rs, _) = visible_recordset(tx.as_mut(), ctx, zone_id, id).await?;
        Ok(rs)
    }

    /// Recordsets visible to the caller. A `zone_id` filter must name a zone the caller sees
    /// (`zone_not_found` otherwise, rather than an empty list, as upstream).
    pub(crate) async fn rs_find(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<RecordSet>> {
        let zone_filter = criteria.0.iter().find_map(|(column, filter)| match filter {
            Filter::Eq(value) if column == "zone_id" => Uuid::parse_str(value).ok(),
            _ => None,
        });
        let mut tx = begin_read(self.storage.as_ref()).await?;
        // In its own zone, or one shared with it, a project sees every recordset (upstream).
        let whole_zone = match zone_filter {
            Some(zone_id) => {
                visible_zone(tx.as_mut(), ctx, zone_id).await?;
                true
            }
            None => false,
        };
        let mut criteria = criteria;
        if let Some(project) = ctx.project_filter().filter(|_| !whole_zone) {
            criteria = criteria.eq("tenant_id", project);
        }
        tx.find_recordsets(&criteria, &page)
            .await
            .map_err(from_storage)
    }

    /// Updates ttl / description / records; see [`designate_bus::CentralApi::update_recordset`].
    pub(crate) async fn rs_update(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
        update: RecordSetUpdate,
    ) -> Result<RecordSet> {
        if let Some(ttl) = update.ttl {
            check_ttl(self, ctx, ttl)?;
        }
        if let Some(description) = &update.description {
            check_description(description.as_deref())?;
        }
        self.rs_change_batched(ctx, zone_id, Change::Update { id, update })
            .await
    }

    /// Deletes a recordset; see [`designate_bus::CentralApi::delete_recordset`].
    pub(crate) async fn rs_delete(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        id: Uuid,
    ) -> Result<RecordSet> {
        self.rs_change_batched(ctx, zone_id, Change::Delete { id })
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_data_is_reported_at_its_index() {
        let err = normalise_records(
            "A",
            "x.example.org.",
            &["192.0.2.1".into(), "not-an-ip".into()],
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidObject);
        assert_eq!(err.errors[0].path, ["records", "1"]);
    }

    #[test]
    fn exact_repeats_are_dropped() {
        let out = normalise_records(
            "A",
            "x.example.org.",
            &["192.0.2.1".into(), "192.0.2.1".into(), "192.0.2.2".into()],
        )
        .unwrap();
        assert_eq!(out, ["192.0.2.1", "192.0.2.2"]);
    }

    #[test]
    fn cname_has_one_record() {
        let err = normalise_records(
            "CNAME",
            "x.example.org.",
            &["a.example.org.".into(), "b.example.org.".into()],
        )
        .unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
        assert!(normalise_records("CNAME", "x.example.org.", &["a.example.org.".into()]).is_ok());
    }
}
