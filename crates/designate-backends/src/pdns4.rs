//! The `pdns4` backend: provisions zones on a PowerDNS 4 authoritative server through its HTTP
//! API, as upstream's `impl_pdns4` does — each zone of kind `Slave` whose masters are the
//! target's masters (MiniDNS), so PowerDNS transfers it by itself; later changes reach it by
//! the worker's NOTIFY.
//!
//! Options (upstream names): `api_endpoint` (`http://host:port`, required), `api_token`
//! (the `X-API-Key`, required), `tsigkey_name` (a TSIG key known to PowerDNS, used for the
//! transfers). Only plain-HTTP endpoints are supported: this build carries no TLS stack.

use std::net::IpAddr;
use std::time::Duration;

use async_trait::async_trait;
use designate_core::objects::{PoolTarget, Zone};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::{Backend, BackendError};

/// Limit of one API request; PowerDNS answers these in milliseconds when healthy.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A pool target that is a PowerDNS 4 server driven by its HTTP API.
#[derive(Debug, Clone)]
pub struct Pdns4Backend {
    client: reqwest::Client,
    /// `scheme://host[:port]/api/v1/servers/localhost/zones`.
    zones_url: String,
    api_token: String,
    tsigkey_name: Option<String>,
    /// `host:port` (IPv6 in brackets) of every master, as PowerDNS takes them.
    masters: Vec<String>,
}

impl Pdns4Backend {
    /// Builds the backend from a target's options.
    ///
    /// # Errors
    /// [`BackendError::Config`] when `api_endpoint` or `api_token` is missing, the endpoint is
    /// not an `http://` URL, or the target has no masters.
    pub fn from_target(target: &PoolTarget) -> Result<Self, BackendError> {
        let bad = |what: &str| BackendError::Config(format!("target {}: {what}", target.id));
        let endpoint = target
            .option("api_endpoint")
            .filter(|e| !e.trim().is_empty())
            .ok_or_else(|| bad("type pdns4 needs the api_endpoint option"))?;
        let api_token = target
            .option("api_token")
            .ok_or_else(|| bad("type pdns4 needs the api_token option"))?
            .to_owned();
        // Upstream keeps only scheme and host:port of the endpoint and adds the API path.
        let rest = endpoint.trim().strip_prefix("http://").ok_or_else(|| {
            bad("api_endpoint must be an http:// URL (https is not supported by this build)")
        })?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return Err(bad("api_endpoint has no usable host"));
        }
        if target.masters.is_empty() {
            return Err(bad(
                "type pdns4 needs at least one master (MiniDNS address)",
            ));
        }
        let masters = target
            .masters
            .iter()
            .map(|m| {
                let host = m.host.trim_start_matches('[').trim_end_matches(']');
                match host.parse::<IpAddr>() {
                    Ok(IpAddr::V6(_)) => format!("[{host}]:{}", m.port),
                    _ => format!("{host}:{}", m.port),
                }
            })
            .collect();
        let client = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| bad(&format!("cannot build an HTTP client: {e}")))?;
        Ok(Self {
            client,
            zones_url: format!("http://{authority}/api/v1/servers/localhost/zones"),
            api_token,
            tsigkey_name: target
                .option("tsigkey_name")
                .filter(|k| !k.is_empty())
                .map(str::to_owned),
            masters,
        })
    }

    /// The URL of one zone. PowerDNS zone ids are the name with a trailing dot, '/' written
    /// as `=2F`.
    fn zone_url(&self, zone: &Zone) -> String {
        format!(
            "{}/{}",
            self.zones_url,
            absolute(&zone.name).replace('/', "=2F")
        )
    }

    /// One API request; returns status and parsed body (Null when empty or not JSON).
    async fn request(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(StatusCode, Value), BackendError> {
        let mut request = self
            .client
            .request(method.clone(), url)
            .header("X-API-Key", &self.api_token);
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| BackendError::Target(format!("{method} {url}: {e}")))?;
        let status = response.status();
        let text = response
            .text()
            .await
            .map_err(|e| BackendError::Target(format!("{method} {url}: {e}")))?;
        Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
    }

    /// The zone as PowerDNS has it, or None.
    async fn get(&self, zone: &Zone) -> Result<Option<Value>, BackendError> {
        let url = self.zone_url(zone);
        // `rrsets=false` keeps the answer small (servers that do not know it ignore it).
        let (status, body) = self
            .request(Method::GET, &format!("{url}?rrsets=false"), None)
            .await?;
        match status {
            s if s.is_success() => Ok(Some(body)),
            StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY => Ok(None),
            s => Err(failure("GET", &url, s, &body)),
        }
    }

    /// True when the zone PowerDNS has is a secondary of exactly our masters.
    fn matches(&self, existing: &Value) -> bool {
        let kind_ok = existing
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| {
                k.eq_ignore_ascii_case("slave") || k.eq_ignore_ascii_case("secondary")
            });
        let masters: Vec<&str> = existing
            .get("masters")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        kind_ok
            && masters.len() == self.masters.len()
            && self.masters.iter().all(|m| masters.contains(&m.as_str()))
    }

    async fn post(&self, zone: &Zone) -> Result<(), BackendError> {
        let mut data = json!({
            "name": absolute(&zone.name),
            "kind": "Slave",
            "masters": self.masters,
        });
        if let Some(key) = &self.tsigkey_name {
            data["slave_tsig_key_ids"] = json!([key]);
        }
        let (status, body) = self
            .request(Method::POST, &self.zones_url, Some(&data))
            .await?;
        match status {
            s if s.is_success() => {}
            // Created concurrently by another worker: the zone is there, as wanted.
            StatusCode::CONFLICT => {}
            s => return Err(failure("POST", &self.zones_url, s, &body)),
        }
        // Ask for the first transfer now instead of at the next secondary check cycle.
        self.retrieve(zone).await;
        Ok(())
    }

    /// Asks PowerDNS to transfer the zone from its masters now (best effort: the worker's
    /// NOTIFY and PowerDNS's own refresh cycle are the other ways the data arrives).
    async fn retrieve(&self, zone: &Zone) {
        let url = format!("{}/axfr-retrieve", self.zone_url(zone));
        match self.request(Method::PUT, &url, None).await {
            Ok((s, _)) if s.is_success() => {}
            Ok((s, body)) => {
                tracing::debug!(zone = %zone.name, status = %s, %body, "axfr-retrieve refused");
            }
            Err(error) => tracing::debug!(zone = %zone.name, %error, "axfr-retrieve failed"),
        }
    }

    async fn delete(&self, zone: &Zone) -> Result<(), BackendError> {
        let url = self.zone_url(zone);
        let (status, body) = self.request(Method::DELETE, &url, None).await?;
        match status {
            s if s.is_success() => Ok(()),
            // Already gone: success, as upstream "declares victory".
            StatusCode::NOT_FOUND | StatusCode::UNPROCESSABLE_ENTITY => Ok(()),
            s => Err(failure("DELETE", &url, s, &body)),
        }
    }
}

/// The zone name as PowerDNS takes it: absolute, with the trailing dot.
fn absolute(name: &str) -> String {
    if name.ends_with('.') {
        name.to_owned()
    } else {
        format!("{name}.")
    }
}

/// A failed API call, with PowerDNS's own `error` text when it gave one.
fn failure(method: &str, url: &str, status: StatusCode, body: &Value) -> BackendError {
    let detail = body
        .get("error")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .unwrap_or_else(|| body.to_string());
    BackendError::Target(format!("{method} {url}: {status}: {detail}"))
}

#[async_trait]
impl Backend for Pdns4Backend {
    /// Creates the secondary zone. A zone already there with the same kind and masters is
    /// success (a repeated create); one that differs is deleted and created again, as upstream.
    async fn create_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        if let Some(existing) = self.get(zone).await? {
            if self.matches(&existing) {
                // A repeated create is a re-drive (recovery, a retried task): have PowerDNS
                // check the masters now, the zone may have missed changes.
                self.retrieve(zone).await;
                return Ok(());
            }
            tracing::info!(zone = %zone.name, "zone exists on PowerDNS with other settings; re-creating it");
            self.delete(zone).await?;
        }
        self.post(zone).await
    }

    /// Re-creates a zone PowerDNS lost, and points one with other masters at ours; then asks
    /// for a transfer at once. The worker's NOTIFY would do too, but PowerDNS handles NOTIFYs
    /// in its once-a-second secondary-check loop (≈ 0.5–1 s per change), while a retrieval
    /// request goes straight to its transfer threads (milliseconds).
    async fn update_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        match self.get(zone).await? {
            None => self.post(zone).await,
            Some(existing) if self.matches(&existing) => {
                self.retrieve(zone).await;
                Ok(())
            }
            Some(_) => {
                let url = self.zone_url(zone);
                let body = json!({ "kind": "Slave", "masters": self.masters });
                let (status, answer) = self.request(Method::PUT, &url, Some(&body)).await?;
                if status.is_success() {
                    Ok(())
                } else {
                    Err(failure("PUT", &url, status, &answer))
                }
            }
        }
    }

    async fn delete_zone(&self, zone: &Zone) -> Result<(), BackendError> {
        self.delete(zone).await
    }
}

#[cfg(test)]
mod tests;
