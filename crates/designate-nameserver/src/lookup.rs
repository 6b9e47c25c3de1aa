//! Authoritative answers from one [`Zone`] snapshot (RFC 1034 4.3.2, RFC 2308, RFC 4592).
//!
//! Pure and synchronous: given a question it returns the sections of the answer. It owns the
//! semantics — exact match, CNAME chains inside the zone, delegations (referrals with glue),
//! wildcards with empty non-terminals, NXDOMAIN vs NODATA — and nothing about the wire.

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{Name, RData, Record, RecordType};

use crate::zone::{fqdn_lower, Node, Zone};

/// A CNAME chain longer than this inside one zone is treated as a loop.
const MAX_CNAME_HOPS: usize = 16;

/// The sections of an authoritative answer.
#[derive(Debug)]
pub(crate) struct Answer {
    /// NOERROR or NXDOMAIN.
    pub(crate) rcode: ResponseCode,
    /// AA: false only for a pure referral.
    pub(crate) authoritative: bool,
    /// Answer section.
    pub(crate) answers: Vec<Record>,
    /// Authority section (SOA for negative answers, NS for referrals).
    pub(crate) authority: Vec<Record>,
    /// Additional section (addresses of NS/MX/SRV targets, glue).
    pub(crate) additionals: Vec<Record>,
    /// True when the additional section holds glue a resolver needs (a referral): dropping it
    /// for size must set TC (RFC 9471).
    pub(crate) glue_required: bool,
}

/// What answering at one node leads to.
enum Step {
    Done,
    Follow(Name),
}

impl Zone {
    /// Answers `qname`/`qtype` from this zone. `qname` must be at or below the origin; its case
    /// is kept for the owner of records that answer it directly (DNS 0x20).
    pub(crate) fn lookup(&self, qname: &Name, qtype: RecordType) -> Answer {
        let mut answer = Answer {
            rcode: ResponseCode::NoError,
            authoritative: true,
            answers: Vec::new(),
            authority: Vec::new(),
            additionals: Vec::new(),
            glue_required: false,
        };
        let mut current = qname.clone();
        // At most MAX_CNAME_HOPS names: a list beats hashing them.
        let mut seen: Vec<Name> = Vec::new();
        for _ in 0..MAX_CNAME_HOPS {
            let lower = fqdn_lower(&current);
            if !self.origin().zone_of(&lower) || seen.contains(&lower) {
                // The chain left the zone (the resolver follows it) or loops.
                break;
            }
            if let Some(cut) = self.find_cut(&lower, qtype) {
                self.referral(&cut, &mut answer);
                break;
            }
            let step = if let Some(node) = self.node(&lower) {
                self.answer_at(node, &current, qtype, &mut answer)
            } else if let Some(node) = self.wildcard_for(&lower) {
                self.answer_at(node, &current, qtype, &mut answer)
            } else {
                answer.rcode = ResponseCode::NXDomain;
                answer.authority.push(self.negative_soa());
                Step::Done
            };
            seen.push(lower);
            match step {
                Step::Done => break,
                Step::Follow(target) => current = target,
            }
        }
        self.add_additionals(&mut answer);
        answer
    }

    /// The highest delegation point (a non-apex name with NS) at or above `lower`. A DS query
    /// for the cut itself is answered by the parent side (RFC 4035 3.1.4.1).
    fn find_cut(&self, lower: &Name, qtype: RecordType) -> Option<Name> {
        let apex_labels = self.origin().iter().count();
        let total = lower.iter().count();
        for labels in apex_labels + 1..=total {
            let ancestor = lower.trim_to(labels);
            // Every ancestor of an existing name exists, so a gap means nothing is below.
            let node = self.node(&ancestor)?;
            if node.get(RecordType::NS).is_some() {
                if labels == total && qtype == RecordType::DS {
                    return None;
                }
                return Some(ancestor);
            }
        }
        None
    }

    /// The wildcard node that synthesises `lower` (RFC 4592 3.3.1): `*.` + the closest
    /// encloser, the longest existing ancestor. An existing empty non-terminal as closest
    /// encloser blocks wildcards above it.
    fn wildcard_for(&self, lower: &Name) -> Option<&Node> {
        let apex_labels = self.origin().iter().count();
        let total = lower.iter().count();
        let mut labels = total;
        while labels > apex_labels {
            labels -= 1;
            let ancestor = lower.trim_to(labels);
            if self.node(&ancestor).is_some() {
                let wildcard = ancestor.prepend_label("*").ok()?;
                return self.node(&wildcard);
            }
        }
        None
    }

    /// Answers from `node` for a question whose owner is `owner` (the query's spelling, or the
    /// synthesised name for a wildcard match).
    fn answer_at(&self, node: &Node, owner: &Name, qtype: RecordType, answer: &mut Answer) -> Step {
        if qtype == RecordType::ANY && !node.is_empty() {
            for set in node.rrsets() {
                push_as(&mut answer.answers, set.records(), owner);
            }
            return Step::Done;
        }
        if let Some(set) = node.get(qtype) {
            push_as(&mut answer.answers, set.records(), owner);
            return Step::Done;
        }
        if let Some(set) = node.get(RecordType::CNAME) {
            push_as(&mut answer.answers, set.records(), owner);
            let target = set.records().iter().find_map(|r| match r.data() {
                RData::CNAME(cname) => Some(cname.0.clone()),
                _ => None,
            });
            return target.map_or(Step::Done, Step::Follow);
        }
        // The name exists but not with this type: NODATA.
        answer.authority.push(self.negative_soa());
        Step::Done
    }

    /// A referral to the child zone at `cut`: its NS set in authority, glue in additional.
    fn referral(&self, cut: &Name, answer: &mut Answer) {
        if answer.answers.is_empty() {
            answer.authoritative = false;
        }
        let Some(ns) = self.node(cut).and_then(|n| n.get(RecordType::NS)) else {
            return;
        };
        answer.authority.extend(ns.records().iter().cloned());
        let mut glue = Vec::new();
        for record in ns.records() {
            if let RData::NS(target) = record.data() {
                self.addresses_of(&target.0, &mut glue);
            }
        }
        answer.glue_required = !glue.is_empty();
        answer.additionals.extend(glue);
    }

    /// Additional section processing (RFC 1034 3.7): addresses of in-zone names that NS, MX
    /// and SRV answers point to.
    fn add_additionals(&self, answer: &mut Answer) {
        let mut extra = Vec::new();
        for record in &answer.answers {
            let target = match record.data() {
                RData::NS(ns) => &ns.0,
                RData::MX(mx) => mx.exchange(),
                RData::SRV(srv) => srv.target(),
                _ => continue,
            };
            self.addresses_of(target, &mut extra);
        }
        for record in extra {
            if !answer.additionals.contains(&record) && !answer.answers.contains(&record) {
                answer.additionals.push(record);
            }
        }
    }

    /// Appends the A and AAAA records of `target` when the zone holds them.
    fn addresses_of(&self, target: &Name, out: &mut Vec<Record>) {
        let lower = fqdn_lower(target);
        if !self.origin().zone_of(&lower) {
            return;
        }
        if let Some(node) = self.node(&lower) {
            for rtype in [RecordType::A, RecordType::AAAA] {
                if let Some(set) = node.get(rtype) {
                    out.extend(set.records().iter().cloned());
                }
            }
        }
    }
}

/// Copies `records` into `out` with `owner` as their owner name (keeps the query's case and
/// gives wildcard-synthesised records the queried name).
fn push_as(out: &mut Vec<Record>, records: &[Record], owner: &Name) {
    for record in records {
        let mut record = record.clone();
        record.set_name(owner.clone());
        out.push(record);
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::str::FromStr;

    use hickory_proto::rr::rdata::{A, CNAME, MX, NS, SOA, TXT};

    use super::*;

    fn name(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    fn rec(owner: &str, data: RData) -> Record {
        Record::from_rdata(name(owner), 300, data)
    }

    fn a(owner: &str, last: u8) -> Record {
        rec(owner, RData::A(A(Ipv4Addr::new(192, 0, 2, last))))
    }

    fn zone() -> Zone {
        let soa = SOA::new(
            name("ns1.example.org."),
            name("admin.example.org."),
            42,
            60,
            30,
            600,
            120,
        );
        let records = vec![
            rec("example.org.", RData::SOA(soa)),
            rec("example.org.", RData::NS(NS(name("ns1.example.org.")))),
            a("ns1.example.org.", 53),
            a("www.example.org.", 1),
            rec(
                "mail.example.org.",
                RData::MX(MX::new(10, name("mx.example.org."))),
            ),
            a("mx.example.org.", 25),
            rec(
                "alias.example.org.",
                RData::CNAME(CNAME(name("www.example.org."))),
            ),
            rec(
                "chain.example.org.",
                RData::CNAME(CNAME(name("alias.example.org."))),
            ),
            rec(
                "out.example.org.",
                RData::CNAME(CNAME(name("www.example.net."))),
            ),
            rec(
                "loop1.example.org.",
                RData::CNAME(CNAME(name("loop2.example.org."))),
            ),
            rec(
                "loop2.example.org.",
                RData::CNAME(CNAME(name("loop1.example.org."))),
            ),
            rec(
                "dangling.example.org.",
                RData::CNAME(CNAME(name("nope.example.org."))),
            ),
            a("a.b.ent.example.org.", 2),
            rec(
                "*.wild.example.org.",
                RData::TXT(TXT::new(vec!["wild".into()])),
            ),
            a("x.*.wild.example.org.", 3),
            a("host.wild.example.org.", 4),
            rec(
                "sub.example.org.",
                RData::NS(NS(name("ns.sub.example.org."))),
            ),
            a("ns.sub.example.org.", 99),
        ];
        Zone::from_records(&name("example.org."), records).unwrap()
    }

    #[test]
    fn exact_match_keeps_query_case() {
        let ans = zone().lookup(
            &Name::from_ascii("WwW.Example.ORG.").unwrap(),
            RecordType::A,
        );
        assert_eq!(ans.rcode, ResponseCode::NoError);
        assert!(ans.authoritative);
        assert_eq!(ans.answers.len(), 1);
        assert_eq!(ans.answers[0].name().to_ascii(), "WwW.Example.ORG.");
    }

    #[test]
    fn nodata_and_nxdomain_carry_soa() {
        let z = zone();
        let nodata = z.lookup(&name("www.example.org."), RecordType::AAAA);
        assert_eq!(nodata.rcode, ResponseCode::NoError);
        assert!(nodata.answers.is_empty());
        assert_eq!(nodata.authority[0].record_type(), RecordType::SOA);
        assert_eq!(nodata.authority[0].ttl(), 120);
        let nx = z.lookup(&name("missing.example.org."), RecordType::A);
        assert_eq!(nx.rcode, ResponseCode::NXDomain);
        assert_eq!(nx.authority[0].record_type(), RecordType::SOA);
    }

    #[test]
    fn empty_non_terminal_is_nodata() {
        let ans = zone().lookup(&name("b.ent.example.org."), RecordType::A);
        assert_eq!(ans.rcode, ResponseCode::NoError);
        assert!(ans.answers.is_empty());
        assert_eq!(ans.authority.len(), 1);
    }

    #[test]
    fn cname_chain_is_followed_in_zone() {
        let z = zone();
        let ans = z.lookup(&name("chain.example.org."), RecordType::A);
        let types: Vec<_> = ans.answers.iter().map(Record::record_type).collect();
        assert_eq!(types, [RecordType::CNAME, RecordType::CNAME, RecordType::A]);
        let cname = z.lookup(&name("alias.example.org."), RecordType::CNAME);
        assert_eq!(cname.answers.len(), 1);
        let out = z.lookup(&name("out.example.org."), RecordType::A);
        assert_eq!(out.answers.len(), 1);
        assert_eq!(out.rcode, ResponseCode::NoError);
        let looped = z.lookup(&name("loop1.example.org."), RecordType::A);
        assert_eq!(looped.answers.len(), 2);
        let dangling = z.lookup(&name("dangling.example.org."), RecordType::A);
        assert_eq!(dangling.rcode, ResponseCode::NXDomain);
        assert_eq!(dangling.answers.len(), 1);
    }

    #[test]
    fn wildcards_follow_rfc4592() {
        let z = zone();
        let ans = z.lookup(&name("foo.wild.example.org."), RecordType::TXT);
        assert_eq!(ans.answers.len(), 1);
        assert_eq!(ans.answers[0].name(), &name("foo.wild.example.org."));
        let deep = z.lookup(&name("a.b.wild.example.org."), RecordType::TXT);
        assert_eq!(deep.answers.len(), 1);
        let nodata = z.lookup(&name("foo.wild.example.org."), RecordType::A);
        assert_eq!(nodata.rcode, ResponseCode::NoError);
        assert!(nodata.answers.is_empty());
        // An existing name is never synthesised.
        let host = z.lookup(&name("host.wild.example.org."), RecordType::TXT);
        assert!(host.answers.is_empty());
        assert_eq!(host.rcode, ResponseCode::NoError);
        // Below an existing name the wildcard does not apply (closest encloser is host).
        let below = z.lookup(&name("x.host.wild.example.org."), RecordType::TXT);
        assert_eq!(below.rcode, ResponseCode::NXDomain);
    }

    #[test]
    fn delegation_gives_referral_with_glue() {
        let z = zone();
        for q in [
            "sub.example.org.",
            "deep.www.sub.example.org.",
            "ns.sub.example.org.",
        ] {
            let ans = z.lookup(&name(q), RecordType::A);
            assert!(!ans.authoritative, "{q}");
            assert!(ans.answers.is_empty(), "{q}");
            assert_eq!(ans.authority[0].record_type(), RecordType::NS);
            assert_eq!(ans.additionals.len(), 1);
            assert!(ans.glue_required);
        }
        let ds = z.lookup(&name("sub.example.org."), RecordType::DS);
        assert!(ds.authoritative);
        assert_eq!(ds.authority[0].record_type(), RecordType::SOA);
    }

    #[test]
    fn apex_ns_and_mx_get_additionals() {
        let z = zone();
        let ns = z.lookup(&name("example.org."), RecordType::NS);
        assert!(ns.authoritative);
        assert_eq!(ns.answers.len(), 1);
        assert_eq!(ns.additionals.len(), 1);
        let mx = z.lookup(&name("mail.example.org."), RecordType::MX);
        assert_eq!(mx.additionals.len(), 1);
    }

    #[test]
    fn any_returns_every_rrset() {
        let ans = zone().lookup(&name("example.org."), RecordType::ANY);
        let mut types: Vec<_> = ans.answers.iter().map(Record::record_type).collect();
        types.sort_by_key(|t| u16::from(*t));
        assert_eq!(types, [RecordType::NS, RecordType::SOA]);
    }
}
