//! Version discovery (`GET /`, `GET /v2`); the route of the load-balancer health check
//! (`GET /healthcheck`, answered by `health`).

use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::render::base_url;
use crate::AppState;

/// Upstream's API reference, linked as `rel: help`.
const API_REF_URL: &str = "https://docs.openstack.org/api-ref/dns";

/// The versions upstream advertises: id, status, updated.
const VERSIONS: &[(&str, &str, &str)] = &[
    ("v2", "SUPPORTED", "2022-06-29T00:00:00Z"),
    ("v2.0", "SUPPORTED", "2022-06-29T00:00:00Z"),
    ("v2.1", "SUPPORTED", "2023-01-25T00:00:00Z"),
    ("v2.2", "SUPPORTED", "2025-08-25T00:00:00Z"),
    ("v2.3", "SUPPORTED", "2026-04-06T00:00:00Z"),
    ("v2.4", "CURRENT", "2026-04-13T00:00:00Z"),
];

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(version_list))
        .route("/v2", get(version_list))
        .route("/healthcheck", get(crate::health::healthcheck))
}

async fn version_list(State(state): State<AppState>, headers: HeaderMap) -> Json<Value> {
    let api_url = format!("{}/v2", base_url(&headers, &state.config));
    let versions: Vec<Value> = VERSIONS
        .iter()
        .map(|(id, status, updated)| {
            json!({
                "id": id,
                "status": status,
                "updated": updated,
                "links": [
                    {"href": api_url, "rel": "self"},
                    {"href": API_REF_URL, "rel": "help"},
                ],
            })
        })
        .collect();
    Json(json!({ "versions": versions }))
}
