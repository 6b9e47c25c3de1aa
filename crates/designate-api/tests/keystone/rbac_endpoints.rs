//! The RBAC matrix over every other endpoint the API serves (zones and recordsets are in
//! `rbac`): the version documents, pools, service statuses, TSIG keys, blacklists, TLDs,
//! quotas, limits, zone actions (nameservers, abandon, xfr, pool move), zone exports and
//! imports, transfer requests and accepts, zone shares, and floating-IP PTRs (Neutron is the
//! loopback floating-IP endpoint of `designate_central::testing`, answering the personas'
//! Keystone tokens), each × the same seven personas, with the codes upstream's default policy
//! and its central / storage give:
//!
//! - admin-only resources (pools, TLDs, TSIG keys, blacklists, service statuses, transfer
//!   accept listing) are `403` to every non-admin;
//! - another project's object is `404` (central's and storage's project filter finds only the
//!   caller's own), except where upstream reads it elevated first: a transfer request is found
//!   for anyone and then judged by `get_zone_transfer_request` (owner member, admin, target
//!   project, or anyone when untargeted);
//! - another project's quotas are `403` even to an admin without all-projects (central's own
//!   check), while `reset_quotas` has no such check;
//! - floating IPs have no rule at all: Neutron lists the caller's own project's only;
//! - `GET /` and `/healthcheck` are public, everything else is `401` without a valid token.

use std::collections::HashMap;
use std::time::Duration;

use designate_api::{ApiConfig, AuthStrategy};
use designate_central::testing::NeutronServer;
use designate_central::{CentralConfig, NeutronConfig};
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{reply, start_full, Api, Reply};
use crate::harness::Keystone;
use crate::rbac::{Callers, PERSONAS};

/// A request body.
enum Payload {
    Empty,
    Json(Value),
    ZoneFile(String),
}

async fn send(
    api: &Api,
    callers: &Callers,
    who: &str,
    method: Method,
    path: &str,
    payload: Payload,
) -> Reply {
    let mut req = api.client.request(method, format!("{}{path}", api.base));
    for (k, v) in callers.headers(who, &[]) {
        req = req.header(k, v);
    }
    req = match payload {
        Payload::Empty => req,
        Payload::Json(v) => req
            .header("content-type", "application/json")
            .body(v.to_string()),
        Payload::ZoneFile(t) => req.header("content-type", "text/dns").body(t),
    };
    reply(req.send().await.expect("send")).await
}

/// Sends a setup request that must succeed; returns the body.
async fn made(
    api: &Api,
    callers: &Callers,
    who: &str,
    method: Method,
    path: &str,
    payload: Payload,
) -> Value {
    let r = send(api, callers, who, method.clone(), path, payload).await;
    assert!(
        r.status.is_success(),
        "setup {method} {path} as {who}: {} {}",
        r.status,
        r.text
    );
    r.body
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn zone_body(name: &str) -> Payload {
    Payload::Json(json!({"name": name, "email": "a@example.org"}))
}

fn zone_file(origin: &str) -> String {
    format!(
        "$ORIGIN {origin}\n$TTL 300\n\
         {origin} IN SOA ns1.example.net. admin.example.org. 1 3600 600 86400 300\n\
         {origin} IN NS ns1.example.net.\n\
         www.{origin} IN A 192.0.2.1\n"
    )
}

/// The ids a row's path template names: `{key}` is one shared object, or the persona's own
/// object for the keys in `per` (so that an allowed delete leaves the next persona's case).
#[derive(Default)]
struct Fixtures {
    shared: Vec<(&'static str, String)>,
    per: Vec<(&'static str, HashMap<&'static str, String>)>,
}

impl Fixtures {
    fn path(&self, template: &str, who: &str) -> String {
        let mut path = template.to_owned();
        for (key, ids) in &self.per {
            path = path.replace(&format!("{{{key}}}"), &ids[who]);
        }
        for (key, value) in &self.shared {
            path = path.replace(&format!("{{{key}}}"), value);
        }
        assert!(!path.contains('{'), "unfilled template {template}");
        path
    }
}

type BodyFn = Box<dyn Fn(&str) -> Payload>;

/// One row: method, path template, the codes for admin-all, admin, alice, rita, bob (and, for
/// public documents, no token and bad token; otherwise those two are `401`), the body.
struct Row {
    method: Method,
    template: &'static str,
    expected: &'static [u16],
    body: BodyFn,
}

fn row(
    method: Method,
    template: &'static str,
    expected: &'static [u16],
    body: impl Fn(&str) -> Payload + 'static,
) -> Row {
    Row {
        method,
        template,
        expected,
        body: Box::new(body),
    }
}

fn empty(_: &str) -> Payload {
    Payload::Empty
}

/// Admin (any project) allowed, everybody else forbidden by the admin-only rule.
const ADMIN_ONLY_READ: &[u16] = &[200, 200, 403, 403, 403];

#[tokio::test]
async fn default_policy_matrix_over_every_other_endpoint() {
    let keystone = Keystone::start(3600).await;
    let neutron = NeutronServer::start().await;
    let api = start_full(
        ApiConfig {
            auth: AuthStrategy::Keystone(Box::new(keystone.authtoken(Duration::from_secs(300)))),
            ..ApiConfig::default()
        },
        CentralConfig {
            neutron: NeutronConfig {
                endpoints: vec![("RegionOne".to_owned(), neutron.url().to_owned())],
                ..NeutronConfig::default()
            },
            ..CentralConfig::default()
        },
    )
    .await;
    let callers = Callers::new(&keystone).await;
    for who in PERSONAS {
        if let Some(token) = callers.token(who) {
            neutron.accept_token(token);
        }
    }
    let alpha = keystone.project_id("alpha").await;
    let beta = keystone.project_id("beta").await;
    let (api, callers, alpha) = (&api, &callers, alpha.as_str());
    let make = move |who: &'static str, method: Method, path: String, payload: Payload| async move {
        made(api, callers, who, method, &path, payload).await
    };
    let mut fx = Fixtures::default();

    // Alpha owns far more zones than the default quota of 10.
    make(
        "admin-all",
        Method::PATCH,
        format!("/v2/quotas/{alpha}"),
        Payload::Json(json!({"zones": 1000})),
    )
    .await;

    // Admin-only fixtures: TLDs (the zones below are all under org. and arpa.), pools,
    // blacklists, TSIG keys.
    for tld in ["org", "arpa"] {
        make(
            "admin",
            Method::POST,
            "/v2/tlds".into(),
            Payload::Json(json!({"name": tld})),
        )
        .await;
    }
    let tld = make(
        "admin",
        Method::POST,
        "/v2/tlds".into(),
        Payload::Json(json!({"name": "rbacshow"})),
    )
    .await;
    fx.shared.push(("tld", id(&tld)));
    let pools = make("admin", Method::GET, "/v2/pools".into(), Payload::Empty).await;
    let default_pool = id(&pools["pools"][0]);
    fx.shared.push(("pool", default_pool.clone()));
    let spare = make(
        "admin",
        Method::POST,
        "/v2/pools".into(),
        Payload::Json(json!({"name": "spare",
            "ns_records": [{"hostname": "ns1.spare.example.net.", "priority": 1}]})),
    )
    .await;
    let spare_pool = id(&spare);
    fx.shared.push(("spare_pool", spare_pool.clone()));
    let bl = make(
        "admin",
        Method::POST,
        "/v2/blacklists".into(),
        Payload::Json(json!({"pattern": "^show\\.invalid\\.$"})),
    )
    .await;
    fx.shared.push(("blacklist", id(&bl)));
    let tsig = |name: &str| {
        Payload::Json(json!({"name": name, "algorithm": "hmac-sha256",
            "secret": "SomeSecretKey", "scope": "POOL", "resource_id": default_pool}))
    };
    let tk = make(
        "admin",
        Method::POST,
        "/v2/tsigkeys".into(),
        tsig("rbac-key"),
    )
    .await;
    fx.shared.push(("tsigkey", id(&tk)));
    // One object per persona of each admin resource, for the destructive rows.
    type Body<'a> = &'a dyn Fn(&str, &str) -> Payload;
    let per_persona: [(&'static str, &str, Body<'_>); 4] = [
        ("del_tld", "/v2/tlds", &|_, label| {
            Payload::Json(json!({"name": format!("del{label}")}))
        }),
        ("del_pool", "/v2/pools", &|who, _| {
            Payload::Json(json!({"name": format!("del-{who}")}))
        }),
        ("del_bl", "/v2/blacklists", &|_, label| {
            Payload::Json(json!({"pattern": format!("^del-{label}\\.invalid\\.$")}))
        }),
        ("del_tk", "/v2/tsigkeys", &|who, _| {
            tsig(&format!("del-{who}"))
        }),
    ];
    for (key, path, body) in per_persona {
        let mut ids = HashMap::new();
        for who in PERSONAS {
            let label = who.replace('-', "");
            let made = make("admin", Method::POST, path.into(), body(who, &label)).await;
            ids.insert(who, id(&made));
        }
        fx.per.push((key, ids));
    }

    // Alice's zones: the main one, a secondary, a shared one, and per persona one to abandon,
    // one to move, one to share, one shared to unshare, one offered to beta to accept.
    let zone = move |name: String| async move {
        let z = make("alice", Method::POST, "/v2/zones".into(), zone_body(&name)).await;
        assert_eq!(z["project_id"], alpha);
        let zone_id = id(&z);
        api.mark_active(&zone_id).await;
        zone_id
    };
    let z = zone("rbac.example.org.".into()).await;
    fx.shared.push(("z", z.clone()));
    let sec = make(
        "alice",
        Method::POST,
        "/v2/zones".into(),
        Payload::Json(json!({"name": "sec.example.org.", "type": "SECONDARY",
            "masters": ["192.0.2.53"]})),
    )
    .await;
    fx.shared.push(("sec", id(&sec)));
    let zs = zone("share.example.org.".into()).await;
    fx.shared.push(("zs", zs.clone()));
    let share = make(
        "alice",
        Method::POST,
        format!("/v2/zones/{zs}/shares"),
        Payload::Json(json!({"target_project_id": beta})),
    )
    .await;
    fx.shared.push(("share", id(&share)));
    let offer = move |zone_id: String, target: Option<&str>| {
        let body = match target {
            Some(t) => json!({"target_project_id": t}),
            None => json!({}),
        };
        make(
            "alice",
            Method::POST,
            format!("/v2/zones/{zone_id}/tasks/transfer_requests"),
            Payload::Json(body),
        )
    };
    let tr = offer(z.clone(), Some(&beta)).await;
    fx.shared.push(("tr", id(&tr)));
    // Upstream keeps one open request per zone, so each request below has its own zone.
    let tr_open = offer(zone("open.example.org.".into()).await, None).await;
    fx.shared.push(("tr_open", id(&tr_open)));
    // One transfer already accepted by bob, so that there is an accept to show.
    let moved = zone("accepted.example.org.".into()).await;
    let moved_tr = offer(moved, Some(&beta)).await;
    let accept = make(
        "bob",
        Method::POST,
        "/v2/zones/tasks/transfer_accepts".into(),
        Payload::Json(json!({"zone_transfer_request_id": id(&moved_tr),
            "key": moved_tr["key"]})),
    )
    .await;
    fx.shared.push(("accept", id(&accept)));

    let mut abandon = HashMap::new();
    let mut move_zone = HashMap::new();
    let mut share_new = HashMap::new();
    let mut share_del_zone = HashMap::new();
    let mut share_del = HashMap::new();
    let mut tr_new = HashMap::new();
    let mut del_tr = HashMap::new();
    let mut acc_tr = HashMap::new();
    let mut acc_key = HashMap::new();
    let mut open_tr = HashMap::new();
    let mut open_key = HashMap::new();
    let mut shared_abandon = HashMap::new();
    for who in PERSONAS {
        abandon.insert(who, zone(format!("abandon-{who}.example.org.")).await);
        move_zone.insert(who, zone(format!("move-{who}.example.org.")).await);
        share_new.insert(who, zone(format!("share-new-{who}.example.org.")).await);
        let zone_id = zone(format!("share-del-{who}.example.org.")).await;
        let s = make(
            "alice",
            Method::POST,
            format!("/v2/zones/{zone_id}/shares"),
            Payload::Json(json!({"target_project_id": beta})),
        )
        .await;
        share_del_zone.insert(who, zone_id);
        share_del.insert(who, id(&s));
        tr_new.insert(who, zone(format!("tr-new-{who}.example.org.")).await);
        let t = offer(
            zone(format!("tr-del-{who}.example.org.")).await,
            Some(&beta),
        )
        .await;
        del_tr.insert(who, id(&t));
        let t = offer(zone(format!("acc-{who}.example.org.")).await, Some(&beta)).await;
        acc_tr.insert(who, id(&t));
        acc_key.insert(who, t["key"].as_str().unwrap_or_default().to_owned());
        let t = offer(zone(format!("open-acc-{who}.example.org.")).await, None).await;
        open_tr.insert(who, id(&t));
        open_key.insert(who, t["key"].as_str().unwrap_or_default().to_owned());
        let zone_id = zone(format!("shared-abandon-{who}.example.org.")).await;
        make(
            "alice",
            Method::POST,
            format!("/v2/zones/{zone_id}/shares"),
            Payload::Json(json!({"target_project_id": beta})),
        )
        .await;
        shared_abandon.insert(who, zone_id);
    }
    fx.per.push(("shared_abandon", shared_abandon));
    fx.per.push(("abandon", abandon));
    fx.per.push(("move", move_zone));
    fx.per.push(("share_new", share_new));
    fx.per.push(("share_del_zone", share_del_zone));
    fx.per.push(("share_del", share_del));
    fx.per.push(("tr_new", tr_new));
    fx.per.push(("del_tr", del_tr));

    // Alice's export (completed, so its file can be fetched) and import tasks.
    let export_path = format!("/v2/zones/{z}/tasks/export");
    let exp = id(&make("alice", Method::POST, export_path.clone(), Payload::Empty).await);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let e = make(
            "alice",
            Method::GET,
            format!("/v2/zones/tasks/exports/{exp}"),
            Payload::Empty,
        )
        .await;
        if e["status"] == "COMPLETE" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "export: {e}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    fx.shared.push(("exp", exp));
    let imports = "/v2/zones/tasks/imports".to_owned();
    let imp = make(
        "alice",
        Method::POST,
        imports.clone(),
        Payload::ZoneFile(zone_file("imp.example.org.")),
    )
    .await;
    fx.shared.push(("imp", id(&imp)));
    let mut del_exp = HashMap::new();
    let mut del_imp = HashMap::new();
    for who in PERSONAS {
        let e = make("alice", Method::POST, export_path.clone(), Payload::Empty).await;
        del_exp.insert(who, id(&e));
        let i = make(
            "alice",
            Method::POST,
            imports.clone(),
            Payload::ZoneFile(zone_file(&format!("del-imp-{who}.example.org."))),
        )
        .await;
        del_imp.insert(who, id(&i));
    }
    fx.per.push(("del_exp", del_exp));
    fx.per.push(("del_imp", del_imp));

    // A floating IP of alpha in Neutron; a service status id nobody has.
    let fip = neutron.add("192.0.2.10", alpha);
    fx.shared.push(("fip", format!("RegionOne:{fip}")));
    fx.shared.push(("status", uuid::Uuid::new_v4().to_string()));
    fx.shared.push(("alpha", alpha.to_owned()));

    let beta_target = beta.clone();
    let accept_body = move |who: &str| {
        Payload::Json(json!({"zone_transfer_request_id": acc_tr[who], "key": acc_key[who]}))
    };
    let open_accept_body = move |who: &str| {
        Payload::Json(json!({"zone_transfer_request_id": open_tr[who], "key": open_key[who]}))
    };
    let spare_body = move |_: &str| Payload::Json(json!({"pool_id": spare_pool}));
    let rows = vec![
        // Version discovery and the health check are public (upstream's paste pipelines for
        // `/` and `/healthcheck` have no authtoken), and so are our request counters; `/v2`
        // (where we also serve the version list) and our OpenAPI document sit behind the v2
        // pipeline's authtoken.
        row(Method::GET, "/", &[200; 7], empty),
        row(Method::GET, "/healthcheck", &[200; 7], empty),
        row(Method::GET, "/metrics", &[200; 7], empty),
        row(Method::GET, "/v2", &[200; 5], empty),
        row(Method::GET, "/v2/openapi.json", &[200; 5], empty),
        // Limits: no rule, the caller's own project.
        row(Method::GET, "/v2/limits", &[200; 5], empty),
        // Pools (pool.py: admin).
        row(Method::GET, "/v2/pools", ADMIN_ONLY_READ, empty),
        row(Method::GET, "/v2/pools/{pool}", ADMIN_ONLY_READ, empty),
        row(
            Method::POST,
            "/v2/pools",
            &[201, 201, 403, 403, 403],
            |who| Payload::Json(json!({"name": format!("new-{who}")})),
        ),
        row(
            Method::PATCH,
            "/v2/pools/{spare_pool}",
            &[202, 202, 403, 403, 403],
            |_| Payload::Json(json!({"description": "spare pool"})),
        ),
        row(
            Method::DELETE,
            "/v2/pools/{del_pool}",
            &[204, 204, 403, 403, 403],
            empty,
        ),
        // Service statuses (service_status.py: admin); nobody's id is a 404 past the rule.
        row(Method::GET, "/v2/service_statuses", ADMIN_ONLY_READ, empty),
        row(
            Method::GET,
            "/v2/service_statuses/{status}",
            &[404, 404, 403, 403, 403],
            empty,
        ),
        // TSIG keys (tsigkey.py: admin).
        row(Method::GET, "/v2/tsigkeys", ADMIN_ONLY_READ, empty),
        row(Method::POST, "/v2/tsigkeys", &[201, 201, 403, 403, 403], {
            let pool = default_pool.clone();
            move |who| {
                Payload::Json(
                    json!({"name": format!("new-{who}"), "algorithm": "hmac-sha256",
                    "secret": "SomeSecretKey", "scope": "POOL", "resource_id": pool}),
                )
            }
        }),
        row(
            Method::GET,
            "/v2/tsigkeys/{tsigkey}",
            ADMIN_ONLY_READ,
            empty,
        ),
        row(
            Method::PATCH,
            "/v2/tsigkeys/{tsigkey}",
            ADMIN_ONLY_READ,
            |who| Payload::Json(json!({"name": format!("renamed-{who}")})),
        ),
        row(
            Method::DELETE,
            "/v2/tsigkeys/{del_tk}",
            &[204, 204, 403, 403, 403],
            empty,
        ),
        // Blacklists (blacklist.py: admin).
        row(Method::GET, "/v2/blacklists", ADMIN_ONLY_READ, empty),
        row(
            Method::POST,
            "/v2/blacklists",
            &[201, 201, 403, 403, 403],
            |who| {
                let label = who.replace('-', "");
                Payload::Json(json!({"pattern": format!("^new-{label}\\.invalid\\.$")}))
            },
        ),
        row(
            Method::GET,
            "/v2/blacklists/{blacklist}",
            ADMIN_ONLY_READ,
            empty,
        ),
        row(
            Method::PATCH,
            "/v2/blacklists/{blacklist}",
            ADMIN_ONLY_READ,
            |_| Payload::Json(json!({"description": "shown"})),
        ),
        row(
            Method::DELETE,
            "/v2/blacklists/{del_bl}",
            &[204, 204, 403, 403, 403],
            empty,
        ),
        // TLDs (tld.py: admin).
        row(Method::GET, "/v2/tlds", ADMIN_ONLY_READ, empty),
        row(
            Method::POST,
            "/v2/tlds",
            &[201, 201, 403, 403, 403],
            |who| {
                let label = who.replace('-', "");
                Payload::Json(json!({"name": format!("new{label}")}))
            },
        ),
        row(Method::GET, "/v2/tlds/{tld}", ADMIN_ONLY_READ, empty),
        row(Method::PATCH, "/v2/tlds/{tld}", ADMIN_ONLY_READ, |_| {
            Payload::Json(json!({"description": "shown"}))
        }),
        row(
            Method::DELETE,
            "/v2/tlds/{del_tld}",
            &[204, 204, 403, 403, 403],
            empty,
        ),
        // Zone actions: the zone is found (reader of its project, or all-projects) before
        // the action's own rule.
        row(
            Method::GET,
            "/v2/zones/{z}/nameservers",
            &[200, 404, 200, 200, 404],
            empty,
        ),
        row(
            Method::POST,
            "/v2/zones/{abandon}/tasks/abandon",
            &[204, 404, 403, 403, 404],
            empty,
        ),
        row(
            Method::POST,
            "/v2/zones/{sec}/tasks/xfr",
            &[202, 404, 202, 403, 404],
            empty,
        ),
        row(
            Method::POST,
            "/v2/zones/{move}/tasks/pool_move",
            &[202, 404, 403, 403, 404],
            spare_body,
        ),
        // Exports: create and delete need a member, reads a reader; the file is `zone_export`
        // (member of the caller's own project), then the export must be the caller's.
        row(
            Method::POST,
            "/v2/zones/{z}/tasks/export",
            &[202, 404, 202, 403, 404],
            empty,
        ),
        row(Method::GET, "/v2/zones/tasks/exports", &[200; 5], empty),
        row(
            Method::GET,
            "/v2/zones/tasks/exports/{exp}",
            &[200, 404, 200, 200, 404],
            empty,
        ),
        row(
            Method::GET,
            "/v2/zones/tasks/exports/{exp}/export",
            &[200, 404, 200, 403, 404],
            empty,
        ),
        row(
            Method::DELETE,
            "/v2/zones/tasks/exports/{del_exp}",
            &[204, 404, 204, 403, 404],
            empty,
        ),
        // Imports: the rules see the caller's own project; the task must be the caller's.
        row(
            Method::POST,
            "/v2/zones/tasks/imports",
            &[202, 202, 202, 403, 202],
            |who| Payload::ZoneFile(zone_file(&format!("new-imp-{who}.example.org."))),
        ),
        row(Method::GET, "/v2/zones/tasks/imports", &[200; 5], empty),
        row(
            Method::GET,
            "/v2/zones/tasks/imports/{imp}",
            &[200, 404, 200, 200, 404],
            empty,
        ),
        row(
            Method::DELETE,
            "/v2/zones/tasks/imports/{del_imp}",
            &[204, 404, 204, 403, 404],
            empty,
        ),
        // Transfer requests offered to beta: read elevated, then judged by
        // get_zone_transfer_request (owner member, admin, target project, untargeted); an
        // update writes through the project filter; a delete reads through it (owner or
        // target) before delete_zone_transfer_request (owner member, admin).
        row(
            Method::POST,
            "/v2/zones/{tr_new}/tasks/transfer_requests",
            &[201, 404, 201, 403, 404],
            move |_| Payload::Json(json!({"target_project_id": beta_target})),
        ),
        row(
            Method::GET,
            "/v2/zones/tasks/transfer_requests",
            &[200; 5],
            empty,
        ),
        row(
            Method::GET,
            "/v2/zones/tasks/transfer_requests/{tr}",
            &[200, 200, 200, 403, 200],
            empty,
        ),
        row(
            Method::GET,
            "/v2/zones/tasks/transfer_requests/{tr_open}",
            &[200; 5],
            empty,
        ),
        row(
            Method::PATCH,
            "/v2/zones/tasks/transfer_requests/{tr}",
            &[200, 404, 200, 403, 403],
            |_| Payload::Json(json!({"description": "still for beta"})),
        ),
        row(
            Method::DELETE,
            "/v2/zones/tasks/transfer_requests/{del_tr}",
            &[204, 404, 204, 403, 403],
            empty,
        ),
        // Accepts: create_zone_transfer_accept lets admins and the target project in; the
        // accept listing is admin only; an accept is its accepting project's.
        row(
            Method::POST,
            "/v2/zones/tasks/transfer_accepts",
            &[201, 201, 403, 403, 201],
            accept_body,
        ),
        // An open request (no target) passes both rules for anybody holding the key, even
        // a reader, even the owner's own project.
        row(
            Method::POST,
            "/v2/zones/tasks/transfer_accepts",
            &[201; 5],
            open_accept_body,
        ),
        row(
            Method::GET,
            "/v2/zones/tasks/transfer_accepts",
            ADMIN_ONLY_READ,
            empty,
        ),
        row(
            Method::GET,
            "/v2/zones/tasks/transfer_accepts/{accept}",
            &[200, 404, 404, 404, 200],
            empty,
        ),
        // Shares: sharing needs a member of the zone's project; listing asks
        // find_project_zone_share for the caller's own project (member); a share is found by
        // its owner and its target, and judged as its owner's.
        row(
            Method::POST,
            "/v2/zones/{share_new}/shares",
            &[201, 404, 201, 403, 404],
            move |_| Payload::Json(json!({"target_project_id": beta})),
        ),
        row(
            Method::GET,
            "/v2/zones/{zs}/shares",
            &[200, 200, 200, 403, 200],
            empty,
        ),
        row(
            Method::GET,
            "/v2/zones/{zs}/shares/{share}",
            &[200, 404, 200, 403, 403],
            empty,
        ),
        row(
            Method::DELETE,
            "/v2/zones/{share_del_zone}/shares/{share_del}",
            &[204, 404, 204, 403, 403],
            empty,
        ),
        // A zone shared with beta: storage finds it for bob too, so he gets past the lookup
        // to each action's rule, which only `get_zone` lets a share target pass.
        row(
            Method::GET,
            "/v2/zones/{zs}",
            &[200, 404, 200, 200, 200],
            empty,
        ),
        row(
            Method::PATCH,
            "/v2/zones/{zs}",
            &[202, 404, 202, 403, 403],
            |_| Payload::Json(json!({"ttl": 600})),
        ),
        row(
            Method::GET,
            "/v2/zones/{zs}/nameservers",
            &[200, 404, 200, 200, 403],
            empty,
        ),
        row(
            Method::POST,
            "/v2/zones/{zs}/tasks/export",
            &[202, 404, 202, 403, 403],
            empty,
        ),
        row(
            Method::POST,
            "/v2/zones/{shared_abandon}/tasks/abandon",
            &[204, 404, 403, 403, 403],
            empty,
        ),
        // Floating IPs: no rule; Neutron lists the caller's project's only.
        row(Method::GET, "/v2/reverse/floatingips", &[200; 5], empty),
        row(
            Method::GET,
            "/v2/reverse/floatingips/{fip}",
            &[404, 404, 200, 200, 404],
            empty,
        ),
        row(
            Method::PATCH,
            "/v2/reverse/floatingips/{fip}",
            &[404, 404, 202, 202, 404],
            |who| Payload::Json(json!({"ptrdname": format!("ptr-{who}.example.org.")})),
        ),
        // Quotas, last (the reset drops alpha's raised zone quota): get_quotas lets readers
        // see their own project, and central wants all-projects for another's; set_quota is
        // admin with the same central check; reset_quotas is admin only.
        row(Method::GET, "/v2/quotas", &[200; 5], empty),
        row(
            Method::GET,
            "/v2/quotas/{alpha}",
            &[200, 403, 200, 200, 403],
            empty,
        ),
        row(
            Method::PATCH,
            "/v2/quotas/{alpha}",
            &[200, 403, 403, 403, 403],
            |_| Payload::Json(json!({"zones": 1000})),
        ),
        row(
            Method::DELETE,
            "/v2/quotas/{alpha}",
            &[204, 204, 403, 403, 403],
            empty,
        ),
    ];

    let mut failures = Vec::new();
    for Row {
        method,
        template,
        expected,
        body,
    } in &rows
    {
        for (i, who) in PERSONAS.iter().enumerate() {
            let path = fx.path(template, who);
            let want = expected.get(i).copied().unwrap_or(401);
            let reply = send(api, callers, who, method.clone(), &path, body(who)).await;
            if reply.status.as_u16() != want {
                failures.push(format!(
                    "{method} {template} as {who}: want {want}, got {} {}",
                    reply.status, reply.text
                ));
            } else if want == 404 {
                // Another project's object is simply not there, as upstream reports it.
                let t = reply.body["type"].as_str().unwrap_or_default();
                if t != "not_found" && !t.ends_with("_not_found") {
                    failures.push(format!("{method} {template} as {who}: 404 type {t}"));
                }
            } else if want == 403 {
                let t = reply.body["type"].as_str().unwrap_or_default();
                if t != "forbidden" {
                    failures.push(format!("{method} {template} as {who}: 403 type {t}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "RBAC matrix ({} mismatches):\n{}",
        failures.len(),
        failures.join("\n")
    );

    // A pool move's body is checked before its admin-only rule, as upstream's controller
    // does: moving a zone to the pool it is in is a 400 even for a member or a reader.
    for who in ["alice", "rita"] {
        let r = send(
            api,
            callers,
            who,
            Method::POST,
            &format!("/v2/zones/{z}/tasks/pool_move"),
            Payload::Json(json!({"pool_id": default_pool})),
        )
        .await;
        r.assert_error(400, "bad_request");
    }

    // Task lists never leak: bob and the plain admin see none of alpha's exports or imports,
    // and admin with all-projects sees them.
    for (path, key) in [
        ("/v2/zones/tasks/exports", "exports"),
        ("/v2/zones/tasks/imports", "imports"),
    ] {
        for (who, sees) in [("bob", false), ("admin", false), ("admin-all", true)] {
            let listed = made(api, callers, who, Method::GET, path, Payload::Empty).await;
            let alphas = listed[key]
                .as_array()
                .into_iter()
                .flatten()
                .any(|o| o["project_id"] == alpha);
            assert_eq!(alphas, sees, "{who} lists {path}: {listed}");
        }
    }
}
