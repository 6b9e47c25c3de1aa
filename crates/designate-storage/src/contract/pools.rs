//! Contract checks of pools and service statuses.

use super::*;

/// Pools with every child: round trip (order kept), list, replace, duplicates.
pub async fn pool_crud(s: &dyn Storage) {
    let p = pool(&format!("pool-{}", project()));
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("create_pool");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.get_pool(p.id).await.expect("get_pool"), p);
    assert!(tx.find_pools().await.expect("find_pools").contains(&p));
    assert!(matches!(
        tx.get_pool(Uuid::new_v4()).await,
        Err(StorageError::NotFound("pool"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let mut dup = pool(&p.name);
    assert!(matches!(
        tx.create_pool(&dup).await,
        Err(StorageError::Duplicate("pool"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let mut changed = p.clone();
    changed.description = None;
    changed.targets.truncate(1);
    changed.targets[0].options.push(PoolAttribute {
        key: "port".to_owned(),
        value: "953".to_owned(),
    });
    changed.nameservers.reverse();
    changed.attributes.clear();
    tx.update_pool(&changed).await.expect("update_pool");
    assert_eq!(tx.get_pool(p.id).await.expect("get_pool"), changed);
    dup.id = Uuid::new_v4();
    assert!(matches!(
        tx.update_pool(&dup).await,
        Err(StorageError::NotFound("pool"))
    ));
    tx.commit().await.expect("commit");
}

/// Heartbeats: one row per (service_name, hostname), updated in place.
pub async fn service_status_upsert(s: &dyn Storage) {
    let host = format!("host-{}", project());
    let first = ServiceStatus {
        id: Uuid::new_v4(),
        service_name: "central".to_owned(),
        hostname: host.clone(),
        heartbeated_at: Some(now()),
        status: "UP".to_owned(),
        stats: serde_json::json!({}),
        capabilities: serde_json::json!({"x": 1}),
        created_at: now(),
        updated_at: None,
    };
    let mut tx = s.begin().await.expect("begin");
    tx.upsert_service_status(&first).await.expect("insert");
    let mut second = first.clone();
    second.id = Uuid::new_v4();
    second.status = "WARNING".to_owned();
    second.stats = serde_json::json!({"zones": 3});
    tx.upsert_service_status(&second).await.expect("update");
    let mut other = first.clone();
    other.id = Uuid::new_v4();
    other.service_name = "worker".to_owned();
    tx.upsert_service_status(&other)
        .await
        .expect("insert other");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    let mine: Vec<_> = tx
        .find_service_statuses()
        .await
        .expect("find")
        .into_iter()
        .filter(|r| r.hostname == host)
        .collect();
    assert_eq!(mine.len(), 2);
    let central = &mine[0];
    assert_eq!(central.service_name, "central");
    assert_eq!(central.id, first.id, "the row keeps its id");
    assert_eq!(central.status, "WARNING");
    assert_eq!(central.stats, serde_json::json!({"zones": 3}));
    assert!(central.updated_at.is_some());
    assert_eq!(mine[1].service_name, "worker");
}
