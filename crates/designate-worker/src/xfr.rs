//! Transfers of SECONDARY zones from their external masters (upstream's `ZoneXfr` task, which
//! upstream's worker runs with dnspython): the first master that answers gives the zone by
//! AXFR, the records go to central as zone-file text, central stores them and pushes the zone.
//!
//! A zone already transferred is fetched again only when the master's SOA serial is newer
//! (upstream checks it in `xfr_zone` and on NOTIFY); a zone never transferred, or whose masters
//! changed, is fetched unconditionally. Records of types Designate cannot store (DNSSEC, …)
//! and records our validation refuses (e.g. a TXT of several short strings, which upstream's
//! TXT rules refuse) are left out, each logged.

use std::net::SocketAddr;
use std::time::Duration;

use designate_bus::XfrOutcome;
use designate_core::objects::{Zone, ZoneMaster};
use designate_core::rdata;
use designate_core::serial::serial_gt;
use designate_nameserver::client;
use hickory_proto::rr::{RData, Record};

/// What one attempt at the masters gave.
#[derive(Debug)]
pub(crate) enum Fetched {
    /// A master has nothing newer than the stored serial.
    Current,
    /// The outcome to report to central.
    Report(XfrOutcome),
}

/// Transfers `zone` (as stored) from `masters`, in order.
pub(crate) async fn fetch(zone: &Zone, masters: &[ZoneMaster], timeout: Duration) -> Fetched {
    let mut failures = Vec::new();
    for master in masters {
        let label = format!("{}:{}", master.host, master.port);
        let Some(addr) = resolve(master).await else {
            failures.push(format!("{label}: cannot resolve"));
            continue;
        };
        if zone.transferred_at.is_some() {
            match client::soa_serial(addr, &zone.name, timeout).await {
                Ok(serial) if !serial_gt(serial, zone.serial) => {
                    tracing::info!(zone = %zone.name, serial, master = %label, "master serial is not newer, no transfer");
                    return Fetched::Current;
                }
                Ok(_) => {}
                Err(e) => {
                    failures.push(format!("{label}: {e}"));
                    continue;
                }
            }
        }
        match client::axfr(addr, &zone.name, timeout).await {
            Ok(records) => {
                return Fetched::Report(XfrOutcome::Transferred {
                    master: label,
                    zonefile: zone_text(&zone.name, &records),
                })
            }
            Err(e) => {
                tracing::warn!(zone = %zone.name, master = %label, error = %e, "AXFR failed");
                failures.push(format!("{label}: {e}"));
            }
        }
    }
    Fetched::Report(XfrOutcome::Failed(format!(
        "XFR failed for {}. No servers in [{}] was reached: {}",
        zone.name,
        masters
            .iter()
            .map(ZoneMaster::render)
            .collect::<Vec<_>>()
            .join(", "),
        failures.join("; ")
    )))
}

async fn resolve(master: &ZoneMaster) -> Option<SocketAddr> {
    if let Ok(ip) = master.host.parse() {
        return Some(SocketAddr::new(ip, master.port));
    }
    tokio::net::lookup_host((master.host.as_str(), master.port))
        .await
        .ok()?
        .next()
}

/// The transferred records as zone-file lines (`name ttl IN TYPE data`), each record's data
/// checked and normalised by Designate's rules; what cannot be stored is left out.
pub(crate) fn zone_text(zone: &str, records: &[Record]) -> String {
    let mut out = String::new();
    for record in records {
        let rtype = record.record_type().to_string();
        if !rdata::is_supported(&rtype) {
            tracing::warn!(zone, name = %record.name(), %rtype, "record type not stored, left out");
            continue;
        }
        let data = match rdata::validate(&rtype, &presentation(record.data())) {
            Ok(data) => data,
            Err(e) => {
                tracing::warn!(zone, name = %record.name(), %rtype, error = %e, "record left out");
                continue;
            }
        };
        out.push_str(&format!(
            "{} {} IN {rtype} {data}\n",
            record.name(),
            record.ttl()
        ));
    }
    out
}

/// Presentation form of record data: hickory's, except TXT, whose strings hickory prints
/// unquoted.
fn presentation(data: &RData) -> String {
    match data {
        RData::TXT(txt) => txt
            .txt_data()
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

/// One character-string, quoted, with `"` and `\` escaped and bytes outside printable ASCII
/// as `\DDD`.
fn quoted(bytes: &[u8]) -> String {
    let mut out = String::from("\"");
    for &b in bytes {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\{b:03}")),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_proto::rr::rdata::{A, MX, SOA, TXT};
    use hickory_proto::rr::{Name, RData, Record};

    use super::*;

    fn rec(name: &str, ttl: u32, data: RData) -> Record {
        Record::from_rdata(Name::from_str(name).unwrap(), ttl, data)
    }

    #[test]
    fn records_become_importable_lines() {
        let origin = Name::from_str("example.org.").unwrap();
        let records = vec![
            rec(
                "example.org.",
                300,
                RData::SOA(SOA::new(
                    Name::from_str("ns1.example.org.").unwrap(),
                    Name::from_str("admin.example.org.").unwrap(),
                    2024,
                    60,
                    30,
                    600,
                    120,
                )),
            ),
            rec("www.example.org.", 60, RData::A(A::new(192, 0, 2, 1))),
            rec(
                "example.org.",
                60,
                RData::MX(MX::new(10, Name::from_str("mail.example.org.").unwrap())),
            ),
            rec(
                "t.example.org.",
                60,
                RData::TXT(TXT::new(vec!["a \"q\" b\\y".to_owned()])),
            ),
            // Upstream's TXT rules refuse several short strings: left out.
            rec(
                "two.example.org.",
                60,
                RData::TXT(TXT::new(vec!["a".to_owned(), "b".to_owned()])),
            ),
        ];
        let _ = origin;
        let text = zone_text("example.org.", &records);
        let parsed = designate_core::zonefile::parse(&text, Some("example.org.")).unwrap();
        assert_eq!(parsed.soa.serial, 2024);
        assert_eq!(parsed.soa.refresh, 60);
        let find = |t: &str| {
            parsed
                .recordsets
                .iter()
                .find(|rs| rs.rtype == t)
                .unwrap()
                .clone()
        };
        assert_eq!(find("A").records, vec!["192.0.2.1"]);
        assert_eq!(find("A").ttl, Some(60));
        assert_eq!(find("MX").records, vec!["10 mail.example.org."]);
        assert_eq!(find("TXT").records, vec![r#""a \"q\" b\\y""#]);
        assert_eq!(parsed.recordsets.len(), 4);
    }

    #[test]
    fn unsupported_types_are_left_out() {
        let records = vec![rec(
            "example.org.",
            60,
            RData::Unknown {
                code: hickory_proto::rr::RecordType::Unknown(65280),
                rdata: hickory_proto::rr::rdata::NULL::with(vec![1, 2, 3]),
            },
        )];
        assert_eq!(zone_text("example.org.", &records), "");
    }

    #[test]
    fn quoting_escapes_non_printables() {
        assert_eq!(quoted(b"a\x01\""), r#""a\001\"""#);
    }
}
