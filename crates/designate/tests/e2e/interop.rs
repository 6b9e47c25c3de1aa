//! The real clients' view: python-openstackclient + python-designateclient, and openstacksdk's
//! `conn.dns` proxy, drive `designate all` in noauth mode through scripted sessions whose every
//! output is checked (the scripts in `interop/`). The clients live in the venv `scripts/test`
//! builds (`$DESIGNATE_KEYSTONE_VENV`); a missing venv fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::harness::Service;

const DEFAULT_VENV: &str = "/var/cache/designate-ci/keystone-venv";

fn venv_python() -> PathBuf {
    let venv = std::env::var("DESIGNATE_KEYSTONE_VENV").unwrap_or_else(|_| DEFAULT_VENV.to_owned());
    let python = Path::new(&venv).join("bin/python");
    assert!(
        python.exists() && Path::new(&venv).join("bin/openstack").exists(),
        "no OpenStack client venv at {venv} (scripts/test builds it; or set DESIGNATE_KEYSTONE_VENV)"
    );
    python
}

/// Runs `interop/<script>` against a fresh `designate all` and fails with its output unless it
/// passes every step.
async fn run_session(script: &str) {
    let service = Service::start().await;
    let python = venv_python();
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/e2e/interop")
        .join(script);
    let endpoint = format!("{}/v2", service.api);
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(path)
            .arg(endpoint)
            // The clients must not pick up a cloud of the machine's own.
            .env_remove("OS_CLOUD")
            .env("OS_CLIENT_CONFIG_FILE", "/nonexistent")
            .output()
    })
    .await
    .expect("join")
    .expect("run the client session");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains("all steps passed"), "{script}: {stdout}");
}

#[tokio::test]
async fn openstack_cli_session_in_noauth_mode() {
    run_session("cli_session.py").await;
}

#[tokio::test]
async fn openstacksdk_dns_proxy_session_in_noauth_mode() {
    run_session("sdk_session.py").await;
}
