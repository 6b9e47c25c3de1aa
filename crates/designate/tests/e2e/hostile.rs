//! Hostile input: every bad request gets upstream's error envelope and code, nothing is half
//! written, and the service keeps answering — over HTTP and on both DNS ports.

use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::dns::udp;
use crate::harness::Service;

fn assert_error(status: u16, body: &Value, code: u16, error_type: &str, what: &str) {
    assert_eq!(status, code, "{what}: {body}");
    assert_eq!(body["code"], code, "{what}: {body}");
    assert_eq!(body["type"], error_type, "{what}: {body}");
    assert!(
        body["request_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("req-")),
        "{what}: {body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_zone_requests_get_upstream_errors() {
    let service = Service::start().await;
    let (s, b) = service
        .raw(Method::POST, "/v2/zones", "application/json", "{\"name\": ")
        .await;
    assert_eq!(s, 400, "malformed JSON: {b}");
    assert_eq!(b["code"], 400);
    let (s, b) = service
        .raw(
            Method::POST,
            "/v2/zones",
            "text/plain",
            "{\"name\":\"a.test.\",\"email\":\"a@a.test\"}",
        )
        .await;
    assert_error(s, &b, 415, "unsupported_content_type", "text/plain body");
    for (body, what) in [
        (
            json!({"name": 42, "email": "a@b.test"}),
            "name of the wrong type",
        ),
        (
            json!({"name": "a.test.", "email": "a@a.test", "ttl": "x"}),
            "ttl of the wrong type",
        ),
        (
            json!({"name": "a.test.", "email": "a@a.test", "bogus": 1}),
            "unknown field",
        ),
        (json!({"email": "a@a.test"}), "missing name"),
        (
            json!({"name": "no-trailing-dot.test", "email": "a@a.test"}),
            "relative name",
        ),
        (
            json!({"name": format!("{}.test.", "a".repeat(64)), "email": "a@a.test"}),
            "64-octet label",
        ),
        (
            json!({"name": format!("{}test.", "abcdefghi.".repeat(26)), "email": "a@a.test"}),
            "name over 255",
        ),
        (
            json!({"name": "a.test.", "email": "not-an-email"}),
            "bad email",
        ),
        (
            json!({"name": "a.test.", "email": "a@a.test", "ttl": -1}),
            "negative ttl",
        ),
        (json!([1, 2]), "an array"),
    ] {
        let (s, b) = service.call(Method::POST, "/v2/zones", Some(body)).await;
        assert_eq!(s, 400, "{what}: {b}");
        assert_eq!(b["code"], 400, "{what}: {b}");
        assert!(b["type"].is_string(), "{what}: {b}");
    }
    // Nothing of the above was written.
    let (s, b) = service.call(Method::GET, "/v2/zones", None).await;
    assert_eq!(s, 200);
    assert_eq!(b["metadata"]["total_count"], 0, "{b}");

    service.create_zone("dup.test.").await;
    let (s, b) = service
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "dup.test.", "email": "a@dup.test"})),
        )
        .await;
    assert_error(s, &b, 409, "duplicate_zone", "duplicate zone");
    let (s, b) = service
        .call(
            Method::GET,
            "/v2/zones/6d5a6f3f-0000-4000-8000-000000000000",
            None,
        )
        .await;
    assert_error(s, &b, 404, "zone_not_found", "unknown zone");
    let (s, _) = service.call(Method::PUT, "/v2/zones", None).await;
    assert_eq!(s, 405, "PUT on the collection");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_record_data_is_refused_for_every_type() {
    let service = Service::start().await;
    let zone = service.create_zone("data.test.").await;
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    let path = format!("/v2/zones/{zone_id}/recordsets");
    let cases: &[(&str, &str)] = &[
        ("A", "192.0.2.300"),
        ("A", "2001:db8::1"),
        ("AAAA", "192.0.2.1"),
        ("AAAA", "2001:db8::g"),
        ("CNAME", "not a name"),
        ("MX", "mail.data.test."),
        ("MX", "70000 mail.data.test."),
        ("TXT", "line one\nline two"),
        ("TXT", "carriage\rreturn"),
        ("TXT", "nul\u{0}byte"),
        ("SPF", "\"v=spf1\"\n\"-all\""),
        ("SRV", "10 20 mail.data.test."),
        ("SRV", "10 20 70000 sip.data.test."),
        ("NS", "1.2.3.4 extra"),
        ("PTR", "bad..name."),
        ("CAA", "0 issue"),
        ("CAA", "999 issue \"ca.test\""),
        ("SSHFP", "1 1 nothex"),
        ("SSHFP", "9999 1 0123456789abcdef"),
        (
            "NAPTR",
            "100 10 \"S\" \"SIP+D2U\" \"!^.*$!sip:x@data.test!\n\" _sip._udp.data.test.",
        ),
        ("NAPTR", "100 10 S"),
        ("CERT", "PGP 0 0 not base64!!"),
        ("CERT", "1"),
        ("BOGUS", "1"),
    ];
    for (rtype, data) in cases {
        let (s, b) = service
            .call(
                Method::POST,
                &path,
                Some(json!({"name": "x.data.test.", "type": rtype, "records": [data]})),
            )
            .await;
        assert_eq!(s, 400, "{rtype} {data:?} accepted: {b}");
        assert!(b["type"].is_string(), "{rtype} {data:?}: {b}");
    }
    // Name outside the zone, CNAME at the apex, CNAME beside other data, duplicates.
    let (s, b) = service
        .call(
            Method::POST,
            &path,
            Some(json!({"name": "www.other.test.", "type": "A", "records": ["192.0.2.1"]})),
        )
        .await;
    assert_error(s, &b, 400, "invalid_recordset_location", "outside the zone");
    let (s, b) = service
        .call(
            Method::POST,
            &path,
            Some(json!({"name": "data.test.", "type": "CNAME", "records": ["x.test."]})),
        )
        .await;
    assert_eq!(s, 400, "CNAME at the apex: {b}");
    service
        .create_recordset(&zone_id, "c.data.test.", "A", &["192.0.2.1"])
        .await;
    let (s, b) = service
        .call(
            Method::POST,
            &path,
            Some(json!({"name": "c.data.test.", "type": "CNAME", "records": ["x.test."]})),
        )
        .await;
    assert!(s == 400 || s == 409, "CNAME beside an A: {s} {b}");
    let (s, b) = service
        .call(
            Method::POST,
            &path,
            Some(json!({"name": "c.data.test.", "type": "A", "records": ["192.0.2.2"]})),
        )
        .await;
    assert_error(s, &b, 409, "duplicate_recordset", "duplicate recordset");
    // Only the one good recordset (plus SOA and NS) exists.
    let (_, b) = service.call(Method::GET, &path, None).await;
    assert_eq!(b["metadata"]["total_count"], 3, "{b}");
    // AXFR still parses for a real client after all this.
    let axfr = crate::dns::dig(service.mdns, &["data.test", "AXFR"]);
    assert!(axfr.contains("c.data.test."), "{axfr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_packets_do_not_hurt_either_dns_port() {
    let service = Service::start().await;
    let zone = service.create_zone("garbage.test.").await;
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    service
        .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(5))
        .await;
    let garbage: Vec<Vec<u8>> = vec![
        vec![],
        vec![0],
        vec![0xff; 11],
        vec![0xab; 12],
        vec![
            0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc0, 0x0c,
        ],
        (0..=255u8).cycle().take(4000).collect(),
        vec![
            0x00, 0x01, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ],
    ];
    for server in [service.nameserver, service.mdns] {
        let sock = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        for packet in &garbage {
            sock.send_to(packet, server).await.expect("send");
        }
        for packet in &garbage {
            if let Ok(mut stream) = TcpStream::connect(server).await {
                let _ = stream.write_all(&(packet.len() as u16).to_be_bytes()).await;
                let _ = stream.write_all(packet).await;
                let mut buf = [0u8; 512];
                let _ =
                    tokio::time::timeout(Duration::from_millis(300), stream.read(&mut buf)).await;
            }
        }
        // A length prefix promising more than is sent, then a hang-up.
        if let Ok(mut stream) = TcpStream::connect(server).await {
            let _ = stream.write_all(&[0xff, 0xff, 1, 2, 3]).await;
        }
        let m = udp(server, "garbage.test.", RecordType::SOA).await;
        assert_eq!(
            m.response_code(),
            ResponseCode::NoError,
            "{server} after garbage: {m:?}"
        );
    }
    let (s, _) = service.call(Method::GET, "/v2/zones", None).await;
    assert_eq!(s, 200);
}
