//! Zone imports and exports (upstream table `zone_tasks`, objects `ZoneImport` / `ZoneExport`):
//! one row per asynchronous import or export, whose status tells the client when it is done.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

string_enum! {
    /// What a zone task does (column `task_type`).
    TaskType {
        /// A zone file turned into a zone.
        Import = "IMPORT",
        /// A zone made available as a zone file.
        Export = "EXPORT",
    }
}

string_enum! {
    /// Where a zone task stands (column `status`, upstream's `zone_tasks_resource_statuses`).
    TaskStatus {
        /// Upstream's column default; never set by us.
        Active = "ACTIVE",
        /// Accepted, not finished.
        Pending = "PENDING",
        /// Deleted.
        Deleted = "DELETED",
        /// Failed; `message` says why.
        Error = "ERROR",
        /// Done.
        Complete = "COMPLETE",
    }
}

/// Longest `message` upstream's column holds (`String(160)`).
pub const MAX_TASK_MESSAGE_LEN: usize = 160;

/// A `zone_tasks` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneTaskRow {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version, bumped on every update.
    pub version: i32,
    /// Creation time (UTC).
    pub created_at: Timestamp,
    /// Last update time (UTC).
    pub updated_at: Option<Timestamp>,
    /// Owning project.
    pub tenant_id: Option<String>,
    /// The zone exported, or the zone an import created (once it has).
    pub zone_id: Option<Uuid>,
    /// Import or export.
    pub task_type: TaskType,
    /// What happened (progress, result or failure), at most [`MAX_TASK_MESSAGE_LEN`] characters.
    pub message: Option<String>,
    /// Where it stands.
    pub status: TaskStatus,
    /// Exports: where the zone file is (`designate://v2/zones/tasks/exports/{id}/export`).
    pub location: Option<String>,
}

/// `message` cut to what the column holds (never inside a character).
pub fn task_message(message: impl Into<String>) -> String {
    let mut message = message.into();
    if let Some((idx, _)) = message.char_indices().nth(MAX_TASK_MESSAGE_LEN) {
        message.truncate(idx);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_messages() {
        assert_eq!("COMPLETE".parse::<TaskStatus>(), Ok(TaskStatus::Complete));
        assert_eq!(TaskType::Export.as_str(), "EXPORT");
        assert_eq!(task_message("é".repeat(200)).chars().count(), 160);
        assert_eq!(task_message("short"), "short");
    }
}
