//! `/v2/service_statuses` (admin-only heartbeat listing) and `/healthcheck` (bus and database
//! reachability for load balancers).

use std::sync::Arc;
use std::time::Duration;

use designate_api::ApiConfig;
use designate_bus::amqp::{AmqpConfig, CentralClient, Link, TransportUrl};
use designate_bus::CentralApi;
use designate_core::objects::ServiceStatus;
use designate_core::RequestContext;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::common::{assert_timestamp, keys, start};

const MEMBER: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member")];

async fn beat(api: &crate::common::Api, service: &str, host: &str, status: &str) {
    let now = chrono::Utc::now().naive_utc();
    api.central
        .update_service_status(
            &RequestContext::admin(),
            ServiceStatus {
                id: Uuid::new_v4(),
                service_name: service.into(),
                hostname: host.into(),
                heartbeated_at: Some(now),
                status: status.into(),
                stats: serde_json::json!({}),
                capabilities: serde_json::json!({}),
                created_at: now,
                updated_at: None,
            },
        )
        .await
        .expect("heartbeat");
}

#[tokio::test]
async fn service_statuses_list_show_filter_page_and_policy() {
    let api = start().await;
    beat(&api, "api", "h1", "UP").await;
    beat(&api, "central", "h1", "UP").await;
    beat(&api, "worker", "h2", "UP").await;
    // A second beat of the same (service, host) updates its row, never adds one.
    beat(&api, "worker", "h2", "STOPPED").await;

    let all = api.get("/v2/service_statuses").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.text);
    assert_eq!(all.count("service_statuses"), 3, "{}", all.text);
    assert_eq!(all.body["metadata"]["total_count"], 3);
    assert!(all.body["links"]["self"]
        .as_str()
        .is_some_and(|s| s.ends_with("/v2/service_statuses")));
    let worker = all.body["service_statuses"]
        .as_array()
        .and_then(|a| a.iter().find(|s| s["service_name"] == "worker"))
        .cloned()
        .expect("worker row");
    assert_eq!(
        keys(&worker),
        [
            "capabilities",
            "created_at",
            "heartbeated_at",
            "hostname",
            "id",
            "links",
            "service_name",
            "stats",
            "status",
            "updated_at"
        ]
    );
    assert_eq!(worker["status"], "STOPPED");
    assert_eq!(worker["hostname"], "h2");
    assert_timestamp(&worker["created_at"]);
    assert_timestamp(&worker["heartbeated_at"]);

    let id = worker["id"].as_str().expect("id");
    let one = api.get(&format!("/v2/service_statuses/{id}")).await;
    assert_eq!(one.status, StatusCode::OK, "{}", one.text);
    assert_eq!(one.body["id"], worker["id"]);
    assert_eq!(
        one.body["links"]["self"],
        format!("{}/v2/service_statuses/{id}", api.base)
    );

    let filtered = api.get("/v2/service_statuses?hostname=h1").await;
    assert_eq!(filtered.count("service_statuses"), 2, "{}", filtered.text);
    let wild = api.get("/v2/service_statuses?service_name=*er").await;
    assert_eq!(wild.count("service_statuses"), 1, "{}", wild.text);

    let first = api
        .get("/v2/service_statuses?limit=2&sort_key=service_name")
        .await;
    let names: Vec<&Value> = first.body["service_statuses"]
        .as_array()
        .map(|a| a.iter().map(|s| &s["service_name"]).collect())
        .unwrap_or_default();
    assert_eq!(names, ["api", "central"], "{}", first.text);
    let next = first.body["links"]["next"].as_str().expect("next link");
    let path = next.strip_prefix(&api.base).expect("same base");
    let second = api.get(path).await;
    assert_eq!(second.count("service_statuses"), 1, "{}", second.text);
    assert_eq!(second.body["service_statuses"][0]["service_name"], "worker");

    api.get("/v2/service_statuses?sort_key=stats")
        .await
        .assert_error(400, "invalid_sort_key");
    api.get("/v2/service_statuses?colour=red")
        .await
        .assert_error(400, "bad_request");
    api.get(&format!("/v2/service_statuses/{}", Uuid::new_v4()))
        .await
        .assert_error(404, "service_status_not_found");
    api.get("/v2/service_statuses/nope")
        .await
        .assert_error(400, "invalid_uuid");
    api.call(Method::GET, "/v2/service_statuses", None, &MEMBER)
        .await
        .assert_error(403, "forbidden");
    api.call(
        Method::GET,
        &format!("/v2/service_statuses/{id}"),
        None,
        &MEMBER,
    )
    .await
    .assert_error(403, "forbidden");
}

#[tokio::test]
async fn healthcheck_is_ok_when_central_reads_its_store() {
    let api = start().await;
    let r = api.get("/healthcheck").await;
    assert_eq!((r.status, r.text.as_str()), (StatusCode::OK, "OK"));
    assert!(r.headers["content-type"]
        .to_str()
        .is_ok_and(|c| c.starts_with("text/plain")));
    let head = api.call(Method::HEAD, "/healthcheck", None, &[]).await;
    assert_eq!(head.status, StatusCode::NO_CONTENT);
    let json = api
        .call(
            Method::GET,
            "/healthcheck",
            None,
            &[("accept", "application/json")],
        )
        .await;
    assert_eq!(json.status, StatusCode::OK);
    assert_eq!(
        json.body,
        serde_json::json!({"detailed": false, "reasons": ["OK"]})
    );
}

/// An API whose bus leads nowhere (a closed port): the check answers 503 with the reason, fast,
/// rather than hanging or pretending to be healthy.
#[tokio::test]
async fn healthcheck_is_503_when_the_bus_is_unreachable() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let url = TransportUrl::parse(&format!("rabbit://guest:guest@127.0.0.1:{port}/")).expect("url");
    let mut amqp = AmqpConfig::new(url);
    amqp.rpc_timeout = Duration::from_millis(500);
    let central: Arc<dyn CentralApi> = Arc::new(CentralClient::new(Link::new(amqp, "hc-test")));

    let config = ApiConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        ..ApiConfig::default()
    };
    let listener = designate_api::bind(&config).await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let shutdown = CancellationToken::new();
    let _stop = shutdown.clone().drop_guard();
    tokio::spawn(designate_api::serve(
        listener,
        designate_api::router(central, config),
        shutdown,
    ));

    let started = std::time::Instant::now();
    let r = reqwest::get(format!("{base}/healthcheck"))
        .await
        .expect("send");
    assert!(started.elapsed() < Duration::from_secs(6));
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let text = r.text().await.expect("body");
    assert!(text.starts_with("message bus"), "{text}");
}

/// oslo's `disable_by_file` backend: while the operator's file exists the API is drained.
#[tokio::test]
async fn healthcheck_is_503_while_the_disable_file_exists() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("healthcheck_disable");
    let api = crate::common::start_with(ApiConfig {
        healthcheck_disable_file: Some(file.clone()),
        ..ApiConfig::default()
    })
    .await;
    assert_eq!(api.get("/healthcheck").await.status, StatusCode::OK);
    std::fs::write(&file, "").expect("touch");
    let r = api.get("/healthcheck").await;
    assert_eq!(
        (r.status, r.text.as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, "DISABLED BY FILE")
    );
    std::fs::remove_file(&file).expect("rm");
    assert_eq!(api.get("/healthcheck").await.status, StatusCode::OK);
}
