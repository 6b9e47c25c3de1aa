//! `designate manage …`: operator tasks.

use clap::Subcommand;

use crate::config::Config;

/// Operator commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Database tasks.
    Database {
        #[command(subcommand)]
        command: DatabaseCommand,
    },
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
        Command::Database {
            command: DatabaseCommand::Sync,
        } => {
            crate::all::open_storage(&config).await?;
            tracing::info!(url = %redact(&config.database_url), "database schema is up to date");
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
