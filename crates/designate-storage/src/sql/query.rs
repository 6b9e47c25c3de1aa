//! A small SQL builder: text with `?` placeholders plus the values bound to them, run on a
//! connection through [`Engine::placeholders`]. Every query in this crate goes through it, so
//! values are always bound (never spliced into SQL text) and a dialect change has one choke point.
//! Result rows are decoded here into engine-neutral [`Row`]s, and driver errors are mapped onto
//! [`StorageError`].

use chrono::NaiveDateTime;
use sqlx::postgres::{PgArgumentBuffer, PgTypeInfo, Postgres};
use sqlx::{Column as _, Row as _, TypeInfo as _, ValueRef as _};
use uuid::Uuid;

use super::dialect::{self, Engine};
use crate::{Result, StorageError};

/// An open transaction (or autocommit connection) on one of the engines; every query of this
/// crate runs on one.
pub(crate) enum Conn {
    /// SQLite.
    Sqlite(Held<sqlx::Sqlite>),
    /// PostgreSQL.
    Postgres(Held<Postgres>),
    /// MySQL / MariaDB.
    MySql(Held<sqlx::MySql>),
}

/// A pooled connection inside a transaction, or on its own (autocommit: each statement is its
/// own transaction, for readers of one statement that need no snapshot — no BEGIN, no ROLLBACK).
pub(crate) enum Held<DB: sqlx::Database> {
    /// In a transaction; rolled back when dropped uncommitted.
    Tx(sqlx::Transaction<'static, DB>),
    /// Autocommit.
    Auto(sqlx::pool::PoolConnection<DB>),
}

impl<DB: sqlx::Database> Held<DB> {
    async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        match self {
            Self::Tx(tx) => tx.commit().await,
            Self::Auto(_) => Ok(()),
        }
    }
}

impl<DB: sqlx::Database> std::ops::Deref for Held<DB> {
    type Target = DB::Connection;

    fn deref(&self) -> &DB::Connection {
        match self {
            Self::Tx(tx) => tx,
            Self::Auto(conn) => conn,
        }
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Held<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        match self {
            Self::Tx(tx) => tx,
            Self::Auto(conn) => conn,
        }
    }
}

impl Conn {
    /// The engine this connection talks to.
    pub(crate) fn engine(&self) -> Engine {
        match self {
            Self::Sqlite(_) => Engine::Sqlite,
            Self::Postgres(_) => Engine::Postgres,
            Self::MySql(_) => Engine::MySql,
        }
    }

    /// Commits.
    pub(crate) async fn commit(self) -> Result<()> {
        match self {
            Self::Sqlite(tx) => tx.commit().await,
            Self::Postgres(tx) => tx.commit().await,
            Self::MySql(tx) => tx.commit().await,
        }
        .map_err(map_err)
    }
}

/// The type of a bound NULL, so that engines with typed parameters (PostgreSQL) get the same
/// parameter type for a column whether or not the value is NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Text,
    Int,
    Bool,
    Uuid,
    Ts,
}

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Val {
    Null(Ty),
    Text(String),
    Int(i64),
    Bool(bool),
    Uuid(Uuid),
    Ts(NaiveDateTime),
}

/// Types whose `None` binds as a typed NULL.
pub(crate) trait NullTy {
    /// The type of this value's NULL.
    const TY: Ty;
}

macro_rules! val_from {
    ($($t:ty => $ty:ident, |$v:ident| $e:expr;)*) => {$(
        impl From<$t> for Val {
            fn from($v: $t) -> Self {
                $e
            }
        }
        impl NullTy for $t {
            const TY: Ty = Ty::$ty;
        }
    )*};
}

val_from! {
    &str => Text, |v| Self::Text(v.to_owned());
    String => Text, |v| Self::Text(v);
    &String => Text, |v| Self::Text(v.clone());
    i64 => Int, |v| Self::Int(v);
    i32 => Int, |v| Self::Int(v.into());
    i16 => Int, |v| Self::Int(v.into());
    u32 => Int, |v| Self::Int(v.into());
    u16 => Int, |v| Self::Int(v.into());
    bool => Bool, |v| Self::Bool(v);
    Uuid => Uuid, |v| Self::Uuid(v);
    &Uuid => Uuid, |v| Self::Uuid(*v);
    NaiveDateTime => Ts, |v| Self::Ts(v);
}

impl<T: Into<Self> + NullTy> From<Option<T>> for Val {
    fn from(v: Option<T>) -> Self {
        v.map_or(Self::Null(T::TY), Into::into)
    }
}

/// A value read from a result row, in the engine-neutral form [`super::codec`] decodes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
    Uuid(Uuid),
    Ts(NaiveDateTime),
}

/// One result row: column names and values, in select order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Row {
    cols: Vec<(String, Value)>,
}

impl Row {
    /// The value of the named column, if the row has one.
    pub(crate) fn get(&self, column: &str) -> Option<&Value> {
        self.cols.iter().find(|(n, _)| n == column).map(|(_, v)| v)
    }

    /// The value of the first column.
    pub(crate) fn first(&self) -> Option<&Value> {
        self.cols.first().map(|(_, v)| v)
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

    /// The statement text with `?` placeholders (query-plan tests).
    #[cfg(test)]
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Appends literal SQL (never user data).
    pub(crate) fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Appends another statement (as a subquery, say), its text and its bound values.
    pub(crate) fn append(&mut self, other: Self) -> &mut Self {
        self.text.push_str(&other.text);
        self.args.extend(other.args);
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

    /// One INSERT of several rows of `columns` (every row as long as `columns`).
    pub(crate) fn insert_many(table: &str, columns: &[&str], rows: Vec<Vec<Val>>) -> Self {
        let marks = format!("({})", vec!["?"; columns.len()].join(", "));
        let mut text = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut args = Vec::with_capacity(rows.len() * columns.len());
        for (i, row) in rows.into_iter().enumerate() {
            debug_assert_eq!(row.len(), columns.len());
            if i > 0 {
                text.push_str(", ");
            }
            text.push_str(&marks);
            args.extend(row);
        }
        Self { text, args }
    }

    /// Runs a statement; returns the number of rows it changed.
    pub(crate) async fn execute(&self, conn: &mut Conn) -> Result<u64> {
        let text = conn.engine().placeholders(&self.text);
        let n = match conn {
            Conn::Sqlite(tx) => sqlite_query(&text, &self.args)
                .execute(&mut **tx)
                .await
                .map(|d| d.rows_affected()),
            Conn::Postgres(tx) => pg_query(&text, &self.args)
                .execute(&mut **tx)
                .await
                .map(|d| d.rows_affected()),
            Conn::MySql(tx) => mysql_query(&text, &self.args)
                .execute(&mut **tx)
                .await
                .map(|d| d.rows_affected()),
        };
        n.map_err(map_err)
    }

    /// Runs a query; returns every row.
    pub(crate) async fn fetch_all(&self, conn: &mut Conn) -> Result<Vec<Row>> {
        let text = conn.engine().placeholders(&self.text);
        match conn {
            Conn::Sqlite(tx) => sqlite_query(&text, &self.args)
                .fetch_all(&mut **tx)
                .await
                .map_err(map_err)?
                .iter()
                .map(from_sqlite)
                .collect(),
            Conn::Postgres(tx) => pg_query(&text, &self.args)
                .fetch_all(&mut **tx)
                .await
                .map_err(map_err)?
                .iter()
                .map(from_pg)
                .collect(),
            Conn::MySql(tx) => mysql_query(&text, &self.args)
                .fetch_all(&mut **tx)
                .await
                .map_err(map_err)?
                .iter()
                .map(from_mysql)
                .collect(),
        }
    }

    /// Runs a query; returns the first row, if any.
    pub(crate) async fn fetch_optional(&self, conn: &mut Conn) -> Result<Option<Row>> {
        let text = conn.engine().placeholders(&self.text);
        match conn {
            Conn::Sqlite(tx) => sqlite_query(&text, &self.args)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_err)?
                .as_ref()
                .map(from_sqlite)
                .transpose(),
            Conn::Postgres(tx) => pg_query(&text, &self.args)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_err)?
                .as_ref()
                .map(from_pg)
                .transpose(),
            Conn::MySql(tx) => mysql_query(&text, &self.args)
                .fetch_optional(&mut **tx)
                .await
                .map_err(map_err)?
                .as_ref()
                .map(from_mysql)
                .transpose(),
        }
    }

    /// Runs a query whose first column is an integer (`SELECT COUNT(*) …`); 0 without a row.
    pub(crate) async fn fetch_count(&self, conn: &mut Conn) -> Result<u64> {
        let row = self.fetch_optional(conn).await?;
        let n = match row.as_ref().and_then(Row::first) {
            Some(Value::Int(n)) => *n,
            Some(Value::Text(s)) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Most values bound in one `IN (…)` list: far below every engine's limit on bound values
/// (SQLite 32,766, MySQL 65,535, PostgreSQL 65,535), so a listing of any size is read in chunks.
pub(crate) const IN_CHUNK: usize = 500;

/// A value bound to PostgreSQL with no declared type (OID 0), so the server infers it from
/// the context: text bound to a column of one of upstream's enum types (`zones.status`, …)
/// then needs no cast. Enum, text and char values share the same binary form (the label's
/// UTF-8 bytes), so the inferred type always accepts it.
struct Untyped<'a>(Option<&'a str>);

impl sqlx::Type<Postgres> for Untyped<'_> {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(sqlx::postgres::types::Oid(0))
    }
}

impl sqlx::Encode<'_, Postgres> for Untyped<'_> {
    fn encode_by_ref(
        &self,
        buf: &mut PgArgumentBuffer,
    ) -> std::result::Result<sqlx::encode::IsNull, sqlx::error::BoxDynError> {
        match self.0 {
            Some(s) => <&str as sqlx::Encode<'_, Postgres>>::encode_by_ref(&s, buf),
            None => Ok(sqlx::encode::IsNull::Yes),
        }
    }
}

type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments<'q>>;

/// Binds `args` for SQLite: UUIDs as hex text, timestamps as SQLAlchemy's text.
fn sqlite_query<'q>(text: &'q str, args: &'q [Val]) -> Query<'q, sqlx::Sqlite> {
    let mut q = sqlx::query(text);
    for a in args {
        q = match a {
            Val::Null(_) => q.bind(None::<String>),
            Val::Text(s) => q.bind(s.as_str()),
            Val::Int(i) => q.bind(*i),
            Val::Bool(b) => q.bind(*b),
            Val::Uuid(u) => q.bind(dialect::uuid_to_db(u)),
            Val::Ts(t) => q.bind(dialect::ts_to_db(t)),
        };
    }
    q
}

/// Binds `args` for MySQL: UUIDs as hex text (CHAR(32)), timestamps as DATETIME.
fn mysql_query<'q>(text: &'q str, args: &'q [Val]) -> Query<'q, sqlx::MySql> {
    let mut q = sqlx::query(text);
    for a in args {
        q = match a {
            Val::Null(Ty::Int) => q.bind(None::<i64>),
            Val::Null(Ty::Bool) => q.bind(None::<bool>),
            Val::Null(Ty::Ts) => q.bind(None::<NaiveDateTime>),
            Val::Null(_) => q.bind(None::<String>),
            Val::Text(s) => q.bind(s.as_str()),
            Val::Int(i) => q.bind(*i),
            Val::Bool(b) => q.bind(*b),
            Val::Uuid(u) => q.bind(dialect::uuid_to_db(u)),
            Val::Ts(t) => q.bind(*t),
        };
    }
    q
}

/// Binds `args` for PostgreSQL: native uuid and timestamp; text untyped (see [`Untyped`]).
fn pg_query<'q>(text: &'q str, args: &'q [Val]) -> Query<'q, Postgres> {
    let mut q = sqlx::query(text);
    for a in args {
        q = match a {
            Val::Null(Ty::Text) => q.bind(Untyped(None)),
            Val::Null(Ty::Int) => q.bind(None::<i64>),
            Val::Null(Ty::Bool) => q.bind(None::<bool>),
            Val::Null(Ty::Uuid) => q.bind(None::<Uuid>),
            Val::Null(Ty::Ts) => q.bind(None::<NaiveDateTime>),
            Val::Text(s) => q.bind(Untyped(Some(s.as_str()))),
            Val::Int(i) => q.bind(*i),
            Val::Bool(b) => q.bind(*b),
            Val::Uuid(u) => q.bind(*u),
            Val::Ts(t) => q.bind(*t),
        };
    }
    q
}

fn corrupt(column: &str, e: impl std::fmt::Display) -> StorageError {
    StorageError::Corrupt {
        table: "result",
        column: "column",
        message: format!("{column}: {e}"),
    }
}

/// Decodes a SQLite row by each value's storage class (its declared types, DATETIME or
/// CHAR(32), say nothing sqlx can use).
fn from_sqlite(row: &sqlx::sqlite::SqliteRow) -> Result<Row> {
    let mut cols = Vec::with_capacity(row.columns().len());
    for (i, c) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i).map_err(map_err)?;
        let v = if raw.is_null() {
            Value::Null
        } else {
            match raw.type_info().name() {
                "INTEGER" | "BOOLEAN" => {
                    Value::Int(row.try_get_unchecked(i).map_err(|e| corrupt(c.name(), e))?)
                }
                _ => Value::Text(row.try_get_unchecked(i).map_err(|e| corrupt(c.name(), e))?),
            }
        };
        cols.push((c.name().to_owned(), v));
    }
    Ok(Row { cols })
}

/// Decodes a PostgreSQL row by column type; enum types and anything textual read as text.
fn from_pg(row: &sqlx::postgres::PgRow) -> Result<Row> {
    let mut cols = Vec::with_capacity(row.columns().len());
    for (i, c) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i).map_err(map_err)?;
        let err = |e| corrupt(c.name(), e);
        let v = if raw.is_null() {
            Value::Null
        } else {
            match c.type_info().name() {
                "UUID" => Value::Uuid(row.try_get(i).map_err(err)?),
                "TIMESTAMP" => Value::Ts(row.try_get(i).map_err(err)?),
                "BOOL" => Value::Bool(row.try_get(i).map_err(err)?),
                "INT2" => Value::Int(row.try_get::<i16, _>(i).map_err(err)?.into()),
                "INT4" => Value::Int(row.try_get::<i32, _>(i).map_err(err)?.into()),
                "INT8" => Value::Int(row.try_get(i).map_err(err)?),
                // CHAR(n) pads with spaces; upstream's CHAR columns (`deleted`) never hold any.
                "CHAR" | "BPCHAR" => Value::Text(
                    row.try_get::<String, _>(i)
                        .map_err(err)?
                        .trim_end()
                        .to_owned(),
                ),
                _ => Value::Text(row.try_get_unchecked(i).map_err(err)?),
            }
        };
        cols.push((c.name().to_owned(), v));
    }
    Ok(Row { cols })
}

/// Decodes a MySQL row by column type; BOOLEAN is TINYINT(1), ENUM reads as text.
fn from_mysql(row: &sqlx::mysql::MySqlRow) -> Result<Row> {
    let mut cols = Vec::with_capacity(row.columns().len());
    for (i, c) in row.columns().iter().enumerate() {
        let raw = row.try_get_raw(i).map_err(map_err)?;
        let err = |e| corrupt(c.name(), e);
        let v = if raw.is_null() {
            Value::Null
        } else {
            let ty = c.type_info().name();
            if ty.contains("INT") || ty == "BOOLEAN" {
                Value::Int(row.try_get_unchecked(i).map_err(err)?)
            } else if ty == "DATETIME" || ty == "TIMESTAMP" {
                Value::Ts(row.try_get_unchecked(i).map_err(err)?)
            } else {
                Value::Text(row.try_get_unchecked(i).map_err(err)?)
            }
        };
        cols.push((c.name().to_owned(), v));
    }
    Ok(Row { cols })
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
    ("unique_domain_name", "zone"),
    (
        "unique_pool_also_notifies_pool0host0port",
        "pool_also_notify",
    ),
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
    // upstream names the blacklists unique key after its column
    ("pattern", "blacklist"),
    ("unique_tsigkey_name", "tsigkey"),
    ("unique_quota", "quota"),
    ("unique_masters", "zone_master"),
    ("unique_attributes", "zone_attribute"),
    ("unique_shared_zone", "shared_zone"),
];

/// The object a unique violation is about, from the constraint name when the driver gives one
/// (PostgreSQL), from MySQL's message (`Duplicate entry '…' for key '[table.]name'`), else from
/// SQLite's message (`UNIQUE constraint failed: zones.name, zones.deleted, …`).
fn duplicate_object(db: &dyn sqlx::error::DatabaseError) -> &'static str {
    let by_constraint = |c: &str| {
        CONSTRAINT_OBJECTS
            .iter()
            .find(|(n, _)| *n == c)
            .map(|(_, o)| *o)
    };
    if let Some(o) = db.constraint().and_then(by_constraint) {
        return o;
    }
    if let Some((_, key)) = db.message().rsplit_once(" for key '") {
        let key = key.trim_end_matches('\'');
        let (table, name) = key.rsplit_once('.').unwrap_or(("", key));
        if let Some(o) = by_constraint(name) {
            return o;
        }
        if let Some((_, o)) = TABLE_OBJECTS.iter().find(|(t, _)| *t == table) {
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

/// Maps a driver error: unique violations become [`StorageError::Duplicate`], deadlocks and
/// serialization failures [`StorageError::Retryable`], lost or refused connections
/// [`StorageError::Unavailable`], everything else stays a database error.
pub(crate) fn map_err(e: sqlx::Error) -> StorageError {
    if let sqlx::Error::Database(db) = &e {
        if matches!(db.kind(), sqlx::error::ErrorKind::UniqueViolation) {
            return StorageError::Duplicate(duplicate_object(db.as_ref()));
        }
    }
    if dialect::is_retryable(&e) {
        return StorageError::Retryable(e);
    }
    if dialect::is_unavailable(&e) {
        return StorageError::Unavailable(e);
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
        let ins = Sql::insert("t", &["a", "b"], vec![Val::Null(Ty::Text), 1_i64.into()]);
        assert_eq!(ins.text, "INSERT INTO t (a, b) VALUES (?, ?)");
    }
}
