//! SVCB and HTTPS: `priority target [key=value …]` (RFC 9460), with the parameter rules of
//! upstream's `rrdata_svcb.py` / `rrdata_https.py`.
//!
//! Upstream accepts the keys `alpn`, `ipv4hint`, `ipv6hint`, `port`, `ech`, `no-default-alpn`
//! and `mandatory` (plus `dohpath`, RFC 9461, for SVCB only), checks each value and requires
//! `no-default-alpn` to come with `alpn`. Where upstream's parser lets something through that
//! cannot go on the wire, we refuse it: a port above 65535, a second `=` in a value other than
//! `ech` (upstream silently skips the check of such a parameter), a repeated key (RFC 9460 §2.2).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use base64::Engine as _;

use super::{domain, parse_int, Check};

/// ALPN protocol ids upstream allows.
const ALPN_IDS: &[&str] = &["h3", "h2", "h2c", "http/1.1", "http/1.0"];

/// Which of the two record types is being checked: HTTPS has no `dohpath`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Svcb,
    Https,
}

/// SVCB data.
pub(super) fn svcb(data: &str) -> Check {
    check(Kind::Svcb, data).map(|_| ())
}

/// HTTPS data.
pub(super) fn https(data: &str) -> Check {
    check(Kind::Https, data).map(|_| ())
}

/// Upstream's rule for SVCB records of a DNS-server name (`_dns` in the owner, RFC 9461): an
/// `alpn` of `h2` or `h3` (DNS over HTTPS) needs a `dohpath`.
pub(super) fn dns_owner_rule(owner: &str, data: &str) -> Check {
    if !owner.contains("_dns") {
        return Ok(());
    }
    let params = check(Kind::Svcb, data)?;
    let doh = params
        .get("alpn")
        .is_some_and(|alpn| alpn.split(',').any(|id| id == "h2" || id == "h3"));
    if doh && !params.contains_key("dohpath") {
        return Err("DOH should be presented for ALPN values h3 or h2 in dns records.".to_owned());
    }
    Ok(())
}

/// Checks the data and returns its parameters by key.
fn check(kind: Kind, data: &str) -> Result<BTreeMap<&str, &str>, String> {
    let mut fields = data.split(' ');
    let (Some(priority), Some(target)) = (fields.next(), fields.next()) else {
        return Err("expected at least 2 fields, found 1".to_owned());
    };
    parse_int("priority", priority, 0, 65_535)
        .map_err(|_| "Value priority is not an integer".to_owned())?;
    if target != "." {
        domain("Domain", target)?;
    }
    let mut params = BTreeMap::new();
    for param in fields {
        let (key, value) = match param.split_once('=') {
            Some(kv) => kv,
            None if param == "no-default-alpn" => (param, ""),
            None => return Err(format!("Missed '=' in value {param}")),
        };
        if params.insert(key, value).is_some() {
            return Err(format!("Parameter {key} is repeated"));
        }
    }
    for (&key, &value) in &params {
        if key != "ech" && value.contains('=') {
            return Err(format!("Value of {key} must not contain '='"));
        }
        match key {
            "alpn" => alpn(value)?,
            "ipv4hint" => hints::<Ipv4Addr>(value, "ipv4")?,
            "ipv6hint" => hints::<Ipv6Addr>(value, "ipv6")?,
            "port" => {
                parse_int("port", value, 0, 65_535).map_err(|_| "Port is not an integer")?;
            }
            "ech" => ech(value)?,
            "mandatory" => mandatory(value, &params)?,
            "no-default-alpn" => {
                if !params.contains_key("alpn") {
                    return Err("ALPN should be presented if no-default-alpn param exist".into());
                }
            }
            "dohpath" if kind == Kind::Svcb => dohpath(value)?,
            _ => return Err(format!("Unsupported param {key}")),
        }
    }
    Ok(params)
}

fn alpn(value: &str) -> Check {
    match value.split(',').find(|id| !ALPN_IDS.contains(id)) {
        Some(id) => Err(format!(
            "{id} is not supported. Supported values {ALPN_IDS:?}"
        )),
        None => Ok(()),
    }
}

/// A comma-separated list of addresses of one family.
fn hints<A: std::str::FromStr>(value: &str, family: &str) -> Check {
    match value.split(',').find(|a| a.parse::<A>().is_err()) {
        Some(a) => Err(format!("Value {a} is not {family} address")),
        None => Ok(()),
    }
}

/// An ECHConfigList in base64, without escapes.
fn ech(value: &str) -> Check {
    if value.contains('\\') {
        return Err("escape in ECH value".to_owned());
    }
    base64::engine::general_purpose::STANDARD
        .decode(value)
        .map(|_| ())
        .map_err(|_| "ECH value is not base64 string".to_owned())
}

/// `mandatory`: every listed key must be present among the record's parameters.
fn mandatory(value: &str, params: &BTreeMap<&str, &str>) -> Check {
    let keys: Vec<&str> = value.split(',').collect();
    if keys.len() > params.len() || keys.iter().any(|k| !params.contains_key(k)) {
        return Err(format!(
            "Record should have all mandatory params. Mandatory params: {keys:?}"
        ));
    }
    Ok(())
}

/// `dohpath` (RFC 9461): a relative URI template with the `dns` variable.
fn dohpath(value: &str) -> Check {
    if !value.starts_with('/') {
        return Err("dohpath must be relative".to_owned());
    }
    if value.len() < 7 {
        return Err("Minimal valid dohpath length 7".to_owned());
    }
    if !value.contains("{?dns}") {
        return Err("dohpath MUST contain '{?dns}'".to_owned());
    }
    Ok(())
}
