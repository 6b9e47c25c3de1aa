//! Notification payloads: the JSON body of `dns.zone.*` and `dns.recordset.*` events.
//!
//! Upstream's default notification plugin sends the changed object's fields under their upstream
//! names (`type`, `tenant_id`, …); consumers such as Ceilometer read those names, so they are
//! spelled here rather than derived from our Rust field names.

use designate_core::objects::{Record, RecordSet, Timestamp, Zone};
use serde_json::{json, Value};

/// Upstream's timestamp rendering in payloads (ISO 8601 without zone, microseconds).
fn ts(t: &Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

fn opt_ts(t: Option<&Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}

/// The payload of a zone event; `shared`: whether the zone is shared with any project.
pub(crate) fn zone(zone: &Zone, shared: bool) -> Value {
    json!({
        "id": zone.id,
        "version": zone.version,
        "created_at": ts(&zone.created_at),
        "updated_at": opt_ts(zone.updated_at.as_ref()),
        "deleted": zone.deleted,
        "deleted_at": opt_ts(zone.deleted_at.as_ref()),
        "shard": zone.shard,
        "tenant_id": zone.tenant_id,
        "name": zone.name,
        "email": zone.email,
        "description": zone.description,
        "type": zone.zone_type.as_str(),
        "transferred_at": opt_ts(zone.transferred_at.as_ref()),
        "ttl": zone.ttl,
        "serial": zone.serial,
        "refresh": zone.refresh,
        "retry": zone.retry,
        "expire": zone.expire,
        "minimum": zone.minimum,
        "status": zone.status.as_str(),
        "action": zone.action.as_str(),
        "parent_zone_id": zone.parent_zone_id,
        "pool_id": zone.pool_id,
        "reverse_name": zone.reverse_name,
        "delayed_notify": zone.delayed_notify,
        "increment_serial": zone.increment_serial,
        "attributes": [],
        "masters": [],
        "shared": shared,
    })
}

fn record(record: &Record) -> Value {
    json!({
        "id": record.id,
        "version": record.version,
        "created_at": ts(&record.created_at),
        "updated_at": opt_ts(record.updated_at.as_ref()),
        "tenant_id": record.tenant_id,
        "zone_id": record.zone_id,
        "recordset_id": record.recordset_id,
        "data": record.data,
        "description": record.description,
        "hash": record.hash,
        "managed": record.managed,
        "status": record.status.as_str(),
        "action": record.action.as_str(),
        "serial": record.serial,
    })
}

/// The payload of a recordset event.
pub(crate) fn recordset(rs: &RecordSet) -> Value {
    json!({
        "id": rs.id,
        "version": rs.version,
        "created_at": ts(&rs.created_at),
        "updated_at": opt_ts(rs.updated_at.as_ref()),
        "shard": rs.zone_shard,
        "tenant_id": rs.tenant_id,
        "zone_id": rs.zone_id,
        "zone_name": rs.zone_name,
        "name": rs.name,
        "type": rs.rtype,
        "ttl": rs.ttl,
        "description": rs.description,
        "status": rs.status().as_str(),
        "action": rs.action().as_str(),
        "records": rs.records.iter().map(record).collect::<Vec<_>>(),
    })
}
