//! Real nameserver daemons for tests: a private BIND9 (`named` with rndc and
//! `allow-new-zones`), a private PowerDNS (`pdns_server` with its HTTP API and a gsqlite3
//! database, acting as a secondary) and a private PowerDNS on a database of its own on the
//! machine's MariaDB or PostgreSQL (gmysql / gpgsql, for the `powerdns-sql` backend), each on its own free loopback ports in its own temporary
//! directory, killed when dropped.
//!
//! Compiled for this crate's tests and, with the `testing` feature, for other crates' tests
//! (the binary's end-to-end suite). A missing daemon binary makes `start` fail loudly: tests
//! that need a real nameserver must fail, never skip.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use designate_core::objects::{PoolAttribute, PoolTarget, PoolTargetMaster};
use uuid::Uuid;

/// A test-only rndc secret (hmac-sha256); the control channel listens on loopback only.
const RNDC_SECRET: &str = "aGV5IHRoaXMgaXMgYSB0ZXN0IGtleSBvbmx5IGZvciB0ZXN0cw==";

/// The path of a daemon or tool: found on `PATH`, else in the sbin directories Debian puts
/// `named`, `rndc` and `pdns_server` in (often missing from a non-login `PATH`).
pub fn program(name: &str) -> PathBuf {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    on_path
        .into_iter()
        .chain([PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")])
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// A loopback port free for both TCP and UDP at the time of the call.
pub fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("bind tcp");
        let port = tcp.local_addr().expect("addr").port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

fn option(key: &str, value: impl ToString) -> PoolAttribute {
    PoolAttribute {
        key: key.to_owned(),
        value: value.to_string(),
    }
}

/// Waits until `ready` holds, panicking with `what` after `within`.
fn wait_until(within: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !ready() {
        assert!(Instant::now() < deadline, "{what} did not become ready");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A private `named`.
pub struct Named {
    child: Child,
    dir: tempfile::TempDir,
    /// DNS address (UDP and TCP).
    pub addr: SocketAddr,
    /// rndc control port.
    pub rndc_port: u16,
    /// rndc.conf with the key and the control port.
    pub rndc_conf: PathBuf,
}

impl Named {
    /// Starts named on free ports with `serial-query-rate 1000`; returns once rndc answers.
    pub fn start() -> Self {
        Self::start_with_serial_query_rate(1000)
    }

    /// [`Named::start`] with BIND's `serial-query-rate` set to `rate` (BIND's default is 20).
    pub fn start_with_serial_query_rate(rate: u32) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let port = free_port();
        let rndc_port = free_port();
        std::fs::create_dir_all(d.join("zones")).expect("zones dir");
        let key =
            format!("key \"rndc-key\" {{ algorithm hmac-sha256; secret \"{RNDC_SECRET}\"; }};\n");
        std::fs::write(d.join("rndc.key"), &key).expect("rndc.key");
        let rndc_conf = d.join("rndc.conf");
        std::fs::write(
            &rndc_conf,
            format!(
                "{key}options {{ default-key \"rndc-key\"; default-server 127.0.0.1; default-port {rndc_port}; }};\n"
            ),
        )
        .expect("rndc.conf");
        // serial-query-rate: BIND releases NOTIFY-triggered SOA checks in ticks of
        // 10 / rate seconds (500 ms at the default 20); 1000 (the tests') makes the tick 10 ms.
        std::fs::write(
            d.join("named.conf"),
            format!(
                "{key}controls {{ inet 127.0.0.1 port {rndc_port} allow {{ 127.0.0.1; }} keys {{ \"rndc-key\"; }}; }};\n\
                 options {{\n  directory \"{zones}\"; pid-file \"{pid}\";\n  \
                 listen-on port {port} {{ 127.0.0.1; }}; listen-on-v6 {{ none; }};\n  \
                 recursion no; allow-new-zones yes; serial-query-rate {rate}; allow-notify {{ 127.0.0.1; }}; notify no;\n  \
                 dnssec-validation no; session-keyfile \"{session}\";\n}};\n",
                zones = d.join("zones").display(),
                pid = d.join("named.pid").display(),
                session = d.join("session.key").display(),
            ),
        )
        .expect("named.conf");
        let child = Command::new(program("named"))
            .arg("-f")
            .arg("-c")
            .arg(d.join("named.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run `named` (apt-get install bind9 bind9-utils)");
        let named = Self {
            child,
            dir,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            rndc_port,
            rndc_conf,
        };
        wait_until(Duration::from_secs(20), "named", || {
            named.rndc(&["status"]).0
        });
        named
    }

    /// Runs `rndc ARGS…` against this named: (success, stdout + stderr).
    pub fn rndc(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new(program("rndc"))
            .arg("-c")
            .arg(&self.rndc_conf)
            .args(["-s", "127.0.0.1", "-p", &self.rndc_port.to_string()])
            .args(args)
            .output()
            .expect("cannot run `rndc` (apt-get install bind9-utils)");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// A `bind9` pool target for this named, transferring from `masters`.
    pub fn target(&self, masters: &[SocketAddr]) -> PoolTarget {
        PoolTarget {
            id: Uuid::new_v4(),
            target_type: "bind9".to_owned(),
            description: Some("test named".to_owned()),
            masters: masters
                .iter()
                .map(|m| PoolTargetMaster {
                    host: m.ip().to_string(),
                    port: m.port(),
                })
                .collect(),
            options: vec![
                option("host", self.addr.ip()),
                option("port", self.addr.port()),
                option("rndc_host", "127.0.0.1"),
                option("rndc_port", self.rndc_port),
                option("rndc_config_file", self.rndc_conf.display()),
                option("rndc_bin_path", program("rndc").display()),
            ],
        }
    }

    /// The directory named writes zone files to.
    pub fn zone_dir(&self) -> PathBuf {
        self.dir.path().join("zones")
    }

    /// Stops named (SIGKILL) and waits for it; the directory stays until drop.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts named again on the same ports and directory after [`Named::stop`].
    pub fn restart(&mut self) {
        self.stop();
        // BIND keeps zones added by rndc in its NZF/NZD file, so they come back on restart.
        self.child = Command::new(program("named"))
            .arg("-f")
            .arg("-c")
            .arg(self.dir.path().join("named.conf"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("named");
        wait_until(Duration::from_secs(20), "named", || {
            self.rndc(&["status"]).0
        });
    }
}

impl Drop for Named {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A private PowerDNS authoritative server, secondary-capable, with its HTTP API.
pub struct Pdns {
    child: Child,
    _dir: tempfile::TempDir,
    /// DNS address (UDP and TCP).
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT` of the API.
    pub api_endpoint: String,
    /// The API key.
    pub api_key: String,
}

impl Pdns {
    /// Starts pdns_server on free ports with a fresh gsqlite3 database; returns once the API
    /// answers.
    pub fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let db = d.join("pdns.sqlite3");
        let schema =
            std::fs::read_to_string("/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql")
                .expect("cannot read the gsqlite3 schema (apt-get install pdns-backend-sqlite3)");
        let mut sqlite = Command::new(program("sqlite3"))
            .arg(&db)
            .stdin(Stdio::piped())
            .spawn()
            .expect("cannot run `sqlite3` (apt-get install sqlite3)");
        {
            use std::io::Write;
            let mut stdin = sqlite.stdin.take().expect("stdin");
            stdin.write_all(schema.as_bytes()).expect("schema");
        }
        assert!(
            sqlite.wait().expect("sqlite3").success(),
            "schema load failed"
        );
        let port = free_port();
        let web = free_port();
        let api_key = "designate-test-key".to_owned();
        // Caches off: tests read their own writes at once.
        std::fs::write(
            d.join("pdns.conf"),
            format!(
                "launch=gsqlite3\ngsqlite3-database={db}\nlocal-address=127.0.0.1\nlocal-port={port}\n\
                 socket-dir={dir}\nwebserver=yes\nwebserver-address=127.0.0.1\nwebserver-port={web}\n\
                 webserver-allow-from=127.0.0.0/8\napi=yes\napi-key={api_key}\nsecondary=yes\n\
                 allow-notify-from=127.0.0.0/8\nxfr-cycle-interval=1\ndisable-syslog=yes\n\
                 loglevel=4\ndistributor-threads=1\nreceiver-threads=1\n\
                 cache-ttl=0\nquery-cache-ttl=0\nnegquery-cache-ttl=0\nzone-cache-refresh-interval=0\n",
                db = db.display(),
                dir = d.display(),
            ),
        )
        .expect("pdns.conf");
        let child = Command::new(program("pdns_server"))
            .arg(format!("--config-dir={}", d.display()))
            .args(["--daemon=no", "--guardian=no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run `pdns_server` (apt-get install pdns-server pdns-backend-sqlite3)");
        let pdns = Self {
            child,
            _dir: dir,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            api_endpoint: format!("http://127.0.0.1:{web}"),
            api_key,
        };
        wait_until(Duration::from_secs(20), "pdns_server", || {
            std::net::TcpStream::connect(("127.0.0.1", web)).is_ok()
                && std::net::TcpStream::connect(pdns.addr).is_ok()
        });
        pdns
    }

    /// A `pdns4` pool target for this server, transferring from `masters`.
    pub fn target(&self, masters: &[SocketAddr]) -> PoolTarget {
        PoolTarget {
            id: Uuid::new_v4(),
            target_type: "pdns4".to_owned(),
            description: Some("test pdns".to_owned()),
            masters: masters
                .iter()
                .map(|m| PoolTargetMaster {
                    host: m.ip().to_string(),
                    port: m.port(),
                })
                .collect(),
            options: vec![
                option("host", self.addr.ip()),
                option("port", self.addr.port()),
                option("api_endpoint", &self.api_endpoint),
                option("api_token", &self.api_key),
            ],
        }
    }
}

impl Drop for Pdns {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The database engine behind a [`PdnsSql`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdnsSqlEngine {
    /// gmysql on the machine's MariaDB (127.0.0.1:3306, root, empty password).
    MySql,
    /// gpgsql on the machine's PostgreSQL (127.0.0.1:5432, postgres, trust).
    Postgres,
}

/// A private PowerDNS authoritative server reading its zones from its own database on the
/// machine's MariaDB (gmysql) or PostgreSQL (gpgsql), loaded with PowerDNS's packaged schema.
/// The database is dropped with it.
pub struct PdnsSql {
    child: Child,
    _dir: tempfile::TempDir,
    /// The engine.
    pub engine: PdnsSqlEngine,
    /// The database's name.
    pub database: String,
    /// DNS address (UDP and TCP).
    pub addr: SocketAddr,
    /// The database as the `powerdns-sql` backend's `connection` option names it.
    pub connection: String,
}

impl PdnsSql {
    /// Creates a fresh database, loads PowerDNS's schema and starts pdns_server on it on free
    /// ports; returns once it answers on TCP.
    pub fn start(engine: PdnsSqlEngine) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let database = format!("pdns_test_{}", Uuid::new_v4().simple());
        let (launch, connection) = match engine {
            PdnsSqlEngine::MySql => {
                let schema = "/usr/share/pdns-backend-mysql/schema/schema.mysql.sql";
                assert!(
                    std::path::Path::new(schema).is_file(),
                    "cannot read the gmysql schema (apt-get install pdns-backend-mysql)"
                );
                sql_cli(engine, None, &format!("CREATE DATABASE {database}"));
                sql_file(engine, &database, schema);
                (
                    format!(
                        "launch=gmysql\ngmysql-host=127.0.0.1\ngmysql-port=3306\ngmysql-user=root\n\
                         gmysql-password=\ngmysql-dbname={database}\ngmysql-dnssec=no\n"
                    ),
                    format!("mysql+pymysql://root:@127.0.0.1:3306/{database}?charset=utf8"),
                )
            }
            PdnsSqlEngine::Postgres => {
                let schema = "/usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql";
                assert!(
                    std::path::Path::new(schema).is_file(),
                    "cannot read the gpgsql schema (apt-get install pdns-backend-pgsql)"
                );
                sql_cli(engine, None, &format!("CREATE DATABASE {database}"));
                sql_file(engine, &database, schema);
                (
                    format!(
                        "launch=gpgsql\ngpgsql-host=127.0.0.1\ngpgsql-port=5432\ngpgsql-user=postgres\n\
                         gpgsql-password=\ngpgsql-dbname={database}\ngpgsql-dnssec=no\n"
                    ),
                    format!("postgresql+psycopg2://postgres@127.0.0.1:5432/{database}"),
                )
            }
        };
        let port = free_port();
        // Caches off: the worker's serial poll must see each committed change at once; the
        // zone cache off too, or a zone added to the database is unknown until its refresh.
        std::fs::write(
            d.join("pdns.conf"),
            format!(
                "{launch}local-address=127.0.0.1\nlocal-port={port}\nsocket-dir={dir}\n\
                 disable-syslog=yes\nloglevel=4\ndistributor-threads=1\nreceiver-threads=1\n\
                 cache-ttl=0\nquery-cache-ttl=0\nnegquery-cache-ttl=0\nzone-cache-refresh-interval=0\n",
                dir = d.display(),
            ),
        )
        .expect("pdns.conf");
        let child = Command::new(program("pdns_server"))
            .arg(format!("--config-dir={}", d.display()))
            .args(["--daemon=no", "--guardian=no"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("cannot run `pdns_server` (apt-get install pdns-server)");
        let pdns = Self {
            child,
            _dir: dir,
            engine,
            database,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            connection,
        };
        wait_until(Duration::from_secs(20), "pdns_server (SQL)", || {
            std::net::TcpStream::connect(pdns.addr).is_ok()
        });
        pdns
    }

    /// A `powerdns-sql` pool target writing into this server's database.
    pub fn target(&self) -> PoolTarget {
        PoolTarget {
            id: Uuid::new_v4(),
            target_type: "powerdns-sql".to_owned(),
            description: Some("test pdns (SQL)".to_owned()),
            masters: Vec::new(),
            options: vec![option("connection", &self.connection)],
        }
    }

    /// Runs `sql` in this server's database with the engine's command-line client; returns
    /// the rows, tab-separated, one a line.
    pub fn query(&self, sql: &str) -> String {
        sql_cli(self.engine, Some(&self.database), sql)
    }
}

impl Drop for PdnsSql {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // PostgreSQL refuses to drop a database others are still connected to (a backend's pool
        // closes its connections lazily): FORCE ends them.
        let force = match self.engine {
            PdnsSqlEngine::MySql => "",
            PdnsSqlEngine::Postgres => " WITH (FORCE)",
        };
        let _ = std::panic::catch_unwind(|| {
            sql_cli(
                self.engine,
                None,
                &format!("DROP DATABASE IF EXISTS {}{force}", self.database),
            )
        });
    }
}

/// The command-line client of `engine` connected to the machine's server.
fn sql_command(engine: PdnsSqlEngine, database: Option<&str>) -> Command {
    match engine {
        PdnsSqlEngine::MySql => {
            let mut c = Command::new("mariadb");
            c.args(["-h", "127.0.0.1", "-P", "3306", "-u", "root", "-N", "-B"])
                // A lock held by a broken test fails the client instead of hanging it.
                .arg("--init-command=SET SESSION lock_wait_timeout = 20");
            if let Some(db) = database {
                c.arg(db);
            }
            c
        }
        PdnsSqlEngine::Postgres => {
            let mut c = Command::new("psql");
            c.args([
                "-h",
                "127.0.0.1",
                "-p",
                "5432",
                "-U",
                "postgres",
                "-X",
                "-q",
                "-t",
                "-A",
            ])
            .args(["-F", "\t", "-v", "ON_ERROR_STOP=1", "-d"])
            .arg(database.unwrap_or("postgres"));
            c
        }
    }
}

fn sql_cli(engine: PdnsSqlEngine, database: Option<&str>, sql: &str) -> String {
    let flag = match engine {
        PdnsSqlEngine::MySql => "-e",
        PdnsSqlEngine::Postgres => "-c",
    };
    let out = sql_command(engine, database)
        .args([flag, sql])
        .output()
        .expect("cannot run the database client (mariadb / psql)");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sql_file(engine: PdnsSqlEngine, database: &str, path: &str) {
    let file = std::fs::File::open(path).expect("schema file");
    let out = sql_command(engine, Some(database))
        .stdin(file)
        .output()
        .expect("cannot run the database client (mariadb / psql)");
    assert!(
        out.status.success(),
        "loading {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}
