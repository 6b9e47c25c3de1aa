//! Database URLs: upstream's SQLAlchemy forms and the forms sqlx takes, for SQLite.
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
}

/// Parses a SQLite URL.
pub(crate) fn parse(url: &str) -> Result<Location> {
    let Some(rest) = url.strip_prefix("sqlite:") else {
        let scheme = url.split(':').next().unwrap_or_default();
        return Err(StorageError::InvalidUrl(format!(
            "unsupported database scheme {scheme:?} (only sqlite is supported so far)"
        )));
    };
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
    fn other_schemes_are_refused() {
        assert!(matches!(
            parse("mysql+pymysql://u:p@h/designate"),
            Err(StorageError::InvalidUrl(_))
        ));
        assert!(matches!(
            parse("/tmp/x.db"),
            Err(StorageError::InvalidUrl(_))
        ));
    }
}
