//! Tests of the pdns4 backend: option handling, and every operation against a real PowerDNS.

use designate_core::objects::{PoolAttribute, PoolTargetMaster};
use uuid::Uuid;

use super::*;
use crate::bind9::tests::zone;
use crate::testing::Pdns;

fn target(options: &[(&str, &str)]) -> PoolTarget {
    PoolTarget {
        id: Uuid::new_v4(),
        target_type: "pdns4".to_owned(),
        description: None,
        masters: vec![PoolTargetMaster {
            host: "::1".to_owned(),
            port: 5354,
        }],
        options: options
            .iter()
            .map(|(k, v)| PoolAttribute {
                key: (*k).to_owned(),
                value: (*v).to_owned(),
            })
            .collect(),
    }
}

#[test]
fn options_follow_upstream_names() {
    let b = Pdns4Backend::from_target(&target(&[
        ("api_endpoint", "http://192.0.2.1:8081/some/path"),
        ("api_token", "k"),
        ("tsigkey_name", "xfr"),
    ]))
    .unwrap();
    assert_eq!(
        b.zones_url,
        "http://192.0.2.1:8081/api/v1/servers/localhost/zones"
    );
    assert_eq!(b.masters, ["[::1]:5354"]);
    assert_eq!(b.tsigkey_name.as_deref(), Some("xfr"));
    assert_eq!(
        b.zone_url(&zone("0/25.2.0.192.in-addr.arpa.")),
        "http://192.0.2.1:8081/api/v1/servers/localhost/zones/0=2F25.2.0.192.in-addr.arpa."
    );
}

#[test]
fn bad_options_are_config_errors() {
    for options in [
        &[("api_token", "k")][..],
        &[("api_endpoint", "http://192.0.2.1:8081")][..],
        &[
            ("api_endpoint", "https://192.0.2.1:8081"),
            ("api_token", "k"),
        ][..],
        &[("api_endpoint", "192.0.2.1:8081"), ("api_token", "k")][..],
        &[("api_endpoint", "http://"), ("api_token", "k")][..],
    ] {
        assert!(
            matches!(
                Pdns4Backend::from_target(&target(options)),
                Err(BackendError::Config(_))
            ),
            "{options:?}"
        );
    }
    let mut t = target(&[("api_endpoint", "http://127.0.0.1:1"), ("api_token", "k")]);
    t.masters.clear();
    assert!(matches!(
        Pdns4Backend::from_target(&t),
        Err(BackendError::Config(_))
    ));
}

async fn zone_on(pdns: &Pdns, name: &str) -> Option<Value> {
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/servers/localhost/zones/{name}",
            pdns.api_endpoint
        ))
        .header("X-API-Key", &pdns.api_key)
        .send()
        .await
        .unwrap();
    if resp.status() == StatusCode::NOT_FOUND {
        return None;
    }
    assert!(resp.status().is_success(), "{}", resp.status());
    Some(resp.json().await.unwrap())
}

#[tokio::test]
async fn create_update_delete_on_a_real_pdns() {
    let pdns = Pdns::start();
    let master: std::net::SocketAddr = "127.0.0.1:5354".parse().unwrap();
    let backend = Pdns4Backend::from_target(&pdns.target(&[master])).unwrap();
    let z = zone("pdns4-backend.example.");

    backend.create_zone(&z).await.unwrap();
    let got = zone_on(&pdns, "pdns4-backend.example.").await.unwrap();
    assert_eq!(got["kind"], "Slave", "{got}");
    assert_eq!(got["masters"], json!(["127.0.0.1:5354"]), "{got}");
    // Repeated create: success, zone untouched.
    backend.create_zone(&z).await.unwrap();

    // Other masters: update points the zone at them.
    let moved =
        Pdns4Backend::from_target(&pdns.target(&["127.0.0.1:5355".parse().unwrap()])).unwrap();
    moved.update_zone(&z).await.unwrap();
    let got = zone_on(&pdns, "pdns4-backend.example.").await.unwrap();
    assert_eq!(got["masters"], json!(["127.0.0.1:5355"]), "{got}");
    // And create with other masters re-creates it with ours.
    backend.create_zone(&z).await.unwrap();
    let got = zone_on(&pdns, "pdns4-backend.example.").await.unwrap();
    assert_eq!(got["masters"], json!(["127.0.0.1:5354"]), "{got}");

    backend.delete_zone(&z).await.unwrap();
    assert!(zone_on(&pdns, "pdns4-backend.example.").await.is_none());
    // Repeated delete: success.
    backend.delete_zone(&z).await.unwrap();

    // Update of a zone the server lost re-creates it.
    backend.update_zone(&z).await.unwrap();
    assert!(zone_on(&pdns, "pdns4-backend.example.").await.is_some());

    // A wrong key is a target error with PowerDNS's answer.
    let mut wrong = pdns.target(&[master]);
    wrong.options.retain(|o| o.key != "api_token");
    wrong.options.push(PoolAttribute {
        key: "api_token".to_owned(),
        value: "wrong".to_owned(),
    });
    let err = Pdns4Backend::from_target(&wrong)
        .unwrap()
        .delete_zone(&z)
        .await;
    assert!(matches!(err, Err(BackendError::Target(_))), "{err:?}");
}

#[tokio::test]
async fn unreachable_api_is_a_target_error() {
    let port = crate::testing::free_port().to_string();
    let endpoint = format!("http://127.0.0.1:{port}");
    let backend =
        Pdns4Backend::from_target(&target(&[("api_endpoint", &endpoint), ("api_token", "k")]))
            .unwrap();
    let err = backend.create_zone(&zone("down.example.")).await;
    assert!(matches!(err, Err(BackendError::Target(_))), "{err:?}");
}
