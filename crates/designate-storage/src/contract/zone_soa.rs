//! Contract check of `zone_soa_recordset`: the same SOA recordset and records as
//! `find_recordsets` by zone and type, whether the stored SOA data is what central writes (the
//! indexed path) or anything else (the fallback), `None` for a zone without SOA; and
//! `zone_soa_records`, what a serial bump reads: the SOA records and the pool's MNAME.

use super::*;

async fn soa_by_listing(s: &dyn Storage, z: &Zone) -> Option<RecordSet> {
    let mut tx = s.begin_read().await.expect("begin_read");
    let criteria = Criteria::new()
        .eq("zone_id", z.id.to_string())
        .eq("type", "SOA");
    let found = tx
        .find_recordsets(&criteria, &Page::default())
        .await
        .expect("find_recordsets");
    found.items.into_iter().next()
}

async fn soa_direct(s: &dyn Storage, z: &Zone) -> Option<RecordSet> {
    let mut tx = s.begin_read().await.expect("begin_read");
    tx.zone_soa_recordset(z).await.expect("zone_soa_recordset")
}

/// Zones with central's SOA data, stale SOA data, and none at all.
pub async fn zone_soa_recordset(s: &dyn Storage) {
    let tenant = project();
    let p = pool(&format!("soa-pool-{}", Uuid::new_v4().simple()));
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("pool");
    tx.commit().await.expect("commit");

    // Central's layout: pool's first NS, rname, the zone's serial and timers.
    let current = zone("soa-current.example.org.", &tenant, p.id);
    let data = format!(
        "ns1.example.org. hostmaster.example.org. {} {} {} {} {}",
        current.serial, current.refresh, current.retry, current.expire, current.minimum
    );
    create_zone(s, &current).await;
    create_recordset(s, &recordset(&current, &current.name, "SOA", &[&data])).await;
    create_recordset(
        s,
        &recordset(&current, &current.name, "NS", &["ns1.example.org."]),
    )
    .await;
    let want = soa_by_listing(s, &current).await.expect("listed SOA");
    assert_eq!(want.records.len(), 1);
    assert_eq!(soa_direct(s, &current).await, Some(want));

    // A serial the SOA data does not carry yet (rewrite pending): still the stored record.
    let mut stale = zone("soa-stale.example.org.", &tenant, p.id);
    create_zone(s, &stale).await;
    create_recordset(
        s,
        &recordset(
            &stale,
            &stale.name,
            "SOA",
            &["ns9.example.net. admin.example.net. 7 1 2 3 4"],
        ),
    )
    .await;
    let want = soa_by_listing(s, &stale).await.expect("listed SOA");
    assert_eq!(soa_direct(s, &stale).await, Some(want.clone()));
    stale.serial = stale.serial.wrapping_add(1);
    assert_eq!(soa_direct(s, &stale).await, Some(want));

    // No SOA at all, and another zone's SOA never leaks in.
    let bare = zone("soa-bare.example.org.", &tenant, p.id);
    create_zone(s, &bare).await;
    create_recordset(
        s,
        &recordset(&bare, "www.soa-bare.example.org.", "A", &["192.0.2.1"]),
    )
    .await;
    assert_eq!(soa_direct(s, &bare).await, None);
    assert_eq!(soa_by_listing(s, &bare).await, None);

    // What a serial bump reads: the SOA records and the MNAME, the pool's NS records in their
    // listed order sorted by priority (ties: equal priorities are added to the pool below).
    let mut tied = pool(&format!("soa-tied-{}", Uuid::new_v4().simple()));
    for hostname in ["ns-b.example.org.", "ns-a.example.org."] {
        tied.ns_records.push(PoolNsRecord {
            priority: 0,
            hostname: hostname.to_owned(),
        });
    }
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&tied).await.expect("pool");
    tx.commit().await.expect("commit");
    let listed = soa_by_listing(s, &current).await.expect("listed SOA");
    let mut tx = s.begin_read().await.expect("begin_read");
    for pool_id in [p.id, tied.id] {
        let mut ns = tx.get_pool_ns_records(pool_id).await.expect("ns records");
        ns.sort_by_key(|n| n.priority);
        let read = tx
            .zone_soa_records(current.id, Some(pool_id))
            .await
            .expect("zone_soa_records");
        assert_eq!(read.pool_mname.as_deref(), Some(ns[0].hostname.as_str()));
        let records: Vec<_> = read.records.iter().map(|r| r.record.clone()).collect();
        assert_eq!(records, listed.records);
        assert!(read.records.iter().all(|r| r.ttl == listed.ttl));
    }
    assert_eq!(
        tx.zone_soa_records(current.id, Some(Uuid::new_v4()))
            .await
            .expect("unknown pool")
            .pool_mname,
        None
    );
    let none = tx
        .zone_soa_records(current.id, None)
        .await
        .expect("no pool");
    assert_eq!((none.records.len(), none.pool_mname), (1, None));
    let bare_soa = tx
        .zone_soa_records(bare.id, Some(p.id))
        .await
        .expect("bare");
    assert!(bare_soa.records.is_empty() && bare_soa.pool_mname.is_none());
}
