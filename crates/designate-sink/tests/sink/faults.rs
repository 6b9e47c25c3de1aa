//! Faults: a sink restarted in the middle of a burst, and central unreachable.

use std::sync::Arc;
use std::time::{Duration, Instant};

use designate_bus::amqp::{serve_central, CentralClient, Link};
use designate_bus::CentralApi;
use lapin::options::QueueDeleteOptions;
use serde_json::Value;
use uuid::Uuid;

use crate::harness::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sink_restart_mid_burst_of_1000_creates_every_record_exactly_once() {
    let mut h = Harness::new().await;
    // Fifty recordsets of twenty records each (within upstream's default recordset quotas).
    let mut config = h.sink_config();
    config.handlers[0].formatv4 = vec!["net%(octet2)s.%(zone)s".to_owned()];
    let first = h.start_sink(config.clone()).await;
    let messages: Vec<Value> = (0..1000)
        .map(|i| {
            let ip = format!("10.4.{}.{}", i / 20, i % 20 + 1);
            nova_create(Uuid::new_v4(), &format!("vm{i}"), &[(ip.as_str(), 4)])
        })
        .collect();
    h.publish(&h.nova_exchange, &messages).await;
    // Stop the first sink in the middle of the burst (possibly inside a central call).
    h.wait_metrics(|handled, _, _| handled >= 150).await;
    h.sinks[first].1.cancel();
    let stopped_at = h.sinks[first].0.handled.get();
    assert!(stopped_at < 1000, "the burst was over before the restart");
    tokio::time::sleep(Duration::from_millis(300)).await;
    h.start_sink(config).await;

    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let total: usize = h.names().await.iter().map(|n| n.2.len()).sum();
        if total >= 1000 {
            break;
        }
        assert!(Instant::now() < deadline, "only {total} of 1000 records");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Late redeliveries (if any) must not add anything.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let names = h.names().await;
    assert_eq!(names.len(), 50);
    let mut all: Vec<String> = names.into_iter().flat_map(|n| n.2).collect();
    let count = all.len();
    all.dedup();
    assert_eq!(
        (count, all.len()),
        (1000, 1000),
        "every record exactly once"
    );
    assert_eq!(h.sinks[1].0.bad.get(), 0);
    h.finish().await;
}

#[tokio::test]
async fn notification_waits_in_the_queue_while_central_is_unreachable() {
    let mut h = Harness::new().await;
    // The sink calls centrals on a topic nobody serves yet.
    let mut late = h.amqp.clone();
    late.central_topic = format!("{}-late", h.amqp.central_topic);
    late.rpc_timeout = Duration::from_millis(500);
    let client: Arc<dyn CentralApi> =
        Arc::new(CentralClient::new(Link::new(late.clone(), "test-sink-rpc")));
    let sink = h.start_sink_with(h.sink_config(), client).await;
    h.publish(
        &h.nova_exchange,
        &[nova_create(Uuid::new_v4(), "patient", &[("10.5.0.1", 4)])],
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while h.sinks[sink].0.retried.get() < 2 {
        assert!(Instant::now() < deadline, "never retried");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Not acked, not dropped, not counted as bad.
    assert_eq!(h.sinks[sink].0.snapshot().0, 0);
    assert_eq!(h.sinks[sink].0.bad.get(), 0);
    assert!(h.names().await.is_empty());

    // A central appears: the requeued notification lands.
    tokio::spawn(serve_central(
        Link::new(late.clone(), "test-late-central"),
        Arc::clone(&h.real),
        h.shutdown.clone(),
    ));
    h.wait_metrics(|handled, _, _| handled >= 1).await;
    let names: Vec<String> = h.names().await.into_iter().map(|n| n.0).collect();
    assert_eq!(names, ["patient.cloud.example.org."]);
    let link = Link::new(late.clone(), "test-cleanup-late");
    if let Ok(conn) = link.connection().await {
        if let Ok(ch) = conn.create_channel().await {
            let _ = ch
                .queue_delete(
                    late.central_topic.as_str().into(),
                    QueueDeleteOptions::default(),
                )
                .await;
        }
    }
    link.close().await;
    h.finish().await;
}
