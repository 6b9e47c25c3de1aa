//! Zones (upstream table `zones`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Action, Timestamp, ZoneMaster, ZoneStatus, ZoneType};

/// A zone row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Zone {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version, bumped on every update.
    pub version: i32,
    /// Creation time (UTC).
    pub created_at: Timestamp,
    /// Last update time (UTC).
    pub updated_at: Option<Timestamp>,
    /// `"0"` while live; the zone id once soft-deleted (upstream's scheme).
    pub deleted: String,
    /// When soft-deleted.
    pub deleted_at: Option<Timestamp>,
    /// 0..=4095, from the id.
    pub shard: i16,
    /// Owning project.
    pub tenant_id: Option<String>,
    /// FQDN with trailing dot.
    pub name: String,
    /// SOA RNAME as an email address.
    pub email: String,
    /// Free text.
    pub description: Option<String>,
    /// PRIMARY / SECONDARY / CATALOG.
    pub zone_type: ZoneType,
    /// When a SECONDARY zone was last transferred from its masters.
    pub transferred_at: Option<Timestamp>,
    /// Default TTL of the zone's recordsets.
    pub ttl: i32,
    /// SOA serial.
    pub serial: u32,
    /// SOA refresh.
    pub refresh: i32,
    /// SOA retry.
    pub retry: i32,
    /// SOA expire.
    pub expire: i32,
    /// SOA minimum.
    pub minimum: i32,
    /// Status.
    pub status: ZoneStatus,
    /// Parent zone (same project), if any.
    pub parent_zone_id: Option<Uuid>,
    /// What is in flight.
    pub action: Action,
    /// Pool serving the zone.
    pub pool_id: Option<Uuid>,
    /// The name reversed (for suffix searches).
    pub reverse_name: String,
    /// Producer should send the NOTIFY (batching).
    pub delayed_notify: bool,
    /// Producer should bump the serial (batching).
    pub increment_serial: bool,
    // --- zone placement (pools) ---
    /// Scheduling hints given at create (upstream table `zone_attributes`), e.g. `pool_id`.
    /// Loaded by `get_zone`, `get_zone_any` and `find_zones`; empty elsewhere.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    // --- secondary zones ---
    /// The masters of a SECONDARY zone (upstream table `zone_masters`); empty for other types.
    /// Loaded with the zone like `attributes`.
    #[serde(default)]
    pub masters: Vec<ZoneMaster>,
}

/// The fields a caller gives to create a zone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewZone {
    /// The id the new zone gets (a fresh one when absent); see [`super::NewRecordSet::id`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// FQDN.
    pub name: String,
    /// SOA email.
    pub email: Option<String>,
    /// Default TTL.
    pub ttl: Option<i32>,
    /// Description.
    pub description: Option<String>,
    /// Type (PRIMARY if absent).
    pub zone_type: Option<ZoneType>,
    /// Pool (default pool if absent).
    pub pool_id: Option<Uuid>,
    // --- zone placement (pools) ---
    /// Scheduling hints (`{"pool_id": "…", "pool_level": "gold"}`), matched by the scheduler
    /// filters against pool attributes, stored in `zone_attributes`.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    // --- secondary zones ---
    /// Masters of a SECONDARY zone (required for it, refused for others).
    #[serde(default)]
    pub masters: Vec<ZoneMaster>,
}

/// The fields a caller may change on a zone (PATCH).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneUpdate {
    /// New SOA email.
    pub email: Option<String>,
    /// New default TTL.
    pub ttl: Option<i32>,
    /// New description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
    /// New masters of a SECONDARY zone (a transfer follows).
    #[serde(default)]
    pub masters: Option<Vec<ZoneMaster>>,
}

/// Reverses a name label-wise character-wise as upstream does (`"org.example."` → `".elpmaxe.gro"`).
pub fn reverse_name(name: &str) -> String {
    name.chars().rev().collect()
}
