//! Database URLs: upstream's SQLAlchemy forms (as written in designate.conf's
//! `[storage:sqlalchemy] connection`) and the forms sqlx takes.
//!
//! | URL | database |
//! |---|---|
//! | `mysql+pymysql://u:p@host[:port]/db[?…]`, `mysql://…`, `mariadb://…` | MySQL / MariaDB |
//! | `postgresql+psycopg2://u:p@host[:port]/db[?…]`, `postgresql://…`, `postgres://…` | PostgreSQL |
//!
//! SQLAlchemy's `+driver` suffix is dropped. Of the query parameters only those sqlx understands
//! with the same meaning are kept (`sslmode`, `sslrootcert`, `host` for PostgreSQL; `ssl-mode`,
//! `ssl-ca` for MySQL, and pymysql's `unix_socket`, which sqlx calls `socket`); the rest
//! (`charset=utf8`, …) are SQLAlchemy driver options with no sqlx equivalent and are ignored.
//!
//! SQLite:
//!
//! | URL | database |
//! |---|---|
//! | `sqlite:////abs/path.db` | `/abs/path.db` (SQLAlchemy: three slashes, then an absolute path) |
//! | `sqlite:///rel/path.db` | `rel/path.db`, relative to the working directory (SQLAlchemy) |
//! | `sqlite://rel.db`, `sqlite:rel.db` | `rel.db` (sqlx) |
//! | `sqlite://`, `sqlite::memory:`, `sqlite://:memory:`, `…?mode=memory` | in memory |
//!
//! Query parameters other than `mode=memory` (SQLAlchemy's driver options) are ignored.

use std::path::PathBuf;

use crate::{Result, StorageError};

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A private in-memory database.
    Memory,
    /// A file, created if missing.
    File(PathBuf),
    /// A PostgreSQL server; the URL in the form sqlx takes.
    Postgres(String),
    /// A MySQL / MariaDB server; the URL in the form sqlx takes.
    MySql(String),
}

/// Query parameters kept for sqlx, and the names it knows them by.
const PG_PARAMS: &[(&str, &str)] = &[
    ("sslmode", "sslmode"),
    ("sslrootcert", "sslrootcert"),
    ("host", "host"),
];
const MYSQL_PARAMS: &[(&str, &str)] = &[
    ("ssl-mode", "ssl-mode"),
    ("ssl-ca", "ssl-ca"),
    ("unix_socket", "socket"),
];

/// Rebuilds a server URL as `scheme://rest` with only the parameters sqlx should see.
fn rebuild_url(scheme: &str, rest: &str, keep: &[(&str, &str)]) -> Result<String> {
    let rest = rest.strip_prefix("//").ok_or_else(|| {
        StorageError::InvalidUrl(format!("expected {scheme}://user:password@host/database"))
    })?;
    let (base, query) = rest.split_once('?').unwrap_or((rest, ""));
    let (_, db) = base.split_once('/').unwrap_or((base, ""));
    if db.is_empty() {
        return Err(StorageError::InvalidUrl(format!(
            "{scheme} url names no database"
        )));
    }
    let params: Vec<String> = query
        .split('&')
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            keep.iter()
                .find(|(from, _)| *from == k)
                .map(|(_, to)| format!("{to}={v}"))
        })
        .collect();
    let mut url = format!("{scheme}://{base}");
    if !params.is_empty() {
        url.push('?');
        url.push_str(&params.join("&"));
    }
    Ok(url)
}

/// Parses a database URL.
pub(crate) fn parse(url: &str) -> Result<Location> {
    let url = url.trim();
    let Some((scheme, rest)) = url.split_once(':') else {
        return Err(StorageError::InvalidUrl("no scheme".to_owned()));
    };
    // SQLAlchemy's dialect+driver: only the dialect matters.
    let dialect = scheme.split('+').next().unwrap_or_default();
    match dialect.to_ascii_lowercase().as_str() {
        "sqlite" => sqlite(rest),
        "postgresql" | "postgres" => Ok(Location::Postgres(rebuild_url(
            "postgres", rest, PG_PARAMS,
        )?)),
        "mysql" | "mariadb" => Ok(Location::MySql(rebuild_url("mysql", rest, MYSQL_PARAMS)?)),
        _ => Err(StorageError::InvalidUrl(format!(
            "unsupported database scheme {scheme:?} (sqlite, postgresql or mysql)"
        ))),
    }
}

/// A database-server URL (PostgreSQL or MySQL/MariaDB) in the form sqlx takes, for other
/// crates that open their own connections to a server named in upstream's URL forms (the
/// `powerdns-sql` backend's `connection` option).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerUrl {
    /// A PostgreSQL server.
    Postgres(String),
    /// A MySQL / MariaDB server.
    MySql(String),
}

/// Parses an upstream-style (`mysql+pymysql://…`, `postgresql+psycopg2://…`) or plain database
/// URL naming a PostgreSQL or MySQL/MariaDB server.
///
/// # Errors
/// [`StorageError::InvalidUrl`] for anything else (SQLite included).
pub fn server_url(url: &str) -> Result<ServerUrl> {
    match parse(url)? {
        Location::Postgres(u) => Ok(ServerUrl::Postgres(u)),
        Location::MySql(u) => Ok(ServerUrl::MySql(u)),
        Location::Memory | Location::File(_) => Err(StorageError::InvalidUrl(
            "expected a PostgreSQL or MySQL/MariaDB server URL".to_owned(),
        )),
    }
}

/// Parses what follows `sqlite:`.
fn sqlite(rest: &str) -> Result<Location> {
    let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
    let memory_param = query
        .split('&')
        .any(|kv| kv.eq_ignore_ascii_case("mode=memory"));
    let path = if let Some(p) = rest.strip_prefix("///") {
        p
    } else if let Some(p) = rest.strip_prefix("//") {
        p
    } else {
        rest
    };
    if memory_param || path.is_empty() || path == ":memory:" {
        return Ok(Location::Memory);
    }
    Ok(Location::File(PathBuf::from(path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(p: &str) -> Location {
        Location::File(PathBuf::from(p))
    }

    #[test]
    fn sqlalchemy_forms() {
        assert_eq!(
            parse("sqlite:////var/lib/designate/designate.sqlite").unwrap(),
            file("/var/lib/designate/designate.sqlite")
        );
        assert_eq!(
            parse("sqlite:///designate.sqlite").unwrap(),
            file("designate.sqlite")
        );
        assert_eq!(
            parse("sqlite:///data/d.db?check_same_thread=0").unwrap(),
            file("data/d.db")
        );
        assert_eq!(parse("sqlite://").unwrap(), Location::Memory);
    }

    #[test]
    fn sqlx_forms() {
        assert_eq!(parse("sqlite::memory:").unwrap(), Location::Memory);
        assert_eq!(parse("sqlite://:memory:").unwrap(), Location::Memory);
        assert_eq!(parse("sqlite://?mode=memory").unwrap(), Location::Memory);
        assert_eq!(parse("sqlite://d.db").unwrap(), file("d.db"));
        assert_eq!(parse("sqlite:d.db").unwrap(), file("d.db"));
    }

    #[test]
    fn upstream_server_forms() {
        assert_eq!(
            parse("mysql+pymysql://designate:pw@db.example.org/designate?charset=utf8").unwrap(),
            Location::MySql("mysql://designate:pw@db.example.org/designate".to_owned())
        );
        assert_eq!(
            parse("mysql://root@127.0.0.1:3306/d?unix_socket=/run/mysqld.sock").unwrap(),
            Location::MySql("mysql://root@127.0.0.1:3306/d?socket=/run/mysqld.sock".to_owned())
        );
        assert_eq!(
            parse("postgresql+psycopg2://designate:pw@10.0.0.5:5433/designate?sslmode=require")
                .unwrap(),
            Location::Postgres(
                "postgres://designate:pw@10.0.0.5:5433/designate?sslmode=require".to_owned()
            )
        );
        assert_eq!(
            parse("postgresql://postgres@127.0.0.1/x").unwrap(),
            Location::Postgres("postgres://postgres@127.0.0.1/x".to_owned())
        );
        assert!(matches!(
            parse("postgresql://postgres@127.0.0.1"),
            Err(StorageError::InvalidUrl(_))
        ));
    }

    #[test]
    fn other_schemes_are_refused() {
        assert!(matches!(
            parse("oracle://u:p@h/designate"),
            Err(StorageError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse("/tmp/x.db"),
            Err(StorageError::InvalidUrl(_))
        ));
    }
}
