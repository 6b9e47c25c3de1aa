//! Lost optimistic locks: the real store, with a fault injected on the zone write (the version
//! check failing as it does when another central wrote the zone in between). SQLite serialises
//! writers, so the fault cannot be produced by racing; PostgreSQL/MySQL produce it for real.

mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use designate_bus::inproc::LogNotifier;
use designate_bus::{CentralApi, ZoneTask};
use designate_central::{Central, CentralConfig};
use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    Action, Blacklist, Pool, Quota, Record, RecordSet, RecordStatus, ServiceStatus, Tld, Zone,
};
use designate_storage::{Result, SqlStorage, Storage, StorageError, StorageTx};
use uuid::Uuid;

/// The real store; the next `fail` zone writes report a lost lock, and the next `clash`
/// recordset inserts of a create batch meet a unique key, as when a writer that does not take
/// the zone's lock raced them.
struct Faulty {
    inner: Arc<SqlStorage>,
    fail: Arc<AtomicU32>,
    clash: Arc<AtomicU32>,
}

struct FaultyTx {
    inner: Box<dyn StorageTx>,
    fail: Arc<AtomicU32>,
    clash: Arc<AtomicU32>,
}

#[async_trait]
impl Storage for Faulty {
    async fn begin(&self) -> Result<Box<dyn StorageTx>> {
        Ok(Box::new(FaultyTx {
            inner: self.inner.begin().await?,
            fail: self.fail.clone(),
            clash: self.clash.clone(),
        }))
    }
    async fn begin_read(&self) -> Result<Box<dyn StorageTx>> {
        self.inner.begin_read().await
    }
}

#[async_trait]
impl StorageTx for FaultyTx {
    async fn commit(self: Box<Self>) -> Result<()> {
        self.inner.commit().await
    }
    async fn create_zone(&mut self, zone: &Zone) -> Result<()> {
        self.inner.create_zone(zone).await
    }
    async fn get_zone(&mut self, id: Uuid) -> Result<Zone> {
        self.inner.get_zone(id).await
    }
    async fn get_zone_any(&mut self, id: Uuid) -> Result<Zone> {
        self.inner.get_zone_any(id).await
    }
    async fn find_zones(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Zone>> {
        self.inner.find_zones(criteria, page).await
    }
    async fn update_zone(&mut self, zone: &Zone) -> Result<Zone> {
        let left = self.fail.load(Ordering::SeqCst);
        if left > 0 {
            self.fail.store(left - 1, Ordering::SeqCst);
            return Err(StorageError::Conflict("zones"));
        }
        self.inner.update_zone(zone).await
    }
    async fn delete_zone(&mut self, id: Uuid) -> Result<()> {
        self.inner.delete_zone(id).await
    }
    async fn create_recordset(&mut self, recordset: &RecordSet) -> Result<()> {
        self.inner.create_recordset(recordset).await
    }
    async fn create_recordsets(&mut self, recordsets: &[RecordSet]) -> Result<()> {
        let left = self.clash.load(Ordering::SeqCst);
        if left > 0 {
            self.clash.store(left - 1, Ordering::SeqCst);
            return Err(StorageError::Duplicate("recordsets"));
        }
        self.inner.create_recordsets(recordsets).await
    }
    async fn get_recordset(&mut self, id: Uuid) -> Result<RecordSet> {
        self.inner.get_recordset(id).await
    }
    async fn find_recordsets(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<RecordSet>> {
        self.inner.find_recordsets(criteria, page).await
    }
    async fn zone_recordsets(&mut self, zone_id: Uuid) -> Result<Vec<RecordSet>> {
        self.inner.zone_recordsets(zone_id).await
    }
    async fn update_recordset(&mut self, recordset: &RecordSet) -> Result<RecordSet> {
        self.inner.update_recordset(recordset).await
    }
    async fn delete_recordset(&mut self, id: Uuid) -> Result<()> {
        self.inner.delete_recordset(id).await
    }
    async fn update_zone_records_status(
        &mut self,
        zone_id: Uuid,
        status: RecordStatus,
        action: Action,
        max_serial: u32,
    ) -> Result<()> {
        self.inner
            .update_zone_records_status(zone_id, status, action, max_serial)
            .await
    }
    async fn zone_records(&mut self, zone_id: Uuid) -> Result<Vec<Record>> {
        self.inner.zone_records(zone_id).await
    }
    async fn create_pool(&mut self, pool: &Pool) -> Result<()> {
        self.inner.create_pool(pool).await
    }
    async fn get_pool(&mut self, id: Uuid) -> Result<Pool> {
        self.inner.get_pool(id).await
    }
    async fn find_pools(&mut self) -> Result<Vec<Pool>> {
        self.inner.find_pools().await
    }
    async fn update_pool(&mut self, pool: &Pool) -> Result<()> {
        self.inner.update_pool(pool).await
    }
    async fn upsert_service_status(&mut self, status: &ServiceStatus) -> Result<()> {
        self.inner.upsert_service_status(status).await
    }
    async fn find_service_statuses(&mut self) -> Result<Vec<ServiceStatus>> {
        self.inner.find_service_statuses().await
    }
    async fn create_tld(&mut self, tld: &Tld) -> Result<()> {
        self.inner.create_tld(tld).await
    }
    async fn get_tld(&mut self, id: Uuid) -> Result<Tld> {
        self.inner.get_tld(id).await
    }
    async fn find_tlds(&mut self, criteria: &Criteria, page: &Page) -> Result<Listing<Tld>> {
        self.inner.find_tlds(criteria, page).await
    }
    async fn update_tld(&mut self, tld: &Tld) -> Result<Tld> {
        self.inner.update_tld(tld).await
    }
    async fn delete_tld(&mut self, id: Uuid) -> Result<()> {
        self.inner.delete_tld(id).await
    }
    async fn create_blacklist(&mut self, blacklist: &Blacklist) -> Result<()> {
        self.inner.create_blacklist(blacklist).await
    }
    async fn get_blacklist(&mut self, id: Uuid) -> Result<Blacklist> {
        self.inner.get_blacklist(id).await
    }
    async fn find_blacklists(
        &mut self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<Blacklist>> {
        self.inner.find_blacklists(criteria, page).await
    }
    async fn update_blacklist(&mut self, blacklist: &Blacklist) -> Result<Blacklist> {
        self.inner.update_blacklist(blacklist).await
    }
    async fn delete_blacklist(&mut self, id: Uuid) -> Result<()> {
        self.inner.delete_blacklist(id).await
    }
    async fn find_quotas(&mut self, tenant_id: &str) -> Result<Vec<Quota>> {
        self.inner.find_quotas(tenant_id).await
    }
    async fn set_quota(&mut self, quota: &Quota) -> Result<()> {
        self.inner.set_quota(quota).await
    }
    async fn delete_quotas(&mut self, tenant_id: &str) -> Result<u64> {
        self.inner.delete_quotas(tenant_id).await
    }
}

#[tokio::test]
async fn lost_locks_are_retried_and_nothing_half_done_remains() {
    let h = harness().await;
    let fail = Arc::new(AtomicU32::new(0));
    let faulty = Arc::new(Faulty {
        inner: h.storage.clone(),
        fail: fail.clone(),
        clash: Arc::default(),
    });
    let central = Central::new(
        faulty,
        h.worker.clone(),
        Arc::new(LogNotifier),
        CentralConfig::default(),
    );
    let c = ctx("p1");
    let zone = central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();

    // Three lost locks, then success: the recordset exists once, the serial moved once.
    fail.store(3, Ordering::SeqCst);
    let rs = central
        .create_recordset(&c, zone.id, new_rs("www.example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    assert_eq!(fail.load(Ordering::SeqCst), 0);
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(stored.serial, rs.records[0].serial);
    let www: Vec<_> = stored_recordsets(&h, zone.id)
        .await
        .into_iter()
        .filter(|r| r.name == "www.example.org.")
        .collect();
    assert_eq!(www.len(), 1, "rolled-back attempts left nothing behind");
    let casts = h.worker.take();
    assert_eq!(casts.len(), 1, "one cast for one change");
    assert_eq!(casts[0].0, ZoneTask::Update);

    // A lock that is never won is reported as a conflict, with nothing written.
    fail.store(u32::MAX, Ordering::SeqCst);
    let out = central
        .create_recordset(
            &c,
            zone.id,
            new_rs("lost.example.org.", "A", &["192.0.2.2"]),
        )
        .await;
    assert_eq!(kind(out), designate_core::ErrorKind::Conflict);
    fail.store(0, Ordering::SeqCst);
    assert!(stored_recordsets(&h, zone.id)
        .await
        .iter()
        .all(|r| r.name != "lost.example.org."));
    assert_eq!(stored_zone(&h, zone.id).await.serial, stored.serial);
    assert!(h.worker.take().is_empty());
}

/// A central over `h`'s store whose next `create_recordsets` calls (as many as the counter
/// says) fail with a duplicate key.
fn clashing_central(h: &Harness) -> (Central, Arc<AtomicU32>) {
    let clash = Arc::new(AtomicU32::new(0));
    let central = Central::new(
        Arc::new(Faulty {
            inner: h.storage.clone(),
            fail: Arc::default(),
            clash: clash.clone(),
        }),
        h.worker.clone(),
        Arc::new(LogNotifier),
        CentralConfig::default(),
    );
    (central, clash)
}

/// A batch whose transaction fails for a reason that is no one create's (here a unique key a
/// racing writer took) reruns each create alone: each gets its own answer, none is lost.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_batch_reruns_each_create_alone() {
    let h = harness().await;
    let (central, clash) = clashing_central(&h);
    let c = ctx("p1");
    let zone = central
        .create_zone(&c, new_zone("rerun.example.org."))
        .await
        .unwrap();
    h.worker.take();
    // The first create's batch and the batch of the three behind it clash; reruns do not.
    clash.store(2, Ordering::SeqCst);
    let (first, rest) = batched(
        &central,
        &h.storage,
        zone.id,
        Op::Create("first.rerun.example.org.", "A", "192.0.2.1"),
        &creates(&[
            ("a.rerun.example.org.", "A", "192.0.2.1"),
            ("b.rerun.example.org.", "A", "192.0.2.1"),
            ("c.rerun.example.org.", "A", "192.0.2.1"),
        ]),
    )
    .await;
    // A batch of one has no one else to blame: the failure is its answer.
    assert_eq!(kind(first), designate_core::ErrorKind::DuplicateRecordSet);
    let mut serials = std::collections::BTreeSet::new();
    for outcome in rest {
        let rs = outcome.expect("each create alone succeeds");
        serials.insert(rs.records[0].serial);
    }
    assert_eq!(serials.len(), 3, "each alone: a serial each");
    let names: Vec<_> = stored_recordsets(&h, zone.id)
        .await
        .into_iter()
        .map(|r| r.name)
        .filter(|n| n != "rerun.example.org.")
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(h.worker.take().len(), 3);
}

/// The same with an update and a delete in the failed batch, written before the create that
/// fails it: the rollback takes them back, and each alone then lands exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_failed_batch_undoes_its_updates_and_deletes_and_reruns_them_alone() {
    let h = harness().await;
    let (central, clash) = clashing_central(&h);
    let c = ctx("p1");
    let zone = central
        .create_zone(&c, new_zone("undo.example.org."))
        .await
        .unwrap();
    let mut made = Vec::new();
    for name in ["u", "d"] {
        let spec = new_rs(&format!("{name}.undo.example.org."), "A", &["192.0.2.1"]);
        made.push(central.create_recordset(&c, zone.id, spec).await.unwrap());
    }
    let (u, d) = (made[0].clone(), made[1].id);
    h.worker.take();
    // The batch of the four behind the first clashes at its creates; the reruns do not.
    clash.store(1, Ordering::SeqCst);
    let (first, rest) = batched(
        &central,
        &h.storage,
        zone.id,
        Op::Delete(Uuid::new_v4()),
        &[
            Op::Update(u.id, "198.51.100.1"),
            Op::Create("a.undo.example.org.", "A", "192.0.2.2"),
            Op::Delete(d),
            Op::Create("b.undo.example.org.", "A", "192.0.2.3"),
        ],
    )
    .await;
    assert_eq!(kind(first), designate_core::ErrorKind::RecordSetNotFound);
    let mut serials = std::collections::BTreeSet::new();
    for outcome in rest {
        let rs = outcome.expect("each change alone succeeds");
        serials.insert(rs.records[0].serial);
    }
    assert_eq!(serials.len(), 4, "each alone: a serial each");
    let stored = stored_recordsets(&h, zone.id).await;
    let updated = stored.iter().find(|rs| rs.id == u.id).expect("u kept");
    assert_eq!(updated.records[0].data, "198.51.100.1");
    assert_eq!(updated.version, u.version + 1, "the update landed once");
    assert!(stored.iter().all(|rs| rs.id != d), "d deleted");
    let mut names: Vec<_> = stored
        .iter()
        .filter(|rs| rs.rtype == "A")
        .map(|rs| rs.name.as_str())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "a.undo.example.org.",
            "b.undo.example.org.",
            "u.undo.example.org."
        ]
    );
    assert_eq!(h.worker.take().len(), 4);
}
