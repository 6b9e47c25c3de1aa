//! Contract checks of zone imports / exports (`zone_tasks`) and of bulk recordset inserts.

use designate_core::objects::{TaskStatus, TaskType, ZoneTaskRow};

use super::*;

fn task(tenant: &str, zone_id: Option<Uuid>, task_type: TaskType) -> ZoneTaskRow {
    ZoneTaskRow {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        tenant_id: Some(tenant.to_owned()),
        zone_id,
        task_type,
        message: None,
        status: TaskStatus::Pending,
        location: None,
    }
}

/// Zone tasks: create, get, find by type / status / zone / project with pagination, update
/// (version-checked), delete, not found; a task of a hard-deleted zone goes with it.
pub async fn zone_task_crud(s: &dyn Storage) {
    let tenant = project();
    let z = zone(
        &format!("tasks{tenant}.example.org."),
        &tenant,
        Uuid::new_v4(),
    );
    create_zone(s, &z).await;
    let export = task(&tenant, Some(z.id), TaskType::Export);
    let import = task(&tenant, None, TaskType::Import);
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone_task(&export).await.expect("create export");
    tx.create_zone_task(&import).await.expect("create import");
    tx.commit().await.expect("commit");

    let mut tx = s.begin_read().await.expect("begin_read");
    assert_eq!(tx.get_zone_task(export.id).await.expect("get"), export);
    assert_eq!(tx.get_zone_task(import.id).await.expect("get"), import);
    let mine = Criteria::new().eq("tenant_id", tenant.clone());
    let exports = tx
        .find_zone_tasks(&mine.clone().eq("task_type", "EXPORT"), &Page::default())
        .await
        .expect("find exports");
    assert_eq!(exports.items, vec![export.clone()]);
    assert_eq!(exports.total_count, 1);
    let by_zone = tx
        .find_zone_tasks(
            &mine.clone().eq("zone_id", z.id.to_string()),
            &Page::default(),
        )
        .await
        .expect("find by zone");
    assert_eq!(by_zone.items, vec![export.clone()]);
    let none = tx
        .find_zone_tasks(&mine.clone().eq("status", "BOGUS"), &Page::default())
        .await
        .expect("a value outside the enum matches nothing");
    assert!(none.items.is_empty());
    let page = Page {
        limit: Some(1),
        sort_key: "id".to_owned(),
        ..Page::default()
    };
    let first = tx.find_zone_tasks(&mine, &page).await.expect("page 1");
    assert_eq!((first.items.len(), first.total_count), (1, 2));
    let second = tx
        .find_zone_tasks(
            &mine,
            &Page {
                marker: Some(first.items[0].id),
                ..page.clone()
            },
        )
        .await
        .expect("page 2");
    assert_eq!(second.items.len(), 1);
    assert_ne!(second.items[0].id, first.items[0].id);
    assert!(matches!(
        tx.get_zone_task(Uuid::new_v4()).await,
        Err(StorageError::NotFound("zone_task"))
    ));
    drop(tx);

    // Update: version-checked, every field rewritten.
    let mut tx = s.begin().await.expect("begin");
    let mut done = export.clone();
    done.status = TaskStatus::Complete;
    done.location = Some(format!(
        "designate://v2/zones/tasks/exports/{}/export",
        done.id
    ));
    done.message = Some("m".repeat(160));
    let stored = tx.update_zone_task(&done).await.expect("update");
    assert_eq!(stored.version, 2);
    assert_eq!(stored.status, TaskStatus::Complete);
    assert_eq!(stored.location, done.location);
    assert_eq!(stored.message, done.message);
    assert!(stored.updated_at.is_some());
    assert!(matches!(
        tx.update_zone_task(&done).await,
        Err(StorageError::Conflict("zone_task"))
    ));
    let mut ghost = done.clone();
    ghost.id = Uuid::new_v4();
    assert!(matches!(
        tx.update_zone_task(&ghost).await,
        Err(StorageError::NotFound("zone_task"))
    ));
    let mut imported = import.clone();
    imported.zone_id = Some(z.id);
    imported.status = TaskStatus::Error;
    let imported = tx.update_zone_task(&imported).await.expect("update import");
    assert_eq!(imported.zone_id, Some(z.id));
    tx.commit().await.expect("commit");

    // Delete; the zone's hard delete takes its remaining tasks along.
    let mut tx = s.begin().await.expect("begin");
    tx.delete_zone_task(export.id).await.expect("delete");
    assert!(matches!(
        tx.delete_zone_task(export.id).await,
        Err(StorageError::NotFound("zone_task"))
    ));
    tx.delete_zone(z.id).await.expect("delete zone");
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    assert!(matches!(
        tx.get_zone_task(import.id).await,
        Err(StorageError::NotFound("zone_task"))
    ));
}

/// Bulk insert: many recordsets with their records in one call, read back intact; a duplicate
/// among them fails the call.
pub async fn recordsets_in_bulk(s: &dyn Storage) {
    let tenant = project();
    let z = zone(
        &format!("bulk{tenant}.example.org."),
        &tenant,
        Uuid::new_v4(),
    );
    create_zone(s, &z).await;
    let sets: Vec<RecordSet> = (0..1_200)
        .map(|i| {
            let name = format!("h{i}.{}", z.name);
            let a = format!("192.0.2.{}", i % 250);
            let b = format!("198.51.100.{}", i % 250);
            recordset(&z, &name, "A", &[a.as_str(), b.as_str()])
        })
        .collect();
    let mut tx = s.begin().await.expect("begin");
    tx.create_recordsets(&sets)
        .await
        .expect("create_recordsets");
    tx.commit().await.expect("commit");
    let mut tx = s.begin_read().await.expect("begin_read");
    let stored = tx.zone_recordsets(z.id).await.expect("zone_recordsets");
    assert_eq!(stored.len(), sets.len());
    assert_eq!(tx.zone_records(z.id).await.expect("records").len(), 2_400);
    let sample = tx.get_recordset(sets[777].id).await.expect("get");
    assert_eq!(by_data(sample), by_data(sets[777].clone()));
    drop(tx);

    let mut tx = s.begin().await.expect("begin");
    let again = vec![
        recordset(&z, &format!("fresh.{}", z.name), "A", &["192.0.2.1"]),
        recordset(&z, &sets[0].name, "A", &["192.0.2.200"]),
    ];
    assert!(matches!(
        tx.create_recordsets(&again).await,
        Err(StorageError::Duplicate("recordset"))
    ));
}
