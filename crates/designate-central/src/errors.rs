//! The one place where storage failures become domain errors with upstream's error types, plus
//! the few error constructors central raises itself.
//!
//! Storage names the table involved (`NotFound("zones")`, `Duplicate("recordsets")`), so the
//! mapping picks the upstream type from it: callers never translate errors ad hoc.

use designate_core::{DesignateError, ErrorKind};
use designate_storage::StorageError;

/// Converts a storage failure into the upstream error a client sees.
pub(crate) fn from_storage(err: StorageError) -> DesignateError {
    match err {
        StorageError::NotFound(table) => {
            let kind = match entity(table) {
                "zone" => ErrorKind::ZoneNotFound,
                "recordset" => ErrorKind::RecordSetNotFound,
                "record" => ErrorKind::RecordNotFound,
                "pool" => ErrorKind::PoolNotFound,
                "service_status" => ErrorKind::ServiceStatusNotFound,
                "marker" => ErrorKind::MarkerNotFound,
                _ => ErrorKind::NotFound,
            };
            DesignateError::new(kind, not_found_message(kind))
        }
        StorageError::Duplicate(table) => {
            let kind = match entity(table) {
                "zone" => ErrorKind::DuplicateZone,
                "recordset" => ErrorKind::DuplicateRecordSet,
                "record" => ErrorKind::DuplicateRecord,
                "pool" => ErrorKind::DuplicatePool,
                "service_status" => ErrorKind::DuplicateServiceStatus,
                _ => ErrorKind::Duplicate,
            };
            DesignateError::new(kind, format!("Duplicate {}", entity(table)))
        }
        StorageError::Conflict(table) => {
            DesignateError::new(ErrorKind::Conflict, format!("concurrent update of {table}"))
        }
        // A deadlock, serialization failure or lock wait timeout (on Galera also a
        // certification failure): nothing was committed, so it is a lost race like the one
        // above and `txn::retry` reruns the whole transaction.
        StorageError::Retryable(e) => {
            tracing::debug!(error = %e, "transaction lost a race in the database; retrying");
            DesignateError::new(ErrorKind::Conflict, "concurrent update; please retry")
        }
        // The server is down, restarting or out of connections: nothing was committed (or,
        // when the connection died in COMMIT, all or nothing was), and retrying here would only
        // hold the caller for longer. Tell the client to come back: 503.
        StorageError::Unavailable(e) => {
            tracing::warn!(error = %e, "database unavailable");
            DesignateError::new(
                ErrorKind::ServiceUnavailable,
                "The database is unavailable; please retry later.",
            )
        }
        StorageError::InvalidCriteria(message) => {
            DesignateError::new(ErrorKind::BadRequest, message)
        }
        StorageError::InvalidSortKey(message) => {
            DesignateError::new(ErrorKind::InvalidSortKey, message)
        }
        other => {
            // Database faults are logged with detail here and reported without it: the
            // message may carry SQL or connection details a tenant must not see.
            tracing::error!(error = %other, "storage failure");
            DesignateError::new(ErrorKind::UnknownFailure, "storage failure")
        }
    }
}

/// The entity of a table name: `"zones"` and `"zone"` both give `"zone"`.
fn entity(table: &str) -> &str {
    match table {
        "service_statuses" | "service_status" => "service_status",
        other => other.strip_suffix('s').unwrap_or(other),
    }
}

/// Upstream's "Could not find <Object>" message for a not-found kind.
fn not_found_message(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ZoneNotFound => "Could not find Zone",
        ErrorKind::RecordSetNotFound => "Could not find RecordSet",
        ErrorKind::RecordNotFound => "Could not find Record",
        ErrorKind::PoolNotFound => "Could not find Pool",
        ErrorKind::ServiceStatusNotFound => "Could not find ServiceStatus",
        _ => "Not Found",
    }
}

/// `zone_not_found`, also used when a zone exists but belongs to another project.
pub(crate) fn zone_not_found() -> DesignateError {
    DesignateError::new(
        ErrorKind::ZoneNotFound,
        not_found_message(ErrorKind::ZoneNotFound),
    )
}

/// `recordset_not_found`.
pub(crate) fn recordset_not_found() -> DesignateError {
    DesignateError::new(
        ErrorKind::RecordSetNotFound,
        not_found_message(ErrorKind::RecordSetNotFound),
    )
}

/// `bad_request` with a message.
pub(crate) fn bad_request(message: &str) -> DesignateError {
    DesignateError::new(ErrorKind::BadRequest, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_map_to_upstream_types() {
        let e = from_storage(StorageError::NotFound("zones"));
        assert_eq!(e.error_type(), "zone_not_found");
        let e = from_storage(StorageError::NotFound("recordset"));
        assert_eq!(e.error_type(), "recordset_not_found");
        let e = from_storage(StorageError::Duplicate("zones"));
        assert_eq!(e.error_type(), "duplicate_zone");
        let e = from_storage(StorageError::Duplicate("records"));
        assert_eq!(e.error_type(), "duplicate_record");
        let e = from_storage(StorageError::Duplicate("recordsets"));
        assert_eq!(e.error_type(), "duplicate_recordset");
        let e = from_storage(StorageError::Conflict("zones"));
        assert_eq!(e.kind, ErrorKind::Conflict);
        let e = from_storage(StorageError::Retryable(sqlx::Error::PoolTimedOut));
        assert_eq!(
            e.kind,
            ErrorKind::Conflict,
            "deadlocks are retried like lost locks"
        );
        let e = from_storage(StorageError::NotFound("pools"));
        assert_eq!(e.error_type(), "pool_not_found");
    }

    #[test]
    fn an_unreachable_database_is_a_503() {
        let e = from_storage(StorageError::Unavailable(sqlx::Error::PoolTimedOut));
        assert_eq!(e.kind, ErrorKind::ServiceUnavailable);
        assert_eq!(e.code(), 503);
        assert!(!e.message.contains("pool"), "{}", e.message);
    }

    #[test]
    fn database_details_are_hidden() {
        let e = from_storage(StorageError::Corrupt {
            table: "zones",
            column: "serial",
            message: "secret detail".to_owned(),
        });
        assert_eq!(e.kind, ErrorKind::UnknownFailure);
        assert!(!e.message.contains("secret"));
    }
}
