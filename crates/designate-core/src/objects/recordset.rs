//! Recordsets (upstream table `recordsets`) with their records.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Action, Record, RecordStatus, Timestamp};

/// A recordset row plus its records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSet {
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
    /// Zone name (joined, not a column).
    pub zone_name: String,
    /// Owner FQDN.
    pub name: String,
    /// Record type, upper case (`A`, `MX`, …).
    pub rtype: String,
    /// TTL; `None` means the zone's.
    pub ttl: Option<i32>,
    /// Description.
    pub description: Option<String>,
    /// Name reversed.
    pub reverse_name: String,
    /// The records.
    pub records: Vec<Record>,
}

impl RecordSet {
    /// Upstream's derived status: the worst of the records' (ERROR < PENDING < ACTIVE < DELETED).
    pub fn status(&self) -> RecordStatus {
        fn rank(s: RecordStatus) -> u8 {
            match s {
                RecordStatus::Error => 0,
                RecordStatus::Pending => 1,
                RecordStatus::Active => 2,
                RecordStatus::Deleted => 3,
            }
        }
        self.records
            .iter()
            .map(|r| r.status)
            .min_by_key(|s| rank(*s))
            .unwrap_or(RecordStatus::Active)
    }

    /// Upstream's derived action: CREATE or DELETE if all records agree, UPDATE if any change, else NONE.
    pub fn action(&self) -> Action {
        let count = |a: Action| self.records.iter().filter(|r| r.action == a).count();
        let (c, d, u, n) = (
            count(Action::Create),
            count(Action::Delete),
            count(Action::Update),
            count(Action::None),
        );
        if c > 0 && u == 0 && d == 0 && n == 0 {
            Action::Create
        } else if d > 0 && u == 0 && c == 0 && n == 0 {
            Action::Delete
        } else if u > 0 || c > 0 || d > 0 {
            Action::Update
        } else {
            Action::None
        }
    }

    /// Whether any record is managed (SOA, NS from the pool, sink records).
    pub fn managed(&self) -> bool {
        self.records.iter().any(|r| r.managed)
    }
}

/// The fields a caller gives to create a recordset.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRecordSet {
    /// The id the new recordset gets (a fresh one when absent). The AMQP transport derives it
    /// from the request's message id, so a create redelivered after its first central died
    /// finds the recordset it already committed and answers it instead of a duplicate error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<Uuid>,
    /// Owner FQDN.
    pub name: String,
    /// Type.
    pub rtype: String,
    /// TTL.
    pub ttl: Option<i32>,
    /// Description.
    pub description: Option<String>,
    /// Record data, one string per record, in presentation format.
    pub records: Vec<String>,
}

/// The fields a caller may change on a recordset (PUT).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordSetUpdate {
    /// New TTL; `Some(None)` resets to the zone's.
    pub ttl: Option<Option<i32>>,
    /// New description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
    /// New full list of record data.
    pub records: Option<Vec<String>>,
}
