//! Operator policy overrides (`[oslo_policy] policy_file`) change the API's decisions, and the
//! request switches follow the policy rules that guard them.

use std::sync::Arc;

use designate_api::{ApiConfig, Policy};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::common::start_with;

fn policy(yaml: &str) -> Arc<Policy> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("policy.yaml");
    std::fs::write(&path, yaml).expect("write policy");
    Arc::new(Policy::from_file(&path).expect("policy loads"))
}

const MEMBER: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "member")];
const READER: [(&str, &str); 2] = [("x-auth-project-id", "p1"), ("x-roles", "reader")];

#[tokio::test]
async fn override_file_restricts_and_widens_rules() {
    let api = start_with(ApiConfig {
        policy: policy(
            "# only admins create zones; auditors may list; nobody deletes\n\
             create_zone: rule:admin\n\
             zone_auditor: role:auditor and project_id:%(project_id)s\n\
             find_zones: rule:zone_auditor or (role:reader and project_id:%(project_id)s)\n\
             delete_zone: \"!\"\n\
             get_zone: \"'example-only.org.':%(zone_name)s or rule:admin\"\n",
        ),
        ..ApiConfig::default()
    })
    .await;
    let body = json!({"name": "p1.example.org.", "email": "a@example.org"});
    api.call(Method::POST, "/v2/zones", Some(body.clone()), &MEMBER)
        .await
        .assert_error(403, "forbidden");
    let admin = [("x-auth-project-id", "p1"), ("x-roles", "admin")];
    let r = api
        .call(Method::POST, "/v2/zones", Some(body), &admin)
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let id = r.body["id"].as_str().unwrap_or_default().to_owned();

    let auditor = [("x-auth-project-id", "p1"), ("x-roles", "auditor")];
    let r = api.call(Method::GET, "/v2/zones", None, &auditor).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["metadata"]["total_count"], 1);
    let other_auditor = [("x-auth-project-id", "p2"), ("x-roles", "auditor")];
    let r = api
        .call(Method::GET, "/v2/zones", None, &other_auditor)
        .await;
    assert_eq!(r.body["metadata"]["total_count"], 0, "own project only");

    // get_zone now depends on the zone's name: p1's member may not see its own zone.
    api.call(Method::GET, &format!("/v2/zones/{id}"), None, &READER)
        .await
        .assert_error(403, "forbidden");
    api.call(Method::DELETE, &format!("/v2/zones/{id}"), None, &admin)
        .await
        .assert_error(403, "forbidden");
}

#[tokio::test]
async fn switches_follow_their_rules() {
    // Defaults: only admins may use all-projects and hard-delete.
    let api = start_with(ApiConfig::default()).await;
    api.call(
        Method::GET,
        "/v2/zones",
        None,
        &[("x-roles", "member"), ("x-auth-all-projects", "true")],
    )
    .await
    .assert_error(403, "forbidden");

    // An operator may delegate all-projects to a read-only auditor role.
    let api = start_with(ApiConfig {
        policy: policy("all_tenants: role:admin or role:auditor\nfind_zones: \"@\"\n"),
        ..ApiConfig::default()
    })
    .await;
    let r = api
        .call(
            Method::GET,
            "/v2/zones?all_projects=true",
            None,
            &[("x-roles", "auditor")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    api.call(
        Method::GET,
        "/v2/zones",
        None,
        &[("x-roles", "auditor"), ("x-designate-hard-delete", "1")],
    )
    .await
    .assert_error(403, "forbidden");
}

#[test]
fn bad_policy_files_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("policy.yaml");
    for (text, needle) in [
        ("create_zone: role:admin and\n", "create_zone"),
        ("create_zone: rule:missing\n", "undefined rule"),
        ("[1, 2]\n", "not a mapping"),
    ] {
        std::fs::write(&path, text).expect("write");
        let err = Policy::from_file(&path).expect_err(text).to_string();
        assert!(err.contains(needle), "{text}: {err}");
        assert!(err.contains("policy.yaml"), "{err}");
    }
}
