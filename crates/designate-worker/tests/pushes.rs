//! The worker's push loop with a real central over a real SQLite store: casts for one zone that
//! arrive while its push runs are merged, and only the last push of such a burst reports.

mod common;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use designate_bus::amqp::{CallHook, CentralRequest, Intercepted};
use designate_bus::inproc::{LogNotifier, WorkerQueue};
use designate_bus::{CentralApi, PushOutcome};
use designate_central::{Central, CentralConfig};
use designate_core::objects::{NewRecordSet, NewZone, RecordStatus, ZoneStatus};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::{contract, Storage};
use designate_worker::{Worker, WorkerConfig};
use tokio_util::sync::CancellationToken;

/// The worker's view of central: status reports are kept, then handed to the real central.
/// The worker calls nothing else (anything else is refused).
#[derive(Default)]
struct Reports {
    kept: Mutex<Vec<(PushOutcome, u32)>>,
}

impl Reports {
    fn kept(&self) -> Vec<(PushOutcome, u32)> {
        self.kept.lock().expect("reports").clone()
    }
}

#[async_trait]
impl CallHook for Reports {
    async fn before(&self, _: &RequestContext, call: &CentralRequest) -> Result<()> {
        match call {
            CentralRequest::UpdateStatus {
                outcome, serial, ..
            } => {
                self.kept.lock().expect("reports").push((*outcome, *serial));
                Ok(())
            }
            other => Err(DesignateError::new(
                ErrorKind::UnknownFailure,
                format!("not called by the worker: {}", other.method()),
            )),
        }
    }
}

fn a_record(name: &str, address: &str) -> NewRecordSet {
    NewRecordSet {
        name: name.to_owned(),
        rtype: "A".to_owned(),
        records: vec![address.to_owned()],
        ..Default::default()
    }
}

/// Waits until the worker has reported `n` times.
async fn reported(reports: &Intercepted<Reports>, n: usize) -> Vec<(PushOutcome, u32)> {
    for _ in 0..500 {
        let kept = reports.hook.kept();
        if kept.len() >= n {
            return kept;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!(
        "the worker reported {:?}, not {n} times",
        reports.hook.kept()
    );
}

/// Waits for the zone to be ACTIVE: the hook sees a report before central has applied it.
async fn active_soon(storage: &dyn Storage, zone_id: uuid::Uuid) {
    for _ in 0..500 {
        let mut tx = storage.begin_read().await.expect("begin");
        if tx.get_zone(zone_id).await.expect("zone").status == ZoneStatus::Active {
            return;
        }
        drop(tx);
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("zone {zone_id} never became ACTIVE");
}

// The current-thread runtime makes the merge certain: the worker's loop takes every queued cast
// before the push it spawned for the first one can run.
#[tokio::test(flavor = "current_thread")]
async fn a_burst_of_casts_is_reported_once_by_its_last_push() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = common::sqlite_store(&dir).await;
    let storage: Arc<dyn Storage> = Arc::new(s);
    let (queue, casts) = WorkerQueue::new();
    let config = CentralConfig::default();
    let central = Arc::new(Central::new(
        Arc::clone(&storage),
        Arc::new(queue),
        Arc::new(LogNotifier),
        config.clone(),
    ));
    // A pool without targets, nameservers or also-notifies: every push succeeds at once.
    let mut pool = contract::pool("default");
    pool.id = config.default_pool_id;
    pool.targets.clear();
    pool.nameservers.clear();
    pool.also_notifies.clear();
    central.ensure_pool(pool).await.expect("pool");
    let ctx = RequestContext {
        project_id: Some("p1".to_owned()),
        ..RequestContext::admin()
    };
    // Three casts queue up before the worker runs: the zone's create and two recordset changes.
    let zone = central
        .create_zone(
            &ctx,
            NewZone {
                name: "burst.test.".to_owned(),
                email: Some("a@burst.test".to_owned()),
                ..Default::default()
            },
        )
        .await
        .expect("zone");
    for (name, address) in [
        ("a.burst.test.", "192.0.2.1"),
        ("b.burst.test.", "192.0.2.2"),
    ] {
        central
            .create_recordset(&ctx, zone.id, a_record(name, address))
            .await
            .expect("recordset");
    }
    let burst_serial = storage
        .begin_read()
        .await
        .expect("begin")
        .get_zone(zone.id)
        .await
        .expect("zone")
        .serial;
    assert_ne!(burst_serial, zone.serial, "the changes bumped the serial");

    let reports = Arc::new(Intercepted {
        inner: Arc::clone(&central) as Arc<dyn CentralApi>,
        hook: Reports::default(),
    });
    let worker = Worker::new(
        Arc::clone(&storage),
        Arc::clone(&reports) as Arc<dyn CentralApi>,
        Default::default(),
        WorkerConfig::default(),
    );
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(worker.run(casts, shutdown.clone()));

    // The first push (the create's serial) found the merged follow-up waiting and left the
    // report to it; the follow-up reports the burst's serial.
    let kept = reported(&reports, 1).await;
    assert_eq!(kept, vec![(PushOutcome::Success, burst_serial)]);
    active_soon(storage.as_ref(), zone.id).await;
    let mut tx = storage.begin_read().await.expect("begin");
    for rs in tx.zone_recordsets(zone.id).await.expect("recordsets") {
        for record in &rs.records {
            assert_eq!(
                record.status,
                RecordStatus::Active,
                "{} {}",
                rs.name,
                rs.rtype
            );
        }
    }
    drop(tx);

    // A lone change has nothing to leave its report to.
    central
        .create_recordset(&ctx, zone.id, a_record("c.burst.test.", "192.0.2.3"))
        .await
        .expect("recordset");
    let kept = reported(&reports, 2).await;
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert!(kept[1].1 != burst_serial && kept[1].0 == PushOutcome::Success);
    active_soon(storage.as_ref(), zone.id).await;

    shutdown.cancel();
    running.await.expect("worker");
}
