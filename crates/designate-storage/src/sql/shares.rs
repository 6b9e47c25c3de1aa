//! The `shared_zones` table ↔ [`SharedZone`].

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::SharedZone;
use uuid::Uuid;

use super::codec::RowReader;
use super::listing::{col, Kind, Table};
use super::query::{Conn, Sql, Val, IN_CHUNK};
use super::rows::{self, RowObject};
use crate::Result;

/// Columns of `shared_zones`; also the filter and sort allow-list.
static SHARED_ZONES: Table = Table {
    name: "shared_zones",
    cols: &[
        col("id", Kind::Uuid, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("zone_id", Kind::Uuid, false),
        col("project_id", Kind::Text, false),
        col("target_project_id", Kind::Text, false),
    ],
};

impl RowObject for SharedZone {
    const TABLE: &'static Table = &SHARED_ZONES;
    const OBJECT: &'static str = "shared_zone";

    fn values(&self) -> Vec<Val> {
        vec![
            self.id.into(),
            self.created_at.into(),
            self.updated_at.into(),
            self.zone_id.into(),
            self.project_id.clone().into(),
            self.target_project_id.clone().into(),
        ]
    }

    fn from_row(r: &RowReader<'_>) -> Result<Self> {
        Ok(Self {
            id: r.uuid("id")?,
            created_at: r.created_at()?,
            updated_at: r.opt_ts("updated_at")?,
            zone_id: r.uuid("zone_id")?,
            project_id: r.text("project_id")?,
            target_project_id: r.text("target_project_id")?,
        })
    }

    fn id(&self) -> Uuid {
        self.id
    }
}

/// Shares matching `criteria`, one page; with `visible_to`, only those the project made or
/// received (upstream's tenant rule for shares).
pub(crate) async fn find(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
    visible_to: Option<&str>,
) -> Result<Listing<SharedZone>> {
    rows::find_where(conn, criteria, page, |q: &mut Sql| {
        if let Some(project) = visible_to {
            q.push(" AND (t.project_id = ")
                .bind(project)
                .push(" OR t.target_project_id = ")
                .bind(project)
                .push(")");
        }
    })
    .await
}

/// Those of `zone_ids` that have at least one share.
pub(crate) async fn shared_among(conn: &mut Conn, zone_ids: &[Uuid]) -> Result<Vec<Uuid>> {
    if zone_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut shared = Vec::new();
    for chunk in zone_ids.chunks(IN_CHUNK) {
        let mut q = Sql::new("SELECT DISTINCT zone_id FROM shared_zones WHERE zone_id IN ");
        q.bind_list(chunk.iter().copied());
        for row in q.fetch_all(conn).await? {
            shared.push(RowReader::new(&row, "shared_zones").uuid("zone_id")?);
        }
    }
    Ok(shared)
}

/// Deletes every share of a zone; returns how many went.
pub(crate) async fn delete_of_zone(conn: &mut Conn, zone_id: Uuid) -> Result<u64> {
    let mut q = Sql::new("DELETE FROM shared_zones WHERE zone_id = ");
    q.bind(zone_id);
    q.execute(conn).await
}

/// Live zones matching `criteria` that `project` owns or that are shared with it, one page,
/// with the total count (upstream's `_find_zones` with `include_shared`).
///
/// A project with no zone shared with it — nearly every project — is listed as its own zones
/// only: `tenant_id = ?` is one range of the `(tenant_id, deleted, created_at, id)` index, read
/// in page order, whereas the `OR EXISTS` over shares makes the server read and sort every live
/// zone of the store for each page (PostgreSQL, 100,000 zones: p50 192 ms a page).
pub(crate) async fn find_zones_visible_to(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
    project: &str,
) -> Result<Listing<designate_core::objects::Zone>> {
    use super::listing::{push_criteria, push_page};
    use super::zones::{zone_from_row, ZONES};
    let mut shared_with = Sql::new("SELECT 1 FROM shared_zones WHERE target_project_id = ");
    shared_with.bind(project).push(" LIMIT 1");
    if shared_with.fetch_all(conn).await?.is_empty() {
        let own = criteria.clone().eq("tenant_id", project);
        return super::zones::find(conn, &own, page).await;
    }
    let head = |select: &str| {
        let mut q = Sql::new(&format!(
            "SELECT {select} FROM zones z WHERE z.deleted = '0' AND (z.tenant_id = "
        ));
        q.bind(project)
            .push(
                " OR EXISTS (SELECT 1 FROM shared_zones s WHERE s.zone_id = z.id \
                 AND s.target_project_id = ",
            )
            .bind(project)
            .push("))");
        q
    };
    let mut count = head("COUNT(*)");
    push_criteria(&mut count, conn.engine(), &ZONES, "z", criteria, None)?;
    let total_count = count.fetch_count(conn).await?;
    let mut q = head(&ZONES.select_list("z"));
    push_criteria(&mut q, conn.engine(), &ZONES, "z", criteria, None)?;
    push_page(&mut q, conn, &ZONES, "z", page).await?;
    let mut items = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(zone_from_row)
        .collect::<Result<Vec<_>>>()?;
    super::zone_attributes::load(conn, &mut items).await?;
    super::zone_masters::load(conn, &mut items).await?;
    Ok(Listing { items, total_count })
}
