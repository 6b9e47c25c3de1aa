//! `GET /v2/zones/{id}/nameservers`, `POST /v2/zones/{id}/tasks/abandon`, `…/tasks/xfr` and
//! `…/tasks/pool_move`.

use reqwest::{Method, StatusCode};
use serde_json::json;

use designate_bus::ZoneTask;

use crate::common::{start, Api};

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
    let id = id_of(&zone);
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
    let id = id_of(&zone);
    api.recordset(&id, "www.abandon.example.org.", "A", &["192.0.2.1"])
        .await;
    let path = format!("/v2/zones/{id}/tasks/abandon");

    // Admin only; the zone must be visible.
    api.call(Method::POST, &path, None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
    common_zone_action_errors(&api, &id, "abandon", None).await;

    // A zone with a sub-zone cannot go.
    let sub = api.zone("sub.abandon.example.org.").await;
    api.call(Method::POST, &path, None, &[])
        .await
        .assert_error(400, "zone_has_sub_zone");
    let sub_id = id_of(&sub);
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

fn id_of(v: &serde_json::Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

/// The error cases every zone action shares: a malformed id, a zone that does not exist,
/// another project's zone, and a method other than POST.
async fn common_zone_action_errors(
    api: &Api,
    zone_id: &str,
    action: &str,
    body: Option<serde_json::Value>,
) {
    let path = format!("/v2/zones/{zone_id}/tasks/{action}");
    api.call(Method::POST, &path, body.clone(), &OTHER)
        .await
        .assert_error(404, "zone_not_found");
    api.call(
        Method::POST,
        &format!("/v2/zones/nope/tasks/{action}"),
        body.clone(),
        &[],
    )
    .await
    .assert_error(400, "invalid_uuid");
    api.call(
        Method::POST,
        &format!("/v2/zones/{}/tasks/{action}", uuid::Uuid::new_v4()),
        body,
        &[],
    )
    .await
    .assert_error(404, "zone_not_found");
    api.call(Method::GET, &path, None, &[])
        .await
        .assert_error(405, "method_not_allowed");
}

#[tokio::test]
async fn xfr_asks_the_worker_to_transfer_a_secondary_zone() {
    let api = start().await;
    let r = api
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "sec.example.org.", "type": "SECONDARY",
                "masters": ["192.0.2.53"]})),
            &MEMBER,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let id = id_of(&r.body);
    api.casts_for(&id);
    let before = api.get(&format!("/v2/zones/{id}")).await.body;
    let path = format!("/v2/zones/{id}/tasks/xfr");

    // The owner's member may ask; its reader may not.
    let r = api.call(Method::POST, &path, None, &MEMBER).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert!(r.text.is_empty(), "{}", r.text);
    assert_eq!(api.casts_for(&id), vec![ZoneTask::Transfer]);
    api.call(Method::POST, &path, None, &READER)
        .await
        .assert_error(403, "forbidden");
    assert!(api.casts_for(&id).is_empty());
    // Nothing about the zone changes until the transfer reports back.
    assert_eq!(api.get(&format!("/v2/zones/{id}")).await.body, before);
    common_zone_action_errors(&api, &id, "xfr", Some(json!({}))).await;

    // A PRIMARY zone has no masters to transfer from.
    let primary = id_of(&api.zone("prim.example.org.").await);
    api.casts_for(&primary);
    api.call(
        Method::POST,
        &format!("/v2/zones/{primary}/tasks/xfr"),
        None,
        &[],
    )
    .await
    .assert_error(400, "bad_request");
    assert!(api.casts_for(&primary).is_empty());
}

#[tokio::test]
async fn pool_move_puts_the_zone_on_another_pool() {
    let api = start().await;
    let default_pool = api.get("/v2/pools?name=default").await.body["pools"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = api
        .post(
            "/v2/pools",
            json!({"name": "gold", "ns_records": [{"hostname": "ns1.gold.example.net.",
                "priority": 1}]}),
        )
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let gold = id_of(&r.body);
    let r = api.post("/v2/pools", json!({"name": "empty"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let empty = id_of(&r.body);

    let zone = api.zone("move.example.org.").await;
    let id = id_of(&zone);
    api.mark_active(&id).await;
    api.casts_for(&id);
    let path = format!("/v2/zones/{id}/tasks/pool_move");

    // Admin only.
    api.call(Method::POST, &path, Some(json!({"pool_id": gold})), &MEMBER)
        .await
        .assert_error(403, "forbidden");
    common_zone_action_errors(&api, &id, "pool_move", Some(json!({"pool_id": gold}))).await;
    // Upstream's 400s: the zone's own pool, a pool that does not exist, a bad id, fields a
    // zone does not have; a target pool without NS records cannot serve the zone.
    for (body, want) in [
        (json!({"pool_id": default_pool}), "bad_request"),
        (
            json!({"pool_id": uuid::Uuid::new_v4().to_string()}),
            "bad_request",
        ),
        (json!({"pool_id": "nope"}), "invalid_object"),
        (json!({"pool_id": 7}), "invalid_object"),
        (json!({"pool_id": gold, "colour": "red"}), "invalid_object"),
    ] {
        api.post(&path, body.clone()).await.assert_error(400, want);
    }
    api.post(&path, json!({"pool_id": empty}))
        .await
        .assert_error(500, "no_servers_configured");
    assert!(
        api.casts_for(&id).is_empty(),
        "a refused move casts nothing"
    );
    let unchanged = api.get(&format!("/v2/zones/{id}")).await.body;
    assert_eq!(unchanged["pool_id"], default_pool.as_str());
    assert_eq!(unchanged["status"], "ACTIVE");

    // The move: 202 with no body, the zone on the new pool with its NS records, PENDING under a
    // new serial, and the worker told which pool it left.
    let r = api.post(&path, json!({"pool_id": gold})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert!(r.text.is_empty(), "{}", r.text);
    let moved = api.get(&format!("/v2/zones/{id}")).await.body;
    assert_eq!(moved["pool_id"], gold.as_str());
    assert_eq!(moved["status"], "PENDING");
    assert!(
        moved["serial"].as_u64() > zone["serial"].as_u64(),
        "{moved}"
    );
    let from_pool = uuid::Uuid::parse_str(&default_pool).expect("uuid");
    assert_eq!(api.casts_for(&id), vec![ZoneTask::Move { from_pool }]);
    let ns = api
        .get(&format!("/v2/zones/{id}/recordsets?type=NS"))
        .await
        .body;
    assert_eq!(
        ns["recordsets"][0]["records"],
        json!(["ns1.gold.example.net."])
    );
    let nameservers = api.get(&format!("/v2/zones/{id}/nameservers")).await.body;
    assert_eq!(
        nameservers,
        json!({"nameservers": [{"hostname": "ns1.gold.example.net.", "priority": 1}]})
    );

    // Without a pool_id the scheduler picks one; here that is the default pool again.
    api.mark_active(&id).await;
    api.casts_for(&id);
    let r = api.post(&path, json!({})).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(
        api.get(&format!("/v2/zones/{id}")).await.body["pool_id"],
        default_pool.as_str()
    );
    let from_pool = uuid::Uuid::parse_str(&gold).expect("uuid");
    assert_eq!(api.casts_for(&id), vec![ZoneTask::Move { from_pool }]);

    // A zone being deleted stays where it is.
    let r = api
        .call(Method::DELETE, &format!("/v2/zones/{id}"), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    api.post(&path, json!({"pool_id": gold}))
        .await
        .assert_error(400, "bad_request");
}
