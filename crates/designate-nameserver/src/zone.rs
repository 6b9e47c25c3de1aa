//! One zone's data as an immutable snapshot, built from a complete transfer.
//!
//! A [`Zone`] is never mutated after construction: a refresh builds a new one and the catalog
//! swaps the `Arc`, so readers answering queries never wait on a transfer. This module owns the
//! indexing (owner name → RRsets, with empty non-terminals materialised); the answer logic lives
//! in `lookup`.

use std::collections::HashMap;

use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

/// Why a transfer's records do not form a usable zone.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ZoneError {
    /// Every zone needs exactly one SOA at its apex.
    #[error("zone {0} has no SOA record at its apex")]
    NoSoa(Name),
}

/// All RRsets owned by one name. Empty for an empty non-terminal (a name that exists only
/// because names below it do: RFC 4592 says it must answer NODATA, not NXDOMAIN).
#[derive(Debug, Default)]
pub(crate) struct Node {
    rrsets: Vec<RrSet>,
}

/// The records of one type at one name.
#[derive(Debug)]
pub(crate) struct RrSet {
    rtype: RecordType,
    records: Vec<Record>,
}

impl RrSet {
    /// The records, owner names as stored.
    pub(crate) fn records(&self) -> &[Record] {
        &self.records
    }
}

impl Node {
    /// The RRset of `rtype`, if the name has one.
    pub(crate) fn get(&self, rtype: RecordType) -> Option<&RrSet> {
        self.rrsets.iter().find(|s| s.rtype == rtype)
    }

    /// Every RRset of the node (for ANY queries).
    pub(crate) fn rrsets(&self) -> &[RrSet] {
        &self.rrsets
    }

    /// True for an empty non-terminal.
    pub(crate) fn is_empty(&self) -> bool {
        self.rrsets.is_empty()
    }

    fn add(&mut self, record: Record) {
        let rtype = record.record_type();
        match self.rrsets.iter_mut().find(|s| s.rtype == rtype) {
            // A transfer may repeat a record; an RRset is a set (RFC 2181 5).
            Some(set) => {
                if !set.records.iter().any(|r| r.data() == record.data()) {
                    set.records.push(record);
                }
            }
            None => self.rrsets.push(RrSet {
                rtype,
                records: vec![record],
            }),
        }
    }
}

/// An immutable, indexed copy of one zone.
#[derive(Debug)]
pub(crate) struct Zone {
    origin: Name,
    soa_record: Record,
    soa: SOA,
    nodes: HashMap<Name, Node>,
    record_count: usize,
}

impl Zone {
    /// Indexes the records of a transfer of `origin`. Records outside the zone, of another
    /// class, or extra SOAs are dropped (a master must not make us answer for other zones).
    ///
    /// # Errors
    /// [`ZoneError::NoSoa`] when there is no SOA at the apex.
    pub(crate) fn from_records(
        origin: &Name,
        records: impl IntoIterator<Item = Record>,
    ) -> Result<Self, ZoneError> {
        let origin = fqdn_lower(origin);
        let mut nodes: HashMap<Name, Node> = HashMap::new();
        let mut soa: Option<(Record, SOA)> = None;
        let mut record_count = 0;
        for record in records {
            if record.dns_class() != DNSClass::IN {
                continue;
            }
            let owner = fqdn_lower(record.name());
            if !origin.zone_of(&owner) {
                tracing::debug!(zone = %origin, name = %owner, "dropping out-of-zone record");
                continue;
            }
            if let RData::SOA(rdata) = record.data() {
                if owner != origin || soa.is_some() {
                    continue;
                }
                soa = Some((record.clone(), rdata.clone()));
            }
            // RRSIG/OPT-like pseudo types never belong in a zone.
            if matches!(
                record.record_type(),
                RecordType::OPT | RecordType::ANY | RecordType::AXFR | RecordType::IXFR
            ) {
                continue;
            }
            add_ancestors(&mut nodes, &origin, &owner);
            nodes.entry(owner).or_default().add(record);
            record_count += 1;
        }
        let Some((soa_record, soa)) = soa else {
            return Err(ZoneError::NoSoa(origin));
        };
        nodes.entry(origin.clone()).or_default();
        Ok(Self {
            origin,
            soa_record,
            soa,
            nodes,
            record_count,
        })
    }

    /// The zone's name (lower case, fully qualified).
    pub(crate) fn origin(&self) -> &Name {
        &self.origin
    }

    /// The SOA serial of this copy.
    pub(crate) fn serial(&self) -> u32 {
        self.soa.serial()
    }

    /// The SOA data (refresh/retry/expire timers).
    pub(crate) fn soa(&self) -> &SOA {
        &self.soa
    }

    /// How many records the zone holds (for logs).
    pub(crate) fn record_count(&self) -> usize {
        self.record_count
    }

    /// The node at `lower` (a lower-cased fully-qualified name), if the name exists.
    pub(crate) fn node(&self, lower: &Name) -> Option<&Node> {
        self.nodes.get(lower)
    }

    /// The SOA to put in the authority section of a negative answer: its TTL is the negative
    /// caching TTL, min(SOA TTL, SOA MINIMUM) (RFC 2308 3).
    pub(crate) fn negative_soa(&self) -> Record {
        let mut record = self.soa_record.clone();
        record.set_ttl(self.soa_record.ttl().min(self.soa.minimum()));
        record
    }
}

/// Lower-cased, fully-qualified form of `name`: the key of every index.
pub(crate) fn fqdn_lower(name: &Name) -> Name {
    let mut lower = name.to_lowercase();
    lower.set_fqdn(true);
    lower
}

/// Materialises every name strictly between the apex and `owner` as an (empty) node, so that
/// empty non-terminals exist and "no node" reliably means "no name at or below".
fn add_ancestors(nodes: &mut HashMap<Name, Node>, origin: &Name, owner: &Name) {
    let apex_labels = origin.iter().count();
    let mut labels = owner.iter().count();
    while labels > apex_labels {
        labels -= 1;
        let ancestor = owner.trim_to(labels);
        if nodes.contains_key(&ancestor) {
            // Its own ancestors were added when it was.
            break;
        }
        nodes.insert(ancestor, Node::default());
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_proto::rr::rdata::{A, SOA};

    use super::*;

    fn name(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    fn soa(origin: &str, serial: u32) -> Record {
        Record::from_rdata(
            name(origin),
            3600,
            RData::SOA(SOA::new(
                name("ns1.example."),
                name("admin.example."),
                serial,
                60,
                30,
                600,
                300,
            )),
        )
    }

    #[test]
    fn indexes_records_and_empty_non_terminals() {
        let records = vec![
            soa("Example.org.", 7),
            Record::from_rdata(
                name("a.b.c.example.org."),
                60,
                RData::A(A::new(192, 0, 2, 1)),
            ),
            Record::from_rdata(
                name("a.b.c.example.org."),
                60,
                RData::A(A::new(192, 0, 2, 1)),
            ),
            Record::from_rdata(name("www.other.org."), 60, RData::A(A::new(192, 0, 2, 2))),
        ];
        let zone = Zone::from_records(&name("example.org"), records).unwrap();
        assert_eq!(zone.serial(), 7);
        assert_eq!(zone.origin(), &name("example.org."));
        assert_eq!(zone.record_count(), 3);
        let leaf = zone.node(&name("a.b.c.example.org.")).unwrap();
        assert_eq!(leaf.get(RecordType::A).unwrap().records().len(), 1);
        assert!(zone.node(&name("b.c.example.org.")).unwrap().is_empty());
        assert!(zone.node(&name("c.example.org.")).unwrap().is_empty());
        assert!(zone.node(&name("www.other.org.")).is_none());
        assert_eq!(zone.negative_soa().ttl(), 300);
    }

    #[test]
    fn requires_apex_soa() {
        let records = vec![soa("sub.example.org.", 1)];
        assert!(matches!(
            Zone::from_records(&name("example.org."), records),
            Err(ZoneError::NoSoa(_))
        ));
    }
}
