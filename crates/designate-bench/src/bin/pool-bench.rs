//! `pool-bench`: a real `designate all` whose pool's target is a real nameserver — a private
//! BIND9 (`named`, zones added by rndc, transferred from MiniDNS) or a private PowerDNS (zones
//! created through its HTTP API as secondaries of MiniDNS). The pool is installed the way an
//! operator does it: `designate manage database sync`, then `designate manage pool update
//! --file pools.yaml` with the target as the default pool (so zones created without `pool_id`
//! land on it), then `designate all`. Every answer timed is that nameserver's, over UDP.
//!
//! - **A, change → answer**: `--zones` zones, then `--changes` recordset changes spread over
//!   them round-robin (a create of `www.<zone>` A, then updates with a new address), each timed
//!   from sending the API request until the nameserver answers the new address. p50/p90/p99/max.
//! - **B, zone burst**: `--burst-zones` zones created by `--clients` concurrent API clients,
//!   timed from the first request until every zone is ACTIVE in the API and its SOA is answered
//!   by the nameserver.
//!
//! Usage: `cargo build --release -p designate -p designate-bench &&
//! target/release/pool-bench --binary target/release/designate --target bind9`

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context as _, Result};
use clap::{Parser, ValueEnum};
use designate_backends::pools_yaml;
use designate_backends::testing::{program, Named, Pdns};
use designate_bench::{free_port, load_average, ms, percentile, print_now, wait_answer};
use designate_core::objects::{Pool, PoolNameserver, PoolNsRecord, PoolTarget, DEFAULT_POOL_ID};
use hickory_proto::rr::{RData, RecordType};
use serde_json::{json, Value};
use uuid::Uuid;

/// Upstream Designate 23.0.0 on this machine, one BIND9 target: recordset change → answer.
const UPSTREAM_CHANGE_P50: Duration = Duration::from_millis(5000);
const UPSTREAM_CHANGE_P99: Duration = Duration::from_millis(5200);
/// Upstream Designate 23.0.0 on this machine: one zone created → ACTIVE.
const UPSTREAM_ZONE_ACTIVE: Duration = Duration::from_millis(5300);
/// Issue 5's targets for change → answer.
const TARGET_P50: Duration = Duration::from_millis(200);
const TARGET_P99: Duration = Duration::from_secs(1);

#[derive(Parser)]
#[command(
    about = "Change → answer latency and a zone burst through a pool on a real BIND9 / PowerDNS"
)]
struct Args {
    /// The `designate` binary to measure (a release build).
    #[arg(long, default_value = "target/release/designate")]
    binary: PathBuf,
    /// The pool's target.
    #[arg(long, value_enum, default_value_t = Target::Bind9)]
    target: Target,
    /// Recordset changes timed in part A (round-robin over `--zones` zones).
    #[arg(long, default_value_t = 500)]
    changes: usize,
    /// Zones the changes of part A are spread over.
    #[arg(long, default_value_t = 50)]
    zones: usize,
    /// Zones created in the burst of part B (0: skip part B).
    #[arg(long, default_value_t = 1000)]
    burst_zones: usize,
    /// BIND's `serial-query-rate` (its default is 20, which releases NOTIFY-triggered SOA
    /// checks in 500 ms ticks; 1000, the e2e tests' and the recommended tuning, in 10 ms ticks).
    #[arg(long, default_value_t = 1000)]
    bind_serial_query_rate: u32,
    /// Concurrent API clients creating zones.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// How long one change or the whole burst may take before the run fails.
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
    /// Copy `designate all`'s log to this file (its RUST_LOG is this tool's, else
    /// `warn,designate=info`).
    #[arg(long)]
    log: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Target {
    /// BIND9 `named`, driven by rndc (`bind9` target type).
    Bind9,
    /// PowerDNS `pdns_server`, driven by its HTTP API (`pdns4` target type).
    Pdns,
}

/// The started nameserver; stopped when dropped.
enum Server {
    Bind9(Named),
    Pdns(Pdns),
}

impl Server {
    fn start(args: &Args) -> Self {
        match args.target {
            Target::Bind9 => Self::Bind9(Named::start_with_serial_query_rate(
                args.bind_serial_query_rate,
            )),
            Target::Pdns => Self::Pdns(Pdns::start()),
        }
    }

    fn addr(&self) -> SocketAddr {
        match self {
            Self::Bind9(n) => n.addr,
            Self::Pdns(p) => p.addr,
        }
    }

    fn pool_target(&self, mdns: SocketAddr) -> PoolTarget {
        match self {
            Self::Bind9(n) => n.target(&[mdns]),
            Self::Pdns(p) => p.target(&[mdns]),
        }
    }

    /// The daemon and its version, e.g. `BIND 9.18.49-1~deb12u3-Debian`, `PowerDNS 4.7.3`.
    fn version(&self) -> String {
        let (name, flag, product, before) = match self {
            Self::Bind9(_) => ("named", "-v", "BIND", "BIND"),
            Self::Pdns(_) => ("pdns_server", "--version", "PowerDNS", "Server"),
        };
        let text = Command::new(program(name))
            .arg(flag)
            .output()
            .map(|o| {
                format!(
                    "{}{}",
                    String::from_utf8_lossy(&o.stdout),
                    String::from_utf8_lossy(&o.stderr)
                )
            })
            .unwrap_or_default();
        let mut words = text.split_whitespace();
        match words.by_ref().position(|w| w == before).and(words.next()) {
            Some(version) => format!("{product} {version}"),
            None => product.to_owned(),
        }
    }
}

/// A `designate all` stopped (SIGTERM) when dropped.
struct Designate(Child);

impl Drop for Designate {
    fn drop(&mut self) {
        designate_bench::terminate(&mut self.0);
    }
}

/// `designate --config CONFIG manage ARGS…`, failing with its output unless it succeeds.
fn manage(binary: &Path, config: &Path, args: &[&str]) -> Result<String> {
    let out = Command::new(binary)
        .arg("--config")
        .arg(config)
        .arg("manage")
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .with_context(|| format!("cannot run {}", binary.display()))?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    ensure!(out.status.success(), "manage {}: {text}", args.join(" "));
    Ok(text)
}

/// The default pool with `server` as its only target and polled nameserver, as pools.yaml.
fn pools_file(server: &Server, mdns: SocketAddr) -> Result<String> {
    let addr = server.addr();
    let pool = Pool {
        id: Uuid::parse_str(DEFAULT_POOL_ID)?,
        name: "default".to_owned(),
        description: Some("pool-bench: one real nameserver".to_owned()),
        tenant_id: None,
        attributes: Vec::new(),
        ns_records: vec![PoolNsRecord {
            priority: 1,
            hostname: "ns1.pool-bench.test.".to_owned(),
        }],
        nameservers: vec![PoolNameserver {
            id: Uuid::nil(),
            host: addr.ip().to_string(),
            port: addr.port(),
        }],
        targets: vec![server.pool_target(mdns)],
        also_notifies: Vec::new(),
    };
    Ok(pools_yaml::render(&[pool])?)
}

/// Configures a state directory for `server`, installs the pool and starts `designate all`;
/// returns it and its API URL.
fn start_designate(args: &Args, state: &Path, server: &Server) -> Result<(Designate, String)> {
    let mdns = SocketAddr::from(([127, 0, 0, 1], free_port()?));
    let config = state.join("designate.conf");
    std::fs::write(
        &config,
        format!(
            "[DEFAULT]\nstate_path = {}\nquota_zones = 1000000\nquota_zone_recordsets = 1000000\n\
             [service:api]\nlisten = 127.0.0.1:0\n[service:mdns]\nlisten = {mdns}\n\
             [service:nameserver]\nlisten = 127.0.0.1:0\n",
            state.display()
        ),
    )?;
    let pools = state.join("pools.yaml");
    std::fs::write(&pools, pools_file(server, mdns)?)?;
    manage(&args.binary, &config, &["database", "sync"])?;
    let pools = pools.to_str().context("state path is not UTF-8")?;
    let plan = manage(&args.binary, &config, &["pool", "update", "--file", pools])?;
    ensure!(plan.contains("default"), "pool update: {plan}");
    let mut child = Command::new(&args.binary)
        .arg("--config")
        .arg(&config)
        .arg("all")
        // RUST_LOG of this tool, when set, is `designate all`'s too (for --log).
        .env(
            "RUST_LOG",
            std::env::var("RUST_LOG").unwrap_or_else(|_| "warn,designate=info".to_owned()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", args.binary.display()))?;
    let api = designate_bench::api_when_ready_logging(&mut child, args.log.as_deref());
    let designate = Designate(child);
    Ok((designate, api?))
}

/// A zone created through the API: its name, id and when its create was sent.
struct Created {
    name: String,
    id: String,
    sent: Instant,
}

/// Zones created so far, appended to as their creates are answered.
type CreatedSoFar = Arc<Mutex<Vec<Created>>>;

/// Creates the zones `names` with `clients` concurrent API clients, each appended to `created`
/// when its create is answered; every answer must be 202.
async fn create_zones(
    http: &reqwest::Client,
    api: &str,
    names: Vec<String>,
    clients: usize,
    created: CreatedSoFar,
) -> Result<()> {
    let names = Arc::new(names);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients.max(1) {
        let (http, url, names, next, created) = (
            http.clone(),
            format!("{api}/v2/zones"),
            names.clone(),
            next.clone(),
            created.clone(),
        );
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(name) = names.get(i) else {
                    return Ok::<_, anyhow::Error>(());
                };
                let sent = Instant::now();
                let resp = http
                    .post(&url)
                    .json(&json!({"name": name, "email": "hostmaster@pool-bench.test"}))
                    .send()
                    .await?;
                let status = resp.status();
                let body: Value = resp.json().await?;
                ensure!(
                    status.as_u16() == 202,
                    "create {name}: HTTP {status}: {body}"
                );
                let id = body["id"].as_str().context("zone id")?.to_owned();
                lock(&created).push(Created {
                    name: name.clone(),
                    id,
                    sent,
                });
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

fn lock(created: &Mutex<Vec<Created>>) -> std::sync::MutexGuard<'_, Vec<Created>> {
    created
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The status of every zone the API lists with `filter` (a query string, may be empty), by id.
async fn zone_statuses(
    http: &reqwest::Client,
    api: &str,
    filter: &str,
) -> Result<HashMap<String, String>> {
    let mut statuses = HashMap::new();
    let mut url = format!("{api}/v2/zones?limit=1000&{filter}");
    loop {
        let page: Value = http
            .get(&url)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        for z in page["zones"].as_array().context("zones")? {
            statuses.insert(
                z["id"].as_str().unwrap_or_default().to_owned(),
                z["status"].as_str().unwrap_or_default().to_owned(),
            );
        }
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => return Ok(statuses),
        }
    }
}

/// Creates the zones `names` (`clients` at a time) and, while they are being created, waits
/// until each is ACTIVE in the API and its SOA is answered by `server`. Every 200 ms it lists
/// the zones still PENDING or in ERROR (a short listing, so the watching costs the API little
/// whatever the number of zones), takes every other zone whose create had been answered before
/// the listing as ACTIVE, and asks the nameserver for its SOA. At the end one full listing
/// checks that every zone is ACTIVE indeed. Returns the zones in the order of their answers,
/// the time the last create was answered and, per zone, when it was first seen ACTIVE and
/// served.
async fn create_and_wait_served(
    http: &reqwest::Client,
    api: &str,
    server: SocketAddr,
    names: Vec<String>,
    clients: usize,
    within: Duration,
) -> Result<(Vec<Created>, Instant, Vec<Instant>)> {
    let expected = names.len();
    let created: CreatedSoFar = Arc::default();
    let creating = {
        let (http, api, created) = (http.clone(), api.to_owned(), created.clone());
        tokio::spawn(async move {
            create_zones(&http, &api, names, clients, created).await?;
            Ok::<_, anyhow::Error>(Instant::now())
        })
    };
    let deadline = Instant::now() + within;
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    let mut id: u16 = 0;
    let mut done: Vec<Option<Instant>> = Vec::with_capacity(expected);
    loop {
        // Zones answered before the listings below are committed, so the listings see them.
        let zones: Vec<(String, String)> = lock(&created)
            .iter()
            .map(|z| (z.name.clone(), z.id.clone()))
            .collect();
        let mut not_active = zone_statuses(http, api, "status=PENDING").await?;
        let errors = zone_statuses(http, api, "status=ERROR").await?;
        let error_count = zones
            .iter()
            .filter(|(_, id)| errors.contains_key(id))
            .count();
        not_active.extend(errors);
        done.resize(zones.len(), None);
        for ((name, zone_id), done) in zones.iter().zip(done.iter_mut()) {
            if done.is_some() || not_active.contains_key(zone_id) {
                continue;
            }
            id = id.wrapping_add(1);
            let answer =
                designate_bench::query_udp(&sock, server, id, name, RecordType::SOA).await?;
            let has_soa = answer.is_some_and(|m| {
                m.answers()
                    .iter()
                    .any(|r| matches!(r.data(), RData::SOA(_)))
            });
            if has_soa {
                *done = Some(Instant::now());
            }
        }
        let served = done.iter().filter(|d| d.is_some()).count();
        if served == expected {
            break;
        }
        // (Counted again: the creates may have finished since the snapshot above.)
        if creating.is_finished() && lock(&created).len() < expected {
            // The creates failed: report why.
            creating.await??;
            bail!("the creates ended before every zone was created");
        }
        if Instant::now() > deadline {
            bail!(
                "{} of {expected} zones not ACTIVE and served by {server} within {within:?} \
                 ({} created, {error_count} in ERROR)",
                expected - served,
                zones.len()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let accepted = creating.await??;
    let zones = std::mem::take(&mut *lock(&created));
    let all = zone_statuses(http, api, "").await?;
    for zone in &zones {
        let status = all.get(&zone.id).map_or("missing", String::as_str);
        ensure!(status == "ACTIVE", "{} is {status}, not ACTIVE", zone.name);
    }
    Ok((zones, accepted, done.into_iter().flatten().collect()))
}

/// "met" or "missed" for `value` against `bound`.
fn verdict(value: Duration, bound: Duration) -> &'static str {
    if value <= bound {
        "met"
    } else {
        "MISSED"
    }
}

/// Part A: zones, then round-robin recordset changes, each timed until `server` answers it.
async fn change_latency(
    args: &Args,
    http: &reqwest::Client,
    api: &str,
    server: &Server,
    label: &str,
) -> Result<String> {
    ensure!(args.zones > 0, "--zones must be positive");
    let within = Duration::from_secs(args.timeout_secs);
    let names = (0..args.zones)
        .map(|i| format!("change-{i}.pool-bench.test."))
        .collect();
    let started = Instant::now();
    let (zones, _, _) =
        create_and_wait_served(http, api, server.addr(), names, args.clients, within).await?;
    let setup = started.elapsed();

    let mut recordsets: Vec<Option<String>> = vec![None; zones.len()];
    let mut latencies = Vec::with_capacity(args.changes);
    // The slowest change and its index (below the number of zones: a create).
    let mut slowest = (Duration::ZERO, 0);
    for i in 0..args.changes {
        let z = i % zones.len();
        let zone = &zones[z];
        let www = format!("www.{}", zone.name);
        let ip = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
        let start = Instant::now();
        let request = match &recordsets[z] {
            None => http
                .post(format!("{api}/v2/zones/{}/recordsets", zone.id))
                .json(&json!({"name": www, "type": "A", "records": [ip]})),
            Some(rs) => http
                .put(format!("{api}/v2/zones/{}/recordsets/{rs}", zone.id))
                .json(&json!({"records": [ip]})),
        };
        let resp = request.send().await?;
        let status = resp.status();
        let body: Value = resp.json().await?;
        ensure!(status.as_u16() == 202, "change {i}: HTTP {status}: {body}");
        if recordsets[z].is_none() {
            recordsets[z] = Some(body["id"].as_str().context("recordset id")?.to_owned());
        }
        wait_answer(server.addr(), &www, RecordType::A, within, |m| {
            m.answers()
                .iter()
                .any(|r| matches!(r.data(), RData::A(a) if a.to_string() == ip))
        })
        .await
        .with_context(|| format!("change {i} ({www} → {ip})"))?;
        let took = start.elapsed();
        if took > slowest.0 {
            slowest = (took, i);
        }
        latencies.push(took);
    }
    latencies.sort();
    let (p50, p90, p99, max) = (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    let creates = zones.len().min(args.changes);
    Ok(format!(
        "A. change → answer by {label}: {} zones (created and served in {:.2} s), {} changes \
         round-robin ({creates} creates, {} updates)\n   \
         p50 {:.1} ms  p90 {:.1} ms  p99 {:.1} ms  max {:.1} ms (change {}, {})\n   \
         issue targets: p50 ≤ 200 ms {}, p99 ≤ 1 s {}\n   \
         upstream Designate 23.0.0, one BIND9 target: p50 5.0 s, p99 5.2 s → ours {:.0}× faster at p50, {:.0}× at p99\n   \
         load average after: {}\n",
        zones.len(),
        setup.as_secs_f64(),
        latencies.len(),
        latencies.len() - creates,
        ms(p50),
        ms(p90),
        ms(p99),
        ms(max),
        slowest.1,
        if slowest.1 < zones.len() {
            "a create"
        } else {
            "an update"
        },
        verdict(p50, TARGET_P50),
        verdict(p99, TARGET_P99),
        UPSTREAM_CHANGE_P50.as_secs_f64() / p50.as_secs_f64(),
        UPSTREAM_CHANGE_P99.as_secs_f64() / p99.as_secs_f64(),
        load_average(),
    ))
}

/// Part B: a burst of zone creates, timed until all are ACTIVE and served by `server`.
async fn zone_burst(
    args: &Args,
    http: &reqwest::Client,
    api: &str,
    server: &Server,
    label: &str,
) -> Result<String> {
    let names = (0..args.burst_zones)
        .map(|i| format!("burst-{i}.pool-bench.test."))
        .collect();
    let started = Instant::now();
    let (zones, accepted, served) = create_and_wait_served(
        http,
        api,
        server.addr(),
        names,
        args.clients,
        Duration::from_secs(args.timeout_secs),
    )
    .await?;
    let accepted = accepted - started;
    let total = served
        .iter()
        .max()
        .map_or(Duration::ZERO, |last| *last - started);
    let mut each: Vec<Duration> = zones
        .iter()
        .zip(&served)
        .map(|(z, done)| *done - z.sent)
        .collect();
    each.sort();
    Ok(format!(
        "B. burst of {} zones by {} clients on {label}: all 202 after {:.2} s; all ACTIVE and SOA \
         answered after {:.2} s ({:.0} zones/s)\n   \
         one zone, create sent → ACTIVE and served (API polled every 200 ms): p50 {:.2} s  p99 {:.2} s  max {:.2} s\n   \
         upstream Designate 23.0.0: one zone ACTIVE after 5.3 s → ours: the whole burst in {:.2}× that time\n   \
         load average after: {}\n",
        zones.len(),
        args.clients,
        accepted.as_secs_f64(),
        total.as_secs_f64(),
        zones.len() as f64 / total.as_secs_f64(),
        percentile(&each, 0.5).as_secs_f64(),
        percentile(&each, 0.99).as_secs_f64(),
        percentile(&each, 1.0).as_secs_f64(),
        total.as_secs_f64() / UPSTREAM_ZONE_ACTIVE.as_secs_f64(),
        load_average(),
    ))
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let server = Server::start(&args);
    let label = server.version();
    let state = tempfile::tempdir()?;
    let (_designate, api) = start_designate(&args, state.path(), &server)?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    let tuning = match args.target {
        Target::Bind9 => format!(", serial-query-rate {}", args.bind_serial_query_rate),
        Target::Pdns => String::new(),
    };
    print_now(&format!(
        "pool-bench: {label}{tuning} as the default pool's only target (installed by `manage \
         pool update`), load average before: {}\n",
        load_average()
    ))?;
    if args.changes > 0 {
        print_now(&change_latency(&args, &http, &api, &server, &label).await?)?;
    }
    if args.burst_zones > 0 {
        print_now(&zone_burst(&args, &http, &api, &server, &label).await?)?;
    }
    Ok(())
}
