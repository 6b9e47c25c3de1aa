//! Abandon through the real binary: the zone leaves Designate, the nameserver keeps it.

use std::time::Duration;

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;

use crate::dns::udp;
use crate::harness::Service;

#[tokio::test]
async fn abandoned_zone_stays_on_the_nameserver() {
    let service = Service::start().await;
    let zone = service.create_zone("abandoned.example.org.").await;
    let id = zone["id"].as_str().unwrap_or_default().to_owned();
    service
        .wait_zone_status(&id, "ACTIVE", Duration::from_secs(30))
        .await;
    let soa = udp(
        service.nameserver,
        "abandoned.example.org.",
        RecordType::SOA,
    )
    .await;
    assert_eq!(soa.response_code(), ResponseCode::NoError);

    let (status, body) = service
        .call(
            reqwest::Method::POST,
            &format!("/v2/zones/{id}/tasks/abandon"),
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = service
        .call(reqwest::Method::GET, &format!("/v2/zones/{id}"), None)
        .await;
    assert_eq!(status, 404);
    // Give a (wrongly) cast delete every chance to land: the zone must still be served.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let soa = udp(
        service.nameserver,
        "abandoned.example.org.",
        RecordType::SOA,
    )
    .await;
    assert_eq!(soa.response_code(), ResponseCode::NoError, "{soa:?}");
    assert!(!soa.answers().is_empty());
}
