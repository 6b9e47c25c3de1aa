//! `designate manage pool …`: pools from upstream's pools.yaml.
//!
//! `update` reads the file, checks it whole (schema, then every target's options through its
//! backend) before touching the store, prints the plan, and — unless `--dry-run` — applies it
//! through central's `ensure_pool`, which also carries NS changes into the pool's zones; with
//! `--delete`, stored pools the file does not list are then deleted through central's
//! `delete_pool` (refused, before anything is applied, while such a pool holds zones).
//! `show_config` prints stored pools in the same YAML format. Parsing and planning live in
//! `designate_backends::pools_yaml` (no I/O); this module only does the I/O around them.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use designate_backends::pools_yaml::{self, Change, PoolDefinition};
use designate_backends::{from_target, BackendContext};
use designate_bus::inproc::{LogNotifier, WorkerQueue};
use designate_central::Central;
use uuid::Uuid;

use crate::config::Config;

/// Where upstream looks for the file by default.
const DEFAULT_POOLS_FILE: &str = "/etc/designate/pools.yaml";

/// `designate manage pool …`.
#[derive(Debug, Subcommand)]
pub(crate) enum PoolCommand {
    /// Creates and updates pools to match a pools.yaml.
    Update {
        /// The pools.yaml to apply.
        #[arg(long, default_value = DEFAULT_POOLS_FILE)]
        file: PathBuf,
        /// Also delete stored pools the file does not list (and so any zones left in them).
        #[arg(long)]
        delete: bool,
        /// Print what would change; change nothing.
        #[arg(long = "dry-run", visible_alias = "dry_run")]
        dry_run: bool,
        /// Do not check that every target's backend type and options are usable.
        #[arg(long = "skip-verify-drivers", visible_alias = "skip_verify_drivers")]
        skip_verify_drivers: bool,
    },
    /// Prints stored pools in pools.yaml format.
    #[command(name = "show_config", visible_alias = "show-config")]
    ShowConfig {
        /// The pool to show (default: `[service:central] default_pool_id`).
        #[arg(long = "pool_id", visible_alias = "pool-id")]
        pool_id: Option<Uuid>,
        /// Show every pool.
        #[arg(long = "all_pools", visible_alias = "all-pools")]
        all_pools: bool,
    },
    /// Writes every stored pool to a pools.yaml.
    #[command(name = "generate_file", visible_alias = "generate-file")]
    GenerateFile {
        /// Where to write it.
        #[arg(long, default_value = DEFAULT_POOLS_FILE)]
        file: PathBuf,
    },
}

/// Runs a pool command.
pub(crate) async fn run(command: PoolCommand, config: Config) -> Result<()> {
    match command {
        PoolCommand::Update {
            file,
            delete,
            dry_run,
            skip_verify_drivers,
        } => update(&config, &file, delete, dry_run, skip_verify_drivers).await,
        PoolCommand::ShowConfig { pool_id, all_pools } => {
            let pools = stored_pools(&config).await?;
            let shown: Vec<_> = if all_pools {
                pools
            } else {
                let id = pool_id.unwrap_or(config.default_pool_id);
                match pools.into_iter().find(|p| p.id == id) {
                    Some(pool) => vec![pool],
                    None => bail!("Pool not found: {id}"),
                }
            };
            let yaml = pools_yaml::render(&shown)?;
            let mut out = std::io::stdout().lock();
            writeln!(out, "Pool Configuration:\n-------------------")?;
            out.write_all(yaml.as_bytes())?;
            out.flush()?;
            Ok(())
        }
        PoolCommand::GenerateFile { file } => {
            let yaml = pools_yaml::render(&stored_pools(&config).await?)?;
            std::fs::write(&file, yaml)
                .with_context(|| format!("cannot write {}", file.display()))?;
            Ok(())
        }
    }
}

/// Whether the stored default pool belongs to the operator: it exists and none of its targets
/// is the built-in nameserver, so it was installed by `pool update`, and `designate all` must
/// not replace it with its built-in pool at start.
///
/// # Errors
/// A storage failure other than "no such pool".
pub(crate) async fn operator_owns_default_pool(
    storage: &dyn designate_storage::Storage,
    config: &Config,
) -> Result<bool> {
    let mut tx = storage.begin_read().await?;
    match tx.get_pool(config.default_pool_id).await {
        Ok(pool) => Ok(!pool.targets.iter().any(|t| t.target_type == "builtin")),
        Err(designate_storage::StorageError::NotFound(_)) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

async fn stored_pools(config: &Config) -> Result<Vec<designate_core::objects::Pool>> {
    let storage = crate::all::open_storage(config).await?;
    let mut tx = storage.begin_read().await?;
    Ok(tx.find_pools().await?)
}

/// `pool update`: check the whole file first, then apply; nothing is applied from a bad file.
async fn update(
    config: &Config,
    file: &std::path::Path,
    delete: bool,
    dry_run: bool,
    skip_verify_drivers: bool,
) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read pools file {}", file.display()))?;
    let defs = pools_yaml::parse(&text).with_context(|| format!("{}", file.display()))?;
    if !skip_verify_drivers {
        verify_drivers(&defs).with_context(|| format!("{}", file.display()))?;
    }
    let storage = crate::all::open_storage(config).await?;
    let stored = storage.begin_read().await?.find_pools().await?;
    let changes = pools_yaml::plan(&defs, &stored, delete)?;

    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Updating Pools Configuration\n****************************"
    )?;
    if dry_run {
        writeln!(
            out,
            "The following changes will occur:\n*********************************"
        )?;
    }
    for change in &changes {
        match change {
            Change::Create(p) => writeln!(out, "Create Pool: {} ({})", p.name, p.id)?,
            Change::Update { after, .. } => {
                writeln!(out, "Update Pool: {} ({})", after.name, after.id)?;
            }
            Change::Unchanged(p) => writeln!(out, "Unchanged Pool: {} ({})", p.name, p.id)?,
            Change::Delete(p) => writeln!(out, "Delete Pool: {} ({})", p.name, p.id)?,
        }
    }
    out.flush()?;
    if dry_run {
        return Ok(());
    }
    // No worker runs in this process: the casts central makes for zones whose NS records
    // changed go nowhere, and the running service's producer re-drives those PENDING zones.
    let (worker, _casts) = WorkerQueue::new();
    let central = Central::new(
        Arc::clone(&storage),
        Arc::new(worker),
        Arc::new(LogNotifier),
        config.central.clone(),
    );
    // Upstream refuses to delete a pool that still has zones; refuse before changing anything
    // (central checks again in the deleting transaction).
    for change in &changes {
        if let Change::Delete(p) = change {
            let in_use = central
                .pool_in_use(p.id)
                .await
                .map_err(|e| anyhow::anyhow!("cannot check pool {}: {}", p.name, e.message))?;
            if in_use {
                bail!(
                    "cannot delete pool {} ({}): pool must not contain zones; nothing was changed",
                    p.name,
                    p.id
                );
            }
        }
    }
    let mut deletes = Vec::new();
    for change in changes {
        let pool = match change {
            Change::Create(p) => p,
            Change::Update { after, .. } => *after,
            Change::Delete(p) => {
                deletes.push(p);
                continue;
            }
            Change::Unchanged(_) => continue,
        };
        let name = pool.name.clone();
        central
            .ensure_pool(pool)
            .await
            .map_err(|e| anyhow::anyhow!("cannot apply pool {name}: {}", e.message))?;
        tracing::info!(pool = %name, "pool applied");
    }
    // As upstream: deletions after every create and update.
    for pool in deletes {
        central
            .delete_pool(pool.id)
            .await
            .map_err(|e| anyhow::anyhow!("cannot delete pool {}: {}", pool.name, e.message))?;
        tracing::info!(pool = %pool.name, "pool deleted");
    }
    Ok(())
}

/// Builds every target's backend, so unusable options (a missing api_endpoint, a bad rndc_port)
/// are reported before anything is applied, as upstream's driver check does for types.
fn verify_drivers(defs: &[PoolDefinition]) -> Result<()> {
    let ctx = BackendContext::default();
    for (i, def) in defs.iter().enumerate() {
        for (j, target) in def.pool.targets.iter().enumerate() {
            if let Err(e) = from_target(target, &ctx) {
                let e = e.to_string();
                // The target has no id yet; name it by position instead.
                let e = e.replace(&format!("target {}: ", target.id), "");
                bail!("pools[{i}].targets[{j}] ({}): {e}", target.target_type);
            }
        }
    }
    Ok(())
}
