//! `designate manage pool update --delete` against the real binary: pools the file does not
//! list are deleted, as upstream — but never one that still holds zones: then the whole update
//! is refused and nothing is changed.

use serde_json::json;

use crate::harness::{self, Ports, Service};
use crate::pools::{manage, text};

const KEEP: &str = "0b7f3c52-8e0a-4d7e-9c65-4f1e2d3c4b01";
const DOOMED: &str = "0b7f3c52-8e0a-4d7e-9c65-4f1e2d3c4b02";

fn pool(name: &str, id: &str, description: &str) -> String {
    format!(
        "- name: {name}\n  id: {id}\n  description: {description}\n  \
         ns_records:\n    - hostname: ns1.{name}.test.\n      priority: 1\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_removes_unlisted_pools_unless_they_hold_zones() {
    let state = tempfile::tempdir().expect("tempdir");
    let ports = Ports::any();
    let config = harness::write_config(state.path(), &ports);
    let both = state.path().join("both.yaml");
    std::fs::write(
        &both,
        format!(
            "{}{}",
            pool("keep", KEEP, "first"),
            pool("doomed", DOOMED, "x")
        ),
    )
    .expect("write");
    let only_keep = state.path().join("keep.yaml");
    // Listing the stored default pool too: `--delete` removes every pool the file omits.
    let service = Service::start_in(state.path(), &ports).await;
    let default = manage(&config, &["pool", "show_config"]);
    assert!(default.status.success(), "{}", text(&default));
    let default_yaml = text(&default)
        .split_once("-------------------\n")
        .expect("show_config header")
        .1
        .to_owned();
    std::fs::write(
        &only_keep,
        format!("{}{default_yaml}", pool("keep", KEEP, "second")),
    )
    .expect("write");
    let path = |p: &std::path::Path| p.to_str().expect("utf-8").to_owned();

    let out = manage(&config, &["pool", "update", "--file", &path(&both)]);
    assert!(out.status.success(), "{}", text(&out));

    let (status, zone) = service
        .call(
            reqwest::Method::POST,
            "/v2/zones",
            Some(json!({"name": "held.test.", "email": "a@held.test", "pool_id": DOOMED})),
        )
        .await;
    assert_eq!(status, 202, "{zone}");
    let zone_id = zone["id"].as_str().expect("id").to_owned();

    // The dry run shows the deletion; the real run refuses it and applies nothing, not even
    // the description change of the kept pool.
    let out = manage(
        &config,
        &[
            "pool",
            "update",
            "--file",
            &path(&only_keep),
            "--delete",
            "--dry-run",
        ],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Delete Pool: doomed"), "{}", text(&out));
    let out = manage(
        &config,
        &["pool", "update", "--file", &path(&only_keep), "--delete"],
    );
    assert!(!out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("pool must not contain zones"),
        "{}",
        text(&out)
    );
    let (_, kept) = service
        .call(reqwest::Method::GET, &format!("/v2/pools/{KEEP}"), None)
        .await;
    assert_eq!(kept["description"], "first", "{kept}");
    let (status, _) = service
        .call(reqwest::Method::GET, &format!("/v2/pools/{DOOMED}"), None)
        .await;
    assert_eq!(status, 200);

    // Once its zone is being deleted the pool goes; the listed pools stay.
    let (status, body) = service
        .call(
            reqwest::Method::DELETE,
            &format!("/v2/zones/{zone_id}"),
            None,
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let out = manage(
        &config,
        &["pool", "update", "--file", &path(&only_keep), "--delete"],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("Delete Pool: doomed"), "{}", text(&out));
    let (status, body) = service
        .call(reqwest::Method::GET, &format!("/v2/pools/{DOOMED}"), None)
        .await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["type"], "pool_not_found", "{body}");
    let (_, kept) = service
        .call(reqwest::Method::GET, &format!("/v2/pools/{KEEP}"), None)
        .await;
    assert_eq!(kept["description"], "second", "{kept}");
    let (_, pools) = service.call(reqwest::Method::GET, "/v2/pools", None).await;
    let names: Vec<&str> = pools["pools"]
        .as_array()
        .expect("pools")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2, "{pools}");
    assert!(
        names.contains(&"keep") && names.contains(&"default"),
        "{pools}"
    );
}
