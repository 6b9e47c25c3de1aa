//! Bad input of every kind: each must be a 4xx envelope (or a 500 envelope for a fault), never a
//! dropped connection.

use designate_api::ApiConfig;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{start, start_with};

#[tokio::test]
async fn malformed_bodies() {
    let api = start().await;
    let json_ct = Some("application/json");
    api.raw(Method::POST, "/v2/zones", json_ct, b"{\"name\": ".to_vec())
        .await
        .assert_error(400, "invalid_json");
    api.raw(Method::POST, "/v2/zones", json_ct, Vec::new())
        .await
        .assert_error(400, "empty_request_body");
    api.raw(Method::POST, "/v2/zones", json_ct, b"[1, 2]".to_vec())
        .await
        .assert_error(400, "invalid_object");
    api.raw(Method::POST, "/v2/zones", json_ct, b"\xff\xfe".to_vec())
        .await
        .assert_error(400, "invalid_json");
    let deep = "[".repeat(10_000);
    api.raw(Method::POST, "/v2/zones", json_ct, deep.into_bytes())
        .await
        .assert_error(400, "invalid_json");
    // charset parameters are fine
    let r = api
        .raw(
            Method::POST,
            "/v2/zones",
            Some("application/json; charset=UTF-8"),
            json!({"name": "ok.example.org.", "email": "a@example.org"})
                .to_string()
                .into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
}

#[tokio::test]
async fn wrong_types_unknown_fields_and_oversized_values() {
    let api = start().await;
    let cases = [
        json!({"name": 123, "email": "a@example.org"}),
        json!({"name": "example.org.", "email": "a@example.org", "ttl": "abc"}),
        json!({"name": "example.org.", "email": "a@example.org", "ttl": -1}),
        json!({"name": "example.org.", "email": "a@example.org", "ttl": 1.5}),
        json!({"name": "example.org.", "email": "a@example.org", "ttl": 99999999999_i64}),
        json!({"name": "example.org.", "email": ["a@example.org"]}),
        json!({"name": "example.org.", "email": "not-an-email"}),
        json!({"name": "example.org", "email": "a@example.org"}),
        json!({"name": format!("{}.org.", "a".repeat(300)), "email": "a@example.org"}),
        json!({"name": format!("{}org.", "abcdefgh.".repeat(30)), "email": "a@example.org"}),
        json!({"name": "example.org.", "email": "a@example.org", "description": "x".repeat(161)}),
        json!({"name": "example.org.", "email": "a@example.org", "colour": "red"}),
        json!({"name": "example.org.", "email": "a@example.org", "id": "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3"}),
        json!({"name": "example.org.", "email": "a@example.org", "pool_id": "nope"}),
        json!({"name": "example.org.", "email": "a@example.org", "type": "NOPE"}),
        json!({"email": "a@example.org"}),
        json!({"name": "example.org."}),
    ];
    for body in cases {
        let r = api.post("/v2/zones", body.clone()).await;
        r.assert_error(400, "invalid_object");
        assert!(
            r.body.get("message").is_some() || r.body["errors"]["errors"].is_array(),
            "{body}: {}",
            r.text
        );
    }
    let r = api
        .post(
            "/v2/zones",
            json!({"name": "example.org.", "email": "a@example.org", "colour": "red"}),
        )
        .await;
    assert_eq!(
        r.body["message"],
        "Provided object does not match schema. Keys ['colour'] are not valid for zone"
    );
    let r = api.post("/v2/zones", json!({"name": "example.org."})).await;
    assert_eq!(
        r.body["errors"]["errors"][0]["validator"], "required",
        "{}",
        r.text
    );

    let zid = api.zone("example.org.").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/v2/zones/{zid}/recordsets");
    let cases = [
        json!({"name": "www.example.org.", "type": "A", "records": "192.0.2.1"}),
        json!({"name": "www.example.org.", "type": "A", "records": [1]}),
        json!({"name": "www.example.org.", "type": "BOGUS", "records": []}),
        json!({"name": "www.example.org.", "type": 1, "records": []}),
        json!({"name": "www.example.org.", "type": "A", "records": ["192.0.2.1"], "extra": 1}),
        json!({"name": "www.example.org.", "type": "A", "records": ["192.0.2.1"], "ttl": "60"}),
        json!({"name": format!("{}.example.org.", "w".repeat(64)), "type": "A", "records": ["192.0.2.1"]}),
        json!({"type": "A", "records": ["192.0.2.1"]}),
    ];
    for body in cases {
        api.post(&path, body)
            .await
            .assert_error(400, "invalid_object");
    }
    let r = api
        .call(
            Method::PATCH,
            &format!("/v2/zones/{zid}"),
            Some(json!({"serial": 1})),
            &[],
        )
        .await;
    r.assert_error(400, "invalid_object");
}

#[tokio::test]
async fn content_type_method_and_path_errors() {
    let api = start().await;
    let body = json!({"name": "example.org.", "email": "a@example.org"})
        .to_string()
        .into_bytes();
    api.raw(Method::POST, "/v2/zones", Some("text/plain"), body.clone())
        .await
        .assert_error(415, "unsupported_content_type");
    api.raw(Method::POST, "/v2/zones", None, body.clone())
        .await
        .assert_error(415, "unsupported_content_type");

    let zid = api.zone("example.org.").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = api.call(Method::DELETE, "/v2/zones", None, &[]).await;
    r.assert_error(405, "method_not_allowed");
    assert_eq!(r.headers["allow"], "GET,HEAD,POST");
    api.call(
        Method::PUT,
        &format!("/v2/zones/{zid}"),
        Some(json!({})),
        &[],
    )
    .await
    .assert_error(405, "method_not_allowed");
    api.call(Method::POST, "/v2/recordsets", Some(json!({})), &[])
        .await
        .assert_error(405, "method_not_allowed");
    api.get("/v2/nope").await.assert_error(404, "not_found");
    api.get("/v3").await.assert_error(404, "not_found");
    api.get(&format!("/v2/zones/{zid}/nope"))
        .await
        .assert_error(404, "not_found");

    api.get("/v2/zones/not-a-uuid")
        .await
        .assert_error(400, "invalid_uuid");
    api.get(&format!("/v2/zones/{zid}/recordsets/xyz"))
        .await
        .assert_error(400, "invalid_uuid");
    api.call(Method::DELETE, "/v2/zones/%ff%fe", None, &[])
        .await
        .assert_error(400, "invalid_uuid");

    // Trailing slashes are normalised away, as upstream does.
    let r = api.get("/v2/zones/").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = api.get(&format!("/v2/zones/{zid}/")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn bad_paging_parameters() {
    let api = start().await;
    for (q, kind) in [
        ("limit=0", "invalid_limit"),
        ("limit=-5", "invalid_limit"),
        ("limit=abc", "invalid_limit"),
        ("limit=1001", "invalid_limit"),
        ("limit=18446744073709551616", "invalid_limit"),
        ("marker=abc", "invalid_marker"),
        (
            "marker=a86dba58-0043-4cc6-a1bb-69d5e86f3ca3",
            "marker_not_found",
        ),
        ("sort_key=email", "invalid_sort_key"),
        ("sort_key=name%3B+DROP+TABLE+zones", "invalid_sort_key"),
        ("sort_dir=sideways", "invalid_sort_dir"),
        ("colour=red", "bad_request"),
        ("name=a&name=b", "bad_request"),
    ] {
        api.get(&format!("/v2/zones?{q}"))
            .await
            .assert_error(400, kind);
        api.get(&format!("/v2/recordsets?{q}"))
            .await
            .assert_error(400, kind);
    }
    // Filter values are data, never SQL.
    let r = api.get("/v2/zones?name=%27%20OR%201%3D1%20--").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["metadata"]["total_count"], 0);
}

#[tokio::test]
async fn oversized_body_is_413() {
    let api = start_with(ApiConfig {
        max_body_bytes: 1024,
        ..ApiConfig::default()
    })
    .await;
    let big =
        json!({"name": "example.org.", "email": "a@example.org", "description": "x".repeat(4096)});
    api.post("/v2/zones", big)
        .await
        .assert_error(413, "request_too_large");
}

#[tokio::test]
async fn handler_panic_is_a_500_envelope() {
    let api = start().await;
    let r = api
        .post(
            "/v2/zones",
            json!({"name": "panic.example.org.", "email": "a@example.org"}),
        )
        .await;
    r.assert_error(500, "unknown_failure");
    // The server is still up.
    assert_eq!(api.get("/v2/zones").await.status, StatusCode::OK);
}
