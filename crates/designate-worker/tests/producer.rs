//! Producer sharding against real stores: two instances share the shard buckets through leases
//! in SQLite / PostgreSQL / MariaDB, one dies, the other takes over within a lease period, and
//! no task ever runs twice in one interval on one bucket.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use designate_bus::inproc::WorkerQueue;
use designate_core::objects::{Action, ZoneStatus};
use designate_storage::contract::server::{Server, TestDatabase};
use designate_storage::{contract, SqlStorage, Storage};
use designate_worker::shards::{bucket_shards, BUCKETS};
use designate_worker::{Producer, ProducerConfig};
use uuid::Uuid;

const LEASE: Duration = Duration::from_millis(1500);
const RECOVERY: Duration = Duration::from_millis(400);

fn config() -> ProducerConfig {
    ProducerConfig {
        recovery_interval: RECOVERY,
        enabled_tasks: Some(vec!["worker_periodic_recovery".to_owned()]),
        lease_period: LEASE,
        ..ProducerConfig::default()
    }
}

/// One zone in ERROR at the first shard of every bucket, so each bucket's recovery run has
/// exactly one zone to re-drive.
async fn seed(storage: &dyn Storage) {
    let mut tx = storage.begin().await.expect("begin");
    let tenant = Uuid::new_v4().simple().to_string();
    for b in 0..BUCKETS {
        let mut z = contract::zone(&format!("b{b}.shards.test."), &tenant, Uuid::new_v4());
        z.shard = i16::try_from(bucket_shards(b).0).expect("shard fits");
        z.status = ZoneStatus::Error;
        z.action = Action::Update;
        tx.create_zone(&z).await.expect("create zone");
    }
    tx.commit().await.expect("commit");
}

/// Records when each (bucket) recovery run happened, across instances: as the span of the tick
/// that ran it (a run takes its gate somewhere inside that span; a loaded machine can make one
/// tick last longer than an interval).
#[derive(Default)]
struct Runs(BTreeMap<u16, Vec<(Instant, Instant)>>);

impl Runs {
    fn record(&mut self, started: Instant, runs: &[designate_worker::producer::TaskRun]) {
        let ended = Instant::now();
        for run in runs {
            assert_eq!(
                run.outcome,
                Ok(1),
                "bucket {} re-drives its one zone",
                run.bucket
            );
            self.0.entry(run.bucket).or_default().push((started, ended));
        }
    }

    /// No bucket ran twice within one interval: the later run's tick ended at least an
    /// interval after the earlier run's tick started (a little slack for clock readings).
    fn assert_once_per_interval(&self) {
        for (bucket, times) in &self.0 {
            for pair in times.windows(2) {
                let gap = pair[1].1 - pair[0].0;
                assert!(
                    gap + Duration::from_millis(100) >= RECOVERY,
                    "bucket {bucket} ran twice within {gap:?}"
                );
            }
        }
    }
}

async fn share_and_take_over(storage: Arc<dyn Storage>) {
    seed(storage.as_ref()).await;
    let (queue_a, mut cast_a) = WorkerQueue::new();
    let (queue_b, mut cast_b) = WorkerQueue::new();
    let a = Producer::new(Arc::clone(&storage), Arc::new(queue_a), config()).with_holder("a");
    let b = Producer::new(Arc::clone(&storage), Arc::new(queue_b), config()).with_holder("b");
    let (mut leases_a, mut leases_b) = (a.leases(), b.leases());
    let mut runs = Runs::default();

    // Both join; within a few ticks the buckets are split evenly and disjointly.
    let deadline = Instant::now() + LEASE * 3;
    loop {
        let started = Instant::now();
        runs.record(
            started,
            &a.tick(&mut leases_a, false).await.expect("tick a"),
        );
        let started = Instant::now();
        runs.record(
            started,
            &b.tick(&mut leases_b, false).await.expect("tick b"),
        );
        let (ha, hb) = (leases_a.held(), leases_b.held());
        let both: BTreeSet<u16> = ha.iter().chain(&hb).copied().collect();
        if ha.len() == 8 && hb.len() == 8 && both.len() == usize::from(BUCKETS) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no even split: a {ha:?}, b {hb:?}"
        );
        tokio::time::sleep(LEASE / 6).await;
    }
    // Every bucket's zone was re-driven by exactly the instance holding it at the time.
    let mut seen = BTreeSet::new();
    for rx in [&mut cast_a, &mut cast_b] {
        while let Ok(cast) = rx.try_recv() {
            seen.insert(cast.zone.shard);
        }
    }
    assert!(!seen.is_empty());

    // b dies (stops ticking, leaves nothing behind); a takes every bucket within a lease period.
    drop(b);
    let died = Instant::now();
    loop {
        let started = Instant::now();
        runs.record(
            started,
            &a.tick(&mut leases_a, false).await.expect("tick a"),
        );
        if leases_a.held().len() == usize::from(BUCKETS) {
            break;
        }
        assert!(
            died.elapsed() < LEASE + LEASE / 2,
            "takeover too slow: a holds {:?}",
            leases_a.held()
        );
        tokio::time::sleep(LEASE / 6).await;
    }
    // Keep a running a little: every bucket now runs on a, still once per interval.
    let until = Instant::now() + RECOVERY * 3;
    while Instant::now() < until {
        let started = Instant::now();
        runs.record(
            started,
            &a.tick(&mut leases_a, false).await.expect("tick a"),
        );
        tokio::time::sleep(RECOVERY / 4).await;
    }
    runs.assert_once_per_interval();
    for bucket in 0..BUCKETS {
        assert!(runs.0.contains_key(&bucket), "bucket {bucket} never ran");
    }
    let mut shards_a = BTreeSet::new();
    while let Ok(cast) = cast_a.try_recv() {
        shards_a.insert(cast.zone.shard);
    }
    assert_eq!(
        shards_a.len(),
        usize::from(BUCKETS),
        "a re-drives every bucket's zone"
    );

    // A clean leave frees the buckets at once.
    leases_a.leave().await;
    let c = Producer::new(
        Arc::clone(&storage),
        Arc::new(WorkerQueue::new().0),
        config(),
    )
    .with_holder("c");
    let mut leases_c = c.leases();
    c.tick(&mut leases_c, false).await.expect("tick c");
    assert_eq!(leases_c.held().len(), usize::from(BUCKETS));
}

#[tokio::test]
async fn two_producers_share_shards_on_sqlite() {
    let dir = tempfile::tempdir().expect("tempdir");
    let s = common::sqlite_store(&dir).await;
    share_and_take_over(Arc::new(s)).await;
}

async fn on_server(server: Server) {
    let db = TestDatabase::create(server).await;
    let s = SqlStorage::connect(&db.sqlalchemy_url())
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");
    let s = Arc::new(s);
    share_and_take_over(Arc::clone(&s) as Arc<dyn Storage>).await;
    s.close().await;
    db.drop_database().await;
}

#[tokio::test]
async fn two_producers_share_shards_on_postgres() {
    on_server(Server::Postgres).await;
}

#[tokio::test]
async fn two_producers_share_shards_on_mariadb() {
    on_server(Server::MySql).await;
}
