//! Zone transfers between projects (upstream's `*_zone_transfer_request` /
//! `*_zone_transfer_accept`): the owner offers a zone under a generated key, optionally to one
//! project; whoever presents the key (and may, by policy) accepts, and in one transaction the
//! zone, its recordsets and its records change owner and both rows become `COMPLETE`.
//!
//! Reads of requests are not scoped by project here: a request is meant to be seen by its
//! target, and the API applies upstream's policies (`get_zone_transfer_request` with
//! `target_project_id`) to what it reads. Listings are scoped: a project sees the requests it
//! offered or is the target of, and its own accepts.

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    Action, NewZoneTransferAccept, NewZoneTransferRequest, TransferStatus, Zone,
    ZoneTransferAccept, ZoneTransferRequest, ZoneTransferRequestUpdate, ZoneType,
    TRANSFER_FIELD_MAX, TRANSFER_KEY_LEN,
};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageError;
use rand::Rng;
use uuid::Uuid;

use crate::build::now;
use crate::errors::{bad_request, from_storage};
use crate::txn::{begin, begin_read, commit, retry, uuid_value};
use crate::zones::{check_description, visible_zone};
use crate::Central;

/// Maps storage failures of the transfer tables to upstream's transfer errors.
fn transfer_error(e: StorageError) -> DesignateError {
    match e {
        StorageError::NotFound("zone_transfer_request") => DesignateError::new(
            ErrorKind::ZoneTransferRequestNotFound,
            "Could not find ZoneTransferRequest",
        ),
        StorageError::NotFound("zone_transfer_accept") => DesignateError::new(
            ErrorKind::ZoneTransferAcceptNotFound,
            "Could not find ZoneTransferAccept",
        ),
        StorageError::Duplicate("zone_transfer_request") => DesignateError::new(
            ErrorKind::DuplicateZoneTransferRequest,
            "Duplicate ZoneTransferRequest",
        ),
        StorageError::Duplicate("zone_transfer_accept") => DesignateError::new(
            ErrorKind::DuplicateZoneTransferAccept,
            "Duplicate ZoneTransferAccept",
        ),
        other => from_storage(other),
    }
}

/// Upstream's key: eight characters from `A-Z0-9`, drawn from the operating system's CSPRNG
/// (the key is the only secret between the two projects).
fn generate_key() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut rng = rand::rngs::OsRng;
    (0..TRANSFER_KEY_LEN)
        .map(|_| char::from(CHARS[rng.gen_range(0..CHARS.len())]))
        .collect()
}

/// The caller's project, which owns what it creates (upstream's `_is_valid_project_id`).
fn caller_project(ctx: &RequestContext) -> Result<String> {
    ctx.project_id.clone().ok_or_else(|| {
        DesignateError::new(
            ErrorKind::MissingProjectId,
            "A project ID must be specified when not using a project scoped token.",
        )
    })
}

/// Catalog zones belong to pools, not projects (upstream's `_enforce_catalog_zone_policy`).
fn refuse_catalog(zone: &Zone) -> Result<()> {
    if zone.zone_type == ZoneType::Catalog {
        return Err(DesignateError::new(
            ErrorKind::Forbidden,
            "This operation is not allowed for catalog zones.",
        ));
    }
    Ok(())
}

fn check_target(target: Option<&str>) -> Result<()> {
    match target {
        Some(t) if t.chars().count() > 36 => Err(DesignateError::invalid_object(
            &["target_project_id"],
            "maxLength",
            format!("'{t}' is too long"),
        )),
        _ => Ok(()),
    }
}

impl Central {
    /// Offers zone `zone_id` (visible to the caller) for transfer.
    pub(crate) async fn transfer_request_create(
        &self,
        ctx: &RequestContext,
        zone_id: Uuid,
        new: NewZoneTransferRequest,
    ) -> Result<ZoneTransferRequest> {
        check_description(new.description.as_deref())?;
        check_target(new.target_tenant_id.as_deref())?;
        let mut tx = begin(self.storage.as_ref()).await?;
        let zone = visible_zone(tx.as_mut(), ctx, zone_id).await?;
        refuse_catalog(&zone)?;
        if zone.action == Action::Delete {
            return Err(bad_request("Can not transfer a deleting zone"));
        }
        let tenant_id = caller_project(ctx)?;
        // Upstream allows one open request per zone.
        let open = Criteria::new()
            .eq("zone_id", uuid_value(&zone.id))
            .eq("status", TransferStatus::Active.as_str());
        let existing = tx
            .find_zone_transfer_requests(&open, &Page::default(), None)
            .await
            .map_err(transfer_error)?;
        if existing.total_count > 0 {
            return Err(transfer_error(StorageError::Duplicate(
                "zone_transfer_request",
            )));
        }
        let request = ZoneTransferRequest {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            zone_id: zone.id,
            key: generate_key(),
            description: new.description,
            tenant_id,
            target_tenant_id: new.target_tenant_id,
            status: TransferStatus::Active,
            zone_name: Some(zone.name.clone()),
        };
        tx.create_zone_transfer_request(&request)
            .await
            .map_err(transfer_error)?;
        commit(tx).await?;
        self.notify_serialized(ctx, "dns.zone_transfer_request.create", &request)
            .await;
        Ok(request)
    }

    /// A transfer request, whoever offered it (the API applies the policy).
    pub(crate) async fn transfer_request_get(&self, id: Uuid) -> Result<ZoneTransferRequest> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.get_zone_transfer_request(id)
            .await
            .map_err(transfer_error)
    }

    /// Transfer requests the caller offered or is the target of (every request for an admin
    /// with all-projects).
    pub(crate) async fn transfer_request_find(
        &self,
        ctx: &RequestContext,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<ZoneTransferRequest>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_zone_transfer_requests(criteria, page, ctx.project_filter())
            .await
            .map_err(transfer_error)
    }

    /// Changes a request's description.
    pub(crate) async fn transfer_request_update(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: ZoneTransferRequestUpdate,
    ) -> Result<ZoneTransferRequest> {
        if let Some(description) = &update.description {
            check_description(description.as_deref())?;
        }
        check_target(update.target_tenant_id.as_deref())?;
        let request = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let mut request = tx
                .get_zone_transfer_request(id)
                .await
                .map_err(transfer_error)?;
            // Upstream's storage writes through the project filter (the owner's project only,
            // not the target's): another project's admin without all-projects updates nothing.
            if ctx.project_filter().is_some_and(|p| request.tenant_id != p) {
                return Err(transfer_error(StorageError::NotFound(
                    "zone_transfer_request",
                )));
            }
            if let Some(description) = &update.description {
                request.description.clone_from(description);
            }
            if let Some(target) = &update.target_tenant_id {
                match &request.target_tenant_id {
                    Some(current) if current != target => {
                        return Err(DesignateError::invalid_object(
                            &["target_project_id"],
                            "immutable",
                            "target_project_id cannot be changed once set",
                        ))
                    }
                    _ => request.target_tenant_id = Some(target.clone()),
                }
            }
            let request = tx
                .update_zone_transfer_request(&request)
                .await
                .map_err(transfer_error)?;
            commit(tx).await?;
            Ok(request)
        })
        .await?;
        self.notify_serialized(ctx, "dns.zone_transfer_request.update", &request)
            .await;
        Ok(request)
    }

    /// Withdraws a request; returns it as it was.
    pub(crate) async fn transfer_request_delete(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferRequest> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let request = tx
            .get_zone_transfer_request(id)
            .await
            .map_err(transfer_error)?;
        tx.delete_zone_transfer_request(id)
            .await
            .map_err(transfer_error)?;
        commit(tx).await?;
        self.notify_serialized(ctx, "dns.zone_transfer_request.delete", &request)
            .await;
        Ok(request)
    }

    /// Accepts a transfer for the caller's project: the request must be `ACTIVE` and the key
    /// its own; the zone must not be being deleted and must fit the new owner's zone quota.
    /// The zone, its recordsets and records change owner, the request and the accept become
    /// `COMPLETE` — all in one transaction, so a failure leaves nothing behind.
    pub(crate) async fn transfer_accept_create(
        &self,
        ctx: &RequestContext,
        new: NewZoneTransferAccept,
    ) -> Result<ZoneTransferAccept> {
        if new.key.chars().count() > TRANSFER_FIELD_MAX {
            return Err(DesignateError::invalid_object(
                &["key"],
                "maxLength",
                format!("'{}' is too long", new.key),
            ));
        }
        let accept = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let mut request = tx
                .get_zone_transfer_request(new.zone_transfer_request_id)
                .await
                .map_err(transfer_error)?;
            match request.status {
                TransferStatus::Active => {}
                TransferStatus::Complete => {
                    return Err(DesignateError::new(
                        ErrorKind::InvalidZoneTransfer,
                        "Zone Transfer Request has been used",
                    ))
                }
                _ => {
                    return Err(DesignateError::new(
                        ErrorKind::InvalidZoneTransfer,
                        "Zone Transfer Request Invalid",
                    ))
                }
            }
            if request.key != new.key {
                return Err(DesignateError::new(
                    ErrorKind::IncorrectZoneTransferKey,
                    "Key does not match stored key for request",
                ));
            }
            let tenant_id = caller_project(ctx)?;
            let mut zone = tx.get_zone(request.zone_id).await.map_err(from_storage)?;
            if zone.action == Action::Delete {
                return Err(bad_request("Can not transfer a deleting zone"));
            }
            self.enforce_zone_quota(tx.as_mut(), &tenant_id).await?;
            let stamp = now();
            zone.tenant_id = Some(tenant_id.clone());
            zone.updated_at = Some(stamp);
            tx.update_zone(&zone).await.map_err(from_storage)?;
            tx.reassign_zone_data(zone.id, &tenant_id)
                .await
                .map_err(from_storage)?;
            let accept = ZoneTransferAccept {
                id: Uuid::new_v4(),
                version: 1,
                created_at: stamp,
                updated_at: None,
                zone_id: zone.id,
                zone_transfer_request_id: request.id,
                tenant_id,
                status: TransferStatus::Complete,
                key: None,
            };
            tx.create_zone_transfer_accept(&accept)
                .await
                .map_err(transfer_error)?;
            request.status = TransferStatus::Complete;
            tx.update_zone_transfer_request(&request)
                .await
                .map_err(transfer_error)?;
            commit(tx).await?;
            Ok(accept)
        })
        .await?;
        tracing::info!(zone_id = %accept.zone_id, tenant_id = %accept.tenant_id, "zone transferred");
        let accept = ZoneTransferAccept {
            key: Some(new.key),
            ..accept
        };
        self.notify_serialized(ctx, "dns.zone_transfer_accept.create", &accept)
            .await;
        Ok(accept)
    }

    /// An accept of the caller's project (any project's for an admin with all-projects).
    pub(crate) async fn transfer_accept_get(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<ZoneTransferAccept> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        let accept = tx
            .get_zone_transfer_accept(id)
            .await
            .map_err(transfer_error)?;
        match ctx.project_filter() {
            Some(project) if project != accept.tenant_id => Err(transfer_error(
                StorageError::NotFound("zone_transfer_accept"),
            )),
            _ => Ok(accept),
        }
    }

    /// Accepts of the caller's project (every project's for an admin with all-projects).
    pub(crate) async fn transfer_accept_find(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: &Page,
    ) -> Result<Listing<ZoneTransferAccept>> {
        let criteria = match ctx.project_filter() {
            Some(project) => criteria.eq("tenant_id", project),
            None => criteria,
        };
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_zone_transfer_accepts(&criteria, page)
            .await
            .map_err(transfer_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_eight_uppercase_alphanumerics_and_differ() {
        let a = generate_key();
        assert_eq!(a.len(), TRANSFER_KEY_LEN);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()));
        assert!((0..8).map(|_| generate_key()).any(|k| k != a));
    }
}
