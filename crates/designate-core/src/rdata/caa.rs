//! CAA: `flags tag value` (RFC 8659), with upstream's property rules.
//!
//! Flags are 0 or 1. The tag is `issue`, `issuewild` or `iodef` (exactly, lower case).
//! `issue`/`issuewild` values are `domain[; key=value]…` where the domain is a valid name without
//! its trailing dot and each parameter starts with one whitespace; `iodef` values are
//! `mailto:local[+detail]@domain` or `http(s)://host/…`. The value is stored unquoted as sent, so
//! we also refuse `"` and `\` in it: they would change its meaning when rendered.

use super::{parse_int, Check};
use crate::name::{is_valid_domain, MAX_LABEL_LEN};

/// CAA data.
pub(super) fn caa(data: &str) -> Check {
    let (flags, prpt) = data
        .split_once(' ')
        .ok_or_else(|| "expected flags and a property".to_owned())?;
    parse_int("flags", flags, 0, 1)?;
    let (tag, value) = prpt
        .split_once(' ')
        .ok_or_else(|| format!("property {prpt} has no value"))?;
    if value.contains(['"', '\\']) {
        return Err("CAA value must not contain '\"' or '\\'".to_owned());
    }
    match tag {
        "issue" | "issuewild" => issuer(value),
        "iodef" => iodef(value),
        _ => Err(format!(
            "Property tag {prpt} must be 'issue', 'issuewild' or 'iodef'"
        )),
    }
}

/// `issuer-domain[; param]…`.
fn issuer(value: &str) -> Check {
    let mut entries = value.split(';');
    host(entries.next().unwrap_or(""))?;
    for entry in entries {
        if !is_key_value(entry) {
            return Err(format!("{entry} is not a valid key-value pair"));
        }
    }
    Ok(())
}

/// Upstream's `^\s[A-Za-z0-9]+=[A-Za-z0-9]+` (a prefix match, as `re.match` does).
fn is_key_value(entry: &str) -> bool {
    let mut chars = entry.chars();
    if !chars.next().is_some_and(char::is_whitespace) {
        return false;
    }
    let rest = chars.as_str();
    let Some((key, val)) = rest.split_once('=') else {
        return false;
    };
    !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_alphanumeric())
        && val
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// `mailto:` or `http(s)://` report URL.
fn iodef(value: &str) -> Check {
    if let Some(mail) = value.strip_prefix("mailto:") {
        if let Some((local, rest)) = mail.split_once('@') {
            if is_mail_local(local) {
                return host(rest.split('@').next().unwrap_or(""));
            }
        }
    }
    let url = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"));
    if let Some(after) = url {
        if let Some((authority, _path)) = after.split_once('/') {
            return host(authority);
        }
    }
    Err(format!("{value} is not a valid URL"))
}

/// Upstream's `[A-Za-z0-9_\-]+(\+[A-Za-z0-9_\-]+)?` before the `@`.
fn is_mail_local(local: &str) -> bool {
    let word = |w: &str| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    match local.split_once('+') {
        Some((user, detail)) => word(user) && word(detail),
        None => word(local),
    }
}

/// A host written without its trailing dot, checked as upstream does (label length, then the
/// zone-name rule on `host + "."`).
fn host(idn: &str) -> Check {
    if let Some(long) = idn.split('.').find(|l| l.len() > MAX_LABEL_LEN) {
        return Err(format!("Host {long} is too long"));
    }
    if !is_valid_domain(&format!("{idn}.")) {
        return Err(format!("Domain {idn} is invalid"));
    }
    Ok(())
}
