//! Turns one request packet into one response packet: the protocol rules around the lookup.
//!
//! Owns opcode dispatch (QUERY, NOTIFY; the rest NOTIMP), request validation (FORMERR), zone
//! selection (REFUSED for zones we do not hold, SERVFAIL while a zone is unloaded or expired),
//! EDNS (OPT echo, BADVERS, payload size) and truncation. Never panics on input: every decode
//! failure becomes an error response or silence. Transport-agnostic; `server` does the I/O.

use std::net::SocketAddr;

use hickory_proto::op::{Edns, Header, Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::{DNSClass, RecordType};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};

use crate::catalog::Catalog;
use crate::zone::fqdn_lower;

/// Largest UDP response without EDNS (RFC 1035 4.2.1).
const PLAIN_UDP_PAYLOAD: u16 = 512;
/// Largest DNS message over TCP.
const TCP_PAYLOAD: usize = 65535;

/// How the request arrived, which bounds the response size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// Datagram: limited to 512 bytes or the EDNS payload size (capped at `max_udp_payload`).
    Udp {
        /// Our own EDNS UDP payload limit, advertised in OPT.
        max_udp_payload: u16,
    },
    /// Stream: limited only by the 16-bit length prefix.
    Tcp {
        /// Our own EDNS UDP payload limit, advertised in OPT (it describes UDP even here).
        max_udp_payload: u16,
    },
}

impl Transport {
    /// The UDP payload size we advertise in OPT.
    fn advertised_payload(self) -> u16 {
        match self {
            Self::Udp { max_udp_payload } | Self::Tcp { max_udp_payload } => max_udp_payload,
        }
    }
}

/// Answers `packet` received from `src`; `None` means send nothing (not a request at all).
pub(crate) fn handle(
    catalog: &Catalog,
    packet: &[u8],
    src: SocketAddr,
    transport: Transport,
) -> Option<Vec<u8>> {
    let header = Header::read(&mut BinDecoder::new(packet)).ok()?;
    if header.message_type() == MessageType::Response {
        // Answering responses invites reflection loops.
        return None;
    }
    let request = match Message::from_vec(packet) {
        Ok(request) => request,
        Err(e) => {
            tracing::debug!(%src, error = %e, "undecodable request");
            let response = Message::error_msg(header.id(), header.op_code(), ResponseCode::FormErr);
            return encode(response, transport, None, false);
        }
    };
    let mut response = base_response(&request, transport.advertised_payload());
    let client_edns = request.extensions().clone();
    if client_edns.as_ref().is_some_and(|e| e.version() > 0) {
        // We only speak EDNS version 0 (RFC 6891 6.1.3).
        response.set_response_code(ResponseCode::BADVERS);
        return encode(response, transport, client_edns.as_ref(), false);
    }
    let mut glue_required = false;
    match request.op_code() {
        OpCode::Query => glue_required = answer_query(catalog, &request, &mut response),
        OpCode::Notify => answer_notify(catalog, &request, src, &mut response),
        _ => {
            response.set_response_code(ResponseCode::NotImp);
        }
    }
    encode(response, transport, client_edns.as_ref(), glue_required)
}

/// A response skeleton: same id, opcode, question (case preserved), RD and CD copied, our OPT
/// when the client sent one.
fn base_response(request: &Message, our_payload: u16) -> Message {
    let mut response = Message::new();
    response
        .set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(request.op_code())
        .set_recursion_desired(request.recursion_desired())
        .set_checking_disabled(request.checking_disabled())
        .add_queries(request.queries().iter().cloned());
    if request.extensions().is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(our_payload.max(PLAIN_UDP_PAYLOAD))
            .set_version(0);
        response.set_edns(edns);
    }
    response
}

/// Answers a standard query; returns whether the additional section holds required glue.
fn answer_query(catalog: &Catalog, request: &Message, response: &mut Message) -> bool {
    let [query] = request.queries() else {
        response.set_response_code(ResponseCode::FormErr);
        return false;
    };
    if !request.answers().is_empty() || !request.name_servers().is_empty() {
        response.set_response_code(ResponseCode::FormErr);
        return false;
    }
    if !matches!(query.query_class(), DNSClass::IN | DNSClass::ANY) {
        response.set_response_code(ResponseCode::Refused);
        return false;
    }
    let qtype = query.query_type();
    if matches!(qtype, RecordType::AXFR | RecordType::IXFR) {
        // A secondary that is itself a pool target does not serve transfers.
        response.set_response_code(ResponseCode::Refused);
        return false;
    }
    if matches!(qtype, RecordType::OPT) {
        response.set_response_code(ResponseCode::FormErr);
        return false;
    }
    let lower = fqdn_lower(query.name());
    let Some(entry) = catalog.find(&lower) else {
        // Not ours, and we never recurse.
        response.set_response_code(ResponseCode::Refused);
        return false;
    };
    let Some(zone) = entry.snapshot() else {
        // Held but not loaded yet, or expired.
        response.set_response_code(ResponseCode::ServFail);
        return false;
    };
    let answer = zone.lookup(query.name(), qtype);
    response
        .set_response_code(answer.rcode)
        .set_authoritative(answer.authoritative)
        .insert_answers(answer.answers);
    response.insert_name_servers(answer.authority);
    response.insert_additionals(answer.additionals);
    answer.glue_required
}

/// RFC 1996: a NOTIFY for a zone we hold, from one of its masters, is acknowledged and starts a
/// refresh (coalesced by the zone's refresh task).
fn answer_notify(catalog: &Catalog, request: &Message, src: SocketAddr, response: &mut Message) {
    let [query] = request.queries() else {
        response.set_response_code(ResponseCode::FormErr);
        return;
    };
    if query.query_type() != RecordType::SOA {
        response.set_response_code(ResponseCode::FormErr);
        return;
    }
    let Some(entry) = catalog.get(&fqdn_lower(query.name())) else {
        response.set_response_code(ResponseCode::NotAuth);
        return;
    };
    if !entry.is_master(src.ip()) {
        tracing::warn!(zone = %entry.name(), %src, "NOTIFY from a non-master refused");
        response.set_response_code(ResponseCode::Refused);
        return;
    }
    tracing::debug!(zone = %entry.name(), %src, "NOTIFY accepted");
    response.set_authoritative(true);
    entry.kick();
}

/// Serialises `response` within the transport's size limit: if it does not fit, first without
/// the additional section (unless that holds referral glue the resolver needs, RFC 9471), else
/// as an empty answer with TC set so the client retries over TCP (RFC 2181 9).
fn encode(
    response: Message,
    transport: Transport,
    client_edns: Option<&Edns>,
    glue_required: bool,
) -> Option<Vec<u8>> {
    let limit = match transport {
        Transport::Tcp { .. } => TCP_PAYLOAD,
        Transport::Udp { max_udp_payload } => usize::from(
            client_edns
                .map_or(PLAIN_UDP_PAYLOAD, |e| e.max_payload().min(max_udp_payload))
                .max(PLAIN_UDP_PAYLOAD),
        ),
    };
    let bytes = match response.to_vec() {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!(error = %e, "cannot encode response");
            let mut failure =
                Message::error_msg(response.id(), response.op_code(), ResponseCode::ServFail);
            failure.add_queries(response.queries().iter().cloned());
            return failure.to_vec().ok();
        }
    };
    if bytes.len() <= limit {
        return Some(bytes);
    }
    if !glue_required {
        let mut smaller = response.clone();
        smaller.take_additionals();
        if let Ok(bytes) = smaller.to_vec() {
            if bytes.len() <= limit {
                return Some(bytes);
            }
        }
    }
    // `Message::truncate` keeps the header, question and OPT and sets TC.
    let mut truncated = response.truncate();
    match truncated.to_vec() {
        Ok(bytes) if bytes.len() <= limit => Some(bytes),
        // Only a request with many questions (itself FORMERR) echoes more than fits.
        _ => {
            truncated.take_queries();
            truncated.to_vec().ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use hickory_proto::op::Query;
    use hickory_proto::rr::rdata::{A, NS, SOA};
    use hickory_proto::rr::{Name, RData, Record};
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::catalog::ZoneEntry;
    use crate::zone::Zone;

    const UDP: Transport = Transport::Udp {
        max_udp_payload: 1232,
    };

    fn name(s: &str) -> Name {
        Name::from_ascii(s).unwrap()
    }

    /// A catalog holding example.org. with a delegation to 40 name servers, all with glue.
    fn catalog() -> Catalog {
        let origin = name("example.org.");
        let soa = SOA::new(
            name("ns1.example.org."),
            name("h.example.org."),
            1,
            60,
            30,
            600,
            60,
        );
        let mut records = vec![Record::from_rdata(origin.clone(), 60, RData::SOA(soa))];
        for i in 0..40u8 {
            let ns = name(&format!(
                "ns{i}.a-rather-long-name-for-the-child.sub.example.org."
            ));
            records.push(Record::from_rdata(
                name("sub.example.org."),
                60,
                RData::NS(NS(ns.clone())),
            ));
            records.push(Record::from_rdata(ns, 60, RData::A(A::new(192, 0, 2, i))));
        }
        let entry = ZoneEntry::new(origin.clone(), Vec::new(), CancellationToken::new());
        entry.install(Some(Arc::new(
            Zone::from_records(&origin, records).unwrap(),
        )));
        let catalog = Catalog::default();
        catalog.insert_if_absent(entry);
        catalog
    }

    fn request(qname: &str) -> Vec<u8> {
        let mut m = Message::new();
        m.set_id(7)
            .add_query(Query::query(name(qname), RecordType::A));
        m.to_vec().unwrap()
    }

    #[test]
    fn referral_whose_glue_does_not_fit_is_truncated() {
        let src = "127.0.0.1:1".parse().unwrap();
        let bytes = handle(&catalog(), &request("www.sub.example.org."), src, UDP).unwrap();
        assert!(bytes.len() <= 512);
        let response = Message::from_vec(&bytes).unwrap();
        assert!(response.truncated());
        let tcp = Transport::Tcp {
            max_udp_payload: 1232,
        };
        let full = Message::from_vec(
            &handle(&catalog(), &request("www.sub.example.org."), src, tcp).unwrap(),
        )
        .unwrap();
        assert!(!full.truncated());
        assert_eq!(full.name_servers().len(), 40);
        assert_eq!(full.additionals().len(), 40);
    }

    /// Found by `fuzz/fuzz_targets/nameserver_request.rs`: 103 questions, each echoed in the
    /// FORMERR, made a 584-byte UDP response even after truncation.
    #[test]
    fn a_formerr_for_many_questions_fits_the_udp_limit() {
        let src = "127.0.0.1:1".parse().unwrap();
        let packet = include_bytes!("testdata/fuzz-many-questions.bin");
        let bytes = handle(&catalog(), packet, src, UDP).expect("an answer");
        assert!(bytes.len() <= 512, "{} bytes", bytes.len());
        let response = Message::from_vec(&bytes).unwrap();
        assert_eq!(response.id(), 0x001f);
        assert_eq!(response.response_code(), ResponseCode::FormErr);
        assert!(response.truncated());
        assert!(response.queries().is_empty());
    }

    #[test]
    fn short_or_response_packets_get_no_answer() {
        let src = "127.0.0.1:1".parse().unwrap();
        assert!(handle(&catalog(), &[0; 5], src, UDP).is_none());
        let mut response = request("example.org.");
        response[2] |= 0x80;
        assert!(handle(&catalog(), &response, src, UDP).is_none());
    }
}
