//! `GET /v2/openapi.json`: the OpenAPI 3 document of every `/v2` route, checked in as
//! `crates/designate-api/openapi.json` and compiled into the binary. The unit test below holds
//! it to [`super::ROUTE_TABLE`], the routes the router is built from: every route documented,
//! nothing documented that is not routed.

use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

/// The document, as checked in.
pub(crate) const DOCUMENT: &str = include_str!("../../openapi.json");

/// `GET /v2/openapi.json`.
pub(crate) async fn document() -> impl IntoResponse {
    ([(CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::*;

    #[test]
    fn documents_exactly_the_routed_operations() {
        let doc: Value = serde_json::from_str(DOCUMENT).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"], "3.0.3");
        let documented: BTreeSet<(String, String)> = doc["paths"]
            .as_object()
            .expect("paths")
            .iter()
            .flat_map(|(path, item)| {
                item.as_object()
                    .expect("path item")
                    .keys()
                    .map(move |method| (path.clone(), method.clone()))
            })
            .collect();
        let routed: BTreeSet<(String, String)> = super::super::ROUTE_TABLE
            .iter()
            .flat_map(|(path, methods)| {
                methods
                    .iter()
                    .map(move |m| ((*path).to_owned(), (*m).to_owned()))
            })
            .collect();
        let undocumented: Vec<_> = routed.difference(&documented).collect();
        let unrouted: Vec<_> = documented.difference(&routed).collect();
        assert!(
            undocumented.is_empty(),
            "routed, not documented: {undocumented:?}"
        );
        assert!(unrouted.is_empty(), "documented, not routed: {unrouted:?}");
    }

    #[test]
    fn path_parameters_match_the_templates() {
        let doc: Value = serde_json::from_str(DOCUMENT).expect("openapi.json is JSON");
        for (path, item) in doc["paths"].as_object().expect("paths") {
            let in_template: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
                .collect();
            for (method, op) in item.as_object().expect("path item") {
                let declared: Vec<&str> = op["parameters"]
                    .as_array()
                    .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
                    .unwrap_or_default();
                assert_eq!(declared, in_template, "{method} {path}");
                assert!(op["responses"].is_object(), "{method} {path}");
            }
        }
    }
}
