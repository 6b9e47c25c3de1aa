//! Built-in nameserver load tool: N zones (default 100,000) served by the real
//! `designate nameserver` (transferring them from the real `designate mdns`), by BIND9 and by
//! NSD, each on its own port and data directory on this machine, one after the other. For each
//! server it measures the time from start until every zone is answered, its RSS once loaded,
//! and the queries/s `dnsperf` gets from it (same query file, same dnsperf options); then it
//! stops the server.
//!
//! ```sh
//! target/release/ns-bench --binary target/release/designate --zones 100000
//! ```

mod probe;
mod seed;
mod servers;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use clap::Parser;
use designate_storage::SqlStorage;

use crate::servers::Server;

#[derive(Parser)]
#[command(about = "Zones loaded, RSS and dnsperf queries/s: designate nameserver vs BIND9 vs NSD")]
struct Args {
    /// The `designate` binary.
    #[arg(long, default_value = "target/release/designate")]
    binary: PathBuf,
    /// Zones in the set (each: SOA, NS, MX, www A, mail A).
    #[arg(long, default_value_t = 100_000)]
    zones: u32,
    /// Seconds per dnsperf run.
    #[arg(long, default_value_t = 10)]
    seconds: u32,
    /// dnsperf runs per server (the median is reported with each run).
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// dnsperf clients (`-c`) and outstanding queries (`-q`).
    #[arg(long, default_value_t = 4)]
    clients: u32,
    #[arg(long, default_value_t = 200)]
    outstanding: u32,
    /// Servers to measure, in order (`designate`, `bind9`, `nsd`).
    #[arg(long, value_delimiter = ',', default_value = "designate,bind9,nsd")]
    servers: Vec<String>,
    /// Longest wait for a server to load every zone.
    #[arg(long, default_value_t = 900)]
    load_timeout: u64,
    /// Work directory (kept when given; a temporary one otherwise).
    #[arg(long)]
    state: Option<PathBuf>,
}

/// What one server measured.
struct Measured {
    name: String,
    load: Duration,
    rss_kib: u64,
    qps: Vec<f64>,
    lost: Vec<String>,
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let temp = tempfile::tempdir()?;
    let dir = match &args.state {
        Some(dir) => {
            std::fs::create_dir_all(dir)?;
            dir.clone()
        }
        None => temp.path().to_owned(),
    };
    let names: Vec<String> = (0..args.zones).map(seed::zone_name).collect();
    let queries = dir.join("queries.txt");
    seed::query_file(&queries, args.zones, 200_000)?;
    eprintln!("load average: {}", load_average());

    let mut results = Vec::new();
    for which in &args.servers {
        let started_seed = Instant::now();
        let server_dir = dir.join(which);
        let _ = std::fs::remove_dir_all(&server_dir);
        std::fs::create_dir_all(&server_dir)?;
        let ns_port = servers::free_port()?;
        let server = match which.as_str() {
            "designate" => {
                let mdns_port = servers::free_port()?;
                let db = server_dir.join("designate.sqlite");
                let storage = SqlStorage::connect(&format!("sqlite:///{}", db.display())).await?;
                storage.migrate().await?;
                seed::store(
                    &storage,
                    args.zones,
                    ([127, 0, 0, 1], ns_port).into(),
                    ([127, 0, 0, 1], mdns_port).into(),
                )
                .await?;
                drop(storage);
                eprintln!(
                    "designate: {} zones stored in {:.1} s",
                    args.zones,
                    started_seed.elapsed().as_secs_f64()
                );
                Server::designate(&args.binary, &server_dir, ns_port, mdns_port).await?
            }
            "bind9" => {
                let zones = seed::zone_files(&server_dir.join("zones"), args.zones)?;
                eprintln!(
                    "bind9: zone files written in {:.1} s",
                    started_seed.elapsed().as_secs_f64()
                );
                Server::bind9(&server_dir, ns_port, &zones)?
            }
            "nsd" => {
                let zones = seed::zone_files(&server_dir.join("zones"), args.zones)?;
                eprintln!(
                    "nsd: zone files written in {:.1} s",
                    started_seed.elapsed().as_secs_f64()
                );
                Server::nsd(&server_dir, ns_port, &zones)?
            }
            other => anyhow::bail!("unknown server {other:?} (designate, bind9, nsd)"),
        };
        let addr = ([127, 0, 0, 1], ns_port).into();
        probe::wait_all_served(addr, &names, Duration::from_secs(args.load_timeout))
            .await
            .with_context(|| format!("{which} did not serve every zone"))?;
        // From the server's own start (for designate: every zone transferred from MiniDNS).
        let load = server.started.elapsed();
        let rss_kib = server.rss_kib()?;
        eprintln!(
            "{which}: all {} zones answered {:.1} s after start; RSS {:.1} MiB",
            args.zones,
            load.as_secs_f64(),
            rss_kib as f64 / 1024.0
        );
        let mut qps = Vec::new();
        let mut lost = Vec::new();
        for run in 0..args.runs {
            let (q, l) =
                servers::dnsperf(addr, &queries, args.seconds, args.clients, args.outstanding)?;
            eprintln!(
                "{which}: dnsperf run {}: {q:.0} queries/s, lost {l} (load {})",
                run + 1,
                load_average()
            );
            qps.push(q);
            lost.push(l);
        }
        server.stop();
        results.push(Measured {
            name: which.clone(),
            load,
            rss_kib,
            qps,
            lost,
        });
    }

    eprintln!("zones: {}", args.zones);
    eprintln!("| server | all zones answered after start | RSS loaded | dnsperf queries/s (median of {}) | runs |", args.runs);
    eprintln!("| --- | --- | --- | --- | --- |");
    for m in &results {
        let mut sorted = m.qps.clone();
        sorted.sort_by(f64::total_cmp);
        let median = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
        let runs: Vec<String> = m
            .qps
            .iter()
            .zip(&m.lost)
            .map(|(q, l)| format!("{q:.0} (lost {l})"))
            .collect();
        eprintln!(
            "| {} | {:.1} s | {:.1} MiB | {median:.0} | {} |",
            m.name,
            m.load.as_secs_f64(),
            m.rss_kib as f64 / 1024.0,
            runs.join(", ")
        );
    }
    eprintln!("load average at the end: {}", load_average());
    Ok(())
}

/// The 1/5/15-minute load averages.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}
