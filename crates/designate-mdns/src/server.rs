//! MiniDNS's sockets: the UDP loop, the TCP accept loop and per-connection framing (RFC 1035
//! §4.2.2, RFC 7766: several queries per connection, answered in order), and shutdown.
//!
//! Every task is tracked; on shutdown the loops stop accepting, connections close after the
//! message in progress, and [`MdnsServer::serve`] returns once all tasks have ended.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use designate_storage::Storage;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Notify, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::config::MdnsConfig;
use crate::handler::{Handler, Transport};
use crate::ratelimit::RateLimiter;
use crate::MdnsError;

/// Receive buffer for one datagram: the largest UDP payload there is.
const UDP_BUFFER: usize = 65535;
/// Pause after a failing accept (e.g. out of file descriptors) so the loop does not spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);
/// How often to try to find a port free for both UDP and TCP when asked for port 0.
const BIND_ATTEMPTS: usize = 16;

/// A bound, not yet serving MiniDNS.
pub struct MdnsServer {
    udp: Arc<UdpSocket>,
    tcp: TcpListener,
    local_addr: SocketAddr,
    handler: Arc<Handler>,
    config: Arc<MdnsConfig>,
    admission: Arc<Admission>,
    reload: Arc<Notify>,
}

/// Makes a serving MiniDNS re-read its access data (pool members, TSIG keys) now rather than at
/// the next `acl_refresh` — what a pool or TSIG key write announces to every MiniDNS.
#[derive(Debug, Clone)]
pub struct AccessReload(Arc<Notify>);

impl AccessReload {
    /// Asks for one reload (several asks before it runs make one reload).
    pub fn reload_now(&self) {
        self.0.notify_one();
    }
}

/// Who gets served at all: the per-address rate limit, waived for the pools' own servers.
struct Admission {
    limiter: Option<RateLimiter>,
    handler: Arc<Handler>,
}

impl Admission {
    fn admits(&self, peer: SocketAddr) -> bool {
        let Some(limiter) = &self.limiter else {
            return true;
        };
        let ip = peer.ip();
        if self.handler.acl().is_pool_member(ip) || limiter.allow(ip) {
            return true;
        }
        tracing::debug!(%peer, "client over its rate limit");
        false
    }
}

impl MdnsServer {
    /// Binds TCP and UDP on `config.listen`. With port 0 both sockets get the same free port.
    ///
    /// # Errors
    /// [`MdnsError::Bind`] when the address is unavailable.
    pub async fn bind(config: MdnsConfig, storage: Arc<dyn Storage>) -> Result<Self, MdnsError> {
        let (tcp, udp) = bind_pair(config.listen).await?;
        let local_addr = tcp.local_addr()?;
        let config = Arc::new(config);
        let handler = Arc::new(Handler::new(storage, config.clone()));
        let admission = Arc::new(Admission {
            limiter: RateLimiter::new(config.client_rate_limit, config.client_rate_burst),
            handler: handler.clone(),
        });
        Ok(Self {
            udp: Arc::new(udp),
            tcp,
            local_addr,
            handler,
            config,
            admission,
            reload: Arc::new(Notify::new()),
        })
    }

    /// Wires the worker NOTIFYs from SECONDARY zones' masters are cast to (a transfer); without
    /// one such NOTIFYs are refused.
    pub fn set_worker(&self, worker: Arc<dyn designate_bus::WorkerApi>) {
        self.handler.set_worker(worker);
    }

    /// A handle that makes this server reload its access data at once.
    pub fn access_reload(&self) -> AccessReload {
        AccessReload(Arc::clone(&self.reload))
    }

    /// The address both sockets are bound to (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Answers requests until `shutdown` is cancelled, then waits for in-flight work to end.
    ///
    /// # Errors
    /// None today: per-request and per-connection failures are logged and do not stop the server.
    pub async fn serve(self, shutdown: CancellationToken) -> Result<(), MdnsError> {
        let tracker = TaskTracker::new();
        tracing::info!(addr = %self.local_addr, "MiniDNS listening on UDP and TCP");
        tracker.spawn(refresh_acl(
            self.handler.clone(),
            self.config.acl_refresh,
            self.reload,
            shutdown.clone(),
        ));
        tracker.spawn(udp_loop(
            self.udp,
            self.handler.clone(),
            self.admission.clone(),
            self.config.clone(),
            tracker.clone(),
            shutdown.clone(),
        ));
        tracker.spawn(tcp_loop(
            self.tcp,
            self.handler,
            self.admission,
            self.config,
            tracker.clone(),
            shutdown.clone(),
        ));
        shutdown.cancelled().await;
        tracker.close();
        tracker.wait().await;
        tracing::info!(addr = %self.local_addr, "MiniDNS stopped");
        Ok(())
    }
}

/// Re-reads the ACL's pool members and the TSIG keys at start, then every `every` and whenever
/// `reload` is notified, so pool changes take effect without a restart (and a removed server or
/// a deleted key loses access).
async fn refresh_acl(
    handler: Arc<Handler>,
    every: Duration,
    reload: Arc<Notify>,
    shutdown: CancellationToken,
) {
    let every = every.max(Duration::from_millis(100));
    loop {
        if let Err(error) = handler.acl().reload().await {
            tracing::warn!(%error, "cannot refresh the MiniDNS ACL from the store");
        }
        if let Err(error) = handler.keyring().reload().await {
            tracing::warn!(%error, "cannot refresh the TSIG keys from the store");
        }
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(every) => {}
            () = reload.notified() => tracing::debug!("access data changed; reloading"),
        }
    }
}

/// Binds a TCP listener and a UDP socket on the same address; for port 0, retries until a port is
/// found that is free for both.
async fn bind_pair(addr: SocketAddr) -> Result<(TcpListener, UdpSocket), MdnsError> {
    let bind_err = |source| MdnsError::Bind { addr, source };
    let mut last_error = None;
    for _ in 0..BIND_ATTEMPTS {
        let tcp = TcpListener::bind(addr).await.map_err(bind_err)?;
        let bound = tcp.local_addr().map_err(bind_err)?;
        match UdpSocket::bind(bound).await {
            Ok(udp) => return Ok((tcp, udp)),
            Err(e) if addr.port() == 0 && e.kind() == std::io::ErrorKind::AddrInUse => {
                last_error = Some(e)
            }
            Err(e) => return Err(bind_err(e)),
        }
    }
    Err(bind_err(last_error.unwrap_or_else(|| {
        std::io::Error::from(std::io::ErrorKind::AddrInUse)
    })))
}

/// Reads datagrams and answers each in its own task, up to `max_udp_in_flight` at once.
async fn udp_loop(
    socket: Arc<UdpSocket>,
    handler: Arc<Handler>,
    admission: Arc<Admission>,
    config: Arc<MdnsConfig>,
    tracker: TaskTracker,
    shutdown: CancellationToken,
) {
    let in_flight = Arc::new(Semaphore::new(config.max_udp_in_flight.max(1)));
    let mut buf = vec![0u8; UDP_BUFFER];
    loop {
        let (len, peer) = tokio::select! {
            () = shutdown.cancelled() => return,
            received = socket.recv_from(&mut buf) => match received {
                Ok(received) => received,
                Err(error) => {
                    // Linux reports ICMP errors for earlier sends here; nothing to do but go on.
                    tracing::debug!(%error, "UDP receive error");
                    continue;
                }
            },
        };
        if !admission.admits(peer) {
            continue;
        }
        let Ok(permit) = in_flight.clone().try_acquire_owned() else {
            tracing::debug!(%peer, "dropping UDP request: too many in flight");
            continue;
        };
        let packet = buf[..len].to_vec();
        let socket = socket.clone();
        let handler = handler.clone();
        tracker.spawn(async move {
            let _permit = permit;
            let mut responses = handler.handle(&packet, Transport::Udp, peer.ip()).await;
            while let Ok(Some(response)) = responses.next().await {
                if let Err(error) = socket.send_to(&response, peer).await {
                    tracing::debug!(%peer, %error, "UDP send failed");
                }
            }
        });
    }
}

/// Accepts connections, each served in its own task, at most `max_tcp_connections` at once.
async fn tcp_loop(
    listener: TcpListener,
    handler: Arc<Handler>,
    admission: Arc<Admission>,
    config: Arc<MdnsConfig>,
    tracker: TaskTracker,
    shutdown: CancellationToken,
) {
    let slots = Arc::new(Semaphore::new(config.max_tcp_connections.max(1)));
    loop {
        // Wait for a free slot before accepting, so excess clients queue in the kernel backlog.
        let permit = tokio::select! {
            () = shutdown.cancelled() => return,
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_closed) => return,
            },
        };
        let (stream, peer) = tokio::select! {
            () = shutdown.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    tracing::warn!(%error, "TCP accept failed");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
        };
        let handler = handler.clone();
        let admission = admission.clone();
        let config = config.clone();
        let shutdown = shutdown.clone();
        tracker.spawn(async move {
            let _permit = permit;
            let connection = Connection {
                peer,
                handler: &handler,
                admission: &admission,
                config: &config,
            };
            if let Err(reason) = connection.serve(stream, &shutdown).await {
                tracing::debug!(%peer, %reason, "closed TCP connection");
            }
        });
    }
}

/// Why a connection ended other than by the client closing it cleanly.
#[derive(Debug, thiserror::Error)]
enum ConnectionEnd {
    #[error("idle or slow for longer than the TCP timeout")]
    Timeout,
    #[error("zero-length message")]
    EmptyFrame,
    #[error("client over its rate limit")]
    RateLimited,
    #[error("zone transfer aborted: {0}")]
    Aborted(#[from] crate::stream::TransferAborted),
    #[error("socket error: {0}")]
    Io(#[from] std::io::Error),
}

/// One TCP connection and what serving it needs.
struct Connection<'a> {
    peer: SocketAddr,
    handler: &'a Handler,
    admission: &'a Admission,
    config: &'a MdnsConfig,
}

impl Connection<'_> {
    /// Serves the connection: read a length-prefixed request, write its responses, repeat.
    /// Requests are answered strictly in order, which is what pipelining clients expect.
    async fn serve(
        self,
        mut stream: TcpStream,
        shutdown: &CancellationToken,
    ) -> Result<(), ConnectionEnd> {
        let Self {
            peer,
            handler,
            admission,
            config,
        } = self;
        // Responses are written whole; small SOA answers should not wait for Nagle.
        stream.set_nodelay(true)?;
        loop {
            let request = tokio::select! {
                () = shutdown.cancelled() => return Ok(()),
                frame = tokio::time::timeout(config.tcp_timeout, read_frame(&mut stream)) => {
                    match frame {
                        Err(_elapsed) => return Err(ConnectionEnd::Timeout),
                        Ok(Ok(Some(request))) => request,
                        Ok(Ok(None)) => return Ok(()),
                        Ok(Err(e)) => return Err(e),
                    }
                }
            };
            if !admission.admits(peer) {
                return Err(ConnectionEnd::RateLimited);
            }
            let mut responses = handler.handle(&request, Transport::Tcp, peer.ip()).await;
            while let Some(response) = responses.next().await? {
                let Ok(len) = u16::try_from(response.len()) else {
                    // The handler caps messages at 65535 bytes; anything else is a bug, not a reason
                    // to send a corrupt frame.
                    tracing::error!(len = response.len(), "response too large for TCP framing");
                    break;
                };
                let mut framed = Vec::with_capacity(response.len() + 2);
                framed.extend_from_slice(&len.to_be_bytes());
                framed.extend_from_slice(&response);
                tokio::time::timeout(config.tcp_timeout, stream.write_all(&framed))
                    .await
                    .map_err(|_| ConnectionEnd::Timeout)??;
            }
        }
    }
}

/// Reads one length-prefixed message; `None` on a clean end of stream between messages.
async fn read_frame(stream: &mut TcpStream) -> Result<Option<Vec<u8>>, ConnectionEnd> {
    let mut len_buf = [0u8; 2];
    match stream.read_exact(&mut len_buf).await {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let len = usize::from(u16::from_be_bytes(len_buf));
    if len == 0 {
        return Err(ConnectionEnd::EmptyFrame);
    }
    let mut body = vec![0u8; len];
    stream.read_exact(&mut body).await?;
    Ok(Some(body))
}
