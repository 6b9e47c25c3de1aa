//! The listeners: UDP and TCP sockets feeding requests to `handler`.
//!
//! UDP is answered inline (lookups are in-memory and short) by threads of their own, blocking
//! in receive on the same socket, so queries are answered on as many cores as there are
//! threads, with no task scheduling or readiness polling per query. One socket rather than an
//! `SO_REUSEPORT` group: the kernel spreads a group by client address and port, so a few busy
//! clients (a resolver, a load generator) land on one socket and one core, while threads
//! sharing a socket each take the next query whoever sent it. TCP runs one task per
//! connection, bounded by a semaphore; a connection serves pipelined requests in order until
//! the client closes it, stays idle past the idle timeout, or the server shuts down.

use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::catalog::Catalog;
use crate::handler::{self, Transport};
use crate::transfer::{read_frame, write_frame};

/// What every listener task shares.
#[derive(Debug)]
pub(crate) struct Shared {
    /// The zones.
    pub(crate) catalog: Arc<Catalog>,
    /// Our EDNS UDP payload limit.
    pub(crate) max_udp_payload: u16,
    /// A TCP connection with no complete request for this long is closed.
    pub(crate) tcp_idle_timeout: Duration,
    /// Open TCP connections beyond this are closed at once.
    pub(crate) tcp_connections: Arc<Semaphore>,
}

/// How long a UDP worker blocks in a receive before it looks at the shutdown token again.
pub(crate) const UDP_SHUTDOWN_POLL: Duration = Duration::from_millis(100);

/// Receives and answers on `socket` until `cancel`, blocking: run on a thread of its own, with
/// `socket` in blocking mode and a read timeout (`UDP_SHUTDOWN_POLL`). Several threads share
/// one socket; the kernel hands each datagram to one of them.
pub(crate) fn serve_udp(socket: &std::net::UdpSocket, shared: &Shared, cancel: &CancellationToken) {
    let mut buf = vec![0u8; 65535];
    let transport = Transport::Udp {
        max_udp_payload: shared.max_udp_payload,
    };
    while !cancel.is_cancelled() {
        let (len, src) = match socket.recv_from(&mut buf) {
            Ok(received) => received,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => continue,
            Err(e) => {
                // ICMP errors from earlier sends surface here on some systems; keep serving.
                tracing::debug!(error = %e, "UDP receive error");
                continue;
            }
        };
        let Some(packet) = buf.get(..len) else {
            continue;
        };
        if let Some(response) = handler::handle(&shared.catalog, packet, src, transport) {
            if let Err(e) = socket.send_to(&response, src) {
                tracing::debug!(%src, error = %e, "UDP send error");
            }
        }
    }
}

/// Accepts TCP connections until `cancel`; connection tasks are tracked by `tracker`.
pub(crate) async fn serve_tcp(
    listener: TcpListener,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    tracker: TaskTracker,
) {
    let mut backoff = Duration::from_millis(10);
    loop {
        let (stream, src) = tokio::select! {
            () = cancel.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => {
                    backoff = Duration::from_millis(10);
                    accepted
                }
                Err(e) => {
                    // Usually fd exhaustion: wait for connections to close instead of spinning.
                    tracing::warn!(error = %e, "TCP accept error");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(1));
                    continue;
                }
            },
        };
        let Ok(permit) = Arc::clone(&shared.tcp_connections).try_acquire_owned() else {
            tracing::warn!(%src, "TCP connection limit reached; closing connection");
            continue;
        };
        let shared = Arc::clone(&shared);
        let cancel = cancel.clone();
        tracker.spawn(async move {
            connection(stream, src, &shared, &cancel).await;
            drop(permit);
        });
    }
}

/// Serves one TCP connection: length-prefixed requests answered in arrival order.
async fn connection(
    mut stream: TcpStream,
    src: SocketAddr,
    shared: &Shared,
    cancel: &CancellationToken,
) {
    loop {
        let frame = tokio::select! {
            () = cancel.cancelled() => return,
            frame = tokio::time::timeout(shared.tcp_idle_timeout, read_frame(&mut stream)) => frame,
        };
        // Closed, reset or idle: all end the connection quietly.
        let Ok(Ok(packet)) = frame else { return };
        let transport = Transport::Tcp {
            max_udp_payload: shared.max_udp_payload,
        };
        let Some(response) = handler::handle(&shared.catalog, &packet, src, transport) else {
            continue;
        };
        let write =
            tokio::time::timeout(shared.tcp_idle_timeout, write_frame(&mut stream, &response));
        if !matches!(write.await, Ok(Ok(()))) {
            return;
        }
    }
}
