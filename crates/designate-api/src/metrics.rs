//! `GET /metrics` in Prometheus' text exposition format, and what the API counts into it:
//! `designate_api_requests_total{method, route, status}` and
//! `designate_api_request_duration_seconds{method, route}` (a histogram).
//!
//! `route` is the route template (`/v2/zones/{zone_id}/recordsets`), never the raw path, so ids
//! do not multiply the series; requests no route took (unknown paths, requests rejected by
//! authentication before routing) are counted under `route="unmatched"`.
//!
//! The registry is the process's: whatever else the process counts into it (e.g. the sink's
//! counters) is scraped from the same endpoint. Like `/healthcheck`, `/metrics` needs no token:
//! scrapers do not carry Keystone credentials, and what it shows is counts, not tenant data.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus::core::Collector;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The path the metrics are scraped from.
pub const METRICS_PATH: &str = "/metrics";

/// The label of requests no route took.
const UNMATCHED: &str = "unmatched";

/// The API's request counters, registered in a [`Registry`].
#[derive(Clone)]
pub(crate) struct ApiMetrics {
    requests: IntCounterVec,
    latency: HistogramVec,
}

impl ApiMetrics {
    /// Creates the API's metrics in `registry`.
    pub(crate) fn register(registry: &Registry) -> Self {
        let requests = IntCounterVec::new(
            Opts::new(
                "designate_api_requests_total",
                "API requests answered, by method, route template and HTTP status.",
            ),
            &["method", "route", "status"],
        )
        .unwrap_or_else(|e| unreachable!("static metric definition: {e}"));
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "designate_api_request_duration_seconds",
                "Time from request to response head, by method and route template.",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["method", "route"],
        )
        .unwrap_or_else(|e| unreachable!("static metric definition: {e}"));
        // A registry refuses a second collector of the same name (two routers on one
        // registry): the second router's counts are then not scraped, which is logged.
        let collectors: [Box<dyn Collector>; 2] =
            [Box::new(requests.clone()), Box::new(latency.clone())];
        for collector in collectors {
            if let Err(e) = registry.register(collector) {
                tracing::warn!(error = %e, "API metrics not registered");
            }
        }
        Self { requests, latency }
    }
}

/// The route template a request took, carried from inside the router to [`record`] outside it.
#[derive(Debug, Clone)]
struct RouteLabel(String);

/// Inner layer (on the routed service): labels the response with the route template.
pub(crate) async fn label_route(
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let label = matched.map(|m| m.as_str().to_owned());
    let mut response = next.run(request).await;
    if let Some(label) = label {
        response.extensions_mut().insert(RouteLabel(label));
    }
    response
}

/// Outermost layer: counts every request by method, route and status, and times it.
pub(crate) async fn record(
    State(metrics): State<ApiMetrics>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    let route = response
        .extensions()
        .get::<RouteLabel>()
        .map_or(UNMATCHED, |l| l.0.as_str());
    let status = response.status();
    metrics
        .requests
        .with_label_values(&[method.as_str(), route, status.as_str()])
        .inc();
    metrics
        .latency
        .with_label_values(&[method.as_str(), route])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`: everything in `registry`, in the text exposition format 0.0.4.
pub(crate) async fn scrape(State(registry): State<Registry>) -> Response {
    let encoder = TextEncoder::new();
    let mut body = Vec::new();
    let mut response = match encoder.encode(&registry.gather(), &mut body) {
        Ok(()) => {
            let mut r = body.into_response();
            if let Ok(v) = HeaderValue::from_str(encoder.format_type()) {
                r.headers_mut().insert(CONTENT_TYPE, v);
            }
            r
        }
        Err(e) => {
            tracing::error!(error = %e, "cannot encode metrics");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    };
    response
        .extensions_mut()
        .insert(RouteLabel(METRICS_PATH.to_owned()));
    response
}

/// A router serving only `GET /metrics` from `registry`, for processes without the API (e.g.
/// `designate sink` with `[service:sink] metrics_listen`).
pub fn metrics_router(registry: Registry) -> Router {
    Router::new()
        .route(METRICS_PATH, get(scrape))
        .with_state(registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_registration_does_not_panic() {
        let registry = Registry::new();
        let first = ApiMetrics::register(&registry);
        let _second = ApiMetrics::register(&registry);
        first
            .requests
            .with_label_values(&["GET", "/v2/zones", "200"])
            .inc();
        let mut text = Vec::new();
        TextEncoder::new()
            .encode(&registry.gather(), &mut text)
            .unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(
            text.contains(
                "designate_api_requests_total{method=\"GET\",route=\"/v2/zones\",status=\"200\"} 1"
            ),
            "{text}"
        );
    }
}
