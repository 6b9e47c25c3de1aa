//! Generic CRUD for the tables whose rows map one-to-one onto an object with no children
//! (`tsigkeys`, `zone_transfer_requests`, `zone_transfer_accepts`, `shared_zones`): one
//! [`RowObject`] impl per object says which table, which values and how to decode, and the
//! functions here do the rest with the same criteria / paging rules as every other table.
//!
//! Column names are quoted as [`quoted`] says, so that a reserved word (`key`) works on every
//! engine (MySQL sessions run with `ANSI_QUOTES`).

use designate_core::criteria::{Criteria, Listing, Page};
use uuid::Uuid;

use super::codec::RowReader;
use super::listing::{push_criteria, push_page, Table};
use super::query::{Conn, Row, Sql, Val};
use super::zones::exists;
use crate::{Result, StorageError};

/// An object stored as one row of [`RowObject::TABLE`].
pub(crate) trait RowObject: Sized {
    /// The table; its first column is `id`. For versioned tables the next three are
    /// `version`, `created_at`, `updated_at`.
    const TABLE: &'static Table;
    /// The object name in errors (`NotFound` / `Conflict`).
    const OBJECT: &'static str;
    /// Every column's value, in [`RowObject::TABLE`] order.
    fn values(&self) -> Vec<Val>;
    /// Decodes a row selected with [`select_list`].
    fn from_row(r: &RowReader<'_>) -> Result<Self>;
    /// The primary key.
    fn id(&self) -> Uuid;
    /// The optimistic-lock version (versioned tables only).
    fn version(&self) -> i32 {
        1
    }
    /// Joins after `FROM <table> t`, for values read with the row but stored elsewhere.
    const JOIN: &'static str = "";
    /// The joined values selected (`, z.name AS zone_name`), each with a leading comma.
    const JOINED: &'static str = "";
}

/// A column name as it may appear in SQL text.
fn quoted(name: &str) -> String {
    if name == "key" {
        super::dialect::KEY.to_owned()
    } else {
        name.to_owned()
    }
}

/// `t.c1, t.c2, …` with reserved names quoted, then the joined values.
fn select_list<T: RowObject>() -> String {
    let cols = T::TABLE
        .cols
        .iter()
        .map(|c| format!("t.{}", quoted(c.name)))
        .collect::<Vec<_>>()
        .join(", ");
    format!("{cols}{}", T::JOINED)
}

/// `FROM <table> t <joins>`.
fn from<T: RowObject>() -> String {
    format!("FROM {} t {}", T::TABLE.name, T::JOIN)
}

fn decode<T: RowObject>(row: &Row) -> Result<T> {
    T::from_row(&RowReader::new(row, T::TABLE.name))
}

/// Inserts a row.
pub(crate) async fn create<T: RowObject>(conn: &mut Conn, item: &T) -> Result<()> {
    let names: Vec<String> = T::TABLE.cols.iter().map(|c| quoted(c.name)).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    Sql::insert(T::TABLE.name, &names, item.values())
        .execute(conn)
        .await?;
    Ok(())
}

/// A row by id.
pub(crate) async fn get<T: RowObject>(conn: &mut Conn, id: Uuid) -> Result<T> {
    let mut q = Sql::new(&format!(
        "SELECT {} {} WHERE t.id = ",
        select_list::<T>(),
        from::<T>()
    ));
    q.bind(id);
    match q.fetch_optional(conn).await? {
        Some(row) => decode(&row),
        None => Err(StorageError::NotFound(T::OBJECT)),
    }
}

/// One page of rows matching `criteria`, with the total count.
pub(crate) async fn find<T: RowObject>(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
) -> Result<Listing<T>> {
    find_where(conn, criteria, page, |_| {}).await
}

/// As [`find`], with a further condition: `condition` appends ` AND …` (binding its values).
pub(crate) async fn find_where<T: RowObject>(
    conn: &mut Conn,
    criteria: &Criteria,
    page: &Page,
    condition: impl Fn(&mut Sql),
) -> Result<Listing<T>> {
    let head = |select: &str| Sql::new(&format!("SELECT {select} {} WHERE 1 = 1", from::<T>()));
    let mut count = head("COUNT(*)");
    push_criteria(&mut count, conn.engine(), T::TABLE, "t", criteria, None)?;
    condition(&mut count);
    let total_count = count.fetch_count(conn).await?;
    let mut q = head(&select_list::<T>());
    push_criteria(&mut q, conn.engine(), T::TABLE, "t", criteria, None)?;
    condition(&mut q);
    push_page(&mut q, conn, T::TABLE, "t", page).await?;
    let items = q
        .fetch_all(conn)
        .await?
        .iter()
        .map(decode)
        .collect::<Result<Vec<_>>>()?;
    Ok(Listing { items, total_count })
}

/// Rewrites every column after `updated_at` of a versioned row, conditional on the stored
/// version (which becomes `version + 1`, with `updated_at = now`). Returns the stored row.
///
/// # Errors
/// [`StorageError::Conflict`] when the stored version differs, [`StorageError::NotFound`]
/// when the row is gone.
pub(crate) async fn update<T: RowObject>(conn: &mut Conn, item: &T) -> Result<T> {
    let id = item.id();
    let version = item.version();
    let mut q = Sql::new(&format!("UPDATE {} SET version = ", T::TABLE.name));
    q.bind(version.saturating_add(1))
        .push(", updated_at = ")
        .bind(chrono::Utc::now().naive_utc());
    for (c, v) in T::TABLE.cols.iter().zip(item.values()).skip(4) {
        q.push(&format!(", {} = ", quoted(c.name))).bind(v);
    }
    q.push(" WHERE id = ")
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
pub(crate) async fn delete<T: RowObject>(conn: &mut Conn, id: Uuid) -> Result<()> {
    let mut q = Sql::new(&format!("DELETE FROM {} WHERE id = ", T::TABLE.name));
    q.bind(id);
    if q.execute(conn).await? == 0 {
        return Err(StorageError::NotFound(T::OBJECT));
    }
    Ok(())
}
