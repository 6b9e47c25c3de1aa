//! A small DNS client: NOTIFY and SOA-serial queries (upstream's `designate.dnsutils`).
//!
//! Owns only the client side of the two exchanges the worker needs with pool nameservers: telling
//! a nameserver a zone changed ([`notify`]) and asking which serial it serves ([`query_soa_serial`]).
//! Every response is validated (QR bit, id, question) so stray or spoofed packets arriving on the
//! same socket are ignored rather than believed. It never retries forever: each exchange makes at
//! most [`UDP_ATTEMPTS`] UDP attempts, and the caller's `timeout` bounds the whole exchange.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::time::Instant;

/// How many UDP datagrams one exchange sends before giving up (RFC 1996 §3.6 asks NOTIFY senders
/// to retransmit; the SOA poll uses the same count so one lost packet is not an error).
pub const UDP_ATTEMPTS: u32 = 3;

/// Largest UDP response we accept; we advertise no EDNS, so servers answer within 512 bytes or set
/// TC, but a generous buffer costs nothing and tolerates servers that ignore the limit.
const UDP_RECV_BUFFER: usize = 4096;

/// What can go wrong talking to a nameserver.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DnsError {
    /// The zone name is not a valid DNS name.
    #[error("invalid zone name {name:?}: {reason}")]
    InvalidName {
        /// The name as given.
        name: String,
        /// Why it was rejected.
        reason: String,
    },
    /// Socket-level failure (bind, send, receive, connect).
    #[error("network error talking to {server}: {source}")]
    Io {
        /// The nameserver.
        server: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// No valid response arrived in time.
    #[error("no response from {server} after {attempts} attempt(s)")]
    Timeout {
        /// The nameserver.
        server: SocketAddr,
        /// How many requests were sent.
        attempts: u32,
    },
    /// The server answered with an error code.
    #[error("{server} answered {rcode}")]
    Rcode {
        /// The nameserver.
        server: SocketAddr,
        /// Its response code.
        rcode: ResponseCode,
    },
    /// A message could not be encoded, or the server's response could not be decoded.
    #[error("malformed DNS message from {server}: {reason}")]
    Malformed {
        /// The nameserver.
        server: SocketAddr,
        /// What was wrong.
        reason: String,
    },
}

impl DnsError {
    /// Whether retrying later could help (network trouble rather than a definite answer).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Io { .. } | Self::Timeout { .. })
    }
}

/// Tells `server` that `zone_name` changed (RFC 1996 NOTIFY: opcode NOTIFY, AA, SOA question).
///
/// Sends over UDP, retransmitting up to [`UDP_ATTEMPTS`] times; `timeout` bounds the whole
/// exchange (each attempt waits an equal share of it).
///
/// # Errors
/// [`DnsError::Timeout`] when nothing valid came back, [`DnsError::Rcode`] when the server answered
/// with anything but NOERROR (REFUSED, NOTAUTH, …), [`DnsError::Io`] / [`DnsError::Malformed`] on
/// socket or wire errors, [`DnsError::InvalidName`] for a bad zone name.
pub async fn notify(
    zone_name: &str,
    server: SocketAddr,
    timeout: Duration,
) -> Result<(), DnsError> {
    let question = soa_question(zone_name)?;
    let mut request = Message::new();
    request
        .set_id(random_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Notify)
        .set_authoritative(true)
        .add_query(question);
    let response = exchange_udp(&request, server, timeout).await?;
    match response.response_code() {
        ResponseCode::NoError => Ok(()),
        rcode => Err(DnsError::Rcode { server, rcode }),
    }
}

/// Asks `server` for the SOA serial it serves for `zone_name`.
///
/// Queries over UDP without recursion (retransmitting up to [`UDP_ATTEMPTS`] times) and repeats
/// the query over TCP when the answer is truncated; `timeout` bounds the whole exchange.
///
/// Returns `Some(serial)` for an authoritative SOA answer for the zone, `None` when the server says
/// it does not serve the zone (REFUSED, NOTAUTH, NXDOMAIN, SERVFAIL, a non-authoritative answer, or
/// no SOA for the zone in the answer) — the worker treats both as "not up to date yet".
///
/// # Errors
/// [`DnsError::Timeout`] / [`DnsError::Io`] on network trouble, [`DnsError::Rcode`] for other error
/// codes (FORMERR, NOTIMP, …), [`DnsError::Malformed`], [`DnsError::InvalidName`].
pub async fn query_soa_serial(
    zone_name: &str,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Option<u32>, DnsError> {
    let question = soa_question(zone_name)?;
    let mut request = Message::new();
    request
        .set_id(random_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(false)
        .add_query(question.clone());
    let deadline = Instant::now() + timeout;
    let mut response = exchange_udp(&request, server, timeout).await?;
    if response.truncated() {
        request.set_id(random_id());
        let remaining = deadline.saturating_duration_since(Instant::now());
        response = exchange_tcp(&request, server, remaining).await?;
    }
    soa_serial_from(&response, question.name(), server)
}

/// Reads the serial out of an SOA response, classifying "server does not have the zone".
fn soa_serial_from(
    response: &Message,
    zone: &Name,
    server: SocketAddr,
) -> Result<Option<u32>, DnsError> {
    match response.response_code() {
        ResponseCode::NoError => {}
        ResponseCode::Refused
        | ResponseCode::NotAuth
        | ResponseCode::NXDomain
        | ResponseCode::ServFail => {
            return Ok(None);
        }
        rcode => return Err(DnsError::Rcode { server, rcode }),
    }
    if !response.authoritative() {
        return Ok(None);
    }
    let serial = response
        .answers()
        .iter()
        .find_map(|record| match record.data() {
            RData::SOA(soa) if record.name() == zone => Some(soa.serial()),
            _ => None,
        });
    Ok(serial)
}

/// The `<zone> IN SOA` question, validating the name.
fn soa_question(zone_name: &str) -> Result<Query, DnsError> {
    let invalid = |reason: String| DnsError::InvalidName {
        name: zone_name.to_owned(),
        reason,
    };
    let mut name = Name::from_ascii(zone_name).map_err(|e| invalid(e.to_string()))?;
    if name.is_root() && zone_name != "." {
        return Err(invalid("empty name".to_owned()));
    }
    // Zone names are stored as FQDNs, but accept the dotless form callers sometimes pass.
    name.set_fqdn(true);
    let mut query = Query::query(name, RecordType::SOA);
    query.set_query_class(DNSClass::IN);
    Ok(query)
}

/// Sends `request` over UDP and waits for the matching response, retransmitting when an attempt's
/// share of `timeout` passes without one.
async fn exchange_udp(
    request: &Message,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Message, DnsError> {
    let io = |source| DnsError::Io { server, source };
    let wire = encode(request, server)?;
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local).await.map_err(io)?;
    // Connecting makes the kernel drop datagrams from any other address.
    socket.connect(server).await.map_err(io)?;
    let mut buf = vec![0u8; UDP_RECV_BUFFER];
    let attempt_timeout = timeout / UDP_ATTEMPTS;
    for _ in 0..UDP_ATTEMPTS {
        socket.send(&wire).await.map_err(io)?;
        let deadline = Instant::now() + attempt_timeout;
        loop {
            let received = match tokio::time::timeout_at(deadline, socket.recv(&mut buf)).await {
                Err(_elapsed) => break,
                Ok(Ok(len)) => len,
                // ICMP port unreachable surfaces as ECONNREFUSED on a connected socket; the server
                // may just be starting, so count it as a lost attempt and wait out the timeout.
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    tokio::time::sleep_until(deadline).await;
                    break;
                }
                Ok(Err(e)) => return Err(io(e)),
            };
            let Some(response) = buf
                .get(..received)
                .and_then(|bytes| Message::from_vec(bytes).ok())
            else {
                tracing::debug!(%server, "ignoring undecodable UDP datagram");
                continue;
            };
            if matches_request(request, &response) {
                return Ok(response);
            }
            tracing::debug!(%server, id = response.id(), "ignoring unrelated UDP response");
        }
    }
    Err(DnsError::Timeout {
        server,
        attempts: UDP_ATTEMPTS,
    })
}

/// Sends `request` over one TCP connection (RFC 1035 §4.2.2 framing) and reads its response.
async fn exchange_tcp(
    request: &Message,
    server: SocketAddr,
    timeout: Duration,
) -> Result<Message, DnsError> {
    let io = |source| DnsError::Io { server, source };
    let wire = encode(request, server)?;
    let len = u16::try_from(wire.len()).map_err(|_| DnsError::Malformed {
        server,
        reason: "request exceeds 65535 bytes".to_owned(),
    })?;
    let exchange = async {
        let mut stream = TcpStream::connect(server).await.map_err(io)?;
        let mut framed = Vec::with_capacity(wire.len() + 2);
        framed.extend_from_slice(&len.to_be_bytes());
        framed.extend_from_slice(&wire);
        stream.write_all(&framed).await.map_err(io)?;
        // The connection is ours alone, but a confused server could still answer something else:
        // skip responses that do not match (bounded by the overall timeout).
        loop {
            let mut len_buf = [0u8; 2];
            stream.read_exact(&mut len_buf).await.map_err(io)?;
            let mut body = vec![0u8; usize::from(u16::from_be_bytes(len_buf))];
            stream.read_exact(&mut body).await.map_err(io)?;
            let response = Message::from_vec(&body).map_err(|e| DnsError::Malformed {
                server,
                reason: e.to_string(),
            })?;
            if matches_request(request, &response) {
                return Ok(response);
            }
        }
    };
    tokio::time::timeout(timeout, exchange)
        .await
        .unwrap_or(Err(DnsError::Timeout {
            server,
            attempts: 1,
        }))
}

/// Whether `response` answers `request`: response bit, same id, same opcode, same question
/// (names compared case-insensitively, as DNS requires).
fn matches_request(request: &Message, response: &Message) -> bool {
    if response.message_type() != MessageType::Response
        || response.id() != request.id()
        || response.op_code() != request.op_code()
    {
        return false;
    }
    // Some servers omit the question in error responses (e.g. FORMERR, NOTIMP); accept those when
    // the id matches, because ignoring them would turn a definite answer into a timeout.
    if response.queries().is_empty() && response.response_code() != ResponseCode::NoError {
        return true;
    }
    response.queries().len() == request.queries().len()
        && response
            .queries()
            .iter()
            .zip(request.queries())
            .all(|(a, b)| {
                a.query_type() == b.query_type()
                    && a.query_class() == b.query_class()
                    && a.name() == b.name()
            })
}

fn encode(message: &Message, server: SocketAddr) -> Result<Vec<u8>, DnsError> {
    message.to_vec().map_err(|e| DnsError::Malformed {
        server,
        reason: format!("cannot encode request: {e}"),
    })
}

/// An unpredictable 16-bit message id (RFC 5452 §9.2): SipHash under the process's random key over a
/// counter, so ids neither repeat in sequence nor can be guessed from earlier ones.
fn random_id() -> u16 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    // Truncation to the low 16 bits is the point.
    hasher.finish() as u16
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::rr::rdata::SOA;
    use hickory_proto::rr::Record;

    /// A one-shot UDP responder: answers the first request with whatever `respond` builds.
    async fn responder<F>(respond: F) -> SocketAddr
    where
        F: Fn(&Message) -> Vec<Vec<u8>> + Send + 'static,
    {
        let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = socket.local_addr().unwrap();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            loop {
                let Ok((len, peer)) = socket.recv_from(&mut buf).await else {
                    return;
                };
                let request = Message::from_vec(&buf[..len]).unwrap();
                for packet in respond(&request) {
                    socket.send_to(&packet, peer).await.unwrap();
                }
            }
        });
        addr
    }

    fn reply(request: &Message, rcode: ResponseCode, aa: bool, serial: Option<u32>) -> Message {
        let mut response = Message::new();
        response
            .set_id(request.id())
            .set_message_type(MessageType::Response)
            .set_op_code(request.op_code())
            .set_authoritative(aa)
            .set_response_code(rcode)
            .add_queries(request.queries().to_vec());
        if let Some(serial) = serial {
            let name = request.queries()[0].name().clone();
            let soa = SOA::new(name.clone(), name.clone(), serial, 3600, 600, 86400, 3600);
            response.add_answer(Record::from_rdata(name, 3600, RData::SOA(soa)));
        }
        response
    }

    #[tokio::test]
    async fn soa_serial_ignores_stray_packets_and_reads_the_answer() {
        let server = responder(|req| {
            let mut wrong_id = reply(req, ResponseCode::NoError, true, Some(1));
            wrong_id.set_id(req.id().wrapping_add(1));
            let mut not_response = reply(req, ResponseCode::NoError, true, Some(2));
            not_response.set_message_type(MessageType::Query);
            vec![
                b"garbage".to_vec(),
                wrong_id.to_vec().unwrap(),
                not_response.to_vec().unwrap(),
                reply(req, ResponseCode::NoError, true, Some(42))
                    .to_vec()
                    .unwrap(),
            ]
        })
        .await;
        let serial = query_soa_serial("example.org.", server, Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(serial, Some(42));
    }

    #[tokio::test]
    async fn soa_serial_none_when_server_lacks_the_zone() {
        for (rcode, aa) in [
            (ResponseCode::Refused, false),
            (ResponseCode::NotAuth, false),
            (ResponseCode::NXDomain, true),
            (ResponseCode::ServFail, false),
            (ResponseCode::NoError, false),
        ] {
            let server =
                responder(move |req| vec![reply(req, rcode, aa, Some(7)).to_vec().unwrap()]).await;
            let serial = query_soa_serial("example.org", server, Duration::from_secs(2))
                .await
                .unwrap();
            assert_eq!(serial, None, "{rcode} aa={aa}");
        }
    }

    #[tokio::test]
    async fn truncated_udp_answer_is_retried_over_tcp() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let udp = UdpSocket::bind(addr).await.unwrap();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 4096];
            let (len, peer) = udp.recv_from(&mut buf).await.unwrap();
            let request = Message::from_vec(&buf[..len]).unwrap();
            let mut truncated = reply(&request, ResponseCode::NoError, true, None);
            truncated.set_truncated(true);
            udp.send_to(&truncated.to_vec().unwrap(), peer)
                .await
                .unwrap();
        });
        tokio::spawn(async move {
            let (mut stream, _) = listener.accept().await.unwrap();
            let mut len = [0u8; 2];
            stream.read_exact(&mut len).await.unwrap();
            let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
            stream.read_exact(&mut body).await.unwrap();
            let request = Message::from_vec(&body).unwrap();
            let wire = reply(&request, ResponseCode::NoError, true, Some(99))
                .to_vec()
                .unwrap();
            let mut framed = (wire.len() as u16).to_be_bytes().to_vec();
            framed.extend_from_slice(&wire);
            stream.write_all(&framed).await.unwrap();
        });
        let serial = query_soa_serial("example.org.", addr, Duration::from_secs(2))
            .await
            .unwrap();
        assert_eq!(serial, Some(99));
    }

    #[tokio::test]
    async fn notify_ok_and_error_codes() {
        let ok = responder(|req| {
            assert_eq!(req.op_code(), OpCode::Notify);
            assert!(req.authoritative());
            assert_eq!(req.queries()[0].query_type(), RecordType::SOA);
            vec![reply(req, ResponseCode::NoError, true, None)
                .to_vec()
                .unwrap()]
        })
        .await;
        notify("example.org.", ok, Duration::from_secs(2))
            .await
            .unwrap();

        let refused = responder(|req| {
            vec![reply(req, ResponseCode::Refused, false, None)
                .to_vec()
                .unwrap()]
        })
        .await;
        let err = notify("example.org.", refused, Duration::from_secs(2))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                DnsError::Rcode {
                    rcode: ResponseCode::Refused,
                    ..
                }
            ),
            "{err}"
        );
        assert!(!err.is_transient());
    }

    #[tokio::test]
    async fn silent_server_times_out_after_retries() {
        let silent = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let addr = silent.local_addr().unwrap();
        let started = std::time::Instant::now();
        let err = notify("example.org.", addr, Duration::from_millis(300))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                DnsError::Timeout {
                    attempts: UDP_ATTEMPTS,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.is_transient());
        // The timeout bounds the whole exchange, retransmissions included.
        let elapsed = started.elapsed();
        assert!(
            elapsed >= Duration::from_millis(290) && elapsed < Duration::from_secs(1),
            "{elapsed:?}"
        );
        let mut buf = [0u8; 512];
        let mut ids = Vec::new();
        while let Ok(Ok((len, _))) =
            tokio::time::timeout(Duration::from_millis(50), silent.recv_from(&mut buf)).await
        {
            ids.push(Message::from_vec(&buf[..len]).unwrap().id());
        }
        assert_eq!(ids.len(), UDP_ATTEMPTS as usize, "one datagram per attempt");
    }

    #[tokio::test]
    async fn invalid_zone_name_is_rejected() {
        let addr: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let long_label = format!("{}.org.", "a".repeat(64));
        let err = query_soa_serial(&long_label, addr, Duration::from_millis(10))
            .await
            .unwrap_err();
        assert!(matches!(err, DnsError::InvalidName { .. }), "{err}");
    }

    #[test]
    fn ids_vary() {
        let ids: std::collections::HashSet<u16> = (0..64).map(|_| random_id()).collect();
        assert!(ids.len() > 50);
    }
}
