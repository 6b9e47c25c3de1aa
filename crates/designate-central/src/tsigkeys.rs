//! TSIG keys (admin resources; the API enforces the policy): CRUD with upstream's rule that a
//! key's `resource_id` names an existing pool (scope `POOL`) or zone (scope `ZONE`), checked on
//! create and whenever an update changes the scope or the resource.

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{NewTsigKey, TsigKey, TsigKeyUpdate, TsigScope, TSIGKEY_FIELD_MAX};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::{StorageError, StorageTx};
use uuid::Uuid;

use crate::build::now;
use crate::errors::from_storage;
use crate::txn::{begin, begin_read, commit};
use crate::Central;

/// Maps storage failures of the `tsigkeys` table to upstream's TSIG key errors.
fn tsigkey_error(e: StorageError) -> DesignateError {
    match e {
        StorageError::NotFound("tsigkey") => {
            DesignateError::new(ErrorKind::TsigKeyNotFound, "Could not find TsigKey")
        }
        StorageError::Duplicate("tsigkey") => {
            DesignateError::new(ErrorKind::DuplicateTsigKey, "Duplicate TsigKey")
        }
        other => from_storage(other),
    }
}

/// Upstream's `maxLength` of 160 on `name` and `secret`; a name must not be empty either
/// (it is the owner name of the TSIG record).
fn check_fields(key: &TsigKey) -> Result<()> {
    for (field, value) in [("name", &key.name), ("secret", &key.secret)] {
        if value.chars().count() > TSIGKEY_FIELD_MAX {
            return Err(DesignateError::invalid_object(
                &[field],
                "maxLength",
                format!("'{value}' is too long"),
            ));
        }
    }
    if key.name.is_empty() {
        return Err(DesignateError::invalid_object(
            &["name"],
            "minLength",
            "'' is too short",
        ));
    }
    Ok(())
}

/// Upstream's check that `resource_id` is a pool / zone of the key's scope. The zone is looked
/// up in every project, as upstream does.
async fn check_resource(tx: &mut dyn StorageTx, key: &TsigKey) -> Result<()> {
    let (found, what) = match key.scope {
        TsigScope::Zone => (tx.get_zone(key.resource_id).await.map(|_| ()), "zone"),
        TsigScope::Pool => (tx.get_pool(key.resource_id).await.map(|_| ()), "pool"),
    };
    match found {
        Ok(()) => Ok(()),
        Err(StorageError::NotFound(_)) => Err(DesignateError::new(
            ErrorKind::InvalidTsigKey,
            format!("Resource ID {} is not a valid {what}", key.resource_id),
        )),
        Err(e) => Err(from_storage(e)),
    }
}

impl Central {
    /// Creates a TSIG key.
    pub(crate) async fn tsigkey_create(
        &self,
        ctx: &RequestContext,
        new: NewTsigKey,
    ) -> Result<TsigKey> {
        let key = TsigKey {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            name: new.name,
            algorithm: new.algorithm,
            secret: new.secret,
            scope: new.scope,
            resource_id: new.resource_id,
        };
        check_fields(&key)?;
        let mut tx = begin(self.storage.as_ref()).await?;
        check_resource(tx.as_mut(), &key).await?;
        tx.create_tsigkey(&key).await.map_err(tsigkey_error)?;
        commit(tx).await?;
        self.notify_serialized(ctx, "dns.tsigkey.create", &key)
            .await;
        Ok(key)
    }

    /// A TSIG key.
    pub(crate) async fn tsigkey_get(&self, id: Uuid) -> Result<TsigKey> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.get_tsigkey(id).await.map_err(tsigkey_error)
    }

    /// TSIG keys, one page.
    pub(crate) async fn tsigkey_find(
        &self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<TsigKey>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_tsigkeys(criteria, page)
            .await
            .map_err(tsigkey_error)
    }

    /// Changes a TSIG key.
    pub(crate) async fn tsigkey_update(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: TsigKeyUpdate,
    ) -> Result<TsigKey> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let current = tx.get_tsigkey(id).await.map_err(tsigkey_error)?;
        let key = update.apply(&current);
        check_fields(&key)?;
        if update.moves_resource(&current) {
            check_resource(tx.as_mut(), &key).await?;
        }
        let key = tx.update_tsigkey(&key).await.map_err(tsigkey_error)?;
        commit(tx).await?;
        self.mdns_access_changed().await;
        self.notify_serialized(ctx, "dns.tsigkey.update", &key)
            .await;
        Ok(key)
    }

    /// Deletes a TSIG key; returns it as it was.
    pub(crate) async fn tsigkey_delete(&self, ctx: &RequestContext, id: Uuid) -> Result<TsigKey> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let key = tx.get_tsigkey(id).await.map_err(tsigkey_error)?;
        tx.delete_tsigkey(id).await.map_err(tsigkey_error)?;
        commit(tx).await?;
        self.mdns_access_changed().await;
        self.notify_serialized(ctx, "dns.tsigkey.delete", &key)
            .await;
        Ok(key)
    }

    /// Emits `event` with the object's serde fields (upstream's field names) as payload.
    pub(crate) async fn notify_serialized<T>(&self, ctx: &RequestContext, event: &str, obj: &T)
    where
        T: serde::Serialize + Sync,
    {
        let payload = serde_json::to_value(obj).unwrap_or_default();
        self.notifier.notify(ctx, event, payload).await;
    }
}
