//! The `tlds` and `blacklists` tables ↔ [`Tld`] / [`Blacklist`]. Both have the same shape (id,
//! version, timestamps, one unique text key, description), so one set of queries serves both,
//! parameterised by a [`Keyed`] table descriptor.

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{Blacklist, Tld};
use uuid::Uuid;

use super::codec::RowReader;
use super::listing::{col, push_criteria, push_page, Kind, Table};
use super::query::{Conn, Sql};
use super::zones::exists;
use crate::{Result, StorageError};

/// Columns of `tlds`; also the filter and sort allow-list.
const TLDS: Table = Table {
    name: "tlds",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("name", Kind::Text, false),
        col("description", Kind::Text, true),
    ],
};

/// Columns of `blacklists`; also the filter and sort allow-list.
const BLACKLISTS: Table = Table {
    name: "blacklists",
    cols: &[
        col("id", Kind::Uuid, false),
        col("version", Kind::Int, false),
        col("created_at", Kind::Ts, true),
        col("updated_at", Kind::Ts, true),
        col("pattern", Kind::Text, false),
        col("description", Kind::Text, true),
    ],
};

/// One of the two tables and how its rows map to an object.
pub(crate) trait Keyed: Sized {
    /// The table.
    const TABLE: &'static Table;
    /// The unique key column (`name` / `pattern`).
    const KEY: &'static str;
    /// The object name in errors (`tld` / `blacklist`).
    const OBJECT: &'static str;
    /// Builds the object from a row's values.
    fn from_parts(row: Row5) -> Self;
    /// The object's values.
    fn parts(&self) -> Row5;
}

/// The columns of a row: id, version, created_at, updated_at, key, description.
pub(crate) type Row5 = (
    Uuid,
    i32,
    chrono::NaiveDateTime,
    Option<chrono::NaiveDateTime>,
    String,
    Option<String>,
);

impl Keyed for Tld {
    const TABLE: &'static Table = &TLDS;
    const KEY: &'static str = "name";
    const OBJECT: &'static str = "tld";
    fn from_parts((id, version, created_at, updated_at, name, description): Row5) -> Self {
        Self {
            id,
            version,
            created_at,
            updated_at,
            name,
            description,
        }
    }
    fn parts(&self) -> Row5 {
        (
            self.id,
            self.version,
            self.created_at,
            self.updated_at,
            self.name.clone(),
            self.description.clone(),
        )
    }
}

impl Keyed for Blacklist {
    const TABLE: &'static Table = &BLACKLISTS;
    const KEY: &'static str = "pattern";
    const OBJECT: &'static str = "blacklist";
    fn from_parts((id, version, created_at, updated_at, pattern, description): Row5) -> Self {
        Self {
            id,
            version,
            created_at,
            updated_at,
            pattern,
            description,
        }
    }
    fn parts(&self) -> Row5 {
        (
            self.id,
            self.version,
            self.created_at,
            self.updated_at,
            self.pattern.clone(),
            self.description.clone(),
        )
    }
}

fn from_row<T: Keyed>(row: &super::query::Row) -> Result<T> {
    let r = RowReader::new(row, T::TABLE.name);
    Ok(T::from_parts((
        r.uuid("id")?,
        r.int_as("version")?,
        r.created_at()?,
        r.opt_ts("updated_at")?,
        r.text(T::KEY)?,
        r.opt_text("description")?,
    )))
}

/// Inserts a row.
pub(crate) async fn create<T: Keyed>(conn: &mut Conn, item: &T) -> Result<()> {
    let (id, version, created_at, updated_at, key, description) = item.parts();
    let names: Vec<&str> = T::TABLE.cols.iter().map(|c| c.name).collect();
    Sql::insert(
        T::TABLE.name,
        &names,
        vec![
            id.into(),
            version.into(),
            created_at.into(),
            updated_at.into(),
            key.into(),
            description.into(),
        ],
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A row by id.
pub(crate) async fn get<T: Keyed>(conn: &mut Conn, id: Uuid) -> Result<T> {
    let mut q = Sql::new(&format!(
        "SELECT {} FROM {} t WHERE t.id = ",
        T::TABLE.select_list("t"),
        T::TABLE.name
    ));
    q.bind(id);
    match q.fetch_optional(conn).await? {
        Some(row) => from_row(&row),
        None => Err(StorageError::NotFound(T::OBJECT)),
    }
}

/// One page of rows matching `criteria`, with the total count.
pub(crate) async fn find<T: Keyed>(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
) -> Result<Listing<T>> {
    let head = |select: &str| {
        Sql::new(&format!(
            "SELECT {select} FROM {} t WHERE 1 = 1",
            T::TABLE.name
        ))
    };
    let mut count = head("COUNT(*)");
    push_criteria(&mut count, conn.engine(), T::TABLE, "t", criteria, None)?;
    let total_count = count.fetch_count(conn).await?;
    let mut q = head(&T::TABLE.select_list("t"));
    push_criteria(&mut q, conn.engine(), T::TABLE, "t", criteria, None)?;
    push_page(&mut q, conn, T::TABLE, "t", page).await?;
    let items = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing { items, total_count })
}

/// Rewrites key and description, conditional on the stored version (which becomes
/// `version + 1`). Returns the stored row.
pub(crate) async fn update<T: Keyed>(conn: &mut Conn, item: &T) -> Result<T> {
    let (id, version, _, _, key, description) = item.parts();
    let mut q = Sql::new(&format!("UPDATE {} SET version = ", T::TABLE.name));
    q.bind(version.saturating_add(1))
        .push(", updated_at = ")
        .bind(chrono::Utc::now().naive_utc())
        .push(&format!(", {} = ", T::KEY))
        .bind(key)
        .push(", description = ")
        .bind(description)
        .push(" WHERE id = ")
        .bind(id)
        .push(" AND version = ")
        .bind(version);
    if q.execute(conn).await? == 0 {
        return Err(if exists(conn, T::TABLE.name, id).await? {
            StorageError::Conflict(T::OBJECT)
        } else {
            StorageError::NotFound(T::OBJECT)
        });
    }
    get(conn, id).await
}

/// Deletes a row.
pub(crate) async fn delete<T: Keyed>(conn: &mut Conn, id: Uuid) -> Result<()> {
    let mut q = Sql::new(&format!("DELETE FROM {} WHERE id = ", T::TABLE.name));
    q.bind(id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound(T::OBJECT));
    }
    Ok(())
}
