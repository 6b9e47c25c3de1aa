//! Shard ownership among producer instances, through leases in the SQL store (no coordination
//! service). The 4096 zone shards are cut into [`BUCKETS`] contiguous buckets; an instance owns
//! the buckets whose lease it holds.
//!
//! Every instance renews a membership lease (`producer/member/<id>`) each tick, counts the live
//! members, and holds at most its fair share (`ceil(BUCKETS / members)`) of bucket leases
//! (`producer/bucket/<n>`): it releases surplus buckets when instances join and claims expired
//! or free ones when instances leave. A dead instance stops renewing; its leases lapse after
//! one lease period and the survivors claim them at their next tick.
//!
//! Ownership alone cannot promise that a task never runs twice in a period for a shard (a
//! bucket may change hands mid-period), so each run is also gated by a lease
//! (`producer/run/<task>/<n>`) that only an expired claim can take and that lasts one task
//! interval: whoever owns the bucket, the task runs there at most once per interval.
//!
//! Clocks: expiry is compared with the instances' own clocks; they must agree to well within a
//! lease period (NTP), as for any lease scheme.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use designate_storage::{Lease, Storage, StorageError};

/// How many shard buckets the 4096 shards are cut into: enough to balance a handful of
/// instances, few enough that a tick is a few dozen short statements.
pub const BUCKETS: u16 = 16;
/// Shards per bucket.
const SHARDS_PER_BUCKET: u16 = 4096 / BUCKETS;

const MEMBER: &str = "producer/member/";
const BUCKET: &str = "producer/bucket/";
const RUN: &str = "producer/run/";

/// The shard range `[first, last]` of `bucket`.
pub fn bucket_shards(bucket: u16) -> (u16, u16) {
    let first = bucket * SHARDS_PER_BUCKET;
    (first, first + SHARDS_PER_BUCKET - 1)
}

fn now() -> NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

fn after(at: NaiveDateTime, period: Duration) -> NaiveDateTime {
    at + chrono::Duration::from_std(period).unwrap_or(chrono::Duration::MAX)
}

/// One producer instance's view of its shard buckets.
pub struct ShardLeases {
    storage: Arc<dyn Storage>,
    /// This instance's id (lease holder name); unique per process.
    holder: String,
    /// How long a claim lasts without renewal.
    period: Duration,
    /// Buckets held as of the last [`ShardLeases::refresh`].
    held: BTreeSet<u16>,
}

impl ShardLeases {
    /// A member named `holder` whose claims last `period`.
    pub fn new(storage: Arc<dyn Storage>, holder: String, period: Duration) -> Self {
        Self {
            storage,
            holder,
            period,
            held: BTreeSet::new(),
        }
    }

    /// This instance's holder id.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Buckets held as of the last refresh.
    pub fn held(&self) -> Vec<u16> {
        self.held.iter().copied().collect()
    }

    /// One claim in a transaction of its own (a lost insert race aborts a PostgreSQL
    /// transaction, so claims are never batched).
    async fn claim(
        &self,
        name: String,
        until: NaiveDateTime,
        renew: bool,
    ) -> Result<bool, StorageError> {
        let lease = Lease {
            name,
            holder: self.holder.clone(),
            expires_at: until,
        };
        let mut tx = self.storage.begin().await?;
        let got = tx.claim_lease(&lease, now(), renew).await?;
        tx.commit().await?;
        Ok(got)
    }

    /// Renews membership, rebalances, and returns the buckets this instance now holds.
    ///
    /// # Errors
    /// A storage failure; the held set is then empty, so that no task runs on shards this
    /// instance may no longer own.
    pub async fn refresh(&mut self) -> Result<Vec<u16>, StorageError> {
        let result = self.rebalance().await;
        if result.is_err() {
            self.held.clear();
        }
        result
    }

    async fn rebalance(&mut self) -> Result<Vec<u16>, StorageError> {
        let until = after(now(), self.period);
        self.claim(format!("{MEMBER}{}", self.holder), until, true)
            .await?;
        let (members, buckets) = {
            let mut tx = self.storage.begin_read().await?;
            (tx.find_leases(MEMBER).await?, tx.find_leases(BUCKET).await?)
        };
        let at = now();
        let live = members.iter().filter(|m| m.expires_at > at).count().max(1);
        let share = usize::from(BUCKETS).div_ceil(live);
        let live_holder = |b: u16| {
            buckets
                .iter()
                .find(|l| l.name == format!("{BUCKET}{b}") && l.expires_at > at)
                .map(|l| l.holder.as_str())
        };
        let mine: Vec<u16> = (0..BUCKETS)
            .filter(|b| live_holder(*b) == Some(&self.holder))
            .collect();

        // Surplus goes first, so that a newcomer finds free buckets at its next tick.
        let mut held = BTreeSet::new();
        for (i, b) in mine.iter().enumerate() {
            let name = format!("{BUCKET}{b}");
            if i >= share {
                let mut tx = self.storage.begin().await?;
                tx.release_lease(&name, &self.holder).await?;
                tx.commit().await?;
            } else if self.claim(name, until, true).await? {
                held.insert(*b);
            }
        }
        // Then free (or lapsed) buckets up to the share, starting at a per-instance offset so
        // that instances starting together do not all race for bucket 0.
        let offset = self
            .holder
            .bytes()
            .fold(0u16, |h, b| h.wrapping_mul(31).wrapping_add(u16::from(b)))
            % BUCKETS;
        for step in 0..BUCKETS {
            if held.len() >= share {
                break;
            }
            let b = (offset + step) % BUCKETS;
            if held.contains(&b) || live_holder(b).is_some() {
                continue;
            }
            if self.claim(format!("{BUCKET}{b}"), until, false).await? {
                held.insert(b);
            }
        }
        self.held = held;
        Ok(self.held())
    }

    /// Takes the run gate of `task` on `bucket` for `interval`: true when the task has not run
    /// there (by any instance) within the last `interval`, and the caller should run it now.
    ///
    /// # Errors
    /// A storage failure.
    pub async fn gate(
        &self,
        task: &str,
        bucket: u16,
        interval: Duration,
    ) -> Result<bool, StorageError> {
        let until = after(now(), interval);
        self.claim(format!("{RUN}{task}/{bucket}"), until, false)
            .await
    }

    /// Gives up every bucket and the membership (clean shutdown): the others take over at
    /// their next tick instead of after a lease period.
    pub async fn leave(&mut self) {
        let names: Vec<String> = self
            .held
            .iter()
            .map(|b| format!("{BUCKET}{b}"))
            .chain(std::iter::once(format!("{MEMBER}{}", self.holder)))
            .collect();
        for name in names {
            let released = async {
                let mut tx = self.storage.begin().await?;
                tx.release_lease(&name, &self.holder).await?;
                tx.commit().await
            };
            if let Err(error) = released.await {
                tracing::warn!(%error, lease = %name, "could not release lease");
            }
        }
        self.held.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_shard_once() {
        let mut next = 0u16;
        for b in 0..BUCKETS {
            let (first, last) = bucket_shards(b);
            assert_eq!(first, next);
            next = last + 1;
        }
        assert_eq!(next, 4096);
    }
}
