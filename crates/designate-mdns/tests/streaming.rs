//! Full transfers streamed from the store page by page: a zone spanning several storage pages
//! and many messages, pipelined with other queries on one TCP connection, with EDNS.

mod common;

use std::collections::BTreeSet;

use common::*;
use designate_mdns::MdnsConfig;
use hickory_proto::op::{Edns, ResponseCode};
use hickory_proto::rr::RecordType;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Reads one AXFR's messages (until the closing SOA) from a connection; returns its records.
async fn read_axfr(stream: &mut TcpStream, id: u16) -> (usize, Vec<String>) {
    let (mut messages, mut soas, mut records) = (0, 0, Vec::new());
    while soas < 2 {
        let m = read_frame(stream).await.expect("transfer cut short");
        assert_eq!(m.id(), id);
        assert_eq!(m.response_code(), ResponseCode::NoError);
        assert!(m.extensions().is_some(), "EDNS answered with OPT");
        messages += 1;
        for r in m.answers() {
            if r.record_type() == RecordType::SOA {
                soas += 1;
            } else {
                records.push(format!("{} {}", r.name(), r.data()));
            }
        }
    }
    (messages, records)
}

#[tokio::test]
async fn a_zone_of_several_pages_streams_pipelined_with_other_queries() {
    let fx = start_with(MdnsConfig {
        max_message_size: 8192,
        ..open_config()
    })
    .await;
    let z = zone("stream.example.", 77);
    let mut sets = managed_sets(&z);
    let n = 5_500u32;
    for i in 0..n {
        let ip = format!("10.0.{}.{}", i >> 8, i & 255);
        sets.push(recordset(
            &z,
            &format!("h{i}.stream.example."),
            "A",
            None,
            &[&ip],
        ));
    }
    store(&fx.storage, &z, &sets).await;

    let mut stream = TcpStream::connect(fx.addr).await.unwrap();
    let mut burst = Vec::new();
    for (id, rtype) in [
        (1, RecordType::AXFR),
        (2, RecordType::SOA),
        (3, RecordType::AXFR),
    ] {
        let mut q = query(id, "stream.example.", rtype);
        q.set_edns(Edns::new());
        let wire = q.to_vec().unwrap();
        burst.extend_from_slice(&(wire.len() as u16).to_be_bytes());
        burst.extend_from_slice(&wire);
    }
    stream.write_all(&burst).await.unwrap();

    let (messages, first) = read_axfr(&mut stream, 1).await;
    assert!(messages > 20, "{messages} messages of ≤ 8 KiB");
    let soa = read_frame(&mut stream).await.unwrap();
    assert_eq!((soa.id(), soa.answers().len()), (2, 1));
    let (_, second) = read_axfr(&mut stream, 3).await;
    // Every record exactly once (NS ×2 + the A records), the same in both transfers.
    let unique: BTreeSet<&String> = first.iter().collect();
    assert_eq!(first.len(), n as usize + 2);
    assert_eq!(unique.len(), first.len());
    assert_eq!(
        unique,
        second.iter().collect::<BTreeSet<_>>(),
        "both transfers carry the same records"
    );
}
