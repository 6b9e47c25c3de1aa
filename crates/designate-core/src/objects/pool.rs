//! Pools (upstream tables `pools`, `pool_attributes`, `pool_ns_records`, `pool_nameservers`,
//! `pool_targets`, `pool_target_options`, `pool_target_masters`, `pool_also_notifies`).

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The id of the default pool, as upstream ships it.
pub const DEFAULT_POOL_ID: &str = "794ccc2c-d751-44fe-b57f-8894c9f5c842";

/// A pool with its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pool {
    /// Primary key.
    pub id: Uuid,
    /// Unique name.
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// Owning project (usually none).
    pub tenant_id: Option<String>,
    /// Attributes (scheduler filters use them).
    pub attributes: Vec<PoolAttribute>,
    /// NS records every zone of the pool gets at its apex.
    pub ns_records: Vec<PoolNsRecord>,
    /// Nameservers polled for the serial.
    pub nameservers: Vec<PoolNameserver>,
    /// Targets the worker provisions.
    pub targets: Vec<PoolTarget>,
    /// Extra hosts to NOTIFY.
    pub also_notifies: Vec<PoolNameserver>,
}

/// A key/value attribute.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolAttribute {
    /// Key.
    pub key: String,
    /// Value.
    pub value: String,
}

/// An NS record of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolNsRecord {
    /// Lower first.
    pub priority: i32,
    /// FQDN of the nameserver.
    pub hostname: String,
}

/// A nameserver (or also-notify host): address and port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolNameserver {
    /// Id of the row.
    pub id: Uuid,
    /// IP address or host name.
    pub host: String,
    /// DNS port.
    pub port: u16,
}

/// A target the worker provisions zones on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolTarget {
    /// Id of the row.
    pub id: Uuid,
    /// Backend type (`builtin`, `bind9`, `pdns4`, …).
    pub target_type: String,
    /// Description.
    pub description: Option<String>,
    /// MiniDNS addresses the target transfers from.
    pub masters: Vec<PoolTargetMaster>,
    /// Backend options (key/value).
    pub options: Vec<PoolAttribute>,
}

/// A master (MiniDNS) of a target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PoolTargetMaster {
    /// Address.
    pub host: String,
    /// Port.
    pub port: u16,
}

impl PoolTarget {
    /// The value of option `key`, if set.
    pub fn option(&self, key: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|o| o.key == key)
            .map(|o| o.value.as_str())
    }
}
