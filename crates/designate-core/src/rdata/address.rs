//! A and AAAA: one IPv4 or IPv6 address, parsed with `std::net`.
//!
//! Upstream checks IPv4 with dnspython's `inet_aton` (four decimal octets, no leading zeros) and
//! IPv6 with netaddr; `std::net`'s parsers accept the same spellings (dotted-quad tails in IPv6
//! included) and reject the same ones (leading zeros in IPv4, zone indices, CIDR suffixes).

use std::net::{Ipv4Addr, Ipv6Addr};

use super::Check;

/// A: a dotted-quad IPv4 address.
pub(super) fn a(data: &str) -> Check {
    data.parse::<Ipv4Addr>()
        .map(|_| ())
        .map_err(|_| format!("{data} is not an IPv4 address"))
}

/// AAAA: an IPv6 address in any RFC 4291 text form.
pub(super) fn aaaa(data: &str) -> Check {
    data.parse::<Ipv6Addr>()
        .map(|_| ())
        .map_err(|_| format!("{data} is not an IPv6 address"))
}
