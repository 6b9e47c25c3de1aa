//! Who is calling: `[service:api] auth_strategy` — `noauth` (identity from headers, upstream's
//! `NoAuthContextMiddleware`) or `keystone` (every `X-Auth-Token` validated against Keystone,
//! as keystonemiddleware's `auth_token` does).
//!
//! - [`AuthStrategy`]: the configured strategy (part of [`crate::ApiConfig`]).
//! - `keystone`: the Keystone client — service token, token validation, validation cache.
//! - `memcache`: the memcached client behind the shared cache (`memcached_servers`).
//! - `memcache_crypt`: `memcache_security_strategy` — MAC or encryption of memcached entries.
//! - `tls`: https to Keystone (`cafile`, `insecure`, `certfile`, `keyfile`).
//! - this module: the [`Caller`] identity and the middleware that puts it into every `/v2`
//!   request, answering `401` (with `WWW-Authenticate`) or `503` itself when it cannot.
//!
//! **Invariant:** with `keystone`, a request reaches a `/v2` handler only with a [`Caller`]
//! built from a token Keystone vouched for; when Keystone cannot be asked the answer is `503`,
//! never a request served without an identity. The policy switches (all-projects, sudo, …) are
//! applied later by the context extractor, which needs the policy.

mod keystone;
mod memcache;
mod memcache_crypt;
mod tls;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{HeaderValue, CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

pub use keystone::{KeystoneAuth, KeystoneConfig, DEFAULT_TOKEN_CACHE_TIME};
pub use memcache_crypt::{MemcacheSecurity, MemcacheSecurityError};
pub use tls::{KeystoneTls, TlsConfigError};

/// `[service:api] auth_strategy`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuthStrategy {
    /// Trust the `X-Auth-Project-ID` / `X-Roles` headers (development and tests only).
    #[default]
    NoAuth,
    /// Validate `X-Auth-Token` with Keystone.
    Keystone(Box<KeystoneConfig>),
}

/// The authenticated caller, before the request's policy switches are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Caller {
    /// Project the token is scoped to.
    pub project_id: Option<String>,
    /// User id.
    pub user_id: Option<String>,
    /// Role names (Keystone has already expanded implied roles).
    pub roles: Vec<String>,
    /// Whether the token is system scoped.
    pub system_scope: bool,
    /// The token's service catalog (empty under noauth, as upstream's noauth middleware).
    #[serde(default)]
    pub service_catalog: Vec<designate_core::CatalogEndpoint>,
}

/// Why a request could not be authenticated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// No token, or one Keystone does not accept (unknown, expired, revoked): `401`.
    #[error("the request requires a valid token")]
    Unauthorized,
    /// Keystone could not be asked, or refused our own credentials: `503`.
    #[error("keystone is unavailable: {0}")]
    Unavailable(String),
}

/// The authenticator the middleware uses, built once from [`AuthStrategy`].
#[derive(Clone)]
pub(crate) enum Authenticator {
    /// Headers are trusted.
    NoAuth,
    /// Tokens are validated.
    Keystone(Arc<KeystoneAuth>),
}

impl Authenticator {
    /// Builds the authenticator for `strategy`.
    pub(crate) fn new(strategy: &AuthStrategy) -> Self {
        match strategy {
            AuthStrategy::NoAuth => Self::NoAuth,
            AuthStrategy::Keystone(config) => {
                Self::Keystone(Arc::new(KeystoneAuth::new((**config).clone())))
            }
        }
    }

    async fn authenticate(&self, headers: &HeaderMap) -> Result<Caller, AuthError> {
        match self {
            Self::NoAuth => Ok(noauth_caller(headers)),
            Self::Keystone(keystone) => {
                let token = headers
                    .get("x-auth-token")
                    .and_then(|v| v.to_str().ok())
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .ok_or(AuthError::Unauthorized)?;
                keystone.validate(token).await
            }
        }
    }
}

/// Upstream's noauth identity: project from `X-Auth-Project-ID` (default `noauth-project`), user
/// from `X-Auth-User-ID`, roles from `X-Roles` (default `admin`).
///
/// Keystone puts its default implied roles (admin → member → reader) into every token; noauth
/// has no Keystone, so the same expansion is applied here and both strategies meet the same
/// policy with the same role sets.
pub(crate) fn noauth_caller(headers: &HeaderMap) -> Caller {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    let mut roles: Vec<String> = header("x-roles")
        .unwrap_or("admin")
        .split(',')
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .collect();
    for (role, implied) in [("admin", "member"), ("member", "reader")] {
        let has = |name: &str| roles.iter().any(|r| r.eq_ignore_ascii_case(name));
        if has(role) && !has(implied) {
            roles.push(implied.to_owned());
        }
    }
    Caller {
        project_id: Some(
            header("x-auth-project-id")
                .unwrap_or("noauth-project")
                .to_owned(),
        ),
        user_id: Some(header("x-auth-user-id").unwrap_or("noauth-user").to_owned()),
        roles,
        system_scope: false,
        service_catalog: Vec::new(),
    }
}

/// Paths served without authentication, as upstream's paste pipelines do: version discovery at
/// `/` and the load balancers' `/healthcheck`; and our `/metrics` for scrapers (counts only).
fn is_public(path: &str) -> bool {
    path == "/"
        || path.is_empty()
        || path.trim_end_matches('/') == "/healthcheck"
        || path == crate::metrics::METRICS_PATH
}

/// Authenticates every non-public request and stores its [`Caller`] in the extensions.
pub(crate) async fn middleware(
    State(auth): State<Authenticator>,
    mut request: Request,
    next: Next,
) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    match auth.authenticate(request.headers()).await {
        Ok(caller) => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
        Err(AuthError::Unauthorized) => {
            let uri = match &auth {
                Authenticator::Keystone(k) => k.www_authenticate_uri(),
                Authenticator::NoAuth => String::new(),
            };
            unauthorized(&uri)
        }
        Err(e @ AuthError::Unavailable(_)) => {
            tracing::error!(error = %e, "cannot authenticate request");
            keystone_error(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable",
                "The server is currently unavailable. Please try again at a later time.",
            )
        }
    }
}

/// keystonemiddleware's `401`: its JSON body and `WWW-Authenticate: Keystone uri="…"`.
fn unauthorized(uri: &str) -> Response {
    let mut response = keystone_error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "The request you have made requires authentication.",
    );
    if let Ok(value) = HeaderValue::from_str(&format!("Keystone uri=\"{uri}\"")) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}

/// keystonemiddleware's error body (`{"error": {"code", "title", "message"}}`), which upstream's
/// fault wrapper passes through untouched because the middleware answers before the app.
fn keystone_error(status: StatusCode, title: &str, message: &str) -> Response {
    let body = serde_json::json!({
        "error": { "code": status.as_u16(), "title": title, "message": message }
    });
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noauth_defaults_and_headers() {
        let c = noauth_caller(&HeaderMap::new());
        assert_eq!(c.project_id.as_deref(), Some("noauth-project"));
        assert_eq!(c.roles, vec!["admin", "member", "reader"]);
        let mut h = HeaderMap::new();
        h.insert("x-auth-project-id", HeaderValue::from_static("p1"));
        h.insert("x-roles", HeaderValue::from_static("member, reader,"));
        let c = noauth_caller(&h);
        assert_eq!(c.project_id.as_deref(), Some("p1"));
        assert_eq!(c.roles, vec!["member", "reader"]);
    }

    #[test]
    fn public_paths() {
        assert!(is_public("/") && is_public("/healthcheck") && is_public("/healthcheck/"));
        assert!(!is_public("/v2") && !is_public("/v2/zones") && !is_public("/healthcheckx"));
    }

    #[test]
    fn unauthorized_carries_www_authenticate() {
        let r = unauthorized("http://keystone:5000");
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            r.headers()[WWW_AUTHENTICATE],
            "Keystone uri=\"http://keystone:5000\""
        );
    }
}
