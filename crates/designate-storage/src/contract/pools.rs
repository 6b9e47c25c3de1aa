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
    let before = tx.pool_revision(p.id).await.expect("pool_revision");
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
    // Every pool write moves the revision on (what the worker's pool cache relies on).
    assert_ne!(tx.pool_revision(p.id).await.expect("pool_revision"), before);
    assert!(matches!(
        tx.pool_revision(Uuid::new_v4()).await,
        Err(StorageError::NotFound("pool"))
    ));
    dup.id = Uuid::new_v4();
    assert!(matches!(
        tx.update_pool(&dup).await,
        Err(StorageError::NotFound("pool"))
    ));
    tx.commit().await.expect("commit");
}

/// Pool deletion removes the pool and every child row: the same pool (same child ids) can be
/// created again, and a rolled-back delete keeps it.
pub async fn pool_delete(s: &dyn Storage) {
    let p = pool(&format!("pool-{}", project()));
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("create_pool");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    tx.delete_pool(p.id).await.expect("delete_pool");
    drop(tx);
    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.get_pool(p.id).await.expect("kept on rollback"), p);
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    tx.delete_pool(p.id).await.expect("delete_pool");
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    assert!(matches!(
        tx.get_pool(p.id).await,
        Err(StorageError::NotFound("pool"))
    ));
    assert!(!tx
        .find_pools()
        .await
        .expect("find_pools")
        .iter()
        .any(|q| q.id == p.id));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    assert!(matches!(
        tx.delete_pool(p.id).await,
        Err(StorageError::NotFound("pool"))
    ));
    drop(tx);
    // No child row survived: the very same rows insert again.
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("create_pool again");
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.get_pool(p.id).await.expect("get_pool"), p);
}

/// Zone attributes (`zone_attributes`) are written with the zone, read back by get and find,
/// untouched by updates, and removed with the zone.
pub async fn zone_attributes_roundtrip(s: &dyn Storage) {
    let p = pool(&format!("pool-{}", project()));
    let tenant = project();
    let mut z = zone(&format!("attrs-{tenant}.example."), &tenant, p.id);
    z.attributes
        .insert("pool_level".to_owned(), "gold".to_owned());
    z.attributes.insert("pool_id".to_owned(), p.id.to_string());
    let plain = zone(&format!("plain-{tenant}.example."), &tenant, p.id);
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("create_pool");
    tx.create_zone(&z).await.expect("create_zone");
    tx.create_zone(&plain).await.expect("create_zone");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    let got = tx.get_zone(z.id).await.expect("get_zone");
    assert_eq!(got.attributes, z.attributes);
    assert!(tx
        .get_zone(plain.id)
        .await
        .expect("get_zone")
        .attributes
        .is_empty());
    let listed = tx
        .find_zones(
            &Criteria::new().eq("tenant_id", tenant.as_str()),
            &Page::default(),
        )
        .await
        .expect("find_zones");
    assert_eq!(listed.items.len(), 2);
    for item in &listed.items {
        let want = if item.id == z.id {
            &z.attributes
        } else {
            &plain.attributes
        };
        assert_eq!(&item.attributes, want);
    }
    // The owner's view of its zones (no zone shared with it), and a project the zone is shared
    // with (the listing that also reads shares): attributes come with both.
    let own = tx
        .find_zones_visible_to(&Criteria::new(), &Page::default(), &tenant)
        .await
        .expect("visible to owner");
    assert_eq!(own.items.len(), 2);
    assert_eq!(own.total_count, 2);
    for item in &own.items {
        let want = if item.id == z.id {
            &z.attributes
        } else {
            &plain.attributes
        };
        assert_eq!(&item.attributes, want);
    }
    let target = project();
    tx.create_shared_zone(&shares::share(&z, &target))
        .await
        .expect("share");
    let seen = tx
        .find_zones_visible_to(&Criteria::new(), &Page::default(), &target)
        .await
        .expect("visible to target");
    assert_eq!(seen.items.len(), 1);
    assert_eq!(seen.items[0].attributes, z.attributes);
    let mut changed = got.clone();
    changed.ttl = 60;
    tx.update_zone(&changed).await.expect("update_zone");
    assert_eq!(
        tx.get_zone_any(z.id).await.expect("get").attributes,
        z.attributes
    );
    tx.delete_zone(z.id).await.expect("delete_zone");
    tx.delete_zone(plain.id).await.expect("delete_zone");
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
