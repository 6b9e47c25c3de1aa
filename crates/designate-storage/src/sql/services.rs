//! The `service_statuses` table ↔ [`ServiceStatus`]: one heartbeat row per (service_name,
//! hostname).

use designate_core::objects::ServiceStatus;

use super::codec::RowReader;
use super::query::{Conn, Sql};
use crate::Result;

/// Updates the row of (service_name, hostname), or inserts it. Written as UPDATE-then-INSERT
/// rather than an engine-specific upsert so that the statement is the same everywhere; a race
/// between two inserters surfaces as `Duplicate("service_status")`, which the caller may retry.
pub(crate) async fn upsert(conn: &mut Conn, s: &ServiceStatus) -> Result<()> {
    let stats = s.stats.to_string();
    let capabilities = s.capabilities.to_string();
    let mut q = Sql::new("UPDATE service_statuses SET heartbeated_at = ");
    q.bind(s.heartbeated_at)
        .push(", status = ")
        .bind(s.status.clone())
        .push(", stats = ")
        .bind(stats.clone())
        .push(", capabilities = ")
        .bind(capabilities.clone())
        .push(", updated_at = ")
        .bind(chrono::Utc::now().naive_utc())
        .push(" WHERE service_name = ")
        .bind(s.service_name.clone())
        .push(" AND hostname = ")
        .bind(s.hostname.clone());
    if q.execute(conn).await? > 0 {
        return Ok(());
    }
    Sql::insert(
        "service_statuses",
        &[
            "id",
            "created_at",
            "updated_at",
            "service_name",
            "hostname",
            "heartbeated_at",
            "status",
            "stats",
            "capabilities",
        ],
        vec![
            s.id.into(),
            s.created_at.into(),
            s.updated_at.into(),
            s.service_name.clone().into(),
            s.hostname.clone().into(),
            s.heartbeated_at.into(),
            s.status.clone().into(),
            stats.into(),
            capabilities.into(),
        ],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Every heartbeat row, by service name then host.
pub(crate) async fn find(conn: &mut Conn) -> Result<Vec<ServiceStatus>> {
    let rows = Sql::new(
        "SELECT id, service_name, hostname, heartbeated_at, status, stats, capabilities, \
         created_at, updated_at FROM service_statuses ORDER BY service_name, hostname",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let r = RowReader::new(row, "service_statuses");
            Ok(ServiceStatus {
                id: r.uuid("id")?,
                service_name: r.text("service_name")?,
                hostname: r.text("hostname")?,
                heartbeated_at: r.opt_ts("heartbeated_at")?,
                status: r.text("status")?,
                stats: r.json("stats")?,
                capabilities: r.json("capabilities")?,
                created_at: r.created_at()?,
                updated_at: r.opt_ts("updated_at")?,
            })
        })
        .collect()
}
