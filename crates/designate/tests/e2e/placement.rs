//! Zone placement through the real binary: upstream's scheduler filters (default here:
//! `attribute, pool_id_attribute, in_doubt_default_pool`) over pools installed from pools.yaml,
//! driven by the `attributes` of the zone create body; the attributes are stored
//! (`zone_attributes`) and shown on the zone.

use serde_json::{json, Value};

use crate::harness::{self, Ports, Service};
use crate::pools::{manage, text};

const GOLD: &str = "6f1d2c3b-4a59-4e8f-9d7c-2b1a0f9e8d01";
const PLAIN: &str = "6f1d2c3b-4a59-4e8f-9d7c-2b1a0f9e8d02";
const DEFAULT_POOL: &str = "794ccc2c-d751-44fe-b57f-8894c9f5c842";

async fn create(service: &Service, name: &str, attributes: Value) -> (u16, Value) {
    service
        .call(
            reqwest::Method::POST,
            "/v2/zones",
            Some(json!({"name": name, "email": "a@example.org", "attributes": attributes})),
        )
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zones_are_placed_by_their_attributes() {
    let state = tempfile::tempdir().expect("tempdir");
    let ports = Ports::any();
    let config = harness::write_config(state.path(), &ports);
    let service = Service::start_in(state.path(), &ports).await;
    let file = state.path().join("pools.yaml");
    std::fs::write(
        &file,
        format!(
            "- name: gold\n  id: {GOLD}\n  attributes:\n    pool_level: gold\n    fast_ttl: 'true'\n  \
             ns_records:\n    - hostname: ns1.gold.test.\n      priority: 1\n\
             - name: plain\n  id: {PLAIN}\n  \
             ns_records:\n    - hostname: ns1.plain.test.\n      priority: 1\n"
        ),
    )
    .expect("write");
    let out = manage(
        &config,
        &["pool", "update", "--file", file.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", text(&out));

    // No hint: the default pool.
    let (status, zone) = create(&service, "none.test.", json!({})).await;
    assert_eq!(status, 202, "{zone}");
    assert_eq!(zone["pool_id"], DEFAULT_POOL);
    assert_eq!(zone["attributes"], json!({}));

    // pool_id forces the pool; the attributes are stored and shown.
    let (status, zone) = create(&service, "forced.test.", json!({"pool_id": GOLD})).await;
    assert_eq!(status, 202, "{zone}");
    assert_eq!(zone["pool_id"], GOLD);
    let id = zone["id"].as_str().expect("id").to_owned();
    let (_, got) = service
        .call(reqwest::Method::GET, &format!("/v2/zones/{id}"), None)
        .await;
    assert_eq!(got["attributes"], json!({"pool_id": GOLD}), "{got}");
    assert_eq!(got["pool_id"], GOLD);
    let (status, zone) = create(&service, "plain.test.", json!({"pool_id": PLAIN})).await;
    assert_eq!(status, 202, "{zone}");
    assert_eq!(zone["pool_id"], PLAIN);
    // Forced, with matching hints (booleans compare loosely).
    let (status, zone) = create(
        &service,
        "gold-hints.test.",
        json!({"pool_id": GOLD, "pool_level": "gold", "fast_ttl": "yes"}),
    )
    .await;
    assert_eq!(status, 202, "{zone}");
    assert_eq!(zone["pool_id"], GOLD);

    // A hint matching gold leaves gold and the attribute-less pools: in doubt, the default.
    let (status, zone) = create(&service, "hint.test.", json!({"pool_level": "gold"})).await;
    assert_eq!(status, 202, "{zone}");
    assert_eq!(zone["pool_id"], DEFAULT_POOL);

    // No such pool: upstream's 404 no_valid_pool_found; nothing created.
    let (status, body) = create(
        &service,
        "nowhere.test.",
        json!({"pool_id": "6f1d2c3b-4a59-4e8f-9d7c-2b1a0f9e8dff"}),
    )
    .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["type"], "no_valid_pool_found", "{body}");
    let (_, list) = service
        .call(reqwest::Method::GET, "/v2/zones?name=nowhere.test.", None)
        .await;
    assert_eq!(list["zones"], json!([]), "{list}");

    // Bad attribute values are refused.
    let (status, body) = create(&service, "bad.test.", json!({"pool_level": 5})).await;
    assert_eq!(status, 400, "{body}");
    let (status, body) = create(&service, "bad.test.", json!(["x"])).await;
    assert_eq!(status, 400, "{body}");

    // Forcing a pool needs the admin role (zone_create_forced_pool).
    let resp = service
        .http
        .post(format!("{}/v2/zones", service.api))
        .header("X-Roles", "member")
        .header("X-Auth-Project-ID", "alpha")
        .json(&json!({"name": "member.test.", "email": "a@member.test", "attributes": {"pool_id": GOLD}}))
        .send()
        .await
        .expect("http");
    assert_eq!(resp.status().as_u16(), 403);
    let resp = service
        .http
        .post(format!("{}/v2/zones", service.api))
        .header("X-Roles", "member")
        .header("X-Auth-Project-ID", "alpha")
        .json(&json!({"name": "member.test.", "email": "a@member.test", "attributes": {"pool_level": "gold"}}))
        .send()
        .await
        .expect("http");
    assert_eq!(resp.status().as_u16(), 202);
}
