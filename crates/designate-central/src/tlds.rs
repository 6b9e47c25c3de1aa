//! TLDs and blacklists: their CRUD (admin resources; the API enforces the policy) and the two
//! rules they impose on a new zone's name (upstream's `_is_valid_zone_name`): when any TLD
//! exists the zone must lie under one and must not be one; a name matching a blacklist pattern
//! is refused unless the caller may use blacklisted zones.

use designate_core::criteria::{Criteria, Listing, Page};
use designate_core::objects::{
    compile_pattern, validate_tld_name, Blacklist, BlacklistUpdate, NewBlacklist, NewTld, Tld,
    TldUpdate,
};
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::{StorageError, StorageTx};
use uuid::Uuid;

use crate::build::now;
use crate::errors::from_storage;
use crate::txn::{begin, begin_read, commit};
use crate::zones::check_description;
use crate::Central;

/// Maps storage failures of the `tlds` table to upstream's TLD errors.
fn tld_error(e: StorageError) -> DesignateError {
    match e {
        StorageError::NotFound("tld") => {
            DesignateError::new(ErrorKind::TldNotFound, "Could not find Tld")
        }
        StorageError::Duplicate("tld") => {
            DesignateError::new(ErrorKind::DuplicateTld, "Duplicate Tld")
        }
        other => from_storage(other),
    }
}

/// Maps storage failures of the `blacklists` table to upstream's blacklist errors.
fn blacklist_error(e: StorageError) -> DesignateError {
    match e {
        StorageError::NotFound("blacklist") => {
            DesignateError::new(ErrorKind::BlacklistNotFound, "Could not find Blacklist")
        }
        StorageError::Duplicate("blacklist") => {
            DesignateError::new(ErrorKind::DuplicateBlacklist, "Duplicate Blacklist")
        }
        other => from_storage(other),
    }
}

/// Checks `name` (a zone name with its trailing dot) against the TLDs and blacklists in `tx`.
///
/// # Errors
/// `invalid_zone_name` ("Invalid TLD", "Zone name cannot be the same as a TLD", "Blacklisted
/// zone name").
pub(crate) async fn check_zone_name_allowed(
    tx: &mut dyn StorageTx,
    ctx: &RequestContext,
    name: &str,
) -> Result<()> {
    let tlds = tx
        .find_tlds(&Criteria::new(), &Page::default())
        .await
        .map_err(tld_error)?
        .items;
    if !tlds.is_empty() {
        let bare = name.trim_end_matches('.');
        let labels: Vec<&str> = bare.split('.').collect();
        // Every suffix of the name, the whole name included, as upstream tries them.
        let known = (0..labels.len()).any(|i| {
            let suffix = labels[i..].join(".");
            tlds.iter().any(|t| t.name == suffix)
        });
        if !known {
            return Err(DesignateError::new(
                ErrorKind::InvalidZoneName,
                "Invalid TLD",
            ));
        }
        let lowered = bare.to_lowercase();
        if tlds.iter().any(|t| t.name == lowered) {
            return Err(DesignateError::new(
                ErrorKind::InvalidZoneName,
                "Zone name cannot be the same as a TLD",
            ));
        }
    }
    // Upstream's `use_blacklisted_zone` rule, whose default is the admin role.
    if ctx.is_admin() {
        return Ok(());
    }
    let blacklists = tx
        .find_blacklists(&Criteria::new(), &Page::default())
        .await
        .map_err(blacklist_error)?
        .items;
    for b in &blacklists {
        // A stored pattern we cannot compile (written by another tool) fails closed, as
        // upstream treats a pattern it cannot evaluate in time.
        let hit = compile_pattern(&b.pattern).map_or(true, |re| re.is_match(name));
        if hit {
            return Err(DesignateError::new(
                ErrorKind::InvalidZoneName,
                "Blacklisted zone name",
            ));
        }
    }
    Ok(())
}

impl Central {
    /// Creates a TLD.
    pub(crate) async fn tld_create(&self, ctx: &RequestContext, new: NewTld) -> Result<Tld> {
        validate_tld_name(&new.name)?;
        check_description(new.description.as_deref())?;
        let tld = Tld {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            name: new.name,
            description: new.description,
        };
        let mut tx = begin(self.storage.as_ref()).await?;
        tx.create_tld(&tld).await.map_err(tld_error)?;
        commit(tx).await?;
        self.notify_object(ctx, "dns.tld.create", &tld).await;
        Ok(tld)
    }

    /// A TLD.
    pub(crate) async fn tld_get(&self, id: Uuid) -> Result<Tld> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.get_tld(id).await.map_err(tld_error)
    }

    /// TLDs, one page.
    pub(crate) async fn tld_find(&self, criteria: &Criteria, page: &Page) -> Result<Listing<Tld>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_tlds(criteria, page).await.map_err(tld_error)
    }

    /// Changes a TLD.
    pub(crate) async fn tld_update(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: TldUpdate,
    ) -> Result<Tld> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let mut tld = tx.get_tld(id).await.map_err(tld_error)?;
        if let Some(name) = update.name {
            validate_tld_name(&name)?;
            tld.name = name;
        }
        if let Some(description) = update.description {
            check_description(description.as_deref())?;
            tld.description = description;
        }
        let tld = tx.update_tld(&tld).await.map_err(tld_error)?;
        commit(tx).await?;
        self.notify_object(ctx, "dns.tld.update", &tld).await;
        Ok(tld)
    }

    /// Deletes a TLD.
    pub(crate) async fn tld_delete(&self, ctx: &RequestContext, id: Uuid) -> Result<Tld> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let tld = tx.get_tld(id).await.map_err(tld_error)?;
        tx.delete_tld(id).await.map_err(tld_error)?;
        commit(tx).await?;
        self.notify_object(ctx, "dns.tld.delete", &tld).await;
        Ok(tld)
    }

    /// Creates a blacklist entry.
    pub(crate) async fn blacklist_create(
        &self,
        ctx: &RequestContext,
        new: NewBlacklist,
    ) -> Result<Blacklist> {
        check_pattern(&new.pattern)?;
        check_description(new.description.as_deref())?;
        let blacklist = Blacklist {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            pattern: new.pattern,
            description: new.description,
        };
        let mut tx = begin(self.storage.as_ref()).await?;
        tx.create_blacklist(&blacklist)
            .await
            .map_err(blacklist_error)?;
        commit(tx).await?;
        self.notify_object(ctx, "dns.blacklist.create", &blacklist)
            .await;
        Ok(blacklist)
    }

    /// A blacklist entry.
    pub(crate) async fn blacklist_get(&self, id: Uuid) -> Result<Blacklist> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.get_blacklist(id).await.map_err(blacklist_error)
    }

    /// Blacklist entries, one page.
    pub(crate) async fn blacklist_find(
        &self,
        criteria: &Criteria,
        page: &Page,
    ) -> Result<Listing<Blacklist>> {
        let mut tx = begin_read(self.storage.as_ref()).await?;
        tx.find_blacklists(criteria, page)
            .await
            .map_err(blacklist_error)
    }

    /// Changes a blacklist entry.
    pub(crate) async fn blacklist_update(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: BlacklistUpdate,
    ) -> Result<Blacklist> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let mut blacklist = tx.get_blacklist(id).await.map_err(blacklist_error)?;
        if let Some(pattern) = update.pattern {
            check_pattern(&pattern)?;
            blacklist.pattern = pattern;
        }
        if let Some(description) = update.description {
            check_description(description.as_deref())?;
            blacklist.description = description;
        }
        let blacklist = tx
            .update_blacklist(&blacklist)
            .await
            .map_err(blacklist_error)?;
        commit(tx).await?;
        self.notify_object(ctx, "dns.blacklist.update", &blacklist)
            .await;
        Ok(blacklist)
    }

    /// Deletes a blacklist entry.
    pub(crate) async fn blacklist_delete(
        &self,
        ctx: &RequestContext,
        id: Uuid,
    ) -> Result<Blacklist> {
        let mut tx = begin(self.storage.as_ref()).await?;
        let blacklist = tx.get_blacklist(id).await.map_err(blacklist_error)?;
        tx.delete_blacklist(id).await.map_err(blacklist_error)?;
        commit(tx).await?;
        self.notify_object(ctx, "dns.blacklist.delete", &blacklist)
            .await;
        Ok(blacklist)
    }

    /// Emits `event` with the object's fields as payload.
    async fn notify_object<T>(&self, ctx: &RequestContext, event: &str, obj: &T)
    where
        T: serde::Serialize + Sync,
    {
        let payload = serde_json::to_value(obj).unwrap_or_default();
        self.notifier.notify(ctx, event, payload).await;
    }
}

/// Upstream's `DenylistFields`: at most 255 characters and a valid regular expression.
fn check_pattern(pattern: &str) -> Result<()> {
    if pattern.chars().count() > 255 {
        return Err(DesignateError::invalid_object(
            &["pattern"],
            "maxLength",
            format!("'{pattern}' is too long"),
        ));
    }
    compile_pattern(pattern).map(|_| ())
}
