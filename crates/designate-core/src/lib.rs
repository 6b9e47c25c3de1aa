//! The Designate domain: objects, validation, errors and rules, with no I/O.
//!
//! - [`error`]: [`DesignateError`], carrying upstream's HTTP code and error `type`.
//! - [`objects`]: zones, recordsets, records, pools, service statuses — the rows of upstream's tables.
//! - [`name`]: DNS-name rules for zones and recordsets.
//! - [`rdata`]: per-type record-data validation and normalisation.
//! - [`context`]: who is asking ([`RequestContext`]).
//! - [`criteria`]: filters, sorting and pagination shared by storage and API.
//! - [`serial`]: SOA serial arithmetic.
//! - [`zonefile`]: RFC 1035 zone-file parse (import) and render (export).
//!
//! **Invariant:** this crate imports no async runtime, database, network or HTTP crate.
#![warn(missing_docs)]

pub mod context;
pub mod criteria;
pub mod error;
pub mod name;
pub mod objects;
pub mod rdata;
pub mod serial;
pub mod zonefile;

pub use context::{AuthToken, CatalogEndpoint, RequestContext};
pub use error::{DesignateError, ErrorKind, Result};
