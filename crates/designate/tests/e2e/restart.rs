//! Durability: data survives a clean restart, and a change accepted just before a crash still
//! reaches the nameserver after the next start (recovery re-drives it).

use std::time::Duration;

use hickory_proto::rr::{RData, RecordType};
use reqwest::Method;

use crate::dns::wait_answer;
use crate::harness::{Ports, Service};

const WITHIN: Duration = Duration::from_secs(10);

fn has_a(m: &hickory_proto::op::Message, want: &str) -> bool {
    m.answers()
        .iter()
        .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == want))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_a_clean_restart() {
    let state = tempfile::tempdir().expect("tempdir");
    let mut first = Service::start_in(state.path(), &Ports::any()).await;
    let zone = first.create_zone("durable.test.").await;
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    first
        .create_recordset(&zone_id, "www.durable.test.", "A", &["192.0.2.33"])
        .await;
    first.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;
    let (status, log) = first.stop();
    assert!(status.success(), "unclean exit {status}: {log:?}");

    // Same ports as before: the sockets of the first process must be free again after SIGTERM.
    let second = Service::start_in(state.path(), &first.ports()).await;
    let (status, body) = second
        .call(Method::GET, &format!("/v2/zones/{zone_id}"), None)
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ACTIVE");
    // The nameserver reloads its zones and transfers them again from MiniDNS.
    wait_answer(
        second.nameserver,
        "www.durable.test.",
        RecordType::A,
        WITHIN,
        |m| m.authoritative() && has_a(m, "192.0.2.33"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_accepted_before_a_crash_is_served_after_restart() {
    let state = tempfile::tempdir().expect("tempdir");
    let mut first = Service::start_in(state.path(), &Ports::any()).await;
    let zone = first.create_zone("crash.test.").await;
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    first.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;
    // Accepted (202) and then the process dies at once, before the worker can finish.
    let mut ids = Vec::new();
    for i in 0..20 {
        let rs = first
            .create_recordset(
                &zone_id,
                &format!("h{i}.crash.test."),
                "A",
                &[&format!("192.0.2.{}", i + 1)],
            )
            .await;
        ids.push(rs["id"].as_str().expect("id").to_owned());
    }
    first.kill();

    let second = Service::start_in(state.path(), &Ports::any()).await;
    for i in 0..20 {
        let want = format!("192.0.2.{}", i + 1);
        wait_answer(
            second.nameserver,
            &format!("h{i}.crash.test."),
            RecordType::A,
            WITHIN,
            |m| has_a(m, &want),
        )
        .await;
    }
    second.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;
}
