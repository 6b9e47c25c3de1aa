//! TLSA: `usage selector matching_type certificate-association-data` (RFC 6698).
//!
//! Upstream: the three numbers are 0..=255; the data is hexadecimal of even length, possibly
//! split by spaces, exactly 64 digits for matching type 1 (SHA-256) and 128 for type 2
//! (SHA-512). Upstream also accepts the zone-file form split over lines in parentheses
//! (`3 1 1 (\n  d2ab…\n  e971\n)`) and stores it as sent; we accept it too but store it as
//! one line ([`normalise`]), because line breaks have no place in served or exported data.

use std::borrow::Cow;

use super::{parse_int, Check};

/// The one-line form of data written over several lines in one pair of parentheses:
/// `usage selector matching_type hex`, the certificate joined and lower-cased as upstream's
/// parsed copy holds it. Other data is returned unchanged (and judged by [`tlsa`]).
pub(super) fn normalise(data: &str) -> Cow<'_, str> {
    let (Some(open), Some(close)) = (data.find('('), data.rfind(')')) else {
        return Cow::Borrowed(data);
    };
    // Exactly one pair, nothing after it but whitespace.
    if open > close || data.matches(['(', ')']).count() != 2 || !data[close + 1..].trim().is_empty()
    {
        return Cow::Borrowed(data);
    }
    let words: Vec<&str> = data[..open]
        .split_whitespace()
        .chain(data[open + 1..close].split_whitespace())
        .collect();
    let [usage, selector, matching_type, hex @ ..] = &words[..] else {
        return Cow::Borrowed(data);
    };
    if hex.is_empty() {
        return Cow::Borrowed(data);
    }
    let certificate = hex.concat().to_ascii_lowercase();
    Cow::Owned(format!("{usage} {selector} {matching_type} {certificate}"))
}

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
