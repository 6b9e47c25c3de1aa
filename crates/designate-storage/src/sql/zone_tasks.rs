//! The `zone_tasks` table ↔ [`ZoneTaskRow`] (upstream's zone imports and exports). Columns
//! `task_type` and `status` are enums on PostgreSQL (`task_types`,
//! `zone_tasks_resource_statuses`) and MySQL; text binds untyped there, so no cast is needed.

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::ZoneTaskRow;
use uuid::Uuid;

use super::codec::RowReader;
use super::listing::{col, push_criteria, push_page, Kind, Table};
use super::query::{Conn, Sql, Val};
use super::zones::exists;
use crate::{Result, StorageError};

/// Columns of `zone_tasks`, in upstream's order; also the filter and sort allow-list.
static ZONE_TASKS: Table = Table {
    name: "zone_tasks",
    cols: &[
        col("id", Kind::Uuid, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("version", Kind::Int, false),
        col("tenant_id", Kind::Text, true),
        col("zone_id", Kind::Uuid, true),
        col("task_type", Kind::Enum, true),
        col("message", Kind::Text, true),
        col("status", Kind::Enum, false),
        col("location", Kind::Text, true),
    ],
};

/// The values of the columns from `tenant_id` on, in [`ZONE_TASKS`] order.
fn data_values(t: &ZoneTaskRow) -> Vec<Val> {
    vec![
        t.tenant_id.clone().into(),
        t.zone_id.into(),
        t.task_type.as_str().into(),
        t.message.clone().into(),
        t.status.as_str().into(),
        t.location.clone().into(),
    ]
}

fn from_row(row: &super::query::Row) -> Result<ZoneTaskRow> {
    let r = RowReader::new(row, "zone_tasks");
    Ok(ZoneTaskRow {
        id: r.uuid("id")?,
        version: r.int_as("version")?,
        created_at: r.created_at()?,
        updated_at: r.opt_ts("updated_at")?,
        tenant_id: r.opt_text("tenant_id")?,
        zone_id: r.opt_uuid("zone_id")?,
        task_type: r.parse("task_type")?,
        message: r.opt_text("message")?,
        status: r.parse("status")?,
        location: r.opt_text("location")?,
    })
}

/// Inserts a row.
pub(crate) async fn create(conn: &mut Conn, t: &ZoneTaskRow) -> Result<()> {
    let names: Vec<&str> = ZONE_TASKS.cols.iter().map(|c| c.name).collect();
    let mut values: Vec<Val> = vec![
        t.id.into(),
        t.created_at.into(),
        t.updated_at.into(),
        t.version.into(),
    ];
    values.extend(data_values(t));
    Sql::insert("zone_tasks", &names, values)
        .execute(conn)
        .await?;
    Ok(())
}

/// A row by id.
pub(crate) async fn get(conn: &mut Conn, id: Uuid) -> Result<ZoneTaskRow> {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM zone_tasks t WHERE t.id = ",
        ZONE_TASKS.select_list("t")
    ));
    q.bind(id);
    match q.fetch_optional(conn).await? {
        Some(row) => from_row(&row),
        None => Err(StorageError::NotFound("zone_task")),
    }
}

/// One page of rows matching `criteria`, with the total count.
pub(crate) async fn find(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
) -> Result<Listing<ZoneTaskRow>> {
    let head = |select: &str| Sql::new(&format!("SELECT {select} FROM zone_tasks t WHERE 1 = 1"));
    let mut count = head("COUNT(*)");
    push_criteria(&mut count, conn.engine(), &ZONE_TASKS, "t", criteria, None)?;
    let total_count = count.fetch_count(conn).await?;
    let mut q = head(&ZONE_TASKS.select_list("t"));
    push_criteria(&mut q, conn.engine(), &ZONE_TASKS, "t", criteria, None)?;
    push_page(&mut q, conn, &ZONE_TASKS, "t", page).await?;
    let items = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing { items, total_count })
}

/// Version-checked rewrite of every column but id and created_at; stores `version + 1` and
/// `updated_at = now`. Returns the stored row.
pub(crate) async fn update(conn: &mut Conn, t: &ZoneTaskRow) -> Result<ZoneTaskRow> {
    let mut q = Sql::new("UPDATE zone_tasks SET version = ");
    q.bind(t.version.saturating_add(1))
        .push(", updated_at = ")
        .bind(chrono::Utc::now().naive_utc());
    for (c, v) in ZONE_TASKS.cols[4..].iter().zip(data_values(t)) {
        q.push(&format!(", {} = ", c.name)).bind(v);
    }
    q.push(" WHERE id = ")
        .bind(t.id)
        .push(" AND version = ")
        .bind(t.version);
    if q.execute(conn).await? == 0 {
        return Err(if exists(conn, "zone_tasks", t.id).await? {
            StorageError::Conflict("zone_task")
        } else {
            StorageError::NotFound("zone_task")
        });
    }
    get(conn, t.id).await
}

/// Deletes a row.
pub(crate) async fn delete(conn: &mut Conn, id: Uuid) -> Result<()> {
    let mut q = Sql::new("DELETE FROM zone_tasks WHERE id = ");
    q.bind(id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound("zone_task"));
    }
    Ok(())
}
