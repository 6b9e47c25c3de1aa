//! Every role as its own process, meeting through the real RabbitMQ of this machine
//! (`DESIGNATE_TEST_TRANSPORT_URL`, default `rabbit://guest:guest@127.0.0.1:5672/`): two APIs,
//! two centrals, two workers, one producer, MiniDNS and the built-in nameserver
//! (`designate nameserver`), all sharing one SQLite store. Each test uses its own exchange and
//! topics, so it never sees another test's messages.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::rr::{RData, RecordType};
use reqwest::Method;
use serde_json::{json, Value};

use crate::dns::wait_answer;

/// Generous bounds for a loaded CI machine.
const WITHIN: Duration = Duration::from_secs(20);

fn broker_url() -> String {
    std::env::var("DESIGNATE_TEST_TRANSPORT_URL")
        .unwrap_or_else(|_| "rabbit://guest:guest@127.0.0.1:5672/".to_owned())
}

/// A free port on 127.0.0.1 (TCP and UDP), as the kernel hands it out.
fn free_port() -> u16 {
    loop {
        let tcp = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = tcp.local_addr().expect("addr").port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// One role process; its log lines are kept for the assertions.
struct Role {
    name: String,
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Role {
    /// Starts `designate --config <config> <role>` and waits for its `marker` log line.
    fn start(name: &str, config: &Path, role: &str, rust_log: &str, marker: &str) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_designate"))
            .arg("--config")
            .arg(config)
            .arg(role)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn designate");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().expect("log").push(line);
            }
        });
        let role = Self {
            name: name.to_owned(),
            child: Some(child),
            log,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while !role.logged(marker) {
            assert!(
                Instant::now() < deadline,
                "{name} not ready: {:#?}",
                role.lines()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        role
    }

    fn lines(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    fn logged(&self, needle: &str) -> bool {
        self.count(needle) > 0
    }

    fn count(&self, needle: &str) -> usize {
        self.log
            .lock()
            .expect("log")
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// SIGKILL: a crash, no goodbye to the broker.
    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait (at most 15 s).
    fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while child.try_wait().expect("wait").is_none() {
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!(
                    "{} did not stop within 15 s: {:#?}",
                    self.name,
                    self.lines()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Role {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The deployment: config files and the roles.
struct Deployment {
    dir: tempfile::TempDir,
    tag: String,
    apis: Vec<String>,
    nameserver: SocketAddr,
    roles: Vec<Role>,
    http: reqwest::Client,
}

impl Deployment {
    fn config(&self, api_port: u16) -> PathBuf {
        let path = self.dir.path().join(format!("designate-{api_port}.conf"));
        let tag = &self.tag;
        std::fs::write(
            &path,
            format!(
                "[DEFAULT]\nstate_path = {state}\ntransport_url = {url}\ncontrol_exchange = designate-e2e-{tag}\n\
                 rpc_response_timeout = 20\n\n\
                 [oslo_messaging_rabbit]\nheartbeat_timeout_threshold = 10\nrabbit_retry_interval = 0.2\n\
                 rabbit_retry_backoff = 0.2\nrabbit_interval_max = 2\n\n\
                 [oslo_messaging_notifications]\ndriver = messagingv2\ntopics = notifications-{tag}\n\n\
                 [service:central]\ntopic = central-{tag}\n\n[service:worker]\ntopic = worker-{tag}\n\n\
                 [producer_task:worker_periodic_recovery]\ninterval = 2\npending_grace = 5\n\n\
                 [service:api]\nlisten = 127.0.0.1:{api_port}\n\n\
                 [service:mdns]\nlisten = 127.0.0.1:{mdns}\n\n\
                 [service:nameserver]\nlisten = {ns}\n",
                state = self.dir.path().display(),
                url = broker_url(),
                mdns = self.mdns_port(),
                ns = self.nameserver,
            ),
        )
        .expect("write config");
        path
    }

    fn mdns_port(&self) -> u16 {
        // Derived from the nameserver port file written at start (see `start`).
        std::fs::read_to_string(self.dir.path().join("mdns.port"))
            .expect("mdns port")
            .trim()
            .parse()
            .expect("port")
    }

    /// Starts every role: 2 API, 2 central, 2 worker, 1 producer, MiniDNS, nameserver.
    fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("mdns.port"), free_port().to_string()).expect("port");
        let mut d = Self {
            dir,
            tag: uuid_tag(),
            apis: Vec::new(),
            nameserver: SocketAddr::from(([127, 0, 0, 1], free_port())),
            roles: Vec::new(),
            http: reqwest::Client::new(),
        };
        let api_ports = [free_port(), free_port()];
        let configs: Vec<PathBuf> = api_ports.iter().map(|p| d.config(*p)).collect();
        let status = Command::new(env!("CARGO_BIN_EXE_designate"))
            .arg("--config")
            .arg(&configs[0])
            .args(["manage", "database", "sync"])
            .status()
            .expect("manage");
        assert!(status.success(), "database sync failed");
        let c = &configs[0];
        let debug = "info,designate_bus=debug,designate_worker=debug";
        d.roles.push(Role::start(
            "central-1",
            c,
            "central",
            debug,
            "central consuming",
        ));
        d.roles.push(Role::start(
            "central-2",
            c,
            "central",
            debug,
            "central consuming",
        ));
        d.roles.push(Role::start(
            "nameserver",
            c,
            "nameserver",
            "info",
            "nameserver ready",
        ));
        d.roles
            .push(Role::start("mdns", c, "mdns", "info", "mdns ready"));
        d.roles.push(Role::start(
            "worker-1",
            c,
            "worker",
            debug,
            "worker consuming",
        ));
        d.roles.push(Role::start(
            "worker-2",
            c,
            "worker",
            debug,
            "worker consuming",
        ));
        d.roles.push(Role::start(
            "producer",
            c,
            "producer",
            "info",
            "producer ready",
        ));
        for (i, config) in configs.iter().enumerate() {
            d.roles.push(Role::start(
                &format!("api-{}", i + 1),
                config,
                "api",
                "info",
                "api ready",
            ));
            d.apis.push(format!("http://127.0.0.1:{}", api_ports[i]));
        }
        d
    }

    fn role(&mut self, name: &str) -> &mut Role {
        self.roles
            .iter_mut()
            .find(|r| r.name == name)
            .expect("role")
    }

    async fn call(
        &self,
        api: usize,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(
            method,
            format!("{}{path}", self.apis[api % self.apis.len()]),
        );
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("http");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn create_zone(&self, api: usize, name: &str) -> String {
        let (status, body) = self
            .call(
                api,
                Method::POST,
                "/v2/zones",
                Some(json!({"name": name, "email": "hostmaster@example.org"})),
            )
            .await;
        assert_eq!(status, 202, "create zone {name}: {body}");
        body["id"].as_str().expect("id").to_owned()
    }

    async fn create_a(&self, api: usize, zone_id: &str, name: &str, ip: &str) -> u16 {
        let (status, body) = self
            .call(
                api,
                Method::POST,
                &format!("/v2/zones/{zone_id}/recordsets"),
                Some(json!({"name": name, "type": "A", "records": [ip]})),
            )
            .await;
        assert!(
            status == 202 || status == 504,
            "create {name}: {status} {body}"
        );
        status
    }

    async fn wait_active(&self, zone_id: &str) {
        let deadline = Instant::now() + WITHIN;
        loop {
            let (status, body) = self
                .call(1, Method::GET, &format!("/v2/zones/{zone_id}"), None)
                .await;
            if status == 200 && body["status"] == "ACTIVE" {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "zone {zone_id} not ACTIVE: {body}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Deletes this test's queues and exchange from the broker.
    fn cleanup(&self) {
        let tag = &self.tag;
        for queue in [
            format!("central-{tag}"),
            format!("worker-{tag}"),
            format!("notifications-{tag}.info"),
        ] {
            let _ = Command::new("rabbitmqadmin")
                .args(["delete", "queue", &format!("name={queue}")])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = Command::new("rabbitmqctl")
                .args(["delete_queue", &queue])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
        let _ = Command::new("rabbitmqadmin")
            .args(["delete", "exchange", &format!("name=designate-e2e-{tag}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

fn uuid_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}{:x}", nanos, std::process::id())
}

fn a_record_is(msg: &hickory_proto::op::Message, want: &str) -> bool {
    msg.answers()
        .iter()
        .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == want))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn separate_role_processes_serve_the_spine_through_rabbitmq() {
    let mut d = Deployment::start();

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

    // Deleting goes through the same path: the nameserver drops the zone.
    let (status, body) = d
        .call(0, Method::DELETE, &format!("/v2/zones/{}", zones[0]), None)
        .await;
    assert_eq!(status, 202, "{body}");
    wait_answer(
        d.nameserver,
        "h0.z0.bus.example.org.",
        RecordType::A,
        WITHIN,
        |m| m.answers().is_empty(),
    )
    .await;

    for role in &mut d.roles {
        role.stop();
    }
    d.cleanup();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_a_central_and_a_worker_loses_no_accepted_change() {
    let mut d = Deployment::start();
    let mut zones = Vec::new();
    for i in 0..5 {
        zones.push(d.create_zone(i, &format!("k{i}.bus.example.org.")).await);
    }
    // Load, with one central and one worker killed -9 half-way through.
    let mut accepted = Vec::new();
    for n in 0..60 {
        if n == 30 {
            d.role("central-1").kill();
            d.role("worker-1").kill();
        }
        let zi = n % zones.len();
        let name = format!("r{n}.k{zi}.bus.example.org.");
        let ip = format!("192.0.2.{}", n + 1);
        if d.create_a(n, &zones[zi], &name, &ip).await == 202 {
            accepted.push((name, ip));
        }
    }
    assert!(
        accepted.len() >= 55,
        "too many calls failed: {}",
        accepted.len()
    );
    for zone in &zones {
        d.wait_active(zone).await;
    }
    for (name, ip) in &accepted {
        wait_answer(d.nameserver, name, RecordType::A, WITHIN, |m| {
            a_record_is(m, ip)
        })
        .await;
    }
    for role in &mut d.roles {
        role.stop();
    }
    d.cleanup();
}
