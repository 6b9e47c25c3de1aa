//! A minimal memcached client (text protocol: `get` / `set`) for the shared token-validation
//! cache of `[keystone_authtoken] memcached_servers`, so that every API process of a deployment
//! benefits from one validation, as with keystonemiddleware.
//!
//! memcached is only a cache: any failure (server down, timeout, garbage) is logged and treated
//! as a miss, and Keystone is asked. Keys are picked to a server by hash; one connection per
//! server is kept and dropped on the first error.

use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

/// Bound on one memcached round trip: a slow cache must not slow requests down.
const TIMEOUT: Duration = Duration::from_millis(500);
/// Largest value we accept back (our entries are a few hundred bytes).
const MAX_VALUE: usize = 64 * 1024;

/// Clients for the configured servers.
#[derive(Debug)]
pub(crate) struct Memcache {
    servers: Vec<Server>,
}

#[derive(Debug)]
struct Server {
    address: String,
    connection: Mutex<Option<BufReader<TcpStream>>>,
}

/// Why a memcached operation failed (always handled as a cache miss).
#[derive(Debug, thiserror::Error)]
pub(crate) enum MemcacheError {
    /// Socket error.
    #[error("memcached i/o: {0}")]
    Io(#[from] std::io::Error),
    /// No answer in time.
    #[error("memcached timed out")]
    Timeout,
    /// An answer we do not understand.
    #[error("memcached protocol: {0}")]
    Protocol(String),
}

impl Memcache {
    /// Clients for `servers` (`host:port`, as keystonemiddleware's option lists them); `None`
    /// when the list is empty.
    pub(crate) fn new(servers: &[String]) -> Option<Self> {
        let servers: Vec<Server> = servers
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
            // keystonemiddleware accepts an `inet:` prefix; the address is what follows.
            .map(|s| Server {
                address: s.strip_prefix("inet:").unwrap_or(s).to_owned(),
                connection: Mutex::new(None),
            })
            .collect();
        (!servers.is_empty()).then_some(Self { servers })
    }

    fn server(&self, key: &str) -> &Server {
        // FNV-1a: stable across processes, so every API picks the same server for a key.
        let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        let index = usize::try_from(hash % self.servers.len() as u64).unwrap_or(0);
        &self.servers[index]
    }

    /// The value stored under `key`, `None` on a miss.
    ///
    /// # Errors
    /// [`MemcacheError`] when the server cannot be used.
    pub(crate) async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, MemcacheError> {
        match self
            .server(key)
            .round_trip(format!("get {key}\r\n").into_bytes(), Expect::Value)
            .await?
        {
            Answer::Value(v) => Ok(v),
            Answer::Stored => Err(MemcacheError::Protocol("unexpected STORED".into())),
        }
    }

    /// Stores `value` under `key` for `ttl_secs` seconds.
    ///
    /// # Errors
    /// [`MemcacheError`] when the server cannot be used or does not store the value.
    pub(crate) async fn set(
        &self,
        key: &str,
        value: &[u8],
        ttl_secs: u64,
    ) -> Result<(), MemcacheError> {
        let mut command = format!("set {key} 0 {ttl_secs} {}\r\n", value.len()).into_bytes();
        command.extend_from_slice(value);
        command.extend_from_slice(b"\r\n");
        self.server(key)
            .round_trip(command, Expect::Stored)
            .await
            .map(drop)
    }
}

/// The answer a command expects.
#[derive(Debug, Clone, Copy)]
enum Expect {
    Value,
    Stored,
}

#[derive(Debug)]
enum Answer {
    Value(Option<Vec<u8>>),
    Stored,
}

impl Server {
    async fn round_trip(&self, command: Vec<u8>, expect: Expect) -> Result<Answer, MemcacheError> {
        let mut slot = self.connection.lock().await;
        let result = tokio::time::timeout(TIMEOUT, async {
            if slot.is_none() {
                *slot = Some(BufReader::new(TcpStream::connect(&self.address).await?));
            }
            let conn = slot
                .as_mut()
                .ok_or_else(|| MemcacheError::Protocol("no connection".into()))?;
            conn.get_mut().write_all(&command).await?;
            match expect {
                Expect::Value => read_get(conn).await.map(Answer::Value),
                Expect::Stored => read_stored(conn).await.map(|()| Answer::Stored),
            }
        })
        .await
        .unwrap_or(Err(MemcacheError::Timeout));
        if result.is_err() {
            // The stream may hold half an answer: start afresh next time.
            *slot = None;
        }
        result
    }
}

async fn read_line(conn: &mut BufReader<TcpStream>) -> Result<String, MemcacheError> {
    let mut line = String::new();
    let n = conn.read_line(&mut line).await?;
    if n == 0 {
        return Err(MemcacheError::Protocol("connection closed".into()));
    }
    Ok(line.trim_end().to_owned())
}

async fn read_get(conn: &mut BufReader<TcpStream>) -> Result<Option<Vec<u8>>, MemcacheError> {
    let line = read_line(conn).await?;
    if line == "END" {
        return Ok(None);
    }
    // VALUE <key> <flags> <bytes>
    let parts: Vec<&str> = line.split(' ').collect();
    let len = match parts.as_slice() {
        ["VALUE", _, _, len, ..] => len
            .parse::<usize>()
            .ok()
            .filter(|l| *l <= MAX_VALUE)
            .ok_or_else(|| MemcacheError::Protocol(format!("bad length in {line:?}")))?,
        _ => return Err(MemcacheError::Protocol(line)),
    };
    let mut value = vec![0; len + 2];
    conn.read_exact(&mut value).await?;
    value.truncate(len);
    let end = read_line(conn).await?;
    if end != "END" {
        return Err(MemcacheError::Protocol(end));
    }
    Ok(Some(value))
}

async fn read_stored(conn: &mut BufReader<TcpStream>) -> Result<(), MemcacheError> {
    match read_line(conn).await?.as_str() {
        "STORED" => Ok(()),
        other => Err(MemcacheError::Protocol(other.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_list_and_prefix() {
        assert!(Memcache::new(&[]).is_none());
        assert!(Memcache::new(&[" ".into()]).is_none());
        let m = Memcache::new(&["inet:127.0.0.1:11211".into(), "10.0.0.1:11211".into()])
            .expect("servers");
        assert_eq!(m.servers[0].address, "127.0.0.1:11211");
        // The same key always maps to the same server.
        assert_eq!(m.server("k").address, m.server("k").address);
    }

    #[tokio::test]
    async fn unreachable_server_is_an_error_not_a_hang() {
        // A port nothing listens on: bind then drop to learn one.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or(9);
        let m = Memcache::new(&[format!("127.0.0.1:{port}")]).expect("server");
        assert!(m.get("k").await.is_err());
        assert!(m.set("k", b"v", 1).await.is_err());
    }
}
