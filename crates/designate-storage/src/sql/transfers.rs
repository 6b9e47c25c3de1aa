//! The `zone_transfer_requests` and `zone_transfer_accepts` tables ↔ [`ZoneTransferRequest`] /
//! [`ZoneTransferAccept`], and the ownership change a completed transfer makes.
//!
//! A request is read with its zone's name (`LEFT JOIN zones`), as upstream's storage does.

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{ZoneTransferAccept, ZoneTransferRequest};
use uuid::Uuid;

use super::codec::RowReader;
use super::listing::{col, Kind, Table};
use super::query::{Conn, Sql, Val};
use super::rows::{self, RowObject};
use crate::Result;

/// Columns of `zone_transfer_requests`; also the filter and sort allow-list.
static REQUESTS: Table = Table {
    name: "zone_transfer_requests",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("zone_id", Kind::Uuid, false),
        col("key", Kind::Text, false),
        col("description", Kind::Text, true),
        col("tenant_id", Kind::Text, false),
        col("target_tenant_id", Kind::Text, true),
        col("status", Kind::Enum, false),
    ],
};

/// Columns of `zone_transfer_accepts`; also the filter and sort allow-list.
static ACCEPTS: Table = Table {
    name: "zone_transfer_accepts",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("zone_id", Kind::Uuid, false),
        col("zone_transfer_request_id", Kind::Uuid, false),
        col("tenant_id", Kind::Text, false),
        col("status", Kind::Enum, false),
    ],
};

impl RowObject for ZoneTransferRequest {
    const TABLE: &'static Table = &REQUESTS;
    const OBJECT: &'static str = "zone_transfer_request";
    const JOIN: &'static str = "LEFT JOIN zones z ON z.id = t.zone_id";
    const JOINED: &'static str = ", z.name AS zone_name";

    fn values(&self) -> Vec<Val> {
        vec![
            self.id.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
            self.zone_id.into(),
            self.key.clone().into(),
            self.description.clone().into(),
            self.tenant_id.clone().into(),
            self.target_tenant_id.clone().into(),
            self.status.as_str().into(),
        ]
    }

    fn from_row(r: &RowReader<'_>) -> Result<Self> {
        Ok(Self {
            id: r.uuid("id")?,
            version: r.int_as("version")?,
            created_at: r.created_at()?,
            updated_at: r.opt_ts("updated_at")?,
            zone_id: r.uuid("zone_id")?,
            key: r.text("key")?,
            description: r.opt_text("description")?,
            tenant_id: r.text("tenant_id")?,
            target_tenant_id: r.opt_text("target_tenant_id")?,
            status: r.parse("status")?,
            zone_name: r.opt_text("zone_name")?,
        })
    }

    fn id(&self) -> Uuid {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }
}

impl RowObject for ZoneTransferAccept {
    const TABLE: &'static Table = &ACCEPTS;
    const OBJECT: &'static str = "zone_transfer_accept";

    fn values(&self) -> Vec<Val> {
        vec![
            self.id.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
            self.zone_id.into(),
            self.zone_transfer_request_id.into(),
            self.tenant_id.clone().into(),
            self.status.as_str().into(),
        ]
    }

    fn from_row(r: &RowReader<'_>) -> Result<Self> {
        Ok(Self {
            id: r.uuid("id")?,
            version: r.int_as("version")?,
            created_at: r.created_at()?,
            updated_at: r.opt_ts("updated_at")?,
            zone_id: r.uuid("zone_id")?,
            zone_transfer_request_id: r.uuid("zone_transfer_request_id")?,
            tenant_id: r.text("tenant_id")?,
            status: r.parse("status")?,
            key: None,
        })
    }

    fn id(&self) -> Uuid {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }
}

/// Requests matching `criteria`, one page; with `visible_to`, only those the project offered
/// or is the target of (upstream's tenant rule for requests).
pub(crate) async fn find_requests(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
    visible_to: Option<&str>,
) -> Result<Listing<ZoneTransferRequest>> {
    rows::find_where(conn, criteria, page, |q: &mut Sql| {
        if let Some(project) = visible_to {
            q.push(" AND (t.tenant_id = ")
                .bind(project)
                .push(" OR t.target_tenant_id = ")
                .bind(project)
                .push(")");
        }
    })
    .await
}

/// Gives every recordset and record of a zone to `tenant_id` (upstream's storage does this
/// whenever a zone's tenant changes). Returns the number of rows changed.
pub(crate) async fn reassign_zone_data(
    conn: &mut Conn,
    zone_id: Uuid,
    tenant_id: &str,
) -> Result<u64> {
    let mut changed = 0;
    for table in ["recordsets", "records"] {
        let mut q = Sql::new(&format!("UPDATE {table} SET tenant_id = "));
        q.bind(tenant_id).push(" WHERE zone_id = ").bind(zone_id);
        changed += q.execute(conn).await?;
    }
    Ok(changed)
}
