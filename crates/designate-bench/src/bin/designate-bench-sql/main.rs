//! `designate-bench-sql`: `designate all` on a PostgreSQL or MariaDB database, measured from the
//! outside through the API.
//!
//! - **creates/s**: `--clients` concurrent API clients, each creating recordsets in a zone of
//!   its own (`--creates` in total); every answer must be a 202. Reports creates/s and the
//!   latency percentiles of one create. With `--warmup N` each client first makes N untimed
//!   creates, then the database is analyzed: the steady state of a store in use rather than
//!   the first seconds of an empty one. `--one-zone` puts every client in one zone.
//! - **updates/s and deletes/s** (with `--updates-deletes`): after the timed creates, every
//!   client updates each recordset it created (new data), then deletes each; the same report.
//! - **list p99** (with `--list-size N`): a zone filled with N recordsets (one A record each,
//!   written straight into the database by cloning a recordset created through the API, since
//!   creating 100,000 through the API would time the creates again), then
//!   `GET /v2/zones/{id}/recordsets?limit=100` timed on the first page and on pages behind deep
//!   markers (spread over the whole zone). Reports p50/p99/max.
//!
//! - **zone list p99** (with `--zones N`): N zones written straight into the database (cloned
//!   from one created through the API), then `GET /v2/zones?limit=100` timed on the first page
//!   and behind 100 markers spread over all of them. Reports p50/p99/max.
//!
//! With `--api URL` an already running Designate (upstream's, say) is measured instead of
//! `--binary`, `--connection` naming its database.
//!
//! The database must exist and be empty (`designate all` migrates it):
//! `designate-bench-sql --binary target/release/designate \
//!   --connection postgresql+psycopg2://postgres@127.0.0.1:5432/bench --clients 8 --creates 4000`

mod fill;

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Parser;
use reqwest::Method;
use serde_json::{json, Value};

#[derive(Debug, Parser)]
struct Args {
    /// The `designate` binary to measure (a release build).
    #[arg(long, default_value = "target/release/designate")]
    binary: PathBuf,
    /// `[storage:sqlalchemy] connection` of an empty database.
    #[arg(long)]
    connection: String,
    /// Concurrent API clients.
    #[arg(long, default_value_t = 8)]
    clients: usize,
    /// Recordset creates in total.
    #[arg(long, default_value_t = 4000)]
    creates: usize,
    /// Untimed creates per client before the timed ones, followed by `ANALYZE` of the whole
    /// database: the timed creates then meet zones that already hold recordsets and planner
    /// statistics that know it, as in a store in use, rather than the plans a connection
    /// cached while the tables were empty (0: time the first creates of a fresh database).
    #[arg(long, default_value_t = 0)]
    warmup: usize,
    /// Every client creates in one zone (the zone's creates then queue on its row lock, and
    /// central batches them) instead of each in a zone of its own.
    #[arg(long)]
    one_zone: bool,
    /// After the timed creates, time an update (new data) of every recordset they made, then
    /// a delete of every one: each client changes its own recordsets, in its zone.
    #[arg(long)]
    updates_deletes: bool,
    /// Recordsets of the zone the list is timed on (0: no list benchmark).
    #[arg(long, default_value_t = 0)]
    list_size: usize,
    /// Timed list requests.
    #[arg(long, default_value_t = 300)]
    lists: usize,
    /// Zones put in the store (straight into the database, cloned from one created through
    /// the API) before `GET /v2/zones?limit=100` is timed behind markers spread over all of
    /// them (0: no zone list benchmark).
    #[arg(long, default_value_t = 0)]
    zones: usize,
    /// Each measurement is repeated this many times (the creates in new zones, the lists on the
    /// same filled data) and every round reported, so that the median of a noisy machine can
    /// be taken.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
    /// Measure the Designate API already serving here (e.g. upstream's, `http://127.0.0.1:9101`)
    /// instead of starting `--binary`; `--connection` must then be that service's database.
    #[arg(long)]
    api: Option<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()?;
    if let Some(api) = &args.api {
        let report = run(&args, api.trim_end_matches('/'), &http).await?;
        std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
        return Ok(());
    }
    let state = tempfile::tempdir()?;
    let config = state.path().join("designate.conf");
    std::fs::write(
        &config,
        format!(
            "[DEFAULT]\nstate_path = {}\nquota_zones = 10000000\n\
             quota_zone_recordsets = 10000000\nquota_zone_records = 10000000\n\
             [service:api]\nlisten = 127.0.0.1:0\nmax_limit_v2 = 1000\n\
             [service:mdns]\nlisten = 127.0.0.1:0\n[service:nameserver]\nlisten = 127.0.0.1:0\n\
             [storage:sqlalchemy]\nconnection = {}\n",
            state.path().display(),
            args.connection
        ),
    )?;
    let mut child = Command::new(&args.binary)
        .arg("--config")
        .arg(&config)
        .arg("all")
        .env("RUST_LOG", "warn,designate=info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot run {}", args.binary.display()))?;
    let api = designate_bench::api_when_ready(&mut child)?;
    let result = run(&args, &api, &http).await;
    designate_bench::terminate(&mut child);
    let report = result?;
    std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
    Ok(())
}

async fn run(args: &Args, api: &str, http: &reqwest::Client) -> Result<String> {
    let mut report = String::new();
    for round in 0..args.rounds.max(1) {
        if args.creates > 0 {
            report.push_str(&create_benchmark(args, api, http, round).await?);
            // Shown at once: the list parts may run long.
            std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
            report.clear();
        }
    }
    if args.list_size > 0 {
        report.push_str(&list_benchmark(args, api, http).await?);
        std::io::Write::write_all(&mut std::io::stdout(), report.as_bytes())?;
        report.clear();
    }
    if args.zones > 0 {
        report.push_str(&zone_list_benchmark(args, api, http).await?);
    }
    Ok(report)
}

/// `--clients` clients creating `--creates` recordsets in all, each in a zone of its own.
async fn create_benchmark(
    args: &Args,
    api: &str,
    http: &reqwest::Client,
    round: usize,
) -> Result<String> {
    // Creates: one zone per client, so the clients measure the store, not one zone's row lock;
    // or all of them in one zone (`--one-zone`).
    let mut zones = Vec::new();
    let own_zones = if args.one_zone { 1 } else { args.clients };
    for c in 0..own_zones {
        let name = format!("load{c}r{round}.bench.");
        zones.push((create_zone(http, api, &name).await?, name));
    }
    let zones: Vec<(String, String)> = (0..args.clients)
        .map(|c| zones[c % own_zones].clone())
        .collect();
    if args.warmup > 0 {
        creates(http, api, &zones, 0..args.warmup, false).await?;
        fill::analyze(&args.connection).await?;
    }
    let per_client = args.creates.div_ceil(args.clients);
    let started = Instant::now();
    let (mut latencies, created) = creates(
        http,
        api,
        &zones,
        args.warmup..args.warmup + per_client,
        args.updates_deletes,
    )
    .await?;
    let mut report = rate("creates", "create", args, started.elapsed(), &mut latencies);
    if args.updates_deletes {
        let ids = |c: usize| {
            created[c]
                .iter()
                .map(|rs| rs["id"].as_str().map(str::to_owned).context("recordset id"))
                .collect::<Result<Vec<String>>>()
        };
        let mut updates = Vec::new();
        let mut deletes = Vec::new();
        for (c, (zone_id, _)) in zones.iter().enumerate() {
            let base = format!("{api}/v2/zones/{zone_id}/recordsets");
            let ids = ids(c)?;
            updates.push(
                ids.iter()
                    .enumerate()
                    .map(|(i, id)| Call {
                        method: Method::PUT,
                        url: format!("{base}/{id}"),
                        body: Some(json!({"records": [format!("10.{}.{}.{}", 128 + c, (i >> 8) & 255, i & 255)]})),
                    })
                    .collect(),
            );
            deletes.push(
                ids.iter()
                    .map(|id| Call {
                        method: Method::DELETE,
                        url: format!("{base}/{id}"),
                        body: None,
                    })
                    .collect(),
            );
        }
        for (what, one, calls) in [
            ("updates", "update", updates),
            ("deletes", "delete", deletes),
        ] {
            let started = Instant::now();
            let (mut latencies, _) = timed_calls(http, calls, false).await?;
            report.push_str(&rate(what, one, args, started.elapsed(), &mut latencies));
        }
    }
    Ok(report)
}

/// One line of the report: `n` requests of a kind by the clients in `elapsed`.
fn rate(
    what: &str,
    one: &str,
    args: &Args,
    elapsed: Duration,
    latencies: &mut [Duration],
) -> String {
    format!(
        "{what}: {} by {} clients in {:.2} s = {:.0}/s; one {one} {}\n",
        latencies.len(),
        args.clients,
        elapsed.as_secs_f64(),
        latencies.len() as f64 / elapsed.as_secs_f64(),
        percentiles(latencies)
    )
}

/// One request of a client's timed loop.
struct Call {
    method: Method,
    url: String,
    body: Option<Value>,
}

/// Runs every client's calls, each client one after the other, the clients side by side;
/// every call must be answered 202. The latency of every call, and each client's answers
/// (parsed only when `keep`: the client shares the machine with the server it measures).
async fn timed_calls(
    http: &reqwest::Client,
    clients: Vec<Vec<Call>>,
    keep: bool,
) -> Result<(Vec<Duration>, Vec<Vec<Value>>)> {
    let mut tasks = Vec::new();
    for (c, calls) in clients.into_iter().enumerate() {
        let http = http.clone();
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::with_capacity(calls.len());
            let mut answers = Vec::with_capacity(calls.len());
            for (i, call) in calls.into_iter().enumerate() {
                let t = Instant::now();
                let mut request = http.request(call.method.clone(), &call.url);
                if let Some(body) = &call.body {
                    request = request.json(body);
                }
                let resp = request.send().await?;
                if resp.status().as_u16() != 202 {
                    bail!("{} {i} of client {c}: HTTP {}", call.method, resp.status());
                }
                if keep {
                    answers.push(resp.json::<Value>().await?);
                } else {
                    resp.bytes().await?;
                }
                took.push(t.elapsed());
            }
            Ok::<_, anyhow::Error>((took, answers))
        }));
    }
    let mut latencies = Vec::new();
    let mut answers = Vec::new();
    for t in tasks {
        let (took, got) = t.await??;
        latencies.extend(took);
        answers.push(got);
    }
    Ok((latencies, answers))
}

/// Creates `r<i>c<client>` for every `i` of `numbers`, each client in its zone (`(id, name)`);
/// the latency of every create, and the recordsets each client created (when `keep`).
async fn creates(
    http: &reqwest::Client,
    api: &str,
    zones: &[(String, String)],
    numbers: std::ops::Range<usize>,
    keep: bool,
) -> Result<(Vec<Duration>, Vec<Vec<Value>>)> {
    let clients = zones
        .iter()
        .enumerate()
        .map(|(c, (zone_id, zone_name))| {
            let url = format!("{api}/v2/zones/{zone_id}/recordsets");
            numbers
                .clone()
                .map(|i| Call {
                    method: Method::POST,
                    url: url.clone(),
                    body: Some(json!({"name": format!("r{i}c{c}.{zone_name}"), "type": "A",
                                      "records": [format!("10.{}.{}.{}", c, (i >> 8) & 255, i & 255)]})),
                })
                .collect()
        })
        .collect();
    timed_calls(http, clients, keep).await
}

async fn create_zone(http: &reqwest::Client, api: &str, name: &str) -> Result<String> {
    let resp = http
        .post(format!("{api}/v2/zones"))
        .json(&json!({"name": name, "email": format!("hostmaster@{}", name.trim_end_matches('.'))}))
        .send()
        .await?;
    if resp.status().as_u16() != 202 {
        bail!("create zone {name}: HTTP {}", resp.status());
    }
    let zone: Value = resp.json().await?;
    Ok(zone["id"].as_str().context("zone id")?.to_owned())
}

/// Fills a zone with `list_size` recordsets and times pages of 100 at markers spread over it.
async fn list_benchmark(args: &Args, api: &str, http: &reqwest::Client) -> Result<String> {
    let zone_id = create_zone(http, api, "big.bench.").await?;
    let template: Value = http
        .post(format!("{api}/v2/zones/{zone_id}/recordsets"))
        .json(&json!({"name": "template.big.bench.", "type": "A", "records": ["192.0.2.1"]}))
        .send()
        .await?
        .json()
        .await?;
    let template_id = template["id"].as_str().context("template id")?.to_owned();
    let filled = Instant::now();
    fill::clone_recordsets(&args.connection, &template_id, args.list_size).await?;
    let fill_secs = filled.elapsed().as_secs_f64();

    // Markers: every page start of one full walk (limit=1000 to get there fast), then the timed
    // requests go to the first page and to pages behind those markers, deepest included.
    let mut markers: Vec<Option<String>> = vec![None];
    let mut url = format!("{api}/v2/zones/{zone_id}/recordsets?limit=1000");
    loop {
        let page: Value = http.get(&url).send().await?.json().await?;
        let items = page["recordsets"].as_array().context("recordsets")?;
        if let Some(last) = items.last() {
            markers.push(last["id"].as_str().map(str::to_owned));
        }
        match page["links"]["next"].as_str() {
            Some(next) => url = next.to_owned(),
            None => break,
        }
    }
    let total: Value = http
        .get(format!("{api}/v2/zones/{zone_id}/recordsets?limit=1"))
        .send()
        .await?
        .json()
        .await?;
    let count = total["metadata"]["total_count"]
        .as_u64()
        .unwrap_or_default();
    let urls: Vec<String> = markers
        .iter()
        .map(|marker| match marker {
            None => format!("{api}/v2/zones/{zone_id}/recordsets?limit=100"),
            Some(m) => format!("{api}/v2/zones/{zone_id}/recordsets?limit=100&marker={m}"),
        })
        .collect();
    let mut report = format!("list: zone of {count} recordsets (filled in {fill_secs:.1} s)\n");
    for round in 0..args.rounds.max(1) {
        let mut latencies = timed_gets(http, &urls, args.lists).await?;
        report.push_str(&format!(
            "  round {}: {} pages of 100 at {} markers: {}\n",
            round + 1,
            latencies.len(),
            urls.len(),
            percentiles(&mut latencies)
        ));
    }
    Ok(report)
}

/// `n` GETs going round `urls`, each timed; every answer must be a 200.
async fn timed_gets(http: &reqwest::Client, urls: &[String], n: usize) -> Result<Vec<Duration>> {
    let mut latencies = Vec::with_capacity(n);
    for i in 0..n {
        let url = &urls[i % urls.len()];
        let t = Instant::now();
        let resp = http.get(url).send().await?;
        if resp.status().as_u16() != 200 {
            bail!("GET {url}: HTTP {}", resp.status());
        }
        let _ = resp.bytes().await?;
        latencies.push(t.elapsed());
    }
    Ok(latencies)
}

/// Fills the store with `--zones` zones and times `GET /v2/zones?limit=100` on the first page
/// and behind markers spread over all of them.
async fn zone_list_benchmark(args: &Args, api: &str, http: &reqwest::Client) -> Result<String> {
    let template = create_zone(http, api, "many.bench.").await?;
    let filled = Instant::now();
    fill::clone_zones(&args.connection, &template, args.zones).await?;
    let fill_secs = filled.elapsed().as_secs_f64();
    let mut markers: Vec<Option<String>> = vec![None];
    markers.extend(
        fill::zone_markers(&args.connection, 100)
            .await?
            .into_iter()
            .map(Some),
    );
    let first: Value = http
        .get(format!("{api}/v2/zones?limit=1"))
        .send()
        .await?
        .json()
        .await?;
    let count = first["metadata"]["total_count"]
        .as_u64()
        .unwrap_or_default();
    let urls: Vec<String> = markers
        .iter()
        .map(|marker| match marker {
            None => format!("{api}/v2/zones?limit=100"),
            Some(m) => format!("{api}/v2/zones?limit=100&marker={m}"),
        })
        .collect();
    let mut report = format!("zone list: {count} zones (filled in {fill_secs:.1} s)\n");
    for round in 0..args.rounds.max(1) {
        let mut latencies = timed_gets(http, &urls, args.lists).await?;
        report.push_str(&format!(
            "  round {}: {} pages of 100 at {} markers: {}\n",
            round + 1,
            latencies.len(),
            urls.len(),
            percentiles(&mut latencies)
        ));
    }
    Ok(report)
}

fn percentiles(latencies: &mut [Duration]) -> String {
    latencies.sort();
    if latencies.is_empty() {
        return "no samples".to_owned();
    }
    let pct = |p: f64| designate_bench::percentile(latencies, p);
    let ms = designate_bench::ms;
    format!(
        "p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(pct(0.5)),
        ms(pct(0.99)),
        ms(pct(1.0))
    )
}
