//! Recordset rules against a real SQLite store.

mod common;

use common::*;
use designate_bus::{CentralApi, ZoneTask};
use designate_central::CentralConfig;
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{
    record_hash, Action, NewRecordSet, RecordSetUpdate, RecordStatus, ZoneStatus,
};
use designate_core::ErrorKind;
use uuid::Uuid;

#[tokio::test]
async fn create_recordset_bumps_serial_in_one_change() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();

    let rs = h
        .central
        .create_recordset(
            &c,
            zone.id,
            new_rs("www.example.org.", "A", &["192.0.2.1", "192.0.2.2"]),
        )
        .await
        .unwrap();
    assert_eq!(rs.zone_id, zone.id);
    assert_eq!(rs.zone_name, "example.org.");
    assert_eq!(rs.tenant_id.as_deref(), Some("p1"));
    assert_eq!(rs.records.len(), 2);
    assert_eq!(rs.status(), RecordStatus::Pending);
    assert_eq!(rs.action(), Action::Create);

    let stored = stored_zone(&h, zone.id).await;
    assert!(stored.serial > zone.serial);
    assert_eq!(
        (stored.status, stored.action),
        (ZoneStatus::Pending, Action::Update)
    );
    for record in &rs.records {
        assert_eq!(record.hash, record_hash(&rs.id, &record.data));
        assert_eq!(record.serial, stored.serial);
        assert!(!record.managed);
    }
    let soa = soa_of(&h, zone.id).await;
    assert!(soa.records[0]
        .data
        .contains(&format!(" {} ", stored.serial)));

    let casts = h.worker.take();
    assert_eq!(casts.len(), 1);
    assert_eq!(casts[0].0, ZoneTask::Update);
    assert_eq!(casts[0].1.serial, stored.serial);

    let fetched = h
        .central
        .get_recordset(&c, Some(zone.id), rs.id)
        .await
        .unwrap();
    assert_eq!(fetched.records.len(), 2);
}

#[tokio::test]
async fn recordset_must_be_inside_its_zone() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let outside = h
        .central
        .create_recordset(&c, zone.id, new_rs("www.example.net.", "A", &["192.0.2.1"]))
        .await;
    assert_eq!(kind(outside), ErrorKind::InvalidRecordSetLocation);
    let suffix_only = h
        .central
        .create_recordset(&c, zone.id, new_rs("wwwexample.org.", "A", &["192.0.2.1"]))
        .await;
    assert_eq!(kind(suffix_only), ErrorKind::InvalidRecordSetLocation);
    h.central
        .create_recordset(&c, zone.id, new_rs("example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    h.central
        .create_recordset(&c, zone.id, new_rs("*.example.org.", "TXT", &["\"wild\""]))
        .await
        .unwrap();
}

#[tokio::test]
async fn types_and_data_are_validated() {
    let config = CentralConfig {
        min_ttl: Some(100),
        ..CentralConfig::default()
    };
    let h = harness_with(config, true).await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();
    let create = |rs: NewRecordSet| h.central.create_recordset(&c, zone.id, rs);

    assert_eq!(
        kind(create(new_rs("x.example.org.", "WKS", &["1"])).await),
        ErrorKind::InvalidObject
    );
    assert_eq!(
        kind(create(new_rs("x.example.org.", "SOA", &["a. b. 1 2 3 4 5"])).await),
        ErrorKind::BadRequest
    );
    let bad_data = create(new_rs(
        "x.example.org.",
        "A",
        &["192.0.2.1", "not-an-address"],
    ))
    .await;
    let err = bad_data.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidObject);
    assert_eq!(err.errors[0].path, ["records", "1"]);
    assert_eq!(
        kind(create(new_rs("x.example.org", "A", &["192.0.2.1"])).await),
        ErrorKind::InvalidObject
    );

    let low_ttl = NewRecordSet {
        ttl: Some(10),
        ..new_rs("x.example.org.", "A", &["192.0.2.1"])
    };
    assert_eq!(kind(create(low_ttl).await), ErrorKind::InvalidTtl);
    let long_description = NewRecordSet {
        description: Some("d".repeat(161)),
        ..new_rs("x.example.org.", "A", &["192.0.2.1"])
    };
    assert_eq!(
        kind(create(long_description).await),
        ErrorKind::InvalidObject
    );
    assert!(
        h.worker.take().is_empty(),
        "nothing was cast for refused changes"
    );

    let ok = NewRecordSet {
        ttl: Some(100),
        description: Some("d".repeat(160)),
        ..new_rs("x.example.org.", "A", &["192.0.2.1", "192.0.2.1"])
    };
    let rs = create(ok).await.unwrap();
    assert_eq!(
        rs.records.len(),
        1,
        "records are a set: an exact repeat is dropped"
    );
    assert_eq!(rs.ttl, Some(100));
}

#[tokio::test]
async fn cname_is_exclusive_and_never_at_apex() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let create = |rs: NewRecordSet| h.central.create_recordset(&c, zone.id, rs);

    let apex = create(new_rs("example.org.", "CNAME", &["target.example.net."])).await;
    assert_eq!(kind(apex), ErrorKind::InvalidRecordSetLocation);
    let two = create(new_rs(
        "w.example.org.",
        "CNAME",
        &["a.example.net.", "b.example.net."],
    ))
    .await;
    assert_eq!(kind(two), ErrorKind::BadRequest);

    create(new_rs(
        "www.example.org.",
        "CNAME",
        &["target.example.net."],
    ))
    .await
    .unwrap();
    let beside = create(new_rs("www.example.org.", "A", &["192.0.2.1"])).await;
    assert_eq!(kind(beside), ErrorKind::InvalidRecordSetLocation);
    let second_cname = create(new_rs("www.example.org.", "CNAME", &["other.example.net."])).await;
    assert_eq!(kind(second_cname), ErrorKind::InvalidRecordSetLocation);

    create(new_rs("mail.example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    let onto = create(new_rs(
        "mail.example.org.",
        "CNAME",
        &["target.example.net."],
    ))
    .await;
    assert_eq!(kind(onto), ErrorKind::InvalidRecordSetLocation);
}

#[tokio::test]
async fn duplicate_recordsets_are_refused() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let create = |rs: NewRecordSet| h.central.create_recordset(&c, zone.id, rs);
    create(new_rs("www.example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    let again = create(new_rs("www.example.org.", "A", &["192.0.2.9"])).await;
    assert_eq!(kind(again), ErrorKind::DuplicateRecordSet);
    // The apex NS recordset is the pool's: another one is a duplicate.
    let apex_ns = create(new_rs("example.org.", "NS", &["ns9.example.net."])).await;
    assert_eq!(kind(apex_ns), ErrorKind::DuplicateRecordSet);
    // Another type at the same name is fine; so is a delegation below the apex.
    create(new_rs("www.example.org.", "AAAA", &["2001:db8::1"]))
        .await
        .unwrap();
    create(new_rs("sub.example.org.", "NS", &["ns1.example.com."]))
        .await
        .unwrap();
}

#[tokio::test]
async fn names_that_belong_to_a_child_zone_are_refused() {
    let h = harness().await;
    let c = ctx("p1");
    let parent = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.central
        .create_zone(&c, new_zone("sub.example.org."))
        .await
        .unwrap();
    let inside_child = h
        .central
        .create_recordset(
            &c,
            parent.id,
            new_rs("www.sub.example.org.", "A", &["192.0.2.1"]),
        )
        .await;
    assert_eq!(kind(inside_child), ErrorKind::InvalidRecordSetLocation);
    let child_apex = h
        .central
        .create_recordset(
            &c,
            parent.id,
            new_rs("sub.example.org.", "A", &["192.0.2.1"]),
        )
        .await;
    assert_eq!(kind(child_apex), ErrorKind::InvalidRecordSetLocation);
    h.central
        .create_recordset(
            &c,
            parent.id,
            new_rs("www.example.org.", "A", &["192.0.2.1"]),
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn recordsets_are_scoped_to_their_project() {
    let h = harness().await;
    let zone = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await
        .unwrap();
    let other = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.com."))
        .await
        .unwrap();
    let rs = h
        .central
        .create_recordset(
            &ctx("p1"),
            zone.id,
            new_rs("www.example.org.", "A", &["192.0.2.1"]),
        )
        .await
        .unwrap();
    let p2 = ctx("p2");

    let create = h
        .central
        .create_recordset(
            &p2,
            zone.id,
            new_rs("evil.example.org.", "A", &["192.0.2.66"]),
        )
        .await;
    assert_eq!(kind(create), ErrorKind::ZoneNotFound);
    assert_eq!(
        kind(h.central.get_recordset(&p2, Some(zone.id), rs.id).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(
        kind(h.central.get_recordset(&p2, None, rs.id).await),
        ErrorKind::ZoneNotFound
    );
    let update = RecordSetUpdate {
        records: Some(vec!["192.0.2.66".to_owned()]),
        ..RecordSetUpdate::default()
    };
    assert_eq!(
        kind(
            h.central
                .update_recordset(&p2, zone.id, rs.id, update)
                .await
        ),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(
        kind(h.central.delete_recordset(&p2, zone.id, rs.id).await),
        ErrorKind::ZoneNotFound
    );

    let by_zone = Criteria::new().eq("zone_id", zone.id.to_string());
    assert_eq!(
        kind(
            h.central
                .find_recordsets(&p2, by_zone.clone(), Page::default())
                .await
        ),
        ErrorKind::ZoneNotFound
    );
    let (criteria, page) = all();
    assert_eq!(
        h.central
            .find_recordsets(&p2, criteria, page)
            .await
            .unwrap()
            .total_count,
        0
    );

    // The owner sees them; the wrong zone id hides them.
    let listing = h
        .central
        .find_recordsets(&ctx("p1"), by_zone, Page::default())
        .await
        .unwrap();
    assert_eq!(listing.total_count, 3, "SOA, NS and the A recordset");
    assert_eq!(
        kind(
            h.central
                .get_recordset(&ctx("p1"), Some(other.id), rs.id)
                .await
        ),
        ErrorKind::RecordSetNotFound
    );
    assert_eq!(
        kind(
            h.central
                .get_recordset(&ctx("p1"), None, Uuid::new_v4())
                .await
        ),
        ErrorKind::RecordSetNotFound
    );
    let by_type = Criteria::new().eq("type", "A");
    let listing = h
        .central
        .find_recordsets(&admin_all(), by_type, Page::default())
        .await
        .unwrap();
    assert_eq!(listing.total_count, 1);
}

#[tokio::test]
async fn update_recordset_replaces_records_and_keeps_unchanged_ones() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let rs = h
        .central
        .create_recordset(
            &c,
            zone.id,
            new_rs("www.example.org.", "A", &["192.0.2.1", "192.0.2.2"]),
        )
        .await
        .unwrap();
    let serial_before = stored_zone(&h, zone.id).await.serial;
    h.worker.take();
    let kept = rs
        .records
        .iter()
        .find(|r| r.data == "192.0.2.1")
        .unwrap()
        .clone();

    let update = RecordSetUpdate {
        ttl: Some(Some(900)),
        description: Some(Some("web".to_owned())),
        records: Some(vec!["192.0.2.1".to_owned(), "192.0.2.3".to_owned()]),
    };
    let updated = h
        .central
        .update_recordset(&c, zone.id, rs.id, update)
        .await
        .unwrap();
    assert_eq!(updated.ttl, Some(900));
    assert_eq!(updated.description.as_deref(), Some("web"));
    let mut data: Vec<_> = updated.records.iter().map(|r| r.data.as_str()).collect();
    data.sort_unstable();
    assert_eq!(data, ["192.0.2.1", "192.0.2.3"]);
    let same = updated
        .records
        .iter()
        .find(|r| r.data == "192.0.2.1")
        .unwrap();
    assert_eq!((same.id, same.created_at), (kept.id, kept.created_at));

    let zone_now = stored_zone(&h, zone.id).await;
    assert!(zone_now.serial > serial_before);
    assert!(updated
        .records
        .iter()
        .all(|r| r.serial == zone_now.serial && r.status == RecordStatus::Pending));
    assert_eq!(soa_of(&h, zone.id).await.records[0].serial, zone_now.serial);
    let casts = h.worker.take();
    assert_eq!(casts.len(), 1);
    assert_eq!(casts[0].0, ZoneTask::Update);

    let cleared = RecordSetUpdate {
        ttl: Some(None),
        ..RecordSetUpdate::default()
    };
    let updated = h
        .central
        .update_recordset(&c, zone.id, rs.id, cleared)
        .await
        .unwrap();
    assert_eq!(updated.ttl, None);
    assert_eq!(updated.records.len(), 2);

    let bad = RecordSetUpdate {
        records: Some(vec!["999.1.1.1".to_owned()]),
        ..RecordSetUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_recordset(&c, zone.id, rs.id, bad).await),
        ErrorKind::InvalidObject
    );
}

#[tokio::test]
async fn managed_recordsets_are_protected() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let recordsets = stored_recordsets(&h, zone.id).await;
    let soa = recordsets.iter().find(|r| r.rtype == "SOA").unwrap();
    let ns = recordsets.iter().find(|r| r.rtype == "NS").unwrap();
    let update = || RecordSetUpdate {
        records: Some(vec!["ns9.example.net.".to_owned()]),
        ..RecordSetUpdate::default()
    };

    assert_eq!(
        kind(
            h.central
                .update_recordset(&c, zone.id, ns.id, update())
                .await
        ),
        ErrorKind::BadRequest
    );
    assert_eq!(
        kind(h.central.delete_recordset(&c, zone.id, ns.id).await),
        ErrorKind::BadRequest
    );
    assert_eq!(
        kind(
            h.central
                .update_recordset(&c, zone.id, soa.id, update())
                .await
        ),
        ErrorKind::BadRequest
    );
    assert_eq!(
        kind(h.central.delete_recordset(&c, zone.id, soa.id).await),
        ErrorKind::BadRequest
    );

    let mut editor = ctx("p1");
    editor.edit_managed_records = true;
    // Even with the header, the SOA and the apex NS cannot be edited by hand …
    assert_eq!(
        kind(
            h.central
                .update_recordset(&editor, zone.id, soa.id, update())
                .await
        ),
        ErrorKind::BadRequest
    );
    assert_eq!(
        kind(h.central.delete_recordset(&editor, zone.id, soa.id).await),
        ErrorKind::BadRequest
    );
    assert_eq!(
        kind(
            h.central
                .update_recordset(&editor, zone.id, ns.id, update())
                .await
        ),
        ErrorKind::BadRequest
    );
    // … but upstream lets the header delete the managed apex NS recordset.
    h.central
        .delete_recordset(&editor, zone.id, ns.id)
        .await
        .unwrap();
}

#[tokio::test]
async fn delete_recordset_removes_it_and_bumps_serial() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let rs = h
        .central
        .create_recordset(&c, zone.id, new_rs("www.example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    let serial_before = stored_zone(&h, zone.id).await.serial;
    h.worker.take();

    let deleted = h
        .central
        .delete_recordset(&c, zone.id, rs.id)
        .await
        .unwrap();
    assert_eq!(deleted.action(), Action::Delete);
    assert_eq!(
        kind(h.central.get_recordset(&c, Some(zone.id), rs.id).await),
        ErrorKind::RecordSetNotFound
    );
    let zone_now = stored_zone(&h, zone.id).await;
    assert!(zone_now.serial > serial_before);
    assert_eq!(h.worker.take()[0].0, ZoneTask::Update);

    assert_eq!(
        kind(h.central.delete_recordset(&c, zone.id, rs.id).await),
        ErrorKind::RecordSetNotFound
    );
}

#[tokio::test]
async fn deleting_zones_take_no_recordset_changes() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let rs = h
        .central
        .create_recordset(&c, zone.id, new_rs("www.example.org.", "A", &["192.0.2.1"]))
        .await
        .unwrap();
    h.central.delete_zone(&c, zone.id).await.unwrap();
    let create = h
        .central
        .create_recordset(&c, zone.id, new_rs("new.example.org.", "A", &["192.0.2.1"]))
        .await;
    assert_eq!(kind(create), ErrorKind::BadRequest);
    let update = RecordSetUpdate {
        ttl: Some(Some(60)),
        ..RecordSetUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_recordset(&c, zone.id, rs.id, update).await),
        ErrorKind::BadRequest
    );
    assert_eq!(
        kind(h.central.delete_recordset(&c, zone.id, rs.id).await),
        ErrorKind::BadRequest
    );
}

#[tokio::test]
async fn empty_recordset_leaves_the_zone_alone() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();
    h.central
        .create_recordset(&c, zone.id, new_rs("empty.example.org.", "A", &[]))
        .await
        .unwrap();
    assert_eq!(stored_zone(&h, zone.id).await.serial, zone.serial);
    assert!(h.worker.take().is_empty());
}
