//! Service heartbeats (upstream table `service_statuses`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

/// One role instance's last heartbeat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceStatus {
    /// Primary key.
    pub id: Uuid,
    /// Role (`api`, `central`, …).
    pub service_name: String,
    /// Host the instance runs on.
    pub hostname: String,
    /// Last heartbeat.
    pub heartbeated_at: Option<Timestamp>,
    /// UP / DOWN / WARNING / STOPPED.
    pub status: String,
    /// JSON stats.
    pub stats: serde_json::Value,
    /// JSON capabilities.
    pub capabilities: serde_json::Value,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
}
