//! Floating-IP PTRs through the real binary: Neutron's floating-IP listing is served on a
//! loopback port and named in `[network_api:neutron] endpoints`; a PTR set through the API is
//! answered by the built-in nameserver, and after an unset the name is NXDOMAIN; and the same
//! listing from an https Neutron named with the TLS options in designate.conf.

use std::time::Duration;

use designate_central::testing::NeutronServer;
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use serde_json::{json, Value};

use crate::dns::{udp, wait_answer};
use crate::harness::{wait_for, Ports, Service};

const TOKEN: &str = "e2e-token";

async fn patch(service: &Service, key: &str, body: Value) -> (u16, String) {
    let resp = service
        .http
        .patch(format!("{}/v2/reverse/floatingips/{key}", service.api))
        .header("x-auth-project-id", "p1")
        .header("x-roles", "member")
        .header("x-auth-token", TOKEN)
        .json(&body)
        .send()
        .await
        .expect("http");
    let status = resp.status().as_u16();
    (status, resp.text().await.expect("body"))
}

/// `GET /v2/reverse/floatingips<rest>` as project p1.
async fn get(service: &Service, rest: &str) -> reqwest::Response {
    service
        .http
        .get(format!("{}/v2/reverse/floatingips{rest}", service.api))
        .header("x-auth-project-id", "p1")
        .header("x-auth-token", TOKEN)
        .send()
        .await
        .expect("http")
}

#[tokio::test]
async fn ptr_set_through_the_api_is_served_and_unset_is_nxdomain() {
    let neutron = NeutronServer::start().await;
    neutron.accept_token(TOKEN);
    let id = neutron.add("198.51.100.23", "p1");
    let key = format!("RegionOne:{id}");
    let state = tempfile::tempdir().expect("tempdir");
    let extra = format!(
        "[network_api:neutron]\nendpoints = RegionOne|{}\n",
        neutron.url()
    );
    let service = Service::start_in_with(state.path(), &Ports::any(), &extra).await;

    let (status, body) = patch(
        &service,
        &key,
        json!({"ptrdname": "vm1.example.org.", "ttl": 120}),
    )
    .await;
    assert_eq!(status, 202, "{body}");

    let name = "23.100.51.198.in-addr.arpa.";
    wait_answer(
        service.nameserver,
        name,
        RecordType::PTR,
        Duration::from_secs(30),
        |m| {
            m.answers().iter().any(|r| {
                matches!(r.data(), RData::PTR(p) if p.0.to_string() == "vm1.example.org.")
                    && r.ttl() == 120
            })
        },
    )
    .await;

    // The PTR reaches ACTIVE, as the API shows it.
    wait_for(Duration::from_secs(30), || async {
        let resp = get(&service, &format!("/{key}")).await;
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        body["status"] == "ACTIVE" && body["ptrdname"] == "vm1.example.org."
    })
    .await;

    let (status, body) = patch(&service, &key, json!({"ptrdname": null})).await;
    assert_eq!(status, 202, "{body}");
    wait_for(Duration::from_secs(30), || async {
        udp(service.nameserver, name, RecordType::PTR)
            .await
            .response_code()
            == ResponseCode::NXDomain
    })
    .await;
    // The reverse zone itself stays, served.
    let soa = udp(
        service.nameserver,
        "100.51.198.in-addr.arpa.",
        RecordType::SOA,
    )
    .await;
    assert_eq!(soa.response_code(), ResponseCode::NoError, "{soa:?}");
}

/// The same Neutron over https, requiring a client certificate: the binary reads
/// `ca_certificates_file` and `client_certificate_file` from designate.conf and lists through
/// them.
#[tokio::test]
async fn https_neutron_with_ca_and_client_certificate_from_designate_conf() {
    let pki = designate_tls::testing::TestPki::generate();
    let neutron = NeutronServer::start_https(&pki, true).await;
    neutron.accept_token(TOKEN);
    neutron.add("198.51.100.24", "p1");
    let state = tempfile::tempdir().expect("tempdir");
    let extra = format!(
        "[network_api:neutron]\nendpoints = RegionOne|{}\nca_certificates_file = {}\n\
         client_certificate_file = {}\n",
        neutron.url(),
        pki.ca.display(),
        pki.client_combined().display()
    );
    let service = Service::start_in_with(state.path(), &Ports::any(), &extra).await;
    let resp = get(&service, "").await;
    assert_eq!(resp.status().as_u16(), 200);
    let body: Value = resp.json().await.expect("json");
    assert_eq!(body["floatingips"][0]["address"], "198.51.100.24", "{body}");
}
