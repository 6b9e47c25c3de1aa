//! Constructors for the rows central writes: records, recordsets, and the managed SOA / NS data.
//!
//! Pure functions over domain objects: no storage access, so the shapes are unit-tested here.

use designate_core::name::email_to_rname;
use designate_core::objects::{
    record_hash, reverse_name, Action, NewRecordSet, Pool, Record, RecordSet, RecordStatus,
    Timestamp, Zone,
};
use rand::Rng;
use uuid::Uuid;

use crate::CentralConfig;

/// The current time as stored (naive UTC, microseconds like upstream's columns), so that what
/// central returns equals what a later read gives.
pub(crate) fn now() -> Timestamp {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

/// The current unix time as a serial candidate.
pub(crate) fn now_unix() -> u32 {
    // Serials are 32-bit; past 2106 the wrapped value is still fine for RFC 1982 arithmetic.
    chrono::Utc::now().timestamp() as u32
}

/// The pool's NS hostnames, highest priority (lowest number) first, as zones get them.
pub(crate) fn ns_hostnames(pool: &Pool) -> Vec<String> {
    let mut ns = pool.ns_records.clone();
    ns.sort_by_key(|n| n.priority);
    ns.into_iter().map(|n| n.hostname).collect()
}

/// The SOA record data of `zone` with `primary_ns` as MNAME, as upstream builds it:
/// `mname rname serial refresh retry expire minimum`.
pub(crate) fn soa_data(zone: &Zone, primary_ns: &str) -> String {
    format!(
        "{} {} {} {} {} {} {}",
        primary_ns,
        email_to_rname(&zone.email),
        zone.serial,
        zone.refresh,
        zone.retry,
        zone.expire,
        zone.minimum
    )
}

/// A refresh value spread uniformly over `[min, max)` so that secondaries of many zones do not
/// all refresh at once (upstream's `_generate_soa_refresh_interval`).
pub(crate) fn random_refresh(config: &CentralConfig) -> i32 {
    let (min, max) = (
        config.default_soa_refresh_min,
        config.default_soa_refresh_max,
    );
    if max > min {
        rand::thread_rng().gen_range(min..max)
    } else {
        min
    }
}

/// A new record of `recordset` in `zone` (status PENDING, action CREATE).
pub(crate) fn new_record(
    zone: &Zone,
    recordset_id: Uuid,
    data: String,
    serial: u32,
    managed: bool,
) -> Record {
    Record {
        id: Uuid::new_v4(),
        version: 1,
        created_at: now(),
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        recordset_id,
        hash: record_hash(&recordset_id, &data),
        data,
        description: None,
        managed,
        managed_extra: None,
        managed_plugin_type: None,
        managed_plugin_name: None,
        managed_resource_type: None,
        managed_resource_region: None,
        managed_resource_id: None,
        managed_tenant_id: None,
        status: RecordStatus::Pending,
        action: Action::Create,
        serial,
    }
}

/// A new recordset of `zone` from `spec` (records already validated and normalised), whose
/// records all carry `serial`.
pub(crate) fn new_recordset(
    zone: &Zone,
    spec: NewRecordSet,
    serial: u32,
    managed: bool,
) -> RecordSet {
    let id = spec.id.unwrap_or_else(Uuid::new_v4);
    let records = spec
        .records
        .into_iter()
        .map(|d| new_record(zone, id, d, serial, managed))
        .collect();
    RecordSet {
        id,
        version: 1,
        created_at: now(),
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        zone_name: zone.name.clone(),
        reverse_name: reverse_name(&spec.name),
        name: spec.name,
        rtype: spec.rtype,
        ttl: spec.ttl,
        description: spec.description,
        records,
    }
}

/// Marks every record of `recordset` as changed in `serial` (upstream marks all records of an
/// updated recordset UPDATE / PENDING, whether or not their own data changed).
pub(crate) fn mark_records(recordset: &mut RecordSet, action: Action, serial: u32) {
    let stamp = now();
    for record in &mut recordset.records {
        record.action = action;
        record.status = RecordStatus::Pending;
        record.serial = serial;
        record.updated_at = Some(stamp);
    }
}

#[cfg(test)]
mod tests {
    use designate_core::objects::{PoolNsRecord, ZoneStatus, ZoneType};

    use super::*;

    fn zone() -> Zone {
        Zone {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            deleted: "0".to_owned(),
            deleted_at: None,
            shard: 1,
            tenant_id: Some("p1".to_owned()),
            name: "example.org.".to_owned(),
            email: "first.last@example.org".to_owned(),
            description: None,
            zone_type: ZoneType::Primary,
            transferred_at: None,
            ttl: 3600,
            serial: 1_700_000_000,
            refresh: 3550,
            retry: 600,
            expire: 86400,
            minimum: 3600,
            status: ZoneStatus::Pending,
            parent_zone_id: None,
            action: Action::Create,
            pool_id: None,
            reverse_name: ".gro.elpmaxe".to_owned(),
            delayed_notify: false,
            increment_serial: false,
            attributes: Default::default(),
            masters: Vec::new(),
        }
    }

    #[test]
    fn soa_data_has_upstream_layout() {
        assert_eq!(
            soa_data(&zone(), "ns1.example.net."),
            "ns1.example.net. first\\.last.example.org. 1700000000 3550 600 86400 3600"
        );
    }

    #[test]
    fn ns_hostnames_sorted_by_priority() {
        let pool = Pool {
            id: Uuid::new_v4(),
            name: "default".to_owned(),
            description: None,
            tenant_id: None,
            attributes: vec![],
            ns_records: vec![
                PoolNsRecord {
                    priority: 2,
                    hostname: "ns2.example.net.".to_owned(),
                },
                PoolNsRecord {
                    priority: 1,
                    hostname: "ns1.example.net.".to_owned(),
                },
            ],
            nameservers: vec![],
            targets: vec![],
            also_notifies: vec![],
        };
        assert_eq!(
            ns_hostnames(&pool),
            ["ns1.example.net.", "ns2.example.net."]
        );
    }

    #[test]
    fn refresh_within_bounds() {
        let config = CentralConfig::default();
        for _ in 0..100 {
            let r = random_refresh(&config);
            assert!((3500..3600).contains(&r));
        }
        let fixed = CentralConfig {
            default_soa_refresh_max: 10,
            default_soa_refresh_min: 10,
            ..CentralConfig::default()
        };
        assert_eq!(random_refresh(&fixed), 10);
    }

    #[test]
    fn records_hash_their_data() {
        let z = zone();
        let spec = NewRecordSet {
            name: "www.example.org.".into(),
            rtype: "A".into(),
            records: vec!["192.0.2.1".into()],
            ..NewRecordSet::default()
        };
        let rs = new_recordset(&z, spec, 7, false);
        assert_eq!(rs.records.len(), 1);
        let r = &rs.records[0];
        assert_eq!(r.hash, record_hash(&rs.id, "192.0.2.1"));
        assert_eq!(
            (r.status, r.action, r.serial),
            (RecordStatus::Pending, Action::Create, 7)
        );
        assert_eq!(r.tenant_id.as_deref(), Some("p1"));
    }
}
