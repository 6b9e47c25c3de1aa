//! The Designate API: upstream's OpenStack DNS API v2 over HTTP, as an axum app.
//!
//! Map of the crate:
//! - [`auth`]: `auth_strategy` — noauth headers or Keystone token validation — and the
//!   middleware that answers `401` / `503` before any handler runs.
//! - [`context`]: request ids, the caller's [`designate_core::RequestContext`] (identity plus
//!   the policy-checked all-projects / sudo / edit-managed / hard-delete switches), and
//!   error-envelope rendering.
//! - [`error`]: [`ApiError`], the one error type, rendered as upstream's fault envelope.
//! - `body`: the JSON body extractor and upstream's field coercions.
//! - [`policy`]: the oslo.policy engine with upstream's default rules and operator overrides.
//! - `query`: the one pagination / filter helper and list `links`.
//! - `render`: timestamps and the base URL used in `links`.
//! - `versions`: `GET /`, `GET /v2` (version discovery).
//! - `health`: `GET /healthcheck` — bus and database reachability, for load balancers.
//! - [`metrics`]: `GET /metrics` — request counts and latencies by route and status
//!   (Prometheus text format), plus whatever else the process registers.
//! - `v2`: one module per resource (zones, recordsets).
//!
//! **Invariant:** the API never touches storage; every operation goes through
//! [`designate_bus::CentralApi`], so the API can run in its own process.
#![warn(missing_docs)]

pub mod auth;
pub mod context;
pub mod error;
pub mod metrics;
pub mod policy;

mod body;
mod health;
mod query;
mod render;
mod v2;
mod versions;

/// Entry points of the fuzz targets in `fuzz/` (not an API).
#[doc(hidden)]
pub mod fuzzing {
    /// Feeds `bytes` as the body of every create / update body parser of `/v2`.
    pub fn api_bodies(bytes: &[u8]) {
        crate::v2::fuzzing::bodies(bytes);
    }
}

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::Request;
use axum::http::Uri;
use axum::Router;
use designate_bus::CentralApi;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tower::ServiceExt;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

pub use auth::{AuthStrategy, KeystoneConfig, KeystoneTls, MemcacheSecurity};
pub use error::ApiError;
pub use policy::{Policy, PolicyError};

/// Upstream's `[service:api] listen` default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:9001";
/// Upstream's `[service:api] default_limit_v2`.
pub const DEFAULT_LIMIT: u32 = 20;
/// Upstream's `[service:api] max_limit_v2`.
pub const MAX_LIMIT: u32 = 1000;
/// The disable file upstream's `api-paste.ini` gives its healthcheck.
pub const DEFAULT_HEALTHCHECK_DISABLE_FILE: &str = "/etc/designate/healthcheck_disable";
/// Upstream's oslo `max_request_body_size` default (112 KiB).
pub const MAX_BODY_BYTES: usize = 114_688;

/// Settings of the API role (upstream's `[service:api]` section, the parts we support).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiConfig {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Base of the URLs in `links` (upstream's `api_base_uri`); `None` uses the request's `Host`
    /// (upstream's `enable_host_header = True`, its default).
    pub api_base_uri: Option<String>,
    /// Largest accepted request body, in bytes; larger bodies get `413`.
    pub max_body_bytes: usize,
    /// Page size when the request gives no `limit`.
    pub default_limit: u32,
    /// Largest accepted `limit` (and what `limit=max` means).
    pub max_limit: u32,
    /// `[service:api] auth_strategy` and, for Keystone, `[keystone_authtoken]`.
    pub auth: AuthStrategy,
    /// The effective policy (upstream's defaults plus `[oslo_policy] policy_file`).
    pub policy: Arc<Policy>,
    /// oslo's `disable_by_file` healthcheck backend (`[healthcheck] disable_by_file_path`): while
    /// this file exists `/healthcheck` answers `503 DISABLED BY FILE`, so an operator can drain
    /// this API from its load balancer. `None` turns the backend off.
    pub healthcheck_disable_file: Option<std::path::PathBuf>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 9001)),
            api_base_uri: None,
            max_body_bytes: MAX_BODY_BYTES,
            default_limit: DEFAULT_LIMIT,
            max_limit: MAX_LIMIT,
            auth: AuthStrategy::NoAuth,
            policy: Arc::new(Policy::defaults()),
            healthcheck_disable_file: Some(DEFAULT_HEALTHCHECK_DISABLE_FILE.into()),
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The business layer.
    pub(crate) central: Arc<dyn CentralApi>,
    /// Settings.
    pub(crate) config: Arc<ApiConfig>,
    /// The effective policy.
    pub(crate) policy: Arc<Policy>,
}

/// The whole HTTP app: routes, request ids, error envelopes, panic catching, trailing-slash
/// normalisation; `/metrics` shows this router's own request counters.
pub fn router(central: Arc<dyn CentralApi>, config: ApiConfig) -> Router {
    router_with_metrics(central, config, &prometheus::Registry::new())
}

/// [`router`], counting requests into `registry` and serving all of `registry` at `/metrics`
/// (so a process shows every role's metrics on its API listener).
pub fn router_with_metrics(
    central: Arc<dyn CentralApi>,
    config: ApiConfig,
    registry: &prometheus::Registry,
) -> Router {
    let request_metrics = metrics::ApiMetrics::register(registry);
    let authenticator = auth::Authenticator::new(&config.auth);
    let state = AppState {
        central,
        policy: config.policy.clone(),
        config: Arc::new(config),
    };
    let routes = versions::routes()
        .merge(v2::routes())
        .route_layer(axum::middleware::from_fn(metrics::label_route))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state);
    // Upstream's NormalizeURIMiddleware strips trailing slashes before routing; a layer on the
    // router would run after routing, so the rewrite wraps the routed service instead.
    let normalised = routes.map_request(strip_trailing_slash);
    Router::new()
        .route(
            metrics::METRICS_PATH,
            axum::routing::get(metrics::scrape).with_state(registry.clone()),
        )
        .fallback_service(normalised)
        .layer(axum::middleware::from_fn_with_state(
            authenticator,
            auth::middleware,
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn(context::request_middleware))
        .layer(axum::middleware::from_fn_with_state(
            request_metrics,
            metrics::record,
        ))
        .layer(TraceLayer::new_for_http())
}

fn strip_trailing_slash(mut request: Request) -> Request {
    let path = request.uri().path();
    if path.len() > 1 && path.ends_with('/') {
        let trimmed = path.trim_end_matches('/');
        let trimmed = if trimmed.is_empty() { "/" } else { trimmed };
        let rebuilt = match request.uri().query() {
            Some(q) => format!("{trimmed}?{q}"),
            None => trimmed.to_owned(),
        };
        if let Ok(uri) = rebuilt.parse::<Uri>() {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// Binds the configured address (port 0 picks a free port; read it from `local_addr`).
///
/// # Errors
/// When the address cannot be bound.
pub async fn bind(config: &ApiConfig) -> std::io::Result<TcpListener> {
    TcpListener::bind(config.listen).await
}

/// Serves `app` on `listener` until `shutdown` is cancelled, then finishes in-flight requests.
///
/// # Errors
/// When the accept loop fails.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "api listening");
    }
    axum::serve(listener, app)
        .with_graceful_shutdown(async move { shutdown.cancelled().await })
        .await
}

/// The API role: bind `config.listen`, serve until `shutdown`.
///
/// # Errors
/// When the address cannot be bound or serving fails.
pub async fn run(
    config: ApiConfig,
    central: Arc<dyn CentralApi>,
    shutdown: CancellationToken,
) -> std::io::Result<()> {
    let listener = bind(&config).await?;
    serve(listener, router(central, config), shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_slashes_are_stripped_but_root_kept() {
        let r = |p: &str| {
            strip_trailing_slash(
                Request::builder()
                    .uri(p)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .uri()
            .to_string()
        };
        assert_eq!(r("/v2/zones/"), "/v2/zones");
        assert_eq!(r("/v2/zones//?limit=1"), "/v2/zones?limit=1");
        assert_eq!(r("/"), "/");
        assert_eq!(r("//"), "/");
    }

    #[test]
    fn defaults_match_upstream() {
        let c = ApiConfig::default();
        assert_eq!(c.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!((c.default_limit, c.max_limit), (20, 1000));
    }
}
