//! Authoritative answers over real UDP and TCP sockets, from a zone transferred by AXFR.

mod common;

use common::*;
use hickory_proto::op::{Edns, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{RData, RecordType};

#[tokio::test]
async fn exact_answer_is_authoritative_and_keeps_question_case() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    // DNS 0x20: mixed case must come back exactly as asked.
    let request = query("wWw.ExAmPlE.oRg.", RecordType::A, None);
    for response in [
        udp(server.addr(), &request).await,
        tcp(server.addr(), &request).await,
    ] {
        assert_eq!(response.message_type(), MessageType::Response);
        assert_eq!(rcode(&response), ResponseCode::NoError);
        assert!(response.authoritative());
        assert!(!response.recursion_available());
        assert!(response.recursion_desired(), "RD is copied");
        assert_eq!(response.queries()[0].name().to_ascii(), "wWw.ExAmPlE.oRg.");
        assert_eq!(response.answers().len(), 1);
        assert_eq!(response.answers()[0].name().to_ascii(), "wWw.ExAmPlE.oRg.");
        assert!(
            matches!(response.answers()[0].data(), RData::A(a) if a.0.octets() == [192, 0, 2, 1])
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn negative_answers_carry_the_soa() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    let nx = udp(
        server.addr(),
        &query("nope.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(rcode(&nx), ResponseCode::NXDomain);
    assert!(nx.authoritative());
    assert!(nx.answers().is_empty());
    assert_eq!(nx.name_servers().len(), 1);
    assert_eq!(nx.name_servers()[0].record_type(), RecordType::SOA);
    // TTL = min(SOA TTL 300, minimum 120).
    assert_eq!(nx.name_servers()[0].ttl(), 120);

    let nodata = udp(
        server.addr(),
        &query("www.example.org.", RecordType::AAAA, None),
    )
    .await;
    assert_eq!(rcode(&nodata), ResponseCode::NoError);
    assert!(nodata.answers().is_empty());
    assert_eq!(nodata.name_servers()[0].record_type(), RecordType::SOA);

    // Empty non-terminal: NODATA, not NXDOMAIN.
    let ent = udp(
        server.addr(),
        &query("b.ent.example.org.", RecordType::A, None),
    )
    .await;
    assert_eq!(rcode(&ent), ResponseCode::NoError);
    assert!(ent.answers().is_empty());
    assert_eq!(ent.name_servers()[0].record_type(), RecordType::SOA);
    server.stop().await;
}

#[tokio::test]
async fn cname_wildcard_referral_any_and_apex() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    let addr = server.addr();

    let chain = udp(addr, &query("chain.example.org.", RecordType::A, None)).await;
    let types: Vec<_> = chain.answers().iter().map(|r| r.record_type()).collect();
    assert_eq!(types, [RecordType::CNAME, RecordType::CNAME, RecordType::A]);
    assert!(chain.authoritative());

    let wild = udp(
        addr,
        &query("Anything.wild.example.org.", RecordType::TXT, None),
    )
    .await;
    assert_eq!(wild.answers().len(), 1);
    assert_eq!(
        wild.answers()[0].name().to_ascii(),
        "Anything.wild.example.org."
    );
    let wild_nodata = udp(addr, &query("x.wild.example.org.", RecordType::A, None)).await;
    assert_eq!(rcode(&wild_nodata), ResponseCode::NoError);
    assert!(wild_nodata.answers().is_empty());

    let referral = udp(addr, &query("www.sub.example.org.", RecordType::A, None)).await;
    assert_eq!(rcode(&referral), ResponseCode::NoError);
    assert!(!referral.authoritative(), "a referral is not authoritative");
    assert!(referral.answers().is_empty());
    assert_eq!(referral.name_servers()[0].record_type(), RecordType::NS);
    assert_eq!(referral.additionals().len(), 1);
    assert_eq!(
        referral.additionals()[0].name().to_ascii(),
        "ns.sub.example.org."
    );

    let apex_ns = udp(addr, &query("example.org.", RecordType::NS, None)).await;
    assert!(apex_ns.authoritative());
    assert_eq!(apex_ns.answers().len(), 1);
    assert_eq!(apex_ns.additionals().len(), 1, "glue for the in-zone NS");

    let any = tcp(addr, &query("example.org.", RecordType::ANY, None)).await;
    let mut types: Vec<_> = any
        .answers()
        .iter()
        .map(|r| u16::from(r.record_type()))
        .collect();
    types.sort_unstable();
    assert_eq!(
        types,
        [u16::from(RecordType::NS), u16::from(RecordType::SOA)]
    );

    let mx = udp(addr, &query("mail.example.org.", RecordType::MX, None)).await;
    assert_eq!(mx.additionals()[0].name().to_ascii(), "mx.example.org.");
    server.stop().await;
}

#[tokio::test]
async fn refuses_other_zones_and_transfers() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    let other = udp(
        server.addr(),
        &query("www.example.net.", RecordType::A, None),
    )
    .await;
    assert_eq!(rcode(&other), ResponseCode::Refused);
    assert!(!other.authoritative());
    let axfr = tcp(
        server.addr(),
        &query("example.org.", RecordType::AXFR, None),
    )
    .await;
    assert_eq!(rcode(&axfr), ResponseCode::Refused);
    server.stop().await;
}

#[tokio::test]
async fn edns_is_echoed_and_large_udp_answers_truncate() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    let addr = server.addr();

    // Without EDNS: 512 bytes, so 60 TXT records truncate.
    let plain = udp(addr, &query("big.example.org.", RecordType::TXT, None)).await;
    assert!(plain.truncated());
    assert!(plain.answers().is_empty());
    assert!(plain.extensions().is_none());
    assert_eq!(plain.queries()[0].name().to_ascii(), "big.example.org.");

    // EDNS 1232 still too small for ~3 KB; the OPT is echoed.
    let edns = udp(
        addr,
        &query("big.example.org.", RecordType::TXT, Some(1232)),
    )
    .await;
    assert!(edns.truncated());
    assert!(edns.extensions().is_some());

    // A client offering 4096 is still held to our 1232 limit.
    let big = udp(
        addr,
        &query("big.example.org.", RecordType::TXT, Some(4096)),
    )
    .await;
    assert!(big.truncated());
    assert_eq!(big.extensions().as_ref().map(Edns::max_payload), Some(1232));

    // TCP carries it whole.
    let full = tcp(addr, &query("big.example.org.", RecordType::TXT, None)).await;
    assert!(!full.truncated());
    assert_eq!(full.answers().len(), 60);

    // Small answers with EDNS carry OPT and are not truncated.
    let small = udp(addr, &query("www.example.org.", RecordType::A, Some(1232))).await;
    assert!(!small.truncated());
    assert!(small.extensions().is_some());

    // EDNS version 1 → BADVERS.
    let mut v1 = query("www.example.org.", RecordType::A, Some(1232));
    v1.extensions_mut().as_mut().unwrap().set_version(1);
    let badvers = udp(addr, &v1).await;
    // BADVERS and BADSIG share code 16 (RFC 6891 / RFC 8945).
    assert_eq!(u16::from(rcode(&badvers)), 16);
    assert!(badvers.extensions().is_some());
    server.stop().await;
}

#[tokio::test]
async fn unsupported_opcodes_and_bad_questions() {
    let dir = tempfile::tempdir().unwrap();
    let (_master, server) = loaded(dir.path(), 1).await;
    let mut update = query("example.org.", RecordType::SOA, None);
    update.set_op_code(OpCode::Update);
    assert_eq!(
        rcode(&udp(server.addr(), &update).await),
        ResponseCode::NotImp
    );

    let mut status = query("example.org.", RecordType::SOA, None);
    status.set_op_code(OpCode::Status);
    assert_eq!(
        rcode(&udp(server.addr(), &status).await),
        ResponseCode::NotImp
    );

    let mut two = query("www.example.org.", RecordType::A, None);
    two.add_query(hickory_proto::op::Query::query(
        name("mx.example.org."),
        RecordType::A,
    ));
    assert_eq!(
        rcode(&udp(server.addr(), &two).await),
        ResponseCode::FormErr
    );

    let mut none = query("www.example.org.", RecordType::A, None);
    none.take_queries();
    assert_eq!(
        rcode(&udp(server.addr(), &none).await),
        ResponseCode::FormErr
    );
    server.stop().await;
}
