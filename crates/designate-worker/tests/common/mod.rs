//! What the worker's integration tests share.

use designate_storage::SqlStorage;

/// A migrated SQLite store in a file under `dir`.
pub(crate) async fn sqlite_store(dir: &tempfile::TempDir) -> SqlStorage {
    let url = format!("sqlite:///{}", dir.path().join("d.sqlite").display());
    let s = SqlStorage::connect(&url).await.expect("connect");
    s.migrate().await.expect("migrate");
    s
}
