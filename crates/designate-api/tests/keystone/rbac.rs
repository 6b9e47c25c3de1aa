//! The RBAC matrix, part one: every zones / recordsets endpoint × {admin with all-projects,
//! admin of another project, member of the owner project, reader of the owner project, member
//! of another project, no token, bad token}, with the codes upstream's default policy gives.
//! Another project's objects are `404`, never `403`: central only ever finds the caller's own.
//! Every other `/v2` endpoint and the version documents are in `rbac_endpoints`, over the same
//! personas ([`Callers`]).

use std::collections::HashMap;
use std::time::Duration;

use designate_api::{ApiConfig, AuthStrategy};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::common::{start_with, Api, Reply};
use crate::harness::Keystone;

/// Personas in matrix column order.
pub(crate) const PERSONAS: [&str; 7] =
    ["admin-all", "admin", "alice", "rita", "bob", "none", "bad"];

/// The headers each persona sends.
pub(crate) struct Callers {
    headers: HashMap<&'static str, Vec<(String, String)>>,
}

impl Callers {
    pub(crate) async fn new(keystone: &Keystone) -> Self {
        let mut headers = HashMap::new();
        let admin = keystone.persona("admin").await;
        let token = |t: &str| ("x-auth-token".to_owned(), t.to_owned());
        headers.insert(
            "admin-all",
            vec![token(&admin), ("x-auth-all-projects".into(), "true".into())],
        );
        headers.insert("admin", vec![token(&admin)]);
        for user in ["alice", "rita", "bob"] {
            headers.insert(user, vec![token(&keystone.persona(user).await)]);
        }
        headers.insert("none", vec![]);
        headers.insert("bad", vec![token("gAAAAABbogus")]);
        Self { headers }
    }

    /// The persona's token, if it sends one.
    pub(crate) fn token(&self, who: &str) -> Option<&str> {
        self.headers[who]
            .iter()
            .find(|(k, _)| k == "x-auth-token")
            .map(|(_, v)| v.as_str())
    }

    /// The persona's headers followed by `extra`.
    pub(crate) fn headers<'a>(
        &'a self,
        who: &str,
        extra: &[(&'a str, &'a str)],
    ) -> Vec<(&'a str, &'a str)> {
        let mut headers: Vec<(&str, &str)> = self.headers[who]
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        headers.extend_from_slice(extra);
        headers
    }

    pub(crate) async fn call(
        &self,
        api: &Api,
        who: &str,
        method: Method,
        path: &str,
        body: Option<Value>,
        extra: &[(&str, &str)],
    ) -> Reply {
        api.call(method, path, body, &self.headers(who, extra))
            .await
    }
}

pub(crate) async fn created(r: Reply) -> Value {
    assert!(
        r.status == StatusCode::ACCEPTED || r.status == StatusCode::CREATED,
        "{}",
        r.text
    );
    r.body
}

#[tokio::test]
async fn default_policy_matrix_over_zones_and_recordsets() {
    let keystone = Keystone::start(3600).await;
    let api = start_with(ApiConfig {
        auth: AuthStrategy::Keystone(Box::new(keystone.authtoken(Duration::from_secs(300)))),
        ..ApiConfig::default()
    })
    .await;
    let callers = Callers::new(&keystone).await;
    let alpha = keystone.project_id("alpha").await;

    // Alice (member of alpha) owns the objects; one zone and one recordset per persona for
    // the destructive rows so that an allowed delete does not change the next persona's case.
    let post = |who: &'static str, path: String, body: Value| {
        let callers = &callers;
        let api = &api;
        async move {
            callers
                .call(api, who, Method::POST, &path, Some(body), &[])
                .await
        }
    };
    let zone = created(
        post(
            "alice",
            "/v2/zones".into(),
            json!({"name": "rbac.example.org.", "email": "a@example.org"}),
        )
        .await,
    )
    .await;
    assert_eq!(zone["project_id"], alpha.as_str());
    let z = zone["id"].as_str().unwrap_or_default().to_owned();
    let rs_body = |name: &str| json!({"name": name, "type": "A", "records": ["192.0.2.1"]});
    let rs = created(
        post(
            "alice",
            format!("/v2/zones/{z}/recordsets"),
            rs_body("www.rbac.example.org."),
        )
        .await,
    )
    .await;
    let r = rs["id"].as_str().unwrap_or_default().to_owned();
    let mut del_zone = HashMap::new();
    let mut del_rs = HashMap::new();
    for who in PERSONAS {
        let zone = created(
            post(
                "alice",
                "/v2/zones".into(),
                json!({"name": format!("del-{who}.example.org."), "email": "a@example.org"}),
            )
            .await,
        )
        .await;
        del_zone.insert(who, zone["id"].as_str().unwrap_or_default().to_owned());
        let rs = created(
            post(
                "alice",
                format!("/v2/zones/{z}/recordsets"),
                rs_body(&format!("del-{who}.rbac.example.org.")),
            )
            .await,
        )
        .await;
        del_rs.insert(who, rs["id"].as_str().unwrap_or_default().to_owned());
    }

    // Expected codes for admin-all, admin (other project), alice, rita, bob; no token and a
    // bad token are 401 everywhere.
    type Row = (Method, &'static str, [u16; 5]);
    let rows: [Row; 12] = [
        (Method::GET, "/v2/zones", [200, 200, 200, 200, 200]),
        (Method::POST, "/v2/zones", [202, 202, 202, 403, 202]),
        (Method::GET, "/v2/zones/{z}", [200, 404, 200, 200, 404]),
        (Method::PATCH, "/v2/zones/{z}", [202, 404, 202, 403, 404]),
        (
            Method::DELETE,
            "/v2/zones/{del_zone}",
            [202, 404, 202, 403, 404],
        ),
        (
            Method::GET,
            "/v2/zones/{z}/recordsets",
            [200, 404, 200, 200, 404],
        ),
        (
            Method::POST,
            "/v2/zones/{z}/recordsets",
            [202, 404, 202, 403, 404],
        ),
        (
            Method::GET,
            "/v2/zones/{z}/recordsets/{r}",
            [200, 404, 200, 200, 404],
        ),
        (
            Method::PUT,
            "/v2/zones/{z}/recordsets/{r}",
            [202, 404, 202, 403, 404],
        ),
        (
            Method::DELETE,
            "/v2/zones/{z}/recordsets/{del_rs}",
            [202, 404, 202, 403, 404],
        ),
        (Method::GET, "/v2/recordsets", [200, 200, 200, 200, 200]),
        (Method::GET, "/v2/recordsets/{r}", [301, 404, 301, 301, 404]),
    ];
    let mut failures = Vec::new();
    for (method, template, expected) in rows {
        for (i, who) in PERSONAS.iter().enumerate() {
            let path = template
                .replace("{z}", &z)
                .replace("{r}", &r)
                .replace("{del_zone}", &del_zone[who])
                .replace("{del_rs}", &del_rs[who]);
            let body = match (method.as_str(), template) {
                ("POST", "/v2/zones") => Some(json!({
                    "name": format!("new-{who}.example.org."), "email": "a@example.org"})),
                ("POST", _) => Some(rs_body(&format!("new-{who}.rbac.example.org."))),
                ("PATCH", _) => Some(json!({"ttl": 600})),
                ("PUT", _) => Some(json!({"ttl": 600})),
                _ => None,
            };
            let want = expected.get(i).copied().unwrap_or(401);
            let reply = callers
                .call(&api, who, method.clone(), &path, body, &[])
                .await;
            if reply.status.as_u16() != want {
                failures.push(format!(
                    "{method} {template} as {who}: want {want}, got {} {}",
                    reply.status, reply.text
                ));
            }
            if want == 404 {
                // Another project's object is simply not there, as upstream reports it.
                let t = reply.body["type"].as_str().unwrap_or_default();
                if !t.ends_with("_not_found") {
                    failures.push(format!("{method} {template} as {who}: 404 type {t}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "RBAC matrix:\n{}", failures.join("\n"));

    // Lists never leak: bob and the plain admin see none of alpha's zones or recordsets.
    for who in ["bob", "admin"] {
        for (path, key) in [("/v2/zones", "zones"), ("/v2/recordsets", "recordsets")] {
            let reply = callers.call(&api, who, Method::GET, path, None, &[]).await;
            let leaked = reply.body[key]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["project_id"] == alpha.as_str());
            assert!(!leaked, "{who} sees alpha in {path}: {}", reply.text);
        }
    }
    let reply = callers
        .call(&api, "admin-all", Method::GET, "/v2/zones", None, &[])
        .await;
    assert!(reply.body["zones"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|o| o["id"] == z.as_str()));

    // The switches are honoured only where upstream's policy allows them.
    for (header, value) in [
        ("x-auth-all-projects", "true"),
        ("x-auth-sudo-project-id", alpha.as_str()),
        ("x-designate-edit-managed-records", "true"),
        ("x-designate-hard-delete", "true"),
    ] {
        for who in ["alice", "rita", "bob"] {
            callers
                .call(
                    &api,
                    who,
                    Method::GET,
                    "/v2/zones",
                    None,
                    &[(header, value)],
                )
                .await
                .assert_error(403, "forbidden");
        }
    }
    let reply = callers
        .call(
            &api,
            "admin",
            Method::GET,
            &format!("/v2/zones/{z}"),
            None,
            &[("x-auth-sudo-project-id", alpha.as_str())],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "sudo: {}", reply.text);
    let reply = callers
        .call(
            &api,
            "admin",
            Method::GET,
            "/v2/zones",
            None,
            &[
                ("x-designate-edit-managed-records", "true"),
                ("x-designate-hard-delete", "true"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
}
