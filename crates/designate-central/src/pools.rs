//! Pools: reads for the API and workers, and [`Central::ensure_pool`], which installs or
//! updates a pool from configuration and carries NS changes into every zone of the pool (as
//! upstream's `update_pool` does).

use std::collections::BTreeSet;

use designate_core::criteria::{Criteria, Filter};
use designate_core::objects::{record_hash, Action, Pool, Zone};
use designate_core::Result;
use designate_storage::{StorageError, StorageTx};

use crate::build::{new_record, now, ns_hostnames};
use crate::errors::{bad_request, from_storage};
use crate::journal;
use crate::txn::{begin, begin_read, bump_zone, commit, find_all, new_serial, retry, uuid_value};
use crate::zones::find_all_zones;
use crate::Central;

/// How the worker hears of a zone whose NS records [`sync_zone_ns`] rewrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NsPush {
    /// The caller casts the zone itself (a pool move).
    Cast,
    /// The zone is flagged `delayed_notify` and the producer's `delayed_notify` task pushes it
    /// in its next batch (upstream's `_add_ns` / `_delete_ns`): a pool's NS change touches every
    /// zone of the pool, and batches keep thousands of pushes from hitting the targets at once.
    Delayed,
}

/// Replaces the managed apex NS records of `zone` with `hostnames` and bumps its serial.
pub(crate) async fn sync_zone_ns(
    tx: &mut dyn StorageTx,
    zone: &Zone,
    hostnames: &[String],
    push: NsPush,
) -> Result<Zone> {
    let serial = new_serial(zone);
    let keys = vec![(zone.name.clone(), "NS".to_owned())];
    let before = journal::capture(tx, zone, journal::Scope::Keys(keys)).await?;
    let criteria = Criteria::new()
        .eq("zone_id", uuid_value(&zone.id))
        .eq("name", &zone.name)
        .eq("type", "NS");
    if let Some(mut ns) = find_all(tx, &criteria).await?.into_iter().next() {
        // Tenant-added (unmanaged) apex NS records stay; the managed set follows the pool.
        let mut records: Vec<_> = ns.records.iter().filter(|r| !r.managed).cloned().collect();
        for host in hostnames {
            match ns.records.iter().find(|r| r.managed && &r.data == host) {
                Some(existing) => records.push(existing.clone()),
                None => records.push(new_record(zone, ns.id, host.clone(), serial, true)),
            }
        }
        for record in &mut records {
            record.action = Action::Update;
            record.status = designate_core::objects::RecordStatus::Pending;
            record.serial = serial;
            record.hash = record_hash(&ns.id, &record.data);
        }
        ns.records = records;
        ns.updated_at = Some(now());
        tx.update_recordset(&ns).await.map_err(from_storage)?;
    }
    let mut zone = zone.clone();
    zone.delayed_notify |= push == NsPush::Delayed;
    let bumped = bump_zone(tx, &zone, serial).await?;
    journal::record(tx, &bumped, before).await?;
    let zone = bumped.zone;
    Ok(zone)
}

/// Stores `pool` over `existing` (same id) and, when the NS hostnames change, rewrites the
/// apex NS records of every live zone of the pool, each flagged for the producer's
/// `delayed_notify` batches ([`NsPush::Delayed`]); returns those zones.
///
/// # Errors
/// `duplicate_pool`, `pool_not_found`, `bad_request` when the pool would lose its last NS
/// record while it still has zones, or a storage failure.
pub(crate) async fn replace_pool(
    tx: &mut dyn StorageTx,
    existing: &Pool,
    pool: &Pool,
) -> Result<Vec<Zone>> {
    tx.update_pool(pool).await.map_err(from_storage)?;
    let before: BTreeSet<String> = ns_hostnames(existing).into_iter().collect();
    let hostnames = ns_hostnames(pool);
    let after: BTreeSet<String> = hostnames.iter().cloned().collect();
    let mut changed = Vec::new();
    if before != after {
        let criteria = Criteria::new()
            .eq("pool_id", uuid_value(&pool.id))
            .with("action", Filter::Ne(Action::Delete.as_str().to_owned()));
        let zones = find_all_zones(tx, &criteria).await?;
        if hostnames.is_empty() && !zones.is_empty() {
            return Err(bad_request("Not allowed to delete last of servers"));
        }
        for zone in zones {
            changed.push(sync_zone_ns(tx, &zone, &hostnames, NsPush::Delayed).await?);
        }
    }
    Ok(changed)
}

impl Central {
    /// Creates `pool` if no pool with its id exists, else updates the stored one to match. When
    /// the pool's NS hostnames change, every live zone of the pool gets the new apex NS records
    /// (and a new SOA MNAME), a new serial, and the `delayed_notify` flag (the producer pushes it).
    ///
    /// Used at start-up for the pool described by configuration.
    ///
    /// # Errors
    /// `duplicate_pool` when another pool has the same name, `bad_request` when the pool would
    /// lose its last NS record while it still has zones, or a storage failure.
    pub async fn ensure_pool(&self, pool: Pool) -> Result<Pool> {
        let (written, changed_zones) = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let existing = match tx.get_pool(pool.id).await {
                Ok(existing) => Some(existing),
                Err(StorageError::NotFound(_)) => None,
                Err(e) => return Err(from_storage(e)),
            };
            let Some(existing) = existing else {
                tracing::info!(pool_id = %pool.id, name = %pool.name, "creating pool");
                tx.create_pool(&pool).await.map_err(from_storage)?;
                commit(tx).await?;
                return Ok((true, Vec::new()));
            };
            if existing == pool {
                return Ok((false, Vec::new()));
            }
            tracing::info!(pool_id = %pool.id, name = %pool.name, "updating pool");
            let changed = replace_pool(tx.as_mut(), &existing, &pool).await?;
            commit(tx).await?;
            Ok((true, changed))
        })
        .await?;
        if written {
            self.mdns_access_changed().await;
        }
        if !changed_zones.is_empty() {
            tracing::info!(
                pool_id = %pool.id,
                zones = changed_zones.len(),
                "pool NS records changed; zones left to the producer's delayed_notify batches"
            );
        }
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.get_pool(pool.id).await.map_err(from_storage)
    }

    /// A pool by id.
    pub(crate) async fn pool_get(&self, id: uuid::Uuid) -> Result<Pool> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.get_pool(id).await.map_err(from_storage)
    }

    /// Every pool.
    pub(crate) async fn pool_find(&self) -> Result<Vec<Pool>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_pools().await.map_err(from_storage)
    }

    // --- pool deletion (`manage pool update --delete`) ---

    /// Deletes pool `id`, refused as upstream's `delete_pool` while any zone of the pool is not
    /// being deleted (checked in the deleting transaction, so a zone created meanwhile in the
    /// pool is never orphaned).
    ///
    /// # Errors
    /// `pool_not_found`; `invalid_operation` (400) while the pool holds zones; a storage failure.
    pub async fn delete_pool(&self, id: uuid::Uuid) -> Result<Pool> {
        let pool = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let pool = tx.get_pool(id).await.map_err(from_storage)?;
            if pool_has_zones(tx.as_mut(), id).await? {
                return Err(designate_core::DesignateError::new(
                    designate_core::ErrorKind::InvalidOperation,
                    "pool must not contain zones",
                ));
            }
            tx.delete_pool(id).await.map_err(from_storage)?;
            commit(tx).await?;
            tracing::info!(pool_id = %id, name = %pool.name, "deleted pool");
            Ok(pool)
        })
        .await?;
        self.mdns_access_changed().await;
        Ok(pool)
    }

    /// Whether pool `id` holds a zone that is not being deleted (what blocks its deletion).
    ///
    /// # Errors
    /// A storage failure.
    pub async fn pool_in_use(&self, id: uuid::Uuid) -> Result<bool> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        pool_has_zones(tx.as_mut(), id).await
    }
}

async fn pool_has_zones(tx: &mut dyn StorageTx, id: uuid::Uuid) -> Result<bool> {
    let criteria = Criteria::new()
        .eq("pool_id", uuid_value(&id))
        .with("action", Filter::Ne(Action::Delete.as_str().to_owned()));
    Ok(!find_all_zones(tx, &criteria).await?.is_empty())
}
