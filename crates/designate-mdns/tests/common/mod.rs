//! Shared fixture: a real SQLite store in a temp dir, MiniDNS on 127.0.0.1:0, and raw DNS clients.
#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use designate_core::objects::{
    Action, Record, RecordSet, RecordStatus, Zone, ZoneStatus, ZoneType,
};
use designate_mdns::MdnsConfig;
use designate_storage::{SqlStorage, Storage};
use hickory_proto::op::{Message, MessageType, OpCode, Query};
use hickory_proto::rr::{Name, RecordType};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A running MiniDNS over a fresh store.
pub struct Fixture {
    pub storage: Arc<SqlStorage>,
    pub addr: SocketAddr,
    pub shutdown: CancellationToken,
    pub server: JoinHandle<Result<(), designate_mdns::MdnsError>>,
    /// Makes the server reload its access data now.
    pub reload: designate_mdns::AccessReload,
    _dir: tempfile::TempDir,
}

/// MiniDNS answering every client (most tests are not about the ACL and store no pools).
pub async fn start() -> Fixture {
    start_with(open_config()).await
}

/// The defaults, but with the ACL open to every address.
pub fn open_config() -> MdnsConfig {
    MdnsConfig {
        query_acl: vec![designate_mdns::AclEntry::Any],
        ..MdnsConfig::default()
    }
}

pub async fn start_with(config: MdnsConfig) -> Fixture {
    start_wired(config, None).await
}

/// [`start_with`], NOTIFYs from SECONDARY zones' masters cast to `worker`.
pub async fn start_wired(
    config: MdnsConfig,
    worker: Option<Arc<dyn designate_bus::WorkerApi>>,
) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite:///{}",
        dir.path().join("designate.sqlite").display()
    );
    let storage = Arc::new(SqlStorage::connect(&url).await.unwrap());
    storage.migrate().await.unwrap();
    let config = MdnsConfig {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..config
    };
    let server = designate_mdns::bind(config, storage.clone() as Arc<dyn Storage>)
        .await
        .unwrap();
    if let Some(worker) = worker {
        server.set_worker(worker);
    }
    let addr = server.local_addr();
    let reload = server.access_reload();
    let shutdown = CancellationToken::new();
    let server = tokio::spawn(server.serve(shutdown.clone()));
    Fixture {
        storage,
        addr,
        shutdown,
        server,
        reload,
        _dir: dir,
    }
}

pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

pub fn zone(name: &str, serial: u32) -> Zone {
    let id = Uuid::new_v4();
    Zone {
        id,
        version: 1,
        created_at: now(),
        updated_at: None,
        deleted: "0".to_owned(),
        deleted_at: None,
        shard: designate_core::objects::shard_of(&id),
        tenant_id: Some("project-a".to_owned()),
        name: name.to_owned(),
        email: format!("hostmaster@{}", name.trim_end_matches('.')),
        description: None,
        zone_type: ZoneType::Primary,
        transferred_at: None,
        ttl: 3600,
        serial,
        refresh: 3500,
        retry: 600,
        expire: 86400,
        minimum: 3600,
        status: ZoneStatus::Active,
        parent_zone_id: None,
        action: Action::None,
        pool_id: Some(Uuid::nil()),
        reverse_name: name.chars().rev().collect(),
        delayed_notify: false,
        increment_serial: false,
        attributes: Default::default(),
        masters: Vec::new(),
    }
}

pub fn recordset(
    zone: &Zone,
    name: &str,
    rtype: &str,
    ttl: Option<i32>,
    data: &[&str],
) -> RecordSet {
    let id = Uuid::new_v4();
    let records = data
        .iter()
        .map(|d| Record {
            id: Uuid::new_v4(),
            version: 1,
            created_at: now(),
            updated_at: None,
            zone_shard: zone.shard,
            tenant_id: zone.tenant_id.clone(),
            zone_id: zone.id,
            recordset_id: id,
            data: (*d).to_owned(),
            description: None,
            hash: format!("{:032x}", Uuid::new_v4().as_u128()),
            managed: rtype == "SOA" || rtype == "NS",
            managed_extra: None,
            managed_plugin_type: None,
            managed_plugin_name: None,
            managed_resource_type: None,
            managed_resource_region: None,
            managed_resource_id: None,
            managed_tenant_id: None,
            status: RecordStatus::Active,
            action: Action::None,
            serial: zone.serial,
        })
        .collect();
    RecordSet {
        id,
        version: 1,
        created_at: now(),
        updated_at: None,
        zone_shard: zone.shard,
        tenant_id: zone.tenant_id.clone(),
        zone_id: zone.id,
        zone_name: zone.name.clone(),
        name: name.to_owned(),
        rtype: rtype.to_owned(),
        ttl,
        description: None,
        reverse_name: name.chars().rev().collect(),
        records,
    }
}

/// The managed SOA and NS recordsets every zone has, with a deliberately stale serial in the SOA
/// data (MiniDNS must serve the zone row's serial).
pub fn managed_sets(zone: &Zone) -> Vec<RecordSet> {
    let soa = format!(
        "ns1.example.net. {}. 1 {} {} {} {}",
        zone.email.replace('@', "."),
        zone.refresh,
        zone.retry,
        zone.expire,
        zone.minimum
    );
    vec![
        recordset(zone, &zone.name, "SOA", None, &[&soa]),
        recordset(
            zone,
            &zone.name,
            "NS",
            None,
            &["ns1.example.net.", "ns2.example.net."],
        ),
    ]
}

pub async fn store(storage: &SqlStorage, zone: &Zone, recordsets: &[RecordSet]) {
    let mut tx = storage.begin().await.unwrap();
    tx.create_zone(zone).await.unwrap();
    for rs in recordsets {
        tx.create_recordset(rs).await.unwrap();
    }
    tx.commit().await.unwrap();
}

pub fn query(id: u16, name: &str, rtype: RecordType) -> Message {
    let mut m = Message::new();
    m.set_id(id)
        .set_message_type(MessageType::Query)
        .set_op_code(OpCode::Query)
        .add_query(Query::query(Name::from_ascii(name).unwrap(), rtype));
    m
}

/// One UDP exchange; `None` if nothing came back within a second.
pub async fn udp_raw(addr: SocketAddr, packet: &[u8]) -> Option<Vec<u8>> {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    socket.send_to(packet, addr).await.unwrap();
    let mut buf = vec![0u8; 65535];
    match tokio::time::timeout(Duration::from_secs(1), socket.recv(&mut buf)).await {
        Ok(Ok(len)) => Some(buf[..len].to_vec()),
        _ => None,
    }
}

pub async fn udp(addr: SocketAddr, request: &Message) -> Message {
    let wire = udp_raw(addr, &request.to_vec().unwrap())
        .await
        .expect("no UDP response");
    Message::from_vec(&wire).unwrap()
}

pub async fn send_frame(stream: &mut TcpStream, body: &[u8]) {
    let mut framed = (body.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(body);
    stream.write_all(&framed).await.unwrap();
}

/// Reads one framed message; `None` when the server closed the connection.
pub async fn read_frame(stream: &mut TcpStream) -> Option<Message> {
    let mut len = [0u8; 2];
    tokio::time::timeout(Duration::from_secs(10), stream.read_exact(&mut len))
        .await
        .expect("TCP read timed out")
        .ok()?;
    let mut body = vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut body).await.ok()?;
    Some(Message::from_vec(&body).unwrap())
}

pub async fn tcp(addr: SocketAddr, request: &Message) -> Message {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    send_frame(&mut stream, &request.to_vec().unwrap()).await;
    read_frame(&mut stream).await.expect("no TCP response")
}

/// An AXFR over TCP: every message until the closing SOA (or the first error response).
pub async fn axfr(addr: SocketAddr, zone: &str, rtype: RecordType) -> Vec<Message> {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    send_frame(&mut stream, &query(4242, zone, rtype).to_vec().unwrap()).await;
    let mut messages = Vec::new();
    let mut soas = 0;
    while let Some(m) = read_frame(&mut stream).await {
        assert_eq!(m.id(), 4242);
        let error = m.response_code() != hickory_proto::op::ResponseCode::NoError;
        soas += m
            .answers()
            .iter()
            .filter(|r| r.record_type() == RecordType::SOA)
            .count();
        // An IXFR answered with the lone current SOA is complete in one message.
        let single_soa = rtype == RecordType::IXFR && messages.is_empty() && m.answers().len() == 1;
        messages.push(m);
        if error || soas >= 2 || single_soa {
            break;
        }
    }
    messages
}
