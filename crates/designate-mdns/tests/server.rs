//! MiniDNS end to end: real SQLite store, real UDP/TCP sockets on 127.0.0.1, raw DNS packets and
//! `dig` as an independent client.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::*;
use designate_core::objects::{Action, ZoneType};
use designate_mdns::MdnsConfig;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::SOA;
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// A zone with a bit of everything: managed SOA/NS, default and explicit TTLs, several types,
/// a record being deleted and one whose stored data does not parse.
async fn example_zone(fx: &Fixture) -> designate_core::objects::Zone {
    let zone = zone("example.org.", 1_700_000_000);
    let mut sets = managed_sets(&zone);
    sets.push(recordset(
        &zone,
        "www.example.org.",
        "A",
        None,
        &["192.0.2.1", "192.0.2.2"],
    ));
    sets.push(recordset(
        &zone,
        "mail.example.org.",
        "MX",
        Some(600),
        &["10 mx1.example.org."],
    ));
    sets.push(recordset(
        &zone,
        "txt.example.org.",
        "TXT",
        None,
        &["\"hello world\""],
    ));
    sets.push(recordset(
        &zone,
        "spf.example.org.",
        "SPF",
        None,
        &["\"v=spf1 -all\""],
    ));
    sets.push(recordset(
        &zone,
        "broken.example.org.",
        "A",
        None,
        &["not-an-address"],
    ));
    let mut deleting = recordset(&zone, "old.example.org.", "A", None, &["192.0.2.9"]);
    deleting.records[0].action = Action::Delete;
    sets.push(deleting);
    store(&fx.storage, &zone, &sets).await;
    zone
}

fn soa_serial(record: &Record) -> u32 {
    match record.data() {
        RData::SOA(soa) => soa.serial(),
        other => panic!("expected SOA, got {other:?}"),
    }
}

#[tokio::test]
async fn soa_query_over_udp_and_tcp_is_authoritative_with_zone_serial() {
    let fx = start().await;
    let zone = example_zone(&fx).await;
    for response in [
        udp(fx.addr, &query(1, "example.org.", RecordType::SOA)).await,
        tcp(fx.addr, &query(1, "EXAMPLE.org.", RecordType::SOA)).await,
    ] {
        assert_eq!(response.id(), 1);
        assert_eq!(response.message_type(), MessageType::Response);
        assert_eq!(response.response_code(), ResponseCode::NoError);
        assert!(response.authoritative());
        assert_eq!(response.queries().len(), 1);
        assert_eq!(response.answers().len(), 1);
        // The stored SOA data says serial 1; the zone row's serial wins.
        assert_eq!(soa_serial(&response.answers()[0]), zone.serial);
        assert_eq!(response.answers()[0].ttl(), 3600);
    }
}

#[tokio::test]
async fn record_queries_and_refusals() {
    let fx = start().await;
    example_zone(&fx).await;

    let a = udp(fx.addr, &query(2, "www.example.org.", RecordType::A)).await;
    assert_eq!(a.response_code(), ResponseCode::NoError);
    assert!(a.authoritative());
    let addrs: BTreeSet<String> = a.answers().iter().map(|r| r.data().to_string()).collect();
    assert_eq!(
        addrs,
        BTreeSet::from(["192.0.2.1".to_owned(), "192.0.2.2".to_owned()])
    );

    // Upstream refuses everything it does not hold: unknown names, types and zones.
    for (name, rtype) in [
        ("nope.example.org.", RecordType::A),
        ("www.example.org.", RecordType::AAAA),
        ("example.com.", RecordType::SOA),
        (".", RecordType::SOA),
    ] {
        let r = udp(fx.addr, &query(3, name, rtype)).await;
        assert_eq!(r.response_code(), ResponseCode::Refused, "{name} {rtype}");
        assert!(r.answers().is_empty());
    }

    // Not IN class, two questions, other opcodes.
    let mut chaos = query(4, "example.org.", RecordType::SOA);
    chaos.queries_mut()[0].set_query_class(DNSClass::CH);
    assert_eq!(
        udp(fx.addr, &chaos).await.response_code(),
        ResponseCode::Refused
    );
    let mut two = query(5, "example.org.", RecordType::SOA);
    two.add_query(Query::query(
        Name::from_ascii("www.example.org.").unwrap(),
        RecordType::A,
    ));
    assert_eq!(
        udp(fx.addr, &two).await.response_code(),
        ResponseCode::Refused
    );
    let mut update = query(6, "example.org.", RecordType::SOA);
    update.set_op_code(OpCode::Update);
    let r = udp(fx.addr, &update).await;
    assert_eq!(
        (r.op_code(), r.response_code()),
        (OpCode::Update, ResponseCode::Refused)
    );
}

/// NOTIFY for a SECONDARY zone: from a listed master a transfer from that master is cast to
/// the worker and the NOTIFY acknowledged; from another address REFUSED, nothing cast.
#[tokio::test]
async fn notify_from_a_master_casts_a_transfer() {
    use designate_bus::inproc::WorkerQueue;
    use designate_core::objects::ZoneMaster;
    let (queue, mut casts) = WorkerQueue::new();
    let fx = start_wired(open_config(), Some(std::sync::Arc::new(queue))).await;
    let master = |host: &str| ZoneMaster {
        host: host.to_owned(),
        port: 5300,
    };
    let mut ours = zone("sec.example.", 10);
    ours.zone_type = ZoneType::Secondary;
    ours.masters = vec![master("192.0.2.1"), master("127.0.0.1")];
    let mut theirs = zone("other.example.", 10);
    theirs.zone_type = ZoneType::Secondary;
    theirs.masters = vec![master("192.0.2.1")];
    let mut tx = designate_storage::Storage::begin(fx.storage.as_ref())
        .await
        .unwrap();
    tx.create_zone(&ours).await.unwrap();
    tx.create_zone(&theirs).await.unwrap();
    tx.commit().await.unwrap();

    let mut notify = query(8, "sec.example.", RecordType::SOA);
    notify.set_op_code(OpCode::Notify).set_authoritative(true);
    let r = udp(fx.addr, &notify).await;
    assert_eq!(
        (r.op_code(), r.response_code(), r.authoritative()),
        (OpCode::Notify, ResponseCode::NoError, true)
    );
    let cast = casts.try_recv().expect("a transfer cast");
    assert_eq!(cast.task, designate_bus::ZoneTask::Transfer);
    assert_eq!(cast.zone.id, ours.id);
    assert_eq!(cast.zone.masters, vec![master("127.0.0.1")]);

    let mut notify = query(9, "other.example.", RecordType::SOA);
    notify.set_op_code(OpCode::Notify).set_authoritative(true);
    let r = udp(fx.addr, &notify).await;
    assert_eq!(r.response_code(), ResponseCode::Refused);
    assert!(casts.try_recv().is_err());
}

#[tokio::test]
async fn notify_to_mdns_is_notauth_for_primary_zones() {
    let fx = start().await;
    example_zone(&fx).await;
    let mut notify = query(7, "example.org.", RecordType::SOA);
    notify.set_op_code(OpCode::Notify).set_authoritative(true);
    let r = udp(fx.addr, &notify).await;
    assert_eq!(
        (r.op_code(), r.response_code()),
        (OpCode::Notify, ResponseCode::NotAuth)
    );
}

#[tokio::test]
async fn axfr_has_soa_first_and_last_and_every_live_record() {
    let fx = start().await;
    let zone = example_zone(&fx).await;
    let messages = axfr(fx.addr, "example.org.", RecordType::AXFR).await;
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.response_code(), ResponseCode::NoError);
    assert!(m.authoritative());
    let answers = m.answers();
    assert_eq!(answers.first().unwrap().record_type(), RecordType::SOA);
    assert_eq!(answers.last().unwrap().record_type(), RecordType::SOA);
    assert_eq!(soa_serial(answers.first().unwrap()), zone.serial);
    assert_eq!(soa_serial(answers.last().unwrap()), zone.serial);

    let middle: BTreeSet<String> = answers[1..answers.len() - 1]
        .iter()
        .map(|r| format!("{} {} {} {}", r.name(), r.ttl(), r.record_type(), r.data()))
        .collect();
    let expected: BTreeSet<String> = [
        "example.org. 3600 NS ns1.example.net.",
        "example.org. 3600 NS ns2.example.net.",
        "www.example.org. 3600 A 192.0.2.1",
        "www.example.org. 3600 A 192.0.2.2",
        "mail.example.org. 600 MX 10 mx1.example.org.",
        "txt.example.org. 3600 TXT hello world",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    // SPF has no hickory variant, so it decodes as an unknown type 99; check it separately.
    let spf: Vec<&Record> = answers
        .iter()
        .filter(|r| u16::from(r.record_type()) == 99)
        .collect();
    assert_eq!(spf.len(), 1);
    assert_eq!(spf[0].name().to_string(), "spf.example.org.");
    let without_spf: BTreeSet<String> = middle
        .into_iter()
        .filter(|l| !l.starts_with("spf."))
        .collect();
    assert_eq!(without_spf, expected);
}

#[tokio::test]
async fn large_zone_axfr_spans_messages_within_the_size_limit() {
    for max_message_size in [65535, 4096] {
        let fx = start_with(MdnsConfig {
            max_message_size,
            ..open_config()
        })
        .await;
        let zone = zone("big.example.", 42);
        let mut sets = managed_sets(&zone);
        for i in 0..5000u32 {
            let name = format!("host-{i:05}.big.example.");
            let ip = format!("10.{}.{}.{}", i >> 16, (i >> 8) & 0xff, i & 0xff);
            sets.push(recordset(&zone, &name, "A", Some(300), &[&ip]));
        }
        store(&fx.storage, &zone, &sets).await;

        let messages = axfr(fx.addr, "big.example.", RecordType::AXFR).await;
        assert!(messages.len() > 1, "5000 records must not fit one message");
        for m in &messages {
            assert_eq!(m.response_code(), ResponseCode::NoError);
            assert!(m.to_vec().unwrap().len() <= max_message_size);
        }
        let all: Vec<&Record> = messages.iter().flat_map(|m| m.answers()).collect();
        assert_eq!(all.len(), 5000 + 2 + 2, "SOA twice, two NS, 5000 A");
        assert_eq!(all[0].record_type(), RecordType::SOA);
        assert_eq!(all[all.len() - 1].record_type(), RecordType::SOA);
        let hosts: BTreeSet<String> = all
            .iter()
            .filter(|r| r.record_type() == RecordType::A)
            .map(|r| r.name().to_string())
            .collect();
        assert_eq!(hosts.len(), 5000);
        fx.shutdown.cancel();
    }
}

#[tokio::test]
async fn transfers_over_udp_and_ixfr_variants() {
    let fx = start().await;
    let zone = example_zone(&fx).await;

    // AXFR over UDP: truncated, nothing in it; the client must use TCP.
    let r = udp(fx.addr, &query(8, "example.org.", RecordType::AXFR)).await;
    assert!(r.truncated());
    assert!(r.answers().is_empty());
    // Unknown zone: REFUSED on either transport.
    let r = udp(fx.addr, &query(9, "example.com.", RecordType::AXFR)).await;
    assert_eq!(r.response_code(), ResponseCode::Refused);
    let messages = axfr(fx.addr, "example.com.", RecordType::AXFR).await;
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].response_code(), ResponseCode::Refused);

    let ixfr = |serial: u32| {
        let mut m = query(10, "example.org.", RecordType::IXFR);
        let name = Name::from_ascii("example.org.").unwrap();
        let soa = SOA::new(name.clone(), name.clone(), serial, 1, 1, 1, 1);
        m.add_name_server(Record::from_rdata(name, 0, RData::SOA(soa)));
        m
    };
    // IXFR over UDP: the lone current SOA (RFC 1995 §2).
    let r = udp(fx.addr, &ixfr(1)).await;
    assert_eq!(r.answers().len(), 1);
    assert_eq!(soa_serial(&r.answers()[0]), zone.serial);

    // IXFR over TCP from a current client: the lone SOA; from an old one: a full AXFR-style answer.
    let mut stream = TcpStream::connect(fx.addr).await.unwrap();
    send_frame(&mut stream, &ixfr(zone.serial).to_vec().unwrap()).await;
    let r = read_frame(&mut stream).await.unwrap();
    assert_eq!(r.answers().len(), 1);
    send_frame(&mut stream, &ixfr(zone.serial - 10).to_vec().unwrap()).await;
    let r = read_frame(&mut stream).await.unwrap();
    assert!(r.answers().len() > 2);
    assert_eq!(r.answers().first().unwrap().record_type(), RecordType::SOA);
    assert_eq!(r.answers().last().unwrap().record_type(), RecordType::SOA);
}

#[tokio::test]
async fn garbage_does_not_hurt_the_server() {
    let fx = start().await;
    example_zone(&fx).await;

    // UDP: too short for a header → silence; a header with garbage after it → FORMERR with its id;
    // a packet with the QR bit set → silence (never answer responses).
    assert!(udp_raw(fx.addr, b"xyz").await.is_none());
    let mut junk = vec![
        0x12, 0x34, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];
    junk.extend_from_slice(&[0xff; 40]);
    let r = Message::from_vec(&udp_raw(fx.addr, &junk).await.expect("FORMERR expected")).unwrap();
    assert_eq!((r.id(), r.response_code()), (0x1234, ResponseCode::FormErr));
    let mut response_bit = query(11, "example.org.", RecordType::SOA).to_vec().unwrap();
    response_bit[2] |= 0x80;
    assert!(udp_raw(fx.addr, &response_bit).await.is_none());

    // TCP: garbage frame → FORMERR and the connection keeps working.
    let mut stream = TcpStream::connect(fx.addr).await.unwrap();
    send_frame(&mut stream, &junk).await;
    assert_eq!(
        read_frame(&mut stream).await.unwrap().response_code(),
        ResponseCode::FormErr
    );
    send_frame(
        &mut stream,
        &query(12, "example.org.", RecordType::SOA).to_vec().unwrap(),
    )
    .await;
    assert_eq!(read_frame(&mut stream).await.unwrap().id(), 12);
    // A zero-length frame closes the connection.
    stream.write_all(&[0, 0]).await.unwrap();
    assert!(read_frame(&mut stream).await.is_none());

    // A length prefix promising more than is sent, then the client goes away.
    let mut stream = TcpStream::connect(fx.addr).await.unwrap();
    stream.write_all(&[0xff, 0xff, 1, 2, 3]).await.unwrap();
    drop(stream);
    // Half a length prefix.
    let mut stream = TcpStream::connect(fx.addr).await.unwrap();
    stream.write_all(&[0x00]).await.unwrap();
    drop(stream);

    // Still serving both transports.
    assert_eq!(
        udp(fx.addr, &query(13, "example.org.", RecordType::SOA))
            .await
            .answers()
            .len(),
        1
    );
    assert_eq!(
        tcp(fx.addr, &query(14, "example.org.", RecordType::SOA))
            .await
            .answers()
            .len(),
        1
    );
}

#[tokio::test]
async fn pipelined_tcp_queries_are_answered_in_order() {
    let fx = start().await;
    example_zone(&fx).await;
    let mut stream = TcpStream::connect(fx.addr).await.unwrap();
    let mut burst = Vec::new();
    for id in 100..120u16 {
        let (name, rtype) = if id % 2 == 0 {
            ("example.org.", RecordType::SOA)
        } else {
            ("www.example.org.", RecordType::A)
        };
        let wire = query(id, name, rtype).to_vec().unwrap();
        burst.extend_from_slice(&(wire.len() as u16).to_be_bytes());
        burst.extend_from_slice(&wire);
    }
    // One write with all twenty queries, then read the twenty answers.
    stream.write_all(&burst).await.unwrap();
    for id in 100..120u16 {
        let r = read_frame(&mut stream).await.unwrap();
        assert_eq!(r.id(), id);
        assert_eq!(r.response_code(), ResponseCode::NoError);
        assert_eq!(r.answers().len(), if id % 2 == 0 { 1 } else { 2 });
    }
}

#[tokio::test]
async fn idle_tcp_connections_are_closed() {
    let fx = start_with(MdnsConfig {
        tcp_timeout: Duration::from_millis(200),
        ..open_config()
    })
    .await;
    let mut stream = TcpStream::connect(fx.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(read_frame(&mut stream).await.is_none());
}

#[tokio::test]
async fn shutdown_stops_the_server() {
    let fx = start().await;
    example_zone(&fx).await;
    // An open idle connection must not hold shutdown up.
    let _idle = TcpStream::connect(fx.addr).await.unwrap();
    fx.shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), fx.server)
        .await
        .expect("serve did not return after shutdown")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn dig_parses_our_axfr() {
    let fx = start().await;
    let zone = zone("dig.example.", 2024);
    let mut sets = managed_sets(&zone);
    for i in 0..3000u32 {
        let name = format!("h{i}.dig.example.");
        sets.push(recordset(
            &zone,
            &name,
            "TXT",
            None,
            &[&format!("\"record number {i}\"")],
        ));
    }
    store(&fx.storage, &zone, &sets).await;

    let output = tokio::process::Command::new("dig")
        .args([
            "@127.0.0.1",
            "-p",
            &fx.addr.port().to_string(),
            "dig.example.",
            "AXFR",
            "+nocomments",
            "+nostats",
            "+nocmd",
        ])
        .output()
        .await
        .expect("dig must be installed (apt-get install bind9-dnsutils)");
    assert!(
        output.status.success(),
        "dig failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
        .collect();
    assert!(!text.contains("Transfer failed"), "{text}");
    assert_eq!(lines.len(), 3000 + 2 + 2, "{text}");
    let fields = |l: &str| l.split_whitespace().map(str::to_owned).collect::<Vec<_>>();
    let first = fields(lines[0]);
    let last = fields(lines[lines.len() - 1]);
    assert_eq!(&first[..4], ["dig.example.", "3600", "IN", "SOA"]);
    assert_eq!(first[6], "2024");
    assert_eq!(first, last);
    assert!(
        text.contains("h2999.dig.example.\t3600\tIN\tTXT\t\"record number 2999\""),
        "{text}"
    );
}

#[tokio::test]
async fn oversized_udp_answers_are_truncated_and_complete_over_tcp() {
    let fx = start().await;
    let zone = zone("fat.example.", 5);
    let mut sets = managed_sets(&zone);
    let texts: Vec<String> = (0..40)
        .map(|i| format!("\"{i:02} {}\"", "x".repeat(60)))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    sets.push(recordset(&zone, "fat.example.", "TXT", None, &refs));
    store(&fx.storage, &zone, &sets).await;

    let r = udp(fx.addr, &query(20, "fat.example.", RecordType::TXT)).await;
    assert!(r.truncated());
    assert!(r.answers().is_empty());
    assert_eq!(r.queries().len(), 1);
    let r = tcp(fx.addr, &query(21, "fat.example.", RecordType::TXT)).await;
    assert!(!r.truncated());
    assert_eq!(r.answers().len(), 40);
}

#[tokio::test]
async fn pool_scoping_hides_other_pools_zones() {
    let fx = start_with(MdnsConfig {
        pool_id: Some(uuid::Uuid::new_v4()),
        ..open_config()
    })
    .await;
    example_zone(&fx).await; // lives in the nil pool
    let r = udp(fx.addr, &query(22, "example.org.", RecordType::SOA)).await;
    assert_eq!(r.response_code(), ResponseCode::Refused);
    let messages = axfr(fx.addr, "example.org.", RecordType::AXFR).await;
    assert_eq!(messages[0].response_code(), ResponseCode::Refused);
}

#[tokio::test]
async fn tcp_connections_are_bounded() {
    let fx = start_with(MdnsConfig {
        max_tcp_connections: 1,
        ..open_config()
    })
    .await;
    example_zone(&fx).await;
    let mut first = TcpStream::connect(fx.addr).await.unwrap();
    send_frame(
        &mut first,
        &query(30, "example.org.", RecordType::SOA).to_vec().unwrap(),
    )
    .await;
    assert_eq!(read_frame(&mut first).await.unwrap().id(), 30);

    // The second client waits in the backlog while the first holds the only slot…
    let mut second = TcpStream::connect(fx.addr).await.unwrap();
    send_frame(
        &mut second,
        &query(31, "example.org.", RecordType::SOA).to_vec().unwrap(),
    )
    .await;
    let mut len = [0u8; 2];
    let early = tokio::time::timeout(Duration::from_millis(300), async {
        use tokio::io::AsyncReadExt;
        second.read_exact(&mut len).await
    })
    .await;
    assert!(
        early.is_err(),
        "second connection served while the slot was taken"
    );
    // …and is served once the first leaves.
    drop(first);
    let r = tokio::time::timeout(Duration::from_secs(5), async {
        use tokio::io::AsyncReadExt;
        second.read_exact(&mut len).await.unwrap();
        let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
        second.read_exact(&mut body).await.unwrap();
        Message::from_vec(&body).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(r.id(), 31);
}

#[tokio::test]
async fn dig_soa_query_with_edns() {
    let fx = start().await;
    let zone = example_zone(&fx).await;
    let output = tokio::process::Command::new("dig")
        .args([
            "@127.0.0.1",
            "-p",
            &fx.addr.port().to_string(),
            "example.org.",
            "SOA",
            "+norec",
        ])
        .output()
        .await
        .expect("dig must be installed (apt-get install bind9-dnsutils)");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("status: NOERROR"), "{text}");
    assert!(text.contains("flags: qr aa;"), "{text}");
    assert!(text.contains("OPT PSEUDOSECTION"), "{text}");
    assert!(
        text.contains(&format!(" {} 3500 600 86400 3600", zone.serial)),
        "{text}"
    );
}
