//! Central on every storage engine: 16 clients concurrently create, update and delete
//! recordsets in one zone on SQLite, PostgreSQL and MariaDB (a fresh database each). No write is
//! lost, serials only grow, changes batched together share a serial that names exactly their
//! content (the journal's change to it), and the SOA carries the final one. The same on a
//! MariaDB database whose schema upstream Designate itself created. Deadlocks and serialization
//! failures the server engines report are retried by central like lost optimistic locks.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::*;
use designate_bus::CentralApi;
use designate_central::CentralConfig;
use designate_core::objects::RecordSetUpdate;
use designate_storage::contract::server::{Server, TestDatabase};

const CLIENTS: usize = 16;

/// What a create or an update added: owner, type, datum.
type Added = (String, String, String);

/// Each client creates its recordset, updates it, creates a scratch recordset and deletes it.
/// Returns the serial each create and update was given, in order, with what it added.
async fn client(h: Arc<Harness>, zone_id: uuid::Uuid, i: usize) -> Vec<(u32, Added)> {
    let c = ctx("p1");
    let mut serials = Vec::new();
    let name = format!("host{i}.example.org.");
    let rs = h
        .central
        .create_recordset(
            &c,
            zone_id,
            new_rs(&name, "A", &[&format!("192.0.2.{}", i + 1)]),
        )
        .await
        .expect("create");
    serials.push((rs.records[0].serial, added(&rs)));
    let update = RecordSetUpdate {
        records: Some(vec![format!("198.51.100.{}", i + 1)]),
        ..RecordSetUpdate::default()
    };
    let rs = h
        .central
        .update_recordset(&c, zone_id, rs.id, update)
        .await
        .expect("update");
    serials.push((rs.records[0].serial, added(&rs)));
    let scratch = h
        .central
        .create_recordset(
            &c,
            zone_id,
            new_rs(&format!("tmp{i}.example.org."), "TXT", &["\"scratch\""]),
        )
        .await
        .expect("create scratch");
    serials.push((scratch.records[0].serial, added(&scratch)));
    h.central
        .delete_recordset(&c, zone_id, scratch.id)
        .await
        .expect("delete");
    serials
}

fn added(rs: &designate_core::objects::RecordSet) -> Added {
    (
        rs.name.clone(),
        rs.rtype.clone(),
        rs.records[0].data.clone(),
    )
}

async fn sixteen_clients(h: Harness) {
    let h = Arc::new(h);
    let zone = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await
        .expect("create zone");
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|i| tokio::spawn(client(h.clone(), zone.id, i)))
        .collect();
    let mut by_serial: BTreeMap<u32, BTreeSet<Added>> = BTreeMap::new();
    for t in tasks {
        let changes = t.await.expect("join");
        assert!(
            changes.windows(2).all(|w| w[0].0 < w[1].0),
            "a client's serials grow: {changes:?}"
        );
        for (serial, added) in changes {
            by_serial.entry(serial).or_default().insert(added);
        }
    }
    // Changes that arrive together share a transaction and so a serial, and every serial
    // names one content: the journal change ending at a shared serial adds exactly what the
    // creates and updates given it added (a delete adds nothing).
    for (serial, adds) in &by_serial {
        if adds.len() == 1 {
            continue;
        }
        assert_eq!(
            journal_adds(&h, zone.id, *serial).await.as_ref(),
            Some(adds),
            "serial {serial} names exactly the changes given it"
        );
    }
    let all: BTreeSet<u32> = by_serial.keys().copied().collect();
    let final_zone = stored_zone(&h, zone.id).await;
    assert!(final_zone.serial >= *all.last().expect("serials"));
    let sets = stored_recordsets(&h, zone.id).await;
    assert_eq!(
        sets.len(),
        CLIENTS + 2,
        "every host kept, every scratch gone (+ SOA, NS)"
    );
    for i in 0..CLIENTS {
        let rs = sets
            .iter()
            .find(|s| s.name == format!("host{i}.example.org."))
            .unwrap_or_else(|| panic!("host{i} lost"));
        let data: Vec<_> = rs.records.iter().map(|r| r.data.as_str()).collect();
        assert_eq!(
            data,
            [format!("198.51.100.{}", i + 1)],
            "host{i}'s update lost"
        );
    }
    let soa = sets.iter().find(|s| s.rtype == "SOA").expect("SOA");
    assert!(soa.records[0]
        .data
        .contains(&format!(" {} ", final_zone.serial)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_on_sqlite() {
    sixteen_clients(harness().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_on_postgres() {
    on_fresh_database(Server::Postgres, CentralConfig::default(), sixteen_clients).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_on_mariadb() {
    on_fresh_database(Server::MySql, CentralConfig::default(), sixteen_clients).await;
}

/// Adoption: central works on a MariaDB database whose schema upstream Designate 23.0.0 built
/// with its own `designate-manage database sync` (and whose default pool it seeded).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_clients_on_a_database_upstream_created() {
    let db = TestDatabase::mysql().await;
    db.upstream_sync().await;
    let dir = tempfile::tempdir().expect("tempdir");
    let h = harness_at(&db.sqlalchemy_url(), dir, CentralConfig::default(), true).await;
    let storage = h.storage.clone();
    sixteen_clients(h).await;
    storage.close().await;
    db.drop_database().await;
}
