//! Test support: a tiny AXFR master serving a fixed zone, zone builders and DNS clients.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use designate_nameserver::{start, NameserverConfig, NameserverHandle};
use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query, ResponseCode};
use hickory_proto::rr::rdata::{A, CNAME, MX, NS, SOA, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub const ZONE: &str = "example.org.";

pub fn name(s: &str) -> Name {
    Name::from_ascii(s).unwrap()
}

pub fn rec(owner: &str, data: RData) -> Record {
    Record::from_rdata(name(owner), 300, data)
}

pub fn a(owner: &str, last: u8) -> Record {
    rec(owner, RData::A(A::new(192, 0, 2, last)))
}

/// SOA timers: (refresh, retry, expire).
pub fn soa(origin: &str, serial: u32, timers: (i32, i32, i32)) -> Record {
    rec(
        origin,
        RData::SOA(SOA::new(
            name("ns1.example.org."),
            name("hostmaster.example.org."),
            serial,
            timers.0,
            timers.1,
            timers.2,
            120,
        )),
    )
}

/// A zone exercising every answer case; `serial` also names an extra record `s<serial>`.
pub fn zone_records(serial: u32) -> Vec<Record> {
    zone_with_timers(serial, (3600, 600, 86400))
}

pub fn zone_with_timers(serial: u32, timers: (i32, i32, i32)) -> Vec<Record> {
    let mut records = vec![
        soa(ZONE, serial, timers),
        rec(ZONE, RData::NS(NS(name("ns1.example.org.")))),
        a("ns1.example.org.", 53),
        a("www.example.org.", 1),
        rec(
            "mail.example.org.",
            RData::MX(MX::new(10, name("mx.example.org."))),
        ),
        a("mx.example.org.", 25),
        rec(
            "alias.example.org.",
            RData::CNAME(CNAME(name("www.example.org."))),
        ),
        rec(
            "chain.example.org.",
            RData::CNAME(CNAME(name("alias.example.org."))),
        ),
        a("a.b.ent.example.org.", 2),
        rec(
            "*.wild.example.org.",
            RData::TXT(TXT::new(vec!["wild".into()])),
        ),
        rec(
            "sub.example.org.",
            RData::NS(NS(name("ns.sub.example.org."))),
        ),
        a("ns.sub.example.org.", 99),
        a(&format!("s{serial}.example.org."), 7),
    ];
    for i in 0..60 {
        records.push(rec(
            "big.example.org.",
            RData::TXT(TXT::new(vec![format!("{i:02}-{}", "x".repeat(40))])),
        ));
    }
    records
}

/// An in-test master: answers SOA over UDP/TCP and AXFR over TCP from `records`; an IXFR gets
/// the lone SOA (a master without a journal: current, or fall back to AXFR).
pub struct TestMaster {
    pub addr: SocketAddr,
    records: Arc<Mutex<Vec<Record>>>,
    pub soa_queries: Arc<AtomicUsize>,
    pub axfrs: Arc<AtomicUsize>,
    pub ixfrs: Arc<AtomicUsize>,
    axfr_delay: Arc<Mutex<Duration>>,
    tasks: Vec<JoinHandle<()>>,
}

impl TestMaster {
    pub async fn start(records: Vec<Record>) -> Self {
        Self::start_on("127.0.0.1:0".parse().unwrap(), records).await
    }

    pub async fn start_on(addr: SocketAddr, records: Vec<Record>) -> Self {
        let (udp, tcp) = loop {
            let udp = UdpSocket::bind(addr).await.unwrap();
            let bound = udp.local_addr().unwrap();
            if let Ok(tcp) = TcpListener::bind(bound).await {
                break (udp, tcp);
            }
        };
        let addr = udp.local_addr().unwrap();
        let mut master = Self {
            addr,
            records: Arc::new(Mutex::new(records)),
            soa_queries: Arc::new(AtomicUsize::new(0)),
            axfrs: Arc::new(AtomicUsize::new(0)),
            ixfrs: Arc::new(AtomicUsize::new(0)),
            axfr_delay: Arc::new(Mutex::new(Duration::ZERO)),
            tasks: Vec::new(),
        };
        let udp_task = {
            let records = Arc::clone(&master.records);
            let soa_queries = Arc::clone(&master.soa_queries);
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65535];
                while let Ok((len, src)) = udp.recv_from(&mut buf).await {
                    let Ok(request) = Message::from_vec(&buf[..len]) else {
                        continue;
                    };
                    soa_queries.fetch_add(1, Ordering::SeqCst);
                    let response = soa_response(&request, &records.lock().unwrap());
                    let _ = udp.send_to(&response.to_vec().unwrap(), src).await;
                }
            })
        };
        let tcp_task = {
            let records = Arc::clone(&master.records);
            let soa_queries = Arc::clone(&master.soa_queries);
            let axfrs = Arc::clone(&master.axfrs);
            let ixfrs = Arc::clone(&master.ixfrs);
            let delay = Arc::clone(&master.axfr_delay);
            tokio::spawn(async move {
                while let Ok((stream, _)) = tcp.accept().await {
                    let records = Arc::clone(&records);
                    let counts = [&soa_queries, &axfrs, &ixfrs].map(Arc::clone);
                    let delay = Arc::clone(&delay);
                    tokio::spawn(async move {
                        let _ = serve_tcp(stream, records, counts, delay).await;
                    });
                }
            })
        };
        master.tasks = vec![udp_task, tcp_task];
        master
    }

    pub fn set_records(&self, records: Vec<Record>) {
        *self.records.lock().unwrap() = records;
    }

    pub fn set_axfr_delay(&self, delay: Duration) {
        *self.axfr_delay.lock().unwrap() = delay;
    }

    /// Stops answering (sockets closed).
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Drop for TestMaster {
    fn drop(&mut self) {
        self.stop();
    }
}

fn soa_response(request: &Message, records: &[Record]) -> Message {
    let mut response = response_to(request);
    response.add_answer(records[0].clone());
    response
}

fn response_to(request: &Message) -> Message {
    let mut response = Message::new();
    response
        .set_id(request.id())
        .set_message_type(MessageType::Response)
        .set_op_code(OpCode::Query)
        .set_authoritative(true)
        .add_queries(request.queries().iter().cloned());
    response
}

async fn serve_tcp(
    mut stream: TcpStream,
    records: Arc<Mutex<Vec<Record>>>,
    [soa_queries, axfrs, ixfrs]: [Arc<AtomicUsize>; 3],
    delay: Arc<Mutex<Duration>>,
) -> std::io::Result<()> {
    loop {
        let len = stream.read_u16().await?;
        let mut body = vec![0u8; usize::from(len)];
        stream.read_exact(&mut body).await?;
        let request = Message::from_vec(&body).unwrap();
        let snapshot = records.lock().unwrap().clone();
        let qtype = request.queries()[0].query_type();
        let messages = if qtype == RecordType::AXFR {
            axfrs.fetch_add(1, Ordering::SeqCst);
            let delay = *delay.lock().unwrap();
            tokio::time::sleep(delay).await;
            let mut all = snapshot.clone();
            all.push(snapshot[0].clone());
            all.chunks(7)
                .map(|chunk| {
                    let mut m = response_to(&request);
                    m.add_answers(chunk.iter().cloned());
                    m
                })
                .collect()
        } else {
            let counter = if qtype == RecordType::IXFR {
                &ixfrs
            } else {
                &soa_queries
            };
            counter.fetch_add(1, Ordering::SeqCst);
            vec![soa_response(&request, &snapshot)]
        };
        for message in messages {
            let bytes = message.to_vec().unwrap();
            stream.write_u16(bytes.len() as u16).await?;
            stream.write_all(&bytes).await?;
        }
    }
}

/// A nameserver on 127.0.0.1:0 with its own state directory.
pub struct TestServer {
    pub handle: NameserverHandle,
    pub join: JoinHandle<()>,
    pub shutdown: CancellationToken,
}

pub fn config(state_dir: &std::path::Path) -> NameserverConfig {
    NameserverConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        state_dir: state_dir.to_path_buf(),
        transfer_timeout: Duration::from_secs(3),
        ..NameserverConfig::default()
    }
}

impl TestServer {
    pub async fn start(config: NameserverConfig) -> Self {
        let shutdown = CancellationToken::new();
        let (handle, join) = start(config, shutdown.clone()).await.unwrap();
        Self {
            handle,
            join,
            shutdown,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.handle.local_addr()
    }

    pub async fn stop(self) {
        self.shutdown.cancel();
        tokio::time::timeout(Duration::from_secs(5), self.join)
            .await
            .expect("nameserver stops")
            .unwrap();
    }

    /// Waits until the served serial of ZONE is `serial`.
    pub async fn wait_serial(&self, serial: u32) {
        wait_for(|| self.handle.zone_serial(ZONE) == Some(serial)).await;
    }
}

pub async fn wait_for(mut check: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "condition not reached in time"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A query message; `edns` = Some(payload size) adds OPT.
pub fn query(qname: &str, qtype: RecordType, edns: Option<u16>) -> Message {
    let mut m = Message::new();
    m.set_id(rand_id())
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .set_recursion_desired(true)
        .add_query(Query::query(name(qname), qtype));
    if let Some(size) = edns {
        let mut e = Edns::new();
        e.set_max_payload(size);
        m.set_edns(e);
    }
    m
}

pub fn rand_id() -> u16 {
    uuid::Uuid::new_v4().as_u128() as u16
}

pub async fn udp_raw(server: SocketAddr, bytes: &[u8], from: &str) -> Option<Vec<u8>> {
    let socket = UdpSocket::bind(from).await.unwrap();
    socket.send_to(bytes, server).await.unwrap();
    let mut buf = vec![0u8; 65535];
    match tokio::time::timeout(Duration::from_millis(500), socket.recv_from(&mut buf)).await {
        Ok(Ok((len, _))) => Some(buf[..len].to_vec()),
        _ => None,
    }
}

pub async fn udp(server: SocketAddr, request: &Message) -> Message {
    let bytes = udp_raw(server, &request.to_vec().unwrap(), "127.0.0.1:0")
        .await
        .expect("UDP answer");
    let response = Message::from_vec(&bytes).unwrap();
    assert_eq!(response.id(), request.id());
    response
}

pub async fn tcp(server: SocketAddr, request: &Message) -> Message {
    let mut stream = TcpStream::connect(server).await.unwrap();
    let bytes = request.to_vec().unwrap();
    stream.write_u16(bytes.len() as u16).await.unwrap();
    stream.write_all(&bytes).await.unwrap();
    let len = stream.read_u16().await.unwrap();
    let mut body = vec![0u8; usize::from(len)];
    stream.read_exact(&mut body).await.unwrap();
    Message::from_vec(&body).unwrap()
}

/// Starts a master and a nameserver holding ZONE at `serial`, transferred.
pub async fn loaded(state_dir: &std::path::Path, serial: u32) -> (TestMaster, TestServer) {
    loaded_with(config(state_dir), zone_records(serial), serial).await
}

/// Starts a master serving `records` and a nameserver with `config` holding ZONE, transferred
/// up to `serial`.
pub async fn loaded_with(
    config: NameserverConfig,
    records: Vec<Record>,
    serial: u32,
) -> (TestMaster, TestServer) {
    let master = TestMaster::start(records).await;
    let server = TestServer::start(config).await;
    server
        .handle
        .add_zone(ZONE, vec![master.addr])
        .await
        .unwrap();
    server.wait_serial(serial).await;
    (master, server)
}

pub fn rcode(m: &Message) -> ResponseCode {
    m.response_code()
}
