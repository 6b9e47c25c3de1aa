//! The persisted zone list: which zones the server holds and their masters.
//!
//! Zone *data* is not persisted (it is re-transferred at start); only the list is, so a restart
//! serves the same zones. Format: one zone per line, `<name> <master> [<master> …]`, `#`
//! comments. Writes go to a temporary file that is synced and renamed over the old one, so a
//! crash leaves either the old or the new list, never half of one.

use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use hickory_proto::rr::Name;
use tokio::io::AsyncWriteExt;

use crate::zone::fqdn_lower;

/// File name of the zone list inside the state directory.
const FILE_NAME: &str = "zones.list";

/// The zone list file of one server.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    dir: PathBuf,
}

impl StateFile {
    /// The list kept in `dir`.
    pub(crate) fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// Full path of the list.
    pub(crate) fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    /// Reads the list; a missing file is an empty list. Unreadable lines are skipped with a
    /// warning: one bad line must not take the other zones down.
    ///
    /// # Errors
    /// I/O errors other than "not found".
    pub(crate) async fn load(&self) -> io::Result<Vec<(Name, Vec<SocketAddr>)>> {
        let text = match tokio::fs::read_to_string(self.path()).await {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        Ok(parse(&text))
    }

    /// Atomically replaces the list with `zones`.
    ///
    /// # Errors
    /// Any I/O error creating the directory, writing, syncing or renaming.
    pub(crate) async fn save(&self, zones: &[(Name, Vec<SocketAddr>)]) -> io::Result<()> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let tmp = self.dir.join(format!(
            ".{FILE_NAME}.{}.tmp",
            uuid::Uuid::new_v4().simple()
        ));
        let result = async {
            let mut file = tokio::fs::File::create(&tmp).await?;
            file.write_all(render(zones).as_bytes()).await?;
            file.sync_all().await?;
            drop(file);
            tokio::fs::rename(&tmp, self.path()).await
        }
        .await;
        if result.is_err() {
            let _ = tokio::fs::remove_file(&tmp).await;
        }
        result
    }
}

fn render(zones: &[(Name, Vec<SocketAddr>)]) -> String {
    let mut out =
        String::from("# zones held by the designate built-in nameserver: name masters…\n");
    for (name, masters) in zones {
        out.push_str(&name.to_ascii());
        for master in masters {
            out.push(' ');
            out.push_str(&master.to_string());
        }
        out.push('\n');
    }
    out
}

fn parse(text: &str) -> Vec<(Name, Vec<SocketAddr>)> {
    let mut zones = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let Some(Ok(name)) = fields.next().map(Name::from_str) else {
            tracing::warn!(line = number + 1, "zone list: bad zone name, line skipped");
            continue;
        };
        let masters: Result<Vec<SocketAddr>, _> = fields.map(SocketAddr::from_str).collect();
        match masters {
            Ok(masters) => zones.push((fqdn_lower(&name), masters)),
            Err(e) => {
                tracing::warn!(line = number + 1, error = %e, "zone list: bad master, line skipped")
            }
        }
    }
    zones
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn round_trips_and_skips_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let state = StateFile::new(&dir.path().join("nested"));
        assert!(state.load().await.unwrap().is_empty());
        let zones = vec![
            (
                Name::from_str("example.org.").unwrap(),
                vec![
                    "127.0.0.1:5354".parse().unwrap(),
                    "[::1]:53".parse().unwrap(),
                ],
            ),
            (Name::from_str("b.example.").unwrap(), vec![]),
        ];
        state.save(&zones).await.unwrap();
        assert_eq!(state.load().await.unwrap(), zones);
        let mut text = std::fs::read_to_string(state.path()).unwrap();
        text.push_str("bad..name 1.2.3.4:5\nok.example. not-an-address\n");
        std::fs::write(state.path(), text).unwrap();
        assert_eq!(state.load().await.unwrap(), zones);
        // No temporary files are left behind.
        let entries = std::fs::read_dir(dir.path().join("nested"))
            .unwrap()
            .count();
        assert_eq!(entries, 1);
    }
}
