//! `GET|HEAD /healthcheck` for load balancers, shaped as oslo.middleware's healthcheck app
//! (which upstream mounts at `/healthcheck` in `api-paste.ini`).
//!
//! Unhealthy first when the operator's disable file exists (oslo's `disable_by_file` backend,
//! the one upstream configures): `503 DISABLED BY FILE`. Otherwise healthy means: central answers through the bus and can read its store
//! ([`designate_bus::CentralApi::ping`]). Healthy is `200 OK` (`204` to `HEAD`), anything else
//! `503` with the reasons — plain text, one per line, or oslo's JSON
//! `{"detailed": false, "reasons": [...]}` when the client accepts only JSON. The probe is
//! bounded by [`PROBE_TIMEOUT`] so a hung bus makes the check fail, never hang.

use std::time::Duration;

use axum::extract::State;
use axum::http::header::{ACCEPT, CONTENT_TYPE};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use designate_core::{ErrorKind, RequestContext};
use serde_json::json;

use crate::context::OwnBody;
use crate::AppState;

/// How long the probe may take before the API reports itself unhealthy; below the usual load
/// balancer check timeout, so the balancer sees a 503 rather than a timeout.
pub(crate) const PROBE_TIMEOUT: Duration = Duration::from_secs(4);

/// The handler.
pub(crate) async fn healthcheck(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    // oslo's disable_by_file backend first: a drained API need not probe anything.
    let disabled = state
        .config
        .healthcheck_disable_file
        .as_deref()
        .is_some_and(std::path::Path::exists);
    let reasons = if disabled {
        vec!["DISABLED BY FILE".to_owned()]
    } else {
        probe(&state).await
    };
    render(&method, &headers, &reasons)
}

/// Why the service is unhealthy; empty when healthy.
async fn probe(state: &AppState) -> Vec<String> {
    let ctx = RequestContext {
        request_id: format!("req-{}", uuid::Uuid::new_v4()),
        ..RequestContext::admin()
    };
    match tokio::time::timeout(PROBE_TIMEOUT, state.central.ping(&ctx)).await {
        Ok(Ok(())) => Vec::new(),
        Ok(Err(e)) if e.kind == ErrorKind::CommunicationFailure => {
            vec![format!("message bus: central unreachable: {}", e.message)]
        }
        Ok(Err(e)) => vec![e.message],
        Err(_) => vec![format!(
            "message bus: central did not answer within {} s",
            PROBE_TIMEOUT.as_secs()
        )],
    }
}

fn render(method: &Method, headers: &HeaderMap, reasons: &[String]) -> Response {
    let healthy = reasons.is_empty();
    let status = match (healthy, method == Method::HEAD) {
        (true, true) => StatusCode::NO_CONTENT,
        (true, false) => StatusCode::OK,
        (false, _) => StatusCode::SERVICE_UNAVAILABLE,
    };
    let reasons: Vec<&str> = if healthy {
        vec!["OK"]
    } else {
        reasons.iter().map(String::as_str).collect()
    };
    if status == StatusCode::NO_CONTENT {
        return status.into_response();
    }
    let (content_type, body) = if wants_json(headers) {
        let body = json!({ "detailed": false, "reasons": reasons });
        ("application/json", body.to_string())
    } else {
        ("text/plain; charset=UTF-8", reasons.join("\n"))
    };
    // A HEAD 503 keeps its status; the framework drops the body.
    (
        status,
        [(CONTENT_TYPE, content_type)],
        Extension(OwnBody),
        body,
    )
        .into_response()
}

/// JSON only when the client asks for it and not for plain text (oslo prefers plain text).
fn wants_json(headers: &HeaderMap) -> bool {
    let accept = headers
        .get(ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/plain")
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body(r: Response) -> (StatusCode, String) {
        let status = r.status();
        let bytes = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn renderings() {
        let none = HeaderMap::new();
        let ok = body(render(&Method::GET, &none, &[])).await;
        assert_eq!(ok, (StatusCode::OK, "OK".to_owned()));
        let head = body(render(&Method::HEAD, &none, &[])).await;
        assert_eq!(head, (StatusCode::NO_CONTENT, String::new()));

        let reasons = vec!["a".to_owned(), "b".to_owned()];
        let bad = body(render(&Method::GET, &none, &reasons)).await;
        assert_eq!(bad, (StatusCode::SERVICE_UNAVAILABLE, "a\nb".to_owned()));

        let mut json = HeaderMap::new();
        json.insert(ACCEPT, "application/json".parse().unwrap());
        let (status, text) = body(render(&Method::GET, &json, &reasons)).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v, json!({"detailed": false, "reasons": ["a", "b"]}));
        let head = render(&Method::HEAD, &json, &reasons);
        assert_eq!(head.status(), StatusCode::SERVICE_UNAVAILABLE);
    }
}
