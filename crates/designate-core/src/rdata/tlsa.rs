//! TLSA: `usage selector matching_type certificate-association-data` (RFC 6698).
//!
//! Upstream: the three numbers are 0..=255; the data is hexadecimal of even length, possibly
//! split by spaces, exactly 64 digits for matching type 1 (SHA-256) and 128 for type 2
//! (SHA-512). Upstream also strips zone-file parentheses but stores them; they mean nothing
//! outside a zone file and would reach the renderer as-is, so we refuse them.

use super::{parse_int, Check};

/// TLSA data.
pub(super) fn tlsa(data: &str) -> Check {
    if data.contains(['(', ')']) {
        return Err("TLSA data must not contain parentheses".to_owned());
    }
    let fields: Vec<&str> = data.split_whitespace().collect();
    let [usage, selector, matching_type, hex @ ..] = &fields[..] else {
        return Err("TLSA record must have at least 4 fields".to_owned());
    };
    if hex.is_empty() {
        return Err("TLSA record must have at least 4 fields".to_owned());
    }
    parse_int("usage", usage, 0, 255)?;
    parse_int("selector", selector, 0, 255)?;
    let matching_type = parse_int("matching_type", matching_type, 0, 255)?;
    let certificate: String = hex.concat();
    if !certificate.len().is_multiple_of(2) {
        return Err("Certificate hex data must have even length".to_owned());
    }
    let expected = match matching_type {
        1 => Some(64),
        2 => Some(128),
        _ => None,
    };
    if let Some(expected) = expected.filter(|e| *e != certificate.len()) {
        return Err(format!(
            "Certificate data for matching type {matching_type} must be exactly {expected} hex \
             characters"
        ));
    }
    if !certificate.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("Certificate association data must be hex string".to_owned());
    }
    Ok(())
}
