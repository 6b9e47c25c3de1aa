//! The `quotas` table ↔ [`Quota`]: a project's overrides of the default limits, one row per
//! (tenant_id, resource).

use designate_core::objects::Quota;
use uuid::Uuid;

use super::codec::RowReader;
use super::query::{Conn, Sql, IN_CHUNK};
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
    let mut found = of_zones(conn, &[(zone_id, tenant_id)]).await?;
    Ok(found.remove(0))
}

/// [`with_zone_counts`] of several zones in one statement: an arm per zone, each row tagged
/// with the arm's index.
pub(crate) async fn of_zones(
    conn: &mut Conn,
    zones: &[(Uuid, &str)],
) -> Result<Vec<(Vec<Quota>, ContentCounts)>> {
    let mut quotas: Vec<Vec<Quota>> = vec![Vec::new(); zones.len()];
    let mut counts: Vec<Option<ContentCounts>> = vec![None; zones.len()];
    // Two values an arm: far below every bind limit.
    for start in (0..zones.len()).step_by(IN_CHUNK) {
        let mut q = Sql::new("");
        for (i, (zone_id, tenant_id)) in zones.iter().enumerate().skip(start).take(IN_CHUNK) {
            if i > start {
                q.push(" UNION ALL ");
            }
            q.push(&format!(
                "SELECT {i} AS k, q.id, q.version, q.created_at, q.updated_at, q.tenant_id, \
                 q.resource, q.hard_limit, c.recordsets AS zone_recordsets, \
                 c.records AS zone_records \
                 FROM (SELECT 1 AS one) o LEFT JOIN designate_zone_counts c ON c.zone_id = "
            ));
            q.bind(*zone_id)
                .push(" LEFT JOIN quotas q ON q.tenant_id = ")
                .bind(*tenant_id);
        }
        for row in &q.fetch_all(conn).await? {
            let r = RowReader::new(row, "quotas");
            let Some(k) = usize::try_from(r.int("k")?)
                .ok()
                .filter(|k| *k < zones.len())
            else {
                continue;
            };
            if r.opt_uuid("id")?.is_some() {
                quotas[k].push(from_row(row)?);
            }
            if counts[k].is_none() {
                counts[k] = super::zone_counts::counts_in(row, "zone_recordsets", "zone_records");
            }
        }
    }
    let mut out = Vec::with_capacity(zones.len());
    for ((zone_id, _), (mut rows, counted)) in zones.iter().zip(quotas.into_iter().zip(counts)) {
        rows.sort_by(|a, b| a.resource.cmp(&b.resource));
        let counts = match counted {
            Some(counts) => counts,
            None => super::zone_counts::counted(conn, *zone_id).await?,
        };
        out.push((rows, counts));
    }
    Ok(out)
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
