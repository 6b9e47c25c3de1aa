//! DNS-name rules for zone names, recordset names, e-mail addresses and TTLs.
//!
//! Owns upstream's name checks in two layers, because upstream raises a different error for each:
//! - the *schema* layer (upstream's `DomainField`, `HostField`, `SRVField`, `EmailField`, `TldField`
//!   and the TTL `IntegerFields`), which fails with `invalid_object`;
//! - the *central* layer (`_is_valid_zone_name`, `_is_valid_recordset_name`, `_is_valid_ttl`), which
//!   fails with `invalid_zone_name`, `invalid_recordset_name`, `invalid_recordset_location` and
//!   `invalid_ttl`.
//!
//! TLD lists, blacklists and policy overrides need storage or a context and stay with central; this
//! module only holds the pure rules.

use crate::error::{DesignateError, ErrorKind, Result};

/// Longest name central accepts (upstream `max_zone_name_len` / `max_recordset_name_len` default).
pub const MAX_NAME_LEN: usize = 255;

/// Longest presentation name the schema regexes accept: upstream's `(?!.{255,})` look-ahead.
const MAX_SCHEMA_NAME_LEN: usize = 254;

/// Longest label, in octets (RFC 1035).
pub const MAX_LABEL_LEN: usize = 63;

/// Largest TTL (and SOA timer) upstream accepts: a signed 32-bit integer.
pub const MAX_TTL: i64 = 2_147_483_647;

/// Whether `label` is a host label as upstream's regexes define it: 1..=63 of `[A-Za-z0-9_-]`,
/// not starting or ending with `-`. Underscores are allowed because upstream allows them
/// (service labels, DKIM selectors).
pub fn is_valid_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= MAX_LABEL_LEN
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The labels of an absolute name without its trailing dot, or `None` when the dot is missing.
fn absolute_labels(name: &str) -> Option<std::str::Split<'_, char>> {
    name.strip_suffix('.').map(|body| body.split('.'))
}

/// Whether `name` is a domain name as upstream's `DomainField` accepts it: absolute (trailing dot),
/// at most 254 characters, every label valid, no wildcard. The root `.` alone is not accepted.
pub fn is_valid_domain(name: &str) -> bool {
    name.len() <= MAX_SCHEMA_NAME_LEN
        && absolute_labels(name).is_some_and(|mut labels| labels.all(is_valid_label))
}

/// Whether `name` is a host name as upstream's `HostField` accepts it: like [`is_valid_domain`], but
/// the first label may be the wildcard `*`.
pub fn is_valid_hostname(name: &str) -> bool {
    if name.len() > MAX_SCHEMA_NAME_LEN {
        return false;
    }
    match name.strip_prefix("*.") {
        // A bare `*.` is a wildcard with nothing under it: upstream's regex accepts it too.
        Some("") => true,
        Some(rest) => is_valid_domain(rest),
        None => is_valid_domain(name),
    }
}

/// Whether `name` is an SRV owner name as upstream's `SRVField` accepts it: two leading
/// underscore labels (`_service._proto.`) followed by a domain name of at least one label.
pub fn is_valid_srv_name(name: &str) -> bool {
    if name.len() > MAX_NAME_LEN {
        return false;
    }
    let mut parts = name.splitn(3, '.');
    let (Some(service), Some(proto), Some(rest)) = (parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let service_label = |l: &str| {
        l.len() >= 2
            && l.len() <= MAX_LABEL_LEN
            && l.starts_with('_')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    service_label(service) && service_label(proto) && is_valid_domain(rest)
}

/// Whether `name` is a TLD as upstream's `TldField` accepts it: one or more labels, no trailing dot.
pub fn is_valid_tld(name: &str) -> bool {
    name.len() <= MAX_SCHEMA_NAME_LEN && name.split('.').all(is_valid_label)
}

/// A schema failure on `field`, shaped as upstream's adapter reports a field's `ValueError`.
fn schema_error(field: &str, validator: &str, value: &str, message: String) -> DesignateError {
    let mut err = DesignateError::invalid_object(&[field], validator, message);
    if let Some(detail) = err.errors.first_mut() {
        detail.raw = Some(value.to_owned());
    }
    err
}

/// Why `name` fails a domain/host check, in upstream's words.
fn name_problem(name: &str, kind: &str) -> String {
    if let Some(long) = name.split('.').find(|l| l.len() > MAX_LABEL_LEN) {
        return format!("Host {long} is too long");
    }
    if !name.ends_with('.') {
        return format!("{kind} {name} does not end with a dot");
    }
    format!("{kind} {name} is invalid")
}

/// Schema check of a domain-name field (`DomainField`) named `field`.
///
/// # Errors
/// `invalid_object` with a `format` detail on `field` when `value` is not a valid domain name.
pub fn validate_domain_field(field: &str, value: &str) -> Result<()> {
    if is_valid_domain(value) {
        return Ok(());
    }
    Err(schema_error(
        field,
        "format",
        value,
        name_problem(value, "Domain"),
    ))
}

/// Checks a zone name: the schema rule (absolute domain name) then central's rules (length, at
/// least two labels). TLD and blacklist checks need storage and stay in central.
///
/// # Errors
/// - `invalid_object` (detail on `name`) when the name is not a valid absolute domain name;
/// - `invalid_zone_name` when it is longer than 255 characters or has a single label.
pub fn validate_zone_name(name: &str) -> Result<()> {
    validate_domain_field("name", name)?;
    if name.len() > MAX_NAME_LEN {
        return Err(DesignateError::new(
            ErrorKind::InvalidZoneName,
            "Name too long",
        ));
    }
    if name.trim_matches('.').split('.').count() <= 1 {
        return Err(DesignateError::new(
            ErrorKind::InvalidZoneName,
            "More than one label is required",
        ));
    }
    Ok(())
}

/// Checks a recordset owner name: an absolute host name, `*` allowed only as the first label.
///
/// # Errors
/// - `invalid_object` (detail on `name`) when the name is malformed;
/// - `invalid_recordset_name` when it is longer than 255 characters.
pub fn validate_recordset_name(name: &str) -> Result<()> {
    if !is_valid_hostname(name) {
        return Err(schema_error(
            "name",
            "format",
            name,
            name_problem(name, "Host name"),
        ));
    }
    check_name_length(name)
}

/// Checks a recordset owner name with the per-type override upstream applies: SRV names must be
/// `_service._proto.domain.`, NS names must be plain domain names (no wildcard), all others follow
/// [`validate_recordset_name`].
///
/// # Errors
/// As [`validate_recordset_name`].
pub fn validate_recordset_name_for_type(name: &str, rtype: &str) -> Result<()> {
    match rtype {
        "SRV" => {
            if !is_valid_srv_name(name) {
                let message = if name.ends_with('.') {
                    format!("Host name {name} is not a SRV record")
                } else {
                    name_problem(name, "Host name")
                };
                return Err(schema_error("name", "format", name, message));
            }
            check_name_length(name)
        }
        "NS" => {
            validate_domain_field("name", name)?;
            check_name_length(name)
        }
        _ => validate_recordset_name(name),
    }
}

/// Central's length rule for recordset names.
fn check_name_length(name: &str) -> Result<()> {
    if name.len() > MAX_NAME_LEN {
        return Err(DesignateError::new(
            ErrorKind::InvalidRecordSetName,
            "Name too long",
        ));
    }
    Ok(())
}

/// Whether `name` equals `zone` or lies below it (both absolute, compared case-insensitively,
/// since DNS names compare without case).
pub fn is_in_zone(name: &str, zone: &str) -> bool {
    let (name, zone) = (name.to_ascii_lowercase(), zone.to_ascii_lowercase());
    name == zone || name.ends_with(&format!(".{zone}"))
}

/// Central's placement rule: a recordset must be the zone apex or below it.
///
/// # Errors
/// `invalid_recordset_location` when `name` is outside `zone`.
pub fn check_recordset_location(name: &str, zone: &str) -> Result<()> {
    if is_in_zone(name, zone) {
        return Ok(());
    }
    Err(DesignateError::new(
        ErrorKind::InvalidRecordSetLocation,
        "RecordSet is not contained within it's parent zone",
    ))
}

/// Checks a zone's e-mail as upstream's `EmailField` does: exactly one `@`, and the address with
/// `@` read as a dot must be a valid domain name (so the local part is label characters and dots).
/// Also, unlike upstream, the local part must fit one label (at most 63 octets), as it becomes
/// one in the SOA RNAME.
///
/// # Errors
/// `invalid_object` with a `format` detail on `email`.
pub fn validate_email(email: &str) -> Result<()> {
    if email.len() > MAX_NAME_LEN {
        return Err(schema_error(
            "email",
            "maxLength",
            email,
            "Value too long for email".to_owned(),
        ));
    }
    if email.matches('@').count() != 1 {
        return Err(schema_error(
            "email",
            "format",
            email,
            format!("{email} is not an email"),
        ));
    }
    // The SOA RNAME keeps the local part as one label, its dots escaped
    // (`first.last@…` → `first\.last.…`), so it must also fit one label — stricter than
    // upstream, whose SOA then cannot be built or served (found by fuzz/name_validate).
    let local_len = email.split('@').next().map_or(0, str::len);
    if local_len > MAX_LABEL_LEN || !is_valid_domain(&format!("{}.", email.replace('@', "."))) {
        return Err(schema_error(
            "email",
            "format",
            email,
            format!("Email {email} is invalid"),
        ));
    }
    Ok(())
}

/// The SOA RNAME for an e-mail address, as central builds it: dots in the local part are escaped,
/// the `@` becomes a dot and a trailing dot is added (`first.last@example.org` →
/// `first\.last.example.org.`). An address without `@` is taken as a domain name.
pub fn email_to_rname(email: &str) -> String {
    let (local, domain) = match email.split_once('@') {
        Some((local, domain)) => (local.replace('.', "\\."), domain),
        None => (String::new(), email),
    };
    let domain = domain.trim_end_matches('.');
    if local.is_empty() {
        format!("{domain}.")
    } else {
        format!("{local}.{domain}.")
    }
}

/// Checks a TTL (zone or recordset) against the schema bounds: `0..=2147483647`.
///
/// # Errors
/// `invalid_object` with a `minimum` or `maximum` detail on `ttl`.
pub fn validate_ttl(ttl: i64) -> Result<()> {
    validate_int_field("ttl", ttl, 0, MAX_TTL)
}

/// Checks an integer field against inclusive schema bounds, as upstream's `IntegerFields` does.
///
/// # Errors
/// `invalid_object` with a `minimum` or `maximum` detail on `field`.
pub fn validate_int_field(field: &str, value: i64, min: i64, max: i64) -> Result<()> {
    if value < min {
        return Err(schema_error(
            field,
            "minimum",
            &value.to_string(),
            format!("Value must be >= {min} for field {field}"),
        ));
    }
    if value > max {
        return Err(schema_error(
            field,
            "maximum",
            &value.to_string(),
            format!("Value too high for {field}"),
        ));
    }
    Ok(())
}

/// Central's minimum-TTL rule (`[service:central] min_ttl`). Callers skip it when policy grants
/// `use_low_ttl`.
///
/// # Errors
/// `invalid_ttl` when `ttl` is below `min_ttl`.
pub fn check_min_ttl(ttl: i64, min_ttl: Option<i64>) -> Result<()> {
    match min_ttl {
        Some(min) if ttl < min => Err(DesignateError::new(
            ErrorKind::InvalidTtl,
            format!("TTL is below the minimum: {min}"),
        )),
        _ => Ok(()),
    }
}

/// Every suffix of a zone name, longest first and without the trailing dot
/// (`www.example.org.` → `www.example.org`, `example.org`, `org`): the candidates central matches
/// against the TLD list.
pub fn name_suffixes(name: &str) -> Vec<String> {
    let labels: Vec<&str> = name.trim_end_matches('.').split('.').collect();
    (0..labels.len()).map(|i| labels[i..].join(".")).collect()
}

#[cfg(test)]
mod tests;
