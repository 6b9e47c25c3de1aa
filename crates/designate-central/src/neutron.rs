//! The network API (upstream's `designate/network_api/neutron.py`): the floating IPs of the
//! caller's project, listed from Neutron with the caller's own token.
//!
//! Endpoints come from `[network_api:neutron] endpoints` (`<region>|<url>`) when set, else from
//! the token's service catalog (service type `network`, interface `endpoint_type`). Each endpoint
//! is asked `GET /v2.0/floatingips?project_id=…` (Neutron's documented API), following
//! `floatingips_links` `next` pages. As upstream: an endpoint answering an HTTP error status
//! contributes nothing (logged); one that cannot be reached fails the whole listing with
//! `neutron_communication_failure`.
//!
//! https is spoken with upstream's TLS options (`insecure`, `ca_certificates_file`,
//! `client_certificate_file`), loaded into [`NeutronConfig::tls`] when the configuration is read;
//! a certificate Neutron's side or ours refuses is a connection that cannot be made, so it too is
//! `neutron_communication_failure` (upstream: the `SSLError` raised by `requests`).

use std::net::Ipv4Addr;
use std::time::Duration;

use designate_core::objects::NetworkFloatingIp;
use designate_core::{DesignateError, ErrorKind, RequestContext, Result};
use designate_tls::{error_chain, ClientTls};
use serde::Deserialize;
use uuid::Uuid;

/// Upstream's `[network_api:neutron] timeout` default.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Bound on the `next` pages followed per endpoint, so a Neutron looping its links cannot keep
/// a request forever.
const MAX_PAGES: usize = 1000;

/// `[network_api:neutron]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeutronConfig {
    /// `endpoints`: `(region, url)` pairs; when empty the service catalog is used.
    pub endpoints: Vec<(String, String)>,
    /// `endpoint_type`: the catalog interface (`publicURL`, `internalURL`, `adminURL`).
    pub endpoint_type: String,
    /// `timeout`: bound on each request to Neutron.
    pub timeout: Duration,
    /// `insecure`, `ca_certificates_file`, `client_certificate_file`, files already read.
    pub tls: ClientTls,
}

impl Default for NeutronConfig {
    fn default() -> Self {
        Self {
            endpoints: Vec::new(),
            endpoint_type: "publicURL".to_owned(),
            timeout: DEFAULT_TIMEOUT,
            tls: ClientTls::default(),
        }
    }
}

/// A Neutron client.
#[derive(Debug, Clone)]
pub(crate) struct Neutron {
    /// The client, or why it could not be built (every listing then fails with it).
    http: std::result::Result<reqwest::Client, String>,
    config: NeutronConfig,
}

#[derive(Debug, Deserialize)]
struct FloatingIpsPage {
    floatingips: Vec<FloatingIpRow>,
    #[serde(default)]
    floatingips_links: Vec<Link>,
}

#[derive(Debug, Deserialize)]
struct FloatingIpRow {
    id: Uuid,
    floating_ip_address: String,
}

#[derive(Debug, Deserialize)]
struct Link {
    rel: String,
    href: String,
}

fn communication_failure(e: impl std::fmt::Display) -> DesignateError {
    DesignateError::new(ErrorKind::NeutronCommunicationFailure, e.to_string())
}

/// The `/v2.0/floatingips` URL under a Neutron endpoint (which may or may not name the version).
fn floatingips_url(endpoint: &str) -> String {
    let base = endpoint.trim_end_matches('/');
    if base.ends_with("/v2.0") {
        format!("{base}/floatingips")
    } else {
        format!("{base}/v2.0/floatingips")
    }
}

impl Neutron {
    pub(crate) fn new(config: NeutronConfig) -> Self {
        let http = config
            .tls
            .client(config.timeout, "network_api:neutron", "neutron");
        Self { http, config }
    }

    /// Upstream's `_endpoints`: `(url, region)` pairs to ask, restricted to `region` if given.
    fn endpoints(
        &self,
        ctx: &RequestContext,
        region: Option<&str>,
    ) -> Result<Vec<(String, String)>> {
        let wanted = |r: &str| region.is_none_or(|want| want == r);
        if !self.config.endpoints.is_empty() {
            let found: Vec<(String, String)> = self
                .config
                .endpoints
                .iter()
                .filter(|(r, _)| wanted(r))
                .map(|(r, url)| (url.clone(), r.clone()))
                .collect();
            if found.is_empty() {
                return Err(DesignateError::new(
                    ErrorKind::ConfigurationError,
                    "Endpoints are not correctly configured",
                ));
            }
            return Ok(found);
        }
        if ctx.service_catalog.is_empty() {
            return Err(DesignateError::new(
                ErrorKind::ConfigurationError,
                "No service_catalog and no configured endpoints",
            ));
        }
        let found: Vec<(String, String)> = ctx
            .service_catalog
            .iter()
            .filter(|e| e.service_type == "network" && e.endpoint_type == self.config.endpoint_type)
            .filter(|e| wanted(&e.region))
            .map(|e| (e.url.clone(), e.region.clone()))
            .collect();
        if found.is_empty() {
            return Err(DesignateError::new(
                ErrorKind::NetworkEndpointNotFound,
                "No endpoint found for the network service",
            ));
        }
        Ok(found)
    }

    /// The caller's floating IPs in every region (or only `region`), in Neutron's order.
    /// Addresses that are not IPv4 are left out (upstream's object holds IPv4 only).
    pub(crate) async fn list_floatingips(
        &self,
        ctx: &RequestContext,
        region: Option<&str>,
    ) -> Result<Vec<NetworkFloatingIp>> {
        let mut out = Vec::new();
        for (endpoint, region) in self.endpoints(ctx, region)? {
            tracing::debug!(%region, %endpoint, "fetching floating ips");
            out.extend(self.endpoint_floatingips(ctx, &endpoint, &region).await?);
        }
        Ok(out)
    }

    async fn endpoint_floatingips(
        &self,
        ctx: &RequestContext,
        endpoint: &str,
        region: &str,
    ) -> Result<Vec<NetworkFloatingIp>> {
        let http = self
            .http
            .as_ref()
            .map_err(|e| DesignateError::new(ErrorKind::ConfigurationError, e.clone()))?;
        let mut out = Vec::new();
        let mut url = floatingips_url(endpoint);
        let mut first = true;
        for _ in 0..MAX_PAGES {
            let mut request = http.get(&url);
            if first {
                if let Some(project) = &ctx.project_id {
                    request = request.query(&[("project_id", project)]);
                }
            }
            if let Some(token) = &ctx.auth_token {
                request = request.header("X-Auth-Token", &token.0);
            }
            let response = request.send().await.map_err(|e| {
                // With its causes: reqwest's "error sending request" alone would hide an unknown
                // CA or a refused client certificate.
                let error = error_chain(&e);
                tracing::error!(%region, %endpoint, %error, "failed fetching floating ips");
                communication_failure(error)
            })?;
            let status = response.status();
            if !status.is_success() {
                tracing::warn!(%region, %endpoint, %status, "failed fetching floating ips");
                return Ok(out);
            }
            let page: FloatingIpsPage = response.json().await.map_err(|e| {
                tracing::error!(%region, %endpoint, error = %e, "bad floating ip listing");
                communication_failure(e)
            })?;
            for row in page.floatingips {
                match row.floating_ip_address.parse::<Ipv4Addr>() {
                    Ok(address) => out.push(NetworkFloatingIp {
                        id: row.id,
                        address,
                        region: region.to_owned(),
                    }),
                    Err(_) => tracing::debug!(
                        id = %row.id,
                        address = %row.floating_ip_address,
                        "floating ip is not IPv4; no PTR possible"
                    ),
                }
            }
            match page.floatingips_links.into_iter().find(|l| l.rel == "next") {
                Some(next) => {
                    url = next.href;
                    first = false;
                }
                None => return Ok(out),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use designate_core::CatalogEndpoint;

    #[test]
    fn urls_name_the_version_once() {
        assert_eq!(
            floatingips_url("http://n:9696/"),
            "http://n:9696/v2.0/floatingips"
        );
        assert_eq!(
            floatingips_url("http://n:9696/v2.0"),
            "http://n:9696/v2.0/floatingips"
        );
    }

    #[test]
    fn endpoints_from_config_then_catalog() {
        let ctx = RequestContext::default();
        let neutron = Neutron::new(NeutronConfig::default());
        let e = neutron.endpoints(&ctx, None).unwrap_err();
        assert_eq!(e.kind, ErrorKind::ConfigurationError);
        assert_eq!(e.message, "No service_catalog and no configured endpoints");

        let entry = |region: &str, endpoint_type: &str, url: &str| CatalogEndpoint {
            service_type: "network".into(),
            region: region.into(),
            endpoint_type: endpoint_type.into(),
            url: url.into(),
        };
        let ctx = RequestContext {
            service_catalog: vec![
                entry("r1", "publicURL", "http://pub1"),
                entry("r1", "internalURL", "http://int1"),
                entry("r2", "publicURL", "http://pub2"),
                CatalogEndpoint {
                    service_type: "compute".into(),
                    ..entry("r1", "publicURL", "http://nova")
                },
            ],
            ..RequestContext::default()
        };
        assert_eq!(
            neutron.endpoints(&ctx, None).unwrap(),
            [
                ("http://pub1".to_owned(), "r1".to_owned()),
                ("http://pub2".to_owned(), "r2".to_owned())
            ]
        );
        assert_eq!(neutron.endpoints(&ctx, Some("r2")).unwrap().len(), 1);
        let e = neutron.endpoints(&ctx, Some("r3")).unwrap_err();
        assert_eq!((e.kind.code(), e.kind.error_type()), (403, "no_endpoint"));

        let configured = Neutron::new(NeutronConfig {
            endpoints: vec![("r9".into(), "http://conf".into())],
            ..NeutronConfig::default()
        });
        assert_eq!(
            configured.endpoints(&ctx, None).unwrap(),
            [("http://conf".to_owned(), "r9".to_owned())]
        );
        let e = configured.endpoints(&ctx, Some("r1")).unwrap_err();
        assert_eq!(e.message, "Endpoints are not correctly configured");
    }
}
