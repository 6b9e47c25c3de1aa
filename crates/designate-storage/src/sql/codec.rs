//! Reading typed values out of result rows, with [`StorageError::Corrupt`] naming the table and
//! column when a stored value cannot be decoded (never a panic: rows may have been written by
//! upstream Designate or by hand). Rows are engine-neutral ([`Row`]); each reader accepts every
//! form an engine stores its type in (a UUID as native `uuid` or as hex text, a timestamp as a
//! native value or as text, a Boolean as `boolean` or 0/1).

use std::str::FromStr;

use chrono::NaiveDateTime;
use uuid::Uuid;

use super::dialect;
use super::query::{Row, Value};
use crate::{Result, StorageError};

/// Decoding context: the row and the table it came from.
pub(crate) struct RowReader<'r> {
    row: &'r Row,
    table: &'static str,
}

impl<'r> RowReader<'r> {
    /// Reads from `row` of `table`.
    pub(crate) fn new(row: &'r Row, table: &'static str) -> Self {
        Self { row, table }
    }

    fn corrupt(&self, column: &'static str, message: impl Into<String>) -> StorageError {
        StorageError::Corrupt {
            table: self.table,
            column,
            message: message.into(),
        }
    }

    /// The raw value of a column; a column missing from the row is corrupt, not NULL.
    fn value(&self, column: &'static str) -> Result<&'r Value> {
        self.row
            .get(column)
            .ok_or_else(|| self.corrupt(column, "missing from the result"))
    }

    /// A nullable text column.
    pub(crate) fn opt_text(&self, column: &'static str) -> Result<Option<String>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            Value::Int(i) => Ok(Some(i.to_string())),
            Value::Uuid(u) => Ok(Some(dialect::uuid_to_db(u))),
            other => Err(self.corrupt(column, format!("expected text, found {other:?}"))),
        }
    }

    /// A NOT NULL text column.
    pub(crate) fn text(&self, column: &'static str) -> Result<String> {
        self.opt_text(column)?
            .ok_or_else(|| self.corrupt(column, "unexpected NULL"))
    }

    /// A nullable integer column.
    pub(crate) fn opt_int(&self, column: &'static str) -> Result<Option<i64>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Int(i) => Ok(Some(*i)),
            Value::Bool(b) => Ok(Some(i64::from(*b))),
            Value::Text(s) => s
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| self.corrupt(column, format!("not an integer: {s:?}"))),
            other => Err(self.corrupt(column, format!("expected an integer, found {other:?}"))),
        }
    }

    /// A NOT NULL integer column.
    pub(crate) fn int(&self, column: &'static str) -> Result<i64> {
        self.opt_int(column)?
            .ok_or_else(|| self.corrupt(column, "unexpected NULL"))
    }

    /// An integer column narrowed to `T`.
    pub(crate) fn int_as<T: TryFrom<i64>>(&self, column: &'static str) -> Result<T> {
        let v = self.int(column)?;
        T::try_from(v).map_err(|_| self.corrupt(column, format!("{v} out of range")))
    }

    /// A nullable integer column narrowed to `T`.
    pub(crate) fn opt_int_as<T: TryFrom<i64>>(&self, column: &'static str) -> Result<Option<T>> {
        match self.opt_int(column)? {
            None => Ok(None),
            Some(v) => T::try_from(v)
                .map(Some)
                .map_err(|_| self.corrupt(column, format!("{v} out of range"))),
        }
    }

    /// A Boolean column; upstream's columns are nullable and NULL means false.
    pub(crate) fn flag(&self, column: &'static str) -> Result<bool> {
        Ok(self.opt_int(column)?.is_some_and(|v| v != 0))
    }

    /// A nullable UUID column.
    pub(crate) fn opt_uuid(&self, column: &'static str) -> Result<Option<Uuid>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Uuid(u) => Ok(Some(*u)),
            Value::Text(s) => dialect::uuid_from_db(s)
                .map(Some)
                .ok_or_else(|| self.corrupt(column, format!("not a uuid: {s:?}"))),
            other => Err(self.corrupt(column, format!("expected a uuid, found {other:?}"))),
        }
    }

    /// A NOT NULL UUID column.
    pub(crate) fn uuid(&self, column: &'static str) -> Result<Uuid> {
        self.opt_uuid(column)?
            .ok_or_else(|| self.corrupt(column, "unexpected NULL"))
    }

    /// A nullable DateTime column.
    pub(crate) fn opt_ts(&self, column: &'static str) -> Result<Option<NaiveDateTime>> {
        match self.value(column)? {
            Value::Null => Ok(None),
            Value::Ts(t) => Ok(Some(*t)),
            Value::Text(s) => dialect::ts_from_db(s)
                .map(Some)
                .ok_or_else(|| self.corrupt(column, format!("not a timestamp: {s:?}"))),
            other => Err(self.corrupt(column, format!("expected a timestamp, found {other:?}"))),
        }
    }

    /// `created_at`: nullable in upstream's schema but always set by its ORM; rows inserted by
    /// upstream's migrations themselves (the seeded default pool) have none, and reading them
    /// must not fail, so NULL reads as the Unix epoch.
    pub(crate) fn created_at(&self) -> Result<NaiveDateTime> {
        Ok(self.opt_ts("created_at")?.unwrap_or_default())
    }

    /// A NOT NULL column holding one of upstream's enum spellings.
    pub(crate) fn parse<T: FromStr>(&self, column: &'static str) -> Result<T> {
        let s = self.text(column)?;
        s.parse()
            .map_err(|_| self.corrupt(column, format!("unexpected value {s:?}")))
    }

    /// A JSON text column (upstream's JsonEncodedDict).
    pub(crate) fn json(&self, column: &'static str) -> Result<serde_json::Value> {
        match self.opt_text(column)? {
            None => Ok(serde_json::Value::Null),
            Some(s) => serde_json::from_str(&s).map_err(|e| self.corrupt(column, e.to_string())),
        }
    }
}
