//! The secondary's client side: asking a master for its SOA serial and pulling a zone by AXFR.
//!
//! Everything here is bounded: each operation has a deadline, messages are length-checked and a
//! transfer has a record limit, so a slow or hostile master can stall only its own zone's
//! refresh task, never the server.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use hickory_proto::op::{Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, Record, RecordType};
use hickory_proto::ProtoError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::zone::{fqdn_lower, Zone, ZoneError};

/// A transfer larger than this is refused (protects memory from a runaway master).
const MAX_RECORDS: usize = 5_000_000;

/// Why a refresh from one master failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransferError {
    /// Network failure.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// The master's bytes are not DNS.
    #[error("bad message: {0}")]
    Proto(#[from] ProtoError),
    /// The master did not answer in time.
    #[error("timed out")]
    Timeout,
    /// The master answered with an error code.
    #[error("master answered {0}")]
    Rcode(ResponseCode),
    /// The master's answer does not make sense.
    #[error("malformed answer: {0}")]
    Malformed(&'static str),
    /// The transferred records do not form a zone.
    #[error(transparent)]
    Zone(#[from] ZoneError),
}

/// Asks `master` for the SOA serial of `zone`: over UDP, retried over TCP when truncated.
///
/// # Errors
/// See [`TransferError`].
pub(crate) async fn soa_serial(
    master: SocketAddr,
    zone: &Name,
    timeout: Duration,
) -> Result<u32, TransferError> {
    let run = async {
        let request = query(zone, RecordType::SOA);
        let mut response = udp_exchange(master, &request).await?;
        if response.truncated() {
            response = tcp_exchange(master, &request).await?;
        }
        if response.response_code() != ResponseCode::NoError {
            return Err(TransferError::Rcode(response.response_code()));
        }
        let zone = fqdn_lower(zone);
        response
            .answers()
            .iter()
            .find_map(|r| match r.data() {
                RData::SOA(soa) if fqdn_lower(r.name()) == zone => Some(soa.serial()),
                _ => None,
            })
            .ok_or(TransferError::Malformed(
                "no SOA for the zone in the answer",
            ))
    };
    tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| TransferError::Timeout)?
}

/// Transfers `zone` from `master` by AXFR over TCP (RFC 5936) and indexes it.
///
/// # Errors
/// See [`TransferError`].
pub(crate) async fn axfr(
    master: SocketAddr,
    zone: &Name,
    timeout: Duration,
) -> Result<Zone, TransferError> {
    let run = async {
        let request = query(zone, RecordType::AXFR);
        let mut stream = TcpStream::connect(master).await?;
        write_frame(&mut stream, &request.to_vec()?).await?;
        let origin = fqdn_lower(zone);
        let mut records: Vec<Record> = Vec::new();
        loop {
            let response = Message::from_vec(&read_frame(&mut stream).await?)?;
            check_response(&request, &response)?;
            for record in response.answers() {
                let is_apex_soa =
                    record.record_type() == RecordType::SOA && fqdn_lower(record.name()) == origin;
                if records.is_empty() {
                    if !is_apex_soa {
                        return Err(TransferError::Malformed("AXFR does not start with the SOA"));
                    }
                } else if is_apex_soa {
                    // The closing SOA: the transfer is complete (RFC 5936 2.2).
                    return Ok(Zone::from_records(&origin, records)?);
                }
                if records.len() >= MAX_RECORDS {
                    return Err(TransferError::Malformed("AXFR exceeds the record limit"));
                }
                records.push(record.clone());
            }
            if response.answers().is_empty() {
                return Err(TransferError::Malformed("AXFR message without records"));
            }
        }
    };
    tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| TransferError::Timeout)?
}

/// A fresh query message for `name`/`rtype` with a random id.
fn query(name: &Name, rtype: RecordType) -> Message {
    let mut message = Message::new();
    let mut q = Query::query(name.clone(), rtype);
    q.set_query_class(DNSClass::IN);
    // Random ids make off-path spoofing of transfers harder; uuid is our randomness source.
    message
        .set_id(uuid::Uuid::new_v4().as_u128() as u16)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(q);
    message
}

fn check_response(request: &Message, response: &Message) -> Result<(), TransferError> {
    if response.id() != request.id() || response.message_type() != MessageType::Response {
        return Err(TransferError::Malformed("answer does not match the query"));
    }
    if response.response_code() != ResponseCode::NoError {
        return Err(TransferError::Rcode(response.response_code()));
    }
    Ok(())
}

async fn udp_exchange(master: SocketAddr, request: &Message) -> Result<Message, TransferError> {
    let bind: SocketAddr = if master.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        ([0u16; 8], 0).into()
    };
    let socket = UdpSocket::bind(bind).await?;
    socket.connect(master).await?;
    socket.send(&request.to_vec()?).await?;
    let mut buf = vec![0u8; 65535];
    loop {
        let len = socket.recv(&mut buf).await?;
        // Stray or spoofed datagrams are skipped; the caller's deadline bounds the wait.
        let Ok(response) = Message::from_vec(&buf[..len]) else {
            continue;
        };
        if response.id() == request.id() && response.message_type() == MessageType::Response {
            return Ok(response);
        }
    }
}

async fn tcp_exchange(master: SocketAddr, request: &Message) -> Result<Message, TransferError> {
    let mut stream = TcpStream::connect(master).await?;
    write_frame(&mut stream, &request.to_vec()?).await?;
    let response = Message::from_vec(&read_frame(&mut stream).await?)?;
    check_response(request, &response)?;
    Ok(response)
}

/// Writes one length-prefixed DNS message (RFC 1035 4.2.2).
pub(crate) async fn write_frame(stream: &mut TcpStream, body: &[u8]) -> io::Result<()> {
    let len = u16::try_from(body.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "DNS message over 65535 bytes"))?;
    let mut frame = Vec::with_capacity(body.len() + 2);
    frame.extend_from_slice(&len.to_be_bytes());
    frame.extend_from_slice(body);
    stream.write_all(&frame).await
}

/// Reads one length-prefixed DNS message.
pub(crate) async fn read_frame(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let len = stream.read_u16().await?;
    let mut body = vec![0u8; usize::from(len)];
    stream.read_exact(&mut body).await?;
    Ok(body)
}
