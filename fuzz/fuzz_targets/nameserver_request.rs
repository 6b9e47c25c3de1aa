//! Whole DNS message in, whole response out, through the built-in nameserver's request handler
//! over both transports, with a catalog holding a zone with a wildcard, a delegation with glue,
//! a CNAME chain (and a CNAME loop), a child zone, and one zone held but not loaded.
//!
//! Checks: no panic; every response decodes, carries the request's id and fits its transport
//! (512 bytes or the EDNS payload over UDP); nothing answers a response.
#![no_main]

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::LazyLock;

use designate_nameserver::fuzzing::FuzzCatalog;
use hickory_proto::op::{Message, MessageType};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, MX, NS, SOA, TXT};
use hickory_proto::rr::{Name, RData, Record};
use libfuzzer_sys::fuzz_target;

/// Our EDNS payload limit, as the server's default.
const MAX_UDP_PAYLOAD: u16 = 1232;

/// The master of every zone: NOTIFYs from it are accepted.
const MASTER: SocketAddr = SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::LOCALHOST), 5354);

fn name(s: &str) -> Name {
    Name::from_str(s).expect("valid name")
}

fn rr(owner: &str, data: RData) -> Record {
    Record::from_rdata(name(owner), 300, data)
}

fn soa(origin: &str, serial: u32) -> Record {
    let mname = name(&format!("ns1.{origin}"));
    let rname = name(&format!("hostmaster.{origin}"));
    rr(
        origin,
        RData::SOA(SOA::new(mname, rname, serial, 3600, 600, 86400, 60)),
    )
}

static CATALOG: LazyLock<FuzzCatalog> = LazyLock::new(|| {
    let catalog = FuzzCatalog::new();
    let a = |o: u8| RData::A(A::new(192, 0, 2, o));
    let mut org = vec![
        soa("example.org.", 1),
        rr("example.org.", RData::NS(NS(name("ns1.example.org.")))),
        rr(
            "example.org.",
            RData::MX(MX::new(10, name("mail.example.org."))),
        ),
        rr(
            "example.org.",
            RData::TXT(TXT::new(vec!["v=spf1 -all".into()])),
        ),
        rr("ns1.example.org.", a(1)),
        rr("ns1.example.org.", RData::AAAA(AAAA(Ipv6Addr::LOCALHOST))),
        rr("mail.example.org.", a(2)),
        rr("www.example.org.", a(3)),
        rr("*.wild.example.org.", a(4)),
        rr(
            "*.wild.example.org.",
            RData::MX(MX::new(5, name("mail.example.org."))),
        ),
        rr("deep.ent.a.b.example.org.", a(5)),
        rr(
            "c1.example.org.",
            RData::CNAME(CNAME(name("c2.example.org."))),
        ),
        rr(
            "c2.example.org.",
            RData::CNAME(CNAME(name("www.example.org."))),
        ),
        rr(
            "out.example.org.",
            RData::CNAME(CNAME(name("www.example.net."))),
        ),
        rr(
            "loop1.example.org.",
            RData::CNAME(CNAME(name("loop2.example.org."))),
        ),
        rr(
            "loop2.example.org.",
            RData::CNAME(CNAME(name("loop1.example.org."))),
        ),
        rr(
            "into-wild.example.org.",
            RData::CNAME(CNAME(name("x.wild.example.org."))),
        ),
        rr(
            "sub.example.org.",
            RData::NS(NS(name("ns.sub.example.org."))),
        ),
        rr("sub.example.org.", RData::NS(NS(name("ns.example.net.")))),
        rr("ns.sub.example.org.", a(6)),
    ];
    // A delegation whose glue does not fit a plain UDP response.
    for i in 0..30u8 {
        let ns = format!("ns{i}.a-long-name-for-the-child.big.example.org.");
        org.push(rr("big.example.org.", RData::NS(NS(name(&ns)))));
        org.push(rr(&ns, a(100 + i)));
    }
    let child = vec![
        soa("child.example.org.", 9),
        rr(
            "child.example.org.",
            RData::NS(NS(name("ns1.child.example.org."))),
        ),
        rr("ns1.child.example.org.", a(7)),
    ];
    for (origin, records) in [
        ("example.org.", Some(org)),
        ("child.example.org.", Some(child)),
        ("unloaded.example.", None),
    ] {
        catalog
            .add_zone(&name(origin), vec![MASTER], records)
            .expect("valid zone");
    }
    // The zones must really be served, or the fuzzing would only reach REFUSED paths.
    let query = b"\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x07example\x03org\x00\x00\x01\x00\x01";
    let answer = catalog.handle(query, MASTER, false, MAX_UDP_PAYLOAD);
    let answer = Message::from_vec(&answer.expect("an answer")).expect("A answer");
    assert_eq!(answer.answers().len(), 1, "zone not served: {answer:?}");
    catalog
});

fuzz_target!(|packet: &[u8]| {
    let catalog = &*CATALOG;
    let other = SocketAddr::from((Ipv4Addr::new(192, 0, 2, 200), 53));
    for (tcp, src) in [(false, MASTER), (true, other)] {
        let Some(wire) = catalog.handle(packet, src, tcp, MAX_UDP_PAYLOAD) else {
            continue;
        };
        let response = Message::from_vec(&wire).expect("response does not decode");
        assert!(packet.len() >= 12, "answered a packet without a header");
        assert_eq!(&wire[..2], &packet[..2], "response id differs");
        assert_eq!(response.message_type(), MessageType::Response);
        assert!(packet[2] & 0x80 == 0, "answered a response");
        let limit = if tcp {
            65535
        } else {
            // 512 without EDNS, else the client's payload within [512, ours].
            let client = Message::from_vec(packet)
                .ok()
                .and_then(|m| m.extensions().as_ref().map(|e| e.max_payload()));
            usize::from(client.map_or(512, |p| p.min(MAX_UDP_PAYLOAD).max(512)))
        };
        assert!(wire.len() <= limit, "response of {} bytes", wire.len());
    }
});
