//! A large zone import through the real binary: the file goes in through the API, progress
//! shows in the task while it runs, and the zone is then served — checked with real DNS packets
//! against the built-in nameserver and a real `dig` AXFR from MiniDNS.
//!
//! The suite imports 20,000 records; `DESIGNATE_IMPORT_RECORDS=100000` runs the full-size case
//! (see docs/PERFORMANCE.md for its timing and the command).

use std::time::{Duration, Instant};

use hickory_proto::rr::{RData, RecordType};
use serde_json::json;

use crate::dns::{dig, udp, wait_answer};
use crate::harness::{Ports, Service};

/// The address of record `i` (unique for i < 2^24).
fn address(i: usize) -> String {
    format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

fn zone_file(zone: &str, records: usize) -> String {
    let mut text = format!(
        "$ORIGIN {zone}\n$TTL 3600\n@ 3600 IN SOA ns1.{zone} hostmaster.{zone} 1 3600 600 86400 300\n@ IN NS ns1.{zone}\n"
    );
    for i in 0..records {
        text.push_str(&format!("h{i} 300 IN A {}\n", address(i)));
    }
    text
}

#[tokio::test]
async fn large_zone_import_is_served() {
    let records: usize = std::env::var("DESIGNATE_IMPORT_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let state = tempfile::tempdir().expect("tempdir");
    let service = Service::start_in_with(
        state.path(),
        &Ports::any(),
        "[oslo_middleware]\nmax_request_body_size = 67108864\n",
    )
    .await;
    // Room for the zone: upstream's default quotas allow 500 recordsets per zone.
    let (status, body) = service
        .call(
            reqwest::Method::PATCH,
            "/v2/quotas/noauth-project",
            Some(json!({"zone_recordsets": 1_000_000, "zone_records": 1_000_000})),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let zone = "big.example.org.";
    let text = zone_file(zone, records);
    let started = Instant::now();
    let (status, task) = service
        .raw(
            reqwest::Method::POST,
            "/v2/zones/tasks/imports",
            "text/dns",
            &text,
        )
        .await;
    assert_eq!(status, 202, "{task}");
    let accepted_after = started.elapsed();
    assert!(
        accepted_after < Duration::from_secs(10),
        "202 at once: {accepted_after:?}"
    );
    let path = format!(
        "/v2/zones/tasks/imports/{}",
        task["id"].as_str().unwrap_or_default()
    );

    let mut messages: Vec<String> = Vec::new();
    let task = loop {
        let (status, task) = service.call(reqwest::Method::GET, &path, None).await;
        assert_eq!(status, 200, "{task}");
        if let Some(m) = task["message"].as_str() {
            if messages.last().map(String::as_str) != Some(m) {
                eprintln!("{:?}: {m}", started.elapsed());
                messages.push(m.to_owned());
            }
        }
        if task["status"] != "PENDING" {
            break task;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "import too slow: {messages:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let imported_after = started.elapsed();
    assert_eq!(task["status"], "COMPLETE", "{task} after {messages:?}");
    assert_eq!(task["message"], format!("{zone} imported").as_str());
    assert!(
        messages.iter().any(|m| m.starts_with("Writing ")),
        "progress was visible: {messages:?}"
    );
    let zone_id = task["zone_id"].as_str().unwrap_or_default().to_owned();
    service
        .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(300))
        .await;
    let served_after = started.elapsed();

    // A sample, by real queries to the built-in nameserver.
    for i in [0, 1, records / 3, records / 2, records - 1] {
        let name = format!("h{i}.{zone}");
        wait_answer(
            service.nameserver,
            &name,
            RecordType::A,
            Duration::from_secs(30),
            |m| {
                m.answers()
                    .iter()
                    .any(|r| matches!(r.data(), RData::A(a) if a.0.to_string() == address(i)))
            },
        )
        .await;
    }
    let missing = udp(
        service.nameserver,
        &format!("h{records}.{zone}"),
        RecordType::A,
    )
    .await;
    assert_eq!(
        missing.response_code(),
        hickory_proto::op::ResponseCode::NXDomain
    );

    // The whole zone, by a real AXFR from MiniDNS: SOA twice, the pool's NS, every record.
    let axfr = dig(service.mdns, &["+time=120", zone, "AXFR"]);
    let a_records = axfr
        .lines()
        .filter(|l| !l.starts_with(';') && l.split_whitespace().nth(3) == Some("A"))
        .count();
    let head: String = axfr.lines().take(12).collect::<Vec<_>>().join("\n");
    assert_eq!(
        a_records, records,
        "AXFR holds every imported record: {head}"
    );
    eprintln!(
        "imported {records} records: 202 after {accepted_after:?}, COMPLETE after \
         {imported_after:?}, ACTIVE after {served_after:?}; progress: {messages:?}"
    );
}
