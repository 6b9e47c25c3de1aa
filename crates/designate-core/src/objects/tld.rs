//! Top-level domains an operator allows (upstream table `tlds`): when any exists, zones may only
//! be created under one of them.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Timestamp;

/// A TLD row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tld {
    /// Primary key.
    pub id: Uuid,
    /// Optimistic-lock version.
    pub version: i32,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last update.
    pub updated_at: Option<Timestamp>,
    /// The TLD without a trailing dot, lower case (`com`, `co.uk`); unique.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
}

/// The fields a caller gives to create a TLD.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewTld {
    /// Name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
}

/// The fields a caller may change on a TLD (PATCH).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TldUpdate {
    /// New name.
    pub name: Option<String>,
    /// New description; `Some(None)` clears it.
    pub description: Option<Option<String>>,
}

/// Upstream's `RE_TLDNAME`: shorter than 255 characters, labels of 1–63 of `[A-Za-z0-9_-]` not
/// starting or ending with `-`, no trailing dot.
///
/// # Errors
/// `invalid_object` at `["name"]` when `name` is not a TLD.
pub fn validate_tld_name(name: &str) -> crate::Result<()> {
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    };
    if name.len() < 255 && name.split('.').all(label_ok) {
        Ok(())
    } else {
        Err(crate::DesignateError::invalid_object(
            &["name"],
            "format",
            format!("{name} is not a TLD"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tld_names() {
        for ok in ["com", "co.uk", "x_y", "a-b", "XN--P1AI"] {
            assert!(validate_tld_name(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "com.",
            ".com",
            "-a",
            "a-",
            "a..b",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(validate_tld_name(bad).is_err(), "{bad}");
        }
    }
}
