//! Zone operations: create (with the managed SOA and NS recordsets), read, update, delete, and
//! the ownership rules between zones of different projects (duplicate / sub-zone / super-zone).
//!
//! Input checks that do not depend on stored data run before the transaction; everything that
//! reads the store runs inside it, so a rule checked is a rule still true at commit.

use designate_bus::ZoneTask;
use designate_core::criteria::{Criteria, Filter, Listing, Page};
use designate_core::name::{check_min_ttl, validate_email, validate_ttl, validate_zone_name};
use designate_core::objects::{
    reverse_name, shard_of, Action, NewRecordSet, NewZone, Zone, ZoneStatus, ZoneType, ZoneUpdate,
};
use designate_core::serial::next_serial;
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_storage::StorageTx;
use uuid::Uuid;

use crate::build::{new_recordset, now, now_unix, ns_hostnames, random_refresh, soa_data};
use crate::errors::{bad_request, from_storage, zone_not_found};
use crate::imports::ImportSeed;
use crate::journal;
use crate::txn::{begin, begin_read, bump_zone, commit, new_serial, read, retry, uuid_value};
use crate::{payload, Central};

/// Upstream's `maxLength` of zone and recordset descriptions.
pub(crate) const MAX_DESCRIPTION_LEN: usize = 160;

/// Whether the caller may see `zone` (its project's, or every project's for an admin with
/// all-projects).
pub(crate) fn visible(ctx: &RequestContext, zone: &Zone) -> bool {
    match ctx.project_filter() {
        None => true,
        Some(project) => zone.tenant_id.as_deref() == Some(project),
    }
}

/// The zone `id` as the caller may see it, inside `tx`.
///
/// # Errors
/// `zone_not_found` when it does not exist, is soft-deleted, or belongs to another project.
pub(crate) async fn visible_zone(
    tx: &mut dyn StorageTx,
    ctx: &RequestContext,
    id: Uuid,
) -> Result<Zone> {
    let zone = tx.get_zone(id).await.map_err(from_storage)?;
    check_visible(tx, ctx, zone).await
}

/// Gates a zone read in `tx` on the caller: its project's, an admin's, or shared with it.
pub(crate) async fn check_visible(
    tx: &mut dyn StorageTx,
    ctx: &RequestContext,
    zone: Zone,
) -> Result<Zone> {
    if visible(ctx, &zone) {
        return Ok(zone);
    }
    // Upstream's `_check_zone_share_permission`: a project the zone is shared with sees it.
    match ctx.project_filter() {
        Some(project) if crate::shares::shared_with(tx, &zone, project).await? => Ok(zone),
        _ => Err(zone_not_found()),
    }
}

/// Checks a description against upstream's `maxLength: 160`.
pub(crate) fn check_description(description: Option<&str>) -> Result<()> {
    match description {
        Some(d) if d.chars().count() > MAX_DESCRIPTION_LEN => Err(DesignateError::invalid_object(
            &["description"],
            "maxLength",
            format!("'{d}' is too long"),
        )),
        _ => Ok(()),
    }
}

/// Checks a TTL: schema bounds, then `min_ttl` unless the caller is an admin (upstream's
/// `use_low_ttl` rule grants admins lower TTLs).
pub(crate) fn check_ttl(central: &Central, ctx: &RequestContext, ttl: Option<i32>) -> Result<()> {
    let Some(ttl) = ttl else { return Ok(()) };
    validate_ttl(i64::from(ttl))?;
    if ctx.is_admin() {
        return Ok(());
    }
    check_min_ttl(i64::from(ttl), central.config.min_ttl.map(i64::from))
}

/// Every live zone (any project) matching `criteria`.
pub(crate) async fn find_all_zones(
    tx: &mut dyn StorageTx,
    criteria: &Criteria,
) -> Result<Vec<Zone>> {
    tx.find_zones_uncounted(criteria, &Page::default())
        .await
        .map_err(from_storage)
}

/// The proper ancestors of a zone name, nearest first (`a.b.example.` → `b.example.`, `example.`).
fn ancestors(name: &str) -> Vec<String> {
    let labels: Vec<&str> = name.trim_end_matches('.').split('.').collect();
    (1..labels.len())
        .map(|i| format!("{}.", labels[i..].join(".")))
        .collect()
}

/// What the ownership checks decided for a new zone.
struct Placement {
    /// The nearest ancestor zone of the same project in the same pool.
    parent_zone_id: Option<Uuid>,
    /// Existing same-project sub-zones whose nearest ancestor the new zone becomes.
    adopt: Vec<Zone>,
}

impl Central {
    /// Upstream's ownership rules for a new zone `name` of `tenant` in `pool_id`:
    /// - an exact duplicate owned by another project (any pool), or by this project in the same
    ///   pool → `duplicate_zone`;
    /// - the nearest existing ancestor (any pool) owned by another project → `illegal_child`;
    /// - any existing descendant owned by another project → `illegal_parent`.
    async fn place_zone(
        &self,
        tx: &mut dyn StorageTx,
        name: &str,
        tenant: &str,
        pool_id: Uuid,
    ) -> Result<Placement> {
        let same_tenant = |z: &Zone| z.tenant_id.as_deref() == Some(tenant);

        for existing in find_all_zones(tx, &Criteria::new().eq("name", name)).await? {
            if !same_tenant(&existing) {
                return Err(DesignateError::new(
                    ErrorKind::DuplicateZone,
                    "Zone already exists, owned by a different tenant",
                ));
            }
            if existing.pool_id == Some(pool_id) {
                return Err(DesignateError::new(
                    ErrorKind::DuplicateZone,
                    "Duplicate Zone",
                ));
            }
        }

        let mut parent_zone_id = None;
        let mut nearest_checked = false;
        for ancestor in ancestors(name) {
            let found = find_all_zones(tx, &Criteria::new().eq("name", ancestor)).await?;
            if found.is_empty() {
                continue;
            }
            if !nearest_checked {
                nearest_checked = true;
                if found.iter().any(|z| !same_tenant(z)) {
                    return Err(DesignateError::new(
                        ErrorKind::IllegalChildZone,
                        "Unable to create subzone in another tenants zone",
                    ));
                }
            }
            if let Some(parent) = found.iter().find(|z| z.pool_id == Some(pool_id)) {
                parent_zone_id = Some(parent.id);
                break;
            }
        }

        let pattern = Filter::Wildcard(format!("*.{name}"));
        let descendants = find_all_zones(tx, &Criteria::new().with("name", pattern)).await?;
        if descendants.iter().any(|z| !same_tenant(z)) {
            return Err(DesignateError::new(
                ErrorKind::IllegalParentZone,
                "Unable to create zone because another tenant owns a subzone of the zone",
            ));
        }
        // A descendant whose current parent is above the new zone (or who has none) now has the
        // new zone as its nearest ancestor. Upstream re-parents every descendant; re-parenting
        // only the ones the new zone is nearest to keeps deeper chains intact.
        let mut adopt = Vec::new();
        for sub in descendants
            .into_iter()
            .filter(|z| z.pool_id == Some(pool_id))
        {
            let re_parent = match sub.parent_zone_id {
                None => true,
                Some(current) => descendants_parent_is_above(tx, current, name).await?,
            };
            if re_parent {
                adopt.push(sub);
            }
        }
        Ok(Placement {
            parent_zone_id,
            adopt,
        })
    }

    /// Creates a zone; see [`designate_bus::CentralApi::create_zone`].
    pub(crate) async fn zone_create(&self, ctx: &RequestContext, new: NewZone) -> Result<Zone> {
        let tenant = ctx.project_id.clone().ok_or_else(|| {
            DesignateError::new(
                ErrorKind::MissingProjectId,
                "A project ID must be specified when not using a project scoped token.",
            )
        })?;
        self.check_new_zone(ctx, &new)?;
        if let Some(zone) = self.zone_already_created(&tenant, &new).await? {
            return Ok(zone);
        }
        let zone = match retry(|| self.zone_create_once(ctx, &tenant, &new, None)).await {
            Ok(zone) => zone,
            // The same request delivered twice at once: the other delivery committed first.
            Err(e) if e.kind == ErrorKind::DuplicateZone => {
                match self.zone_already_created(&tenant, &new).await? {
                    Some(zone) => return Ok(zone),
                    None => return Err(e),
                }
            }
            Err(e) => return Err(e),
        };
        tracing::info!(zone_id = %zone.id, name = %zone.name, "zone created");
        // A SECONDARY zone reaches its targets once its first transfer is stored
        // (`finish_zone_xfr` casts the create then), so targets never serve it empty.
        let task = match zone.zone_type {
            ZoneType::Secondary => ZoneTask::Transfer,
            _ => ZoneTask::Create,
        };
        self.worker.cast_zone_task(ctx, task, zone.clone()).await;
        self.notify_zone(ctx, "create", &zone).await;
        Ok(zone)
    }

    /// The zone a create with a caller-chosen id (the AMQP transport's, derived from the
    /// request's message id) committed before, so a redelivered create answers it again
    /// rather than `duplicate_zone`; its cast and notification were the first delivery's
    /// (a zone left PENDING is re-driven by the producer's recovery).
    async fn zone_already_created(&self, tenant: &str, new: &NewZone) -> Result<Option<Zone>> {
        let Some(id) = new.id else { return Ok(None) };
        let mut tx = begin_read(self.storage.as_ref()).await?;
        match tx.get_zone(id).await {
            Ok(zone) if zone.name == new.name && zone.tenant_id.as_deref() == Some(tenant) => {
                Ok(Some(zone))
            }
            Ok(_) => Err(DesignateError::new(
                ErrorKind::DuplicateZone,
                "Duplicate Zone",
            )),
            Err(designate_storage::StorageError::NotFound(_)) => Ok(None),
            Err(e) => Err(from_storage(e)),
        }
    }

    /// Input checks of a new zone that need no stored data.
    pub(crate) fn check_new_zone(&self, ctx: &RequestContext, new: &NewZone) -> Result<()> {
        validate_zone_name(&new.name)?;
        if new.name.len() > self.config.max_zone_name_len {
            return Err(DesignateError::new(
                ErrorKind::InvalidZoneName,
                "Name too long",
            ));
        }
        match new.zone_type.unwrap_or(ZoneType::Primary) {
            ZoneType::Primary => {
                if !new.masters.is_empty() {
                    return Err(DesignateError::invalid_object(
                        &["type"],
                        "maxItems",
                        "'masters' has more items than allowed",
                    ));
                }
            }
            // Upstream's Zone.validate; the e-mail is central's managed one (set at create).
            ZoneType::Secondary => {
                crate::secondary::check_new_secondary(new)?;
                return check_description(new.description.as_deref());
            }
            ZoneType::Catalog => {
                return Err(DesignateError::new(
                    ErrorKind::Forbidden,
                    "This operation is not allowed for catalog zones.",
                ))
            }
        }
        let Some(email) = new.email.as_deref() else {
            return Err(DesignateError::invalid_object(
                &["type"],
                "required",
                "'email' is a required property",
            ));
        };
        validate_email(email)?;
        check_ttl(self, ctx, new.ttl)?;
        check_description(new.description.as_deref())
    }

    /// One attempt at creating a zone, in one transaction; with `import`, the zone's SOA
    /// values and recordsets come from a zone file and are written in the same transaction.
    pub(crate) async fn zone_create_once(
        &self,
        ctx: &RequestContext,
        tenant: &str,
        new: &NewZone,
        import: Option<&ImportSeed>,
    ) -> Result<Zone> {
        let mut tx = begin(self.storage.as_ref()).await?;
        // Upstream's order: the quota first, then the name against TLDs and blacklists.
        self.enforce_zone_quota(tx.as_mut(), tenant).await?;
        crate::tlds::check_zone_name_allowed(tx.as_mut(), ctx, &new.name).await?;
        // --- zone placement: an explicit pool, else the scheduler over the stored pools ---
        let pool_id = match new.pool_id {
            Some(pool_id) => pool_id,
            None => crate::scheduler::schedule(
                &self.config.scheduler_filters,
                tx.find_pools().await.map_err(from_storage)?,
                &new.attributes,
                self.config.default_pool_id,
            )?,
        };
        let pool = tx.get_pool(pool_id).await.map_err(from_storage)?;
        let nameservers = ns_hostnames(&pool);
        let Some(primary_ns) = nameservers.first().cloned() else {
            tracing::error!(%pool_id, "no nameservers configured for the pool");
            return Err(DesignateError::new(
                ErrorKind::NoServersConfigured,
                "No nameservers configured. Please create at least one nameserver",
            ));
        };
        let placement = self
            .place_zone(tx.as_mut(), &new.name, tenant, pool_id)
            .await?;

        let id = new.id.unwrap_or_else(Uuid::new_v4);
        let zone_type = new.zone_type.unwrap_or(ZoneType::Primary);
        let secondary = zone_type == ZoneType::Secondary;
        let zone = Zone {
            id,
            version: 1,
            created_at: now(),
            updated_at: None,
            deleted: "0".to_owned(),
            deleted_at: None,
            shard: shard_of(&id),
            tenant_id: Some(tenant.to_owned()),
            name: new.name.clone(),
            email: if secondary {
                self.config.managed_resource_email.clone()
            } else {
                new.email.clone().unwrap_or_default()
            },
            description: new.description.clone(),
            zone_type,
            transferred_at: None,
            ttl: new.ttl.unwrap_or(self.config.default_ttl),
            // A SECONDARY zone has serial 1 until its first transfer (upstream's).
            serial: import
                .map(|seed| seed.serial)
                .filter(|serial| *serial > 0)
                .unwrap_or_else(|| {
                    if secondary {
                        1
                    } else {
                        next_serial(0, now_unix())
                    }
                }),
            refresh: random_refresh(&self.config),
            retry: import.map_or(self.config.default_soa_retry, |seed| seed.retry),
            expire: import.map_or(self.config.default_soa_expire, |seed| seed.expire),
            minimum: self.config.default_soa_minimum,
            status: ZoneStatus::Pending,
            parent_zone_id: placement.parent_zone_id,
            action: Action::Create,
            pool_id: Some(pool_id),
            reverse_name: reverse_name(&new.name),
            delayed_notify: false,
            increment_serial: false,
            attributes: new.attributes.clone(),
            masters: new.masters.clone(),
        };
        tx.create_zone(&zone).await.map_err(from_storage)?;

        // The SOA is created first so it is always the zone's oldest recordset, as upstream.
        let soa = NewRecordSet {
            name: zone.name.clone(),
            rtype: "SOA".to_owned(),
            records: vec![soa_data(&zone, &primary_ns)],
            ..NewRecordSet::default()
        };
        tx.create_recordset(&new_recordset(&zone, soa, zone.serial, true))
            .await
            .map_err(from_storage)?;
        // A SECONDARY zone's NS records come from its masters (upstream's `_create_ns`).
        if !secondary {
            let ns = NewRecordSet {
                name: zone.name.clone(),
                rtype: "NS".to_owned(),
                records: nameservers,
                ..NewRecordSet::default()
            };
            tx.create_recordset(&new_recordset(&zone, ns, zone.serial, true))
                .await
                .map_err(from_storage)?;
        }

        if let Some(seed) = import {
            self.write_imported_recordsets(tx.as_mut(), &zone, seed, &placement.adopt)
                .await?;
        }
        for mut sub in placement.adopt {
            tracing::debug!(subzone = %sub.name, parent = %zone.id, "re-parenting subzone");
            sub.parent_zone_id = Some(zone.id);
            sub.updated_at = Some(now());
            tx.update_zone(&sub).await.map_err(from_storage)?;
        }
        commit(tx).await?;
        Ok(zone)
    }

    /// A zone visible to the caller.
    pub(crate) async fn zone_get(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone> {
        // Every API call on a zone's contents starts here (the policy check's target): no
        // snapshot, so no BEGIN / ROLLBACK around the zone's row and its attributes.
        let mut tx = read(self.storage.as_ref()).await?;
        visible_zone(tx.as_mut(), ctx, id).await
    }

    /// Zones visible to the caller matching `criteria`.
    pub(crate) async fn zone_find(
        &self,
        ctx: &RequestContext,
        criteria: Criteria,
        page: Page,
    ) -> Result<Listing<Zone>> {
        let mut criteria = criteria;
        // Catalog zones are internal: only admins list them (upstream's find_zones).
        if !ctx.is_admin() {
            criteria = criteria.with("type", Filter::Ne(ZoneType::Catalog.as_str().to_owned()));
        }
        let mut tx = begin_read(self.storage.as_ref()).await?;
        // A project lists its own zones and those shared with it (upstream's include_shared).
        match ctx.project_filter() {
            Some(project) => tx.find_zones_visible_to(&criteria, &page, project).await,
            None => tx.find_zones(&criteria, &page).await,
        }
        .map_err(from_storage)
    }

    /// Updates email / ttl / description and bumps the serial.
    pub(crate) async fn zone_update(
        &self,
        ctx: &RequestContext,
        id: Uuid,
        update: ZoneUpdate,
    ) -> Result<Zone> {
        if let Some(email) = update.email.as_deref() {
            validate_email(email)?;
        }
        check_ttl(self, ctx, update.ttl)?;
        if let Some(description) = &update.description {
            check_description(description.as_deref())?;
        }
        let zone = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let mut zone = visible_zone(tx.as_mut(), ctx, id).await?;
            if zone.action == Action::Delete {
                return Err(bad_request("Can not update a deleting zone"));
            }
            if zone.zone_type == ZoneType::Secondary
                || update.masters.as_ref().is_some_and(|m| !m.is_empty())
            {
                let zone = crate::secondary::update_secondary(tx.as_mut(), zone, &update).await?;
                commit(tx).await?;
                return Ok(zone);
            }
            // A zone TTL change reaches every recordset without a TTL of its own.
            let before = journal::capture(tx.as_mut(), &zone, journal::Scope::Zone).await?;
            if let Some(email) = &update.email {
                zone.email.clone_from(email);
            }
            if let Some(ttl) = update.ttl {
                zone.ttl = ttl;
            }
            if let Some(description) = &update.description {
                zone.description.clone_from(description);
            }
            let serial = new_serial(&zone);
            let bumped = bump_zone(tx.as_mut(), &zone, serial).await?;
            journal::record(tx.as_mut(), &bumped, before).await?;
            let zone = bumped.zone;
            commit(tx).await?;
            Ok(zone)
        })
        .await?;
        // New masters (or none transferred yet): transfer (upstream's `_update_zone`), which
        // pushes the zone once stored.
        let task = if zone.zone_type == ZoneType::Secondary && zone.transferred_at.is_none() {
            ZoneTask::Transfer
        } else {
            ZoneTask::Update
        };
        self.worker.cast_zone_task(ctx, task, zone.clone()).await;
        self.notify_zone(ctx, "update", &zone).await;
        Ok(zone)
    }

    /// Marks a zone for deletion (action DELETE, status PENDING); the worker removes it from the
    /// targets and reports back through `update_status`, which soft-deletes it.
    pub(crate) async fn zone_delete(&self, ctx: &RequestContext, id: Uuid) -> Result<Zone> {
        let zone = retry(|| async {
            let mut tx = begin(self.storage.as_ref()).await?;
            let mut zone = visible_zone(tx.as_mut(), ctx, id).await?;
            if zone.zone_type == ZoneType::Catalog {
                return Err(DesignateError::new(
                    ErrorKind::Forbidden,
                    "This operation is not allowed for catalog zones.",
                ));
            }
            // Children of any project block the delete: their delegation would dangle.
            let children = Criteria::new().eq("parent_zone_id", uuid_value(&zone.id));
            if !find_all_zones(tx.as_mut(), &children).await?.is_empty() {
                return Err(DesignateError::new(
                    ErrorKind::ZoneHasSubZone,
                    "Please delete any subzones before deleting this zone",
                ));
            }
            // A shared zone goes only with the delete-shares switch, which takes its shares.
            let shared = !tx
                .shared_zone_ids(&[zone.id])
                .await
                .map_err(from_storage)?
                .is_empty();
            if shared {
                if !ctx.delete_shares {
                    return Err(DesignateError::new(
                        ErrorKind::ZoneShared,
                        "This zone is shared with other projects, please remove these shares \
                         before deletion or use the delete-shares modifier to override this \
                         warning.",
                    ));
                }
                tx.delete_zone_shares(zone.id).await.map_err(from_storage)?;
            }
            zone.action = Action::Delete;
            zone.status = ZoneStatus::Pending;
            zone.updated_at = Some(now());
            let zone = tx.update_zone(&zone).await.map_err(from_storage)?;
            commit(tx).await?;
            Ok((zone, shared))
        })
        .await?;
        let (zone, shared) = zone;
        tracing::info!(zone_id = %zone.id, name = %zone.name, hard_delete = ctx.hard_delete, "zone delete requested");
        self.worker
            .cast_zone_task(ctx, ZoneTask::Delete, zone.clone())
            .await;
        // The payload describes the zone as it was: shared, if its shares went with it.
        self.notify_zone_shared(ctx, "delete", &zone, shared).await;
        Ok(zone)
    }

    /// Emits `dns.zone.<verb>` and upstream's deprecated twin `dns.domain.<verb>`, with the
    /// payload's `shared` read from the store (false if it cannot be read: notifications are
    /// best effort).
    pub(crate) async fn notify_zone(&self, ctx: &RequestContext, verb: &str, zone: &Zone) {
        let shared = match begin_read(self.storage.as_ref()).await {
            Ok(mut tx) => tx
                .shared_zone_ids(&[zone.id])
                .await
                .is_ok_and(|ids| !ids.is_empty()),
            Err(_) => false,
        };
        self.notify_zone_shared(ctx, verb, zone, shared).await;
    }

    /// [`Central::notify_zone`] with `shared` known to the caller.
    async fn notify_zone_shared(
        &self,
        ctx: &RequestContext,
        verb: &str,
        zone: &Zone,
        shared: bool,
    ) {
        let body = payload::zone(zone, shared);
        self.notifier
            .notify(ctx, &format!("dns.domain.{verb}"), body.clone())
            .await;
        self.notifier
            .notify(ctx, &format!("dns.zone.{verb}"), body)
            .await;
    }
}

/// Whether the zone `parent_id` lies strictly above `name` (so `name` is a nearer parent).
async fn descendants_parent_is_above(
    tx: &mut dyn StorageTx,
    parent_id: Uuid,
    name: &str,
) -> Result<bool> {
    match tx.get_zone(parent_id).await {
        Ok(parent) => Ok(ancestors(name)
            .iter()
            .any(|a| a.eq_ignore_ascii_case(&parent.name))),
        // A dangling parent id: the new zone is the better parent.
        Err(designate_storage::StorageError::NotFound(_)) => Ok(true),
        Err(e) => Err(from_storage(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestors_nearest_first() {
        assert_eq!(
            ancestors("a.b.example.org."),
            ["b.example.org.", "example.org.", "org."]
        );
        assert!(ancestors("org.").is_empty());
    }

    #[test]
    fn description_limit() {
        assert!(check_description(Some(&"x".repeat(160))).is_ok());
        let err = check_description(Some(&"x".repeat(161))).unwrap_err();
        assert_eq!(err.kind, ErrorKind::InvalidObject);
        assert!(check_description(None).is_ok());
    }
}
