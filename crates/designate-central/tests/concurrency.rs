//! Concurrent changes to one zone: every change lands, serials never go backwards, and a serial
//! shared by creates batched together names exactly their content.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::*;
use designate_bus::CentralApi;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_recordset_creates_all_land() {
    let h = Arc::new(harness().await);
    let c = ctx("p1");
    let zone = h
        .central
        .create_zone(&c, new_zone("example.org."))
        .await
        .unwrap();

    let mut tasks = Vec::new();
    for i in 0..50 {
        let h = h.clone();
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            let name = format!("host{i}.example.org.");
            let data = format!("192.0.2.{}", i + 1);
            h.central
                .create_recordset(&c, zone.id, new_rs(&name, "A", &[data.as_str()]))
                .await
        }));
    }
    // Creates that arrive together share a transaction and so a serial; each serial still
    // names one content: the journal change ending at it adds exactly the creates given it.
    let mut by_serial: BTreeMap<u32, BTreeSet<(String, String, String)>> = BTreeMap::new();
    for task in tasks {
        let rs = task
            .await
            .unwrap()
            .expect("every concurrent create succeeds");
        by_serial.entry(rs.records[0].serial).or_default().insert((
            rs.name.clone(),
            rs.rtype.clone(),
            rs.records[0].data.clone(),
        ));
    }
    assert_eq!(by_serial.values().map(BTreeSet::len).sum::<usize>(), 50);
    for (serial, creates) in &by_serial {
        assert_eq!(
            journal_adds(&h, zone.id, *serial).await.as_ref(),
            Some(creates),
            "serial {serial} names exactly the creates given it"
        );
    }
    let record_serials: BTreeSet<u32> = by_serial.keys().copied().collect();
    let final_zone = stored_zone(&h, zone.id).await;
    assert!(record_serials.iter().all(|s| *s <= final_zone.serial));
    assert!(final_zone.serial > zone.serial);
    assert_eq!(*record_serials.last().unwrap(), final_zone.serial);
    let recordsets = stored_recordsets(&h, zone.id).await;
    assert_eq!(recordsets.len(), 52, "50 + SOA + NS");
    for rs in &recordsets {
        for r in &rs.records {
            assert!(r.serial <= final_zone.serial);
        }
    }
    let soa = recordsets.iter().find(|r| r.rtype == "SOA").unwrap();
    assert!(soa.records[0]
        .data
        .contains(&format!(" {} ", final_zone.serial)));
    // Every commit was cast (the zone's, then one per serial), the last with the final serial.
    let casts = h.worker.take();
    assert_eq!(casts.len(), 1 + record_serials.len());
    assert_eq!(
        casts.iter().map(|(_, z)| z.serial).max(),
        Some(final_zone.serial)
    );
}
