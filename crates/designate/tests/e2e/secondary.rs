//! SECONDARY zones with a real BIND9 as the external master: `designate all` transfers the
//! zone from named, its built-in nameserver serves the master's records at the master's
//! serial, and changes on named arrive by NOTIFY, by `tasks/xfr` and by the producer's
//! `periodic_secondary_refresh`.

use std::time::Duration;

use designate_backends::testing::Named;
use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{wait_for, Service};
use crate::pools::{a_records, soa_serial};

/// Writes `name`'s zone file into named's directory: serial, SOA refresh, one A record.
fn write_master_zone(named: &Named, name: &str, serial: u32, refresh: u32, www: &str) {
    let text = format!(
        "$ORIGIN {name}\n$TTL 300\n\
         @ IN SOA ns1.{name} admin.{name} {serial} {refresh} 60 86400 300\n\
         @ IN NS ns1.{name}\nns1 IN A 192.0.2.53\nwww 60 IN A {www}\n\
         txt IN TXT \"hello world\" \"two\"\n"
    );
    std::fs::write(named.zone_dir().join(format!("{name}db")), text).expect("zone file");
}

/// Adds `name` to named as a primary zone; `notify_to` is where named sends NOTIFYs (none
/// when `None`).
fn add_master_zone(named: &Named, name: &str, notify_to: Option<u16>) {
    let notify = match notify_to {
        Some(port) => format!("notify explicit; also-notify {{ 127.0.0.1 port {port}; }};"),
        None => "notify no;".to_owned(),
    };
    let spec =
        format!("{{ type primary; file \"{name}db\"; allow-transfer {{ any; }}; {notify} }};");
    let (ok, out) = named.rndc(&["addzone", name, &spec]);
    assert!(ok, "rndc addzone {name}: {out}");
}

fn reload(named: &Named, name: &str) {
    let (ok, out) = named.rndc(&["reload", name]);
    assert!(ok, "rndc reload {name}: {out}");
}

async fn create_secondary(service: &Service, name: &str, master: &str) -> Value {
    let (status, body) = service
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": name, "type": "SECONDARY", "masters": [master]})),
        )
        .await;
    assert_eq!(status, 202, "create secondary {name}: {body}");
    body
}

/// Waits until the built-in nameserver answers `name`'s SOA with `serial` and `www` with `addr`.
async fn served(service: &Service, name: &str, serial: u32, addr: &str) {
    let ns = service.nameserver;
    let www = format!("www.{name}");
    let want = vec![addr.to_owned()];
    wait_for(Duration::from_secs(30), || {
        let (www, want) = (www.clone(), want.clone());
        async move {
            soa_serial(ns, name).await == Some(serial) && a_records(ns, &www).await.1 == want
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn secondary_zone_follows_a_bind9_master() {
    let named = Named::start();
    let service = Service::start_in_with(
        tempfile::tempdir().expect("tempdir").keep().as_path(),
        &crate::harness::Ports::any(),
        "[producer_task:periodic_secondary_refresh]\ninterval = 1\n",
    )
    .await;
    let master = format!("127.0.0.1:{}", named.addr.port());

    // --- create: transferred from named, served at the master's serial ---
    write_master_zone(&named, "notified.test.", 100, 3600, "192.0.2.10");
    add_master_zone(&named, "notified.test.", Some(service.mdns.port()));
    let created = create_secondary(&service, "notified.test.", &master).await;
    assert_eq!(created["type"], "SECONDARY");
    assert_eq!(created["masters"], json!([master]));
    assert_eq!(created["serial"], 1);
    assert!(created["transferred_at"].is_null());
    let id = created["id"].as_str().expect("id").to_owned();
    let active = service
        .wait_zone_status(&id, "ACTIVE", Duration::from_secs(30))
        .await;
    assert_eq!(active["serial"], 100, "{active}");
    assert_eq!(active["email"], "admin@notified.test");
    assert!(active["transferred_at"].is_string(), "{active}");
    served(&service, "notified.test.", 100, "192.0.2.10").await;
    // Recordsets of a SECONDARY zone are the master's: a member may not change them.
    let resp = service
        .http
        .post(format!("{}/v2/zones/{id}/recordsets", service.api))
        .header("X-Roles", "member")
        .json(&json!({"name": "x.notified.test.", "type": "A", "records": ["192.0.2.1"]}))
        .send()
        .await
        .expect("http");
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.expect("json");
    assert_eq!(
        (status, body["type"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );

    // --- a change on named: NOTIFY to MiniDNS brings it ---
    write_master_zone(&named, "notified.test.", 101, 3600, "192.0.2.11");
    reload(&named, "notified.test.");
    served(&service, "notified.test.", 101, "192.0.2.11").await;
    service
        .wait_zone_status(&id, "ACTIVE", Duration::from_secs(30))
        .await;

    // --- no NOTIFY: `tasks/xfr` brings the change ---
    write_master_zone(&named, "quiet.test.", 7, 3600, "192.0.2.20");
    add_master_zone(&named, "quiet.test.", None);
    let quiet = create_secondary(&service, "quiet.test.", &master).await;
    let quiet_id = quiet["id"].as_str().expect("id").to_owned();
    served(&service, "quiet.test.", 7, "192.0.2.20").await;
    write_master_zone(&named, "quiet.test.", 8, 3600, "192.0.2.21");
    reload(&named, "quiet.test.");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(soa_serial(service.nameserver, "quiet.test.").await, Some(7));
    let (status, body) = service
        .call(
            Method::POST,
            &format!("/v2/zones/{quiet_id}/tasks/xfr"),
            Some(json!({})),
        )
        .await;
    assert_eq!(status, 202, "{body}");
    served(&service, "quiet.test.", 8, "192.0.2.21").await;

    // --- no NOTIFY, refresh 2 s: the producer's periodic_secondary_refresh brings it ---
    write_master_zone(&named, "refresh.test.", 40, 2, "192.0.2.30");
    add_master_zone(&named, "refresh.test.", None);
    create_secondary(&service, "refresh.test.", &master).await;
    served(&service, "refresh.test.", 40, "192.0.2.30").await;
    write_master_zone(&named, "refresh.test.", 41, 2, "192.0.2.31");
    reload(&named, "refresh.test.");
    served(&service, "refresh.test.", 41, "192.0.2.31").await;

    // --- xfr of a PRIMARY zone is upstream's 400 ---
    let primary = service.create_zone("primary.test.").await;
    let (status, body) = service
        .call(
            Method::POST,
            &format!(
                "/v2/zones/{}/tasks/xfr",
                primary["id"].as_str().expect("id")
            ),
            Some(json!({})),
        )
        .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );

    // --- a master that refuses: the zone goes ERROR, nothing is served ---
    write_master_zone(&named, "closed.test.", 5, 3600, "192.0.2.40");
    let (ok, out) = named.rndc(&[
        "addzone",
        "closed.test.",
        "{ type primary; file \"closed.test.db\"; allow-transfer { none; }; };",
    ]);
    assert!(ok, "rndc addzone closed.test.: {out}");
    let closed = create_secondary(&service, "closed.test.", &master).await;
    let closed_id = closed["id"].as_str().expect("id").to_owned();
    service
        .wait_zone_status(&closed_id, "ERROR", Duration::from_secs(30))
        .await;
    assert_eq!(soa_serial(service.nameserver, "closed.test.").await, None);
}

#[tokio::test(flavor = "multi_thread")]
async fn secondary_zone_create_and_patch_errors() {
    let service = Service::start().await;
    let post = |body: Value| {
        let service = &service;
        async move { service.call(Method::POST, "/v2/zones", Some(body)).await }
    };
    for (body, validator) in [
        (json!({"name": "a.test.", "type": "SECONDARY"}), "required"),
        (
            json!({"name": "a.test.", "type": "SECONDARY", "masters": []}),
            "required",
        ),
        (
            json!({"name": "a.test.", "type": "SECONDARY", "masters": ["192.0.2.1"], "email": "a@a.test"}),
            "not_allowed",
        ),
        (
            json!({"name": "a.test.", "type": "SECONDARY", "masters": ["192.0.2.1"], "ttl": 300}),
            "not_allowed",
        ),
        (
            json!({"name": "a.test.", "email": "a@a.test", "masters": ["192.0.2.1"]}),
            "maxItems",
        ),
    ] {
        let (status, got) = post(body.clone()).await;
        assert_eq!(status, 400, "{body}: {got}");
        assert_eq!(got["type"], "invalid_object", "{body}: {got}");
        assert_eq!(
            got["errors"]["errors"][0]["validator"], validator,
            "{body}: {got}"
        );
    }
    let (status, got) =
        post(json!({"name": "a.test.", "type": "SECONDARY", "masters": ["192.0.2.1:0"]})).await;
    assert_eq!(
        (status, got["type"].as_str()),
        (400, Some("invalid_object")),
        "{got}"
    );

    // Masters render as upstream: the host alone on port 53.
    let (status, zone) = post(json!({"name": "b.test.", "type": "SECONDARY",
        "masters": ["192.0.2.1", "192.0.2.2:5300"], "description": "d"}))
    .await;
    assert_eq!(status, 202, "{zone}");
    assert_eq!(zone["masters"], json!(["192.0.2.1", "192.0.2.2:5300"]));
    assert_eq!(zone["email"], "hostmaster@example.com");
    let id = zone["id"].as_str().expect("id").to_owned();
    let (status, shown) = service
        .call(Method::GET, &format!("/v2/zones/{id}"), None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(shown["masters"], zone["masters"]);

    // PATCH: new masters are stored; email / ttl are refused on a SECONDARY zone.
    let path = format!("/v2/zones/{id}");
    let (status, patched) = service
        .call(
            Method::PATCH,
            &path,
            Some(json!({"masters": ["198.51.100.1:53"]})),
        )
        .await;
    assert_eq!(status, 202, "{patched}");
    assert_eq!(patched["masters"], json!(["198.51.100.1"]));
    let (status, got) = service
        .call(Method::PATCH, &path, Some(json!({"ttl": 60})))
        .await;
    assert_eq!(
        (status, got["type"].as_str()),
        (400, Some("invalid_object")),
        "{got}"
    );
    let (status, got) = service
        .call(Method::PATCH, &path, Some(json!({"masters": []})))
        .await;
    assert_eq!(
        (status, got["type"].as_str()),
        (400, Some("invalid_object")),
        "{got}"
    );

    // A PRIMARY zone takes no masters.
    let primary = service.create_zone("c.test.").await;
    let (status, got) = service
        .call(
            Method::PATCH,
            &format!("/v2/zones/{}", primary["id"].as_str().expect("id")),
            Some(json!({"masters": ["192.0.2.1"]})),
        )
        .await;
    assert_eq!(
        (status, got["type"].as_str()),
        (400, Some("invalid_object")),
        "{got}"
    );
}

/// A `designate nameserver` of its own (own state directory) following the store at
/// `database`, listening on `port`; killed on drop.
struct SecondNameserver {
    child: std::process::Child,
    _state: tempfile::TempDir,
}

impl SecondNameserver {
    fn start(database: &std::path::Path, port: u16) -> Self {
        use std::io::{BufRead, BufReader};
        let state = tempfile::tempdir().expect("tempdir");
        let config = state.path().join("designate.conf");
        std::fs::write(
            &config,
            format!(
                "[DEFAULT]\nstate_path = {}\n\n[storage:sqlalchemy]\nconnection = sqlite:///{}\n\n\
                 [service:nameserver]\nlisten = 127.0.0.1:{port}\n",
                state.path().display(),
                database.display()
            ),
        )
        .expect("config");
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_designate"))
            .arg("--config")
            .arg(&config)
            .arg("nameserver")
            .env("RUST_LOG", "info")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn designate nameserver");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if line.contains("nameserver ready") {
                    let _ = tx.send(());
                }
            }
        });
        rx.recv_timeout(Duration::from_secs(20))
            .expect("designate nameserver did not become ready");
        Self {
            child,
            _state: state,
        }
    }
}

impl Drop for SecondNameserver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tasks/pool_move` between two pools, each with a built-in nameserver target: the zone ends
/// ACTIVE, served by the new pool's nameserver with the new pool's NS records, and no longer by
/// the old one; upstream's errors for the same pool, an unknown pool and a non-admin.
#[tokio::test(flavor = "multi_thread")]
async fn pool_move_between_two_builtin_pools() {
    use designate_backends::testing::free_port;

    let state = tempfile::tempdir().expect("tempdir");
    let ports = crate::harness::Ports {
        api: 0,
        mdns: free_port(),
        nameserver: 0,
    };
    let config = crate::harness::write_config_with(state.path(), &ports, "");
    let second_port = free_port();
    let second_pool = "5f0c8b2e-2f6e-4d39-9b1a-7c3e0a4d6b11";
    let yaml = format!(
        "- name: second\n  id: {second_pool}\n  \
         ns_records:\n    - hostname: ns1.second-pool.test.\n      priority: 1\n  \
         nameservers:\n    - host: 127.0.0.1\n      port: {second_port}\n  \
         targets:\n    - type: builtin\n      masters:\n        - host: 127.0.0.1\n          port: {mdns}\n      \
         options:\n        host: 127.0.0.1\n        port: {second_port}\n",
        mdns = ports.mdns
    );
    let file = state.path().join("pools.yaml");
    std::fs::write(&file, yaml).expect("pools.yaml");
    let service = Service::start_in(state.path(), &ports).await;
    let out = crate::pools::manage(
        &config,
        &["pool", "update", "--file", file.to_str().expect("path")],
    );
    assert!(out.status.success(), "{}", crate::pools::text(&out));
    let second = SecondNameserver::start(&state.path().join("designate.sqlite"), second_port);
    let second_addr: std::net::SocketAddr = ([127, 0, 0, 1], second_port).into();

    let zone = service.create_zone("moving.test.").await;
    let id = zone["id"].as_str().expect("id").to_owned();
    let before = service
        .wait_zone_status(&id, "ACTIVE", Duration::from_secs(30))
        .await;
    service
        .create_recordset(&id, "www.moving.test.", "A", &["192.0.2.77"])
        .await;
    service
        .wait_zone_status(&id, "ACTIVE", Duration::from_secs(30))
        .await;
    assert!(soa_serial(service.nameserver, "moving.test.")
        .await
        .is_some());

    let path = format!("/v2/zones/{id}/tasks/pool_move");
    // Upstream's errors.
    let own = before["pool_id"].clone();
    let (status, body) = service
        .call(Method::POST, &path, Some(json!({"pool_id": own})))
        .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );
    let (status, body) = service
        .call(
            Method::POST,
            &path,
            Some(json!({"pool_id": "00000000-0000-0000-0000-00000000dead"})),
        )
        .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (400, Some("bad_request")),
        "{body}"
    );
    let resp = service
        .http
        .post(format!("{}{path}", service.api))
        .header("X-Roles", "member")
        .json(&json!({"pool_id": second_pool}))
        .send()
        .await
        .expect("http");
    assert_eq!(resp.status().as_u16(), 403);

    // The move.
    let (status, body) = service
        .call(Method::POST, &path, Some(json!({"pool_id": second_pool})))
        .await;
    assert_eq!(status, 202, "{body}");
    let moved = service
        .wait_zone_status(&id, "ACTIVE", Duration::from_secs(30))
        .await;
    assert_eq!(moved["pool_id"], second_pool);
    let serial = u32::try_from(moved["serial"].as_u64().expect("serial")).expect("u32");
    assert!(u64::from(serial) > before["serial"].as_u64().expect("serial"));
    let www = vec!["192.0.2.77".to_owned()];
    wait_for(Duration::from_secs(30), || {
        let www = www.clone();
        async move {
            soa_serial(second_addr, "moving.test.").await == Some(serial)
                && a_records(second_addr, "www.moving.test.").await.1 == www
        }
    })
    .await;
    // The old pool's nameserver no longer has it.
    let ns1 = service.nameserver;
    wait_for(Duration::from_secs(30), || async move {
        soa_serial(ns1, "moving.test.").await.is_none()
    })
    .await;
    let ns = crate::dns::udp(
        second_addr,
        "moving.test.",
        hickory_proto::rr::RecordType::NS,
    )
    .await;
    let hosts: Vec<String> = ns.answers().iter().map(|r| r.data().to_string()).collect();
    assert_eq!(hosts, vec!["ns1.second-pool.test.".to_owned()]);
    drop(second);
}
