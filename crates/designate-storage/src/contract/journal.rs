//! Contract checks of the zone change journal: append, read back in order, prune by both
//! bounds, rollback with the change, removal with the zone.

use super::*;
use crate::{JournalEntry, JournalOp};

/// The rows of one change from `prev` to `serial`: old SOA out, `n` A records in, new SOA in.
fn change(prev: u32, serial: u32, n: u32) -> Vec<JournalEntry> {
    let soa = |s: u32| format!("ns1.example.org. hostmaster.example.org. {s} 3500 600 86400 3600");
    let row = |seq, op, rtype: &str, data: String| JournalEntry {
        serial,
        prev_serial: prev,
        seq,
        op,
        name: "journal.example.org.".to_owned(),
        rtype: rtype.to_owned(),
        ttl: 3600,
        data,
    };
    let mut out = vec![
        row(0, JournalOp::Del, "SOA", soa(prev)),
        row(1, JournalOp::Add, "SOA", soa(serial)),
    ];
    for i in 0..n {
        out.push(row(2 + i, JournalOp::Add, "A", format!("192.0.2.{i}")));
    }
    out
}

/// Append, read, prune, rollback and cascade of `designate_zone_journal`.
pub async fn zone_journal(s: &dyn Storage) {
    let z = zone("journal.example.org.", &project(), Uuid::new_v4());
    create_zone(s, &z).await;
    let base = z.serial;

    let mut tx = s.begin().await.expect("begin");
    for i in 0..5u32 {
        tx.append_zone_journal(z.id, &change(base + i, base + i + 1, i))
            .await
            .expect("append");
    }
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    let rows = tx.zone_journal(z.id).await.expect("journal");
    assert_eq!(rows.len(), 2 + 3 + 4 + 5 + 6);
    let expected: Vec<_> = (0..5u32)
        .flat_map(|i| change(base + i, base + i + 1, i))
        .collect();
    assert_eq!(rows, expected, "rows read back by serial then seq");
    // An IXFR from base + 1 to base + 3 reads those two changes alone; ranges that do not
    // lead forward read nothing.
    let after = tx
        .zone_journal_after(z.id, base + 1, base + 3)
        .await
        .expect("journal after");
    let want: Vec<_> = (1..3u32)
        .flat_map(|i| change(base + i, base + i + 1, i))
        .collect();
    assert_eq!(after, want);
    for (from, to) in [(base + 3, base + 3), (base + 3, base + 1)] {
        assert!(tx
            .zone_journal_after(z.id, from, to)
            .await
            .expect("empty")
            .is_empty());
    }
    drop(tx);

    // Serials wrapping past 2^32 - 1 between the two ends.
    let wrapped = zone("journal-wrap.example.org.", &project(), Uuid::new_v4());
    create_zone(s, &wrapped).await;
    let steps = [(u32::MAX - 1, u32::MAX), (u32::MAX, 1), (1, 2)];
    let mut tx = s.begin().await.expect("begin");
    for (i, (prev, serial)) in (0u32..).zip(steps) {
        tx.append_zone_journal(wrapped.id, &change(prev, serial, i))
            .await
            .expect("append");
    }
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    let all = tx.zone_journal(wrapped.id).await.expect("journal");
    for (from, to) in [
        (u32::MAX - 1, 2),
        (u32::MAX, 2),
        (u32::MAX - 1, u32::MAX),
        (1, 2),
    ] {
        let mut want: Vec<_> = all
            .iter()
            .filter(|e| crate::in_serial_range(e.serial, from, to))
            .cloned()
            .collect();
        want.sort_by_key(|e| (e.serial, e.seq));
        let got = tx
            .zone_journal_after(wrapped.id, from, to)
            .await
            .expect("journal after");
        assert_eq!(got, want, "({from}, {to}]");
        assert!(!got.is_empty());
    }
    drop(tx);

    // A rolled-back change leaves nothing behind.
    let mut tx = s.begin().await.expect("begin");
    tx.append_zone_journal(z.id, &change(base + 5, base + 6, 1))
        .await
        .expect("append");
    drop(tx);
    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.zone_journal(z.id).await.expect("journal").len(), 20);
    drop(tx);

    // Bounded by changes: the 3 newest stay.
    let mut tx = s.begin().await.expect("begin");
    let deleted = tx.prune_zone_journal(z.id, 3, 1000).await.expect("prune");
    assert_eq!(deleted, 2 + 3);
    assert_eq!(
        tx.prune_zone_journal(z.id, 3, 1000).await.expect("prune"),
        0
    );
    // Bounded by rows: 6 + 5 = 11 rows fit in 12, the third newest (4 rows) does not.
    assert_eq!(tx.prune_zone_journal(z.id, 10, 12).await.expect("prune"), 4);
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    let serials: Vec<u32> = tx
        .zone_journal(z.id)
        .await
        .expect("journal")
        .iter()
        .map(|e| e.serial)
        .collect();
    assert_eq!(serials, [vec![base + 4; 5], vec![base + 5; 6]].concat());
    drop(tx);

    // A newest change larger than the row bound empties the journal (AXFR for everyone).
    let mut tx = s.begin().await.expect("begin");
    assert_eq!(tx.prune_zone_journal(z.id, 10, 3).await.expect("prune"), 11);
    tx.append_zone_journal(z.id, &change(base + 5, base + 6, 0))
        .await
        .expect("append");
    tx.commit().await.expect("commit");

    // Deleting the zone takes its journal along.
    let mut tx = s.begin().await.expect("begin");
    tx.delete_zone(z.id).await.expect("delete_zone");
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    assert!(tx.zone_journal(z.id).await.expect("journal").is_empty());
}
