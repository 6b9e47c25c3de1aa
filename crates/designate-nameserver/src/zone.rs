//! One zone's data as an immutable snapshot, built from a complete transfer.
//!
//! A [`Zone`] is never mutated after construction: a refresh builds a new one and the catalog
//! swaps the `Arc`, so readers answering queries never wait on a transfer. This module owns the
//! indexing (owner name → RRsets, with empty non-terminals materialised); the answer logic lives
//! in `lookup`. The index is a [`ShardedMap`], so the copy an incremental transfer edits shares
//! all but the shards the change touches, and each node counts the nodes right below it, so a
//! delete prunes the names it leaves empty without walking the zone: a change costs its own
//! size, not the zone's.

use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};

use crate::shards::ShardedMap;

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
    /// The nodes one label below: while there are any, an empty node is an empty
    /// non-terminal and stays.
    children: u32,
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

/// An immutable, indexed copy of one zone.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    origin: Name,
    soa_record: Record,
    soa: SOA,
    nodes: ShardedMap<Node>,
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
        let records = records.into_iter();
        let mut nodes = ShardedMap::with_capacity_for(records.size_hint().0);
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
            if node_at(&mut nodes, &origin, &owner).add(record) {
                record_count += 1;
            }
        }
        let Some((soa_record, soa)) = soa else {
            return Err(ZoneError::NoSoa(origin));
        };
        node_at(&mut nodes, &origin, &origin);
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
                prune(&mut next.nodes, &next.origin, owner);
            }
            for record in change.added.iter().filter(|r| self.accepts(r)) {
                let owner = fqdn_lower(record.name());
                if node_at(&mut next.nodes, &next.origin, &owner).add(record.clone()) {
                    next.record_count += 1;
                }
            }
            if fqdn_lower(change.new_soa.name()) != next.origin {
                return Err(inconsistent("SOA of another name".to_owned()));
            }
            // The apex SOA is the zone's own record: replace it in the index too.
            let apex = node_at(&mut next.nodes, &next.origin, &next.origin);
            apex.rrsets.retain(|set| set.rtype != RecordType::SOA);
            apex.add(change.new_soa.clone());
            next.soa_record = change.new_soa.clone();
            next.soa = new.clone();
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
}

/// Lower-cased, fully-qualified form of `name`: the key of every index.
pub(crate) fn fqdn_lower(name: &Name) -> Name {
    let mut lower = name.to_lowercase();
    lower.set_fqdn(true);
    lower
}

/// The node at `owner` (inside the zone), made with every missing name between it and the
/// apex as an empty node, so that empty non-terminals exist and "no node" reliably means "no
/// name at or below"; each node made is counted in its parent's `children`.
fn node_at<'a>(nodes: &'a mut ShardedMap<Node>, origin: &Name, owner: &Name) -> &'a mut Node {
    if !nodes.contains_key(owner) {
        let mut child = owner.clone();
        while labels(&child) > labels(origin) {
            let parent = child.trim_to(labels(&child) - 1);
            if let Some(node) = nodes.get_mut(&parent) {
                // Its own ancestors were made when it was.
                node.children += 1;
                break;
            }
            nodes.insert(
                parent.clone(),
                Node {
                    children: 1,
                    ..Node::default()
                },
            );
            child = parent;
        }
    }
    nodes.get_or_default(owner)
}

/// The labels of `name`, a leading `*` included (`Name::num_labels` leaves it out).
fn labels(name: &Name) -> usize {
    name.iter().count()
}

/// Drops the node at `owner` if a delete left it with no records and nothing below it, then
/// its parent if that leaves the parent so, up to the apex: such names must answer NXDOMAIN
/// again.
fn prune(nodes: &mut ShardedMap<Node>, origin: &Name, owner: Name) {
    let mut name = owner;
    while labels(&name) > labels(origin) {
        match nodes.get(&name) {
            Some(node) if node.is_empty() && node.children == 0 => {}
            _ => return,
        }
        nodes.remove(&name);
        let parent = name.trim_to(labels(&name) - 1);
        if let Some(node) = nodes.get_mut(&parent) {
            node.children = node.children.saturating_sub(1);
        }
        name = parent;
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
    fn deletes_prune_exactly_the_names_left_with_nothing_at_or_below() {
        let zone = Zone::from_records(
            &name("example.org."),
            vec![
                soa("example.org.", 1),
                a("a.b.c.example.org.", 1),
                a("x.c.example.org.", 1),
                a("c.example.org.", 1),
            ],
        )
        .unwrap();
        let exists = |z: &Zone, n: &str| z.node(&name(n)).is_some();
        let next = zone
            .apply(&[diff(1, 2, vec![a("a.b.c.example.org.", 1)], vec![])])
            .unwrap();
        assert!(!exists(&next, "a.b.c.example.org."));
        assert!(
            !exists(&next, "b.c.example.org."),
            "an ENT with nothing below"
        );
        assert!(exists(&next, "c.example.org."));
        assert!(
            exists(&zone, "b.c.example.org."),
            "the old copy is untouched"
        );
        // c keeps its own record: emptying x leaves c as it is.
        let next = next
            .apply(&[diff(2, 3, vec![a("x.c.example.org.", 1)], vec![])])
            .unwrap();
        assert!(!exists(&next, "x.c.example.org."));
        assert!(exists(&next, "c.example.org."));
        // Emptied, c goes too, and a name added below it again brings it back as an ENT.
        let next = next
            .apply(&[
                diff(3, 4, vec![a("c.example.org.", 1)], vec![]),
                diff(4, 5, vec![], vec![a("y.c.example.org.", 1)]),
            ])
            .unwrap();
        let c = next
            .node(&name("c.example.org."))
            .expect("c is an ENT again");
        assert!(c.is_empty());
        let next = next
            .apply(&[diff(5, 6, vec![a("y.c.example.org.", 1)], vec![])])
            .unwrap();
        assert!(!exists(&next, "c.example.org."));
        assert_eq!(next.record_count(), 1, "the SOA alone");
        assert!(exists(&next, "example.org."), "the apex stays");
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
