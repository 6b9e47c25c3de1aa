//! The pools the worker pushes to, kept between tasks: a push reads its pool's revision (one
//! row) instead of the pool with all its children (seven tables).
//!
//! Every pool write through this storage layer moves the row's `version` and `updated_at` on,
//! so a changed pool is read again by the next push. A cached pool is also re-read once it is
//! [`MAX_AGE`] old, for writers that change a pool's children without touching its row.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use designate_core::objects::Pool;
use designate_storage::{PoolRevision, Storage, StorageError};
use uuid::Uuid;

/// How long a cached pool is used without reading it whole again.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(60);

/// Pools by id, each with the revision it was read at.
#[derive(Default)]
pub(crate) struct PoolCache {
    pools: Mutex<HashMap<Uuid, Cached>>,
}

struct Cached {
    revision: PoolRevision,
    read_at: Instant,
    pool: Arc<Pool>,
}

impl PoolCache {
    /// Pool `id` as stored now.
    pub(crate) async fn get(
        &self,
        storage: &dyn Storage,
        id: Uuid,
    ) -> Result<Arc<Pool>, StorageError> {
        // The revision alone, without a transaction around it; the pool, when it must be read,
        // from one snapshot.
        let revision = match storage.read().await?.pool_revision(id).await {
            Ok(revision) => Some(revision),
            Err(StorageError::Unsupported(_)) => None,
            Err(e) => return Err(e),
        };
        if let Some(revision) = revision {
            if let Some(cached) = self.lock().get(&id) {
                if cached.revision == revision && cached.read_at.elapsed() < MAX_AGE {
                    return Ok(Arc::clone(&cached.pool));
                }
            }
        }
        let pool = Arc::new(storage.begin_read().await?.get_pool(id).await?);
        if let Some(revision) = revision {
            self.lock().insert(
                id,
                Cached {
                    revision,
                    read_at: Instant::now(),
                    pool: Arc::clone(&pool),
                },
            );
        }
        Ok(pool)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Uuid, Cached>> {
        // A panic elsewhere while holding the lock leaves a map that is still consistent.
        self.pools
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use designate_storage::contract::pool;
    use designate_storage::SqlStorage;

    use super::*;

    #[tokio::test]
    async fn a_pool_is_read_again_only_when_written() {
        let storage = SqlStorage::connect("sqlite::memory:").await.unwrap();
        storage.migrate().await.unwrap();
        let stored = pool("cached");
        let mut tx = storage.begin().await.unwrap();
        tx.create_pool(&stored).await.unwrap();
        tx.commit().await.unwrap();

        let cache = PoolCache::default();
        let first = cache.get(&storage, stored.id).await.unwrap();
        assert_eq!(*first, stored);
        let again = cache.get(&storage, stored.id).await.unwrap();
        assert!(Arc::ptr_eq(&first, &again), "unchanged pool read again");

        let mut changed = stored.clone();
        changed.targets.truncate(1);
        let mut tx = storage.begin().await.unwrap();
        tx.update_pool(&changed).await.unwrap();
        tx.commit().await.unwrap();
        let after = cache.get(&storage, stored.id).await.unwrap();
        assert_eq!(*after, changed);

        let mut tx = storage.begin().await.unwrap();
        tx.delete_pool(stored.id).await.unwrap();
        tx.commit().await.unwrap();
        assert!(matches!(
            cache.get(&storage, stored.id).await,
            Err(StorageError::NotFound("pool"))
        ));
    }
}
