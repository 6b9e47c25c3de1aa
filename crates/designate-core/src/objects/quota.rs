//! Quotas (upstream table `quotas`): per-project overrides of the configured default limits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

/// The quota resources upstream knows (`designate.common.constants.VALID_QUOTAS`).
pub const QUOTA_RESOURCES: &[&str] = &[
    "api_export_size",
    "recordset_records",
    "zone_records",
    "zone_recordsets",
    "zones",
];

/// Smallest hard limit; a negative limit means unlimited.
pub const MIN_QUOTA: i64 = -1;
/// Largest hard limit.
pub const MAX_QUOTA: i64 = 2_147_483_647;

/// A quota row: one project's limit of one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quota {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// Project.
    pub tenant_id: String,
    /// One of [`QUOTA_RESOURCES`].
    pub resource: String,
    /// The limit; negative for unlimited.
    pub hard_limit: i64,
}

/// Every quota of a project: resource → hard limit (defaults overlaid with the project's rows),
/// rendered by the API as the JSON object upstream returns.
pub type Quotas = BTreeMap<String, i64>;

/// Upstream's `limit_check` for one resource: whether `value` exceeds `limit` (negative limits
/// are unlimited).
pub fn over_quota(limit: i64, value: i64) -> bool {
    limit >= 0 && value > limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_limits_are_unlimited() {
        assert!(!over_quota(-1, i64::MAX));
        assert!(over_quota(0, 1));
        assert!(!over_quota(10, 10));
        assert!(over_quota(10, 11));
    }
}
