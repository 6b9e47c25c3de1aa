//! The `powerdns-sql` backend through the real binary: a pool whose targets are two real
//! PowerDNS servers reading their zones from SQL — gmysql on MariaDB and gpgsql on PostgreSQL —
//! installed with `designate manage pool update`; every zone and recordset change made through
//! the API is written into both databases and answered by both servers with the API's serial.

use std::time::Duration;

use designate_backends::testing::{free_port, PdnsSql, PdnsSqlEngine};
use serde_json::json;

use crate::harness::{self, Ports, Service};
use crate::pools::{
    active_everywhere, delete_zone_and_wait, manage, recordset_lifecycle_everywhere, soa_serial,
    text,
};

const POOL_ID: &str = "5e0c7a8e-2f7d-4a61-8b0c-3b2d9f6a1c02";

fn pools_yaml(mysql: &PdnsSql, pgsql: &PdnsSql) -> String {
    format!(
        "- name: powerdns-sql\n  id: {POOL_ID}\n  description: PowerDNS on MariaDB and PostgreSQL\n  \
         ns_records:\n    - hostname: ns1.sql-e2e.test.\n      priority: 1\n  \
         nameservers:\n    - host: 127.0.0.1\n      port: {mp}\n    - host: 127.0.0.1\n      port: {pp}\n  \
         targets:\n    \
         - type: powerdns-sql\n      description: gmysql\n      options:\n        connection: {mc}\n    \
         - type: powerdns-sql\n      description: gpgsql\n      options:\n        connection: {pc}\n        domain_type: MASTER\n",
        mp = mysql.addr.port(),
        pp = pgsql.addr.port(),
        mc = mysql.connection,
        pc = pgsql.connection,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn powerdns_sql_targets_serve_every_change_with_the_api_serial() {
    let mysql = PdnsSql::start(PdnsSqlEngine::MySql);
    let pgsql = PdnsSql::start(PdnsSqlEngine::Postgres);
    let servers = [mysql.addr, pgsql.addr];
    let state = tempfile::tempdir().expect("tempdir");
    let ports = Ports {
        api: 0,
        mdns: free_port(),
        nameserver: 0,
    };
    let config = harness::write_config(state.path(), &ports);
    let file = state.path().join("pools.yaml");
    std::fs::write(&file, pools_yaml(&mysql, &pgsql)).expect("pools.yaml");
    let out = manage(
        &config,
        &["pool", "update", "--file", file.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("Create Pool: powerdns-sql"),
        "{}",
        text(&out)
    );

    let service = Service::start_in(state.path(), &ports).await;
    let (status, zone) = service
        .call(
            reqwest::Method::POST,
            "/v2/zones",
            Some(json!({"name": "sql-e2e.test.", "email": "hostmaster@sql-e2e.test", "pool_id": POOL_ID})),
        )
        .await;
    assert_eq!(status, 202, "{zone}");
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    let first = active_everywhere(&service, &zone_id, &servers).await;
    // The pool's NS record, written by central, is what both servers answer.
    for pdns in [&mysql, &pgsql] {
        let ns = pdns.query("SELECT content FROM records WHERE type = 'NS'");
        assert_eq!(ns.trim(), "ns1.sql-e2e.test.", "{:?}", pdns.engine);
    }
    assert_eq!(mysql.query("SELECT type FROM domains").trim(), "NATIVE");
    assert_eq!(pgsql.query("SELECT type FROM domains").trim(), "MASTER");

    recordset_lifecycle_everywhere(&service, &zone_id, "sql-e2e.test.", &servers, first).await;
    // Zone delete: gone from the API, then from every server.
    delete_zone_and_wait(&service, &zone_id).await;
    for pdns in [&mysql, &pgsql] {
        assert_eq!(soa_serial(pdns.addr, "sql-e2e.test.").await, None);
        assert_eq!(pdns.query("SELECT COUNT(*) FROM domains").trim(), "0");
        assert_eq!(pdns.query("SELECT COUNT(*) FROM records").trim(), "0");
    }
}

/// API change → answered by PowerDNS on gmysql and on gpgsql, over 100 changes; prints
/// p50/p99/max for docs/PERFORMANCE.md. The bound is loose (shared CI machine).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_to_answer_latency_on_powerdns_sql() {
    use hickory_proto::rr::{RData, RecordType};

    let mysql = PdnsSql::start(PdnsSqlEngine::MySql);
    let pgsql = PdnsSql::start(PdnsSqlEngine::Postgres);
    let state = tempfile::tempdir().expect("tempdir");
    let ports = Ports {
        api: 0,
        mdns: free_port(),
        nameserver: 0,
    };
    let config = harness::write_config(state.path(), &ports);
    let file = state.path().join("pools.yaml");
    std::fs::write(&file, pools_yaml(&mysql, &pgsql)).expect("pools.yaml");
    let out = manage(
        &config,
        &["pool", "update", "--file", file.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", text(&out));
    let service = Service::start_in(state.path(), &ports).await;
    let servers = [mysql.addr, pgsql.addr];
    let (status, zone) = service
        .call(
            reqwest::Method::POST,
            "/v2/zones",
            Some(json!({"name": "sql-latency.test.", "email": "a@sql-latency.test", "pool_id": POOL_ID})),
        )
        .await;
    assert_eq!(status, 202, "{zone}");
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    active_everywhere(&service, &zone_id, &servers).await;
    let rs = service
        .create_recordset(&zone_id, "www.sql-latency.test.", "A", &["192.0.2.1"])
        .await;
    let rs_id = rs["id"].as_str().expect("id").to_owned();
    active_everywhere(&service, &zone_id, &servers).await;

    let mut times: [Vec<Duration>; 2] = [Vec::new(), Vec::new()];
    for i in 0..100u32 {
        let ip = format!("198.51.100.{}", i + 1);
        let start = std::time::Instant::now();
        let (status, body) = service
            .call(
                reqwest::Method::PUT,
                &format!("/v2/zones/{zone_id}/recordsets/{rs_id}"),
                Some(json!({ "records": [ip.clone()] })),
            )
            .await;
        assert_eq!(status, 202, "{body}");
        let mut pending = [true, true];
        while pending.iter().any(|p| *p) {
            for (n, server) in servers.iter().enumerate() {
                if !pending[n] {
                    continue;
                }
                let msg = crate::dns::udp(*server, "www.sql-latency.test.", RecordType::A).await;
                if msg
                    .answers()
                    .iter()
                    .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == ip))
                {
                    pending[n] = false;
                    times[n].push(start.elapsed());
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "change {i} not answered within 10 s"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        service
            .wait_zone_status(&zone_id, "ACTIVE", Duration::from_secs(30))
            .await;
    }
    for (label, mut t) in ["gmysql", "gpgsql"].into_iter().zip(times) {
        t.sort();
        let p50 = t[t.len() / 2];
        eprintln!(
            "powerdns-sql {label}: API change -> answer over {} changes: p50 {p50:?} p99 {:?} max {:?}",
            t.len(),
            t[t.len() * 99 / 100],
            t[t.len() - 1]
        );
        assert!(p50 < Duration::from_secs(2), "{label} p50 {p50:?}");
    }
}
