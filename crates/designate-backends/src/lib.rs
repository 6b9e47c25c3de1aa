//! Pool-target backends: how the worker provisions a zone on a nameserver, one module per target
//! type, all behind [`Backend`]; plus [`dnsutils`], the small DNS client (NOTIFY, SOA serial poll)
//! the worker and backends share.
#![warn(missing_docs)]

pub mod builtin;
pub mod dnsutils;

use async_trait::async_trait;
use designate_core::objects::{PoolTarget, Zone};

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
}

/// Shared handles backends may need, given by the process that wires the roles.
#[derive(Clone, Default)]
pub struct BackendContext {
    /// The in-process built-in nameserver, when this process runs one.
    pub builtin: Option<designate_nameserver::NameserverHandle>,
}

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
        other => Err(BackendError::Config(format!(
            "unknown backend type {other:?}"
        ))),
    }
}
