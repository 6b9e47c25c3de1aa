//! Everything that differs between database engines, in one place: placeholder syntax, quoting
//! of reserved words, the statement that opens a write transaction, and how UUIDs and timestamps
//! are stored. Queries elsewhere are written once in portable SQL with `?` placeholders and pass
//! through [`placeholders`]; a PostgreSQL or MySQL port changes this module, not the queries.
//!
//! Today the engine is SQLite, stored the way upstream's SQLAlchemy models store it there.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use uuid::Uuid;

/// The sqlx database type the queries run on.
pub(crate) type Db = sqlx::Sqlite;

/// The statement that opens a write transaction. SQLite's `IMMEDIATE` takes the write lock up
/// front, so a transaction never fails half-way with `SQLITE_BUSY` when it first writes; it waits
/// (busy_timeout) for another process's writer instead.
pub(crate) const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// The column named `key` (reserved in MySQL), quoted.
pub(crate) const KEY: &str = "\"key\"";

/// The escape character of LIKE patterns; `!` rather than `\` because backslash is itself an
/// escape inside MySQL string literals.
pub(crate) const LIKE_ESCAPE: char = '!';

/// Rewrites `?` placeholders into the engine's syntax (SQLite takes `?` as is; PostgreSQL would
/// need `$1, $2, …`). Queries never contain `?` inside string literals, so this is a plain scan.
pub(crate) fn placeholders(sql: &str) -> Cow<'_, str> {
    Cow::Borrowed(sql)
}

/// Turns upstream's `*` wildcard into a LIKE pattern: `*` → `%`, and `%`, `_` and the escape
/// character itself match literally.
pub(crate) fn like_pattern(wildcard: &str) -> String {
    let mut out = String::with_capacity(wildcard.len() + 4);
    for c in wildcard.chars() {
        match c {
            '*' => out.push('%'),
            '%' | '_' | LIKE_ESCAPE => {
                out.push(LIKE_ESCAPE);
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A UUID as upstream stores it outside PostgreSQL: 32 lowercase hex digits, no dashes.
pub(crate) fn uuid_to_db(id: &Uuid) -> String {
    id.simple().to_string()
}

/// Reads a stored UUID (either form).
pub(crate) fn uuid_from_db(s: &str) -> Option<Uuid> {
    Uuid::parse_str(s.trim()).ok()
}

/// A timestamp as SQLAlchemy writes DateTime on SQLite: `YYYY-MM-DD HH:MM:SS.ffffff`.
pub(crate) fn ts_to_db(ts: &NaiveDateTime) -> String {
    ts.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

/// Reads a stored timestamp; accepts a missing fraction and a `T` separator too, since other
/// writers (or hand edits) use them.
pub(crate) fn ts_from_db(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_pattern_escapes_everything_but_star() {
        assert_eq!(like_pattern("*.example.org."), "%.example.org.");
        assert_eq!(like_pattern("a_b%c!d*"), "a!_b!%c!!d%");
    }

    #[test]
    fn uuid_is_simple_hex() {
        let id = Uuid::parse_str("794ccc2c-d751-44fe-b57f-8894c9f5c842").unwrap();
        assert_eq!(uuid_to_db(&id), "794ccc2cd75144feb57f8894c9f5c842");
        assert_eq!(uuid_from_db("794ccc2cd75144feb57f8894c9f5c842"), Some(id));
    }

    #[test]
    fn timestamps_round_trip_in_sqlalchemy_format() {
        let ts = ts_from_db("2024-01-02 03:04:05.000006").unwrap();
        assert_eq!(ts_to_db(&ts), "2024-01-02 03:04:05.000006");
        let ts = ts_from_db("2024-01-02 03:04:05").unwrap();
        assert_eq!(ts_to_db(&ts), "2024-01-02 03:04:05.000000");
        assert!(ts_from_db("yesterday").is_none());
    }
}
