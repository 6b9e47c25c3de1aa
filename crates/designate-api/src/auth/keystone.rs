//! The Keystone client of the API: our own service token (password authentication, renewed
//! before it expires), validation of callers' tokens with `GET /v3/auth/tokens`, and the
//! in-memory cache of validations.
//!
//! A validation (positive or negative) is cached until the token expires or `token_cache_time`
//! passes, whichever is first — so a revoked token keeps working for at most `token_cache_time`,
//! exactly keystonemiddleware's trade-off. The cache lives in memory and, with
//! `memcached_servers`, also in memcached, shared by every API process. Entries are keyed by
//! the token's SHA-256 (in memcached, with `memcache_security_strategy`, by a key derived from
//! the secret; see `memcache_crypt`), so neither cache holds usable tokens. Errors talking to
//! Keystone are never cached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::memcache::Memcache;
use super::memcache_crypt::{hex, EntryKeys, EntryProtection, MemcacheSecurity};
use super::tls::{error_chain, KeystoneTls};
use super::{AuthError, Caller};

/// keystonemiddleware's `token_cache_time` default (seconds).
pub const DEFAULT_TOKEN_CACHE_TIME: u64 = 300;
/// How long before its expiry the service token is renewed.
const SERVICE_TOKEN_MARGIN: chrono::Duration = chrono::Duration::seconds(120);
/// Bound on one request to Keystone.
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest relative expiry memcached accepts (30 days minus a second).
const MEMCACHED_MAX_RELATIVE_TTL: u64 = 30 * 24 * 3600 - 1;
/// Cache size at which expired entries are swept.
const CACHE_SWEEP_AT: usize = 10_000;

/// `[keystone_authtoken]`, with keystonemiddleware's option names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeystoneConfig {
    /// `www_authenticate_uri`: sent to clients in `WWW-Authenticate`; defaults to `auth_url`.
    pub www_authenticate_uri: Option<String>,
    /// `auth_url`: Keystone's identity endpoint (with or without `/v3`).
    pub auth_url: String,
    /// `username` of the service user.
    pub username: String,
    /// `password` of the service user.
    pub password: String,
    /// `project_name` the service token is scoped to.
    pub project_name: String,
    /// `user_domain_name`.
    pub user_domain_name: String,
    /// `project_domain_name`.
    pub project_domain_name: String,
    /// `memcached_servers`: memcached servers (`host:port`) sharing the validation cache.
    pub memcached_servers: Vec<String>,
    /// `token_cache_time`: longest time a validation is trusted without asking Keystone again.
    pub token_cache_time: Duration,
    /// `memcache_security_strategy` with `memcache_secret_key`.
    pub memcache_security: MemcacheSecurity,
    /// `cafile`, `insecure`, `certfile`, `keyfile`: https to Keystone.
    pub tls: KeystoneTls,
}

impl Default for KeystoneConfig {
    fn default() -> Self {
        Self {
            www_authenticate_uri: None,
            auth_url: "http://127.0.0.1:5000/v3".to_owned(),
            username: "designate".to_owned(),
            password: String::new(),
            project_name: "service".to_owned(),
            user_domain_name: "Default".to_owned(),
            project_domain_name: "Default".to_owned(),
            memcached_servers: Vec::new(),
            token_cache_time: Duration::from_secs(DEFAULT_TOKEN_CACHE_TIME),
            memcache_security: MemcacheSecurity::None,
            tls: KeystoneTls::default(),
        }
    }
}

#[derive(Debug, Clone)]
struct ServiceToken {
    token: String,
    expires_at: DateTime<Utc>,
}

/// Where the first of concurrent validations of one token leaves its outcome for the others,
/// so that a hanging Keystone is waited for once, not once per queued request.
type Gate = Arc<tokio::sync::Mutex<Option<Outcome>>>;

/// A validation outcome that can be handed to waiting requests.
#[derive(Debug, Clone)]
enum Outcome {
    Valid(Caller),
    Invalid,
    Unavailable(String),
}

impl From<&Result<Caller, AuthError>> for Outcome {
    fn from(r: &Result<Caller, AuthError>) -> Self {
        match r {
            Ok(c) => Self::Valid(c.clone()),
            Err(AuthError::Unauthorized) => Self::Invalid,
            Err(AuthError::Unavailable(m)) => Self::Unavailable(m.clone()),
        }
    }
}

impl From<Outcome> for Result<Caller, AuthError> {
    fn from(o: Outcome) -> Self {
        match o {
            Outcome::Valid(c) => Ok(c),
            Outcome::Invalid => Err(AuthError::Unauthorized),
            Outcome::Unavailable(m) => Err(AuthError::Unavailable(m)),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Cached {
    /// `None`: Keystone said the token is not valid.
    caller: Option<Caller>,
    /// When the entry stops being trusted.
    until: DateTime<Utc>,
}

/// Validates tokens against one Keystone.
#[derive(Debug)]
pub struct KeystoneAuth {
    config: KeystoneConfig,
    base: String,
    /// The client, or why none could be built (then every validation is `503`, logged).
    http: Result<reqwest::Client, String>,
    service_token: tokio::sync::Mutex<Option<ServiceToken>>,
    cache: Mutex<HashMap<String, Cached>>,
    memcache: Option<Memcache>,
    protection: EntryProtection,
    /// One lock per token being validated right now: a burst of requests with a new token
    /// costs Keystone one validation, not one per request.
    inflight: Mutex<HashMap<String, Gate>>,
}

/// The parts of Keystone's token document we read.
#[derive(Debug, Deserialize)]
struct TokenBody {
    token: TokenData,
}

#[derive(Debug, Deserialize)]
struct TokenData {
    expires_at: DateTime<Utc>,
    #[serde(default)]
    user: Option<Named>,
    #[serde(default)]
    project: Option<Named>,
    #[serde(default)]
    roles: Vec<Named>,
    #[serde(default)]
    system: Option<serde_json::Value>,
    #[serde(default)]
    catalog: Vec<CatalogService>,
}

/// A service of the token's (v3) catalog.
#[derive(Debug, Deserialize)]
struct CatalogService {
    #[serde(rename = "type")]
    service_type: String,
    #[serde(default)]
    endpoints: Vec<CatalogEntry>,
}

#[derive(Debug, Deserialize)]
struct CatalogEntry {
    interface: String,
    #[serde(default)]
    region_id: Option<String>,
    #[serde(default)]
    region: Option<String>,
    url: String,
}

/// The v3 catalog in keystonemiddleware's v2 shape (`X-Service-Catalog`): interface `public`
/// becomes endpoint type `publicURL`, and so on.
fn catalog_from(services: Vec<CatalogService>) -> Vec<designate_core::CatalogEndpoint> {
    services
        .into_iter()
        .flat_map(|service| {
            let service_type = service.service_type;
            service
                .endpoints
                .into_iter()
                .map(move |e| designate_core::CatalogEndpoint {
                    service_type: service_type.clone(),
                    region: e.region_id.or(e.region).unwrap_or_default(),
                    endpoint_type: format!("{}URL", e.interface),
                    url: e.url,
                })
        })
        .collect()
}

#[derive(Debug, Deserialize)]
struct Named {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

fn unavailable(e: impl std::fmt::Display) -> AuthError {
    AuthError::Unavailable(e.to_string())
}

/// A failed request to Keystone, with its causes: "error sending request" alone would hide an
/// unknown CA or a refused client certificate.
fn keystone_unreachable(e: &reqwest::Error) -> AuthError {
    AuthError::Unavailable(error_chain(e))
}

impl KeystoneAuth {
    /// A client for `config`; nothing is contacted until the first request.
    pub fn new(config: KeystoneConfig) -> Self {
        let trimmed = config.auth_url.trim_end_matches('/');
        let base = trimmed.strip_suffix("/v3").unwrap_or(trimmed).to_owned();
        let http = config.tls.client(HTTP_TIMEOUT);
        Self {
            memcache: Memcache::new(&config.memcached_servers),
            protection: EntryProtection::new(&config.memcache_security),
            config,
            base,
            http,
            service_token: tokio::sync::Mutex::new(None),
            cache: Mutex::new(HashMap::new()),
            inflight: Mutex::new(HashMap::new()),
        }
    }

    /// What clients are told to authenticate against.
    pub fn www_authenticate_uri(&self) -> String {
        self.config
            .www_authenticate_uri
            .clone()
            .unwrap_or_else(|| self.config.auth_url.clone())
    }

    fn client(&self) -> Result<&reqwest::Client, AuthError> {
        self.http.as_ref().map_err(unavailable)
    }

    fn tokens_url(&self) -> String {
        format!("{}/v3/auth/tokens", self.base)
    }

    /// The caller `token` belongs to.
    ///
    /// # Errors
    /// [`AuthError::Unauthorized`] for a token Keystone rejects (unknown, expired, revoked);
    /// [`AuthError::Unavailable`] when Keystone cannot be asked or refuses our own credentials.
    pub async fn validate(&self, token: &str) -> Result<Caller, AuthError> {
        let key = cache_key(token);
        let now = Utc::now();
        if let Some(hit) = self.cached(&key, now) {
            return hit.ok_or(AuthError::Unauthorized);
        }
        let gate = self
            .inflight
            .lock()
            .map(|mut m| m.entry(key.clone()).or_default().clone())
            .unwrap_or_default();
        let mut slot = gate.lock().await;
        if let Some(outcome) = slot.clone() {
            return outcome.into();
        }
        let result = self.validate_uncached(token, &key).await;
        *slot = Some(Outcome::from(&result));
        if let Ok(mut inflight) = self.inflight.lock() {
            inflight.remove(&key);
        }
        result
    }

    /// The slow path, one caller per token at a time: memory again (a previous holder of the
    /// gate may have just filled it), memcached, then Keystone.
    async fn validate_uncached(&self, token: &str, key: &str) -> Result<Caller, AuthError> {
        let key = key.to_owned();
        let now = Utc::now();
        if let Some(hit) = self.cached(&key, now) {
            return hit.ok_or(AuthError::Unauthorized);
        }
        if let Some(entry) = self.shared_get(&key, now).await {
            let caller = entry.caller.clone();
            self.remember(&key, entry, now);
            return caller.ok_or(AuthError::Unauthorized);
        }
        let (caller, expires_at) = match self.ask_keystone(token).await? {
            Some((caller, expires_at)) => (Some(caller), expires_at),
            None => (None, now + chrono::Duration::days(365)),
        };
        let cache_time = chrono::Duration::from_std(self.config.token_cache_time)
            .unwrap_or(chrono::Duration::seconds(DEFAULT_TOKEN_CACHE_TIME as i64));
        let entry = Cached {
            caller: caller.clone(),
            until: std::cmp::min(now + cache_time, expires_at),
        };
        self.shared_set(&key, &entry, now).await;
        self.remember(&key, entry, now);
        caller.ok_or(AuthError::Unauthorized)
    }

    fn remember(&self, key: &str, entry: Cached, now: DateTime<Utc>) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_SWEEP_AT {
                cache.retain(|_, c| c.until > now);
            }
            cache.insert(key.to_owned(), entry);
        }
    }

    /// `Some(result)` for a live cache entry; `None` when Keystone must be asked.
    fn cached(&self, key: &str, now: DateTime<Utc>) -> Option<Option<Caller>> {
        let mut cache = self.cache.lock().ok()?;
        match cache.get(key) {
            Some(entry) if entry.until > now => Some(entry.caller.clone()),
            Some(_) => {
                cache.remove(key);
                None
            }
            None => None,
        }
    }

    /// A live entry from memcached, if configured, reachable and (with a security strategy)
    /// authentic; `key` is the token's digest.
    async fn shared_get(&self, key: &str, now: DateTime<Utc>) -> Option<Cached> {
        let memcache = self.memcache.as_ref()?;
        let keys = self.protection.keys(key);
        match memcache.get(&keys.memcached_key).await {
            Ok(Some(stored)) => match self.protection.open(&keys, &stored) {
                Ok(plain) => serde_json::from_slice::<Cached>(&plain)
                    .ok()
                    .filter(|entry| entry.until > now),
                Err(error) => {
                    tracing::warn!(%error, key = %keys.memcached_key, "ignoring memcached entry; asking keystone");
                    None
                }
            },
            Ok(None) => None,
            Err(error) => {
                tracing::warn!(%error, "memcached unavailable; asking keystone");
                None
            }
        }
    }

    async fn shared_set(&self, key: &str, entry: &Cached, now: DateTime<Utc>) {
        let Some(memcache) = self.memcache.as_ref() else {
            return;
        };
        let ttl = (entry.until - now).num_seconds();
        let (Ok(plain), Ok(ttl)) = (serde_json::to_vec(entry), u64::try_from(ttl)) else {
            return;
        };
        if ttl == 0 {
            return;
        }
        let keys: EntryKeys = self.protection.keys(key);
        let Some(stored) = self.protection.seal(&keys, &plain) else {
            return;
        };
        // memcached reads expiry times beyond 30 days as absolute unix times.
        let ttl = ttl.min(MEMCACHED_MAX_RELATIVE_TTL);
        if let Err(error) = memcache.set(&keys.memcached_key, &stored, ttl).await {
            tracing::warn!(%error, "cannot store token validation in memcached");
        }
    }

    /// One validation round trip; a stale service token is renewed and the call retried once.
    async fn ask_keystone(
        &self,
        token: &str,
    ) -> Result<Option<(Caller, DateTime<Utc>)>, AuthError> {
        for attempt in 0..2 {
            let service = self.service_token(attempt > 0).await?;
            let response = self
                .client()?
                .get(self.tokens_url())
                .header("X-Auth-Token", &service)
                .header("X-Subject-Token", token)
                .send()
                .await
                .map_err(|e| keystone_unreachable(&e))?;
            match response.status().as_u16() {
                200 => {
                    let body: TokenBody = response.json().await.map_err(unavailable)?;
                    return Ok(Some(caller_from(body.token)));
                }
                // Unknown, expired or revoked subject token.
                404 => return Ok(None),
                // Keystone refused a malformed subject token.
                400 => return Ok(None),
                // Our own token was refused (revoked, keys rotated): renew once.
                401 | 403 if attempt == 0 => continue,
                status => {
                    return Err(unavailable(format!(
                        "token validation answered HTTP {status}"
                    )))
                }
            }
        }
        Err(unavailable("keystone refuses the service credentials"))
    }

    /// Our service token, fetched with password authentication when missing, near expiry or
    /// (`force`) refused.
    async fn service_token(&self, force: bool) -> Result<String, AuthError> {
        let mut slot = self.service_token.lock().await;
        if let Some(current) = slot.as_ref() {
            if !force && current.expires_at - SERVICE_TOKEN_MARGIN > Utc::now() {
                return Ok(current.token.clone());
            }
        }
        let c = &self.config;
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": c.username, "password": c.password,
                "domain": {"name": c.user_domain_name}}}},
            "scope": {"project": {"name": c.project_name,
                "domain": {"name": c.project_domain_name}}}
        }});
        let response = self
            .client()?
            .post(self.tokens_url())
            .json(&body)
            .send()
            .await
            .map_err(|e| keystone_unreachable(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(unavailable(format!(
                "service user {:?} cannot authenticate: HTTP {status}",
                c.username
            )));
        }
        let token = response
            .headers()
            .get("x-subject-token")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
            .ok_or_else(|| unavailable("keystone returned no X-Subject-Token"))?;
        let parsed: TokenBody = response.json().await.map_err(unavailable)?;
        tracing::debug!(expires_at = %parsed.token.expires_at, "obtained service token");
        *slot = Some(ServiceToken {
            token: token.clone(),
            expires_at: parsed.token.expires_at,
        });
        Ok(token)
    }
}

/// The cache key of a token (its SHA-256 in hex): never the token itself.
fn cache_key(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn caller_from(token: TokenData) -> (Caller, DateTime<Utc>) {
    let system_scope = token
        .system
        .as_ref()
        .and_then(|s| s.get("all"))
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let caller = Caller {
        project_id: token.project.and_then(|p| p.id),
        user_id: token.user.and_then(|u| u.id),
        roles: token.roles.into_iter().filter_map(|r| r.name).collect(),
        system_scope,
        service_catalog: catalog_from(token.catalog),
    };
    (caller, token.expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_document_to_caller() {
        let body: TokenBody = serde_json::from_value(json!({"token": {
            "expires_at": "2030-01-01T00:00:00.000000Z",
            "user": {"id": "u1", "name": "alice"},
            "project": {"id": "p1", "name": "alpha"},
            "roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}],
            "methods": ["password"]
        }}))
        .unwrap();
        let (caller, expires) = caller_from(body.token);
        assert_eq!(caller.project_id.as_deref(), Some("p1"));
        assert_eq!(caller.user_id.as_deref(), Some("u1"));
        assert_eq!(caller.roles, vec!["member", "reader"]);
        assert!(!caller.system_scope);
        assert_eq!(expires.to_rfc3339(), "2030-01-01T00:00:00+00:00");

        let body: TokenBody = serde_json::from_value(json!({"token": {
            "expires_at": "2030-01-01T00:00:00Z", "system": {"all": true},
            "roles": [{"name": "admin"}], "user": {"id": "u"}
        }}))
        .unwrap();
        let (caller, _) = caller_from(body.token);
        assert!(caller.system_scope && caller.project_id.is_none());
    }

    #[test]
    fn catalog_takes_keystonemiddlewares_v2_names() {
        let body: TokenBody = serde_json::from_value(json!({"token": {
            "expires_at": "2030-01-01T00:00:00Z", "roles": [],
            "catalog": [{"type": "network", "id": "s1", "endpoints": [
                {"interface": "public", "region_id": "RegionOne", "region": "RegionOne",
                 "url": "http://neutron:9696"},
                {"interface": "internal", "region": "RegionTwo", "url": "http://n2:9696"}
            ]}]
        }}))
        .unwrap();
        let (caller, _) = caller_from(body.token);
        let got: Vec<(&str, &str, &str, &str)> = caller
            .service_catalog
            .iter()
            .map(|e| {
                (
                    e.service_type.as_str(),
                    e.region.as_str(),
                    e.endpoint_type.as_str(),
                    e.url.as_str(),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("network", "RegionOne", "publicURL", "http://neutron:9696"),
                ("network", "RegionTwo", "internalURL", "http://n2:9696")
            ]
        );
    }

    #[test]
    fn auth_url_with_or_without_v3() {
        for url in ["http://k:5000/v3", "http://k:5000/v3/", "http://k:5000"] {
            let k = KeystoneAuth::new(KeystoneConfig {
                auth_url: url.to_owned(),
                ..KeystoneConfig::default()
            });
            assert_eq!(k.tokens_url(), "http://k:5000/v3/auth/tokens");
            assert_eq!(k.www_authenticate_uri(), url);
        }
    }
}
