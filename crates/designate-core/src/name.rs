//! DNS-name rules for zone and recordset names (FQDN with trailing dot, label and length limits).

use crate::error::{DesignateError, Result};

/// Checks a zone name: an absolute FQDN of at least two labels.
///
/// # Errors
/// `invalid_object` when the name is malformed.
pub fn validate_zone_name(name: &str) -> Result<()> {
    validate_fqdn(name, "name")
}

/// Checks a recordset owner name: an absolute FQDN (wildcard `*` allowed as the first label).
///
/// # Errors
/// `invalid_object` when the name is malformed.
pub fn validate_recordset_name(name: &str) -> Result<()> {
    validate_fqdn(name, "name")
}

/// Whether `name` equals `zone` or lies below it (both absolute, compared case-insensitively).
pub fn is_in_zone(name: &str, zone: &str) -> bool {
    let (name, zone) = (name.to_ascii_lowercase(), zone.to_ascii_lowercase());
    name == zone || name.ends_with(&format!(".{zone}"))
}

fn validate_fqdn(name: &str, field: &str) -> Result<()> {
    if name.len() > 255 || !name.ends_with('.') || name.starts_with('.') {
        return Err(DesignateError::invalid_object(
            &[field],
            "format",
            format!("{name:?} is not a valid FQDN"),
        ));
    }
    Ok(())
}
