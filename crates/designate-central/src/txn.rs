//! Transactions and retries: how one central operation runs against storage.
//!
//! Every write runs in ONE storage transaction that ends with [`bump_zone`] (new serial, SOA
//! rewritten, zone PENDING/UPDATE) and a version-checked zone write. When that write loses the
//! optimistic lock (someone else changed the zone since it was read), [`retry`] reruns the whole
//! operation from a fresh read, so concurrent serial bumps are never lost or duplicated.

use std::future::Future;
use std::time::Duration;

use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{
    record_hash, Action, Record, RecordSet, RecordStatus, Zone, ZoneStatus, ZoneType,
};
use designate_core::serial::next_serial;
use designate_core::{ErrorKind, Result};
use designate_storage::{Storage, StorageTx};
use rand::Rng;
use uuid::Uuid;

use crate::build::{now, now_unix, soa_data};
use crate::errors::from_storage;

/// How many times an operation is attempted before a lost lock is reported to the caller.
/// Generous: under heavy contention on one zone every loser must eventually win a round.
const MAX_ATTEMPTS: u32 = 50;

/// Runs `op` until it succeeds, fails with something other than a lost lock, or has been tried
/// [`MAX_ATTEMPTS`] times. A short random pause between attempts keeps the losers of one round
/// from colliding again in the next.
pub(crate) async fn retry<T, F, Fut>(mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let mut attempt = 1;
    loop {
        match op().await {
            Err(e) if e.kind == ErrorKind::Conflict && attempt < MAX_ATTEMPTS => {
                // The cap grows to ~250 ms so that 50 attempts span several seconds: under heavy
                // load another process may hold the store's write lock (SQLite: one writer across
                // processes) far longer than a few milliseconds.
                let cap = 2 + 5 * u64::from(attempt.min(50));
                let pause = rand::thread_rng().gen_range(1..=cap);
                tracing::debug!(attempt, "optimistic lock lost; retrying");
                tokio::time::sleep(Duration::from_millis(pause)).await;
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Opens a read-write transaction.
pub(crate) async fn begin(storage: &dyn Storage) -> Result<Box<dyn StorageTx>> {
    storage.begin().await.map_err(from_storage)
}

/// Opens a read-only transaction.
pub(crate) async fn begin_read(storage: &dyn Storage) -> Result<Box<dyn StorageTx>> {
    storage.begin_read().await.map_err(from_storage)
}

/// Opens a connection for reads without a snapshot ([`Storage::read`]), errors mapped as `begin`.
pub(crate) async fn read(storage: &dyn Storage) -> Result<Box<dyn StorageTx>> {
    storage.read().await.map_err(from_storage)
}

/// Commits a transaction.
pub(crate) async fn commit(tx: Box<dyn StorageTx>) -> Result<()> {
    tx.commit().await.map_err(from_storage)
}

/// How a UUID is written in a [`Criteria`] value.
pub(crate) fn uuid_value(id: &Uuid) -> String {
    id.to_string()
}

/// Every recordset matching `criteria` (no paging).
pub(crate) async fn find_all(
    tx: &mut dyn StorageTx,
    criteria: &Criteria,
) -> Result<Vec<RecordSet>> {
    let listing = tx
        .find_recordsets(criteria, &Page::default())
        .await
        .map_err(from_storage)?;
    Ok(listing.items)
}

/// The serial the next change of `zone` gets: unix time, but strictly above the current one.
pub(crate) fn new_serial(zone: &Zone) -> u32 {
    next_serial(zone.serial, now_unix())
}

/// A zone as [`bump_zone`] stored it, and what happened to its SOA record.
pub(crate) struct Bumped {
    /// The zone as stored (new serial, PENDING / UPDATE, version + 1).
    pub(crate) zone: Zone,
    /// The SOA record's data before and after; `None` for a zone without an SOA record.
    pub(crate) soa: Option<SoaSwap>,
}

/// The SOA record's data before and after a serial bump (equal for a SECONDARY zone, whose SOA
/// is its masters': it is served with the zone row's serial either way), and its recordset's TTL.
pub(crate) struct SoaSwap {
    /// The recordset's TTL (`None`: the zone's).
    pub(crate) ttl: Option<i32>,
    /// The data as it was.
    pub(crate) old: String,
    /// The data as it is now.
    pub(crate) new: String,
}

/// Records a change of `zone`'s data inside the open transaction: the new `serial` (from
/// [`new_serial`], already stamped on the changed records), status PENDING / action UPDATE,
/// the SOA record rewritten with the new serial, and the version-checked zone write.
///
/// # Errors
/// `conflict` when the zone changed since it was read (the caller's [`retry`] reruns the
/// operation), or the storage failure.
pub(crate) async fn bump_zone(tx: &mut dyn StorageTx, zone: &Zone, serial: u32) -> Result<Bumped> {
    let mut zone = zone.clone();
    zone.serial = serial;
    zone.status = ZoneStatus::Pending;
    zone.action = Action::Update;
    zone.updated_at = Some(now());
    let soa = rewrite_soa(tx, &zone).await?;
    let zone = tx.update_zone(&zone).await.map_err(from_storage)?;
    Ok(Bumped { zone, soa })
}

/// Rewrites the zone's SOA record from the zone's current fields (upstream's `_update_soa`),
/// in place when the zone has the one SOA record central writes. Secondary zones keep the SOA
/// their masters gave them.
pub(crate) async fn rewrite_soa(tx: &mut dyn StorageTx, zone: &Zone) -> Result<Option<SoaSwap>> {
    let soa = tx
        .zone_soa_records(zone.id, zone.pool_id)
        .await
        .map_err(from_storage)?;
    let plan = plan_soa(zone, soa);
    match &plan.write {
        SoaWrite::Nothing => {}
        SoaWrite::One(record) => tx.rewrite_soa_record(record).await.map_err(from_storage)?,
        SoaWrite::Several(first) => rewrite_first_soa(tx, first).await?,
    }
    Ok(plan.swap)
}

/// What a serial bump of a zone does to its SOA, decided from the zone (new serial set) and
/// its SOA records as `StorageTx::zone_soa_records` read them; no I/O.
pub(crate) struct SoaPlan {
    /// The SOA data before and after (`None`: the zone has no SOA to serve).
    pub(crate) swap: Option<SoaSwap>,
    /// What to write.
    pub(crate) write: SoaWrite,
}

/// The write a [`SoaPlan`] needs.
pub(crate) enum SoaWrite {
    /// Nothing (no SOA record, a secondary zone, or no MNAME to write).
    Nothing,
    /// The zone's one SOA record, rewritten (`StorageTx::rewrite_soa_record`).
    One(Record),
    /// More than one SOA record (written by something other than central): the first, as
    /// rewritten; its recordset keeps it alone.
    Several(Record),
}

/// Plans the SOA rewrite of a serial bump (see [`rewrite_soa`]).
pub(crate) fn plan_soa(zone: &Zone, soa: designate_storage::ZoneSoa) -> SoaPlan {
    let nothing = |swap| SoaPlan {
        swap,
        write: SoaWrite::Nothing,
    };
    let soas = soa.records;
    let Some(first) = soas.first() else {
        // A zone without SOA has nothing to rewrite; MiniDNS synthesises nothing either, so
        // this only happens to zones written by something other than central.
        tracing::warn!(zone_id = %zone.id, "zone has no SOA recordset");
        return nothing(None);
    };
    let old = first.record.data.clone();
    let ttl = first.ttl;
    if zone.zone_type == ZoneType::Secondary {
        return nothing(Some(SoaSwap {
            ttl,
            new: old.clone(),
            old,
        }));
    }
    let current_mname = old.split_whitespace().next().map(str::to_owned);
    // The pool's first NS is the MNAME, re-read each time so pool changes reach every zone.
    let Some(mname) = soa.pool_mname.or(current_mname) else {
        return nothing(None);
    };
    let data = soa_data(zone, &mname);
    let mut record = first.record.clone();
    record.hash = record_hash(&record.recordset_id, &data);
    record.data.clone_from(&data);
    record.serial = zone.serial;
    record.status = RecordStatus::Pending;
    record.action = Action::Update;
    record.updated_at = Some(now());
    let swap = Some(SoaSwap {
        ttl,
        old,
        new: data,
    });
    SoaPlan {
        swap,
        write: if soas.len() == 1 {
            SoaWrite::One(record)
        } else {
            SoaWrite::Several(record)
        },
    }
}

/// Writes `first` (rewritten) as the only record of its SOA recordset.
pub(crate) async fn rewrite_first_soa(tx: &mut dyn StorageTx, first: &Record) -> Result<()> {
    let mut soa = tx
        .get_recordset(first.recordset_id)
        .await
        .map_err(from_storage)?;
    soa.records = vec![first.clone()];
    soa.updated_at = first.updated_at;
    tx.update_recordset(&soa).await.map_err(from_storage)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use designate_core::DesignateError;

    use super::*;

    #[tokio::test]
    async fn retry_reruns_conflicts_only() {
        let calls = AtomicU32::new(0);
        let out = retry(|| async {
            if calls.fetch_add(1, Ordering::SeqCst) < 3 {
                Err(DesignateError::new(ErrorKind::Conflict, "lost"))
            } else {
                Ok(7)
            }
        })
        .await;
        assert_eq!(out, Ok(7));
        assert_eq!(calls.load(Ordering::SeqCst), 4);

        let calls = AtomicU32::new(0);
        let out: Result<()> = retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(DesignateError::new(ErrorKind::BadRequest, "no"))
        })
        .await;
        assert_eq!(out.unwrap_err().kind, ErrorKind::BadRequest);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn retry_gives_up() {
        let calls = AtomicU32::new(0);
        let out: Result<()> = retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(DesignateError::new(ErrorKind::Conflict, "lost"))
        })
        .await;
        assert_eq!(out.unwrap_err().kind, ErrorKind::Conflict);
        assert_eq!(calls.load(Ordering::SeqCst), MAX_ATTEMPTS);
    }
}
