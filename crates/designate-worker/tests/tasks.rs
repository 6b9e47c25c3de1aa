//! The producer's writing tasks end to end with a real central over a real SQLite store:
//! `zone_purge`, `delayed_notify` and `periodic_exists`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use designate_bus::inproc::WorkerQueue;
use designate_bus::{Notifier, ZoneTask};
use designate_central::{Central, CentralConfig};
use designate_core::objects::{Action, ZoneStatus};
use designate_core::RequestContext;
use designate_storage::{contract, Storage, StorageError};
use designate_worker::producer::Task;
use designate_worker::{Producer, ProducerConfig};
use uuid::Uuid;

/// A notifier that keeps what it is given (the notification sink of this test).
#[derive(Default)]
struct Kept(Mutex<Vec<(String, serde_json::Value)>>);

#[async_trait]
impl Notifier for Kept {
    async fn notify(&self, _ctx: &RequestContext, event_type: &str, payload: serde_json::Value) {
        if let Ok(mut kept) = self.0.lock() {
            kept.push((event_type.to_owned(), payload));
        }
    }
}

#[tokio::test]
async fn purge_delayed_notify_and_exists_run_through_central() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = common::sqlite_store(&dir).await;
    let storage: Arc<dyn Storage> = Arc::new(s);

    let tenant = Uuid::new_v4().simple().to_string();
    let pool = Uuid::new_v4();
    let mut old = contract::zone("old.purge.test.", &tenant, pool);
    old.deleted = old.id.simple().to_string();
    old.deleted_at = Some(contract::now() - chrono::Duration::seconds(120));
    let mut recent = contract::zone("recent.purge.test.", &tenant, pool);
    recent.deleted = recent.id.simple().to_string();
    recent.deleted_at = Some(contract::now());
    let mut batched = contract::zone("batched.test.", &tenant, pool);
    batched.status = ZoneStatus::Active;
    batched.action = Action::None;
    batched.delayed_notify = true;
    let mut deleting = contract::zone("deleting.test.", &tenant, pool);
    deleting.status = ZoneStatus::Pending;
    deleting.action = Action::Delete;
    deleting.delayed_notify = true;
    let mut tx = storage.begin().await.expect("begin");
    for z in [&old, &recent, &batched, &deleting] {
        tx.create_zone(z).await.expect("create");
    }
    tx.commit().await.expect("commit");

    let (queue, mut casts) = WorkerQueue::new();
    let kept = Arc::new(Kept::default());
    let central = Central::new(
        Arc::clone(&storage),
        Arc::new(queue.clone()),
        Arc::clone(&kept) as Arc<dyn Notifier>,
        CentralConfig::default(),
    );
    let mut config = ProducerConfig {
        enabled_tasks: Some(vec![
            "zone_purge".to_owned(),
            "delayed_notify".to_owned(),
            "periodic_exists".to_owned(),
        ]),
        ..ProducerConfig::default()
    };
    config.zone_purge.time_threshold = Duration::from_secs(60);
    let producer = Producer::new(Arc::clone(&storage), Arc::new(queue), config)
        .with_central(Arc::new(central))
        .with_notifier(Arc::clone(&kept) as Arc<dyn Notifier>);
    let mut leases = producer.leases();
    let runs = producer.tick(&mut leases, false).await.expect("tick");
    assert!(runs.iter().all(|r| r.outcome.is_ok()), "{runs:?}");
    let total = |task| {
        runs.iter()
            .filter(|r| r.task == task)
            .map(|r| r.outcome.clone().unwrap_or(0))
            .sum::<usize>()
    };
    assert_eq!(total(Task::ZonePurge), 1);
    assert_eq!(total(Task::DelayedNotify), 1);

    // zone_purge: only the zone deleted longer ago than the threshold is gone.
    let mut tx = storage.begin_read().await.expect("begin");
    assert!(matches!(
        tx.get_zone_any(old.id).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(tx.get_zone_any(recent.id).await.is_ok());
    // delayed_notify: the idle zone is now PENDING / UPDATE with the flag cleared, and one
    // update was cast; the zone being deleted is left alone, as upstream.
    let z = tx.get_zone(batched.id).await.expect("batched");
    assert!(!z.delayed_notify);
    assert_eq!((z.status, z.action), (ZoneStatus::Pending, Action::Update));
    assert!(
        tx.get_zone(deleting.id)
            .await
            .expect("deleting")
            .delayed_notify
    );
    drop(tx);
    let cast = casts.try_recv().expect("one cast");
    assert_eq!((cast.task, cast.zone.id), (ZoneTask::Update, batched.id));
    assert!(casts.try_recv().is_err(), "exactly one cast");

    // periodic_exists: both event types for each of the two live zones, with the audit period.
    let kept = kept.0.lock().expect("lock").clone();
    let exists: Vec<_> = kept
        .iter()
        .filter(|(e, _)| e.ends_with(".exists"))
        .collect();
    assert_eq!(exists.len(), 4, "{exists:?}");
    assert!(exists.iter().any(|(e, _)| e == "dns.domain.exists"));
    for (_, payload) in exists {
        assert!(payload.get("audit_period_beginning").is_some());
        assert!(payload.get("audit_period_ending").is_some());
        assert_eq!(
            payload.get("type").and_then(|t| t.as_str()),
            Some("PRIMARY")
        );
    }

    // A second tick within the intervals runs nothing again.
    let again = producer.tick(&mut leases, false).await.expect("tick");
    assert!(
        again.iter().all(|r| r.task == Task::DelayedNotify),
        "only the 5 s task may be due again: {again:?}"
    );
}

// --- producer `increment_serial` ---

/// Zones flagged `increment_serial` (as upstream's central leaves them, e.g. in an adopted
/// database) get one serial bump each, SOA included; an update is cast unless the zone also
/// waits for a delayed NOTIFY; a zone being deleted is skipped.
#[tokio::test]
async fn increment_serial_bumps_flagged_zones_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = common::sqlite_store(&dir).await;
    let storage: Arc<dyn Storage> = Arc::new(s);
    let (queue, mut casts) = WorkerQueue::new();
    let config = CentralConfig::default();
    let central = Arc::new(Central::new(
        Arc::clone(&storage),
        Arc::new(queue.clone()),
        Arc::new(Kept::default()) as Arc<dyn Notifier>,
        config.clone(),
    ));
    let mut pool = contract::pool("default");
    pool.id = config.default_pool_id;
    central.ensure_pool(pool).await.expect("pool");
    let ctx = RequestContext {
        project_id: Some("p1".to_owned()),
        ..RequestContext::admin()
    };
    let mut zones = Vec::new();
    for name in [
        "flagged.test.",
        "flagged-delayed.test.",
        "flagged-deleting.test.",
    ] {
        let new = designate_core::objects::NewZone {
            name: name.to_owned(),
            email: Some("a@example.org".to_owned()),
            ..Default::default()
        };
        zones.push(
            designate_bus::CentralApi::create_zone(central.as_ref(), &ctx, new)
                .await
                .expect("zone"),
        );
    }
    // Flag them as upstream's central does (serial not bumped yet).
    let mut tx = storage.begin().await.expect("begin");
    for (i, zone) in zones.iter().enumerate() {
        let mut z = tx.get_zone(zone.id).await.expect("get");
        z.increment_serial = true;
        z.status = ZoneStatus::Active;
        z.action = if i == 2 { Action::Delete } else { Action::None };
        z.delayed_notify = i == 1;
        tx.update_zone(&z).await.expect("update");
    }
    tx.commit().await.expect("commit");
    while casts.try_recv().is_ok() {}
    let before: Vec<u32> = zones.iter().map(|z| z.serial).collect();
    // Serials are unix time: make sure the bump is visible as a larger one.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    let producer = Producer::new(
        Arc::clone(&storage),
        Arc::new(queue),
        ProducerConfig {
            enabled_tasks: Some(vec!["increment_serial".to_owned()]),
            ..ProducerConfig::default()
        },
    )
    .with_central(central);
    let mut leases = producer.leases();
    let runs = producer.tick(&mut leases, false).await.expect("tick");
    assert!(runs.iter().all(|r| r.outcome.is_ok()), "{runs:?}");
    let done: usize = runs
        .iter()
        .filter(|r| r.task == Task::IncrementSerial)
        .map(|r| r.outcome.clone().unwrap_or(0))
        .sum();
    assert_eq!(done, 2);

    let mut tx = storage.begin_read().await.expect("begin");
    let idle = tx.get_zone(zones[0].id).await.expect("zone");
    assert!(idle.serial > before[0] && !idle.increment_serial);
    assert_eq!(
        (idle.status, idle.action),
        (ZoneStatus::Pending, Action::Update)
    );
    let soa = tx
        .zone_recordsets(idle.id)
        .await
        .expect("recordsets")
        .into_iter()
        .find(|rs| rs.rtype == "SOA")
        .expect("soa");
    assert!(
        soa.records[0].data.contains(&idle.serial.to_string()),
        "{}",
        soa.records[0].data
    );
    let delayed = tx.get_zone(zones[1].id).await.expect("zone");
    assert!(delayed.serial > before[1] && !delayed.increment_serial && delayed.delayed_notify);
    let deleting = tx.get_zone(zones[2].id).await.expect("zone");
    assert!(deleting.increment_serial);
    assert_eq!(deleting.serial, before[2]);
    drop(tx);
    let cast = casts.try_recv().expect("one cast");
    assert_eq!((cast.task, cast.zone.id), (ZoneTask::Update, zones[0].id));
    assert!(casts.try_recv().is_err(), "exactly one cast");
}
