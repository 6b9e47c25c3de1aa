//! Pool-target backends: how the worker provisions a zone on a nameserver, one module per target
//! type, all behind [`Backend`]; plus [`dnsutils`], the small DNS client (NOTIFY, SOA serial poll)
//! the worker and backends share, and [`pools_yaml`], upstream's pools.yaml (parse, plan, render;
//! no I/O).
//!
//! Target types: [`builtin`] (the in-process built-in nameserver), [`bind9`] (rndc addzone /
//! modzone / delzone), [`pdns4`] (PowerDNS HTTP API) make the zone a *secondary* of the
//! target's masters (MiniDNS): the nameserver transfers the data itself, the backend only tells
//! it which zones exist. [`powerdns_sql`] instead writes the zone's data (read from the store)
//! straight into a PowerDNS database (gmysql / gpgsql schema).
//!
//! # Adding your own backend
//! 1. A module `src/<type>.rs` with a struct built from a [`PoolTarget`] (`from_target`, which
//!    reads `target.option(..)` and `target.masters` and returns [`BackendError::Config`] for
//!    unusable options, so `designate manage pool update` refuses a bad file before applying it).
//! 2. `impl Backend`: `create_zone` / `delete_zone` must be idempotent (an existing zone on create,
//!    a missing one on delete, is success: the worker and recovery repeat tasks); `update_zone`
//!    may do nothing (the worker NOTIFYs the target's `host`/`port` options) or repair a target
//!    that lost the zone.
//! 3. One arm in [`from_target`] and the type name in [`TARGET_TYPES`] (pools.yaml accepts only
//!    these).
//! 4. Tests against the real nameserver, started by the test (see `testing`).
#![warn(missing_docs)]

pub mod bind9;
pub mod builtin;
pub mod dnsutils;
pub mod pdns4;
pub mod pools_yaml;
pub mod powerdns_sql;
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use designate_core::objects::{PoolTarget, Zone};
use designate_storage::Storage;

/// What can go wrong provisioning a target.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BackendError {
    /// The target's options are unusable.
    #[error("target misconfigured: {0}")]
    Config(String),
    /// The target refused or failed the operation.
    #[error("target failed: {0}")]
    Target(String),
    /// Could not reach the target.
    #[error("target unreachable: {0}")]
    Io(#[from] std::io::Error),
}

/// A pool target the worker provisions zones on (upstream's `designate.backend.base.Backend`).
///
/// Operations must be idempotent: creating a zone that exists or deleting one that does not is
/// success, because the worker and the producer's recovery may repeat them.
#[async_trait]
pub trait Backend: Send + Sync {
    /// Makes the target serve `zone` as a secondary of the target's masters (MiniDNS).
    async fn create_zone(&self, zone: &Zone) -> Result<(), BackendError>;
    /// Tells the target a new serial exists (default: nothing; the worker NOTIFYs).
    async fn update_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        let _ = zone;
        Ok(())
    }
    /// Removes `zone` from the target.
    async fn delete_zone(&self, zone: &Zone) -> Result<(), BackendError>;
    /// Whether `create_zone` / `update_zone` already made the target fetch the new serial, so
    /// that a NOTIFY from the worker would only make it ask MiniDNS a second time.
    fn refreshes_itself(&self) -> bool {
        false
    }
}

/// Shared handles backends may need, given by the process that wires the roles.
#[derive(Clone, Default)]
pub struct BackendContext {
    /// The in-process built-in nameserver, when this process runs one.
    pub builtin: Option<designate_nameserver::NameserverHandle>,
    // --- powerdns-sql ---
    /// The store zone data is read from (backends that write data rather than have it
    /// transferred); the worker sets its own.
    pub storage: Option<Arc<dyn Storage>>,
    /// Connections to PowerDNS databases, kept across the backends built from this context.
    pub pdns_databases: powerdns_sql::Databases,
}

/// The target types [`from_target`] knows, as pools.yaml names them.
pub const TARGET_TYPES: &[&str] = &["bind9", "builtin", "pdns4", "powerdns-sql"];

/// Builds the backend for a pool target from its `type` and options.
///
/// # Errors
/// [`BackendError::Config`] for an unknown type or unusable options.
pub fn from_target(
    target: &PoolTarget,
    ctx: &BackendContext,
) -> Result<Box<dyn Backend>, BackendError> {
    match target.target_type.as_str() {
        "builtin" => Ok(Box::new(builtin::BuiltinBackend::from_target(target, ctx)?)),
        "bind9" => Ok(Box::new(bind9::Bind9Backend::from_target(target)?)),
        "pdns4" => Ok(Box::new(pdns4::Pdns4Backend::from_target(target)?)),
        "powerdns-sql" => Ok(Box::new(powerdns_sql::PowerDnsSqlBackend::from_target(
            target, ctx,
        )?)),
        other => Err(BackendError::Config(format!(
            "unknown backend type {other:?}"
        ))),
    }
}
