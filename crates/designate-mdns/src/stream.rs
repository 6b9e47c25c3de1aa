//! A full zone transfer produced as it is sent: pages of records read from one read
//! transaction (`StorageTx::zone_transfer_page`), rendered into messages, handed to the
//! connection one by one. Memory stays bounded by one page and the messages it fills, whatever
//! the zone's size; a client that reads slowly simply slows the reading down.

use std::collections::VecDeque;

use designate_core::objects::Zone;
use designate_storage::{StorageError, StorageTx, TransferRecord};
use hickory_proto::rr::{DNSClass, Name, Record};
use uuid::Uuid;

use crate::axfr::{XfrBuilder, XfrError};
use crate::records::{parse_rdata, recordset_records};

/// Records read per page.
pub(crate) const PAGE: u32 = 2000;

/// Why a transfer stopped part-way (the connection is then closed: RFC 5936 §4.2 gives no
/// other way to abort a transfer already under way).
#[derive(Debug, thiserror::Error)]
pub(crate) enum TransferAborted {
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Render(#[from] XfrError),
}

/// The rest of an AXFR (or an IXFR answered AXFR-style).
pub(crate) struct TransferStream {
    /// Holds the snapshot until the last page is read.
    tx: Option<Box<dyn StorageTx>>,
    zone: Zone,
    soa: Record,
    builder: XfrBuilder,
    after: Option<Uuid>,
    ready: VecDeque<Vec<u8>>,
    /// Messages produced so far (an error before the first can still be answered SERVFAIL).
    sent: usize,
}

impl TransferStream {
    /// Starts a transfer of `zone` whose opening and closing record is `soa`.
    pub(crate) fn new(
        tx: Box<dyn StorageTx>,
        zone: Zone,
        soa: Record,
        mut builder: XfrBuilder,
    ) -> Result<Self, XfrError> {
        builder.push(soa.clone())?;
        Ok(Self {
            tx: Some(tx),
            zone,
            soa,
            builder,
            after: None,
            ready: VecDeque::new(),
            sent: 0,
        })
    }

    /// Whether nothing was produced yet.
    pub(crate) fn untouched(&self) -> bool {
        self.sent == 0
    }

    /// The next encoded message; `None` once the closing SOA went out.
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<u8>>, TransferAborted> {
        loop {
            if let Some(message) = self.ready.pop_front() {
                self.sent += 1;
                return Ok(Some(message));
            }
            let Some(tx) = self.tx.as_mut() else {
                return Ok(None);
            };
            match tx.zone_transfer_page(self.zone.id, self.after, PAGE).await {
                Ok(page) => {
                    let last = page.len() < PAGE as usize;
                    self.after = page.last().map(|r| r.id).or(self.after);
                    for row in &page {
                        if let Some(record) = to_record(&self.zone, row) {
                            self.builder.push(record)?;
                        }
                    }
                    if last {
                        self.close()?;
                    }
                }
                // A store without pages: the whole zone at once, as before.
                Err(StorageError::Unsupported(_)) => {
                    for recordset in tx.zone_recordsets(self.zone.id).await? {
                        if recordset.rtype.eq_ignore_ascii_case("SOA") {
                            continue;
                        }
                        for record in recordset_records(&self.zone, &recordset) {
                            self.builder.push(record)?;
                        }
                    }
                    self.close()?;
                }
                Err(e) => return Err(e.into()),
            }
            self.ready.extend(self.builder.take_done());
        }
    }

    fn close(&mut self) -> Result<(), XfrError> {
        self.tx = None;
        self.builder.push(self.soa.clone())?;
        self.builder.finish_message()
    }
}

/// One stored record as a wire record; `None` (logged) when its data does not parse.
fn to_record(zone: &Zone, row: &TransferRecord) -> Option<Record> {
    let name = Name::from_ascii(&row.name).map(|mut n| {
        n.set_fqdn(true);
        n
    });
    let ttl = row.ttl.filter(|t| *t > 0).unwrap_or(zone.ttl);
    match (name, parse_rdata(&row.rtype, &row.data)) {
        (Ok(name), Ok(rdata)) => {
            let mut record = Record::from_rdata(name, u32::try_from(ttl).unwrap_or(0), rdata);
            record.set_dns_class(DNSClass::IN);
            Some(record)
        }
        (Err(error), _) => {
            tracing::error!(zone_id = %zone.id, record_id = %row.id, name = %row.name, %error,
                "skipping record with an invalid owner name");
            None
        }
        (_, Err(error)) => {
            tracing::error!(zone_id = %zone.id, record_id = %row.id, rtype = %row.rtype,
                name = %row.name, %error, "skipping unparsable record");
            None
        }
    }
}
