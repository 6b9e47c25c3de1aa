//! Upstream's record-name formats (`formatv4` / `formatv6`): Python `%`-formatting with named
//! placeholders, e.g. `%(hostname)s.%(zone)s` or `%(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(zone)s`,
//! and the per-address placeholders (`ip_address`, `ip_version`, `octet0`…).
//!
//! Pure functions; a format naming an unknown placeholder is an error, as Python's `KeyError`.

use std::collections::HashMap;

use serde_json::Value;

/// The values a format may name.
pub type Fields = HashMap<String, String>;

/// Why a format cannot be rendered.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// `%(name)s` names nothing the notification carries.
    #[error("format names unknown field {0:?}")]
    Unknown(String),
    /// The format is not valid `%`-syntax.
    #[error("malformed format {0:?}")]
    Malformed(String),
}

/// A JSON value as Python's `str()` prints it, for the scalar fields of a payload.
pub fn python_str(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(true) => Some("True".to_owned()),
        Value::Bool(false) => Some("False".to_owned()),
        Value::Null => Some("None".to_owned()),
        // Lists and objects are not useful in a name; leave them out.
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// The scalar fields of a payload object.
pub fn payload_fields(payload: &Value) -> Fields {
    let mut out = Fields::new();
    if let Value::Object(map) = payload {
        for (k, v) in map {
            if let Some(s) = python_str(v) {
                out.insert(k.clone(), s);
            }
        }
    }
    out
}

/// Upstream's per-address placeholders: `ip_version`, `ip_address` (dots or colons turned to
/// dashes) and `octet0…` (IPv4: the four octets; IPv6: the groups between `:` / `::`).
pub fn address_fields(address: &str, version: u8) -> Fields {
    let mut out = Fields::new();
    out.insert("ip_version".to_owned(), version.to_string());
    let parts: Vec<&str> = if version == 4 {
        out.insert("ip_address".to_owned(), address.replace('.', "-"));
        address.split('.').collect()
    } else {
        out.insert("ip_address".to_owned(), address.replace(':', "-"));
        address.split("::").flat_map(|p| p.split(':')).collect()
    };
    for (i, part) in parts.iter().enumerate() {
        out.insert(format!("octet{i}"), (*part).to_owned());
    }
    out
}

/// Renders `format` with `fields` (`%(name)s`, `%(name)d`, `%%`).
///
/// # Errors
/// [`FormatError`] for an unknown field or malformed syntax.
pub fn render(format: &str, fields: &Fields) -> Result<String, FormatError> {
    let mut out = String::with_capacity(format.len() + 16);
    let mut rest = format;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            out.push('%');
            rest = tail;
            continue;
        }
        let Some(named) = after.strip_prefix('(') else {
            return Err(FormatError::Malformed(format.to_owned()));
        };
        let Some(close) = named.find(')') else {
            return Err(FormatError::Malformed(format.to_owned()));
        };
        let name = &named[..close];
        let conv = named[close + 1..].chars().next();
        if !matches!(conv, Some('s' | 'd')) {
            return Err(FormatError::Malformed(format.to_owned()));
        }
        let value = fields
            .get(name)
            .ok_or_else(|| FormatError::Unknown(name.to_owned()))?;
        out.push_str(value);
        rest = &named[close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn renders_upstream_formats() {
        let mut f = fields(&[("hostname", "vm1"), ("zone", "example.org.")]);
        f.extend(address_fields("192.0.2.7", 4));
        assert_eq!(
            render("%(hostname)s.%(zone)s", &f).unwrap(),
            "vm1.example.org."
        );
        assert_eq!(
            render("%(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(zone)s", &f).unwrap(),
            "192-0-2-7.example.org."
        );
        assert_eq!(
            render("ip-%(ip_address)s.%(zone)s", &f).unwrap(),
            "ip-192-0-2-7.example.org."
        );
        assert_eq!(render("100%%.%(zone)s", &f).unwrap(), "100%.example.org.");
    }

    #[test]
    fn ipv6_fields_as_upstream() {
        let f = address_fields("2001:db8::5", 6);
        assert_eq!(f["ip_address"], "2001-db8--5");
        assert_eq!(f["octet0"], "2001");
        assert_eq!(f["octet1"], "db8");
        assert_eq!(f["octet2"], "5");
    }

    #[test]
    fn bad_formats_are_errors() {
        let f = fields(&[("zone", "example.org.")]);
        assert_eq!(
            render("%(hostname)s.%(zone)s", &f),
            Err(FormatError::Unknown("hostname".into()))
        );
        for bad in ["%(zone", "%s", "%(zone)x", "%"] {
            assert!(
                matches!(render(bad, &f), Err(FormatError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn payload_scalars_as_python_prints_them() {
        let p = serde_json::json!({"a": "x", "n": 3, "t": true, "z": null, "l": [1]});
        let f = payload_fields(&p);
        assert_eq!(f["a"], "x");
        assert_eq!(f["n"], "3");
        assert_eq!(f["t"], "True");
        assert_eq!(f["z"], "None");
        assert!(!f.contains_key("l"));
    }
}
