//! Floating-IP PTRs (upstream's `FloatingIP` object): a Neutron floating IP of the caller's
//! project together with the PTR record central manages for it in the address's reverse zone.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Action;
use crate::{DesignateError, ErrorKind, Result};

/// `managed_resource_type` of the PTR records central creates for floating IPs.
pub const FLOATING_IP_RESOURCE_TYPE: &str = "ptr:floatingip";

/// Longest region name upstream's `RE_FIP` accepts.
const MAX_REGION_LEN: usize = 100;

/// A floating IP as Neutron lists it for a project.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkFloatingIp {
    /// Neutron's floating IP id.
    pub id: Uuid,
    /// `floating_ip_address`.
    pub address: Ipv4Addr,
    /// The region of the Neutron endpoint that listed it.
    pub region: String,
}

/// A floating IP and its PTR, as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloatingIp {
    /// Neutron's floating IP id.
    pub id: Uuid,
    /// Region of the floating IP.
    pub region: String,
    /// The address.
    pub address: Ipv4Addr,
    /// The PTR's data, `None` when no PTR is set.
    pub ptrdname: Option<String>,
    /// The PTR record's description.
    pub description: Option<String>,
    /// The PTR's TTL (its recordset's, else its zone's).
    pub ttl: Option<i32>,
    /// `ACTIVE`, `PENDING`, `ERROR`, or `INACTIVE` when no PTR is set.
    pub status: String,
    /// What is in flight on the PTR (`NONE` when no PTR is set).
    pub action: Action,
}

impl FloatingIp {
    /// Upstream's `key`: `<region>:<id>`, the id the API shows.
    pub fn key(&self) -> String {
        format!("{}:{}", self.region, self.id)
    }

    /// The floating IP without a PTR.
    pub fn unset(fip: &NetworkFloatingIp) -> Self {
        Self {
            id: fip.id,
            region: fip.region.clone(),
            address: fip.address,
            ptrdname: None,
            description: None,
            ttl: None,
            status: "INACTIVE".to_owned(),
            action: Action::None,
        }
    }
}

/// A `PATCH /v2/reverse/floatingips/{key}` body.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FloatingIpUpdate {
    /// `Some(Some(name))` sets the PTR, `Some(None)` (`"ptrdname": null`) unsets it, `None`
    /// changes nothing.
    pub ptrdname: Option<Option<String>>,
    /// Description of the PTR record.
    pub description: Option<String>,
    /// TTL of the PTR recordset (`None`: the zone's).
    pub ttl: Option<i32>,
}

/// Splits a floating IP key `<region>:<uuid>` as upstream's `RE_FIP` does: the region is 1–100
/// characters of `[A-Za-z0-9._-]`, the id a hyphenated UUID.
///
/// # Errors
/// `400 bad_request` with upstream's message otherwise.
pub fn parse_fip_key(key: &str) -> Result<(String, Uuid)> {
    let bad = || {
        DesignateError::new(
            ErrorKind::BadRequest,
            format!("Floating IP {key} is not in the format of <region>:<uuid>"),
        )
    };
    let (region, id) = key.split_once(':').ok_or_else(bad)?;
    let region_ok = (1..=MAX_REGION_LEN).contains(&region.len())
        && region
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    // `Uuid::parse_str` also takes braced, URN and simple forms; RE_FIP only the hyphenated one.
    let hyphenated = id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_hexdigit()
            }
        });
    if !region_ok || !hyphenated {
        return Err(bad());
    }
    let id = Uuid::parse_str(id).map_err(|_| bad())?;
    Ok((region.to_owned(), id))
}

/// Upstream's `address_zone`: the /24 reverse zone of an IPv4 address
/// (`192.0.2.10` → `2.0.192.in-addr.arpa.`).
pub fn reverse_zone_name(address: Ipv4Addr) -> String {
    let [a, b, c, _] = address.octets();
    format!("{c}.{b}.{a}.in-addr.arpa.")
}

/// Upstream's `address_name`: the PTR owner name of an IPv4 address
/// (`192.0.2.10` → `10.2.0.192.in-addr.arpa.`).
pub fn reverse_record_name(address: Ipv4Addr) -> String {
    let [a, b, c, d] = address.octets();
    format!("{d}.{c}.{b}.{a}.in-addr.arpa.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_re_fip() {
        let id = "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3";
        let (region, uuid) = parse_fip_key(&format!("RegionOne:{id}")).unwrap();
        assert_eq!(
            (region.as_str(), uuid.to_string().as_str()),
            ("RegionOne", id)
        );
        assert!(parse_fip_key(&format!("r.e-g_1:{}", id.to_uppercase())).is_ok());
        for bad in [
            id.to_owned(),
            format!(":{id}"),
            format!("Region One:{id}"),
            format!("{}:{id}", "r".repeat(101)),
            "RegionOne:nope".to_owned(),
            format!("RegionOne:{}", id.replace('-', "")),
            format!("RegionOne:{{{id}}}"),
            format!("a:b:{id}"),
        ] {
            let e = parse_fip_key(&bad).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadRequest, "{bad}");
            assert_eq!(
                e.message,
                format!("Floating IP {bad} is not in the format of <region>:<uuid>")
            );
        }
        assert!(parse_fip_key(&format!("{}:{id}", "r".repeat(100))).is_ok());
    }

    #[test]
    fn reverse_names() {
        let a = Ipv4Addr::new(192, 0, 2, 10);
        assert_eq!(reverse_zone_name(a), "2.0.192.in-addr.arpa.");
        assert_eq!(reverse_record_name(a), "10.2.0.192.in-addr.arpa.");
    }
}
