//! Secondary zones: masters stored with the zone (upstream's `zone_masters`), replaced on
//! their own, and a zone's recordsets replaced wholesale by a transfer.

use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{ZoneMaster, ZoneType};

use super::{pool, project, recordset, zone};
use crate::{Storage, StorageError};
use uuid::Uuid;

fn master(host: &str, port: u16) -> ZoneMaster {
    ZoneMaster {
        host: host.to_owned(),
        port,
    }
}

/// Masters round-trip through create, get, find and the shared-visibility listing; a masters
/// update replaces them; `update_zone` leaves them alone; deleting the zone takes them.
pub async fn zone_masters_roundtrip(s: &dyn Storage) {
    let p = pool(&format!("pool-{}", project()));
    let tenant = project();
    let mut z = zone(&format!("sec-{tenant}.example."), &tenant, p.id);
    z.zone_type = ZoneType::Secondary;
    z.masters = vec![master("192.0.2.1", 53), master("192.0.2.2", 5300)];
    let plain = zone(&format!("plain-{tenant}.example."), &tenant, p.id);
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("create_pool");
    tx.create_zone(&z).await.expect("create_zone");
    tx.create_zone(&plain).await.expect("create_zone");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    let got = tx.get_zone(z.id).await.expect("get_zone");
    let mut got_masters = got.masters.clone();
    got_masters.sort_by(|a, b| a.host.cmp(&b.host));
    assert_eq!(got_masters, z.masters);
    assert!(tx.get_zone(plain.id).await.expect("get").masters.is_empty());
    let by_tenant = Criteria::new().eq("tenant_id", tenant.as_str());
    for listed in [
        tx.find_zones(&by_tenant, &Page::default())
            .await
            .expect("find"),
        tx.find_zones_visible_to(&Criteria::new(), &Page::default(), &tenant)
            .await
            .expect("visible_to"),
    ] {
        assert_eq!(listed.items.len(), 2);
        for item in &listed.items {
            let want = if item.id == z.id { 2 } else { 0 };
            assert_eq!(item.masters.len(), want, "{}", item.name);
        }
    }

    // The rows alone: the same zones, attributes and masters left out.
    let rows = tx
        .find_zone_rows(&by_tenant, &Page::default())
        .await
        .expect("find_zone_rows");
    let uncounted = tx
        .find_zones_uncounted(&by_tenant, &Page::default())
        .await
        .expect("find_zones_uncounted");
    assert_eq!(rows.len(), 2);
    for (row, full) in rows.iter().zip(&uncounted) {
        assert!(row.masters.is_empty() && row.attributes.is_empty());
        let mut bare = full.clone();
        bare.masters.clear();
        bare.attributes.clear();
        assert_eq!(*row, bare);
    }
    let row = tx.get_zone_row(z.id).await.expect("get_zone_row");
    let mut bare = got.clone();
    bare.masters.clear();
    bare.attributes.clear();
    assert_eq!(row, bare, "get_zone_row: the row of get_zone");
    assert!(matches!(
        tx.get_zone_row(Uuid::new_v4()).await,
        Err(StorageError::NotFound(_))
    ));

    // update_zone does not touch the masters, even when the row carries others (and returns
    // the row as written: the masters as given).
    let mut changed = got.clone();
    changed.masters = vec![];
    changed.ttl = 120;
    let updated = tx.update_zone(&changed).await.expect("update_zone");
    assert!(updated.masters.is_empty());
    let updated = tx.get_zone(z.id).await.expect("get_zone");
    assert_eq!(updated.masters.len(), 2);
    assert_eq!(updated.ttl, 120);
    // set_zone_masters replaces them.
    let mut replaced = updated.clone();
    replaced.masters = vec![master("198.51.100.7", 53)];
    tx.set_zone_masters(&replaced)
        .await
        .expect("set_zone_masters");
    assert_eq!(
        tx.get_zone(z.id).await.expect("get").masters,
        replaced.masters
    );
    tx.commit().await.expect("commit");

    // A rolled-back replacement leaves the old masters.
    let mut tx = s.begin().await.expect("begin");
    let mut other = replaced.clone();
    other.masters = vec![master("203.0.113.9", 53)];
    tx.set_zone_masters(&other).await.expect("set_zone_masters");
    drop(tx);
    let mut tx = s.begin().await.expect("begin");
    assert_eq!(
        tx.get_zone(z.id).await.expect("get").masters,
        replaced.masters
    );
    tx.delete_zone(z.id).await.expect("delete_zone");
    tx.commit().await.expect("commit");
}

/// `delete_zone_recordsets` removes every recordset and record of one zone, no other zone's.
pub async fn zone_recordsets_replaced(s: &dyn Storage) {
    let p = pool(&format!("pool-{}", project()));
    let tenant = project();
    let z = zone(&format!("xfr-{tenant}.example."), &tenant, p.id);
    let other = zone(&format!("keep-{tenant}.example."), &tenant, p.id);
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("create_pool");
    tx.create_zone(&z).await.expect("create_zone");
    tx.create_zone(&other).await.expect("create_zone");
    let sets = [
        recordset(&z, &z.name, "SOA", &["ns1.example. h.example. 1 2 3 4 5"]),
        recordset(
            &z,
            &format!("www.{}", z.name),
            "A",
            &["192.0.2.1", "192.0.2.2"],
        ),
        recordset(&other, &format!("www.{}", other.name), "A", &["192.0.2.3"]),
    ];
    tx.create_recordsets(&sets)
        .await
        .expect("create_recordsets");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    assert_eq!(tx.delete_zone_recordsets(z.id).await.expect("delete"), 2);
    let fresh = recordset(&z, &format!("new.{}", z.name), "TXT", &["\"t\""]);
    tx.create_recordsets(std::slice::from_ref(&fresh))
        .await
        .expect("create_recordsets");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    let left = tx.zone_recordsets(z.id).await.expect("zone_recordsets");
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, fresh.id);
    assert_eq!(tx.zone_records(z.id).await.expect("records").len(), 1);
    assert_eq!(tx.zone_records(other.id).await.expect("records").len(), 1);
    // The zone's counts (listing total_count, quotas) follow the replacement.
    let by_zone = |id: Uuid| Criteria::new().eq("zone_id", id.to_string());
    let listed = tx
        .find_recordsets(&by_zone(z.id), &Page::default())
        .await
        .expect("find_recordsets");
    assert_eq!((listed.items.len(), listed.total_count), (1, 1));
    let kept = tx
        .find_recordsets(&by_zone(other.id), &Page::default())
        .await
        .expect("find_recordsets");
    assert_eq!(kept.total_count, 1);
    assert_eq!(
        tx.delete_zone_recordsets(Uuid::new_v4())
            .await
            .expect("none"),
        0
    );
}
