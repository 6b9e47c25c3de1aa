//! TXT and SPF: one or more character-strings.
//!
//! Upstream's TXT rules: a single string of at most 255 characters (quotes included), either
//! wrapped in double quotes or free of whitespace; longer data must be several quoted strings
//! separated by one space (`"…" "…"`), each at most 255 characters; no trailing backslash.
//! Upstream's SPF class applies a weaker copy of these rules (no length limit, unbalanced quotes
//! accepted) that lets through data no nameserver can load, so SPF, whose RDATA is the same as
//! TXT's (RFC 7208 §3), follows the TXT rules here.

use super::strings::{check_body, is_wrapped, split_quoted_strings};
use super::Check;

/// Longest single string, quotes included (upstream counts them; the wire limit is 255 octets
/// without them).
const MAX_STRING_LEN: usize = 255;

/// TXT and SPF data.
pub(super) fn txt(data: &str) -> Check {
    if data.ends_with('\\') {
        return Err("Do NOT put '\\' into end of TXT record".to_owned());
    }
    if data.len() <= MAX_STRING_LEN {
        return single_string(data);
    }
    if !is_wrapped(data) {
        return Err(
            "TXT record strings over 255 characters have to be split into multiple \
                    strings wrapped in double quotes."
                .to_owned(),
        );
    }
    for body in split_quoted_strings(&data[1..data.len() - 1])? {
        if body.len() + 2 > MAX_STRING_LEN {
            return Err(
                "Any TXT record string exceeding 255 characters has to be split.".to_owned(),
            );
        }
        check_body(body, true)?;
    }
    Ok(())
}

/// One string of at most 255 characters. Like upstream, `"a" "b"` is refused at this length: it
/// reads as one quoted string with unescaped quotes inside.
fn single_string(value: &str) -> Check {
    if value.starts_with('"') != value.ends_with('"') || value == "\"" {
        return Err(
            "TXT record is missing a double quote either at beginning or at end.".to_owned(),
        );
    }
    if is_wrapped(value) {
        check_body(&value[1..value.len() - 1], true)
    } else {
        check_body(value, false)
    }
}
