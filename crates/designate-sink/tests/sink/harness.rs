//! The shared harness: a real central served over AMQP RPC, a zone, sinks, and
//! notifications shaped as Nova and Neutron publish them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use designate_bus::amqp::{serve_central, AmqpConfig, CentralClient, Link, TransportUrl};
use designate_bus::CentralApi;
use designate_central::{Central, CentralConfig};
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{NewZone, Pool, PoolNsRecord, RecordSet, Zone};
use designate_core::RequestContext;
use designate_sink::{HandlerConfig, HandlerKind, SinkConfig, SinkMetrics};
use designate_storage::{SqlStorage, Storage};
use lapin::options::{
    BasicPublishOptions, ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions,
    QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, ExchangeKind};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

pub(crate) fn broker_url() -> String {
    std::env::var("DESIGNATE_TEST_TRANSPORT_URL")
        .unwrap_or_else(|_| "rabbit://guest:guest@127.0.0.1:5672/".to_owned())
}

/// Everything one test owns: names, a central served over AMQP, the zone, and sinks.
pub(crate) struct Harness {
    pub(crate) _dir: tempfile::TempDir,
    pub(crate) amqp: AmqpConfig,
    pub(crate) nova_exchange: String,
    pub(crate) neutron_exchange: String,
    pub(crate) topic: String,
    pub(crate) central: Arc<dyn CentralApi>,
    /// The central itself, to serve it on another topic later.
    pub(crate) real: Arc<dyn CentralApi>,
    pub(crate) zone: Zone,
    pub(crate) shutdown: CancellationToken,
    pub(crate) sinks: Vec<(Arc<SinkMetrics>, CancellationToken)>,
}

impl Harness {
    pub(crate) async fn new() -> Self {
        let tag = Uuid::new_v4().simple().to_string();
        let mut amqp = AmqpConfig::new(TransportUrl::parse(&broker_url()).unwrap());
        amqp.control_exchange = format!("designate-sinktest-{tag}");
        amqp.central_topic = format!("central-{tag}");
        amqp.worker_topic = format!("worker-{tag}");
        amqp.rpc_timeout = Duration::from_secs(10);
        amqp.retry_interval = Duration::from_millis(100);
        amqp.retry_backoff = Duration::from_millis(100);

        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:///{}", dir.path().join("designate.db").display());
        let storage = SqlStorage::connect(&url).await.unwrap();
        storage.migrate().await.unwrap();
        let storage: Arc<dyn Storage> = Arc::new(storage);
        let central_link = Link::new(amqp.clone(), "test-central");
        let central_config = CentralConfig::default();
        let central = Arc::new(Central::new(
            storage,
            Arc::new(designate_bus::amqp::WorkerClient::new(Arc::clone(
                &central_link,
            ))),
            Arc::new(designate_bus::inproc::LogNotifier),
            central_config.clone(),
        ));
        central
            .ensure_pool(Pool {
                id: central_config.default_pool_id,
                name: "default".to_owned(),
                description: None,
                tenant_id: None,
                attributes: vec![],
                ns_records: vec![PoolNsRecord {
                    priority: 1,
                    hostname: "ns1.example.net.".to_owned(),
                }],
                nameservers: vec![],
                targets: vec![],
                also_notifies: vec![],
            })
            .await
            .unwrap();
        let shutdown = CancellationToken::new();
        let real: Arc<dyn CentralApi> = central;
        tokio::spawn(serve_central(
            central_link,
            Arc::clone(&real),
            shutdown.clone(),
        ));
        // The sink and the test reach central the way `designate sink` does: AMQP RPC.
        let client: Arc<dyn CentralApi> =
            Arc::new(CentralClient::new(Link::new(amqp.clone(), "test-client")));
        let zone = client
            .create_zone(
                &tenant(),
                NewZone {
                    name: "cloud.example.org.".to_owned(),
                    email: Some("hostmaster@example.org".to_owned()),
                    ..NewZone::default()
                },
            )
            .await
            .unwrap();
        Self {
            _dir: dir,
            amqp,
            nova_exchange: format!("nova-{tag}"),
            neutron_exchange: format!("neutron-{tag}"),
            topic: format!("notifications-{tag}"),
            central: client,
            real,
            zone,
            shutdown,
            sinks: Vec::new(),
        }
    }

    pub(crate) fn handler(&self, kind: HandlerKind) -> HandlerConfig {
        HandlerConfig {
            zone_id: Some(self.zone.id),
            notification_topics: vec![self.topic.clone()],
            control_exchange: match kind {
                HandlerKind::NovaFixed => self.nova_exchange.clone(),
                HandlerKind::NeutronFloatingIp => self.neutron_exchange.clone(),
            },
            ..HandlerConfig::new(kind)
        }
    }

    pub(crate) fn sink_config(&self) -> SinkConfig {
        SinkConfig {
            handlers: vec![
                self.handler(HandlerKind::NovaFixed),
                self.handler(HandlerKind::NeutronFloatingIp),
            ],
            listener_pool_name: None,
        }
    }

    /// Starts one more sink process-equivalent (own connection); returns its index.
    pub(crate) async fn start_sink(&mut self, config: SinkConfig) -> usize {
        let central: Arc<dyn CentralApi> = Arc::new(CentralClient::new(Link::new(
            self.amqp.clone(),
            "test-sink-rpc",
        )));
        self.start_sink_with(config, central).await
    }

    /// Starts a sink calling `central`.
    pub(crate) async fn start_sink_with(
        &mut self,
        config: SinkConfig,
        central: Arc<dyn CentralApi>,
    ) -> usize {
        let metrics = Arc::new(SinkMetrics::default());
        let stop = self.shutdown.child_token();
        tokio::spawn(designate_sink::run(
            config,
            central,
            Link::new(self.amqp.clone(), "test-sink"),
            Arc::clone(&metrics),
            stop.clone(),
        ));
        self.sinks.push((metrics, stop));
        self.declare().await;
        self.sinks.len() - 1
    }

    pub(crate) fn queue(&self) -> String {
        format!("{}.info", self.topic)
    }

    /// Declares what the sink declares, so nothing published before its consumer is up is lost.
    pub(crate) async fn declare(&self) {
        let link = Link::new(self.amqp.clone(), "test-declare");
        let conn = link.connection().await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        ch.queue_declare(
            self.queue().as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
        for exchange in [&self.nova_exchange, &self.neutron_exchange] {
            ch.exchange_declare(
                exchange.as_str().into(),
                ExchangeKind::Topic,
                ExchangeDeclareOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
            ch.queue_bind(
                self.queue().as_str().into(),
                exchange.as_str().into(),
                self.queue().as_str().into(),
                QueueBindOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
        }
        link.close().await;
    }

    /// Publishes raw bodies on `exchange` with routing key `<topic>.info`, as oslo.messaging does.
    pub(crate) async fn publish_raw(&self, exchange: &str, bodies: &[Vec<u8>]) {
        let link = Link::new(self.amqp.clone(), "test-publisher");
        let conn = link.connection().await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        for body in bodies {
            ch.basic_publish(
                exchange.into(),
                self.queue().as_str().into(),
                BasicPublishOptions::default(),
                body,
                BasicProperties::default().with_content_type("application/json".into()),
            )
            .await
            .unwrap()
            .await
            .unwrap();
        }
        link.close().await;
    }

    pub(crate) async fn publish(&self, exchange: &str, messages: &[Value]) {
        let bodies: Vec<Vec<u8>> = messages.iter().map(|m| v2(m).into_bytes()).collect();
        self.publish_raw(exchange, &bodies).await;
    }

    /// The zone's A / AAAA recordsets.
    pub(crate) async fn address_recordsets(&self) -> Vec<RecordSet> {
        let listing = self
            .central
            .find_recordsets(
                &RequestContext::admin(),
                Criteria::new().eq("zone_id", self.zone.id.to_string()),
                Page::default(),
            )
            .await
            .unwrap();
        let mut out: Vec<RecordSet> = listing
            .items
            .into_iter()
            .filter(|rs| rs.rtype == "A" || rs.rtype == "AAAA")
            .collect();
        out.sort_by(|a, b| (&a.name, &a.rtype).cmp(&(&b.name, &b.rtype)));
        out
    }

    /// `(name, type, data…)` of the zone's address records.
    pub(crate) async fn names(&self) -> Vec<(String, String, Vec<String>)> {
        self.address_recordsets()
            .await
            .into_iter()
            .map(|rs| {
                let mut data: Vec<String> = rs.records.iter().map(|r| r.data.clone()).collect();
                data.sort();
                (rs.name, rs.rtype, data)
            })
            .collect()
    }

    /// Waits until `check` holds on the sinks' summed metrics `(handled, ignored, bad)`.
    pub(crate) async fn wait_metrics(&self, check: impl Fn(u64, u64, u64) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (mut h, mut i, mut b) = (0, 0, 0);
            for (m, _) in &self.sinks {
                let (mh, mi, mb, _) = m.snapshot();
                h += mh;
                i += mi;
                b += mb;
            }
            if check(h, i, b) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "metrics never reached the expected state: handled {h}, ignored {i}, bad {b}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub(crate) async fn finish(self) {
        self.shutdown.cancel();
        tokio::time::sleep(Duration::from_millis(200)).await;
        let link = Link::new(self.amqp.clone(), "test-cleanup");
        let conn = link.connection().await.unwrap();
        let ch = conn.create_channel().await.unwrap();
        for queue in [
            self.queue(),
            self.amqp.central_topic.clone(),
            self.amqp.worker_topic.clone(),
        ] {
            let _ = ch
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
        for exchange in [
            &self.nova_exchange,
            &self.neutron_exchange,
            &self.amqp.control_exchange,
        ] {
            let _ = ch
                .exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default())
                .await;
        }
        link.close().await;
    }
}

pub(crate) fn tenant() -> RequestContext {
    RequestContext {
        request_id: format!("req-{}", Uuid::new_v4()),
        project_id: Some("4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e".to_owned()),
        roles: vec!["member".to_owned(), "reader".to_owned()],
        ..RequestContext::default()
    }
}

/// The oslo.messaging v2 envelope around a message.
pub(crate) fn v2(message: &Value) -> String {
    json!({"oslo.version": "2.0", "oslo.message": message.to_string()}).to_string()
}

/// A notification message as oslo.messaging's messagingv2 driver builds it.
pub(crate) fn message(publisher: &str, event_type: &str, payload: Value) -> Value {
    json!({
        "message_id": Uuid::new_v4().to_string(),
        "publisher_id": publisher,
        "event_type": event_type,
        "priority": "INFO",
        "payload": payload,
        "timestamp": "2026-11-25 18:00:00.000000",
        "_context_project_name": "demo",
        "_context_project_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
        "_context_user_name": "alice",
        "_context_request_id": format!("req-{}", Uuid::new_v4()),
        "_context_is_admin": false,
        "_context_roles": ["member", "reader"],
    })
}

/// `compute.instance.create.end` as Nova's legacy (unversioned) notifications carry it.
pub(crate) fn nova_create(instance: Uuid, hostname: &str, ips: &[(&str, u8)]) -> Value {
    let fixed_ips: Vec<Value> = ips
        .iter()
        .map(|(address, version)| {
            json!({
                "address": address, "version": version, "label": "private", "type": "fixed",
                "meta": {}, "vif_mac": "fa:16:3e:00:00:01", "floating_ips": []
            })
        })
        .collect();
    message(
        "compute.compute-1",
        "compute.instance.create.end",
        json!({
            "instance_id": instance.to_string(),
            "hostname": hostname,
            "display_name": hostname,
            "host": "compute-1",
            "tenant_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
            "user_id": "8d9c1b7e3a2f4c5d6e7f8a9b0c1d2e3f",
            "instance_type": "m1.small",
            "state": "active",
            "state_description": "",
            "image_ref_url": "http://glance/images/cirros",
            "fixed_ips": fixed_ips,
            "message": "Success",
        }),
    )
}

pub(crate) fn nova_delete(instance: Uuid, hostname: &str) -> Value {
    message(
        "compute.compute-1",
        "compute.instance.delete.start",
        json!({
            "instance_id": instance.to_string(),
            "hostname": hostname,
            "tenant_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
            "state": "active",
        }),
    )
}

/// `floatingip.update.end` as Neutron sends it (the whole floating IP object).
pub(crate) fn neutron_update(fip: Uuid, floating: &str, fixed: Option<&str>) -> Value {
    message(
        "network.neutron-server-1",
        "floatingip.update.end",
        json!({"floatingip": {
            "id": fip.to_string(),
            "floating_ip_address": floating,
            "fixed_ip_address": fixed,
            "port_id": fixed.map(|_| Uuid::new_v4().to_string()),
            "router_id": Uuid::new_v4().to_string(),
            "floating_network_id": Uuid::new_v4().to_string(),
            "tenant_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
            "project_id": "4f8a9c0e0f1a4b1d9c2e3f4a5b6c7d8e",
            "status": "DOWN",
            "description": "",
        }}),
    )
}

pub(crate) fn neutron_delete(fip: Uuid) -> Value {
    message(
        "network.neutron-server-1",
        "floatingip.delete.start",
        json!({"floatingip_id": fip.to_string()}),
    )
}
