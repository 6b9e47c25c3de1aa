//! The `quotas` table ↔ [`Quota`]: a project's overrides of the default limits, one row per
//! (tenant_id, resource).

use designate_core::objects::Quota;
use uuid::Uuid;

use super::codec::RowReader;
use super::query::{Conn, Sql};
use crate::{ContentCounts, Result};

/// Every quota row of a project, by resource.
pub(crate) async fn find(conn: &mut Conn, tenant_id: &str) -> Result<Vec<Quota>> {
    let mut q = Sql::new(
        "SELECT id, version, created_at, updated_at, tenant_id, resource, hard_limit \
         FROM quotas WHERE tenant_id = ",
    );
    q.bind(tenant_id).push(" ORDER BY resource");
    q.fetch_all(conn).await?.iter().map(from_row).collect()
}

/// The quota rows of `tenant_id` and the counts of zone `zone_id` in one statement: a row per
/// quota (one with no quota columns when the project has none), each carrying the zone's
/// counts row (empty when the zone has none, which [`super::zone_counts::counted`] then
/// counts).
pub(crate) async fn with_zone_counts(
    conn: &mut Conn,
    zone_id: Uuid,
    tenant_id: &str,
) -> Result<(Vec<Quota>, ContentCounts)> {
    let mut q = Sql::new(
        "SELECT q.id, q.version, q.created_at, q.updated_at, q.tenant_id, q.resource, \
         q.hard_limit, c.recordsets AS zone_recordsets, c.records AS zone_records \
         FROM (SELECT 1 AS one) o LEFT JOIN designate_zone_counts c ON c.zone_id = ",
    );
    q.bind(zone_id)
        .push(" LEFT JOIN quotas q ON q.tenant_id = ")
        .bind(tenant_id)
        .push(" ORDER BY q.resource");
    let rows = q.fetch_all(conn).await?;
    let mut quotas = Vec::new();
    for row in &rows {
        if RowReader::new(row, "quotas").opt_uuid("id")?.is_some() {
            quotas.push(from_row(row)?);
        }
    }
    let counts = rows
        .first()
        .and_then(|row| super::zone_counts::counts_in(row, "zone_recordsets", "zone_records"));
    let counts = match counts {
        Some(counts) => counts,
        None => super::zone_counts::counted(conn, zone_id).await?,
    };
    Ok((quotas, counts))
}

fn from_row(row: &super::query::Row) -> Result<Quota> {
    let r = RowReader::new(row, "quotas");
    Ok(Quota {
        id: r.uuid("id")?,
        version: r.int_as("version")?,
        created_at: r.created_at()?,
        updated_at: r.opt_ts("updated_at")?,
        tenant_id: r.text("tenant_id")?,
        resource: r.text("resource")?,
        hard_limit: r.int("hard_limit")?,
    })
}

/// Sets the limit of (tenant_id, resource): updates its row, or inserts `quota` as the row.
/// UPDATE-then-INSERT keeps the statement the same on every engine; two racing inserters meet
/// the unique constraint and one gets `Duplicate("quota")`.
pub(crate) async fn set(conn: &mut Conn, quota: &Quota) -> Result<()> {
    let mut q = Sql::new("UPDATE quotas SET hard_limit = ");
    q.bind(quota.hard_limit)
        .push(", version = version + 1, updated_at = ")
        .bind(chrono::Utc::now().naive_utc())
        .push(" WHERE tenant_id = ")
        .bind(quota.tenant_id.as_str())
        .push(" AND resource = ")
        .bind(quota.resource.as_str());
    if q.execute(conn).await? > 0 {
        return Ok(());
    }
    Sql::insert(
        "quotas",
        &[
            "id",
            "version",
            "created_at",
            "updated_at",
            "tenant_id",
            "resource",
            "hard_limit",
        ],
        vec![
            quota.id.into(),
            quota.version.into(),
            quota.created_at.into(),
            quota.updated_at.into(),
            quota.tenant_id.clone().into(),
            quota.resource.clone().into(),
            quota.hard_limit.into(),
        ],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes every quota row of a project; returns how many went.
pub(crate) async fn delete_all(conn: &mut Conn, tenant_id: &str) -> Result<u64> {
    let mut q = Sql::new("DELETE FROM quotas WHERE tenant_id = ");
    q.bind(tenant_id);
    q.execute(conn).await
}
