//! Worker feedback (`update_status`) against a real SQLite store.

mod common;

use common::*;
use designate_bus::{CentralApi, PushOutcome};
use designate_core::objects::{Action, RecordStatus, ZoneStatus};
use designate_core::{ErrorKind, RequestContext};
use uuid::Uuid;

#[tokio::test]
async fn success_activates_zone_and_covered_records() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let worker = RequestContext::admin();

    h.central
        .update_status(&worker, zone.id, PushOutcome::Success, zone.serial)
        .await
        .unwrap();
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(
        (stored.status, stored.action),
        (ZoneStatus::Active, Action::None)
    );
    for rs in stored_recordsets(&h, zone.id).await {
        assert!(rs
            .records
            .iter()
            .all(|r| r.status == RecordStatus::Active && r.action == Action::None));
    }
}

#[tokio::test]
async fn stale_success_does_not_activate_newer_changes() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let first = h
        .central
        .create_recordset(&c, zone.id, new_rs("a.example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    let serial_a = stored_zone(&h, zone.id).await.serial;
    h.central
        .create_recordset(&c, zone.id, new_rs("b.example.org.", "A", &["192.0.2.2"]))
        .await
        .unwrap();
    let serial_b = stored_zone(&h, zone.id).await.serial;
    assert!(serial_b > serial_a);

    // The report for the older serial arrives: the zone stays PENDING, only the covered
    // records become ACTIVE.
    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Success,
            serial_a,
        )
        .await
        .unwrap();
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(stored.status, ZoneStatus::Pending);
    for rs in stored_recordsets(&h, zone.id).await {
        let expected = if rs.name == "b.example.org." || rs.rtype == "SOA" {
            RecordStatus::Pending
        } else {
            RecordStatus::Active
        };
        assert_eq!(rs.status(), expected, "{} {}", rs.name, rs.rtype);
        if rs.id == first.id {
            assert_eq!(rs.records[0].status, RecordStatus::Active);
        }
    }

    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Success,
            serial_b,
        )
        .await
        .unwrap();
    assert_eq!(stored_zone(&h, zone.id).await.status, ZoneStatus::Active);
    for rs in stored_recordsets(&h, zone.id).await {
        assert_eq!(rs.status(), RecordStatus::Active);
    }
}

#[tokio::test]
async fn error_marks_zone_and_pending_records() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Error,
            zone.serial,
        )
        .await
        .unwrap();
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(
        (stored.status, stored.action),
        (ZoneStatus::Error, Action::Create)
    );
    for rs in stored_recordsets(&h, zone.id).await {
        assert_eq!(rs.status(), RecordStatus::Error);
    }
    // A later success repairs it.
    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Success,
            zone.serial,
        )
        .await
        .unwrap();
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(
        (stored.status, stored.action),
        (ZoneStatus::Active, Action::None)
    );
    for rs in stored_recordsets(&h, zone.id).await {
        assert_eq!(rs.status(), RecordStatus::Active);
    }
    // An error about an older serial does not touch an ACTIVE zone.
    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Error,
            zone.serial - 1,
        )
        .await
        .unwrap();
    assert_eq!(stored_zone(&h, zone.id).await.status, ZoneStatus::Active);
}

#[tokio::test]
async fn confirmed_delete_soft_deletes_and_frees_the_name() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let pending = h.central.delete_zone(&c, zone.id).await.unwrap();

    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Success,
            pending.serial,
        )
        .await
        .unwrap();
    assert_eq!(
        kind(h.central.get_zone(&c, zone.id).await),
        ErrorKind::ZoneNotFound
    );
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(stored.status, ZoneStatus::Deleted);
    assert_eq!(stored.action, Action::None);
    assert_eq!(stored.deleted, zone.id.simple().to_string());
    assert!(stored.deleted_at.is_some());

    // The name is free again, for anyone.
    h.central
        .create_zone(&ctx("p2"), new_zone("example.org."))
        .await
        .unwrap();
}

#[tokio::test]
async fn failed_delete_keeps_the_zone_for_recovery() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let pending = h.central.delete_zone(&c, zone.id).await.unwrap();
    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::Error,
            pending.serial,
        )
        .await
        .unwrap();
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(
        (stored.status, stored.action),
        (ZoneStatus::Error, Action::Delete)
    );
    assert_eq!(stored.deleted, "0");

    // NoZone for a deleting zone means it is gone from the targets: done.
    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::NoZone,
            pending.serial,
        )
        .await
        .unwrap();
    assert_eq!(stored_zone(&h, zone.id).await.status, ZoneStatus::Deleted);
}

#[tokio::test]
async fn no_zone_for_a_live_zone_asks_for_recreation() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let updated = h
        .central
        .update_zone(&c, zone.id, designate_core::objects::ZoneUpdate::default())
        .await
        .unwrap();
    h.central
        .update_status(
            &RequestContext::admin(),
            zone.id,
            PushOutcome::NoZone,
            updated.serial,
        )
        .await
        .unwrap();
    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(
        (stored.status, stored.action),
        (ZoneStatus::Error, Action::Create)
    );
}

#[tokio::test]
async fn unknown_zone_is_reported() {
    let h = harness().await;
    let out = h
        .central
        .update_status(
            &RequestContext::admin(),
            Uuid::new_v4(),
            PushOutcome::Success,
            1,
        )
        .await;
    assert_eq!(kind(out), ErrorKind::ZoneNotFound);
}
