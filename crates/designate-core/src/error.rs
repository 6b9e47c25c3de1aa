//! The one error type of the domain, shaped after upstream's `designate.exceptions`.
//!
//! Each [`ErrorKind`] knows its HTTP status code and its upstream error `type` string, so the API
//! renders `{"code", "type", "message", "request_id"}` without matching on messages.

use serde::{Deserialize, Serialize};

/// Convenience alias used across the domain.
pub type Result<T, E = DesignateError> = std::result::Result<T, E>;

/// A failure with upstream's error type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind:?}: {message}")]
pub struct DesignateError {
    /// What went wrong, as upstream classifies it.
    pub kind: ErrorKind,
    /// A human-readable message.
    pub message: String,
    /// Schema-validation details (upstream's `errors.errors` list), if any.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ValidationError>,
}

/// One schema-validation failure, as upstream's `ValidationError` renders it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationError {
    /// Path of the offending field, e.g. `["records", "0"]`.
    pub path: Vec<String>,
    /// The message.
    pub message: String,
    /// The validator that failed (e.g. `maxLength`, `format`, `required`).
    pub validator: String,
    /// The validator's parameter, rendered as a string.
    pub validator_value: Option<String>,
    /// The offending value, rendered as a string (upstream `raw`).
    pub raw: Option<String>,
}

macro_rules! error_kinds {
    ($( $(#[$doc:meta])* $variant:ident => ($code:expr, $ty:expr), )*) => {
        /// Upstream's exception classes that we raise, each with its HTTP code and `type`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $( $(#[$doc])* $variant, )*
        }

        impl ErrorKind {
            /// The HTTP status code upstream answers with.
            pub fn code(self) -> u16 {
                match self { $( Self::$variant => $code, )* }
            }

            /// Upstream's error `type` string.
            pub fn error_type(self) -> &'static str {
                match self { $( Self::$variant => $ty, )* }
            }
        }
    };
}

error_kinds! {
    /// Unexpected internal failure.
    UnknownFailure => (500, "unknown_failure"),
    /// Another service did not answer in time.
    CommunicationFailure => (504, "communication_failure"),
    /// A configuration problem detected at run time.
    ConfigurationError => (500, "configuration_error"),
    /// Quota exceeded.
    OverQuota => (413, "over_quota"),
    /// The object failed schema validation.
    InvalidObject => (400, "invalid_object"),
    /// Malformed request.
    BadRequest => (400, "bad_request"),
    /// The request had no body where one is needed.
    EmptyRequestBody => (400, "empty_request_body"),
    /// Not a UUID.
    InvalidUuid => (400, "invalid_uuid"),
    /// Pagination marker does not exist.
    MarkerNotFound => (400, "marker_not_found"),
    /// Bad value in a query parameter.
    ValueError => (400, "value_error"),
    /// Bad pagination marker.
    InvalidMarker => (400, "invalid_marker"),
    /// Bad sort direction.
    InvalidSortDir => (400, "invalid_sort_dir"),
    /// Bad page limit.
    InvalidLimit => (400, "invalid_limit"),
    /// Bad sort key.
    InvalidSortKey => (400, "invalid_sort_key"),
    /// Body is not valid JSON.
    InvalidJson => (400, "invalid_json"),
    /// The operation is not allowed in the object's state.
    InvalidOperation => (400, "invalid_operation"),
    /// `Accept` header we cannot satisfy.
    UnsupportedAccept => (406, "unsupported_accept"),
    /// Body is not `application/json`.
    UnsupportedContentType => (415, "unsupported_content_type"),
    /// Bad zone name.
    InvalidZoneName => (400, "invalid_zone_name"),
    /// Bad recordset name.
    InvalidRecordSetName => (400, "invalid_recordset_name"),
    /// Recordset name outside its zone, or CNAME at the apex.
    InvalidRecordSetLocation => (400, "invalid_recordset_location"),
    /// TTL out of bounds.
    InvalidTtl => (400, "invalid_ttl"),
    /// Zone has a sub-zone owned by someone else.
    ZoneHasSubZone => (400, "zone_has_sub_zone"),
    /// Policy forbids this.
    Forbidden => (403, "forbidden"),
    /// Zone would be a child of another project's zone.
    IllegalChildZone => (403, "illegal_child"),
    /// Zone would be the parent of another project's zone.
    IllegalParentZone => (403, "illegal_parent"),
    /// Generic duplicate.
    Duplicate => (409, "duplicate"),
    /// Zone name already taken.
    DuplicateZone => (409, "duplicate_zone"),
    /// Recordset (name, type) already exists in the zone.
    DuplicateRecordSet => (409, "duplicate_recordset"),
    /// Record already exists.
    DuplicateRecord => (409, "duplicate_record"),
    /// Pool name already taken.
    DuplicatePool => (409, "duplicate_pool"),
    /// TLD name already taken.
    DuplicateTld => (409, "duplicate_tld"),
    /// Blacklist pattern already taken.
    DuplicateBlacklist => (409, "duplicate_blacklist"),
    /// Service status row already exists.
    DuplicateServiceStatus => (409, "duplicate_service_status"),
    /// Generic not found.
    NotFound => (404, "not_found"),
    /// Zone not found.
    ZoneNotFound => (404, "zone_not_found"),
    /// Recordset not found.
    RecordSetNotFound => (404, "recordset_not_found"),
    /// Record not found.
    RecordNotFound => (404, "record_not_found"),
    /// Pool not found.
    PoolNotFound => (404, "pool_not_found"),
    /// TLD not found.
    TldNotFound => (404, "tld_not_found"),
    /// Blacklist entry not found.
    BlacklistNotFound => (404, "blacklist_not_found"),
    /// Not a quota resource upstream knows (upstream's `QuotaResourceUnknown`, a 500 there too).
    QuotaResourceUnknown => (500, "quota_resource_unknown"),
    /// Service status not found.
    ServiceStatusNotFound => (404, "service_status_not_found"),
    /// HTTP method not allowed on the resource.
    MethodNotAllowed => (405, "method_not_allowed"),
    /// Concurrent modification detected (optimistic lock lost); the caller may retry.
    Conflict => (409, "conflict"),
    /// The pool has no NS records, so no zone can be created in it.
    NoServersConfigured => (500, "no_servers_configured"),
    /// The caller has no project to own the object (401 for compatibility, as upstream).
    MissingProjectId => (401, "missing_project_id"),
    // --- zone placement (scheduler) ---
    /// `[service:central] scheduler_filters` is empty.
    NoFiltersConfigured => (500, "no_filters_configured"),
    /// The scheduler filters left more than one pool.
    MultiplePoolsFound => (500, "multiple_pools_found"),
    /// The scheduler filters left no pool.
    NoValidPoolFound => (404, "no_valid_pool_found"),

    // --- ops: database outage ---
    /// The database cannot be reached right now (connection refused or lost, server
    /// restarting); nothing was written and the client may retry. Upstream has no type for
    /// this: its API answers a DB outage as an untyped 500 (`unknown`, oslo.db's
    /// `DBConnectionError` crossing RPC as a remote error); we answer 503 — "try again later",
    /// which is what load balancers and clients expect — under our own type
    /// `service_unavailable`.
    ServiceUnavailable => (503, "service_unavailable"),
    // --- zone tasks (imports / exports) ---
    /// Zone import task not found.
    ZoneImportNotFound => (404, "zone_import_not_found"),
    /// Zone export task not found.
    ZoneExportNotFound => (404, "zone_export_not_found"),
    // --- cross-project and key resources (tsigkeys, zone transfers, shared zones) ---
    /// TSIG key name already taken.
    DuplicateTsigKey => (409, "duplicate_tsigkey"),
    /// TSIG key not found.
    TsigKeyNotFound => (404, "tsigkey_not_found"),
    /// A TSIG key's `resource_id` names no pool / zone of its scope.
    InvalidTsigKey => (400, "invalid_tsigkey"),
    /// Zone transfer request not found.
    ZoneTransferRequestNotFound => (404, "zone_transfer_request_not_found"),
    /// Zone transfer accept not found.
    ZoneTransferAcceptNotFound => (404, "zone_transfer_accept_not_found"),
    /// Duplicate zone transfer request.
    DuplicateZoneTransferRequest => (409, "duplicate_zone_transfer_request"),
    /// Duplicate zone transfer accept.
    DuplicateZoneTransferAccept => (409, "duplicate_zone_transfer_accept"),
    /// A transfer accept's key does not match its request (upstream's
    /// `IncorrectZoneTransferKey`).
    IncorrectZoneTransferKey => (403, "invalid_key"),
    /// The transfer cannot happen (upstream's `InvaildZoneTransfer`, sic).
    InvalidZoneTransfer => (400, "invalid_zone_transfer_request"),
    /// The zone is already shared with that project.
    DuplicateSharedZone => (409, "duplicate_shared_zone"),
    /// Zone share not found.
    SharedZoneNotFound => (404, "shared_zone_not_found"),
    /// The target project still owns recordsets in the shared zone.
    SharedZoneHasRecordSets => (400, "shared_zone_has_recordsets"),
    /// Another project owns a sub-zone of the shared zone.
    SharedZoneHasSubZone => (400, "shared_zone_has_sub_zone"),
    /// The zone is shared (deleting it needs the delete-shares switch).
    ZoneShared => (400, "zone_is_shared"),
    // --- floating-IP PTRs ---
    /// A Neutron endpoint failed while listing floating IPs.
    NeutronCommunicationFailure => (504, "neutron_communication_failure"),
    /// The service catalog has no endpoint for the network service (upstream's
    /// `NetworkEndpointNotFound`).
    NetworkEndpointNotFound => (403, "no_endpoint"),
}

impl DesignateError {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            errors: Vec::new(),
        }
    }

    /// An `invalid_object` error with one validation detail.
    pub fn invalid_object(path: &[&str], validator: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self {
            kind: ErrorKind::InvalidObject,
            message: "Provided object does not match schema".to_owned(),
            errors: vec![ValidationError {
                path: path.iter().map(|p| (*p).to_owned()).collect(),
                message,
                validator: validator.to_owned(),
                validator_value: None,
                raw: None,
            }],
        }
    }

    /// HTTP status code.
    pub fn code(&self) -> u16 {
        self.kind.code()
    }

    /// Upstream error `type`.
    pub fn error_type(&self) -> &'static str {
        self.kind.error_type()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_unavailable_is_503_and_survives_serialization() {
        let e = DesignateError::new(ErrorKind::ServiceUnavailable, "database unavailable");
        assert_eq!((e.code(), e.error_type()), (503, "service_unavailable"));
        // What the AMQP transport does with a failure: JSON out, JSON in.
        let wire = serde_json::to_string(&e).unwrap();
        let back: DesignateError = serde_json::from_str(&wire).unwrap();
        assert_eq!(back, e);
    }
}
