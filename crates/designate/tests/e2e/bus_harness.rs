//! Running every role as its own process for the tests of `bus.rs`: the role processes, a
//! deployment of them sharing one config and SQLite store, and a RabbitMQ node of a test's own.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hickory_proto::rr::RData;
use reqwest::Method;
use serde_json::{json, Value};

/// Generous bounds for a loaded CI machine.
pub(crate) const WITHIN: Duration = Duration::from_secs(20);

pub(crate) fn broker_url() -> String {
    std::env::var("DESIGNATE_TEST_TRANSPORT_URL")
        .unwrap_or_else(|_| "rabbit://guest:guest@127.0.0.1:5672/".to_owned())
}

/// A free port on 127.0.0.1 (TCP and UDP) below the kernel's ephemeral range (32768+), so
/// that no outgoing connection of another process takes it between now and its use.
pub(crate) fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    if NEXT.load(Ordering::Relaxed) == 0 {
        // Start somewhere different per run so concurrent test binaries rarely collide.
        let seed = (std::process::id() % 1000) as u16 * 10;
        let _ = NEXT.compare_exchange(0, 20000 + seed, Ordering::Relaxed, Ordering::Relaxed);
    }
    loop {
        let port = NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(port < 32000, "no free port");
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
            && std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok()
        {
            return port;
        }
    }
}

/// One role process; its log lines are kept for the assertions.
pub(crate) struct Role {
    pub(crate) name: String,
    pub(crate) child: Option<Child>,
    pub(crate) log: Arc<Mutex<Vec<String>>>,
}

impl Role {
    /// Starts `designate --config <config> <role>` and waits for its `marker` log line.
    pub(crate) fn start(
        name: &str,
        config: &Path,
        role: &str,
        rust_log: &str,
        marker: &str,
    ) -> Self {
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

    pub(crate) fn lines(&self) -> Vec<String> {
        self.log.lock().expect("log").clone()
    }

    pub(crate) fn logged(&self, needle: &str) -> bool {
        self.count(needle) > 0
    }

    pub(crate) fn count(&self, needle: &str) -> usize {
        self.log
            .lock()
            .expect("log")
            .iter()
            .filter(|l| l.contains(needle))
            .count()
    }

    /// Resident memory of the process, from /proc (0 once it has exited).
    pub(crate) fn rss_kib(&self) -> u64 {
        let Some(child) = &self.child else { return 0 };
        std::fs::read_to_string(format!("/proc/{}/status", child.id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse().ok())
            })
            .unwrap_or(0)
    }

    /// SIGKILL: a crash, no goodbye to the broker.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM and wait (at most 15 s).
    pub(crate) fn stop(&mut self) {
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
pub(crate) struct Deployment {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) tag: String,
    pub(crate) url: String,
    pub(crate) apis: Vec<String>,
    pub(crate) nameserver: SocketAddr,
    pub(crate) roles: Vec<Role>,
    pub(crate) http: reqwest::Client,
}

impl Deployment {
    pub(crate) fn config(&self, api_port: u16) -> PathBuf {
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
                 [service:mdns]\nlisten = 127.0.0.1:{mdns}\ntopic = mdns-{tag}\n\n\
                 [service:nameserver]\nlisten = {ns}\n",
                state = self.dir.path().display(),
                url = self.url,
                mdns = self.mdns_port(),
                ns = self.nameserver,
            ),
        )
        .expect("write config");
        path
    }

    pub(crate) fn mdns_port(&self) -> u16 {
        // Derived from the nameserver port file written at start (see `start`).
        std::fs::read_to_string(self.dir.path().join("mdns.port"))
            .expect("mdns port")
            .trim()
            .parse()
            .expect("port")
    }

    /// Starts every role: 2 API, 2 central, 2 worker, 1 producer, MiniDNS, nameserver.
    pub(crate) fn start(url: String) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("mdns.port"), free_port().to_string()).expect("port");
        let mut d = Self {
            dir,
            tag: uuid_tag(),
            url,
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
            .stderr(Stdio::null())
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

    pub(crate) fn role(&mut self, name: &str) -> &mut Role {
        self.roles
            .iter_mut()
            .find(|r| r.name == name)
            .expect("role")
    }

    pub(crate) async fn call(
        &self,
        api: usize,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.call_with(api, &[], method, path, body).await
    }

    /// [`Self::call`] with extra headers (noauth project, all-projects…).
    pub(crate) async fn call_with(
        &self,
        api: usize,
        headers: &[(&str, &str)],
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(
            method,
            format!("{}{path}", self.apis[api % self.apis.len()]),
        );
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("http");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub(crate) async fn create_zone(&self, api: usize, name: &str) -> String {
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

    pub(crate) async fn create_a(&self, api: usize, zone_id: &str, name: &str, ip: &str) -> u16 {
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

    pub(crate) async fn wait_active(&self, zone_id: &str) {
        let deadline = Instant::now() + WITHIN;
        loop {
            // All projects: the zone may belong to any test project (admin in noauth).
            let (status, body) = self
                .call_with(
                    1,
                    &[("x-auth-all-projects", "true")],
                    Method::GET,
                    &format!("/v2/zones/{zone_id}"),
                    None,
                )
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
}

impl Drop for Deployment {
    /// Stops what is left and deletes this test's queues from the shared broker (also when the
    /// test failed). The non-durable exchange stays until the broker restarts: `rabbitmqctl` has
    /// no command to delete one and lapin is not a dependency here.
    fn drop(&mut self) {
        for role in &mut self.roles {
            role.kill();
        }
        if self.url != broker_url() {
            // A broker of the test's own: it goes away with its data directory.
            return;
        }
        let tag = &self.tag;
        for queue in [
            format!("central-{tag}"),
            format!("worker-{tag}"),
            format!("notifications-{tag}.info"),
        ] {
            let _ = Command::new("rabbitmqctl")
                .args(["delete_queue", &queue])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
        }
    }
}

pub(crate) fn uuid_tag() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}{:x}", nanos, std::process::id())
}

pub(crate) fn a_record_is(msg: &hickory_proto::op::Message, want: &str) -> bool {
    msg.answers()
        .iter()
        .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == want))
}

/// A RabbitMQ node of this test's own (own port, node name and data directory), so that the
/// test can stop and restart it without disturbing anybody else.
pub(crate) struct Broker {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) port: u16,
    pub(crate) dist_port: u16,
    pub(crate) node: String,
    pub(crate) child: Option<Child>,
}

impl Broker {
    pub(crate) fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut broker = Self {
            port: free_port(),
            dist_port: free_port(),
            node: format!("designate-test-{}@localhost", uuid_tag()),
            dir,
            child: None,
        };
        let path = broker.dir.path();
        std::fs::write(
            path.join("rabbitmq.conf"),
            format!(
                "listeners.tcp.default = 127.0.0.1:{}\nloopback_users = none\n",
                broker.port
            ),
        )
        .expect("conf");
        std::fs::write(path.join("rabbitmq-env.conf"), "").expect("env");
        std::fs::write(path.join("enabled_plugins"), "[].\n").expect("plugins");
        // One cookie for every test node, so that two of them can form a cluster (and
        // rabbitmqctl, run with the same HOME, may talk to them). Erlang wants it owner-only.
        let cookie = path.join(".erlang.cookie");
        std::fs::write(&cookie, "DESIGNATETESTCOOKIE").expect("cookie");
        std::fs::set_permissions(&cookie, std::os::unix::fs::PermissionsExt::from_mode(0o400))
            .expect("cookie mode");
        broker.boot();
        broker
    }

    /// Runs `rabbitmqctl -n <this node> args…`, asserting success.
    pub(crate) fn ctl(&self, args: &[&str]) {
        let out = Command::new("/usr/lib/rabbitmq/bin/rabbitmqctl")
            .env("HOME", self.dir.path())
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .args(["-n", &self.node])
            .args(args)
            .output()
            .expect("rabbitmqctl (Debian package rabbitmq-server) must be installed");
        assert!(
            out.status.success(),
            "rabbitmqctl {args:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Makes this (fresh) node a member of `other`'s cluster.
    pub(crate) fn join(&self, other: &Self) {
        self.ctl(&["stop_app"]);
        self.ctl(&["join_cluster", &other.node]);
        self.ctl(&["start_app"]);
        self.ctl(&["await_startup"]);
    }

    pub(crate) fn url(&self) -> String {
        format!("rabbit://guest:guest@127.0.0.1:{}/", self.port)
    }

    /// Starts the node (again, on the same data: durable queues and persistent messages stay).
    pub(crate) fn boot(&mut self) {
        let path = self.dir.path();
        let child = Command::new("/usr/lib/rabbitmq/bin/rabbitmq-server")
            .env("HOME", path)
            .env("RABBITMQ_CONFIG_FILE", path.join("rabbitmq.conf"))
            .env("RABBITMQ_CONF_ENV_FILE", path.join("rabbitmq-env.conf"))
            .env(
                "RABBITMQ_ENABLED_PLUGINS_FILE",
                path.join("enabled_plugins"),
            )
            .env("RABBITMQ_NODENAME", &self.node)
            .env("RABBITMQ_DIST_PORT", self.dist_port.to_string())
            .env("RABBITMQ_MNESIA_BASE", path.join("mnesia"))
            .env("RABBITMQ_LOG_BASE", path.join("log"))
            .env("ERL_EPMD_ADDRESS", "127.0.0.1")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rabbitmq-server (Debian package rabbitmq-server) must be installed");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "own RabbitMQ node did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// SIGTERM (RabbitMQ shuts down cleanly) and wait.
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while child.try_wait().expect("wait").is_none() {
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    break;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        self.stop();
    }
}
