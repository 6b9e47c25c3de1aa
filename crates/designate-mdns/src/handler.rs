//! One DNS request in, response messages out: upstream's `designate/mdns/handler.py` behaviour.
//!
//! - QUERY with one IN question: AXFR gets a full zone transfer (SOA first and last); IXFR gets
//!   the lone SOA when the client is current, the differences from the change journal when it
//!   reaches back to the client's serial (`ixfr`), else the full zone as RFC 1995 §4 allows;
//!   any other type is looked up in the zone found by walking up the name's ancestors. Unknown
//!   zones and names get REFUSED, as upstream answers for everything it does not hold.
//! - NOTIFY: from a master of a SECONDARY zone of that name, a transfer is cast to the worker;
//!   from anyone else REFUSED; NOTAUTH when no SECONDARY zone has the name.
//! - Other opcodes, several questions or another class: REFUSED. Undecodable requests: FORMERR.
//!
//! It knows nothing about sockets beyond whether the request came over UDP (size limits, no
//! transfers) or TCP.

use std::collections::{BTreeSet, VecDeque};
use std::net::IpAddr;
use std::sync::{Arc, OnceLock};

use designate_bus::{WorkerApi, ZoneTask};
use designate_core::criteria::{Criteria, Page};
use designate_core::objects::{Zone, ZoneType};
use designate_core::serial::serial_gt;
use designate_core::RequestContext;
use designate_storage::{Storage, StorageError, StorageTx};
use hickory_proto::op::{Edns, Header, Message, OpCode, Query, ResponseCode};
use hickory_proto::rr::{DNSClass, Name, RData, RecordType};
use uuid::Uuid;

use crate::acl::{Access, Acl};
use crate::axfr::XfrBuilder;
use crate::config::MdnsConfig;
use crate::keyring::{KeyEntry, KeyScope, Keyring};
use crate::records::{recordset_records, type_name, with_zone_serial, zone_soa};
use crate::stream::{TransferAborted, TransferStream};

/// Length of the fixed DNS header.
const HEADER_LEN: usize = 12;
/// At most this many live zones of one name are considered (one per pool at most).
const ZONES_PER_NAME: u32 = 64;
/// Largest UDP payload we offer in our own OPT record (the DNS flag day 2020 value).
const EDNS_PAYLOAD: u16 = 1232;

/// How the request arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transport {
    /// One datagram each way; responses must fit the client's UDP limit.
    Udp,
    /// Length-prefixed stream; zone transfers allowed.
    Tcp,
}

/// Which zones a request may see (besides the configured `pool_id`, which always applies).
#[derive(Debug, Clone)]
enum Scope {
    /// Every pool's.
    All,
    /// Those of these pools.
    Pools(Arc<BTreeSet<Uuid>>),
    /// This zone only (a ZONE-scoped TSIG key).
    Zone(Uuid),
}

impl Scope {
    fn allows(&self, zone: &Zone) -> bool {
        match self {
            Self::All => true,
            Self::Pools(pools) => zone.pool_id.is_some_and(|p| pools.contains(&p)),
            Self::Zone(id) => zone.id == *id,
        }
    }
}

/// One request's circumstances.
struct Context {
    transport: Transport,
    peer: IpAddr,
    /// What the request's valid TSIG key grants; `None` for an unsigned request.
    key_scope: Option<KeyScope>,
    /// Largest message we may produce: the limit, less room for our TSIG record.
    max_message: usize,
}

/// A request whose TSIG signature verified: its key and the signer of our response.
struct Authenticated {
    entry: KeyEntry,
    signer: designate_tsig::ResponseSigner,
}

/// Answers requests from the store.
pub(crate) struct Handler {
    storage: Arc<dyn Storage>,
    config: Arc<MdnsConfig>,
    acl: Arc<Acl>,
    keyring: Arc<Keyring>,
    /// Where a master's NOTIFY turns into a transfer; set once the bus exists.
    worker: OnceLock<Arc<dyn WorkerApi>>,
}

impl Handler {
    pub(crate) fn new(storage: Arc<dyn Storage>, config: Arc<MdnsConfig>) -> Self {
        let acl = Arc::new(Acl::new(config.query_acl.clone(), storage.clone()));
        let keyring = Arc::new(Keyring::new(storage.clone()));
        Self {
            storage,
            config,
            acl,
            keyring,
            worker: OnceLock::new(),
        }
    }

    /// Wires the worker that NOTIFYs from SECONDARY zones' masters are cast to (once).
    pub(crate) fn set_worker(&self, worker: Arc<dyn WorkerApi>) {
        if self.worker.set(worker).is_err() {
            tracing::warn!("MiniDNS worker already wired; keeping the first");
        }
    }

    /// The TSIG keys (the server refreshes them with the ACL).
    pub(crate) fn keyring(&self) -> &Arc<Keyring> {
        &self.keyring
    }

    /// The access list (the server refreshes it and exempts its members from rate limits).
    pub(crate) fn acl(&self) -> &Arc<Acl> {
        &self.acl
    }

    /// The encoded response messages for one request packet, in sending order. Empty when the
    /// packet deserves no answer (too short to hold a header, or itself a response — answering
    /// responses would let two servers bounce packets forever).
    pub(crate) async fn handle(
        &self,
        packet: &[u8],
        transport: Transport,
        peer: IpAddr,
    ) -> Responses {
        let Some(header) = packet.get(..HEADER_LEN) else {
            return Responses::none();
        };
        if header[2] & 0x80 != 0 {
            return Responses::none();
        }
        // A TSIG record is taken off before decoding: its MAC covers the bytes as sent.
        let signed = match designate_tsig::wire::split(packet) {
            Ok(signed) => signed,
            Err(error) => {
                tracing::debug!(%peer, %error, "malformed TSIG record");
                return Responses::one(formerr_from_raw(header));
            }
        };
        let body = signed.as_ref().map_or(packet, |s| s.message.as_slice());
        let request = match Message::from_vec(body) {
            Ok(request) => request,
            Err(error) => {
                tracing::debug!(%error, "undecodable request");
                return Responses::one(formerr_from_raw(header));
            }
        };
        let mut auth = None;
        if let Some(signed) = &signed {
            match self.authenticate(signed).await {
                Ok(verified) => auth = Some(verified),
                Err((rejection, key)) => {
                    tracing::warn!(%peer, key = %signed.tsig.key_name, ?rejection,
                        "rejected TSIG-signed request");
                    return Responses::one(self.tsig_error(
                        &request,
                        signed,
                        rejection,
                        key.as_ref(),
                    ));
                }
            }
        }
        let reserve = auth.as_ref().map_or(0, |a| a.signer.reserve());
        let ctx = Context {
            transport,
            peer,
            key_scope: auth.as_ref().map(|a| a.entry.scope),
            max_message: self.config.effective_max_message_size() - reserve,
        };
        let servfail = |ctx: &Context| {
            let response = error_response(&request, ResponseCode::ServFail);
            self.encode_single(&request, response, ctx)
        };
        let mut responses = match self.respond(&request, &ctx).await {
            Ok(Reply::Single(response)) => {
                Responses::one(self.encode_single(&request, response, &ctx))
            }
            Ok(Reply::Stream(messages)) => Responses {
                ready: messages.into(),
                ..Responses::none()
            },
            Ok(Reply::Transfer(transfer)) => Responses {
                transfer: Some(transfer),
                servfail: Some(servfail(&ctx)),
                ..Responses::none()
            },
            Err(error) => {
                tracing::error!(%error, "storage failure answering request");
                Responses::one(servfail(&ctx))
            }
        };
        responses.auth = auth;
        responses
    }

    /// Verifies a signed request against our keys (RFC 8945 §5.2).
    async fn authenticate(
        &self,
        signed: &designate_tsig::Signed,
    ) -> Result<Authenticated, (designate_tsig::Rejection, Option<designate_tsig::Key>)> {
        use designate_tsig::Rejection;
        let Some(entry) = self.keyring.find(&signed.tsig.key_name).await else {
            return Err((Rejection::BadKey, None));
        };
        match designate_tsig::verify_request(signed, &entry.key, designate_tsig::now()) {
            Ok(()) => Ok(Authenticated {
                signer: designate_tsig::ResponseSigner::new(entry.key.clone(), signed),
                entry,
            }),
            // BADTIME is answered signed, so the client can trust our clock in it.
            Err(Rejection::BadTime) => Err((Rejection::BadTime, Some(entry.key))),
            Err(rejection) => Err((rejection, None)),
        }
    }

    /// NOTAUTH with the TSIG error of `rejection` (RFC 8945 §5.2).
    fn tsig_error(
        &self,
        request: &Message,
        signed: &designate_tsig::Signed,
        rejection: designate_tsig::Rejection,
        key: Option<&designate_tsig::Key>,
    ) -> Vec<u8> {
        let response = error_response(request, ResponseCode::NotAuth);
        let mut wire = response
            .to_vec()
            .unwrap_or_else(|_| formerr_from_raw(&request.id().to_be_bytes()));
        if let Err(error) =
            designate_tsig::error_tsig(&mut wire, signed, rejection, key, designate_tsig::now())
        {
            tracing::debug!(%error, "cannot add TSIG to an error response");
        }
        wire
    }

    async fn respond(&self, request: &Message, ctx: &Context) -> Result<Reply, StorageError> {
        match request.op_code() {
            OpCode::Query => {}
            OpCode::Notify => return self.notify(request, ctx.peer).await.map(Reply::Single),
            // Upstream refuses STATUS, UPDATE and anything else alike.
            _ => {
                return Ok(Reply::Single(error_response(
                    request,
                    ResponseCode::Refused,
                )))
            }
        }
        let [query] = request.queries() else {
            return Ok(Reply::Single(error_response(
                request,
                ResponseCode::Refused,
            )));
        };
        if query.query_class() != DNSClass::IN {
            return Ok(Reply::Single(error_response(
                request,
                ResponseCode::Refused,
            )));
        }
        let peer = ctx.peer;
        let refuse = || {
            Ok(Reply::Single(error_response(
                request,
                ResponseCode::Refused,
            )))
        };
        // A valid key decides what is visible (upstream's scoping); unsigned requests go by the
        // ACL, unless every query must be signed (upstream's `query_enforce_tsig`).
        let scope = match ctx.key_scope {
            Some(KeyScope::Pool(pool)) => Scope::Pools(Arc::new(BTreeSet::from([pool]))),
            Some(KeyScope::Zone(zone)) => Scope::Zone(zone),
            None if self.config.query_enforce_tsig => {
                tracing::info!(%peer, question = %query, "refusing an unsigned query (query_enforce_tsig)");
                return refuse();
            }
            None => match self.acl.check(peer).await {
                Access::Denied => {
                    tracing::info!(%peer, question = %query, "refusing a client outside the ACL");
                    return refuse();
                }
                Access::Pools(pools) => Scope::Pools(pools),
                Access::All => Scope::All,
            },
        };
        match query.query_type() {
            RecordType::AXFR | RecordType::IXFR => self.transfer(request, query, ctx, &scope).await,
            _ => self
                .record_query(request, query, &scope)
                .await
                .map(Reply::Single),
        }
    }

    /// A query for one name and type, answered from the recordset of the closest enclosing zone.
    async fn record_query(
        &self,
        request: &Message,
        query: &Query,
        scope: &Scope,
    ) -> Result<Message, StorageError> {
        let qname = query.name().to_lowercase();
        let mut tx = self.storage.begin_read().await?;
        let mut candidate = qname.clone();
        let zone = loop {
            if candidate.is_root() {
                break None;
            }
            if let Some(zone) = self.find_zone(tx.as_mut(), &candidate, None, scope).await? {
                break Some(zone);
            }
            candidate = candidate.base_name();
        };
        let Some(zone) = zone else {
            return Ok(error_response(request, ResponseCode::Refused));
        };
        let found = if query.query_type() == RecordType::SOA {
            // The question secondaries poll: the zone's SOA, read without scanning records.
            let name = qname.to_ascii();
            tx.zone_soa_recordset(&zone)
                .await?
                .filter(|rs| rs.name.eq_ignore_ascii_case(&name))
        } else {
            let criteria = Criteria::new()
                .eq("zone_id", zone.id.to_string())
                .eq("name", qname.to_ascii())
                .eq("type", type_name(query.query_type()));
            let page = Page {
                limit: Some(1),
                ..Page::default()
            };
            tx.find_recordsets(&criteria, &page)
                .await?
                .items
                .into_iter()
                .next()
        };
        let Some(recordset) = found else {
            return Ok(error_response(request, ResponseCode::Refused));
        };
        let mut answers = recordset_records(&zone, &recordset);
        if query.query_type() == RecordType::SOA {
            answers = answers
                .into_iter()
                .map(|rr| with_zone_serial(&zone, rr))
                .collect();
        }
        let mut response = response_to(request);
        response.set_authoritative(true).insert_answers(answers);
        Ok(response)
    }

    /// AXFR, or IXFR: incremental from the journal when a chain leads from the client's serial,
    /// AXFR-style otherwise.
    async fn transfer(
        &self,
        request: &Message,
        query: &Query,
        ctx: &Context,
        scope: &Scope,
    ) -> Result<Reply, StorageError> {
        let transport = ctx.transport;
        let qname = query.name().to_lowercase();
        if query.query_type() == RecordType::IXFR && transport == Transport::Tcp {
            // The common IXFR needs no snapshot: the journal rows up to the serial the zone row
            // names were committed with (or before) it and never change, so two statements
            // without BEGIN / ROLLBACK agree. A pruned or broken chain falls through to the
            // snapshot below, as does a client already current (its lone SOA must come from the
            // same snapshot as the zone row).
            let mut reader = self.storage.read().await?;
            let Some(zone) = self.find_zone(reader.as_mut(), &qname, None, scope).await? else {
                return Ok(not_served(request, &qname));
            };
            if !ixfr_client_current(request, &zone) {
                if let Some(reply) = self
                    .incremental(request, reader.as_mut(), &zone, ctx.max_message)
                    .await?
                {
                    return Ok(reply);
                }
            }
        }
        // One read transaction: the whole transfer comes from one snapshot.
        let mut tx = self.storage.begin_read().await?;
        let Some(zone) = self.find_zone(tx.as_mut(), &qname, None, scope).await? else {
            return Ok(not_served(request, &qname));
        };
        let soa_sets = tx.zone_soa_recordset(&zone).await?;
        let Some(soa) = zone_soa(&zone, soa_sets.as_slice()) else {
            tracing::error!(zone_id = %zone.id, "zone has no usable SOA recordset");
            return Ok(Reply::Single(error_response(
                request,
                ResponseCode::ServFail,
            )));
        };

        let single_soa = |request: &Message| {
            let mut response = response_to(request);
            response.set_authoritative(true).add_answer(soa.clone());
            Reply::Single(response)
        };
        if query.query_type() == RecordType::IXFR {
            // RFC 1995 §2/§4: a client already at our serial, or asking over UDP, gets the lone SOA.
            if transport == Transport::Udp || ixfr_client_current(request, &zone) {
                return Ok(single_soa(request));
            }
        } else if transport == Transport::Udp {
            // AXFR is TCP-only (RFC 5936 §4.2); TC tells the client to come back over TCP.
            let mut response = response_to(request);
            response.set_authoritative(true).set_truncated(true);
            return Ok(Reply::Single(response));
        }

        let mut template = response_to(request);
        template.set_authoritative(true);
        let transfer = XfrBuilder::new(template, ctx.max_message)
            .and_then(|builder| TransferStream::new(tx, zone.clone(), soa, builder));
        match transfer {
            Ok(transfer) => Ok(Reply::Transfer(Box::new(transfer))),
            Err(error) => {
                tracing::warn!(zone = %zone.name, %error, "aborted zone transfer");
                Ok(Reply::Single(error_response(
                    request,
                    ResponseCode::ServFail,
                )))
            }
        }
    }

    /// An IXFR answered from the zone's change journal, or `None` when the journal does not lead
    /// from the client's serial to ours (the caller then sends the whole zone).
    async fn incremental(
        &self,
        request: &Message,
        tx: &mut dyn StorageTx,
        zone: &Zone,
        max: usize,
    ) -> Result<Option<Reply>, StorageError> {
        let Some(client) = crate::ixfr::client_serial(request) else {
            return Ok(None);
        };
        let entries = match tx.zone_journal_after(zone.id, client, zone.serial).await {
            Ok(entries) => entries,
            Err(StorageError::Unsupported(_)) => return Ok(None),
            Err(e) => return Err(e),
        };
        let Some(rows) = crate::ixfr::chain(entries, client, zone.serial) else {
            tracing::debug!(zone = %zone.name, client, serial = zone.serial,
                "journal does not reach the client's serial; sending AXFR");
            return Ok(None);
        };
        // The SOA the zone serves now is the one the last change added, so the zone's SOA
        // recordset is read only when that row is unusable.
        let soa = match crate::ixfr::current_soa(&rows, zone.serial) {
            Some(soa) => soa,
            None => {
                let soa_sets = tx.zone_soa_recordset(zone).await?;
                let Some(soa) = zone_soa(zone, soa_sets.as_slice()) else {
                    return Ok(None);
                };
                soa
            }
        };
        let mut template = response_to(request);
        template.set_authoritative(true);
        match crate::ixfr::render(template, max, soa, &rows) {
            Ok(Some(messages)) => {
                tracing::debug!(zone = %zone.name, client, serial = zone.serial, "incremental transfer");
                Ok(Some(Reply::Stream(messages)))
            }
            Ok(None) => Ok(None),
            Err(error) => {
                tracing::warn!(zone = %zone.name, %error, "incremental transfer failed; sending AXFR");
                Ok(None)
            }
        }
    }

    /// NOTIFY to MiniDNS (upstream's `_handle_notify`): from a master of a SECONDARY zone of
    /// that name, a transfer from that master is cast to the worker (which transfers when the
    /// master's serial is newer) and the NOTIFY is acknowledged; from anyone else REFUSED; for
    /// a name with no SECONDARY zone NOTAUTH. Several SECONDARY zones of one name (other pools
    /// or projects) are told apart by the sender, as upstream does.
    async fn notify(&self, request: &Message, peer: IpAddr) -> Result<Message, StorageError> {
        let [query] = request.queries() else {
            return Ok(error_response(request, ResponseCode::FormErr));
        };
        let qname = query.name().to_lowercase();
        let criteria = Criteria::new()
            .eq("name", qname.to_ascii())
            .eq("type", ZoneType::Secondary.as_str());
        let page = Page {
            limit: Some(ZONES_PER_NAME),
            ..Page::default()
        };
        let candidates = self
            .storage
            .begin_read()
            .await?
            .find_zones_uncounted(&criteria, &page)
            .await?;
        if candidates.is_empty() {
            return Ok(error_response(request, ResponseCode::NotAuth));
        }
        let sender = peer.to_canonical().to_string();
        let found = candidates.into_iter().find_map(|zone| {
            let master = zone.masters.iter().find(|m| m.is_host(&sender))?.clone();
            Some((zone, master))
        });
        let Some((mut zone, master)) = found else {
            tracing::warn!(zone = %qname, %peer, "NOTIFY from a non-master, refusing");
            return Ok(error_response(request, ResponseCode::Refused));
        };
        let Some(worker) = self.worker.get() else {
            tracing::warn!(zone_id = %zone.id, "NOTIFY from a master but no worker is wired, refusing");
            return Ok(error_response(request, ResponseCode::Refused));
        };
        tracing::info!(zone_id = %zone.id, master = %master.render(), "NOTIFY from a master, scheduling XFR");
        // The cast names the master that sent the NOTIFY (upstream transfers from it alone).
        zone.masters = vec![master];
        let ctx = RequestContext {
            request_id: format!("req-mdns-notify-{}", Uuid::new_v4()),
            ..RequestContext::admin()
        };
        worker.cast_zone_task(&ctx, ZoneTask::Transfer, zone).await;
        let mut response = response_to(request);
        response.set_authoritative(true);
        Ok(response)
    }

    /// The live zone named `name` (lower-case FQDN), within the configured pool and `scope`
    /// (one name may exist in several pools).
    async fn find_zone(
        &self,
        tx: &mut dyn StorageTx,
        name: &Name,
        zone_type: Option<ZoneType>,
        scope: &Scope,
    ) -> Result<Option<Zone>, StorageError> {
        let mut criteria = Criteria::new().eq("name", name.to_ascii());
        if let Some(pool_id) = self.config.pool_id {
            criteria = criteria.eq("pool_id", pool_id.to_string());
        }
        if let Some(zone_type) = zone_type {
            criteria = criteria.eq("type", zone_type.as_str());
        }
        let page = Page {
            limit: Some(ZONES_PER_NAME),
            ..Page::default()
        };
        Ok(tx
            .find_zone_rows(&criteria, &page)
            .await?
            .into_iter()
            .find(|zone| scope.allows(zone)))
    }

    /// Encodes a one-message response, truncating it (TC, sections emptied) when it exceeds the
    /// UDP limit the client announced or our own message size limit.
    fn encode_single(&self, request: &Message, mut response: Message, ctx: &Context) -> Vec<u8> {
        let reserve = self.config.effective_max_message_size() - ctx.max_message;
        let limit = match ctx.transport {
            Transport::Udp => usize::from(request.max_payload().max(512)),
            Transport::Tcp => usize::MAX,
        }
        .min(self.config.effective_max_message_size())
        .saturating_sub(reserve);
        match response.to_vec() {
            Ok(wire) if wire.len() <= limit => return wire,
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "cannot encode response"),
        }
        response.take_answers();
        response.take_name_servers();
        response.take_additionals();
        response.set_truncated(true);
        match response.to_vec() {
            Ok(wire) if wire.len() <= limit => wire,
            // Only a request with many questions (itself FORMERR) echoes more than fits.
            _ => {
                response.take_queries();
                response
                    .to_vec()
                    .unwrap_or_else(|_| formerr_from_raw(&request.id().to_be_bytes()))
            }
        }
    }
}

/// What a request is answered with.
enum Reply {
    /// One message (size-checked against the transport when encoded).
    Single(Message),
    /// An incremental transfer, already encoded and split (bounded by the journal's size).
    Stream(Vec<Vec<u8>>),
    /// A full transfer, produced as it is sent: SOA first, every other record, SOA last
    /// (RFC 5936 §2.2).
    Transfer(Box<TransferStream>),
}

/// The messages answering one request, in sending order, produced on demand (a full zone
/// transfer is read from the store while it is sent) and TSIG-signed one by one when the
/// request was.
pub(crate) struct Responses {
    ready: VecDeque<Vec<u8>>,
    transfer: Option<Box<TransferStream>>,
    auth: Option<Authenticated>,
    /// Sent instead when the transfer fails before its first message.
    servfail: Option<Vec<u8>>,
}

impl Responses {
    /// No answer at all.
    fn none() -> Self {
        Self {
            ready: VecDeque::new(),
            transfer: None,
            auth: None,
            servfail: None,
        }
    }

    fn one(message: Vec<u8>) -> Self {
        Self {
            ready: VecDeque::from([message]),
            ..Self::none()
        }
    }

    /// The next message; `Ok(None)` when all were sent; `Err` when a transfer broke off
    /// part-way (the caller closes the connection).
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<u8>>, TransferAborted> {
        let mut message = match self.ready.pop_front() {
            Some(message) => message,
            None => {
                let Some(transfer) = self.transfer.as_mut() else {
                    return Ok(None);
                };
                match transfer.next().await {
                    Ok(Some(message)) => message,
                    Ok(None) => {
                        self.transfer = None;
                        return Ok(None);
                    }
                    Err(error) => {
                        let untouched = transfer.untouched();
                        self.transfer = None;
                        tracing::warn!(%error, "aborted zone transfer");
                        match self.servfail.take() {
                            // Upstream answers SERVFAIL when the first message fails.
                            Some(servfail) if untouched => servfail,
                            _ => return Err(error),
                        }
                    }
                }
            }
        };
        if let Some(auth) = &mut self.auth {
            if let Err(error) = auth.signer.sign(&mut message, designate_tsig::now()) {
                tracing::error!(%error, key = %auth.entry.key.name, "cannot sign response");
            }
        }
        Ok(Some(message))
    }

    /// Every message (what the fuzz targets and unit tests look at); stops at an abort.
    pub(crate) async fn collect(mut self) -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        while let Ok(Some(message)) = self.next().await {
            out.push(message);
        }
        out
    }
}

/// Whether an IXFR's client SOA (authority section) is already at or past the zone's serial.
/// REFUSED for a transfer of a zone this server does not serve.
fn not_served(request: &Message, qname: &Name) -> Reply {
    tracing::warn!(zone = %qname, "zone transfer requested for a zone we do not serve");
    Reply::Single(error_response(request, ResponseCode::Refused))
}

fn ixfr_client_current(request: &Message, zone: &Zone) -> bool {
    request.name_servers().iter().any(|rr| match rr.data() {
        RData::SOA(soa) => !serial_gt(zone.serial, soa.serial()),
        _ => false,
    })
}

/// A response skeleton: id, opcode, RD/CD and question copied; our OPT when the client sent one.
fn response_to(request: &Message) -> Message {
    let mut response = Message::new();
    response
        .set_header(Header::response_from_request(request.header()))
        .add_queries(request.queries().to_vec());
    if request.extensions().is_some() {
        let mut edns = Edns::new();
        edns.set_max_payload(EDNS_PAYLOAD);
        response.set_edns(edns);
    }
    response
}

/// A response carrying only `rcode` (and the question).
fn error_response(request: &Message, rcode: ResponseCode) -> Message {
    let mut response = response_to(request);
    response.set_response_code(rcode);
    response
}

/// FORMERR for a request whose body cannot be decoded, built from the raw header bytes: same id
/// and opcode, QR set, every count zero.
fn formerr_from_raw(header: &[u8]) -> Vec<u8> {
    let id = [
        header.first().copied().unwrap_or(0),
        header.get(1).copied().unwrap_or(0),
    ];
    let opcode_bits = header.get(2).copied().unwrap_or(0) & 0x78;
    let mut wire = vec![0u8; HEADER_LEN];
    wire[..2].copy_from_slice(&id);
    wire[2] = 0x80 | opcode_bits;
    wire[3] = ResponseCode::FormErr.low();
    wire
}

#[cfg(test)]
mod tests {
    use super::*;
    use designate_storage::SqlStorage;
    use hickory_proto::op::MessageType;
    use hickory_proto::rr::rdata::SOA;
    use hickory_proto::rr::Record;

    fn seed(opcode: OpCode, name: &str, rtype: RecordType) -> Vec<u8> {
        let mut m = Message::new();
        m.set_id(0x0101)
            .set_message_type(MessageType::Query)
            .set_op_code(opcode)
            .add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
        if rtype == RecordType::IXFR {
            let n = Name::from_ascii(name).unwrap();
            let soa = SOA::new(n.clone(), n.clone(), 1, 2, 3, 4, 5);
            m.add_name_server(Record::from_rdata(n, 0, RData::SOA(soa)));
        }
        if rtype == RecordType::A {
            m.set_edns(Edns::new());
        }
        m.to_vec().unwrap()
    }

    /// Thousands of mutated requests (flipped bytes, cut short, extended) through both transports:
    /// no panic, and every answer is a well-formed response to the request's id.
    /// Found by the built-in nameserver's fuzz target, and here too once the MiniDNS target
    /// checked UDP sizes: 103 questions, each echoed in the FORMERR, made a 584-byte UDP
    /// response even after truncation.
    #[tokio::test]
    async fn a_formerr_for_many_questions_fits_the_udp_limit() {
        let storage = SqlStorage::connect("sqlite::memory:").await.unwrap();
        storage.migrate().await.unwrap();
        let config = MdnsConfig {
            query_acl: vec![crate::AclEntry::Any],
            ..MdnsConfig::default()
        };
        let handler = Handler::new(Arc::new(storage), Arc::new(config));
        let packet = include_bytes!("testdata/fuzz-many-questions.bin");
        let peer = IpAddr::from([127, 0, 0, 1]);
        let responses: Vec<Vec<u8>> = handler
            .handle(packet, Transport::Udp, peer)
            .await
            .collect()
            .await;
        let [wire] = responses.as_slice() else {
            panic!("{} UDP messages", responses.len());
        };
        assert!(wire.len() <= 512, "{} bytes", wire.len());
        let response = Message::from_vec(wire).unwrap();
        assert_eq!(response.id(), 0x001f);
        assert!(response.queries().is_empty());
    }

    #[tokio::test]
    async fn mutated_packets_never_panic() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:///{}", dir.path().join("fuzz.sqlite").display());
        let storage = SqlStorage::connect(&url).await.unwrap();
        storage.migrate().await.unwrap();
        let config = MdnsConfig {
            query_acl: vec![crate::AclEntry::Any],
            ..MdnsConfig::default()
        };
        let handler = Handler::new(Arc::new(storage), Arc::new(config));
        let peer = IpAddr::from([127, 0, 0, 1]);
        let seeds = [
            seed(OpCode::Query, "example.org.", RecordType::SOA),
            seed(OpCode::Query, "example.org.", RecordType::AXFR),
            seed(OpCode::Query, "example.org.", RecordType::IXFR),
            seed(OpCode::Notify, "example.org.", RecordType::SOA),
            seed(OpCode::Query, "www.example.org.", RecordType::A),
        ];
        // xorshift64*: deterministic, so a failure reproduces.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            state.wrapping_mul(0x2545_F491_4F6C_DD1D)
        };
        for i in 0..4000 {
            let mut packet = seeds[i % seeds.len()].clone();
            match next() % 4 {
                0 => {
                    let cut = (next() as usize) % (packet.len() + 1);
                    packet.truncate(cut);
                }
                1 => packet.extend((0..next() % 64).map(|_| next() as u8)),
                _ => {}
            }
            for _ in 0..(next() % 6) {
                if !packet.is_empty() {
                    let at = (next() as usize) % packet.len();
                    packet[at] = next() as u8;
                }
            }
            for transport in [Transport::Udp, Transport::Tcp] {
                for wire in handler
                    .handle(&packet, transport, peer)
                    .await
                    .collect()
                    .await
                {
                    assert!(wire.len() >= HEADER_LEN && wire.len() <= 65535);
                    assert_eq!(wire[..2], packet[..2], "response id differs");
                    assert!(wire[2] & 0x80 != 0, "response without QR bit");
                }
            }
        }
    }

    #[test]
    fn formerr_keeps_id_and_opcode() {
        let raw = [0xab, 0xcd, 0x28, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        let wire = formerr_from_raw(&raw);
        let m = Message::from_vec(&wire).unwrap();
        assert_eq!(m.id(), 0xabcd);
        assert_eq!(m.message_type(), MessageType::Response);
        assert_eq!(m.op_code(), OpCode::Update);
        assert_eq!(m.response_code(), ResponseCode::FormErr);
        assert!(m.queries().is_empty());
    }
}
