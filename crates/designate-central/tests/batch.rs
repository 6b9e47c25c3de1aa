//! Changes of one zone batched into one transaction, on SQLite, PostgreSQL and MariaDB.
//!
//! A batch is made to form: a transaction holds the zone (its row lock; on SQLite the single
//! writer), one change starts the zone's batch and waits behind it, more changes queue; when
//! the hold ends, the queued changes run as one batch. Each gets its own answer — a duplicate,
//! a CNAME clash, a name outside the zone, an exceeded quota, a recordset that is gone or may
//! not be changed refuses that change alone — each change sees the batch's earlier ones, and
//! the accepted ones share one serial whose journal change is exactly theirs (from the zone
//! before the batch to the zone after it), with one cast for the batch.

mod common;

use std::collections::BTreeSet;
use std::sync::Arc;

use common::*;
use designate_bus::{CentralApi, ZoneTask};
use designate_central::CentralConfig;
use designate_core::objects::RecordSet;
use designate_core::ErrorKind;
use designate_storage::contract::server::Server;
use uuid::Uuid;

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
        &h.central,
        &h.storage,
        zone.id,
        Op::Create("first.batch.example.org.", "A", "192.0.2.1"),
        &creates(&[
            ("a.batch.example.org.", "A", "192.0.2.2"),
            ("a.batch.example.org.", "A", "192.0.2.3"),
            ("b.batch.example.org.", "A", "192.0.2.4"),
            ("b.batch.example.org.", "CNAME", "elsewhere.example.net."),
            ("c.batch.example.org.", "TXT", "\"c\""),
            ("x.other.example.net.", "A", "192.0.2.5"),
        ]),
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
        &h.central,
        &h.storage,
        zone.id,
        Op::Create("first.quota-batch.example.org.", "A", "192.0.2.1"),
        &creates(&[
            ("a.quota-batch.example.org.", "A", "192.0.2.2"),
            ("b.quota-batch.example.org.", "A", "192.0.2.3"),
            ("c.quota-batch.example.org.", "A", "192.0.2.4"),
            ("d.quota-batch.example.org.", "A", "192.0.2.5"),
        ]),
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

/// Updates and deletes queued among creates: each sees what the batch's earlier changes did
/// (a create where a delete just freed the name, a second update of one recordset, a delete of
/// a recordset already deleted), refusals stay their own, and the journal change of the
/// batch's one serial goes from the zone before the batch to the zone after it.
async fn updates_and_deletes_inside_a_batch(h: Harness) {
    let h = Arc::new(h);
    let p1 = ctx("p1");
    let zone = h
        .central
        .create_zone(&p1, new_zone("mixed.example.org."))
        .await
        .expect("zone");
    let mut made = Vec::new();
    for (name, data) in [("u", "192.0.2.10"), ("d", "192.0.2.20")] {
        let spec = new_rs(&format!("{name}.mixed.example.org."), "A", &[data]);
        made.push(
            h.central
                .create_recordset(&p1, zone.id, spec)
                .await
                .expect("setup"),
        );
    }
    let (u, d) = (made[0].id, made[1].id);
    let soa = soa_of(&h, zone.id).await.id;
    h.worker.take();
    let (first, rest) = batched(
        &h.central,
        &h.storage,
        zone.id,
        Op::Create("first.mixed.example.org.", "A", "192.0.2.1"),
        &[
            Op::Update(u, "192.0.2.11"),
            Op::Delete(d),
            Op::Create("d.mixed.example.org.", "CNAME", "elsewhere.example.net."),
            Op::Update(Uuid::new_v4(), "192.0.2.99"),
            Op::Update(soa, "192.0.2.99"),
            Op::Delete(d),
            Op::Update(u, "192.0.2.12"),
            Op::Create("e.mixed.example.org.", "A", "192.0.2.30"),
        ],
    )
    .await;
    let first = first.expect("the first create");
    let kinds: Vec<_> = rest.iter().map(refused).collect();
    assert_eq!(
        kinds,
        vec![
            None,
            None,
            None,
            Some(ErrorKind::RecordSetNotFound),
            Some(ErrorKind::BadRequest),
            Some(ErrorKind::RecordSetNotFound),
            None,
            None
        ]
    );
    let answer = |i: usize| rest[i].as_ref().expect("accepted");
    let serial = answer(0).records[0].serial;
    for i in [1, 2, 6, 7] {
        assert_eq!(
            answer(i).records[0].serial,
            serial,
            "change {i}: one serial"
        );
    }
    assert!(serial > first.records[0].serial);
    assert_eq!(answer(6).records[0].data, "192.0.2.12");

    let rr = |name: &str, rtype: &str, data: &str| {
        (
            format!("{name}.mixed.example.org."),
            rtype.to_owned(),
            data.to_owned(),
        )
    };
    let adds = BTreeSet::from([
        rr("u", "A", "192.0.2.12"),
        rr("d", "CNAME", "elsewhere.example.net."),
        rr("e", "A", "192.0.2.30"),
    ]);
    assert_eq!(journal_adds(&h, zone.id, serial).await, Some(adds));
    let deletes = BTreeSet::from([rr("u", "A", "192.0.2.10"), rr("d", "A", "192.0.2.20")]);
    assert_eq!(journal_deletes(&h, zone.id, serial).await, Some(deletes));

    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(stored.serial, serial);
    let served: BTreeSet<(String, String, String)> = stored_recordsets(&h, zone.id)
        .await
        .into_iter()
        .filter(|rs| rs.rtype != "SOA" && rs.rtype != "NS")
        .flat_map(|rs| {
            rs.records
                .into_iter()
                .map(move |r| (rs.name.clone(), rs.rtype.clone(), r.data))
        })
        .collect();
    assert_eq!(
        served,
        BTreeSet::from([
            rr("first", "A", "192.0.2.1"),
            rr("u", "A", "192.0.2.12"),
            rr("d", "CNAME", "elsewhere.example.net."),
            rr("e", "A", "192.0.2.30"),
        ])
    );
    // The first create, the batch: one cast each.
    let casts = h.worker.take();
    assert_eq!(casts.len(), 2, "{casts:?}");
    assert!(matches!(casts[1], (ZoneTask::Update, ref z) if z.serial == serial));
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn updates_and_deletes_inside_a_batch_on_sqlite() {
    updates_and_deletes_inside_a_batch(harness().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn updates_and_deletes_inside_a_batch_on_postgres() {
    on_fresh_database(
        Server::Postgres,
        CentralConfig::default(),
        updates_and_deletes_inside_a_batch,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn updates_and_deletes_inside_a_batch_on_mariadb() {
    on_fresh_database(
        Server::MySql,
        CentralConfig::default(),
        updates_and_deletes_inside_a_batch,
    )
    .await;
}
