//! Contract check of the many-zone forms a batch of recordset creates uses: each gives, per
//! element, what its single-zone form gives, and the writes change what the single writes do.

use super::*;
use crate::{JournalEntry, JournalOp};
use designate_core::objects::Quota;

/// `get_zone_rows`, `recordset_placements`, `recordset_quota_inputs_of`,
/// `zone_soa_records_of`, `rewrite_soa_records`, `bump_zone_rows`, `append_zone_journals`.
pub async fn batch_forms_agree(s: &dyn Storage) {
    let tenant = project();
    let p = pool(&format!("batch-pool-{}", Uuid::new_v4().simple()));
    let mut tx = s.begin().await.expect("begin");
    tx.create_pool(&p).await.expect("pool");
    tx.commit().await.expect("commit");
    let one = zone("batch-one.example.org.", &tenant, p.id);
    let two = zone("batch-two.example.org.", &tenant, p.id);
    let mut child = zone("sub.batch-one.example.org.", &tenant, p.id);
    child.parent_zone_id = Some(one.id);
    let bare = zone("batch-bare.example.org.", &tenant, p.id);
    for z in [&one, &two, &child, &bare] {
        create_zone(s, z).await;
    }
    for z in [&one, &two] {
        let soa = format!("ns1.example.org. admin.{} 1 3600 600 86400 3600", z.name);
        create_recordset(s, &recordset(z, &z.name, "SOA", &[&soa])).await;
    }
    let www = recordset(&one, "www.batch-one.example.org.", "A", &["192.0.2.1"]);
    let txt = recordset(&one, "www.batch-one.example.org.", "TXT", &["\"t\""]);
    let mail = recordset(
        &two,
        "mail.batch-two.example.org.",
        "A",
        &["192.0.2.2", "192.0.2.3"],
    );
    for rs in [&www, &txt, &mail] {
        create_recordset(s, rs).await;
    }
    let mut tx = s.begin().await.expect("begin");
    tx.set_quota(&Quota {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        tenant_id: tenant.clone(),
        resource: "zone_records".to_owned(),
        hard_limit: 70,
    })
    .await
    .expect("set_quota");
    tx.commit().await.expect("commit");

    let mut tx = s.begin().await.expect("begin");
    // Zones: ascending by id, each once, the missing one left out, as read one by one.
    let rows = tx
        .get_zone_rows(&[two.id, Uuid::new_v4(), one.id, two.id])
        .await
        .expect("get_zone_rows");
    let mut ids = vec![one.id, two.id];
    ids.sort();
    assert_eq!(rows.iter().map(|z| z.id).collect::<Vec<_>>(), ids);
    for z in &rows {
        assert_eq!(*z, tx.get_zone_row(z.id).await.expect("get_zone_row"));
    }

    // Placement facts, per name, as the single form reads them.
    let at = [
        (one.id, "WWW.batch-one.example.org."),
        (two.id, "nothing.batch-two.example.org."),
        (one.id, "mail.batch-one.example.org."),
        (two.id, "mail.batch-two.example.org."),
    ];
    let many = tx.recordset_placements(&at).await.expect("placements");
    assert_eq!(many.len(), at.len());
    for ((zone_id, name), mut got) in at.iter().zip(many) {
        let mut want = tx
            .recordset_placement(*zone_id, name)
            .await
            .expect("placement");
        got.at_name.sort();
        want.at_name.sort();
        assert_eq!(got, want, "{name}");
    }
    let first = tx.recordset_placements(&at[..1]).await.expect("placements");
    assert_eq!(first[0].at_name.len(), 2);
    assert_eq!(first[0].child_zones, ["sub.batch-one.example.org."]);

    // Quota inputs, per zone.
    let keys = [
        (one.id, tenant.as_str()),
        (bare.id, tenant.as_str()),
        (two.id, "someone-else"),
    ];
    let many = tx
        .recordset_quota_inputs_of(&keys)
        .await
        .expect("quota inputs");
    for ((zone_id, who), got) in keys.iter().zip(many) {
        let want = tx
            .recordset_quota_inputs(*zone_id, who)
            .await
            .expect("quota input");
        assert_eq!(got, want, "{zone_id} {who}");
    }

    // SOA records, per zone, with the MNAME of the pool named (or none).
    let keys = [(one.id, Some(p.id)), (two.id, None), (bare.id, Some(p.id))];
    let many = tx.zone_soa_records_of(&keys).await.expect("soa records");
    for ((zone_id, pool_id), got) in keys.iter().zip(&many) {
        let want = tx
            .zone_soa_records(*zone_id, *pool_id)
            .await
            .expect("soa record");
        assert_eq!(*got, want, "{zone_id}");
    }
    assert_eq!(many[0].pool_mname.as_deref(), Some("ns1.example.org."));
    assert_eq!((many[1].records.len(), &many[1].pool_mname), (1, &None));
    assert!(many[2].records.is_empty());

    // The SOA rewrites of two zones: data, hash and serial per record, versions moved.
    let stamp = now();
    let rewrites: Vec<Record> = many[..2]
        .iter()
        .map(|soa| {
            let mut r = soa.records[0].record.clone();
            r.data = r.data.replace(" 1 3600", " 2 3600");
            r.hash = record_hash(&r.recordset_id, &r.data);
            r.serial = 2;
            r.status = RecordStatus::Pending;
            r.action = Action::Update;
            r.updated_at = Some(stamp);
            r
        })
        .collect();
    tx.rewrite_soa_records(&rewrites)
        .await
        .expect("rewrite_soa_records");
    for (zone_id, want) in [one.id, two.id].into_iter().zip(&rewrites) {
        let got = tx.zone_soa_records(zone_id, None).await.expect("soa");
        let got = &got.records[0].record;
        assert_eq!(
            (&got.data, &got.hash, got.serial, got.version),
            (&want.data, &want.hash, 2, want.version + 1)
        );
        assert_eq!(
            (got.status, got.action),
            (RecordStatus::Pending, Action::Update)
        );
    }

    // The zones' serial bumps: versions checked, other columns as stored.
    let bumped: Vec<Zone> = rows
        .iter()
        .map(|z| Zone {
            serial: z.serial + 7,
            status: ZoneStatus::Pending,
            action: Action::Update,
            ..z.clone()
        })
        .collect();
    let stored = tx.bump_zone_rows(&bumped).await.expect("bump_zone_rows");
    for (want, got) in bumped.iter().zip(&stored) {
        assert_eq!(got.version, want.version + 1);
        let read = tx.get_zone_row(want.id).await.expect("get_zone_row");
        assert_eq!(
            (read.serial, read.status, read.action, read.version),
            (
                want.serial,
                ZoneStatus::Pending,
                Action::Update,
                want.version + 1
            )
        );
        assert_eq!(
            (&read.name, read.ttl, &read.email),
            (&want.name, want.ttl, &want.email)
        );
    }
    assert!(matches!(
        tx.bump_zone_rows(&bumped).await,
        Err(StorageError::Conflict(_))
    ));
    tx.commit().await.expect("commit");

    // One journal change for each of two zones, in one call.
    let entry = |serial, seq, op, name: &str| JournalEntry {
        serial,
        prev_serial: serial - 1,
        seq,
        op,
        name: name.to_owned(),
        rtype: "A".to_owned(),
        ttl: 3600,
        data: "192.0.2.9".to_owned(),
    };
    let changes = vec![
        (
            one.id,
            vec![
                entry(5, 0, JournalOp::Del, "a.batch-one.example.org."),
                entry(5, 1, JournalOp::Add, "b.batch-one.example.org."),
            ],
        ),
        (
            two.id,
            vec![entry(9, 0, JournalOp::Add, "c.batch-two.example.org.")],
        ),
    ];
    let mut tx = s.begin().await.expect("begin");
    tx.append_zone_journals(&changes)
        .await
        .expect("append_zone_journals");
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    for (zone_id, entries) in &changes {
        assert_eq!(&tx.zone_journal(*zone_id).await.expect("journal"), entries);
    }
}
