//! A real Keystone for the tests: PyPI `keystone` from the venv that `scripts/test` builds,
//! SQLite and fernet tokens under a temporary directory, served by gunicorn on its own
//! 127.0.0.1 port, bootstrapped with the personas the tests use:
//!
//! - `admin` / `secret`: admin of project `admin` (Keystone's bootstrap);
//! - `alice`: member of `alpha`; `rita`: reader of `alpha`; `bob`: member of `beta`;
//! - `designate`: the service user (admin + service in project `service`).
//!
//! Passwords are the user name + `-pw`. The venv is `$DESIGNATE_KEYSTONE_VENV` or
//! `/var/cache/designate-ci/keystone-venv`; without it the tests fail (they never skip).
//!
//! [`Keystone::start_https`] serves it over TLS (gunicorn's `--certfile` / `--keyfile`) with a
//! [`TestPki`] made by the test: a CA, a certificate for 127.0.0.1 and a client certificate,
//! which gunicorn can be told to require.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Default location of the venv built by `scripts/test`.
const DEFAULT_VENV: &str = "/var/cache/designate-ci/keystone-venv";

/// Certificates made for one test: a CA, a server certificate for 127.0.0.1 and a client
/// certificate, both signed by the CA, as PEM files in a temporary directory.
pub(crate) use designate_tls::testing::TestPki;

/// How gunicorn serves Keystone over https.
pub(crate) struct HttpsServer<'a> {
    /// The certificates.
    pub(crate) pki: &'a TestPki,
    /// Whether a client certificate signed by the test CA is required.
    pub(crate) require_client_cert: bool,
}

/// A running Keystone; stopped (its whole process group) when dropped.
pub(crate) struct Keystone {
    /// `http://127.0.0.1:<port>` (`https://` from [`Keystone::start_https`]).
    pub(crate) url: String,
    gunicorn: Option<Child>,
    client: reqwest::Client,
    /// The bootstrap admin's token and when it was issued (renewed at half its lifetime).
    admin_token: std::sync::Mutex<(String, Instant)>,
    token_lifetime: Duration,
    _dir: tempfile::TempDir,
}

impl Drop for Keystone {
    fn drop(&mut self) {
        self.stop();
    }
}

fn venv() -> PathBuf {
    let venv = PathBuf::from(
        std::env::var("DESIGNATE_KEYSTONE_VENV").unwrap_or_else(|_| DEFAULT_VENV.to_owned()),
    );
    assert!(
        venv.join("bin/keystone-manage").exists() && venv.join("bin/gunicorn").exists(),
        "no Keystone venv at {} (scripts/test builds it; or set DESIGNATE_KEYSTONE_VENV)",
        venv.display()
    );
    venv
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn manage(venv: &Path, conf: &Path, args: &[&str], log: &Path) {
    let out = Command::new(venv.join("bin/keystone-manage"))
        .arg("--config-file")
        .arg(conf)
        .args(args)
        .output()
        .expect("run keystone-manage");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    let _ = std::fs::write(log.join(format!("manage-{}.log", args[0])), &text);
    assert!(
        out.status.success(),
        "keystone-manage {args:?} failed: {text}"
    );
}

/// A bootstrapped database and fernet key repository, made once per venv (and machine) and
/// copied into every instance: each keystone-manage run costs seconds of Python start-up.
/// Built in a private directory and renamed into place, so concurrent test processes never see
/// half a template.
fn template(venv: &Path) -> PathBuf {
    let stamp = std::fs::metadata(venv.join("bin/keystone-manage"))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let venv_hash = venv
        .to_string_lossy()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let target =
        std::env::temp_dir().join(format!("designate-keystone-template-{venv_hash:x}-{stamp}"));
    if target.join("done").exists() {
        return target;
    }
    let build = std::env::temp_dir().join(format!(
        "designate-keystone-template-build-{}-{}",
        std::process::id(),
        free_port()
    ));
    std::fs::create_dir_all(build.join("fernet")).expect("mkdir");
    let conf = build.join("keystone.conf");
    std::fs::write(
        &conf,
        format!(
            "[database]\nconnection = sqlite:///{d}/keystone.db\n\
             [fernet_tokens]\nkey_repository = {d}/fernet\n",
            d = build.display()
        ),
    )
    .expect("write conf");
    let user = std::env::var("USER").unwrap_or_else(|_| "root".to_owned());
    manage(venv, &conf, &["db_sync"], &build);
    manage(
        venv,
        &conf,
        &[
            "fernet_setup",
            "--keystone-user",
            &user,
            "--keystone-group",
            &user,
        ],
        &build,
    );
    // The catalog's identity endpoint is not used by the tests (clients are given auth_url).
    let endpoint = "http://127.0.0.1:5000/v3";
    manage(
        venv,
        &conf,
        &[
            "bootstrap",
            "--bootstrap-password",
            "secret",
            "--bootstrap-admin-url",
            endpoint,
            "--bootstrap-public-url",
            endpoint,
            "--bootstrap-internal-url",
            endpoint,
            "--bootstrap-region-id",
            "RegionOne",
        ],
        &build,
    );
    std::fs::write(build.join("done"), b"").expect("mark template");
    if std::fs::rename(&build, &target).is_err() {
        // Another test process finished its template first; use that one.
        let _ = std::fs::remove_dir_all(&build);
    }
    assert!(target.join("done").exists(), "keystone template missing");
    target
}

impl Keystone {
    /// Starts a Keystone whose tokens live `token_lifetime_secs` seconds.
    pub(crate) async fn start(token_lifetime_secs: u64) -> Self {
        Self::serve(token_lifetime_secs, None).await
    }

    /// [`Keystone::start`] over https.
    pub(crate) async fn start_https(token_lifetime_secs: u64, https: HttpsServer<'_>) -> Self {
        Self::serve(token_lifetime_secs, Some(https)).await
    }

    async fn serve(token_lifetime_secs: u64, https: Option<HttpsServer<'_>>) -> Self {
        let venv = venv();
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let port = free_port();
        let scheme = if https.is_some() { "https" } else { "http" };
        let url = format!("{scheme}://127.0.0.1:{port}");
        std::fs::create_dir_all(d.join("fernet")).expect("mkdir");
        let conf = d.join("keystone.conf");
        std::fs::write(
            &conf,
            format!(
                "[DEFAULT]\nlog_file = {d}/keystone.log\n[database]\nconnection = sqlite:///{d}/keystone.db\n\
                 [token]\nprovider = fernet\nexpiration = {token_lifetime_secs}\n\
                 [fernet_tokens]\nkey_repository = {d}/fernet\n",
                d = d.display()
            ),
        )
        .expect("write conf");
        let template = template(&venv);
        std::fs::copy(template.join("keystone.db"), d.join("keystone.db")).expect("copy db");
        for key in std::fs::read_dir(template.join("fernet")).expect("template keys") {
            let key = key.expect("key");
            std::fs::copy(key.path(), d.join("fernet").join(key.file_name())).expect("copy key");
        }
        // Keystone parses sys.argv with oslo.config: hide gunicorn's arguments from it.
        std::fs::write(
            d.join("ks_app.py"),
            "import sys\nsys.argv = sys.argv[:1]\nfrom keystone.server import wsgi\n\
             application = wsgi.initialize_public_application()\n",
        )
        .expect("write app");
        let log = std::fs::File::create(d.join("gunicorn.log")).expect("log");
        let mut tls_args: Vec<std::ffi::OsString> = Vec::new();
        let mut client = reqwest::Client::builder();
        if let Some(https) = &https {
            let pki = https.pki;
            tls_args.extend([
                "--certfile".into(),
                pki.server_cert.clone().into(),
                "--keyfile".into(),
                pki.server_key.clone().into(),
            ]);
            let ca = std::fs::read(&pki.ca).expect("read ca");
            client = client
                .tls_built_in_root_certs(false)
                .add_root_certificate(reqwest::Certificate::from_pem(&ca).expect("ca pem"));
            if https.require_client_cert {
                // ssl.CERT_REQUIRED, against the test CA.
                tls_args.extend([
                    "--ca-certs".into(),
                    pki.ca.clone().into(),
                    "--cert-reqs".into(),
                    "2".into(),
                ]);
                let mut identity = std::fs::read(&pki.client_key).expect("read key");
                identity.extend(std::fs::read(&pki.client_cert).expect("read cert"));
                client = client
                    .identity(reqwest::Identity::from_pem(&identity).expect("client identity"));
            }
        }
        let gunicorn = {
            use std::os::unix::process::CommandExt as _;
            Command::new(venv.join("bin/gunicorn"))
                .args(["-b", &format!("127.0.0.1:{port}"), "-w", "1"])
                .args(&tls_args)
                .arg("--chdir")
                .arg(d)
                .arg("ks_app:application")
                .current_dir(d)
                .env("OS_KEYSTONE_CONFIG_FILES", &conf)
                .stdout(Stdio::null())
                .stderr(log)
                // Its own process group, so that stopping it also stops its workers.
                .process_group(0)
                .spawn()
                .expect("spawn gunicorn")
        };
        let client = client.build().expect("client");
        let keystone = Self {
            url,
            gunicorn: Some(gunicorn),
            client,
            admin_token: std::sync::Mutex::new((String::new(), Instant::now())),
            token_lifetime: Duration::from_secs(token_lifetime_secs),
            _dir: dir,
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let up = keystone
                .client
                .get(format!("{}/v3", keystone.url))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if up {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "keystone did not come up; see {}",
                keystone._dir.path().join("gunicorn.log").display()
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        keystone.populate().await;
        keystone
    }

    /// Stops Keystone (the tests use it for the "Keystone down" case).
    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.gunicorn.take() {
            let pgid = child.id();
            let _ = Command::new("kill")
                .args(["-TERM", "--", &format!("-{pgid}")])
                .status();
            let _ = child.wait();
        }
    }

    /// The admin token, renewed when half its lifetime has passed.
    async fn admin_token(&self) -> String {
        let current = self.admin_token.lock().expect("lock").clone();
        if !current.0.is_empty() && current.1.elapsed() < self.token_lifetime / 2 {
            return current.0;
        }
        let issued = Instant::now();
        let token = self.token("admin", "secret", "admin").await;
        *self.admin_token.lock().expect("lock") = (token.clone(), issued);
        token
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .client
            .request(method.clone(), format!("{}/v3{path}", self.url))
            .header("X-Auth-Token", self.admin_token().await);
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("keystone request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn id_of(&self, collection: &str, name: &str) -> String {
        let v = self
            .admin(
                reqwest::Method::GET,
                &format!("/{collection}?name={name}"),
                None,
            )
            .await;
        v[collection][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no {collection} named {name}: {v}"))
            .to_owned()
    }

    /// Projects, users and role assignments of the personas.
    async fn populate(&self) {
        use reqwest::Method;
        for project in ["alpha", "beta", "service"] {
            self.admin(
                Method::POST,
                "/projects",
                Some(json!({"project": {"name": project, "domain_id": "default"}})),
            )
            .await;
        }
        let roles = self.admin(Method::GET, "/roles", None).await;
        if !roles["roles"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r["name"] == "service"))
        {
            self.admin(
                Method::POST,
                "/roles",
                Some(json!({"role": {"name": "service"}})),
            )
            .await;
        }
        for user in ["alice", "rita", "bob", "designate"] {
            self.admin(
                Method::POST,
                "/users",
                Some(json!({"user": {"name": user, "domain_id": "default",
                                      "password": format!("{user}-pw")}})),
            )
            .await;
        }
        for (project, user, role) in [
            ("alpha", "alice", "member"),
            ("alpha", "rita", "reader"),
            ("beta", "bob", "member"),
            ("service", "designate", "service"),
            ("service", "designate", "admin"),
        ] {
            let p = self.id_of("projects", project).await;
            let u = self.id_of("users", user).await;
            let r = self.id_of("roles", role).await;
            self.admin(
                Method::PUT,
                &format!("/projects/{p}/users/{u}/roles/{r}"),
                None,
            )
            .await;
        }
    }

    /// A project-scoped token for `user` (password `pw`) in `project`.
    pub(crate) async fn token(&self, user: &str, pw: &str, project: &str) -> String {
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user, "domain": {"id": "default"}, "password": pw}}},
            "scope": {"project": {"name": project, "domain": {"id": "default"}}}}});
        self.issue(body).await
    }

    /// A persona's token in its own project (`alice`, `rita`, `bob`; `admin` in `admin`).
    pub(crate) async fn persona(&self, user: &str) -> String {
        match user {
            "admin" => self.token("admin", "secret", "admin").await,
            "alice" | "rita" => self.token(user, &format!("{user}-pw"), "alpha").await,
            "bob" => self.token(user, "bob-pw", "beta").await,
            other => panic!("unknown persona {other}"),
        }
    }

    /// A system-scoped token of the bootstrap admin.
    pub(crate) async fn system_token(&self) -> String {
        self.issue(json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"}, "password": "secret"}}},
            "scope": {"system": {"all": true}}}}))
            .await
    }

    async fn issue(&self, body: Value) -> String {
        let resp = self
            .client
            .post(format!("{}/v3/auth/tokens", self.url))
            .json(&body)
            .send()
            .await
            .expect("token request");
        assert!(resp.status().is_success(), "token: {}", resp.status());
        resp.headers()["x-subject-token"]
            .to_str()
            .expect("token header")
            .to_owned()
    }

    /// The id of project `name`.
    pub(crate) async fn project_id(&self, name: &str) -> String {
        self.id_of("projects", name).await
    }

    /// The id of user `name`.
    pub(crate) async fn user_id(&self, name: &str) -> String {
        self.id_of("users", name).await
    }

    /// Revokes `token` (`DELETE /v3/auth/tokens`).
    pub(crate) async fn revoke(&self, token: &str) {
        let resp = self
            .client
            .delete(format!("{}/v3/auth/tokens", self.url))
            .header("X-Auth-Token", self.admin_token().await)
            .header("X-Subject-Token", token)
            .send()
            .await
            .expect("revoke");
        assert!(resp.status().is_success(), "revoke: {}", resp.status());
    }

    /// Registers `url` as the catalog's `dns` service (all three interfaces), as an operator
    /// does for Designate.
    pub(crate) async fn register_dns(&self, url: &str) {
        use reqwest::Method;
        let service = self
            .admin(
                Method::POST,
                "/services",
                Some(json!({"service": {"type": "dns", "name": "designate"}})),
            )
            .await;
        let id = service["service"]["id"]
            .as_str()
            .expect("service id")
            .to_owned();
        for interface in ["public", "internal", "admin"] {
            self.admin(
                Method::POST,
                "/endpoints",
                Some(
                    json!({"endpoint": {"service_id": id, "interface": interface,
                                          "url": url, "region_id": "RegionOne"}}),
                ),
            )
            .await;
        }
    }

    /// The venv's `openstack` command, configured by a `clouds.yaml` in `dir` holding one cloud
    /// per persona (`alice`, `rita`, `bob`).
    pub(crate) fn openstack(&self, dir: &Path) -> Command {
        let mut clouds = String::from("clouds:\n");
        for (user, project) in [("alice", "alpha"), ("rita", "alpha"), ("bob", "beta")] {
            clouds.push_str(&format!(
                "  {user}:\n    auth:\n      auth_url: {url}/v3\n      username: {user}\n      \
                 password: {user}-pw\n      project_name: {project}\n      \
                 user_domain_name: Default\n      project_domain_name: Default\n    \
                 region_name: RegionOne\n    identity_api_version: 3\n",
                url = self.url
            ));
        }
        let path = dir.join("clouds.yaml");
        std::fs::write(&path, clouds).expect("write clouds.yaml");
        let mut command = Command::new(venv().join("bin/openstack"));
        command.env("OS_CLIENT_CONFIG_FILE", path);
        command
    }

    /// The `[keystone_authtoken]` settings for our service user against this Keystone.
    pub(crate) fn authtoken(&self, cache: Duration) -> designate_api::KeystoneConfig {
        designate_api::KeystoneConfig {
            www_authenticate_uri: Some(format!("{}/v3", self.url)),
            auth_url: format!("{}/v3", self.url),
            username: "designate".into(),
            password: "designate-pw".into(),
            project_name: "service".into(),
            user_domain_name: "Default".into(),
            project_domain_name: "Default".into(),
            memcached_servers: vec![],
            token_cache_time: cache,
            ..designate_api::KeystoneConfig::default()
        }
    }
}

/// A real memcached on its own port; stopped when dropped.
pub(crate) struct Memcached {
    /// `127.0.0.1:<port>`.
    pub(crate) address: String,
    child: Child,
}

impl Memcached {
    /// Starts `memcached` (from PATH; `scripts/test` installs it).
    pub(crate) async fn start() -> Self {
        let port = free_port();
        let user = std::env::var("USER").unwrap_or_else(|_| "root".to_owned());
        let child = Command::new("memcached")
            .args([
                "-l",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "0",
                "-u",
                &user,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("memcached is installed (scripts/test installs it)");
        let address = format!("127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        while tokio::net::TcpStream::connect(&address).await.is_err() {
            assert!(Instant::now() < deadline, "memcached did not come up");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { address, child }
    }
}

impl Memcached {
    /// One text-protocol exchange, read until a line equal to `end`.
    async fn exchange(&self, command: &[u8], end: &str) -> Vec<u8> {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        let mut stream = tokio::net::TcpStream::connect(&self.address)
            .await
            .expect("connect memcached");
        stream.write_all(command).await.expect("write memcached");
        let mut answer = Vec::new();
        let terminator = format!("{end}\r\n");
        let deadline = Instant::now() + Duration::from_secs(5);
        while !answer.ends_with(terminator.as_bytes()) {
            assert!(
                Instant::now() < deadline,
                "memcached did not answer {command:?}"
            );
            let mut chunk = [0_u8; 4096];
            let n = tokio::time::timeout(Duration::from_secs(5), stream.read(&mut chunk))
                .await
                .expect("memcached answers")
                .expect("read memcached");
            assert!(n > 0, "memcached closed the connection");
            answer.extend_from_slice(&chunk[..n]);
        }
        answer
    }

    /// Every key memcached holds (`lru_crawler metadump all`), sorted.
    pub(crate) async fn keys(&self) -> Vec<String> {
        let dump = self.exchange(b"lru_crawler metadump all\r\n", "END").await;
        let mut keys: Vec<String> = String::from_utf8_lossy(&dump)
            .lines()
            .filter_map(|l| l.strip_prefix("key="))
            .filter_map(|l| l.split(' ').next())
            // Keys are URL-encoded in the dump; ours only have `/` to decode.
            .map(|k| k.replace("%2F", "/").replace("%2f", "/"))
            .collect();
        keys.sort();
        keys
    }

    /// The raw value stored under `key`.
    pub(crate) async fn get(&self, key: &str) -> Vec<u8> {
        let answer = self
            .exchange(format!("get {key}\r\n").as_bytes(), "END")
            .await;
        let header_end = answer
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("VALUE line");
        let header = String::from_utf8_lossy(&answer[..header_end]).into_owned();
        let len: usize = header
            .rsplit(' ')
            .next()
            .and_then(|l| l.parse().ok())
            .unwrap_or_else(|| panic!("no value under {key}: {header}"));
        answer[header_end + 2..header_end + 2 + len].to_vec()
    }

    /// Stores `value` under `key` for an hour, as a forger with access to memcached would.
    pub(crate) async fn set(&self, key: &str, value: &[u8]) {
        let mut command = format!("set {key} 0 3600 {}\r\n", value.len()).into_bytes();
        command.extend_from_slice(value);
        command.extend_from_slice(b"\r\n");
        let answer = self.exchange(&command, "STORED").await;
        assert!(answer.ends_with(b"STORED\r\n"));
    }
}

impl Drop for Memcached {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
