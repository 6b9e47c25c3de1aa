//! Zone export: the text upstream's `export-zone.jinja2` produces — `$ORIGIN`, `$TTL`, a blank
//! line, then one `name ttl IN TYPE data` line per record with absolute names and an empty TTL
//! column for recordsets that use the zone's.
//!
//! Two departures keep every file importable again (by [`super::parse`] and by BIND): a CAA
//! value is quoted (stored unquoted, it may hold spaces and `;`), and any control character in
//! a name or datum is written as a `\DDD` escape, so no record ever spans two lines.

use std::fmt::Write as _;

use super::ZoneRecordSet;

/// Renders a zone: `zone_name` (absolute), `default_ttl` for the `$TTL` line (the zone's TTL),
/// and the recordsets in the order given — upstream lists them by creation time, SOA and NS
/// included.
pub fn render(zone_name: &str, default_ttl: i32, recordsets: &[ZoneRecordSet]) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "$ORIGIN {}\n$TTL {default_ttl}\n\n",
        escape_controls(zone_name)
    );
    for rs in recordsets {
        let name = escape_controls(&rs.name);
        let ttl = rs.ttl.map(|t| t.to_string()).unwrap_or_default();
        let rtype = escape_controls(&rs.rtype);
        for data in &rs.records {
            let data = escape_controls(&record_data(&rs.rtype, data));
            let _ = writeln!(out, "{name} {ttl} IN {rtype} {data}");
        }
    }
    out
}

/// The datum as it must appear in a file.
fn record_data(rtype: &str, data: &str) -> String {
    if rtype == "CAA" {
        let mut parts = data.splitn(3, ' ');
        if let (Some(flags), Some(tag), Some(value)) = (parts.next(), parts.next(), parts.next()) {
            let value = value.replace('\\', "\\\\").replace('"', "\\\"");
            return format!("{flags} {tag} \"{value}\"");
        }
    }
    data.to_owned()
}

/// `s` with each control character replaced by `\DDD` escapes of its UTF-8 bytes.
fn escape_controls(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                let _ = write!(out, "\\{b:03}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_upstreams_template() {
        let sets = vec![
            ZoneRecordSet {
                name: "example.org.".into(),
                rtype: "SOA".into(),
                ttl: None,
                records: vec!["ns1.example.org. admin.example.org. 1 3600 600 86400 3600".into()],
            },
            ZoneRecordSet {
                name: "www.example.org.".into(),
                rtype: "A".into(),
                ttl: Some(300),
                records: vec!["192.0.2.1".into(), "192.0.2.2".into()],
            },
        ];
        assert_eq!(
            render("example.org.", 3600, &sets),
            "$ORIGIN example.org.\n$TTL 3600\n\n\
             example.org.  IN SOA ns1.example.org. admin.example.org. 1 3600 600 86400 3600\n\
             www.example.org. 300 IN A 192.0.2.1\n\
             www.example.org. 300 IN A 192.0.2.2\n"
        );
    }

    #[test]
    fn never_emits_a_raw_control_character() {
        let sets = vec![ZoneRecordSet {
            name: "a\nb.example.org.".into(),
            rtype: "TXT".into(),
            ttl: None,
            records: vec!["\"x\ny\r\u{85}\"".into()],
        }];
        let text = render("example.org.", 60, &sets);
        assert_eq!(text.lines().count(), 4, "{text}");
        assert!(text.contains("a\\010b.example.org."));
        assert!(text.contains("\"x\\010y\\013\\194\\133\""));
    }

    #[test]
    fn caa_value_is_quoted() {
        assert_eq!(
            record_data("CAA", "0 issue ca.example.net; account=1"),
            "0 issue \"ca.example.net; account=1\""
        );
    }
}
