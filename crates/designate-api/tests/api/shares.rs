//! `/v2/zones/{zone_id}/shares` over HTTP, the `shared` field of zones, what the target
//! project may do in a shared zone, and `X-Designate-Delete-Shares`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::{assert_timestamp, keys, start};

const P1: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member,reader")];
const P2: [(&str, &str); 2] = [("x-auth-project-id", "p2"), ("x-roles", "member,reader")];
const P3: [(&str, &str); 2] = [("x-auth-project-id", "p3"), ("x-roles", "member,reader")];

#[tokio::test]
async fn share_use_and_unshare_a_zone() {
    let api = start().await;
    let r = api
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "shared.example.org.", "email": "a@example.org"})),
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["shared"], false);
    let zone_id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let shares = format!("/v2/zones/{zone_id}/shares");
    let zone_path = format!("/v2/zones/{zone_id}");

    api.call(Method::GET, &zone_path, None, &P2)
        .await
        .assert_error(404, "zone_not_found");
    let r = api
        .call(
            Method::POST,
            &shares,
            Some(json!({"target_project_id": "p2"})),
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "created_at",
            "id",
            "links",
            "project_id",
            "target_project_id",
            "updated_at",
            "zone_id"
        ]
    );
    assert_eq!(r.body["project_id"], "p1");
    assert_eq!(r.body["target_project_id"], "p2");
    assert_timestamp(&r.body["created_at"]);
    let share_id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let share_path = format!("{shares}/{share_id}");
    assert_eq!(
        r.body["links"]["self"],
        format!("{}{share_path}", api.base).as_str()
    );
    assert_eq!(
        r.body["links"]["zone"],
        format!("{}{zone_path}", api.base).as_str()
    );
    assert_eq!(
        r.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{}{share_path}", api.base).as_str())
    );

    // Errors of share creation.
    api.call(
        Method::POST,
        &shares,
        Some(json!({"target_project_id": "p2"})),
        &P1,
    )
    .await
    .assert_error(409, "duplicate_shared_zone");
    api.call(
        Method::POST,
        &shares,
        Some(json!({"target_project_id": "p1"})),
        &P1,
    )
    .await
    .assert_error(400, "bad_request");
    api.call(Method::POST, &shares, Some(json!({})), &P1)
        .await
        .assert_error(400, "invalid_object");
    api.call(
        Method::POST,
        &shares,
        Some(json!({"target_project_id": "x".repeat(37)})),
        &P1,
    )
    .await
    .assert_error(400, "invalid_object");
    api.call(
        Method::POST,
        &shares,
        Some(json!({"target_project_id": "p4", "zone_id": zone_id})),
        &P1,
    )
    .await
    .assert_error(400, "invalid_object");
    api.call(
        Method::POST,
        &shares,
        Some(json!({"target_project_id": "p4"})),
        &P3,
    )
    .await
    .assert_error(404, "zone_not_found");
    // The target may see the zone but not share it on.
    api.call(
        Method::POST,
        &shares,
        Some(json!({"target_project_id": "p4"})),
        &P2,
    )
    .await
    .assert_error(403, "forbidden");
    api.call(
        Method::POST,
        "/v2/zones/nope/shares",
        Some(json!({"target_project_id": "p4"})),
        &P1,
    )
    .await
    .assert_error(400, "invalid_uuid");

    // The zone is shared now: both projects see `shared: true`; the target reads it.
    let r = api.call(Method::GET, &zone_path, None, &P1).await;
    assert_eq!(r.body["shared"], true, "{}", r.text);
    let r = api.call(Method::GET, &zone_path, None, &P2).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["shared"], true);
    let r = api.call(Method::GET, "/v2/zones", None, &P2).await;
    assert_eq!(r.count("zones"), 1, "{}", r.text);
    assert_eq!(r.body["zones"][0]["shared"], true);
    api.call(Method::PATCH, &zone_path, Some(json!({"ttl": 600})), &P2)
        .await
        .assert_error(403, "forbidden");
    api.call(Method::DELETE, &zone_path, None, &P2)
        .await
        .assert_error(403, "forbidden");

    // The target creates a recordset there, and may change its own.
    let r = api
        .call(
            Method::POST,
            &format!("{zone_path}/recordsets"),
            Some(json!({"name": "p2.shared.example.org.", "type": "A", "records": ["192.0.2.2"]})),
            &P2,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["project_id"], "p2");
    let rs_path = format!(
        "{zone_path}/recordsets/{}",
        r.body["id"].as_str().unwrap_or_default()
    );
    let r = api.call(Method::GET, &rs_path, None, &P2).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = api
        .call(Method::GET, &format!("{zone_path}/recordsets"), None, &P1)
        .await;
    assert!(
        r.body["recordsets"]
            .as_array()
            .is_some_and(|a| a.iter().any(|rs| rs["name"] == "p2.shared.example.org.")),
        "the owner sees the target's recordset: {}",
        r.text
    );

    // Listing and reading shares.
    let r = api.call(Method::GET, &shares, None, &P1).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.count("shared_zones"), 1);
    assert_eq!(r.body["metadata"]["total_count"], 1);
    let r = api
        .call(
            Method::GET,
            &format!("{shares}?target_project_id=p2"),
            None,
            &P2,
        )
        .await;
    assert_eq!(r.count("shared_zones"), 1, "{}", r.text);
    api.call(
        Method::GET,
        &format!("{shares}?target_project_id=p9"),
        None,
        &P2,
    )
    .await
    .assert_error(403, "forbidden");
    let r = api.call(Method::GET, &shares, None, &P3).await;
    assert_eq!(r.count("shared_zones"), 0, "{}", r.text);
    api.call(Method::GET, &format!("{shares}?sort_key=id"), None, &P1)
        .await
        .assert_error(400, "invalid_sort_key");
    let r = api.call(Method::GET, &share_path, None, &P1).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["id"], share_id.as_str());
    api.call(Method::GET, &share_path, None, &P2)
        .await
        .assert_error(403, "forbidden");
    api.call(Method::GET, &share_path, None, &P3)
        .await
        .assert_error(404, "shared_zone_not_found");
    api.call(
        Method::GET,
        &format!("{shares}/8b6a4e4c-5a1a-4a5e-9c4c-4a1f0d1b0c3e"),
        None,
        &P1,
    )
    .await
    .assert_error(404, "shared_zone_not_found");
    api.call(Method::GET, &format!("{shares}/nope"), None, &P1)
        .await
        .assert_error(400, "invalid_uuid");

    // Unshare: refused while p2 owns a recordset; the zone delete needs the switch.
    api.call(Method::DELETE, &share_path, None, &P1)
        .await
        .assert_error(400, "shared_zone_has_recordsets");
    api.call(Method::DELETE, &share_path, None, &P2)
        .await
        .assert_error(403, "forbidden");
    api.call(Method::DELETE, &zone_path, None, &P1)
        .await
        .assert_error(400, "zone_is_shared");
    let r = api.call(Method::DELETE, &rs_path, None, &P2).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let r = api.call(Method::DELETE, &share_path, None, &P1).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    api.call(Method::GET, &zone_path, None, &P2)
        .await
        .assert_error(404, "zone_not_found");
    let r = api.call(Method::GET, &zone_path, None, &P1).await;
    assert_eq!(r.body["shared"], false);

    let r = api
        .call(
            Method::POST,
            &shares,
            Some(json!({"target_project_id": "p3"})),
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let r = api
        .call(
            Method::DELETE,
            &zone_path,
            None,
            &[
                ("x-auth-project-id", "p1"),
                ("x-roles", "member,reader"),
                ("x-designate-delete-shares", "true"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let r = api.call(Method::GET, &shares, None, &P1).await;
    assert_eq!(r.count("shared_zones"), 0, "{}", r.text);
}
