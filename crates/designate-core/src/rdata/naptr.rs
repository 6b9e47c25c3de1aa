//! NAPTR: `order preference flags service regexp replacement` (RFC 3403).
//!
//! Upstream splits on single spaces into six fields; the three string fields may be wrapped in
//! double quotes, which are stripped before their rules apply: flags only `A`, `P`, `S`, `U`
//! (any case), service `alpha *( "+" alpha 0*31alnum )`, regexp empty or `delim ere delim
//! [repl] delim [i]` with a delimiter that is not a digit, `i` or backslash; each at most 255
//! characters. The replacement is a domain name. Upstream's fix for bug #2162105 anchored these
//! rules at the true end of the string; we also reject any control character (see `mod.rs`) and
//! malformed quoting or escapes.

use super::strings::{check_body, is_wrapped};
use super::{domain, parse_int, split_exact, Check};

/// Longest string field, as upstream's NAPTR field types allow.
const MAX_FIELD_LEN: usize = 255;

/// NAPTR data.
pub(super) fn naptr(data: &str) -> Check {
    let f = split_exact(data, 6)?;
    parse_int("order", f[0], 0, 65_535)?;
    parse_int("preference", f[1], 0, 65_535)?;

    let flags = string_field("flags", f[2])?;
    if !flags.bytes().all(|b| b"APSUapsu".contains(&b)) {
        return Err(format!("NAPTR record {flags} flags can be S, A, U and P"));
    }

    let service = string_field("service", f[3])?;
    if !is_naptr_service(service) {
        return Err(format!("{service} NAPTR record service is invalid"));
    }

    let regexp = string_field("regexp", f[4])?;
    if !regexp.is_empty() && !is_naptr_regexp(regexp) {
        return Err(format!("{regexp} NAPTR record is invalid"));
    }

    domain("Domain", f[5])
}

/// Strips one pair of wrapping quotes and checks the body's length and string syntax.
fn string_field<'a>(name: &str, raw: &'a str) -> Result<&'a str, String> {
    let (body, quoted) = if is_wrapped(raw) {
        (&raw[1..raw.len() - 1], true)
    } else {
        (raw, false)
    };
    if body.len() > MAX_FIELD_LEN {
        return Err(format!(
            "NAPTR record {body} {name} field cannot be longer than 255 characters"
        ));
    }
    check_body(body, quoted)?;
    Ok(body)
}

/// Upstream's service pattern `^([A-Za-z][A-Za-z0-9]*(\+[A-Za-z][A-Za-z0-9]{0,31})*)?\Z`:
/// empty, or `+`-separated alphanumeric words starting with a letter, all but the first at most
/// 32 characters.
fn is_naptr_service(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    s.split('+').enumerate().all(|(i, word)| {
        word.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
            && word.bytes().all(|b| b.is_ascii_alphanumeric())
            && (i == 0 || word.len() <= 32)
    })
}

/// Upstream's regexp rule `^(([^0-9i\\])(.*)\2((.+)|(\\[1-9]))?\2(i?))?\Z`, written out because
/// the `regex` crate has no back-references: the first character is the delimiter, and the
/// string (less an optional trailing `i`) must end with it and contain it once more in between.
fn is_naptr_regexp(s: &str) -> bool {
    let Some(delim) = s.chars().next() else {
        return true;
    };
    if delim.is_ascii_digit() || delim == 'i' || delim == '\\' {
        return false;
    }
    let fits = |body: &str| {
        let inner: Vec<char> = body.chars().skip(1).collect();
        inner.len() >= 2
            && inner.last() == Some(&delim)
            && inner[..inner.len() - 1].contains(&delim)
    };
    fits(s) || s.strip_suffix('i').is_some_and(fits)
}
