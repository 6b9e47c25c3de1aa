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
    /// An incremental transfer does not fit the copy it is applied to.
    #[error("incremental transfer of {zone} does not apply: {reason}")]
    Inconsistent {
        /// The zone.
        zone: Name,
        /// What did not match.
        reason: String,
    },
}

/// All RRsets owned by one name. Empty for an empty non-terminal (a name that exists only
/// because names below it do: RFC 4592 says it must answer NODATA, not NXDOMAIN).
#[derive(Debug, Default, Clone)]
pub(crate) struct Node {
    rrsets: Vec<RrSet>,
}

/// The records of one type at one name.
#[derive(Debug, Clone)]
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

    /// Adds a record; false when the RRset already held that data.
    fn add(&mut self, record: Record) -> bool {
        let rtype = record.record_type();
        match self.rrsets.iter_mut().find(|s| s.rtype == rtype) {
            // A transfer may repeat a record; an RRset is a set (RFC 2181 5).
            Some(set) => {
                if set.records.iter().any(|r| r.data() == record.data()) {
                    return false;
                }
                set.records.push(record);
            }
            None => self.rrsets.push(RrSet {
                rtype,
                records: vec![record],
            }),
        }
        true
    }

    /// Removes the record of `record`'s type and data (TTL aside, RFC 1995 §4); false when the
    /// node has no such record.
    fn remove(&mut self, record: &Record) -> bool {
        let rtype = record.record_type();
        let Some(index) = self.rrsets.iter().position(|s| s.rtype == rtype) else {
            return false;
        };
        let set = &mut self.rrsets[index];
        let before = set.records.len();
        set.records.retain(|r| r.data() != record.data());
        let removed = set.records.len() < before;
        if set.records.is_empty() {
            self.rrsets.remove(index);
        }
        removed
    }
}

/// A map keyed by names. Every query does several lookups (zone, node, cut, wildcard), so the
/// hasher is foldhash rather than SipHash; it is seeded per process, and the keys are the
/// names of zones and records, not what clients send.
pub(crate) type NameMap<V> = HashMap<Name, V, foldhash::fast::RandomState>;

/// An immutable, indexed copy of one zone.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    origin: Name,
    soa_record: Record,
    soa: SOA,
    nodes: NameMap<Node>,
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
        let mut nodes: NameMap<Node> = NameMap::default();
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
            if nodes.entry(owner).or_default().add(record) {
                record_count += 1;
            }
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

    /// The apex SOA record (sent in the authority section of our IXFR requests).
    pub(crate) fn soa_record(&self) -> &Record {
        &self.soa_record
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

/// One difference sequence of an incremental transfer (RFC 1995 §4): from the copy at
/// `old_soa`'s serial, remove `deleted`, add `added`, and the copy is at `new_soa`'s serial.
#[derive(Debug, Clone)]
pub(crate) struct Difference {
    /// The SOA the change starts from.
    pub(crate) old_soa: Record,
    /// Records removed.
    pub(crate) deleted: Vec<Record>,
    /// The SOA the change leads to.
    pub(crate) new_soa: Record,
    /// Records added.
    pub(crate) added: Vec<Record>,
}

impl Zone {
    /// A new snapshot: this one with `changes` applied in order (copy-on-write: `self` keeps
    /// answering queries untouched while the copy is edited, and the catalog swaps it in).
    ///
    /// # Errors
    /// [`ZoneError::Inconsistent`] when a change does not start at the serial reached so far,
    /// deletes a record the copy does not hold, or carries an unusable SOA; the caller then
    /// transfers the whole zone.
    pub(crate) fn apply(&self, changes: &[Difference]) -> Result<Self, ZoneError> {
        let inconsistent = |reason: String| ZoneError::Inconsistent {
            zone: self.origin.clone(),
            reason,
        };
        let mut next = self.clone();
        let mut emptied = false;
        for change in changes {
            let (RData::SOA(old), RData::SOA(new)) = (change.old_soa.data(), change.new_soa.data())
            else {
                return Err(inconsistent("difference without SOAs".to_owned()));
            };
            if old.serial() != next.soa.serial() {
                return Err(inconsistent(format!(
                    "change from serial {} applied to serial {}",
                    old.serial(),
                    next.soa.serial()
                )));
            }
            for record in change.deleted.iter().filter(|r| self.accepts(r)) {
                let owner = fqdn_lower(record.name());
                let node = next.nodes.get_mut(&owner);
                if !node.is_some_and(|n| n.remove(record)) {
                    return Err(inconsistent(format!(
                        "deleted {} {} is not in the zone",
                        owner,
                        record.record_type()
                    )));
                }
                next.record_count = next.record_count.saturating_sub(1);
                emptied |= next.nodes.get(&owner).is_some_and(Node::is_empty);
            }
            for record in change.added.iter().filter(|r| self.accepts(r)) {
                let owner = fqdn_lower(record.name());
                add_ancestors(&mut next.nodes, &next.origin, &owner);
                if next.nodes.entry(owner).or_default().add(record.clone()) {
                    next.record_count += 1;
                }
            }
            if fqdn_lower(change.new_soa.name()) != next.origin {
                return Err(inconsistent("SOA of another name".to_owned()));
            }
            // The apex SOA is the zone's own record: replace it in the index too.
            let apex = next.nodes.entry(next.origin.clone()).or_default();
            apex.rrsets.retain(|set| set.rtype != RecordType::SOA);
            apex.add(change.new_soa.clone());
            next.soa_record = change.new_soa.clone();
            next.soa = new.clone();
        }
        if emptied {
            next.prune_empty_nodes();
        }
        Ok(next)
    }

    /// Whether an incremental record belongs in the index (as `from_records` filters): IN
    /// class, inside the zone, not an SOA (handled apart) or a pseudo type.
    fn accepts(&self, record: &Record) -> bool {
        record.dns_class() == DNSClass::IN
            && self.origin.zone_of(&fqdn_lower(record.name()))
            && !matches!(
                record.record_type(),
                RecordType::SOA
                    | RecordType::OPT
                    | RecordType::ANY
                    | RecordType::AXFR
                    | RecordType::IXFR
            )
    }

    /// Drops empty nodes that are no longer empty non-terminals (nothing below them), after
    /// deletions emptied some: they must answer NXDOMAIN again.
    fn prune_empty_nodes(&mut self) {
        let holders: Vec<Name> = self
            .nodes
            .iter()
            .filter(|(_, node)| !node.is_empty())
            .map(|(name, _)| name.clone())
            .collect();
        self.nodes
            .retain(|name, node| !node.is_empty() || *name == self.origin);
        for owner in holders {
            add_ancestors(&mut self.nodes, &self.origin, &owner);
        }
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
fn add_ancestors(nodes: &mut NameMap<Node>, origin: &Name, owner: &Name) {
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
        assert_eq!(zone.record_count(), 2, "the repeated record counts once");
        let leaf = zone.node(&name("a.b.c.example.org.")).unwrap();
        assert_eq!(leaf.get(RecordType::A).unwrap().records().len(), 1);
        assert!(zone.node(&name("b.c.example.org.")).unwrap().is_empty());
        assert!(zone.node(&name("c.example.org.")).unwrap().is_empty());
        assert!(zone.node(&name("www.other.org.")).is_none());
        assert_eq!(zone.negative_soa().ttl(), 300);
    }

    fn diff(old: u32, new: u32, deleted: Vec<Record>, added: Vec<Record>) -> Difference {
        Difference {
            old_soa: soa("example.org.", old),
            deleted,
            new_soa: soa("example.org.", new),
            added,
        }
    }

    fn a(owner: &str, last: u8) -> Record {
        Record::from_rdata(name(owner), 60, RData::A(A::new(192, 0, 2, last)))
    }

    #[test]
    fn apply_edits_a_copy_and_keeps_empty_non_terminals_right() {
        let zone = Zone::from_records(
            &name("example.org."),
            vec![
                soa("example.org.", 1),
                a("x.deep.example.org.", 1),
                a("www.example.org.", 1),
            ],
        )
        .unwrap();
        let next = zone
            .apply(&[
                diff(
                    1,
                    2,
                    vec![a("x.deep.example.org.", 1)],
                    vec![a("mail.example.org.", 9)],
                ),
                diff(
                    2,
                    3,
                    vec![],
                    vec![a("www.example.org.", 2), a("www.example.org.", 2)],
                ),
            ])
            .unwrap();
        assert_eq!(next.serial(), 3);
        assert_eq!(next.soa_record().data(), soa("example.org.", 3).data());
        assert_eq!(next.record_count(), 4);
        assert!(
            next.node(&name("deep.example.org.")).is_none(),
            "no longer an ENT"
        );
        assert!(next.node(&name("x.deep.example.org.")).is_none());
        let www = next.node(&name("www.example.org.")).unwrap();
        assert_eq!(www.get(RecordType::A).unwrap().records().len(), 2);
        let apex = next.node(&name("example.org.")).unwrap();
        assert_eq!(apex.get(RecordType::SOA).unwrap().records().len(), 1);
        // The original snapshot is untouched.
        assert_eq!(zone.serial(), 1);
        assert!(zone.node(&name("x.deep.example.org.")).is_some());
    }

    #[test]
    fn apply_refuses_what_does_not_fit() {
        let zone = Zone::from_records(&name("example.org."), vec![soa("example.org.", 5)]).unwrap();
        for changes in [
            vec![diff(4, 6, vec![], vec![])],
            vec![diff(5, 6, vec![a("nope.example.org.", 1)], vec![])],
            vec![diff(5, 6, vec![], vec![]), diff(5, 7, vec![], vec![])],
        ] {
            assert!(matches!(
                zone.apply(&changes),
                Err(ZoneError::Inconsistent { .. })
            ));
        }
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
