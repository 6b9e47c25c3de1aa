//! Turns the data tokens of one record into the presentation string our record-data rules
//! ([`crate::rdata`]) accept and store: fields joined by single spaces, names inside the data
//! made absolute against the current origin, SOA timers with units converted to seconds.
//!
//! It only reshapes; judging the result is [`crate::rdata::validate`]'s job.

use super::error::{ZoneFileError, ZoneFileErrorKind};
use super::lexer::Token;
use super::ttl::parse_ttl;

/// The presentation data of a `rtype` record from its tokens. `type_token` locates errors about
/// a wrong number of fields.
///
/// # Errors
/// A wrong field count, a quoted string where a name or number belongs, a bad SOA timer.
pub(super) fn assemble(
    rtype: &str,
    type_token: &Token,
    tokens: &[Token],
    origin: &str,
) -> Result<String, ZoneFileError> {
    if tokens.is_empty() {
        return Err(type_token.error(ZoneFileErrorKind::Syntax(format!(
            "{rtype} record has no data"
        ))));
    }
    match rtype {
        "TXT" | "SPF" => return Ok(character_strings(tokens)),
        "NAPTR" => {
            let f = fields(rtype, type_token, tokens, 6)?;
            let mut out: Vec<String> = f[..5].iter().map(|t| t.presentation()).collect();
            out.push(absolute(&plain(&f[5])?.text, origin));
            return Ok(out.join(" "));
        }
        "CAA" => return caa(type_token, tokens),
        _ => {}
    }
    if let Some(quoted) = tokens.iter().find(|t| t.quoted) {
        return Err(quoted.error(ZoneFileErrorKind::Syntax(format!(
            "{rtype} record data must not contain quoted strings"
        ))));
    }
    let text: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
    Ok(match rtype {
        "CNAME" | "NS" | "PTR" => {
            fields(rtype, type_token, tokens, 1)?;
            absolute(text[0], origin)
        }
        "MX" => {
            fields(rtype, type_token, tokens, 2)?;
            format!("{} {}", text[0], absolute(text[1], origin))
        }
        "SRV" => {
            fields(rtype, type_token, tokens, 4)?;
            format!(
                "{} {} {} {}",
                text[0],
                text[1],
                text[2],
                absolute(text[3], origin)
            )
        }
        "SOA" => {
            fields(rtype, type_token, tokens, 7)?;
            let mut out = vec![absolute(text[0], origin), absolute(text[1], origin)];
            out.push(text[2].to_owned());
            for t in &tokens[3..] {
                let secs = parse_ttl(&t.text)
                    .ok_or_else(|| t.error(ZoneFileErrorKind::InvalidTtl(t.text.clone())))?;
                out.push(secs.to_string());
            }
            out.join(" ")
        }
        // The fingerprint may be split into several hex groups; the stored form has one.
        "SSHFP" if tokens.len() >= 3 => {
            format!("{} {} {}", text[0], text[1], text[2..].concat())
        }
        _ => text.join(" "),
    })
}

/// Checks that there are exactly `n` tokens.
fn fields<'t>(
    rtype: &str,
    type_token: &Token,
    tokens: &'t [Token],
    n: usize,
) -> Result<&'t [Token], ZoneFileError> {
    if tokens.len() == n {
        return Ok(tokens);
    }
    let at = tokens.get(n).unwrap_or(type_token);
    Err(at.error(ZoneFileErrorKind::Syntax(format!(
        "{rtype} record needs {n} data fields, found {}",
        tokens.len()
    ))))
}

/// The token, refusing a quoted string (names are never quoted).
fn plain(token: &Token) -> Result<&Token, ZoneFileError> {
    if token.quoted {
        return Err(token.error(ZoneFileErrorKind::Syntax(
            "a name must not be a quoted string".to_owned(),
        )));
    }
    Ok(token)
}

/// TXT/SPF: one string stays as written (quoted or not), so stored data round-trips; several
/// strings are each quoted, as they must be for our TXT rules to see them as separate strings.
fn character_strings(tokens: &[Token]) -> String {
    if let [only] = tokens {
        return only.presentation();
    }
    tokens
        .iter()
        .map(|t| format!("\"{}\"", t.text))
        .collect::<Vec<_>>()
        .join(" ")
}

/// CAA: `flags tag value`; the value is usually quoted in zone files but stored unquoted.
fn caa(type_token: &Token, tokens: &[Token]) -> Result<String, ZoneFileError> {
    let [flags, tag, value @ ..] = tokens else {
        return Err(type_token.error(ZoneFileErrorKind::Syntax(
            "CAA record needs flags, tag and value".to_owned(),
        )));
    };
    if value.is_empty() {
        return Err(type_token.error(ZoneFileErrorKind::Syntax(
            "CAA record needs flags, tag and value".to_owned(),
        )));
    }
    let flags = plain(flags)?;
    let tag = plain(tag)?;
    let value = match value {
        [one] => one.text.clone(),
        many => {
            if let Some(q) = many.iter().find(|t| t.quoted) {
                return Err(q.error(ZoneFileErrorKind::Syntax(
                    "CAA value must be one quoted string or unquoted words".to_owned(),
                )));
            }
            many.iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        }
    };
    Ok(format!("{} {} {}", flags.text, tag.text, value))
}

/// `name` made absolute against `origin` (which is absolute): `@` is the origin itself, a name
/// ending in an unescaped dot is already absolute, anything else is relative.
pub(super) fn absolute(name: &str, origin: &str) -> String {
    if name == "@" {
        return origin.to_owned();
    }
    if ends_with_unescaped_dot(name) {
        return name.to_owned();
    }
    if origin == "." {
        format!("{name}.")
    } else {
        format!("{name}.{origin}")
    }
}

/// Whether the last character is a `.` not escaped by an odd run of backslashes.
pub(super) fn ends_with_unescaped_dot(name: &str) -> bool {
    let Some(body) = name.strip_suffix('.') else {
        return false;
    };
    let slashes = body.bytes().rev().take_while(|&b| b == b'\\').count();
    slashes % 2 == 0
}
