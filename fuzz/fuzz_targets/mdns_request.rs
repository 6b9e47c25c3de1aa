//! Whole DNS message in, whole response out, through MiniDNS's request handler over both
//! transports, against an in-memory store holding one primary zone (SOA, NS, a wildcard, a CNAME,
//! enough records for a transfer to span several messages) and one secondary zone (NOTIFY).
//!
//! Checks: no panic; every response decodes as a DNS response carrying the request's id;
//! nothing answers a packet too short for a header or one that is itself a response.
#![no_main]

use std::sync::{Arc, LazyLock};

use designate_core::objects::ZoneType;
use designate_mdns::fuzzing::FuzzHandler;
use designate_mdns::MdnsConfig;
use designate_storage::contract::{recordset, zone};
use designate_storage::{SqlStorage, Storage};
use hickory_proto::op::{Message, MessageType};
use libfuzzer_sys::fuzz_target;
use tokio::runtime::Runtime;

/// MiniDNS's `max_message_size` here: small, so transfers split into several messages.
const MAX_MESSAGE_SIZE: u16 = 1024;

/// The runtime and handler, built once per process (opening and seeding the store is slow).
static STATE: LazyLock<(Runtime, FuzzHandler)> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    let storage = runtime.block_on(seeded_storage());
    let config = MdnsConfig {
        max_message_size: usize::from(MAX_MESSAGE_SIZE),
        query_acl: vec![designate_mdns::AclEntry::Any],
        ..MdnsConfig::default()
    };
    let handler = FuzzHandler::new(storage, config);
    // The seeded zone must really be served, or the fuzzing would only reach REFUSED paths.
    let soa =
        b"\x00\x01\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03org\x00\x00\x06\x00\x01";
    let answer = runtime.block_on(handler.handle(soa, false));
    let answer = Message::from_vec(&answer[0]).expect("SOA answer");
    assert_eq!(
        answer.answers().len(),
        1,
        "seeded zone not served: {answer:?}"
    );
    let mut axfr = soa.to_vec();
    axfr[26] = 252;
    let messages = runtime.block_on(handler.handle(&axfr, true));
    assert!(
        messages.len() > 1,
        "transfer of the seeded zone fits one message"
    );
    (runtime, handler)
});

async fn seeded_storage() -> Arc<dyn Storage> {
    let storage = SqlStorage::connect("sqlite::memory:")
        .await
        .expect("in-memory store");
    storage.migrate().await.expect("migrations");
    let pool = uuid::Uuid::new_v4();
    let primary = zone("example.org.", "fuzz", pool);
    let mut secondary = zone("example.net.", "fuzz", pool);
    secondary.zone_type = ZoneType::Secondary;
    let o = "example.org.";
    let many: Vec<String> = (0..60).map(|i| format!("192.0.2.{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let sets = [
        recordset(
            &primary,
            o,
            "SOA",
            &["ns1.example.org. hostmaster.example.org. 1 3500 600 86400 3600"],
        ),
        recordset(&primary, o, "NS", &["ns1.example.org.", "ns2.example.net."]),
        recordset(&primary, o, "MX", &["10 mail.example.org."]),
        recordset(
            &primary,
            o,
            "TXT",
            &["\"v=spf1 -all\"", "\"a\" \"b\\\"c\\065\""],
        ),
        recordset(&primary, o, "CAA", &["0 issue \"ca.example.net\""]),
        recordset(&primary, "ns1.example.org.", "A", &["192.0.2.53"]),
        recordset(&primary, "ns1.example.org.", "AAAA", &["2001:db8::53"]),
        recordset(&primary, "www.example.org.", "A", &many),
        recordset(
            &primary,
            "alias.example.org.",
            "CNAME",
            &["www.example.org."],
        ),
        recordset(&primary, "*.wild.example.org.", "A", &["192.0.2.99"]),
        recordset(
            &primary,
            "_sip._tcp.example.org.",
            "SRV",
            &["10 20 5060 sip.example.org."],
        ),
        recordset(
            &primary,
            "e164.example.org.",
            "NAPTR",
            &["100 10 \"U\" \"E2U+sip\" \"!^.*$!sip:info@example.org!\" ."],
        ),
        recordset(&primary, "sub.example.org.", "NS", &["ns.sub.example.org."]),
        recordset(&primary, "ns.sub.example.org.", "A", &["192.0.2.77"]),
        recordset(
            &secondary,
            "example.net.",
            "SOA",
            &["ns1.example.net. hostmaster.example.net. 7 3500 600 86400 3600"],
        ),
    ];
    let mut tx = storage.begin().await.expect("begin");
    tx.create_zone(&primary).await.expect("create zone");
    tx.create_zone(&secondary).await.expect("create zone");
    for set in &sets {
        tx.create_recordset(set).await.expect("create recordset");
    }
    tx.commit().await.expect("commit");
    Arc::new(storage)
}

fuzz_target!(|packet: &[u8]| {
    let (runtime, handler) = &*STATE;
    for tcp in [false, true] {
        let responses = runtime.block_on(handler.handle(packet, tcp));
        let Some(header) = packet.get(..12) else {
            assert!(responses.is_empty(), "answered a packet without a header");
            continue;
        };
        if header[2] & 0x80 != 0 {
            assert!(responses.is_empty(), "answered a response");
            continue;
        }
        assert!(!responses.is_empty(), "no answer to a request");
        if !tcp {
            assert_eq!(responses.len(), 1, "several UDP messages");
            // 512 without EDNS, else the client's payload, within our max_message_size.
            let client = Message::from_vec(packet)
                .ok()
                .and_then(|m| m.extensions().as_ref().map(|e| e.max_payload()));
            let limit = usize::from(client.map_or(512, |p| p.max(512)).min(MAX_MESSAGE_SIZE));
            assert!(
                responses[0].len() <= limit,
                "UDP response of {} bytes",
                responses[0].len()
            );
        }
        for wire in &responses {
            assert!(wire.len() <= 65535, "response of {} bytes", wire.len());
            let response = Message::from_vec(wire).expect("response does not decode");
            assert_eq!(&wire[..2], &packet[..2], "response id differs");
            assert_eq!(response.message_type(), MessageType::Response);
        }
    }
});
