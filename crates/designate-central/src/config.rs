//! Central's configuration: upstream's `[service:central]` options plus the `[DEFAULT]` zone
//! defaults (TTL and SOA timers) that central applies when it creates a zone.
//!
//! Names and defaults follow upstream's `designate/conf/central.py` and `designate/conf/base.py`.
//! Loading them from `designate.conf` is the binary's job; this module only owns the typed shape.

use designate_core::objects::DEFAULT_POOL_ID;
use uuid::Uuid;

/// What central needs to know to apply its rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CentralConfig {
    /// `[service:central] default_pool_id`: the pool new zones are scheduled to.
    pub default_pool_id: Uuid,
    /// `[service:central] min_ttl`: the lowest TTL a non-admin may set; `None` disables the
    /// check (upstream's default of 0 is equivalent, since TTLs are never negative).
    pub min_ttl: Option<i32>,
    /// `[service:central] max_zone_name_len`.
    pub max_zone_name_len: usize,
    /// `[service:central] max_recordset_name_len`.
    pub max_recordset_name_len: usize,
    /// `[service:central] managed_resource_email`: SOA e-mail of zones central creates itself.
    pub managed_resource_email: String,
    /// `[service:central] managed_resource_tenant_id`: project owning managed resources.
    pub managed_resource_tenant_id: String,
    /// `[DEFAULT] default_ttl`: the TTL of a zone created without one.
    pub default_ttl: i32,
    /// `[DEFAULT] default_soa_refresh_min`: lower bound of the randomised SOA refresh.
    pub default_soa_refresh_min: i32,
    /// `[DEFAULT] default_soa_refresh_max`: upper bound of the randomised SOA refresh.
    pub default_soa_refresh_max: i32,
    /// `[DEFAULT] default_soa_retry`.
    pub default_soa_retry: i32,
    /// `[DEFAULT] default_soa_expire`.
    pub default_soa_expire: i32,
    /// `[DEFAULT] default_soa_minimum`.
    pub default_soa_minimum: i32,
    /// `[DEFAULT] quota_*`: the limits of a project without quota rows of its own.
    pub quotas: designate_core::objects::Quotas,
    // --- zone placement ---
    /// `[service:central] scheduler_filters`, in order (see [`crate::scheduler`] for why our
    /// default differs from upstream's).
    pub scheduler_filters: Vec<crate::scheduler::SchedulerFilter>,
    // --- floating-IP PTRs ---
    /// `[network_api:neutron]`: where floating IPs are listed.
    pub neutron: crate::NeutronConfig,
}

/// Upstream's default pool id, parsed once. The constant is a literal UUID, so parsing cannot fail;
/// the nil fallback only exists to avoid a panic path.
fn default_pool_id() -> Uuid {
    Uuid::parse_str(DEFAULT_POOL_ID).unwrap_or_default()
}

impl Default for CentralConfig {
    fn default() -> Self {
        Self {
            default_pool_id: default_pool_id(),
            min_ttl: None,
            max_zone_name_len: 255,
            max_recordset_name_len: 255,
            managed_resource_email: "hostmaster@example.com".to_owned(),
            managed_resource_tenant_id: "00000000-0000-0000-0000-000000000000".to_owned(),
            default_ttl: 3600,
            default_soa_refresh_min: 3500,
            default_soa_refresh_max: 3600,
            default_soa_retry: 600,
            default_soa_expire: 86400,
            default_soa_minimum: 3600,
            quotas: crate::quotas::default_quotas(),
            scheduler_filters: crate::scheduler::DEFAULT_FILTERS.to_vec(),
            neutron: crate::NeutronConfig::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_upstreams() {
        let c = CentralConfig::default();
        assert_eq!(
            c.default_pool_id.to_string(),
            "794ccc2c-d751-44fe-b57f-8894c9f5c842"
        );
        assert_eq!(c.default_ttl, 3600);
        assert_eq!(
            (c.default_soa_refresh_min, c.default_soa_refresh_max),
            (3500, 3600)
        );
        assert_eq!(c.default_soa_retry, 600);
        assert_eq!(c.default_soa_expire, 86400);
        assert_eq!(c.default_soa_minimum, 3600);
        assert_eq!(c.max_zone_name_len, 255);
        assert_eq!(c.max_recordset_name_len, 255);
    }
}
