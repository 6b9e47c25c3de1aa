//! Zone transfers between projects (upstream tables `zone_transfer_requests` and
//! `zone_transfer_accepts`): the owner offers a zone with a secret key, optionally to one
//! project; a project that knows the key accepts, and the zone (with its recordsets and records)
//! changes owner.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

string_enum! {
    /// Status of a transfer request or accept (upstream's `TASK_STATUSES`).
    TransferStatus {
        /// Open (a request) / under way (an accept).
        Active = "ACTIVE",
        /// Waiting.
        Pending = "PENDING",
        /// Deleted.
        Deleted = "DELETED",
        /// Failed.
        Error = "ERROR",
        /// Done: the zone changed owner.
        Complete = "COMPLETE",
    }
}

/// Upstream's `maxLength` of a request's `description` and of a key.
pub const TRANSFER_FIELD_MAX: usize = 160;

/// Length of the keys central generates (upstream's `_transfer_key_generator`).
pub const TRANSFER_KEY_LEN: usize = 8;

/// A `zone_transfer_requests` row, plus the zone's name (joined, not stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneTransferRequest {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// The zone offered.
    pub zone_id: Uuid,
    /// The secret an accept must present.
    pub key: String,
    /// Free text.
    pub description: Option<String>,
    /// The offering project (the zone's owner when the request was made).
    pub tenant_id: String,
    /// The only project that may accept; `None` lets any project with the key accept.
    pub target_tenant_id: Option<String>,
    /// `ACTIVE` until accepted, then `COMPLETE`.
    pub status: TransferStatus,
    /// The zone's name, read from `zones` (`None` when the zone is gone).
    pub zone_name: Option<String>,
}

/// What a caller gives to offer a zone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewZoneTransferRequest {
    /// Description.
    pub description: Option<String>,
    /// The project that may accept (`target_project_id` in the API).
    pub target_tenant_id: Option<String>,
}

/// What a caller may change on a request (PATCH): its description, and its target while it
/// has none (upstream's `immutable` target).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneTransferRequestUpdate {
    /// New description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
    /// A target for a request that had none (or the same target again).
    pub target_tenant_id: Option<String>,
}

/// A `zone_transfer_accepts` row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZoneTransferAccept {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// The zone transferred.
    pub zone_id: Uuid,
    /// The request accepted.
    pub zone_transfer_request_id: Uuid,
    /// The accepting project (the zone's new owner).
    pub tenant_id: String,
    /// `COMPLETE` once the zone changed owner.
    pub status: TransferStatus,
    /// The key presented: known only in the answer to the accept itself (not stored, as
    /// upstream, whose table has no such column).
    pub key: Option<String>,
}

/// What a caller gives to accept a transfer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewZoneTransferAccept {
    /// The request accepted.
    pub zone_transfer_request_id: Uuid,
    /// Its key.
    pub key: String,
}
