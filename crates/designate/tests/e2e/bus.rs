//! Every role as its own process, meeting through the real RabbitMQ of this machine
//! (`DESIGNATE_TEST_TRANSPORT_URL`, default `rabbit://guest:guest@127.0.0.1:5672/`): two APIs,
//! two centrals, two workers, one producer, MiniDNS and the built-in nameserver
//! (`designate nameserver`), all sharing one SQLite store. Each test uses its own exchange and
//! topics, so it never sees another test's messages.

use std::net::SocketAddr;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hickory_proto::op::ResponseCode;
use hickory_proto::rr::RecordType;
use reqwest::Method;
use serde_json::json;

use crate::bus_harness::{
    a_record_is, broker_url, free_port, uuid_tag, Broker, Deployment, Role, WITHIN,
};
use crate::dns::{udp, wait_answer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_role_processes_serve_the_spine_through_rabbitmq() {
    let mut d = Deployment::start(broker_url());

    // The spine: zone → ACTIVE → record answered by the stand-alone nameserver.
    let zone = d.create_zone(0, "bus.example.org.").await;
    d.wait_active(&zone).await;
    d.create_a(1, &zone, "www.bus.example.org.", "192.0.2.10")
        .await;
    wait_answer(
        d.nameserver,
        "www.bus.example.org.",
        RecordType::A,
        WITHIN,
        |m| m.authoritative() && a_record_is(m, "192.0.2.10"),
    )
    .await;

    // A little load over both APIs: work is shared by the centrals and by the workers.
    let mut zones = Vec::new();
    for i in 0..8 {
        zones.push(d.create_zone(i, &format!("z{i}.bus.example.org.")).await);
    }
    for (i, zone) in zones.iter().enumerate() {
        for j in 0..3 {
            d.create_a(
                i + j,
                zone,
                &format!("h{j}.z{i}.bus.example.org."),
                &format!("192.0.2.{}", 20 + j),
            )
            .await;
        }
    }
    for zone in &zones {
        d.wait_active(zone).await;
    }
    for i in 0..8 {
        wait_answer(
            d.nameserver,
            &format!("h2.z{i}.bus.example.org."),
            RecordType::A,
            WITHIN,
            |m| a_record_is(m, "192.0.2.22"),
        )
        .await;
    }
    let rss: Vec<(String, u64)> = d
        .roles
        .iter()
        .map(|r| (r.name.clone(), r.rss_kib()))
        .collect();
    eprintln!("RSS (KiB) of the role processes after the load: {rss:?}");
    for name in ["central-1", "central-2"] {
        assert!(
            d.role(name).count("central call") > 0,
            "{name} handled no call"
        );
    }
    for name in ["worker-1", "worker-2"] {
        assert!(
            d.role(name).count("zone task done") > 0,
            "{name} handled no zone task"
        );
    }

    // Every role reported its heartbeat through central (upstream's service_statuses).
    let statuses = |d: &Deployment| {
        let out = Command::new("sqlite3")
            .arg(d.dir.path().join("designate.sqlite"))
            .arg("SELECT service_name || '=' || status FROM service_statuses ORDER BY service_name")
            .output()
            .expect("sqlite3 (Debian package sqlite3) must be installed");
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        statuses(&d),
        [
            "api=UP",
            "central=UP",
            "mdns=UP",
            "nameserver=UP",
            "producer=UP",
            "worker=UP"
        ]
    );
    // The same rows through the API (an API process → central over RabbitMQ), and the load
    // balancers' health check: bus and database reachable.
    let (status, body) = d
        .call(
            1,
            Method::GET,
            "/v2/service_statuses?sort_key=service_name",
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["service_statuses"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["service_name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        names,
        ["api", "central", "mdns", "nameserver", "producer", "worker"]
    );
    assert_eq!(body["service_statuses"][0]["status"], "UP");
    let health = d
        .http
        .get(format!("{}/healthcheck", d.apis[0]))
        .send()
        .await
        .expect("healthcheck");
    assert_eq!(health.status().as_u16(), 200);
    assert_eq!(health.text().await.expect("body"), "OK");

    // Deleting goes through the same path: the nameserver drops the zone.
    let (status, body) = d
        .call(0, Method::DELETE, &format!("/v2/zones/{}", zones[0]), None)
        .await;
    assert_eq!(status, 202, "{body}");
    // Once z0 is gone, its names fall into the parent zone, which does not have them.
    let deadline = Instant::now() + WITHIN;
    loop {
        let msg = udp(d.nameserver, "h0.z0.bus.example.org.", RecordType::A).await;
        if msg.response_code() == ResponseCode::NXDomain {
            break;
        }
        assert!(Instant::now() < deadline, "z0 still served: {msg:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Producer and APIs stop first, while a central can still record their STOPPED status.
    for name in ["producer", "api-1", "api-2", "worker-1", "worker-2"] {
        d.role(name).stop();
    }
    let stopped = statuses(&d);
    for role in &mut d.roles {
        role.stop();
    }
    assert_eq!(
        stopped,
        [
            "api=STOPPED",
            "central=UP",
            "mdns=UP",
            "nameserver=UP",
            "producer=STOPPED",
            "worker=STOPPED"
        ]
    );
}

/// The load: 2,000 recordset changes over 50 zones.
const LOAD_ZONES: usize = 50;
const LOAD_CHANGES: usize = 2000;

/// Ten zones per project: upstream's default zone quota.
fn load_project(zone: usize) -> String {
    format!("load-{}", zone / 10)
}

/// Creates the load's 50 zones (`<i>.<suffix>`) and returns their ids.
async fn load_zones(d: &Deployment, suffix: &str) -> Vec<String> {
    let mut zones = Vec::new();
    for i in 0..LOAD_ZONES {
        let name = format!("k{i}.{suffix}");
        let (status, body) = d
            .call_with(
                i,
                &[("x-auth-project-id", &load_project(i))],
                Method::POST,
                "/v2/zones",
                Some(json!({"name": name, "email": "admin@example.org"})),
            )
            .await;
        assert_eq!(status, 202, "create zone {name}: {body}");
        zones.push(body["id"].as_str().expect("id").to_owned());
    }
    zones
}

/// One change of the load as the client saw it.
struct Change {
    status: u16,
    name: String,
    ip: String,
    /// When the request was sent.
    sent: Instant,
}

/// The load: 2,000 recordset creates over `zones`, up to 30 at a time over both APIs.
/// `half_way` runs when half are sent (the disruption); while `hold()` is true no new change
/// is sent (so the second half meets the recovered deployment, not an outage).
async fn run_load(
    d: &Deployment,
    zones: &[String],
    suffix: &str,
    half_way: impl FnOnce(),
    hold: impl Fn() -> bool,
) -> Vec<Change> {
    let mut half_way = Some(half_way);
    let mut load = tokio::task::JoinSet::new();
    let mut results = Vec::new();
    for n in 0..LOAD_CHANGES {
        if n == LOAD_CHANGES / 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
            if let Some(disrupt) = half_way.take() {
                disrupt();
            }
        }
        while hold() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        while load.len() >= 30 {
            if let Some(done) = load.join_next().await {
                results.push(done.expect("task"));
            }
        }
        let zi = n % zones.len();
        let name = format!("r{n}.k{zi}.{suffix}");
        let ip = format!("192.0.2.{}", n % 250 + 1);
        let url = format!(
            "{}/v2/zones/{}/recordsets",
            d.apis[n % d.apis.len()],
            zones[zi]
        );
        let http = d.http.clone();
        let project = load_project(zi);
        load.spawn(async move {
            let sent = Instant::now();
            let status = http
                .post(url)
                .header("x-auth-project-id", project)
                .json(&json!({"name": name, "type": "A", "records": [ip]}))
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            Change {
                status,
                name,
                ip,
                sent,
            }
        });
    }
    while let Some(done) = load.join_next().await {
        results.push(done.expect("task"));
    }
    results
}

/// Every change answered 202 is served, exactly once (redelivered requests and tasks left no
/// duplicate), and every zone is ACTIVE again; a 202 or a 504 (the outcome of a call in
/// flight when its central or the broker went away is unknown to the client) are the only
/// answers. A 409 would be a create redelivered after its central committed it and answered
/// as a duplicate: central answers a redelivered create with what it created.
async fn assert_accepted_served(d: &Deployment, zones: &[String], changes: &[Change]) -> usize {
    for c in changes {
        assert!(
            c.status == 202 || c.status == 504,
            "{}: HTTP {}",
            c.name,
            c.status
        );
    }
    for zone in zones {
        d.wait_active(zone).await;
    }
    let accepted: Vec<&Change> = changes.iter().filter(|c| c.status == 202).collect();
    for c in &accepted {
        wait_answer(d.nameserver, &c.name, RecordType::A, WITHIN, |m| {
            a_record_is(m, &c.ip) && m.answers().len() == 1
        })
        .await;
    }
    accepted.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_central_and_a_worker_loses_no_accepted_change() {
    let started = Instant::now();
    let mut d = Deployment::start(broker_url());
    let suffix = "bus.example.org.";
    let zones = load_zones(&d, suffix).await;
    // One central and one worker killed -9 half-way through, while requests and zone tasks
    // are in flight in them.
    let (central, worker) = {
        let mut take = |name: &str| d.role(name).child.take().expect("running");
        (take("central-1"), take("worker-1"))
    };
    let victims = std::sync::Mutex::new(Some((central, worker)));
    let changes = run_load(
        &d,
        &zones,
        suffix,
        || {
            if let Some((mut central, mut worker)) = victims.lock().expect("victims").take() {
                for child in [&mut central, &mut worker] {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
        },
        || false,
    )
    .await;
    let loaded = started.elapsed();
    let accepted = assert_accepted_served(&d, &zones, &changes).await;
    // A request in flight in the killed central is redelivered to the other one, which answers
    // it: only calls whose answer was on its way back may fail (504), a few of thousands.
    assert!(
        accepted >= LOAD_CHANGES * 9 / 10,
        "too many calls failed: {accepted} of {LOAD_CHANGES} accepted"
    );
    eprintln!(
        "kill -9 under load: {accepted} of {LOAD_CHANGES} changes accepted over {LOAD_ZONES} \
         zones; load {:.1} s, all served {:.1} s after start",
        loaded.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    for role in &mut d.roles {
        role.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broker_restart_under_load_loses_no_accepted_change() {
    let started = Instant::now();
    // A RabbitMQ node of the test's own: restarting the machine's broker would break the
    // other tests (and other users) of it.
    let broker = Broker::start();
    let mut d = Deployment::start(broker.url());
    let suffix = "restart-load.example.org.";
    let zones = load_zones(&d, suffix).await;
    // Half-way through the load the node is stopped and started again (same data directory:
    // the durable queues and confirmed persistent casts survive, calls and replies in flight
    // do not). No new change is sent while it is away; the roles must reconnect by
    // themselves, and the producer's recovery re-drives zones whose cast was lost.
    let restarting = Arc::new(AtomicBool::new(false));
    let restarted_at = Arc::new(std::sync::Mutex::new(None::<Instant>));
    let broker = Arc::new(std::sync::Mutex::new(broker));
    let restart = {
        let (restarting, restarted_at, broker) = (
            Arc::clone(&restarting),
            Arc::clone(&restarted_at),
            Arc::clone(&broker),
        );
        move || {
            restarting.store(true, Ordering::SeqCst);
            std::thread::spawn(move || {
                let mut broker = broker.lock().expect("broker");
                broker.stop();
                broker.boot();
                *restarted_at.lock().expect("time") = Some(Instant::now());
                restarting.store(false, Ordering::SeqCst);
            });
        }
    };
    let changes = run_load(&d, &zones, suffix, restart, || {
        restarting.load(Ordering::SeqCst)
    })
    .await;
    let loaded = started.elapsed();
    let back = restarted_at
        .lock()
        .expect("time")
        .expect("the broker was restarted");
    let accepted = assert_accepted_served(&d, &zones, &changes).await;
    // Roles reconnect within rabbit_interval_max (2 s here) of the node's return: the bulk of
    // the second half, sent after it, is accepted.
    let after: Vec<&Change> = changes.iter().filter(|c| c.sent > back).collect();
    let accepted_after = after.iter().filter(|c| c.status == 202).count();
    assert!(
        accepted_after >= after.len() * 3 / 4 && after.len() >= LOAD_CHANGES / 4,
        "roles did not come back: {accepted_after} of {} changes sent after the restart \
         accepted",
        after.len()
    );
    assert!(
        accepted >= LOAD_CHANGES / 2,
        "too many calls failed: {accepted} of {LOAD_CHANGES} accepted"
    );
    eprintln!(
        "broker restart under load: {accepted} of {LOAD_CHANGES} changes accepted over \
         {LOAD_ZONES} zones ({accepted_after} of {} sent after the restart); load {:.1} s, all \
         served {:.1} s after start",
        after.len(),
        loaded.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    for role in &mut d.roles {
        role.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_reconnect_after_a_broker_restart() {
    let mut broker = Broker::start();
    let mut d = Deployment::start(broker.url());
    let zone = d.create_zone(0, "restart.example.org.").await;
    d.wait_active(&zone).await;

    broker.stop();
    // While the broker is down the API answers 504 at once instead of hanging.
    let started = Instant::now();
    let (status, body) = d
        .call(
            0,
            Method::POST,
            &format!("/v2/zones/{zone}/recordsets"),
            Some(json!({"name": "down.restart.example.org.", "type": "A", "records": ["192.0.2.99"]})),
        )
        .await;
    assert_eq!(status, 504, "{body}");
    assert!(started.elapsed() < Duration::from_secs(10));

    broker.boot();
    // Every role reconnects by itself; changes flow again through both APIs.
    let deadline = Instant::now() + WITHIN;
    let mut accepted = Vec::new();
    let mut n = 0;
    while accepted.len() < 10 {
        assert!(
            Instant::now() < deadline,
            "roles did not come back: {accepted:?}"
        );
        let name = format!("r{n}.restart.example.org.");
        let ip = format!("192.0.2.{}", n + 1);
        let (status, _) = d
            .call(
                n,
                Method::POST,
                &format!("/v2/zones/{zone}/recordsets"),
                Some(json!({"name": name, "type": "A", "records": [ip]})),
            )
            .await;
        if status == 202 {
            accepted.push((name, ip));
        } else {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        n += 1;
    }
    d.wait_active(&zone).await;
    for (name, ip) in &accepted {
        wait_answer(d.nameserver, name, RecordType::A, WITHIN, |m| {
            a_record_is(m, ip)
        })
        .await;
    }
    for role in &mut d.roles {
        role.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_with_a_transport_url_serves_an_api_of_another_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("mdns.port"), free_port().to_string()).expect("port");
    let mut d = Deployment {
        dir,
        tag: uuid_tag(),
        url: broker_url(),
        apis: Vec::new(),
        nameserver: SocketAddr::from(([127, 0, 0, 1], free_port())),
        roles: Vec::new(),
        http: reqwest::Client::new(),
    };
    let ports = [free_port(), free_port()];
    let all = d.config(ports[0]);
    d.roles.push(Role::start(
        "all",
        &all,
        "all",
        "info",
        "designate all ready",
    ));
    let api = d.config(ports[1]);
    d.roles
        .push(Role::start("api", &api, "api", "info", "api ready"));
    // Only the separate API is used: every call crosses RabbitMQ to the central of `all`.
    d.apis.push(format!("http://127.0.0.1:{}", ports[1]));
    let zone = d.create_zone(0, "all.example.org.").await;
    d.wait_active(&zone).await;
    d.create_a(0, &zone, "www.all.example.org.", "192.0.2.5")
        .await;
    wait_answer(
        d.nameserver,
        "www.all.example.org.",
        RecordType::A,
        WITHIN,
        |m| a_record_is(m, "192.0.2.5"),
    )
    .await;
    // `all` reports one heartbeat row per role it runs (the separate API shares the `api` row:
    // rows are keyed by service and host, as upstream's).
    let (status, body) = d
        .call(
            0,
            Method::GET,
            "/v2/service_statuses?sort_key=service_name",
            None,
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let names: Vec<&str> = body["service_statuses"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s["service_name"].as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        names,
        ["api", "central", "mdns", "nameserver", "producer", "worker"]
    );
    for role in &mut d.roles {
        role.stop();
    }
}

/// p50 and p99 of `samples` in milliseconds.
fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i].as_secs_f64() * 1000.0
    };
    (at(0.5), at(0.99))
}

/// Recordset change → answer from the nameserver, measured `n` times in a row.
async fn change_latencies(
    n: usize,
    post: impl Fn(usize) -> reqwest::RequestBuilder,
    nameserver: SocketAddr,
    zone: &str,
) -> Vec<Duration> {
    let mut samples = Vec::new();
    for i in 0..n {
        let name = format!("lat{i}.{zone}");
        let started = Instant::now();
        let resp = post(i)
            .json(&json!({"name": name, "type": "A", "records": ["192.0.2.1"]}))
            .send()
            .await
            .expect("http");
        assert_eq!(resp.status().as_u16(), 202);
        wait_answer(nameserver, &name, RecordType::A, WITHIN, |m| {
            a_record_is(m, "192.0.2.1")
        })
        .await;
        samples.push(started.elapsed());
    }
    samples
}

/// The benchmark of docs/PERFORMANCE.md: what RabbitMQ adds to a change's way to the nameserver.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn change_latency_through_rabbitmq_versus_in_process() {
    const N: usize = 40;
    let local = crate::harness::Service::start().await;
    let zone = local.create_zone("lat.example.org.").await;
    let zone_id = zone["id"].as_str().expect("id").to_owned();
    local.wait_zone_status(&zone_id, "ACTIVE", WITHIN).await;
    let http = reqwest::Client::new();
    let url = format!("{}/v2/zones/{zone_id}/recordsets", local.api);
    let in_process =
        change_latencies(N, |_| http.post(&url), local.nameserver, "lat.example.org.").await;
    drop(local);

    let mut d = Deployment::start(broker_url());
    let zone = d.create_zone(0, "lat.example.org.").await;
    d.wait_active(&zone).await;
    let urls: Vec<String> = d
        .apis
        .iter()
        .map(|api| format!("{api}/v2/zones/{zone}/recordsets"))
        .collect();
    let through_bus = change_latencies(
        N,
        |i| http.post(&urls[i % urls.len()]),
        d.nameserver,
        "lat.example.org.",
    )
    .await;
    let (p50_local, p99_local) = percentiles(in_process);
    let (p50_bus, p99_bus) = percentiles(through_bus);
    eprintln!(
        "change → nameserver answer, {N} changes: in-process p50 {p50_local:.1} ms p99 \
         {p99_local:.1} ms; RabbitMQ (separate processes) p50 {p50_bus:.1} ms p99 {p99_bus:.1} ms"
    );
    for role in &mut d.roles {
        role.stop();
    }
}

/// `dig -y` SOA of `zone` from the MiniDNS at `port`, signed with `key`: whether it was
/// answered (NOERROR), and dig's output.
fn signed_soa(port: u16, zone: &str, key: &str) -> (bool, String) {
    let out = Command::new("dig")
        .args(["+tries=1", "+time=2", "-p", &port.to_string(), "-y", key])
        .args(["@127.0.0.1", zone, "SOA"])
        .output()
        .expect("dig (Debian package bind9-dnsutils) must be installed");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (text.contains("status: NOERROR"), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_tsig_key_stops_working_on_every_mdns_at_once() {
    let mut d = Deployment::start(broker_url());
    let zone = d.create_zone(0, "fanout.example.org.").await;
    d.wait_active(&zone).await;
    let (status, body) = d
        .call(
            0,
            Method::POST,
            "/v2/tsigkeys",
            Some(json!({
                "name": "fanout-key", "algorithm": "hmac-sha256", "secret": "c2VjcmV0c2VjcmV0",
                "scope": "POOL", "resource_id": "794ccc2c-d751-44fe-b57f-8894c9f5c842",
            })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let key_id = body["id"].as_str().expect("id").to_owned();
    // Two more MiniDNS processes that re-read their access data only once an hour: only
    // central's broadcast can make them drop the key in time.
    let base = std::fs::read_to_string(d.dir.path().join(format!(
        "designate-{}.conf",
        d.apis[0].rsplit(':').next().expect("port")
    )))
    .expect("config");
    let mut ports = Vec::new();
    for name in ["mdns-a", "mdns-b"] {
        let port = free_port();
        let text = base.replace(
            &format!("listen = 127.0.0.1:{}\n", d.mdns_port()),
            &format!("listen = 127.0.0.1:{port}\nacl_refresh = 3600\n"),
        );
        let path = d.dir.path().join(format!("{name}.conf"));
        std::fs::write(&path, text).expect("config");
        let role = Role::start(name, &path, "mdns", "info", "fanout consuming");
        d.roles.push(role);
        ports.push(port);
    }
    let key = "hmac-sha256:fanout-key:c2VjcmV0c2VjcmV0";
    for port in &ports {
        let (answered, out) = signed_soa(*port, "fanout.example.org.", key);
        assert!(answered, "signed query refused by MiniDNS on {port}: {out}");
    }

    let (status, body) = d
        .call(0, Method::DELETE, &format!("/v2/tsigkeys/{key_id}"), None)
        .await;
    assert_eq!(status, 204, "{body}");
    let deadline = Instant::now() + Duration::from_secs(5);
    for port in &ports {
        loop {
            let (answered, out) = signed_soa(*port, "fanout.example.org.", key);
            if !answered {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "MiniDNS on {port} still accepts the deleted key: {out}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    for role in &mut d.roles {
        role.stop();
    }
}
