//! The `quotas` table ↔ [`Quota`]: a project's overrides of the default limits, one row per
//! (tenant_id, resource).

use designate_core::objects::Quota;

use super::codec::RowReader;
use super::query::{Conn, Sql};
use crate::Result;

/// Every quota row of a project, by resource.
pub(crate) async fn find(conn: &mut Conn, tenant_id: &str) -> Result<Vec<Quota>> {
    let mut q = Sql::new(
        "SELECT id, version, created_at, updated_at, tenant_id, resource, hard_limit \
         FROM quotas WHERE tenant_id = ",
    );
    q.bind(tenant_id).push(" ORDER BY resource");
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|row| {
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
        })
        .collect()
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
