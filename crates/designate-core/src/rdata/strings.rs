//! RFC 1035 §5.1 character-string syntax shared by TXT, SPF and NAPTR.
//!
//! Upstream only looks for unescaped quotes inside quoted strings; a dangling backslash before the
//! closing quote (`"abc\"`), a bad `\DDD` escape or an unquoted delimiter slipped through and broke
//! dnspython's tokenizer when the zone was rendered. We check the full syntax so that every string
//! we accept renders and parses back unchanged.

use super::Check;

/// Whether `s` is wrapped in double quotes (at least two characters, quote at each end).
pub(super) fn is_wrapped(s: &str) -> bool {
    s.len() >= 2 && s.starts_with('"') && s.ends_with('"')
}

/// Checks the body of one character-string: escapes are `\X` or `\DDD` (DDD ≤ 255) and never
/// dangle. Inside quotes (`quoted`) a bare `"` is forbidden; outside quotes whitespace and the
/// zone-file delimiters `"`, `(`, `)`, `;` must be escaped.
pub(super) fn check_body(body: &str, quoted: bool) -> Check {
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => check_escape(&mut chars)?,
            '"' if quoted => {
                return Err("Quotation marks should be escaped with backslash.".to_owned())
            }
            c if !quoted && c.is_whitespace() => {
                return Err(
                    "Empty spaces are not allowed in TXT record, unless wrapped in double quotes."
                        .to_owned(),
                )
            }
            '"' | '(' | ')' | ';' if !quoted => {
                return Err(format!(
                    "'{c}' must be escaped or the string wrapped in double quotes"
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// Checks what follows a backslash: any one character, or exactly three digits worth ≤ 255.
fn check_escape(chars: &mut std::str::Chars<'_>) -> Check {
    match chars.next() {
        None => Err("a backslash must not end a string".to_owned()),
        Some(d) if d.is_ascii_digit() => {
            let rest: String = chars.by_ref().take(2).collect();
            let all = format!("{d}{rest}");
            match all.parse::<u16>() {
                Ok(v) if all.len() == 3 && all.bytes().all(|b| b.is_ascii_digit()) && v <= 255 => {
                    Ok(())
                }
                _ => Err(format!("'\\{all}' is not a valid \\DDD escape")),
            }
        }
        Some(_) => Ok(()),
    }
}

/// Splits the inside of `"a" "b" "c"` (outer quotes removed) into the bodies `a`, `b`, `c`:
/// strings are separated by exactly `" "`, and any other unescaped quote is an error.
pub(super) fn split_quoted_strings(inner: &str) -> Result<Vec<&str>, String> {
    let bytes = inner.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            // Skip the escaped byte; multi-byte UTF-8 never contains `"` or `\`, so byte
            // stepping cannot split a character at a quote.
            b'\\' => i += 2,
            b'"' => {
                if !inner[i..].starts_with("\" \"") {
                    return Err("Quotation marks should be escaped with backslash.".to_owned());
                }
                parts.push(&inner[start..i]);
                i += 3;
                start = i;
            }
            _ => i += 1,
        }
    }
    parts.push(inner.get(start..).unwrap_or(""));
    Ok(parts)
}
