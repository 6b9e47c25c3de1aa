//! `/v2/tsigkeys`: admin CRUD with upstream's bodies, codes, errors and policy.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{assert_timestamp, keys, start, Api};

const MEMBER: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member")];

async fn default_pool_id(api: &Api) -> String {
    let r = api.get("/v2/pools").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    r.body["pools"][0]["id"]
        .as_str()
        .expect("a pool id")
        .to_owned()
}

fn body(name: &str, resource_id: &str) -> Value {
    json!({
        "name": name,
        "algorithm": "hmac-sha256",
        "secret": "SomeSecretKey",
        "scope": "POOL",
        "resource_id": resource_id,
    })
}

#[tokio::test]
async fn tsigkey_crud() {
    let api = start().await;
    let pool = default_pool_id(&api).await;
    let r = api.post("/v2/tsigkeys", body("Example key", &pool)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "algorithm",
            "created_at",
            "id",
            "links",
            "name",
            "resource_id",
            "scope",
            "secret",
            "updated_at"
        ]
    );
    assert_eq!(r.body["algorithm"], "hmac-sha256");
    assert_eq!(r.body["secret"], "SomeSecretKey");
    assert_eq!(r.body["scope"], "POOL");
    assert_eq!(r.body["resource_id"], pool.as_str());
    assert_timestamp(&r.body["created_at"]);
    assert!(r.body["updated_at"].is_null());
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let self_link = format!("{}/v2/tsigkeys/{id}", api.base);
    assert_eq!(r.body["links"]["self"], self_link.as_str());
    assert_eq!(
        r.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(self_link.as_str())
    );

    let r = api.get(&format!("/v2/tsigkeys/{id}")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Example key");

    let zone = api.zone("tsig.example.org.").await;
    let zone_id = zone["id"].as_str().unwrap_or_default();
    let mut zone_key = body("zone key", zone_id);
    zone_key["scope"] = json!("ZONE");
    zone_key["algorithm"] = json!("hmac-md5");
    let r = api.post("/v2/tsigkeys", zone_key).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);

    let r = api.get("/v2/tsigkeys?limit=1&sort_key=name").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.count("tsigkeys"), 1);
    assert_eq!(r.body["tsigkeys"][0]["name"], "Example key");
    assert_eq!(r.body["metadata"]["total_count"], 2);
    let next = r.body["links"]["next"].as_str().expect("next link");
    assert!(next.contains(&format!("marker={id}")), "{next}");
    for (filter, name) in [
        ("scope=ZONE", "zone key"),
        ("algorithm=hmac-md5", "zone key"),
        ("name=Ex*", "Example key"),
    ] {
        let r = api.get(&format!("/v2/tsigkeys?{filter}")).await;
        assert_eq!(r.count("tsigkeys"), 1, "{filter}: {}", r.text);
        assert_eq!(r.body["tsigkeys"][0]["name"], name, "{filter}");
    }
    api.get("/v2/tsigkeys?sort_key=secret")
        .await
        .assert_error(400, "invalid_sort_key");
    api.get("/v2/tsigkeys?resource_id=x")
        .await
        .assert_error(400, "bad_request");

    let r = api
        .call(
            Method::PATCH,
            &format!("/v2/tsigkeys/{id}"),
            Some(json!({"name": "Renamed", "algorithm": "hmac-sha512", "secret": "new"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["name"], "Renamed");
    assert_eq!(r.body["algorithm"], "hmac-sha512");
    assert_eq!(r.body["secret"], "new");
    assert_timestamp(&r.body["updated_at"]);

    let r = api
        .call(Method::DELETE, &format!("/v2/tsigkeys/{id}"), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    api.get(&format!("/v2/tsigkeys/{id}"))
        .await
        .assert_error(404, "tsigkey_not_found");
}

#[tokio::test]
async fn tsigkey_errors() {
    let api = start().await;
    let pool = default_pool_id(&api).await;
    let r = api.post("/v2/tsigkeys", body("k", &pool)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();

    api.post("/v2/tsigkeys", body("k", &pool))
        .await
        .assert_error(409, "duplicate_tsigkey");
    let unknown = "d96851d0-765c-4ee9-bbdf-153345270bd3";
    api.post("/v2/tsigkeys", body("k2", unknown))
        .await
        .assert_error(400, "invalid_tsigkey");
    let mut zone_scope = body("k2", &pool);
    zone_scope["scope"] = json!("ZONE");
    api.post("/v2/tsigkeys", zone_scope)
        .await
        .assert_error(400, "invalid_tsigkey");
    for field in ["name", "algorithm", "secret", "scope", "resource_id"] {
        let mut b = body("k3", &pool);
        b.as_object_mut().map(|o| o.remove(field));
        let r = api.post("/v2/tsigkeys", b).await;
        r.assert_error(400, "invalid_object");
        assert_eq!(
            r.body["errors"]["errors"][0]["path"][0], field,
            "{}",
            r.text
        );
    }
    for (field, value) in [
        ("algorithm", json!("hmac-sha3")),
        ("scope", json!("pool")),
        ("resource_id", json!("not-a-uuid")),
        ("name", json!("x".repeat(161))),
        ("secret", json!(5)),
        ("id", json!(unknown)),
    ] {
        let mut b = body("k3", &pool);
        b[field] = value;
        api.post("/v2/tsigkeys", b)
            .await
            .assert_error(400, "invalid_object");
    }
    api.get("/v2/tsigkeys/nope")
        .await
        .assert_error(400, "invalid_uuid");
    api.get(&format!("/v2/tsigkeys/{unknown}"))
        .await
        .assert_error(404, "tsigkey_not_found");
    api.call(
        Method::PATCH,
        &format!("/v2/tsigkeys/{unknown}"),
        Some(json!({"name": "x"})),
        &[],
    )
    .await
    .assert_error(404, "tsigkey_not_found");
    api.call(
        Method::PATCH,
        &format!("/v2/tsigkeys/{id}"),
        Some(json!({"resource_id": unknown})),
        &[],
    )
    .await
    .assert_error(400, "invalid_tsigkey");
    api.call(
        Method::PATCH,
        &format!("/v2/tsigkeys/{id}"),
        Some(json!({"created_at": "2020-01-01T00:00:00.000000"})),
        &[],
    )
    .await
    .assert_error(400, "invalid_object");
    api.call(
        Method::DELETE,
        &format!("/v2/tsigkeys/{unknown}"),
        None,
        &[],
    )
    .await
    .assert_error(404, "tsigkey_not_found");

    // Admin only, every action.
    let r = api.call(Method::GET, "/v2/tsigkeys", None, &MEMBER).await;
    r.assert_error(403, "forbidden");
    for (method, path, b) in [
        (
            Method::POST,
            "/v2/tsigkeys".to_owned(),
            Some(body("m", &pool)),
        ),
        (Method::GET, format!("/v2/tsigkeys/{id}"), None),
        (
            Method::PATCH,
            format!("/v2/tsigkeys/{id}"),
            Some(json!({"name": "m"})),
        ),
        (Method::DELETE, format!("/v2/tsigkeys/{id}"), None),
    ] {
        api.call(method.clone(), &path, b, &MEMBER)
            .await
            .assert_error(403, "forbidden");
    }
    let r = api.get(&format!("/v2/tsigkeys/{id}")).await;
    assert_eq!(
        r.body["name"], "k",
        "nothing was changed by the refused calls"
    );
}
