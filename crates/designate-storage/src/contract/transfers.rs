//! Contract checks of the zone transfer tables and the ownership change of a transfer.

use designate_core::objects::{TransferStatus, ZoneTransferAccept, ZoneTransferRequest};

use super::*;

fn request(zone: &Zone, target: Option<&str>) -> ZoneTransferRequest {
    ZoneTransferRequest {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        zone_id: zone.id,
        key: "9Z2R50Y0".to_owned(),
        description: Some("offered".to_owned()),
        tenant_id: zone.tenant_id.clone().unwrap_or_default(),
        target_tenant_id: target.map(str::to_owned),
        status: TransferStatus::Active,
        zone_name: None,
    }
}

/// Requests: create, get (with the zone's name), find by status and zone, visibility to the
/// offering and the target project only, paging, version-checked update, delete (cascading to
/// its accepts). Accepts: create, get, find, update. Reassigning a zone's data.
pub async fn zone_transfers(s: &dyn Storage) {
    let owner = project();
    let target = project();
    let stranger = project();
    let z = zone(&format!("t{owner}.example.org."), &owner, Uuid::new_v4());
    create_zone(s, &z).await;
    let www = recordset(
        &z,
        &format!("www.{}", z.name),
        "A",
        &["192.0.2.1", "192.0.2.2"],
    );
    create_recordset(s, &www).await;
    let aimed = request(&z, Some(&target));
    let open = ZoneTransferRequest {
        status: TransferStatus::Complete,
        ..request(&z, None)
    };
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone_transfer_request(&aimed)
        .await
        .expect("create");
    tx.create_zone_transfer_request(&open)
        .await
        .expect("create");
    tx.commit().await.expect("commit");

    let with_name = |r: &ZoneTransferRequest| ZoneTransferRequest {
        zone_name: Some(z.name.clone()),
        ..r.clone()
    };
    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(
        tx.get_zone_transfer_request(aimed.id).await.expect("get"),
        with_name(&aimed)
    );
    assert!(matches!(
        tx.get_zone_transfer_request(Uuid::new_v4()).await,
        Err(StorageError::NotFound("zone_transfer_request"))
    ));
    let of_zone = Criteria::new().eq("zone_id", z.id.to_string());
    let active = tx
        .find_zone_transfer_requests(
            &of_zone.clone().eq("status", "ACTIVE"),
            &Page::default(),
            None,
        )
        .await
        .expect("find active");
    assert_eq!(active.items, vec![with_name(&aimed)]);
    let ids = |l: &designate_core::criteria::Listing<ZoneTransferRequest>| {
        let mut v: Vec<Uuid> = l.items.iter().map(|r| r.id).collect();
        v.sort();
        v
    };
    let mut both = vec![aimed.id, open.id];
    both.sort();
    let seen_by_owner = tx
        .find_zone_transfer_requests(&of_zone, &Page::default(), Some(&owner))
        .await
        .expect("owner");
    assert_eq!(ids(&seen_by_owner), both);
    let seen_by_target = tx
        .find_zone_transfer_requests(&of_zone, &Page::default(), Some(&target))
        .await
        .expect("target");
    assert_eq!(ids(&seen_by_target), vec![aimed.id]);
    assert_eq!(seen_by_target.total_count, 1);
    let seen_by_stranger = tx
        .find_zone_transfer_requests(&of_zone, &Page::default(), Some(&stranger))
        .await
        .expect("stranger");
    assert_eq!(seen_by_stranger.total_count, 0);
    let page = Page {
        limit: Some(1),
        sort_key: "id".to_owned(),
        ..Page::default()
    };
    let first = tx
        .find_zone_transfer_requests(&of_zone, &page, Some(&owner))
        .await
        .expect("page 1");
    assert_eq!(
        first.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [both[0]]
    );
    let next = Page {
        marker: Some(both[0]),
        ..page
    };
    let second = tx
        .find_zone_transfer_requests(&of_zone, &next, Some(&owner))
        .await
        .expect("page 2");
    assert_eq!(
        second.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [both[1]]
    );
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let mut changed = aimed.clone();
    changed.description = None;
    changed.status = TransferStatus::Complete;
    let stored = tx
        .update_zone_transfer_request(&changed)
        .await
        .expect("update");
    assert_eq!(
        (stored.version, stored.description.clone(), stored.status),
        (2, None, TransferStatus::Complete)
    );
    assert_eq!(stored.zone_name.as_deref(), Some(z.name.as_str()));
    assert!(matches!(
        tx.update_zone_transfer_request(&changed).await,
        Err(StorageError::Conflict("zone_transfer_request"))
    ));

    let accept = ZoneTransferAccept {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        zone_id: z.id,
        zone_transfer_request_id: aimed.id,
        tenant_id: target.clone(),
        status: TransferStatus::Active,
        key: None,
    };
    tx.create_zone_transfer_accept(&accept)
        .await
        .expect("accept");
    assert_eq!(
        tx.get_zone_transfer_accept(accept.id).await.expect("get"),
        accept
    );
    let done = tx
        .update_zone_transfer_accept(&ZoneTransferAccept {
            status: TransferStatus::Complete,
            ..accept.clone()
        })
        .await
        .expect("update accept");
    assert_eq!((done.status, done.version), (TransferStatus::Complete, 2));
    let mine = tx
        .find_zone_transfer_accepts(
            &Criteria::new().eq("tenant_id", target.clone()),
            &Page::default(),
        )
        .await
        .expect("find accepts");
    assert_eq!(mine.items, vec![done.clone()]);
    assert!(matches!(
        tx.get_zone_transfer_accept(Uuid::new_v4()).await,
        Err(StorageError::NotFound("zone_transfer_accept"))
    ));

    // The zone's data follows its new owner.
    let moved = tx
        .reassign_zone_data(z.id, &target)
        .await
        .expect("reassign");
    assert_eq!(moved, 3, "one recordset and two records");
    let rs = tx.get_recordset(www.id).await.expect("get_recordset");
    assert_eq!(rs.tenant_id.as_deref(), Some(target.as_str()));
    assert!(rs
        .records
        .iter()
        .all(|r| r.tenant_id.as_deref() == Some(target.as_str())));

    tx.delete_zone_transfer_request(aimed.id)
        .await
        .expect("delete");
    assert!(
        matches!(
            tx.get_zone_transfer_accept(accept.id).await,
            Err(StorageError::NotFound("zone_transfer_accept"))
        ),
        "accepts go with their request"
    );
    assert!(matches!(
        tx.delete_zone_transfer_request(aimed.id).await,
        Err(StorageError::NotFound("zone_transfer_request"))
    ));
    tx.delete_zone_transfer_request(open.id)
        .await
        .expect("delete");
    tx.commit().await.expect("commit");
}
