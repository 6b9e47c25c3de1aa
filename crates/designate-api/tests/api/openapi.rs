//! `GET /v2/openapi.json` serves the checked-in OpenAPI document, and every documented
//! operation is answered by a handler (never the router's 405 / unmatched 404).

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::common::start;

#[tokio::test]
async fn the_document_is_served_and_every_operation_is_routed() {
    let api = start().await;
    let r = api.get("/v2/openapi.json").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
    let file: Value = serde_json::from_str(include_str!("../../openapi.json")).expect("json");
    assert_eq!(r.body, file);

    let id = uuid::Uuid::new_v4().to_string();
    for (path, item) in file["paths"].as_object().expect("paths") {
        let concrete = path
            .replace("{fip_key}", &format!("nope{id}"))
            .split('/')
            .map(|s| if s.starts_with('{') { id.as_str() } else { s })
            .collect::<Vec<_>>()
            .join("/");
        for method in item.as_object().expect("item").keys() {
            let m = Method::from_bytes(method.to_uppercase().as_bytes()).expect("method");
            let r = api.call(m, &concrete, None, &[]).await;
            assert_ne!(
                r.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}: {}",
                r.text
            );
            // An unrouted path is upstream's generic 404 `not_found`; routed ones answer with
            // their own resource's error (or succeed).
            assert!(
                !(r.status == StatusCode::NOT_FOUND && r.body["type"] == "not_found"),
                "{method} {path}: {}",
                r.text
            );
        }
    }
}
