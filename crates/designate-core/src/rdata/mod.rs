//! Record data: per-type validation of presentation-format strings, as upstream's
//! `designate/objects/rrdata_*.py` `from_string` methods and field types check them.
//!
//! One module per record family holds its rules; this module dispatches on the type, applies the
//! rules every type shares, and shapes failures as upstream's `RecordSet.validate` does
//! (`invalid_object` with one detail per bad record at path `["records", i]`).
//!
//! **Normalisation.** Upstream validates a parsed copy but stores and serves the record text exactly
//! as the client sent it (`RecordSet.validate` puts the original records back), so [`validate`]
//! returns the datum unchanged: case, IPv6 spelling and quoting are kept. The one exception is
//! TLSA data in upstream's multi-line form (parentheses around line breaks), stored as one line:
//! we refuse line breaks in stored data everywhere (below).
//!
//! **Stricter than upstream, on purpose.** Every type rejects empty data, data over 65535 bytes and
//! any control character (newline, carriage return, tab, NUL, DEL, C1), because such data either
//! cannot be served on the wire or breaks zone files and AXFR rendering — the class of upstream bug
//! #2162105 (newline injection in TXT/SPF/NAPTR). Character-strings (TXT, SPF, NAPTR fields) must
//! also be well formed in RFC 1035 §5.1 presentation syntax (balanced quotes, valid escapes).

mod address;
mod caa;
mod cert;
mod names;
mod naptr;
mod soa;
mod sshfp;
mod strings;
mod svcb;
mod tlsa;
mod txt;

use crate::error::{DesignateError, ErrorKind, Result, ValidationError};

pub use soa::SoaData;

/// Record types a tenant may create (upstream's `supported_record_type` default).
pub const SUPPORTED_TYPES: &[&str] = &[
    "A", "AAAA", "CNAME", "MX", "SRV", "TXT", "SPF", "NS", "PTR", "SSHFP", "SOA", "NAPTR", "CAA",
    "CERT", "HTTPS", "SVCB", "TLSA",
];

/// Largest datum accepted: one RR's RDATA cannot exceed 65535 octets on the wire.
pub const MAX_DATA_LEN: usize = 65_535;

/// Outcome of one type's rules: the reason, in upstream's words where upstream has some.
type Check = std::result::Result<(), String>;

/// Whether `rtype` is one of [`SUPPORTED_TYPES`] (upstream compares type names case-sensitively).
pub fn is_supported(rtype: &str) -> bool {
    SUPPORTED_TYPES.contains(&rtype)
}

/// The error upstream raises for a type it has no record class for.
///
/// Upstream reports it at path `["recordset", "type"]` with validator `value`.
pub fn unsupported_type_error(rtype: &str) -> DesignateError {
    DesignateError {
        kind: ErrorKind::InvalidObject,
        message: "Provided object does not match schema".to_owned(),
        errors: vec![ValidationError {
            path: vec!["recordset".to_owned(), "type".to_owned()],
            message: format!("'{rtype}' is not a valid record type"),
            validator: "value".to_owned(),
            validator_value: Some(rtype.to_owned()),
            raw: None,
        }],
    }
}

/// Validates one datum of type `rtype` and returns it as it will be stored and served
/// (unchanged but for multi-line TLSA; see the module notes on normalisation).
///
/// # Errors
/// `invalid_object`: at path `["recordset", "type"]` for an unknown type, else at path
/// `["records"]` with validator `format` when the data does not parse for its type.
pub fn validate(rtype: &str, data: &str) -> Result<String> {
    let data = normalise(rtype, data);
    match check_one(rtype, &data) {
        Ok(()) => Ok(data.into_owned()),
        Err(None) => Err(unsupported_type_error(rtype)),
        Err(Some(mut detail)) => {
            detail.path.truncate(1);
            Err(invalid(vec![detail]))
        }
    }
}

/// Validates every datum of a recordset named `owner`, as upstream's `RecordSet.validate` does,
/// and returns them as they will be stored.
///
/// # Errors
/// `invalid_object`: for an unknown type, one detail at `["recordset", "type"]`; otherwise one
/// `format` detail at `["records", "<i>"]` for each bad datum (all of them, not just the first).
pub fn validate_records<S: AsRef<str>>(
    rtype: &str,
    owner: &str,
    records: &[S],
) -> Result<Vec<String>> {
    if !is_supported(rtype) {
        return Err(unsupported_type_error(rtype));
    }
    let mut details = Vec::new();
    let mut stored = Vec::with_capacity(records.len());
    for (i, data) in records.iter().enumerate() {
        let data = normalise(rtype, data.as_ref());
        let outcome = check_one(rtype, &data).and_then(|()| owner_rules(rtype, owner, &data));
        if let Err(Some(mut detail)) = outcome {
            detail.path = vec!["records".to_owned(), i.to_string()];
            details.push(detail);
        }
        stored.push(data.into_owned());
    }
    if !details.is_empty() {
        return Err(invalid(details));
    }
    Ok(stored)
}

fn invalid(errors: Vec<ValidationError>) -> DesignateError {
    DesignateError {
        kind: ErrorKind::InvalidObject,
        message: "Provided object does not match schema".to_owned(),
        errors,
    }
}

/// The form in which a datum is judged and stored: unchanged, except TLSA data written over
/// several lines in parentheses, which becomes its one-line form.
fn normalise<'a>(rtype: &str, data: &'a str) -> std::borrow::Cow<'a, str> {
    match rtype {
        "TLSA" => tlsa::normalise(data),
        _ => std::borrow::Cow::Borrowed(data),
    }
}

/// Runs the shared and per-type rules. `Err(None)` means the type is unknown.
fn check_one(rtype: &str, data: &str) -> std::result::Result<(), Option<ValidationError>> {
    let Some(rules) = rules_for(rtype) else {
        return Err(None);
    };
    shared_rules(data)
        .and_then(|()| rules(data))
        .map_err(|reason| Some(format_error(rtype, data, reason)))
}

/// Rules that depend on the recordset's name as well as on the datum (upstream checks them in
/// `RecordSet.validate`, where the name is known).
fn owner_rules(
    rtype: &str,
    owner: &str,
    data: &str,
) -> std::result::Result<(), Option<ValidationError>> {
    let outcome = match rtype {
        "SVCB" => svcb::dns_owner_rule(owner, data),
        _ => Ok(()),
    };
    outcome.map_err(|reason| Some(format_error(rtype, data, reason)))
}

/// The detail upstream reports for a datum that does not parse as its type.
fn format_error(rtype: &str, data: &str, reason: String) -> ValidationError {
    ValidationError {
        path: vec!["records".to_owned(), "0".to_owned()],
        message: format!("'{data}' is not a '{rtype}' Record ({reason})"),
        validator: "format".to_owned(),
        validator_value: Some(rtype.to_owned()),
        raw: Some(data.to_owned()),
    }
}

/// The rules of one type, or `None` when the type is not supported.
fn rules_for(rtype: &str) -> Option<fn(&str) -> Check> {
    Some(match rtype {
        "A" => address::a,
        "AAAA" => address::aaaa,
        "CNAME" | "NS" | "PTR" => names::domain_target,
        "MX" => names::mx,
        "SRV" => names::srv,
        "TXT" | "SPF" => txt::txt,
        "NAPTR" => naptr::naptr,
        "CAA" => caa::caa,
        "SSHFP" => sshfp::sshfp,
        "CERT" => cert::cert,
        "SOA" => soa::soa,
        "TLSA" => tlsa::tlsa,
        "SVCB" => svcb::svcb,
        "HTTPS" => svcb::https,
        _ => return None,
    })
}

/// Rules every type shares: non-empty, bounded, no control characters.
fn shared_rules(data: &str) -> Check {
    if data.is_empty() {
        return Err("record data must not be empty".to_owned());
    }
    if data.len() > MAX_DATA_LEN {
        return Err(format!("record data is longer than {MAX_DATA_LEN} bytes"));
    }
    if let Some(c) = data.chars().find(|c| c.is_control()) {
        return Err(format!(
            "record data must not contain control characters (found U+{:04X})",
            u32::from(c)
        ));
    }
    Ok(())
}

/// Splits `data` on single spaces into exactly `n` fields, as upstream's `value.split(' ')` with
/// tuple unpacking does (so doubled spaces make an empty field and fail).
fn split_exact(data: &str, n: usize) -> std::result::Result<Vec<&str>, String> {
    let fields: Vec<&str> = data.split(' ').collect();
    if fields.len() != n {
        return Err(format!("expected {n} fields, found {}", fields.len()));
    }
    Ok(fields)
}

/// Parses a decimal integer field within `min..=max`. Only ASCII digits are accepted (no sign,
/// no underscores, no spaces), since anything else would not survive a zone file.
fn parse_int(field: &str, s: &str, min: u64, max: u64) -> std::result::Result<u64, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{field} is not an integer"));
    }
    let digits = s.trim_start_matches('0');
    // Longer than any bound we use: certainly out of range, and avoids overflow.
    if digits.len() > 19 {
        return Err(format!("Value too high for {field}"));
    }
    let value: u64 = if digits.is_empty() {
        0
    } else {
        digits
            .parse()
            .map_err(|_| format!("{field} is not an integer"))?
    };
    if value < min {
        return Err(format!("Value must be >= {min} for field {field}"));
    }
    if value > max {
        return Err(format!("Value too high for {field}"));
    }
    Ok(value)
}

/// Like [`parse_int`] but also in canonical spelling (no leading zeros), for the fields where
/// upstream checks `repr(int(x)) == x` (MX priority, SSHFP numbers).
fn parse_canonical_int(
    field: &str,
    s: &str,
    min: u64,
    max: u64,
) -> std::result::Result<u64, String> {
    let value = parse_int(field, s, min, max)?;
    if value.to_string() != s {
        return Err("Value is not an integer".to_owned());
    }
    Ok(value)
}

/// Checks a domain-name field as upstream's `DomainField` does.
fn domain(field: &str, s: &str) -> Check {
    if crate::name::is_valid_domain(s) {
        return Ok(());
    }
    if let Some(long) = s.split('.').find(|l| l.len() > crate::name::MAX_LABEL_LEN) {
        return Err(format!("Host {long} is too long"));
    }
    if !s.ends_with('.') {
        return Err(format!("{field} {s} does not end with a dot"));
    }
    Err(format!("{field} {s} is invalid"))
}

#[cfg(test)]
mod tests;
