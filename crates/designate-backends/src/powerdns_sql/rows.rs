//! Our zone data as rows of PowerDNS's generic SQL `records` table (pure, no I/O).
//!
//! PowerDNS keeps owner names lower case without the trailing dot, record data in presentation
//! format in `content` — except the priority of MX and SRV records, which lives in `prio` (its
//! generic SQL backends put `prio` back in front of the content when they answer), and an
//! `auth` flag that is false for data at or below a delegation (what `pdnsutil rectify-zone`
//! would set). The SOA serial comes from the zone row, as MiniDNS serves it: the row's serial is
//! what central bumps and what the worker polls for.

use designate_core::objects::{Action, RecordSet, Zone};

/// One row of PowerDNS's `records` table (without `domain_id`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PdnsRecord {
    /// Owner name, lower case, no trailing dot.
    pub(crate) name: String,
    /// Record type (`A`, `MX`, …).
    pub(crate) rtype: String,
    /// Presentation-format data.
    pub(crate) content: String,
    /// TTL in seconds.
    pub(crate) ttl: i32,
    /// The priority of MX and SRV records (0 for other types).
    pub(crate) prio: i32,
    /// False at and below a delegation point (glue, the delegation's NS).
    pub(crate) auth: bool,
}

/// A name as PowerDNS stores it: lower case, no trailing dot (the root stays empty).
pub(crate) fn pdns_name(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Every row PowerDNS needs to serve `zone`: its live records (records being deleted and data
/// with control characters left out, as MiniDNS does), the SOA carrying the zone row's serial.
///
/// # Errors
/// A message when the zone has no usable SOA record: PowerDNS would not serve it.
pub(crate) fn zone_rows(zone: &Zone, recordsets: &[RecordSet]) -> Result<Vec<PdnsRecord>, String> {
    let apex = pdns_name(&zone.name);
    let mut rows = Vec::new();
    let mut soa_seen = false;
    for recordset in recordsets {
        let name = pdns_name(&recordset.name);
        let rtype = recordset.rtype.to_ascii_uppercase();
        let ttl = recordset.ttl.filter(|t| *t > 0).unwrap_or(zone.ttl);
        for record in &recordset.records {
            if record.action == Action::Delete {
                continue;
            }
            // Line breaks would let data smuggle extra lines into other tools' zone files.
            if record.data.chars().any(|c| c.is_control() && c != '\t') {
                tracing::error!(zone_id = %zone.id, recordset_id = %recordset.id,
                    "skipping record data with control characters");
                continue;
            }
            let content = if rtype == "SOA" {
                if soa_seen {
                    continue;
                }
                match with_serial(&record.data, zone.serial) {
                    Some(soa) => {
                        soa_seen = true;
                        soa
                    }
                    None => {
                        tracing::error!(zone_id = %zone.id, "skipping unparsable SOA data");
                        continue;
                    }
                }
            } else {
                record.data.trim().to_owned()
            };
            let (prio, content) = match rtype.as_str() {
                "MX" | "SRV" => match split_priority(&content) {
                    Some(split) => split,
                    None => {
                        tracing::error!(zone_id = %zone.id, recordset_id = %recordset.id,
                            "skipping {rtype} data without a priority");
                        continue;
                    }
                },
                _ => (0, content),
            };
            rows.push(PdnsRecord {
                name: name.clone(),
                rtype: rtype.clone(),
                content,
                ttl,
                prio,
                auth: true,
            });
        }
    }
    if !soa_seen {
        return Err(format!("zone {} has no usable SOA record", zone.name));
    }
    mark_delegations(&apex, &mut rows);
    Ok(rows)
}

/// Clears `auth` on rows at a delegation point (other than its DS) and below one.
fn mark_delegations(apex: &str, rows: &mut [PdnsRecord]) {
    let cuts: Vec<String> = rows
        .iter()
        .filter(|r| r.rtype == "NS" && r.name != apex)
        .map(|r| r.name.clone())
        .collect();
    if cuts.is_empty() {
        return;
    }
    for row in rows.iter_mut() {
        let at_cut = cuts.contains(&row.name);
        let below_cut = cuts.iter().any(|c| row.name.ends_with(&format!(".{c}")));
        if below_cut || (at_cut && row.rtype != "DS") {
            row.auth = false;
        }
    }
}

/// SOA data (`mname rname serial refresh retry expire minimum`) with its serial replaced.
fn with_serial(data: &str, serial: u32) -> Option<String> {
    let mut fields: Vec<&str> = data.split_whitespace().collect();
    if fields.len() != 7 || fields[2..].iter().any(|f| f.parse::<u32>().is_err()) {
        return None;
    }
    let serial = serial.to_string();
    fields[2] = &serial;
    Some(fields.join(" "))
}

/// `"10 mail.example.org."` → `(10, "mail.example.org.")`.
fn split_priority(data: &str) -> Option<(i32, String)> {
    let (prio, rest) = data.trim().split_once(char::is_whitespace)?;
    let prio: u16 = prio.parse().ok()?;
    Some((i32::from(prio), rest.trim_start().to_owned()))
}

/// The serial in stored SOA content, if it parses.
pub(crate) fn soa_serial(content: &str) -> Option<u32> {
    content.split_whitespace().nth(2)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use designate_core::objects::{Record, RecordStatus};
    use uuid::Uuid;

    use super::*;
    use crate::bind9::tests::zone;

    fn recordset(name: &str, rtype: &str, ttl: Option<i32>, data: &[(&str, Action)]) -> RecordSet {
        let id = Uuid::new_v4();
        RecordSet {
            id,
            version: 1,
            created_at: Default::default(),
            updated_at: None,
            zone_shard: 0,
            tenant_id: None,
            zone_id: Uuid::nil(),
            zone_name: String::new(),
            name: name.to_owned(),
            rtype: rtype.to_owned(),
            ttl,
            description: None,
            reverse_name: String::new(),
            records: data
                .iter()
                .map(|(d, action)| Record {
                    id: Uuid::new_v4(),
                    version: 1,
                    created_at: Default::default(),
                    updated_at: None,
                    zone_shard: 0,
                    tenant_id: None,
                    zone_id: Uuid::nil(),
                    recordset_id: id,
                    data: (*d).to_owned(),
                    description: None,
                    hash: String::new(),
                    managed: false,
                    managed_extra: None,
                    managed_plugin_type: None,
                    managed_plugin_name: None,
                    managed_resource_type: None,
                    managed_resource_region: None,
                    managed_resource_id: None,
                    managed_tenant_id: None,
                    status: RecordStatus::Active,
                    action: *action,
                    serial: 0,
                })
                .collect(),
        }
    }

    #[test]
    fn rows_follow_powerdns_conventions() {
        let mut z = zone("Example.ORG.");
        z.serial = 1_700_000_123;
        z.ttl = 3600;
        let sets = vec![
            recordset(
                "Example.ORG.",
                "SOA",
                None,
                &[(
                    "ns1.example.org. admin.example.org. 1 3600 600 86400 3600",
                    Action::None,
                )],
            ),
            recordset(
                "example.org.",
                "NS",
                None,
                &[("ns1.example.org.", Action::None)],
            ),
            recordset(
                "www.example.org.",
                "A",
                Some(300),
                &[
                    ("192.0.2.1", Action::None),
                    ("192.0.2.2", Action::Delete),
                    ("192.0.2.3\nevil", Action::Create),
                ],
            ),
            recordset(
                "sub.example.org.",
                "NS",
                None,
                &[("ns.sub.example.org.", Action::None)],
            ),
            recordset(
                "sub.example.org.",
                "DS",
                None,
                &[("1 8 2 ABCD", Action::None)],
            ),
            recordset(
                "ns.sub.example.org.",
                "A",
                None,
                &[("192.0.2.53", Action::None)],
            ),
        ];
        let rows = zone_rows(&z, &sets).unwrap();
        let got: Vec<(&str, &str, &str, i32, bool)> = rows
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.rtype.as_str(),
                    r.content.as_str(),
                    r.ttl,
                    r.auth,
                )
            })
            .collect();
        assert!(rows.iter().all(|r| r.prio == 0));
        assert_eq!(
            got,
            [
                (
                    "example.org",
                    "SOA",
                    "ns1.example.org. admin.example.org. 1700000123 3600 600 86400 3600",
                    3600,
                    true
                ),
                ("example.org", "NS", "ns1.example.org.", 3600, true),
                ("www.example.org", "A", "192.0.2.1", 300, true),
                ("sub.example.org", "NS", "ns.sub.example.org.", 3600, false),
                ("sub.example.org", "DS", "1 8 2 ABCD", 3600, true),
                ("ns.sub.example.org", "A", "192.0.2.53", 3600, false),
            ]
        );
        assert_eq!(soa_serial(&rows[0].content), Some(1_700_000_123));
    }

    #[test]
    fn mx_and_srv_priorities_go_to_prio() {
        let z = zone("example.org.");
        let sets = vec![
            recordset(
                "example.org.",
                "SOA",
                None,
                &[("a. b. 1 2 3 4 5", Action::None)],
            ),
            recordset(
                "example.org.",
                "MX",
                None,
                &[("10  mail.example.org.", Action::None)],
            ),
            recordset(
                "_sip._tcp.example.org.",
                "SRV",
                None,
                &[
                    ("20 5 5060 sip.example.org.", Action::None),
                    ("bad", Action::None),
                ],
            ),
        ];
        let rows = zone_rows(&z, &sets).unwrap();
        let got: Vec<(&str, i32, &str)> = rows
            .iter()
            .skip(1)
            .map(|r| (r.rtype.as_str(), r.prio, r.content.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("MX", 10, "mail.example.org."),
                ("SRV", 20, "5 5060 sip.example.org.")
            ]
        );
    }

    #[test]
    fn a_zone_without_soa_is_refused() {
        let z = zone("example.org.");
        let sets = vec![recordset(
            "example.org.",
            "SOA",
            None,
            &[("garbage", Action::None)],
        )];
        assert!(zone_rows(&z, &sets).is_err());
        assert!(zone_rows(&z, &[]).is_err());
    }
}
