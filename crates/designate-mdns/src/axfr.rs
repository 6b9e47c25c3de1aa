//! Splitting a zone transfer into DNS messages no larger than the configured limit (RFC 5936 §2.2:
//! an AXFR response is a sequence of messages, each carrying as many records as fit).
//!
//! Sizes are accounted without name compression, an upper bound of what the encoder produces, so a
//! finished message can never exceed the limit.

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
    /// Header and question every message repeats (dig and BIND accept the question in each).
    template: Message,
    /// Encoded size of `template` alone.
    base_size: usize,
    /// Size limit per message.
    max_size: usize,
    /// Records of the message being filled, and their summed uncompressed size.
    pending: Vec<Record>,
    pending_size: usize,
    /// Finished, encoded messages not yet taken.
    done: Vec<Vec<u8>>,
    /// Messages finished so far, taken or not.
    flushed: usize,
}

impl XfrBuilder {
    /// Starts a transfer whose messages copy `template`'s header and question.
    pub(crate) fn new(template: Message, max_size: usize) -> Result<Self, XfrError> {
        let base_size = template.to_vec()?.len();
        Ok(Self {
            template,
            base_size,
            max_size,
            pending: Vec::new(),
            pending_size: 0,
            done: Vec::new(),
            flushed: 0,
        })
    }

    /// Appends one record, closing the current message first if the record would not fit.
    pub(crate) fn push(&mut self, record: Record) -> Result<(), XfrError> {
        let size = uncompressed_size(&record)?;
        if self.base_size + size > self.max_size {
            return Err(XfrError::RecordTooBig {
                name: record.name().to_string(),
                rtype: crate::records::type_name(record.record_type()),
                size,
            });
        }
        if self.base_size + self.pending_size + size > self.max_size {
            self.flush()?;
        }
        self.pending.push(record);
        self.pending_size += size;
        Ok(())
    }

    /// Closes the last message and returns all not yet taken, in order.
    pub(crate) fn finish(mut self) -> Result<Vec<Vec<u8>>, XfrError> {
        self.finish_message()?;
        Ok(self.done)
    }

    /// Closes the last message (a transfer is at least one message, even an empty one).
    pub(crate) fn finish_message(&mut self) -> Result<(), XfrError> {
        if !self.pending.is_empty() || self.flushed == 0 {
            self.flush()?;
        }
        Ok(())
    }

    /// The messages finished since the last call, in order.
    pub(crate) fn take_done(&mut self) -> Vec<Vec<u8>> {
        std::mem::take(&mut self.done)
    }

    fn flush(&mut self) -> Result<(), XfrError> {
        let mut message = self.template.clone();
        message.insert_answers(std::mem::take(&mut self.pending));
        self.pending_size = 0;
        self.done.push(message.to_vec()?);
        self.flushed += 1;
        Ok(())
    }
}

/// Encoded size of `record` with no name compression.
fn uncompressed_size(record: &Record) -> Result<usize, XfrError> {
    let mut buf = Vec::with_capacity(64);
    let mut encoder = BinEncoder::new(&mut buf);
    // Canonical names are emitted in full, never as pointers.
    encoder.set_canonical_names(true);
    record.emit(&mut encoder)?;
    Ok(buf.len())
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
