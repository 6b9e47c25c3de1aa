//! `POST /v2/pools`, `PATCH /v2/pools/{id}`, `DELETE /v2/pools/{id}`: upstream's admin pool
//! writes, over real HTTP against the real central on SQLite.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{keys, start, Api};

const MEMBER: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member")];
const MISSING: &str = "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3";

async fn create(api: &Api, body: Value) -> Value {
    let r = api.post("/v2/pools", body).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

async fn patch(api: &Api, id: &str, body: Value) -> crate::common::Reply {
    api.call(Method::PATCH, &format!("/v2/pools/{id}"), Some(body), &[])
        .await
}

async fn default_pool_id(api: &Api) -> String {
    let r = api.get("/v2/pools?name=default").await;
    r.body["pools"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn create_show_list() {
    let api = start().await;
    let r = api
        .post(
            "/v2/pools",
            json!({
                "name": "Example Pool",
                "description": "second",
                "attributes": {"service_tier": "gold"},
                "ns_records": [{"hostname": "ns1.example.org.", "priority": 1}],
            }),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let pool = r.body.clone();
    let id = pool["id"].as_str().unwrap_or_default().to_owned();
    let location = r.headers["location"].to_str().unwrap_or_default();
    assert_eq!(location, format!("{}/v2/pools/{id}", api.base));
    assert_eq!(pool["links"]["self"], location);
    assert_eq!(
        keys(&pool),
        [
            "attributes",
            "created_at",
            "description",
            "id",
            "links",
            "name",
            "ns_records",
            "project_id",
            "updated_at"
        ]
    );
    assert_eq!(pool["name"], "Example Pool");
    assert_eq!(pool["description"], "second");
    assert_eq!(pool["attributes"], json!({"service_tier": "gold"}));
    assert_eq!(
        pool["ns_records"],
        json!([{"hostname": "ns1.example.org.", "priority": 1}])
    );
    // No project in the body: the caller's, as upstream's central sets it.
    assert_eq!(pool["project_id"], "noauth-project");

    let shown = api.get(&format!("/v2/pools/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert_eq!(shown.body, pool);
    let listed = api.get("/v2/pools").await;
    assert_eq!(listed.count("pools"), 2);
    assert_eq!(api.get("/v2/pools?name=Example*").await.count("pools"), 1);

    // An explicit project and no NS records are fine too.
    let other = create(&api, json!({"name": "other", "project_id": "ops"})).await;
    assert_eq!(other["project_id"], "ops");
    assert_eq!(other["ns_records"], json!([]));
    assert_eq!(other["description"], Value::Null);
}

#[tokio::test]
async fn create_errors() {
    let api = start().await;
    api.post("/v2/pools", json!({"name": "default"}))
        .await
        .assert_error(409, "duplicate_pool");
    for bad in [
        json!({}),
        json!({"name": null}),
        json!({"name": 5}),
        json!({"name": "x".repeat(51)}),
        json!({"name": "p", "id": MISSING}),
        json!({"name": "p", "created_at": "2020-01-01T00:00:00.000000"}),
        json!({"name": "p", "description": "d".repeat(161)}),
        json!({"name": "p", "attributes": ["a"]}),
        json!({"name": "p", "attributes": {"k": 1}}),
        json!({"name": "p", "ns_records": {"hostname": "ns1.example.org."}}),
        json!({"name": "p", "ns_records": [{"hostname": "ns1.example.org"}]}),
        json!({"name": "p", "ns_records": [{"hostname": "ns1.example.org", "priority": 1}]}),
        json!({"name": "p", "ns_records": [{"hostname": "ns1.example.org.", "priority": 0}]}),
        json!({"name": "p", "ns_records": [{"hostname": "ns1.example.org.", "priority": "1"}]}),
        json!({"name": "p", "ns_records": [{"hostname": "a.", "priority": 1, "x": 1}]}),
        json!({"name": "p", "project_id": "p".repeat(37)}),
    ] {
        let r = api.post("/v2/pools", bad.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text);
        assert_eq!(r.body["type"], "invalid_object", "{bad}: {}", r.text);
    }
    api.call(
        Method::POST,
        "/v2/pools",
        Some(json!({"name": "p"})),
        &MEMBER,
    )
    .await
    .assert_error(403, "forbidden");
    // Nothing was written by any refused request.
    assert_eq!(api.get("/v2/pools").await.count("pools"), 1);
}

#[tokio::test]
async fn update() {
    let api = start().await;
    let pool = create(
        &api,
        json!({"name": "second", "ns_records": [{"hostname": "ns1.example.org.", "priority": 1}]}),
    )
    .await;
    let id = pool["id"].as_str().unwrap_or_default().to_owned();

    let r = patch(&api, &id, json!({"name": "foo"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["name"], "foo");
    // Fields the body leaves out keep their values.
    assert_eq!(r.body["ns_records"], pool["ns_records"]);
    assert_eq!(r.body["project_id"], pool["project_id"]);

    let r = patch(
        &api,
        &id,
        json!({
            "description": "changed",
            "attributes": {"tier": "x"},
            "ns_records": [
                {"hostname": "ns2.example.org.", "priority": 2},
                {"hostname": "ns3.example.org.", "priority": 3},
            ],
        }),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let shown = api.get(&format!("/v2/pools/{id}")).await;
    assert_eq!(shown.body, r.body);
    assert_eq!(shown.body["name"], "foo");
    assert_eq!(shown.body["description"], "changed");
    assert_eq!(shown.body["attributes"], json!({"tier": "x"}));
    assert_eq!(
        shown.body["ns_records"],
        json!([
            {"hostname": "ns2.example.org.", "priority": 2},
            {"hostname": "ns3.example.org.", "priority": 3},
        ])
    );
    let r = patch(&api, &id, json!({"description": null, "attributes": null})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["description"], Value::Null);
    assert_eq!(r.body["attributes"], json!({}));
}

#[tokio::test]
async fn update_errors() {
    let api = start().await;
    let pool = create(&api, json!({"name": "second"})).await;
    let id = pool["id"].as_str().unwrap_or_default().to_owned();
    patch(&api, &id, json!({"name": "default"}))
        .await
        .assert_error(409, "duplicate_pool");
    patch(&api, MISSING, json!({"name": "x"}))
        .await
        .assert_error(404, "pool_not_found");
    patch(&api, "nope", json!({"name": "x"}))
        .await
        .assert_error(400, "invalid_uuid");
    // The project is immutable once set; restating it is fine.
    let r = patch(&api, &id, json!({"project_id": "noauth-project"})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    for bad in [
        json!({"project_id": "other"}),
        json!({"project_id": null}),
        json!({"id": MISSING}),
        json!({"name": null}),
        json!({"name": "x".repeat(51)}),
        json!({"ns_records": [{"hostname": "bad", "priority": 1}]}),
        json!({"ns_records": [{"hostname": "ns1.example.org.", "priority": 10001}]}),
    ] {
        let r = patch(&api, &id, bad.clone()).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{bad}: {}", r.text);
        assert_eq!(r.body["type"], "invalid_object", "{bad}: {}", r.text);
    }
    api.call(
        Method::PATCH,
        &format!("/v2/pools/{id}"),
        Some(json!({"name": "x"})),
        &MEMBER,
    )
    .await
    .assert_error(403, "forbidden");
    // Nothing was written by any refused request.
    assert_eq!(api.get(&format!("/v2/pools/{id}")).await.body, pool);
}

/// A pool's zones follow its NS hostnames, and a pool with zones keeps at least one.
#[tokio::test]
async fn update_carries_ns_into_zones() {
    let api = start().await;
    let default = default_pool_id(&api).await;
    let zone = api.zone("example.com.").await;
    let zone_id = zone["id"].as_str().unwrap_or_default().to_owned();

    let r = patch(
        &api,
        &default,
        json!({"ns_records": [{"hostname": "ns9.example.net.", "priority": 1}]}),
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let ns = api
        .get(&format!("/v2/zones/{zone_id}/recordsets?type=NS"))
        .await;
    assert_eq!(ns.count("recordsets"), 1, "{}", ns.text);
    assert_eq!(
        ns.body["recordsets"][0]["records"],
        json!(["ns9.example.net."])
    );

    let r = patch(&api, &default, json!({"ns_records": []})).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let shown = api.get(&format!("/v2/pools/{default}")).await;
    assert_eq!(
        shown.body["ns_records"],
        json!([{"hostname": "ns9.example.net.", "priority": 1}])
    );
}

#[tokio::test]
async fn delete() {
    let api = start().await;
    let pool = create(&api, json!({"name": "second"})).await;
    let id = pool["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/v2/pools/{id}");

    api.call(Method::DELETE, &path, None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
    let r = api.call(Method::DELETE, &path, None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty(), "{}", r.text);
    api.get(&path).await.assert_error(404, "pool_not_found");
    api.call(Method::DELETE, &path, None, &[])
        .await
        .assert_error(404, "pool_not_found");
    api.call(Method::DELETE, "/v2/pools/nope", None, &[])
        .await
        .assert_error(400, "invalid_uuid");

    // A pool holding a zone stays.
    let default = default_pool_id(&api).await;
    api.zone("example.com.").await;
    api.call(Method::DELETE, &format!("/v2/pools/{default}"), None, &[])
        .await
        .assert_error(400, "invalid_operation");
    assert_eq!(api.get("/v2/pools").await.count("pools"), 1);
}
