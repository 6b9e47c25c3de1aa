//! Database servers for the e2e tests: a MariaDB and a PostgreSQL instance of the test's own
//! (own data directory, own port) that a test may stop and start again without touching the
//! machine's shared servers, and fresh databases on the shared servers
//! (`designate_storage::contract::server`) for tests that only need one.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Which engine an own server runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Engine {
    /// `mariadbd`.
    MariaDb,
    /// PostgreSQL's `postgres`, driven by `pg_ctl`.
    Postgres,
}

/// A database server of the test's own, holding one database `designate`; stopped when dropped.
pub(crate) struct OwnServer {
    engine: Engine,
    dir: tempfile::TempDir,
    port: u16,
    /// The running `mariadbd` (PostgreSQL runs detached under `pg_ctl`).
    mariadbd: Option<Child>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// `/usr/lib/postgresql/<newest>/bin/<tool>`.
fn pg_tool(tool: &str) -> PathBuf {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL (package postgresql) must be installed under /usr/lib/postgresql")
        .filter_map(|e| e.ok().map(|e| e.path().join("bin").join(tool)))
        .filter(|p| p.exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .unwrap_or_else(|| panic!("{tool} not found under /usr/lib/postgresql/*/bin"))
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// PostgreSQL refuses to run as root: as root, run its tools as the `postgres` user.
fn as_pg_user(tool: &str) -> Command {
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(pg_tool(tool));
        c
    } else {
        Command::new(pg_tool(tool))
    }
}

#[track_caller]
fn run(mut command: Command, what: &str) {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl OwnServer {
    /// Initialises a data directory, starts the server and creates the database `designate`.
    pub(crate) async fn start(engine: Engine) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut server = Self {
            engine,
            dir,
            port: free_port(),
            mariadbd: None,
        };
        match engine {
            Engine::MariaDb => {
                let mut init = Command::new("mariadb-install-db");
                init.arg("--no-defaults")
                    .arg(format!("--datadir={}", server.data().display()))
                    .args(["--auth-root-authentication-method=normal", "--skip-test-db"]);
                run(init, "mariadb-install-db (package mariadb-server)");
            }
            Engine::Postgres => {
                // The postgres user must own (and reach) the directory.
                run(
                    {
                        let mut c = Command::new("chmod");
                        c.arg("755").arg(server.dir.path());
                        c
                    },
                    "chmod",
                );
                let mut init = as_pg_user("initdb");
                init.arg("-D").arg(server.data()).args([
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-sync",
                ]);
                if is_root() {
                    run(
                        {
                            let mut c = Command::new("chown");
                            c.arg("postgres").arg(server.dir.path());
                            c
                        },
                        "chown",
                    );
                }
                run(init, "initdb");
            }
        }
        server.start_again().await;
        match engine {
            Engine::MariaDb => {
                let mut c = Command::new("mariadb");
                c.args([
                    "-h",
                    "127.0.0.1",
                    "-P",
                    &server.port.to_string(),
                    "-u",
                    "root",
                ])
                .args(["-e", "CREATE DATABASE designate"]);
                run(c, "mariadb client (CREATE DATABASE)");
            }
            Engine::Postgres => {
                let mut c = Command::new(pg_tool("psql"));
                c.args(["-h", "127.0.0.1", "-p", &server.port.to_string()])
                    .args([
                        "-U",
                        "postgres",
                        "-c",
                        "CREATE DATABASE designate",
                        "postgres",
                    ]);
                run(c, "psql (CREATE DATABASE)");
            }
        }
        server
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// The `[storage:sqlalchemy] connection` of the database `designate`, as upstream writes it.
    pub(crate) fn sqlalchemy_url(&self) -> String {
        match self.engine {
            Engine::MariaDb => format!(
                "mysql+pymysql://root@127.0.0.1:{}/designate?charset=utf8",
                self.port
            ),
            Engine::Postgres => format!(
                "postgresql+psycopg2://postgres@127.0.0.1:{}/designate",
                self.port
            ),
        }
    }

    /// The same database as sqlx takes it, to read the store behind the service's back.
    pub(crate) fn sqlx_url(&self) -> String {
        match self.engine {
            Engine::MariaDb => format!("mysql://root@127.0.0.1:{}/designate", self.port),
            Engine::Postgres => format!("postgres://postgres@127.0.0.1:{}/designate", self.port),
        }
    }

    /// Kills the server at once (no clean shutdown: what a crash or a power cut looks like).
    pub(crate) fn crash(&mut self) {
        match self.engine {
            Engine::MariaDb => {
                if let Some(mut child) = self.mariadbd.take() {
                    let _ = child.kill();
                    let _ = child.wait();
                }
            }
            Engine::Postgres => {
                let mut stop = as_pg_user("pg_ctl");
                stop.arg("-D")
                    .arg(self.data())
                    .args(["-m", "immediate", "-w", "stop"]);
                run(stop, "pg_ctl stop");
            }
        }
    }

    /// Starts the server on its data directory and port; waits until it accepts connections.
    pub(crate) async fn start_again(&mut self) {
        match self.engine {
            Engine::MariaDb => {
                let child = Command::new("mariadbd")
                    .arg("--no-defaults")
                    .arg(format!("--datadir={}", self.data().display()))
                    .arg(format!(
                        "--socket={}",
                        self.dir.path().join("sock").display()
                    ))
                    .arg(format!(
                        "--pid-file={}",
                        self.dir.path().join("pid").display()
                    ))
                    .arg(format!("--log-error={}", self.log().display()))
                    .arg(format!("--port={}", self.port))
                    .args([
                        "--bind-address=127.0.0.1",
                        "--skip-grant-tables",
                        "--innodb-buffer-pool-size=32M",
                        "--innodb-flush-log-at-trx-commit=2",
                        "--user=root",
                    ])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .expect("mariadbd (package mariadb-server) must be installed");
                self.mariadbd = Some(child);
            }
            Engine::Postgres => {
                let mut start = as_pg_user("pg_ctl");
                start
                    .arg("-D")
                    .arg(self.data())
                    .arg("-l")
                    .arg(self.log())
                    .arg("-o")
                    .arg(format!(
                        "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
                        self.port,
                        self.dir.path().display()
                    ))
                    .args(["-w", "start"]);
                run(start, "pg_ctl start");
            }
        }
        let started = Instant::now();
        while tokio::net::TcpStream::connect(("127.0.0.1", self.port))
            .await
            .is_err()
        {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "{:?} did not start: {}",
                self.engine,
                std::fs::read_to_string(self.log()).unwrap_or_default()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for OwnServer {
    fn drop(&mut self) {
        if self.engine == Engine::Postgres {
            let mut stop = as_pg_user("pg_ctl");
            stop.arg("-D")
                .arg(self.data())
                .args(["-m", "immediate", "-w", "stop"])
                .stdout(Stdio::null())
                .stderr(Stdio::null());
            let _ = stop.status();
        } else if let Some(mut child) = self.mariadbd.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
