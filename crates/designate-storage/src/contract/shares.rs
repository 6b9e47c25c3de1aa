//! Contract checks of the `shared_zones` table and the zone reads shares widen.

use designate_core::objects::SharedZone;

use super::*;

pub(super) fn share(zone: &Zone, target: &str) -> SharedZone {
    SharedZone {
        id: Uuid::new_v4(),
        created_at: now(),
        updated_at: None,
        zone_id: zone.id,
        project_id: zone.tenant_id.clone().unwrap_or_default(),
        target_project_id: target.to_owned(),
    }
}

/// Shares: create, duplicates, get, find (by zone, by target, visibility to owner and target),
/// the zones a project owns or receives, which zones are shared, delete one, delete a zone's.
pub async fn zone_shares(s: &dyn Storage) {
    let owner = project();
    let target = project();
    let stranger = project();
    let shared = zone(&format!("s{owner}.example.org."), &owner, Uuid::new_v4());
    let private = zone(&format!("p{owner}.example.org."), &owner, Uuid::new_v4());
    let theirs = zone(&format!("t{target}.example.org."), &target, Uuid::new_v4());
    for z in [&shared, &private, &theirs] {
        create_zone(s, z).await;
    }
    let to_target = share(&shared, &target);
    let to_stranger = share(&shared, &stranger);
    let mut tx = s.begin().await.expect("begin");
    tx.create_shared_zone(&to_target).await.expect("share");
    tx.create_shared_zone(&to_stranger).await.expect("share");
    assert!(matches!(
        tx.create_shared_zone(&share(&shared, &target)).await,
        Err(StorageError::Duplicate("shared_zone"))
    ));
    drop(tx);
    let mut tx = s.begin().await.expect("begin");
    tx.create_shared_zone(&to_target).await.expect("share");
    tx.create_shared_zone(&to_stranger).await.expect("share");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(
        tx.get_shared_zone(to_target.id).await.expect("get"),
        to_target
    );
    assert!(matches!(
        tx.get_shared_zone(Uuid::new_v4()).await,
        Err(StorageError::NotFound("shared_zone"))
    ));
    let of_zone = Criteria::new().eq("zone_id", shared.id.to_string());
    let all = tx
        .find_shared_zones(&of_zone, &Page::default(), None)
        .await
        .expect("find");
    assert_eq!(all.total_count, 2);
    let mine = tx
        .find_shared_zones(&of_zone, &Page::default(), Some(&target))
        .await
        .expect("find as target");
    assert_eq!(mine.items, vec![to_target.clone()]);
    let owners = tx
        .find_shared_zones(&of_zone, &Page::default(), Some(&owner))
        .await
        .expect("find as owner");
    assert_eq!(owners.total_count, 2);
    let by_target = tx
        .find_shared_zones(
            &of_zone.clone().eq("target_project_id", stranger.clone()),
            &Page::default(),
            None,
        )
        .await
        .expect("find by target");
    assert_eq!(by_target.items, vec![to_stranger.clone()]);

    let names = |l: designate_core::criteria::Listing<Zone>| {
        let mut v: Vec<String> = l.items.into_iter().map(|z| z.name).collect();
        v.sort();
        v
    };
    let seen = tx
        .find_zones_visible_to(&Criteria::new(), &Page::default(), &target)
        .await
        .expect("visible to target");
    let mut expected = vec![shared.name.clone(), theirs.name.clone()];
    expected.sort();
    assert_eq!(names(seen), expected);
    let page = Page {
        limit: Some(1),
        sort_key: "name".to_owned(),
        ..Page::default()
    };
    let first = tx
        .find_zones_visible_to(&Criteria::new(), &page, &target)
        .await
        .expect("page");
    assert_eq!((first.total_count, first.items.len()), (2, 1));
    let seen = tx
        .find_zones_visible_to(
            &Criteria::new().eq("name", private.name.clone()),
            &Page::default(),
            &target,
        )
        .await
        .expect("private");
    assert_eq!(seen.total_count, 0);
    let mut shared_ids = tx
        .shared_zone_ids(&[shared.id, private.id, theirs.id])
        .await
        .expect("shared ids");
    shared_ids.sort();
    assert_eq!(shared_ids, vec![shared.id]);
    assert!(tx.shared_zone_ids(&[]).await.expect("none").is_empty());
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    tx.delete_shared_zone(to_target.id).await.expect("unshare");
    assert!(matches!(
        tx.delete_shared_zone(to_target.id).await,
        Err(StorageError::NotFound("shared_zone"))
    ));
    assert_eq!(tx.delete_zone_shares(shared.id).await.expect("all"), 1);
    assert!(tx
        .shared_zone_ids(&[shared.id])
        .await
        .expect("ids")
        .is_empty());
    tx.commit().await.expect("commit");
}
