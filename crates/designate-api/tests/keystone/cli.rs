//! The real client's view: python-openstackclient + python-designateclient log in to Keystone
//! with a password, find the API in the catalog as `dns`, and create / list zones.

use std::process::Command;
use std::time::Duration;

use designate_api::{ApiConfig, AuthStrategy};
use serde_json::Value;

use crate::common::start_with;
use crate::harness::Keystone;

/// Runs `openstack` blocking work off the async runtime and returns its JSON output.
async fn run(mut command: Command) -> Value {
    let out = tokio::task::spawn_blocking(move || command.output())
        .await
        .expect("join")
        .expect("run openstack");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "openstack failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).unwrap_or(Value::Null)
}

#[tokio::test]
async fn openstack_cli_zone_create_and_list_with_password_login() {
    let keystone = Keystone::start(3600).await;
    let api = start_with(ApiConfig {
        auth: AuthStrategy::Keystone(Box::new(keystone.authtoken(Duration::from_secs(300)))),
        ..ApiConfig::default()
    })
    .await;
    keystone.register_dns(&format!("{}/", api.base)).await;
    let dir = tempfile::tempdir().expect("tempdir");

    let mut create = keystone.openstack(dir.path());
    create.args([
        "--os-cloud",
        "alice",
        "zone",
        "create",
        "--email",
        "hostmaster@cli.example.org",
        "cli.example.org.",
        "-f",
        "json",
    ]);
    let zone = run(create).await;
    assert_eq!(zone["name"], "cli.example.org.", "{zone}");
    assert_eq!(
        zone["project_id"],
        keystone.project_id("alpha").await.as_str()
    );

    for (cloud, expected) in [("alice", 1), ("rita", 1), ("bob", 0)] {
        let mut list = keystone.openstack(dir.path());
        list.args(["--os-cloud", cloud, "zone", "list", "-f", "json"]);
        let zones = run(list).await;
        let n = zones.as_array().map_or(usize::MAX, Vec::len);
        assert_eq!(n, expected, "{cloud}: {zones}");
    }

    // The reader may look but not create: the client reports the API's 403.
    let mut denied = keystone.openstack(dir.path());
    denied.args([
        "--os-cloud",
        "rita",
        "zone",
        "create",
        "--email",
        "a@b.org",
        "reader.example.org.",
    ]);
    let out = tokio::task::spawn_blocking(move || denied.output())
        .await
        .expect("join")
        .expect("run openstack");
    assert!(!out.status.success(), "a reader must not create zones");
}
