//! Who is asking: upstream's `DesignateContext`, reduced to what the rules need.

use serde::{Deserialize, Serialize};

/// The caller of an operation, built by the API from auth headers and passed through the bus.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestContext {
    /// Request id (`req-<uuid>`), echoed in errors and logs.
    pub request_id: String,
    /// Project (tenant) the caller acts for.
    pub project_id: Option<String>,
    /// User id, if known.
    pub user_id: Option<String>,
    /// Roles of the caller (`admin`, `member`, `reader`, …).
    pub roles: Vec<String>,
    /// Whether the token is system scoped.
    pub system_scope: bool,
    /// `X-Auth-All-Projects`: operate across all projects (admin only).
    pub all_projects: bool,
    /// `X-Designate-Edit-Managed-Records`.
    pub edit_managed_records: bool,
    /// `X-Designate-Hard-Delete`.
    pub hard_delete: bool,
    /// `X-Designate-Delete-Shares`: deleting a shared zone removes its shares too.
    #[serde(default)]
    pub delete_shares: bool,
    // --- floating-IP PTRs: what central needs to ask Neutron on the caller's behalf ---
    /// The caller's Keystone token (`X-Auth-Token`), which central forwards to Neutron as
    /// upstream's network API does. Redacted in `Debug`.
    #[serde(default)]
    pub auth_token: Option<AuthToken>,
    /// The token's service catalog (keystonemiddleware's `X-Service-Catalog`), where central
    /// finds Neutron when `[network_api:neutron] endpoints` is unset.
    #[serde(default)]
    pub service_catalog: Vec<CatalogEndpoint>,
}

/// A Keystone token. `Debug` never shows it, so contexts can be logged.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AuthToken(pub String);

impl std::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuthToken(<redacted>)")
    }
}

/// One endpoint of a service catalog, flattened: keystonemiddleware's v2 form
/// `{"type", "endpoints": [{"region", "publicURL", …}]}` has one of these per (service, region,
/// interface).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogEndpoint {
    /// Service type, e.g. `network`.
    pub service_type: String,
    /// Region of the endpoint.
    pub region: String,
    /// Interface in upstream's v2 spelling: `publicURL`, `internalURL` or `adminURL`
    /// (what `[network_api:neutron] endpoint_type` names).
    pub endpoint_type: String,
    /// The URL.
    pub url: String,
}

impl RequestContext {
    /// A context for internal work done by the service itself (worker, producer): admin, all projects.
    pub fn admin() -> Self {
        Self {
            request_id: "req-internal".to_owned(),
            roles: vec!["admin".to_owned()],
            all_projects: true,
            edit_managed_records: true,
            ..Self::default()
        }
    }

    /// Whether the caller has the admin role.
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }

    /// The project whose objects the caller sees, or `None` when it sees every project.
    pub fn project_filter(&self) -> Option<&str> {
        if self.all_projects && self.is_admin() {
            None
        } else {
            Some(self.project_id.as_deref().unwrap_or(""))
        }
    }
}
