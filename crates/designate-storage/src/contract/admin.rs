//! Contract checks of the operator's tables: TLDs, blacklists and quotas.

use designate_core::criteria::Listing;
use designate_core::objects::{Blacklist, Quota, Tld};

use super::*;

fn tld(name: &str) -> Tld {
    Tld {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        name: name.to_owned(),
        description: Some("a tld".to_owned()),
    }
}

/// TLDs: create, get, find by name (and wildcard), paginate, update (version-checked),
/// duplicates, delete, not found.
pub async fn tld_crud(s: &dyn Storage) {
    let tag = project();
    let a = tld(&format!("a{tag}"));
    let b = tld(&format!("b{tag}"));
    let mut tx = s.begin().await.expect("begin");
    tx.create_tld(&a).await.expect("create_tld");
    tx.create_tld(&b).await.expect("create_tld");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.get_tld(a.id).await.expect("get_tld"), a);
    let by_name = tx
        .find_tlds(
            &Criteria::new().eq("name", a.name.clone()),
            &Page::default(),
        )
        .await
        .expect("find_tlds");
    assert_eq!(by_name.items, vec![a.clone()]);
    let wild = Criteria::new().with("name", Filter::Wildcard(format!("*{tag}")));
    let page = Page {
        limit: Some(1),
        sort_key: "name".to_owned(),
        ..Page::default()
    };
    let first = tx.find_tlds(&wild, &page).await.expect("find_tlds");
    assert_eq!(first.total_count, 2);
    assert_eq!(first.items, vec![a.clone()]);
    let next = Page {
        marker: Some(a.id),
        ..page.clone()
    };
    let second: Listing<Tld> = tx.find_tlds(&wild, &next).await.expect("find_tlds");
    assert_eq!(second.items, vec![b.clone()]);
    assert!(matches!(
        tx.get_tld(Uuid::new_v4()).await,
        Err(StorageError::NotFound("tld"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    assert!(matches!(
        tx.create_tld(&tld(&a.name)).await,
        Err(StorageError::Duplicate("tld"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let mut changed = a.clone();
    changed.name = format!("c{tag}");
    changed.description = None;
    let stored = tx.update_tld(&changed).await.expect("update_tld");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.name, changed.name);
    assert_eq!(stored.description, None);
    assert!(stored.updated_at.is_some());
    assert!(matches!(
        tx.update_tld(&changed).await,
        Err(StorageError::Conflict("tld"))
    ));
    tx.delete_tld(a.id).await.expect("delete_tld");
    assert!(matches!(
        tx.delete_tld(a.id).await,
        Err(StorageError::NotFound("tld"))
    ));
    tx.delete_tld(b.id).await.expect("delete_tld");
    tx.commit().await.expect("commit");
}

/// Blacklists: create, get, find by pattern, update, duplicates, delete.
pub async fn blacklist_crud(s: &dyn Storage) {
    let tag = project();
    let bl = Blacklist {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        pattern: format!("^{tag}\\.example\\.com\\.$"),
        description: None,
    };
    let mut tx = s.begin().await.expect("begin");
    tx.create_blacklist(&bl).await.expect("create_blacklist");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    assert_eq!(tx.get_blacklist(bl.id).await.expect("get"), bl);
    let found = tx
        .find_blacklists(
            &Criteria::new().eq("pattern", bl.pattern.clone()),
            &Page::default(),
        )
        .await
        .expect("find_blacklists");
    assert_eq!(found.items, vec![bl.clone()]);
    let mut dup = bl.clone();
    dup.id = Uuid::new_v4();
    assert!(matches!(
        tx.create_blacklist(&dup).await,
        Err(StorageError::Duplicate("blacklist"))
    ));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let mut changed = bl.clone();
    changed.description = Some("no".to_owned());
    let stored = tx.update_blacklist(&changed).await.expect("update");
    assert_eq!(stored.description.as_deref(), Some("no"));
    assert_eq!(stored.version, 2);
    tx.delete_blacklist(bl.id).await.expect("delete");
    assert!(matches!(
        tx.get_blacklist(bl.id).await,
        Err(StorageError::NotFound("blacklist"))
    ));
    tx.commit().await.expect("commit");
}

/// Quotas: set inserts then updates one row per (project, resource); reset deletes the
/// project's rows only.
pub async fn quota_set_reset(s: &dyn Storage) {
    let tenant = project();
    let other = project();
    let quota = |tenant: &str, resource: &str, hard_limit: i64| Quota {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        tenant_id: tenant.to_owned(),
        resource: resource.to_owned(),
        hard_limit,
    };
    let mut tx = s.begin().await.expect("begin");
    tx.set_quota(&quota(&tenant, "zones", 5))
        .await
        .expect("set");
    tx.set_quota(&quota(&tenant, "zones", 7))
        .await
        .expect("set");
    tx.set_quota(&quota(&tenant, "recordset_records", -1))
        .await
        .expect("set");
    tx.set_quota(&quota(&other, "zones", 1)).await.expect("set");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    let rows = tx.find_quotas(&tenant).await.expect("find_quotas");
    let got: Vec<(&str, i64)> = rows
        .iter()
        .map(|q| (q.resource.as_str(), q.hard_limit))
        .collect();
    assert_eq!(got, vec![("recordset_records", -1), ("zones", 7)]);
    assert_eq!(rows[1].version, 2);
    assert_eq!(tx.delete_quotas(&tenant).await.expect("delete"), 2);
    assert!(tx.find_quotas(&tenant).await.expect("find").is_empty());
    assert_eq!(tx.find_quotas(&other).await.expect("find").len(), 1);
    tx.commit().await.expect("commit");
}
