//! Contract checks of the `tsigkeys` table.

use designate_core::objects::{TsigAlgorithm, TsigKey, TsigScope};

use super::*;

fn tsigkey(name: &str, algorithm: TsigAlgorithm, scope: TsigScope) -> TsigKey {
    TsigKey {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        name: name.to_owned(),
        algorithm,
        secret: "c2VjcmV0LWtleQ==".to_owned(),
        scope,
        resource_id: Uuid::new_v4(),
    }
}

/// TSIG keys: create, get, find (by name, wildcard, enum columns, every key), paginate and
/// sort, duplicate names, version-checked update of every field, delete, not found.
pub async fn tsigkey_crud(s: &dyn Storage) {
    let tag = project();
    let a = tsigkey(
        &format!("a-{tag}"),
        TsigAlgorithm::HmacSha256,
        TsigScope::Pool,
    );
    let b = tsigkey(&format!("b-{tag}"), TsigAlgorithm::HmacMd5, TsigScope::Zone);
    let mut tx = s.begin().await.expect("begin");
    tx.create_tsigkey(&a).await.expect("create_tsigkey");
    tx.create_tsigkey(&b).await.expect("create_tsigkey");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.get_tsigkey(a.id).await.expect("get_tsigkey"), a);
    assert_eq!(tx.get_tsigkey(b.id).await.expect("get_tsigkey"), b);
    let by_name = tx
        .find_tsigkeys(
            &Criteria::new().eq("name", a.name.clone()),
            &Page::default(),
        )
        .await
        .expect("find_tsigkeys");
    assert_eq!(by_name.items, vec![a.clone()]);
    let mine = Criteria::new().with("name", Filter::Wildcard(format!("*-{tag}")));
    let zone_scoped = tx
        .find_tsigkeys(&mine.clone().eq("scope", "ZONE"), &Page::default())
        .await
        .expect("find by scope");
    assert_eq!(zone_scoped.items, vec![b.clone()]);
    let md5 = tx
        .find_tsigkeys(&mine.clone().eq("algorithm", "hmac-md5"), &Page::default())
        .await
        .expect("find by algorithm");
    assert_eq!(md5.items, vec![b.clone()]);
    let nothing = tx
        .find_tsigkeys(
            &mine.clone().eq("algorithm", "no-such-hmac"),
            &Page::default(),
        )
        .await
        .expect("a value outside the enum matches nothing");
    assert_eq!(nothing.total_count, 0);
    let desc = Page {
        limit: Some(1),
        sort_key: "name".to_owned(),
        sort_dir: SortDir::Desc,
        ..Page::default()
    };
    let first = tx.find_tsigkeys(&mine, &desc).await.expect("page 1");
    assert_eq!(
        (first.total_count, first.items.clone()),
        (2, vec![b.clone()])
    );
    let next = Page {
        marker: Some(b.id),
        ..desc
    };
    let second = tx.find_tsigkeys(&mine, &next).await.expect("page 2");
    assert_eq!(second.items, vec![a.clone()]);
    let every = tx
        .find_tsigkeys(&Criteria::new(), &Page::default())
        .await
        .expect("every key");
    assert!(every.items.contains(&a) && every.items.contains(&b));
    assert!(matches!(
        tx.find_tsigkeys(&Criteria::new().eq("colour", "red"), &Page::default())
            .await,
        Err(StorageError::InvalidCriteria(_))
    ));
    assert!(matches!(
        tx.get_tsigkey(Uuid::new_v4()).await,
        Err(StorageError::NotFound("tsigkey"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let dup = tsigkey(&a.name, TsigAlgorithm::HmacSha1, TsigScope::Pool);
    assert!(matches!(
        tx.create_tsigkey(&dup).await,
        Err(StorageError::Duplicate("tsigkey"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let mut changed = a.clone();
    changed.name = format!("c-{tag}");
    changed.algorithm = TsigAlgorithm::HmacSha512;
    changed.secret = "bmV3LXNlY3JldA==".to_owned();
    changed.scope = TsigScope::Zone;
    changed.resource_id = Uuid::new_v4();
    let stored = tx.update_tsigkey(&changed).await.expect("update_tsigkey");
    assert_eq!(stored.version, 2);
    assert!(stored.updated_at.is_some());
    assert_eq!(
        (
            stored.name.as_str(),
            stored.algorithm,
            stored.secret.as_str(),
            stored.scope
        ),
        (
            changed.name.as_str(),
            changed.algorithm,
            changed.secret.as_str(),
            changed.scope
        )
    );
    assert_eq!(stored.resource_id, changed.resource_id);
    assert!(matches!(
        tx.update_tsigkey(&changed).await,
        Err(StorageError::Conflict("tsigkey"))
    ));
    let mut taken = stored.clone();
    taken.name = b.name.clone();
    assert!(matches!(
        tx.update_tsigkey(&taken).await,
        Err(StorageError::Duplicate("tsigkey"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    tx.delete_tsigkey(a.id).await.expect("delete_tsigkey");
    assert!(matches!(
        tx.delete_tsigkey(a.id).await,
        Err(StorageError::NotFound("tsigkey"))
    ));
    let mut gone = a.clone();
    gone.version = 1;
    assert!(matches!(
        tx.update_tsigkey(&gone).await,
        Err(StorageError::NotFound("tsigkey"))
    ));
    tx.delete_tsigkey(b.id).await.expect("delete_tsigkey");
    tx.commit().await.expect("commit");
}
