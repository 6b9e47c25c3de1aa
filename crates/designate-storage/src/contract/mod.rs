//! The storage contract: async checks that any [`Storage`] implementation must pass, written
//! against `&dyn Storage` only so that the same suite runs on SQLite (this crate's tests) and
//! later on PostgreSQL and MariaDB. Each check uses its own project id and names, so all of them
//! can share one database. [`run_all`] runs every check.
//!
//! This is test code: a failed expectation panics with a message saying what differed.
//! [`server`] hands out fresh, uniquely named databases on the PostgreSQL and MariaDB servers
//! the tests run against.

use chrono::{NaiveDateTime, Timelike};
use designate_core::criteria::{Criteria, Filter, Page, SortDir};
use designate_core::objects::{
    record_hash, reverse_name, shard_of, Action, Pool, PoolAttribute, PoolNameserver, PoolNsRecord,
    PoolTarget, PoolTargetMaster, Record, RecordSet, RecordStatus, ServiceStatus, Zone, ZoneStatus,
    ZoneType,
};
use uuid::Uuid;

use crate::{Storage, StorageError};

mod admin;
// what a batch of recordset creates reads and writes
mod batch;
mod journal;
mod leases;
mod pools;
mod recordsets;
pub mod server;
mod transactions;
mod zones;
// zone tasks (imports / exports)
mod zone_tasks;
// --- cross-project and key resources ---
mod shares;
mod transfers;
mod tsigkeys;
// --- MiniDNS zone transfers ---
mod transfer;

pub use admin::{blacklist_crud, quota_set_reset, tld_crud};
pub use batch::batch_forms_agree;
pub use journal::zone_journal;
pub use leases::{lease_claims, zones_by_shard};
pub use pools::{pool_crud, pool_delete, service_status_upsert, zone_attributes_roundtrip};
pub use recordsets::{
    managed_records_by_type, recordset_crud, recordset_placement_reads, recordset_quota_inputs_read,
};
pub use shares::zone_shares;
pub use transactions::{
    concurrent_writers, read_without_snapshot, rollback_on_drop, version_conflict,
};
pub use transfer::zone_transfer_pages;
pub use transfers::zone_transfers;
pub use tsigkeys::tsigkey_crud;
pub use zone_tasks::{recordsets_in_bulk, zone_task_crud};
pub use zones::{
    names_ignore_case, project_zone_counts, zone_criteria, zone_crud, zone_duplicates,
    zone_listing_in_chunks, zone_pagination,
};
// --- the zone's SOA without scanning records ---
mod zone_soa;
pub use zone_soa::zone_soa_recordset;
// --- secondary zones ---
mod secondary;
pub use secondary::{zone_masters_roundtrip, zone_recordsets_replaced};

/// Now, at the precision every engine stores: whole seconds, since upstream's MySQL columns
/// are DATETIME without a fraction.
pub fn now() -> NaiveDateTime {
    let t = chrono::Utc::now().naive_utc();
    t.with_nanosecond(0).unwrap_or(t)
}

/// A fresh project id, so that checks sharing a database do not see each other's rows.
fn project() -> String {
    Uuid::new_v4().simple().to_string()
}

/// A live PENDING/CREATE primary zone of `tenant` named `name` in pool `pool_id`.
pub fn zone(name: &str, tenant: &str, pool_id: Uuid) -> Zone {
    let id = Uuid::new_v4();
    Zone {
        id,
        version: 1,
        created_at: now(),
        updated_at: None,
        deleted: "0".to_owned(),
        deleted_at: None,
        shard: shard_of(&id),
        tenant_id: Some(tenant.to_owned()),
        name: name.to_owned(),
        email: "hostmaster@example.org".to_owned(),
        description: None,
        zone_type: ZoneType::Primary,
        transferred_at: None,
        ttl: 3600,
        serial: 1_700_000_000,
        refresh: 3500,
        retry: 600,
        expire: 86400,
        minimum: 3600,
        status: ZoneStatus::Pending,
        parent_zone_id: None,
        action: Action::Create,
        pool_id: Some(pool_id),
        reverse_name: reverse_name(name),
        delayed_notify: false,
        increment_serial: false,
        attributes: Default::default(),
        masters: Vec::new(),
    }
}

/// A recordset of `zone` with one record per datum.
pub fn recordset(zone: &Zone, name: &str, rtype: &str, data: &[&str]) -> RecordSet {
    let id = Uuid::new_v4();
    let created_at = now();
    RecordSet {
        id,
        version: 1,
        created_at,
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        zone_name: zone.name.clone(),
        name: name.to_owned(),
        rtype: rtype.to_owned(),
        ttl: None,
        description: None,
        reverse_name: reverse_name(name),
        records: data
            .iter()
            .map(|d| record(zone, id, d, created_at))
            .collect(),
    }
}

/// A PENDING/CREATE record of recordset `recordset_id`.
pub fn record(zone: &Zone, recordset_id: Uuid, data: &str, created_at: NaiveDateTime) -> Record {
    Record {
        id: Uuid::new_v4(),
        version: 1,
        created_at,
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        recordset_id,
        data: data.to_owned(),
        description: None,
        hash: record_hash(&recordset_id, data),
        managed: false,
        managed_extra: None,
        managed_plugin_type: None,
        managed_plugin_name: None,
        managed_resource_type: None,
        managed_resource_region: None,
        managed_resource_id: None,
        managed_tenant_id: None,
        status: RecordStatus::Pending,
        action: Action::Create,
        serial: 1_700_000_000,
    }
}

/// A pool with two of every child.
pub fn pool(name: &str) -> Pool {
    let ns = |host: &str, port| PoolNameserver {
        id: Uuid::new_v4(),
        host: host.to_owned(),
        port,
    };
    let kv = |k: &str, v: &str| PoolAttribute {
        key: k.to_owned(),
        value: v.to_owned(),
    };
    let target = |kind: &str| PoolTarget {
        id: Uuid::new_v4(),
        target_type: kind.to_owned(),
        description: Some(format!("{kind} target")),
        masters: vec![
            PoolTargetMaster {
                host: "192.0.2.9".to_owned(),
                port: 5354,
            },
            PoolTargetMaster {
                host: "192.0.2.1".to_owned(),
                port: 5354,
            },
        ],
        options: vec![kv("rndc_host", "127.0.0.1"), kv("api_key", "secret")],
    };
    Pool {
        id: Uuid::new_v4(),
        name: name.to_owned(),
        description: Some("a pool".to_owned()),
        tenant_id: None,
        attributes: vec![kv("zone", "internal"), kv("area", "b")],
        ns_records: vec![
            PoolNsRecord {
                priority: 2,
                hostname: "ns2.example.org.".to_owned(),
            },
            PoolNsRecord {
                priority: 1,
                hostname: "ns1.example.org.".to_owned(),
            },
        ],
        nameservers: vec![ns("192.0.2.20", 53), ns("192.0.2.10", 5353)],
        targets: vec![target("bind9"), target("pdns4")],
        also_notifies: vec![ns("192.0.2.30", 53)],
    }
}

async fn create_zone(s: &dyn Storage, z: &Zone) {
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(z).await.expect("create_zone");
    tx.commit().await.expect("commit");
}

async fn create_recordset(s: &dyn Storage, rs: &RecordSet) {
    let mut tx = s.begin().await.expect("begin");
    tx.create_recordset(rs).await.expect("create_recordset");
    tx.commit().await.expect("commit");
}

/// Records sorted by data, for comparisons that do not care about record order.
fn by_data(mut rs: RecordSet) -> RecordSet {
    rs.records.sort_by(|a, b| a.data.cmp(&b.data));
    rs
}

/// Runs every check in turn.
pub async fn run_all(s: &dyn Storage) {
    zone_crud(s).await;
    zone_duplicates(s).await;
    zone_criteria(s).await;
    zone_pagination(s).await;
    names_ignore_case(s).await;
    project_zone_counts(s).await;
    zone_listing_in_chunks(s).await;
    recordset_crud(s).await;
    version_conflict(s).await;
    rollback_on_drop(s).await;
    read_without_snapshot(s).await;
    concurrent_writers(s).await;
    pool_crud(s).await;
    service_status_upsert(s).await;
    tld_crud(s).await;
    blacklist_crud(s).await;
    quota_set_reset(s).await;
    zone_journal(s).await;
    // --- MiniDNS zone transfers ---
    zone_transfer_pages(s).await;
    lease_claims(s).await;
    zones_by_shard(s).await;
    // --- pool deletion, zone placement ---
    pool_delete(s).await;
    zone_attributes_roundtrip(s).await;
    // zone tasks (imports / exports)
    zone_task_crud(s).await;
    recordsets_in_bulk(s).await;
    // --- cross-project and key resources ---
    tsigkey_crud(s).await;
    zone_transfers(s).await;
    zone_shares(s).await;
    // --- the zone's SOA without scanning records ---
    zone_soa_recordset(s).await;
    // --- secondary zones ---
    zone_masters_roundtrip(s).await;
    zone_recordsets_replaced(s).await;
    // --- floating-IP PTRs ---
    managed_records_by_type(s).await;
    // --- what a recordset create reads ---
    recordset_placement_reads(s).await;
    recordset_quota_inputs_read(s).await;
    batch_forms_agree(s).await;
}
