//! Zones, version discovery and health check: success paths, pagination, filters, sorting,
//! project scoping.

use reqwest::{Method, StatusCode};
use serde_json::json;

use designate_api::ApiConfig;

use crate::common::{assert_timestamp, keys, start, start_with};

#[tokio::test]
async fn versions_and_healthcheck() {
    let api = start().await;
    for path in ["/", "/v2"] {
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        let versions = r.body["versions"].as_array().expect("versions");
        assert!(versions
            .iter()
            .any(|v| v["id"] == "v2" && v["status"] == "SUPPORTED"));
        assert_eq!(
            versions.iter().filter(|v| v["status"] == "CURRENT").count(),
            1
        );
        assert_eq!(
            versions[0]["links"][0],
            json!({"href": format!("{}/v2", api.base), "rel": "self"})
        );
        assert_eq!(versions[0]["links"][1]["rel"], "help");
    }
    let r = api.get("/healthcheck").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.text, "OK");
}

#[tokio::test]
async fn create_show_update_delete_zone() {
    let api = start().await;
    let r = api
        .post(
            "/v2/zones",
            json!({"name": "example.org.", "email": "joe@example.org", "ttl": 7200, "description": "An example"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert!(r.headers["x-openstack-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req-"));
    let zone = r.body;
    assert_eq!(
        keys(&zone),
        [
            "action",
            "attributes",
            "created_at",
            "description",
            "email",
            "id",
            "links",
            "masters",
            "name",
            "pool_id",
            "project_id",
            "serial",
            "shared",
            "status",
            "transferred_at",
            "ttl",
            "type",
            "updated_at",
            "version"
        ]
    );
    let id = zone["id"].as_str().unwrap().to_owned();
    let self_link = format!("{}/v2/zones/{id}", api.base);
    assert_eq!(r.headers["location"], self_link.as_str());
    assert_eq!(zone["links"], json!({"self": self_link}));
    assert_eq!(zone["name"], "example.org.");
    assert_eq!(zone["email"], "joe@example.org");
    assert_eq!(zone["ttl"], 7200);
    assert_eq!(zone["description"], "An example");
    assert_eq!(zone["status"], "PENDING");
    assert_eq!(zone["action"], "CREATE");
    assert_eq!(zone["type"], "PRIMARY");
    assert_eq!(zone["project_id"], "noauth-project");
    assert_eq!(zone["masters"], json!([]));
    assert_eq!(zone["attributes"], json!({}));
    assert_eq!(zone["shared"], false);
    assert!(zone["serial"].as_u64().unwrap() > 0);
    assert!(zone["pool_id"].is_string());
    assert!(zone["version"].is_number());
    assert_timestamp(&zone["created_at"]);
    assert!(zone["transferred_at"].is_null());

    let r = api.get(&format!("/v2/zones/{id}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["id"], id.as_str());
    assert_eq!(r.body["name"], "example.org.");

    // Once the worker reports success the zone is ACTIVE / NONE.
    api.mark_active(&id).await;
    let r = api.get(&format!("/v2/zones/{id}")).await;
    assert_eq!(r.body["status"], "ACTIVE", "{}", r.text);
    assert_eq!(r.body["action"], "NONE");

    // PATCH: the writable fields, with read-only ones echoed unchanged.
    let serial = r.body["serial"].as_u64().unwrap();
    let r = api
        .call(
            Method::PATCH,
            &format!("/v2/zones/{id}"),
            Some(json!({"ttl": 600, "description": null, "email": "hostmaster@example.org", "name": "example.org."})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["ttl"], 600);
    assert!(r.body["description"].is_null());
    assert_eq!(r.body["email"], "hostmaster@example.org");
    assert_eq!(r.body["status"], "PENDING");
    assert_eq!(r.body["action"], "UPDATE");
    assert!(r.body["serial"].as_u64().unwrap() > serial);
    assert_timestamp(&r.body["updated_at"]);

    let r = api
        .call(Method::DELETE, &format!("/v2/zones/{id}"), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["id"], id.as_str());
    assert_eq!(r.body["action"], "DELETE");
    assert_eq!(r.body["status"], "PENDING");

    // A zone being deleted cannot be updated.
    let r = api
        .call(
            Method::PATCH,
            &format!("/v2/zones/{id}"),
            Some(json!({"ttl": 60})),
            &[],
        )
        .await;
    r.assert_error(400, "bad_request");
}

#[tokio::test]
async fn duplicate_and_missing_zones() {
    let api = start().await;
    api.zone("example.org.").await;
    let r = api
        .post(
            "/v2/zones",
            json!({"name": "example.org.", "email": "a@example.org"}),
        )
        .await;
    r.assert_error(409, "duplicate_zone");

    let missing = "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3";
    api.get(&format!("/v2/zones/{missing}"))
        .await
        .assert_error(404, "zone_not_found");
    api.call(
        Method::PATCH,
        &format!("/v2/zones/{missing}"),
        Some(json!({"ttl": 60})),
        &[],
    )
    .await
    .assert_error(404, "zone_not_found");
    api.call(Method::DELETE, &format!("/v2/zones/{missing}"), None, &[])
        .await
        .assert_error(404, "zone_not_found");
}

#[tokio::test]
async fn pagination_links_and_total_count() {
    let api = start().await;
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(
            api.zone(&format!("zone{i}.example.org.")).await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let r = api.get("/v2/zones?limit=2").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["metadata"], json!({"total_count": 5}));
    assert_eq!(
        r.body["links"]["self"],
        format!("{}/v2/zones?limit=2", api.base)
    );
    let page1: Vec<&str> = r.body["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| z["id"].as_str().unwrap())
        .collect();
    assert_eq!(page1.len(), 2);
    let next = r.body["links"]["next"]
        .as_str()
        .expect("next link")
        .to_owned();
    assert_eq!(
        next,
        format!("{}/v2/zones?limit=2&marker={}", api.base, page1[1])
    );

    let mut seen: Vec<String> = page1.iter().map(|s| (*s).to_owned()).collect();
    let mut next = Some(next);
    let mut pages = 1;
    while let Some(url) = next {
        let path = url.trim_start_matches(&api.base);
        let r = api.get(path).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["metadata"]["total_count"], 5);
        seen.extend(
            r.body["zones"]
                .as_array()
                .unwrap()
                .iter()
                .map(|z| z["id"].as_str().unwrap().to_owned()),
        );
        next = r.body["links"]["next"].as_str().map(str::to_owned);
        pages += 1;
        assert!(pages <= 4, "pagination does not terminate");
    }
    assert_eq!(pages, 3);
    let mut sorted_seen = seen.clone();
    sorted_seen.sort();
    sorted_seen.dedup();
    assert_eq!(sorted_seen.len(), 5, "every zone exactly once: {seen:?}");

    // Default limit is 20: no next link for 5 zones; limit=max works.
    let r = api.get("/v2/zones").await;
    assert!(r.body["links"].get("next").is_none());
    assert_eq!(r.count("zones"), 5);
    assert_eq!(api.get("/v2/zones?limit=max").await.count("zones"), 5);

    // A marker that names no zone.
    api.get("/v2/zones?marker=a86dba58-0043-4cc6-a1bb-69d5e86f3ca3")
        .await
        .assert_error(400, "marker_not_found");
}

#[tokio::test]
async fn filters_with_wildcards_and_sorting() {
    let api = start().await;
    for name in [
        "alpha.example.org.",
        "beta.example.org.",
        "gamma.example.net.",
    ] {
        api.zone(name).await;
    }
    let names = |r: &crate::common::Reply| -> Vec<String> {
        r.body["zones"]
            .as_array()
            .unwrap()
            .iter()
            .map(|z| z["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let r = api
        .get("/v2/zones?name=*.example.org.&sort_key=name&sort_dir=asc")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(names(&r), ["alpha.example.org.", "beta.example.org."]);
    assert_eq!(r.body["metadata"]["total_count"], 2);
    assert_eq!(
        r.body["links"]["self"],
        format!(
            "{}/v2/zones?name=%2A.example.org.&sort_key=name&sort_dir=asc",
            api.base
        )
    );

    let r = api.get("/v2/zones?sort_key=name&sort_dir=desc").await;
    assert_eq!(
        names(&r),
        [
            "gamma.example.net.",
            "beta.example.org.",
            "alpha.example.org."
        ]
    );

    let r = api.get("/v2/zones?name=beta.example.org.").await;
    assert_eq!(names(&r), ["beta.example.org."]);
    let r = api.get("/v2/zones?email=admin@gamma.example.net").await;
    assert_eq!(names(&r), ["gamma.example.net."]);
    let r = api
        .get("/v2/zones?status=PENDING&type=PRIMARY&ttl=3600")
        .await;
    assert_eq!(r.count("zones"), 3, "{}", r.text);
    let r = api.get("/v2/zones?status=ACTIVE").await;
    assert_eq!(r.count("zones"), 0);
}

#[tokio::test]
async fn projects_are_isolated() {
    let api = start().await;
    let zone = api.zone("mine.example.org.").await;
    let id = zone["id"].as_str().unwrap();
    let other = [
        ("x-auth-project-id", "other-project"),
        ("x-roles", "member"),
    ];
    let r = api
        .call(Method::GET, &format!("/v2/zones/{id}"), None, &other)
        .await;
    r.assert_error(404, "zone_not_found");
    let r = api.call(Method::GET, "/v2/zones", None, &other).await;
    assert_eq!(r.body["metadata"]["total_count"], 0);

    // all-projects needs admin; an admin of another project sees everything with it.
    let r = api
        .call(
            Method::GET,
            "/v2/zones",
            None,
            &[("x-roles", "member"), ("x-auth-all-projects", "true")],
        )
        .await;
    r.assert_error(403, "forbidden");
    let r = api
        .call(
            Method::GET,
            "/v2/zones",
            None,
            &[("x-auth-project-id", "p2"), ("x-auth-all-projects", "true")],
        )
        .await;
    assert_eq!(r.body["metadata"]["total_count"], 1, "{}", r.text);
    let r = api
        .call(
            Method::GET,
            "/v2/zones?all_projects=1",
            None,
            &[("x-auth-project-id", "p2")],
        )
        .await;
    assert_eq!(r.body["metadata"]["total_count"], 1);
    assert_eq!(
        r.body["links"]["self"],
        format!("{}/v2/zones", api.base),
        "context params are not echoed"
    );

    // Sudo acts as the other project.
    let r = api
        .call(
            Method::GET,
            &format!("/v2/zones/{id}"),
            None,
            &[
                ("x-auth-project-id", "p2"),
                ("x-auth-sudo-project-id", "noauth-project"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
}

#[tokio::test]
async fn roles_follow_upstream_defaults() {
    let api = start().await;
    let zone = api.zone("example.org.").await;
    let id = zone["id"].as_str().unwrap();
    let reader = [("x-roles", "reader")];
    let r = api
        .call(Method::GET, &format!("/v2/zones/{id}"), None, &reader)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = api
        .call(
            Method::GET,
            &format!("/v2/zones/{id}/recordsets"),
            None,
            &reader,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let r = api
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "r.example.org.", "email": "a@example.org"})),
            &reader,
        )
        .await;
    r.assert_error(403, "forbidden");
    assert!(r.body.get("message").is_none(), "{}", r.text);
    api.call(Method::DELETE, &format!("/v2/zones/{id}"), None, &reader)
        .await
        .assert_error(403, "forbidden");
    api.call(
        Method::POST,
        &format!("/v2/zones/{id}/recordsets"),
        Some(json!({"name": "www.example.org.", "type": "A", "records": ["192.0.2.1"]})),
        &reader,
    )
    .await
    .assert_error(403, "forbidden");

    let member = [("x-roles", "member")];
    let r = api
        .call(
            Method::POST,
            "/v2/zones",
            Some(json!({"name": "m.example.org.", "email": "a@example.org"})),
            &member,
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    api.call(Method::GET, "/v2/zones", None, &[("x-roles", "observer")])
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test]
async fn links_use_configured_base_uri() {
    let api = start_with(ApiConfig {
        api_base_uri: Some("https://dns.example.com:9001/".into()),
        ..ApiConfig::default()
    })
    .await;
    let zone = api.zone("example.org.").await;
    let id = zone["id"].as_str().unwrap();
    assert_eq!(
        zone["links"]["self"],
        format!("https://dns.example.com:9001/v2/zones/{id}")
    );
    let r = api.get("/v2/zones?limit=1").await;
    assert_eq!(
        r.body["links"]["self"],
        "https://dns.example.com:9001/v2/zones?limit=1"
    );
    assert_eq!(
        r.body["links"]["next"],
        format!("https://dns.example.com:9001/v2/zones?limit=1&marker={id}")
    );
    let r = api.get("/").await;
    assert_eq!(
        r.body["versions"][0]["links"][0]["href"],
        "https://dns.example.com:9001/v2"
    );
}
