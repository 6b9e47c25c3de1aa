//! Pool writes through the API (upstream's `create_pool` / `update_pool` / `delete_pool` RPCs).
//! The admin policy is the API's; here are the rules upstream's central applies.

use designate_core::objects::Pool;
use designate_core::{RequestContext, Result};

use crate::errors::from_storage;
use crate::pools::replace_pool;
use crate::txn::{begin, begin_read, commit, retry};
use crate::Central;

impl Central {
    /// Stores the new `pool`; a pool without a project belongs to the caller's, as upstream.
    ///
    /// # Errors
    /// `duplicate_pool` for a taken name or id, or a storage failure.
    pub(crate) async fn pool_create(&self, ctx: &RequestContext, mut pool: Pool) -> Result<Pool> {
        if pool.tenant_id.is_none() {
            pool.tenant_id = ctx.project_id.clone();
        }
        retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            tx.create_pool(&pool).await.map_err(from_storage)?;
            commit(tx).await
        })
        .await?;
        tracing::info!(pool_id = %pool.id, name = %pool.name, "created pool");
        self.mdns_access_changed().await;
        self.pool_get(pool.id).await
    }

    /// Replaces the stored pool with `pool`; every live zone of the pool follows a change of
    /// its NS hostnames (new apex NS records, new serial, `delayed_notify` for the producer to push).
    ///
    /// # Errors
    /// `pool_not_found`, `duplicate_pool` for a taken name, `bad_request` when the pool would
    /// lose its last NS record while it holds zones, or a storage failure.
    pub(crate) async fn pool_update(&self, _ctx: &RequestContext, pool: Pool) -> Result<Pool> {
        let changed_zones = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let existing = tx.get_pool(pool.id).await.map_err(from_storage)?;
            let changed = replace_pool(tx.as_mut(), &existing, &pool).await?;
            commit(tx).await?;
            Ok(changed)
        })
        .await?;
        tracing::info!(pool_id = %pool.id, name = %pool.name, "updated pool");
        self.mdns_access_changed().await;
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
}
