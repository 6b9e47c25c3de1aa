//! Records (upstream table `records`).

use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Action, RecordStatus, Timestamp};

/// A record row: one datum of a recordset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// Shard of the zone.
    pub zone_shard: i16,
    /// Owning project.
    pub tenant_id: Option<String>,
    /// Zone.
    pub zone_id: Uuid,
    /// Recordset.
    pub recordset_id: Uuid,
    /// Presentation-format data.
    pub data: String,
    /// Description.
    pub description: Option<String>,
    /// Unique hash of (recordset_id, data) — upstream's `hash` column.
    pub hash: String,
    /// Created by the service (SOA/NS) or a sink handler, not by the tenant.
    pub managed: bool,
    /// Sink bookkeeping.
    pub managed_extra: Option<String>,
    /// Sink bookkeeping.
    pub managed_plugin_type: Option<String>,
    /// Sink bookkeeping.
    pub managed_plugin_name: Option<String>,
    /// Sink bookkeeping.
    pub managed_resource_type: Option<String>,
    /// Sink bookkeeping.
    pub managed_resource_region: Option<String>,
    /// Sink bookkeeping.
    pub managed_resource_id: Option<Uuid>,
    /// Sink bookkeeping.
    pub managed_tenant_id: Option<String>,
    /// Status.
    pub status: RecordStatus,
    /// What is in flight.
    pub action: Action,
    /// Zone serial at the last change of this record.
    pub serial: u32,
}

/// Upstream's record hash: md5 of `"<recordset_id>:<data>"` as lowercase hex (32 chars).
pub fn record_hash(recordset_id: &Uuid, data: &str) -> String {
    let mut h = Md5::new();
    h.update(format!("{recordset_id}:{data}").as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_32_hex_and_depends_on_both_parts() {
        let a = Uuid::nil();
        let h = record_hash(&a, "192.0.2.1");
        assert_eq!(h.len(), 32);
        assert_ne!(h, record_hash(&a, "192.0.2.2"));
        assert_ne!(h, record_hash(&Uuid::max(), "192.0.2.1"));
    }
}
