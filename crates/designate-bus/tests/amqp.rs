//! Contract tests of the AMQP transport against the real RabbitMQ of this machine
//! (`DESIGNATE_TEST_TRANSPORT_URL`, default `rabbit://guest:guest@127.0.0.1:5672/`).
//!
//! Each test uses its own exchange and queue names (unique suffix), so tests run in parallel
//! and never see each other's messages; each deletes its queues at the end. A missing broker
//! fails the tests: it is part of the environment they check.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use designate_bus::amqp::{
    consume_worker, serve_central, AmqpConfig, AmqpNotifier, CallHook, CentralClient,
    CentralRequest, Intercepted, Link, NotificationConfig, TransportUrl, WorkerClient,
};
use designate_bus::inproc::WorkerCast;
use designate_bus::{CentralApi, Notifier, PushOutcome, ZoneTask};
use designate_central::{Central, CentralConfig};
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{NewRecordSet, NewZone, Pool, PoolNsRecord, RecordSetUpdate, Zone};
use designate_core::{ErrorKind, RequestContext, Result};
use designate_storage::{SqlStorage, Storage};
use futures::StreamExt;
use lapin::options::{BasicConsumeOptions, QueueDeleteOptions};
use lapin::types::FieldTable;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

fn broker_url() -> String {
    std::env::var("DESIGNATE_TEST_TRANSPORT_URL")
        .unwrap_or_else(|_| "rabbit://guest:guest@127.0.0.1:5672/".to_owned())
}

/// A config whose exchange and topics no other test uses.
fn unique_config() -> AmqpConfig {
    let tag = Uuid::new_v4().simple().to_string();
    let mut config = AmqpConfig::new(TransportUrl::parse(&broker_url()).unwrap());
    config.control_exchange = format!("designate-test-{tag}");
    config.central_topic = format!("central-{tag}");
    config.worker_topic = format!("worker-{tag}");
    config.rpc_timeout = Duration::from_secs(10);
    config.heartbeat = Duration::from_secs(10);
    config.retry_interval = Duration::from_millis(100);
    config.retry_backoff = Duration::from_millis(100);
    config
}

/// Deletes the test's queues and exchange.
async fn cleanup(config: &AmqpConfig, queues: &[&str]) {
    let link = Link::new(config.clone(), "test-cleanup");
    let conn = link.connection().await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    for queue in queues {
        let _ = ch
            .queue_delete((*queue).into(), QueueDeleteOptions::default())
            .await;
    }
    let _ = ch
        .exchange_delete(
            config.control_exchange.as_str().into(),
            lapin::options::ExchangeDeleteOptions::default(),
        )
        .await;
    link.close().await;
}

struct RealCentral {
    _dir: tempfile::TempDir,
    central: Arc<Central>,
}

/// A real central on a fresh SQLite store, casting and notifying through AMQP.
async fn real_central(
    config: &AmqpConfig,
    notifications: Option<NotificationConfig>,
) -> RealCentral {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("designate.db").display());
    let storage = SqlStorage::connect(&url).await.unwrap();
    storage.migrate().await.unwrap();
    let storage: Arc<dyn Storage> = Arc::new(storage);
    let link = Link::new(config.clone(), "test-central");
    let notifier: Arc<dyn Notifier> = match notifications {
        Some(n) => Arc::new(AmqpNotifier::new(Arc::clone(&link), n)),
        None => Arc::new(designate_bus::inproc::LogNotifier),
    };
    let central_config = CentralConfig::default();
    let central = Arc::new(Central::new(
        storage,
        Arc::new(WorkerClient::new(link)),
        notifier,
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
    RealCentral { _dir: dir, central }
}

fn ctx() -> RequestContext {
    RequestContext {
        request_id: format!("req-{}", Uuid::new_v4()),
        project_id: Some("p1".to_owned()),
        roles: vec!["member".to_owned(), "reader".to_owned()],
        ..RequestContext::default()
    }
}

fn new_zone(name: &str) -> NewZone {
    NewZone {
        name: name.to_owned(),
        email: Some("hostmaster@example.org".to_owned()),
        ..NewZone::default()
    }
}

async fn next_cast(rx: &mut mpsc::UnboundedReceiver<WorkerCast>) -> WorkerCast {
    tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("no cast within 10 s")
        .expect("cast channel closed")
}

#[tokio::test]
async fn call_round_trip_and_cast_reach_the_worker() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let (tx, mut casts) = mpsc::unbounded_channel();
    let consumer = tokio::spawn(consume_worker(
        Link::new(config.clone(), "worker"),
        tx,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));

    let zone = client
        .create_zone(&ctx(), new_zone("bus.example.org."))
        .await
        .unwrap();
    assert_eq!(zone.name, "bus.example.org.");
    let again = client.get_zone(&ctx(), zone.id).await.unwrap();
    assert_eq!(again, zone);
    let cast = next_cast(&mut casts).await;
    assert_eq!(cast.task, ZoneTask::Create);
    assert_eq!(cast.zone.id, zone.id);

    let rs = client
        .create_recordset(
            &ctx(),
            zone.id,
            NewRecordSet {
                name: "www.bus.example.org.".to_owned(),
                rtype: "A".to_owned(),
                records: vec!["192.0.2.1".to_owned()],
                ..NewRecordSet::default()
            },
        )
        .await
        .unwrap();
    let listing = client
        .find_recordsets(
            &ctx(),
            Criteria::new().eq("zone_id", zone.id.to_string()),
            Page::default(),
        )
        .await
        .unwrap();
    assert!(listing.items.iter().any(|r| r.id == rs.id));
    let updated = client
        .update_recordset(
            &ctx(),
            zone.id,
            rs.id,
            RecordSetUpdate {
                records: Some(vec!["192.0.2.2".to_owned()]),
                ..RecordSetUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.records.len(), 1);
    let pools = client.find_pools(&ctx()).await.unwrap();
    assert_eq!(pools.len(), 1);
    // The worker's feedback path goes through the same bus.
    let fresh = client.get_zone(&ctx(), zone.id).await.unwrap();
    client
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Success,
            fresh.serial,
        )
        .await
        .unwrap();
    assert_eq!(
        client
            .get_zone(&ctx(), zone.id)
            .await
            .unwrap()
            .status
            .as_str(),
        "ACTIVE"
    );

    shutdown.cancel();
    server.await.unwrap();
    consumer.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

#[tokio::test]
async fn errors_of_central_cross_the_bus() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let missing = client.get_zone(&ctx(), Uuid::new_v4()).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::ZoneNotFound);
    let invalid = client
        .create_zone(&ctx(), new_zone("no-dot"))
        .await
        .unwrap_err();
    assert_eq!(invalid.kind.code(), 400, "{invalid:?}");
    client
        .create_zone(&ctx(), new_zone("dup.example.org."))
        .await
        .unwrap();
    let dup = client
        .create_zone(&ctx(), new_zone("dup.example.org."))
        .await
        .unwrap_err();
    assert_eq!(dup.kind, ErrorKind::DuplicateZone);
    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

#[tokio::test]
async fn call_without_central_times_out_as_504() {
    let mut config = unique_config();
    config.rpc_timeout = Duration::from_millis(500);
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let started = std::time::Instant::now();
    let error = client.get_zone(&ctx(), Uuid::new_v4()).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::CommunicationFailure);
    assert_eq!(error.kind.code(), 504);
    assert!(started.elapsed() < Duration::from_secs(5));
    cleanup(&config, &[&config.central_topic]).await;
}

#[tokio::test]
async fn unreachable_broker_is_a_504_not_a_hang() {
    let mut config = unique_config();
    config.url = TransportUrl::parse("rabbit://guest:guest@127.0.0.1:1/").unwrap();
    let client = CentralClient::new(Link::new(config, "api"));
    let error = client.find_pools(&ctx()).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::CommunicationFailure, "{error:?}");
}

#[tokio::test]
async fn a_dead_member_is_skipped() {
    let mut config = unique_config();
    // First member refuses connections; the second is the real broker.
    let real = TransportUrl::parse(&broker_url()).unwrap();
    let mut url = TransportUrl::parse("rabbit://guest:guest@127.0.0.1:1/").unwrap();
    url.members.extend(real.members);
    url.vhost = real.vhost;
    config.url = url;
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    assert_eq!(client.find_pools(&ctx()).await.unwrap().len(), 1);
    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic]).await;
}

/// Counts the zone creates and reads one central process answers, each read taking `delay`
/// (the real central does the work).
struct Counting {
    calls: AtomicUsize,
    /// How long each `get_zone` takes.
    delay: Duration,
}

impl Counting {
    fn around(central: &Arc<Central>, delay: Duration) -> Arc<Intercepted<Self>> {
        Arc::new(Intercepted {
            inner: central.clone(),
            hook: Self {
                calls: AtomicUsize::new(0),
                delay,
            },
        })
    }
}

#[async_trait]
impl CallHook for Counting {
    async fn before(&self, _: &RequestContext, call: &CentralRequest) -> Result<()> {
        match call {
            CentralRequest::CreateZone { .. } => {
                self.calls.fetch_add(1, Ordering::SeqCst);
            }
            CentralRequest::GetZone { .. } => {
                self.calls.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(self.delay).await;
            }
            _ => {}
        }
        Ok(())
    }
}

#[tokio::test]
async fn two_centrals_share_the_calls() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    // Slow enough that a second central gets requests too.
    let a = Counting::around(&central.central, Duration::from_millis(20));
    let b = Counting::around(&central.central, Duration::from_millis(20));
    let servers = [
        tokio::spawn(serve_central(
            Link::new(config.clone(), "central-a"),
            a.clone() as Arc<dyn CentralApi>,
            shutdown.clone(),
        )),
        tokio::spawn(serve_central(
            Link::new(config.clone(), "central-b"),
            b.clone() as Arc<dyn CentralApi>,
            shutdown.clone(),
        )),
    ];
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let zone = client
        .create_zone(&ctx(), new_zone("shared.example.org."))
        .await
        .unwrap();
    // Wait until both consumers are attached before the burst.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let c = ctx();
    let calls = (0..40).map(|_| client.get_zone(&c, zone.id));
    for result in futures::future::join_all(calls).await {
        assert_eq!(result.unwrap().id, zone.id);
    }
    let (na, nb) = (
        a.hook.calls.load(Ordering::SeqCst),
        b.hook.calls.load(Ordering::SeqCst),
    );
    assert_eq!(na + nb, 41);
    assert!(na > 0 && nb > 0, "work not shared: {na} / {nb}");
    shutdown.cancel();
    for server in servers {
        server.await.unwrap();
    }
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

/// A real zone (made by a real central) to use as a template for casts.
async fn template_zone(config: &AmqpConfig) -> (RealCentral, Zone) {
    let central = real_central(config, None).await;
    let zone = central
        .central
        .create_zone(&ctx(), new_zone("template.example.org."))
        .await
        .unwrap();
    (central, zone)
}

fn zone_named(template: &Zone, name: &str) -> Zone {
    Zone {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        ..template.clone()
    }
}

#[tokio::test]
async fn two_workers_share_the_casts_and_casts_wait_for_workers() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    // The template's own create cast is the first message of the queue.
    let (_central, template) = template_zone(&config).await;
    let client = WorkerClient::new(Link::new(config.clone(), "central"));
    // Cast before any worker runs: the durable queue keeps them.
    for i in 0..10 {
        client
            .try_cast(
                &ctx(),
                ZoneTask::Update,
                zone_named(&template, &format!("z{i}.example.org.")),
            )
            .await
            .unwrap();
    }
    let (tx_a, mut rx_a) = mpsc::unbounded_channel();
    let (tx_b, mut rx_b) = mpsc::unbounded_channel();
    let consumers = [
        tokio::spawn(consume_worker(
            Link::new(config.clone(), "worker-a"),
            tx_a,
            shutdown.clone(),
        )),
        tokio::spawn(consume_worker(
            Link::new(config.clone(), "worker-b"),
            tx_b,
            shutdown.clone(),
        )),
    ];
    // Let both attach, then a burst.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for i in 10..60 {
        client
            .try_cast(
                &ctx(),
                ZoneTask::Update,
                zone_named(&template, &format!("z{i}.example.org.")),
            )
            .await
            .unwrap();
    }
    let mut names = std::collections::BTreeSet::new();
    let (mut na, mut nb) = (0, 0);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while names.len() < 61 && tokio::time::Instant::now() < deadline {
        tokio::select! {
            Some(c) = rx_a.recv() => { na += 1; names.insert(c.zone.name); }
            Some(c) = rx_b.recv() => { nb += 1; names.insert(c.zone.name); }
            () = tokio::time::sleep(Duration::from_millis(100)) => {}
        }
    }
    assert_eq!(names.len(), 61, "every cast delivered");
    assert_eq!(na + nb, 61, "each cast delivered once");
    assert!(na > 0 && nb > 0, "work not shared: {na} / {nb}");
    shutdown.cancel();
    for c in consumers {
        c.await.unwrap();
    }
    cleanup(&config, &[&config.worker_topic]).await;
}

/// Reads the next notification off `<topic>.info`, unwrapping the oslo v2 envelope.
async fn next_notification(consumer: &mut lapin::Consumer) -> Value {
    let delivery = tokio::time::timeout(Duration::from_secs(10), consumer.next())
        .await
        .expect("no notification within 10 s")
        .expect("consumer ended")
        .expect("delivery error");
    let outer: Value = serde_json::from_slice(&delivery.data).unwrap();
    assert_eq!(outer["oslo.version"], "2.0");
    serde_json::from_str(
        outer["oslo.message"]
            .as_str()
            .expect("oslo.message is a string"),
    )
    .unwrap()
}

#[tokio::test]
async fn central_notifications_arrive_in_the_oslo_envelope() {
    let config = unique_config();
    let topic = format!("notifications-{}", Uuid::new_v4().simple());
    let queue = format!("{topic}.info");
    let notifications = NotificationConfig {
        enabled: true,
        topics: vec![topic.clone()],
        publisher_id: "central.test".to_owned(),
    };
    let central = real_central(&config, Some(notifications)).await;
    // Listen like Ceilometer would: declare and bind `<topic>.info` ourselves.
    let link = Link::new(config.clone(), "listener");
    let conn = link.connection().await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    ch.exchange_declare(
        config.control_exchange.as_str().into(),
        lapin::ExchangeKind::Topic,
        lapin::options::ExchangeDeclareOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    ch.queue_declare(
        queue.as_str().into(),
        lapin::options::QueueDeclareOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    ch.queue_bind(
        queue.as_str().into(),
        config.control_exchange.as_str().into(),
        queue.as_str().into(),
        lapin::options::QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .unwrap();
    let mut consumer = ch
        .basic_consume(
            queue.as_str().into(),
            "".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();

    let c = ctx();
    let api = &central.central;
    let zone = api
        .create_zone(&c, new_zone("notify.example.org."))
        .await
        .unwrap();
    let mut seen = Vec::new();
    // Upstream emits dns.domain.* then dns.zone.* for zones.
    for _ in 0..2 {
        seen.push(next_notification(&mut consumer).await);
    }
    let zone_create = seen
        .iter()
        .find(|m| m["event_type"] == "dns.zone.create")
        .expect("dns.zone.create");
    assert_eq!(zone_create["priority"], "INFO");
    assert_eq!(zone_create["publisher_id"], "central.test");
    assert_eq!(zone_create["payload"]["id"], zone.id.to_string());
    assert_eq!(zone_create["payload"]["name"], "notify.example.org.");
    assert_eq!(zone_create["_context_request_id"], c.request_id.as_str());
    assert!(zone_create["timestamp"].is_string());
    assert!(zone_create["message_id"].is_string());

    let rs = api
        .create_recordset(
            &c,
            zone.id,
            NewRecordSet {
                name: "www.notify.example.org.".to_owned(),
                rtype: "A".to_owned(),
                records: vec!["192.0.2.7".to_owned()],
                ..NewRecordSet::default()
            },
        )
        .await
        .unwrap();
    let mut events = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !events
        .iter()
        .any(|m: &Value| m["event_type"] == "dns.recordset.create")
        && tokio::time::Instant::now() < deadline
    {
        events.push(next_notification(&mut consumer).await);
    }
    let rs_create = events
        .iter()
        .find(|m| m["event_type"] == "dns.recordset.create")
        .expect("dns.recordset.create");
    assert_eq!(rs_create["payload"]["id"], rs.id.to_string());
    assert_eq!(rs_create["payload"]["zone_id"], zone.id.to_string());

    api.delete_recordset(&c, zone.id, rs.id).await.unwrap();
    api.delete_zone(&c, zone.id).await.unwrap();
    let mut kinds = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !kinds.iter().any(|k: &String| k == "dns.zone.delete")
        && tokio::time::Instant::now() < deadline
    {
        kinds.push(
            next_notification(&mut consumer).await["event_type"]
                .as_str()
                .unwrap_or("")
                .to_owned(),
        );
    }
    assert!(
        kinds.iter().any(|k| k == "dns.recordset.delete"),
        "{kinds:?}"
    );
    assert!(kinds.iter().any(|k| k == "dns.zone.delete"), "{kinds:?}");

    link.close().await;
    cleanup(&config, &[&queue, &config.worker_topic]).await;
}

#[tokio::test]
async fn noop_driver_publishes_nothing() {
    let config = unique_config();
    let notifier = AmqpNotifier::new(
        Link::new(config.clone(), "central"),
        NotificationConfig {
            enabled: false,
            topics: vec!["notifications".to_owned()],
            publisher_id: "central.test".to_owned(),
        },
    );
    // With the noop driver not even a connection is needed: an unreachable URL still works.
    notifier
        .try_notify(&ctx(), "dns.zone.create", serde_json::json!({}))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_cast_unfinished_by_a_stopping_worker_goes_to_another() {
    let config = unique_config();
    let (_central, template) = template_zone(&config).await;
    let client = WorkerClient::new(Link::new(config.clone(), "central"));
    let stop_a = CancellationToken::new();
    let (tx_a, mut rx_a) = mpsc::unbounded_channel();
    let a = tokio::spawn(consume_worker(
        Link::new(config.clone(), "worker-a"),
        tx_a,
        stop_a.clone(),
    ));
    // Worker A takes the template's create cast and this one, and finishes neither.
    client
        .try_cast(
            &ctx(),
            ZoneTask::Update,
            zone_named(&template, "held.example.org."),
        )
        .await
        .unwrap();
    let mut held = vec![next_cast(&mut rx_a).await, next_cast(&mut rx_a).await];
    assert!(held.iter().any(|c| c.zone.name == "held.example.org."));
    // A stops with the casts unfinished: they go back to the queue, not acked.
    stop_a.cancel();
    a.await.unwrap();
    held.clear();

    let stop_b = CancellationToken::new();
    let (tx_b, mut rx_b) = mpsc::unbounded_channel();
    let b = tokio::spawn(consume_worker(
        Link::new(config.clone(), "worker-b"),
        tx_b,
        stop_b.clone(),
    ));
    let mut names = vec![
        next_cast(&mut rx_b).await.zone.name,
        next_cast(&mut rx_b).await.zone.name,
    ];
    names.sort();
    assert_eq!(names, ["held.example.org.", "template.example.org."]);
    // Finished casts (dropped receipts) are acked: nothing comes back after a restart.
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop_b.cancel();
    b.await.unwrap();
    let (tx_c, mut rx_c) = mpsc::unbounded_channel();
    let stop_c = CancellationToken::new();
    let c = tokio::spawn(consume_worker(
        Link::new(config.clone(), "worker-c"),
        tx_c,
        stop_c.clone(),
    ));
    assert!(
        tokio::time::timeout(Duration::from_secs(1), rx_c.recv())
            .await
            .is_err(),
        "an acked cast was delivered again"
    );
    stop_c.cancel();
    c.await.unwrap();
    cleanup(&config, &[&config.worker_topic]).await;
}

#[tokio::test]
async fn calls_in_flight_fail_at_once_when_the_connection_drops() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let slow = Counting::around(&central.central, Duration::from_secs(5));
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        slow as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let link = Link::new(config.clone(), "api");
    let client = CentralClient::new(Arc::clone(&link));
    let zone = client
        .create_zone(&ctx(), new_zone("inflight.example.org."))
        .await
        .unwrap();
    let call = tokio::spawn({
        let client = client.clone();
        async move { client.get_zone(&ctx(), zone.id).await }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let dropped = std::time::Instant::now();
    link.close().await;
    let error = call.await.unwrap().unwrap_err();
    assert_eq!(error.kind, ErrorKind::CommunicationFailure, "{error:?}");
    assert!(
        dropped.elapsed() < Duration::from_secs(2),
        "{:?}",
        dropped.elapsed()
    );
    // The client reconnects for the next call.
    assert_eq!(client.find_pools(&ctx()).await.unwrap().len(), 1);
    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

#[tokio::test]
async fn tlds_blacklists_quotas_and_limits_cross_the_bus() {
    use designate_core::objects::{BlacklistUpdate, NewBlacklist, NewTld, TldUpdate};

    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let admin = RequestContext {
        roles: vec!["admin".to_owned()],
        all_projects: true,
        ..ctx()
    };
    let new_tld = NewTld {
        name: "com".to_owned(),
        description: None,
    };
    let tld = client.create_tld(&admin, new_tld.clone()).await.unwrap();
    assert_eq!(client.get_tld(&admin, tld.id).await.unwrap(), tld);
    let dup = client.create_tld(&admin, new_tld).await.unwrap_err();
    assert_eq!(dup.kind, ErrorKind::DuplicateTld);
    let listed = client
        .find_tlds(&admin, Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![tld.clone()]);
    let update = TldUpdate {
        name: Some("net".to_owned()),
        description: None,
    };
    assert_eq!(
        client
            .update_tld(&admin, tld.id, update)
            .await
            .unwrap()
            .name,
        "net"
    );
    client.delete_tld(&admin, tld.id).await.unwrap();
    let gone = client.get_tld(&admin, tld.id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::TldNotFound);

    let bl = client
        .create_blacklist(
            &admin,
            NewBlacklist {
                pattern: "^x\\.".to_owned(),
                description: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(client.get_blacklist(&admin, bl.id).await.unwrap(), bl);
    let found = client
        .find_blacklists(&admin, Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(found.total_count, 1);
    let update = BlacklistUpdate {
        pattern: None,
        description: Some(Some("d".to_owned())),
    };
    let changed = client
        .update_blacklist(&admin, bl.id, update)
        .await
        .unwrap();
    assert_eq!(changed.description.as_deref(), Some("d"));
    client.delete_blacklist(&admin, bl.id).await.unwrap();

    client
        .set_quota(&admin, "p1".to_owned(), "zones".to_owned(), 3)
        .await
        .unwrap();
    assert_eq!(
        client.get_quotas(&ctx(), "p1".to_owned()).await.unwrap()["zones"],
        3
    );
    assert_eq!(
        client.get_absolute_limits(&ctx()).await.unwrap().quotas["zones"],
        3
    );
    client.reset_quotas(&admin, "p1".to_owned()).await.unwrap();
    assert_eq!(
        client.get_quotas(&ctx(), "p1".to_owned()).await.unwrap()["zones"],
        10
    );

    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic]).await;
}

// --- ops: database outage ---

/// A central whose database went away answers `service_unavailable` (503), and that kind
/// crosses the bus intact: the API on the other side answers 503, not 500.
#[tokio::test]
async fn a_database_outage_crosses_the_bus_as_503() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("designate.db").display());
    let storage = Arc::new(SqlStorage::connect(&url).await.unwrap());
    storage.migrate().await.unwrap();
    let link = Link::new(config.clone(), "test-central");
    let central = Arc::new(Central::new(
        Arc::clone(&storage) as Arc<dyn Storage>,
        Arc::new(WorkerClient::new(link)),
        Arc::new(designate_bus::inproc::LogNotifier),
        CentralConfig::default(),
    ));
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    // Reachable: an ordinary answer.
    let missing = client.get_zone(&ctx(), Uuid::new_v4()).await.unwrap_err();
    assert_eq!(missing.kind, ErrorKind::ZoneNotFound);
    // The store's connections are gone (a closed pool is what an unreachable server looks
    // like to the caller: no connection to be had).
    storage.close().await;
    let down = client.get_zone(&ctx(), Uuid::new_v4()).await.unwrap_err();
    assert_eq!(down.kind, ErrorKind::ServiceUnavailable, "{down:?}");
    assert_eq!(down.kind.code(), 503);
    let down = client
        .create_zone(&ctx(), new_zone("down.example.org."))
        .await
        .unwrap_err();
    assert_eq!(down.kind, ErrorKind::ServiceUnavailable, "{down:?}");
    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

// --- cross-project and key resources ---

#[tokio::test]
async fn tsigkeys_a_zone_transfer_and_a_share_cross_the_bus() {
    use designate_core::objects::{
        NewTsigKey, NewZoneTransferAccept, NewZoneTransferRequest, TransferStatus, TsigAlgorithm,
        TsigKeyUpdate, TsigScope, ZoneTransferRequestUpdate,
    };

    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let admin = RequestContext {
        roles: vec!["admin".to_owned()],
        all_projects: true,
        ..ctx()
    };

    let pool_id = CentralConfig::default().default_pool_id;
    let new_key = NewTsigKey {
        name: "bus-key".to_owned(),
        algorithm: TsigAlgorithm::HmacSha256,
        secret: "c2VjcmV0".to_owned(),
        scope: TsigScope::Pool,
        resource_id: pool_id,
    };
    let key = client
        .create_tsigkey(&admin, new_key.clone())
        .await
        .unwrap();
    assert_eq!(client.get_tsigkey(&admin, key.id).await.unwrap(), key);
    let dup = client.create_tsigkey(&admin, new_key).await.unwrap_err();
    assert_eq!(dup.kind, ErrorKind::DuplicateTsigKey);
    let listed = client
        .find_tsigkeys(&admin, Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![key.clone()]);
    let update = TsigKeyUpdate {
        algorithm: Some(TsigAlgorithm::HmacSha1),
        ..TsigKeyUpdate::default()
    };
    let changed = client.update_tsigkey(&admin, key.id, update).await.unwrap();
    assert_eq!(changed.algorithm, TsigAlgorithm::HmacSha1);
    client.delete_tsigkey(&admin, key.id).await.unwrap();
    let gone = client.get_tsigkey(&admin, key.id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::TsigKeyNotFound);

    // p1 offers a zone to p2, which accepts it over the bus.
    let p2 = RequestContext {
        project_id: Some("p2".to_owned()),
        ..ctx()
    };
    let zone = client
        .create_zone(&ctx(), new_zone("bus-transfer.example.org."))
        .await
        .unwrap();
    let request = client
        .create_zone_transfer_request(
            &ctx(),
            zone.id,
            NewZoneTransferRequest {
                description: None,
                target_tenant_id: Some("p2".to_owned()),
            },
        )
        .await
        .unwrap();
    let described = client
        .update_zone_transfer_request(
            &ctx(),
            request.id,
            ZoneTransferRequestUpdate {
                description: Some(Some("yours".to_owned())),
                ..ZoneTransferRequestUpdate::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(described.description.as_deref(), Some("yours"));
    let seen = client
        .find_zone_transfer_requests(&p2, Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(seen.items.len(), 1);
    let wrong = client
        .create_zone_transfer_accept(
            &p2,
            NewZoneTransferAccept {
                zone_transfer_request_id: request.id,
                key: "WRONGKEY".to_owned(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(wrong.kind, ErrorKind::IncorrectZoneTransferKey);
    let accept = client
        .create_zone_transfer_accept(
            &p2,
            NewZoneTransferAccept {
                zone_transfer_request_id: request.id,
                key: request.key.clone(),
            },
        )
        .await
        .unwrap();
    assert_eq!(accept.status, TransferStatus::Complete);
    assert_eq!(
        client
            .get_zone_transfer_accept(&p2, accept.id)
            .await
            .unwrap()
            .id,
        accept.id
    );
    let accepts = client
        .find_zone_transfer_accepts(&admin, Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(accepts.total_count, 1);
    assert_eq!(
        client
            .get_zone(&p2, zone.id)
            .await
            .unwrap()
            .tenant_id
            .as_deref(),
        Some("p2")
    );
    let used = client
        .get_zone_transfer_request(&ctx(), request.id)
        .await
        .unwrap();
    assert_eq!(used.status, TransferStatus::Complete);
    client
        .delete_zone_transfer_request(&ctx(), request.id)
        .await
        .unwrap();

    // p2, the zone's owner now, shares it with p3 and withdraws the share, over the bus.
    let p3 = RequestContext {
        project_id: Some("p3".to_owned()),
        ..ctx()
    };
    let share = client
        .share_zone(&p2, zone.id, "p3".to_owned())
        .await
        .unwrap();
    assert_eq!(client.get_zone(&p3, zone.id).await.unwrap().id, zone.id);
    assert_eq!(
        client.shared_zone_ids(&p2, vec![zone.id]).await.unwrap(),
        vec![zone.id]
    );
    assert_eq!(
        client
            .get_shared_zone(&p3, zone.id, share.id)
            .await
            .unwrap(),
        share
    );
    let listed = client
        .find_shared_zones(&p2, Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![share.clone()]);
    client.unshare_zone(&p2, zone.id, share.id).await.unwrap();
    let gone = client.get_zone(&p3, zone.id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::ZoneNotFound);

    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

// --- zone tasks (imports / exports), nameservers, abandon ---

#[tokio::test]
async fn zone_tasks_nameservers_and_abandon_cross_the_bus() {
    use designate_core::objects::TaskStatus;

    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let zone = client
        .create_zone(&ctx(), new_zone("tasks.example.org."))
        .await
        .unwrap();

    let export = client.create_zone_export(&ctx(), zone.id).await.unwrap();
    assert_eq!(export.status, TaskStatus::Pending);
    let done = loop {
        let t = client.get_zone_export(&ctx(), export.id).await.unwrap();
        if t.status != TaskStatus::Pending {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(done.status, TaskStatus::Complete);
    let listed = client
        .find_zone_exports(&ctx(), Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.items, vec![done.clone()]);
    let text = client.export_zone(&ctx(), zone.id).await.unwrap();
    assert!(text.starts_with("$ORIGIN tasks.example.org.\n"), "{text}");
    client.delete_zone_export(&ctx(), export.id).await.unwrap();
    let gone = client.get_zone_export(&ctx(), export.id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::ZoneExportNotFound);

    let file = "$ORIGIN imported.example.org.\n@ 60 IN SOA ns1. admin.imported.example.org. 1 2 3 4 5\nwww 60 IN A 192.0.2.1\n";
    let import = client
        .create_zone_import(&ctx(), file.to_owned(), Default::default())
        .await
        .unwrap();
    let done = loop {
        let t = client.get_zone_import(&ctx(), import.id).await.unwrap();
        if t.status != TaskStatus::Pending {
            break t;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(done.status, TaskStatus::Complete, "{done:?}");
    let imported = done.zone_id.expect("zone id");
    let listed = client
        .find_zone_imports(&ctx(), Criteria::new(), Page::default())
        .await
        .unwrap();
    assert_eq!(listed.total_count, 1);
    client.delete_zone_import(&ctx(), import.id).await.unwrap();
    let gone = client.get_zone_import(&ctx(), import.id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::ZoneImportNotFound);

    let ns = client.get_zone_ns_records(&ctx(), imported).await.unwrap();
    assert_eq!(ns.len(), 1);
    assert_eq!(ns[0].hostname, "ns1.example.net.");
    let admin = RequestContext {
        roles: vec!["admin".to_owned()],
        ..ctx()
    };
    let abandoned = client.abandon_zone(&admin, imported).await.unwrap();
    assert!(abandoned.deleted_at.is_some());
    let gone = client.get_zone(&ctx(), imported).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::ZoneNotFound);

    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

// --- pool writes through the API (poolsapi helper) ---

#[tokio::test]
async fn pool_writes_cross_the_bus() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let mut pool = client.find_pools(&ctx()).await.unwrap().remove(0);
    pool.id = Uuid::new_v4();
    pool.name = "second".to_owned();
    pool.nameservers.clear();
    pool.targets.clear();
    pool.also_notifies.clear();
    let created = client.create_pool(&ctx(), pool.clone()).await.unwrap();
    assert_eq!(created.name, "second");
    let dup = client.create_pool(&ctx(), pool.clone()).await.unwrap_err();
    assert_eq!(dup.kind, ErrorKind::DuplicatePool);
    let mut renamed = created.clone();
    renamed.name = "renamed".to_owned();
    let updated = client.update_pool(&ctx(), renamed).await.unwrap();
    assert_eq!(updated.name, "renamed");
    let deleted = client.delete_pool(&ctx(), pool.id).await.unwrap();
    assert_eq!(deleted.id, pool.id);
    let gone = client.delete_pool(&ctx(), pool.id).await.unwrap_err();
    assert_eq!(gone.kind, ErrorKind::PoolNotFound);
    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic]).await;
}

/// Publishes `call` to the central queue as `correlation_id` (twice, as a redelivery would
/// hand it over again) and returns both answers.
async fn call_twice(
    config: &AmqpConfig,
    channel: &lapin::Channel,
    replies: &mut lapin::Consumer,
    reply_queue: &str,
    call: Value,
) -> [Value; 2] {
    let correlation_id = Uuid::new_v4().to_string();
    let body = serde_json::to_vec(&serde_json::json!({"context": ctx(), "call": call})).unwrap();
    let mut answers = Vec::new();
    for _ in 0..2 {
        channel
            .basic_publish(
                config.control_exchange.as_str().into(),
                config.central_topic.as_str().into(),
                lapin::options::BasicPublishOptions::default(),
                &body,
                lapin::BasicProperties::default()
                    .with_correlation_id(correlation_id.as_str().into())
                    .with_reply_to(reply_queue.into()),
            )
            .await
            .unwrap();
        // One after the other: the second delivery comes when the first has committed, as a
        // redelivery after a central died does.
        let delivery = tokio::time::timeout(Duration::from_secs(10), replies.next())
            .await
            .expect("no answer within 10 s")
            .expect("consumer ended")
            .expect("delivery error");
        answers.push(serde_json::from_slice::<Value>(&delivery.data).unwrap());
    }
    [answers.remove(0), answers.remove(0)]
}

#[tokio::test]
async fn a_redelivered_create_answers_what_it_created() {
    let config = unique_config();
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    // Make sure the central queue exists and is consumed before raw requests are published.
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    client.ping(&ctx()).await.unwrap();

    let link = Link::new(config.clone(), "raw");
    let conn = link.connection().await.unwrap();
    let channel = conn.create_channel().await.unwrap();
    let reply_queue = channel
        .queue_declare(
            "".into(),
            lapin::options::QueueDeclareOptions {
                exclusive: true,
                auto_delete: true,
                ..lapin::options::QueueDeclareOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();
    let reply_queue = reply_queue.name().as_str().to_owned();
    let mut replies = channel
        .basic_consume(
            reply_queue.as_str().into(),
            "".into(),
            BasicConsumeOptions {
                no_ack: true,
                ..BasicConsumeOptions::default()
            },
            FieldTable::default(),
        )
        .await
        .unwrap();

    let zone = serde_json::json!({"method": "create_zone", "args": {"zone": new_zone("again.example.org.")}});
    let [first, second] = call_twice(&config, &channel, &mut replies, &reply_queue, zone).await;
    let zone_id = first["result"]["id"]
        .as_str()
        .expect("zone created")
        .to_owned();
    assert_eq!(second["result"]["id"], zone_id.as_str(), "{second}");

    let recordset = serde_json::json!({"method": "create_recordset", "args": {
        "zone_id": zone_id,
        "recordset": NewRecordSet {
            name: "www.again.example.org.".to_owned(),
            rtype: "A".to_owned(),
            records: vec!["192.0.2.1".to_owned()],
            ..NewRecordSet::default()
        },
    }});
    let [first, second] = call_twice(
        &config,
        &channel,
        &mut replies,
        &reply_queue,
        recordset.clone(),
    )
    .await;
    let rs_id = first["result"]["id"]
        .as_str()
        .expect("recordset created")
        .to_owned();
    assert_eq!(second["result"]["id"], rs_id.as_str(), "{second}");
    let stored = client
        .find_recordsets(
            &ctx(),
            Criteria::new()
                .eq("zone_id", zone_id.as_str())
                .eq("type", "A"),
            Page::default(),
        )
        .await
        .unwrap();
    assert_eq!(stored.items.len(), 1, "one recordset, not two");

    // A new call (another correlation id) for the same name is still a duplicate.
    let [other, _] = call_twice(&config, &channel, &mut replies, &reply_queue, recordset).await;
    assert_eq!(
        other["failure"]["kind"],
        serde_json::to_value(ErrorKind::DuplicateRecordSet).unwrap(),
        "{other}"
    );

    link.close().await;
    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

#[tokio::test]
async fn connections_use_small_frames() {
    // RabbitMQ proposes 128 KiB frames; lapin's buffers (32 frames each way) would then hold
    // 8 MiB per connection. We ask for 16 KiB, and a body larger than a frame still arrives.
    let config = unique_config();
    let link = Link::new(config.clone(), "frames");
    let conn = link.connection().await.unwrap();
    assert_eq!(
        conn.configuration().frame_max(),
        designate_bus::amqp::url::FRAME_MAX
    );
    link.close().await;
    let shutdown = CancellationToken::new();
    let central = real_central(&config, None).await;
    let server = tokio::spawn(serve_central(
        Link::new(config.clone(), "central"),
        central.central.clone() as Arc<dyn CentralApi>,
        shutdown.clone(),
    ));
    let client = CentralClient::new(Link::new(config.clone(), "api"));
    let zone = client
        .create_zone(&ctx(), new_zone("frames.example.org."))
        .await
        .unwrap();
    // An answer of several frames: 60 recordsets of about 600 bytes of JSON each.
    for i in 0..60 {
        client
            .create_recordset(
                &ctx(),
                zone.id,
                NewRecordSet {
                    name: format!("host-{i:02}-with-a-longer-name.frames.example.org."),
                    rtype: "A".to_owned(),
                    records: vec![format!("192.0.2.{i}")],
                    ..NewRecordSet::default()
                },
            )
            .await
            .unwrap();
    }
    let listing = client
        .find_recordsets(
            &ctx(),
            Criteria::new()
                .eq("zone_id", zone.id.to_string())
                .eq("type", "A"),
            Page {
                limit: Some(1000),
                ..Page::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(listing.items.len(), 60);
    let size = serde_json::to_vec(&listing.items).unwrap().len();
    assert!(
        size > 2 * designate_bus::amqp::url::FRAME_MAX as usize,
        "{size}"
    );
    shutdown.cancel();
    server.await.unwrap();
    cleanup(&config, &[&config.central_topic, &config.worker_topic]).await;
}

#[tokio::test]
async fn a_broadcast_reaches_every_listener() {
    use designate_bus::amqp::{consume_fanout, FanoutClient};
    use designate_bus::{Broadcast, Broadcaster};
    let config = unique_config();
    let topic = format!("mdns-{}", Uuid::new_v4().simple());
    let shutdown = CancellationToken::new();
    // Two MiniDNS processes' worth of listeners, each on its own connection.
    let mut listeners = Vec::new();
    let mut tasks = Vec::new();
    for name in ["mdns-a", "mdns-b"] {
        let (tx, rx) = mpsc::unbounded_channel();
        tasks.push(tokio::spawn(consume_fanout(
            Link::new(config.clone(), name),
            topic.clone(),
            tx,
            shutdown.clone(),
        )));
        listeners.push(rx);
    }
    let client = FanoutClient::new(Link::new(config.clone(), "central"), &topic);
    // A listener hears what is sent after its queue is bound: send until both heard one.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut heard = [0usize; 2];
    while heard.contains(&0) {
        assert!(std::time::Instant::now() < deadline, "heard: {heard:?}");
        client.broadcast(Broadcast::MdnsAccessChanged).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        for (i, rx) in listeners.iter_mut().enumerate() {
            while let Ok(event) = rx.try_recv() {
                assert_eq!(event, Broadcast::MdnsAccessChanged);
                heard[i] += 1;
            }
        }
    }
    // From now on every broadcast reaches both (not one or the other, as a work queue would).
    let before = heard;
    for _ in 0..5 {
        client
            .try_broadcast(Broadcast::MdnsAccessChanged)
            .await
            .unwrap();
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for (i, rx) in listeners.iter_mut().enumerate() {
        while rx.try_recv().is_ok() {
            heard[i] += 1;
        }
        assert_eq!(heard[i] - before[i], 5, "listener {i}");
    }
    shutdown.cancel();
    for task in tasks {
        task.await.unwrap();
    }
    let link = Link::new(config.clone(), "test-cleanup");
    let conn = link.connection().await.unwrap();
    let ch = conn.create_channel().await.unwrap();
    let _ = ch
        .exchange_delete(
            designate_bus::amqp::fanout::exchange_name(&topic)
                .as_str()
                .into(),
            lapin::options::ExchangeDeleteOptions::default(),
        )
        .await;
    link.close().await;
}
