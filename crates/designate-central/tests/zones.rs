//! Zone rules against a real SQLite store.

mod common;

use common::*;
use designate_bus::{CentralApi, ZoneTask};
use designate_central::CentralConfig;
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{shard_of, Action, NewZone, ZoneStatus, ZoneType, ZoneUpdate};
use designate_core::{ErrorKind, RequestContext};
use uuid::Uuid;

#[tokio::test]
async fn create_zone_writes_zone_soa_and_ns_then_casts() {
    let h = harness().await;
    let before = chrono::Utc::now().timestamp() as u32;
    let zone = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await
        .unwrap();

    assert_eq!(zone.status, ZoneStatus::Pending);
    assert_eq!(zone.action, Action::Create);
    assert_eq!(zone.tenant_id.as_deref(), Some("p1"));
    assert_eq!(zone.pool_id, Some(h.central.config().default_pool_id));
    assert_eq!(zone.shard, shard_of(&zone.id));
    assert_eq!(zone.reverse_name, ".gro.elpmaxe");
    assert_eq!(zone.ttl, 3600);
    assert!(zone.serial >= before);
    assert!((3500..3600).contains(&zone.refresh));
    assert_eq!((zone.retry, zone.expire, zone.minimum), (600, 86400, 3600));
    assert_eq!(zone.zone_type, ZoneType::Primary);

    let stored = stored_zone(&h, zone.id).await;
    assert_eq!(stored.name, "example.org.");

    let recordsets = stored_recordsets(&h, zone.id).await;
    assert_eq!(recordsets.len(), 2);
    let soa = recordsets.iter().find(|r| r.rtype == "SOA").unwrap();
    assert_eq!(soa.name, "example.org.");
    assert_eq!(soa.records.len(), 1);
    assert!(soa.records[0].managed);
    assert_eq!(
        soa.records[0].data,
        format!(
            "ns1.example.net. hostmaster.example.org. {} {} 600 86400 3600",
            zone.serial, zone.refresh
        )
    );
    let ns = recordsets.iter().find(|r| r.rtype == "NS").unwrap();
    assert_eq!(ns.name, "example.org.");
    let mut data: Vec<_> = ns.records.iter().map(|r| r.data.clone()).collect();
    data.sort();
    assert_eq!(data, ["ns1.example.net.", "ns2.example.net."]);
    assert!(ns
        .records
        .iter()
        .all(|r| r.managed && r.serial == zone.serial));

    let casts = h.worker.take();
    assert_eq!(casts.len(), 1);
    assert_eq!(casts[0].0, ZoneTask::Create);
    assert_eq!(casts[0].1.id, zone.id);
}

#[tokio::test]
async fn create_zone_needs_a_project() {
    let h = harness().await;
    let anonymous = RequestContext::default();
    assert_eq!(
        kind(
            h.central
                .create_zone(&anonymous, new_zone("example.org."))
                .await
        ),
        ErrorKind::MissingProjectId
    );
    assert!(h.worker.take().is_empty());
}

#[tokio::test]
async fn create_zone_validates_input() {
    let h = harness().await;
    let c = ctx("p1");
    let bad_name = h.central.create_zone(&c, new_zone("example.org")).await;
    assert_eq!(kind(bad_name), ErrorKind::InvalidObject);
    let one_label = h.central.create_zone(&c, new_zone("org.")).await;
    assert_eq!(kind(one_label), ErrorKind::InvalidZoneName);

    let no_email = NewZone {
        email: None,
        ..new_zone("example.org.")
    };
    assert_eq!(
        kind(h.central.create_zone(&c, no_email).await),
        ErrorKind::InvalidObject
    );
    let bad_email = NewZone {
        email: Some("not-an-email".to_owned()),
        ..new_zone("example.org.")
    };
    assert_eq!(
        kind(h.central.create_zone(&c, bad_email).await),
        ErrorKind::InvalidObject
    );

    let long_description = NewZone {
        description: Some("x".repeat(161)),
        ..new_zone("example.org.")
    };
    assert_eq!(
        kind(h.central.create_zone(&c, long_description).await),
        ErrorKind::InvalidObject
    );
    let negative_ttl = NewZone {
        ttl: Some(-1),
        ..new_zone("example.org.")
    };
    assert_eq!(
        kind(h.central.create_zone(&c, negative_ttl).await),
        ErrorKind::InvalidObject
    );
    let secondary = NewZone {
        zone_type: Some(ZoneType::Secondary),
        ..new_zone("example.org.")
    };
    assert_eq!(
        kind(h.central.create_zone(&c, secondary).await),
        ErrorKind::InvalidObject
    );

    // Nothing was written.
    let (criteria, page) = all();
    assert_eq!(
        h.central
            .find_zones(&admin_all(), criteria, page)
            .await
            .unwrap()
            .total_count,
        0
    );

    let ok = NewZone {
        description: Some("x".repeat(160)),
        ttl: Some(300),
        ..new_zone("example.org.")
    };
    let zone = h.central.create_zone(&c, ok).await.unwrap();
    assert_eq!(zone.ttl, 300);
}

#[tokio::test]
async fn min_ttl_applies_to_members_not_admins() {
    let config = CentralConfig {
        min_ttl: Some(300),
        ..CentralConfig::default()
    };
    let h = harness_with(config, true).await;
    let low = NewZone {
        ttl: Some(60),
        ..new_zone("example.org.")
    };
    assert_eq!(
        kind(h.central.create_zone(&ctx("p1"), low.clone()).await),
        ErrorKind::InvalidTtl
    );
    let mut admin = ctx("p1");
    admin.roles = vec!["admin".to_owned()];
    let zone = h.central.create_zone(&admin, low).await.unwrap();
    assert_eq!(zone.ttl, 60);

    let update = ZoneUpdate {
        ttl: Some(10),
        ..ZoneUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_zone(&ctx("p1"), zone.id, update).await),
        ErrorKind::InvalidTtl
    );
}

#[tokio::test]
async fn duplicate_zone_names_are_refused_across_projects() {
    let h = harness().await;
    h.central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await
        .unwrap();
    let same_project = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await;
    assert_eq!(kind(same_project), ErrorKind::DuplicateZone);
    let other_project = h
        .central
        .create_zone(&ctx("p2"), new_zone("example.org."))
        .await;
    assert_eq!(kind(other_project), ErrorKind::DuplicateZone);
    // A different name is fine.
    h.central
        .create_zone(&ctx("p2"), new_zone("example.net."))
        .await
        .unwrap();
}

#[tokio::test]
async fn subzones_follow_ownership_rules() {
    let h = harness().await;
    let parent = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await
        .unwrap();

    let foreign_child = h
        .central
        .create_zone(&ctx("p2"), new_zone("sub.example.org."))
        .await;
    assert_eq!(kind(foreign_child), ErrorKind::IllegalChildZone);

    let child = h
        .central
        .create_zone(&ctx("p1"), new_zone("sub.example.org."))
        .await
        .unwrap();
    assert_eq!(child.parent_zone_id, Some(parent.id));
    let grandchild = h
        .central
        .create_zone(&ctx("p1"), new_zone("a.sub.example.org."))
        .await
        .unwrap();
    assert_eq!(
        grandchild.parent_zone_id,
        Some(child.id),
        "nearest ancestor is the parent"
    );

    // p2 cannot create a zone above p1's.
    let foreign_parent = h
        .central
        .create_zone(&ctx("p2"), new_zone("org.example."))
        .await;
    assert!(foreign_parent.is_ok(), "unrelated names are fine");
    let h2 = harness().await;
    h2.central
        .create_zone(&ctx("p1"), new_zone("www.example.com."))
        .await
        .unwrap();
    let super_zone = h2
        .central
        .create_zone(&ctx("p2"), new_zone("example.com."))
        .await;
    assert_eq!(kind(super_zone), ErrorKind::IllegalParentZone);
}

#[tokio::test]
async fn own_superzone_adopts_existing_subzones() {
    let h = harness().await;
    let c = ctx("p1");
    let deep = h
        .central
        .create_zone(&c, new_zone("a.b.example.org."))
        .await
        .unwrap();
    assert_eq!(deep.parent_zone_id, None);
    let top = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    assert_eq!(stored_zone(&h, deep.id).await.parent_zone_id, Some(top.id));
    let middle = h
        .central
        .create_zone(&c, new_zone("b.example.org."))
        .await
        .unwrap();
    assert_eq!(middle.parent_zone_id, Some(top.id));
    assert_eq!(
        stored_zone(&h, deep.id).await.parent_zone_id,
        Some(middle.id)
    );
}

#[tokio::test]
async fn missing_pool_or_nameservers_are_errors() {
    let config = CentralConfig {
        default_pool_id: Uuid::new_v4(),
        ..CentralConfig::default()
    };
    let h = harness_with(config.clone(), false).await;
    // No pool stored: the default scheduler filters find none (upstream's 404).
    let no_pool = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await;
    assert_eq!(kind(no_pool), ErrorKind::NoValidPoolFound);
    // The `default_pool` filter names the default pool blindly; it is not there.
    let blind = harness_with(
        CentralConfig {
            scheduler_filters: vec![designate_central::scheduler::SchedulerFilter::DefaultPool],
            ..config.clone()
        },
        false,
    )
    .await;
    let no_pool = blind
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await;
    assert_eq!(kind(no_pool), ErrorKind::PoolNotFound);

    let mut pool = default_pool(&config);
    pool.ns_records.clear();
    h.central.ensure_pool(pool).await.unwrap();
    let no_ns = h
        .central
        .create_zone(&ctx("p1"), new_zone("example.org."))
        .await;
    assert_eq!(kind(no_ns), ErrorKind::NoServersConfigured);
}

#[tokio::test]
async fn zones_are_scoped_to_their_project() {
    let h = harness().await;
    let z1 = h
        .central
        .create_zone(&ctx("p1"), new_zone("one.org."))
        .await
        .unwrap();
    let z2 = h
        .central
        .create_zone(&ctx("p2"), new_zone("two.org."))
        .await
        .unwrap();

    assert_eq!(
        h.central.get_zone(&ctx("p1"), z1.id).await.unwrap().id,
        z1.id
    );
    assert_eq!(
        kind(h.central.get_zone(&ctx("p1"), z2.id).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(
        kind(h.central.get_zone(&ctx("p1"), Uuid::new_v4()).await),
        ErrorKind::ZoneNotFound
    );

    let (criteria, page) = all();
    let mine = h
        .central
        .find_zones(&ctx("p1"), criteria, page)
        .await
        .unwrap();
    assert_eq!(mine.total_count, 1);
    assert_eq!(mine.items[0].id, z1.id);

    // all_projects needs the admin role.
    let mut sneaky = ctx("p1");
    sneaky.all_projects = true;
    let (criteria, page) = all();
    assert_eq!(
        h.central
            .find_zones(&sneaky, criteria, page)
            .await
            .unwrap()
            .total_count,
        1
    );
    let (criteria, page) = all();
    assert_eq!(
        h.central
            .find_zones(&admin_all(), criteria, page)
            .await
            .unwrap()
            .total_count,
        2
    );
    assert_eq!(
        h.central.get_zone(&admin_all(), z2.id).await.unwrap().id,
        z2.id
    );

    let by_name = Criteria::new().eq("name", "two.org.");
    let listing = h
        .central
        .find_zones(&ctx("p1"), by_name, Page::default())
        .await
        .unwrap();
    assert_eq!(
        listing.total_count, 0,
        "a filter cannot reach another project's zone"
    );

    let update = ZoneUpdate {
        description: Some(Some("mine now".to_owned())),
        ..ZoneUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_zone(&ctx("p1"), z2.id, update).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(
        kind(h.central.delete_zone(&ctx("p1"), z2.id).await),
        ErrorKind::ZoneNotFound
    );
    assert_eq!(stored_zone(&h, z2.id).await.action, Action::Create);
}

#[tokio::test]
async fn update_zone_bumps_serial_and_rewrites_soa() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();

    let update = ZoneUpdate {
        email: Some("admin@example.com".to_owned()),
        ttl: Some(600),
        description: Some(Some("described".to_owned())),
        masters: None,
    };
    let updated = h.central.update_zone(&c, zone.id, update).await.unwrap();
    assert!(updated.serial > zone.serial);
    assert_eq!(updated.status, ZoneStatus::Pending);
    assert_eq!(updated.action, Action::Update);
    assert_eq!(updated.email, "admin@example.com");
    assert_eq!(updated.ttl, 600);
    assert_eq!(updated.description.as_deref(), Some("described"));
    assert!(updated.version > zone.version);

    let soa = soa_of(&h, zone.id).await;
    assert_eq!(
        soa.records[0].data,
        format!(
            "ns1.example.net. admin.example.com. {} {} 600 86400 3600",
            updated.serial, updated.refresh
        )
    );
    assert_eq!(soa.records[0].serial, updated.serial);

    let casts = h.worker.take();
    assert_eq!(casts.len(), 1);
    assert_eq!(casts[0].0, ZoneTask::Update);
    assert_eq!(casts[0].1.serial, updated.serial);

    let again = h
        .central
        .update_zone(&c, zone.id, ZoneUpdate::default())
        .await
        .unwrap();
    assert!(again.serial > updated.serial, "serials strictly increase");

    let bad = ZoneUpdate {
        email: Some("nope".to_owned()),
        ..ZoneUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_zone(&c, zone.id, bad).await),
        ErrorKind::InvalidObject
    );
    let too_long = ZoneUpdate {
        description: Some(Some("x".repeat(161))),
        ..ZoneUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_zone(&c, zone.id, too_long).await),
        ErrorKind::InvalidObject
    );
}

#[tokio::test]
async fn delete_zone_marks_it_and_casts() {
    let h = harness().await;
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    h.worker.take();

    let deleted = h.central.delete_zone(&c, zone.id).await.unwrap();
    assert_eq!(deleted.action, Action::Delete);
    assert_eq!(deleted.status, ZoneStatus::Pending);
    let casts = h.worker.take();
    assert_eq!(casts.len(), 1);
    assert_eq!(casts[0].0, ZoneTask::Delete);

    // Still visible until the worker confirms; but no longer editable.
    assert_eq!(
        h.central.get_zone(&c, zone.id).await.unwrap().action,
        Action::Delete
    );
    let update = ZoneUpdate {
        ttl: Some(100),
        ..ZoneUpdate::default()
    };
    assert_eq!(
        kind(h.central.update_zone(&c, zone.id, update).await),
        ErrorKind::BadRequest
    );
}

#[tokio::test]
async fn zone_with_subzones_cannot_be_deleted() {
    let h = harness().await;
    let c = ctx("p1");
    let parent = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();
    let child = h
        .central
        .create_zone(&c, new_zone("sub.example.org."))
        .await
        .unwrap();
    assert_eq!(
        kind(h.central.delete_zone(&c, parent.id).await),
        ErrorKind::ZoneHasSubZone
    );
    h.central.delete_zone(&c, child.id).await.unwrap();
    // The child is still there (pending delete) so the parent still waits.
    assert_eq!(
        kind(h.central.delete_zone(&c, parent.id).await),
        ErrorKind::ZoneHasSubZone
    );
}
