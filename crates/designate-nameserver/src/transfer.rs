//! The secondary's client side: asking a master for its SOA serial and pulling a zone by IXFR
//! (RFC 1995, applied to a copy of the current snapshot) or AXFR.
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

use designate_core::serial::serial_gt;

use crate::zone::{fqdn_lower, Difference, Zone, ZoneError};

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
    let records = axfr_records(master, zone, timeout).await?;
    Ok(Zone::from_records(&fqdn_lower(zone), records)?)
}

/// The records of an AXFR of `zone` from `master`, the leading SOA first, the closing one left
/// out.
///
/// # Errors
/// See [`TransferError`].
pub(crate) async fn axfr_records(
    master: SocketAddr,
    zone: &Name,
    timeout: Duration,
) -> Result<Vec<Record>, TransferError> {
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
                    return Ok(records);
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

/// What an IXFR brought.
#[derive(Debug)]
pub(crate) enum Ixfr {
    /// The master has nothing newer (a lone SOA not above ours).
    Current,
    /// The master sent differences; the new snapshot has them applied.
    Incremental(Zone),
    /// The master sent the whole zone (RFC 1995 §4 allows an AXFR-style answer).
    Full(Zone),
}

/// Asks `master` for the changes of `current`'s zone since its serial (IXFR over TCP with our
/// SOA in the authority section) and applies them to a copy of `current`.
///
/// # Errors
/// See [`TransferError`]; [`TransferError::Zone`] with `Inconsistent` when the differences do
/// not apply to our copy. The caller falls back to AXFR on any error.
pub(crate) async fn ixfr(
    master: SocketAddr,
    current: &Zone,
    timeout: Duration,
) -> Result<Ixfr, TransferError> {
    let run = async {
        let origin = current.origin().clone();
        let ours = current.serial();
        let mut request = query(&origin, RecordType::IXFR);
        request.add_name_server(current.soa_record().clone());
        let mut stream = TcpStream::connect(master).await?;
        write_frame(&mut stream, &request.to_vec()?).await?;
        let mut parser = IxfrParser::new(origin, ours);
        loop {
            let response = Message::from_vec(&read_frame(&mut stream).await?)?;
            check_response(&request, &response)?;
            if response.answers().is_empty() {
                return Err(TransferError::Malformed("IXFR message without records"));
            }
            for record in response.answers() {
                parser.push(record.clone())?;
            }
            if let Some(done) = parser.finished(current)? {
                return Ok(done);
            }
            // A message holding nothing but a newer SOA: masters that do not do IXFR answer
            // so (RFC 1995 §4 "the whole zone is too big" aside, nobody sends the opening SOA
            // alone), so fall back to AXFR now instead of waiting for the deadline.
            if matches!(parser.state, IxfrState::Soa(_)) {
                return Err(TransferError::Malformed(
                    "IXFR answered with a lone newer SOA",
                ));
            }
        }
    };
    tokio::time::timeout(timeout, run)
        .await
        .map_err(|_| TransferError::Timeout)?
}

/// Where an IXFR answer stands.
// One value per running transfer, moved rarely: its size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum IxfrState {
    /// Nothing received yet.
    Start,
    /// Only the leading SOA so far (a lone SOA, or the start of something longer).
    Soa(Record),
    /// An AXFR-style answer: every record so far, the leading SOA first.
    Full(Vec<Record>),
    /// Difference sequences: those complete, and the one being read with its section.
    Incremental {
        done: Vec<Difference>,
        open: Option<(Difference, Section)>,
    },
    /// The closing SOA arrived (or the lone SOA means "current").
    Complete(Box<Option<Result<Vec<Record>, Vec<Difference>>>>),
}

/// Which half of a difference sequence is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Deletions,
    Additions,
}

/// Reads an IXFR answer record by record (RFC 1995 §4).
struct IxfrParser {
    origin: Name,
    /// Our serial.
    ours: u32,
    /// The master's serial (the leading SOA's).
    theirs: Option<u32>,
    state: IxfrState,
    records: usize,
}

impl IxfrParser {
    fn new(origin: Name, ours: u32) -> Self {
        Self {
            origin,
            ours,
            theirs: None,
            state: IxfrState::Start,
            records: 0,
        }
    }

    /// The serial of `record` if it is the zone's apex SOA.
    fn apex_soa(&self, record: &Record) -> Option<u32> {
        match record.data() {
            RData::SOA(soa) if fqdn_lower(record.name()) == self.origin => Some(soa.serial()),
            _ => None,
        }
    }

    fn push(&mut self, record: Record) -> Result<(), TransferError> {
        self.records += 1;
        if self.records > MAX_RECORDS {
            return Err(TransferError::Malformed("IXFR exceeds the record limit"));
        }
        let soa = self.apex_soa(&record);
        let state = std::mem::replace(&mut self.state, IxfrState::Start);
        self.state = match state {
            IxfrState::Start => {
                let Some(serial) = soa else {
                    return Err(TransferError::Malformed("IXFR does not start with the SOA"));
                };
                self.theirs = Some(serial);
                IxfrState::Soa(record)
            }
            IxfrState::Soa(first) => match soa {
                // Differences start with the SOA of our own serial.
                Some(serial) if serial == self.ours && Some(serial) != self.theirs => {
                    IxfrState::Incremental {
                        done: Vec::new(),
                        open: Some((
                            Difference {
                                old_soa: record,
                                deleted: Vec::new(),
                                new_soa: first.clone(),
                                added: Vec::new(),
                            },
                            Section::Deletions,
                        )),
                    }
                }
                // SOA, SOA: the AXFR of a zone holding nothing but its SOA.
                Some(_) => IxfrState::Complete(Box::new(Some(Ok(vec![first])))),
                None => IxfrState::Full(vec![first, record]),
            },
            IxfrState::Full(mut records) => {
                if soa.is_some() {
                    IxfrState::Complete(Box::new(Some(Ok(records))))
                } else {
                    records.push(record);
                    IxfrState::Full(records)
                }
            }
            IxfrState::Incremental { mut done, open } => match (open, soa) {
                (Some((mut diff, Section::Deletions)), Some(_)) => {
                    diff.new_soa = record;
                    IxfrState::Incremental {
                        done,
                        open: Some((diff, Section::Additions)),
                    }
                }
                (Some((mut diff, Section::Deletions)), None) => {
                    diff.deleted.push(record);
                    IxfrState::Incremental {
                        done,
                        open: Some((diff, Section::Deletions)),
                    }
                }
                (Some((mut diff, Section::Additions)), None) => {
                    diff.added.push(record);
                    IxfrState::Incremental {
                        done,
                        open: Some((diff, Section::Additions)),
                    }
                }
                (Some((diff, Section::Additions)), Some(serial)) => {
                    done.push(diff);
                    if Some(serial) == self.theirs {
                        IxfrState::Complete(Box::new(Some(Err(done))))
                    } else {
                        IxfrState::Incremental {
                            open: Some((
                                Difference {
                                    old_soa: record.clone(),
                                    deleted: Vec::new(),
                                    new_soa: record,
                                    added: Vec::new(),
                                },
                                Section::Deletions,
                            )),
                            done,
                        }
                    }
                }
                (None, _) => return Err(TransferError::Malformed("IXFR state lost")),
            },
            IxfrState::Complete(_) => {
                return Err(TransferError::Malformed("records after the closing SOA"))
            }
        };
        Ok(())
    }

    /// The outcome once the answer is complete (checked after each message), else `None`.
    fn finished(&mut self, current: &Zone) -> Result<Option<Ixfr>, TransferError> {
        match &mut self.state {
            // A lone SOA at the end of a message: the master has nothing newer for us.
            IxfrState::Soa(_) => match self.theirs {
                Some(theirs) if !serial_gt(theirs, self.ours) => Ok(Some(Ixfr::Current)),
                _ => Ok(None),
            },
            IxfrState::Complete(outcome) => match outcome.take() {
                Some(Ok(records)) => {
                    Ok(Some(Ixfr::Full(Zone::from_records(&self.origin, records)?)))
                }
                Some(Err(diffs)) => {
                    let zone = current.apply(&diffs)?;
                    if Some(zone.serial()) != self.theirs {
                        return Err(TransferError::Malformed(
                            "IXFR differences do not end at the master's serial",
                        ));
                    }
                    Ok(Some(Ixfr::Incremental(zone)))
                }
                None => Err(TransferError::Malformed("IXFR already consumed")),
            },
            _ => Ok(None),
        }
    }
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

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use hickory_proto::rr::rdata::{A, SOA};

    use super::*;

    fn name(s: &str) -> Name {
        Name::from_str(s).unwrap()
    }

    fn soa(serial: u32) -> Record {
        let n = name("example.org.");
        Record::from_rdata(
            n.clone(),
            300,
            RData::SOA(SOA::new(n.clone(), n, serial, 60, 30, 600, 300)),
        )
    }

    fn a(owner: &str, last: u8) -> Record {
        Record::from_rdata(name(owner), 60, RData::A(A::new(192, 0, 2, last)))
    }

    fn current() -> Zone {
        Zone::from_records(
            &name("example.org."),
            vec![soa(1), a("old.example.org.", 1)],
        )
        .unwrap()
    }

    fn parse(records: Vec<Record>) -> Result<Option<Ixfr>, TransferError> {
        let mut parser = IxfrParser::new(name("example.org."), 1);
        for record in records {
            parser.push(record)?;
        }
        parser.finished(&current())
    }

    #[test]
    fn reads_the_three_answer_forms() {
        assert!(matches!(parse(vec![soa(1)]), Ok(Some(Ixfr::Current))));
        assert!(
            matches!(parse(vec![soa(3)]), Ok(None)),
            "not finished by itself"
        );
        let Ok(Some(Ixfr::Full(zone))) = parse(vec![soa(3), a("new.example.org.", 2), soa(3)])
        else {
            panic!("AXFR-style answer")
        };
        assert_eq!((zone.serial(), zone.record_count()), (3, 2));
        let Ok(Some(Ixfr::Full(zone))) = parse(vec![soa(3), soa(3)]) else {
            panic!("AXFR of an SOA-only zone")
        };
        assert_eq!(zone.record_count(), 1);
        let incremental = vec![
            soa(3),
            soa(1),
            a("old.example.org.", 1),
            soa(2),
            a("two.example.org.", 2),
            soa(2),
            soa(3),
            a("three.example.org.", 3),
            soa(3),
        ];
        let Ok(Some(Ixfr::Incremental(zone))) = parse(incremental) else {
            panic!("incremental answer")
        };
        assert_eq!(zone.serial(), 3);
        assert!(zone.node(&name("old.example.org.")).is_none());
        assert!(zone.node(&name("three.example.org.")).is_some());
    }

    #[test]
    fn refuses_broken_answers() {
        assert!(parse(vec![a("x.example.org.", 1)]).is_err());
        assert!(parse(vec![soa(3), a("x.example.org.", 1), soa(3), soa(3)]).is_err());
        // Differences that stop short of the announced serial.
        let short = vec![soa(3), soa(1), soa(2), soa(3)];
        assert!(matches!(parse(short), Ok(None) | Err(_)));
        // Deleting what we do not hold.
        let wrong = vec![soa(2), soa(1), a("missing.example.org.", 9), soa(2), soa(2)];
        assert!(matches!(parse(wrong), Err(TransferError::Zone(_))));
    }
}
