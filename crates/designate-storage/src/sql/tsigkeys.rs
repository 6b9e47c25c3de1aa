//! The `tsigkeys` table ↔ [`TsigKey`].

use designate_core::objects::TsigKey;
use uuid::Uuid;

use super::codec::RowReader;
use super::listing::{col, Kind, Table};
use super::query::Val;
use super::rows::RowObject;
use crate::Result;

/// Columns of `tsigkeys`, in upstream's order; also the filter and sort allow-list.
static TSIGKEYS: Table = Table {
    name: "tsigkeys",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("name", Kind::Text, false),
        col("algorithm", Kind::Enum, false),
        col("secret", Kind::Text, false),
        col("scope", Kind::Enum, false),
        col("resource_id", Kind::Uuid, false),
    ],
};

impl RowObject for TsigKey {
    const TABLE: &'static Table = &TSIGKEYS;
    const OBJECT: &'static str = "tsigkey";

    fn values(&self) -> Vec<Val> {
        vec![
            self.id.into(),
            self.version.into(),
            self.created_at.into(),
            self.updated_at.into(),
            self.name.clone().into(),
            self.algorithm.as_str().into(),
            self.secret.clone().into(),
            self.scope.as_str().into(),
            self.resource_id.into(),
        ]
    }

    fn from_row(r: &RowReader<'_>) -> Result<Self> {
        Ok(Self {
            id: r.uuid("id")?,
            version: r.int_as("version")?,
            created_at: r.created_at()?,
            updated_at: r.opt_ts("updated_at")?,
            name: r.text("name")?,
            algorithm: r.parse("algorithm")?,
            secret: r.text("secret")?,
            scope: r.parse("scope")?,
            resource_id: r.uuid("resource_id")?,
        })
    }

    fn id(&self) -> Uuid {
        self.id
    }

    fn version(&self) -> i32 {
        self.version
    }
}
