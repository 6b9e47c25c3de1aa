//! Contract checks of recordsets and records.

use super::*;
use designate_core::objects::Quota;

/// Recordsets and records: create, get (with zone_name), find (with record filters),
/// zone listing order, versioned update, duplicates, delete, status feedback.
pub async fn recordset_crud(s: &dyn Storage) {
    let tenant = project();
    let z = zone("rs.example.org.", &tenant, Uuid::new_v4());
    create_zone(s, &z).await;
    let www = recordset(&z, "www.rs.example.org.", "A", &["192.0.2.2", "192.0.2.1"]);
    let mx = recordset(&z, "rs.example.org.", "MX", &["10 mail.rs.example.org."]);
    let txt = recordset(&z, "www.rs.example.org.", "TXT", &["\"hello\""]);
    for rs in [&www, &mx, &txt] {
        create_recordset(s, rs).await;
    }

    let mut tx = s.begin_read().await.expect("begin_read");
    let got = tx.get_recordset(www.id).await.expect("get_recordset");
    assert_eq!(got.zone_name, "rs.example.org.");
    assert_eq!(by_data(got), by_data(www.clone()));
    assert!(matches!(
        tx.get_recordset(Uuid::new_v4()).await,
        Err(StorageError::NotFound("recordset"))
    ));

    let zone_sets = tx.zone_recordsets(z.id).await.expect("zone_recordsets");
    let order: Vec<_> = zone_sets
        .iter()
        .map(|r| (r.name.as_str(), r.rtype.as_str(), r.records.len()))
        .collect();
    assert_eq!(
        order,
        [
            ("rs.example.org.", "MX", 1),
            ("www.rs.example.org.", "A", 2),
            ("www.rs.example.org.", "TXT", 1)
        ]
    );
    assert_eq!(tx.zone_records(z.id).await.expect("zone_records").len(), 4);

    let by_zone = Criteria::new().eq("zone_id", z.id.to_string());
    let l = tx
        .find_recordsets(&by_zone, &Page::default())
        .await
        .expect("find");
    assert_eq!(l.total_count, 3);
    assert!(l
        .items
        .iter()
        .all(|r| r.zone_name == z.name && !r.records.is_empty()));
    let page = Page {
        limit: Some(2),
        sort_key: "name".to_owned(),
        ..Page::default()
    };
    let l = tx.find_recordsets(&by_zone, &page).await.expect("find");
    assert_eq!((l.items.len(), l.total_count), (2, 3));
    let l = tx
        .find_recordsets(&by_zone.clone().eq("data", "192.0.2.1"), &Page::default())
        .await
        .expect("find by data");
    assert_eq!(l.items.len(), 1);
    assert_eq!(l.items[0].id, www.id);
    assert_eq!(
        l.items[0].records.len(),
        2,
        "all records of a matching recordset"
    );
    let l = tx
        .find_recordsets(&by_zone.clone().eq("type", "TXT"), &Page::default())
        .await
        .expect("find by type");
    assert_eq!(l.items.len(), 1);
    let l = tx
        .find_recordsets(
            &by_zone
                .clone()
                .with("name", Filter::Wildcard("www.*".into())),
            &Page::default(),
        )
        .await
        .expect("find wildcard");
    assert_eq!(l.total_count, 2);
    assert!(matches!(
        tx.find_recordsets(&Criteria::new().eq("secret", "x"), &Page::default())
            .await,
        Err(StorageError::InvalidCriteria(_))
    ));
    drop(tx);

    // Duplicates: same (zone, name, type); same record hash.
    let mut tx = s.begin().await.expect("begin");
    let dup = recordset(&z, "www.rs.example.org.", "A", &[]);
    assert!(matches!(
        tx.create_recordset(&dup).await,
        Err(StorageError::Duplicate("recordset"))
    ));
    drop(tx);
    let mut tx = s.begin().await.expect("begin");
    let mut clash = recordset(&z, "x.rs.example.org.", "A", &["192.0.2.7"]);
    clash.records[0].hash = www.records[0].hash.clone();
    assert!(matches!(
        tx.create_recordset(&clash).await,
        Err(StorageError::Duplicate("record"))
    ));
    drop(tx);

    // Update: TTL, one record kept, one changed, one added.
    let mut tx = s.begin().await.expect("begin");
    let mut upd = tx.get_recordset(www.id).await.expect("get");
    upd.ttl = Some(60);
    let keep_id = upd.records[0].id;
    upd.records[1].data = "192.0.2.99".to_owned();
    upd.records[1].hash = record_hash(&www.id, "192.0.2.99");
    let changed_id = upd.records[1].id;
    upd.records.push(record(&z, www.id, "192.0.2.50", now()));
    let stored = tx.update_recordset(&upd).await.expect("update_recordset");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.ttl, Some(60));
    assert_eq!(stored.records.len(), 3);
    let kept = stored
        .records
        .iter()
        .find(|r| r.id == keep_id)
        .expect("kept record");
    assert_eq!(kept.version, 1);
    let changed = stored
        .records
        .iter()
        .find(|r| r.id == changed_id)
        .expect("changed record");
    assert_eq!((changed.version, changed.data.as_str()), (2, "192.0.2.99"));
    // Stale version.
    assert!(matches!(
        tx.update_recordset(&upd).await,
        Err(StorageError::Conflict("recordset"))
    ));
    let mut missing = upd.clone();
    missing.id = Uuid::new_v4();
    assert!(matches!(
        tx.update_recordset(&missing).await,
        Err(StorageError::NotFound("recordset"))
    ));
    tx.commit().await.expect("commit");

    // Worker feedback: records up to the serial become ACTIVE/NONE, later ones stay PENDING.
    let mut tx = s.begin().await.expect("begin");
    let mut later = tx.get_recordset(txt.id).await.expect("get");
    later.records[0].serial = 1_800_000_000;
    tx.update_recordset(&later).await.expect("update");
    tx.update_zone_records_status(z.id, RecordStatus::Active, Action::None, 1_700_000_000)
        .await
        .expect("update_zone_records_status");
    for r in tx.zone_records(z.id).await.expect("zone_records") {
        if r.recordset_id == txt.id {
            assert_eq!(
                (r.status, r.action),
                (RecordStatus::Pending, Action::Create)
            );
        } else {
            assert_eq!((r.status, r.action), (RecordStatus::Active, Action::None));
        }
    }
    tx.delete_recordset(mx.id).await.expect("delete_recordset");
    assert!(matches!(
        tx.delete_recordset(mx.id).await,
        Err(StorageError::NotFound("recordset"))
    ));
    assert_eq!(tx.zone_recordsets(z.id).await.expect("list").len(), 2);
    tx.commit().await.expect("commit");

    // Recordsets of soft-deleted zones are not listed; a hard delete takes them along.
    let mut tx = s.begin().await.expect("begin");
    let mut gone = tx.get_zone(z.id).await.expect("get_zone");
    gone.deleted = z.id.simple().to_string();
    tx.update_zone(&gone).await.expect("soft delete");
    let l = tx
        .find_recordsets(&by_zone, &Page::default())
        .await
        .expect("find");
    assert_eq!(l.total_count, 0);
    tx.delete_zone(z.id).await.expect("delete_zone");
    assert!(matches!(
        tx.get_recordset(www.id).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(tx
        .zone_records(z.id)
        .await
        .expect("zone_records")
        .is_empty());
    tx.commit().await.expect("commit");
}

/// `find_managed_records`: managed records of one resource type, in any zone and project,
/// and nothing else (not unmanaged ones, not other types).
pub async fn managed_records_by_type(s: &dyn Storage) {
    let z = zone("2.0.192.in-addr.arpa.", &project(), Uuid::new_v4());
    create_zone(s, &z).await;
    let mut ptr = recordset(&z, "10.2.0.192.in-addr.arpa.", "PTR", &["a.example.org."]);
    for record in &mut ptr.records {
        record.managed = true;
        record.managed_resource_type = Some("ptr:floatingip".to_owned());
        record.managed_extra = Some("192.0.2.10".to_owned());
        record.managed_resource_region = Some("RegionOne".to_owned());
        record.managed_tenant_id = Some("p1".to_owned());
    }
    let mut other = recordset(&z, "11.2.0.192.in-addr.arpa.", "PTR", &["b.example.org."]);
    other.records[0].managed = true;
    other.records[0].managed_resource_type = Some("instance".to_owned());
    let plain = recordset(&z, "12.2.0.192.in-addr.arpa.", "PTR", &["c.example.org."]);
    for rs in [&ptr, &other, &plain] {
        create_recordset(s, rs).await;
    }
    let mut tx = s.begin_read().await.expect("begin_read");
    let found = tx
        .find_managed_records("ptr:floatingip")
        .await
        .expect("find_managed_records");
    assert_eq!(found, ptr.records);
    assert!(tx
        .find_managed_records("ptr:none")
        .await
        .expect("find_managed_records")
        .is_empty());
}

/// `recordset_placement`: the recordsets at a name (any case, every type, this zone only) and
/// the zone's live child zones (not soft-deleted ones, not grandchildren).
pub async fn recordset_placement_reads(s: &dyn Storage) {
    let tenant = project();
    let pool = Uuid::new_v4();
    let parent = zone("place.example.org.", &tenant, pool);
    let mut child = zone("sub.place.example.org.", &tenant, pool);
    child.parent_zone_id = Some(parent.id);
    let mut gone = zone("old.place.example.org.", &tenant, pool);
    gone.parent_zone_id = Some(parent.id);
    let mut grandchild = zone("deep.sub.place.example.org.", &tenant, pool);
    grandchild.parent_zone_id = Some(child.id);
    for z in [&parent, &child, &gone, &grandchild] {
        create_zone(s, z).await;
    }
    let mut tx = s.begin().await.expect("begin");
    gone.deleted = gone.id.simple().to_string();
    gone.deleted_at = Some(now());
    tx.update_zone(&gone).await.expect("soft delete");
    tx.commit().await.expect("commit");
    let a = recordset(&parent, "www.place.example.org.", "A", &["192.0.2.1"]);
    let txt = recordset(&parent, "www.place.example.org.", "TXT", &["\"t\""]);
    let other = recordset(&parent, "mail.place.example.org.", "A", &["192.0.2.2"]);
    let elsewhere = recordset(&child, "www.sub.place.example.org.", "A", &["192.0.2.3"]);
    for rs in [&a, &txt, &other, &elsewhere] {
        create_recordset(s, rs).await;
    }

    let mut tx = s.begin().await.expect("begin");
    let mut found = tx
        .recordset_placement(parent.id, "WWW.Place.example.org.")
        .await
        .expect("recordset_placement");
    found.at_name.sort();
    let mut expected = vec![(a.id, "A".to_owned()), (txt.id, "TXT".to_owned())];
    expected.sort();
    assert_eq!(found.at_name, expected);
    assert_eq!(found.child_zones, ["sub.place.example.org."]);

    let empty = tx
        .recordset_placement(child.id, "nothing.sub.place.example.org.")
        .await
        .expect("recordset_placement");
    assert!(empty.at_name.is_empty());
    assert_eq!(empty.child_zones, ["deep.sub.place.example.org."]);
    tx.commit().await.expect("commit");
}

/// `recordset_quota_inputs`: the project's quota rows (by resource, other projects' left out)
/// and the zone's counts, the same as `find_quotas` and `zone_content_counts` give apart.
pub async fn recordset_quota_inputs_read(s: &dyn Storage) {
    let tenant = project();
    let other = project();
    let z = zone("quota-in.example.org.", &tenant, Uuid::new_v4());
    create_zone(s, &z).await;
    let a = recordset(
        &z,
        "a.quota-in.example.org.",
        "A",
        &["192.0.2.1", "192.0.2.2"],
    );
    let txt = recordset(&z, "t.quota-in.example.org.", "TXT", &["\"t\""]);
    for rs in [&a, &txt] {
        create_recordset(s, rs).await;
    }
    let mut tx = s.begin().await.expect("begin");
    let (quotas, counts) = tx
        .recordset_quota_inputs(z.id, &tenant)
        .await
        .expect("recordset_quota_inputs");
    assert!(quotas.is_empty(), "no quota rows yet: {quotas:?}");
    assert_eq!((counts.recordsets, counts.records), (2, 3));
    assert_eq!(
        counts,
        tx.zone_content_counts(z.id)
            .await
            .expect("zone_content_counts")
    );
    for (who, resource, hard_limit) in [
        (tenant.as_str(), "zone_records", 50),
        (tenant.as_str(), "zone_recordsets", 9),
        (other.as_str(), "zone_records", 1),
    ] {
        tx.set_quota(&Quota {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            tenant_id: who.to_owned(),
            resource: resource.to_owned(),
            hard_limit,
        })
        .await
        .expect("set_quota");
    }
    let (quotas, counts) = tx
        .recordset_quota_inputs(z.id, &tenant)
        .await
        .expect("recordset_quota_inputs");
    let limits: Vec<(&str, i64)> = quotas
        .iter()
        .map(|q| (q.resource.as_str(), q.hard_limit))
        .collect();
    assert_eq!(limits, [("zone_records", 50), ("zone_recordsets", 9)]);
    assert_eq!(quotas, tx.find_quotas(&tenant).await.expect("find_quotas"));
    assert_eq!((counts.recordsets, counts.records), (2, 3));
    tx.commit().await.expect("commit");
}
