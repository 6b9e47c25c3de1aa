//! Contract check of zone transfer pages: every served record exactly once across pages, SOA
//! and records being deleted left out, other zones' records never included.

use std::collections::BTreeSet;

use super::*;

/// Pages of 7 over a zone of 40 records (plus SOA, a deleted record and another zone).
pub async fn zone_transfer_pages(s: &dyn Storage) {
    let tenant = project();
    let z = zone("transfer.example.org.", &tenant, Uuid::new_v4());
    let other = zone("other-transfer.example.org.", &tenant, Uuid::new_v4());
    let mut sets = vec![recordset(
        &z,
        "transfer.example.org.",
        "SOA",
        &["ns1.example.org. hostmaster.example.org. 1 2 3 4 5"],
    )];
    let mut expected = BTreeSet::new();
    for i in 0..20 {
        let name = format!("h{i}.transfer.example.org.");
        let (a, b) = (format!("192.0.2.{i}"), format!("198.51.100.{i}"));
        let mut rs = recordset(&z, &name, "A", &[&a, &b]);
        if i == 3 {
            rs.ttl = Some(60);
        }
        expected.insert((name.clone(), a, if i == 3 { Some(60) } else { None }));
        expected.insert((name, b, if i == 3 { Some(60) } else { None }));
        sets.push(rs);
    }
    let mut deleting = recordset(&z, "gone.transfer.example.org.", "A", &["192.0.2.99"]);
    deleting.records[0].action = Action::Delete;
    sets.push(deleting);
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(&z).await.expect("zone");
    tx.create_zone(&other).await.expect("other zone");
    for rs in &sets {
        tx.create_recordset(rs).await.expect("recordset");
    }
    tx.create_recordset(&recordset(
        &other,
        "x.other-transfer.example.org.",
        "A",
        &["192.0.2.1"],
    ))
    .await
    .expect("other recordset");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    let mut seen = BTreeSet::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = tx
            .zone_transfer_page(z.id, after, 7)
            .await
            .expect("transfer page");
        pages += 1;
        assert!(page.len() <= 7);
        for r in &page {
            assert!(
                after.is_none_or(|a| r.cursor() > a),
                "pages go forward by (recordset, record)"
            );
            assert_eq!(r.rtype, "A");
            assert!(
                seen.insert((r.name.clone(), r.data.clone(), r.ttl)),
                "{r:?} twice"
            );
            after = Some(r.cursor());
        }
        if page.len() < 7 {
            break;
        }
    }
    assert_eq!(seen, expected);
    assert_eq!(pages, 6, "40 records in pages of 7");
}
