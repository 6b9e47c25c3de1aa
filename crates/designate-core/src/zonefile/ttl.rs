//! TTL values as zone files write them: seconds, or numbers with `w d h m s` units (`1h30m`),
//! as dnspython (upstream's parser) reads them.

use crate::name::MAX_TTL;

/// Seconds in a week, day, hour, minute and second, by unit letter (any case).
fn unit_seconds(unit: char) -> Option<u64> {
    Some(match unit.to_ascii_lowercase() {
        'w' => 604_800,
        'd' => 86_400,
        'h' => 3_600,
        'm' => 60,
        's' => 1,
        _ => return None,
    })
}

/// The number of seconds `text` stands for, or `None` when it is not a TTL or exceeds
/// [`MAX_TTL`] (what a recordset TTL and an SOA timer may hold).
///
/// Plain digits are seconds. With units every number needs a unit after it (`1h30` is refused,
/// as dnspython refuses it); units may repeat and add up.
pub(super) fn parse_ttl(text: &str) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    let limit = MAX_TTL.unsigned_abs();
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut have_digit = false;
    let mut any_unit = false;
    for c in text.chars() {
        if let Some(d) = c.to_digit(10) {
            current = current.checked_mul(10)?.checked_add(u64::from(d))?;
            if current > limit {
                return None;
            }
            have_digit = true;
        } else {
            if !have_digit {
                return None;
            }
            total = total.checked_add(current.checked_mul(unit_seconds(c)?)?)?;
            if total > limit {
                return None;
            }
            current = 0;
            have_digit = false;
            any_unit = true;
        }
    }
    if any_unit && have_digit {
        return None;
    }
    total = total.checked_add(current)?;
    if total > limit {
        return None;
    }
    u32::try_from(total).ok()
}

#[cfg(test)]
mod tests {
    use super::parse_ttl;

    #[test]
    fn ttl_spellings() {
        let cases: &[(&str, Option<u32>)] = &[
            ("0", Some(0)),
            ("3600", Some(3600)),
            ("1h", Some(3600)),
            ("1H30m", Some(5400)),
            ("1w2d", Some(777_600)),
            ("1h1h", Some(7200)),
            ("2147483647", Some(2_147_483_647)),
            ("2147483648", None),
            ("99999999999999999999999", None),
            ("4000w", None),
            ("1h30", None),
            ("h", None),
            ("", None),
            ("1x", None),
            ("-1", None),
            ("zahlabut", None),
            ("١", None),
        ];
        for (text, want) in cases {
            assert_eq!(parse_ttl(text), *want, "{text}");
        }
    }
}
