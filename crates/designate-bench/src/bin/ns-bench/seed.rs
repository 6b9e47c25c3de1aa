//! The zone set: N small zones written into a designate store (as central writes them) and as
//! zone files for BIND9 and NSD, with the same records.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Result;
use designate_core::objects::{
    record_hash, shard_of, Action, Pool, PoolAttribute, PoolNameserver, PoolNsRecord, PoolTarget,
    PoolTargetMaster, Record, RecordSet, RecordStatus, Zone, ZoneStatus, ZoneType,
};
use designate_storage::{SqlStorage, Storage};
use uuid::Uuid;

/// Serial of every zone.
const SERIAL: u32 = 1;

/// The name of zone `i`.
pub(crate) fn zone_name(i: u32) -> String {
    format!("z{i}.bench.")
}

/// The address of `www` (and, +1, of `mail`) in zone `i`.
fn address(i: u32, host: u32) -> String {
    let n = i * 2 + host;
    format!("10.{}.{}.{}", (n >> 16) & 255, (n >> 8) & 255, n & 255)
}

/// The records of zone `i`: (owner relative to the zone, type, data).
fn records(i: u32) -> [(&'static str, &'static str, String); 5] {
    let zone = zone_name(i);
    [
        (
            "",
            "SOA",
            format!("ns1.bench. hostmaster.bench. {SERIAL} 3600 600 86400 3600"),
        ),
        ("", "NS", "ns1.bench.".to_owned()),
        ("", "MX", format!("10 mail.{zone}")),
        ("www.", "A", address(i, 0)),
        ("mail.", "A", address(i, 1)),
    ]
}

/// Writes `zones` zones into the store, in a pool whose built-in target is `nameserver` and
/// whose master is `mdns`, in one transaction.
pub(crate) async fn store(
    storage: &SqlStorage,
    zones: u32,
    nameserver: std::net::SocketAddr,
    mdns: std::net::SocketAddr,
) -> Result<()> {
    let pool_id = Uuid::from_u128(0xbe9c);
    let mut tx = storage.begin().await?;
    tx.create_pool(&Pool {
        id: pool_id,
        name: "bench".to_owned(),
        description: None,
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: vec![PoolNsRecord {
            priority: 1,
            hostname: "ns1.bench.".to_owned(),
        }],
        nameservers: vec![PoolNameserver {
            id: Uuid::new_v4(),
            host: nameserver.ip().to_string(),
            port: nameserver.port(),
        }],
        targets: vec![PoolTarget {
            id: Uuid::new_v4(),
            target_type: "builtin".to_owned(),
            description: None,
            masters: vec![PoolTargetMaster {
                host: mdns.ip().to_string(),
                port: mdns.port(),
            }],
            options: vec![
                PoolAttribute {
                    key: "host".to_owned(),
                    value: nameserver.ip().to_string(),
                },
                PoolAttribute {
                    key: "port".to_owned(),
                    value: nameserver.port().to_string(),
                },
            ],
        }],
        also_notifies: Vec::new(),
    })
    .await?;
    let mut batch = Vec::with_capacity(500);
    for i in 0..zones {
        let zone = zone_row(i, pool_id);
        tx.create_zone(&zone).await?;
        for (owner, rtype, data) in records(i) {
            batch.push(recordset(
                &zone,
                &format!("{owner}{}", zone.name),
                rtype,
                data,
            ));
        }
        if batch.len() >= 500 || i + 1 == zones {
            tx.create_recordsets(&batch).await?;
            batch.clear();
        }
    }
    tx.commit().await?;
    Ok(())
}

/// Writes one zone file per zone into `dir` (`<zone>zone`), returning the zones' (name, file).
pub(crate) fn zone_files(dir: &Path, zones: u32) -> Result<Vec<(String, String)>> {
    std::fs::create_dir_all(dir)?;
    let mut out = Vec::with_capacity(zones as usize);
    for i in 0..zones {
        let name = zone_name(i);
        let mut text = format!("$ORIGIN {name}\n$TTL 3600\n");
        for (owner, rtype, data) in records(i) {
            let owner = if owner.is_empty() {
                "@"
            } else {
                owner.trim_end_matches('.')
            };
            writeln!(text, "{owner} IN {rtype} {data}")?;
        }
        let file = dir.join(format!("{name}zone"));
        std::fs::write(&file, text)?;
        out.push((name, file.display().to_string()));
    }
    Ok(out)
}

fn zone_row(i: u32, pool_id: Uuid) -> Zone {
    let id = Uuid::new_v4();
    let name = zone_name(i);
    Zone {
        id,
        version: 1,
        created_at: chrono::Utc::now().naive_utc(),
        updated_at: None,
        deleted: "0".to_owned(),
        deleted_at: None,
        shard: shard_of(&id),
        tenant_id: Some("bench".to_owned()),
        reverse_name: name.chars().rev().collect(),
        name,
        email: "hostmaster@bench".to_owned(),
        description: None,
        zone_type: ZoneType::Primary,
        transferred_at: None,
        ttl: 3600,
        serial: SERIAL,
        refresh: 3600,
        retry: 600,
        expire: 86400,
        minimum: 3600,
        status: ZoneStatus::Active,
        parent_zone_id: None,
        action: Action::None,
        pool_id: Some(pool_id),
        delayed_notify: false,
        increment_serial: false,
        attributes: Default::default(),
        masters: Vec::new(),
    }
}

fn recordset(zone: &Zone, name: &str, rtype: &str, data: String) -> RecordSet {
    let id = Uuid::new_v4();
    let record = Record {
        id: Uuid::new_v4(),
        version: 1,
        created_at: zone.created_at,
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        recordset_id: id,
        hash: record_hash(&id, &data),
        data,
        description: None,
        managed: rtype == "SOA" || rtype == "NS",
        managed_extra: None,
        managed_plugin_type: None,
        managed_plugin_name: None,
        managed_resource_type: None,
        managed_resource_region: None,
        managed_resource_id: None,
        managed_tenant_id: None,
        status: RecordStatus::Active,
        action: Action::None,
        serial: zone.serial,
    };
    RecordSet {
        id,
        version: 1,
        created_at: zone.created_at,
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        zone_name: zone.name.clone(),
        name: name.to_owned(),
        rtype: rtype.to_owned(),
        ttl: None,
        description: None,
        reverse_name: name.chars().rev().collect(),
        records: vec![record],
    }
}

/// A dnsperf query file: `lines` queries over the zone set, spread by a fixed pseudo-random
/// sequence — half `www A`, a quarter apex `MX`, a quarter names that do not exist (NXDOMAIN).
pub(crate) fn query_file(path: &Path, zones: u32, lines: u32) -> Result<()> {
    let mut text = String::new();
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    for n in 0..lines {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let i = (x % u64::from(zones)) as u32;
        let zone = zone_name(i);
        match n % 4 {
            0 | 1 => writeln!(text, "www.{zone} A")?,
            2 => writeln!(text, "{zone} MX")?,
            _ => writeln!(text, "nx{n}.{zone} A")?,
        }
    }
    std::fs::write(path, text)?;
    Ok(())
}
