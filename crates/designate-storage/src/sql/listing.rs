//! Criteria and pagination rendered into SQL against an allow-list of columns per table.
//!
//! Column names in a [`Criteria`] or a sort key come from API users; they are only ever looked up
//! in a table's static column list and the static name is what goes into the SQL, so an unknown
//! name is an error ([`StorageError::InvalidCriteria`] / [`StorageError::InvalidSortKey`]) and
//! never reaches the database. Values are always bound.
//!
//! Ordering is `(sort column, id)` in the requested direction with NULL as the smallest value on
//! every engine, and the marker condition is the keyset "strictly after the marker row" in that
//! same order, both written so that an index on `(…, sort column, id)` serves a page as one
//! range read in index order (cost independent of how many rows lie before the marker).

use designate_core::criteria::{Criteria, Filter, Page, SortDir};

use super::dialect::{self, Engine};
use super::query::{Conn, Sql, Val, Value};
use crate::{Result, StorageError};

/// How a column's values are typed, to turn filter strings into bound values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text (wildcards allowed).
    Text,
    /// A DNS name (text, wildcards allowed), compared case-insensitively on every engine as DNS
    /// compares names (RFC 4343). Upstream gets this from MySQL's case-insensitive collation and
    /// stores names as given; on PostgreSQL and SQLite the comparison is made explicit, backed by
    /// our case-folded indexes (migration 0120).
    DnsName,
    /// One of upstream's Enum columns (a named enum type on PostgreSQL, ENUM on MySQL):
    /// filtered as text, so that a value outside the enum matches nothing instead of failing.
    Enum,
    /// Integer.
    Int,
    /// UUID stored as hex.
    Uuid,
    /// Boolean stored as 0/1.
    Bool,
    /// DateTime.
    Ts,
}

/// One column of a table.
#[derive(Debug)]
pub(crate) struct Col {
    pub(crate) name: &'static str,
    pub(crate) kind: Kind,
    pub(crate) nullable: bool,
}

/// Shorthand for the column tables below.
pub(crate) const fn col(name: &'static str, kind: Kind, nullable: bool) -> Col {
    Col {
        name,
        kind,
        nullable,
    }
}

/// A table's name and its filterable / sortable columns.
#[derive(Debug)]
pub(crate) struct Table {
    pub(crate) name: &'static str,
    pub(crate) cols: &'static [Col],
}

impl Table {
    fn col(&self, name: &str) -> Option<&'static Col> {
        self.cols.iter().find(|c| c.name == name)
    }

    /// `alias.c1, alias.c2, …` for every column.
    pub(crate) fn select_list(&self, alias: &str) -> String {
        self.cols
            .iter()
            .map(|c| format!("{alias}.{}", c.name))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Converts a filter value to the column's type.
fn value_for(table: &Table, col: &Col, raw: &str) -> Result<Val> {
    let bad = || {
        StorageError::InvalidCriteria(format!(
            "{:?} is not a valid value for {}.{}",
            raw, table.name, col.name
        ))
    };
    Ok(match col.kind {
        Kind::Text | Kind::DnsName | Kind::Enum => Val::Text(raw.to_owned()),
        Kind::Int => Val::Int(raw.trim().parse().map_err(|_| bad())?),
        Kind::Uuid => Val::Uuid(dialect::uuid_from_db(raw).ok_or_else(bad)?),
        Kind::Bool => match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Val::Bool(true),
            "false" | "0" => Val::Bool(false),
            _ => return Err(bad()),
        },
        Kind::Ts => Val::Ts(dialect::ts_from_db(raw).ok_or_else(bad)?),
    })
}

/// Appends `col <op> ?` for one filter; `target` is the qualified column.
fn push_filter(
    sql: &mut Sql,
    engine: Engine,
    table: &Table,
    col: &Col,
    target: &str,
    filter: &Filter,
) -> Result<()> {
    let enum_text;
    let target = if col.kind == Kind::Enum {
        enum_text = engine.enum_as_text(target);
        enum_text.as_str()
    } else {
        target
    };
    if col.kind == Kind::DnsName {
        return push_name_filter(sql, engine, table, col, target, filter);
    }
    match filter {
        Filter::Eq(v) => {
            sql.push(target).push(" = ").bind(value_for(table, col, v)?);
        }
        Filter::Ne(v) => {
            sql.push(target)
                .push(" <> ")
                .bind(value_for(table, col, v)?);
        }
        Filter::IsNull => {
            sql.push(target).push(" IS NULL");
        }
        Filter::Wildcard(v) => {
            if !matches!(col.kind, Kind::Text | Kind::DnsName | Kind::Enum) {
                return Err(StorageError::InvalidCriteria(format!(
                    "wildcards are not allowed on {}.{}",
                    table.name, col.name
                )));
            }
            sql.push(target)
                .push(" LIKE ")
                .bind(dialect::like_pattern(v))
                .push(&format!(" ESCAPE '{}'", dialect::LIKE_ESCAPE));
        }
    }
    Ok(())
}

/// [`push_filter`] for a [`Kind::DnsName`] column: the comparison ignores ASCII case, written so
/// that each engine's case-folded index serves it.
fn push_name_filter(
    sql: &mut Sql,
    engine: Engine,
    table: &Table,
    col: &Col,
    target: &str,
    filter: &Filter,
) -> Result<()> {
    let (op, value) = match filter {
        Filter::Eq(v) => (" = ", value_for(table, col, v)?),
        Filter::Ne(v) => (" <> ", value_for(table, col, v)?),
        Filter::Wildcard(v) => (" LIKE ", Val::Text(dialect::like_pattern(v))),
        Filter::IsNull => {
            sql.push(target).push(" IS NULL");
            return Ok(());
        }
    };
    match engine {
        // The columns' collation is case-insensitive already (upstream's schema).
        Engine::MySql => {
            sql.push(target).push(op).bind(value);
        }
        Engine::Postgres => {
            sql.push(&format!("lower({target})"))
                .push(op)
                .push("lower(")
                .bind(value)
                .push(")");
        }
        // LIKE ignores ASCII case in SQLite already; `=` / `<>` need the collation.
        Engine::Sqlite => {
            sql.push(target).push(op).bind(value);
            if !matches!(filter, Filter::Wildcard(_)) {
                sql.push(" COLLATE NOCASE");
            }
        }
    }
    if matches!(filter, Filter::Wildcard(_)) {
        sql.push(&format!(" ESCAPE '{}'", dialect::LIKE_ESCAPE));
    }
    Ok(())
}

/// Appends ` AND <filter>` for each criterion on columns of `table` (aliased `alias`).
///
/// `child` optionally names a child table whose columns may be filtered too — a row matches when
/// any of its children does (recordsets filtered by their records' `data` / `status`):
/// `(child table, its alias-free foreign key column to this table's id, allowed columns)`.
pub(crate) fn push_criteria(
    sql: &mut Sql,
    engine: Engine,
    table: &Table,
    alias: &str,
    criteria: &Criteria,
    child: Option<(&Table, &str, &[&str])>,
) -> Result<()> {
    for (name, filter) in &criteria.0 {
        sql.push(" AND ");
        if let Some(col) = table.col(name) {
            push_filter(
                sql,
                engine,
                table,
                col,
                &format!("{alias}.{}", col.name),
                filter,
            )?;
            continue;
        }
        let child_col = child.and_then(|(t, fk, allowed)| {
            allowed
                .contains(&name.as_str())
                .then(|| t.col(name).map(|c| (t, fk, c)))
                .flatten()
        });
        let Some((ct, fk, col)) = child_col else {
            return Err(StorageError::InvalidCriteria(format!(
                "{} cannot be filtered by {name:?}",
                table.name
            )));
        };
        sql.push(&format!(
            "EXISTS (SELECT 1 FROM {} c WHERE c.{fk} = {alias}.id AND ",
            ct.name
        ));
        push_filter(sql, engine, ct, col, &format!("c.{}", col.name), filter)?;
        sql.push(")");
    }
    Ok(())
}

/// Appends the marker condition (` AND …`), `ORDER BY` and `LIMIT` of `page`. Must come last.
///
/// # Errors
/// [`StorageError::InvalidSortKey`] for a column not in `table`; [`StorageError::NotFound`]
/// (`"marker"`) when the marker names no row of `table`.
pub(crate) async fn push_page(
    sql: &mut Sql,
    conn: &mut Conn,
    table: &Table,
    alias: &str,
    page: &Page,
) -> Result<()> {
    let col = table
        .col(&page.sort_key)
        .ok_or_else(|| StorageError::InvalidSortKey(page.sort_key.clone()))?;
    let c = format!("{alias}.{}", col.name);
    let id = format!("{alias}.id");
    let asc = page.sort_dir == SortDir::Asc;

    if let Some(marker) = page.marker {
        let mut probe = Sql::new(&format!(
            "SELECT CASE WHEN {0} IS NULL THEN 1 ELSE 0 END FROM {1} WHERE id = ",
            col.name, table.name
        ));
        probe.bind(marker);
        let Some(row) = probe.fetch_optional(conn).await? else {
            return Err(StorageError::NotFound("marker"));
        };
        let marker_is_null = match row.first() {
            Some(Value::Int(n)) => *n,
            _ => 0,
        };
        // M: the marker row's sort value, read by the database itself so that no value has to
        // be decoded and re-bound with the right type.
        let push_m = |sql: &mut Sql| {
            sql.push(&format!(
                "(SELECT m.{} FROM {} m WHERE m.id = ",
                col.name, table.name
            ))
            .bind(marker)
            .push(")");
        };
        sql.push(" AND ");
        match (marker_is_null != 0, asc) {
            (false, _) => {
                // After a non-NULL marker: a later (value, id) pair; in descending order every
                // NULL comes after too.
                let nulls_follow = !asc && col.nullable;
                if nulls_follow {
                    sql.push("(");
                }
                let cmp = if asc { ">" } else { "<" };
                if conn.engine() == Engine::Postgres {
                    // A row comparison is one range of an index on (…, column, id), so the page
                    // is read in index order from the marker on; the OR form below would be a
                    // BitmapOr followed by a sort of everything after the marker.
                    sql.push(&format!("({c}, {id}) {cmp} ("));
                    push_m(sql);
                    sql.push(", ").bind(marker).push(")");
                } else {
                    // MySQL/MariaDB and SQLite turn this OR into index ranges themselves.
                    sql.push(&format!("({c} {cmp} "));
                    push_m(sql);
                    sql.push(&format!(" OR ({c} = "));
                    push_m(sql);
                    sql.push(&format!(" AND {id} {cmp} "))
                        .bind(marker)
                        .push("))");
                }
                if nulls_follow {
                    sql.push(&format!(" OR {c} IS NULL)"));
                }
            }
            (true, true) => {
                // NULLs sort first: every non-NULL, or a NULL with a later id.
                sql.push(&format!("({c} IS NOT NULL OR ({c} IS NULL AND {id} > "))
                    .bind(marker)
                    .push("))");
            }
            (true, false) => {
                sql.push(&format!("({c} IS NULL AND {id} < "))
                    .bind(marker)
                    .push(")");
            }
        }
    }

    // NULL is the smallest value: what MySQL/MariaDB and SQLite do natively, PostgreSQL by
    // NULLS FIRST / LAST (which our indexes on PostgreSQL are built with). No expression in
    // the ORDER BY, so an index on (…, column, id) hands out the page in order.
    let dir = if asc { "ASC" } else { "DESC" };
    let nulls = match (col.nullable && conn.engine() == Engine::Postgres, asc) {
        (false, _) => "",
        (true, true) => " NULLS FIRST",
        (true, false) => " NULLS LAST",
    };
    sql.push(&format!(" ORDER BY {c} {dir}{nulls}"));
    if col.name != "id" {
        sql.push(&format!(", {id} {dir}"));
    }
    if let Some(limit) = page.limit {
        sql.push(" LIMIT ").bind(i64::from(limit));
    }
    Ok(())
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::sql::recordsets::RECORDSETS;
    use crate::sql::zones::ZONES;
    use crate::sql::SqlStorage;

    /// SQLite's plan for `SELECT … WHERE 1 = 1 AND <criteria>` on `table`.
    async fn plan(table: &Table, alias: &str, criteria: &Criteria) -> Vec<String> {
        let s = SqlStorage::connect("sqlite::memory:")
            .await
            .expect("connect");
        s.migrate().await.expect("migrate");
        let mut q = Sql::new(&format!(
            "SELECT {alias}.id FROM {} {alias} WHERE 1 = 1",
            table.name
        ));
        push_criteria(&mut q, Engine::Sqlite, table, alias, criteria, None).expect("criteria");
        s.sqlite_plan(q.text()).await
    }

    /// Case-insensitive name lookups seek through the case-folded indexes (migrations 0120, 0161)
    /// rather than scanning every zone or every recordset of a zone.
    #[tokio::test]
    async fn name_lookups_use_the_case_folded_indexes_on_sqlite() {
        let zone_plan = plan(&ZONES, "z", &Criteria::new().eq("name", "Example.org.")).await;
        assert!(
            zone_plan
                .iter()
                .any(|d| d.contains("designate_zones_name_deleted_created")),
            "{zone_plan:?}"
        );
        let by_zone = Criteria::new()
            .eq("zone_id", "00000000000000000000000000000000")
            .eq("name", "www.Example.org.");
        let rs_plan = plan(&RECORDSETS, "r", &by_zone).await;
        assert!(
            rs_plan
                .iter()
                .any(|d| d.contains("designate_recordsets_zone_name")),
            "{rs_plan:?}"
        );
    }
}
