//! Shared test harness: a real SQLite store in a temp dir, the default pool installed through
//! `Central::ensure_pool`, a worker that records casts, and the logging notifier.
#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use designate_bus::inproc::LogNotifier;
use designate_bus::{CentralApi, WorkerApi, ZoneTask};
use designate_central::{Central, CentralConfig};
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{NewRecordSet, NewZone, Pool, PoolNsRecord, RecordSet, Zone};
use designate_core::{DesignateError, ErrorKind, RequestContext};
use designate_storage::{SqlStorage, Storage};
use uuid::Uuid;

/// A worker double of our own trait: remembers every cast.
#[derive(Default)]
pub struct RecordingWorker {
    pub casts: Mutex<Vec<(ZoneTask, Zone)>>,
}

impl RecordingWorker {
    pub fn take(&self) -> Vec<(ZoneTask, Zone)> {
        std::mem::take(&mut *self.casts.lock().unwrap())
    }
}

#[async_trait]
impl WorkerApi for RecordingWorker {
    async fn cast_zone_task(&self, _ctx: &RequestContext, task: ZoneTask, zone: Zone) {
        self.casts.lock().unwrap().push((task, zone));
    }
}

pub struct Harness {
    pub _dir: tempfile::TempDir,
    pub storage: Arc<SqlStorage>,
    pub worker: Arc<RecordingWorker>,
    pub central: Central,
}

pub fn default_pool(config: &CentralConfig) -> Pool {
    Pool {
        id: config.default_pool_id,
        name: "default".to_owned(),
        description: Some("Default Pool".to_owned()),
        tenant_id: None,
        attributes: vec![],
        ns_records: vec![
            PoolNsRecord {
                priority: 2,
                hostname: "ns2.example.net.".to_owned(),
            },
            PoolNsRecord {
                priority: 1,
                hostname: "ns1.example.net.".to_owned(),
            },
        ],
        nameservers: vec![],
        targets: vec![],
        also_notifies: vec![],
    }
}

pub async fn harness_with(config: CentralConfig, install_pool: bool) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:///{}", dir.path().join("designate.db").display());
    harness_at(&url, dir, config, install_pool).await
}

/// A harness on the database at `url` (any engine `SqlStorage` speaks), migrated.
pub async fn harness_at(
    url: &str,
    dir: tempfile::TempDir,
    config: CentralConfig,
    install_pool: bool,
) -> Harness {
    let storage = Arc::new(SqlStorage::connect(url).await.unwrap());
    storage.migrate().await.unwrap();
    let worker = Arc::new(RecordingWorker::default());
    let central = Central::new(
        storage.clone(),
        worker.clone(),
        Arc::new(LogNotifier),
        config.clone(),
    );
    if install_pool {
        central.ensure_pool(default_pool(&config)).await.unwrap();
    }
    Harness {
        _dir: dir,
        storage,
        worker,
        central,
    }
}

pub async fn harness() -> Harness {
    harness_with(CentralConfig::default(), true).await
}

pub fn ctx(project: &str) -> RequestContext {
    RequestContext {
        request_id: format!("req-{}", Uuid::new_v4()),
        project_id: Some(project.to_owned()),
        roles: vec!["member".to_owned(), "reader".to_owned()],
        ..RequestContext::default()
    }
}

pub fn admin_all() -> RequestContext {
    RequestContext {
        request_id: "req-admin".to_owned(),
        project_id: Some("admin-project".to_owned()),
        roles: vec!["admin".to_owned()],
        all_projects: true,
        ..RequestContext::default()
    }
}

pub fn new_zone(name: &str) -> NewZone {
    NewZone {
        name: name.to_owned(),
        email: Some("hostmaster@example.org".to_owned()),
        ..NewZone::default()
    }
}

pub fn new_rs(name: &str, rtype: &str, records: &[&str]) -> NewRecordSet {
    NewRecordSet {
        name: name.to_owned(),
        rtype: rtype.to_owned(),
        records: records.iter().map(|r| (*r).to_owned()).collect(),
        ..NewRecordSet::default()
    }
}

/// Every recordset of a zone straight from storage.
pub async fn stored_recordsets(h: &Harness, zone_id: Uuid) -> Vec<RecordSet> {
    let mut tx = h.storage.begin_read().await.unwrap();
    tx.zone_recordsets(zone_id).await.unwrap()
}

/// The zone straight from storage (including soft-deleted).
pub async fn stored_zone(h: &Harness, zone_id: Uuid) -> Zone {
    let mut tx = h.storage.begin_read().await.unwrap();
    tx.get_zone_any(zone_id).await.unwrap()
}

/// The zone's SOA recordset from storage.
pub async fn soa_of(h: &Harness, zone_id: Uuid) -> RecordSet {
    stored_recordsets(h, zone_id)
        .await
        .into_iter()
        .find(|rs| rs.rtype == "SOA")
        .expect("zone has an SOA")
}

pub fn kind<T: std::fmt::Debug>(r: Result<T, DesignateError>) -> ErrorKind {
    r.expect_err("expected an error").kind
}

pub fn all() -> (Criteria, Page) {
    (Criteria::new(), Page::default())
}

/// The records (owner, type, data) the journal change of `zone_id` that ends at `serial`
/// adds, the SOA left out; `None` when the journal holds no change ending there.
pub async fn journal_adds(
    h: &Harness,
    zone_id: Uuid,
    serial: u32,
) -> Option<std::collections::BTreeSet<(String, String, String)>> {
    journal_ops(h, zone_id, serial, designate_storage::JournalOp::Add).await
}

/// The (name, type, data) the journal change ending at `serial` deletes, SOA aside (`None`: no
/// such change).
pub async fn journal_deletes(
    h: &Harness,
    zone_id: Uuid,
    serial: u32,
) -> Option<std::collections::BTreeSet<(String, String, String)>> {
    journal_ops(h, zone_id, serial, designate_storage::JournalOp::Del).await
}

async fn journal_ops(
    h: &Harness,
    zone_id: Uuid,
    serial: u32,
    op: designate_storage::JournalOp,
) -> Option<std::collections::BTreeSet<(String, String, String)>> {
    use designate_storage::Storage;
    let mut tx = h.storage.begin_read().await.expect("begin");
    let rows = tx.zone_journal(zone_id).await.expect("journal");
    let rows: Vec<_> = rows.into_iter().filter(|e| e.serial == serial).collect();
    if rows.is_empty() {
        return None;
    }
    Some(
        rows.into_iter()
            .filter(|e| e.op == op && e.rtype != "SOA")
            .map(|e| (e.name, e.rtype, e.data))
            .collect(),
    )
}

/// Runs `check` on a harness over a fresh database of `server` (with `config`), then closes the
/// pool and drops the database.
pub async fn on_fresh_database<F, Fut>(
    server: designate_storage::contract::server::Server,
    config: CentralConfig,
    check: F,
) where
    F: FnOnce(Harness) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let db = designate_storage::contract::server::TestDatabase::create(server).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let h = harness_at(&db.sqlalchemy_url(), dir, config, true).await;
    let storage = h.storage.clone();
    check(h).await;
    storage.close().await;
    db.drop_database().await;
}

/// What a queued change was answered.
pub type Outcome = Result<RecordSet, DesignateError>;

/// A change a test queues.
#[derive(Clone, Copy)]
pub enum Op<'a> {
    /// (name, type, datum)
    Create(&'a str, &'a str, &'a str),
    /// The recordset's records replaced by one datum.
    Update(Uuid, &'a str),
    Delete(Uuid),
}

/// Creates of (name, type, datum).
pub fn creates<'a>(specs: &[(&'a str, &'a str, &'a str)]) -> Vec<Op<'a>> {
    specs.iter().map(|&(n, t, d)| Op::Create(n, t, d)).collect()
}

/// Makes a batch form: runs `first` (as project `p1`) while a transaction holds the zone (its
/// row lock; on SQLite the single writer), queues `rest` behind it one by one, in order, and
/// releases the zone: `first`'s answer, then `rest`'s in their order.
pub async fn batched(
    central: &Central,
    storage: &SqlStorage,
    zone_id: Uuid,
    first: Op<'_>,
    rest: &[Op<'_>],
) -> (Outcome, Vec<Outcome>) {
    let mut hold = storage.begin().await.expect("begin");
    hold.get_zone_row(zone_id).await.expect("hold the zone");
    let queue = |op: Op<'_>| {
        let central = central.clone();
        let c = ctx("p1");
        match op {
            Op::Create(name, rtype, data) => {
                let spec = new_rs(name, rtype, &[data]);
                tokio::spawn(async move { central.create_recordset(&c, zone_id, spec).await })
            }
            Op::Update(id, data) => {
                let update = designate_core::objects::RecordSetUpdate {
                    records: Some(vec![data.to_owned()]),
                    ..Default::default()
                };
                tokio::spawn(async move { central.update_recordset(&c, zone_id, id, update).await })
            }
            Op::Delete(id) => {
                tokio::spawn(async move { central.delete_recordset(&c, zone_id, id).await })
            }
        }
    };
    let first = queue(first);
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    // One by one, so that they queue in this order.
    let mut queued = Vec::new();
    for op in rest {
        queued.push(queue(*op));
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let rest = queued;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    hold.commit().await.expect("release");
    let first = first.await.expect("join");
    let mut out = Vec::new();
    for t in rest {
        out.push(t.await.expect("join"));
    }
    (first, out)
}
