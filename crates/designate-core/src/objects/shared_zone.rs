//! Zone shares (upstream table `shared_zones`): the owner of a zone lets another project see it
//! and create recordsets in it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

/// A `shared_zones` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedZone {
    /// Primary key.
    pub id: Uuid,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// The zone shared.
    pub zone_id: Uuid,
    /// The project that shared it (the zone's owner).
    pub project_id: String,
    /// The project it is shared with.
    pub target_project_id: String,
}

/// Upstream's `maxLength` of the project ids of a share.
pub const SHARE_PROJECT_MAX: usize = 36;
