//! `designate-bench`: measures a real `designate all` process from the outside, as a user would.
//!
//! - start time: from spawn until the API answers `GET /v2/zones`;
//! - idle RSS: `VmRSS` of the process after start and a few idle seconds;
//! - change latency: for N recordset changes (create, then updates), the time from sending the API
//!   request until the built-in nameserver answers the new data over UDP. Reports p50/p90/p99/max.
//!
//! With `--transport-url`, the same change latency is measured through RabbitMQ instead: every
//! role its own process (`designate central`, `worker`, `producer`, `mdns`, `nameserver`,
//! `api`) on one SQLite store, the API calling central and central casting to the worker over
//! the broker; the idle RSS of each process is reported too.
//!
//! Usage: `cargo build --release -p designate -p designate-bench &&
//! target/release/designate-bench --binary target/release/designate --changes 300
//! [--transport-url rabbit://guest:guest@127.0.0.1:5672/]`

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use designate_bench::{free_port, ms, percentile, wait_answer};
use hickory_proto::rr::{RData, RecordType};
use serde_json::{json, Value};

/// How long a change may take to be answered.
const TEN_S: Duration = Duration::from_secs(10);

#[derive(Debug, Parser)]
struct Args {
    /// The `designate` binary to measure (a release build).
    #[arg(long, default_value = "target/release/designate")]
    binary: PathBuf,
    /// How many recordset changes to time.
    #[arg(long, default_value_t = 300)]
    changes: usize,
    /// Idle seconds before reading RSS.
    #[arg(long, default_value_t = 3)]
    idle_secs: u64,
    /// Run every role as its own process meeting through this RabbitMQ instead of `designate
    /// all` with its in-process bus.
    #[arg(long)]
    transport_url: Option<String>,
}

/// A started `designate` process.
struct Process {
    role: &'static str,
    child: Child,
}

impl Drop for Process {
    fn drop(&mut self) {
        designate_bench::terminate(&mut self.child);
    }
}

/// Spawns `designate --config <config> <role>` and waits for the log line containing `marker`
/// (returned).
fn spawn_role(
    binary: &Path,
    config: &Path,
    role: &'static str,
    marker: &str,
) -> Result<(Process, String)> {
    let mut child = Command::new(binary)
        .arg("--config")
        .arg(config)
        .arg(role)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let stderr = child.stderr.take().context("stderr")?;
    let process = Process { role, child };
    let mut lines = BufReader::new(stderr).lines();
    let ready = loop {
        match lines.next() {
            Some(Ok(line)) if line.contains(marker) => break line,
            Some(_) => {}
            None => bail!("designate {role} exited before it was ready"),
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Ok((process, ready))
}

/// The value of `name=` in a ready line.
fn ready_field(ready: &str, name: &str) -> Result<String> {
    let start = ready.find(&format!("{name}=")).context("ready line")? + name.len() + 1;
    Ok(ready[start..]
        .split_whitespace()
        .next()
        .context("value")?
        .to_owned())
}

/// Every role its own process over RabbitMQ: returns the processes, the API's URL and the
/// nameserver's address once all are ready.
fn start_roles(
    binary: &Path,
    state: &Path,
    url: &str,
) -> Result<(Vec<Process>, String, SocketAddr)> {
    let tag = format!("bench-{}", std::process::id());
    let nameserver = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    let config = state.join("designate.conf");
    std::fs::write(
        &config,
        format!(
            "[DEFAULT]\nstate_path = {state}\ntransport_url = {url}\ncontrol_exchange = designate-{tag}\n\
             [service:central]\ntopic = central-{tag}\n[service:worker]\ntopic = worker-{tag}\n\
             [oslo_messaging_notifications]\ndriver = noop\n\
             [service:api]\nlisten = 127.0.0.1:0\n[service:mdns]\nlisten = 127.0.0.1:{mdns}\n\
             [service:nameserver]\nlisten = {nameserver}\n",
            state = state.display(),
            mdns = free_port()?,
        ),
    )?;
    let sync = Command::new(binary)
        .arg("--config")
        .arg(&config)
        .args(["manage", "database", "sync"])
        .stderr(Stdio::null())
        .status()?;
    if !sync.success() {
        bail!("designate manage database sync failed");
    }
    let mut roles = Vec::new();
    for (role, marker) in [
        ("central", "central consuming"),
        ("nameserver", "nameserver ready"),
        ("mdns", "mdns ready"),
        ("worker", "worker consuming"),
        ("producer", "producer ready"),
    ] {
        roles.push(spawn_role(binary, &config, role, marker)?.0);
    }
    let (api, ready) = spawn_role(binary, &config, "api", "api ready")?;
    roles.push(api);
    Ok((roles, ready_field(&ready, "api")?, nameserver))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let state = tempfile::tempdir()?;
    let http = reqwest::Client::new();
    let spawned = Instant::now();
    let (processes, api, nameserver) = match &args.transport_url {
        Some(url) => start_roles(&args.binary, state.path(), url)?,
        None => {
            let config = state.path().join("designate.conf");
            std::fs::write(
                &config,
                format!(
                    "[DEFAULT]\nstate_path = {}\n[service:api]\nlisten = 127.0.0.1:0\n[service:mdns]\nlisten = 127.0.0.1:0\n\
                     [service:nameserver]\nlisten = 127.0.0.1:0\n",
                    state.path().display()
                ),
            )?;
            let (all, ready) = spawn_role(&args.binary, &config, "all", "designate all ready")?;
            let api = ready_field(&ready, "api")?;
            let nameserver: SocketAddr = ready_field(&ready, "nameserver")?.parse()?;
            (vec![all], api, nameserver)
        }
    };
    while http.get(format!("{api}/v2/zones")).send().await.is_err() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let startup = spawned.elapsed();

    tokio::time::sleep(Duration::from_secs(args.idle_secs)).await;
    let mut idle_rss = Vec::new();
    for p in &processes {
        idle_rss.push((p.role, rss_kib(p.child.id())?));
    }

    let zone: Value = http
        .post(format!("{api}/v2/zones"))
        .json(&json!({"name": "bench.test.", "email": "hostmaster@bench.test"}))
        .send()
        .await?
        .json()
        .await?;
    let zone_id = zone["id"].as_str().context("zone id")?.to_owned();
    wait_answer(nameserver, "bench.test.", RecordType::SOA, TEN_S, |_| true).await?;

    let mut latencies = Vec::with_capacity(args.changes);
    let mut rs_id: Option<String> = None;
    for i in 0..args.changes {
        let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        let start = Instant::now();
        let resp = match &rs_id {
            None => http
                .post(format!("{api}/v2/zones/{zone_id}/recordsets"))
                .json(&json!({"name": "www.bench.test.", "type": "A", "records": [ip]})),
            Some(id) => http
                .put(format!("{api}/v2/zones/{zone_id}/recordsets/{id}"))
                .json(&json!({"records": [ip]})),
        }
        .send()
        .await?;
        if resp.status().as_u16() != 202 {
            bail!("change {i}: HTTP {}", resp.status());
        }
        let body: Value = resp.json().await?;
        rs_id.get_or_insert_with(|| body["id"].as_str().unwrap_or_default().to_owned());
        wait_answer(nameserver, "www.bench.test.", RecordType::A, TEN_S, |m| {
            m.answers()
                .iter()
                .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == ip))
        })
        .await?;
        latencies.push(start.elapsed());
    }
    drop(processes);

    latencies.sort();
    let pct = |p: f64| percentile(&latencies, p);
    let total_rss: u64 = idle_rss.iter().map(|(_, kib)| kib).sum();
    let per_role: Vec<String> = idle_rss
        .iter()
        .map(|(role, kib)| format!("{role} {:.1} MiB", *kib as f64 / 1024.0))
        .collect();
    let report = format!(
        "bus: {}\nstart: {:.1} ms\nidle RSS: {:.1} MiB ({})\nchanges: {}\nAPI→answer p50: {:.1} ms  p90: {:.1} ms  p99: {:.1} ms  max: {:.1} ms\n",
        if args.transport_url.is_some() { "RabbitMQ, one process per role" } else { "in-process (designate all)" },
        ms(startup),
        total_rss as f64 / 1024.0,
        per_role.join(", "),
        latencies.len(),
        ms(pct(0.5)),
        ms(pct(0.9)),
        ms(pct(0.99)),
        ms(pct(1.0)),
    );
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
    Ok(())
}

fn rss_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .context("no VmRSS")?;
    Ok(line
        .split_whitespace()
        .nth(1)
        .context("VmRSS value")?
        .parse()?)
}
