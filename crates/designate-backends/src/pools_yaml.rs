//! Upstream's `pools.yaml`: parsing it into [`Pool`] definitions, planning the changes that make
//! the stored pools match it, and rendering stored pools back in the same format
//! (`designate manage pool update` / `show_config`).
//!
//! Pure functions over text and values — no file or database access here; the binary reads the
//! file and applies the plan through central. A bad file is an [`Error`] naming the line and the
//! field, and nothing of it is applied.
//!
//! The schema is upstream's (`etc/designate/pools.yaml.sample*`): a list of pools, each with
//! `name` (required), `id`, `description`, `attributes` (map), `ns_records` (hostname +
//! priority), `nameservers` (host + port), `targets` (type, description, masters, options map)
//! and `also_notifies` (host + port). Unknown keys are errors, so typos do not pass silently.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use designate_core::objects::{
    Pool, PoolAttribute, PoolNameserver, PoolNsRecord, PoolTarget, PoolTargetMaster,
};
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Port a nameserver or also-notify host listens on when the file gives none.
const DEFAULT_DNS_PORT: u16 = 53;
/// Port of a master (MiniDNS) when the file gives none.
const DEFAULT_MASTER_PORT: u16 = 5354;

/// A bad pools.yaml, or a plan that cannot be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file is not valid YAML or does not follow the schema; the message names the field
    /// path and the line and column.
    #[error("invalid pools file: {0}")]
    Invalid(String),
    /// A pool in the file would take the name of another stored pool.
    #[error("Pool {name} already exist with id {id}. You cannot change id to an existing pool.")]
    DuplicatePool {
        /// The name in conflict.
        name: String,
        /// The id of the pool of the file.
        id: Uuid,
    },
}

/// One pool as the file describes it: ids of child rows are not known yet (they come from the
/// stored pool on update, fresh ones on create — see [`plan`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolDefinition {
    /// The `id` given in the file; pools without one are matched by name.
    pub id: Option<Uuid>,
    /// The pool; its `id` and child ids are nil until planned.
    pub pool: Pool,
}

/// What `pool update` does to one pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A new pool.
    Create(Pool),
    /// A stored pool that differs from the file.
    Update {
        /// As stored.
        before: Box<Pool>,
        /// As the file wants it (stored ids kept).
        after: Box<Pool>,
    },
    /// A stored pool equal to the file.
    Unchanged(Pool),
    /// A stored pool absent from the file (only when deleting was asked for).
    Delete(Pool),
}

/// Parses the text of a pools.yaml.
///
/// # Errors
/// [`Error::Invalid`] naming the field and line: not YAML, not a list of pools, a missing
/// required field (`name`, target `type`, `host`, ns-record `hostname`/`priority`), an unknown
/// field or target type, a bad port or host name, a duplicate pool name or id.
pub fn parse(text: &str) -> Result<Vec<PoolDefinition>, Error> {
    if text.trim().is_empty() {
        return Err(Error::Invalid("the file lists no pools".to_owned()));
    }
    let file: PoolFile = serde_yaml::from_str(text).map_err(|e| {
        // serde_yaml names the path from the (unnamed) top-level list: ".[1].targets[0]".
        let message = e.to_string();
        Error::Invalid(match message.strip_prefix('.') {
            Some(rest) if rest.starts_with('[') => format!("pools{rest}"),
            _ => message,
        })
    })?;
    if file.0.is_empty() {
        return Err(Error::Invalid("the file lists no pools".to_owned()));
    }
    Ok(file.0.into_iter().map(RawPool::into_definition).collect())
}

/// Matches the file's pools with the stored ones (by `id` when the file gives one, else by
/// name) and says what to do with each; with `delete`, stored pools the file does not name
/// are deleted (upstream's `--delete`). Child rows that stay the same keep their stored ids, so
/// an unchanged file plans no update.
///
/// # Errors
/// [`Error::DuplicatePool`] when a pool of the file, matched by id, has the name of another
/// stored pool.
pub fn plan(file: &[PoolDefinition], stored: &[Pool], delete: bool) -> Result<Vec<Change>, Error> {
    let mut changes = Vec::new();
    let mut kept = HashSet::new();
    for def in file {
        let existing = match def.id {
            Some(id) => stored.iter().find(|p| p.id == id),
            None => stored.iter().find(|p| p.name == def.pool.name),
        };
        let id = def
            .id
            .or(existing.map(|p| p.id))
            .unwrap_or_else(Uuid::new_v4);
        if stored.iter().any(|p| p.name == def.pool.name && p.id != id) {
            return Err(Error::DuplicatePool {
                name: def.pool.name.clone(),
                id,
            });
        }
        kept.insert(id);
        let after = with_ids(&def.pool, id, existing);
        changes.push(match existing {
            None => Change::Create(after),
            Some(before) if normalized(before) == normalized(&after) => Change::Unchanged(after),
            Some(before) => Change::Update {
                before: Box::new(before.clone()),
                after: Box::new(after),
            },
        });
    }
    if delete {
        changes.extend(
            stored
                .iter()
                .filter(|p| !kept.contains(&p.id))
                .cloned()
                .map(Change::Delete),
        );
    }
    Ok(changes)
}

/// Key/value pairs in key order: stores need not keep the file's order.
fn sorted(attrs: &[PoolAttribute]) -> Vec<PoolAttribute> {
    let mut v = attrs.to_vec();
    v.sort_by(|a, b| (&a.key, &a.value).cmp(&(&b.key, &b.value)));
    v
}

/// `pool` with every unordered collection in a canonical order, for comparison.
fn normalized(pool: &Pool) -> Pool {
    let mut p = pool.clone();
    p.attributes = sorted(&p.attributes);
    p.ns_records
        .sort_by(|a, b| (a.priority, &a.hostname).cmp(&(b.priority, &b.hostname)));
    for t in &mut p.targets {
        t.options = sorted(&t.options);
    }
    p.targets.sort_by_key(|t| t.id);
    p.nameservers.sort_by_key(|n| n.id);
    p.also_notifies.sort_by_key(|n| n.id);
    p
}

/// `def` with pool id `id` and child ids: a stored child equal in content keeps its id, others
/// get new ones.
fn with_ids(def: &Pool, id: Uuid, existing: Option<&Pool>) -> Pool {
    let mut pool = def.clone();
    pool.id = id;
    // The stored pool's tenant (normally none) is not part of the file.
    pool.tenant_id = existing.and_then(|p| p.tenant_id.clone());
    let reuse = |stored: Option<&Vec<PoolNameserver>>, ns: &mut Vec<PoolNameserver>| {
        let mut taken = HashSet::new();
        for n in ns.iter_mut() {
            n.id = stored
                .into_iter()
                .flatten()
                .find(|s| s.host == n.host && s.port == n.port && !taken.contains(&s.id))
                .map_or_else(Uuid::new_v4, |s| s.id);
            taken.insert(n.id);
        }
    };
    reuse(existing.map(|p| &p.nameservers), &mut pool.nameservers);
    reuse(existing.map(|p| &p.also_notifies), &mut pool.also_notifies);
    let mut taken = HashSet::new();
    for t in &mut pool.targets {
        t.id = existing
            .into_iter()
            .flat_map(|p| &p.targets)
            .find(|s| {
                !taken.contains(&s.id)
                    && s.target_type == t.target_type
                    && s.description == t.description
                    && s.masters == t.masters
                    && sorted(&s.options) == sorted(&t.options)
            })
            .map_or_else(Uuid::new_v4, |s| s.id);
        taken.insert(t.id);
    }
    pool
}

/// Renders pools in the pools.yaml format (what `show_config` prints, and a valid input file).
///
/// # Errors
/// [`Error::Invalid`] only if the YAML writer fails, which it does not for these values.
pub fn render(pools: &[Pool]) -> Result<String, Error> {
    let out: Vec<OutPool<'_>> = pools.iter().map(OutPool::from).collect();
    serde_yaml::to_string(&out).map_err(|e| Error::Invalid(e.to_string()))
}

// ---- input schema ----

/// The whole file: a list of pools whose names and ids are unique.
struct PoolFile(Vec<RawPool>);

impl<'de> Deserialize<'de> for PoolFile {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Pools;
        impl<'de> Visitor<'de> for Pools {
            type Value = PoolFile;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of pools")
            }
            fn visit_unit<E: de::Error>(self) -> Result<PoolFile, E> {
                Ok(PoolFile(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<PoolFile, A::Error> {
                let mut pools: Vec<RawPool> = Vec::new();
                while let Some(pool) = seq.next_element::<RawPool>()? {
                    // Checked here, while the parser still knows where we are, so the error
                    // carries the line of the duplicate.
                    if let Some(first) = pools.iter().position(|p| p.name.0 == pool.name.0) {
                        return Err(de::Error::custom(format!(
                            "pools[{}].name: duplicate pool name {:?} (first at pools[{first}])",
                            pools.len(),
                            pool.name.0
                        )));
                    }
                    if let Some(id) = pool.id {
                        if let Some(first) = pools.iter().position(|p| p.id == Some(id)) {
                            return Err(de::Error::custom(format!(
                                "pools[{}].id: duplicate pool id {id} (first at pools[{first}])",
                                pools.len()
                            )));
                        }
                    }
                    pools.push(pool);
                }
                Ok(PoolFile(pools))
            }
        }
        deserializer.deserialize_any(Pools)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPool {
    #[serde(default)]
    id: Option<Uuid>,
    name: NonEmpty,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    attributes: Option<BTreeMap<String, Scalar>>,
    #[serde(default)]
    ns_records: Option<Vec<RawNsRecord>>,
    #[serde(default)]
    nameservers: Option<Vec<RawHost<DnsPort>>>,
    #[serde(default)]
    targets: Option<Vec<RawTarget>>,
    #[serde(default)]
    also_notifies: Option<Vec<RawHost<DnsPort>>>,
    #[serde(default)]
    catalog_zone: Option<Unsupported>,
}

impl RawPool {
    fn into_definition(self) -> PoolDefinition {
        let hosts = |list: Option<Vec<RawHost<DnsPort>>>| -> Vec<PoolNameserver> {
            list.unwrap_or_default()
                .into_iter()
                .map(|h| PoolNameserver {
                    id: Uuid::nil(),
                    host: h.host.0,
                    port: h.port.0,
                })
                .collect()
        };
        let _ = self.catalog_zone;
        PoolDefinition {
            id: self.id,
            pool: Pool {
                id: self.id.unwrap_or_else(Uuid::nil),
                name: self.name.0,
                description: self.description,
                tenant_id: None,
                attributes: attributes(self.attributes),
                ns_records: self
                    .ns_records
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| PoolNsRecord {
                        priority: r.priority,
                        hostname: r.hostname.0,
                    })
                    .collect(),
                nameservers: hosts(self.nameservers),
                targets: self
                    .targets
                    .unwrap_or_default()
                    .into_iter()
                    .map(|t| PoolTarget {
                        id: Uuid::nil(),
                        target_type: t.target_type.0,
                        description: t.description,
                        masters: t
                            .masters
                            .unwrap_or_default()
                            .into_iter()
                            .map(|m| PoolTargetMaster {
                                host: m.host.0,
                                port: m.port.0,
                            })
                            .collect(),
                        options: attributes(t.options),
                    })
                    .collect(),
                also_notifies: hosts(self.also_notifies),
            },
        }
    }
}

fn attributes(map: Option<BTreeMap<String, Scalar>>) -> Vec<PoolAttribute> {
    map.unwrap_or_default()
        .into_iter()
        .map(|(key, value)| PoolAttribute {
            key,
            value: value.0,
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNsRecord {
    hostname: Fqdn,
    priority: i32,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHost<P: Default> {
    host: NonEmpty,
    #[serde(default)]
    port: P,
    /// Accepted for compatibility (upstream's nameserver rows carry it); not used.
    #[serde(default)]
    #[allow(dead_code)]
    tsigkey_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    #[serde(rename = "type")]
    target_type: TargetType,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    masters: Option<Vec<RawHost<MasterPort>>>,
    #[serde(default)]
    options: Option<BTreeMap<String, Scalar>>,
    /// Accepted for compatibility; targets authenticate through their options here.
    #[serde(default)]
    #[allow(dead_code)]
    tsigkey_id: Option<String>,
}

/// A string that must not be empty.
struct NonEmpty(String);

impl<'de> Deserialize<'de> for NonEmpty {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Scalar::deserialize(d)?.0;
        if s.trim().is_empty() {
            return Err(de::Error::custom("a name or host must not be empty"));
        }
        Ok(Self(s))
    }
}

/// An absolute host name (upstream's `DomainField`: trailing dot).
struct Fqdn(String);

impl<'de> Deserialize<'de> for Fqdn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if !designate_core::name::is_valid_domain(&s) {
            return Err(de::Error::custom(format!(
                "{s:?} is not a fully qualified host name (it must end with a dot)"
            )));
        }
        Ok(Self(s))
    }
}

/// A target type this build has a backend for.
struct TargetType(String);

impl<'de> Deserialize<'de> for TargetType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if !crate::TARGET_TYPES.contains(&s.as_str()) {
            return Err(de::Error::custom(format!(
                "Unable to find designate backend driver type: {s} (known: {})",
                crate::TARGET_TYPES.join(", ")
            )));
        }
        Ok(Self(s))
    }
}

/// A port: an integer (or a string of one) in 1..=65535.
fn port<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
    let raw = Scalar::deserialize(d)?.0;
    raw.trim()
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| de::Error::custom(format!("invalid port {raw:?}: must be 1 to 65535")))
}

/// The port of a nameserver / also-notify host (53 when absent).
struct DnsPort(u16);

impl Default for DnsPort {
    fn default() -> Self {
        Self(DEFAULT_DNS_PORT)
    }
}

impl<'de> Deserialize<'de> for DnsPort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        port(d).map(Self)
    }
}

/// The port of a master (MiniDNS, 5354 when absent).
struct MasterPort(u16);

impl Default for MasterPort {
    fn default() -> Self {
        Self(DEFAULT_MASTER_PORT)
    }
}

impl<'de> Deserialize<'de> for MasterPort {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        port(d).map(Self)
    }
}

/// An attribute or option value: any scalar, kept as the text upstream would store
/// (Python's `str()`: `True`/`False` for booleans).
struct Scalar(String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_yaml::Value::deserialize(d)? {
            serde_yaml::Value::String(s) => Ok(Self(s)),
            serde_yaml::Value::Number(n) => Ok(Self(n.to_string())),
            serde_yaml::Value::Bool(true) => Ok(Self("True".to_owned())),
            serde_yaml::Value::Bool(false) => Ok(Self("False".to_owned())),
            serde_yaml::Value::Null => Err(de::Error::custom("a value is required")),
            _ => Err(de::Error::custom(
                "expected a single value, not a list or map",
            )),
        }
    }
}

/// A section this build does not support yet: present means error.
struct Unsupported;

impl<'de> Deserialize<'de> for Unsupported {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let _ = serde_yaml::Value::deserialize(d)?;
        Err(de::Error::custom(
            "catalog_zone: catalog zones are not supported by this deployment yet",
        ))
    }
}

// ---- output schema (keys in upstream's sorted order) ----

#[derive(Serialize)]
struct OutPool<'a> {
    also_notifies: Vec<OutHost<'a>>,
    attributes: BTreeMap<&'a str, &'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    id: Uuid,
    name: &'a str,
    nameservers: Vec<OutHost<'a>>,
    ns_records: Vec<OutNsRecord<'a>>,
    targets: Vec<OutTarget<'a>>,
}

#[derive(Serialize)]
struct OutHost<'a> {
    host: &'a str,
    port: u16,
}

#[derive(Serialize)]
struct OutNsRecord<'a> {
    hostname: &'a str,
    priority: i32,
}

#[derive(Serialize)]
struct OutTarget<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    masters: Vec<OutHost<'a>>,
    options: BTreeMap<&'a str, &'a str>,
    #[serde(rename = "type")]
    target_type: &'a str,
}

impl<'a> From<&'a Pool> for OutPool<'a> {
    fn from(p: &'a Pool) -> Self {
        let map = |attrs: &'a [PoolAttribute]| {
            attrs
                .iter()
                .map(|a| (a.key.as_str(), a.value.as_str()))
                .collect()
        };
        let hosts = |ns: &'a [PoolNameserver]| {
            ns.iter()
                .map(|n| OutHost {
                    host: &n.host,
                    port: n.port,
                })
                .collect()
        };
        Self {
            also_notifies: hosts(&p.also_notifies),
            attributes: map(&p.attributes),
            description: p.description.as_deref(),
            id: p.id,
            name: &p.name,
            nameservers: hosts(&p.nameservers),
            ns_records: p
                .ns_records
                .iter()
                .map(|r| OutNsRecord {
                    hostname: &r.hostname,
                    priority: r.priority,
                })
                .collect(),
            targets: p
                .targets
                .iter()
                .map(|t| OutTarget {
                    description: t.description.as_deref(),
                    masters: t
                        .masters
                        .iter()
                        .map(|m| OutHost {
                            host: &m.host,
                            port: m.port,
                        })
                        .collect(),
                    options: map(&t.options),
                    target_type: &t.target_type,
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests;
