//! `designate sink` as its own process beside `designate all` (with a `transport_url`): Nova
//! and Neutron notifications published on the real RabbitMQ, as those services publish them,
//! become records the built-in nameserver answers, and go away again.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use designate_bus::amqp::{AmqpConfig, Link, TransportUrl};
use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;
use lapin::options::{BasicPublishOptions, ExchangeDeleteOptions, QueueDeleteOptions};
use lapin::BasicProperties;
use serde_json::{json, Value};

use crate::bus_harness::{a_record_is, broker_url, free_port, uuid_tag, Deployment, Role, WITHIN};
use crate::dns::{udp, wait_answer};

/// A notification in the oslo.messaging v2 envelope, as Nova / Neutron's messagingv2 driver
/// publishes it.
fn envelope(publisher: &str, event_type: &str, payload: Value) -> Vec<u8> {
    let message = json!({
        "message_id": uuid::Uuid::new_v4().to_string(),
        "publisher_id": publisher,
        "event_type": event_type,
        "priority": "INFO",
        "payload": payload,
        "timestamp": "2026-11-25 18:00:00.000000",
        "_context_project_name": "demo",
        "_context_project_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
        "_context_request_id": format!("req-{}", uuid::Uuid::new_v4()),
    });
    json!({"oslo.version": "2.0", "oslo.message": message.to_string()})
        .to_string()
        .into_bytes()
}

async fn publish(url: &str, exchange: &str, routing_key: &str, body: Vec<u8>) {
    let link = Link::new(
        AmqpConfig::new(TransportUrl::parse(url).expect("url")),
        "e2e-publisher",
    );
    let conn = link.connection().await.expect("broker");
    let ch = conn.create_channel().await.expect("channel");
    ch.basic_publish(
        exchange.into(),
        routing_key.into(),
        BasicPublishOptions::default(),
        &body,
        BasicProperties::default().with_content_type("application/json".into()),
    )
    .await
    .expect("publish");
    link.close().await;
}

/// Waits until `name` `rtype` is NXDOMAIN or has no answer records.
async fn wait_gone(server: SocketAddr, name: &str, rtype: RecordType) {
    let start = Instant::now();
    loop {
        let msg = udp(server, name, rtype).await;
        if msg.response_code() == ResponseCode::NXDomain || msg.answers().is_empty() {
            return;
        }
        assert!(start.elapsed() < WITHIN, "{name} still answered: {msg:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const SINK_HANDLED: &str = "designate_sink_notifications_total{outcome=\"handled\"}";
const SINK_BAD: &str = "designate_sink_notifications_total{outcome=\"bad\"}";

/// GETs a Prometheus text page and returns the value of the sample `series` (`name{labels}`).
async fn scrape(http: &reqwest::Client, url: &str, series: &str) -> Option<f64> {
    let resp = http.get(url).send().await.expect("scrape");
    assert_eq!(resp.status().as_u16(), 200, "{url}");
    let text = resp.text().await.expect("metrics text");
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

/// Waits until the counter `series` at `url` reads `want`: the sink counts a notification after
/// central answered, which may be a moment after the records it wrote are already served.
async fn wait_count(http: &reqwest::Client, url: &str, series: &str, want: f64) {
    let started = Instant::now();
    loop {
        let got = scrape(http, url, series).await;
        if got == Some(want) {
            return;
        }
        assert!(started.elapsed() < WITHIN, "{series}: {got:?}, want {want}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sink_turns_nova_and_neutron_notifications_into_answered_records() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("mdns.port"), free_port().to_string()).expect("port");
    let mut d = Deployment {
        dir,
        tag: uuid_tag(),
        url: broker_url(),
        apis: Vec::new(),
        nameserver: SocketAddr::from(([127, 0, 0, 1], free_port())),
        roles: Vec::new(),
        http: reqwest::Client::new(),
    };
    let api_port = free_port();
    let all = d.config(api_port);
    d.roles.push(Role::start(
        "all",
        &all,
        "all",
        "info",
        "designate all ready",
    ));
    d.apis.push(format!("http://127.0.0.1:{api_port}"));
    let zone = d.create_zone(0, "vms.example.org.").await;
    d.wait_active(&zone).await;

    // The sink's own config: the same bus, the handlers pointed at the zone.
    let tag = d.tag.clone();
    let (nova, neutron, topic) = (
        format!("nova-{tag}"),
        format!("neutron-{tag}"),
        format!("sinknotes-{tag}"),
    );
    let sink_conf = d.config(free_port());
    let metrics_port = free_port();
    let mut text = std::fs::read_to_string(&sink_conf).expect("read config");
    text.push_str(&format!(
        "\n[service:sink]\nenabled_notification_handlers = nova_fixed, neutron_floatingip\n\
         metrics_listen = 127.0.0.1:{metrics_port}\n\n\
         [handler:nova_fixed]\nzone_id = {zone}\ncontrol_exchange = {nova}\n\
         notification_topics = {topic}\nformatv4 = %(hostname)s.%(zone)s\n\
         formatv6 = %(hostname)s.%(zone)s\n\n\
         [handler:neutron_floatingip]\nzone_id = {zone}\ncontrol_exchange = {neutron}\n\
         notification_topics = {topic}\n\
         formatv4 = fip-%(octet0)s-%(octet1)s-%(octet2)s-%(octet3)s.%(zone)s\n"
    ));
    std::fs::write(&sink_conf, text).expect("write config");
    d.roles.push(Role::start(
        "sink",
        &sink_conf,
        "sink",
        "info",
        "sink consuming",
    ));

    let key = format!("{topic}.info");
    let instance = uuid::Uuid::new_v4();
    publish(
        &d.url,
        &nova,
        &key,
        envelope(
            "compute.compute-1",
            "compute.instance.create.end",
            json!({
                "instance_id": instance.to_string(),
                "hostname": "web1",
                "display_name": "web1",
                "tenant_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
                "state": "active",
                "fixed_ips": [
                    {"address": "10.0.0.5", "version": 4, "label": "private", "type": "fixed",
                     "vif_mac": "fa:16:3e:00:00:01", "meta": {}, "floating_ips": []},
                    {"address": "fd00::5", "version": 6, "label": "private", "type": "fixed",
                     "vif_mac": "fa:16:3e:00:00:01", "meta": {}, "floating_ips": []}
                ]
            }),
        ),
    )
    .await;
    let fip = uuid::Uuid::new_v4();
    publish(
        &d.url,
        &neutron,
        &key,
        envelope(
            "network.neutron-1",
            "floatingip.update.end",
            json!({"floatingip": {
                "id": fip.to_string(), "floating_ip_address": "203.0.113.7",
                "fixed_ip_address": "10.0.0.5", "tenant_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
                "port_id": uuid::Uuid::new_v4().to_string(), "status": "DOWN"
            }}),
        ),
    )
    .await;

    wait_answer(
        d.nameserver,
        "web1.vms.example.org.",
        RecordType::A,
        WITHIN,
        |m| m.authoritative() && a_record_is(m, "10.0.0.5"),
    )
    .await;
    wait_answer(
        d.nameserver,
        "web1.vms.example.org.",
        RecordType::AAAA,
        WITHIN,
        |m| !m.answers().is_empty(),
    )
    .await;
    wait_answer(
        d.nameserver,
        "fip-203-0-113-7.vms.example.org.",
        RecordType::A,
        WITHIN,
        |m| a_record_is(m, "203.0.113.7"),
    )
    .await;

    // The sink's counters, scraped over HTTP from its `metrics_listen`: both notifications
    // handled; then a malformed one is counted as bad.
    let sink_metrics = format!("http://127.0.0.1:{metrics_port}/metrics");
    wait_count(&d.http, &sink_metrics, SINK_HANDLED, 2.0).await;
    publish(&d.url, &nova, &key, b"{not json".to_vec()).await;
    wait_count(&d.http, &sink_metrics, SINK_BAD, 1.0).await;
    // The API of `all` counted the zone create.
    let api_metrics = format!("{}/metrics", d.apis[0]);
    assert_eq!(
        scrape(
            &d.http,
            &api_metrics,
            "designate_api_requests_total{method=\"POST\",route=\"/v2/zones\",status=\"202\"}"
        )
        .await,
        Some(1.0)
    );

    // The instance is deleted and the floating IP released: the records go.
    publish(
        &d.url,
        &nova,
        &key,
        envelope(
            "compute.compute-1",
            "compute.instance.delete.start",
            json!({"instance_id": instance.to_string(), "hostname": "web1",
                   "tenant_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e"}),
        ),
    )
    .await;
    publish(
        &d.url,
        &neutron,
        &key,
        envelope(
            "network.neutron-1",
            "floatingip.delete.start",
            json!({"floatingip_id": fip.to_string()}),
        ),
    )
    .await;
    wait_gone(d.nameserver, "web1.vms.example.org.", RecordType::A).await;
    wait_gone(d.nameserver, "web1.vms.example.org.", RecordType::AAAA).await;
    wait_gone(
        d.nameserver,
        "fip-203-0-113-7.vms.example.org.",
        RecordType::A,
    )
    .await;
    wait_count(&d.http, &sink_metrics, SINK_HANDLED, 4.0).await;

    for role in &mut d.roles {
        role.stop();
    }
    // The test's own exchanges and queue.
    let link = Link::new(
        AmqpConfig::new(TransportUrl::parse(&d.url).expect("url")),
        "e2e-cleanup",
    );
    if let Ok(conn) = link.connection().await {
        if let Ok(ch) = conn.create_channel().await {
            let _ = ch
                .queue_delete(key.as_str().into(), QueueDeleteOptions::default())
                .await;
            for exchange in [&nova, &neutron] {
                let _ = ch
                    .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                    .await;
            }
        }
    }
    link.close().await;
}
