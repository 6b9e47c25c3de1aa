//! Contract checks of zones: CRUD, soft delete, duplicates, criteria and pagination.

use super::*;

/// Zones: create, get, soft delete, update, hard delete.
pub async fn zone_crud(s: &dyn Storage) {
    let pool_id = Uuid::new_v4();
    let z = zone("crud.example.org.", &project(), pool_id);
    create_zone(s, &z).await;

    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.get_zone(z.id).await.expect("get_zone"), z);
    assert_eq!(tx.get_zone_any(z.id).await.expect("get_zone_any"), z);
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let mut changed = z.clone();
    changed.serial = 1_700_000_500;
    changed.status = ZoneStatus::Active;
    changed.action = Action::None;
    changed.description = Some("changed".to_owned());
    changed.delayed_notify = true;
    let stored = tx.update_zone(&changed).await.expect("update_zone");
    assert_eq!(stored.version, 2);
    assert!(stored.updated_at.is_some());
    assert_eq!(stored.serial, 1_700_000_500);
    assert_eq!(stored.status, ZoneStatus::Active);
    assert_eq!(stored.description.as_deref(), Some("changed"));
    assert!(stored.delayed_notify);
    assert_eq!(stored.created_at, z.created_at);

    // Soft delete: hidden from get_zone / find_zones, still there for get_zone_any.
    let mut gone = stored.clone();
    gone.deleted = z.id.simple().to_string();
    gone.deleted_at = Some(now());
    gone.status = ZoneStatus::Deleted;
    tx.update_zone(&gone).await.expect("soft delete");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    assert!(matches!(
        tx.get_zone(z.id).await,
        Err(StorageError::NotFound("zone"))
    ));
    let any = tx.get_zone_any(z.id).await.expect("get_zone_any");
    assert_eq!(any.version, 3);
    assert_eq!(any.deleted, z.id.simple().to_string());
    let found = tx
        .find_zones(
            &Criteria::new().eq("name", "crud.example.org."),
            &Page::default(),
        )
        .await
        .expect("find_zones");
    assert!(found.items.iter().all(|f| f.id != z.id));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    tx.delete_zone(z.id).await.expect("delete_zone");
    assert!(matches!(
        tx.get_zone_any(z.id).await,
        Err(StorageError::NotFound("zone"))
    ));
    assert!(matches!(
        tx.delete_zone(z.id).await,
        Err(StorageError::NotFound("zone"))
    ));
    tx.commit().await.expect("commit");
}

/// Unique (name, deleted, pool_id): a live duplicate fails, a soft-deleted one does not block.
pub async fn zone_duplicates(s: &dyn Storage) {
    let pool_id = Uuid::new_v4();
    let tenant = project();
    let z = zone("dup.example.org.", &tenant, pool_id);
    create_zone(s, &z).await;

    let mut tx = s.begin().await.expect("begin");
    let again = zone("dup.example.org.", &tenant, pool_id);
    assert!(matches!(
        tx.create_zone(&again).await,
        Err(StorageError::Duplicate("zone"))
    ));
    drop(tx);

    // Same name in another pool is fine.
    create_zone(s, &zone("dup.example.org.", &tenant, Uuid::new_v4())).await;

    let mut tx = s.begin().await.expect("begin");
    let mut gone = tx.get_zone(z.id).await.expect("get_zone");
    gone.deleted = z.id.to_string();
    tx.update_zone(&gone).await.expect("soft delete");
    tx.create_zone(&again)
        .await
        .expect("create after soft delete");
    tx.commit().await.expect("commit");
}

/// Filters: Eq, Ne, Wildcard (with `%` / `_` taken literally), IsNull; unknown columns and
/// sort keys are refused.
pub async fn zone_criteria(s: &dyn Storage) {
    let tenant = project();
    let other = project();
    let pool_id = Uuid::new_v4();
    let mut a = zone("a.crit.org.", &tenant, pool_id);
    a.description = Some("100% real".to_owned());
    let b = zone("b.crit.org.", &tenant, pool_id);
    let c = zone("c_x.crit.org.", &tenant, pool_id);
    let d = zone("cax.crit.org.", &tenant, pool_id);
    let e = zone("e.crit.org.", &other, pool_id);
    for z in [&a, &b, &c, &d, &e] {
        create_zone(s, z).await;
    }
    let mut tx = s.begin_read().await.expect("begin_read");
    let t = || Criteria::new().eq("tenant_id", tenant.clone());
    assert_eq!(names(tx.as_mut(), t()).await.len(), 4);
    assert_eq!(
        names(tx.as_mut(), t().eq("name", "b.crit.org.")).await,
        ["b.crit.org."]
    );
    assert_eq!(
        names(
            tx.as_mut(),
            t().with("name", Filter::Ne("b.crit.org.".into()))
        )
        .await,
        ["a.crit.org.", "c_x.crit.org.", "cax.crit.org."]
    );
    assert_eq!(
        names(
            tx.as_mut(),
            Criteria::new().with("name", Filter::Wildcard("*.crit.org.".into()))
        )
        .await,
        [
            "a.crit.org.",
            "b.crit.org.",
            "c_x.crit.org.",
            "cax.crit.org.",
            "e.crit.org."
        ]
    );
    // `_` is literal, not "any character".
    assert_eq!(
        names(
            tx.as_mut(),
            Criteria::new().with("name", Filter::Wildcard("c_*".into()))
        )
        .await,
        ["c_x.crit.org."]
    );
    assert_eq!(
        names(
            tx.as_mut(),
            Criteria::new().with("description", Filter::Wildcard("100%*".into()))
        )
        .await,
        ["a.crit.org."]
    );
    assert!(names(
        tx.as_mut(),
        Criteria::new().with("description", Filter::Wildcard("10*0%".into()))
    )
    .await
    .is_empty());
    assert_eq!(
        names(tx.as_mut(), t().with("description", Filter::IsNull)).await,
        ["b.crit.org.", "c_x.crit.org.", "cax.crit.org."]
    );
    // Enum columns: a value outside the enum matches nothing (no error on any engine), and
    // wildcards work on them too.
    assert_eq!(
        names(tx.as_mut(), t().eq("status", "PENDING")).await.len(),
        4
    );
    assert!(names(tx.as_mut(), t().eq("status", "BOGUS"))
        .await
        .is_empty());
    assert_eq!(
        names(tx.as_mut(), t().with("status", Filter::Ne("BOGUS".into())))
            .await
            .len(),
        4
    );
    assert_eq!(
        names(
            tx.as_mut(),
            t().with("type", Filter::Wildcard("PRIM*".into()))
        )
        .await
        .len(),
        4
    );
    // Typed columns take their values as strings.
    assert_eq!(names(tx.as_mut(), t().eq("ttl", "3600")).await.len(), 4);
    assert_eq!(
        names(tx.as_mut(), t().eq("pool_id", pool_id.to_string()))
            .await
            .len(),
        4
    );
    assert_eq!(
        names(tx.as_mut(), t().eq("id", a.id.to_string())).await,
        ["a.crit.org."]
    );

    let bad = |col: &str| Criteria::new().eq(col, "x");
    for col in ["nope", "name; DROP TABLE zones; --", "zones.name", ""] {
        let r = tx.find_zones(&bad(col), &Page::default()).await;
        assert!(
            matches!(r, Err(StorageError::InvalidCriteria(_))),
            "{col:?}: {r:?}"
        );
    }
    let r = tx
        .find_zones(&Criteria::new().eq("ttl", "abc"), &Page::default())
        .await;
    assert!(matches!(r, Err(StorageError::InvalidCriteria(_))), "{r:?}");
    let r = tx
        .find_zones(
            &Criteria::new().with("ttl", Filter::Wildcard("3*".into())),
            &Page::default(),
        )
        .await;
    assert!(matches!(r, Err(StorageError::InvalidCriteria(_))), "{r:?}");
    let page = Page {
        sort_key: "name DESC; --".to_owned(),
        ..Page::default()
    };
    assert!(matches!(
        tx.find_zones(&Criteria::new(), &page).await,
        Err(StorageError::InvalidSortKey(_))
    ));
}

/// Sorted names of the zones matching `crit`.
async fn names(tx: &mut dyn crate::StorageTx, crit: Criteria) -> Vec<String> {
    let mut n: Vec<String> = tx
        .find_zones(&crit, &Page::default())
        .await
        .expect("find_zones")
        .items
        .into_iter()
        .map(|z| z.name)
        .collect();
    n.sort();
    n
}

/// Walks every page of `criteria` sorted by `key`/`dir` with page size `limit`; checks
/// total_count on each page.
async fn walk(
    s: &dyn Storage,
    criteria: &Criteria,
    key: &str,
    dir: SortDir,
    limit: u32,
    total: u64,
) -> Vec<Zone> {
    let mut tx = s.begin_read().await.expect("begin_read");
    let mut out = Vec::new();
    let mut marker = None;
    loop {
        let page = Page {
            marker,
            limit: Some(limit),
            sort_key: key.to_owned(),
            sort_dir: dir,
        };
        let l = tx.find_zones(criteria, &page).await.expect("find_zones");
        assert_eq!(l.total_count, total);
        assert!(l.items.len() <= limit as usize);
        let Some(last) = l.items.last() else { break };
        marker = Some(last.id);
        let n = l.items.len();
        out.extend(l.items);
        if n < limit as usize {
            break;
        }
        assert!(out.len() <= total as usize, "pagination does not end");
    }
    out
}

/// Marker pagination, sort keys and directions (NULLs and ties included), total_count, and
/// the unknown-marker error.
pub async fn zone_pagination(s: &dyn Storage) {
    let tenant = project();
    let pool_id = Uuid::new_v4();
    let mut all = Vec::new();
    for (i, n) in ["p5", "p1", "p7", "p3", "p2", "p6", "p4"]
        .iter()
        .enumerate()
    {
        let mut z = zone(&format!("{n}.page.org."), &tenant, pool_id);
        // Ties on ttl, and NULL descriptions on some rows.
        z.ttl = if i % 2 == 0 { 300 } else { 600 };
        z.description = (i % 3 != 0).then(|| format!("d{}", 7 - i));
        create_zone(s, &z).await;
        all.push(z);
    }
    let crit = Criteria::new().eq("tenant_id", tenant.clone());

    let asc = walk(s, &crit, "name", SortDir::Asc, 3, 7).await;
    let names: Vec<_> = asc.iter().map(|z| z.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "p1.page.org.",
            "p2.page.org.",
            "p3.page.org.",
            "p4.page.org.",
            "p5.page.org.",
            "p6.page.org.",
            "p7.page.org."
        ]
    );
    let desc = walk(s, &crit, "name", SortDir::Desc, 2, 7).await;
    let mut rev: Vec<_> = desc.iter().map(|z| z.name.as_str()).collect();
    rev.reverse();
    assert_eq!(rev, names);

    for key in ["ttl", "description", "created_at", "updated_at", "id"] {
        for dir in [SortDir::Asc, SortDir::Desc] {
            for limit in [1, 2, 3, 7, 10] {
                let got = walk(s, &crit, key, dir, limit, 7).await;
                let mut ids: Vec<_> = got.iter().map(|z| z.id).collect();
                assert_eq!(ids.len(), 7, "{key} {dir:?} {limit}");
                ids.sort();
                ids.dedup();
                assert_eq!(ids.len(), 7, "{key} {dir:?} {limit}: duplicates");
                if key == "ttl" {
                    // Ties are broken by id in the same direction.
                    for w in got.windows(2) {
                        let ord = (w[0].ttl, w[0].id).cmp(&(w[1].ttl, w[1].id));
                        let want = if dir == SortDir::Asc {
                            std::cmp::Ordering::Less
                        } else {
                            std::cmp::Ordering::Greater
                        };
                        assert_eq!(ord, want);
                    }
                }
                if key == "description" {
                    // NULLs first ascending, last descending.
                    let nulls: Vec<bool> = got.iter().map(|z| z.description.is_none()).collect();
                    let mut sorted = nulls.clone();
                    sorted.sort_by_key(|n| if dir == SortDir::Asc { !n } else { *n });
                    assert_eq!(nulls, sorted, "{dir:?} {limit}");
                }
            }
        }
    }

    let mut tx = s.begin_read().await.expect("begin_read");
    let page = Page {
        limit: Some(2),
        ..Page::default()
    };
    let first = tx.find_zones(&crit, &page).await.expect("find_zones");
    assert_eq!((first.items.len(), first.total_count), (2, 7));
    let page = Page {
        marker: Some(Uuid::new_v4()),
        ..Page::default()
    };
    assert!(matches!(
        tx.find_zones(&crit, &page).await,
        Err(StorageError::NotFound("marker"))
    ));
}

/// Zone and recordset names match whatever their case, as DNS names do (RFC 4343), while they
/// are stored and returned as given; upstream gets this from MySQL's collation.
pub async fn names_ignore_case(s: &dyn Storage) {
    let tenant = project();
    let z = zone("MiXed-Case.Example.", &tenant, Uuid::new_v4());
    create_zone(s, &z).await;
    let www = recordset(&z, "WWW.MiXed-Case.Example.", "A", &["192.0.2.7"]);
    create_recordset(s, &www).await;

    let mut tx = s.begin_read().await.expect("begin_read");
    for asked in [
        "mixed-case.example.",
        "MIXED-CASE.EXAMPLE.",
        "MiXed-Case.Example.",
    ] {
        assert_eq!(
            names(tx.as_mut(), Criteria::new().eq("name", asked)).await,
            ["MiXed-Case.Example."],
            "{asked}"
        );
    }
    assert_eq!(
        names(
            tx.as_mut(),
            Criteria::new().with("name", Filter::Wildcard("*-case.EXAMPLE.".into()))
        )
        .await,
        ["MiXed-Case.Example."]
    );
    assert!(names(
        tx.as_mut(),
        Criteria::new()
            .eq("tenant_id", tenant.clone())
            .with("name", Filter::Ne("mixed-case.example.".into()))
    )
    .await
    .is_empty());
    let found = tx
        .find_recordsets(
            &Criteria::new()
                .eq("zone_id", z.id.to_string())
                .eq("name", "www.mixed-case.example."),
            &Page::default(),
        )
        .await
        .expect("find_recordsets");
    assert_eq!(
        found
            .items
            .iter()
            .map(|r| r.name.as_str())
            .collect::<Vec<_>>(),
        ["WWW.MiXed-Case.Example."]
    );
}

/// The live zones a listing counts: a project's unfiltered listing and the all-projects one are
/// read from the counters the triggers on `zones` keep; each must agree with a filtered count
/// (which counts the rows) after creates, a soft delete, a move to another project, an undelete
/// and a hard delete of a live zone (abandon), and for zones without a project.
pub async fn project_zone_counts(s: &dyn Storage) {
    let (a, b) = (project(), project());
    let pool_id = Uuid::new_v4();
    let tag = a.clone();
    let zones: Vec<Zone> = (0..4)
        .map(|i| zone(&format!("z{i}.{tag}.count.example."), &a, pool_id))
        .collect();
    for z in &zones {
        create_zone(s, z).await;
    }
    let mut orphan = zone(&format!("orphan.{tag}.count.example."), "", pool_id);
    orphan.tenant_id = None;
    create_zone(s, &orphan).await;

    let (in_a, in_b, all) = zone_counts(s, &a, &b).await;
    assert_eq!((in_a, in_b), (4, 0));

    let mut tx = s.begin().await.expect("begin");
    // Soft delete one zone, move another to b, leave a status-only change alone.
    let mut gone = tx.get_zone(zones[0].id).await.expect("get_zone");
    gone.deleted = gone.id.simple().to_string();
    gone.deleted_at = Some(now());
    gone.status = ZoneStatus::Deleted;
    tx.update_zone(&gone).await.expect("soft delete");
    let mut moved = tx.get_zone(zones[1].id).await.expect("get_zone");
    moved.tenant_id = Some(b.clone());
    tx.update_zone(&moved).await.expect("move");
    let mut active = tx.get_zone(zones[2].id).await.expect("get_zone");
    active.status = ZoneStatus::Active;
    tx.update_zone(&active).await.expect("status");
    // Abandon: a live zone goes for good.
    tx.delete_zone(zones[3].id).await.expect("delete_zone");
    tx.commit().await.expect("commit");
    assert_eq!(zone_counts(s, &a, &b).await, (1, 1, all - 2));

    // A rollback leaves the counters as they were.
    let mut tx = s.begin().await.expect("begin");
    tx.delete_zone(zones[2].id).await.expect("delete_zone");
    drop(tx);
    assert_eq!(zone_counts(s, &a, &b).await, (1, 1, all - 2));

    // Purging the soft-deleted zone changes nothing; the orphan's hard delete counts.
    let mut tx = s.begin().await.expect("begin");
    tx.delete_zone(zones[0].id).await.expect("purge");
    tx.delete_zone(orphan.id).await.expect("delete orphan");
    tx.commit().await.expect("commit");
    assert_eq!(zone_counts(s, &a, &b).await, (1, 1, all - 3));
}

/// `total_count` of one-item zone listings: projects `a`, `b` and all projects, as read from
/// the counters, checked against the same listings with a `name = *` filter (which counts rows).
async fn zone_counts(s: &dyn Storage, a: &str, b: &str) -> (u64, u64, u64) {
    let mut tx = s.begin_read().await.expect("begin_read");
    let page = Page {
        limit: Some(1),
        ..Page::default()
    };
    let listings = [
        Criteria::new().eq("tenant_id", a),
        Criteria::new().eq("tenant_id", b),
        Criteria::new(),
    ];
    let mut read = Vec::new();
    for criteria in listings {
        let counted = criteria
            .clone()
            .with("name", Filter::Wildcard("*".to_owned()));
        let what = format!("{criteria:?}");
        let mut total = Vec::new();
        for c in [criteria, counted] {
            total.push(
                tx.find_zones(&c, &page)
                    .await
                    .expect("find_zones")
                    .total_count,
            );
        }
        assert_eq!(
            total[0], total[1],
            "counter against counted rows for {what}"
        );
        read.push(total[0]);
    }
    (read[0], read[1], read[2])
}

/// A listing of more zones than one `IN (…)` list holds (the nameserver's sync reads every
/// zone at once: 100,000 of them overflowed SQLite's limit on bound values) comes back whole,
/// each zone with its own attributes and masters whichever chunk it fell in.
pub async fn zone_listing_in_chunks(s: &dyn Storage) {
    let tenant = project();
    let pool_id = Uuid::new_v4();
    let mut tx = s.begin().await.expect("begin");
    let mut made = Vec::new();
    for i in 0..1_100 {
        let mut z = zone(&format!("z{i}.{tenant}.chunks.example."), &tenant, pool_id);
        if i % 400 == 7 {
            z.attributes.insert("tier".to_owned(), format!("t{i}"));
        }
        if i % 450 == 11 {
            z.zone_type = ZoneType::Secondary;
            z.masters = vec![designate_core::objects::ZoneMaster {
                host: format!("192.0.2.{}", i % 250),
                port: 5300,
            }];
        }
        tx.create_zone(&z).await.expect("create_zone");
        made.push(z);
    }
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    let criteria = Criteria::new().eq("tenant_id", tenant.as_str());
    let listed = tx
        .find_zones(&criteria, &Page::default())
        .await
        .expect("find_zones");
    assert_eq!((listed.items.len(), listed.total_count), (1_100, 1_100));
    let uncounted = tx
        .find_zones_uncounted(&criteria, &Page::default())
        .await
        .expect("find_zones_uncounted");
    assert_eq!(uncounted, listed.items);
    let by_id: std::collections::HashMap<Uuid, &Zone> =
        listed.items.iter().map(|z| (z.id, z)).collect();
    for z in &made {
        let got = by_id[&z.id];
        assert_eq!(got.attributes, z.attributes, "attributes of {}", z.name);
        assert_eq!(got.masters, z.masters, "masters of {}", z.name);
    }
}
