//! Types whose data is, or ends in, a domain name: CNAME, NS, PTR, MX and SRV.

use super::{domain, parse_canonical_int, parse_int, split_exact, Check};

/// CNAME, NS and PTR: one absolute domain name (upstream's `DomainField`).
pub(super) fn domain_target(data: &str) -> Check {
    domain("Domain", data)
}

/// MX: `priority exchange`. Upstream wants the priority in canonical spelling (0..=65535) and the
/// exchange ending with a dot. We also require the exchange to be a valid domain name (upstream
/// only checks the dot and the length), except the root `.`, which RFC 7505 gives as the
/// "null MX" and upstream accepts.
pub(super) fn mx(data: &str) -> Check {
    let f = split_exact(data, 2)?;
    parse_canonical_int("priority", f[0], 0, 65_535)?;
    let exchange = f[1];
    if !exchange.ends_with('.') {
        return Err(format!("Domain {exchange} does not end with a dot"));
    }
    if exchange == "." {
        return Ok(());
    }
    domain("Domain", exchange)
}

/// SRV: `priority weight port target`, three integers in 0..=65535 and a domain-name target.
pub(super) fn srv(data: &str) -> Check {
    let f = split_exact(data, 4)?;
    parse_int("priority", f[0], 0, 65_535)?;
    parse_int("weight", f[1], 0, 65_535)?;
    parse_int("port", f[2], 0, 65_535)?;
    domain("Domain", f[3])
}
