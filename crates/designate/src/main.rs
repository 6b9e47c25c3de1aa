//! `designate`: one binary, one subcommand per role. This file only parses the command line,
//! sets up logging and the runtime, and hands over to the role.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tokio_util::sync::CancellationToken;

mod all;
mod conf_file;
mod config;
mod manage;
mod mdns_options;
mod nameserver_role;
mod roles;
mod sink_role;
mod transport;

/// DNS as a service: a drop-in replacement for OpenStack Designate.
#[derive(Debug, Parser)]
#[command(name = "designate", version)]
struct Cli {
    /// An upstream-style designate.conf (INI).
    #[arg(
        long,
        global = true,
        visible_alias = "config-file",
        env = "DESIGNATE_CONFIG"
    )]
    config: Option<PathBuf>,
    #[command(subcommand)]
    role: Role,
}

#[derive(Debug, Subcommand)]
enum Role {
    /// Every role in one process: SQLite, in-process bus, built-in nameserver.
    All,
    /// The OpenStack DNS API v2.
    Api,
    /// Business rules and storage writes.
    Central,
    /// Pushes zones to pool targets and polls for their serials.
    Worker,
    /// Periodic tasks (recovery).
    Producer,
    /// MiniDNS: SOA/AXFR answers from the store for the pool targets.
    Mdns,
    /// The built-in nameserver alone, serving the zones of the pools that target it.
    Nameserver,
    /// Nova / Neutron notification handlers: records for instances and floating IPs.
    Sink,
    /// Operator tasks.
    Manage {
        #[command(subcommand)]
        command: manage::Command,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(error) => {
            eprintln!("designate: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("designate: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = config::Config::load(cli.config.as_deref())?;
    let shutdown = CancellationToken::new();
    tokio::spawn(cancel_on_signal(shutdown.clone()));
    match cli.role {
        Role::All => all::run(config, shutdown).await,
        Role::Mdns => all::run_mdns(config, shutdown).await,
        Role::Api => roles::run_api(config, shutdown).await,
        Role::Central => roles::run_central(config, shutdown).await,
        Role::Worker => roles::run_worker(config, shutdown).await,
        Role::Producer => roles::run_producer(config, shutdown).await,
        Role::Nameserver => nameserver_role::run(config, shutdown).await,
        Role::Sink => sink_role::run(config, shutdown).await,
        Role::Manage { command } => manage::run(command, config).await,
    }
}

/// Cancels `shutdown` on Ctrl-C or SIGTERM.
async fn cancel_on_signal(shutdown: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(error) => {
                    tracing::warn!(%error, "cannot listen for SIGTERM");
                    let _ = ctrl_c.await;
                    shutdown.cancel();
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
    tracing::info!("shutting down");
    shutdown.cancel();
}
