//! Pools from pools.yaml with real nameservers: `designate manage pool update` installs a pool
//! whose targets are a real BIND9 (rndc) and a real PowerDNS (HTTP API), `designate all` serves
//! it, and every zone and recordset change made through the API is answered by both, with the
//! API's serial. Bad files are refused with line and field, and change nothing.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use designate_backends::testing::{free_port, program, Named, Pdns};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::{RData, RecordType};
use serde_json::json;

use crate::dns;
use crate::harness::{self, wait_for, write_config_with, Ports, Service};

/// The pool of this test; not the default pool, which `designate all` rewrites at start.
const POOL_ID: &str = "a3c1d6f0-5b7e-4c1a-9a57-0d2f6c1b9e01";

pub(crate) fn manage(config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_designate"))
        .arg("--config")
        .arg(config)
        .arg("manage")
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run designate manage")
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// A pools.yaml in upstream's format: one pool, a BIND9 and a PowerDNS target, both
/// nameservers polled, MiniDNS on `mdns` as master.
fn pools_yaml(named: &Named, pdns: &Pdns, mdns: u16) -> String {
    format!(
        "---\n\
         - name: real-nameservers\n  id: {POOL_ID}\n  description: BIND9 and PowerDNS\n  \
         attributes: {{}}\n  \
         ns_records:\n    - hostname: ns1.pool-e2e.test.\n      priority: 1\n  \
         nameservers:\n    - host: 127.0.0.1\n      port: {np}\n    - host: 127.0.0.1\n      port: {pp}\n  \
         targets:\n    \
         - type: bind9\n      description: BIND9\n      masters:\n        - host: 127.0.0.1\n          port: {mdns}\n      \
         options:\n        host: 127.0.0.1\n        port: {np}\n        rndc_host: 127.0.0.1\n        \
         rndc_port: {rp}\n        rndc_config_file: {rc}\n        rndc_bin_path: {rb}\n    \
         - type: pdns4\n      description: PowerDNS\n      masters:\n        - host: 127.0.0.1\n          port: {mdns}\n      \
         options:\n        host: 127.0.0.1\n        port: {pp}\n        api_endpoint: {api}\n        api_token: {key}\n",
        np = named.addr.port(),
        pp = pdns.addr.port(),
        rp = named.rndc_port,
        rc = named.rndc_conf.display(),
        rb = program("rndc").display(),
        api = pdns.api_endpoint,
        key = pdns.api_key,
    )
}

/// A pools.yaml with one BIND9 target (pool id `id`).
fn bind9_pool_yaml(id: &str, named: &Named, mdns: u16) -> String {
    format!(
        "- name: bind9-only\n  id: {id}\n  \
         ns_records:\n    - hostname: ns1.pool-e2e.test.\n      priority: 1\n  \
         nameservers:\n    - host: 127.0.0.1\n      port: {np}\n  \
         targets:\n    - type: bind9\n      masters:\n        - host: 127.0.0.1\n          port: {mdns}\n      \
         options:\n        host: 127.0.0.1\n        port: {np}\n        rndc_port: {rp}\n        \
         rndc_config_file: {rc}\n        rndc_bin_path: {rb}\n        rndc_timeout: 2\n",
        np = named.addr.port(),
        rp = named.rndc_port,
        rc = named.rndc_conf.display(),
        rb = program("rndc").display(),
    )
}

/// The SOA serial `server` answers for `zone`, if it answers one.
pub(crate) async fn soa_serial(server: SocketAddr, zone: &str) -> Option<u32> {
    let msg = dns::udp(server, zone, RecordType::SOA).await;
    msg.answers().iter().find_map(|r| match r.data() {
        RData::SOA(soa) => Some(soa.serial()),
        _ => None,
    })
}

/// The A addresses `server` answers for `name`.
pub(crate) async fn a_records(server: SocketAddr, name: &str) -> (ResponseCode, Vec<String>) {
    let msg = dns::udp(server, name, RecordType::A).await;
    let mut addrs: Vec<String> = msg
        .answers()
        .iter()
        .filter_map(|r| match r.data() {
            RData::A(a) => Some(a.to_string()),
            _ => None,
        })
        .collect();
    addrs.sort();
    (msg.response_code(), addrs)
}

/// Waits for the zone to be ACTIVE and checks both nameservers serve its serial.
/// Creates `www.<origin>` A, replaces its records, deletes it — after each step every server
/// answers the change and the zone is ACTIVE at a higher serial than before (`first` is the
/// serial the zone was created with).
pub(crate) async fn recordset_lifecycle_everywhere(
    service: &Service,
    zone_id: &str,
    origin: &str,
    servers: &[SocketAddr],
    first: u32,
) {
    let www = format!("www.{origin}");
    let rs = service
        .create_recordset(zone_id, &www, "A", &["192.0.2.10"])
        .await;
    let rs_id = rs["id"].as_str().expect("id").to_owned();
    let second = active_everywhere(service, zone_id, servers).await;
    assert!(second > first);
    for server in servers {
        assert_eq!(
            a_records(*server, &www).await,
            (ResponseCode::NoError, vec!["192.0.2.10".to_owned()])
        );
    }

    let (status, body) = service
        .call(
            reqwest::Method::PUT,
            &format!("/v2/zones/{zone_id}/recordsets/{rs_id}"),
            Some(json!({"records": ["192.0.2.11", "192.0.2.12"]})),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    let third = active_everywhere(service, zone_id, servers).await;
    assert!(third > second);
    for server in servers {
        assert_eq!(
            a_records(*server, &www).await,
            (
                ResponseCode::NoError,
                vec!["192.0.2.11".to_owned(), "192.0.2.12".to_owned()]
            )
        );
    }

    let (status, body) = service
        .call(
            reqwest::Method::DELETE,
            &format!("/v2/zones/{zone_id}/recordsets/{rs_id}"),
            None,
        )
        .await;
    assert_eq!(status, 202, "{body}");
    active_everywhere(service, zone_id, servers).await;
    for server in servers {
        assert_eq!(a_records(*server, &www).await.0, ResponseCode::NXDomain);
    }
}

/// Deletes the zone through the API and waits until the API answers 404 for it.
pub(crate) async fn delete_zone_and_wait(service: &Service, zone_id: &str) {
    let (status, body) = service
        .call(
            reqwest::Method::DELETE,
            &format!("/v2/zones/{zone_id}"),
            None,
        )
        .await;
    assert_eq!(status, 202, "{body}");
    wait_for(Duration::from_secs(30), || async {
        service
            .call(reqwest::Method::GET, &format!("/v2/zones/{zone_id}"), None)
            .await
            .0
            == 404
    })
    .await;
}

pub(crate) async fn active_everywhere(
    service: &Service,
    zone_id: &str,
    servers: &[SocketAddr],
) -> u32 {
    let zone = service
        .wait_zone_status(zone_id, "ACTIVE", Duration::from_secs(30))
        .await;
    let serial = zone["serial"].as_u64().expect("serial") as u32;
    let name = zone["name"].as_str().expect("name").to_owned();
    for server in servers {
        // ACTIVE means the poll saw serial ≥ the zone's on every nameserver of the pool.
        assert_eq!(
            soa_serial(*server, &name).await,
            Some(serial),
            "{server} serves another serial than the API's"
        );
    }
    serial
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_update_then_bind9_and_pdns_serve_every_change() {
    let named = Named::start();
    let pdns = Pdns::start();
    let servers = [named.addr, pdns.addr];
    let state = tempfile::tempdir().expect("tempdir");
    let ports = Ports {
        api: 0,
        mdns: free_port(),
        nameserver: 0,
    };
    let config = harness::write_config(state.path(), &ports);
    let file = state.path().join("pools.yaml");
    std::fs::write(&file, pools_yaml(&named, &pdns, ports.mdns)).expect("pools.yaml");
    let file = file.to_str().expect("utf-8 path");

    let out = manage(&config, &["pool", "update", "--file", file, "--dry-run"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Create Pool: real-nameservers"),
        "{}",
        text(&out)
    );
    let out = manage(&config, &["pool", "update", "--file", file]);
    assert!(out.status.success(), "{}", text(&out));
    // Applying the same file again changes nothing.
    let out = manage(&config, &["pool", "update", "--file", file]);
    assert!(
        text(&out).contains("Unchanged Pool: real-nameservers"),
        "{}",
        text(&out)
    );
    let out = manage(&config, &["pool", "show_config", "--pool_id", POOL_ID]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    for want in [
        "type: bind9",
        "type: pdns4",
        "name: real-nameservers",
        "rndc_port:",
    ] {
        assert!(shown.contains(want), "{shown}");
    }

    let service = Service::start_in(state.path(), &ports).await;
    assert_eq!(service.mdns.port(), ports.mdns);

    // generate_file writes every pool (ours and the built-in default); applying it changes nothing.
    let all = state.path().join("all-pools.yaml");
    let all = all.to_str().expect("utf-8 path");
    let out = manage(&config, &["pool", "generate_file", "--file", all]);
    assert!(out.status.success(), "{}", text(&out));
    let out = manage(&config, &["pool", "update", "--file", all, "--dry-run"]);
    let plan = text(&out);
    assert!(out.status.success(), "{plan}");
    assert!(plan.contains("Unchanged Pool: real-nameservers"), "{plan}");
    assert!(plan.contains("Unchanged Pool: default"), "{plan}");
    assert!(
        !plan.contains("Update Pool") && !plan.contains("Create Pool"),
        "{plan}"
    );

    // Zone create, placed in the pool by pool_id.
    let (status, zone) = service
        .call(
            reqwest::Method::POST,
            "/v2/zones",
            Some(json!({"name": "pool-e2e.test.", "email": "hostmaster@pool-e2e.test", "pool_id": POOL_ID})),
        )
        .await;
    assert_eq!(status, 202, "{zone}");
    assert_eq!(zone["pool_id"], POOL_ID);
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    let first = active_everywhere(&service, &zone_id, &servers).await;

    recordset_lifecycle_everywhere(&service, &zone_id, "pool-e2e.test.", &servers, first).await;
    // Zone delete: gone from the API, then from every server.
    delete_zone_and_wait(&service, &zone_id).await;
    let (ok, shown) = named.rndc(&["showzone", "pool-e2e.test"]);
    assert!(!ok && shown.contains("not found"), "{shown}");
    let gone = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/servers/localhost/zones/pool-e2e.test.",
            pdns.api_endpoint
        ))
        .header("X-API-Key", &pdns.api_key)
        .send()
        .await
        .expect("pdns api");
    assert_eq!(gone.status(), reqwest::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_pools_files_are_refused_and_change_nothing() {
    let state = tempfile::tempdir().expect("tempdir");
    let config = harness::write_config(state.path(), &Ports::any());
    let good = "- name: good\n  ns_records:\n    - hostname: ns1.example.org.\n      priority: 1\n";
    let cases: &[(&str, &[&str])] = &[
        (
            "  targets:\n    - type: bind8\n      masters: [{host: 127.0.0.1}]\n",
            &["Unable to find designate backend driver type: bind8", "line 6"],
        ),
        (
            "  nameservers:\n    - host: 127.0.0.1\n      port: 99999\n",
            &["invalid port", "line 6"],
        ),
        ("  targets:\n    - masters: []\n", &["missing field `type`", "line 6"]),
        ("- name: good\n", &["duplicate pool name \"good\""]),
        (
            "  targets:\n    - type: pdns4\n      masters: [{host: 127.0.0.1}]\n      options: {api_token: k}\n",
            &["pools[0].targets[0] (pdns4)", "api_endpoint"],
        ),
    ];
    for (i, (tail, wanted)) in cases.iter().enumerate() {
        let file = state.path().join(format!("bad{i}.yaml"));
        std::fs::write(&file, format!("{good}{tail}")).expect("write");
        let out = manage(
            &config,
            &["pool", "update", "--file", file.to_str().expect("path")],
        );
        let message = text(&out);
        assert!(!out.status.success(), "{tail}: {message}");
        for w in *wanted {
            assert!(message.contains(w), "{tail}: {message:?} lacks {w:?}");
        }
    }
    let out = manage(&config, &["pool", "show_config", "--all_pools"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("name: good"), "{}", text(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bind9_outage_then_convergence_without_api_calls() {
    let mut named = Named::start();
    let state = tempfile::tempdir().expect("tempdir");
    let ports = Ports {
        api: 0,
        mdns: free_port(),
        nameserver: 0,
    };
    // Short polls and a fast recovery task so the outage plays out in seconds.
    let extra =
        "[service:worker]\npoll_timeout = 1\npoll_retry_interval = 1\npoll_max_retries = 2\n\n\
                 [producer_task:worker_periodic_recovery]\ninterval = 1\npending_grace = 1\n";
    let config = write_config_with(state.path(), &ports, extra);
    let pool_id = "b7d2e1f0-5b7e-4c1a-9a57-0d2f6c1b9e02";
    let file = state.path().join("pools.yaml");
    std::fs::write(&file, bind9_pool_yaml(pool_id, &named, ports.mdns)).expect("pools.yaml");
    let out = manage(
        &config,
        &["pool", "update", "--file", file.to_str().expect("path")],
    );
    assert!(out.status.success(), "{}", text(&out));
    let service = Service::start_in_with(state.path(), &ports, extra).await;

    let (status, zone) = service
        .call(
            reqwest::Method::POST,
            "/v2/zones",
            Some(json!({"name": "outage.test.", "email": "hostmaster@outage.test", "pool_id": pool_id})),
        )
        .await;
    assert_eq!(status, 202, "{zone}");
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    active_everywhere(&service, &zone_id, &[named.addr]).await;

    // named down: the change cannot reach it and the zone goes ERROR.
    named.stop();
    service
        .create_recordset(&zone_id, "www.outage.test.", "A", &["192.0.2.20"])
        .await;
    service
        .wait_zone_status(&zone_id, "ERROR", Duration::from_secs(30))
        .await;

    // named back: the producer's recovery re-drives the zone; no API call needed.
    named.restart();
    let serial = active_everywhere(&service, &zone_id, &[named.addr]).await;
    assert_eq!(soa_serial(named.addr, "outage.test.").await, Some(serial));
    assert_eq!(
        a_records(named.addr, "www.outage.test.").await,
        (ResponseCode::NoError, vec!["192.0.2.20".to_owned()])
    );
}

/// A private BIND9 as the only target of the default pool, installed by `manage pool update`
/// in a fresh state directory whose config carries `extra` (no service started yet).
struct Bind9DefaultPool {
    named: Named,
    state: tempfile::TempDir,
    ports: Ports,
    config: std::path::PathBuf,
    file: std::path::PathBuf,
    yaml: String,
}

impl Bind9DefaultPool {
    fn install(extra: &str) -> Self {
        let named = Named::start();
        let state = tempfile::tempdir().expect("tempdir");
        let ports = Ports {
            api: 0,
            mdns: free_port(),
            nameserver: 0,
        };
        let config = write_config_with(state.path(), &ports, extra);
        let file = state.path().join("pools.yaml");
        let yaml = bind9_pool_yaml(designate_core::objects::DEFAULT_POOL_ID, &named, ports.mdns);
        let pool = Self {
            named,
            state,
            ports,
            config,
            file,
            yaml,
        };
        pool.update(&pool.yaml);
        pool
    }

    /// Writes `yaml` as the pools file and applies it with `manage pool update`.
    fn update(&self, yaml: &str) {
        std::fs::write(&self.file, yaml).expect("pools.yaml");
        let out = manage(
            &self.config,
            &[
                "pool",
                "update",
                "--file",
                self.file.to_str().expect("path"),
            ],
        );
        assert!(out.status.success(), "{}", text(&out));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_pool_from_pools_yaml_is_kept_by_all() {
    let pool = Bind9DefaultPool::install("");
    let default_id = designate_core::objects::DEFAULT_POOL_ID;

    // `all` keeps the operator's default pool: a zone created without pool_id lands on BIND9.
    let service = Service::start_in(pool.state.path(), &pool.ports).await;
    let zone = service.create_zone("default-pool.test.").await;
    assert_eq!(zone["pool_id"], default_id);
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    active_everywhere(&service, &zone_id, &[pool.named.addr]).await;
    let out = manage(&pool.config, &["pool", "show_config"]);
    assert!(text(&out).contains("type: bind9"), "{}", text(&out));
    assert!(!text(&out).contains("type: builtin"), "{}", text(&out));
}

/// A pool's NS records changed by `manage pool update` while `all` runs: every zone of the pool
/// gets the new apex NS records under a new serial at once, flagged `delayed_notify`, and the
/// running producer's `delayed_notify` batches push them — BIND9 serves the new NS without any
/// API call (upstream's `_add_ns` / `_delete_ns`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pool_ns_change_reaches_bind9_through_delayed_notify() {
    // One zone per batch and a short period, so the batches are visible in a short test.
    let pool =
        Bind9DefaultPool::install("[producer_task:delayed_notify]\ninterval = 1\nbatch_size = 1\n");
    let named = &pool.named;
    let service = Service::start_in(pool.state.path(), &pool.ports).await;
    let mut zones = Vec::new();
    for name in ["ns-a.test.", "ns-b.test."] {
        let zone = service.create_zone(name).await;
        let id = zone["id"].as_str().expect("id").to_owned();
        active_everywhere(&service, &id, &[named.addr]).await;
        zones.push((name, id, zone["serial"].as_u64().expect("serial")));
    }

    pool.update(
        &pool
            .yaml
            .replace("ns1.pool-e2e.test.", "ns2.pool-e2e.test."),
    );
    for (name, id, serial) in &zones {
        let (_, zone) = service
            .call(reqwest::Method::GET, &format!("/v2/zones/{id}"), None)
            .await;
        assert!(zone["serial"].as_u64() > Some(*serial), "{name}: {zone}");
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    for (name, id, _) in &zones {
        loop {
            let m = dns::udp(named.addr, name, RecordType::NS).await;
            let ns: Vec<String> = m
                .answers()
                .iter()
                .filter_map(|r| match r.data() {
                    RData::NS(ns) => Some(ns.0.to_ascii()),
                    _ => None,
                })
                .collect();
            if ns == ["ns2.pool-e2e.test."] {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "BIND9 still serves {ns:?} for {name}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        active_everywhere(&service, id, &[named.addr]).await;
    }
}

/// API change → answered by each nameserver, over 20 changes per server; prints p50/p90/max.
/// The bound is loose (shared CI machine); the numbers are for docs/POOLS.md.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_to_answer_latency_on_bind9_and_pdns() {
    let named = Named::start();
    let pdns = Pdns::start();
    let state = tempfile::tempdir().expect("tempdir");
    let ports = Ports {
        api: 0,
        mdns: free_port(),
        nameserver: 0,
    };
    let config = harness::write_config(state.path(), &ports);
    let file = state.path().join("pools.yaml");
    std::fs::write(&file, pools_yaml(&named, &pdns, ports.mdns)).expect("pools.yaml");
    let out = manage(
        &config,
        &["pool", "update", "--file", file.to_str().expect("path")],
    );
    assert!(out.status.success(), "{}", text(&out));
    let service = Service::start_in(state.path(), &ports).await;
    let (status, zone) = service
        .call(
            reqwest::Method::POST,
            "/v2/zones",
            Some(json!({"name": "latency.test.", "email": "hostmaster@latency.test", "pool_id": POOL_ID})),
        )
        .await;
    assert_eq!(status, 202, "{zone}");
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    active_everywhere(&service, &zone_id, &[named.addr, pdns.addr]).await;
    let rs = service
        .create_recordset(&zone_id, "www.latency.test.", "A", &["192.0.2.1"])
        .await;
    let rs_id = rs["id"].as_str().expect("id").to_owned();
    active_everywhere(&service, &zone_id, &[named.addr, pdns.addr]).await;
    for (label, server, base) in [("bind9", named.addr, 10u32), ("pdns4", pdns.addr, 100)] {
        let mut times = Vec::new();
        for i in 0..20 {
            let ip = format!("192.0.2.{}", base + i);
            let start = std::time::Instant::now();
            let (status, body) = service
                .call(
                    reqwest::Method::PUT,
                    &format!("/v2/zones/{zone_id}/recordsets/{rs_id}"),
                    Some(json!({ "records": [ip.clone()] })),
                )
                .await;
            assert_eq!(status, 202, "{body}");
            dns::wait_answer(
                server,
                "www.latency.test.",
                RecordType::A,
                Duration::from_secs(10),
                move |m| {
                    m.answers()
                        .iter()
                        .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == ip))
                },
            )
            .await;
            times.push(start.elapsed());
            service
                .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(30))
                .await;
        }
        times.sort();
        let p50 = times[times.len() / 2];
        eprintln!(
            "{label}: API change -> answer p50 {p50:?} p90 {:?} max {:?}",
            times[times.len() * 9 / 10],
            times[times.len() - 1]
        );
        assert!(p50 < Duration::from_secs(1), "{label} p50 {p50:?}");
    }
}
