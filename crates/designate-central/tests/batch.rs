//! Creates of one zone batched into one transaction, on SQLite, PostgreSQL and MariaDB.
//!
//! A batch is made to form: a transaction holds the zone (its row lock; on SQLite the single
//! writer), one create starts the zone's batch and waits behind it, more creates queue; when
//! the hold ends, the queued creates run as one batch. Each gets its own answer — a duplicate,
//! a CNAME clash, a name outside the zone or an exceeded quota refuses that create alone —
//! and the accepted ones share one serial whose journal change adds exactly them, with one
//! cast for the batch.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use designate_bus::{CentralApi, ZoneTask};
use designate_central::CentralConfig;
use designate_core::objects::RecordSet;
use designate_core::{DesignateError, ErrorKind};
use designate_storage::contract::server::Server;
use designate_storage::Storage;
use uuid::Uuid;

type Outcome = Result<RecordSet, DesignateError>;

/// Runs `first` while the zone is held, then `rest` queued behind it, and releases the zone:
/// `first`'s answer, then `rest`'s in their order.
async fn batched(
    h: &Arc<Harness>,
    zone_id: Uuid,
    first: (&str, &str, &str),
    rest: &[(&str, &str, &str)],
) -> (Outcome, Vec<Outcome>) {
    let mut hold = h.storage.begin().await.expect("begin");
    hold.get_zone_row(zone_id).await.expect("hold the zone");
    let create = |(name, rtype, data): (&str, &str, &str)| {
        let h = h.clone();
        let spec = new_rs(name, rtype, &[data]);
        tokio::spawn(async move { h.central.create_recordset(&ctx("p1"), zone_id, spec).await })
    };
    let first = create(first);
    tokio::time::sleep(Duration::from_millis(150)).await;
    let rest: Vec<_> = rest.iter().map(|c| create(*c)).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    hold.commit().await.expect("release");
    let first = first.await.expect("join");
    let mut out = Vec::new();
    for t in rest {
        out.push(t.await.expect("join"));
    }
    (first, out)
}

fn refused(outcome: &Outcome) -> Option<ErrorKind> {
    outcome.as_ref().err().map(|e| e.kind)
}

async fn one_batch_many_answers(h: Harness) {
    let h = Arc::new(h);
    let zone = h
        .central
        .create_zone(&ctx("p1"), new_zone("batch.example.org."))
        .await
        .expect("zone");
    let (first, rest) = batched(
        &h,
        zone.id,
        ("first.batch.example.org.", "A", "192.0.2.1"),
        &[
            ("a.batch.example.org.", "A", "192.0.2.2"),
            ("a.batch.example.org.", "A", "192.0.2.3"),
            ("b.batch.example.org.", "A", "192.0.2.4"),
            ("b.batch.example.org.", "CNAME", "elsewhere.example.net."),
            ("c.batch.example.org.", "TXT", "\"c\""),
            ("x.other.example.net.", "A", "192.0.2.5"),
        ],
    )
    .await;
    let first = first.expect("the first create");
    // Two creates of one (name, type): one stands, the other is the duplicate.
    let a: Vec<_> = rest[..2].iter().map(refused).collect();
    assert!(
        a.contains(&None) && a.contains(&Some(ErrorKind::DuplicateRecordSet)),
        "{a:?}"
    );
    // An A and a CNAME at one name: whichever came second is refused.
    let b: Vec<_> = rest[2..4].iter().map(refused).collect();
    assert!(
        b.contains(&None) && b.contains(&Some(ErrorKind::InvalidRecordSetLocation)),
        "{b:?}"
    );
    assert_eq!(refused(&rest[4]), None);
    assert_eq!(refused(&rest[5]), Some(ErrorKind::InvalidRecordSetLocation));

    let accepted: Vec<&RecordSet> = rest.iter().filter_map(|o| o.as_ref().ok()).collect();
    assert_eq!(accepted.len(), 3);
    let serials: BTreeSet<u32> = accepted.iter().map(|rs| rs.records[0].serial).collect();
    assert_eq!(serials.len(), 1, "one serial for the batch: {serials:?}");
    let serial = *serials.first().expect("serial");
    assert!(serial > first.records[0].serial);
    let adds: BTreeSet<(String, String, String)> = accepted
        .iter()
        .map(|rs| {
            (
                rs.name.clone(),
                rs.rtype.clone(),
                rs.records[0].data.clone(),
            )
        })
        .collect();
    assert_eq!(journal_adds(&h, zone.id, serial).await, Some(adds));

    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(stored.serial, serial);
    let names: BTreeSet<(String, String)> = stored_recordsets(&h, zone.id)
        .await
        .into_iter()
        .map(|rs| (rs.name, rs.rtype))
        .collect();
    assert_eq!(
        names.len(),
        6,
        "SOA, NS, first and the three accepted: {names:?}"
    );
    // The zone's creation, the first create, the batch: one cast each.
    let casts = h.worker.take();
    assert_eq!(casts.len(), 3, "{casts:?}");
    assert!(matches!(casts[2], (ZoneTask::Update, ref z) if z.serial == serial));
}

async fn quota_inside_a_batch(h: Harness) {
    let h = Arc::new(h);
    let zone = h
        .central
        .create_zone(&ctx("p1"), new_zone("quota-batch.example.org."))
        .await
        .expect("zone");
    let (first, rest) = batched(
        &h,
        zone.id,
        ("first.quota-batch.example.org.", "A", "192.0.2.1"),
        &[
            ("a.quota-batch.example.org.", "A", "192.0.2.2"),
            ("b.quota-batch.example.org.", "A", "192.0.2.3"),
            ("c.quota-batch.example.org.", "A", "192.0.2.4"),
            ("d.quota-batch.example.org.", "A", "192.0.2.5"),
        ],
    )
    .await;
    first.expect("the first create");
    // SOA, NS and the first leave room for two more (zone_recordsets = 5).
    let kinds: Vec<_> = rest.iter().map(refused).collect();
    assert_eq!(kinds.iter().filter(|k| k.is_none()).count(), 2, "{kinds:?}");
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == Some(ErrorKind::OverQuota))
            .count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(stored_recordsets(&h, zone.id).await.len(), 5);
}

fn small_quota() -> CentralConfig {
    let mut config = CentralConfig::default();
    config.quotas.insert("zone_recordsets".to_owned(), 5);
    config
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_batch_many_answers_on_sqlite() {
    one_batch_many_answers(harness().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_batch_many_answers_on_postgres() {
    on_fresh_database(
        Server::Postgres,
        CentralConfig::default(),
        one_batch_many_answers,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_batch_many_answers_on_mariadb() {
    on_fresh_database(
        Server::MySql,
        CentralConfig::default(),
        one_batch_many_answers,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quota_inside_a_batch_on_sqlite() {
    quota_inside_a_batch(harness_with(small_quota(), true).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quota_inside_a_batch_on_postgres() {
    on_fresh_database(Server::Postgres, small_quota(), quota_inside_a_batch).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quota_inside_a_batch_on_mariadb() {
    on_fresh_database(Server::MySql, small_quota(), quota_inside_a_batch).await;
}
