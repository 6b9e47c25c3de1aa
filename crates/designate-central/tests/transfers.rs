//! Zone transfers in central: requests (one open per zone, generated keys, visibility to the
//! owner and the target), accepts (status, key, quota and deleting-zone rules; the zone and its
//! data change owner atomically) and what the caller may read afterwards.

mod common;

use common::*;
use designate_bus::CentralApi;
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{
    NewZoneTransferAccept, NewZoneTransferRequest, TransferStatus, ZoneTransferRequestUpdate,
};
use designate_core::{ErrorKind, RequestContext};
use uuid::Uuid;

fn to(target: Option<&str>) -> NewZoneTransferRequest {
    NewZoneTransferRequest {
        description: Some("take it".to_owned()),
        target_tenant_id: target.map(str::to_owned),
    }
}

fn accept(request_id: Uuid, key: &str) -> NewZoneTransferAccept {
    NewZoneTransferAccept {
        zone_transfer_request_id: request_id,
        key: key.to_owned(),
    }
}

#[tokio::test]
async fn transfer_moves_the_zone_and_its_data_to_the_accepting_project() {
    let h = harness().await;
    let (p1, p2) = (ctx("p1"), ctx("p2"));
    let zone = h
        .central
        .create_zone(&p1, new_zone("moving.example.org."))
        .await
        .unwrap();
    h.central
        .create_recordset(
            &p1,
            zone.id,
            new_rs("www.moving.example.org.", "A", &["192.0.2.1"]),
        )
        .await
        .unwrap();

    // Only the owner may offer it; one open request at a time.
    assert_eq!(
        kind(
            h.central
                .create_zone_transfer_request(&p2, zone.id, to(None))
                .await
        ),
        ErrorKind::ZoneNotFound
    );
    let request = h
        .central
        .create_zone_transfer_request(&p1, zone.id, to(Some("p2")))
        .await
        .unwrap();
    assert_eq!(request.key.len(), 8);
    assert_eq!(request.status, TransferStatus::Active);
    assert_eq!(request.tenant_id, "p1");
    assert_eq!(request.zone_name.as_deref(), Some("moving.example.org."));
    assert_eq!(
        kind(
            h.central
                .create_zone_transfer_request(&p1, zone.id, to(None))
                .await
        ),
        ErrorKind::DuplicateZoneTransferRequest
    );

    // Owner and target list it; a third project does not.
    let (c, p) = (Criteria::new(), Page::default());
    for (who, n) in [(&p1, 1), (&p2, 1), (&ctx("p3"), 0)] {
        let found = h
            .central
            .find_zone_transfer_requests(who, c.clone(), p.clone())
            .await
            .unwrap();
        assert_eq!(found.total_count, n, "{:?}", who.project_id);
    }

    // A wrong key is refused and changes nothing.
    assert_eq!(
        kind(
            h.central
                .create_zone_transfer_accept(&p2, accept(request.id, "WRONGKEY"))
                .await
        ),
        ErrorKind::IncorrectZoneTransferKey
    );
    let before = stored_zone(&h, zone.id).await;
    assert_eq!(before.tenant_id.as_deref(), Some("p1"));

    let done = h
        .central
        .create_zone_transfer_accept(&p2, accept(request.id, &request.key))
        .await
        .unwrap();
    assert_eq!(done.status, TransferStatus::Complete);
    assert_eq!((done.zone_id, done.tenant_id.as_str()), (zone.id, "p2"));
    assert_eq!(done.key.as_deref(), Some(request.key.as_str()));

    let moved = stored_zone(&h, zone.id).await;
    assert_eq!(moved.tenant_id.as_deref(), Some("p2"));
    assert_eq!(
        moved.serial, before.serial,
        "a transfer changes no DNS data"
    );
    for rs in stored_recordsets(&h, zone.id).await {
        assert_eq!(rs.tenant_id.as_deref(), Some("p2"), "{}", rs.name);
        assert!(rs
            .records
            .iter()
            .all(|r| r.tenant_id.as_deref() == Some("p2")));
    }
    assert_eq!(
        kind(h.central.get_zone(&p1, zone.id).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(h.central.get_zone(&p2, zone.id).await.unwrap().id, zone.id);
    let (c, p) = all();
    let rsets = h.central.find_recordsets(&p2, c, p).await.unwrap();
    assert!(rsets
        .items
        .iter()
        .any(|r| r.name == "www.moving.example.org."));

    let used = h
        .central
        .get_zone_transfer_request(&p1, request.id)
        .await
        .unwrap();
    assert_eq!(used.status, TransferStatus::Complete);
    let e = h
        .central
        .create_zone_transfer_accept(&p2, accept(request.id, &request.key))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (
            ErrorKind::InvalidZoneTransfer,
            "Zone Transfer Request has been used"
        )
    );

    // Accepts are the accepting project's.
    assert_eq!(
        h.central
            .get_zone_transfer_accept(&p2, done.id)
            .await
            .unwrap()
            .key,
        None
    );
    assert_eq!(
        kind(h.central.get_zone_transfer_accept(&p1, done.id).await),
        ErrorKind::ZoneTransferAcceptNotFound
    );
    let (c, p) = all();
    assert_eq!(
        h.central
            .find_zone_transfer_accepts(&p2, c.clone(), p.clone())
            .await
            .unwrap()
            .total_count,
        1
    );
    assert_eq!(
        h.central
            .find_zone_transfer_accepts(&p1, c, p)
            .await
            .unwrap()
            .total_count,
        0
    );
    // The new owner may offer it on.
    h.central
        .create_zone_transfer_request(&p2, zone.id, to(None))
        .await
        .unwrap();
}

#[tokio::test]
async fn accept_refused_over_quota_or_for_a_deleting_zone_and_nothing_is_written() {
    let h = harness().await;
    let (p1, p2) = (ctx("p1"), ctx("p2"));
    let admin = admin_all();
    let a = h
        .central
        .create_zone(&p1, new_zone("a.example.org."))
        .await
        .unwrap();
    let b = h
        .central
        .create_zone(&p1, new_zone("b.example.org."))
        .await
        .unwrap();
    h.central
        .create_zone(&p2, new_zone("own.example.org."))
        .await
        .unwrap();
    h.central
        .set_quota(&admin, "p2".to_owned(), "zones".to_owned(), 1)
        .await
        .unwrap();
    let request = h
        .central
        .create_zone_transfer_request(&p1, a.id, to(None))
        .await
        .unwrap();
    assert_eq!(
        kind(
            h.central
                .create_zone_transfer_accept(&p2, accept(request.id, &request.key))
                .await
        ),
        ErrorKind::OverQuota
    );
    assert_eq!(stored_zone(&h, a.id).await.tenant_id.as_deref(), Some("p1"));
    let still = h
        .central
        .get_zone_transfer_request(&p1, request.id)
        .await
        .unwrap();
    assert_eq!(still.status, TransferStatus::Active);
    let (c, p) = all();
    assert_eq!(
        h.central
            .find_zone_transfer_accepts(&admin, c, p)
            .await
            .unwrap()
            .total_count,
        0,
        "a refused accept leaves no row"
    );

    // A request for a zone being deleted is refused; so is an accept once the delete began.
    let rb = h
        .central
        .create_zone_transfer_request(&p1, b.id, to(None))
        .await
        .unwrap();
    h.central.delete_zone(&p1, b.id).await.unwrap();
    let e = h
        .central
        .create_zone_transfer_accept(&ctx("p3"), accept(rb.id, &rb.key))
        .await
        .unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (ErrorKind::BadRequest, "Can not transfer a deleting zone")
    );
    h.central
        .delete_zone_transfer_request(&p1, rb.id)
        .await
        .unwrap();
    assert_eq!(
        kind(
            h.central
                .create_zone_transfer_request(&p1, b.id, to(None))
                .await
        ),
        ErrorKind::BadRequest
    );
    assert_eq!(
        kind(h.central.get_zone_transfer_request(&p1, rb.id).await),
        ErrorKind::ZoneTransferRequestNotFound
    );

    // Unknown ids; no project to own the zone.
    assert_eq!(
        kind(
            h.central
                .create_zone_transfer_accept(&p2, accept(Uuid::new_v4(), "K"))
                .await
        ),
        ErrorKind::ZoneTransferRequestNotFound
    );
    let no_project = RequestContext {
        project_id: None,
        ..admin_all()
    };
    assert_eq!(
        kind(
            h.central
                .create_zone_transfer_accept(&no_project, accept(request.id, &request.key))
                .await
        ),
        ErrorKind::MissingProjectId
    );
}

#[tokio::test]
async fn request_updates_description_and_target_once() {
    let h = harness().await;
    let p1 = ctx("p1");
    let zone = h
        .central
        .create_zone(&p1, new_zone("u.example.org."))
        .await
        .unwrap();
    let request = h
        .central
        .create_zone_transfer_request(&p1, zone.id, to(None))
        .await
        .unwrap();
    let update = ZoneTransferRequestUpdate {
        description: Some(None),
        target_tenant_id: Some("p7".to_owned()),
    };
    let updated = h
        .central
        .update_zone_transfer_request(&p1, request.id, update)
        .await
        .unwrap();
    assert_eq!(updated.description, None);
    assert_eq!(updated.target_tenant_id.as_deref(), Some("p7"));
    assert_eq!(updated.version, 2);
    assert_eq!(updated.key, request.key);
    let retarget = ZoneTransferRequestUpdate {
        target_tenant_id: Some("p8".to_owned()),
        ..ZoneTransferRequestUpdate::default()
    };
    assert_eq!(
        kind(
            h.central
                .update_zone_transfer_request(&p1, request.id, retarget)
                .await
        ),
        ErrorKind::InvalidObject
    );
    let long = ZoneTransferRequestUpdate {
        description: Some(Some("d".repeat(161))),
        ..ZoneTransferRequestUpdate::default()
    };
    assert_eq!(
        kind(
            h.central
                .update_zone_transfer_request(&p1, request.id, long)
                .await
        ),
        ErrorKind::InvalidObject
    );
    let deleted = h
        .central
        .delete_zone_transfer_request(&p1, request.id)
        .await
        .unwrap();
    assert_eq!(deleted.id, request.id);
    assert_eq!(
        kind(
            h.central
                .delete_zone_transfer_request(&p1, request.id)
                .await
        ),
        ErrorKind::ZoneTransferRequestNotFound
    );
}
