//! Concurrent changes to one zone: every change lands, serials never collide or go backwards.

mod common;

use std::collections::BTreeSet;
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
    let mut record_serials = BTreeSet::new();
    for task in tasks {
        let rs = task
            .await
            .unwrap()
            .expect("every concurrent create succeeds");
        record_serials.insert(rs.records[0].serial);
    }
    assert_eq!(record_serials.len(), 50, "each change got its own serial");

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
    // Every change was cast, the last one with the final serial.
    let casts = h.worker.take();
    assert_eq!(casts.len(), 51);
    assert_eq!(
        casts.iter().map(|(_, z)| z.serial).max(),
        Some(final_zone.serial)
    );
}
