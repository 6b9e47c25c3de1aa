//! Pool writes through the `CentralApi` (upstream's `create_pool` / `update_pool` /
//! `delete_pool` RPCs) against a real SQLite store.

mod common;

use common::*;
use designate_bus::CentralApi;
use designate_central::CentralConfig;
use designate_core::objects::{PoolAttribute, PoolNameserver, PoolNsRecord};
use designate_core::ErrorKind;
use uuid::Uuid;

#[tokio::test]
async fn create_takes_the_callers_project_and_refuses_a_taken_name() {
    let config = CentralConfig::default();
    let h = harness_with(config.clone(), true).await;
    let c = ctx("ops");
    let mut pool = default_pool(&config);
    pool.id = Uuid::new_v4();
    pool.name = "second".to_owned();
    pool.attributes = vec![PoolAttribute {
        key: "tier".to_owned(),
        value: "gold".to_owned(),
    }];
    let created = CentralApi::create_pool(&h.central, &c, pool.clone())
        .await
        .unwrap();
    assert_eq!(created.tenant_id.as_deref(), Some("ops"));
    assert_eq!(created.attributes, pool.attributes);
    assert_eq!(h.central.get_pool(&c, pool.id).await.unwrap(), created);

    let mut explicit = pool.clone();
    explicit.id = Uuid::new_v4();
    explicit.name = "third".to_owned();
    explicit.tenant_id = Some("other".to_owned());
    let created = h.central.create_pool(&c, explicit).await.unwrap();
    assert_eq!(created.tenant_id.as_deref(), Some("other"));

    let mut taken = pool.clone();
    taken.id = Uuid::new_v4();
    assert_eq!(
        kind(h.central.create_pool(&c, taken).await),
        ErrorKind::DuplicatePool
    );
    assert_eq!(h.central.find_pools(&c).await.unwrap().len(), 3);
}

#[tokio::test]
async fn update_keeps_children_moves_zone_ns_and_refuses_bad_changes() {
    let config = CentralConfig::default();
    let h = harness_with(config.clone(), true).await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();

    // Nameservers (not part of the API's body) survive an API update of the other fields.
    let mut configured = default_pool(&config);
    configured.nameservers = vec![PoolNameserver {
        id: Uuid::new_v4(),
        host: "192.0.2.1".to_owned(),
        port: 53,
    }];
    h.central.ensure_pool(configured.clone()).await.unwrap();
    h.worker.take();

    let mut pool = h
        .central
        .get_pool(&c, config.default_pool_id)
        .await
        .unwrap();
    pool.description = Some("changed".to_owned());
    pool.ns_records = vec![PoolNsRecord {
        priority: 1,
        hostname: "ns9.example.net.".to_owned(),
    }];
    let updated = h.central.update_pool(&c, pool).await.unwrap();
    assert_eq!(updated.description.as_deref(), Some("changed"));
    assert_eq!(updated.nameservers.len(), 1);
    assert_eq!(updated.nameservers[0].host, "192.0.2.1");

    let recordsets = stored_recordsets(&h, zone.id).await;
    let ns = recordsets.iter().find(|r| r.rtype == "NS").unwrap();
    let data: Vec<_> = ns.records.iter().map(|r| r.data.as_str()).collect();
    assert_eq!(data, ["ns9.example.net."]);
    // Left to the producer's delayed_notify batches (upstream's `_add_ns` / `_delete_ns`).
    assert!(h.worker.take().is_empty());
    assert!(stored_zone(&h, zone.id).await.delayed_notify);

    // The last NS record of a pool with zones stays; nothing is written.
    let mut empty = updated.clone();
    empty.ns_records.clear();
    empty.description = None;
    assert_eq!(
        kind(h.central.update_pool(&c, empty).await),
        ErrorKind::BadRequest
    );
    assert_eq!(
        h.central
            .get_pool(&c, config.default_pool_id)
            .await
            .unwrap(),
        updated
    );

    let mut missing = updated.clone();
    missing.id = Uuid::new_v4();
    assert_eq!(
        kind(h.central.update_pool(&c, missing).await),
        ErrorKind::PoolNotFound
    );

    let mut other = updated.clone();
    other.id = Uuid::new_v4();
    other.name = "second".to_owned();
    // Child rows keep their ids: a second pool cannot reuse the first one's.
    other.nameservers.clear();
    h.central.create_pool(&c, other.clone()).await.unwrap();
    other.name = "default".to_owned();
    assert_eq!(
        kind(h.central.update_pool(&c, other).await),
        ErrorKind::DuplicatePool
    );
}

#[tokio::test]
async fn delete_through_the_api_trait() {
    let config = CentralConfig::default();
    let h = harness_with(config.clone(), true).await;
    let c = ctx("p1");
    let mut pool = default_pool(&config);
    pool.id = Uuid::new_v4();
    pool.name = "second".to_owned();
    h.central.create_pool(&c, pool.clone()).await.unwrap();
    let deleted = CentralApi::delete_pool(&h.central, &c, pool.id)
        .await
        .unwrap();
    assert_eq!(deleted.id, pool.id);
    assert_eq!(
        kind(CentralApi::delete_pool(&h.central, &c, pool.id).await),
        ErrorKind::PoolNotFound
    );
    h.central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    assert_eq!(
        kind(CentralApi::delete_pool(&h.central, &c, config.default_pool_id).await),
        ErrorKind::InvalidOperation
    );
}
