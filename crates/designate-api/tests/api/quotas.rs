//! `/v2/quotas`, `/v2/limits` and `/v2/pools`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{keys, start};

const MEMBER: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member")];
const ALL: [(&str, &str); 1] = [("x-auth-all-projects", "true")];

#[tokio::test]
async fn quotas_get_set_reset() {
    let api = start().await;
    let defaults = json!({
        "api_export_size": 1000,
        "recordset_records": 20,
        "zone_records": 500,
        "zone_recordsets": 500,
        "zones": 10,
    });
    let r = api.call(Method::GET, "/v2/quotas", None, &MEMBER).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body, defaults);
    let r = api.call(Method::GET, "/v2/quotas/p1", None, &MEMBER).await;
    assert_eq!(r.body, defaults);
    // Another project's quotas: only with all-projects.
    api.call(Method::GET, "/v2/quotas/p2", None, &MEMBER)
        .await
        .assert_error(403, "forbidden");

    let r = api
        .call(
            Method::PATCH,
            "/v2/quotas/p1",
            Some(json!({"zones": 1, "zone_records": -1})),
            &ALL,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["zones"], 1);
    assert_eq!(r.body["zone_records"], -1);
    let r = api.call(Method::GET, "/v2/quotas/p1", None, &MEMBER).await;
    assert_eq!(r.body["zones"], 1);

    // Enforced: p1 may now have one zone.
    let zone = json!({"name": "one.org.", "email": "a@example.org"});
    let r = api
        .call(Method::POST, "/v2/zones", Some(zone), &MEMBER)
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let zone = json!({"name": "two.org.", "email": "a@example.org"});
    let r = api
        .call(Method::POST, "/v2/zones", Some(zone), &MEMBER)
        .await;
    r.assert_error(413, "over_quota");
    assert_eq!(r.body["message"], "Quota exceeded for zones.");

    let r = api.call(Method::DELETE, "/v2/quotas/p1", None, &ALL).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    let r = api.call(Method::GET, "/v2/quotas/p1", None, &ALL).await;
    assert_eq!(r.body, defaults);
}

#[tokio::test]
async fn quota_errors() {
    let api = start().await;
    api.call(
        Method::PATCH,
        "/v2/quotas/p1",
        Some(json!({"zones": 5})),
        &MEMBER,
    )
    .await
    .assert_error(403, "forbidden");
    api.call(Method::DELETE, "/v2/quotas/p1", None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
    // An admin without all-projects may not set another project's quotas (upstream).
    api.call(
        Method::PATCH,
        "/v2/quotas/p1",
        Some(json!({"zones": 5})),
        &[],
    )
    .await
    .assert_error(403, "forbidden");
    for bad in [
        json!({"bogus": 5}),
        json!({"zones": -2}),
        json!({"zones": "many"}),
        json!({"zones": 2_147_483_648_i64}),
    ] {
        api.call(Method::PATCH, "/v2/quotas/p1", Some(bad), &ALL)
            .await
            .assert_error(400, "invalid_object");
    }
}

#[tokio::test]
async fn recordset_quotas_are_enforced() {
    let api = start().await;
    let id = api.zone("quota.org.").await["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = api
        .call(
            Method::PATCH,
            "/v2/quotas/noauth-project",
            Some(json!({"recordset_records": 1})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = api
        .post(
            &format!("/v2/zones/{id}/recordsets"),
            json!({"name": "a.quota.org.", "type": "A", "records": ["192.0.2.1", "192.0.2.2"]}),
        )
        .await;
    r.assert_error(413, "over_quota");
    assert_eq!(r.body["message"], "Quota exceeded for recordset_records.");
    api.recordset(&id, "a.quota.org.", "A", &["192.0.2.1"])
        .await;
}

#[tokio::test]
async fn limits() {
    let api = start().await;
    let r = api.call(Method::GET, "/v2/limits", None, &MEMBER).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body,
        json!({
            "max_zones": 10,
            "max_zone_recordsets": 500,
            "max_zone_records": 500,
            "max_recordset_records": 20,
            "min_ttl": null,
            "max_zone_name_length": 255,
            "max_recordset_name_length": 255,
            "max_page_limit": 1000,
        })
    );
}

#[tokio::test]
async fn pools_read() {
    let api = start().await;
    let r = api.get("/v2/pools").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.count("pools"), 1);
    assert_eq!(r.body["metadata"]["total_count"], 1);
    let pool = &r.body["pools"][0];
    assert_eq!(
        keys(pool),
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
    assert_eq!(pool["name"], "default");
    assert_eq!(
        pool["ns_records"],
        json!([{"hostname": "ns1.example.net.", "priority": 1}])
    );
    assert_eq!(pool["attributes"], json!({}));
    let id = pool["id"].as_str().unwrap_or_default().to_owned();
    let r = api.get(&format!("/v2/pools/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["id"], id.as_str());
    assert_eq!(api.get("/v2/pools?name=def*").await.count("pools"), 1);
    assert_eq!(api.get("/v2/pools?name=other").await.count("pools"), 0);

    api.get("/v2/pools/a86dba58-0043-4cc6-a1bb-69d5e86f3ca3")
        .await
        .assert_error(404, "pool_not_found");
    api.get("/v2/pools/nope")
        .await
        .assert_error(400, "invalid_uuid");
    api.get("/v2/pools?marker=a86dba58-0043-4cc6-a1bb-69d5e86f3ca3")
        .await
        .assert_error(400, "marker_not_found");
    api.call(Method::GET, "/v2/pools", None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
    api.call(Method::GET, &format!("/v2/pools/{id}"), None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
}
