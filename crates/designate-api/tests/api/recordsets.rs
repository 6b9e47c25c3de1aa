//! Recordsets: nested and cross-zone routes, bodies, filters, placement conflicts, managed
//! recordsets.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{assert_timestamp, keys, start, Api};

async fn zone_id(api: &Api, name: &str) -> String {
    api.zone(name).await["id"].as_str().unwrap().to_owned()
}

fn names_types(body: &Value) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = body["recordsets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn create_show_replace_delete_recordset() {
    let api = start().await;
    let zid = zone_id(&api, "example.org.").await;
    let r = api
        .post(
            &format!("/v2/zones/{zid}/recordsets"),
            json!({"name": "www.example.org.", "type": "A", "records": ["192.0.2.1", "192.0.2.2"], "ttl": 3600, "description": "web"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let rs = r.body;
    assert_eq!(
        keys(&rs),
        [
            "action",
            "created_at",
            "description",
            "id",
            "links",
            "name",
            "project_id",
            "records",
            "status",
            "ttl",
            "type",
            "updated_at",
            "version",
            "zone_id",
            "zone_name"
        ]
    );
    let id = rs["id"].as_str().unwrap().to_owned();
    let self_link = format!("{}/v2/zones/{zid}/recordsets/{id}", api.base);
    assert_eq!(r.headers["location"], self_link.as_str());
    assert_eq!(rs["links"], json!({"self": self_link}));
    assert_eq!(rs["zone_id"], zid.as_str());
    assert_eq!(rs["zone_name"], "example.org.");
    assert_eq!(rs["project_id"], "noauth-project");
    assert_eq!(rs["type"], "A");
    assert_eq!(rs["ttl"], 3600);
    assert_eq!(rs["description"], "web");
    assert_eq!(rs["status"], "PENDING");
    assert_eq!(rs["action"], "CREATE");
    let mut records: Vec<&str> = rs["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    records.sort_unstable();
    assert_eq!(records, ["192.0.2.1", "192.0.2.2"]);
    assert_timestamp(&rs["created_at"]);
    assert!(rs["updated_at"].is_null());

    let path = format!("/v2/zones/{zid}/recordsets/{id}");
    let r = api.get(&path).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["id"], id.as_str());

    // The cross-zone view redirects to the canonical location.
    let r = api.get(&format!("/v2/recordsets/{id}")).await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.headers["location"], self_link.as_str());

    api.mark_active(&zid).await;
    let r = api.get(&path).await;
    assert_eq!(r.body["status"], "ACTIVE", "{}", r.text);
    assert_eq!(r.body["action"], "NONE");

    // PUT replaces the records; the unchanged name/type may be echoed back.
    let r = api
        .call(
            Method::PUT,
            &path,
            Some(json!({"records": ["192.0.2.3"], "ttl": null, "description": "new", "name": "www.example.org.", "type": "A"})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["records"], json!(["192.0.2.3"]));
    assert!(r.body["ttl"].is_null());
    assert_eq!(r.body["description"], "new");
    assert_eq!(r.body["status"], "PENDING");
    assert_eq!(r.body["action"], "UPDATE");

    // A changed immutable field is refused.
    let r = api
        .call(
            Method::PUT,
            &path,
            Some(json!({"name": "web.example.org."})),
            &[],
        )
        .await;
    r.assert_error(400, "invalid_object");

    let r = api.call(Method::DELETE, &path, None, &[]).await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(r.body["id"], id.as_str());
    api.get(&path)
        .await
        .assert_error(404, "recordset_not_found");
    api.get(&format!("/v2/recordsets/{id}"))
        .await
        .assert_error(404, "recordset_not_found");
}

#[tokio::test]
async fn listing_filters_and_cross_zone_view() {
    let api = start().await;
    let z1 = zone_id(&api, "example.org.").await;
    let z2 = zone_id(&api, "example.net.").await;
    api.recordset(&z1, "www.example.org.", "A", &["192.0.2.1"])
        .await;
    api.recordset(&z1, "mail.example.org.", "A", &["192.0.2.25"])
        .await;
    api.recordset(&z1, "example.org.", "MX", &["10 mail.example.org."])
        .await;
    api.recordset(&z2, "www.example.net.", "A", &["198.51.100.1"])
        .await;

    // In a zone: the managed SOA and NS plus ours.
    let r = api.get(&format!("/v2/zones/{z1}/recordsets")).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["metadata"]["total_count"], 5);
    assert_eq!(
        r.body["links"]["self"],
        format!("{}/v2/zones/{z1}/recordsets", api.base)
    );
    let got = names_types(&r.body);
    assert!(
        got.contains(&("example.org.".into(), "SOA".into())),
        "{got:?}"
    );
    assert!(
        got.contains(&("example.org.".into(), "NS".into())),
        "{got:?}"
    );

    let r = api.get(&format!("/v2/zones/{z1}/recordsets?type=A")).await;
    assert_eq!(
        names_types(&r.body),
        [
            ("mail.example.org.".into(), "A".into()),
            ("www.example.org.".into(), "A".into())
        ]
    );
    let r = api.get(&format!("/v2/zones/{z1}/recordsets?name=w*")).await;
    assert_eq!(
        names_types(&r.body),
        [("www.example.org.".into(), "A".into())]
    );
    let r = api
        .get(&format!("/v2/zones/{z1}/recordsets?data=192.0.2.*"))
        .await;
    assert_eq!(r.body["metadata"]["total_count"], 2, "{}", r.text);
    let r = api
        .get(&format!(
            "/v2/zones/{z1}/recordsets?type=A&sort_key=name&sort_dir=desc&limit=1"
        ))
        .await;
    assert_eq!(r.body["recordsets"][0]["name"], "www.example.org.");
    let next = r.body["links"]["next"]
        .as_str()
        .expect("next")
        .trim_start_matches(&api.base)
        .to_owned();
    let r = api.get(&next).await;
    assert_eq!(
        r.body["recordsets"][0]["name"], "mail.example.org.",
        "{}",
        r.text
    );

    // Across zones.
    let r = api.get("/v2/recordsets?type=A&name=www.*").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        names_types(&r.body),
        [
            ("www.example.net.".into(), "A".into()),
            ("www.example.org.".into(), "A".into())
        ]
    );
    for rs in r.body["recordsets"].as_array().unwrap() {
        let expected = format!(
            "{}/v2/zones/{}/recordsets/{}",
            api.base,
            rs["zone_id"].as_str().unwrap(),
            rs["id"].as_str().unwrap()
        );
        assert_eq!(rs["links"]["self"], expected);
    }
    let r = api
        .call(
            Method::GET,
            "/v2/recordsets",
            None,
            &[("openstack-dns-hide-counts", "true")],
        )
        .await;
    assert_eq!(r.body["metadata"], json!({}), "{}", r.text);
    let r = api.get("/v2/recordsets?sort_key=id").await;
    r.assert_error(400, "invalid_sort_key");

    // Another project sees none of them.
    let r = api
        .call(
            Method::GET,
            "/v2/recordsets",
            None,
            &[("x-auth-project-id", "other")],
        )
        .await;
    assert_eq!(r.body["metadata"]["total_count"], 0, "{}", r.text);
    // An empty page says 0 even when counts are hidden (upstream counts nothing there).
    let r = api
        .call(
            Method::GET,
            "/v2/recordsets",
            None,
            &[
                ("x-auth-project-id", "other"),
                ("openstack-dns-hide-counts", "true"),
            ],
        )
        .await;
    assert_eq!(r.body["metadata"], json!({"total_count": 0}), "{}", r.text);
    let r = api
        .call(
            Method::GET,
            &format!("/v2/zones/{z1}/recordsets"),
            None,
            &[("x-auth-project-id", "other")],
        )
        .await;
    r.assert_error(404, "zone_not_found");
}

#[tokio::test]
async fn conflicts_and_missing_parents() {
    let api = start().await;
    let zid = zone_id(&api, "example.org.").await;
    api.recordset(&zid, "www.example.org.", "A", &["192.0.2.1"])
        .await;
    let rs_path = format!("/v2/zones/{zid}/recordsets");

    let r = api
        .post(
            &rs_path,
            json!({"name": "www.example.org.", "type": "A", "records": ["192.0.2.9"]}),
        )
        .await;
    r.assert_error(409, "duplicate_recordset");
    let r = api
        .post(
            &rs_path,
            json!({"name": "www.example.org.", "type": "CNAME", "records": ["other.example.org."]}),
        )
        .await;
    r.assert_error(400, "invalid_recordset_location");
    let r = api
        .post(
            &rs_path,
            json!({"name": "example.org.", "type": "CNAME", "records": ["other.example.org."]}),
        )
        .await;
    r.assert_error(400, "invalid_recordset_location");
    let r = api
        .post(
            &rs_path,
            json!({"name": "www.example.com.", "type": "A", "records": ["192.0.2.1"]}),
        )
        .await;
    r.assert_error(400, "invalid_recordset_location");
    let r = api
        .post(
            &rs_path,
            json!({"name": "x.example.org.", "type": "A", "records": ["not-an-ip"]}),
        )
        .await;
    r.assert_error(400, "invalid_object");
    assert_eq!(
        r.body["errors"]["errors"][0]["path"],
        json!(["records", 0]),
        "{}",
        r.text
    );

    let missing = "a86dba58-0043-4cc6-a1bb-69d5e86f3ca3";
    let r = api
        .post(
            &format!("/v2/zones/{missing}/recordsets"),
            json!({"name": "a.example.org.", "type": "A", "records": ["192.0.2.1"]}),
        )
        .await;
    r.assert_error(404, "zone_not_found");
    api.get(&format!("/v2/zones/{missing}/recordsets"))
        .await
        .assert_error(404, "zone_not_found");
    api.get(&format!("/v2/zones/{zid}/recordsets/{missing}"))
        .await
        .assert_error(404, "recordset_not_found");
    api.call(
        Method::PUT,
        &format!("/v2/zones/{zid}/recordsets/{missing}"),
        Some(json!({"ttl": 5})),
        &[],
    )
    .await
    .assert_error(404, "recordset_not_found");
    api.call(
        Method::DELETE,
        &format!("/v2/zones/{zid}/recordsets/{missing}"),
        None,
        &[],
    )
    .await
    .assert_error(404, "recordset_not_found");
}

#[tokio::test]
async fn managed_soa_and_apex_ns_are_protected() {
    let api = start().await;
    let zid = zone_id(&api, "example.org.").await;
    let r = api
        .get(&format!("/v2/zones/{zid}/recordsets?type=SOA"))
        .await;
    let soa = r.body["recordsets"][0]["id"]
        .as_str()
        .expect("soa")
        .to_owned();
    let r = api
        .get(&format!("/v2/zones/{zid}/recordsets?type=NS"))
        .await;
    let ns = r.body["recordsets"][0]["id"]
        .as_str()
        .expect("ns")
        .to_owned();

    let r = api
        .post(
            &format!("/v2/zones/{zid}/recordsets"),
            json!({"name": "example.org.", "type": "SOA", "records": []}),
        )
        .await;
    r.assert_error(400, "bad_request");
    let soa_path = format!("/v2/zones/{zid}/recordsets/{soa}");
    let ns_path = format!("/v2/zones/{zid}/recordsets/{ns}");
    api.call(Method::PUT, &soa_path, Some(json!({"ttl": 5})), &[])
        .await
        .assert_error(400, "bad_request");
    api.call(Method::DELETE, &soa_path, None, &[])
        .await
        .assert_error(400, "bad_request");
    api.call(Method::PUT, &ns_path, Some(json!({"ttl": 5})), &[])
        .await
        .assert_error(400, "bad_request");
    let edit = [("x-designate-edit-managed-records", "true")];
    let r = api
        .call(Method::PUT, &ns_path, Some(json!({"ttl": 5})), &edit)
        .await;
    r.assert_error(400, "bad_request");
    assert!(
        r.body["message"].as_str().unwrap().contains("root zone NS"),
        "{}",
        r.text
    );
    // The guards come before the body's shape, as upstream's (tempest sends NS hosts as a list).
    let hosts = json!([{"hostname": "ns1.example.net.", "priority": 1}]);
    for path in [&soa_path, &ns_path] {
        api.call(Method::PUT, path, Some(hosts.clone()), &edit)
            .await
            .assert_error(400, "bad_request");
    }
}

#[tokio::test]
async fn svcb_https_and_tlsa_rules() {
    let api = start().await;
    let zid = zone_id(&api, "example.org.").await;
    let path = format!("/v2/zones/{zid}/recordsets");
    for (name, rtype, data) in [
        (
            "svc.example.org.",
            "SVCB",
            "1 svc.example.net. alpn=h2,h3 port=8443",
        ),
        ("example.org.", "HTTPS", "1 . alpn=h2 ipv4hint=192.0.2.1"),
        ("_443._tcp.www.example.org.", "TLSA", "3 1 0 AA BB CC DD"),
    ] {
        let r = api
            .post(
                &path,
                json!({"name": name, "type": rtype, "records": [data]}),
            )
            .await;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{rtype}: {}", r.text);
        assert_eq!(r.body["records"], json!([data]), "stored as submitted");
    }
    for (name, rtype, data, kind) in [
        (
            "svc2.example.org.",
            "SVCB",
            "1 svc.example.net. alpn=foo",
            "invalid_object",
        ),
        (
            "h2.example.org.",
            "HTTPS",
            "1 svc.example.net. port=foo",
            "invalid_object",
        ),
        ("www.example.org.", "TLSA", "3 1 0 aabb", "bad_request"),
        (
            "_99999._tcp.example.org.",
            "TLSA",
            "3 1 0 aabb",
            "bad_request",
        ),
        ("_443.tcp.example.org.", "TLSA", "3 1 0 aabb", "bad_request"),
    ] {
        api.post(
            &path,
            json!({"name": name, "type": rtype, "records": [data]}),
        )
        .await
        .assert_error(400, kind);
    }
}
