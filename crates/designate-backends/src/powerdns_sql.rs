//! The `powerdns-sql` backend: writes zones straight into a PowerDNS server's database, in
//! PowerDNS's generic SQL schema — gmysql (MySQL/MariaDB) or gpgsql (PostgreSQL) — instead of
//! having the nameserver transfer them from MiniDNS. The data is what MiniDNS serves: the zone
//! and its recordsets as central stored them, read from our store at the time of the task.
//!
//! Every operation is one transaction on the PowerDNS database: create and update replace the
//! zone's `domains` row (type `NATIVE`, or `MASTER`) and all its `records` (SOA and NS included);
//! delete removes the domain with its records, metadata, keys and comments. A replace never
//! lowers the SOA serial PowerDNS holds (an older task finishing late changes nothing), and a
//! repeated create or delete is success.
//!
//! Options (pools.yaml `options:`): `connection` (required; the PowerDNS database as a URL,
//! `mysql+pymysql://user:password@host[:port]/db`, `mysql://…`, `postgresql+psycopg2://…`,
//! `postgresql://…`), `domain_type` (`NATIVE`, the default, or `MASTER`). The target needs no
//! masters; `host`/`port`, when given, are NOTIFYed as for every target (a `MASTER` zone's
//! PowerDNS then notifies its own secondaries).

mod db;
mod rows;

use std::sync::Arc;

use async_trait::async_trait;
use designate_core::objects::{PoolTarget, Zone};
use designate_storage::{ServerUrl, Storage, StorageError};
use uuid::Uuid;

pub use self::db::Databases;
use self::db::Written;
use crate::{Backend, BackendContext, BackendError};

/// The `domains.type` values this backend writes.
const DOMAIN_TYPES: &[&str] = &["NATIVE", "MASTER"];

/// A pool target that is a PowerDNS database.
#[derive(Clone)]
pub struct PowerDnsSqlBackend {
    target_id: Uuid,
    url: ServerUrl,
    domain_type: &'static str,
    storage: Option<Arc<dyn Storage>>,
    databases: Databases,
}

impl std::fmt::Debug for PowerDnsSqlBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The URL may carry a password: leave it out.
        f.debug_struct("PowerDnsSqlBackend")
            .field("target_id", &self.target_id)
            .field("domain_type", &self.domain_type)
            .finish_non_exhaustive()
    }
}

impl PowerDnsSqlBackend {
    /// Builds the backend from a target's options; connects at the first operation.
    ///
    /// # Errors
    /// [`BackendError::Config`] when `connection` is missing or not a MySQL/MariaDB or
    /// PostgreSQL URL, or `domain_type` is neither `NATIVE` nor `MASTER`.
    pub fn from_target(target: &PoolTarget, ctx: &BackendContext) -> Result<Self, BackendError> {
        let bad = |what: String| BackendError::Config(format!("target {}: {what}", target.id));
        let connection = target
            .option("connection")
            .filter(|c| !c.trim().is_empty())
            .ok_or_else(|| bad("type powerdns-sql needs the connection option".to_owned()))?;
        let url = designate_storage::server_url(connection)
            .map_err(|e| bad(format!("connection: {e}")))?;
        let wanted = target.option("domain_type").unwrap_or("NATIVE").trim();
        let domain_type = DOMAIN_TYPES
            .iter()
            .find(|t| t.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                bad(format!(
                    "domain_type must be NATIVE or MASTER, not {wanted:?}"
                ))
            })?;
        Ok(Self {
            target_id: target.id,
            url,
            domain_type,
            storage: ctx.storage.clone(),
            databases: ctx.pdns_databases.clone(),
        })
    }

    fn database(&self) -> Result<db::Database, BackendError> {
        self.databases
            .get(&self.url)
            .map_err(|e| BackendError::Config(format!("target {}: {e}", self.target_id)))
    }

    /// Writes the zone as the store holds it now.
    async fn sync(&self, zone: &Zone) -> Result<(), BackendError> {
        let storage = self.storage.as_ref().ok_or_else(|| {
            BackendError::Config("powerdns-sql writes zone data read from the store; this process gave the backend none".to_owned())
        })?;
        let store =
            |e: StorageError| BackendError::Target(format!("reading zone {}: {e}", zone.name));
        let (stored, recordsets) = {
            let mut tx = storage.begin_read().await.map_err(store)?;
            let stored = match tx.get_zone_any(zone.id).await {
                Ok(stored) => stored,
                Err(StorageError::NotFound(_)) => {
                    // Purged meanwhile: nothing to serve, and the delete task removes it.
                    tracing::info!(zone = %zone.name, "zone no longer stored; nothing to write");
                    return Ok(());
                }
                Err(e) => return Err(store(e)),
            };
            let recordsets = tx.zone_recordsets(zone.id).await.map_err(store)?;
            (stored, recordsets)
        };
        if stored.deleted != "0" {
            tracing::info!(zone = %zone.name, "zone deleted meanwhile; nothing to write");
            return Ok(());
        }
        let records = rows::zone_rows(&stored, &recordsets).map_err(BackendError::Target)?;
        let domain = rows::pdns_name(&stored.name);
        let written = self
            .database()?
            .replace_zone(&domain, self.domain_type, &records, stored.serial)
            .await
            .map_err(|e| sql_failure(&zone.name, &e))?;
        match written {
            Written::Replaced => {
                tracing::debug!(zone = %zone.name, serial = stored.serial, rows = records.len(), "zone written to PowerDNS database");
            }
            Written::Newer(held) => {
                tracing::info!(zone = %zone.name, serial = stored.serial, held, "PowerDNS database holds a newer serial; kept it");
            }
        }
        Ok(())
    }
}

fn sql_failure(zone: &str, e: &sqlx::Error) -> BackendError {
    BackendError::Target(format!("PowerDNS database, zone {zone}: {e}"))
}

#[async_trait]
impl Backend for PowerDnsSqlBackend {
    async fn create_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        self.sync(zone).await
    }

    async fn update_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        self.sync(zone).await
    }

    async fn delete_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        let removed = self
            .database()?
            .delete_zone(&rows::pdns_name(&zone.name))
            .await
            .map_err(|e| sql_failure(&zone.name, &e))?;
        if !removed {
            tracing::debug!(zone = %zone.name, "zone was not in the PowerDNS database");
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
