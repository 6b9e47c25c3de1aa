//! RFC 1035 master files ("zone files"): [`parse`] for zone import and [`render`] for zone
//! export, pure functions over text.
//!
//! Upstream imports with dnspython's `zone.from_text(relativize=False, check_origin=False)` and
//! exports with the `export-zone.jinja2` template; this module reads and writes the same files:
//! - accepted: `$ORIGIN`, `$TTL`, `@`, relative and absolute names, a blank owner repeating the
//!   previous one, optional class `IN` and TTL in either order, TTL units (`1h30m`),
//!   parentheses across lines, `;` comments, quoted strings with `\"`, `\\` and `\DDD` escapes,
//!   `$GENERATE` (dnspython expands it, so upstream accepts it);
//! - refused, with line and column: `$INCLUDE` (upstream refuses it too), other directives, a record before any origin, no SOA at the apex, classes other than IN, types
//!   we cannot store, record data our [`crate::rdata`] rules refuse, and — unlike dnspython,
//!   which silently drops them — records outside the zone;
//! - bounded by [`ParseLimits`]; no input makes it panic.
//!
//! Record data comes out in the presentation form [`crate::rdata::validate`] accepts, names in
//! it made absolute (`MX 10 mail` → `10 mail.example.org.`), ready to store.
//!
//! It owns only the text format: deciding what an import creates (upstream drops the SOA and
//! apex NS sets), quotas and task status stay with central.

mod data;
mod error;
mod generate;
mod lexer;
mod parser;
mod render;
mod ttl;

pub use error::{ZoneFileError, ZoneFileErrorKind};
pub use render::render;

use crate::objects::RecordSet;
use crate::rdata::SoaData;

/// Largest zone file [`parse`] accepts by default: 32 MiB, room for a few hundred thousand
/// records.
pub const DEFAULT_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Most records [`parse`] accepts by default.
pub const DEFAULT_MAX_RECORDS: usize = 250_000;

/// Bounds on what [`parse_with_limits`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseLimits {
    /// Largest text, in bytes.
    pub max_bytes: usize,
    /// Most records (resource records, before grouping into recordsets).
    pub max_records: usize,
}

impl Default for ParseLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            max_records: DEFAULT_MAX_RECORDS,
        }
    }
}

/// One recordset of a zone file: records sharing an owner name and type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRecordSet {
    /// Absolute owner name, as written (case kept).
    pub name: String,
    /// Record type, upper case.
    pub rtype: String,
    /// TTL, or `None` when every record took the file's default (`$TTL`) — the same meaning as
    /// [`RecordSet::ttl`], so an exported recordset without a TTL comes back without one.
    /// When records of a set carry different TTLs the smallest wins, as in dnspython.
    pub ttl: Option<i32>,
    /// Record data, in presentation form, each validated; duplicates removed, order kept.
    pub records: Vec<String>,
}

impl ZoneRecordSet {
    /// The export view of a stored recordset.
    pub fn from_recordset(recordset: &RecordSet) -> Self {
        Self {
            name: recordset.name.clone(),
            rtype: recordset.rtype.clone(),
            ttl: recordset.ttl,
            records: recordset.records.iter().map(|r| r.data.clone()).collect(),
        }
    }
}

/// A parsed zone file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedZone {
    /// The zone name: the `origin` given to [`parse`], else the first `$ORIGIN`; absolute.
    pub name: String,
    /// The file's default TTL: the first `$TTL`, else (as dnspython) the SOA minimum.
    pub default_ttl: Option<i32>,
    /// The SOA record's fields.
    pub soa: SoaData,
    /// The SOA record's TTL (upstream makes it the zone's TTL).
    pub soa_ttl: i32,
    /// The zone's e-mail, from the SOA RNAME as upstream derives it
    /// (`first\.last.example.org.` → `first.last@example.org`).
    pub email: String,
    /// Every recordset, SOA included, in order of first appearance.
    pub recordsets: Vec<ZoneRecordSet>,
}

impl ParsedZone {
    /// The recordsets upstream's import creates: all but the SOA and the apex NS (both are
    /// managed by the service); NS sets of delegated sub-zones are kept.
    pub fn importable_recordsets(&self) -> impl Iterator<Item = &ZoneRecordSet> + '_ {
        self.recordsets.iter().filter(move |rs| {
            !(rs.rtype == "SOA" || (rs.rtype == "NS" && rs.name.eq_ignore_ascii_case(&self.name)))
        })
    }
}

/// Parses a zone file with the default [`ParseLimits`].
///
/// `origin`, when given, is the zone name (a trailing dot is added if missing) and the initial
/// origin; otherwise the first `$ORIGIN` sets both and must precede every record, as upstream
/// requires.
///
/// # Errors
/// The first problem found, with its line and column; see [`ZoneFileErrorKind`].
pub fn parse(text: &str, origin: Option<&str>) -> Result<ParsedZone, ZoneFileError> {
    parse_with_limits(text, origin, ParseLimits::default())
}

/// [`parse`] with explicit limits.
///
/// # Errors
/// As [`parse`], plus [`ZoneFileErrorKind::TooLarge`] and
/// [`ZoneFileErrorKind::TooManyRecords`] beyond `limits`.
pub fn parse_with_limits(
    text: &str,
    origin: Option<&str>,
    limits: ParseLimits,
) -> Result<ParsedZone, ZoneFileError> {
    parser::parse(text, origin, limits)
}

/// The e-mail address an SOA RNAME stands for, as upstream's `_soa_to_normal` reads it: the
/// labels up to the first one not ending in an escaped dot form the local part, the rest the
/// domain (`first\.last.example.org.` → `first.last@example.org`). A single label comes back
/// as it is.
pub fn rname_to_email(rname: &str) -> String {
    let rname = rname.strip_suffix('.').unwrap_or(rname);
    let mut local = String::new();
    let mut chars = rname.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, '.')) => local.push('.'),
                Some((_, other)) => {
                    local.push('\\');
                    local.push(other);
                }
                None => local.push('\\'),
            },
            '.' => {
                let domain = &rname[i + 1..];
                if domain.is_empty() {
                    return local;
                }
                return format!("{local}@{domain}");
            }
            _ => local.push(c),
        }
    }
    local
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;
