//! Starting and stopping the servers compared (each on its own port and data directory, its
//! log in that directory), and running dnsperf against one.

use std::fmt::Write as _;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};

/// A running server: its processes (the one measured first) and when it was started.
pub(crate) struct Server {
    children: Vec<Child>,
    pub(crate) started: Instant,
}

impl Server {
    /// `designate mdns` on the store in `dir`, then `designate nameserver` following it.
    pub(crate) async fn designate(
        binary: &Path,
        dir: &Path,
        ns_port: u16,
        mdns_port: u16,
    ) -> Result<Self> {
        let config = dir.join("designate.conf");
        std::fs::write(
            &config,
            format!(
                "[DEFAULT]\nstate_path = {d}\n[storage:sqlalchemy]\n\
                 connection = sqlite:///{d}/designate.sqlite\n\
                 [service:mdns]\nlisten = 127.0.0.1:{mdns_port}\nquery_acl = any\n\
                 client_rate_limit = 0\n[service:nameserver]\nlisten = 127.0.0.1:{ns_port}\n",
                d = dir.display()
            ),
        )?;
        let role = |name: &str| -> Result<Child> {
            Command::new(binary)
                .arg("--config")
                .arg(&config)
                .arg(name)
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.join(format!("{name}.log")))?)
                .spawn()
                .with_context(|| format!("cannot run {}", binary.display()))
        };
        let mdns = role("mdns")?;
        let mut server = Self {
            children: vec![mdns],
            started: Instant::now(),
        };
        wait_tcp(([127, 0, 0, 1], mdns_port).into()).await?;
        server.started = Instant::now();
        // Measured first: the nameserver.
        server.children.insert(0, role("nameserver")?);
        Ok(server)
    }

    /// BIND9 `named` in the foreground, the zones as primaries from their files.
    pub(crate) fn bind9(dir: &Path, port: u16, zones: &[(String, String)]) -> Result<Self> {
        let d = dir.display();
        let mut conf = format!(
            "options {{\n  directory \"{d}\";\n  pid-file \"{d}/named.pid\";\n  \
             session-keyfile \"{d}/session.key\";\n  managed-keys-directory \"{d}\";\n  \
             listen-on port {port} {{ 127.0.0.1; }};\n  listen-on-v6 {{ none; }};\n  \
             recursion no;\n  notify no;\n  dnssec-validation no;\n}};\ncontrols {{ }};\n"
        );
        for (name, file) in zones {
            writeln!(
                conf,
                "zone \"{name}\" {{ type primary; file \"{file}\"; }};"
            )?;
        }
        let path = dir.join("named.conf");
        std::fs::write(&path, conf)?;
        let child = Command::new("named")
            .arg("-g")
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("named.log"))?)
            .spawn()
            .context("cannot run named (apt-get install bind9)")?;
        Ok(Self {
            children: vec![child],
            started: Instant::now(),
        })
    }

    /// NSD in the foreground (no database file), the zones from their files.
    pub(crate) fn nsd(dir: &Path, port: u16, zones: &[(String, String)]) -> Result<Self> {
        let d = dir.display();
        let mut conf = format!(
            "server:\n  ip-address: 127.0.0.1\n  port: {port}\n  username: \"\"\n  chroot: \"\"\n  \
             zonesdir: \"{d}\"\n  database: \"\"\n  zonelistfile: \"{d}/zone.list\"\n  \
             xfrdfile: \"{d}/xfrd.state\"\n  pidfile: \"{d}/nsd.pid\"\n  logfile: \"{d}/nsd.log\"\n  \
             verbosity: 0\n  server-count: 2\nremote-control:\n  control-enable: no\n"
        );
        for (name, file) in zones {
            writeln!(conf, "zone:\n  name: \"{name}\"\n  zonefile: \"{file}\"")?;
        }
        let path = dir.join("nsd.conf");
        std::fs::write(&path, conf)?;
        let child = Command::new("nsd")
            .arg("-d")
            .arg("-c")
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("nsd.stderr"))?)
            .spawn()
            .context("cannot run nsd (apt-get install nsd)")?;
        Ok(Self {
            children: vec![child],
            started: Instant::now(),
        })
    }

    /// `VmRSS` of the measured process, in KiB.
    pub(crate) fn rss_kib(&self) -> Result<u64> {
        let pid = self.children[0].id();
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .context("no VmRSS")
    }

    /// SIGTERM to each process, SIGKILL after 10 s.
    pub(crate) fn stop(mut self) {
        for child in &self.children {
            let _ = Command::new("kill")
                .arg("-TERM")
                .arg(child.id().to_string())
                .status();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        for child in &mut self.children {
            while matches!(child.try_wait(), Ok(None)) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A port free for both UDP and TCP on 127.0.0.1 (kernel-chosen).
pub(crate) fn free_port() -> Result<u16> {
    for _ in 0..32 {
        let udp = UdpSocket::bind("127.0.0.1:0")?;
        let port = udp.local_addr()?.port();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    bail!("no port free for both UDP and TCP")
}

async fn wait_tcp(addr: SocketAddr) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        if Instant::now() > deadline {
            bail!("nothing listens on {addr}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// One dnsperf run: (queries/s, "lost" as dnsperf reports it).
pub(crate) fn dnsperf(
    addr: SocketAddr,
    queries: &Path,
    seconds: u32,
    clients: u32,
    outstanding: u32,
) -> Result<(f64, String)> {
    let out = Command::new("dnsperf")
        .args(["-s", &addr.ip().to_string(), "-p", &addr.port().to_string()])
        .arg("-d")
        .arg(queries)
        .args(["-l", &seconds.to_string(), "-c", &clients.to_string()])
        .args(["-q", &outstanding.to_string()])
        .output()
        .context("cannot run dnsperf (apt-get install dnsperf)")?;
    let text = String::from_utf8_lossy(&out.stdout);
    let field = |label: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(label).map(|v| v.trim().to_owned()))
    };
    let qps: f64 = field("Queries per second:")
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no queries/s in dnsperf's output:\n{text}"))?;
    Ok((qps, field("Queries lost:").unwrap_or_default()))
}
