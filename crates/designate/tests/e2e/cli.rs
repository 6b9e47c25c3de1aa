//! The command line and the configuration file, as an operator meets them.

use std::process::Command;

fn designate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_designate"))
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .expect("run designate")
}

#[test]
fn bad_option_values_stop_the_start_naming_section_and_option() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (text, needle) in [
        (
            "[service:api]\nlisten = not-an-address\n",
            "[service:api] listen",
        ),
        (
            "[service:worker]\npoll_max_retries = many\n",
            "[service:worker] poll_max_retries",
        ),
        (
            "[service:worker]\nthreshold_percentage = 101\n",
            "[service:worker] threshold_percentage",
        ),
    ] {
        let conf = dir.path().join("bad.conf");
        std::fs::write(&conf, text).expect("write");
        let out = designate(&["--config", conf.to_str().expect("path"), "all"]);
        assert!(!out.status.success(), "{text} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(needle), "{text}: {stderr}");
    }
    let out = designate(&["--config", "/nonexistent/designate.conf", "all"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/designate.conf"));
}

#[test]
fn database_sync_creates_upstream_tables_and_warns_on_unknown_options() {
    let dir = tempfile::tempdir().expect("tempdir");
    let conf = dir.path().join("designate.conf");
    std::fs::write(
        &conf,
        format!(
            "[DEFAULT]\nstate_path = {0}\n[storage:sqlalchemy]\nconnection = sqlite:///$state_path/sync.db\n\
             [service:api]\nsome_future_option = 1\n",
            dir.path().display()
        ),
    )
    .expect("write");
    for _ in 0..2 {
        // Twice: the second run must be a no-op, not an error.
        let out = designate(&[
            "--config",
            conf.to_str().expect("path"),
            "manage",
            "database",
            "sync",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stderr.contains("[service:api] some_future_option"),
            "no warning: {stderr}"
        );
    }
    let db = dir.path().join("sync.db");
    let tables: Vec<String> = tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            use sqlx::Connection as _;
            let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", db.display()))
                .await
                .expect("open the synced database");
            sqlx::query_scalar("SELECT name FROM sqlite_master WHERE type = 'table'")
                .fetch_all(&mut conn)
                .await
                .expect("list tables")
        });
    for table in [
        "zones",
        "recordsets",
        "records",
        "pools",
        "pool_targets",
        "service_statuses",
    ] {
        assert!(
            tables.iter().any(|t| t == table),
            "table {table} missing: {tables:?}"
        );
    }
}
