//! `ensure_pool` and pool reads against a real SQLite store.

mod common;

use common::*;
use designate_bus::CentralApi;
use designate_central::CentralConfig;
use designate_core::objects::PoolNsRecord;
use designate_core::{ErrorKind, RequestContext};
use uuid::Uuid;

#[tokio::test]
async fn ensure_pool_creates_then_is_idempotent() {
    let config = CentralConfig::default();
    let h = harness_with(config.clone(), false).await;
    let pool = default_pool(&config);
    let created = h.central.ensure_pool(pool.clone()).await.unwrap();
    assert_eq!(created.id, pool.id);
    assert_eq!(created.ns_records.len(), 2);
    let again = h.central.ensure_pool(pool.clone()).await.unwrap();
    assert_eq!(again, created);

    let c = ctx("p1");
    assert_eq!(
        h.central.get_pool(&c, pool.id).await.unwrap().name,
        "default"
    );
    assert_eq!(h.central.find_pools(&c).await.unwrap().len(), 1);
    assert_eq!(
        kind(h.central.get_pool(&c, Uuid::new_v4()).await),
        ErrorKind::PoolNotFound
    );
}

#[tokio::test]
async fn changed_ns_records_reach_every_zone() {
    let config = CentralConfig::default();
    let h = harness_with(config.clone(), true).await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();

    let mut pool = default_pool(&config);
    pool.ns_records = vec![
        PoolNsRecord {
            priority: 1,
            hostname: "ns1.example.net.".to_owned(),
        },
        PoolNsRecord {
            priority: 0,
            hostname: "ns0.example.net.".to_owned(),
        },
    ];
    h.central.ensure_pool(pool).await.unwrap();

    let stored = stored_zone(&h, zone.id).await;
    assert!(stored.serial > zone.serial);
    let recordsets = stored_recordsets(&h, zone.id).await;
    let ns = recordsets.iter().find(|r| r.rtype == "NS").unwrap();
    let mut data: Vec<_> = ns.records.iter().map(|r| r.data.as_str()).collect();
    data.sort_unstable();
    assert_eq!(data, ["ns0.example.net.", "ns1.example.net."]);
    assert!(ns.records.iter().all(|r| r.managed));
    let soa = recordsets.iter().find(|r| r.rtype == "SOA").unwrap();
    assert!(
        soa.records[0].data.starts_with("ns0.example.net. "),
        "{}",
        soa.records[0].data
    );
    // No cast now: the zone waits, flagged, for the producer's delayed_notify batch, which
    // finishes the batch through central and casts the update then.
    assert!(stored.delayed_notify);
    assert!(h.worker.take().is_empty());
    let pushed = h
        .central
        .finish_delayed_notify(&RequestContext::admin(), zone.id)
        .await
        .unwrap()
        .expect("flagged zone");
    assert!(!pushed.delayed_notify);
    assert!(!stored_zone(&h, zone.id).await.delayed_notify);

    // A pool with zones cannot lose its last NS record.
    let mut empty = default_pool(&config);
    empty.ns_records.clear();
    assert_eq!(
        kind(h.central.ensure_pool(empty).await),
        ErrorKind::BadRequest
    );
}

// --- pool deletion (`manage pool update --delete`) ---

#[tokio::test]
async fn a_pool_is_deleted_only_once_it_holds_no_zones() {
    let config = CentralConfig::default();
    let h = harness_with(config.clone(), true).await;
    let pool_id = config.default_pool_id;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    assert!(h.central.pool_in_use(pool_id).await.unwrap());
    let refused = h.central.delete_pool(pool_id).await;
    assert_eq!(kind(refused), ErrorKind::InvalidOperation);
    assert_eq!(
        h.central
            .get_pool(&c, pool_id)
            .await
            .unwrap()
            .ns_records
            .len(),
        2
    );

    // A zone being deleted no longer holds the pool (upstream: `action != DELETE`).
    h.central.delete_zone(&c, zone.id).await.unwrap();
    assert!(!h.central.pool_in_use(pool_id).await.unwrap());
    let deleted = h.central.delete_pool(pool_id).await.unwrap();
    assert_eq!(deleted.id, pool_id);
    assert_eq!(
        kind(h.central.get_pool(&c, pool_id).await),
        ErrorKind::PoolNotFound
    );
    assert_eq!(
        kind(h.central.delete_pool(pool_id).await),
        ErrorKind::PoolNotFound
    );
}
