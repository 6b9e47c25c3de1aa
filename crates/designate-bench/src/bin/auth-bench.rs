//! `auth-bench`: the cost of Keystone authentication on the API. Throughput of `GET /v2/zones`
//! from a real `designate all` with `auth_strategy = noauth`, then with `keystone` and a warm
//! token cache (one validation, then every request served from the in-memory cache), against a
//! real Keystone: PyPI `keystone` from the venv, bootstrapped in a temporary directory and served
//! by gunicorn on its own 127.0.0.1 port.
//!
//! Each run starts a fresh `designate all` per mode, creates the same zones, warms up, then times
//! `--requests` requests over `--concurrency` keep-alive connections. Runs alternate between the
//! modes so machine load drifts hit both; the report gives each run, the medians, the gap and
//! the load average.
//!
//! Usage: `cargo build --release -p designate -p designate-bench &&
//! target/release/auth-bench --binary target/release/designate`

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _, Result};
use clap::Parser;
use designate_bench::{free_port, load_average};
use serde_json::json;

#[derive(Parser)]
#[command(about = "GET /v2/zones throughput: noauth versus keystone with a warm token cache")]
struct Args {
    /// The `designate` binary (a release build).
    #[arg(long, default_value = "target/release/designate")]
    binary: PathBuf,
    /// The venv holding `keystone-manage` and `gunicorn`.
    #[arg(
        long,
        env = "DESIGNATE_KEYSTONE_VENV",
        default_value = "/var/cache/designate-ci/keystone-venv"
    )]
    venv: PathBuf,
    /// Timed requests per run and mode.
    #[arg(long, default_value_t = 20_000)]
    requests: usize,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Runs per mode (the median is reported).
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Zones in the listing.
    #[arg(long, default_value_t = 5)]
    zones: usize,
}

/// How the API authenticates in a run.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    NoAuth,
    Keystone,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Self::NoAuth => "noauth",
            Self::Keystone => "keystone (warm cache)",
        }
    }
}

/// A process killed (with its process group) when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.wait();
    }
}

fn spawn_in_own_group(command: &mut Command) -> Result<Running> {
    use std::os::unix::process::CommandExt as _;
    Ok(Running(command.process_group(0).spawn()?))
}

/// Bootstraps a Keystone (SQLite, fernet) in `dir` and serves it; returns it and its URL.
async fn start_keystone(venv: &Path, dir: &Path) -> Result<(Running, String)> {
    let conf = dir.join("keystone.conf");
    std::fs::create_dir_all(dir.join("fernet"))?;
    std::fs::write(
        &conf,
        format!(
            "[DEFAULT]\nlog_file = {d}/keystone.log\n[database]\nconnection = sqlite:///{d}/keystone.db\n\
             [fernet_tokens]\nkey_repository = {d}/fernet\n",
            d = dir.display()
        ),
    )?;
    let user = std::env::var("USER").unwrap_or_else(|_| "root".into());
    let port = free_port()?;
    let url = format!("http://127.0.0.1:{port}");
    let endpoint = format!("{url}/v3");
    for args in [
        vec!["db_sync"],
        vec![
            "fernet_setup",
            "--keystone-user",
            &user,
            "--keystone-group",
            &user,
        ],
        vec![
            "bootstrap",
            "--bootstrap-password",
            "secret",
            "--bootstrap-public-url",
            &endpoint,
            "--bootstrap-region-id",
            "RegionOne",
        ],
    ] {
        let out = Command::new(venv.join("bin/keystone-manage"))
            .arg("--config-file")
            .arg(&conf)
            .args(&args)
            .output()
            .with_context(|| format!("cannot run keystone-manage from {}", venv.display()))?;
        ensure!(
            out.status.success(),
            "keystone-manage {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    // Keystone parses sys.argv with oslo.config: hide gunicorn's arguments from it.
    std::fs::write(
        dir.join("ks_app.py"),
        "import sys\nsys.argv = sys.argv[:1]\nfrom keystone.server import wsgi\n\
         application = wsgi.initialize_public_application()\n",
    )?;
    let gunicorn = spawn_in_own_group(
        Command::new(venv.join("bin/gunicorn"))
            .args(["-b", &format!("127.0.0.1:{port}"), "-w", "1", "--chdir"])
            .arg(dir)
            .arg("ks_app:application")
            .current_dir(dir)
            .env("OS_KEYSTONE_CONFIG_FILES", &conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    )?;
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while !http
        .get(&endpoint)
        .send()
        .await
        .is_ok_and(|r| r.status().is_success())
    {
        ensure!(Instant::now() < deadline, "keystone did not come up");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    Ok((gunicorn, url))
}

/// A token of the bootstrap admin in project `admin`.
async fn admin_token(keystone: &str) -> Result<String> {
    let resp = reqwest::Client::new()
        .post(format!("{keystone}/v3/auth/tokens"))
        .json(&json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "domain": {"id": "default"}, "password": "secret"}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}))
        .send()
        .await?;
    ensure!(resp.status().is_success(), "token: {}", resp.status());
    Ok(resp
        .headers()
        .get("x-subject-token")
        .context("no X-Subject-Token")?
        .to_str()?
        .to_owned())
}

/// Starts `designate all` in `mode`; returns it and its API URL.
fn start_designate(
    binary: &Path,
    mode: Mode,
    keystone: &str,
    state: &Path,
) -> Result<(Running, String)> {
    let auth = match mode {
        Mode::NoAuth => String::new(),
        // The bootstrap admin doubles as the service user.
        Mode::Keystone => format!(
            "auth_strategy = keystone\n[keystone_authtoken]\nauth_url = {keystone}/v3\n\
             username = admin\npassword = secret\nproject_name = admin\n"
        ),
    };
    let config = state.join("designate.conf");
    std::fs::write(
        &config,
        format!(
            "[DEFAULT]\nstate_path = {}\n[service:mdns]\nlisten = 127.0.0.1:0\n\
             [service:nameserver]\nlisten = 127.0.0.1:0\n[service:api]\nlisten = 127.0.0.1:0\n{auth}",
            state.display()
        ),
    )?;
    let mut child = spawn_in_own_group(
        Command::new(binary)
            .arg("--config")
            .arg(&config)
            .arg("all")
            .env("RUST_LOG", "warn,designate=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped()),
    )
    .with_context(|| format!("cannot run {}", binary.display()))?;
    let api = designate_bench::api_when_ready(&mut child.0)?;
    Ok((child, api))
}

/// Requests per second of `GET /v2/zones` in `mode`.
async fn run(args: &Args, mode: Mode, keystone: &str, token: &str) -> Result<f64> {
    let state = tempfile::tempdir()?;
    let (_designate, api) = start_designate(&args.binary, mode, keystone, state.path())?;
    let http = reqwest::Client::new();
    let request = |method: reqwest::Method, path: &str| {
        let r = http.request(method, format!("{api}{path}"));
        match mode {
            Mode::NoAuth => r,
            Mode::Keystone => r.header("X-Auth-Token", token),
        }
    };
    for i in 0..args.zones {
        let resp = request(reqwest::Method::POST, "/v2/zones")
            .json(&json!({"name": format!("bench{i}.test."), "email": "hostmaster@bench.test"}))
            .send()
            .await?;
        ensure!(
            resp.status().as_u16() == 202,
            "create zone: {}",
            resp.status()
        );
    }
    // Warm-up: the first request validates the token; the rest warm connections and caches.
    for _ in 0..200 {
        let resp = request(reqwest::Method::GET, "/v2/zones").send().await?;
        ensure!(resp.status().is_success(), "list zones: {}", resp.status());
        resp.bytes().await?;
    }
    let per_task = args.requests / args.concurrency;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..args.concurrency {
        let client = reqwest::Client::new();
        let url = format!("{api}/v2/zones");
        let token = (mode == Mode::Keystone).then(|| token.to_owned());
        tasks.spawn(async move {
            for _ in 0..per_task {
                let mut r = client.get(&url);
                if let Some(token) = &token {
                    r = r.header("X-Auth-Token", token);
                }
                let resp = r.send().await?;
                ensure!(resp.status().is_success(), "list zones: {}", resp.status());
                resp.bytes().await?;
            }
            Ok::<(), anyhow::Error>(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok((per_task * args.concurrency) as f64 / started.elapsed().as_secs_f64())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    ensure!(
        args.runs > 0 && args.concurrency > 0,
        "--runs and --concurrency must be positive"
    );
    let dir = tempfile::tempdir()?;
    let (_keystone, keystone) = start_keystone(&args.venv, dir.path()).await?;
    let token = admin_token(&keystone).await?;
    let load_before = load_average();
    let mut noauth = Vec::new();
    let mut authenticated = Vec::new();
    let mut report = String::new();
    for i in 0..args.runs {
        for mode in [Mode::NoAuth, Mode::Keystone] {
            let rps = run(&args, mode, &keystone, &token).await?;
            report.push_str(&format!(
                "run {}: {:<22} {rps:>8.0} req/s\n",
                i + 1,
                mode.name()
            ));
            match mode {
                Mode::NoAuth => noauth.push(rps),
                Mode::Keystone => authenticated.push(rps),
            }
        }
    }
    let (n, k) = (median(&mut noauth), median(&mut authenticated));
    report.push_str(&format!(
        "median: noauth {n:.0} req/s, keystone {k:.0} req/s, keystone/noauth {:.1} %\n\
         {} requests per run over {} connections, {} zones listed; load average before {load_before}, after {}\n",
        100.0 * k / n,
        args.requests,
        args.concurrency,
        args.zones,
        load_average(),
    ));
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
    Ok(())
}
