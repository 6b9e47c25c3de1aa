//! The nameserver's transfer client, for other roles: the worker transfers SECONDARY zones
//! from their external masters with it (upstream's worker does it with dnspython). Bounded as
//! the nameserver's own refreshes are: a deadline per operation, a record limit.

use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::rr::{Name, Record};

use crate::transfer;

/// Why a query or transfer from a master failed (the nameserver's reason, as text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ClientError(String);

fn zone_name(zone: &str) -> Result<Name, ClientError> {
    Name::from_ascii(zone).map_err(|e| ClientError(format!("invalid zone name {zone:?}: {e}")))
}

/// The SOA serial `master` serves for `zone` (UDP, TCP when truncated).
///
/// # Errors
/// Network failure, timeout, an error rcode, or no SOA in the answer.
pub async fn soa_serial(
    master: SocketAddr,
    zone: &str,
    timeout: Duration,
) -> Result<u32, ClientError> {
    transfer::soa_serial(master, &zone_name(zone)?, timeout)
        .await
        .map_err(|e| ClientError(e.to_string()))
}

/// Every record of `zone` by AXFR from `master`, its SOA first (the closing SOA left out).
///
/// # Errors
/// Network failure, timeout, an error rcode (REFUSED, NOTAUTH…), or a malformed transfer.
pub async fn axfr(
    master: SocketAddr,
    zone: &str,
    timeout: Duration,
) -> Result<Vec<Record>, ClientError> {
    transfer::axfr_records(master, &zone_name(zone)?, timeout)
        .await
        .map_err(|e| ClientError(e.to_string()))
}
