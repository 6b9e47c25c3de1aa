//! A small SQL builder: text with `?` placeholders plus the values bound to them, run on a
//! connection through [`dialect::placeholders`]. Every query in this crate goes through it, so
//! values are always bound (never spliced into SQL text) and a dialect change has one choke point.
//! It also maps driver errors onto [`StorageError`].

use chrono::NaiveDateTime;
use sqlx::sqlite::SqliteRow;
use sqlx::Row as _;
use uuid::Uuid;

use super::dialect::{self, Db};
use crate::{Result, StorageError};

/// The connection type the queries run on.
pub(crate) type Conn = <Db as sqlx::Database>::Connection;

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Self::Text(v.to_owned())
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Self::Text(v)
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Self {
        Self::Text(v.clone())
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Self::Int(v)
    }
}
impl From<i32> for Val {
    fn from(v: i32) -> Self {
        Self::Int(v.into())
    }
}
impl From<i16> for Val {
    fn from(v: i16) -> Self {
        Self::Int(v.into())
    }
}
impl From<u32> for Val {
    fn from(v: u32) -> Self {
        Self::Int(v.into())
    }
}
impl From<u16> for Val {
    fn from(v: u16) -> Self {
        Self::Int(v.into())
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}
impl From<Uuid> for Val {
    fn from(v: Uuid) -> Self {
        Self::Text(dialect::uuid_to_db(&v))
    }
}
impl From<&Uuid> for Val {
    fn from(v: &Uuid) -> Self {
        Self::Text(dialect::uuid_to_db(v))
    }
}
impl From<NaiveDateTime> for Val {
    fn from(v: NaiveDateTime) -> Self {
        Self::Text(dialect::ts_to_db(&v))
    }
}
impl<T: Into<Self>> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null, Into::into)
    }
}

/// SQL text with its bound values.
#[derive(Debug, Default, Clone)]
pub(crate) struct Sql {
    text: String,
    args: Vec<Val>,
}

impl Sql {
    /// Starts a statement.
    pub(crate) fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            args: Vec::new(),
        }
    }

    /// Appends literal SQL (never user data).
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends a `?` bound to `v`.
    pub(crate) fn bind(&mut self, v: impl Into<Val>) -> &mut Self {
        self.text.push('?');
        self.args.push(v.into());
        self
    }

    /// Appends `(?, ?, …)` bound to `values`.
    pub(crate) fn bind_list<V: Into<Val>>(
        &mut self,
        values: impl IntoIterator<Item = V>,
    ) -> &mut Self {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }

    /// An INSERT of `columns` with one placeholder per value.
    pub(crate) fn insert(table: &str, columns: &[&str], values: Vec<Val>) -> Self {
        debug_assert_eq!(columns.len(), values.len());
        let marks = vec!["?"; columns.len()].join(", ");
        Self {
            text: format!(
                "INSERT INTO {table} ({}) VALUES ({marks})",
                columns.join(", ")
            ),
            args: values,
        }
    }

    /// Runs a statement; returns the number of rows it changed.
    pub(crate) async fn execute(&self, conn: &mut Conn) -> Result<u64> {
        let text = dialect::placeholders(&self.text);
        let done = query(&text, &self.args)
            .execute(&mut *conn)
            .await
            .map_err(map_err)?;
        Ok(done.rows_affected())
    }

    /// Runs a query; returns every row.
    pub(crate) async fn fetch_all(&self, conn: &mut Conn) -> Result<Vec<SqliteRow>> {
        let text = dialect::placeholders(&self.text);
        query(&text, &self.args)
            .fetch_all(&mut *conn)
            .await
            .map_err(map_err)
    }

    /// Runs a query; returns the first row, if any.
    pub(crate) async fn fetch_optional(&self, conn: &mut Conn) -> Result<Option<SqliteRow>> {
        let text = dialect::placeholders(&self.text);
        query(&text, &self.args)
            .fetch_optional(&mut *conn)
            .await
            .map_err(map_err)
    }

    /// Runs a `SELECT COUNT(*) …`.
    pub(crate) async fn fetch_count(&self, conn: &mut Conn) -> Result<u64> {
        let row = self.fetch_optional(conn).await?;
        let n: i64 = match row {
            Some(r) => r.try_get_unchecked(0).map_err(map_err)?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Binds `args` to `text` (already in the engine's placeholder syntax).
fn query<'q>(
    text: &'q str,
    args: &'q [Val],
) -> sqlx::query::Query<'q, Db, <Db as sqlx::Database>::Arguments<'q>> {
    let mut q = sqlx::query(text);
    for a in args {
        q = match a {
            Val::Null => q.bind(None::<String>),
            Val::Text(s) => q.bind(s.as_str()),
            Val::Int(i) => q.bind(*i),
            Val::Bool(b) => q.bind(*b),
        };
    }
    q
}

/// Which object a table (or one of its constraints) holds, for `Duplicate(…)`.
const TABLE_OBJECTS: &[(&str, &str)] = &[
    ("pool_target_options", "pool_target_option"),
    ("pool_target_masters", "pool_target_master"),
    ("pool_also_notifies", "pool_also_notify"),
    ("pool_nameservers", "pool_nameserver"),
    ("pool_attributes", "pool_attribute"),
    ("pool_ns_records", "pool_ns_record"),
    ("pool_targets", "pool_target"),
    ("service_statuses", "service_status"),
    ("zone_transfer_requests", "zone_transfer_request"),
    ("zone_transfer_accepts", "zone_transfer_accept"),
    ("zone_attributes", "zone_attribute"),
    ("zone_masters", "zone_master"),
    ("shared_zones", "shared_zone"),
    ("zone_tasks", "zone_task"),
    ("recordsets", "recordset"),
    ("records", "record"),
    ("tsigkeys", "tsigkey"),
    ("blacklists", "blacklist"),
    ("quotas", "quota"),
    ("pools", "pool"),
    ("zones", "zone"),
    ("tlds", "tld"),
];

/// Constraint names (as PostgreSQL/MySQL report them) that do not contain their table's name.
const CONSTRAINT_OBJECTS: &[(&str, &str)] = &[
    ("unique_zone_name", "zone"),
    ("unique_recordset", "recordset"),
    ("unique_record", "record"),
    ("unique_pool_name", "pool"),
    ("unique_ns_name", "pool_ns_record"),
    ("unique_pool_host_port", "pool_nameserver"),
    ("unique_pool_target_host_port", "pool_target_master"),
    ("unique_pool_target_key", "pool_target_option"),
    ("unique_pool_attribute", "pool_attribute"),
    ("unique_service_status", "service_status"),
    ("unique_tld_name", "tld"),
    ("unique_tsigkey_name", "tsigkey"),
    ("unique_quota", "quota"),
    ("unique_masters", "zone_master"),
    ("unique_attributes", "zone_attribute"),
    ("unique_shared_zone", "shared_zone"),
];

/// The object a unique violation is about, from the constraint name when the driver gives one,
/// else from SQLite's message (`UNIQUE constraint failed: zones.name, zones.deleted, …`).
fn duplicate_object(db: &dyn sqlx::error::DatabaseError) -> &'static str {
    if let Some(c) = db.constraint() {
        if let Some((_, o)) = CONSTRAINT_OBJECTS.iter().find(|(n, _)| *n == c) {
            return o;
        }
    }
    let text = db.table().unwrap_or_else(|| db.message());
    let table = text
        .rsplit(':')
        .next()
        .unwrap_or(text)
        .trim()
        .split('.')
        .next()
        .unwrap_or_default();
    TABLE_OBJECTS
        .iter()
        .find(|(t, _)| *t == table)
        .map_or("row", |(_, o)| o)
}

/// Maps a driver error: unique violations become [`StorageError::Duplicate`], everything else
/// stays a database error.
pub(crate) fn map_err(e: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &e {
        if matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
            return StorageError::Duplicate(duplicate_object(db.as_ref()));
        }
    }
    StorageError::Database(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_counts_placeholders() {
        let mut q = Sql::new("SELECT 1 FROM zones WHERE id IN ");
        q.bind_list(["a", "b"]).push(" AND version = ").bind(3_i32);
        assert_eq!(
            q.text,
            "SELECT 1 FROM zones WHERE id IN (?, ?) AND version = ?"
        );
        assert_eq!(q.args.len(), 3);
        let ins = Sql::insert("t", &["a", "b"], vec![Val::Null, 1_i64.into()]);
        assert_eq!(ins.text, "INSERT INTO t (a, b) VALUES (?, ?)");
    }
}
