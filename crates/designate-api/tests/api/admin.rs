//! `/v2/tlds` and `/v2/blacklists`: admin CRUD with upstream's bodies, codes and errors, and
//! the rules they impose on zone creation.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_timestamp, keys, start};

const MEMBER: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member")];

#[tokio::test]
async fn tld_crud() {
    let api = start().await;
    let r = api
        .post(
            "/v2/tlds",
            json!({"name": "com", "description": "the com tld"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "created_at",
            "description",
            "id",
            "links",
            "name",
            "updated_at"
        ]
    );
    assert_eq!(r.body["name"], "com");
    assert_timestamp(&r.body["created_at"]);
    assert!(r.body["updated_at"].is_null());
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let self_link = format!("{}/v2/tlds/{id}", api.base);
    assert_eq!(r.body["links"]["self"], self_link.as_str());
    assert_eq!(
        r.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(self_link.as_str())
    );

    let r = api.get(&format!("/v2/tlds/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["description"], "the com tld");

    api.post("/v2/tlds", json!({"name": "net"})).await;
    let r = api.get("/v2/tlds?limit=1&sort_key=name").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.count("tlds"), 1);
    assert_eq!(r.body["tlds"][0]["name"], "com");
    assert_eq!(r.body["metadata"]["total_count"], 2);
    assert!(r.body["links"]["next"].as_str().is_some());
    let r = api.get("/v2/tlds?name=ne*").await;
    assert_eq!(r.count("tlds"), 1);
    assert_eq!(r.body["tlds"][0]["name"], "net");

    let r = api
        .call(
            Method::PATCH,
            &format!("/v2/tlds/{id}"),
            Some(json!({"name": "org", "description": null})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "org");
    assert!(r.body["description"].is_null());
    assert_timestamp(&r.body["updated_at"]);

    let r = api
        .call(Method::DELETE, &format!("/v2/tlds/{id}"), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    api.get(&format!("/v2/tlds/{id}"))
        .await
        .assert_error(404, "tld_not_found");
}

#[tokio::test]
async fn tld_errors() {
    let api = start().await;
    api.post("/v2/tlds", json!({"name": "com"})).await;
    api.post("/v2/tlds", json!({"name": "com"}))
        .await
        .assert_error(409, "duplicate_tld");
    api.post("/v2/tlds", json!({"name": "bad..name"}))
        .await
        .assert_error(400, "invalid_object");
    api.post("/v2/tlds", json!({"description": "no name"}))
        .await
        .assert_error(400, "invalid_object");
    api.post("/v2/tlds", json!({"name": "x", "colour": "red"}))
        .await
        .assert_error(400, "invalid_object");
    api.post(
        "/v2/tlds",
        json!({"name": "x", "description": "d".repeat(161)}),
    )
    .await
    .assert_error(400, "invalid_object");
    api.get("/v2/tlds/nope")
        .await
        .assert_error(400, "invalid_uuid");
    let missing = "/v2/tlds/a86dba58-0043-4cc6-a1bb-69d5e86f3ca3";
    api.get(missing).await.assert_error(404, "tld_not_found");
    api.call(Method::PATCH, missing, Some(json!({"name": "x"})), &[])
        .await
        .assert_error(404, "tld_not_found");
    api.call(Method::DELETE, missing, None, &[])
        .await
        .assert_error(404, "tld_not_found");
    api.get("/v2/tlds?sort_key=pattern")
        .await
        .assert_error(400, "invalid_sort_key");
    api.get("/v2/tlds?description=test")
        .await
        .assert_error(400, "bad_request");
    api.get("/v2/tlds?marker=a86dba58-0043-4cc6-a1bb-69d5e86f3ca3")
        .await
        .assert_error(400, "marker_not_found");
    // Admin only.
    api.call(
        Method::POST,
        "/v2/tlds",
        Some(json!({"name": "org"})),
        &MEMBER,
    )
    .await
    .assert_error(403, "forbidden");
    api.call(Method::GET, "/v2/tlds", None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test]
async fn zone_create_needs_a_known_tld_once_any_exists() {
    let api = start().await;
    api.zone("before.org.").await;
    api.post("/v2/tlds", json!({"name": "com"})).await;
    api.zone("example.com.").await;
    let r = api
        .post(
            "/v2/zones",
            json!({"name": "example.org.", "email": "a@example.org"}),
        )
        .await;
    r.assert_error(400, "invalid_zone_name");
    assert_eq!(r.body["message"], "Invalid TLD");
    let r = api
        .post(
            "/v2/zones",
            json!({"name": "com.", "email": "a@example.org"}),
        )
        .await;
    r.assert_error(400, "invalid_zone_name");
}

#[tokio::test]
async fn blacklist_crud_and_errors() {
    let api = start().await;
    let r = api
        .post(
            "/v2/blacklists",
            json!({"pattern": "^([A-Za-z0-9_\\-]+\\.)*example\\.com\\.$", "description": "no"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "created_at",
            "description",
            "id",
            "links",
            "pattern",
            "updated_at"
        ]
    );
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    assert!(r.headers.get("location").is_some());
    let r = api.get(&format!("/v2/blacklists/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    let r = api.get("/v2/blacklists").await;
    assert_eq!(r.count("blacklists"), 1);
    assert_eq!(r.body["metadata"]["total_count"], 1);

    api.post(
        "/v2/blacklists",
        json!({"pattern": "^([A-Za-z0-9_\\-]+\\.)*example\\.com\\.$"}),
    )
    .await
    .assert_error(409, "duplicate_blacklist");
    api.post("/v2/blacklists", json!({"pattern": "("}))
        .await
        .assert_error(400, "invalid_object");
    api.post("/v2/blacklists", json!({"description": "x"}))
        .await
        .assert_error(400, "invalid_object");
    api.call(
        Method::POST,
        "/v2/blacklists",
        Some(json!({"pattern": "x"})),
        &MEMBER,
    )
    .await
    .assert_error(403, "forbidden");

    // A member may not create a blacklisted zone; an admin may.
    let r = api
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "www.example.com.", "email": "a@example.org"})),
            &MEMBER,
        )
        .await;
    r.assert_error(400, "invalid_zone_name");
    assert_eq!(r.body["message"], "Blacklisted zone name");
    api.zone("www.example.com.").await;

    let r = api
        .call(
            Method::PATCH,
            &format!("/v2/blacklists/{id}"),
            Some(json!({"pattern": "^nothing\\.$"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["pattern"], "^nothing\\.$");
    assert_eq!(r.body["description"], "no");
    let r = api
        .call(Method::DELETE, &format!("/v2/blacklists/{id}"), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    api.get(&format!("/v2/blacklists/{id}"))
        .await
        .assert_error(404, "blacklist_not_found");
    api.call(Method::DELETE, &format!("/v2/blacklists/{id}"), None, &[])
        .await
        .assert_error(404, "blacklist_not_found");
    api.get("/v2/blacklists/nope")
        .await
        .assert_error(400, "invalid_uuid");
    api.get("/v2/blacklists?description=x")
        .await
        .assert_error(400, "bad_request");
    api.get("/v2/blacklists?sort_key=name")
        .await
        .assert_error(400, "invalid_sort_key");
}
