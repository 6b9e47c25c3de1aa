//! `designate manage …`: operator tasks.

use clap::Subcommand;

use crate::config::Config;

pub(crate) mod pool;

/// Operator commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Database tasks.
    Database {
        #[command(subcommand)]
        command: DatabaseCommand,
    },
    /// Policy tasks.
    Policy {
        #[command(subcommand)]
        command: PolicyCommand,
    },
    /// Pool tasks (upstream's pools.yaml).
    Pool {
        #[command(subcommand)]
        command: pool::PoolCommand,
    },
}

/// `designate manage policy …`.
#[derive(Debug, Subcommand)]
pub(crate) enum PolicyCommand {
    /// Prints the effective policy (upstream's defaults with `[oslo_policy] policy_file` applied)
    /// as YAML.
    Show,
}

/// `designate manage database …`.
#[derive(Debug, Subcommand)]
pub(crate) enum DatabaseCommand {
    /// Creates or upgrades the schema (upstream's tables plus ours).
    Sync,
}

/// Runs an operator command.
pub(crate) async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Pool { command } => pool::run(command, config).await,
        Command::Database {
            command: DatabaseCommand::Sync,
        } => {
            crate::all::open_storage(&config).await?;
            tracing::info!(url = %redact(&config.database_url), "database schema is up to date");
            Ok(())
        }
        Command::Policy {
            command: PolicyCommand::Show,
        } => {
            use std::io::Write as _;
            let mut out = std::io::stdout().lock();
            out.write_all(config.api_policy.render().as_bytes())?;
            out.flush()?;
            Ok(())
        }
    }
}

/// The URL without its password, for logs.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact("mysql+pymysql://d:pw@h/db"),
            "mysql+pymysql://d:***@h/db"
        );
        assert_eq!(super::redact("sqlite:///x.db"), "sqlite:///x.db");
    }
}
