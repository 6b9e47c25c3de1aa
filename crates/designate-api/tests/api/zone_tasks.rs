//! Zone exports and imports: `/v2/zones/{id}/tasks/export`, `/v2/zones/tasks/exports[/{id}[/export]]`,
//! `/v2/zones/tasks/imports[/{id}]` — bodies, codes, task life cycle, upstream's error types and
//! import messages, nothing half-written, and the export → import round trip.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{assert_timestamp, keys, start, Api};

const OTHER: [(&str, &str); 2] = [("x-auth-project-id", "other"), ("x-roles", "member")];
const READER: [(&str, &str); 2] = [
    ("x-auth-project-id", "noauth-project"),
    ("x-roles", "reader"),
];

fn id_of(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

async fn import(api: &Api, text: &str) -> Value {
    let r = api
        .raw(
            Method::POST,
            "/v2/zones/tasks/imports",
            Some("text/dns"),
            text.as_bytes().to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let id = id_of(&r.body);
    api.settled_task(&format!("/v2/zones/tasks/imports/{id}"), 30)
        .await
}

/// Recordsets of a zone as comparable `(name, type, ttl, sorted records)`, SOA and apex NS
/// left out (they are the service's own).
async fn served_sets(
    api: &Api,
    zone_id: &str,
    zone_name: &str,
) -> Vec<(String, String, Option<i64>, Vec<String>)> {
    let r = api
        .get(&format!("/v2/zones/{zone_id}/recordsets?limit=1000"))
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let mut out: Vec<_> = r.body["recordsets"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|rs| rs["type"] != "SOA" && !(rs["type"] == "NS" && rs["name"] == zone_name))
        .map(|rs| {
            let mut records: Vec<String> = rs["records"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect();
            records.sort();
            (
                rs["name"].as_str().unwrap_or_default().to_owned(),
                rs["type"].as_str().unwrap_or_default().to_owned(),
                rs["ttl"].as_i64(),
                records,
            )
        })
        .collect();
    out.sort();
    out
}

const ZONE_FILE: &str = "$ORIGIN import.example.org.\n\
$TTL 3600\n\
@ 600 IN SOA ns1.import.example.org. first\\.last.import.example.org. 2024010101 3600 900 1209600 300\n\
@ IN NS ns1.example.net.\n\
@ IN MX 10 mail\n\
www 300 IN A 192.0.2.10\n\
www 300 IN A 192.0.2.11\n\
mail IN AAAA 2001:db8::25\n\
alias IN CNAME www\n\
@ IN TXT \"v=spf1 -all\"\n\
sub IN NS ns.sub.import.example.org.\n\
ns.sub IN A 192.0.2.53\n";

#[tokio::test]
async fn export_life_cycle() {
    let api = start().await;
    let zone = api.zone("export.example.org.").await;
    let zone_id = id_of(&zone);
    api.recordset(&zone_id, "www.export.example.org.", "A", &["192.0.2.1"])
        .await;

    let r = api
        .call(
            Method::POST,
            &format!("/v2/zones/{zone_id}/tasks/export"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    assert_eq!(
        keys(&r.body),
        [
            "created_at",
            "id",
            "links",
            "location",
            "message",
            "project_id",
            "status",
            "updated_at",
            "version",
            "zone_id"
        ]
    );
    assert_eq!(r.body["status"], "PENDING");
    assert_eq!(r.body["zone_id"], zone_id.as_str());
    assert_eq!(r.body["project_id"], "noauth-project");
    assert!(r.body["location"].is_null());
    assert_timestamp(&r.body["created_at"]);
    let export_id = id_of(&r.body);
    let self_link = format!("{}/v2/zones/tasks/exports/{export_id}", api.base);
    assert_eq!(r.body["links"]["self"], self_link.as_str());
    assert_eq!(
        r.headers.get("location").and_then(|v| v.to_str().ok()),
        Some(self_link.as_str())
    );

    let done = api
        .settled_task(&format!("/v2/zones/tasks/exports/{export_id}"), 10)
        .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    assert_eq!(
        done["location"],
        format!("designate://v2/zones/tasks/exports/{export_id}/export").as_str()
    );
    assert_eq!(
        done["links"]["export"],
        format!("{self_link}/export").as_str()
    );
    assert_eq!(done["version"], 2);
    assert_timestamp(&done["updated_at"]);

    // The zone file.
    let r = api
        .call(
            Method::GET,
            &format!("/v2/zones/tasks/exports/{export_id}/export"),
            None,
            &[("accept", "text/dns")],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        r.headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/dns")
    );
    assert!(
        r.text
            .starts_with("$ORIGIN export.example.org.\n$TTL 3600\n\n"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("www.export.example.org.  IN A 192.0.2.1\n"),
        "{}",
        r.text
    );
    assert!(
        r.text
            .contains("export.example.org.  IN NS ns1.example.net.\n"),
        "{}",
        r.text
    );
    let soa = r.text.lines().nth(3).unwrap_or_default();
    assert!(
        soa.starts_with("export.example.org.  IN SOA ns1.example.net. admin.export.example.org. "),
        "{soa}"
    );
    let r = api
        .call(
            Method::GET,
            &format!("/v2/zones/tasks/exports/{export_id}/export"),
            None,
            &[("accept", "application/json")],
        )
        .await;
    r.assert_error(406, "unsupported_accept");

    // List, filters, paging.
    let second = api
        .call(
            Method::POST,
            &format!("/v2/zones/{zone_id}/tasks/export"),
            None,
            &[],
        )
        .await;
    assert_eq!(second.status, StatusCode::ACCEPTED);
    let r = api.get("/v2/zones/tasks/exports").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.count("exports"), 2);
    assert_eq!(r.body["metadata"]["total_count"], 2);
    assert_eq!(
        r.body["links"]["self"],
        format!("{}/v2/zones/tasks/exports", api.base).as_str()
    );
    let r = api
        .get("/v2/zones/tasks/exports?limit=1&sort_key=created_at")
        .await;
    assert_eq!(r.count("exports"), 1);
    assert!(r.body["links"]["next"].as_str().is_some());
    let r = api
        .get(&format!(
            "/v2/zones/tasks/exports?zone_id={zone_id}&status=COMPLETE&limit=5"
        ))
        .await;
    assert!(r.count("exports") >= 1, "{}", r.text);
    let r = api.get("/v2/zones/tasks/exports?status=ERROR").await;
    assert_eq!(r.count("exports"), 0);
    api.get("/v2/zones/tasks/exports?sort_key=name")
        .await
        .assert_error(400, "invalid_sort_key");
    api.get("/v2/zones/tasks/exports?colour=red")
        .await
        .assert_error(400, "bad_request");
    // Exports are not imports.
    api.get(&format!("/v2/zones/tasks/imports/{export_id}"))
        .await
        .assert_error(404, "zone_import_not_found");
    assert_eq!(api.get("/v2/zones/tasks/imports").await.count("imports"), 0);

    // Another project sees none of it.
    let r = api
        .call(Method::GET, "/v2/zones/tasks/exports", None, &OTHER)
        .await;
    assert_eq!(r.count("exports"), 0);
    api.call(
        Method::GET,
        &format!("/v2/zones/tasks/exports/{export_id}"),
        None,
        &OTHER,
    )
    .await
    .assert_error(404, "zone_export_not_found");
    api.call(
        Method::GET,
        &format!("/v2/zones/tasks/exports/{export_id}/export"),
        None,
        &OTHER,
    )
    .await
    .assert_error(404, "zone_export_not_found");
    api.call(
        Method::DELETE,
        &format!("/v2/zones/tasks/exports/{export_id}"),
        None,
        &OTHER,
    )
    .await
    .assert_error(404, "zone_export_not_found");

    // Delete: the task goes, the zone stays.
    let r = api
        .call(
            Method::DELETE,
            &format!("/v2/zones/tasks/exports/{export_id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    assert!(r.text.is_empty());
    api.get(&format!("/v2/zones/tasks/exports/{export_id}"))
        .await
        .assert_error(404, "zone_export_not_found");
    api.call(
        Method::DELETE,
        &format!("/v2/zones/tasks/exports/{export_id}"),
        None,
        &[],
    )
    .await
    .assert_error(404, "zone_export_not_found");
    assert_eq!(
        api.get(&format!("/v2/zones/{zone_id}")).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn export_errors() {
    let api = start().await;
    let zone = api.zone("exporterr.example.org.").await;
    let zone_id = id_of(&zone);
    let post = |path: String, headers: &'static [(&'static str, &'static str)]| {
        let api = &api;
        async move { api.call(Method::POST, &path, None, headers).await }
    };
    post("/v2/zones/nope/tasks/export".into(), &[])
        .await
        .assert_error(400, "invalid_uuid");
    post(
        format!("/v2/zones/{}/tasks/export", uuid::Uuid::new_v4()),
        &[],
    )
    .await
    .assert_error(404, "zone_not_found");
    post(format!("/v2/zones/{zone_id}/tasks/export"), &OTHER)
        .await
        .assert_error(404, "zone_not_found");
    post(format!("/v2/zones/{zone_id}/tasks/export"), &READER)
        .await
        .assert_error(403, "forbidden");
    api.get("/v2/zones/tasks/exports/nope")
        .await
        .assert_error(400, "invalid_uuid");
    api.get(&format!("/v2/zones/tasks/exports/{}", uuid::Uuid::new_v4()))
        .await
        .assert_error(404, "zone_export_not_found");
    api.get(&format!(
        "/v2/zones/tasks/exports/{}/export",
        uuid::Uuid::new_v4()
    ))
    .await
    .assert_error(404, "zone_export_not_found");
    api.call(
        Method::PUT,
        &format!("/v2/zones/tasks/exports/{}", uuid::Uuid::new_v4()),
        None,
        &[],
    )
    .await
    .assert_error(405, "method_not_allowed");
    // A reader may look but not delete.
    let r = api
        .call(Method::GET, "/v2/zones/tasks/exports", None, &READER)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);

    // Larger than api_export_size (SOA + NS + one = 3 recordsets): refused at once.
    api.recordset(&zone_id, "a.exporterr.example.org.", "A", &["192.0.2.1"])
        .await;
    let r = api
        .call(
            Method::PATCH,
            "/v2/quotas/noauth-project",
            Some(json!({"api_export_size": 2})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    post(format!("/v2/zones/{zone_id}/tasks/export"), &[])
        .await
        .assert_error(413, "over_quota");
    assert_eq!(api.get("/v2/zones/tasks/exports").await.count("exports"), 0);
}

#[tokio::test]
async fn import_creates_zone_and_recordsets() {
    let api = start().await;
    let task = import(&api, ZONE_FILE).await;
    assert_eq!(task["status"], "COMPLETE", "{task}");
    assert_eq!(task["message"], "import.example.org. imported");
    assert_eq!(
        keys(&task),
        [
            "created_at",
            "id",
            "links",
            "message",
            "project_id",
            "status",
            "updated_at",
            "version",
            "zone_id"
        ]
    );
    let zone_id = task["zone_id"].as_str().unwrap_or_default().to_owned();
    assert_eq!(
        task["links"]["zone"],
        format!("{}/v2/zones/{zone_id}", api.base).as_str()
    );
    let zone = api.get(&format!("/v2/zones/{zone_id}")).await;
    assert_eq!(zone.status, StatusCode::OK);
    assert_eq!(zone.body["name"], "import.example.org.");
    assert_eq!(zone.body["email"], "first.last@import.example.org");
    assert_eq!(zone.body["ttl"], 600);
    assert_eq!(zone.body["serial"], 2_024_010_101_u32);
    assert_eq!(zone.body["status"], "PENDING");
    assert_eq!(zone.body["action"], "CREATE");
    let sets = served_sets(&api, &zone_id, "import.example.org.").await;
    let names: Vec<(&str, &str)> = sets.iter().map(|s| (s.0.as_str(), s.1.as_str())).collect();
    assert_eq!(
        names,
        [
            ("alias.import.example.org.", "CNAME"),
            ("import.example.org.", "MX"),
            ("import.example.org.", "TXT"),
            ("mail.import.example.org.", "AAAA"),
            ("ns.sub.import.example.org.", "A"),
            ("sub.import.example.org.", "NS"),
            ("www.import.example.org.", "A"),
        ]
    );
    let www = sets
        .iter()
        .find(|s| s.0.starts_with("www"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(www.2, Some(300));
    assert_eq!(www.3, ["192.0.2.10", "192.0.2.11"]);
    let mx = sets
        .iter()
        .find(|s| s.1 == "MX")
        .cloned()
        .unwrap_or_default();
    assert_eq!(mx.3, ["10 mail.import.example.org."]);
    assert_eq!(mx.2, None, "no TTL of its own");
    // The apex NS are the pool's, not the file's.
    let r = api
        .get(&format!(
            "/v2/zones/{zone_id}/recordsets?type=NS&name=import.example.org."
        ))
        .await;
    assert_eq!(
        r.body["recordsets"][0]["records"],
        json!(["ns1.example.net."])
    );

    // List, filter, show, delete (the zone stays).
    let r = api.get("/v2/zones/tasks/imports").await;
    assert_eq!(r.count("imports"), 1, "{}", r.text);
    assert_eq!(r.body["metadata"]["total_count"], 1);
    let r = api
        .get(&format!("/v2/zones/tasks/imports?zone_id={zone_id}"))
        .await;
    assert_eq!(r.count("imports"), 1);
    let r = api.get("/v2/zones/tasks/imports?status=ERROR").await;
    assert_eq!(r.count("imports"), 0);
    let import_id = id_of(&task);
    api.call(
        Method::GET,
        &format!("/v2/zones/tasks/imports/{import_id}"),
        None,
        &OTHER,
    )
    .await
    .assert_error(404, "zone_import_not_found");
    assert_eq!(
        api.call(Method::GET, "/v2/zones/tasks/imports", None, &OTHER)
            .await
            .count("imports"),
        0
    );
    api.get(&format!("/v2/zones/tasks/exports/{import_id}"))
        .await
        .assert_error(404, "zone_export_not_found");
    api.call(
        Method::DELETE,
        &format!("/v2/zones/tasks/imports/{import_id}"),
        None,
        &OTHER,
    )
    .await
    .assert_error(404, "zone_import_not_found");
    let r = api
        .call(
            Method::DELETE,
            &format!("/v2/zones/tasks/imports/{import_id}"),
            None,
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    api.get(&format!("/v2/zones/tasks/imports/{import_id}"))
        .await
        .assert_error(404, "zone_import_not_found");
    api.call(
        Method::DELETE,
        &format!("/v2/zones/tasks/imports/{import_id}"),
        None,
        &[],
    )
    .await
    .assert_error(404, "zone_import_not_found");
    assert_eq!(
        api.get(&format!("/v2/zones/{zone_id}")).await.status,
        StatusCode::OK
    );

    // The same file again: the zone exists.
    let again = import(&api, ZONE_FILE).await;
    assert_eq!(again["status"], "ERROR");
    assert_eq!(again["message"], "Duplicate zone.");
    assert!(again["zone_id"].is_null());
}

#[tokio::test]
async fn import_request_errors() {
    let api = start().await;
    let post = |ct: Option<&'static str>, body: &'static str| {
        let api = &api;
        async move {
            api.raw(
                Method::POST,
                "/v2/zones/tasks/imports",
                ct,
                body.as_bytes().to_vec(),
            )
            .await
        }
    };
    post(Some("text/plain"), ZONE_FILE)
        .await
        .assert_error(415, "unsupported_content_type");
    post(None, ZONE_FILE)
        .await
        .assert_error(415, "unsupported_content_type");
    post(Some("application/json"), "{\"zone\": 1}")
        .await
        .assert_error(400, "bad_request");
    post(Some("application/json"), "{not json")
        .await
        .assert_error(400, "bad_request");
    // JSON with the file inside works.
    let body = json!({ "zonefile": ZONE_FILE }).to_string();
    let r = api
        .raw(
            Method::POST,
            "/v2/zones/tasks/imports",
            Some("application/json"),
            body.into_bytes(),
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let done = api
        .settled_task(&format!("/v2/zones/tasks/imports/{}", id_of(&r.body)), 30)
        .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    // A reader may not import; bad ids; unknown ids.
    let r = api
        .client
        .post(format!("{}/v2/zones/tasks/imports", api.base))
        .header("content-type", "text/dns")
        .header("x-roles", "reader")
        .body(ZONE_FILE)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    api.get("/v2/zones/tasks/imports/nope")
        .await
        .assert_error(400, "invalid_uuid");
    api.get(&format!("/v2/zones/tasks/imports/{}", uuid::Uuid::new_v4()))
        .await
        .assert_error(404, "zone_import_not_found");
    api.get("/v2/zones/tasks/imports?sort_key=name")
        .await
        .assert_error(400, "invalid_sort_key");
    // Over the body limit.
    let huge = vec![b';'; designate_api::MAX_BODY_BYTES + 1];
    let r = api
        .raw(
            Method::POST,
            "/v2/zones/tasks/imports",
            Some("text/dns"),
            huge,
        )
        .await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);
}

#[tokio::test]
async fn failed_imports_leave_nothing_behind() {
    let api = start().await;
    let cases: [(&str, &str); 6] = [
        (
            "www IN A 192.0.2.1\n",
            "The $ORIGIN statement is required and must be the first statement in the zonefile.",
        ),
        (
            "$ORIGIN nosoa.example.org.\nwww 60 IN A 192.0.2.1\n",
            "An SOA record is required.",
        ),
        (
            "$ORIGIN bad.example.org.\n@ 60 IN SOA ns1. a. 1 2 3 4 5\nwww 60 IN A 999.1.1.1\n",
            "Malformed zonefile.",
        ),
        (
            "$ORIGIN inc.example.org.\n$INCLUDE /etc/passwd\n@ 60 IN SOA ns1. a. 1 2 3 4 5\n",
            "Malformed zonefile.",
        ),
        (
            "$ORIGIN garbage.example.org.\n@ 60 IN SOA ns1. a. 1 2 3 4 5\n( ( (\n",
            "Malformed zonefile.",
        ),
        (
            "$ORIGIN out.example.org.\n@ 60 IN SOA ns1. a. 1 2 3 4 5\nwww.example.com. 60 IN A 192.0.2.1\n",
            "Malformed zonefile.",
        ),
    ];
    for (text, message) in cases {
        let task = import(&api, text).await;
        assert_eq!(task["status"], "ERROR", "{text}: {task}");
        let got = task["message"].as_str().unwrap_or_default();
        assert!(got.starts_with(message), "{text}: {got}");
        assert!(got.chars().count() <= 160);
        assert!(task["zone_id"].is_null());
    }
    // A refused name (no such TLD once TLDs exist).
    let r = api.post("/v2/tlds", json!({"name": "net"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let task = import(&api, ZONE_FILE).await;
    assert_eq!(task["status"], "ERROR");
    assert!(
        task["message"]
            .as_str()
            .unwrap_or_default()
            .starts_with("An undefined error occurred. "),
        "{task}"
    );
    let r = api.post("/v2/tlds", json!({"name": "org"})).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    // Over quota: the recordsets do not fit, so not even the zone is written.
    let r = api
        .call(
            Method::PATCH,
            "/v2/quotas/noauth-project",
            Some(json!({"zone_recordsets": 5})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let task = import(&api, ZONE_FILE).await;
    assert_eq!(task["status"], "ERROR");
    assert_eq!(task["message"], "Quota exceeded during zone import.");
    assert_eq!(
        api.get("/v2/zones").await.count("zones"),
        0,
        "no zone half-written"
    );
    let r = api.get("/v2/recordsets").await;
    assert_eq!(r.count("recordsets"), 0, "{}", r.text);
    let r = api.get("/v2/zones/tasks/imports?status=ERROR").await;
    assert_eq!(r.count("imports"), 8, "{}", r.text);
    // With room again the same file imports.
    api.call(Method::DELETE, "/v2/quotas/noauth-project", None, &[])
        .await;
    let task = import(&api, ZONE_FILE).await;
    assert_eq!(task["status"], "COMPLETE", "{task}");
}

#[tokio::test]
async fn export_then_import_gives_identical_recordsets() {
    let api = start().await;
    let zone = api.zone("round.example.org.").await;
    let zone_id = id_of(&zone);
    let name = "round.example.org.";
    for (n, t, data) in [
        (
            "www.round.example.org.",
            "A",
            vec!["192.0.2.1", "192.0.2.2"],
        ),
        (
            "round.example.org.",
            "MX",
            vec!["10 mail.round.example.org.", "20 backup.example.net."],
        ),
        (
            "round.example.org.",
            "TXT",
            vec!["\"v=spf1 -all\"", "\"two words; semi\""],
        ),
        (
            "alias.round.example.org.",
            "CNAME",
            vec!["www.round.example.org."],
        ),
        (
            "_sip._tcp.round.example.org.",
            "SRV",
            vec!["10 5 5060 sip.round.example.org."],
        ),
        (
            "round.example.org.",
            "CAA",
            vec!["0 issue ca.example.net; account=1"],
        ),
        ("v6.round.example.org.", "AAAA", vec!["2001:db8::1"]),
        ("*.wild.round.example.org.", "A", vec!["192.0.2.9"]),
    ] {
        api.recordset(&zone_id, n, t, &data).await;
    }
    let r = api
        .call(
            Method::PUT,
            &format!(
                "/v2/zones/{zone_id}/recordsets/{}",
                id_of(
                    &api.recordset(&zone_id, "ttl.round.example.org.", "A", &["192.0.2.7"])
                        .await
                )
            ),
            Some(json!({"ttl": 120})),
            &[],
        )
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let before = served_sets(&api, &zone_id, name).await;

    let r = api
        .call(
            Method::POST,
            &format!("/v2/zones/{zone_id}/tasks/export"),
            None,
            &[],
        )
        .await;
    let export = api
        .settled_task(&format!("/v2/zones/tasks/exports/{}", id_of(&r.body)), 10)
        .await;
    assert_eq!(export["status"], "COMPLETE");
    let file = api
        .get(&format!(
            "/v2/zones/tasks/exports/{}/export",
            id_of(&export)
        ))
        .await
        .text;

    // Delete the zone (and finish the delete as the worker would), then import the file.
    let r = api
        .call(Method::DELETE, &format!("/v2/zones/{zone_id}"), None, &[])
        .await;
    assert_eq!(r.status, StatusCode::ACCEPTED);
    api.mark_active(&zone_id).await;
    assert_eq!(
        api.get(&format!("/v2/zones/{zone_id}")).await.status,
        StatusCode::NOT_FOUND
    );

    let task = import(&api, &file).await;
    assert_eq!(task["status"], "COMPLETE", "{task}");
    let new_id = task["zone_id"].as_str().unwrap_or_default().to_owned();
    assert_ne!(new_id, zone_id);
    let after = served_sets(&api, &new_id, name).await;
    assert_eq!(after, before);
    let zone = api.get(&format!("/v2/zones/{new_id}")).await;
    assert_eq!(zone.body["email"], "admin@round.example.org");
}

/// A minimal zone file for `name`.
fn small_zone(name: &str) -> String {
    format!(
        "$ORIGIN {name}\n@ 3600 IN SOA ns1.{name} admin.{name} 1 3600 600 86400 300\n\
         www 300 IN A 192.0.2.1\n"
    )
}

/// Posts a JSON import body and returns the reply.
async fn import_json(api: &Api, body: Value, headers: &[(&str, &str)]) -> crate::common::Reply {
    let mut all = vec![("content-type", "application/json")];
    all.extend_from_slice(headers);
    let mut req = api
        .client
        .post(format!("{}/v2/zones/tasks/imports", api.base))
        .body(body.to_string());
    for (k, v) in all {
        req = req.header(k, v);
    }
    crate::common::reply(req.send().await.expect("send")).await
}

#[tokio::test]
async fn import_places_the_zone_by_its_attributes_else_in_the_default_pool() {
    let api = start().await;
    let gold = api
        .post(
            "/v2/pools",
            json!({
                "name": "gold",
                "attributes": {"service_tier": "gold"},
                "ns_records": [{"hostname": "ns1.gold.example.net.", "priority": 1}],
            }),
        )
        .await;
    assert_eq!(gold.status, StatusCode::CREATED, "{}", gold.text);
    let gold_id = id_of(&gold.body);
    let default_pool = designate_central::CentralConfig::default()
        .default_pool_id
        .to_string();
    let pool_of = |zone: &'static str| {
        let api = &api;
        async move {
            let r = api.get(&format!("/v2/zones?name={zone}")).await;
            r.body["zones"][0]["pool_id"].clone()
        }
    };

    // No hints (text/dns): the default pool, though another pool exists.
    let done = import(&api, &small_zone("plain.example.org.")).await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    assert_eq!(pool_of("plain.example.org.").await, default_pool.as_str());

    // Hints in the JSON body schedule the zone as a zone create's do (a hint the attribute-less
    // default pool also passes leaves it in doubt, so there; a forced pool wins).
    let r = import_json(
        &api,
        json!({"zonefile": small_zone("tier.example.org."), "attributes": {"service_tier": "gold"}}),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let done = api
        .settled_task(&format!("/v2/zones/tasks/imports/{}", id_of(&r.body)), 30)
        .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    assert_eq!(pool_of("tier.example.org.").await, default_pool.as_str());
    let r = import_json(
        &api,
        json!({"zonefile": small_zone("gold.example.org."), "attributes": {"pool_id": gold_id}}),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::ACCEPTED, "{}", r.text);
    let done = api
        .settled_task(&format!("/v2/zones/tasks/imports/{}", id_of(&r.body)), 30)
        .await;
    assert_eq!(done["status"], "COMPLETE", "{done}");
    assert_eq!(pool_of("gold.example.org.").await, gold_id.as_str());

    // Hints no pool satisfies are refused at once, and no task is left.
    let unknown = uuid::Uuid::new_v4().to_string();
    let body =
        json!({"zonefile": small_zone("nowhere.example.org."), "attributes": {"pool_id": unknown}});
    import_json(&api, body.clone(), &[])
        .await
        .assert_error(404, "no_valid_pool_found");
    let tasks = api.get("/v2/zones/tasks/imports").await;
    assert_eq!(tasks.count("imports"), 3, "{}", tasks.text);
    // Forcing a pool is admin only (zone_create_forced_pool).
    import_json(&api, body, &[("x-roles", "member")])
        .await
        .assert_error(403, "forbidden");
    // Attributes must be a dict of strings.
    import_json(
        &api,
        json!({"zonefile": small_zone("bad.example.org."), "attributes": {"service_tier": 1}}),
        &[],
    )
    .await
    .assert_error(400, "invalid_object");
}
