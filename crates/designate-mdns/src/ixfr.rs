//! Incremental zone transfer (RFC 1995) from the zone change journal central writes with every
//! change (our `designate_zone_journal` table).
//!
//! The journal is a set of changes, each from `prev_serial` to `serial`. An IXFR from the
//! client's serial is answered incrementally when a chain of changes leads from it to the
//! zone's current serial (serials compared per RFC 1982): the new SOA, each change's difference
//! sequence (old SOA, deletions, new SOA, additions), the new SOA again. When no chain exists
//! (the journal was pruned past the client, a change was not journaled, or rows are unusable)
//! the caller answers with a full AXFR-style transfer, as RFC 1995 §4 allows.

use std::collections::BTreeMap;

use designate_core::serial::serial_gt;
use designate_storage::{JournalEntry, JournalOp};
use hickory_proto::op::Message;
use hickory_proto::rr::{DNSClass, Name, RData, Record};

use crate::axfr::{XfrBuilder, XfrError};
use crate::records::parse_rdata;

/// The client's serial: the SOA an IXFR request carries in its authority section.
pub(crate) fn client_serial(request: &Message) -> Option<u32> {
    request
        .name_servers()
        .iter()
        .find_map(|rr| match rr.data() {
            RData::SOA(soa) => Some(soa.serial()),
            _ => None,
        })
}

/// The journal rows leading from serial `from` to serial `to`, change after change, each change
/// in its stored order; `None` when the journal has no unambiguous chain between them.
pub(crate) fn chain(entries: Vec<JournalEntry>, from: u32, to: u32) -> Option<Vec<JournalEntry>> {
    // One change per resulting serial (the table's key includes it).
    let mut changes: BTreeMap<u32, Vec<JournalEntry>> = BTreeMap::new();
    for entry in entries {
        changes.entry(entry.serial).or_default().push(entry);
    }
    let mut by_prev: BTreeMap<u32, u32> = BTreeMap::new();
    for (serial, rows) in &mut changes {
        rows.sort_by_key(|e| e.seq);
        let prev = rows.first()?.prev_serial;
        if rows.iter().any(|e| e.prev_serial != prev) || by_prev.insert(prev, *serial).is_some() {
            // Two changes from one serial (a serial reused after wrapping): no safe path.
            return None;
        }
    }
    let mut out = Vec::new();
    let mut at = from;
    // Each step moves strictly forward, so at most one step per change.
    for _ in 0..changes.len() {
        if at == to {
            break;
        }
        let next = *by_prev.get(&at)?;
        if !serial_gt(next, at) {
            return None;
        }
        out.extend(changes.remove(&next)?);
        at = next;
    }
    (at == to && !out.is_empty()).then_some(out)
}

/// The IXFR messages for `rows` (from [`chain`]) with the zone's current `soa`; `Ok(None)` when a
/// row cannot be turned into a record safely (an unusable SOA row, or a row out of RFC 1995
/// order), so the caller falls back to AXFR. Unparsable non-SOA data is skipped, as AXFR skips it.
pub(crate) fn render(
    template: Message,
    max_size: usize,
    soa: Record,
    rows: &[JournalEntry],
) -> Result<Option<Vec<Vec<u8>>>, XfrError> {
    let mut builder = XfrBuilder::new(template, max_size)?;
    builder.push(soa.clone())?;
    let mut previous: Option<(u32, JournalOp, bool)> = None;
    for row in rows {
        let is_soa = row.rtype.eq_ignore_ascii_case("SOA");
        // Each change is: SOA (del), deletions, SOA (add), additions.
        let (new_change, new_section) = match previous {
            None => (true, true),
            Some((serial, op, _)) => (serial != row.serial, serial != row.serial || op != row.op),
        };
        let in_order = new_section == is_soa
            && (!new_change || row.op == JournalOp::Del)
            && (new_change || !new_section || row.op == JournalOp::Add);
        if !in_order {
            tracing::warn!(
                serial = row.serial,
                seq = row.seq,
                "journal change out of RFC 1995 order"
            );
            return Ok(None);
        }
        previous = Some((row.serial, row.op, is_soa));
        let record = match to_record(row) {
            Ok(record) => record,
            Err(error) if is_soa => {
                tracing::warn!(serial = row.serial, %error, "unusable SOA in the journal");
                return Ok(None);
            }
            Err(error) => {
                tracing::error!(name = %row.name, rtype = %row.rtype, %error,
                    "skipping unparsable journal record");
                continue;
            }
        };
        builder.push(record)?;
    }
    builder.push(soa)?;
    builder.finish().map(Some)
}

/// The SOA the change to `serial` added (in `rows` from [`chain`]): the SOA a zone at `serial`
/// serves, or `None` when that row is missing or unusable.
pub(crate) fn current_soa(rows: &[JournalEntry], serial: u32) -> Option<Record> {
    let row = rows.iter().rev().find(|row| {
        row.serial == serial && row.op == JournalOp::Add && row.rtype.eq_ignore_ascii_case("SOA")
    })?;
    let record = to_record(row).ok()?;
    match record.data() {
        RData::SOA(soa) if soa.serial() == serial => Some(record),
        _ => None,
    }
}

/// One journal row as a wire record.
fn to_record(row: &JournalEntry) -> Result<Record, String> {
    let mut name = Name::from_ascii(&row.name).map_err(|e| e.to_string())?;
    name.set_fqdn(true);
    let rdata = parse_rdata(&row.rtype, &row.data)?;
    let mut record = Record::from_rdata(name, row.ttl, rdata);
    record.set_dns_class(DNSClass::IN);
    Ok(record)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(prev: u32, serial: u32) -> Vec<JournalEntry> {
        let row = |seq, op, rtype: &str, data: String| JournalEntry {
            serial,
            prev_serial: prev,
            seq,
            op,
            name: "example.org.".to_owned(),
            rtype: rtype.to_owned(),
            ttl: 300,
            data,
        };
        let soa = |s| format!("ns1.example.org. admin.example.org. {s} 1 2 3 4");
        vec![
            row(0, JournalOp::Del, "SOA", soa(prev)),
            row(1, JournalOp::Add, "SOA", soa(serial)),
            row(2, JournalOp::Add, "A", format!("192.0.2.{}", serial % 250)),
        ]
    }

    #[test]
    fn chains_forward_and_refuses_gaps() {
        let all = [change(1, 2), change(2, 5), change(5, 9)].concat();
        let rows = chain(all.clone(), 2, 9).unwrap();
        assert_eq!(rows, [change(2, 5), change(5, 9)].concat());
        assert_eq!(chain(all.clone(), 1, 9).unwrap().len(), 9);
        assert!(chain(all.clone(), 3, 9).is_none(), "no change starts at 3");
        assert!(chain(all.clone(), 9, 9).is_none(), "nothing to send");
        let gap = [change(1, 2), change(5, 9)].concat();
        assert!(chain(gap, 1, 9).is_none());
        // Across the 2^32 wrap (RFC 1982).
        let wrap = [change(u32::MAX - 1, 3), change(3, 4)].concat();
        assert_eq!(chain(wrap, u32::MAX - 1, 4).unwrap().len(), 6);
        // A "change" backwards is not a path.
        assert!(chain(change(9, 5), 9, 5).is_none());
    }

    #[test]
    fn current_soa_is_the_one_the_last_change_added() {
        let rows = [change(1, 2), change(2, 5)].concat();
        let soa = current_soa(&rows, 5).unwrap();
        match soa.data() {
            RData::SOA(soa) => assert_eq!(soa.serial(), 5),
            other => panic!("not an SOA: {other:?}"),
        }
        assert_eq!(soa.ttl(), 300);
        assert!(current_soa(&rows, 9).is_none(), "no change reached 9");
        // An added SOA whose data disagrees with its row's serial is not trusted.
        let mut lying = change(2, 5);
        lying[1].data = "ns1.example.org. admin.example.org. 4 1 2 3 4".to_owned();
        assert!(current_soa(&lying, 5).is_none());
        let mut broken = change(2, 5);
        broken[1].data = "not an soa".to_owned();
        assert!(current_soa(&broken, 5).is_none());
    }

    #[test]
    fn renders_rfc1995_sequence_or_refuses_disorder() {
        let soa = to_record(&change(1, 2)[1]).unwrap();
        let rows = change(1, 2);
        let messages = render(Message::new(), 65535, soa.clone(), &rows)
            .unwrap()
            .unwrap();
        let m = Message::from_vec(&messages[0]).unwrap();
        let types: Vec<String> = m
            .answers()
            .iter()
            .map(|r| r.record_type().to_string())
            .collect();
        assert_eq!(types, ["SOA", "SOA", "SOA", "A", "SOA"]);

        let mut disorder = rows;
        disorder.swap(1, 2);
        assert!(render(Message::new(), 65535, soa, &disorder)
            .unwrap()
            .is_none());
    }
}
