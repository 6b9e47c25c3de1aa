//! The spine: a zone and its records created through the API are served by the built-in
//! nameserver and by MiniDNS, and go away again on delete.

use std::collections::BTreeSet;
use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use reqwest::Method;
use serde_json::json;

use crate::dns::{dig, dig_records, tcp, udp, wait_answer};
use crate::harness::{wait_for, Service};

/// Generous bounds for a loaded CI machine; the benchmark records the real latencies.
const WITHIN: Duration = Duration::from_secs(5);

fn a_record_is(msg: &hickory_proto::op::Message, want: &str) -> bool {
    msg.answers()
        .iter()
        .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == want))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zone_and_recordset_lifecycle_end_to_end() {
    zone_and_recordset_lifecycle(&Service::start().await).await;
}

/// The spine flow against a running service (also run on PostgreSQL and MariaDB, `engines`).
pub(crate) async fn zone_and_recordset_lifecycle(service: &Service) {
    // Create: 202 + PENDING, then ACTIVE once the nameserver serves it.
    let zone = service.create_zone("example.org.").await;
    assert_eq!(zone["status"], "PENDING");
    assert_eq!(zone["action"], "CREATE");
    assert_eq!(zone["name"], "example.org.");
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    let active = service.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;
    assert_eq!(active["action"], "NONE");

    // The nameserver answers the SOA authoritatively (real dig, aa flag).
    let soa = dig(service.nameserver, &["example.org", "SOA", "+norec"]);
    assert!(soa.contains("status: NOERROR"), "{soa}");
    assert!(soa.contains(" aa"), "no aa flag: {soa}");
    let serial = active["serial"].as_u64().expect("serial");
    assert!(
        soa.contains(&format!(" {serial} ")),
        "serial {serial} not in {soa}"
    );

    // A recordset is answered shortly after its POST.
    let rs = service
        .create_recordset(&zone_id, "www.example.org.", "A", &["192.0.2.10"])
        .await;
    assert_eq!(rs["status"], "PENDING");
    assert_eq!(rs["records"], json!(["192.0.2.10"]));
    wait_answer(
        service.nameserver,
        "www.example.org.",
        RecordType::A,
        WITHIN,
        |m| m.authoritative() && a_record_is(m, "192.0.2.10"),
    )
    .await;
    let over_tcp = tcp(service.nameserver, "www.example.org.", RecordType::A).await;
    assert!(
        over_tcp.authoritative() && a_record_is(&over_tcp, "192.0.2.10"),
        "{over_tcp:?}"
    );
    let rs_id = rs["id"].as_str().expect("rs id").to_owned();
    let rs_path = format!("/v2/zones/{zone_id}/recordsets/{rs_id}");

    // More types, so the AXFR comparison covers more than A records.
    service
        .create_recordset(&zone_id, "example.org.", "MX", &["10 mail.example.org."])
        .await;
    service
        .create_recordset(&zone_id, "txt.example.org.", "TXT", &["\"hello world\""])
        .await;
    service
        .create_recordset(
            &zone_id,
            "alias.example.org.",
            "CNAME",
            &["www.example.org."],
        )
        .await;
    service.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;

    // MiniDNS's AXFR matches the API's recordsets.
    let axfr = dig(service.mdns, &["example.org", "AXFR"]);
    let mut from_dns: Vec<_> = dig_records(&axfr);
    assert!(from_dns.len() >= 2, "{axfr}");
    assert_eq!(
        from_dns.first().map(|r| &r.1),
        Some(&"SOA".to_owned()),
        "{axfr}"
    );
    assert_eq!(
        from_dns.last().map(|r| &r.1),
        Some(&"SOA".to_owned()),
        "{axfr}"
    );
    from_dns.pop(); // the closing SOA
    let from_dns: BTreeSet<_> = from_dns
        .into_iter()
        .map(|(n, t, d)| (n.to_lowercase(), t, normalise(&d)))
        .collect();
    let from_api = api_records(service, &zone_id).await;
    assert_eq!(from_dns, from_api, "AXFR {axfr}");

    // Update: new data answered, old data gone.
    let (status, body) = service
        .call(
            Method::PUT,
            &rs_path,
            Some(json!({"records": ["192.0.2.20"], "ttl": 600})),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["ttl"], 600);
    wait_answer(
        service.nameserver,
        "www.example.org.",
        RecordType::A,
        WITHIN,
        |m| {
            a_record_is(m, "192.0.2.20")
                && !a_record_is(m, "192.0.2.10")
                && m.answers()[0].ttl() == 600
        },
    )
    .await;

    // Delete the recordset: the name stops existing.
    let (status, body) = service.call(Method::DELETE, &rs_path, None).await;
    assert_eq!(status, 202, "{body}");
    wait_for(WITHIN, || async {
        udp(service.nameserver, "www.example.org.", RecordType::A)
            .await
            .response_code()
            == ResponseCode::NXDomain
    })
    .await;
    let (status, body) = service.call(Method::GET, &rs_path, None).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["type"], "recordset_not_found");

    // Delete the zone: 202, then 404 from the API and REFUSED from the nameserver.
    let (status, body) = service
        .call(Method::DELETE, &format!("/v2/zones/{zone_id}"), None)
        .await;
    assert_eq!(status, 202, "{body}");
    assert_eq!(body["action"], "DELETE");
    wait_for(WITHIN, || async {
        service
            .call(Method::GET, &format!("/v2/zones/{zone_id}"), None)
            .await
            .0
            == 404
    })
    .await;
    let (_, body) = service
        .call(Method::GET, &format!("/v2/zones/{zone_id}"), None)
        .await;
    assert_eq!(body["type"], "zone_not_found");
    wait_for(WITHIN, || async {
        udp(service.nameserver, "example.org.", RecordType::SOA)
            .await
            .response_code()
            == ResponseCode::Refused
    })
    .await;
    let soa = dig(service.nameserver, &["example.org", "SOA", "+norec"]);
    assert!(soa.contains("status: REFUSED"), "{soa}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_case_zone_end_to_end() {
    mixed_case_zone(&Service::start().await).await;
}

/// A zone whose name has capitals (tempest names zones so) is stored and shown as given, served
/// under any case, and its name is taken whatever the case of a second create (as upstream on
/// MySQL). Also run on PostgreSQL and MariaDB (`engines`).
pub(crate) async fn mixed_case_zone(service: &Service) {
    let zone = service.create_zone("MiXed-Case.Example.").await;
    assert_eq!(zone["name"], "MiXed-Case.Example.");
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    let active = service.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;
    assert_eq!(active["name"], "MiXed-Case.Example.");
    let serial = active["serial"].as_u64().expect("serial");
    for asked in ["mixed-case.example.", "MIXED-CASE.EXAMPLE."] {
        let soa = udp(service.nameserver, asked, RecordType::SOA).await;
        assert!(
            soa.authoritative()
                && soa
                    .answers()
                    .iter()
                    .any(|r| matches!(r.data(), RData::SOA(s) if u64::from(s.serial()) == serial)),
            "{asked}: {soa:?}"
        );
    }

    let rs = service
        .create_recordset(&zone_id, "WWW.MiXed-Case.Example.", "A", &["192.0.2.33"])
        .await;
    assert_eq!(rs["name"], "WWW.MiXed-Case.Example.");
    wait_answer(
        service.nameserver,
        "www.mixed-case.example.",
        RecordType::A,
        WITHIN,
        |m| m.authoritative() && a_record_is(m, "192.0.2.33"),
    )
    .await;
    // A second recordset of the same name and type in another case is the same recordset.
    let (status, body) = service
        .call(
            Method::POST,
            &format!("/v2/zones/{zone_id}/recordsets"),
            Some(
                json!({"name": "www.mixed-case.example.", "type": "A", "records": ["192.0.2.34"]}),
            ),
        )
        .await;
    assert_eq!(
        (status, body["type"].clone()),
        (409, json!("duplicate_recordset")),
        "{body}"
    );
    let (status, body) = service
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "mixed-case.EXAMPLE.", "email": "hostmaster@example.org"})),
        )
        .await;
    assert_eq!(
        (status, body["type"].clone()),
        (409, json!("duplicate_zone")),
        "{body}"
    );
    // MiniDNS transfers it whatever the case asked.
    let axfr = dig(service.mdns, &["mixed-case.example", "AXFR"]);
    assert!(
        dig_records(&axfr).iter().any(|(n, t, d)| n
            .eq_ignore_ascii_case("www.mixed-case.example.")
            && t == "A"
            && d == "192.0.2.33"),
        "{axfr}"
    );

    let (status, body) = service
        .call(Method::DELETE, &format!("/v2/zones/{zone_id}"), None)
        .await;
    assert_eq!(status, 202, "{body}");
    wait_for(WITHIN, || async {
        udp(service.nameserver, "mixed-case.example.", RecordType::SOA)
            .await
            .response_code()
            == ResponseCode::Refused
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nameserver_semantics_through_the_api() {
    let service = Service::start().await;
    let zone = service.create_zone("semantics.test.").await;
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    service
        .create_recordset(&zone_id, "*.wild.semantics.test.", "A", &["192.0.2.7"])
        .await;
    service
        .create_recordset(
            &zone_id,
            "sub.semantics.test.",
            "NS",
            &["ns.sub.semantics.test."],
        )
        .await;
    service
        .create_recordset(&zone_id, "ns.sub.semantics.test.", "A", &["192.0.2.53"])
        .await;
    service
        .create_recordset(&zone_id, "host.semantics.test.", "A", &["192.0.2.1"])
        .await;
    service.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;
    let ns = service.nameserver;

    // Wildcard synthesis.
    let m = udp(ns, "anything.wild.semantics.test.", RecordType::A).await;
    assert_eq!(m.response_code(), ResponseCode::NoError);
    assert!(a_record_is(&m, "192.0.2.7"), "{m:?}");
    // NODATA: the name exists, the type does not; SOA in authority.
    let m = udp(ns, "host.semantics.test.", RecordType::AAAA).await;
    assert_eq!(m.response_code(), ResponseCode::NoError);
    assert!(m.answers().is_empty());
    assert!(
        m.name_servers()
            .iter()
            .any(|r| r.record_type() == RecordType::SOA),
        "{m:?}"
    );
    // NXDOMAIN with SOA.
    let m = udp(ns, "missing.semantics.test.", RecordType::A).await;
    assert_eq!(m.response_code(), ResponseCode::NXDomain);
    assert!(m.authoritative());
    assert!(
        m.name_servers()
            .iter()
            .any(|r| r.record_type() == RecordType::SOA),
        "{m:?}"
    );
    // Delegation: a referral with glue, not authoritative.
    let m = udp(ns, "www.sub.semantics.test.", RecordType::A).await;
    assert!(!m.authoritative(), "{m:?}");
    assert!(
        m.name_servers()
            .iter()
            .any(|r| r.record_type() == RecordType::NS),
        "{m:?}"
    );
    assert!(
        m.additionals()
            .iter()
            .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == "192.0.2.53")),
        "{m:?}"
    );
    // Apex NS comes from the pool's ns_records.
    let m = udp(ns, "semantics.test.", RecordType::NS).await;
    assert!(
        m.answers()
            .iter()
            .any(|r| r.data().to_string() == "ns1.example.org."),
        "{m:?}"
    );
    // A zone it does not hold.
    let m = udp(ns, "not-ours.test.", RecordType::A).await;
    assert_eq!(m.response_code(), ResponseCode::Refused);
}

/// (name, type, data) of every record of the zone, through the API (all pages).
async fn api_records(service: &Service, zone_id: &str) -> BTreeSet<(String, String, String)> {
    let mut out = BTreeSet::new();
    let mut url = format!("/v2/zones/{zone_id}/recordsets?limit=2");
    loop {
        let (status, body) = service.call(Method::GET, &url, None).await;
        assert_eq!(status, 200, "{body}");
        for rs in body["recordsets"].as_array().expect("recordsets") {
            for data in rs["records"].as_array().expect("records") {
                out.insert((
                    rs["name"].as_str().expect("name").to_lowercase(),
                    rs["type"].as_str().expect("type").to_owned(),
                    normalise(data.as_str().expect("data")),
                ));
            }
        }
        match body["links"]["next"].as_str() {
            Some(next) => {
                url = next
                    .split_once("/v2/")
                    .map(|(_, p)| format!("/v2/{p}"))
                    .expect("next link")
            }
            None => break,
        }
    }
    assert!(matches!(out.len(), 1..), "no records");
    out
}

/// Record data as dig prints it and as the API stores it may differ in case and spacing only.
fn normalise(data: &str) -> String {
    data.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
