//! Everything that differs between database engines, in one place: placeholder syntax, the
//! statement that opens a write transaction, how UUIDs and timestamps are stored, and which
//! driver errors mean "retry the transaction". Queries elsewhere are written once in portable
//! SQL with `?` placeholders and pass through [`Engine::placeholders`].
//!
//! What each engine stores is what upstream's SQLAlchemy models store there
//! (designate/storage/sqlalchemy/types.py and tables.py):
//!
//! | value | SQLite | MySQL/MariaDB | PostgreSQL |
//! |---|---|---|---|
//! | UUID | CHAR(32) hex | CHAR(32) hex | native `uuid` |
//! | DateTime | text `YYYY-MM-DD HH:MM:SS.ffffff` | DATETIME (whole seconds) | `timestamp` |
//! | Boolean | 0/1 | TINYINT(1) | `boolean` |
//! | Enum | VARCHAR | ENUM(…) | a named enum type |
//!
//! The reserved column name `key` is written `"key"` everywhere: MySQL sessions run with
//! `ANSI_QUOTES` (set when a connection opens), so double quotes quote identifiers there too.

use std::borrow::Cow;

use chrono::NaiveDateTime;
use uuid::Uuid;

/// The database engine behind a [`super::SqlStorage`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// SQLite (a file or in memory).
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL or MariaDB (Galera included).
    MySql,
}

impl Engine {
    /// The statement that opens a write transaction. SQLite's `IMMEDIATE` takes the write lock
    /// up front, so a transaction never fails half-way with `SQLITE_BUSY` when it first writes.
    /// The server engines need no lock: conflicting writes are caught by the version checks
    /// and by the engine's own deadlock detection, and retried (see [`is_retryable`]).
    pub(crate) const fn begin_write(self) -> &'static str {
        match self {
            Self::Sqlite => "BEGIN IMMEDIATE",
            Self::Postgres | Self::MySql => "BEGIN",
        }
    }

    /// Rewrites `?` placeholders into the engine's syntax: PostgreSQL numbers them (`$1, $2,
    /// …`), the others take `?` as is. Queries never contain `?` inside string literals, so
    /// this is a plain scan.
    pub(crate) fn placeholders(self, sql: &str) -> Cow<'_, str> {
        if self != Self::Postgres || !sql.contains('?') {
            return Cow::Borrowed(sql);
        }
        let mut out = String::with_capacity(sql.len() + 16);
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            } else {
                out.push(c);
            }
        }
        Cow::Owned(out)
    }

    /// `column` as text, for filters on an Enum column: PostgreSQL refuses to compare its enum
    /// types with a label they do not have, MySQL's ENUM and SQLite's VARCHAR compare as text
    /// already (and keep their indexes usable that way).
    pub(crate) fn enum_as_text(self, column: &str) -> String {
        match self {
            Self::Postgres => format!("{column}::text"),
            Self::Sqlite | Self::MySql => column.to_owned(),
        }
    }

    /// The smallest step between two stored timestamps: upstream's MySQL columns are DATETIME
    /// without a fraction, so there a second; elsewhere a microsecond.
    pub(crate) fn ts_step(self) -> chrono::Duration {
        match self {
            Self::MySql => chrono::Duration::seconds(1),
            Self::Sqlite | Self::Postgres => chrono::Duration::microseconds(1),
        }
    }

    /// `ts` as this engine stores it (see [`Engine::ts_step`]), so that a row written with it
    /// can be returned without reading it back.
    pub(crate) fn stored_ts(self, ts: NaiveDateTime) -> NaiveDateTime {
        use chrono::SubsecRound;
        match self {
            Self::MySql => ts.trunc_subsecs(0),
            Self::Sqlite | Self::Postgres => ts.trunc_subsecs(6),
        }
    }

    /// The current time as this engine stores it.
    pub(crate) fn stored_now(self) -> NaiveDateTime {
        self.stored_ts(chrono::Utc::now().naive_utc())
    }
}

/// The column named `key` (reserved in MySQL), quoted.
pub(crate) const KEY: &str = "\"key\"";

/// The escape character of LIKE patterns; `!` rather than `\` because backslash is itself an
/// escape inside MySQL string literals.
pub(crate) const LIKE_ESCAPE: char = '!';

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

/// Whether a driver error means "this transaction lost a race; run it again": deadlocks,
/// serialization failures and lock wait timeouts (PostgreSQL SQLSTATE 40001 / 40P01 / 55P03,
/// MySQL 1213 / 1205 / 1047 — Galera reports a certification failure as deadlock 1213 — and
/// SQLite's busy / locked).
pub(crate) fn is_retryable(e: &sqlx::Error) -> bool {
    let sqlx::Error::Database(db) = e else {
        return false;
    };
    if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
        // ER_LOCK_DEADLOCK, ER_LOCK_WAIT_TIMEOUT; Galera's ER_LOCK_DEADLOCK on certification
        // failure, and WSREP's "not ready" (1047) while a node rejoins the cluster.
        return matches!(my.number(), 1213 | 1205 | 1047);
    }
    let code = db.code();
    matches!(
        code.as_deref().unwrap_or_default(),
        // PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
        "40001" | "40P01" | "55P03"
        // SQLite: BUSY, LOCKED, BUSY_SNAPSHOT.
        | "5" | "6" | "517"
    )
}

/// Whether a driver error means the database cannot be reached: no connection, a lost one,
/// a pool that stayed exhausted for its timeout, or a server shutting down (PostgreSQL SQLSTATE
/// class 08 and 57P01-57P03; MySQL 1053 shutdown, 1927 connection killed, 2006 / 2013 gone away).
pub(crate) fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            if let Some(my) = db.try_downcast_ref::<sqlx::mysql::MySqlDatabaseError>() {
                return matches!(my.number(), 1053 | 1927 | 2006 | 2013);
            }
            if db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some()
            {
                let code = db.code();
                let code = code.as_deref().unwrap_or_default();
                return code.starts_with("08") || matches!(code, "57P01" | "57P02" | "57P03");
            }
            false
        }
        _ => false,
    }
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

    #[test]
    fn placeholders_are_numbered_for_postgres_only() {
        let sql = "SELECT 1 FROM t WHERE a = ? AND b IN (?, ?)";
        assert_eq!(Engine::Sqlite.placeholders(sql), sql);
        assert_eq!(Engine::MySql.placeholders(sql), sql);
        assert_eq!(
            Engine::Postgres.placeholders(sql),
            "SELECT 1 FROM t WHERE a = $1 AND b IN ($2, $3)"
        );
    }
}
