//! Domain objects, one per upstream table family. Field names follow upstream's columns.

mod blacklist;
#[macro_use]
mod enums;
mod pool;
mod quota;
mod record;
mod recordset;
mod service_status;
mod tld;
mod zone;
// --- zone tasks (imports / exports) and secondary-zone masters ---
mod zone_master;
mod zone_task;
// --- cross-project and key resources (tsigkeys, transfers, shares) ---
mod shared_zone;
mod tsigkey;
mod zone_transfer;
// --- floating-IP PTRs ---
mod floating_ip;

pub use blacklist::{compile_pattern, Blacklist, BlacklistUpdate, NewBlacklist};
pub use enums::{Action, RecordStatus, ZoneStatus, ZoneType};
pub use pool::{
    Pool, PoolAttribute, PoolNameserver, PoolNsRecord, PoolTarget, PoolTargetMaster,
    DEFAULT_POOL_ID,
};
pub use quota::{over_quota, Quota, Quotas, MAX_QUOTA, MIN_QUOTA, QUOTA_RESOURCES};
pub use record::{record_hash, Record};
pub use recordset::{NewRecordSet, RecordSet, RecordSetUpdate};
pub use service_status::ServiceStatus;
pub use tld::{validate_tld_name, NewTld, Tld, TldUpdate};
pub use zone::{reverse_name, NewZone, Zone, ZoneUpdate};
pub use zone_master::{ZoneMaster, DEFAULT_MASTER_PORT, ZONE_MASTER_HOST_MAX};
pub use zone_task::{task_message, TaskStatus, TaskType, ZoneTaskRow, MAX_TASK_MESSAGE_LEN};
// --- cross-project and key resources ---
pub use floating_ip::{
    parse_fip_key, reverse_record_name, reverse_zone_name, FloatingIp, FloatingIpUpdate,
    NetworkFloatingIp, FLOATING_IP_RESOURCE_TYPE,
};
pub use shared_zone::{SharedZone, SHARE_PROJECT_MAX};
pub use tsigkey::{
    NewTsigKey, TsigAlgorithm, TsigKey, TsigKeyUpdate, TsigScope, TSIGKEY_FIELD_MAX,
};
pub use zone_transfer::{
    NewZoneTransferAccept, NewZoneTransferRequest, TransferStatus, ZoneTransferAccept,
    ZoneTransferRequest, ZoneTransferRequestUpdate, TRANSFER_FIELD_MAX, TRANSFER_KEY_LEN,
};

/// Timestamps are naive UTC, as upstream stores them.
pub type Timestamp = chrono::NaiveDateTime;

/// Upstream's shard of an object: the first three hex digits of its (zone) id, 0..=4095.
pub fn shard_of(id: &uuid::Uuid) -> i16 {
    let hex = id.simple().to_string();
    i16::from_str_radix(&hex[..3], 16).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn shard_is_first_three_hex_digits() {
        let id = uuid::Uuid::parse_str("fff0c2c2-d751-44fe-b57f-8894c9f5c842").unwrap();
        assert_eq!(super::shard_of(&id), 0xfff);
        let id = uuid::Uuid::parse_str("0010c2c2-d751-44fe-b57f-8894c9f5c842").unwrap();
        assert_eq!(super::shard_of(&id), 1);
    }
}
