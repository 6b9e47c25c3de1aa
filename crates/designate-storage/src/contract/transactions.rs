//! Contract checks of transactions: optimistic locking, rollback, concurrent writers.

use super::*;

/// Optimistic locking across transactions: the second writer of a stale version loses.
pub async fn version_conflict(s: &dyn Storage) {
    let z = zone("lock.example.org.", &project(), Uuid::new_v4());
    create_zone(s, &z).await;

    let mut reader = s.begin_read().await.expect("begin_read");
    let seen_by_a = reader.get_zone(z.id).await.expect("get");
    let seen_by_b = reader.get_zone(z.id).await.expect("get");
    drop(reader);

    let mut a = s.begin().await.expect("begin");
    let mut za = seen_by_a.clone();
    za.serial += 1;
    a.update_zone(&za).await.expect("first writer wins");
    a.commit().await.expect("commit");

    let mut b = s.begin().await.expect("begin");
    let mut zb = seen_by_b.clone();
    zb.email = "other@example.org".to_owned();
    assert!(matches!(
        b.update_zone(&zb).await,
        Err(StorageError::Conflict("zone"))
    ));
    let mut missing = zb.clone();
    missing.id = Uuid::new_v4();
    assert!(matches!(
        b.update_zone(&missing).await,
        Err(StorageError::NotFound("zone"))
    ));
    drop(b);

    let mut tx = s.begin_read().await.expect("begin_read");
    let now_stored = tx.get_zone(z.id).await.expect("get");
    assert_eq!((now_stored.version, now_stored.serial), (2, z.serial + 1));
    assert_eq!(now_stored.email, z.email);
}

/// A transaction dropped without commit leaves nothing behind.
pub async fn rollback_on_drop(s: &dyn Storage) {
    let z = zone("rollback.example.org.", &project(), Uuid::new_v4());
    {
        let mut tx = s.begin().await.expect("begin");
        tx.create_zone(&z).await.expect("create_zone");
        tx.create_recordset(&recordset(
            &z,
            "a.rollback.example.org.",
            "A",
            &["192.0.2.1"],
        ))
        .await
        .expect("create_recordset");
    }
    let mut tx = s.begin_read().await.expect("begin_read");
    assert!(matches!(
        tx.get_zone_any(z.id).await,
        Err(StorageError::NotFound("zone"))
    ));
    drop(tx);
    // The writer is usable again after the rollback.
    create_zone(s, &z).await;
}

/// `Storage::read`: reads without a transaction see what is committed, statement after
/// statement, on the same connection. (That two statements may see different commits is the
/// point, but an in-memory SQLite database has a single connection, which a held reader would
/// keep from the writer, so the contract does not hold one across a commit.)
pub async fn read_without_snapshot(s: &dyn Storage) {
    let z = zone("autocommit.example.org.", &project(), Uuid::new_v4());
    create_zone(s, &z).await;
    let mut reader = s.read().await.expect("read");
    assert!(matches!(
        reader.get_zone(Uuid::new_v4()).await,
        Err(StorageError::NotFound("zone"))
    ));
    let got = reader.get_zone(z.id).await.expect("get_zone");
    assert_eq!((got.id, &got.name), (z.id, &z.name));
    assert_eq!(
        reader.get_zone_row(z.id).await.expect("row").version,
        got.version
    );
    // Nothing to commit: committing is dropping.
    reader.commit().await.expect("commit");
}

/// Many writers at once: every one succeeds (they queue; none fails with "database is
/// locked"), and readers run beside them.
pub async fn concurrent_writers(s: &dyn Storage) {
    const WRITERS: usize = 20;
    let tenant = project();
    let pool_id = Uuid::new_v4();
    let writes = (0..WRITERS).map(|i| {
        let z = zone(&format!("w{i}.concurrent.org."), &tenant, pool_id);
        async move {
            let mut tx = s.begin().await?;
            tx.create_zone(&z).await?;
            tx.create_recordset(&recordset(&z, &z.name, "A", &["192.0.2.1"]))
                .await?;
            tokio::task::yield_now().await;
            tx.commit().await
        }
    });
    let reads = (0..5).map(|_| async {
        let mut tx = s.begin_read().await?;
        tx.find_zones(&Criteria::new(), &Page::default())
            .await
            .map(|_| ())
    });
    let (w, r) = futures::future::join(
        futures::future::join_all(writes),
        futures::future::join_all(reads),
    )
    .await;
    for res in w.into_iter().chain(r) {
        res.expect("concurrent operation");
    }
    let mut tx = s.begin_read().await.expect("begin_read");
    let l = tx
        .find_zones(&Criteria::new().eq("tenant_id", tenant), &Page::default())
        .await
        .expect("find");
    assert_eq!(l.total_count, WRITERS as u64);
}
