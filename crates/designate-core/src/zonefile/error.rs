//! Zone-file failures: what went wrong and where (line and column), plus the message upstream
//! puts on a failed import task.

use crate::error::{DesignateError, ErrorKind};

/// Longest import-task message upstream stores (`zone_tasks.message` is a `String(160)`).
const MAX_TASK_MESSAGE_LEN: usize = 160;

/// A zone-file failure at a position in the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct ZoneFileError {
    /// 1-based line of the offending token (or of the end of the file).
    pub line: usize,
    /// 1-based column, in characters, of the offending token.
    pub column: usize,
    /// What went wrong.
    pub kind: ZoneFileErrorKind,
}

/// What went wrong in a zone file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneFileErrorKind {
    /// The file is larger than the parser accepts.
    #[error("zone file is larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
    /// The file holds more records than the parser accepts.
    #[error("zone file has more than {limit} records")]
    TooManyRecords {
        /// The limit, in records.
        limit: usize,
    },
    /// A record came before any `$ORIGIN` (and no origin was given).
    #[error("the $ORIGIN statement is required before the first record")]
    UnknownOrigin,
    /// `$INCLUDE` is refused: an uploaded file must not name files on the server.
    #[error("$INCLUDE is not allowed")]
    IncludeNotAllowed,
    /// A `$` directive we do not implement.
    #[error("unsupported directive {0}")]
    UnknownDirective(String),
    /// Tokens that do not form a record or directive.
    #[error("{0}")]
    Syntax(String),
    /// A TTL that is not a number of seconds (with optional `w d h m s` units) in range.
    #[error("invalid TTL '{0}'")]
    InvalidTtl(String),
    /// A class other than IN.
    #[error("record class {0} is not IN")]
    WrongClass(String),
    /// A record type we cannot store.
    #[error("record type {0} is not supported")]
    UnsupportedType(String),
    /// The zone name (origin) is not a valid zone name.
    #[error("invalid zone name {name}: {reason}")]
    InvalidZoneName {
        /// The name.
        name: String,
        /// Why.
        reason: String,
    },
    /// An owner name that is not a valid recordset name.
    #[error("invalid record name {name}: {reason}")]
    InvalidName {
        /// The absolute name.
        name: String,
        /// Why.
        reason: String,
    },
    /// An owner name outside the zone.
    #[error("{name} is outside the zone {zone}")]
    OutsideZone {
        /// The absolute name.
        name: String,
        /// The zone.
        zone: String,
    },
    /// Record data the per-type rules refuse.
    #[error("invalid {rtype} record data: {reason}")]
    InvalidData {
        /// The record type.
        rtype: String,
        /// Why, as the record-data validator says.
        reason: String,
    },
    /// No SOA record at the zone apex.
    #[error("an SOA record is required at the zone apex")]
    MissingSoa,
    /// An SOA record somewhere other than the apex, or a second one.
    #[error("{0}")]
    BadSoa(String),
    /// A CNAME beside other data, at the apex, or more than one at a name.
    #[error("{0}")]
    CnameConflict(String),
}

impl ZoneFileError {
    pub(super) fn new(line: usize, column: usize, kind: ZoneFileErrorKind) -> Self {
        Self { line, column, kind }
    }

    /// The message upstream's import task stores when the file is refused: its fixed texts for
    /// a missing origin and a missing SOA, else `Malformed zonefile.` followed by where and why
    /// (upstream says only `Malformed zonefile.`; the position is ours), at most 160 characters.
    pub fn task_message(&self) -> String {
        let message = match self.kind {
            ZoneFileErrorKind::UnknownOrigin => {
                "The $ORIGIN statement is required and must be the \
                 first statement in the zonefile."
                    .to_owned()
            }
            ZoneFileErrorKind::MissingSoa => "An SOA record is required.".to_owned(),
            _ => format!("Malformed zonefile. {self}"),
        };
        truncate_chars(message, MAX_TASK_MESSAGE_LEN)
    }

    /// The failure as a domain error (`bad_request`), for callers that answer synchronously.
    pub fn to_designate_error(&self) -> DesignateError {
        DesignateError::new(ErrorKind::BadRequest, self.to_string())
    }
}

impl From<ZoneFileError> for DesignateError {
    fn from(err: ZoneFileError) -> Self {
        err.to_designate_error()
    }
}

/// Cuts `s` to at most `max` characters (never inside a character).
fn truncate_chars(mut s: String, max: usize) -> String {
    if let Some((idx, _)) = s.char_indices().nth(max) {
        s.truncate(idx);
    }
    s
}
