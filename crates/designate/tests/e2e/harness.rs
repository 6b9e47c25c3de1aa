//! Starting and stopping `designate all` for a test, and talking to its API.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// A running `designate all`.
pub(crate) struct Service {
    child: Option<Child>,
    /// Base URL of the API, e.g. `http://127.0.0.1:40001`.
    pub(crate) api: String,
    /// MiniDNS address.
    pub(crate) mdns: SocketAddr,
    /// Built-in nameserver address.
    pub(crate) nameserver: SocketAddr,
    /// HTTP client.
    pub(crate) http: reqwest::Client,
    _state: Option<tempfile::TempDir>,
    log: mpsc::Receiver<String>,
}

impl Service {
    /// Starts a service in a fresh state directory, every port chosen by the kernel.
    pub(crate) async fn start() -> Self {
        let state = tempfile::tempdir().expect("tempdir");
        let path = state.path().to_owned();
        let mut service = Self::start_in(&path, &Ports::any()).await;
        service._state = Some(state);
        service
    }

    /// Starts a service on `state_path` (kept by the caller) with the given listen ports.
    pub(crate) async fn start_in(state_path: &Path, ports: &Ports) -> Self {
        Self::start_in_with(state_path, ports, "").await
    }

    /// Like [`Service::start_in`], with `extra` appended to the config file (more sections).
    pub(crate) async fn start_in_with(state_path: &Path, ports: &Ports, extra: &str) -> Self {
        let config = write_config_with(state_path, ports, extra);
        let mut child = Command::new(env!("CARGO_BIN_EXE_designate"))
            .arg("--config")
            .arg(&config)
            .arg("all")
            .env("RUST_LOG", "info,designate=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn designate");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let ready = loop {
            match rx.recv_timeout(Duration::from_secs(20)) {
                Ok(line) if line.contains("designate all ready") => break line,
                Ok(_) => {}
                Err(e) => {
                    let _ = child.kill();
                    panic!("designate all did not become ready: {e}");
                }
            }
        };
        let field = |name: &str| -> String {
            let start = ready
                .find(&format!("{name}="))
                .expect("field in ready line")
                + name.len()
                + 1;
            ready[start..]
                .split_whitespace()
                .next()
                .expect("value")
                .to_owned()
        };
        Self {
            child: Some(child),
            api: field("api"),
            mdns: field("mdns").parse().expect("mdns addr"),
            nameserver: field("nameserver").parse().expect("nameserver addr"),
            http: reqwest::Client::new(),
            _state: None,
            log: rx,
        }
    }

    /// The ports this instance listens on (to restart on the same ones).
    pub(crate) fn ports(&self) -> Ports {
        Ports {
            api: self
                .api
                .rsplit(':')
                .next()
                .and_then(|p| p.parse().ok())
                .expect("api port"),
            mdns: self.mdns.port(),
            nameserver: self.nameserver.port(),
        }
    }

    /// Sends SIGTERM and waits for a clean exit; returns the exit status and the last log lines.
    pub(crate) fn stop(&mut self) -> (std::process::ExitStatus, Vec<String>) {
        let mut child = self.child.take().expect("running");
        let pid = child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("designate did not stop within 10 s of SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        (status, self.log.try_iter().collect())
    }

    /// Kills the process without warning (a crash).
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// `METHOD path` with an optional JSON body; returns status and parsed body (Null if empty).
    pub(crate) async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method, format!("{}{path}", self.api));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("http");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Raw request with a given content type and body.
    pub(crate) async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: &str,
    ) -> (u16, Value) {
        let resp = self
            .http
            .request(method, format!("{}{path}", self.api))
            .header("Content-Type", content_type)
            .body(body.to_owned())
            .send()
            .await
            .expect("http");
        let status = resp.status().as_u16();
        let text = resp.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// Creates a zone and returns its JSON (asserting 202).
    pub(crate) async fn create_zone(&self, name: &str) -> Value {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                "/v2/zones",
                Some(json!({"name": name, "email": format!("hostmaster@{}", name.trim_end_matches('.'))})),
            )
            .await;
        assert_eq!(status, 202, "create zone {name}: {body}");
        body
    }

    /// Creates a recordset and returns its JSON (asserting 202).
    pub(crate) async fn create_recordset(
        &self,
        zone_id: &str,
        name: &str,
        rtype: &str,
        records: &[&str],
    ) -> Value {
        let (status, body) = self
            .call(
                reqwest::Method::POST,
                &format!("/v2/zones/{zone_id}/recordsets"),
                Some(json!({"name": name, "type": rtype, "records": records})),
            )
            .await;
        assert_eq!(status, 202, "create recordset {name} {rtype}: {body}");
        body
    }

    /// Waits until the zone's status is `want` (or panics after `within`).
    pub(crate) async fn wait_zone_status(
        &self,
        zone_id: &str,
        want: &str,
        within: Duration,
    ) -> Value {
        let deadline = Instant::now() + within;
        loop {
            let (status, body) = self
                .call(reqwest::Method::GET, &format!("/v2/zones/{zone_id}"), None)
                .await;
            if status == 200 && body["status"] == want {
                return body;
            }
            assert!(
                Instant::now() < deadline,
                "zone {zone_id} not {want} within {within:?}: {status} {body}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Writes the designate.conf a service on `state_path` with `ports` runs with (also used to run
/// `designate manage …` against the same database before the service starts).
pub(crate) fn write_config(state_path: &Path, ports: &Ports) -> std::path::PathBuf {
    write_config_with(state_path, ports, "")
}

/// [`write_config`] with `extra` (more sections) appended.
pub(crate) fn write_config_with(
    state_path: &Path,
    ports: &Ports,
    extra: &str,
) -> std::path::PathBuf {
    let config = state_path.join("designate.conf");
    std::fs::write(
        &config,
        format!(
            "[DEFAULT]\nstate_path = {}\n\n[service:api]\nlisten = 127.0.0.1:{}\n\n\
             [service:mdns]\nlisten = 127.0.0.1:{}\n\n[service:nameserver]\nlisten = 127.0.0.1:{}\n\n{extra}",
            state_path.display(),
            ports.api,
            ports.mdns,
            ports.nameserver
        ),
    )
    .expect("write config");
    config
}

/// Listen ports of the three servers; 0 lets the kernel choose.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ports {
    /// API port.
    pub(crate) api: u16,
    /// MiniDNS port.
    pub(crate) mdns: u16,
    /// Built-in nameserver port.
    pub(crate) nameserver: u16,
}

impl Ports {
    /// Every port chosen by the kernel.
    pub(crate) fn any() -> Self {
        Self {
            api: 0,
            mdns: 0,
            nameserver: 0,
        }
    }
}

/// Polls `check` every 10 ms until it holds; panics after `within`.
pub(crate) async fn wait_for<F, Fut>(within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(
            start.elapsed() < within,
            "condition not met within {within:?}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
