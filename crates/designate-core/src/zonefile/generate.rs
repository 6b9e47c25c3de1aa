//! `$GENERATE start-stop[/step] lhs [ttl] [class] type rhs`: BIND's directive for runs of
//! similar records, which dnspython — and so upstream's import — accepts.
//!
//! In the owner and data, `$` stands for the counter, `${offset[,width[,base]]}` for the counter
//! plus `offset`, zero-padded to `width`, in base `d`, `o`, `x`, `X` or nibbles `n`/`N`
//! (reversed hex digits joined by dots, as reverse zones use); `\$` and `$$` are a literal `$`.
//! This module only expands text; each generated record then goes through the ordinary record
//! path, so the record limit and every rule apply to it.

/// A counter range, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Range {
    pub(super) start: u64,
    pub(super) stop: u64,
    pub(super) step: u64,
}

impl Range {
    /// `start-stop` or `start-stop/step`, with `start <= stop` and `step >= 1`.
    pub(super) fn parse(text: &str) -> Option<Self> {
        let (bounds, step) = match text.split_once('/') {
            Some((bounds, step)) => (bounds, number(step)?),
            None => (text, 1),
        };
        let (start, stop) = bounds.split_once('-')?;
        let (start, stop) = (number(start)?, number(stop)?);
        (start <= stop && step >= 1).then_some(Self { start, stop, step })
    }

    /// How many records the range makes.
    pub(super) fn len(self) -> u64 {
        (self.stop - self.start) / self.step + 1
    }

    /// The counter values.
    pub(super) fn values(self) -> impl Iterator<Item = u64> {
        (0..self.len()).map(move |k| self.start + k * self.step)
    }
}

/// A decimal number of at most 10 digits (so no overflow anywhere after).
fn number(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 10 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `template` with every counter reference replaced by `counter`'s rendering.
///
/// # Errors
/// A malformed `${…}` modifier or a counter that the offset makes negative.
pub(super) fn substitute(template: &str, counter: u64) -> Result<String, String> {
    let mut out = String::with_capacity(template.len() + 8);
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'$') => {
                chars.next();
                out.push('$');
            }
            '\\' => {
                out.push('\\');
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            }
            '$' if chars.peek() == Some(&'$') => {
                chars.next();
                out.push('$');
            }
            '$' if chars.peek() == Some(&'{') => {
                chars.next();
                let spec: String = chars.by_ref().take_while(|&c| c != '}').collect();
                out.push_str(&modified(&spec, counter)?);
            }
            '$' => out.push_str(&counter.to_string()),
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// The counter rendered per a `offset[,width[,base]]` modifier.
fn modified(spec: &str, counter: u64) -> Result<String, String> {
    let bad = || format!("invalid $GENERATE modifier ${{{spec}}}");
    let mut parts = spec.split(',');
    let offset: i64 = match parts.next().map(str::trim) {
        Some("") | None => 0,
        Some(o) if o.len() <= 11 => o.parse().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
    };
    let width: usize = match parts.next() {
        None => 0,
        Some(w) if w.len() <= 3 => w.parse().map_err(|_| bad())?,
        Some(_) => return Err(bad()),
    };
    let base = parts.next().unwrap_or("d");
    if parts.next().is_some() {
        return Err(bad());
    }
    let value = i64::try_from(counter)
        .ok()
        .and_then(|c| c.checked_add(offset))
        .and_then(|v| u64::try_from(v).ok())
        .ok_or_else(|| format!("$GENERATE counter {counter} with offset {offset} is negative"))?;
    Ok(match base {
        "d" => format!("{value:0width$}"),
        "o" => format!("{value:0width$o}"),
        "x" => format!("{value:0width$x}"),
        "X" => format!("{value:0width$X}"),
        "n" | "N" => {
            let hex = format!("{value:0width$x}");
            let nibbles: Vec<String> = hex.chars().rev().map(String::from).collect();
            let dotted = nibbles.join(".");
            if base == "N" {
                dotted.to_ascii_uppercase()
            } else {
                dotted
            }
        }
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(Range::parse("1-3").map(Range::len), Some(3));
        assert_eq!(
            Range::parse("0-10/5").map(|r| r.values().collect::<Vec<_>>()),
            Some(vec![0, 5, 10])
        );
        for bad in [
            "",
            "3-1",
            "1-",
            "-1",
            "1-2/0",
            "a-b",
            "1-99999999999",
            "1-2/x",
        ] {
            assert_eq!(Range::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn substitutions() {
        let cases = [
            ("host-$", 7, "host-7"),
            ("$.$", 7, "7.7"),
            ("a\\$b$$c", 7, "a$b$c"),
            ("h${10}", 7, "h17"),
            ("h${-2,3}", 7, "h005"),
            ("h${0,4,x}", 255, "h00ff"),
            ("h${0,0,X}", 255, "hFF"),
            ("h${0,0,o}", 8, "h10"),
            ("${0,2,n}", 171, "b.a"),
            ("${0,3,N}", 171, "B.A.0"),
            ("a\\.b", 1, "a\\.b"),
        ];
        for (template, counter, want) in cases {
            assert_eq!(
                substitute(template, counter).as_deref(),
                Ok(want),
                "{template}"
            );
        }
        for bad in ["${-8}", "${x}", "${0,0,q}", "${0,0,d,1}", "${1,99999}"] {
            assert!(substitute(bad, 7).is_err(), "{bad}");
        }
    }
}
