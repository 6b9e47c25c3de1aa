//! A full zone transfer produced as it is sent: pages of records read from one read
//! transaction (`StorageTx::zone_transfer_page`), rendered into messages, handed to the
//! connection one by one. The pages are read by a task of their own, one page ahead of the
//! rendering, so the store's work (a query on its own thread for SQLite, a server round trip
//! otherwise) overlaps the encoding. Memory stays bounded by a few pages and the messages one
//! page fills, whatever the zone's size; a client that reads slowly simply slows the reading down.

use std::collections::VecDeque;

use designate_core::objects::{Action, RecordSet, Zone};
use designate_storage::{StorageError, StorageTx, TransferRecord};
use hickory_proto::rr::{DNSClass, Name, Record};
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::axfr::{XfrBuilder, XfrError};
use crate::records::parse_rdata;

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
    #[error("the page reader stopped before the last page")]
    ReaderGone,
}

/// One page from the reader task; `last` after the zone's final records.
struct Fetched {
    rows: Vec<TransferRecord>,
    last: bool,
}

/// The rest of an AXFR (or an IXFR answered AXFR-style).
pub(crate) struct TransferStream {
    /// Pages from the reader task (which holds the read transaction until the last page).
    pages: Option<mpsc::Receiver<Result<Fetched, StorageError>>>,
    zone: Zone,
    soa: Record,
    builder: XfrBuilder,
    ready: VecDeque<Vec<u8>>,
    /// Messages produced so far (an error before the first can still be answered SERVFAIL).
    sent: usize,
}

impl TransferStream {
    /// Starts a transfer of `zone` whose opening and closing record is `soa`, its pages read
    /// from `tx` by a task of their own.
    pub(crate) fn new(
        tx: Box<dyn StorageTx>,
        zone: Zone,
        soa: Record,
        mut builder: XfrBuilder,
    ) -> Result<Self, XfrError> {
        builder.push(soa.clone())?;
        // One page waiting while the next is read: bounded, and the reader stops as soon as
        // the transfer is dropped (its send fails).
        let (sender, pages) = mpsc::channel(1);
        tokio::spawn(read_pages(tx, zone.id, sender));
        Ok(Self {
            pages: Some(pages),
            zone,
            soa,
            builder,
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
            let Some(pages) = self.pages.as_mut() else {
                return Ok(None);
            };
            let fetched = pages.recv().await.ok_or(TransferAborted::ReaderGone)??;
            for row in &fetched.rows {
                if let Some(record) = to_record(&self.zone, row) {
                    match self.builder.push(record) {
                        // One record hickory cannot encode must not cost the whole zone
                        // (its targets would never get any change again); it is left out, as
                        // unparsable data is.
                        Err(XfrError::Encode(error)) => {
                            tracing::error!(zone_id = %self.zone.id, record_id = %row.id,
                                rtype = %row.rtype, name = %row.name, %error,
                                "skipping unencodable record");
                        }
                        other => other?,
                    }
                }
            }
            if fetched.last {
                self.pages = None;
                self.builder.push(self.soa.clone())?;
                self.builder.finish_message()?;
            }
            self.ready.extend(self.builder.take_done());
        }
    }
}

/// Reads the zone's records page by page into `sender` until the last page, an error, or the
/// transfer going away.
async fn read_pages(
    mut tx: Box<dyn StorageTx>,
    zone_id: Uuid,
    sender: mpsc::Sender<Result<Fetched, StorageError>>,
) {
    let mut after = None;
    loop {
        let fetched = match tx.zone_transfer_page(zone_id, after, PAGE).await {
            Ok(rows) => {
                after = rows.last().map(TransferRecord::cursor).or(after);
                Ok(Fetched {
                    last: rows.len() < PAGE as usize,
                    rows,
                })
            }
            // A store without pages: the whole zone at once.
            Err(StorageError::Unsupported(_)) => {
                tx.zone_recordsets(zone_id).await.map(|sets| Fetched {
                    rows: served_rows(&sets),
                    last: true,
                })
            }
            Err(e) => Err(e),
        };
        let done = !matches!(fetched, Ok(Fetched { last: false, .. }));
        if sender.send(fetched).await.is_err() || done {
            return;
        }
    }
}

/// The records a transfer serves from whole recordsets, as `zone_transfer_page` selects them:
/// not SOA, not being deleted.
fn served_rows(recordsets: &[RecordSet]) -> Vec<TransferRecord> {
    recordsets
        .iter()
        .filter(|rs| !rs.rtype.eq_ignore_ascii_case("SOA"))
        .flat_map(|rs| {
            rs.records
                .iter()
                .filter(|r| r.action != Action::Delete)
                .map(move |r| TransferRecord {
                    recordset_id: rs.id,
                    id: r.id,
                    name: rs.name.clone(),
                    rtype: rs.rtype.clone(),
                    ttl: rs.ttl,
                    data: r.data.clone(),
                })
        })
        .collect()
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
