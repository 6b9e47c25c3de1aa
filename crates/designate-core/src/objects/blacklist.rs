//! Blacklisted zone names (upstream table `blacklists`): regular expressions a new zone's name
//! must not match unless the caller may use blacklisted zones.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

/// A blacklist row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blacklist {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// A regular expression searched for in zone names (Python `re.search` semantics); unique.
    pub pattern: String,
    /// Free text.
    pub description: Option<String>,
}

/// The fields a caller gives to create a blacklist entry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBlacklist {
    /// Pattern.
    pub pattern: String,
    /// Description.
    pub description: Option<String>,
}

/// The fields a caller may change on a blacklist entry (PATCH).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlacklistUpdate {
    /// New pattern.
    pub pattern: Option<String>,
    /// New description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

/// Largest compiled pattern we accept: a blacklist is checked on every zone create, so a
/// pathological pattern must not cost unbounded memory.
const PATTERN_SIZE_LIMIT: usize = 1 << 20;

/// Compiles a blacklist pattern for an unanchored search (Python's `re.search`, which upstream
/// uses). Patterns use the `regex` crate's syntax, which is Python's minus look-around and
/// back-references; in exchange a search runs in linear time, so no pattern can stall zone
/// creation (upstream bounds each search with a 20 ms timeout instead).
///
/// # Errors
/// `invalid_object` at `["pattern"]` for an empty or invalid pattern.
pub fn compile_pattern(pattern: &str) -> crate::Result<regex::Regex> {
    let invalid = || {
        crate::DesignateError::invalid_object(
            &["pattern"],
            "format",
            format!("{pattern} is not a valid regular expression"),
        )
    };
    if pattern.is_empty() {
        return Err(invalid());
    }
    regex::RegexBuilder::new(pattern)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_search_unanchored() {
        let re = compile_pattern("example\\.org\\.$").unwrap();
        assert!(re.is_match("www.example.org."));
        assert!(!re.is_match("example.org.uk."));
        assert!(compile_pattern("").is_err());
        assert!(compile_pattern("(").is_err());
    }
}
