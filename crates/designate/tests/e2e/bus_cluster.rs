//! Losing a RabbitMQ cluster member: two nodes of the test's own on this machine (own ports,
//! node names, data directories, one shared Erlang cookie), clustered with `rabbitmqctl
//! join_cluster`; every role is given both members in `transport_url`. The node the roles are
//! connected to (the first listed) is stopped mid-flow; the roles fail over to the other member
//! and changes keep flowing.
//!
//! The queues survive their home node through the operator's mirroring policy (`ha-mode: all`,
//! set here with `rabbitmqctl set_policy`), as RabbitMQ 3.x deployments of OpenStack do; two
//! nodes cannot use quorum queues (a majority of two is both).

use std::time::{Duration, Instant};

use hickory_proto::rr::RecordType;
use reqwest::Method;
use serde_json::json;

use crate::bus_harness::{a_record_is, Broker, Deployment, WITHIN};
use crate::dns::wait_answer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_flow_continues_when_the_rabbitmq_node_in_use_stops() {
    let mut first = Broker::start();
    let second = Broker::start();
    second.join(&first);
    first.ctl(&[
        "set_policy",
        "ha-all",
        ".*",
        r#"{"ha-mode":"all","ha-sync-mode":"automatic","ha-promote-on-shutdown":"always"}"#,
        "--apply-to",
        "queues",
    ]);
    let url = format!(
        "rabbit://guest:guest@127.0.0.1:{},guest:guest@127.0.0.1:{}/",
        first.port, second.port
    );
    let mut d = Deployment::start(url);
    let zone = d.create_zone(0, "cluster.example.org.").await;
    d.wait_active(&zone).await;
    d.create_a(1, &zone, "before.cluster.example.org.", "192.0.2.1")
        .await;
    wait_answer(
        d.nameserver,
        "before.cluster.example.org.",
        RecordType::A,
        WITHIN,
        |m| a_record_is(m, "192.0.2.1"),
    )
    .await;

    // Every role is connected to the first member (the first listed); stop it.
    first.stop();

    // The roles reconnect to the second member by themselves; changes flow through both APIs.
    let deadline = Instant::now() + WITHIN * 2;
    let mut accepted = Vec::new();
    let mut n = 0;
    while accepted.len() < 10 {
        assert!(
            Instant::now() < deadline,
            "no failover to the second member: {accepted:?}"
        );
        let name = format!("r{n}.cluster.example.org.");
        let ip = format!("192.0.2.{}", n + 10);
        let (status, _) = d
            .call(
                n,
                Method::POST,
                &format!("/v2/zones/{zone}/recordsets"),
                Some(json!({"name": name, "type": "A", "records": [ip]})),
            )
            .await;
        if status == 202 {
            accepted.push((name, ip));
        } else {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        n += 1;
    }
    d.wait_active(&zone).await;
    for (name, ip) in &accepted {
        wait_answer(d.nameserver, name, RecordType::A, WITHIN, |m| {
            a_record_is(m, ip)
        })
        .await;
    }
    for role in &mut d.roles {
        role.stop();
    }
    drop(second);
}
