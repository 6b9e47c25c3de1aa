//! `designate_project_zone_counts` (ours): how many live zones each project owns, kept by
//! triggers on `zones` (migration 0160), so that every writer of the table keeps it right —
//! this storage layer, a purge, an abandon, a transfer between projects, or an upstream
//! Designate sharing the database. The unfiltered zone listing of a project (its
//! `metadata.total_count`) reads one row here, and an all-projects listing sums the table,
//! instead of counting the zones on every page, a cost that grows with the project.

use designate_core::criteria::{Criteria, Filter};

use super::dialect::Engine;
use super::query::{Conn, Sql};
use crate::Result;

/// The number of live zones matching `criteria` when the counters can tell it (no filter, or
/// only `tenant_id = …`); `None` when the zones have to be counted.
pub(crate) async fn live_zones(conn: &mut Conn, criteria: &Criteria) -> Result<Option<u64>> {
    let q = match criteria.0.as_slice() {
        // SUM of a BIGINT is NUMERIC on PostgreSQL and DECIMAL on MySQL: cast back.
        [] => Sql::new(&format!(
            "SELECT CAST(COALESCE(SUM(zones), 0) AS {}) FROM designate_project_zone_counts",
            match conn.engine() {
                Engine::MySql => "SIGNED",
                Engine::Sqlite | Engine::Postgres => "BIGINT",
            }
        )),
        [(column, Filter::Eq(project))] if column == "tenant_id" => {
            let mut q =
                Sql::new("SELECT zones FROM designate_project_zone_counts WHERE tenant_id = ");
            q.bind(project.as_str());
            q
        }
        _ => return Ok(None),
    };
    q.fetch_count(conn).await.map(Some)
}
