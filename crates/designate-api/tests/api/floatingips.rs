//! `/v2/reverse/floatingips`: floating-IP PTRs, with the floating IPs listed over real HTTP from
//! a Neutron floating-IP endpoint on a loopback port (`designate_central::testing`), over
//! https too (`[network_api:neutron]` `ca_certificates_file`, `insecure`,
//! `client_certificate_file` against a rustls server with certificates made by the test).

use std::sync::Arc;

use designate_api::{ApiConfig, Policy};
use designate_central::testing::{NeutronServer, TestPki};
use designate_central::{CentralConfig, NeutronConfig};
use designate_tls::{ClientTls, OptionNames};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{start_full, Api};

const TOKEN: &str = "tok-p1";
const P1: [(&str, &str); 3] = [
    ("x-auth-project-id", "p1"),
    ("x-roles", "member"),
    ("x-auth-token", TOKEN),
];
const P2: [(&str, &str); 3] = [
    ("x-auth-project-id", "p2"),
    ("x-roles", "member"),
    ("x-auth-token", "tok-p2"),
];
const MANAGED_TENANT: &str = "00000000-0000-0000-0000-000000000000";

fn central_config(endpoints: Vec<(String, String)>) -> CentralConfig {
    central_config_tls(endpoints, ClientTls::default())
}

fn central_config_tls(endpoints: Vec<(String, String)>, tls: ClientTls) -> CentralConfig {
    CentralConfig {
        neutron: NeutronConfig {
            endpoints,
            tls,
            ..NeutronConfig::default()
        },
        ..CentralConfig::default()
    }
}

/// An API whose central lists floating IPs from `neutron` as region `RegionOne`.
async fn start(neutron: &NeutronServer, api: ApiConfig) -> Api {
    start_tls(neutron, api, ClientTls::default()).await
}

/// [`start`] with `[network_api:neutron]`'s TLS options `tls`.
async fn start_tls(neutron: &NeutronServer, api: ApiConfig, tls: ClientTls) -> Api {
    neutron.accept_token(TOKEN);
    neutron.accept_token("tok-p2");
    let endpoints = vec![("RegionOne".to_owned(), neutron.url().to_owned())];
    start_full(api, central_config_tls(endpoints, tls)).await
}

/// `[network_api:neutron]` TLS options as the configuration loader reads them.
fn neutron_tls(
    ca: Option<&std::path::Path>,
    insecure: bool,
    cert: Option<&std::path::Path>,
) -> ClientTls {
    ClientTls::load(OptionNames::NEUTRON, ca, insecure, cert, None).expect("tls options")
}

/// The addresses `GET /v2/reverse/floatingips` lists for p1, or the error reply.
async fn p1_addresses(api: &Api) -> Result<Vec<String>, crate::common::Reply> {
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &P1)
        .await;
    if r.status != StatusCode::OK {
        return Err(r);
    }
    Ok(r.body["floatingips"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|f| f["address"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default())
}

async fn patch(
    api: &Api,
    key: &str,
    body: Value,
    headers: &[(&str, &str)],
) -> crate::common::Reply {
    api.call(
        Method::PATCH,
        &format!("/v2/reverse/floatingips/{key}"),
        Some(body),
        headers,
    )
    .await
}

#[tokio::test]
async fn list_shows_the_projects_floating_ips_across_pages() {
    let neutron = NeutronServer::start().await;
    let api = start(&neutron, ApiConfig::default()).await;
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &P1)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["floatingips"], json!([]));

    // Three floating IPs of p1 (two pages of Neutron's listing), one of p2.
    let ids: Vec<_> = ["192.0.2.10", "192.0.2.11", "198.51.100.7"]
        .iter()
        .map(|a| neutron.add(a, "p1"))
        .collect();
    neutron.add("203.0.113.5", "p2");
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &P1)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let base = &api.base;
    assert_eq!(
        r.body["floatingips"][0],
        json!({
            "id": format!("RegionOne:{}", ids[0]),
            "description": null,
            "address": "192.0.2.10",
            "ptrdname": null,
            "ttl": null,
            "action": "NONE",
            "status": "INACTIVE",
            "links": {"self": format!("{base}/v2/reverse/floatingips/RegionOne:{}", ids[0])},
        })
    );
    let addresses: Vec<&str> = r.body["floatingips"]
        .as_array()
        .map(|a| a.iter().filter_map(|f| f["address"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(addresses, ["192.0.2.10", "192.0.2.11", "198.51.100.7"]);
    assert_eq!(
        r.body["links"],
        json!({"self": format!("{base}/v2/reverse/floatingips")})
    );
    // The caller's project and token went to Neutron; the next page was followed.
    let requests = neutron.requests();
    assert!(
        requests
            .iter()
            .any(|q| q == "/v2.0/floatingips?project_id=p1"),
        "{requests:?}"
    );
    assert!(
        requests.iter().any(|q| q.contains("marker=")),
        "{requests:?}"
    );

    // A caller whose token Neutron refuses sees none (upstream logs the HTTP error).
    let stranger = [("x-auth-project-id", "p1"), ("x-auth-token", "bad")];
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &stranger)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["floatingips"], json!([]));
}

#[tokio::test]
async fn set_show_replace_and_unset_a_ptr() {
    let neutron = NeutronServer::start().await;
    let api = start(&neutron, ApiConfig::default()).await;
    let id = neutron.add("192.0.2.10", "p1");
    let key = format!("RegionOne:{id}");

    let r = patch(
        &api,
        &key,
        json!({"ptrdname": "www.example.org.", "description": "web", "ttl": 300}),
        &P1,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["id"], key);
    assert_eq!(r.body["ptrdname"], "www.example.org.");
    assert_eq!(r.body["description"], "web");
    assert_eq!(r.body["ttl"], 300);
    assert_eq!(r.body["address"], "192.0.2.10");
    assert_eq!(r.body["status"], "PENDING");
    assert_eq!(r.body["action"], "CREATE");

    // The reverse zone belongs to the managed-resource project; the PTR is a managed record.
    let all = [("x-auth-all-projects", "true")];
    let zones = api
        .call(
            Method::GET,
            "/v2/zones?name=2.0.192.in-addr.arpa.",
            None,
            &all,
        )
        .await;
    assert_eq!(
        zones.body["zones"][0]["project_id"], MANAGED_TENANT,
        "{}",
        zones.text
    );
    assert_eq!(zones.body["zones"][0]["email"], "hostmaster@example.com");
    let zone_id = zones.body["zones"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let rs = api
        .call(
            Method::GET,
            &format!("/v2/zones/{zone_id}/recordsets?type=PTR"),
            None,
            &all,
        )
        .await;
    assert_eq!(rs.body["recordsets"][0]["name"], "10.2.0.192.in-addr.arpa.");
    assert_eq!(
        rs.body["recordsets"][0]["records"],
        json!(["www.example.org."])
    );
    assert_eq!(rs.body["recordsets"][0]["ttl"], 300);

    let r = api
        .call(
            Method::GET,
            &format!("/v2/reverse/floatingips/{key}"),
            None,
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["ptrdname"], "www.example.org.");

    // Setting again replaces the record; without a ttl the zone's applies.
    let r = patch(&api, &key, json!({"ptrdname": "mail.example.org."}), &P1).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["ttl"], 3600);
    assert_eq!(r.body["description"], Value::Null);
    let rs = api
        .call(
            Method::GET,
            &format!("/v2/zones/{zone_id}/recordsets?type=PTR"),
            None,
            &all,
        )
        .await;
    assert_eq!(
        rs.body["recordsets"][0]["records"],
        json!(["mail.example.org."])
    );

    // A body without ptrdname changes nothing.
    let r = patch(&api, &key, json!({"description": "x"}), &P1).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.text, "");

    let r = patch(&api, &key, json!({"ptrdname": null}), &P1).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.text, "");
    let r = api
        .call(
            Method::GET,
            &format!("/v2/reverse/floatingips/{key}"),
            None,
            &P1,
        )
        .await;
    assert_eq!(r.body["ptrdname"], Value::Null);
    assert_eq!(r.body["status"], "INACTIVE");
    let rs = api
        .call(
            Method::GET,
            &format!("/v2/zones/{zone_id}/recordsets?type=PTR"),
            None,
            &all,
        )
        .await;
    assert_eq!(rs.body["recordsets"], json!([]));

    // Unsetting what is not set: upstream's not_found.
    let r = patch(&api, &key, json!({"ptrdname": null}), &P1).await;
    r.assert_error(404, "not_found");
    assert_eq!(r.body["message"], format!("No such FloatingIP {key}"));
}

#[tokio::test]
async fn a_ptr_of_an_address_now_owned_by_another_project_is_deleted() {
    let neutron = NeutronServer::start().await;
    let api = start(&neutron, ApiConfig::default()).await;
    let id = neutron.add("192.0.2.20", "p1");
    let key = format!("RegionOne:{id}");
    let r = patch(&api, &key, json!({"ptrdname": "old.example.org."}), &P1).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);

    neutron.reassign(id, "p2");
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &P2)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["floatingips"][0]["ptrdname"], Value::Null);
    let all = [("x-auth-all-projects", "true")];
    let r = api
        .call(Method::GET, "/v2/recordsets?type=PTR", None, &all)
        .await;
    assert_eq!(r.body["recordsets"], json!([]), "p1's stale PTR is gone");
    // p1 no longer has the floating IP.
    api.call(
        Method::GET,
        &format!("/v2/reverse/floatingips/{key}"),
        None,
        &P1,
    )
    .await
    .assert_error(404, "not_found");
}

#[tokio::test]
async fn errors_are_upstreams() {
    let neutron = NeutronServer::start().await;
    let api = start(&neutron, ApiConfig::default()).await;
    let id = neutron.add("192.0.2.30", "p1");
    let key = format!("RegionOne:{id}");

    for bad in ["nope", "RegionOne:nope", &id.to_string(), "Region%20One:x"] {
        let r = api
            .call(
                Method::GET,
                &format!("/v2/reverse/floatingips/{bad}"),
                None,
                &P1,
            )
            .await;
        r.assert_error(400, "bad_request");
        patch(&api, bad, json!({"ptrdname": null}), &P1)
            .await
            .assert_error(400, "bad_request");
    }
    let msg = api
        .call(Method::GET, "/v2/reverse/floatingips/nope", None, &P1)
        .await;
    assert_eq!(
        msg.body["message"],
        "Floating IP nope is not in the format of <region>:<uuid>"
    );
    // An escaped colon is the same key.
    let r = api
        .call(
            Method::GET,
            &format!("/v2/reverse/floatingips/RegionOne%3A{id}"),
            None,
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Not the caller's floating IP (another project's, another id).
    let unknown = uuid::Uuid::new_v4();
    let r = api
        .call(
            Method::GET,
            &format!("/v2/reverse/floatingips/RegionOne:{unknown}"),
            None,
            &P1,
        )
        .await;
    r.assert_error(404, "not_found");
    assert_eq!(
        r.body["message"],
        format!("FloatingIP {unknown} in RegionOne is not associated for project \"p1\"")
    );
    api.call(
        Method::GET,
        &format!("/v2/reverse/floatingips/{key}"),
        None,
        &P2,
    )
    .await
    .assert_error(404, "not_found");
    patch(&api, &key, json!({"ptrdname": "a.example.org."}), &P2)
        .await
        .assert_error(404, "not_found");

    // A region without a configured endpoint: upstream's configuration error.
    api.call(
        Method::GET,
        &format!("/v2/reverse/floatingips/RegionTwo:{id}"),
        None,
        &P1,
    )
    .await
    .assert_error(500, "configuration_error");

    // Bodies.
    for body in [
        json!({"ptrdname": "no-trailing-dot"}),
        json!({"ptrdname": 12}),
        json!({"ptrdname": "a.example.org.", "ttl": -1}),
        json!({"ptrdname": "a.example.org.", "ttl": "300"}),
        json!({"ptrdname": "a.example.org.", "description": "d".repeat(161)}),
        json!({"ptrdname": "a.example.org.", "address": "192.0.2.1"}),
        json!({"ptrdname": "a.example.org.", "status": "ACTIVE"}),
        json!({"ptrdname": "a.example.org.", "bogus": 1}),
    ] {
        patch(&api, &key, body, &P1)
            .await
            .assert_error(400, "invalid_object");
    }
    patch(&api, &key, json!(["a"]), &P1)
        .await
        .assert_error(400, "invalid_object");
    let r = api
        .raw(
            Method::PATCH,
            &format!("/v2/reverse/floatingips/{key}"),
            Some("application/json"),
            b"{not json".to_vec(),
        )
        .await;
    r.assert_error(400, "invalid_json");

    // Methods.
    api.call(
        Method::POST,
        "/v2/reverse/floatingips",
        Some(json!({})),
        &P1,
    )
    .await
    .assert_error(405, "method_not_allowed");
    api.call(
        Method::DELETE,
        &format!("/v2/reverse/floatingips/{key}"),
        None,
        &P1,
    )
    .await
    .assert_error(405, "method_not_allowed");

    // Neutron answering an HTTP error: nothing listed (upstream logs it).
    neutron.fail_with(Some(500));
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &P1)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["floatingips"], json!([]));
    api.call(
        Method::GET,
        &format!("/v2/reverse/floatingips/{key}"),
        None,
        &P1,
    )
    .await
    .assert_error(404, "not_found");
}

#[tokio::test]
async fn unreachable_or_unconfigured_neutron() {
    // Nothing listens on the endpoint: 504 neutron_communication_failure.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let endpoints = vec![("RegionOne".to_owned(), format!("http://{closed}"))];
    let api = start_full(ApiConfig::default(), central_config(endpoints)).await;
    api.call(Method::GET, "/v2/reverse/floatingips", None, &P1)
        .await
        .assert_error(504, "neutron_communication_failure");
    let key = format!("RegionOne:{}", uuid::Uuid::new_v4());
    patch(&api, &key, json!({"ptrdname": "a.example.org."}), &P1)
        .await
        .assert_error(504, "neutron_communication_failure");

    // No endpoints and no service catalog (noauth has none).
    let api = start_full(ApiConfig::default(), CentralConfig::default()).await;
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &P1)
        .await;
    r.assert_error(500, "configuration_error");
    assert_eq!(
        r.body["message"],
        "No service_catalog and no configured endpoints"
    );
}

#[tokio::test]
async fn https_neutron_ca_certificates_file_system_roots_and_insecure() {
    let pki = TestPki::generate();
    let neutron = NeutronServer::start_https(&pki, false).await;
    assert!(neutron.url().starts_with("https://127.0.0.1:"));
    // Three: the second page's `next` link is https too.
    for address in ["192.0.2.50", "192.0.2.51", "192.0.2.52"] {
        neutron.add(address, "p1");
    }
    let listed = ["192.0.2.50", "192.0.2.51", "192.0.2.52"];

    // ca_certificates_file = the test CA: trusted.
    let api = start_tls(
        &neutron,
        ApiConfig::default(),
        neutron_tls(Some(&pki.ca), false, None),
    )
    .await;
    assert_eq!(p1_addresses(&api).await.expect("listed"), listed);

    // Without it the system's CAs are trusted, which do not know the test CA, nor does the
    // bundle of another CA: the connection cannot be made, upstream's
    // neutron_communication_failure (504), with the certificate problem in the message.
    let other = TestPki::generate();
    for (tls, why) in [
        (ClientTls::default(), "UnknownIssuer"),
        (neutron_tls(Some(&other.ca), false, None), "BadSignature"),
    ] {
        let api = start_tls(&neutron, ApiConfig::default(), tls).await;
        let r = p1_addresses(&api).await.expect_err("refused certificate");
        r.assert_error(504, "neutron_communication_failure");
        let message = r.body["message"].as_str().unwrap_or_default();
        assert!(
            message.contains("invalid peer certificate") && message.contains(why),
            "{message}"
        );
    }

    // insecure = true, no CA: not verified, listed.
    let api = start_tls(
        &neutron,
        ApiConfig::default(),
        neutron_tls(None, true, None),
    )
    .await;
    assert_eq!(p1_addresses(&api).await.expect("listed"), listed);
}

#[tokio::test]
async fn https_neutron_requiring_a_client_certificate() {
    let pki = TestPki::generate();
    let neutron = NeutronServer::start_https(&pki, true).await;
    let id = neutron.add("192.0.2.60", "p1");

    // client_certificate_file: one file with the certificate and its key.
    let combined = pki.client_combined();
    let api = start_tls(
        &neutron,
        ApiConfig::default(),
        neutron_tls(Some(&pki.ca), false, Some(&combined)),
    )
    .await;
    assert_eq!(p1_addresses(&api).await.expect("listed"), ["192.0.2.60"]);
    // A PTR set through it (central lists the floating IP over the same client).
    let r = patch(
        &api,
        &format!("RegionOne:{id}"),
        json!({"ptrdname": "tls.example.org."}),
        &P1,
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);

    // Without it Neutron's TLS server refuses the handshake: 504.
    let api = start_tls(
        &neutron,
        ApiConfig::default(),
        neutron_tls(Some(&pki.ca), false, None),
    )
    .await;
    p1_addresses(&api)
        .await
        .expect_err("no client certificate")
        .assert_error(504, "neutron_communication_failure");
    // Nor does insecure help: it skips checking Neutron, not Neutron checking us.
    let api = start_tls(
        &neutron,
        ApiConfig::default(),
        neutron_tls(None, true, None),
    )
    .await;
    p1_addresses(&api)
        .await
        .expect_err("no client certificate")
        .assert_error(504, "neutron_communication_failure");
}

#[tokio::test]
async fn find_records_policy_guards_the_reads() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("policy.yaml");
    std::fs::write(&path, "find_records: \"!\"\n").expect("write policy");
    let policy = Arc::new(Policy::from_file(&path).expect("policy loads"));
    let neutron = NeutronServer::start().await;
    let api = start(
        &neutron,
        ApiConfig {
            policy,
            ..ApiConfig::default()
        },
    )
    .await;
    let id = neutron.add("192.0.2.40", "p1");
    api.call(Method::GET, "/v2/reverse/floatingips", None, &P1)
        .await
        .assert_error(403, "forbidden");
    api.call(
        Method::GET,
        &format!("/v2/reverse/floatingips/RegionOne:{id}"),
        None,
        &P1,
    )
    .await
    .assert_error(403, "forbidden");
    // With upstream's defaults a reader passes (the check runs elevated).
    let neutron = NeutronServer::start().await;
    let api = start(&neutron, ApiConfig::default()).await;
    let reader = [
        ("x-auth-project-id", "p1"),
        ("x-roles", "reader"),
        ("x-auth-token", TOKEN),
    ];
    let r = api
        .call(Method::GET, "/v2/reverse/floatingips", None, &reader)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}
