//! What the load tools share: waiting for a `designate all` they started, stopping it, free
//! loopback ports, DNS queries over UDP, percentiles and the machine's load average.

use std::io::{BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};

/// Waits until `child` (a `designate all` spawned with its stderr piped) logs that it is ready and
/// returns the API's address from that line. The rest of its log is drained on a thread of its
/// own, so the process never blocks on a full pipe.
pub fn api_when_ready(child: &mut Child) -> Result<String> {
    api_when_ready_logging(child, None)
}

/// [`api_when_ready`], copying the whole log (the lines before the ready line too) to `log`
/// when one is given.
pub fn api_when_ready_logging(child: &mut Child, log: Option<&Path>) -> Result<String> {
    let stderr = child.stderr.take().context("stderr is not piped")?;
    let mut sink = match log {
        Some(path) => Some(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        ),
        None => None,
    };
    let mut lines = BufReader::new(stderr).lines();
    let ready = loop {
        match lines.next() {
            Some(Ok(line)) => {
                if let Some(file) = &mut sink {
                    writeln!(file, "{line}")?;
                }
                if line.contains("designate all ready") {
                    break line;
                }
            }
            Some(Err(_)) => {}
            None => bail!("designate exited before it was ready"),
        }
    };
    std::thread::spawn(move || {
        for line in lines.map_while(Result::ok) {
            if let Some(file) = &mut sink {
                let _ = writeln!(file, "{line}");
            }
        }
    });
    let start = ready.find("api=").context("no api= in the ready line")? + 4;
    Ok(ready[start..]
        .split_whitespace()
        .next()
        .context("no api address in the ready line")?
        .to_owned())
}

/// Stops a started process with SIGTERM (a clean shutdown) and reaps it.
pub fn terminate(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// A port on 127.0.0.1 free for TCP and UDP right now.
pub fn free_port() -> Result<u16> {
    loop {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        if std::net::UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
}

/// The 1/5/15-minute load averages.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

/// The `p` quantile (0.0–1.0) of `sorted` (ascending, not empty): the nearest rank.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// A duration in milliseconds.
pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One query for `name`/`rtype` from `sock` to `server` with message id `id`; the answer if one
/// with that id arrives within 200 ms.
pub async fn query_udp(
    sock: &tokio::net::UdpSocket,
    server: SocketAddr,
    id: u16,
    name: &str,
    rtype: RecordType,
) -> Result<Option<Message>> {
    let mut q = Message::new();
    q.set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(Name::from_str(name)?, rtype));
    sock.send_to(&q.to_vec()?, server).await?;
    let mut buf = vec![0u8; 4096];
    let deadline = tokio::time::Instant::now() + Duration::from_millis(200);
    // Late answers to earlier queries are skipped.
    while let Ok(Ok(len)) = tokio::time::timeout_at(deadline, sock.recv(&mut buf)).await {
        if let Ok(m) = Message::from_vec(&buf[..len]) {
            if m.id() == id {
                return Ok(Some(m));
            }
        }
    }
    Ok(None)
}

/// Polls `name`/`rtype` on `server` over UDP, one query a millisecond after the last answer,
/// until an answer with records satisfies `pred`; fails after `within`.
pub async fn wait_answer(
    server: SocketAddr,
    name: &str,
    rtype: RecordType,
    within: Duration,
    pred: impl Fn(&Message) -> bool,
) -> Result<()> {
    let sock = tokio::net::UdpSocket::bind("127.0.0.1:0").await?;
    let deadline = Instant::now() + within;
    let mut id: u16 = 1;
    loop {
        id = id.wrapping_add(1);
        if let Some(m) = query_udp(&sock, server, id, name, rtype).await? {
            if !m.answers().is_empty() && pred(&m) {
                return Ok(());
            }
        }
        if Instant::now() > deadline {
            bail!("{name} {rtype} not answered by {server} within {within:?}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// Writes `text` to stdout at once (each part of a report as soon as it is measured).
pub fn print_now(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}
