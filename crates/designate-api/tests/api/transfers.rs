//! Zone transfers over HTTP: requests and accepts with upstream's bodies, codes, errors and
//! policies (the target sees a reduced request; the key moves the zone).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{assert_timestamp, keys, start, Api};

const P1: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member,reader")];
const P2: [(&str, &str); 2] = [("x-auth-project-id", "p2"), ("x-roles", "member,reader")];
const P3: [(&str, &str); 2] = [("x-auth-project-id", "p3"), ("x-roles", "member,reader")];

async fn zone_of(api: &Api, who: &[(&str, &str)], name: &str) -> String {
    let r = api
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": name, "email": "hostmaster@example.org"})),
            who,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    r.body["id"].as_str().unwrap_or_default().to_owned()
}

async fn offer(api: &Api, who: &[(&str, &str)], zone_id: &str, body: Option<Value>) -> Value {
    let r = api
        .call(
            Method::POST,
            &format!("/v2/zones/{zone_id}/tasks/transfer_requests"),
            body,
            who,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    r.body
}

#[tokio::test]
async fn transfer_request_and_accept() {
    let api = start().await;
    let zone_id = zone_of(&api, &P1, "moving.example.org.").await;
    let r = api
        .call(
            Method::POST,
            &format!("/v2/zones/{zone_id}/recordsets"),
            Some(json!({"name": "www.moving.example.org.", "type": "A", "records": ["192.0.2.1"]})),
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);

    let request = offer(
        &api,
        &P1,
        &zone_id,
        Some(json!({"target_project_id": "p2", "description": "for p2"})),
    )
    .await;
    assert_eq!(
        keys(&request),
        [
            "created_at",
            "description",
            "id",
            "key",
            "links",
            "project_id",
            "status",
            "target_project_id",
            "updated_at",
            "zone_id",
            "zone_name"
        ]
    );
    assert_eq!(request["status"], "ACTIVE");
    assert_eq!(request["project_id"], "p1");
    assert_eq!(request["target_project_id"], "p2");
    assert_eq!(request["zone_id"], zone_id.as_str());
    assert_eq!(request["zone_name"], "moving.example.org.");
    assert_timestamp(&request["created_at"]);
    let key = request["key"].as_str().unwrap_or_default().to_owned();
    assert_eq!(key.len(), 8);
    let id = request["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/v2/zones/tasks/transfer_requests/{id}");
    assert_eq!(
        request["links"]["self"],
        format!("{}{path}", api.base).as_str()
    );

    // The target sees the request without the owner's details (and without the key).
    let r = api.call(Method::GET, &path, None, &P2).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "description",
            "id",
            "links",
            "status",
            "zone_id",
            "zone_name"
        ]
    );
    let r = api
        .call(Method::GET, "/v2/zones/tasks/transfer_requests", None, &P2)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.count("transfer_requests"), 1);
    assert!(r.body["transfer_requests"][0].get("key").is_none());
    assert_eq!(r.body["metadata"]["total_count"], 1);
    let r = api.call(Method::GET, &path, None, &P1).await;
    assert_eq!(r.body["key"], key.as_str());
    // Any other project: forbidden by policy.
    api.call(Method::GET, &path, None, &P3)
        .await
        .assert_error(403, "forbidden");
    let r = api
        .call(Method::GET, "/v2/zones/tasks/transfer_requests", None, &P3)
        .await;
    assert_eq!(r.count("transfer_requests"), 0);

    let r = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"description": "still for p2"})),
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["description"], "still for p2");
    assert_timestamp(&r.body["updated_at"]);

    // Accept: wrong key, then right key.
    let accept = |key: &str| json!({"zone_transfer_request_id": id, "key": key});
    api.call(
        Method::POST,
        "/v2/zones/tasks/transfer_accepts",
        Some(accept("WRONGKEY")),
        &P2,
    )
    .await
    .assert_error(403, "invalid_key");
    let r = api
        .call(
            Method::POST,
            "/v2/zones/tasks/transfer_accepts",
            Some(accept(&key)),
            &P2,
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "created_at",
            "id",
            "key",
            "links",
            "project_id",
            "status",
            "updated_at",
            "zone_id",
            "zone_transfer_request_id"
        ]
    );
    assert_eq!(r.body["status"], "COMPLETE");
    assert_eq!(r.body["project_id"], "p2");
    assert_eq!(r.body["key"], key.as_str());
    assert_eq!(r.body["zone_id"], zone_id.as_str());
    assert_eq!(
        r.body["links"]["zone"],
        format!("{}/v2/zones/{zone_id}", api.base).as_str()
    );
    let accept_id = r.body["id"].as_str().unwrap_or_default().to_owned();
    let accept_path = format!("/v2/zones/tasks/transfer_accepts/{accept_id}");
    assert_eq!(
        r.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(format!("{}{accept_path}", api.base).as_str())
    );

    // The zone and its recordsets are p2's now.
    api.call(Method::GET, &format!("/v2/zones/{zone_id}"), None, &P1)
        .await
        .assert_error(404, "zone_not_found");
    let r = api
        .call(Method::GET, &format!("/v2/zones/{zone_id}"), None, &P2)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["project_id"], "p2");
    let r = api
        .call(
            Method::GET,
            &format!("/v2/zones/{zone_id}/recordsets?name=www.moving.example.org."),
            None,
            &P2,
        )
        .await;
    assert_eq!(r.count("recordsets"), 1, "{}", r.text);
    assert_eq!(r.body["recordsets"][0]["project_id"], "p2");

    let r = api.call(Method::GET, &path, None, &P1).await;
    assert_eq!(r.body["status"], "COMPLETE");
    api.call(
        Method::POST,
        "/v2/zones/tasks/transfer_accepts",
        Some(accept(&key)),
        &P2,
    )
    .await
    .assert_error(400, "invalid_zone_transfer_request");

    // The accept: its project reads it; listing accepts is admin-only.
    let r = api.call(Method::GET, &accept_path, None, &P2).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(r.body["key"].is_null(), "keys are not stored");
    api.call(Method::GET, &accept_path, None, &P1)
        .await
        .assert_error(404, "zone_transfer_accept_not_found");
    api.call(Method::GET, "/v2/zones/tasks/transfer_accepts", None, &P2)
        .await
        .assert_error(403, "forbidden");
    let r = api
        .call(
            Method::GET,
            "/v2/zones/tasks/transfer_accepts?status=COMPLETE",
            None,
            &[("x-auth-all-projects", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.count("transfer_accepts"), 1);
    assert_eq!(r.body["transfer_accepts"][0]["id"], accept_id.as_str());
    assert_eq!(r.body["metadata"]["total_count"], 1);

    // The owner withdraws the (used) request: 204, then 404.
    let r = api.call(Method::DELETE, &path, None, &P1).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    api.call(Method::GET, &path, None, &P1)
        .await
        .assert_error(404, "zone_transfer_request_not_found");
}

#[tokio::test]
async fn open_requests_empty_bodies_and_errors() {
    let api = start().await;
    let zone_id = zone_of(&api, &P1, "open.example.org.").await;
    // An empty body is allowed; no target means any project holding the key may accept.
    let request = offer(&api, &P1, &zone_id, None).await;
    assert!(request["target_project_id"].is_null());
    let id = request["id"].as_str().unwrap_or_default().to_owned();
    let key = request["key"].as_str().unwrap_or_default().to_owned();
    let path = format!("/v2/zones/tasks/transfer_requests/{id}");
    let r = api.call(Method::GET, &path, None, &P3).await;
    assert_eq!(
        r.status,
        StatusCode::OK,
        "open requests are readable: {}",
        r.text
    );
    assert!(r.body.get("key").is_none());

    let requests = format!("/v2/zones/{zone_id}/tasks/transfer_requests");
    api.call(Method::POST, &requests, Some(json!({})), &P1)
        .await
        .assert_error(409, "duplicate_zone_transfer_request");
    // A JSON `null` body is no body (tempest's create_transfer_request_empty_body sends it).
    api.call(Method::POST, &requests, Some(json!(null)), &P1)
        .await
        .assert_error(409, "duplicate_zone_transfer_request");
    api.call(Method::POST, &requests, Some(json!({"key": "MINE"})), &P1)
        .await
        .assert_error(400, "invalid_object");
    api.call(
        Method::POST,
        &requests,
        Some(json!({"description": 1})),
        &P1,
    )
    .await
    .assert_error(400, "invalid_object");
    api.call(Method::POST, &requests, None, &P2)
        .await
        .assert_error(404, "zone_not_found");
    api.call(
        Method::POST,
        "/v2/zones/8b6a4e4c-5a1a-4a5e-9c4c-4a1f0d1b0c3e/tasks/transfer_requests",
        None,
        &P1,
    )
    .await
    .assert_error(404, "zone_not_found");
    api.call(
        Method::POST,
        "/v2/zones/nope/tasks/transfer_requests",
        None,
        &P1,
    )
    .await
    .assert_error(400, "invalid_uuid");
    api.call(
        Method::POST,
        &requests,
        Some(json!({})),
        &[("x-auth-project-id", "p1"), ("x-roles", "reader")],
    )
    .await
    .assert_error(403, "forbidden");

    // PATCH: only the owner; read-only fields only echoed; the target may be set once.
    api.call(Method::PATCH, &path, Some(json!({"description": "x"})), &P3)
        .await
        .assert_error(403, "forbidden");
    api.call(Method::PATCH, &path, Some(json!({"key": "OTHERKEY"})), &P1)
        .await
        .assert_error(400, "invalid_object");
    api.call(
        Method::PATCH,
        &path,
        Some(json!({"status": "COMPLETE"})),
        &P1,
    )
    .await
    .assert_error(400, "invalid_object");
    let r = api
        .call(
            Method::PATCH,
            &path,
            Some(json!({"target_project_id": "p2", "key": key})),
            &P1,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["target_project_id"], "p2");
    api.call(
        Method::PATCH,
        &path,
        Some(json!({"target_project_id": "p3"})),
        &P1,
    )
    .await
    .assert_error(400, "invalid_object");

    // Now aimed at p2: p3 can neither read nor accept it, even with the key.
    api.call(Method::GET, &path, None, &P3)
        .await
        .assert_error(403, "forbidden");
    let accept = json!({"zone_transfer_request_id": id, "key": key});
    let accepts = "/v2/zones/tasks/transfer_accepts";
    api.call(Method::POST, accepts, Some(accept.clone()), &P3)
        .await
        .assert_error(403, "forbidden");
    // The owner cannot accept its own request either (upstream's create_zone_transfer_accept).
    api.call(Method::POST, accepts, Some(accept.clone()), &P1)
        .await
        .assert_error(403, "forbidden");
    for (body, code, error_type) in [
        (
            json!({"zone_transfer_request_id": id}),
            400,
            "invalid_object",
        ),
        (json!({"key": key}), 404, "zone_transfer_request_not_found"),
        (
            json!({"zone_transfer_request_id": "nope", "key": key}),
            400,
            "invalid_object",
        ),
        (
            json!({"zone_transfer_request_id": id, "key": key, "zone_id": zone_id}),
            400,
            "invalid_object",
        ),
        (
            json!({"zone_transfer_request_id": "8b6a4e4c-5a1a-4a5e-9c4c-4a1f0d1b0c3e", "key": key}),
            404,
            "zone_transfer_request_not_found",
        ),
    ] {
        api.call(Method::POST, accepts, Some(body.clone()), &P2)
            .await
            .assert_error(code, error_type);
    }
    api.raw(Method::POST, accepts, None, b"{}".to_vec())
        .await
        .assert_error(415, "unsupported_content_type");

    // Over quota: p2 may own no more zones.
    let r = api
        .call(
            Method::PATCH,
            "/v2/quotas/p2",
            Some(json!({"zones": 0})),
            &[("x-auth-all-projects", "true")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    api.call(Method::POST, accepts, Some(accept), &P2)
        .await
        .assert_error(413, "over_quota");
    let r = api.call(Method::GET, &path, None, &P1).await;
    assert_eq!(r.body["status"], "ACTIVE", "nothing was written");

    // Unknown ids and bad paths.
    let unknown = "/v2/zones/tasks/transfer_requests/8b6a4e4c-5a1a-4a5e-9c4c-4a1f0d1b0c3e";
    for method in [Method::GET, Method::DELETE] {
        api.call(method, unknown, None, &P1)
            .await
            .assert_error(404, "zone_transfer_request_not_found");
    }
    api.call(
        Method::PATCH,
        unknown,
        Some(json!({"description": "x"})),
        &P1,
    )
    .await
    .assert_error(404, "zone_transfer_request_not_found");
    api.call(
        Method::GET,
        "/v2/zones/tasks/transfer_requests/nope",
        None,
        &P1,
    )
    .await
    .assert_error(400, "invalid_uuid");
    api.call(
        Method::GET,
        "/v2/zones/tasks/transfer_accepts/8b6a4e4c-5a1a-4a5e-9c4c-4a1f0d1b0c3e",
        None,
        &P1,
    )
    .await
    .assert_error(404, "zone_transfer_accept_not_found");
    api.call(
        Method::GET,
        "/v2/zones/tasks/transfer_requests?status=BOGUS&sort_key=name",
        None,
        &P1,
    )
    .await
    .assert_error(400, "invalid_sort_key");

    // A stranger cannot withdraw it: it does not exist for them.
    api.call(Method::DELETE, &path, None, &P3)
        .await
        .assert_error(404, "zone_transfer_request_not_found");
    let r = api.call(Method::DELETE, &path, None, &P1).await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
}
