//! Database faults on a MariaDB server of the test's own (own data directory and port, so the
//! shared test servers are never disturbed): the server dies mid-transaction and comes back.
//! Requests fail fast with [`StorageError::Unavailable`] during the outage (well within
//! upstream's 30 s `pool_timeout`), the pool reconnects
//! by itself afterwards, and the transaction in flight left nothing behind.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use uuid::Uuid;

use super::*;
use crate::contract;

/// A mariadbd process; killed when dropped, so a failing test leaves no server behind.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Starts mariadbd on `dir`'s data directory and waits until it accepts connections.
async fn start(dir: &Path, port: u16) -> Server {
    let child = Command::new("mariadbd")
        .arg("--no-defaults")
        .arg(format!("--datadir={}", dir.join("data").display()))
        .arg(format!("--socket={}", dir.join("sock").display()))
        .arg(format!("--pid-file={}", dir.join("pid").display()))
        .arg(format!("--log-error={}", dir.join("error.log").display()))
        .arg(format!("--port={port}"))
        .args([
            "--bind-address=127.0.0.1",
            "--skip-grant-tables",
            "--innodb-buffer-pool-size=16M",
            "--user=root",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("mariadbd (package mariadb-server) must be installed");
    let server = Server(child);
    for _ in 0..200 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "mariadbd did not start: {}",
        std::fs::read_to_string(dir.join("error.log")).unwrap_or_default()
    );
}

#[tokio::test]
async fn mariadb_restart_fails_fast_then_recovers_without_half_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = Command::new("mariadb-install-db")
        .arg("--no-defaults")
        .arg(format!("--datadir={}", dir.path().join("data").display()))
        .args(["--auth-root-authentication-method=normal", "--skip-test-db"])
        .output()
        .expect("mariadb-install-db (package mariadb-server) must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let port = free_port();
    let server = start(dir.path(), port).await;
    Command::new("mariadb")
        .args(["-h", "127.0.0.1", "-P", &port.to_string(), "-u", "root"])
        .args(["-e", "CREATE DATABASE designate"])
        .status()
        .expect("mariadb client");

    // Upstream's default pool_timeout (30 s): an outage must not make requests wait that long.
    let opts = PoolOptions {
        max_retries: 0,
        ..PoolOptions::default()
    };
    let url = format!("mysql+pymysql://root@127.0.0.1:{port}/designate?charset=utf8");
    let s = SqlStorage::connect_with(&url, &opts)
        .await
        .expect("connect");
    s.migrate().await.expect("migrate");

    let kept = contract::zone("kept.example.org.", "fault", Uuid::new_v4());
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(&kept).await.expect("create");
    tx.commit().await.expect("commit");

    // A write in flight when the server dies.
    let lost = contract::zone("lost.example.org.", "fault", Uuid::new_v4());
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(&lost).await.expect("create");
    drop(server);
    let err = tx.commit().await.expect_err("server is gone");
    assert!(matches!(err, StorageError::Unavailable(_)), "{err}");

    // During the outage: a clear error after the check of the server (a probe after 1 s),
    // far below pool_timeout …
    let started = Instant::now();
    let Err(err) = s.begin().await else {
        panic!("server is down")
    };
    assert!(matches!(err, StorageError::Unavailable(_)), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // … and at once while the outage is known.
    let started = Instant::now();
    let Err(err) = s.begin_read().await else {
        panic!("server is down")
    };
    assert!(matches!(err, StorageError::Unavailable(_)), "{err}");
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );

    // Back up on the same data: the same storage reconnects by itself, at the latest one
    // probe interval after the server is back (until then the known outage still fails fast).
    let _server = start(dir.path(), port).await;
    let back = Instant::now();
    let mut tx = loop {
        match s.begin_read().await {
            Ok(tx) => break tx,
            Err(StorageError::Unavailable(e)) if back.elapsed() < Duration::from_secs(2) => {
                tracing::debug!(%e, "not yet reconnected");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => panic!("reconnected: {e:?}"),
        }
    };
    assert_eq!(tx.get_zone(kept.id).await.expect("kept").name, kept.name);
    assert!(matches!(
        tx.get_zone_any(lost.id).await,
        Err(StorageError::NotFound("zone"))
    ));
    drop(tx);
    let after = contract::zone("after.example.org.", "fault", Uuid::new_v4());
    let mut tx = s.begin().await.expect("begin");
    tx.create_zone(&after).await.expect("create after restart");
    tx.commit().await.expect("commit after restart");
    s.close().await;
}
