//! IXFR end to end over real sockets: central writes the change journal in each change's
//! transaction, MiniDNS answers IXFR from it, and the built-in nameserver asks IXFR first and
//! applies the differences (or falls back to AXFR when the journal does not reach back).

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use designate_bus::CentralApi;
use designate_core::objects::{RecordSetUpdate, ZoneUpdate};
use designate_mdns::MdnsConfig;
use designate_nameserver::{NameserverConfig, NameserverHandle};
use designate_storage::Storage;
use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

const ZONE: &str = "example.org.";

/// MiniDNS and the built-in nameserver (secondary of it) beside a central harness.
struct Stack {
    h: Harness,
    mdns: SocketAddr,
    ns: NameserverHandle,
    shutdown: CancellationToken,
    _ns_dir: tempfile::TempDir,
}

async fn stack() -> Stack {
    let h = harness().await;
    let shutdown = CancellationToken::new();
    let mdns = designate_mdns::bind(
        MdnsConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            // The test's pool lists no servers; the ACL is not what this test is about.
            query_acl: vec![designate_mdns::AclEntry::Any],
            ..MdnsConfig::default()
        },
        h.storage.clone() as Arc<dyn Storage>,
    )
    .await
    .unwrap();
    let mdns_addr = mdns.local_addr();
    tokio::spawn(mdns.serve(shutdown.clone()));
    let ns_dir = tempfile::tempdir().unwrap();
    let (ns, _join) = designate_nameserver::start(
        NameserverConfig {
            listen: "127.0.0.1:0".parse().unwrap(),
            state_dir: ns_dir.path().to_path_buf(),
            transfer_timeout: Duration::from_secs(3),
            ..NameserverConfig::default()
        },
        shutdown.clone(),
    )
    .await
    .unwrap();
    Stack {
        h,
        mdns: mdns_addr,
        ns,
        shutdown,
        _ns_dir: ns_dir,
    }
}

impl Stack {
    async fn serial(&self, zone_id: Uuid) -> u32 {
        stored_zone(&self.h, zone_id).await.serial
    }

    /// Kicks a refresh (as a NOTIFY does) and waits until the nameserver serves `serial`.
    async fn refresh_to(&self, serial: u32) {
        self.ns.add_zone(ZONE, vec![self.mdns]).await.unwrap();
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while self.ns.zone_serial(ZONE) != Some(serial) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "nameserver stuck at {:?}, want {serial}",
                self.ns.zone_serial(ZONE)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The nameserver's answer to `name`/`rtype`: rcode and the data of the answers.
    async fn ask(&self, name: &str, rtype: RecordType) -> (ResponseCode, Vec<String>) {
        let m = udp_query(self.ns.local_addr(), name, rtype).await;
        let mut data: Vec<String> = m
            .answers()
            .iter()
            .filter(|r| r.record_type() == rtype)
            .map(|r| format!("{} {}", r.ttl(), r.data()))
            .collect();
        data.sort();
        (m.response_code(), data)
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

async fn udp_query(server: SocketAddr, name: &str, rtype: RecordType) -> Message {
    let mut m = Message::new();
    m.set_id(0x4242)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.send_to(&m.to_vec().unwrap(), server).await.unwrap();
    let mut buf = vec![0u8; 65535];
    let (n, _) = tokio::time::timeout(Duration::from_secs(3), socket.recv_from(&mut buf))
        .await
        .expect("answer")
        .unwrap();
    Message::from_vec(&buf[..n]).unwrap()
}

/// Every answer record of an IXFR to MiniDNS from `serial`, over TCP, until the closing SOA.
async fn raw_ixfr(mdns: SocketAddr, serial: u32) -> Vec<Record> {
    let origin = Name::from_ascii(ZONE).unwrap();
    let mut m = Message::new();
    m.set_id(7)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(origin.clone(), RecordType::IXFR));
    let soa =
        hickory_proto::rr::rdata::SOA::new(origin.clone(), origin.clone(), serial, 1, 1, 1, 1);
    m.add_name_server(Record::from_rdata(origin, 0, RData::SOA(soa)));
    let body = m.to_vec().unwrap();
    let mut stream = TcpStream::connect(mdns).await.unwrap();
    let mut frame = (body.len() as u16).to_be_bytes().to_vec();
    frame.extend_from_slice(&body);
    stream.write_all(&frame).await.unwrap();
    let mut out: Vec<Record> = Vec::new();
    loop {
        let len = stream.read_u16().await.unwrap();
        let mut buf = vec![0u8; usize::from(len)];
        stream.read_exact(&mut buf).await.unwrap();
        let response = Message::from_vec(&buf).unwrap();
        assert_eq!(response.response_code(), ResponseCode::NoError);
        out.extend(response.answers().iter().cloned());
        let first = soa_serial(&out[0]);
        let soas = out
            .iter()
            .filter(|r| r.record_type() == RecordType::SOA)
            .count();
        // A lone SOA, or the closing SOA (the new serial again, after at least 2 records).
        if out.len() == 1 && first == Some(serial)
            || out.len() > 1 && soas >= 2 && soa_serial(out.last().unwrap()) == first
        {
            return out;
        }
    }
}

fn soa_serial(record: &Record) -> Option<u32> {
    match record.data() {
        RData::SOA(soa) => Some(soa.serial()),
        _ => None,
    }
}

/// Summarises a transfer as "TYPE name data" lines (SOAs as "SOA <serial>").
fn summary(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| match soa_serial(r) {
            Some(serial) => format!("SOA {serial}"),
            None => format!("{} {} {}", r.record_type(), r.name(), r.data()),
        })
        .collect()
}

#[tokio::test]
async fn nameserver_applies_ixfr_from_the_journal_central_writes() {
    let s = stack().await;
    let c = ctx("p1");
    let zone = s.h.central.create_zone(&c, new_zone(ZONE)).await.unwrap();
    let www =
        s.h.central
            .create_recordset(&c, zone.id, new_rs("www.example.org.", "A", &["192.0.2.1"]))
            .await
            .unwrap();
    let gone =
        s.h.central
            .create_recordset(
                &c,
                zone.id,
                new_rs("gone.example.org.", "TXT", &["\"bye\""]),
            )
            .await
            .unwrap();
    let first = s.serial(zone.id).await;
    s.refresh_to(first).await;
    assert_eq!(
        s.ns.zone_transfers(ZONE),
        Some((1, 0)),
        "first load is AXFR"
    );

    // Several changes between two refreshes: one IXFR carrying several difference sequences.
    s.h.central
        .create_recordset(
            &c,
            zone.id,
            new_rs("mail.example.org.", "A", &["192.0.2.25"]),
        )
        .await
        .unwrap();
    s.h.central
        .update_recordset(
            &c,
            zone.id,
            www.id,
            RecordSetUpdate {
                records: Some(vec!["192.0.2.2".to_owned(), "192.0.2.3".to_owned()]),
                ttl: Some(Some(600)),
                ..RecordSetUpdate::default()
            },
        )
        .await
        .unwrap();
    s.h.central
        .delete_recordset(&c, zone.id, gone.id)
        .await
        .unwrap();
    let second = s.serial(zone.id).await;
    assert!(second > first);

    // What MiniDNS sends: new SOA, three difference sequences, new SOA.
    let records = raw_ixfr(s.mdns, first).await;
    let ixfr = summary(&records);
    assert_eq!(ixfr.first(), Some(&format!("SOA {second}")));
    assert_eq!(ixfr.last(), Some(&format!("SOA {second}")));
    assert_eq!(ixfr[1], format!("SOA {first}"));
    // The new SOA, taken from the journal, is the very record an SOA query is answered with.
    let served = udp_query(s.mdns, ZONE, RecordType::SOA).await;
    assert_eq!(records.first(), served.answers().first());
    assert_eq!(records.last(), served.answers().first());
    assert!(
        ixfr.contains(&"A mail.example.org. 192.0.2.25".to_owned()),
        "{ixfr:?}"
    );
    assert!(
        ixfr.contains(&"TXT gone.example.org. bye".to_owned()),
        "{ixfr:?}"
    );
    assert_eq!(
        ixfr.iter().filter(|l| l.starts_with("SOA")).count(),
        2 + 3 * 2,
        "{ixfr:?}"
    );

    s.refresh_to(second).await;
    assert_eq!(
        s.ns.zone_transfers(ZONE),
        Some((1, 1)),
        "second load is IXFR"
    );
    assert_eq!(
        s.ask("mail.example.org.", RecordType::A).await,
        (ResponseCode::NoError, vec!["3600 192.0.2.25".to_owned()])
    );
    assert_eq!(
        s.ask("www.example.org.", RecordType::A).await,
        (
            ResponseCode::NoError,
            vec!["600 192.0.2.2".to_owned(), "600 192.0.2.3".to_owned()]
        )
    );
    assert_eq!(
        s.ask("gone.example.org.", RecordType::TXT).await.0,
        ResponseCode::NXDomain
    );

    // A zone TTL change reaches every recordset without its own TTL: journaled zone-wide.
    s.h.central
        .update_zone(
            &c,
            zone.id,
            ZoneUpdate {
                ttl: Some(1200),
                ..ZoneUpdate::default()
            },
        )
        .await
        .unwrap();
    let third = s.serial(zone.id).await;
    s.refresh_to(third).await;
    assert_eq!(s.ns.zone_transfers(ZONE), Some((1, 2)));
    assert_eq!(
        s.ask("mail.example.org.", RecordType::A).await,
        (ResponseCode::NoError, vec!["1200 192.0.2.25".to_owned()])
    );

    // A client already current gets the lone SOA.
    assert_eq!(
        summary(&raw_ixfr(s.mdns, third).await),
        [format!("SOA {third}")]
    );
}

#[tokio::test]
async fn ixfr_falls_back_to_axfr_when_the_journal_does_not_reach_back() {
    let s = stack().await;
    let c = ctx("p1");
    let zone = s.h.central.create_zone(&c, new_zone(ZONE)).await.unwrap();
    let first = s.serial(zone.id).await;
    s.refresh_to(first).await;

    s.h.central
        .create_recordset(&c, zone.id, new_rs("a.example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    // The journal loses everything up to here (as pruning does for a secondary far behind).
    let mut tx = s.h.storage.begin().await.unwrap();
    tx.prune_zone_journal(zone.id, 0, 0).await.unwrap();
    tx.commit().await.unwrap();
    s.h.central
        .create_recordset(&c, zone.id, new_rs("b.example.org.", "A", &["192.0.2.2"]))
        .await
        .unwrap();
    let now = s.serial(zone.id).await;

    // MiniDNS answers AXFR-style: SOA, every record, SOA.
    let answer = summary(&raw_ixfr(s.mdns, first).await);
    assert_eq!(
        answer.iter().filter(|l| l.starts_with("SOA")).count(),
        2,
        "{answer:?}"
    );
    assert!(
        answer.contains(&"A a.example.org. 192.0.2.1".to_owned()),
        "{answer:?}"
    );

    s.refresh_to(now).await;
    assert_eq!(s.ns.zone_transfers(ZONE), Some((2, 0)), "whole zone again");
    assert_eq!(
        s.ask("a.example.org.", RecordType::A).await,
        (ResponseCode::NoError, vec!["3600 192.0.2.1".to_owned()])
    );
}

#[tokio::test]
async fn dig_reads_our_ixfr() {
    let s = stack().await;
    let c = ctx("p1");
    let zone = s.h.central.create_zone(&c, new_zone(ZONE)).await.unwrap();
    let first = s.serial(zone.id).await;
    s.h.central
        .create_recordset(
            &c,
            zone.id,
            new_rs("dig.example.org.", "AAAA", &["2001:db8::1"]),
        )
        .await
        .unwrap();
    let second = s.serial(zone.id).await;
    let out = tokio::process::Command::new("dig")
        .args([
            "-p",
            &s.mdns.port().to_string(),
            "@127.0.0.1",
            ZONE,
            &format!("IXFR={first}"),
            "+tcp",
            "+nocmd",
            "+nostats",
            "+noall",
            "+answer",
        ])
        .output()
        .await
        .expect("dig is installed");
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    // Each line: owner TTL class type data...; keep type and the SOA serial / data.
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with(';'))
        .map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            match f.get(3) {
                Some(&"SOA") => format!("SOA {}", f.get(6).unwrap_or(&"?")),
                Some(t) => format!("{t} {} {}", f[0], f[4..].join(" ")),
                None => l.to_owned(),
            }
        })
        .collect();
    assert_eq!(
        lines,
        [
            format!("SOA {second}"),
            format!("SOA {first}"),
            format!("SOA {second}"),
            "AAAA dig.example.org. 2001:db8::1".to_owned(),
            format!("SOA {second}"),
        ],
        "{text}"
    );
}

/// Runs `named-journalprint` on BIND's journal of the zone (present only after an incremental
/// transfer: an AXFR rewrites the zone file and drops the journal).
fn bind_journal(named: &designate_backends::testing::Named) -> Option<String> {
    let path = named.zone_dir().join("example.org.db.jnl");
    if !path.exists() {
        return None;
    }
    let out =
        std::process::Command::new(designate_backends::testing::program("named-journalprint"))
            .arg(&path)
            .output()
            .expect("named-journalprint (bind9-utils / bind9)");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Waits until BIND serves `serial` for the zone.
async fn bind_serial(named: SocketAddr, serial: u32) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    loop {
        let m = udp_query(named, ZONE, RecordType::SOA).await;
        if m.answers().first().and_then(soa_serial) == Some(serial) {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "BIND not at serial {serial}: {m:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn bind9_secondary_transfers_incrementally_from_minidns() {
    let s = stack().await;
    let named = designate_backends::testing::Named::start();
    let c = ctx("p1");
    let zone = s.h.central.create_zone(&c, new_zone(ZONE)).await.unwrap();
    let www =
        s.h.central
            .create_recordset(&c, zone.id, new_rs("www.example.org.", "A", &["192.0.2.1"]))
            .await
            .unwrap();
    let first = s.serial(zone.id).await;
    let config = format!(
        "{{ type secondary; primaries {{ {} port {}; }}; file \"example.org.db\"; }};",
        s.mdns.ip(),
        s.mdns.port()
    );
    let (ok, text) = named.rndc(&["addzone", ZONE, &config]);
    assert!(ok, "rndc addzone: {text}");
    bind_serial(named.addr, first).await;
    assert!(
        bind_journal(&named).is_none(),
        "first load is a whole-zone transfer"
    );

    s.h.central
        .update_recordset(
            &c,
            zone.id,
            www.id,
            RecordSetUpdate {
                records: Some(vec!["192.0.2.7".to_owned()]),
                ..RecordSetUpdate::default()
            },
        )
        .await
        .unwrap();
    s.h.central
        .create_recordset(&c, zone.id, new_rs("new.example.org.", "TXT", &["\"hi\""]))
        .await
        .unwrap();
    let second = s.serial(zone.id).await;
    let (ok, text) = named.rndc(&["refresh", ZONE]);
    assert!(ok, "rndc refresh: {text}");
    bind_serial(named.addr, second).await;

    let journal = bind_journal(&named).expect("BIND kept an IXFR journal");
    for expected in [
        "del www.example.org.".to_owned(),
        "add www.example.org.".to_owned(),
        "add new.example.org.".to_owned(),
        format!("{first}"),
        format!("{second}"),
    ] {
        assert!(
            journal.contains(&expected),
            "{expected:?} not in:\n{journal}"
        );
    }
    let m = udp_query(named.addr, "www.example.org.", RecordType::A).await;
    let data: Vec<String> = m.answers().iter().map(|r| r.data().to_string()).collect();
    assert_eq!(data, ["192.0.2.7"]);
}
