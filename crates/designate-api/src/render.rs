//! Shared rendering helpers: upstream's timestamp format and the base URL of `links`.

use axum::http::header::LOCATION;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use designate_core::objects::Timestamp;
use serde_json::{json, Value};

use crate::ApiConfig;

/// Upstream's `DATETIME_FORMAT` (`%Y-%m-%dT%H:%M:%S.%f`): microseconds, no zone suffix.
pub(crate) fn timestamp(t: &Timestamp) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}

/// A nullable timestamp as JSON.
pub(crate) fn opt_timestamp(t: Option<&Timestamp>) -> Value {
    t.map_or(Value::Null, |t| json!(timestamp(t)))
}

/// `scheme://host` for links: the configured `api_base_uri`, else the request's `Host` (with
/// `X-Forwarded-Proto` / `X-Forwarded-Host` honoured, as upstream's HTTPProxyToWSGI does).
pub(crate) fn base_url(headers: &HeaderMap, config: &ApiConfig) -> String {
    if let Some(base) = &config.api_base_uri {
        return base.trim_end_matches('/').to_owned();
    }
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.split(',').next().unwrap_or("").trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let scheme = header("x-forwarded-proto").unwrap_or_else(|| "http".to_owned());
    let host = header("x-forwarded-host")
        .or_else(|| header("host"))
        .unwrap_or_else(|| config.listen.to_string());
    format!("{scheme}://{host}")
}

/// A write's answer: `status` with the rendered object, and `Location` pointing at its
/// `links.self` (upstream sets it on every create).
pub(crate) fn created(status: StatusCode, rendered: Value) -> Response {
    let location = rendered["links"]["self"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (status, [(LOCATION, location)], Json(rendered)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn timestamps_have_six_fraction_digits() {
        let t = chrono::NaiveDate::from_ymd_opt(2014, 10, 24)
            .unwrap()
            .and_hms_opt(19, 59, 44)
            .unwrap();
        assert_eq!(timestamp(&t), "2014-10-24T19:59:44.000000");
    }

    #[test]
    fn base_url_sources() {
        let mut h = HeaderMap::new();
        let c = ApiConfig::default();
        assert_eq!(base_url(&h, &c), "http://127.0.0.1:9001");
        h.insert("host", HeaderValue::from_static("dns.example.com:9001"));
        assert_eq!(base_url(&h, &c), "http://dns.example.com:9001");
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(base_url(&h, &c), "https://dns.example.com:9001");
        let c = ApiConfig {
            api_base_uri: Some("https://api.example.com/".into()),
            ..ApiConfig::default()
        };
        assert_eq!(base_url(&h, &c), "https://api.example.com");
    }
}
