//! Splitting a zone transfer into DNS messages no larger than the configured limit (RFC 5936 §2.2:
//! an AXFR response is a sequence of messages, each carrying as many records as fit).
//!
//! Records are encoded one by one without name compression and messages assembled from those
//! bytes: the size of each message is known exactly, and encoding stays linear in the zone's size
//! (compressing a message makes each name search every name before it).

use hickory_proto::op::Message;
use hickory_proto::rr::Record;
use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};

/// Why a transfer could not be rendered.
#[derive(Debug, thiserror::Error)]
pub(crate) enum XfrError {
    /// One record alone does not fit in a message (upstream aborts the AXFR with SERVFAIL).
    #[error("a {rtype} record of {name} ({size} bytes) exceeds the message size limit")]
    RecordTooBig {
        /// Owner of the record.
        name: String,
        /// Its type.
        rtype: String,
        /// Its encoded size.
        size: usize,
    },
    /// The encoder refused a record or message.
    #[error("cannot encode zone transfer: {0}")]
    Encode(#[from] hickory_proto::ProtoError),
}

/// Accumulates the records of a transfer and cuts them into encoded messages.
pub(crate) struct XfrBuilder {
    /// The encoded header and question every message repeats (dig and BIND accept the question
    /// in each), answer count zero.
    head: Vec<u8>,
    /// The encoded additional section every message ends with (our OPT when the client sent one).
    tail: Vec<u8>,
    /// Encoded size of head and tail.
    base_size: usize,
    /// Size limit per message.
    max_size: usize,
    /// Encoded records of the message being filled, and how many.
    pending: Vec<u8>,
    /// The record being encoded (reused: one allocation per transfer, not per record).
    scratch: Vec<u8>,
    pending_count: u16,
    /// Finished, encoded messages not yet taken.
    done: Vec<Vec<u8>>,
    /// Messages finished so far, taken or not.
    flushed: usize,
}

impl XfrBuilder {
    /// Starts a transfer whose messages copy `template`'s header and question.
    pub(crate) fn new(template: Message, max_size: usize) -> Result<Self, XfrError> {
        let whole = template.to_vec()?;
        let mut bare = template;
        *bare.extensions_mut() = None;
        let head_len = bare.to_vec()?.len().min(whole.len());
        let head = whole[..head_len].to_vec();
        let tail = whole[head_len..].to_vec();
        Ok(Self {
            base_size: whole.len(),
            head,
            tail,
            max_size,
            pending: Vec::with_capacity(max_size),
            scratch: Vec::with_capacity(512),
            pending_count: 0,
            done: Vec::new(),
            flushed: 0,
        })
    }

    /// Appends one record, closing the current message first if the record would not fit.
    pub(crate) fn push(&mut self, record: Record) -> Result<(), XfrError> {
        encode(&record, &mut self.scratch)?;
        let size = self.scratch.len();
        if self.base_size + size > self.max_size {
            return Err(XfrError::RecordTooBig {
                name: record.name().to_string(),
                rtype: crate::records::type_name(record.record_type()),
                size,
            });
        }
        if self.base_size + self.pending.len() + size > self.max_size
            || self.pending_count == u16::MAX
        {
            self.flush();
        }
        self.pending.extend_from_slice(&self.scratch);
        self.pending_count += 1;
        Ok(())
    }

    /// Closes the last message and returns all not yet taken, in order.
    pub(crate) fn finish(mut self) -> Result<Vec<Vec<u8>>, XfrError> {
        self.finish_message()?;
        Ok(self.done)
    }

    /// Closes the last message (a transfer is at least one message, even an empty one).
    pub(crate) fn finish_message(&mut self) -> Result<(), XfrError> {
        if self.pending_count > 0 || self.flushed == 0 {
            self.flush();
        }
        Ok(())
    }

    /// The messages finished since the last call, in order.
    pub(crate) fn take_done(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.done)
    }

    fn flush(&mut self) {
        let mut message = Vec::with_capacity(self.base_size + self.pending.len());
        message.extend_from_slice(&self.head);
        // ANCOUNT (the template has no answers, so this is the whole answer section).
        message[6..8].copy_from_slice(&self.pending_count.to_be_bytes());
        message.append(&mut self.pending);
        message.extend_from_slice(&self.tail);
        self.pending_count = 0;
        self.done.push(message);
        self.flushed += 1;
    }
}

/// `record` encoded on its own into `buf` (cleared first), so with every name in full (nothing
/// to point back to).
fn encode(record: &Record, buf: &mut Vec<u8>) -> Result<(), XfrError> {
    buf.clear();
    let mut encoder = BinEncoder::new(buf);
    encoder.set_canonical_names(true);
    record.emit(&mut encoder)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hickory_proto::op::{MessageType, OpCode, Query};
    use hickory_proto::rr::{Name, RData, RecordType};
    use std::net::Ipv4Addr;

    fn template() -> Message {
        let mut m = Message::new();
        m.set_id(7)
            .set_message_type(MessageType::Response)
            .set_op_code(OpCode::Query)
            .set_authoritative(true)
            .add_query(Query::query(
                Name::from_ascii("example.org.").unwrap(),
                RecordType::AXFR,
            ));
        m
    }

    fn a_record(i: u32) -> Record {
        let name = Name::from_ascii(format!("host-{i}.example.org.")).unwrap();
        Record::from_rdata(name, 300, RData::A(Ipv4Addr::from(i).into()))
    }

    #[test]
    fn splits_at_the_limit_and_keeps_order() {
        let mut b = XfrBuilder::new(template(), 1024).unwrap();
        for i in 0..500 {
            b.push(a_record(i)).unwrap();
        }
        let messages = b.finish().unwrap();
        assert!(messages.len() > 10);
        let mut next = 0u32;
        for wire in &messages {
            assert!(wire.len() <= 1024);
            let m = Message::from_vec(wire).unwrap();
            assert_eq!(m.id(), 7);
            assert_eq!(m.queries().len(), 1);
            for rr in m.answers() {
                assert_eq!(rr, &a_record(next));
                next += 1;
            }
        }
        assert_eq!(next, 500);
    }

    #[test]
    fn empty_transfer_is_one_message_and_oversized_record_errors() {
        let b = XfrBuilder::new(template(), 512).unwrap();
        assert_eq!(b.finish().unwrap().len(), 1);

        let mut b = XfrBuilder::new(template(), 512).unwrap();
        let txt = hickory_proto::rr::rdata::TXT::new(vec!["x".repeat(255), "y".repeat(255)]);
        let big = Record::from_rdata(
            Name::from_ascii("big.example.org.").unwrap(),
            300,
            RData::TXT(txt),
        );
        assert!(matches!(b.push(big), Err(XfrError::RecordTooBig { .. })));
    }
}
