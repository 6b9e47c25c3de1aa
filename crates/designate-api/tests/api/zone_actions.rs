//! `GET /v2/zones/{id}/nameservers` and `POST /v2/zones/{id}/tasks/abandon`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::start;

const MEMBER: [(&str, &str); 2] = [
    ("x-auth-project-id", "noauth-project"),
    ("x-roles", "member"),
];
const READER: [(&str, &str); 2] = [
    ("x-auth-project-id", "noauth-project"),
    ("x-roles", "reader"),
];
const OTHER: [(&str, &str); 2] = [("x-auth-project-id", "other"), ("x-roles", "member")];

#[tokio::test]
async fn nameservers_of_a_zone() {
    let api = start().await;
    let zone = api.zone("ns.example.org.").await;
    let id = zone["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/v2/zones/{id}/nameservers");
    let r = api.call(Method::GET, &path, None, &READER).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.body,
        json!({"nameservers": [{"hostname": "ns1.example.net.", "priority": 1}]})
    );
    api.call(Method::GET, &path, None, &OTHER)
        .await
        .assert_error(404, "zone_not_found");
    api.get("/v2/zones/nope/nameservers")
        .await
        .assert_error(400, "invalid_uuid");
    api.get(&format!("/v2/zones/{}/nameservers", uuid::Uuid::new_v4()))
        .await
        .assert_error(404, "zone_not_found");
    api.call(Method::POST, &path, Some(json!({})), &[])
        .await
        .assert_error(405, "method_not_allowed");
}

#[tokio::test]
async fn abandon_removes_the_zone_from_designate_only() {
    let api = start().await;
    let zone = api.zone("abandon.example.org.").await;
    let id = zone["id"].as_str().unwrap_or_default().to_owned();
    api.recordset(&id, "www.abandon.example.org.", "A", &["192.0.2.1"])
        .await;
    let path = format!("/v2/zones/{id}/tasks/abandon");

    // Admin only; the zone must be visible.
    api.call(Method::POST, &path, None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
    api.call(Method::POST, &path, None, &OTHER)
        .await
        .assert_error(404, "zone_not_found");
    api.call(Method::POST, "/v2/zones/nope/tasks/abandon", None, &[])
        .await
        .assert_error(400, "invalid_uuid");
    api.call(
        Method::POST,
        &format!("/v2/zones/{}/tasks/abandon", uuid::Uuid::new_v4()),
        None,
        &[],
    )
    .await
    .assert_error(404, "zone_not_found");
    api.call(Method::GET, &path, None, &[])
        .await
        .assert_error(405, "method_not_allowed");

    // A zone with a sub-zone cannot go.
    let sub = api.zone("sub.abandon.example.org.").await;
    api.call(Method::POST, &path, None, &[])
        .await
        .assert_error(400, "zone_has_sub_zone");
    let sub_id = sub["id"].as_str().unwrap_or_default().to_owned();
    let r = api
        .call(
            Method::POST,
            &format!("/v2/zones/{sub_id}/tasks/abandon"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);

    let r = api.call(Method::POST, &path, None, &[]).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    api.get(&format!("/v2/zones/{id}"))
        .await
        .assert_error(404, "zone_not_found");
    assert_eq!(api.get("/v2/zones").await.count("zones"), 0);
    api.call(Method::POST, &path, None, &[])
        .await
        .assert_error(404, "zone_not_found");
    // The name is free again.
    api.zone("abandon.example.org.").await;
}
